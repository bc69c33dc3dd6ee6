"""From a drawing to the network's input, the way MNIST digits were made.

MNIST (LeCun et al.): each digit's bounding box was scaled, keeping its aspect ratio, so that its
longer side is 20 px (anti-aliased), pasted into a 28x28 field and shifted so that its centre of
mass sits at the centre. Measured on the 60,000 training digits the mean centre of mass is at
(row, col) = (14.00, 14.01) in pixel-index coordinates, so that is where we put it.

Accepted input: ``(H, W, 4)`` RGBA, ``(H, W, 3)`` RGB or ``(H, W)`` grayscale, dtype uint8,
uint16, bool or float in [0, 1]; light-on-dark or dark-on-light. Output: ``(28, 28) float32 in
[0, 1]``, white digit on black, plus every intermediate step.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

BOX = 20  # longer side of the digit's box, px
SIZE = 28  # side of the network input, px
CENTRE = 14.0  # where MNIST's centres of mass sit (measured, see module docstring)
INK_LEVEL = 0.1  # ink above this (of full contrast) counts for the bounding box
MIN_CONTRAST = 0.2  # weaker strokes than this are "too faint"
MIN_EXTENT = 0.04  # a drawing smaller than this fraction of the image is "too small"
MAX_SIDE = 8192  # larger images are refused rather than processed
MAX_FILL = 0.85  # a box more than this full of solid ink is not a digit...
MIN_SOLID = 0.25  # ...when both its sides exceed this fraction of the image (a line is a 1)


# Why there is nothing to read, in the words of where the image came from: the page's canvas
# or an uploaded photo (a blank photo is not "the canvas is empty").
REASONS = {
    "canvas": {
        "empty": "Nothing to read yet: the canvas is empty (or the ink is too faint).",
        "small": "Nothing to read: that is too small to be a digit. Draw it bigger.",
        "solid": "Nothing to read: the canvas is mostly ink. Reset it and draw one digit.",
        "blob": "Nothing to read: that is a dot or a blob, not a digit. Draw its strokes.",
        "faint": "Nothing to read: the strokes are too faint or too thin.",
        "several": "Nothing to read: that looks like more than one digit. Draw one at a time.",
    },
    "photo": {
        "empty": "Nothing to read: no ink found in the photo (it looks blank, transparent or "
                 "all one colour). Use a photo of a dark digit on light paper, or the reverse.",
        "small": "Nothing to read: the ink in the photo is too small to be a digit. Crop the "
                 "photo close to the digit.",
        "solid": "Nothing to read: the photo is mostly ink. Crop it close to one digit on "
                 "plain paper.",
        "blob": "Nothing to read: the ink in the photo is a dot or a blob, not a digit.",
        "faint": "Nothing to read: the ink in the photo is too faint or too thin.",
        "several": "Nothing to read: the photo looks like more than one digit. Crop it to one.",
    },
}


class PreprocessError(ValueError):
    """The array cannot be an image (wrong shape, dtype or values)."""


@dataclass(frozen=True)
class Preprocessed:
    """Result of :func:`preprocess`.

    ``image`` is ``(28, 28) float32 in [0, 1]`` or None when there is nothing to read, in which
    case ``reason`` says why. ``ink`` is the whole drawing as ``(H, W) uint8`` ink (255 = full
    ink); ``bbox`` is ``(x0, y0, x1, y1)``, end-exclusive, of the ink in it.
    """

    image: np.ndarray | None
    reason: str = ""
    ink: np.ndarray | None = None
    bbox: tuple[int, int, int, int] | None = None
    scaled: np.ndarray | None = None

    @property
    def ok(self) -> bool:
        return self.image is not None

    @property
    def steps(self) -> dict[str, np.ndarray]:
        """Every step as ``float32 in [0, 1]`` images, white ink on black: ``drawn``,
        ``cropped``, ``scaled`` (longer side 20) and ``centred`` (28x28); computed on demand."""
        out = {"drawn": self.ink.astype(np.float32) / 255} if self.ink is not None else {}
        if self.ok:
            x0, y0, x1, y1 = self.bbox
            out.update(cropped=out["drawn"][y0:y1, x0:x1], scaled=self.scaled,
                       centred=self.image)
        return out


def _validate(a: np.ndarray) -> None:
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (1, 3, 4)):
        raise PreprocessError(f"expected (H, W), (H, W, 3) or (H, W, 4), got shape {a.shape}")
    if min(a.shape[:2]) < 1 or max(a.shape[:2]) > MAX_SIDE:
        raise PreprocessError(f"image sides must be 1..{MAX_SIDE} px, got {a.shape[:2]}")


def _as_uint8(a: np.ndarray) -> np.ndarray:
    """Any accepted dtype -> uint8 with 255 = full intensity (as MNIST itself is stored)."""
    if a.dtype == np.uint8:
        return a
    if a.dtype == np.uint16:
        return (a >> 8).astype(np.uint8)
    if a.dtype == np.bool_:
        return a.astype(np.uint8) * np.uint8(255)
    if np.issubdtype(a.dtype, np.floating):
        if not np.isfinite(a).all() or a.min() < 0 or a.max() > 1:
            raise PreprocessError("float images must hold finite values in [0, 1]")
        return np.rint(a * 255).astype(np.uint8)
    raise PreprocessError(f"unsupported dtype {a.dtype}; use uint8, uint16, bool or float")


def _gray(a: np.ndarray) -> np.ndarray:
    if a.ndim == 2:
        return a
    if a.shape[2] == 1:
        return a[..., 0]
    code = cv2.COLOR_RGBA2GRAY if a.shape[2] == 4 else cv2.COLOR_RGB2GRAY
    return cv2.cvtColor(np.ascontiguousarray(a), code)


def _transparent_ink(a: np.ndarray) -> np.ndarray:
    """Ink of an RGBA image with transparency: opacity times contrast with the hidden backdrop."""
    alpha = a[..., 3].astype(np.float32) / 255
    lum = _gray(a[..., :3]).astype(np.float32) / 255
    painted = alpha > 0
    if not painted.any():
        return np.zeros(alpha.shape, np.uint8)
    bright = float(lum[painted].mean()) >= 0.5
    return np.rint(alpha * (lum if bright else 1 - lum) * 255).astype(np.uint8)


def to_ink(image: np.ndarray, dark_background: bool | None = None) -> np.ndarray:
    """Ink map ``(H, W) uint8``: 255 is full ink, 0 is background.

    Transparent pixels are background; otherwise ink is contrast against the background,
    stretched to full range, so light-on-dark and dark-on-light, faded or crisp, give the same
    map. ``dark_background`` says which it is (the app's canvas: True; the background is then
    taken as pure black); None takes the median of the border as the background and its
    brightness as the polarity. Too little contrast gives an all-zero map.
    """
    a = np.asarray(image)
    _validate(a)
    a = _as_uint8(a)
    if a.ndim == 3 and a.shape[2] == 4 and a[..., 3].min() < 255:
        return _transparent_ink(a)
    gray = _gray(a)
    if dark_background is None:
        border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
        background = int(np.median(border))
        dark_background = background <= 127
        background = background if dark_background else 255 - background
    else:
        background = 0  # a known background is pure black or white (the app's canvas)
    if not dark_background:
        gray = cv2.bitwise_not(gray)
    peak = int(gray.max())
    if peak - background < MIN_CONTRAST * 255:
        return np.zeros(gray.shape, np.uint8)
    if background == 0 and peak == 255:
        return gray
    gain = 255 / (peak - background)
    return cv2.convertScaleAbs(gray, alpha=gain, beta=-background * gain)


def bounding_box(ink: np.ndarray, level: float = INK_LEVEL) -> tuple[int, int, int, int] | None:
    """``(x0, y0, x1, y1)`` (end-exclusive) of ``uint8`` ink above ``level`` * 255, or None."""
    _, mask = cv2.threshold(ink, int(level * 255), 255, cv2.THRESH_BINARY)
    x, y, w, h = cv2.boundingRect(mask)
    return None if w == 0 else (x, y, x + w, y + h)


def centre_of_mass(img: np.ndarray) -> tuple[float, float]:
    """Intensity-weighted ``(row, col)`` centre of a non-empty 2-D float image."""
    total = float(img.sum())
    rows = float(img.sum(1) @ np.arange(img.shape[0], dtype=np.float32)) / total
    cols = float(img.sum(0) @ np.arange(img.shape[1], dtype=np.float32)) / total
    return rows, cols


def scale_to_box(crop: np.ndarray, box: int = BOX) -> np.ndarray:
    """Resize ``uint8`` ink so its longer side is ``box`` px, keeping the aspect ratio
    (anti-aliased) -> ``float32 in [0, 1]``."""
    h, w = crop.shape
    s = box / max(h, w)
    size = (max(1, round(w * s)), max(1, round(h * s)))
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
    return cv2.resize(crop, size, interpolation=interp).astype(np.float32) / 255


def place_by_mass(digit: np.ndarray, size: int = SIZE, centre: float = CENTRE) -> np.ndarray:
    """Paste ``digit`` into a ``size``-square field with its centre of mass at ``centre``.

    The shift is rounded to whole pixels and clamped so the digit stays inside the field.
    """
    h, w = digit.shape
    cy, cx = centre_of_mass(digit)
    top = int(np.clip(round(centre - cy), 0, size - h))
    left = int(np.clip(round(centre - cx), 0, size - w))
    out = np.zeros((size, size), np.float32)
    out[top : top + h, left : left + w] = digit
    return out


def _nothing(kind: str, ink: np.ndarray, medium: str) -> Preprocessed:
    return Preprocessed(image=None, reason=REASONS[medium][kind], ink=ink)


def _not_a_digit(ink: np.ndarray, bbox: tuple[int, int, int, int]) -> str:
    """Why the inked box cannot be one digit, a key of :data:`REASONS` ('' if it may be)."""
    x0, y0, x1, y1 = bbox
    w, h = x1 - x0, y1 - y0
    if max(w, h) < max(2, MIN_EXTENT * max(ink.shape)):
        return "small"
    mask = cv2.threshold(ink[y0:y1, x0:x1], 127, 255, cv2.THRESH_BINARY)[1]
    fill = cv2.countNonZero(mask) / (w * h)
    if fill > MAX_FILL and min(w, h) > MIN_SOLID * max(ink.shape):  # not a straight 1
        return "solid"
    if fill > 0.5 and min(w, h) > 0.7 * max(w, h):  # solid and roundish: maybe one dab
        stroke = 2 * float(cv2.distanceTransform(mask, cv2.DIST_L2, 3).max())
        if max(w, h) < 1.6 * stroke:
            return "blob"
    return ""


def side_by_side(scaled: np.ndarray) -> bool:
    """True if the ink of a (20-px box) ``float32`` digit falls into separate sizeable parts
    with a vertical gap between them: more than one digit."""
    mask = (scaled > INK_LEVEL).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    big = stats[1:][stats[1:, cv2.CC_STAT_AREA] > 0.15 * stats[1:, cv2.CC_STAT_AREA].sum()]
    if len(big) < 2:
        return False
    spans = sorted((s[cv2.CC_STAT_LEFT], s[cv2.CC_STAT_LEFT] + s[cv2.CC_STAT_WIDTH]) for s in big)
    return any(nxt[0] >= prev[1] + 2 for prev, nxt in zip(spans, spans[1:], strict=False))


def preprocess(image: np.ndarray, dark_background: bool | None = None,
               medium: str = "canvas") -> Preprocessed:
    """MNIST-style preprocessing of one drawing; see the module docstring for the input forms.

    ``dark_background``: True for light ink on dark (the app's canvas), False for dark ink on
    light (paper), None to guess from the image's border. ``medium``: ``"canvas"`` or
    ``"photo"``, the words of the reason when there is nothing to read (:data:`REASONS`).
    """
    ink = to_ink(image, dark_background)
    bbox = bounding_box(ink)
    if bbox is None:
        return _nothing("empty", ink, medium)
    kind = _not_a_digit(ink, bbox)
    if kind:
        return _nothing(kind, ink, medium)
    x0, y0, x1, y1 = bbox
    scaled = scale_to_box(ink[y0:y1, x0:x1])
    if float(scaled.max()) < MIN_CONTRAST:
        return _nothing("faint", ink, medium)
    if side_by_side(scaled):
        return _nothing("several", ink, medium)
    return Preprocessed(image=place_by_mass(scaled), ink=ink, bbox=bbox, scaled=scaled)
