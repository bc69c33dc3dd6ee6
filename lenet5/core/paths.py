"""The best way to read a group of pieces as digits: dynamic programming over cuts.

A group's ink is cut into pieces (:mod:`lenet5.core.cuts`); every run of 1 to :data:`MAX_RUN`
consecutive pieces is a candidate digit, read by the net in one batch. A path through the
group is a sequence of candidates that covers every piece once (a piece that is only the
ligature between two digits may be left unread, at a cost). Its score adds, per digit, the
log-probability of the digit read and a prior on its shape and pen path: a width outside the
range of that digit's (:data:`NARROWEST`, :data:`WIDEST`: a 1 is narrow, a 2 may be wide; two
digits read as one are often too wide), a height under :data:`SHORTEST` of the row's (a piece
of a digit), a 1 written upwards (a ligature), and a bonus for starting where the pen lifted
onto new ground (the next digit). A candidate reads as the digit whose probability and prior
score best together. The best paths (a few, each reading differently) come out, best first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_RUN = 10  # pieces in one candidate digit, at most
# Each digit's ink width, of the row's height: 1% and 99% quantiles of the single digits of
# 600 numbers written apart by the training writers (pen folds 1-4), 0 to 9. Two digits read as
# one are wider than one of them: the prior weighs the width the digit read may have.
NARROWEST = np.array([0.55, 0.20, 0.46, 0.43, 0.31, 0.51, 0.37, 0.42, 0.36, 0.39])
WIDEST = np.array([1.27, 0.99, 1.45, 0.98, 0.94, 1.26, 0.81, 1.09, 0.94, 1.07])
RISE = 0.5  # a 1 is written downwards: one whose pen path rises this much (of the height) is a
# ligature from the bottom of one digit to the top of the next, not a 1
SHORTEST = 0.85  # digits of one number are rarely shorter than this, of its height (1%: 0.91)
KEEP = 3  # readings kept at each node of the graph (the best and its alternatives)


@dataclass(frozen=True)
class Weights:
    """How the path score weighs a digit: ``bonus`` per digit read, ``wide`` per unit of
    width/height over :data:`WIDEST`, ``short`` per unit of height under :data:`SHORTEST`,
    ``skip`` per ligature piece left unread, ``rising_one`` for a 1 whose path goes up by
    :data:`RISE` of the height, ``lift`` for a digit that starts where the pen lifted and its
    first stroke overlaps the last one little in x (a new digit, not a 4's down-stroke), and
    ``mid_stroke`` against a digit that starts where a pen path was cut (most digits are
    written in strokes of their own: the pieces of an 8 each read like a 6); ``verify`` per
    unit of the verifier's log-probability that the candidate is one whole digit
    (:mod:`lenet5.core.verifier`)."""

    bonus: float = 1.0
    wide: float = 8.0
    short: float = 16.0
    skip: float = 1.0
    rising_one: float = 8.0
    lift: float = 1.0
    mid_stroke: float = 0.0
    verify: float = 2.0


WEIGHTS = Weights()  # chosen on the training writers' numbers, never the held-out ones
# (benchmarks/segment_weights.py, docs/numbers.md)
# Without a verifier (a Predictor, or a stale verifier.npz after retraining) nothing else says a
# piece of a stroke is no digit: cutting a pen path costs, and a digit more earns nothing.
UNVERIFIED = Weights(bonus=0.0, skip=0.5, mid_stroke=1.0, verify=0.0)


@dataclass(frozen=True)
class Path:
    """One reading of a group: ``spans``, the ``(first, end)`` piece ranges read as digits,
    in order; ``digits``, what each reads; ``score``, the path's log score."""

    spans: tuple[tuple[int, int], ...]
    digits: tuple[int, ...]
    score: float

    @property
    def text(self) -> str:
        return "".join(map(str, self.digits))


def runs(n: int, max_run: int = MAX_RUN) -> list[tuple[int, int]]:
    """Every ``(first, end)`` run of 1 to ``max_run`` consecutive pieces of ``n``, and the
    whole group (read as one digit whatever its size, for the first cue)."""
    out = [(i, j) for i in range(n) for j in range(i + 1, min(n, i + max_run) + 1)]
    return out if n <= max_run else out + [(0, n)]


def digit_scores(probs: np.ndarray, sizes: np.ndarray, rises: np.ndarray, w: Weights
                 ) -> tuple[np.ndarray, np.ndarray]:
    """``(N,)`` each candidate's score and ``(N,)`` the digit it reads: ``probs`` ``(N, 10)``
    (NaN rows: nothing to read, score ``-inf``), ``sizes`` ``(N, 2)`` its ink's width and
    height over the row's height, ``rises`` ``(N,)`` how far its pen path went up from its first
    point to its last, of the height. The digit maximises log-probability minus its prior."""
    width, height = sizes[:, :1], sizes[:, 1:]
    prior = (w.wide * (np.maximum(0, width - WIDEST) + np.maximum(0, NARROWEST - width))
             + w.short * np.maximum(0, SHORTEST - height))
    prior[:, 1] += w.rising_one * (rises >= RISE)
    with np.errstate(divide="ignore", invalid="ignore"):
        total = np.log(np.nan_to_num(probs, nan=0.0).clip(1e-12)) - prior
    digit = total.argmax(1)
    best = total[np.arange(len(total)), digit] + w.bonus
    return np.where(np.isnan(probs).any(1), -np.inf, best), digit


def best_paths(n: int, spans: list[tuple[int, int]], scores: np.ndarray, digits: list[int],
               skippable: list[bool], w: Weights, keep: int = KEEP) -> list[Path]:
    """The best paths over ``n`` pieces, at most ``keep``, reading differently, best first
    (empty when no path reads every piece). ``spans[c]``: candidate ``c``'s pieces, with its
    ``scores[c]`` and ``digits[c]``; ``skippable[i]``: piece ``i`` may be left unread."""
    into: list[list[int]] = [[] for _ in range(n + 1)]
    for c, (_, j) in enumerate(spans):
        if np.isfinite(scores[c]):
            into[j].append(c)
    best: list[list[Path]] = [[Path((), (), 0.0)]] + [[] for _ in range(n)]
    for j in range(1, n + 1):
        options = [Path(p.spans + (spans[c],), p.digits + (digits[c],), p.score + scores[c])
                   for c in into[j] for p in best[spans[c][0]]]
        if skippable[j - 1]:
            options += [Path(p.spans, p.digits, p.score - w.skip) for p in best[j - 1]]
        best[j] = _distinct(options, keep)
    return best[n]


def _distinct(options: list[Path], keep: int) -> list[Path]:
    """The ``keep`` best paths, one per reading."""
    out: dict[tuple[int, ...], Path] = {}
    for p in sorted(options, key=lambda p: -p.score):
        if p.digits not in out:
            out[p.digits] = p
            if len(out) == keep:
                break
    return list(out.values())
