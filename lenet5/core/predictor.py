"""Serving: the exported LiteRT model, without TensorFlow or Keras.

The serving model (``models/lenet5.tflite``, written by ``python -m lenet5.train``) has one input,
``image`` ``(N, 28, 28, 1) float32 in [0, 1]``, and one output per named layer (``c1`` ... ``f6``
and ``output``, the logits). A :class:`Predictor` loads it once; one call returns the ten
probabilities and every layer's activations for one digit.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import Interpreter

from lenet5.core.artifacts import TRAIN_HINT, serving_path

LOGITS = "output"


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax: ``(..., K)`` logits -> ``(..., K) float32`` probabilities (sum 1)."""
    z = np.asarray(logits, np.float64)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


class ModelError(RuntimeError):
    """The serving model is missing, corrupt or not the expected network."""


class DigitArrayError(ValueError):
    """What a :class:`Predictor` was given is not 28x28 digits of finite values in [0, 1]."""


def as_digits(images: object) -> np.ndarray:
    """``(28, 28)``, ``(N, 28, 28)`` or ``(N, 28, 28, 1)`` values in [0, 1] ->
    ``(N, 28, 28, 1) float32``, N >= 1; :class:`DigitArrayError` for anything else (the network
    would answer NaN or nonsense for them rather than fail)."""
    try:
        with np.errstate(over="ignore"):  # a value too big for float32 becomes inf: refused
            x = np.asarray(images, np.float32)
    except (TypeError, ValueError) as exc:
        raise DigitArrayError(f"not an array of numbers ({exc})") from None
    if x.size == 0 or x.shape[-2:] not in ((28, 28), (28, 1)) or x.size % 784:
        raise DigitArrayError(f"expected 28x28 digits, got shape {x.shape}")
    if not np.isfinite(x).all() or x.min() < 0 or x.max() > 1:
        raise DigitArrayError("digit pixels must be finite and in [0, 1]")
    return x.reshape(-1, 28, 28, 1)


@dataclass(frozen=True)
class Reading:
    """What the network made of one digit.

    ``probs``: ``(10,) float32 in [0, 1]``, summing to 1. ``maps``: layer name -> that layer's
    activations for this digit, batch axis dropped (``c1`` is ``(24, 24, 6)``, ``f6`` ``(84,)``);
    empty when only the probabilities were computed (a digit of a number, a combined reading).
    """

    probs: np.ndarray
    maps: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def digit(self) -> int:
        return int(self.probs.argmax())

    @property
    def runner_up(self) -> int:
        """The second likeliest digit."""
        return int(np.argsort(self.probs)[-2])

    @property
    def confidence(self) -> float:
        return float(self.probs.max())


def _load(path: Path) -> bytes:
    if not path.is_file():
        raise ModelError(f"Model file {path} is missing. Train one with: {TRAIN_HINT}")
    return path.read_bytes()


class Predictor:
    """Loads a LiteRT serving model once; safe to share between threads (calls are serialised)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path or serving_path())
        content = _load(self.path)
        try:
            self._single = self._runner(content)
        except (ValueError, RuntimeError) as exc:
            raise ModelError(
                f"Model file {self.path} is not a valid LiteRT model ({exc}). "
                f"Retrain it with: {TRAIN_HINT}"
            ) from exc
        self._content = content
        self.sha256 = hashlib.sha256(content).hexdigest()
        self._batch = None
        self._lock = threading.Lock()
        self.output_names = tuple(self._signature["outputs"])
        try:
            probe = self._call(self._single, np.zeros((1, 28, 28, 1), np.float32))
        except (ValueError, RuntimeError, KeyError) as exc:  # e.g. no input named 'image'
            raise ModelError(f"Model file {self.path} does not take one 28x28 digit ({exc}). "
                             f"Retrain it with: {TRAIN_HINT}") from exc
        if LOGITS not in probe or probe[LOGITS].shape != (1, 10):
            raise ModelError(
                f"Model file {self.path} does not output 10 digit logits named '{LOGITS}'. "
                f"Retrain it with: {TRAIN_HINT}"
            )

    def _runner(self, content: bytes):
        interpreter = Interpreter(model_content=content, num_threads=1)
        self._signature = interpreter.get_signature_list()["serving_default"]
        return interpreter.get_signature_runner("serving_default")

    @staticmethod
    def _call(runner, x: np.ndarray, keys: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
        """Copies of the outputs named in ``keys`` (all by default)."""
        out = runner(image=x)
        return {k: np.array(out[k], copy=True) for k in keys or out}

    def __call__(self, image: np.ndarray) -> Reading:
        """Read one preprocessed digit, ``(28, 28) float32 in [0, 1]``
        (:class:`DigitArrayError` for anything else)."""
        x = as_digits(image)
        if len(x) != 1:
            raise DigitArrayError(f"expected one digit, got {len(x)}")
        with self._lock:
            out = self._call(self._single, x)
        maps = {k: v[0] for k, v in out.items()}
        return Reading(probs=softmax(maps[LOGITS]), maps=maps)

    def run_batch(self, images: np.ndarray, batch: int = 256,
                  keys: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
        """The outputs named in ``keys`` (default: all) for ``(N, 28, 28) float32 in [0, 1]``
        digits, in chunks of ``batch`` (:class:`DigitArrayError` for anything else)."""
        x = as_digits(images)
        parts: list[dict[str, np.ndarray]] = []
        with self._lock:
            if self._batch is None:
                self._batch = self._runner(self._content)
            for i in range(0, len(x), batch):
                parts.append(self._call(self._batch, x[i : i + batch], keys))
        if not parts:
            raise ValueError("run_batch needs at least one image")
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """``(N, 10) float32`` probabilities for ``(N, 28, 28)`` digits."""
        return softmax(self.run_batch(images, keys=(LOGITS,))[LOGITS])
