"""What one unit sees: the input pixels that can change a unit of a convolution or pooling layer.

Computed from the architecture the training run wrote (``architecture.json``: each layer's
type, kernel and input and output sizes), not written down per net. Walking back from the unit
to the input, a layer with kernel ``k`` and stride ``s`` turns an interval ``[a, b]`` of its
output into ``[a * s, b * s + k - 1]`` of its input, and a padding of ``p`` shifts it by ``-p``.
For the modern net that gives C1 5x5, S2 6x6, C3 14x14 and S4 16x16; for the 1998 net, whose
input is padded to 32x32 first, C5 sees all 32x32 (of which 28x28 are the drawing).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

SPATIAL = ("Conv2D", "PartialConv2D", "MaxPooling2D", "Subsampling")  # layers with a kernel
PADDING = "ZeroPadding2D"


@dataclass(frozen=True)
class Step:
    """One layer seen from a unit: kernel ``k``, stride ``s``, padding ``p`` (all square)."""

    layer: str
    k: int
    s: int
    p: int


@dataclass(frozen=True)
class Field:
    """Unit ``(row, col)`` of ``layer`` sees input rows ``top..bottom`` and columns
    ``left..right`` (inclusive, in the coordinates of the 28x28 input: they may run outside it
    where the net pads its input). ``side``: its size in pixels."""

    layer: str
    top: int
    left: int
    bottom: int
    right: int

    @property
    def side(self) -> int:
        return self.bottom - self.top + 1

    def clipped(self, size: int = 28) -> tuple[int, int, int, int]:
        """``(top, left, bottom, right)`` inside a ``size`` x ``size`` input (inclusive)."""
        return (max(self.top, 0), max(self.left, 0), min(self.bottom, size - 1),
                min(self.right, size - 1))


def _kernel(text: str) -> int:
    """``"5x5, 6 maps"`` or ``"2x2"`` -> 5 or 2."""
    found = re.match(r"\s*(\d+)x(\d+)", text or "")
    if not found or found[1] != found[2]:
        raise ValueError(f"not a square kernel: {text!r}")
    return int(found[1])


def steps(architecture: Sequence[dict]) -> list[Step]:
    """The spatial layers of an ``architecture.json`` table, input first, up to the first layer
    that is not spatial (a flatten or dense layer)."""
    out = []
    for row in architecture:
        size_in, size_out = row["input"][0], row["output"][0]
        if row["type"] == PADDING:
            out.append(Step(row["layer"], 1, 1, (size_out - size_in) // 2))
        elif row["type"] in SPATIAL:
            k = _kernel(row["kernel"])
            s = 1 if size_out == 1 else (size_in - k) // (size_out - 1)
            out.append(Step(row["layer"], k, s, 0))
        elif len(row["output"]) != 3:  # flattened: nothing spatial beyond this
            break
    return out


def layers(architecture: Sequence[dict]) -> list[str]:
    """The layers whose units have a receptive field (convolutions and poolings), in order."""
    return [s.layer for s in steps(architecture) if s.k > 1]


def field(architecture: Sequence[dict], layer: str, row: int, col: int) -> Field:
    """The receptive field of unit ``(row, col)`` of ``layer`` (any of :func:`layers`)."""
    chain = steps(architecture)
    names = [s.layer for s in chain]
    if layer not in names:
        raise ValueError(f"{layer!r} has no receptive field; choose one of {layers(architecture)}")
    (top, bottom), (left, right) = (row, row), (col, col)
    for s in reversed(chain[: names.index(layer) + 1]):
        top, bottom = top * s.s - s.p, bottom * s.s - s.p + s.k - 1
        left, right = left * s.s - s.p, right * s.s - s.p + s.k - 1
    return Field(layer, top, left, bottom, right)
