"""Simulated new writers (lenet5/train/variety.py): the strokes keep their shape in number and
order, each change stays within its range, and the pen renders use them only when asked."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lenet5.train import pen, writers
from lenet5.train.data import read_jsonl
from lenet5.train.variety import (
    LOOP_SCALE,
    TAIL_KEPT,
    TAIL_REACH,
    Variety,
    add_tails,
    loops,
    resize_loops,
    vary,
)

NONE = Variety(rotation_deg=0, slant=0, aspect=0, stroke_shift=0, stroke_turn_deg=0,
               stroke_scale=0, elastic=0, prob=1.0)
point = st.tuples(st.floats(-500, 500), st.floats(-500, 500))
strokes = st.lists(st.lists(point, min_size=1, max_size=30), min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(strokes, st.integers(0, 2**32 - 1), st.floats(0, 3))
def test_every_point_kept_in_order_and_finite(drawn, seed, strength):
    out = vary(drawn, np.random.default_rng(seed), strength)
    assert [len(s) for s in out] == [len(s) for s in drawn]
    assert all(s.dtype == np.float64 and np.isfinite(s).all() for s in out)


@given(strokes, st.integers(0, 2**32 - 1))
def test_strength_zero_and_no_ranges_leave_the_points(drawn, seed):
    for out in (vary(drawn, np.random.default_rng(seed), 0.0),
                vary(drawn, np.random.default_rng(seed), 2.0, NONE)):
        for a, b in zip(out, drawn, strict=True):
            np.testing.assert_allclose(a, np.asarray(b, float), atol=1e-9)


def test_same_seed_same_writer():
    drawn = [[[0, 0], [10, 40], [20, 0]], [[0, 20], [20, 20]]]
    a, b = (vary(drawn, np.random.default_rng(7), 1.0) for _ in range(2))
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.allclose(a[0], vary(drawn, np.random.default_rng(8), 1.0)[0])


def test_slant_moves_x_with_the_height_within_its_range():
    stem = [[[0.0, y] for y in np.linspace(-50, 50, 11)]]
    only = replace(NONE, slant=0.3)
    slopes = []
    for seed in range(200):
        p = vary(stem, np.random.default_rng(seed), 1.0, only)[0]
        np.testing.assert_allclose(p[:, 1], np.linspace(-50, 50, 11))  # heights kept
        slope = np.polyfit(p[:, 1], p[:, 0], 1)[0]
        assert abs(slope) <= 0.3 + 1e-9
        slopes.append(slope)
    assert min(slopes) < -0.2 and max(slopes) > 0.2  # both ways, near the ends of the range


def test_elastic_field_moves_no_point_further_than_its_amount():
    ring = [[[50 * np.cos(t), 50 * np.sin(t)] for t in np.linspace(0, 2 * np.pi, 60)]]
    only = replace(NONE, elastic=0.06)
    moved = [np.abs(vary(ring, np.random.default_rng(s), 1.0, only)[0] - ring[0]).max()
             for s in range(100)]
    assert max(moved) <= 0.06 * 100 + 1e-9 and np.median(moved) > 0.5  # height 100


def test_a_single_stroke_is_never_moved_on_its_own():
    one = [[[0.0, 0.0], [10.0, 30.0], [20.0, 60.0]]]
    only = replace(NONE, stroke_shift=0.2, stroke_turn_deg=30, stroke_scale=0.5)
    np.testing.assert_allclose(vary(one, np.random.default_rng(0), 1.0, only)[0], one[0])
    two = one + [[[0.0, 30.0], [20.0, 30.0]]]
    assert not np.allclose(vary(two, np.random.default_rng(0), 1.0, only)[1], two[1])


def test_prob_leaves_that_share_of_drawings_alone():
    drawn = [[[0, 0], [10, 40], [20, 0]]]
    rng = np.random.default_rng(0)
    same = [np.allclose(vary(drawn, rng, 1.0)[0], drawn[0]) for _ in range(2000)]
    assert np.mean(same) == pytest.approx(1 - Variety().prob, abs=0.03)


@settings(max_examples=200, deadline=None)
@given(strokes, st.integers(0, 2**32 - 1), st.floats(0, 1))
def test_tails_keep_every_point_and_join_the_ends(drawn, seed, prob):
    out = add_tails(drawn, np.random.default_rng(seed), prob)
    assert len(out) == len(drawn) and all(np.isfinite(s).all() for s in out)
    if len(drawn) == 1:  # one stroke: lead-in + the points + lead-out
        body = np.asarray(drawn[0], float)
        starts = [i for i in range(len(out[0]) - len(body) + 1)
                  if np.array_equal(out[0][i:i + len(body)], body)]
        assert starts
    else:
        np.testing.assert_array_equal(out[0][len(out[0]) - len(drawn[0]):], drawn[0])
        np.testing.assert_array_equal(out[-1][: len(drawn[-1])], drawn[-1])
        assert all(np.array_equal(a, b) for a, b in zip(out[1:-1], drawn[1:-1], strict=True))


def test_a_lead_out_heads_right_and_a_lead_in_comes_from_the_left():
    stem = [[[0.0, y] for y in np.linspace(100, 0, 21)]]  # y up: drawn from the top down
    for seed in range(50):
        out = add_tails(stem, np.random.default_rng(seed), 1.0)[0]
        assert len(out) > 21 and out[0][0] < 0 < out[-1][0]  # from the left, to the right
        assert out[-1][0] <= TAIL_KEPT[1] * TAIL_REACH[1] * 100 + 1e-6  # a piece of a join
    assert add_tails(stem, np.random.default_rng(0), 0.0)[0].shape == (21, 2)


def nine(turns: float = 1.0) -> np.ndarray:
    """A 9 drawn as one path: a loop (radius 25, y up) closed at its top right, then the stem."""
    t = np.linspace(0, 2 * np.pi * turns, 40)
    loop = np.stack([25 * np.cos(t), 75 + 25 * np.sin(t)], 1)
    stem = np.stack([np.full(20, 25.0), np.linspace(75, 0, 20)], 1)
    return np.vstack([loop, stem])


def test_loops_are_found_where_a_path_closes_and_nowhere_else():
    found = loops(nine(), 100)
    assert len(found) == 1 and found[0][0] == 0 and 35 <= found[0][1] <= 45
    assert loops(np.stack([np.linspace(0, 100, 30), np.zeros(30)], 1), 100) == []  # a bar
    assert loops(nine()[:20], 100) == []  # half a loop does not close
    t = np.linspace(0, 2 * np.pi, 40)  # an 8: the top circle from its bottom, then the lower
    top = np.stack([25 * np.sin(t), 75 - 25 * np.cos(t)], 1)
    eight = np.vstack([top, top * (1, -1) + (0, 100)])
    assert len(loops(eight, 100)) == 2


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.1, 2))
def test_a_resized_loop_stays_joined_to_the_path(seed, strength):
    p = nine()
    q = resize_loops([p], np.random.default_rng(seed), strength)[0]
    assert q.shape == p.shape
    i, j = loops(p, 100)[0]
    np.testing.assert_allclose(q[[i, j]], p[[i, j]], atol=1e-9)  # where it closes: unmoved
    np.testing.assert_array_equal(q[j + 1:], p[j + 1:])  # the stem: unmoved
    mid = (i + j) // 2  # the loop's middle moves by at most its own scale's reach
    reach = np.abs(p[mid] - p[i:j + 1].mean(0)) * (np.exp(strength * LOOP_SCALE) - 1)
    assert (np.abs(q[mid] - p[mid]) <= reach + 1e-6).all()
    assert resize_loops([p], np.random.default_rng(seed), 0.0)[0].tolist() == p.tolist()


def test_variety_changes_the_strokes_not_the_places_or_brushes(pendigits_path, monkeypatch):
    records = writers.held_out(read_jsonl(pendigits_path), 0)[:60]
    plain, labels = pen.renders(records, 2, seed=3)
    varied, labels2 = pen.renders(records, 2, seed=3, variety=1.0)
    assert np.array_equal(labels, labels2) and not np.array_equal(plain, varied)
    tailed, _ = pen.renders(records, 2, seed=3, tails=0.5)
    assert not np.array_equal(plain, tailed) and not np.array_equal(varied, tailed)
    looped, _ = pen.renders(records, 2, seed=3, loops=1.0)
    assert not np.array_equal(plain, looped)
    monkeypatch.setattr(pen, "vary", lambda s, rng, k: s)  # changes drawn, then not used
    monkeypatch.setattr(pen, "add_tails", lambda s, rng, p: s)
    monkeypatch.setattr(pen, "resize_loops", lambda s, rng, k: s)
    again, _ = pen.renders(records, 2, seed=3, variety=1.0, tails=0.5, loops=1.0)
    assert np.array_equal(again, plain)
