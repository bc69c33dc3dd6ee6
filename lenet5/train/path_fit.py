"""Teach the verifier to choose whole readings, not only whole digits: training on the graph.

The verifier (:mod:`lenet5.core.verifier`) is first fitted candidate by candidate: is this one
whole digit? But a number is read by the best *path* (:func:`lenet5.core.segment.choose`), and
a candidate that is nearly a digit costs nothing if nothing better covers its pieces. LeCun et
al. (1998, section VI, "discriminative forward training") trained the recogniser on the whole
segmentation graph instead: raise the total score of the paths that spell the truth against
that of all paths. Here the same is done for the verifier alone, the net unchanged: the loss of
a number is ``log Z(all paths) - log Z(paths reading the truth)``, each path's score the sum of
its candidates' scores as the page adds them, computed by the forward algorithm in log space;
its gradient for a candidate's score is how much more often it lies on any path than on a right
one (the two posterior marginals). The candidate-by-candidate loss is kept beside it, so the
verdicts stay probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lenet5.core import verifier as vf
from lenet5.core.paths import Weights
from lenet5.core.segment import Candidates, graphs


@dataclass(frozen=True)
class Lattice:
    """A number's segmentation graph over its ``nodes`` piece boundaries (its groups' pieces
    one after another): per edge (candidate) its ``start`` and ``end`` node, the digit it
    ``reads``, its ``base`` score (all but the verifier's) and its ``row`` of verifier inputs;
    ``skips``, the nodes ``i`` whose piece ``(i, i + 1)`` may be left unread, at ``skip``."""

    nodes: int
    start: np.ndarray
    end: np.ndarray
    reads: np.ndarray
    base: np.ndarray
    row: np.ndarray
    skips: np.ndarray
    skip: float


def lattice(c: Candidates, w: Weights) -> Lattice:
    """``c``'s groups' graphs (:func:`lenet5.core.segment.graphs`) as one :class:`Lattice`;
    unreadable candidates (score ``-inf``) are left out."""
    start, end, reads, base, rows, skips, at = [], [], [], [], [], [], 0
    for g, graph in zip(c.plans, graphs(c, w), strict=True):
        for k, (i, j) in enumerate(g.spans):
            if np.isfinite(graph.scores[k]) and not np.isnan(c.inputs[graph.rows[k]]).any():
                start.append(at + i)
                end.append(at + j)
                reads.append(graph.reads[k])
                base.append(graph.scores[k])
                rows.append(graph.rows[k])
        skips += [at + i for i, s in enumerate(graph.skippable) if s]
        at += len(g.pieces)
    ints = [np.array(v, int) for v in (start, end, reads)]
    return Lattice(at + 1, *ints, np.array(base, np.float64), np.array(rows, int),
                   np.array(skips, int), w.skip)


def _lse(a: np.ndarray, axis: int = 0) -> np.ndarray:
    top = np.max(a, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.squeeze(np.log(np.exp(a - top).sum(axis, keepdims=True)) + top, axis)


def marginals(lat: Lattice, scores: np.ndarray, truth: Sequence[int] | None = None
              ) -> tuple[float, np.ndarray]:
    """``log Z`` of the paths through ``lat`` with edge ``scores`` ``(E,)`` (only those that
    spell ``truth``, if given) and each edge's posterior probability of lying on one ``(E,)``.
    ``log Z`` is ``-inf`` when no path does."""
    t = np.arange(1) if truth is None else np.asarray(truth, int)
    states = len(t) + 1 if truth is not None else 1
    # an edge moves from (start, k) to (end, k + 1) where it reads truth[k]; any k without truth
    ok = (np.ones((len(scores), 1), bool) if truth is None
          else lat.reads[:, None] == t[None, :])
    step = 0 if truth is None else 1
    gain = np.where(ok, scores[:, None], -np.inf)  # (E, states - step or 1)
    alpha = np.full((lat.nodes, states), -np.inf)
    alpha[0, 0] = 0.0
    beta = np.full((lat.nodes, states), -np.inf)
    beta[-1, -1] = 0.0
    skip = np.zeros(lat.nodes, bool)
    skip[lat.skips] = True
    into = [np.flatnonzero(lat.end == j) for j in range(lat.nodes)]
    out_of = [np.flatnonzero(lat.start == i) for i in range(lat.nodes)]
    width = states - step
    for j in range(1, lat.nodes):
        e = into[j]
        if len(e):
            came = alpha[lat.start[e], :width] + gain[e]
            alpha[j, step:] = np.logaddexp(alpha[j, step:], _lse(came))
        if skip[j - 1]:
            alpha[j] = np.logaddexp(alpha[j], alpha[j - 1] - lat.skip)
    for i in range(lat.nodes - 2, -1, -1):
        e = out_of[i]
        if len(e):
            went = beta[lat.end[e], step:] + gain[e]
            beta[i, :width] = np.logaddexp(beta[i, :width], _lse(went))
        if skip[i]:
            beta[i] = np.logaddexp(beta[i], beta[i + 1] - lat.skip)
    log_z = float(alpha[-1, -1])
    if not np.isfinite(log_z):
        return log_z, np.zeros(len(scores))
    on = alpha[lat.start, :width] + gain + beta[lat.end, step:]
    return log_z, np.exp(_lse(on, axis=1) - log_z)


def path_gradient(lat: Lattice, scores: np.ndarray, truth: Sequence[int]
                  ) -> tuple[float, np.ndarray] | None:
    """The loss ``log Z - log Z(truth)`` and its gradient ``(E,)`` for the edge scores, or
    None when no path spells the truth (nothing to learn from this number)."""
    right_z, right = marginals(lat, scores, truth)
    if not np.isfinite(right_z):
        return None
    z, every = marginals(lat, scores)
    return z - right_z, every - right


def verifier_gradient(v: vf.Verifier, x: np.ndarray, d_verdict: np.ndarray
                      ) -> list[np.ndarray]:
    """Gradients for ``[w1, b1, w2, b2]`` of ``sum(d_verdict * log_one_digit(x))``."""
    z = (x - v.mean) / v.scale
    pre = z @ v.w1 + v.b1
    hidden = np.maximum(pre, 0.0)
    odds = hidden @ v.w2 + v.b2
    d_odds = d_verdict / (1.0 + np.exp(np.clip(odds, -50, 50)))  # d log sigmoid = sigmoid(-z)
    d_hidden = np.outer(d_odds, v.w2) * (pre > 0)
    return [z.T @ d_hidden, d_hidden.sum(0), hidden.T @ d_odds, np.asarray(d_odds.sum())]


def fit_paths(v: vf.Verifier, numbers: Sequence[tuple[Candidates, Sequence[int]]], w: Weights,
              x: np.ndarray, y: np.ndarray, epochs: int = 4, rate: float = 3e-4,
              batch: int = 8, seed: int = 0) -> vf.Verifier:
    """``v`` fine-tuned by Adam on the paths of ``numbers`` (their candidates and each
    digit's truth), plus the candidate-by-candidate loss on ``(N, F)`` inputs ``x`` with
    ``(N,)`` 0/1 labels ``y``, a mini-batch of 256 of them per step."""
    rng = np.random.default_rng(seed)
    lats = [(lattice(c, w), c.inputs, list(t)) for c, t in numbers]
    params = [v.w1.copy(), v.b1.copy(), v.w2.copy(), np.asarray(v.b2, np.float64).copy()]
    moments = [(np.zeros_like(q), np.zeros_like(q)) for q in params]
    z_all, step = (x - v.mean) / v.scale, 0
    for _ in range(epochs):
        order = rng.permutation(len(lats))
        for chunk in np.array_split(order, max(1, len(order) // batch)):
            cur = vf.Verifier(v.mean, v.scale, *params[:3], float(params[3]), v.model_sha256)
            grads = [np.zeros_like(q) for q in params]
            for k in chunk:
                lat, inputs, truth = lats[k]
                if not len(lat.row):
                    continue
                xs = inputs[lat.row]
                got = path_gradient(lat, lat.base + w.verify * cur.log_one_digit(xs), truth)
                if got is None:
                    continue
                for g, d in zip(grads, verifier_gradient(cur, xs, w.verify * got[1]),
                                strict=True):
                    g += d / len(chunk)
            rows = rng.integers(0, len(z_all), 256)
            for g, d in zip(grads, candidate_gradients(params, z_all[rows], y[rows]), strict=True):
                g += d
            step += 1
            adam_step(params, grads, moments, step, rate)
    return vf.Verifier(v.mean, v.scale, *params[:3], float(params[3]), v.model_sha256)


L2 = 1e-4  # weight decay of the candidate-by-candidate loss


def adam_step(params: list[np.ndarray], grads: list[np.ndarray],
              moments: list[tuple[np.ndarray, np.ndarray]], step: int, rate: float) -> None:
    """One Adam update of ``params`` in place (``moments``: each one's running mean and mean
    square, updated too; ``step`` counts from 1)."""
    for q, g, (m, s) in zip(params, grads, moments, strict=True):
        m[...] = 0.9 * m + 0.1 * g
        s[...] = 0.999 * s + 0.001 * g * g
        q -= rate * (m / (1 - 0.9**step)) / (np.sqrt(s / (1 - 0.999**step)) + 1e-8)


def candidate_gradients(params: list[np.ndarray], z: np.ndarray, y: np.ndarray
                        ) -> list[np.ndarray]:
    """The verifier's mean cross-entropy gradients (plus :data:`L2` on the weights) for one
    batch of standardised inputs ``z`` ``(B, F)`` and 0/1 labels ``y`` ``(B,)``; ``params``:
    ``[w1, b1, w2, b2]``."""
    w1, b1, w2, b2 = params
    pre = z @ w1 + b1
    hidden = np.maximum(pre, 0.0)
    p = 1 / (1 + np.exp(-(hidden @ w2 + b2)))
    d_out = (p - y) / len(y)
    d_hidden = np.outer(d_out, w2) * (pre > 0)
    return [z.T @ d_hidden + L2 * w1, d_hidden.sum(0), hidden.T @ d_out + L2 * w2,
            np.asarray(d_out.sum())]
