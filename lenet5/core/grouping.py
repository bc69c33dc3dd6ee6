"""Strokes grouped into digits: the first cue where digits are written apart.

A digit can take several strokes (a 4, a 5 with a separate bar, a crossed 7), and people write
digits left to right with a little space between them. So strokes whose ink crosses are one
digit; then groups whose horizontal extents overlap by at least ``MIN_OVERLAP`` of the
narrower one merge, and a short fragment (the down-stroke of a 4 written beside its L) joins
its nearest neighbour. A group may still hold several digits (touching, or joined by one pen
path): :mod:`lenet5.core.segment` cuts it further.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lenet5.core.strokes import render

WIDE = (720, 240)  # (width, height) of the Number page's canvas, px
WIDE_BRUSH = 14  # its default brush: digits there are smaller than on the 280-px canvas
NARROW, NARROW_BRUSH = (360, 160), 10  # the same for a phone's screen
MIN_OVERLAP = 0.5
BEZIER_STEPS = 4
PAIRS = 250_000  # point pairs compared at once in touching(): bounds its memory


def _quad(p0: np.ndarray, c: np.ndarray, p1: np.ndarray, steps: int) -> np.ndarray:
    t = np.linspace(0, 1, steps + 1)[1:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * c + t**2 * p1


def path_points(path: Sequence[Sequence], steps: int = BEZIER_STEPS) -> np.ndarray:
    """A fabric.js free-drawing path (``[["M", x, y], ["Q", cx, cy, x, y], ["L", x, y]]``,
    canvas pixels) -> ``(n, 2) float64`` points, quadratic curves sampled ``steps`` times."""
    pts: list[np.ndarray] = []
    for cmd in path:
        op, args = cmd[0], np.asarray(cmd[1:], np.float64)
        if op in ("M", "L") and len(args) == 2:
            pts.append(args[None])
        elif op == "Q" and len(args) == 4 and pts:
            pts.append(_quad(pts[-1][-1], args[:2], args[2:], steps))
    return np.concatenate(pts) if pts else np.zeros((0, 2))


def strokes_from_json(json_data: dict | None, default_width: float = WIDE_BRUSH
                      ) -> tuple[list[np.ndarray], list[float]]:
    """A canvas' ``json_data`` -> its free-drawn strokes (``(n, 2)`` points, in drawing order)
    and their widths (``default_width`` where a stroke has none)."""
    strokes, widths = [], []
    for obj in (json_data or {}).get("objects") or []:
        if str(obj.get("type", "")).lower() != "path":
            continue
        pts = path_points(obj.get("path") or [])
        if len(pts):
            strokes.append(pts)
            widths.append(float(obj.get("strokeWidth") or default_width))
    return strokes, widths


def touching(a: np.ndarray, b: np.ndarray, reach: float) -> bool:
    """Whether two strokes' ``(n, 2)`` points come within ``reach`` px of each other.

    Only the points of each inside the other's box (widened by ``reach``) can touch, and those
    are compared in blocks of :data:`PAIRS` distances: memory stays bounded however long the
    strokes (all pairs at once grows with the product of their lengths: docs/robustness.md).
    """
    a, b = _near_box(a, b, reach), _near_box(b, a, reach)
    if not len(a) or not len(b):
        return False
    step = max(1, PAIRS // len(b))
    for i in range(0, len(a), step):
        d2 = ((a[i:i + step, None, :] - b[None, :, :]) ** 2).sum(-1)
        if d2.min() <= reach**2:
            return True
    return False


def _near_box(a: np.ndarray, b: np.ndarray, reach: float) -> np.ndarray:
    """The points of ``a`` inside ``b``'s bounding box widened by ``reach``."""
    lo, hi = b.min(0) - reach, b.max(0) + reach
    return a[((a >= lo) & (a <= hi)).all(1)]


def _touch_groups(strokes: Sequence[np.ndarray], widths: Sequence[float]) -> list[list[int]]:
    """Strokes whose ink touches or crosses, joined (union-find). Only pairs whose boxes,
    widened by the ink's reach, overlap are compared point by point: that keeps hundreds of
    strokes (a hostile client's, or a scribble) to a few pairs instead of all of them."""
    parent = list(range(len(strokes)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    w = np.asarray(widths, np.float64)
    lo = np.array([s.min(0) for s in strokes]).reshape(-1, 2)
    hi = np.array([s.max(0) for s in strokes]).reshape(-1, 2)
    reach = (w[:, None] + w[None, :]) / 4
    near = ((lo[:, None, :] - reach[..., None] <= hi[None, :, :])
            & (lo[None, :, :] <= hi[:, None, :] + reach[..., None])).all(-1)
    for i, j in zip(*np.nonzero(np.triu(near, 1)), strict=True):
        if root(i) != root(j) and touching(strokes[i], strokes[j], reach[i, j]):
            parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(strokes)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def _merge_overlapping(spans: list, min_overlap: float) -> None:
    """Merge ``[x0, x1, y0, y1, idx]`` spans whose x ranges overlap by ``min_overlap`` of the
    narrower one, in place."""
    merged = True
    while merged:
        merged = False
        spans.sort(key=lambda g: g[0])
        for a, b in zip(spans, spans[1:], strict=False):
            if min(a[1], b[1]) - b[0] >= min_overlap * min(a[1] - a[0], b[1] - b[0]):
                _absorb(a, b, spans)
                merged = True
                break


def _absorb(a: list, b: list, spans: list) -> None:
    a[:4] = min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3])
    a[4] = a[4] + b[4]
    spans.remove(b)


def _merge_fragments(spans: list, short: float = 0.8, near: float = 0.2) -> None:
    """Join a group less than ``short`` of the row's median height to the nearest group when
    the horizontal gap is under ``near`` of that height (the short down-stroke of a 4 written
    beside its L), in place."""
    while len(spans) > 1:
        row = float(np.median([g[3] - g[2] for g in spans]))
        frags = sorted((g for g in spans if g[3] - g[2] < short * row), key=lambda g: g[3] - g[2])
        for f in frags:
            gap, other = min((max(0.0, o[0] - f[1], f[0] - o[1]), id(o), o)
                             for o in spans if o is not f)[::2]
            if gap <= near * row:
                _absorb(other, f, spans)
                break
        else:
            return


def group(strokes: Sequence[np.ndarray], widths: Sequence[float],
          min_overlap: float = MIN_OVERLAP) -> list[list[int]]:
    """Indices of the strokes of each digit, digits left to right.

    Strokes whose ink crosses are one digit (the bar of a 5, the strokes of a 4). Then groups
    merge whose x ranges (widened by half the brush) overlap by ``min_overlap`` of the
    narrower one (a 7's bar drawn apart), and a short fragment joins its nearest neighbour.
    """
    spans = []
    for idx in _touch_groups(strokes, widths):
        pts = np.concatenate([strokes[i] for i in idx])
        half = max(widths[i] for i in idx) / 2
        lo, hi = pts.min(0) - half, pts.max(0) + half
        spans.append([float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]), idx])
    _merge_overlapping(spans, min_overlap)
    _merge_fragments(spans)
    spans.sort(key=lambda g: (g[0] + g[1]) / 2)
    return [sorted(g[4]) for g in spans]


def render_digit(strokes: Sequence[np.ndarray], brush: float) -> tuple[np.ndarray, tuple]:
    """One digit's strokes drawn alone -> ``(H, W, 4) uint8`` canvas-like image and the
    digit's ``(x0, y0, x1, y1)`` box in canvas pixels."""
    pts = np.concatenate(strokes)
    pad = brush / 2 + 2
    lo, hi = pts.min(0) - pad, pts.max(0) + pad
    size = (int(np.ceil(hi[1] - lo[1])), int(np.ceil(hi[0] - lo[0])))
    image = render([s - lo for s in strokes], size, max(1, round(brush)))
    return image, (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))
