"""Move it, turn it, thicken it: the drawing transformed step by step, and read at every step.

The drawing's ink is cut out, scaled so that its longer side is ``WORK`` px (more than MNIST's
20-px box, so the steps stay finer than the network's pixels) and placed in the middle of a
frame three times as big, where it can move, turn and grow without leaving it. Each sweep
transforms that frame one step at a time, and every step goes through the app's preprocessing
and network, all steps of a sweep in one batch.

Shift and scale happen *before* the MNIST-style preprocessing, which crops to the ink, scales it
to 20 px and centres it: it undoes them, so their curves stay flat. Rotation, slant and
thickness survive it: the network has to cope with those itself, and it learned to only within
what its training showed it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from lenet5.core.preprocess import BOX, bounding_box
from lenet5.core.reader import Reader, read_all, readings

WORK = 48  # px: the ink's longer side while it is transformed: finer than the network's 20 px
# box, and small, since every step is preprocessed
FRAME = 3 * WORK  # px: the side of the frame the ink moves in
MNIST_PX = WORK / BOX  # frame pixels per pixel of the network's 28x28 input


@dataclass(frozen=True)
class Kind:
    """One sweep: its ``values``, their ``unit``, and whether the preprocessing ``removes`` it."""

    title: str
    values: np.ndarray
    unit: str
    removes: bool


KINDS = {
    "rotation": Kind("Rotation", np.arange(-60.0, 61.0, 10.0), "degrees, anticlockwise", False),
    "slant": Kind("Slant", np.round(np.linspace(-0.6, 0.6, 9), 3),
                  "shear: horizontal shift per unit of height, right leaning positive", False),
    "thickness": Kind("Stroke thickness", np.round(np.arange(-2, 5) / MNIST_PX, 3),
                      "px of the 28×28 input added to each side of the stroke", False),
    "shift": Kind("Shift", np.linspace(-1.0, 1.0, 9),
                  "the digit's size (its longer side), to the right (before preprocessing)",
                  True),
    "scale": Kind("Scale", np.round(2.0 ** np.arange(-1.5, 1.01, 0.5), 3),
                  "times its size (before preprocessing)", True),
}


@dataclass(frozen=True)
class Sweep:
    """``probs`` ``(len(values), 10) float32``: the probabilities at each step of sweep
    ``name`` (rows of NaN where there was nothing to read)."""

    name: str
    values: np.ndarray
    probs: np.ndarray

    def flips(self, digit: int) -> list[float]:
        """The values where the reading stops being ``digit``, nearest the unchanged drawing
        first, one on each side of it at most."""
        read = readings(self.probs)
        same = int(np.argmin(np.abs(self.values - identity(self.name))))
        if read[same] != digit:  # a near tie read otherwise here: no flip to mark
            return []
        out = []
        for step in (-1, 1):
            k = same
            while 0 <= k + step < len(read) and read[k + step] == digit:
                k += step
            if 0 <= k + step < len(read):
                out.append(float(self.values[k + step]))
        return sorted(out, key=lambda v: abs(v - identity(self.name)))


def identity(name: str) -> float:
    """The value at which sweep ``name`` leaves the drawing unchanged."""
    return 1.0 if name == "scale" else 0.0


def frame(ink: np.ndarray) -> np.ndarray | None:
    """``(H, W) uint8`` ink -> ``(FRAME, FRAME) uint8``: the ink cut out, its longer side
    ``WORK`` px, its box centred; None if there is no ink."""
    box = bounding_box(ink)
    if box is None:
        return None
    x0, y0, x1, y1 = box
    cut = ink[y0:y1, x0:x1]
    f = WORK / max(cut.shape)
    h, w = max(1, round(cut.shape[0] * f)), max(1, round(cut.shape[1] * f))
    small = cv2.resize(cut, (w, h), interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_LINEAR)
    out = np.zeros((FRAME, FRAME), np.uint8)
    top, left = (FRAME - h) // 2, (FRAME - w) // 2
    out[top:top + h, left:left + w] = small
    return out


def transform(base: np.ndarray, name: str, value: float) -> np.ndarray:
    """``base`` (a :func:`frame`) with sweep ``name`` at ``value``, same shape and dtype."""
    c = FRAME / 2
    if name == "thickness":
        r = round(value * MNIST_PX)
        if r == 0:
            return base
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(r) + 1, 2 * abs(r) + 1))
        return (cv2.dilate if r > 0 else cv2.erode)(base, kernel)
    if name == "rotation":
        m = cv2.getRotationMatrix2D((c, c), value, 1.0)
    elif name == "scale":
        m = cv2.getRotationMatrix2D((c, c), 0.0, value)
    elif name == "slant":  # x' = x + value * (c - y): the top moves right for value > 0
        m = np.array([[1.0, -value, value * c], [0.0, 1.0, 0.0]])
    elif name == "shift":
        m = np.array([[1.0, 0.0, value * WORK], [0.0, 1.0, 0.0]])
    else:
        raise ValueError(f"unknown sweep {name!r}")
    return cv2.warpAffine(base, m, (FRAME, FRAME), flags=cv2.INTER_LINEAR)


def sweeps(ink: np.ndarray, reader: Reader,
           names: tuple[str, ...] = tuple(KINDS)) -> dict[str, Sweep]:
    """The sweeps ``names`` of the drawing whose ``(H, W) uint8`` ink is ``ink``, every step
    read, all in one batch; empty if there is no ink."""
    base = frame(ink)
    if base is None:
        return {}
    images = [transform(base, name, v) for name in names for v in KINDS[name].values]
    (_, probs), out, k = read_all(images, reader), {}, 0
    for name in names:
        n = len(KINDS[name].values)
        out[name] = Sweep(name, KINDS[name].values, probs[k:k + n])
        k += n
    return out


def sweep(ink: np.ndarray, reader: Reader, name: str) -> Sweep | None:
    """Sweep ``name`` alone (see :func:`sweeps`); None if there is no ink."""
    return sweeps(ink, reader, (name,)).get(name)
