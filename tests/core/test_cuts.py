"""Cut candidates along pen paths (lenet5.core.cuts): pieces partition the ink, cusps and
passages are found, the work is bounded."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lenet5.core import cuts as C


def line(*pts, n=30):
    pts = np.asarray(pts, float)
    t = np.linspace(0, 1, n, endpoint=False)[:, None]
    return np.concatenate([a + (b - a) * t for a, b in zip(pts, pts[1:], strict=False)]
                          + [pts[-1:]])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(2, 60), min_size=1, max_size=6), st.integers(0, 2**32 - 1),
       st.integers(0, 30))
def test_pieces_hold_every_point_once_in_drawing_order(lengths, seed, max_cuts):
    rng = np.random.default_rng(seed)
    strokes = [np.cumsum(rng.normal(0, 8, (n, 2)), 0) + 200 for n in lengths]
    pieces = C.pieces(strokes, 120.0, max_cuts)
    assert len(pieces) <= max_cuts + 1
    # rebuild the strokes: a mid-stroke cut's point ends one piece and starts the next
    rebuilt, current = [], None
    for p in pieces:
        for k, ln in enumerate(p.lines):
            if current is not None and k == 0 and not p.lifted_before:
                assert np.array_equal(current[-1], ln[0])
                current = np.concatenate([current, ln[1:]])
            else:
                if current is not None:
                    rebuilt.append(current)
                current = ln
    rebuilt.append(current)
    assert len(rebuilt) == len(strokes)
    assert all(np.array_equal(a, b) for a, b in zip(rebuilt, strokes, strict=True))


def test_a_sharp_turn_is_a_cut_and_a_straight_line_is_not():
    vee = line((100, 50), (130, 170), (160, 50))
    cuts = C.stroke_cuts(vee, 120.0)
    assert len(cuts) == 1 and abs(vee[cuts[0][0]][1] - 170) < 6
    assert C.stroke_cuts(line((100, 50), (110, 170)), 120.0) == []


def count_passes(q, bin_px):
    """How often the polyline crosses each column's middle (brute force, per column)."""
    x = q[:, 0] - q[:, 0].min()
    out = []
    for c in range(int(np.floor(x.max() / bin_px)) + 1):
        mid = (c + 0.5) * bin_px + 0.013  # off the grid the points lie on
        out.append(int(np.sum((np.minimum(x[:-1], x[1:]) < mid) & (np.maximum(x[:-1], x[1:])
                                                                   > mid))))
    return np.array(out)


def test_passes_count_the_path_through_each_column():
    q = line((0, 0), (40, 10), (20, 30), (60, 40), n=200)  # right, back, right again
    got, _ = C.passes(q, 1.0)
    want = count_passes(q, 1.0)
    n = min(len(got), len(want))
    assert np.mean(got[:n] == want[:n]) > 0.95  # columns a point falls on the edge may differ
    assert got[:19].max() == 1 and got[22:38].min() == 3 and got[41:59].max() == 1


def test_the_ligature_between_two_loops_is_a_passage():
    t = np.linspace(0, 2 * np.pi, 60)
    a = np.stack([np.cos(t), np.sin(t)], 1) * 40 + (100, 100)  # ends at its right, (140, 100)
    b = np.stack([-np.cos(t), np.sin(t)], 1) * 40 + (260, 100)  # starts at its left, (220, 100)
    path = np.concatenate([a, line((140, 100), (220, 100), n=40), b])
    cut = C.passage_cuts(C.resample(path, 4.0)[0])
    xs = C.resample(path, 4.0)[0][cut, 0]
    assert len(cut) == 3 and 135 <= xs[0] <= 150 and 170 <= xs[1] <= 190 and 210 <= xs[2] <= 225


def test_a_scribble_of_hundreds_of_strokes_is_cut_at_most_max_cuts_times():
    rng = np.random.default_rng(0)
    strokes = [np.cumsum(rng.normal(0, 30, (60, 2)), 0) + 300 for _ in range(300)]
    assert len(C.pieces(strokes, 100.0)) <= C.MAX_CUTS + 1
    long = np.cumsum(rng.normal(0, 50, (20_000, 2)), 0)
    q, index = C.resample(long, 1.0)
    assert len(q) <= C.MAX_SAMPLES + 1 and index.max() < len(long)


def test_a_top_of_a_long_stroke_is_a_cut_only_when_tops_are_asked_for(monkeypatch):
    """A wide stroke rising gently and coming down again (a ligature into a digit's first
    down-stroke): its turn is gentler than LOOSE, so only the tops rule cuts there."""
    monkeypatch.setattr(C, "FILL", np.inf)  # no evenly spaced cuts either
    arch = line((0, 100), (200, 36), (400, 100), n=80)  # slope 0.32: a turn under 35 degrees
    assert C.stroke_cuts(arch, 120.0) == []
    monkeypatch.setattr(C, "TOPS", True)
    cuts = C.stroke_cuts(arch, 120.0)
    assert len(cuts) == 1 and abs(arch[cuts[0][0]][0] - 200) < 10
    assert C.stroke_cuts(line((0, 100), (200, 36), n=80), 120.0) == []  # no way down: no top


def test_a_long_smooth_path_gets_evenly_spaced_cuts_and_a_short_one_none():
    """A ligature may leave a digit without a turn: in a stroke wider than LONG heights, every
    stretch longer than FILL heights with no cut gets FILLED ones, no more than FILL apart."""
    height = 120.0
    arch = line((0, 100), (200, 36), (400, 100), n=80)  # 2 * 210 px of path, no cusp, no valley
    found = C.stroke_cuts(arch, height)
    assert found and all(strength == C.FILLED for _, strength in found)
    arc = np.concatenate([[0], np.cumsum(np.hypot(*np.diff(arch, axis=0).T))])
    at = np.concatenate([[0.0], arc[[i for i, _ in found]], [arc[-1]]])
    assert np.diff(at).max() <= C.FILL * height * 1.1  # the gaps closed (one step of slack)
    assert len(found) == int(arc[-1] // (C.FILL * height))  # and no more cuts than that takes
    narrow = line((0, 100), (50, 84), (100, 100), n=80)  # gentle, narrower than the row is high
    assert C.stroke_cuts(narrow, height) == []


def test_fill_gaps_keeps_the_cuts_there_are_and_adds_only_in_long_gaps():
    strength = np.zeros(101)
    strength[[10, 20]] = [1.5, 2.0]
    out = C.fill_gaps(strength, 30.0)
    assert out[10] == 1.5 and out[20] == 2.0  # kept
    added = np.flatnonzero(out == C.FILLED)
    assert all(a > 20 for a in added) and len(added) == 2  # 80 steps after 20: two cuts
    gaps = np.diff(np.concatenate([[20], added, [100]]))
    assert gaps.max() <= 30 and gaps.min() >= 20  # evenly spaced
    assert np.array_equal(C.fill_gaps(strength, np.inf), strength)
    assert np.array_equal(C.fill_gaps(strength, 0.5), strength)  # gaps under a step: no fill
