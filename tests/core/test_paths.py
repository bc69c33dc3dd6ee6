"""The segmentation graph (lenet5.core.paths): the best path against every segmentation
enumerated by brute force, and the shape prior."""

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lenet5.core import paths as P


def all_segmentations(n, spans, scores, digits, skippable, skip):
    """Every way of covering pieces 0..n-1 in order by candidate spans or skips, with its
    score and reading (brute force over the boundaries, independent of the DP)."""
    lookup = {s: c for c, s in enumerate(spans) if np.isfinite(scores[c])}
    out = []
    for cuts in itertools.product([False, True], repeat=n - 1):
        bounds = [0] + [i + 1 for i, c in enumerate(cuts) if c] + [n]
        blocks = list(zip(bounds, bounds[1:], strict=False))
        for mask in itertools.product([False, True], repeat=len(blocks)):  # True: skipped
            total, read, ok = 0.0, [], True
            for (i, j), skipped in zip(blocks, mask, strict=True):
                if skipped:
                    ok &= all(skippable[i:j])
                    total -= skip * (j - i)
                elif (i, j) in lookup:
                    total += scores[lookup[(i, j)]]
                    read.append(digits[lookup[(i, j)]])
                else:
                    ok = False
            if ok:
                out.append((total, tuple(read)))
    return out


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_best_path_is_the_best_segmentation(n, seed):
    rng = np.random.default_rng(seed)
    spans = P.runs(n)
    scores = np.where(rng.random(len(spans)) < 0.2, -np.inf, rng.normal(-2, 2, len(spans)))
    digits = list(rng.integers(0, 10, len(spans)))
    skippable = list(rng.random(n) < 0.3)
    w = P.Weights(skip=0.7)
    found = P.best_paths(n, spans, scores, digits, skippable, w)
    brute = all_segmentations(n, spans, scores, digits, skippable, w.skip)
    if not brute:
        assert found == []
        return
    best = {}
    for total, read in brute:
        best[read] = max(best.get(read, -np.inf), total)
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    assert abs(found[0].score - ranked[0][1]) < 1e-9
    assert best[found[0].digits] == found[0].score
    # the alternatives read differently, and none scores more than the best
    assert len({p.digits for p in found}) == len(found)
    assert all(p.score <= found[0].score + 1e-9 for p in found)


def test_runs_cover_one_to_max_run_pieces_and_the_whole_group():
    assert P.runs(2) == [(0, 1), (0, 2), (1, 2)]
    n = P.MAX_RUN + 2
    many = P.runs(n)
    assert (0, n) in many and (0, n - 1) not in many and (2, n) in many
    assert all(1 <= j - i <= P.MAX_RUN for i, j in many if (i, j) != (0, n))


def test_the_width_prior_turns_a_wide_reading_to_the_digit_that_may_be_that_wide():
    probs = np.full((3, 10), 0.01, np.float32)
    probs[:, 8], probs[:, 2] = 0.6, 0.31
    sizes = np.array([[0.6, 1.0], [1.4, 1.0], [0.6, 0.4]])  # an 8; as wide as a 2; too short
    score, digit = P.digit_scores(probs, sizes, np.zeros(3), P.WEIGHTS)
    assert digit[0] == 8 and digit[1] == 2
    assert score[0] > score[1] and score[2] < score[0] - 5
    nothing = np.full((1, 10), np.nan, np.float32)
    assert P.digit_scores(nothing, sizes[:1], np.zeros(1), P.WEIGHTS)[0][0] == -np.inf


def test_a_one_written_upwards_is_read_as_something_else():
    probs = np.full((2, 10), 0.02, np.float32)
    probs[:, 1], probs[:, 7] = 0.8, 0.02
    sizes = np.array([[0.3, 1.0], [0.3, 1.0]])
    _, digit = P.digit_scores(probs, sizes, np.array([0.0, 0.9]), P.WEIGHTS)
    assert digit[0] == 1 and digit[1] != 1
