"""New writers, simulated: pen strokes changed the way one person's hand differs from another's,
before they are drawn on the canvas.

Thirty writers show only thirty hands; a new person slants more, writes narrower, puts the bar
of a 4 or a 7 somewhere else, or closes loops smaller (docs/recognition.md shows whom the nets
misread). Each change here acts on the strokes, not on the image, so the drawing keeps one even
pen width as on the canvas:

- the whole digit: a rotation, a slant (x moves with the height), a change of aspect (width
  against height);
- each stroke of a digit of several strokes, on its own: a small shift, turn and scaling about
  its centre (where people lift the pen, the next stroke lands differently);
- an elastic distortion (after Simard et al. 2003, on the pen's points rather than on pixels): a
  smooth random displacement field, which grows or shrinks loops and bends strokes.

``strength`` scales every range at once (0: the strokes as written).

:func:`resize_loops` grows or shrinks each loop a pen path closes (the loop of a 9, the two of
an 8) on its own, wider or narrower, taller or flatter: people differ most there.

:func:`add_tails` is the Number page's part: where one pen path runs from digit to digit, the
segmentation cuts the path somewhere along the joining curve, and each digit arrives with a
piece of it: a lead-in before its first stroke, a lead-out after its last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Variety:
    """The ranges of the changes at ``strength`` 1; heights are the digit's own."""

    rotation_deg: float = 8.0  # whole digit, +-
    slant: float = 0.3  # x shift per unit of height, +-
    aspect: float = 0.2  # log of the width's scale, +-
    stroke_shift: float = 0.05  # each stroke, in heights, +- on each axis
    stroke_turn_deg: float = 8.0  # each stroke about its centre, +-
    stroke_scale: float = 0.1  # log of each stroke's scale, +-
    elastic: float = 0.06  # largest displacement of the field, in heights
    prob: float = 0.8  # share of drawings changed at all


def vary(strokes: Sequence, rng: np.random.Generator, strength: float = 1.0,
         ranges: Variety = Variety()) -> list[np.ndarray]:
    """``strokes`` (each ``(n, 2)`` points, any units, y either way) changed as another
    writer might have written them: a list of ``(n, 2) float64`` arrays, as many as given, the
    points in order. With ``strength`` 0, or for a drawing left alone (``1 - prob`` of
    them), the points unchanged."""
    pts = [np.asarray(s, np.float64).reshape(-1, 2) for s in strokes]
    if strength <= 0 or not pts or rng.random() >= ranges.prob:
        return pts
    allp = np.concatenate(pts)
    centre = (allp.min(0) + allp.max(0)) / 2
    height = max(float(np.ptp(allp[:, 1])), float(np.ptp(allp[:, 0])), 1e-9)
    m = _whole(rng, strength, ranges)
    pts = [(p - centre) @ m.T for p in pts]
    if len(pts) > 1:
        pts = [_stroke(p, height, rng, strength, ranges) for p in pts]
    field = _field(rng, height, strength * ranges.elastic)
    return [p + field(p) + centre for p in pts]


def _u(rng: np.random.Generator, half: float) -> float:
    return float(rng.uniform(-half, half))


def _rotation(deg: float) -> np.ndarray:
    t = np.deg2rad(deg)
    return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])


def _whole(rng: np.random.Generator, k: float, r: Variety) -> np.ndarray:
    """The ``(2, 2)`` change of the whole digit: a rotation, then a slant and a stretch."""
    m = _rotation(_u(rng, k * r.rotation_deg))
    return np.array([[np.exp(_u(rng, k * r.aspect)), _u(rng, k * r.slant)], [0.0, 1.0]]) @ m


def _stroke(p: np.ndarray, height: float, rng: np.random.Generator, k: float,
            r: Variety) -> np.ndarray:
    """One stroke moved on its own: turned and scaled about its centre, then shifted."""
    c = p.mean(0)
    m = _rotation(_u(rng, k * r.stroke_turn_deg)) * np.exp(_u(rng, k * r.stroke_scale))
    shift = np.array([_u(rng, k * r.stroke_shift), _u(rng, k * r.stroke_shift)]) * height
    return (p - c) @ m.T + c + shift


def _field(rng: np.random.Generator, height: float, amount: float):
    """A smooth displacement ``(n, 2) -> (n, 2)`` over the digit (centred coordinates): two
    random low-frequency waves per axis, the largest displacement ``amount * height``."""
    if amount <= 0:
        return lambda p: np.zeros_like(p)
    freq = rng.uniform(0.5, 1.5, (2, 2, 2)) * np.pi / height  # (axis, wave, x|y)
    phase = rng.uniform(0, 2 * np.pi, (2, 2))
    amp = rng.uniform(-1, 1, (2, 2)) * amount * height / 2

    def displace(p: np.ndarray) -> np.ndarray:
        waves = np.sin(p @ freq.transpose(0, 2, 1) + phase[:, None, :])  # (axis, n, wave)
        return (waves * amp[:, None, :]).sum(-1).T

    return displace


TAIL_REACH = (0.25, 0.7)  # the next digit's start: this much of the height to the right
TAIL_RISE = 0.6  # and up to this much of it higher or lower
TAIL_KEPT = (0.2, 0.6)  # the share of the joining curve left on the digit by the cut
TAIL_SAG = 0.15  # the curve sags this much of the height below its chord (as layouts.SAG)


def add_tails(strokes: Sequence, rng: np.random.Generator, prob: float) -> list[np.ndarray]:
    """``strokes`` (each ``(n, 2)`` points, y up as in the pen files) with, each with
    probability ``prob``, a lead-in joined to the first stroke's start (from a previous digit
    to the lower left or upper left) and a lead-out joined to the last stroke's end: pieces of
    a joining curve as a cut leaves them. A list of ``(n, 2) float64`` arrays, as many as given;
    every point given is kept, in order."""
    pts = [np.asarray(s, np.float64).reshape(-1, 2) for s in strokes]
    if prob <= 0 or not pts:
        return pts
    allp = np.concatenate(pts)
    height = max(float(np.ptp(allp[:, 1])), 1e-9)
    step = _spacing(pts, height)
    if rng.random() < prob:
        lead_in = _tail(pts[0][0], -1, height, step, rng)[::-1]
        pts[0] = np.vstack([lead_in, pts[0]])
    if rng.random() < prob:
        pts[-1] = np.vstack([pts[-1], _tail(pts[-1][-1], 1, height, step, rng)])
    return pts


def _spacing(pts: list[np.ndarray], height: float) -> float:
    """The median distance between neighbouring points (the pen's sampling), at least 1% of
    the height."""
    gaps = np.concatenate([np.hypot(*np.diff(p, axis=0).T) for p in pts if len(p) > 1] or [[0]])
    return max(float(np.median(gaps)), 0.01 * height)


def _tail(end: np.ndarray, side: int, height: float, step: float,
          rng: np.random.Generator) -> np.ndarray:
    """The points of a joining curve from ``end`` towards a digit on ``side`` (+1: right, -1:
    left), the first ``TAIL_KEPT`` share of it, ``end`` itself left out."""
    target = end + height * np.array([side * rng.uniform(*TAIL_REACH), _u(rng, TAIL_RISE)])
    control = (end + target) / 2 - (0, TAIL_SAG * height)  # y up: the sag is downwards
    kept = rng.uniform(*TAIL_KEPT)
    n = max(2, int(np.ceil(kept * np.hypot(*(target - end)) / step)) + 1)
    t = np.linspace(0, kept, n)[1:, None]
    return (1 - t) ** 2 * end + 2 * (1 - t) * t * control + t**2 * target


LOOP_SCALE = 0.35  # log of a loop's scale on each axis, +- (at strength 1)
LOOP_CLOSE = 0.15  # a path that comes back within this much of the height closes a loop
LOOP_RUN = 0.4  # after running at least this much of the height


def resize_loops(strokes: Sequence, rng: np.random.Generator, strength: float
                 ) -> list[np.ndarray]:
    """``strokes`` (each ``(n, 2)`` points, any units) with every loop (:func:`loops`) scaled
    about its centre, on each axis by ``exp(+-strength * LOOP_SCALE)``, the most in its middle
    and not at all where it closes (so the path stays whole). As many ``(n, 2) float64``
    arrays as given, each as long."""
    pts = [np.asarray(s, np.float64).reshape(-1, 2) for s in strokes]
    if strength <= 0 or not pts:
        return pts
    allp = np.concatenate(pts)
    height = max(float(np.ptp(allp[:, 1])), float(np.ptp(allp[:, 0])), 1e-9)
    out = []
    for p in pts:
        q = p.copy()
        for i, j in loops(p, height):
            scale = np.exp(rng.uniform(-1, 1, 2) * strength * LOOP_SCALE)
            loop = p[i : j + 1]
            centre = loop.mean(0)
            w = np.sin(np.linspace(0, np.pi, len(loop)))[:, None]
            q[i : j + 1] = loop + w * ((loop - centre) * scale + centre - loop)
        out.append(q)
    return out


def loops(p: np.ndarray, height: float) -> list[tuple[int, int]]:
    """The loops of one path ``(n, 2)``: ``(i, j)`` where it comes back within ``LOOP_CLOSE``
    of the height of point ``i`` at point ``j`` after running ``LOOP_RUN`` of it; left to
    right along the path, none overlapping."""
    if len(p) < 4:
        return []
    run = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(p, axis=0).T))])
    near = np.hypot(*(p[:, None] - p[None]).transpose(2, 0, 1)) <= LOOP_CLOSE * height
    closes = near & (run[None] - run[:, None] >= LOOP_RUN * height)
    found, i = [], 0
    while i < len(p):
        js = np.flatnonzero(closes[i])
        if js.size:
            found.append((i, int(js[0])))
            i = int(js[0])
        i += 1
    return found
