"""Does a drawing look like the digits the network learned from?

The softmax alone is confident about almost anything (letters, shapes: see
:mod:`lenet5.eval.scribbles`). Following Sun et al., "Out-of-Distribution Detection with Deep
Nearest Neighbors" (ICML 2022), a drawing's S4 features (scaled to unit length) are compared with
those of a bank of training digits: if even its ``K``-th most similar digit is far (cosine
distance), the drawing is *atypical*. The threshold is the ``QUANTILE`` of the distances of
held-out MNIST digits, so by construction about 1% of real digits are flagged. The classifier is
unchanged: the page still shows its answer, and says the drawing does not look like the digits
it learned from. How often it flags what, and the methods it beat: ``docs/recognition.md``.

The bank is built by training (:mod:`lenet5.train.lookups`) and measured by
:mod:`lenet5.eval.typicality`. The file records the serving model's sha256; a stale file (model
retrained) is not used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lenet5.core.artifacts import load_for_model, save_for_model

LAYER = "flatten"  # S4's features: of all layers, they told non-digits apart best
METHOD = "knn"
K = 5  # the K-th nearest training digit decides: one stray look-alike does not
BANK = 20_000  # training digits kept: int8 codes keep the file small; more gained little
QUANTILE = 0.99


def unit(features: np.ndarray) -> np.ndarray:
    """``(N, ...)`` features -> ``(N, D) float32`` rows of unit length (zero rows stay zero)."""
    f = np.asarray(features, np.float32).reshape(len(features), -1)
    return f / np.maximum(np.linalg.norm(f, axis=1, keepdims=True), 1e-12)


@dataclass(frozen=True)
class Typicality:
    """``codes``: ``(M, D) int8`` quantised features of training digits (as stored); the
    distance ``threshold``, ``k`` and the sha256 of the serving model the features came from.
    ``bank`` is ``codes`` as ``float32`` rows of unit length."""

    codes: np.ndarray
    threshold: float
    model_sha256: str
    k: int = K
    bank: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "bank", unit(self.codes))

    def distance(self, features: np.ndarray, chunk: int = 2048) -> np.ndarray:
        """``(N, ...)`` features -> ``(N,) float32`` cosine distance (``1 - cos``, in [0, 2])
        to the ``k``-th most similar digit of the bank."""
        return kth_distance(unit(features), self.bank, self.k, chunk=chunk)

    def atypical(self, features: np.ndarray) -> np.ndarray:
        """``(N,) bool``: farther from the digits than all but ``1 - QUANTILE`` of MNIST's."""
        return self.distance(features) > self.threshold


def kth_distance(f: np.ndarray, bank: np.ndarray, k: int, among=None, chunk: int = 2048
                 ) -> np.ndarray:
    """``(N, D)`` unit rows -> ``(N,) float32`` cosine distance to each row's ``k``-th most
    similar row of the unit ``(M, D)`` ``bank``; ``among(i, j)``, if given, says which bank
    rows count for rows ``i:j`` (``(j - i, M) bool``). In chunks of ``chunk`` rows, so that
    the ``(chunk, M)`` similarities bound the memory."""
    out = []
    for i in range(0, len(f), chunk):
        sim = f[i:i + chunk] @ bank.T
        if among is not None:
            sim = np.where(among(i, i + chunk), sim, -1.0)
        out.append(np.partition(sim, -k, axis=1)[:, -k])
    return (1 - np.concatenate(out)).astype(np.float32) if out else np.zeros(0, np.float32)


def quantise(features: np.ndarray) -> np.ndarray:
    """Unit-length features (ReLU, so >= 0) -> ``int8`` in [0, 127], as stored."""
    return np.clip(np.rint(unit(features) * 127), 0, 127).astype(np.int8)


def save(t: Typicality, path: Path) -> None:
    save_for_model(path, t.model_sha256, codes=t.codes, threshold=np.float32(t.threshold),
                   k=np.int32(t.k), layer=np.array(LAYER), method=np.array(METHOD))


def load(path: Path, model_sha256: str) -> Typicality | None:
    """The saved bank, or None if missing, unreadable, of another kind or made for another
    model."""
    z = load_for_model(path, model_sha256, ("codes", "threshold", "k"), layer=LAYER,
                       method=METHOD)
    return None if z is None else Typicality(z["codes"], float(z["threshold"]), model_sha256,
                                             int(z["k"]))
