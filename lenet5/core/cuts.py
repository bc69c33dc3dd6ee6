"""Where a group of strokes may be cut into digits: pen lifts, and points along a pen path.

Digits that touch, or that one pen path runs through, are one group of strokes
(:func:`lenet5.core.grouping.group`). People write digits one after another, so a digit is a run
of the group's ink in drawing order, and the places where one digit may end and the next begin
are: where the pen lifts (the next stroke), where the path turns back sharply (a cusp: the
bottom of a 7 turning into a ligature) and where it comes down and goes up again (a ligature's
valley), and in a stroke wide enough for several digits, where it runs alone between two
stretches of ink (a minimum of the vertical projection: the ligature between two digits). Every
place is a *cut candidate*; the ink between two cuts is a :class:`Piece`. Which
cuts are real the net decides (:mod:`lenet5.core.paths`). At most ``max_cuts`` per group: a
scribble of hundreds of strokes keeps the strongest (pen lifts first), so work stays bounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MAX_CUTS = 64  # cut candidates per group, at most
MAX_SAMPLES = 2_000  # resampled points per stroke, at most (a long scribble gets a longer step)
STEP = 0.04  # arc-length step of the resampled path, of the row's height
SPAN = 2  # steps before and after a point that give its directions in and out
CUSP = np.deg2rad(80)  # a turn sharper than this is a cusp
# A stroke wider than LONG heights may run through several digits (joined): there a gentler
# turn, LOOSE, may be where the pen left one digit for the next
LONG = 1.0
LOOSE = np.deg2rad(35)
VALLEY = 0.06  # a valley must be this deep (of the height) on both sides
LIFT = np.inf  # a pen lift's strength: always kept
BIN = 2.0  # px: the columns in which a pen path's passes are counted
PASSAGE = 4.0  # a passage's cuts' strength: kept before any cusp or valley
# in a stroke that long, where the path goes up and comes down again (a top: where a ligature
# rising from one digit's bottom turns into the next digit's first down-stroke)
TOPS = False
# in a stroke that long, a stretch of path this long (of the height) with no cut candidate gets
# evenly spaced ones (strength FILLED: the first dropped): a ligature may leave a digit smoothly
FILL = 0.5
FILLED = 0.5


@dataclass(frozen=True)
class Piece:
    """The ink between two cuts, in drawing order: ``lines``, ``(n, 2) float64`` canvas-pixel
    polylines (a pen lift between two starts a new one); ``lifted_before`` and ``lifted``:
    whether the cuts it starts and ends at are pen lifts (a piece that is all mid-stroke may be
    a ligature); ``overlap_before``: after a pen lift, how much the x ranges of the strokes
    either side of it overlap, of the narrower (1 otherwise: a 4's down-stroke overlaps its L
    wholly, the next digit's first stroke its neighbour's last one little)."""

    lines: tuple[np.ndarray, ...]
    lifted_before: bool
    lifted: bool
    overlap_before: float = 1.0

    @property
    def end(self) -> np.ndarray:
        return self.lines[-1][-1]

    @property
    def length(self) -> float:
        return float(sum(np.hypot(*np.diff(s, axis=0).T).sum() for s in self.lines))


def resample(points: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """``(n, 2)`` points -> points every ``step`` px of arc length ``(m, 2)``, ``m`` at most
    :data:`MAX_SAMPLES`, and for each the index of the original point before it (where a cut
    there falls)."""
    seg = np.hypot(*np.diff(points, axis=0).T)
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    step = max(step, arc[-1] / MAX_SAMPLES)
    if arc[-1] < step:
        return points[:1], np.zeros(1, int)
    at = np.arange(0.0, arc[-1], step)
    q = np.stack([np.interp(at, arc, points[:, 0]), np.interp(at, arc, points[:, 1])], 1)
    return q, np.clip(np.searchsorted(arc, at, side="right") - 1, 0, len(points) - 1)


def turns(q: np.ndarray, span: int = SPAN) -> np.ndarray:
    """``(m,)`` the angle, radians in [0, pi], between each resampled point's direction in and
    out (``span`` steps each way); 0 near the ends."""
    out = np.zeros(len(q))
    if len(q) <= 2 * span:
        return out
    d_in, d_out = q[span:-span] - q[:-2 * span], q[2 * span:] - q[span:-span]
    cos = (d_in * d_out).sum(1) / np.maximum(
        np.hypot(*d_in.T) * np.hypot(*d_out.T), 1e-9)
    out[span:-span] = np.arccos(np.clip(cos, -1, 1))
    return out


def valleys(q: np.ndarray, depth: float, span: int = SPAN) -> np.ndarray:
    """``(m,)`` how deep each resampled point is the bottom of a valley (y down: the path came
    down to it and goes up after, by at least ``depth`` px both ways within ``3 * span`` steps);
    0 elsewhere."""
    w, out = 3 * span, np.zeros(len(q))
    if len(q) <= 2 * w:
        return out
    win = np.lib.stride_tricks.sliding_window_view(q[:, 1], 2 * w + 1)  # centred on w..m-w
    y = win[:, w]
    rise = np.minimum(y - win[:, :w].min(1), y - win[:, w + 1:].min(1))
    out[w:-w] = np.where((y >= win.max(1)) & (rise >= depth), rise, 0.0)
    return out


def passes(q: np.ndarray, bin_px: float = BIN) -> tuple[np.ndarray, np.ndarray]:
    """How many times a path ``(m, 2)`` passes through each column ``bin_px`` wide:
    ``(columns,) int`` counts and ``(m,) int`` each point's column."""
    col = np.floor((q[:, 0] - q[:, 0].min()) / bin_px).astype(int)
    lo, hi = np.minimum(col[:-1], col[1:]), np.maximum(col[:-1], col[1:])
    diff = np.zeros(col.max() + 2, int)
    np.add.at(diff, lo, 1)  # a segment covers the columns [lo, hi): a monotone path once each
    np.add.at(diff, hi, -1)
    return np.cumsum(diff)[:-1], col


def passage_cuts(q: np.ndarray) -> list[int]:
    """Where one pen path runs alone between two stretches of ink it passes through twice or
    more (the ligature from one digit into the next, seen in the vertical projection): the
    resampled indices where it enters such a passage, its middle and where it leaves."""
    count, col = passes(q)
    if len(count) < 3:
        return []
    alone = count == 1
    busy = np.flatnonzero(count >= 2)
    if not len(busy):
        return []
    out = []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], alone.astype(int), [0]])))
    for a, b in zip(edges[::2], edges[1::2], strict=True):  # columns [a, b) passed once
        if busy[0] < a and busy[-1] >= b:  # ink passed twice on both sides: between digits
            inside = np.flatnonzero((col >= a) & (col < b))
            runs = np.split(inside, np.flatnonzero(np.diff(inside) != 1) + 1)
            run = max(runs, key=lambda r: np.ptp(col[r]) if len(r) else -1)
            if len(run) >= 3 and np.ptp(col[run]) >= 0.6 * (b - a - 1):  # the pass itself
                out += [int(run[0]), int(run[len(run) // 2]), int(run[-1])]
    return out


def stroke_cuts(points: np.ndarray, height: float) -> list[tuple[int, float]]:
    """Cut candidates inside one stroke, ``(index into points, strength)``: cusps (strength:
    the turn, radians; gentler turns count in a stroke wider than :data:`LONG` heights),
    valleys (strength: 1 + depth of the height) and, in a stroke that wide, the ends and middle
    of the passages where it runs alone between digits (:data:`PASSAGE`)."""
    q, index = resample(points, max(1.0, STEP * height))
    cusp = LOOSE if np.ptp(points[:, 0]) > LONG * height else CUSP
    angle, dip = turns(q), valleys(q, VALLEY * height)
    peak = np.zeros(len(q), bool)
    if len(q) > 2 * SPAN:
        peak[SPAN:-SPAN] = angle[SPAN:-SPAN] == np.lib.stride_tricks.sliding_window_view(
            angle, 2 * SPAN + 1).max(1)
    strength = np.where(peak & (angle >= cusp), angle, 0.0)
    strength = np.maximum(strength, np.where(dip > 0, 1 + dip / height, 0.0))
    if TOPS and cusp == LOOSE:
        top = valleys(q * [1.0, -1.0], VALLEY * height)
        strength = np.maximum(strength, np.where(top > 0, 1 + top / height, 0.0))
    if cusp == LOOSE:
        strength[passage_cuts(q)] = PASSAGE
        strength = fill_gaps(strength, FILL * height / max(1.0, STEP * height))
    found: dict[int, float] = {}
    for i in np.flatnonzero(strength):
        j = int(index[i])
        if 0 < j < len(points) - 1:
            found[j] = max(found.get(j, 0.0), float(strength[i]))
    return sorted(found.items())


def fill_gaps(strength: np.ndarray, gap: float) -> np.ndarray:
    """``(m,)`` cut strengths along a resampled path with :data:`FILLED` ones added, evenly
    spaced, wherever more than ``gap`` steps pass without a cut (the path's ends count as cuts)."""
    if not np.isfinite(gap) or gap < 1 or len(strength) < 3:  # a step apart: nothing to fill
        return strength
    out = strength.copy()
    at = np.concatenate([[0], np.flatnonzero(strength), [len(strength) - 1]])
    for a, b in zip(at[:-1], at[1:], strict=True):
        extra = int((b - a) // gap)
        if extra:
            out[np.linspace(a, b, extra + 2)[1:-1].round().astype(int)] = FILLED
    return out


def pieces(strokes: Sequence[np.ndarray], height: float, max_cuts: int = MAX_CUTS
           ) -> list[Piece]:
    """One group's strokes (drawing order, ``(n, 2)`` canvas px) cut at its strongest
    ``max_cuts`` candidates into pieces, in drawing order. ``height``: the row's digit height,
    px (it scales what counts as a cusp's span or a valley's depth)."""
    cands = [(k, len(s) - 1, LIFT) for k, s in enumerate(strokes[:-1])]
    for k, s in enumerate(strokes):
        cands += [(k, i, strength) for i, strength in stroke_cuts(s, height)]
    kept = sorted(sorted(cands, key=lambda c: -c[2])[:max_cuts])
    out, lines, lifted_before, start, overlap = [], [], True, 0, 1.0
    for k, s in enumerate(strokes):
        ends = [(i, c == LIFT) for kk, i, c in kept if kk == k]
        for i, lift in ends:
            lines.append(s[start:i + 1])
            out.append(Piece(tuple(lines), lifted_before, lift, overlap))
            lines, lifted_before, start = [], lift, (0 if lift else i)
            overlap = x_overlap(s, strokes[k + 1]) if lift else 1.0
        if not ends or not ends[-1][1]:  # the stroke goes on into the next piece
            lines.append(s[start:])
            start = 0
    if lines:
        out.append(Piece(tuple(lines), lifted_before, True, overlap))
    return out


def x_overlap(a: np.ndarray, b: np.ndarray) -> float:
    """How much two strokes' x ranges overlap, of the narrower's (a point: 1 px wide)."""
    lo, hi = max(a[:, 0].min(), b[:, 0].min()), min(a[:, 0].max(), b[:, 0].max())
    return max(0.0, hi - lo) / max(1.0, min(np.ptp(a[:, 0]), np.ptp(b[:, 0])))
