"""Whole numbers: the strokes of a wide canvas cut into digits, each read by the net.

Strokes are grouped first (:mod:`lenet5.core.grouping`: where digits are written apart, each
group is a digit). A group may hold several digits, touching or joined by one pen path, so it
is cut into pieces (:mod:`lenet5.core.cuts`); every run of pieces is drawn alone, as the canvas
drew it, and all are read in one batch, through the same MNIST-style preprocessing and network
as a single digit; the verifier says how much each looks like one whole digit
(:mod:`lenet5.core.verifier`), and the best path through the pieces is chosen
(:mod:`lenet5.core.paths`). How well: ``python -m lenet5.number``
(:mod:`lenet5.eval.whole_numbers`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lenet5.core import verifier as vf
from lenet5.core.cuts import Piece, pieces
from lenet5.core.grouping import MIN_OVERLAP, group
from lenet5.core.paths import UNVERIFIED, WEIGHTS, Weights, best_paths, digit_scores, runs
from lenet5.core.predictor import Predictor, Reading
from lenet5.core.preprocess import Preprocessed, preprocess
from lenet5.core.reader import Reader, read_all
from lenet5.core.strokes import drawn


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
# Which way of cutting and choosing reads numbers now: a report of numbers read (the
# cross-validation's) records it, so a page can tell figures measured another way.
SEGMENTATION = "2026-12-04: even cuts, 64 a group, the verifier trained on whole paths"
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
    preprocessing, ``(N, 10)`` probabilities (NaN rows: nothing to read), canvas box,
    ``(N, len(verifier.SHAPE))`` shape and pen path (``sizes``: its first two columns, the ink's
    width and height over the row's ``height``, px; ``rises``: its third, how far its pen path
    rose from its first point to its last), the verifier's ``inputs`` ``(N, F)`` (None without
    the net's features) and ``(N,)`` ``verdicts``, its log-probability that each is one whole
    digit (None without a verifier)."""

    plans: list[_Group]
    pre: list[Preprocessed]
    probs: np.ndarray
    boxes: list[tuple]
    shape: np.ndarray
    inputs: np.ndarray | None
    verdicts: np.ndarray | None
    height: float
    note: str

    @property
    def sizes(self) -> np.ndarray:
        return self.shape[:, :2]

    @property
    def rises(self) -> np.ndarray:
        return self.shape[:, 2]


def _shape(g: _Group, box: tuple, span: tuple[int, int], height: float) -> list[float]:
    """One candidate's row of :data:`lenet5.core.verifier.SHAPE`: lengths of the height,
    where its pen path starts and ends of its box."""
    own = g.pieces[span[0]:span[1]]
    first, last = own[0], own[-1]
    pad = 4  # a box is the ink's extent plus 2 px of margin each side (as paths' priors)
    lo, size = np.array(box[:2]), np.maximum(np.array(box[2:]) - box[:2], 1.0)
    start, end = (first.lines[0][0] - lo) / size, (last.end - lo) / size
    return [(box[2] - box[0] - pad) / height, (box[3] - box[1] - pad) / height,
            (first.lines[0][0, 1] - last.end[1]) / height, float(first.lifted_before),
            float(last.lifted), first.overlap_before, float(len(own)),
            float(sum(p.lifted for p in own[:-1])), sum(p.length for p in own) / height,
            *start, *end]


def read_candidates(images: list[np.ndarray], reader: Reader | Predictor
                    ) -> tuple[list[Preprocessed], np.ndarray, np.ndarray | None]:
    """Like :func:`lenet5.core.reader.read_all`, and with a :class:`Reader` also the same
    pass's ``(N, 84)`` F6 features the verifier reads (NaN rows: nothing to read)."""
    if not isinstance(reader, Reader):
        return (*read_all(images, reader), None)
    pre = [preprocess(image, dark_background=True) for image in images]
    probs = np.full((len(pre), 10), np.nan, np.float32)
    maps = None
    ok = [k for k, p in enumerate(pre) if p.ok]
    if ok:
        got, f6 = reader.probabilities_and(np.stack([pre[k].image for k in ok]), vf.LAYER)
        probs[ok] = got
        maps = np.full((len(pre), f6.shape[1]), np.nan, np.float32)
        maps[ok] = f6
    return pre, probs, maps


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


def candidates(strokes: Sequence[np.ndarray], widths: Sequence[float],
               reader: Reader | Predictor, max_digits: int = MAX_DIGITS) -> Candidates:
    """Group strokes into digits, cut each group into pieces and read every run of pieces of
    every group in one batch."""
    groups = group(strokes, widths)
    note = ""
    if len(groups) > max_digits:
        note = f"Only the first {max_digits} digits are read."
        groups = groups[:max_digits]
    height = float(np.median([np.ptp(np.concatenate([strokes[i] for i in g])[:, 1])
                              for g in groups]) + np.median(widths)) if groups else 1.0
    plans, images, boxes, shape = [], [], [], []
    for idx in groups:
        g = _plan(strokes, widths, height, idx)
        g.first = len(images)
        drawn = _drawn_candidates(g)
        plans.append(g)
        images += [d[0] for d in drawn]
        boxes += [d[1] for d in drawn]
        shape += [_shape(g, d[1], span, height) for d, span in zip(drawn, g.spans, strict=True)]
    pre, probs, maps = read_candidates(images, reader)
    shape = np.array(shape, np.float64).reshape(-1, len(vf.SHAPE))
    inputs = None if maps is None else vf.features(maps, probs, shape)
    verdicts = None
    verifier = getattr(reader, "verifier", None)
    if verifier is not None and inputs is not None:
        with np.errstate(invalid="ignore"):
            verdicts = np.nan_to_num(verifier.log_one_digit(inputs), nan=0.0)
    return Candidates(plans, pre, probs, boxes, shape, inputs, verdicts, height, note)


def may_skip(piece: Piece, height: float) -> bool:
    """Whether a path may leave ``piece`` unread: mid-stroke at both ends and shorter than
    :data:`SKIP_LENGTH` row heights (``height``, px), so perhaps a ligature."""
    return not piece.lifted_before and not piece.lifted and piece.length < SKIP_LENGTH * height


def read_segmented(strokes: Sequence[np.ndarray], widths: Sequence[float], reader: Reader,
                   weights: Weights | None = None, max_digits: int = MAX_DIGITS) -> Number:
    """The number's digits: strokes grouped, groups that may hold several digits (too wide
    for one, or the net unsure) over-segmented, every candidate read in one batch, each
    group's best path chosen (:mod:`lenet5.core.paths`)."""
    return choose(candidates(strokes, widths, reader, max_digits), weights, max_digits)


@dataclass(frozen=True)
class Graph:
    """One group's segmentation graph: its candidates' ``rows`` in the batch, ``(len(rows),)``
    their ``scores`` before the verifier (``-inf``: unreadable), the digit each ``reads``, and
    which pieces are ``skippable``."""

    rows: range
    scores: np.ndarray
    reads: list[int]
    skippable: list[bool]


def graphs(c: Candidates, weights: Weights) -> list[Graph]:
    """Each group's :class:`Graph`: every candidate scored by its digit's probability and prior
    (:func:`lenet5.core.paths.digit_scores`), the lift bonus and the mid-stroke cost."""
    scores, reads = digit_scores(c.probs, c.sizes, c.rises, weights)
    out = []
    for g in c.plans:
        rows = range(g.first, g.first + len(g.spans))
        start = [g.pieces[i] for i, _ in g.spans]
        fresh = np.array([i > 0 and p.overlap_before < MIN_OVERLAP
                          for (i, _), p in zip(g.spans, start, strict=True)])
        cut = np.array([not p.lifted_before for p in start])
        out.append(Graph(rows, scores[list(rows)] + weights.lift * fresh
                         - weights.mid_stroke * cut, [int(reads[r]) for r in rows],
                         [may_skip(p, c.height) for p in g.pieces]))
    return out


def choose(c: Candidates, weights: Weights | None = None, max_digits: int = MAX_DIGITS
           ) -> Number:
    """Each group read by its best path (one digit, or several); the closest other path that
    reads differently is the alternative. A group no path reads is one digit, unread. The
    priors choose where to cut; each digit shows the net's own reading (its likeliest). The
    default weights are :data:`WEIGHTS` with the verifier's verdicts, else :data:`UNVERIFIED`."""
    if weights is None:
        weights = UNVERIFIED if c.verdicts is None else WEIGHTS
    pre, probs, boxes, note = c.pre, c.probs, c.boxes, c.note
    digits, cuts, cands, alts = [], [], [], []
    for g, graph in zip(c.plans, graphs(c, weights), strict=True):
        cands += [tuple(p.end) for p in g.pieces[:-1]]
        scores = graph.scores
        if c.verdicts is not None:
            scores = scores + weights.verify * c.verdicts[list(graph.rows)]
        paths = best_paths(len(g.pieces), g.spans, scores, graph.reads, graph.skippable,
                           weights)
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
