"""A second look at whether a drawing is a digit: what the S4 check (:mod:`lenet5.core.typicality`)
cannot see.

A drawn L, T or U reads as a digit at 100% and its S4 features are close to some digit's. But
the 1998 net's F6 features (84, tanh) of such a drawing are far from those of the training
digits *of the class the modern net reads*: the drawing resembles digits, just not the digit it
is read as. So a drawing is doubted when its cosine distance to the ``K``-th most similar bank
digit of that class exceeds ``threshold``. A Z is nearer still to a 2 in every layer of both
nets; its strokes tell it apart: two sharp corners between long straight runs
(:func:`sharp_corners`). The threshold (and the S4 threshold used beside it) is the ``QUANTILE``
of the distances of MNIST validation digits, which neither net trained on; how often it flags
what, and the rules it beat: ``docs/doubt.md`` (``python -m lenet5.eval.doubt``).

The bank (``models/doubt.npz``) is written by ``python -m lenet5.train.lookups``; it records both
serving models' sha256, and a stale file (either net retrained) is not used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from lenet5.core.artifacts import load_for_model, save_for_model
from lenet5.core.typicality import kth_distance, unit

FILE = "doubt.npz"  # in the models folder
LAYER = "f6"  # the 1998 net's layer compared
K = 5  # as the S4 check: the K-th nearest digit of the class decides
QUANTILE = 0.995  # of MNIST validation distances, for this threshold and the S4 one beside it
BANK = 10_000  # MNIST training digits in the bank (plus one drawing of each pen digit trained on)
# a Z: read as 2, and at least MIN_CORNERS turns of more than TURN degrees between straight runs
# of at least RUN, the strokes simplified within TOLERANCE (both of the drawing's larger side)
ZED, MIN_CORNERS, TURN, RUN, TOLERANCE = 2, 2, 110.0, 0.35, 0.06


@dataclass(frozen=True)
class ClassBank:
    """``codes`` ``(M, 84) int8``: the 1998 net's unit-length F6 features of training digits,
    quantised to [-127, 127]; ``labels`` ``(M,) uint8`` their digits; ``threshold`` of the
    class distance and ``s4_threshold`` of the S4 check's distance, both at ``QUANTILE``."""

    codes: np.ndarray
    labels: np.ndarray
    threshold: float
    s4_threshold: float
    k: int = K
    bank: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "bank", unit(self.codes))

    def distance(self, features: np.ndarray, digits: np.ndarray, chunk: int = 2048
                 ) -> np.ndarray:
        """``(N,) float32`` cosine distance (in [0, 2]) from each row of ``(N, 84)``
        ``features`` to its ``k``-th most similar bank digit of class ``digits[i]``."""
        digits = np.asarray(digits).reshape(-1)
        return kth_distance(unit(features), self.bank, self.k, chunk=chunk,
                            among=lambda i, j: self.labels[None] == digits[i:j, None])

    @classmethod
    def of(cls, features: np.ndarray, labels: np.ndarray, threshold: float = 2.0,
           s4_threshold: float = 2.0) -> ClassBank:
        codes = np.clip(np.rint(unit(features) * 127), -127, 127).astype(np.int8)
        return cls(codes, np.asarray(labels, np.uint8), threshold, s4_threshold)


def sharp_corners(strokes: Sequence[np.ndarray], tolerance: float = TOLERANCE,
                  turn: float = TURN, run: float = RUN) -> int:
    """How often the strokes (``(n, 2)`` points each, any units, y either way) turn by more
    than ``turn`` degrees between two straight runs each at least ``run`` long, after
    simplifying each stroke to a polyline within ``tolerance`` (Douglas-Peucker); lengths are
    fractions of the drawing's larger side."""
    parts = [np.asarray(s, np.float64).reshape(-1, 2) for s in strokes if len(s)]
    if not parts:
        return 0
    allp = np.concatenate(parts)
    lo, size = allp.min(0), max(float(np.ptp(allp, 0).max()), 1e-9)
    count = 0
    for p in (q for q in parts if len(q) >= 3):
        line = cv2.approxPolyDP(((p - lo) / size).astype(np.float32).reshape(-1, 1, 2),
                                tolerance, False).reshape(-1, 2).astype(np.float64)
        seg = np.diff(line, axis=0)
        length = np.linalg.norm(seg, axis=1)
        for a, b, la, lb in zip(seg[:-1], seg[1:], length[:-1], length[1:], strict=True):
            if la >= run and lb >= run:
                cos = float(a @ b) / (la * lb)
                count += np.degrees(np.arccos(np.clip(cos, -1, 1))) > turn
    return int(count)


def zed(digit: int, strokes: Sequence[np.ndarray]) -> bool:
    """A Z read as a 2: the strokes turn sharply at least twice."""
    return digit == ZED and sharp_corners(strokes) >= MIN_CORNERS


def save(bank: ClassBank, path: Path, modern_sha256: str, classic_sha256: str) -> None:
    save_for_model(path, classic_sha256, modern=np.array(modern_sha256), codes=bank.codes,
                   labels=bank.labels, threshold=np.float32(bank.threshold),
                   s4_threshold=np.float32(bank.s4_threshold), k=np.int32(bank.k),
                   layer=np.array(LAYER))


def load(path: Path, modern_sha256: str, classic_sha256: str) -> ClassBank | None:
    """The saved bank, or None if missing, unreadable, of another kind or made for other
    models."""
    z = load_for_model(path, classic_sha256, ("codes", "labels", "threshold", "s4_threshold",
                                              "k"), modern=modern_sha256, layer=LAYER)
    return None if z is None else ClassBank(z["codes"], z["labels"], float(z["threshold"]),
                                            float(z["s4_threshold"]), int(z["k"]))
