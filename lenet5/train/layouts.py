"""Numbers of pen-drawn digits laid out on the wide canvas the ways people write them.

* ``apart``: gaps of 10-40% of the height between the digits' boxes (as on a form).
* ``touching``: each digit slides left until its ink touches the previous digit's ink and
  overlaps it by 25-75% of the brush width: the boxes overlap, the ink meets (hurried writing).
* ``joined``: gaps of 0-25% of the height, and one pen path runs from each digit into the next:
  the last point of a digit's last stroke is joined to the first point of the next digit's first
  stroke by a ligature (a curve sagging below the straight line), and the three become one stroke,
  as in cursive.

Every layout returns canvas-pixel strokes ``(n, 2) float64``, y down, in drawing order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lenet5.core.grouping import WIDE, WIDE_BRUSH
from lenet5.core.strokes import fit_strokes

LAYOUTS = ("apart", "touching", "joined")
OVERLAP = (0.25, 0.75)  # touching: how much of the brush width the inks overlap by
JOINED_GAPS = (0.0, 0.25)  # joined: gaps between the boxes, of the height
SAG = 0.15  # joined: the ligature's control point sags this much of the height below its chord
LIGATURE_STEP = 3.0  # px between a ligature's points (the canvas samples the pointer about so)


def sizes(records: Sequence[dict], rng: np.random.Generator, height: int
          ) -> tuple[float, list[tuple[float, float]]]:
    """The number's height ``h`` (45-70% of the canvas) and each digit's ``(height, width)``
    px: one size for all, ±8%."""
    h = rng.uniform(0.45, 0.7) * height
    boxes = []
    for rec in records:
        pts = np.concatenate([np.asarray(s, np.float64).reshape(-1, 2) for s in rec["strokes"]])
        span = pts.max(0) - pts.min(0)
        dh = h * rng.uniform(0.92, 1.08)
        boxes.append((dh, dh * span[0] / max(span[1], 1e-9)))
    return h, boxes


def with_gaps(records: Sequence[dict], rng: np.random.Generator, canvas: tuple[int, int],
              gap_range: tuple[float, float]) -> list[list[np.ndarray]]:
    """Digits left to right with gaps of ``gap_range`` of the height between their boxes,
    scaled down to fit 90% of the canvas' width; one list of strokes per digit."""
    width, height = canvas
    h, boxes = sizes(records, rng, height)
    gaps = rng.uniform(*gap_range, len(records) - 1) * h
    total = sum(w for _, w in boxes) + gaps.sum()
    scale = min(1.0, 0.9 * width / total)
    x = (width - total * scale) / 2
    out = []
    for k, (rec, (dh, dw)) in enumerate(zip(records, boxes, strict=True)):
        top = (height - dh * scale) / 2 + rng.normal(0, 0.04 * h) * scale
        out.append(fit_strokes(rec["strokes"], dh * scale, x, top))
        x += (dw + (gaps[k] if k < len(gaps) else 0)) * scale
    return out


def first_contact(fixed: np.ndarray, moving: np.ndarray, reach: float) -> float:
    """The largest x shift of ``moving`` ``(m, 2)`` points at which some point comes within
    ``reach`` px of a ``fixed`` ``(n, 2)`` point: where ``moving``, sliding in from the right,
    first touches (``-inf`` if no shift does: they share no height)."""
    dy = fixed[:, None, 1] - moving[None, :, 1]
    near = np.abs(dy) <= reach
    if not near.any():
        return -np.inf
    dx = fixed[:, None, 0] - moving[None, :, 0]
    return float((dx + np.sqrt(np.maximum(reach**2 - dy**2, 0)))[near].max())


def touching(records: Sequence[dict], rng: np.random.Generator, canvas: tuple[int, int],
             brush: float = WIDE_BRUSH) -> list[list[np.ndarray]]:
    """Each digit slid left onto the previous one until their inks overlap by 0-40% of the
    brush width (their centre lines ``brush * (1 - overlap)`` apart), then the number
    centred and, if too wide, scaled to fit 90% of the canvas' width."""
    digits = with_gaps(records, rng, canvas, (0.0, 0.0))
    for k in range(1, len(digits)):
        prev, cur = np.concatenate(digits[k - 1]), np.concatenate(digits[k])
        reach = brush * (1 - rng.uniform(*OVERLAP))
        shift = first_contact(prev, cur, reach)
        if np.isfinite(shift):  # else leave it where it is (abutting boxes)
            digits[k:] = [[s + (shift, 0) for s in d] for d in digits[k:]]
    return _fit(digits, canvas)


def _fit(digits: list[list[np.ndarray]], canvas: tuple[int, int]) -> list[list[np.ndarray]]:
    """Centre the digits' strokes horizontally, scaled about the centre line to fit 90% of the
    canvas' width if wider."""
    pts = np.concatenate([s for d in digits for s in d])
    lo, hi = pts.min(0), pts.max(0)
    scale = min(1.0, 0.9 * canvas[0] / max(hi[0] - lo[0], 1e-9))
    mid = np.array([(lo[0] + hi[0]) / 2, canvas[1] / 2])
    centre = np.array([canvas[0] / 2, canvas[1] / 2])
    return [[(s - mid) * scale + centre for s in d] for d in digits]


def ligature(a: np.ndarray, b: np.ndarray, sag: float) -> np.ndarray:
    """Points from ``a`` to ``b`` (excluded), ``(n, 2)``, along a quadratic curve whose control
    point lies ``sag`` px below the middle of the chord (y down)."""
    c = (a + b) / 2 + (0, sag)
    n = max(2, int(np.ceil(np.hypot(*(b - a)) / LIGATURE_STEP)))
    t = np.linspace(0, 1, n, endpoint=False)[1:, None]
    return (1 - t) ** 2 * a + 2 * (1 - t) * t * c + t**2 * b


def joined(records: Sequence[dict], rng: np.random.Generator, canvas: tuple[int, int]
           ) -> list[list[np.ndarray]]:
    """Small gaps, and each digit's last stroke runs by a ligature into the next digit's first
    stroke: one stroke where the pen would not have lifted."""
    return _joined(records, rng, canvas)[0]


def _joined(records: Sequence[dict], rng: np.random.Generator, canvas: tuple[int, int]
            ) -> tuple[list[list[np.ndarray]], list[list[np.ndarray]]]:
    """:func:`joined`'s strokes and, per stroke, ``(n,) int`` which digit drew each point
    (-1: a ligature)."""
    digits = with_gaps(records, rng, canvas, JOINED_GAPS)
    owners = [[np.full(len(s), k) for s in d] for k, d in enumerate(digits)]
    h = float(np.median([np.ptp(np.concatenate(d)[:, 1]) for d in digits]))
    for k in range(len(digits) - 1, 0, -1):  # from the right: each join uses the next digit whole
        prev, cur = digits[k - 1], digits[k]
        lig = ligature(prev[-1][-1], cur[0][0], SAG * h)
        digits[k - 1] = prev[:-1] + [np.concatenate([prev[-1], lig, cur[0]])]
        owners[k - 1] = owners[k - 1][:-1] + [np.concatenate(
            [owners[k - 1][-1], np.full(len(lig), -1), owners[k][0]])]
        digits[k], owners[k] = cur[1:], owners[k][1:]
    return digits, owners


def lay_out_owned(records: Sequence[dict], rng: np.random.Generator,
                  canvas: tuple[int, int] = WIDE, how: str = "apart", brush: float = WIDE_BRUSH
                  ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """:func:`lay_out`'s strokes and, per stroke, ``(n,) int`` the digit (index into
    ``records``) each point belongs to, -1 for a ligature: the truth a segmentation is
    scored against."""
    if how == "joined":
        digits, owners = _joined(records, rng, canvas)
        return [s for d in digits for s in d], [o for d in owners for o in d]
    strokes = lay_out(records, rng, canvas, how, brush)
    counts = [len(r["strokes"]) for r in records]
    owner = np.repeat(np.arange(len(records)), counts)
    return strokes, [np.full(len(s), k) for s, k in zip(strokes, owner, strict=True)]


def lay_out(records: Sequence[dict], rng: np.random.Generator, canvas: tuple[int, int] = WIDE,
            how: str = "apart", brush: float = WIDE_BRUSH) -> list[np.ndarray]:
    """The digits' strokes laid out ``how`` (one of :data:`LAYOUTS`), all digits in order;
    ``brush``: the width they will be drawn with (how close touching inks are)."""
    if how == "apart":
        digits = with_gaps(records, rng, canvas, (0.1, 0.4))
    elif how == "touching":
        digits = touching(records, rng, canvas, brush)
    elif how == "joined":
        digits = joined(records, rng, canvas)
    else:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {how!r}")
    return [s for d in digits for s in d]


def written(records: list[dict], n: int, how: str, seed: int = 1
            ) -> list[tuple[list[np.ndarray], str]]:
    """``n`` numbers (:func:`pick_numbers`) laid out ``how`` on the wide canvas, each with its
    own generator (number ``k``: seed ``k``), as ``(strokes, the digits' labels as text)``."""
    return [(lay_out(number, np.random.default_rng(k), WIDE, how),
             "".join(str(r["label"]) for r in number))
            for k, number in enumerate(pick_numbers(records, n, seed))]


def pick_numbers(records: list[dict], n: int, seed: int = 0) -> list[list[dict]]:
    """``n`` numbers of 2-6 different pen-drawn digits, each by one writer (at most as many
    digits as that writer drew; writers of one digit are left out)."""
    rng = np.random.default_rng(seed)
    by_writer: dict[int, list[int]] = {}
    for i, r in enumerate(records):
        by_writer.setdefault(r.get("writer", 0), []).append(i)
    pools = [by_writer[w] for w in sorted(by_writer) if len(by_writer[w]) >= 2]
    out = []
    for _ in range(n):
        pool = pools[rng.integers(len(pools))]
        size = int(rng.integers(2, min(6, len(pool)) + 1))  # the same draws as 2-6 for pools >= 6
        out.append([records[i] for i in rng.choice(pool, size, replace=False)])
    return out
