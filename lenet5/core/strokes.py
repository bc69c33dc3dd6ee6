"""Pen strokes -> canvas-like images, as the app's canvas draws them.

A stroke is a sequence of ``(x, y)`` points. Rendering mimics the app's canvas: white,
round-capped, anti-aliased lines of the brush width on a black ``(size, size)`` canvas.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

CANVAS = 280  # canvas side in the app, px
BRUSH = 18  # the app's default brush width, px
SHIFT = 4  # sub-pixel bits for OpenCV's drawing: the canvas draws between pixels

Stroke = Sequence[Sequence[float]]


def fit_strokes(
    strokes: Sequence[Stroke], height: float, left: float, top: float, flip_y: bool = True
) -> list[np.ndarray]:
    """Scale strokes (keeping the aspect ratio) to ``height`` px with their box at (left, top).

    ``flip_y``: the source's y grows upwards (tablet), the canvas' downwards.
    Returns ``(n_points, 2) float64`` arrays in canvas pixels.
    """
    pts = [np.asarray(s, np.float64).reshape(-1, 2) for s in strokes]
    allp = np.concatenate(pts)
    lo, hi = allp.min(0), allp.max(0)
    scale = height / max(hi[1] - lo[1], 1e-9)
    out = []
    for p in pts:
        q = (p - lo) * scale
        if flip_y:
            q[:, 1] = height - q[:, 1]
        out.append(q + (left, top))
    return out


def placement(
    strokes: Sequence[Stroke], rng: np.random.Generator, size: int = CANVAS
) -> tuple[float, float, float]:
    """A random ``(height, left, top)``: the digit 50-75% of the canvas high, anywhere on it."""
    allp = np.concatenate([np.asarray(s, np.float64).reshape(-1, 2) for s in strokes])
    span = allp.max(0) - allp.min(0)
    aspect = span[0] / max(span[1], 1e-9)
    height = rng.uniform(0.5, 0.75) * size
    height = min(height, 0.85 * size / max(aspect, 1e-9))  # a wide digit still fits
    width = height * aspect
    left = rng.uniform(0.05 * size, max(0.05 * size, 0.95 * size - width))
    top = rng.uniform(0.05 * size, max(0.05 * size, 0.95 * size - height))
    return height, left, top


def render(
    strokes: Sequence[np.ndarray], size: int | tuple[int, int] = CANVAS,
    brush: float | Sequence[float] = BRUSH
) -> np.ndarray:
    """Draw canvas-pixel strokes -> ``(H, W, 4) uint8`` RGBA, white ink on opaque black;
    ``size``: the side, or ``(H, W)``; ``brush``: one width for all strokes, or one each."""
    img = np.zeros(_shape(size), np.uint8)
    for s, width in zip(strokes, _widths(brush, len(strokes)), strict=True):
        _paint(img, s, width)
    h, w = img.shape
    rgba = np.empty((h, w, 4), np.uint8)
    rgba[..., :3] = img[..., None]
    rgba[..., 3] = 255
    return rgba


def _shape(size: int | tuple[int, int]) -> tuple[int, int]:
    return (size, size) if isinstance(size, int) else size


def drawn(strokes: Sequence[np.ndarray], size: int | tuple[int, int] = CANVAS,
          brush: float | Sequence[float] = BRUSH) -> list[np.ndarray]:
    """The canvas after each stroke, drawn one more at a time: ``(H, W) uint8`` grey, white
    ink on black (``size`` and ``brush`` as for :func:`render`)."""
    img, out = np.zeros(_shape(size), np.uint8), []
    for s, width in zip(strokes, _widths(brush, len(strokes)), strict=True):
        _paint(img, s, width)
        out.append(img.copy())
    return out


def _widths(brush: float | Sequence[float], n: int) -> list[float]:
    return [brush] * n if np.isscalar(brush) else list(brush)


def _paint(img: np.ndarray, points: np.ndarray, width: float) -> None:
    """One round-capped, anti-aliased white stroke onto ``img`` ``(H, W) uint8``, in place."""
    pts = np.round(np.asarray(points) * (1 << SHIFT)).astype(np.int32).reshape(-1, 1, 2)
    if len(pts) == 1:
        pts = np.concatenate([pts, pts])
    cv2.polylines(img, [pts], False, 255, max(1, round(width)), cv2.LINE_AA, SHIFT)


def render_random(
    strokes: Sequence[Stroke], rng: np.random.Generator, size: int = CANVAS, brush: int = BRUSH
) -> np.ndarray:
    """Render source strokes as a person might draw them on the canvas (random size, place)."""
    return render(fit_strokes(strokes, *placement(strokes, rng, size)), size, brush)
