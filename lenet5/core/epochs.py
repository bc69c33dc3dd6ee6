"""The net along the way: its weights after every epoch of training, and reading one drawing with
each of them (the Training page's "Watch it learn").

Training writes ``epochs.npz`` beside the serving model, tied to its sha256 like the lookup
files (a retrained net never shows another run's epochs). Each weight ``"<layer>.<kind>"`` is
stored once for all epochs, stacked ``(E, ...) float16`` (half the bytes; the readings it gives
differ from float32 weights by well under a percentage point of accuracy, see
``tests/train/test_epochs.py``), with each epoch's ``stage`` (1: the first stage, 2: the second)
and its ``index`` within that stage (from 1); a first row of stage 0 (index 0) holds the
random weights training started from. In the second stage with a model soup the epochs
are those of the distilled run, whose curves ``history.json`` records; the served net is the mean
of that run's last epoch and a head-only run (``weights.npz``).
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lenet5.core import forward
from lenet5.core.artifacts import load_for_model, save_for_model
from lenet5.core.weights import NEEDED, Weights

EPOCHS_FILE = "epochs.npz"
KIND = "epochs"  # the file's kind tag (load_for_model checks it)


@dataclass(frozen=True)
class Epochs:
    """A net's weights after each of its ``E`` epochs: ``variant``, ``stage`` and ``index``
    ``(E,) int`` (see module docstring) and ``arrays`` ``"<layer>.<kind>" -> (E, ...) float16``
    laid out as :class:`lenet5.core.weights.Weights` (convolutions HWIO, dense ``(in, out)``)."""

    variant: str
    stage: np.ndarray
    index: np.ndarray
    arrays: Mapping[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.stage)

    def weights(self, epoch: int) -> Weights:
        """The net of row ``epoch`` (0-based over all stages, stage 0 included), float32."""
        return Weights(self.variant, {k: v[epoch].astype(np.float32)
                                      for k, v in self.arrays.items()})

    @property
    def start(self) -> int:
        """How many rows come before the first epoch (1 with the initial weights, else 0):
        row ``i`` is the history's epoch ``i - start``."""
        return int((self.stage == 0).sum())

    def label(self, epoch: int) -> str:
        """``"stage 1, epoch 3"`` (``"before training"`` for stage 0): how the page names row
        ``epoch``."""
        if self.stage[epoch] == 0:
            return "before training"
        return f"stage {int(self.stage[epoch])}, epoch {int(self.index[epoch])}"


def stack(variant: str, stages: Sequence[int], snapshots: Sequence[Mapping[str, np.ndarray]]
          ) -> Epochs:
    """:class:`Epochs` from one weights mapping (float32, as ``Weights.arrays``) per epoch and
    each epoch's stage (0: the initial weights), in training order."""
    stage = np.asarray(stages, np.int8)
    index = np.zeros(len(stage), np.int16)
    for s in set(stage.tolist()) - {0}:
        index[stage == s] = np.arange(1, int((stage == s).sum()) + 1)
    keys = snapshots[0].keys()
    return Epochs(variant, stage, index,
                  {k: np.stack([s[k] for s in snapshots]).astype(np.float16) for k in keys})


def save(e: Epochs, path: Path, model_sha256: str) -> None:
    save_for_model(path, model_sha256, kind=np.array(KIND), variant=np.array(e.variant),
                   stage=e.stage, index=e.index, **e.arrays)


def load(path: Path, model_sha256: str) -> Epochs | None:
    """The epochs saved for this serving model, or None if missing, unreadable, made for
    another model, of another kind, or short of a weight its variant needs."""
    try:  # a damaged zip raises BadZipFile, which is neither OSError nor ValueError
        with np.load(path, allow_pickle=False) as z:
            keys = tuple(k for k in z.files if "." in k)
        z = load_for_model(path, model_sha256, keys + ("variant", "stage", "index"), kind=KIND)
    except (OSError, ValueError, zipfile.BadZipFile):
        return None
    if z is None or not NEEDED.get(str(z["variant"]), {"?"}) <= set(keys):
        return None
    n = len(z["stage"])
    if n == 0 or len(z["index"]) != n or any(z[k].shape[:1] != (n,) for k in keys):
        return None
    return Epochs(str(z["variant"]), z["stage"], z["index"], {k: z[k] for k in keys})


def softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max(-1, keepdims=True))
    return z / z.sum(-1, keepdims=True)


def read_all(e: Epochs, image: np.ndarray) -> np.ndarray:
    """The ten probabilities the net gave ``image`` (``(28, 28) float32 in [0, 1]``) after
    each epoch: ``(E, 10) float32``, rows in training order."""
    logits = [forward.forward(e.weights(i), image)["output"] for i in range(len(e))]
    return softmax(np.stack(logits).astype(np.float32))


def time_read_all(e: Epochs, image: np.ndarray, repeats: int = 20) -> float:
    """The median milliseconds of :func:`read_all` on ``image`` over ``repeats`` runs (one
    warm-up first): for ``lenet5.bench``'s ``epochs_p50_ms``."""
    read_all(e, image)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        read_all(e, image)
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1000)
