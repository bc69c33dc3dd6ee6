"""Writing styles MNIST hardly has, synthesised from MNIST training digits.

Pen-drawn digits are misread mostly where people write differently from MNIST's writers:
European 1s with a long flag from the top, 7s with a bar across the stem, 9s whose tail curls
to the left. Each style here is drawn onto an MNIST digit of the right class: the digit is
upscaled ``SCALE`` times (with a margin); for the 1s and 7s its strokes are thinned to a pen's
width first (the writers of these styles used pens, and a thick MNIST stroke with a pen's flag
is neither); the extra stroke is drawn with the digit's stroke width and ink level, and the
result is normalised again like MNIST (crop to the ink, longer side 20 px, centre of mass at
the centre) by :func:`lenet5.core.preprocess.preprocess`. No pen data is used: the pen digits stay
a validation set; they only showed which styles are missing.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from lenet5.core.preprocess import INK_LEVEL, bounding_box, preprocess

SCALE = 4  # upscaling factor before drawing
MARGIN = 40  # px of empty border around the upscaled digit (room for the new stroke)
SHIFT = 4  # sub-pixel bits for OpenCV drawing
INK = round(INK_LEVEL * 255)  # ink above this is part of the digit (as for its bounding box)
PEN = (6.0, 10.5)  # px at SCALE: a canvas brush once the drawing is scaled to 20 px (thinner
# than MNIST's pencil strokes)


def upscale(digit: np.ndarray) -> np.ndarray:
    """``(28, 28) uint8`` -> ``(28*SCALE + 2*MARGIN,)*2 uint8``, bicubic, with an empty margin."""
    big = cv2.resize(digit, None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_CUBIC)
    return cv2.copyMakeBorder(big, MARGIN, MARGIN, MARGIN, MARGIN, cv2.BORDER_CONSTANT, value=0)


def stroke_width(ink: np.ndarray) -> float:
    """Typical stroke width, px, of ``(H, W) uint8`` ink: twice the mean distance to the
    background along the strokes' ridge (local maxima of the distance transform)."""
    mask = (ink > 127).astype(np.uint8)
    if not mask.any():
        return 0.0
    dist = cv2.distanceTransform(mask, cv2.DIST_L2, 5)
    ridge = (dist > 0) & (dist >= cv2.dilate(dist, np.ones((3, 3), np.uint8)))
    return float(2 * dist[ridge].mean())


def thin_to(ink: np.ndarray, width: float) -> np.ndarray:
    """``uint8`` ink with strokes eroded to about ``width`` px, if they are thicker."""
    r = int(round((stroke_width(ink) - width) / 2))  # px to take off each side
    if r < 1:
        return ink
    return cv2.erode(ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))


def _draw(ink: np.ndarray, points: np.ndarray, width: float) -> np.ndarray:
    """``ink`` with an anti-aliased polyline through ``(n, 2)`` (x, y) points, in its ink level."""
    layer = np.zeros_like(ink)
    level = int(np.percentile(ink[ink > 127], 90)) if (ink > 127).any() else 255
    pts = np.round(np.asarray(points) * (1 << SHIFT)).astype(np.int32).reshape(-1, 1, 2)
    cv2.polylines(layer, [pts], False, level, max(1, round(width)), cv2.LINE_AA, SHIFT)
    return np.maximum(ink, layer)


def _end(mask: np.ndarray, row: int, band: float) -> float:
    """Mean column of the ink within ``band`` rows of ``row`` (the tip of a stroke there)."""
    lo, hi = sorted((row, int(round(row + band))))
    cols = np.nonzero(mask[max(lo, 0) : hi + 1])[1]
    return float(cols.mean())


def stem_direction(ink: np.ndarray) -> np.ndarray:
    """Unit ``(x, y)`` vector along the principal axis of ``uint8`` ink, pointing down."""
    rows, cols = np.nonzero(ink > 127)
    pts = np.stack([cols, rows], 1).astype(np.float64)
    _, vecs = np.linalg.eigh(np.cov(pts - pts.mean(0), rowvar=False))
    axis = vecs[:, -1]
    return axis if axis[1] >= 0 else -axis


def add_flag(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """A 1 -> European 1, written with a pen: the strokes thinned to a pen's width (``PEN``),
    then a flag from the top of the stem, down and to the left, 28-60 degrees below the
    horizontal (a 7's bar is flatter), 35-90% of the height long, straight or bowed (by -5% to
    15% of its length, positive upwards). None for a 1 with a foot (it would become a 2)."""
    x0, y0, x1, y1 = bounding_box(ink)
    w = stroke_width(ink)
    cols = np.nonzero(ink[y1 - max(2, (y1 - y0) // 8) : y1] > 127)[1]
    if cols.size and np.ptp(cols) > 3 * w:
        return None
    ink = thin_to(ink, rng.uniform(*PEN))
    x0, y0, x1, y1 = bounding_box(ink)
    w = stroke_width(ink)
    top = np.array([_end(ink > INK, y0, w), y0 + w / 2])
    down = np.deg2rad(rng.uniform(28, 60))
    flag = np.array([-np.cos(down), np.sin(down)])
    length = (y1 - y0) * rng.uniform(0.35, 0.9)
    bulge = length * rng.uniform(-0.05, 0.15) * np.array([flag[1], -flag[0]])  # + : upwards
    t = np.linspace(0, 1, 12)[:, None]
    return _draw(ink, top + t * length * flag + 4 * t * (1 - t) * bulge, w)


def add_crossbar(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """A 7 -> crossed 7, written with a pen: the strokes thinned to a pen's width (``PEN``), then
    a nearly horizontal bar (-15 to 10 degrees) across the stem at 40-65% of the height, 40-90%
    of the height long. None if the stem is not found at that height."""
    ink = thin_to(ink, rng.uniform(*PEN))
    x0, y0, x1, y1 = bounding_box(ink)
    h, w = y1 - y0, stroke_width(ink)
    row = int(y0 + h * rng.uniform(0.4, 0.65))
    if not (ink[row] > INK).any():
        return None
    centre = np.array([_end(ink > INK, row, 0) + h * rng.uniform(-0.05, 0.08), row])
    angle = np.deg2rad(rng.uniform(-15, 10))
    half = h * rng.uniform(0.2, 0.45)
    step = half * np.array([np.cos(angle), np.sin(angle)])
    return _draw(ink, np.stack([centre - step, centre + step]), w)


def add_curl(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 9 -> 9 with a long tail curling left: the stem goes on along the direction of its lower
    part for 0-35% of the height, then turns left on an arc (radius 20-40% of the height,
    70-150 degrees), so the loop ends up small at the top, as many people write it."""
    x0, y0, x1, y1 = bounding_box(ink)
    h, w = y1 - y0, stroke_width(ink)
    bottom = np.array([_end(ink > INK, y1 - 1, -w), y1 - 1 - w / 2])
    lower = ink.copy()
    lower[: y0 + int(0.6 * h)] = 0
    s = stem_direction(lower) if (lower > 127).sum() > 2 else np.array([0.0, 1.0])
    end = bottom + h * rng.uniform(0.0, 0.35) * s
    r = h * rng.uniform(0.2, 0.4)
    left = np.array([-s[1], s[0]])  # to the left of a stem going down
    t0 = np.arctan2(-s[0], s[1])
    t = t0 + np.linspace(0, np.deg2rad(rng.uniform(70, 150)), 16)
    arc = end + r * left + r * np.stack([np.cos(t), np.sin(t)], 1)
    return _draw(ink, np.vstack([bottom, arc]), w)


Style = Callable[[np.ndarray, np.random.Generator], np.ndarray | None]
STYLES: dict[str, tuple[int, Style]] = {
    "flag_ones": (1, add_flag),
    "crossed_sevens": (7, add_crossbar),
    "curled_nines": (9, add_curl),
}


def renormalise(ink: np.ndarray) -> np.ndarray | None:
    """Any-size ``uint8`` ink -> ``(28, 28) uint8`` the MNIST way, or None if unreadable."""
    result = preprocess(ink, dark_background=True)
    return np.round(result.image * 255).astype(np.uint8) if result.ok else None


def stylise(digit: np.ndarray, style: str, rng: np.random.Generator) -> np.ndarray | None:
    """One ``(28, 28) uint8`` MNIST digit drawn in ``style`` (a key of STYLES), renormalised;
    None if the digit does not suit the style or the result is unreadable."""
    drawn = STYLES[style][1](upscale(digit), rng)
    return None if drawn is None else renormalise(drawn)


def synthesize(x: np.ndarray, y: np.ndarray, counts: dict[str, int],
               seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``counts[style]`` new digits per style from random digits of its class in ``x``.

    ``x``: ``(N, 28, 28) uint8``, ``y``: ``(N,)`` labels. Returns ``(M, 28, 28) uint8`` images
    and ``(M,)`` labels (the source class), M = sum of counts.
    """
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for style, n in counts.items():
        label = STYLES[style][0]
        pool = np.flatnonzero(y == label)
        made = 0
        while made < n and len(pool):
            out = stylise(x[rng.choice(pool)], style, rng)
            if out is not None:
                images.append(out)
                labels.append(label)
                made += 1
    if not images:
        return np.zeros((0, 28, 28), np.uint8), np.zeros(0, y.dtype)
    return np.stack(images), np.array(labels, y.dtype)
