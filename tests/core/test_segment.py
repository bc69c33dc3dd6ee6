"""Whole numbers (lenet5.number): strokes from the canvas, grouping into digits, reading."""

import numpy as np
import pytest

from lenet5.core import grouping as G
from lenet5.core import segment as N
from lenet5.core.predictor import Predictor
from lenet5.eval import whole_numbers as EN
from lenet5.eval.browser import pen_samples

# two strokes as streamlit-drawable-canvas 0.13 reported them (fields trimmed), and a shape
CANVAS_JSON = {"version": "7.4.0", "objects": [
    {"type": "Path", "strokeWidth": 12, "left": 60, "top": 100,
     "path": [["M", 49.988, 50], ["Q", 50, 50, 60, 100], ["L", 70.012, 150]]},
    {"type": "Path", "strokeWidth": 12, "left": 230, "top": 50,
     "path": [["M", 199.988, 40], ["Q", 200, 40, 230, 50], ["L", 260.012, 60]]},
    {"type": "rect", "left": 0, "top": 0, "width": 10, "height": 10},
], "background": "#000000"}


def bezier(p0, c, p1, t):
    """Quadratic Bezier by de Casteljau (independent of the implementation's formula)."""
    a = p0 + (c - p0) * t
    b = c + (p1 - c) * t
    return a + (b - a) * t


def test_path_points_sample_quadratic_curves():
    pts = G.path_points([["M", 0, 0], ["Q", 10, 0, 10, 10], ["L", 20, 10]], steps=4)
    p0, c, p1 = np.array([0.0, 0]), np.array([10.0, 0]), np.array([10.0, 10])
    expected = [p0] + [bezier(p0, c, p1, t) for t in (0.25, 0.5, 0.75, 1.0)] + [[20, 10]]
    assert np.allclose(pts, expected)


def test_strokes_from_canvas_json():
    strokes, widths = G.strokes_from_json(CANVAS_JSON)
    assert len(strokes) == 2 and widths == [12.0, 12.0]
    assert np.allclose(strokes[0][0], [49.988, 50]) and np.allclose(strokes[1][-1], [260.012, 60])
    assert G.strokes_from_json(None) == ([], [])
    assert G.strokes_from_json({"objects": []}) == ([], [])


def line(*pts, n=20):
    pts = np.asarray(pts, float)
    t = np.linspace(0, 1, n)[:, None]
    return np.concatenate([a + (b - a) * t for a, b in zip(pts, pts[1:], strict=False)])


def test_grouping_keeps_multi_stroke_digits_and_separates_digits():
    four = [line((100, 40), (70, 120), (140, 120)), line((125, 60), (125, 170))]  # crossing
    five = [line((250, 70), (240, 110), (270, 110), (275, 150), (235, 165)),
            line((252, 62), (290, 58))]  # bar apart, over the body
    one = [line((360, 50), (355, 170))]
    another_one = [line((400, 50), (395, 170))]
    strokes = one + five + four + another_one  # not written left to right
    groups = G.group(strokes, [12.0] * len(strokes))
    assert groups == [[3, 4], [1, 2], [0], [5]]  # 4, 5, 1, 1


def test_a_short_downstroke_beside_its_l_is_part_of_the_4():
    l_part = line((60, 40), (50, 130), (110, 130))
    down = line((118, 120), (118, 160))  # short, right of the L's end, does not cross it
    nine = [line((200, 40), (230, 40), (230, 165)), line((200, 40), (200, 90), (230, 90))]
    groups = G.group([l_part, down] + nine, [12.0] * 4)
    assert groups == [[0, 1], [2, 3]]


@pytest.fixture(scope="module")
def predictor():
    return Predictor()


def test_numbers_written_with_pen_samples_are_read(predictor):
    samples = pen_samples()
    one_each = {s["label"]: s for s in samples[::2]}
    rng = np.random.default_rng(0)
    for digits in ("2026", "7431", "958", "10"):
        strokes = EN.layout([one_each[int(d)] for d in digits], rng)
        read = N.read_number(strokes, [G.WIDE_BRUSH] * len(strokes), predictor)
        assert N.text(read) == digits
        assert all(d.reading is not None and abs(d.reading.probs.sum() - 1) < 1e-5 for d in read)
        xs = [d.box[0] for d in read]
        assert xs == sorted(xs)


def test_a_dot_is_not_read_as_a_digit(predictor):
    strokes = [line((100, 40), (100, 180)), np.array([[200.0, 170.0]])]
    read = N.read_number(strokes, [14.0, 14.0], predictor)
    assert len(read) == 2 and N.text(read) == "1?" and "dot" in read[1].pre.reason


def test_empty_canvas_reads_nothing(predictor):
    assert N.read_number([], [], predictor) == [] and N.text([]) == ""


def test_only_strokes_whose_boxes_meet_are_compared(monkeypatch):
    """300 scattered dots (as many strokes as the canvas check lets through): the ink of only
    the few pairs whose boxes meet is compared, not all 44,850 pairs."""
    rng = np.random.default_rng(0)
    dots = [np.array([[x, y], [x + 2, y + 2]]) for x, y in
            zip(rng.uniform(10, 700, 300), rng.uniform(10, 230, 300), strict=True)]
    calls = []
    real = G.touching
    monkeypatch.setattr(G, "touching", lambda *a: calls.append(1) or real(*a))
    groups = G.group(dots, [14.0] * len(dots))
    assert sorted(i for g in groups for i in g) == list(range(300))
    assert 0 < len(calls) < 2_000


def test_touching_numbers_are_cut_where_the_digits_meet(predictor):
    """Digits of the writers the net never saw, slid onto each other until their inks overlap
    (lenet5.train.layouts.touching): the strokes alone make fewer groups than digits."""
    one_each = {s["label"]: s for s in pen_samples()[::2]}
    rng = np.random.default_rng(0)
    merged = 0
    for digits in ("2026", "7431", "958", "10"):
        strokes = EN.layout([one_each[int(d)] for d in digits], rng, how="touching")
        widths = [G.WIDE_BRUSH] * len(strokes)
        merged += len(G.group(strokes, widths)) < len(digits)
        number = N.read_segmented(strokes, widths, predictor)
        assert number.text == digits and number.note == ""
        boxes = [d.box for d in number.digits]
        assert [b[0] for b in boxes] == sorted(b[0] for b in boxes)
    assert merged >= 3  # the cuts, not the strokes, told these digits apart


def test_a_scribble_of_300_strokes_reads_at_most_max_digits_and_says_so(predictor):
    rng = np.random.default_rng(1)
    strokes = [np.cumsum(rng.normal(0, 25, (60, 2)), 0) + (rng.uniform(40, 680),
               rng.uniform(40, 200)) for _ in range(300)]
    number = N.read_segmented(strokes, [14.0] * 300, predictor)
    assert len(number.digits) <= N.MAX_DIGITS
    separate = [np.array([[x, 60.0], [x, 180.0]]) for x in range(20, 700, 40)]  # 17 ones
    many = N.read_segmented(separate, [14.0] * len(separate), predictor)
    assert len(many.digits) == N.MAX_DIGITS and str(N.MAX_DIGITS) in many.note
