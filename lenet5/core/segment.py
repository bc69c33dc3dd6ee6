"""Whole numbers: the strokes of a wide canvas grouped into digits, each read on its own.

A digit can take several strokes (a 4, a 5 with a separate bar, a crossed 7), and people write
digits left to right with a little space between them. So strokes whose ink crosses are one
digit; then groups whose horizontal extents overlap by at least ``MIN_OVERLAP`` of the
narrower one merge, and a short fragment (the down-stroke of a 4 written beside its L) joins
its nearest neighbour. Digits are read left to right; each is drawn alone, as the canvas drew
it, and goes through the same MNIST-style preprocessing and network as a single digit.
How well: ``python -m lenet5.number`` (:mod:`lenet5.eval.whole_numbers`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lenet5.core.cuts import Piece, pieces
from lenet5.core.paths import WEIGHTS, Weights, best_paths, digit_scores, runs
from lenet5.core.predictor import Reading
from lenet5.core.preprocess import Preprocessed
from lenet5.core.reader import Reader, read_all
from lenet5.core.strokes import drawn, render

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


@dataclass(frozen=True)
class Found:
    """One digit found in a number: its ``box`` on the canvas (``(x0, y0, x1, y1)`` px), its
    preprocessing and, when readable, its ``reading`` (probabilities only)."""

    box: tuple[float, float, float, float]
    pre: Preprocessed
    reading: Reading | None

    @property
    def value(self) -> int | None:
        return None if self.reading is None else self.reading.digit

    @property
    def confidence(self) -> float:
        return 0.0 if self.reading is None else self.reading.confidence


MAX_DIGITS = 12  # digits read in one number, at most (the page says so past them)
SKIP_LENGTH = 1.2  # a mid-stroke piece shorter than this (of the height) may be a ligature


@dataclass(frozen=True)
class Number:
    """A number read: its ``digits`` left to right; ``cuts``, the ``(x, y)`` canvas points
    where the chosen segmentation cut a pen path or between strokes of one group; ``candidates``,
    every cut it considered; ``alternative``, a close segmentation that reads differently, as
    ``(text, how many times less likely)``, or None; ``note``: what was left unread, if any."""

    digits: list[Found]
    cuts: list[tuple[float, float]]
    candidates: list[tuple[float, float]]
    alternative: tuple[str, float] | None = None
    note: str = ""

    @property
    def text(self) -> str:
        return text(self.digits)


@dataclass
class _Group:
    strokes: list[np.ndarray]
    brush: float
    pieces: list[Piece]
    spans: list[tuple[int, int]]
    first: int  # its first candidate's row in the batch


def _plan(strokes: Sequence[np.ndarray], widths: Sequence[float], height: float,
          idx: list[int]) -> _Group:
    own = [strokes[i] for i in idx]
    pcs = pieces(own, height)
    return _Group(own, max(widths[i] for i in idx), pcs, runs(len(pcs)), 0)


@dataclass(frozen=True)
class Candidates:
    """Every candidate digit of a number, read: the groups' plans, and per candidate its
    preprocessing, ``(N, 10)`` probabilities (NaN rows: nothing to read), canvas box and
    ``(N, 2)`` ink width and height over the row's ``height`` (px), and ``(N,)`` how far its
    pen path rose from its first point to its last, of the height."""

    plans: list[_Group]
    pre: list[Preprocessed]
    probs: np.ndarray
    boxes: list[tuple]
    sizes: np.ndarray
    rises: np.ndarray
    height: float
    note: str


def _drawn_candidates(g: _Group) -> list[tuple[np.ndarray, tuple]]:
    """Every candidate of a group drawn alone, as :func:`render_digit` draws it: ``(H, W)
    uint8`` ink and its canvas box. Each piece is drawn once on the group's canvas and a
    candidate is the brightest of its pieces' layers (white ink over black: what painting
    them together gives), cropped: a few pieces drawn, not every candidate."""
    pad = g.brush / 2 + 2
    pts = np.concatenate([ln for p in g.pieces for ln in p.lines])
    origin = pts.min(0) - pad
    size = tuple(int(v) for v in np.ceil(pts.max(0) + pad - origin)[::-1])
    layers = np.stack([drawn([ln - origin for ln in p.lines], size,
                             max(1, round(g.brush)))[-1] for p in g.pieces])
    out = []
    for i, j in g.spans:
        own = np.concatenate([ln for p in g.pieces[i:j] for ln in p.lines])
        lo, hi = own.min(0) - pad, own.max(0) + pad
        x0, y0 = np.floor(lo - origin).astype(int)
        x1, y1 = np.ceil(hi - origin).astype(int)
        ink = layers[i:j, y0:y1, x0:x1].max(0)
        out.append((ink, (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))))
    return out


def candidates(strokes: Sequence[np.ndarray], widths: Sequence[float], reader: Reader,
               max_digits: int = MAX_DIGITS) -> Candidates:
    """Group strokes into digits, cut each group into pieces and read every run of pieces of
    every group in one batch."""
    groups = group(strokes, widths)
    note = ""
    if len(groups) > max_digits:
        note = f"Only the first {max_digits} digits are read."
        groups = groups[:max_digits]
    height = float(np.median([np.ptp(np.concatenate([strokes[i] for i in g])[:, 1])
                              for g in groups]) + np.median(widths)) if groups else 1.0
    plans, images, boxes, rises = [], [], [], []
    for idx in groups:
        g = _plan(strokes, widths, height, idx)
        g.first = len(images)
        drawn = _drawn_candidates(g)
        plans.append(g)
        images += [d[0] for d in drawn]
        boxes += [d[1] for d in drawn]
        rises += [g.pieces[i].lines[0][0, 1] - g.pieces[j - 1].end[1] for i, j in g.spans]
    pre, probs = read_all(images, reader)
    # a box is the ink's extent plus 2 px of margin each side (render_digit)
    sizes = np.array([[b[2] - b[0] - 4, b[3] - b[1] - 4] for b in boxes]).reshape(-1, 2)
    return Candidates(plans, pre, probs, boxes, sizes / height, np.array(rises) / height,
                      height, note)


def read_segmented(strokes: Sequence[np.ndarray], widths: Sequence[float], reader: Reader,
                   weights: Weights = WEIGHTS, max_digits: int = MAX_DIGITS) -> Number:
    """The number's digits: strokes grouped, groups that may hold several digits (too wide
    for one, or the net unsure) over-segmented, every candidate read in one batch, each
    group's best path chosen (:mod:`lenet5.core.paths`)."""
    return choose(candidates(strokes, widths, reader, max_digits), weights, max_digits)


def choose(c: Candidates, weights: Weights = WEIGHTS, max_digits: int = MAX_DIGITS) -> Number:
    """Each group read by its best path (one digit, or several); the closest other path that
    reads differently is the alternative. A group no path reads is one digit, unread. The
    priors choose where to cut; each digit shows the net's own reading (its likeliest)."""
    pre, probs, boxes, height, note = c.pre, c.probs, c.boxes, c.height, c.note
    scores, reads = digit_scores(probs, c.sizes, c.rises, weights)
    digits, cuts, cands, alts = [], [], [], []
    for g in c.plans:
        rows = range(g.first, g.first + len(g.spans))
        cands += [tuple(p.end) for p in g.pieces[:-1]]
        skippable = [not p.lifted_before and not p.lifted and p.length < SKIP_LENGTH * height
                     for p in g.pieces]
        start = [g.pieces[i] for i, _ in g.spans]
        fresh = np.array([i > 0 and p.overlap_before < MIN_OVERLAP
                          for (i, _), p in zip(g.spans, start, strict=True)])
        cut = np.array([not p.lifted_before for p in start])
        paths = best_paths(
            len(g.pieces), g.spans,
            scores[list(rows)] + weights.lift * fresh - weights.mid_stroke * cut,
            [int(reads[r]) for r in rows], skippable, weights)
        chosen = [(0, len(g.pieces))] if not paths else list(paths[0].spans)
        if len(paths) > 1:
            alts.append((paths[0].score - paths[1].score, len(digits), len(chosen),
                         paths[1].text))
        for i, j in chosen:
            r = g.first + g.spans.index((i, j))
            digits.append(Found(boxes[r], pre[r], Reading(probs[r]) if pre[r].ok else None))
        cuts += [tuple(g.pieces[j - 1].end) for _, j in chosen[:-1]]
    if len(digits) > max_digits:
        note, digits = f"Only the first {max_digits} digits are read.", digits[:max_digits]
    return Number(digits, cuts, cands, _alternative(digits, alts), note)


def _alternative(digits: list[Found], alts: list) -> tuple[str, float] | None:
    """The closest other reading of the number: one group read its second way."""
    if not alts:
        return None
    gap, start, count, other = min(alts)
    read = text(digits)
    return read[:start] + other + read[start + count:], float(np.exp(gap))


def read_number(strokes: Sequence[np.ndarray], widths: Sequence[float],
                reader: Reader) -> list[Found]:
    """The digits of :func:`read_segmented`, left to right."""
    return read_segmented(strokes, widths, reader).digits


def text(digits: Sequence[Found]) -> str:
    """The number as read: one character per digit, ``?`` where nothing could be read."""
    return "".join("?" if d.value is None else str(d.value) for d in digits)
