"""The verifier's training on whole paths (lenet5.train.path_fit): the forward algorithm
against every path enumerated, its gradients against finite differences, and a fit on real
numbers that makes the right readings likelier."""

import itertools
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lenet5.core import verifier as vf
from lenet5.core.artifacts import models_dir
from lenet5.core.paths import WEIGHTS
from lenet5.core.reader import Reader
from lenet5.eval.browser import pen_samples
from lenet5.train import path_fit as pf
from lenet5.train import verifier as tv


def random_lattice(seed: int, nodes: int) -> pf.Lattice:
    rng = np.random.default_rng(seed)
    edges = [(i, j) for i in range(nodes - 1) for j in range(i + 1, min(nodes, i + 4))
             if rng.random() < 0.7]
    start, end = (np.array([e[k] for e in edges], int) for k in (0, 1))
    skips = np.array([i for i in range(nodes - 1) if rng.random() < 0.3], int)
    return pf.Lattice(nodes, start, end, rng.integers(0, 3, len(edges)),
                      rng.normal(0, 1, len(edges)), np.arange(len(edges)), skips, 0.7)


def every_path(lat: pf.Lattice):
    """Each path from node 0 to the last: (edges on it, skips on it), by brute force."""
    def walk(node):
        if node == lat.nodes - 1:
            yield (), 0
            return
        for e in np.flatnonzero(lat.start == node):
            for rest, skips in walk(int(lat.end[e])):
                yield (int(e),) + rest, skips
        if node in lat.skips:
            for rest, skips in walk(node + 1):
                yield rest, skips + 1
    return list(walk(0))


def reference(lat, scores, truth=None):
    found = [(edges, scores[list(edges)].sum() - lat.skip * skips)
             for edges, skips in every_path(lat)
             if truth is None or [int(lat.reads[e]) for e in edges] == list(truth)]
    if not found:
        return -np.inf, np.zeros(len(scores))
    log_z = np.logaddexp.reduce([s for _, s in found])
    on = np.zeros(len(scores))
    for edges, s in found:
        on[list(edges)] += np.exp(s - log_z)
    return log_z, on


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 7),
       st.one_of(st.none(), st.lists(st.integers(0, 2), min_size=1, max_size=4)))
def test_forward_algorithm_matches_every_path_enumerated(seed, nodes, truth):
    lat = random_lattice(seed, nodes)
    log_z, on = pf.marginals(lat, lat.base, truth)
    want_z, want_on = reference(lat, lat.base, truth)
    if not np.isfinite(want_z):
        assert not np.isfinite(log_z)
        return
    assert log_z == pytest.approx(want_z, abs=1e-9)
    np.testing.assert_allclose(on, want_on, atol=1e-9)


def test_path_gradient_matches_finite_differences():
    for seed in range(40):
        lat = random_lattice(seed, 7)
        truth = [int(lat.reads[e]) for e in every_path(lat)[0][0]] if every_path(lat) else []
        got = pf.path_gradient(lat, lat.base, truth)
        if got is None or not len(lat.base):
            continue
        loss, grad = got
        assert loss >= -1e-12  # the right paths are some of all paths
        for e in range(len(lat.base)):
            step = np.zeros(len(lat.base))
            step[e] = 1e-6
            up, down = (pf.path_gradient(lat, lat.base + s * step, truth)[0] for s in (1, -1))
            assert grad[e] == pytest.approx((up - down) / 2e-6, abs=1e-5)


def test_no_path_spells_the_truth_gives_nothing_to_learn():
    lat = pf.Lattice(2, np.array([0]), np.array([1]), np.array([3]), np.array([0.5]),
                     np.array([0]), np.array([], int), 1.0)
    assert pf.path_gradient(lat, lat.base, [4]) is None
    assert pf.path_gradient(lat, lat.base, [3]) == (pytest.approx(0.0), pytest.approx([0.0]))


def test_verifier_gradient_matches_finite_differences():
    rng = np.random.default_rng(2)
    f = 5
    v = vf.Verifier(rng.normal(size=f), rng.uniform(0.5, 2, f), rng.normal(size=(f, vf.HIDDEN)),
                    rng.normal(size=vf.HIDDEN), rng.normal(size=vf.HIDDEN), 0.3, "s")
    x, d = rng.normal(size=(6, f)), rng.normal(size=6)
    grads = pf.verifier_gradient(v, x, d)
    names = ("w1", "b1", "w2")
    for name, g in zip(names, grads[:3], strict=True):
        q = getattr(v, name)
        for idx in itertools.islice(np.ndindex(q.shape), 0, None, 23):
            old = q[idx]
            q[idx] = old + 1e-6
            up = (d * v.log_one_digit(x)).sum()
            q[idx] = old - 1e-6
            down = (d * v.log_one_digit(x)).sum()
            q[idx] = old
            assert g[idx] == pytest.approx((up - down) / 2e-6, rel=1e-4, abs=1e-6)
    up, down = ((d * replace(v, b2=v.b2 + s).log_one_digit(x)).sum() for s in (1e-6, -1e-6))
    assert grads[3] == pytest.approx((up - down) / 2e-6, rel=1e-4, abs=1e-6)


def mean_path_loss(v, graphs):
    losses = []
    for c, truth in graphs:
        lat = pf.lattice(c, WEIGHTS)
        got = pf.path_gradient(lat, lat.base + WEIGHTS.verify * v.log_one_digit(
            c.inputs[lat.row]), truth)
        if got is not None:
            losses.append(got[0])
    return np.mean(losses), len(losses)


def viterbi(lat, scores):
    """The best path's score and digits over the whole lattice, by max instead of sum."""
    best = [(-np.inf, ())] * lat.nodes
    best[0] = (0.0, ())
    for j in range(1, lat.nodes):
        options = [(best[lat.start[e]][0] + scores[e], best[lat.start[e]][1] + (lat.reads[e],))
                   for e in np.flatnonzero(lat.end == j)]
        if j - 1 in lat.skips:
            options.append((best[j - 1][0] - lat.skip, best[j - 1][1]))
        best[j] = max(options, default=(-np.inf, ()), key=lambda o: o[0])
    return best[-1]


@pytest.fixture(scope="module")
def numbers():
    reader = Reader.load(models_dir())
    return reader, tv.examples(pen_samples(), reader, 4, 1)


def test_the_lattice_scores_paths_as_the_page_chooses_them(numbers):
    """The best path through a number's lattice is the page's reading, with the same score:
    what is trained is what is decoded."""
    from lenet5.core.paths import best_paths
    from lenet5.core.segment import graphs

    reader, (_, _, graphs_of) = numbers
    assert len(graphs_of) == 12 and all(not c.pre for c, _ in graphs_of)  # no images kept
    for c, _ in graphs_of:
        verdicts = reader.verifier.log_one_digit(c.inputs)
        lat = pf.lattice(c, WEIGHTS)
        score, digits = viterbi(lat, lat.base + WEIGHTS.verify * verdicts[lat.row])
        want, text = 0.0, ()
        for g, graph in zip(c.plans, graphs(c, WEIGHTS), strict=True):
            got = best_paths(len(g.pieces), g.spans, graph.scores + WEIGHTS.verify
                             * verdicts[list(graph.rows)], graph.reads, graph.skippable, WEIGHTS)
            want, text = want + got[0].score, text + got[0].digits
        assert score == pytest.approx(want, abs=1e-9) and digits == text
        assert lat.nodes == sum(len(g.pieces) for g in c.plans) + 1


def test_training_on_paths_makes_the_right_readings_likelier(numbers):
    """Against the same steps of the candidate-by-candidate loss alone (no numbers' paths), the
    paths' loss falls much further."""
    reader, (x, y, graphs_of) = numbers
    before = tv.fit(x, y.astype(float), reader.sha256, 1)
    alone = pf.fit_paths(before, [], WEIGHTS, x, y.astype(float), epochs=30,
                         rate=1e-3)
    after = pf.fit_paths(before, graphs_of, WEIGHTS, x, y.astype(float), epochs=30, rate=1e-3)
    (loss_alone, n), (loss_after, m) = (mean_path_loss(v, graphs_of) for v in (alone, after))
    assert n == m >= 8  # most numbers have a right path among their candidates
    assert loss_after < 0.5 * loss_alone
