"""What a drawing reminds the network of: the MNIST training digits nearest to it in F6.

F6's 84 activations are the network's last description of a digit before it decides. For a
drawing, the training digits whose F6 activations are closest (Euclidean distance) show what
the network thinks it resembles, and often why it errs. The F6 activations of 10,000 training
digits are computed once by training (:mod:`lenet5.train.lookups`), stored as float16 with the
digits themselves, and searched exhaustively: a search is one small matrix product.

The file records the serving model's sha256; a stale file (model retrained) is not used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lenet5.core.artifacts import load_for_model, save_for_model

LAYER = "f6"
SIZE = 10_000  # training digits kept: enough that most drawings have close look-alikes
SHOWN = 8


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


ARRAYS = ("embeddings", "images", "labels", "index")


def save(nb: Neighbours, path: Path) -> None:
    save_for_model(path, nb.model_sha256, layer=np.array(LAYER),
                   **{k: getattr(nb, k) for k in ARRAYS})


def load(path: Path, model_sha256: str) -> Neighbours | None:
    """The saved digits, or None if missing, unreadable or made for another model."""
    z = load_for_model(path, model_sha256, ARRAYS, layer=LAYER)
    return None if z is None else Neighbours(*(z[k] for k in ARRAYS), model_sha256)
