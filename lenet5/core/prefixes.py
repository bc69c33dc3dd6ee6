"""How the network changed its mind: the drawing read again after each of its strokes.

The canvas sends its strokes in the order they were drawn. Redrawn one more at a time (stroke 1,
strokes 1-2, ...) on a canvas of the same size, each prefix goes through the same preprocessing
and network as the whole drawing, all prefixes in one batch, so a learner sees, for instance,
that the drawing was a 1 until the bar made it a 7.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from lenet5.core.predictor import Predictor
from lenet5.core.preprocess import preprocess

MAX_STROKES = 20  # prefixes read at most: more are rare for one digit, and each costs a reading
SHIFT = 4  # sub-pixel bits for OpenCV's drawing, as the canvas draws between pixels


@dataclass(frozen=True)
class Prefixes:
    """``images`` ``(K, 28, 28) float32 in [0, 1]``: what the network was given after strokes
    1..k (zeros where there was nothing to read); ``probs`` ``(K, 10) float32`` (rows of NaN
    there); ``reasons``: why each unreadable prefix was not read ('' for the others);
    ``strokes``: how many the drawing has (K = min(strokes, MAX_STROKES))."""

    images: np.ndarray
    probs: np.ndarray
    reasons: tuple[str, ...]
    strokes: int

    @property
    def readings(self) -> list[int | None]:
        """The digit read after each prefix, None where there was nothing to read."""
        return [None if np.isnan(p).any() else int(p.argmax()) for p in self.probs]


def drawn(strokes: Sequence[np.ndarray], widths: Sequence[float], size: tuple[int, int],
          limit: int = MAX_STROKES) -> list[np.ndarray]:
    """The canvas after each of the first ``limit`` strokes: ``(H, W) uint8`` light ink on
    black, round-capped lines of each stroke's width, as the canvas draws them."""
    canvas = np.zeros((size[1], size[0]), np.uint8)
    out = []
    for points, width in zip(strokes[:limit], widths[:limit], strict=False):
        pts = np.round(np.asarray(points) * (1 << SHIFT)).astype(np.int32).reshape(-1, 1, 2)
        if len(pts) == 1:
            pts = np.concatenate([pts, pts])
        cv2.polylines(canvas, [pts], False, 255, max(1, round(width)), cv2.LINE_AA, SHIFT)
        out.append(canvas.copy())
    return out


def read_prefixes(strokes: Sequence[np.ndarray], widths: Sequence[float], predictor: Predictor,
                  size: tuple[int, int], limit: int = MAX_STROKES) -> Prefixes:
    """Read the drawing after each of its first ``limit`` strokes (canvas-pixel ``(n, 2)``
    points with their widths, in drawing order, on a canvas of ``size`` = (width, height))."""
    pre = [preprocess(image, dark_background=True) for image in drawn(strokes, widths, size, limit)]
    images = np.stack([p.image if p.ok else np.zeros((28, 28), np.float32) for p in pre]
                      ) if pre else np.zeros((0, 28, 28), np.float32)
    probs = np.full((len(pre), 10), np.nan, np.float32)
    ok = np.array([p.ok for p in pre], bool)
    if ok.any():
        probs[ok] = predictor.probabilities(images[ok])
    return Prefixes(images, probs, tuple("" if p.ok else p.reason for p in pre), len(strokes))
