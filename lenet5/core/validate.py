"""What the browser's canvas sends, checked before anything reads it.

Any client can rewrite the canvas state it sends over the websocket, so nothing in it is
trusted: the image must be a PNG of exactly the canvas' size in RGBA (what the canvas' own
``toDataURL`` makes), and the strokes must be free-drawn paths of finite numbers on the canvas
(± :data:`MARGIN`), with a brush width the page's slider allows and at most
:data:`MAX_STROKES` strokes of :data:`MAX_POINTS` points in all. Anything else is an
:class:`InputError` with a sentence for the user; nothing else comes out of these checks.

The canvas package would decode the image itself (``CanvasResult.image_data``: ``Image.open``
on whatever arrives, any format, any size), so the pages read the raw data URL here instead.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
from dataclasses import dataclass
from numbers import Real

import numpy as np
from PIL import Image

PNG_PREFIX = "data:image/png;base64,"
MARGIN = 60  # px beyond the canvas' edge a stroke may reach (the pointer leaves the canvas)
MAX_STROKES = 300  # far more than a person draws on one canvas
MAX_POINTS = 20_000  # path commands in all: ~5 minutes of drawing at 60 pointer moves a second
ARGS = {"M": 2, "L": 2, "Q": 4}  # the commands fabric.js' free drawing writes, and their sizes
RESET = "Reset the canvas (the bin in its toolbar) and draw again."


class InputError(ValueError):
    """What the browser sent is not what the page's canvas sends; the message says why."""


@dataclass(frozen=True)
class CanvasSpec:
    """One page's canvas: ``size`` ``(width, height)`` px and the brush slider's range."""

    size: tuple[int, int]
    widths: tuple[float, float]

    @property
    def max_png_bytes(self) -> int:
        """A PNG of the canvas is never larger than its raw RGBA pixels plus headers."""
        w, h = self.size
        return 4 * w * h + 65_536


def canvas_png(data_url: object, spec: CanvasSpec) -> np.ndarray | None:
    """The canvas' data URL -> ``(H, W, 4) uint8`` RGBA of exactly ``spec.size``; None when
    the canvas has not sent an image. Raises :class:`InputError` for anything else."""
    if data_url is None:
        return None
    if not isinstance(data_url, str) or not data_url.startswith(PNG_PREFIX):
        raise InputError(f"The canvas sent an image that is not a PNG. {RESET}")
    if len(data_url) > len(PNG_PREFIX) + spec.max_png_bytes * 4 // 3 + 4:
        raise InputError(f"The canvas sent an image larger than the canvas can be. {RESET}")
    try:
        raw = base64.b64decode(data_url[len(PNG_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise InputError(f"The canvas sent an image that is not valid base64. {RESET}") from None
    return _decode_png(raw, spec.size)


def _decode_png(raw: bytes, size: tuple[int, int]) -> np.ndarray:
    try:
        im = Image.open(io.BytesIO(raw), formats=["PNG"])
        header = (im.size, im.mode)
    except Exception:  # Pillow raises many kinds for damaged headers; none may escape
        raise InputError(f"The canvas sent an image that cannot be read. {RESET}") from None
    if header != (size, "RGBA"):
        (w, h), mode = header
        raise InputError(f"The canvas sent an image of {w:,}×{h:,} pixels in mode {mode}; this "
                         f"canvas sends {size[0]}×{size[1]} RGBA. {RESET}")
    try:  # the size is known now, so decoding takes at most 4·W·H bytes
        image = np.asarray(im.convert("RGBA"))
    except Exception:  # a damaged image body: same reasoning as above
        raise InputError(f"The canvas sent a damaged image. {RESET}") from None
    if image.shape != (size[1], size[0], 4):
        raise InputError(f"The canvas sent a damaged image. {RESET}")
    return image


def _number(value: object) -> bool:
    """A finite int or float (JSON's numbers; not a bool, not an int too big for a float)."""
    if not isinstance(value, Real) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _points(path: object, spec: CanvasSpec) -> int:
    """Check one path's commands; returns their count. The numbers are checked together, in
    one array (a drawing of thousands of points costs about a millisecond)."""
    if not isinstance(path, list) or not path:
        raise InputError(f"The canvas sent a stroke without points. {RESET}")
    for cmd in path:
        if not (type(cmd) is list and cmd and isinstance(cmd[0], str)
                and ARGS.get(cmd[0]) == len(cmd) - 1):
            raise InputError(f"The canvas sent a stroke this page does not draw. {RESET}")
    values = [v for cmd in path for v in cmd[1:]]  # x, y, x, y, ...: every command's are pairs
    try:
        if not all(type(v) in (int, float) for v in values):  # not bool, None or a string
            raise OverflowError
        xy = np.array(values, np.float64).reshape(-1, 2)
    except OverflowError:  # also an int too big for a float
        raise InputError(f"The canvas sent a stroke with a point that is not a number. "
                         f"{RESET}") from None
    if not np.isfinite(xy).all():
        raise InputError(f"The canvas sent a stroke with a point that is not a number. "
                         f"{RESET}")
    lo, hi = xy.min(0), xy.max(0)
    if (lo < -MARGIN).any() or (hi > np.add(spec.size, MARGIN)).any():
        raise InputError(f"The canvas sent a stroke outside the canvas. {RESET}")
    return len(path)


def _width(obj: dict, spec: CanvasSpec) -> None:
    lo, hi = spec.widths
    width = obj.get("strokeWidth")
    if not _number(width) or not lo <= width <= hi:
        raise InputError(f"The canvas sent a brush width of {str(width)[:20]}; the slider "
                         f"goes from {lo:g} to {hi:g}. {RESET}")


def drawing(json_data: object, spec: CanvasSpec) -> dict | None:
    """The canvas' ``json_data``, returned unchanged if every object is a free-drawn path the
    page's canvas could have made (see the module docstring); None stays None."""
    if json_data is None:
        return None
    if not isinstance(json_data, dict):
        raise InputError(f"The canvas sent a drawing this page cannot read. {RESET}")
    objects = json_data.get("objects")
    if objects is None:
        return json_data
    if not isinstance(objects, list) or len(objects) > MAX_STROKES:
        raise InputError(f"The canvas sent more than {MAX_STROKES} strokes. {RESET}")
    total = 0
    for obj in objects:
        if not isinstance(obj, dict) or str(obj.get("type", "")).lower() != "path":
            raise InputError(f"The canvas sent a shape this page does not draw. {RESET}")
        _width(obj, spec)
        total += _points(obj.get("path"), spec)
        if total > MAX_POINTS:
            raise InputError(f"The canvas sent more than {MAX_POINTS:,} points. {RESET}")
    return json_data
