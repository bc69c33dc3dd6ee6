"""Uploaded images (photos or scans of a handwritten digit): decode safely, then find the ink.

Uploads come from strangers, so decoding is defensive: only PNG, JPEG, GIF, WebP and BMP are
opened (never formats that run external programs), the byte size and the pixel size are checked
from the header before any pixel is decoded (a 20000x20000 PNG can be a few KB), an animated
image gives its first frame, EXIF orientation is applied, 16-bit and palette images are
converted without clipping, and nothing is written to disk. Every failure is an
:class:`UploadError` with a sentence for the user.

A photo of ink on paper is rarely evenly lit, so :func:`photo_ink` subtracts the paper's own
brightness (a morphological closing, wider than any stroke) before the MNIST-style
preprocessing sees it.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from lenet5.core.preprocess import MIN_CONTRAST, to_ink

FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP")
EXTENSIONS = ["png", "jpg", "jpeg", "gif", "webp", "bmp"]
MAX_BYTES = 5 * 1024 * 1024  # as server.maxUploadSize in .streamlit/config.toml
# What each bound costs and saves in memory: docs/robustness.md, "Memory per request".
MAX_PIXELS = 24_000_000  # a 6000x4000 camera photo, decoded at most 4 bytes a pixel
MAX_SIDE = 12_000  # px; Pillow keeps a pointer per row, so a thin image costs by its length
# libwebp decodes into a buffer of its own that Pillow then copies, several times the bytes of
# the pixels at peak, so WebP is read up to fewer pixels (a 4000x2000 image).
MAX_WEBP_PIXELS = 8_000_000
WORK_SIDE = 512  # images are reduced to this longer side before looking for ink


class UploadError(ValueError):
    """The file cannot be read as an image; the message says why, for the user."""


@dataclass(frozen=True)
class Upload:
    """A decoded upload: ``image`` is ``(H, W) uint8`` grey or, when the file has transparency,
    ``(H, W, 4) uint8`` RGBA; longer side at most :data:`WORK_SIDE`. ``note`` is '' or a
    sentence about how it was read (e.g. only the first frame of an animation)."""

    image: np.ndarray
    note: str = ""


def _open(data: bytes) -> Image.Image:
    """Open the header only; refuse what is too big or not an accepted image."""
    if not data:
        raise UploadError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise UploadError(f"The file is larger than {MAX_BYTES // 2**20} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=FORMATS)
    except (UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise UploadError(_open_failure(exc)) from None
    except Exception as exc:  # a damaged header raises many kinds (struct.error, ...)
        raise UploadError(f"The file is not a readable image ({_short(exc)}).") from None
    w, h = im.size
    limit = MAX_WEBP_PIXELS if im.format == "WEBP" else MAX_PIXELS
    if w * h > limit or min(w, h) < 1 or max(w, h) > MAX_SIDE:
        raise UploadError(f"The image is {w:,}×{h:,} pixels; at most {limit // 10**6} million "
                          f"pixels{' in a WebP file' if im.format == 'WEBP' else ''}, and at "
                          f"most {MAX_SIDE:,} on a side, are read. Use a smaller photo.")
    return im


def _open_failure(exc: Exception) -> str:
    if isinstance(exc, UnidentifiedImageError):
        return "That is not an image this page reads: upload a PNG, JPEG, GIF, WebP or BMP."
    return f"The image has too many pixels; at most {MAX_PIXELS // 10**6} million are read."


BAND_ROWS = 256  # rows widened at once by _wide_to_uint8: memory stays small
TRANSPOSES = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
              6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}  # EXIF orientation -> the turn that undoes it


def _by_rows(im: Image.Image, fn) -> Image.Image:
    """``fn`` (a band of rows as an array -> ``uint8`` array of its rows) applied a band of
    :data:`BAND_ROWS` rows at a time -> an ``L`` image: nothing is widened at full size (a
    large 16-bit PNG widened whole costs several times its pixels: docs/robustness.md)."""
    w, h = im.size
    out = np.empty((h, w), np.uint8)
    for top in range(0, h, BAND_ROWS):
        band = np.asarray(im.crop((0, top, w, min(h, top + BAND_ROWS))))
        out[top:top + len(band)] = fn(band)
    return Image.fromarray(out, "L")


def _wide_to_uint8(band: np.ndarray) -> np.ndarray:
    """16/32-bit grey: the top 8 of 16 bits; float grey: clipped to 0-255."""
    if band.dtype.kind == "f":
        return np.clip(band, 0, 255)
    return np.clip(band.astype(np.int64), 0, 65535) >> 8


def _to_array(im: Image.Image) -> np.ndarray:
    """Decoded pixels as ``(H, W) uint8`` grey or ``(H, W, 4) uint8`` RGBA, at most
    :data:`WORK_SIDE` on the longer side. Each band is reduced by a whole factor while still
    one byte a pixel, before anything is widened: Pillow's own RGBA reduce (premultiplied) and
    P-to-LA convert each make full-size copies."""
    if im.mode.startswith("I") or im.mode == "F":  # more than 8 bits a sample
        im = _by_rows(im, _wide_to_uint8)
    alpha = _alpha(im)
    alpha = None if alpha is None else _shrink(alpha)  # before the grey copy: one at a time
    grey = _shrink(im.convert("L") if im.mode != "L" else im)
    if alpha is None:
        return _reduce(np.asarray(grey))
    rgba = Image.merge("RGBA", (grey, grey, grey, alpha))
    return _reduce(np.asarray(rgba))


def _alpha(im: Image.Image) -> Image.Image | None:
    """The opacity as an ``L`` image, or None when the image has no transparency."""
    if "A" in im.getbands():
        return im.getchannel("A")
    t = im.info.get("transparency")
    if t is None:
        return None
    if im.mode == "P":  # the palette's alpha, looked up through a grey palette
        table = [255] * 256
        if isinstance(t, int) and 0 <= t < 256:
            table[t] = 0
        elif isinstance(t, bytes):
            table[: len(t[:256])] = t[:256]
        a = im.copy()
        a.putpalette(bytes(v for v in table for _ in range(3)), "RGB")
        return a.convert("L")
    if im.mode in ("1", "L", "RGB") and isinstance(t, (int, tuple)):  # a transparent colour
        key = np.asarray(t if isinstance(t, tuple) else (t,))
        return _by_rows(im, lambda band: np.where(
            (band.reshape(*band.shape[:2], -1) == key).all(-1), 0, 255).astype(np.uint8))
    return None


def _shrink(im: Image.Image) -> Image.Image:
    factor = max(im.size) // WORK_SIDE
    return im.reduce(factor) if factor >= 2 else im


def _reduce(a: np.ndarray, side: int = WORK_SIDE) -> np.ndarray:
    h, w = a.shape[:2]
    s = side / max(h, w)
    if s >= 1:
        return a
    size = (max(1, round(w * s)), max(1, round(h * s)))
    return cv2.resize(a, size, interpolation=cv2.INTER_AREA)


def _orientation(im: Image.Image) -> int:
    try:
        return int(im.getexif().get(0x0112) or 1)
    except Exception:  # a damaged EXIF block: read the picture as it is stored
        return 1


def decode(data: bytes) -> Upload:
    """Uploaded file bytes -> :class:`Upload`, or :class:`UploadError` (and nothing else:
    Pillow's decoders raise many kinds of exception for damaged files, e.g. ``IndexError`` or
    ``struct.error`` from a mutated GIF, so every one of them becomes an UploadError)."""
    im = _open(data)
    try:
        note = "An animated image: reading its first frame." if getattr(
            im, "is_animated", False) else ""
        im.seek(0)
        if im.format == "JPEG":
            im.draft("L", (WORK_SIDE, WORK_SIDE))  # let the decoder shrink big photos
        turn = TRANSPOSES.get(_orientation(im))
        image = _to_array(im)
    except Exception as exc:  # see the docstring
        raise UploadError(f"The image file is damaged or incomplete ({_short(exc)}).") from None
    if turn is not None:
        image = np.asarray(Image.fromarray(image).transpose(turn))
    return Upload(np.ascontiguousarray(image), note)


def _short(exc: Exception) -> str:
    return (str(exc) or type(exc).__name__)[:120]


def paper_background(gray: np.ndarray) -> np.ndarray:
    """The paper's brightness under dark ink: a closing (max then min filter) with a square a
    quarter of the image's longer side, so strokes vanish and shading stays.
    ``(H, W) uint8`` -> ``(H, W) uint8``."""
    k = max(3, max(gray.shape) // 4) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    # Padded by a whole kernel, not OpenCV's half: otherwise the min filter sees the max
    # filter's own border and the paper along a darker edge comes out too bright.
    padded = cv2.copyMakeBorder(gray, k, k, k, k, cv2.BORDER_REPLICATE)
    closed = cv2.morphologyEx(padded, cv2.MORPH_CLOSE, kernel, borderType=cv2.BORDER_REPLICATE)
    return closed[k:-k, k:-k]


def photo_ink(image: np.ndarray) -> np.ndarray:
    """Ink of a photo or scan: ``(H, W) uint8`` grey or ``(H, W, 4) uint8`` RGBA (either
    polarity) -> ``(H, W) uint8``, 255 full ink, 0 paper; all zero if there is no clear ink.

    Transparent images go to :func:`lenet5.core.preprocess.to_ink`. Otherwise light-on-dark is
    inverted (the paper is most of the picture, so the median is paper), the paper's shading
    (:func:`paper_background`) is subtracted, faint noise (below half of Otsu's threshold on
    the difference) and ink at the picture's edge (:func:`drop_edge_ink`) are dropped and the
    rest is stretched to 255.
    """
    if image.ndim == 3:
        if image[..., 3].min() < 255:
            return to_ink(image)
        image = cv2.cvtColor(image, cv2.COLOR_RGBA2GRAY)
    gray = cv2.bitwise_not(image) if np.median(image) < 128 else image  # paper is most of it
    ink = cv2.subtract(paper_background(gray), gray)
    if int(ink.max()) < MIN_CONTRAST * 255:
        return np.zeros_like(ink)
    otsu, _ = cv2.threshold(ink, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink[ink < otsu / 2] = 0
    ink = drop_edge_ink(ink)
    peak = int(ink.max())
    return cv2.convertScaleAbs(ink, alpha=255 / peak) if peak else ink


def drop_edge_ink(ink: np.ndarray, min_side: float = 0.15, min_area: float = 0.01) -> np.ndarray:
    """Remove ink touching the image's edge (the table around the paper, a shadow, the
    paper's edge) when the ink away from the edge is big enough to be the digit: the box of
    the inner parts larger than ``min_area`` of the largest part has a longer side of at least
    ``min_side`` of the image's. ``(H, W) uint8`` -> same."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats((ink > 0).astype(np.uint8), 8)
    x, y, w, h, area = (stats[1:, i] for i in range(5))
    at_edge = (x == 0) | (y == 0) | (x + w == ink.shape[1]) | (y + h == ink.shape[0])
    sizeable = area >= min_area * area.max(initial=0)
    inner = np.flatnonzero(~at_edge & sizeable) + 1
    if not at_edge.any() or not len(inner):
        return ink
    x0, y0 = stats[inner, 0].min(), stats[inner, 1].min()
    x1 = (stats[inner, 0] + stats[inner, 2]).max()
    y1 = (stats[inner, 1] + stats[inner, 3]).max()
    if max(x1 - x0, y1 - y0) < min_side * max(ink.shape):
        return ink
    return np.where(np.isin(labels, inner), ink, 0).astype(np.uint8)
