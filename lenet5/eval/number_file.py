"""Numbers read from a file of strokes: ``python -m lenet5.number --read FILE.json``.

FILE is a JSON list of numbers, each ``{"strokes": [[[x, y], ...], ...], "width": 14,
"canvas": [720, 240]}``: canvas pixels, y down, as the page's canvas gives them (``width``, the
brush, and ``canvas``, its ``[width, height]``, may be left out: the Number page's). Each number
prints as one JSON line, in order: ``text`` (``?`` for a digit that could not be read), each
digit's ``box``, ``digit``, ``probability`` and ten ``probabilities``, the chosen ``cuts``, a
close ``alternative`` reading (with how many times less likely the page's score makes it) and a
``note``. The file is not trusted: it is read up to :data:`MAX_BYTES`, and anything that is not
such a list (too many numbers, strokes or points, a point that is not two finite numbers or lies
off its canvas) is refused with a sentence saying where, and exit code 2.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from lenet5.core.grouping import WIDE, WIDE_BRUSH
from lenet5.core.segment import Number, read_segmented
from lenet5.core.validate import MARGIN, MAX_POINTS, MAX_STROKES

MAX_BYTES = 16_000_000  # read no more of a file than this
MAX_NUMBERS = 2_000  # numbers in one file
MAX_SIDE = 2_048  # px: the largest canvas a number may say it was drawn on (bounds the memory
# its pieces are drawn in: a few tens of MB at most)
WIDTHS = (1.0, 100.0)  # px: the brush widths accepted


class NumberFileError(ValueError):
    """The file is not a list of numbers as described in the module docstring; says where."""


def _finite(value: object) -> bool:
    """A JSON number (not a bool) that is finite as a float."""
    if type(value) not in (int, float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _canvas(entry: dict, where: str) -> tuple[int, int]:
    canvas = entry.get("canvas", list(WIDE))
    if not (isinstance(canvas, list) and len(canvas) == 2 and all(map(_finite, canvas))
            and all(1 <= c <= MAX_SIDE for c in canvas)):
        raise NumberFileError(f"{where}: canvas must be [width, height], 1 to {MAX_SIDE} px")
    return int(canvas[0]), int(canvas[1])


def _width(entry: dict, where: str) -> float:
    width = entry.get("width", WIDE_BRUSH)
    if not (_finite(width) and WIDTHS[0] <= width <= WIDTHS[1]):
        raise NumberFileError(f"{where}: width must be a number from {WIDTHS[0]:g} to "
                              f"{WIDTHS[1]:g} px")
    return float(width)


def _stroke(stroke: object, where: str, canvas: tuple[int, int]) -> np.ndarray:
    if not (isinstance(stroke, list) and stroke and all(
            isinstance(p, list) and len(p) == 2 and _finite(p[0]) and _finite(p[1])
            for p in stroke)):
        raise NumberFileError(f"{where}: a stroke must be a non-empty list of [x, y] pairs "
                              "of finite numbers")
    pts = np.array(stroke, np.float64)
    if (pts < -MARGIN).any() or (pts > np.add(canvas, MARGIN)).any():
        raise NumberFileError(f"{where}: a point lies off the {canvas[0]}x{canvas[1]} canvas "
                              f"(by more than {MARGIN} px)")
    return pts


def number_of(entry: object, where: str) -> tuple[list[np.ndarray], list[float]]:
    """One entry of the file -> its strokes (``(n, 2) float64`` canvas px) and widths."""
    if not isinstance(entry, dict) or not isinstance(entry.get("strokes"), list):
        raise NumberFileError(f"{where}: expected an object with a list of strokes")
    canvas, width, strokes = _canvas(entry, where), _width(entry, where), entry["strokes"]
    if len(strokes) > MAX_STROKES:
        raise NumberFileError(f"{where}: more than {MAX_STROKES} strokes")
    if sum(len(s) if isinstance(s, list) else 0 for s in strokes) > MAX_POINTS:
        raise NumberFileError(f"{where}: more than {MAX_POINTS:,} points")
    out = [_stroke(s, f"{where}, stroke {k + 1}", canvas) for k, s in enumerate(strokes)]
    return out, [width] * len(out)


def parse(raw: bytes) -> list[tuple[list[np.ndarray], list[float]]]:
    """The file's bytes -> each number's strokes and widths (:class:`NumberFileError` for
    anything else)."""
    if len(raw) > MAX_BYTES:
        raise NumberFileError(f"the file is larger than {MAX_BYTES:,} bytes")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise NumberFileError(f"not JSON ({str(exc)[:80]})") from None
    if not isinstance(data, list):
        raise NumberFileError("expected a JSON list of numbers")
    if len(data) > MAX_NUMBERS:
        raise NumberFileError(f"more than {MAX_NUMBERS:,} numbers")
    return [number_of(entry, f"number {k + 1}") for k, entry in enumerate(data)]


def read_file(path: str | Path) -> list[tuple[list[np.ndarray], list[float]]]:
    """:func:`parse` of a file, read no further than :data:`MAX_BYTES` + 1 bytes."""
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise NumberFileError(f"cannot read it ({exc.strerror or exc})") from None
    return parse(raw)


def as_json(number: Number) -> dict:
    """What one line of ``--read`` says about a number read."""
    digits = [{"box": [round(v, 1) for v in d.box], "digit": d.value,
               "probability": None if d.reading is None else round(d.confidence, 4),
               "probabilities": None if d.reading is None else
               [round(float(p), 4) for p in d.reading.probs]}
              for d in number.digits]
    alt = number.alternative
    return {"text": number.text, "digits": digits,
            "cuts": [[round(x, 1), round(y, 1)] for x, y in number.cuts],
            "alternative": None if alt is None else {"text": alt[0],
                                                     "times_less_likely": round(alt[1], 2)},
            "note": number.note}


def read_one(strokes: list[np.ndarray], widths: list[float], reader) -> dict:
    """One number of the file read (:func:`as_json`); no strokes: nothing read."""
    if not strokes:
        return {"text": "", "digits": [], "cuts": [], "alternative": None, "note": ""}
    return as_json(read_segmented(strokes, widths, reader))
