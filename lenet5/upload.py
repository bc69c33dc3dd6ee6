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
from PIL import Image, ImageOps, UnidentifiedImageError

from lenet5.preprocess import MIN_CONTRAST, to_ink

FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP")
EXTENSIONS = ["png", "jpg", "jpeg", "gif", "webp", "bmp"]
MAX_BYTES = 5 * 1024 * 1024  # as server.maxUploadSize in .streamlit/config.toml
MAX_PIXELS = 24_000_000  # a 6000x4000 camera photo; decoded at most ~100 MB
WORK_SIDE = 512  # images are reduced to this longer side before looking for ink
TRANSPARENT_MODES = ("LA", "La", "PA", "RGBA", "RGBa")


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
    except (OSError, ValueError, SyntaxError) as exc:
        raise UploadError(f"The file is not a readable image ({exc}).") from None
    w, h = im.size
    if w * h > MAX_PIXELS or min(w, h) < 1:
        raise UploadError(f"The image is {w}×{h} pixels; at most {MAX_PIXELS // 10**6} million "
                          "pixels are read. Use a smaller photo.")
    return im


def _open_failure(exc: Exception) -> str:
    if isinstance(exc, UnidentifiedImageError):
        return "That is not an image this page reads: upload a PNG, JPEG, GIF, WebP or BMP."
    return f"The image has too many pixels; at most {MAX_PIXELS // 10**6} million are read."


def _to_array(im: Image.Image) -> np.ndarray:
    """Decoded pixels as ``(H, W) uint8`` grey or ``(H, W, 4) uint8`` RGBA."""
    if im.mode.startswith("I"):  # 16-bit (or 32-bit) grey: keep the top 8 of 16 bits
        return (np.clip(np.asarray(im, np.int64), 0, 65535) >> 8).astype(np.uint8)
    if im.mode == "F":
        return np.clip(np.asarray(im, np.float32), 0, 255).astype(np.uint8)
    if im.mode in TRANSPARENT_MODES or "transparency" in im.info:
        return np.asarray(im.convert("RGBA"))
    return np.asarray(im.convert("L"))


def _reduce(a: np.ndarray, side: int = WORK_SIDE) -> np.ndarray:
    h, w = a.shape[:2]
    s = side / max(h, w)
    if s >= 1:
        return a
    size = (max(1, round(w * s)), max(1, round(h * s)))
    return cv2.resize(a, size, interpolation=cv2.INTER_AREA)


def decode(data: bytes) -> Upload:
    """Uploaded file bytes -> :class:`Upload`, or :class:`UploadError`."""
    im = _open(data)
    note = ""
    if getattr(im, "n_frames", 1) > 1:
        note = "An animated image: reading its first frame."
    try:
        im.seek(0)
        if im.format == "JPEG":
            im.draft("L", (WORK_SIDE, WORK_SIDE))  # let the decoder shrink big photos
        im = ImageOps.exif_transpose(im)
        image = _reduce(_to_array(im))
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise UploadError(f"The image file is damaged or incomplete ({exc}).") from None
    return Upload(np.ascontiguousarray(image), note)


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

    Transparent images go to :func:`lenet5.preprocess.to_ink`. Otherwise light-on-dark is
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
