"""A person's taught digits, and their file: what they download and may upload again.

One :class:`Digit` is what the Teach page keeps of a drawing: the network input, the label the
person gave it, the strokes they drew (thinned to at most :data:`MAX_POINTS` points) and its F6
activations (computed by the net, never read from a file). The file is JSON::

    {"format": "lenet5-draw taught digits", "version": 1,
     "digits": [{"label": 4, "input": "<784 float32, little-endian, base64>",
                 "strokes": [[[x, y], ...], ...], "widths": [18.0, ...]}, ...]}

An uploaded file is untrusted: :func:`parse` checks its size, every field's type, shape and
range, and the count of digits, and raises :class:`TaughtFileError` with a sentence for
anything else. No Streamlit, no I/O.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from lenet5.core.adapt import MAX_DIGITS
from lenet5.core.strokes import CANVAS
from lenet5.core.validate import MARGIN

FORMAT, VERSION = "lenet5-draw taught digits", 1
MAX_POINTS = 400  # stroke points kept per digit: enough to redraw it, small in the session
MAX_STROKES = 40  # strokes per digit in a file
WIDTHS = (1.0, 64.0)  # brush widths a file may give, px
INPUT_BYTES = 28 * 28 * 4
MAX_FILE_BYTES = 2_000_000  # a full session's file is about 1 MB


class TaughtFileError(ValueError):
    """An uploaded file is not a taught-digits file this page wrote; the message says why."""


@dataclass(frozen=True)
class Digit:
    """One taught digit: ``image`` ``(28, 28) float32 in [0, 1]`` (the network input),
    ``label`` in 0-9, ``strokes`` ``(n, 2) float32`` canvas px each with their brush ``widths``,
    and ``f6`` ``(84,) float32`` (empty until the net has read ``image``)."""

    image: np.ndarray
    label: int
    strokes: tuple[np.ndarray, ...] = ()
    widths: tuple[float, ...] = ()
    f6: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))

    @property
    def nbytes(self) -> int:
        return self.image.nbytes + self.f6.nbytes + sum(s.nbytes for s in self.strokes)


def thinned(strokes: Sequence[np.ndarray], limit: int = MAX_POINTS) -> tuple[np.ndarray, ...]:
    """``strokes`` (``(n, 2)`` canvas px each) as ``float32`` with every k-th point kept (and
    each stroke's last), so that all together have at most about ``limit`` points."""
    total = sum(len(s) for s in strokes)
    step = max(1, math.ceil(total / limit))
    out = []
    for s in strokes:
        s = np.asarray(s, np.float32).reshape(-1, 2)
        keep = s[::step]
        if len(s) and step > 1 and not np.array_equal(keep[-1], s[-1]):
            keep = np.vstack([keep, s[-1:]])
        out.append(np.round(keep, 1))
    return tuple(out)


def digit(image: np.ndarray, label: int, strokes: Sequence[np.ndarray] = (),
          widths: Sequence[float] = (), f6: np.ndarray | None = None) -> Digit:
    """A :class:`Digit` from a drawing's network input and strokes (thinned)."""
    f = np.zeros(0, np.float32) if f6 is None else np.asarray(f6, np.float32).reshape(-1)
    return Digit(np.asarray(image, np.float32).reshape(28, 28), int(label), thinned(strokes),
                 tuple(float(w) for w in widths), f)


def encode(digits: Sequence[Digit]) -> bytes:
    """The file of ``digits`` (UTF-8 JSON, see the module docstring)."""
    rows = [{"label": d.label,
             "input": base64.b64encode(d.image.astype("<f4").tobytes()).decode(),
             "strokes": [s.tolist() for s in d.strokes], "widths": list(d.widths)}
            for d in digits]
    return json.dumps({"format": FORMAT, "version": VERSION, "digits": rows},
                      separators=(",", ":")).encode()


def parse(data: bytes) -> list[Digit]:
    """The digits of an uploaded file (their ``f6`` empty: the net reads them anew), or
    :class:`TaughtFileError`."""
    if not isinstance(data, bytes | bytearray) or len(data) > MAX_FILE_BYTES:
        raise TaughtFileError(f"That file is larger than {MAX_FILE_BYTES // 1_000_000} MB; "
                              "a file of your digits is smaller.")
    try:
        doc = json.loads(bytes(data).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise TaughtFileError("That file is not a file of your digits (not JSON).") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise TaughtFileError("That file is not a file of your digits from this page.")
    if doc.get("version") != VERSION or type(doc.get("version")) is not int:
        raise TaughtFileError(f"That file is of another version; this page reads version "
                              f"{VERSION}.")
    rows = doc.get("digits")
    if not isinstance(rows, list):
        raise TaughtFileError("That file holds no list of digits.")
    if len(rows) > MAX_DIGITS:
        raise TaughtFileError(f"That file holds {len(rows)} digits; a session keeps at most "
                              f"{MAX_DIGITS}.")
    return [_row(row, k + 1) for k, row in enumerate(rows)]


def _row(row: object, k: int) -> Digit:
    if not isinstance(row, dict):
        raise TaughtFileError(f"Digit {k} of that file is not a digit.")
    label = row.get("label")
    if type(label) is not int or not 0 <= label <= 9:
        raise TaughtFileError(f"Digit {k} of that file has no label from 0 to 9.")
    return Digit(_image(row.get("input"), k), label, *_strokes(row, k))


def _image(text: object, k: int) -> np.ndarray:
    if not isinstance(text, str) or len(text) != 4 * math.ceil(INPUT_BYTES / 3):
        raise TaughtFileError(f"Digit {k} of that file has no 28×28 input.")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise TaughtFileError(f"Digit {k} of that file has an input that is not base64.") from None
    image = np.frombuffer(raw, "<f4").astype(np.float32).reshape(28, 28)
    if not np.isfinite(image).all() or image.min() < 0 or image.max() > 1:
        raise TaughtFileError(f"Digit {k} of that file has pixels outside 0 to 1.")
    return image


def _strokes(row: dict, k: int) -> tuple[tuple[np.ndarray, ...], tuple[float, ...]]:
    strokes, widths = row.get("strokes", []), row.get("widths", [])
    if not (isinstance(strokes, list) and isinstance(widths, list)
            and len(strokes) == len(widths) <= MAX_STROKES):
        raise TaughtFileError(f"Digit {k} of that file has strokes this page does not draw.")
    if not all(type(w) in (int, float) and WIDTHS[0] <= w <= WIDTHS[1] for w in widths):
        raise TaughtFileError(f"Digit {k} of that file has a brush width outside "
                              f"{WIDTHS[0]:g}-{WIDTHS[1]:g} px.")
    out, total = [], 0
    for s in strokes:
        if not isinstance(s, list) or not s or not all(
                type(p) is list and len(p) == 2 and all(type(v) in (int, float) for v in p)
                for p in s):
            raise TaughtFileError(f"Digit {k} of that file has a stroke that is not points.")
        total += len(s)
        if total > MAX_POINTS * 2:
            raise TaughtFileError(f"Digit {k} of that file has more than {MAX_POINTS * 2} "
                                  "points.")
        try:
            xy = np.array(s, np.float64)
        except OverflowError:  # an int too big for a float
            xy = np.full((1, 2), np.inf)
        if not np.isfinite(xy).all() or xy.min() < -MARGIN or xy.max() > CANVAS + MARGIN:
            raise TaughtFileError(f"Digit {k} of that file has a point off the canvas.")
        out.append(xy.astype(np.float32))
    return tuple(out), tuple(float(w) for w in widths)
