"""What a drawing reminds the network of: the MNIST training digits nearest to it in F6.

F6's 84 activations are the network's last description of a digit before it decides. For a
drawing, the training digits whose F6 activations are closest (Euclidean distance) show what
the network thinks it resembles, and often why it errs. The F6 activations of 10,000 training
digits are computed once, stored as float16 with the digits themselves (about 3 MB), and
searched exhaustively in a fraction of a millisecond.

    python -m lenet5.neighbours --data PATH/TO/mnist.npz      # writes models/neighbours.npz

The file records the serving model's sha256; a stale file (model retrained) is not used.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lenet5.data import load_mnist
from lenet5.inference import (
    MODELS_DIR,
    SERVING_PATH,
    Predictor,
    load_for_model,
    save_for_model,
)

LAYER = "f6"
SIZE = 10_000  # training digits kept
SHOWN = 8
NEIGHBOURS_PATH = MODELS_DIR / "neighbours.npz"


@dataclass(frozen=True)
class Neighbours:
    """``embeddings`` ``(M, 84) float16`` F6 activations of training digits ``images``
    ``(M, 28, 28) uint8`` with ``labels`` ``(M,) uint8`` and ``index`` ``(M,) int64`` (rows of
    MNIST's ``x_train``); ``model_sha256`` of the serving model they came from."""

    embeddings: np.ndarray
    images: np.ndarray
    labels: np.ndarray
    index: np.ndarray
    model_sha256: str
    _bank: np.ndarray = field(init=False, repr=False, compare=False)
    _norms: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        bank = self.embeddings.astype(np.float32)
        object.__setattr__(self, "_bank", bank)
        object.__setattr__(self, "_norms", np.einsum("md,md->m", bank, bank))

    def nearest(self, f6: np.ndarray, n: int = SHOWN) -> tuple[np.ndarray, np.ndarray]:
        """``(84,)`` activations -> rows of the ``n`` nearest digits, nearest first, and their
        Euclidean distances ``(n,) float32``."""
        q = np.asarray(f6, np.float32).reshape(-1)
        d2 = self._norms - 2 * (self._bank @ q) + q @ q
        rows = np.argpartition(d2, n - 1)[:n]
        rows = rows[np.argsort(d2[rows], kind="stable")]
        return rows, np.sqrt(np.maximum(d2[rows], 0)).astype(np.float32)


def build(predictor: Predictor, x_train: np.ndarray, y_train: np.ndarray,
          index: np.ndarray, size: int = SIZE, seed: int = 0) -> Neighbours:
    """F6 activations of ``size`` random ``(N, 28, 28) uint8`` training digits."""
    rows = np.sort(np.random.default_rng(seed).permutation(len(x_train))[:size])
    x = x_train[rows]
    f6 = predictor.run_batch(x.astype(np.float32) / 255, keys=(LAYER,))[LAYER]
    return Neighbours(f6.reshape(len(x), -1).astype(np.float16), x, y_train[rows].astype(np.uint8),
                      np.asarray(index)[rows].astype(np.int64), predictor.sha256)


ARRAYS = ("embeddings", "images", "labels", "index")


def save(nb: Neighbours, path: Path) -> None:
    save_for_model(path, nb.model_sha256, layer=np.array(LAYER),
                   **{k: getattr(nb, k) for k in ARRAYS})


def load(path: Path, model_sha256: str) -> Neighbours | None:
    """The saved digits, or None if missing, unreadable or made for another model."""
    z = load_for_model(path, model_sha256, ARRAYS, layer=LAYER)
    return None if z is None else Neighbours(*(z[k] for k in ARRAYS), model_sha256)


def write(data_path: str | None, model: Path = SERVING_PATH, out: Path = NEIGHBOURS_PATH,
          seed: int = 0) -> Neighbours:
    """Build from MNIST's training digits (the validation digits of training with ``seed``
    left out) and save to ``out``."""
    data = load_mnist(data_path, val_size=5000, seed=seed)
    nb = build(Predictor(model), data.x_train, data.y_train, data.train_index)
    save(nb, out)
    return nb


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m lenet5.neighbours",
                                description=__doc__.split("\n")[0])
    p.add_argument("--data", help="path to mnist.npz (default: $LENET5_MNIST, else download)")
    p.add_argument("--model", type=Path, default=SERVING_PATH)
    p.add_argument("--out", type=Path, default=NEIGHBOURS_PATH)
    a = p.parse_args(argv)
    nb = write(a.data, a.model, a.out)
    print(json.dumps({"out": str(a.out), "layer": LAYER, "digits": len(nb.labels),
                      "bytes": a.out.stat().st_size, "model_sha256": nb.model_sha256}))


if __name__ == "__main__":
    main()
