"""How the network changed its mind: the drawing read again after each of its strokes.

The canvas sends its strokes in the order they were drawn. Redrawn one more at a time (stroke 1,
strokes 1-2, ...) on a canvas of the same size, each prefix goes through the same preprocessing
and network as the whole drawing, all prefixes in one batch, so a learner sees, for instance,
that the drawing was a 1 until the bar made it a 7.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lenet5.core.reader import Reader, read_all, readings
from lenet5.core.strokes import drawn

MAX_PREFIXES = 20  # prefixes read at most: more strokes are rare for one digit


@dataclass(frozen=True)
class Prefixes:
    """``images`` ``(K, 28, 28) float32 in [0, 1]``: what the network was given after strokes
    1..k (zeros where there was nothing to read); ``probs`` ``(K, 10) float32`` (rows of NaN
    there); ``strokes``: how many the drawing has (K = min(strokes, MAX_PREFIXES))."""

    images: np.ndarray
    probs: np.ndarray
    strokes: int

    @property
    def readings(self) -> list[int | None]:
        """The digit read after each prefix, None where there was nothing to read."""
        return readings(self.probs)


def read_prefixes(strokes: Sequence[np.ndarray], widths: Sequence[float], reader: Reader,
                  size: tuple[int, int], limit: int = MAX_PREFIXES) -> Prefixes:
    """Read the drawing after each of its first ``limit`` strokes (canvas-pixel ``(n, 2)``
    points with their widths, in drawing order, on a canvas of ``size`` = (width, height))."""
    k = min(len(strokes), limit)
    pre, probs = read_all(drawn(strokes[:k], (size[1], size[0]), widths[:k]), reader)
    images = np.stack([p.image if p.ok else np.zeros((28, 28), np.float32) for p in pre]
                      ) if pre else np.zeros((0, 28, 28), np.float32)
    return Prefixes(images, probs, len(strokes))
