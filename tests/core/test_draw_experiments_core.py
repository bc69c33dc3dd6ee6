"""The Draw page's experiments: the drawing read stroke by stroke (lenet5.core.prefixes) and
swept through rotation, slant, thickness, shift and scale (lenet5.core.sweeps), against
independent computations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage

from lenet5.core import prefixes as P
from lenet5.core import sweeps as S
from lenet5.core.predictor import Predictor
from lenet5.core.preprocess import preprocess
from lenet5.core.reader import Reader
from lenet5.core.strokes import BRUSH, CANVAS, fit_strokes, placement, render
from lenet5.eval.browser import pen_samples


@pytest.fixture(scope="module")
def predictor():
    return Predictor()


def canvas_strokes(sample: dict, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return fit_strokes(sample["strokes"], *placement(sample["strokes"], rng))


def seven_in_two_strokes() -> list[np.ndarray]:
    """A 7 as many people draw it: the bar, then the stem (alone: a 1)."""
    return [np.array([[70.0, 60], [210, 60]]), np.array([[210.0, 60], [130, 230]])]


def test_each_prefix_is_read_as_the_same_strokes_drawn_alone(predictor):
    strokes = [s for sample in pen_samples()[:6] for s in canvas_strokes(sample)][:5]
    p = P.read_prefixes(strokes, [BRUSH] * 5, predictor, (CANVAS, CANVAS))
    assert p.images.shape == (5, 28, 28) and p.strokes == 5
    for k in range(1, 6):
        alone = preprocess(render(strokes[:k], CANVAS, BRUSH), dark_background=True)
        np.testing.assert_allclose(p.probs[k - 1], predictor.probabilities(alone.image[None])[0],
                                   atol=1e-6)


def test_a_seven_was_a_one_until_the_bar(predictor):
    p = P.read_prefixes(seven_in_two_strokes()[::-1], [BRUSH] * 2, predictor, (CANVAS, CANVAS))
    assert p.readings == [1, 7]


def test_the_last_prefix_is_the_pages_reading(predictor):
    strokes = canvas_strokes(pen_samples()[8])
    p = P.read_prefixes(strokes, [BRUSH] * len(strokes), predictor, (CANVAS, CANVAS))
    page = Reader(predictor).read(render(strokes, CANVAS, BRUSH))
    np.testing.assert_allclose(p.probs[-1], page.reading.probs, atol=1e-6)


def test_only_the_first_strokes_are_read_and_nothing_to_read_says_why(predictor):
    dots = [np.array([[20.0 + 10 * k, 20.0]]) for k in range(25)]
    p = P.read_prefixes(dots, [6] * 25, predictor, (CANVAS, CANVAS))
    assert len(p.probs) == P.MAX_PREFIXES and p.strokes == 25
    assert p.readings[0] is None and np.isnan(p.probs[0]).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.tuples(st.floats(0, 280), st.floats(0, 280)), min_size=1,
                         max_size=8), min_size=1, max_size=6),
       st.lists(st.floats(1, 40), min_size=6, max_size=6))
def test_any_strokes_on_the_canvas_give_one_row_per_prefix(predictor, strokes, widths):
    points = [np.array(s, np.float64) for s in strokes]
    p = P.read_prefixes(points, widths, predictor, (CANVAS, CANVAS))
    assert p.probs.shape == (len(points), 10) and len(p.readings) == len(points)
    ok = ~np.isnan(p.probs).any(1)
    assert np.allclose(p.probs[ok].sum(1), 1, atol=1e-5)


@pytest.fixture(scope="module")
def drawings(predictor):
    out = []
    for sample in pen_samples()[::2]:
        out.append(Reader(predictor).read(render(canvas_strokes(sample), CANVAS, BRUSH)))
    return out


def test_the_unchanged_step_of_each_sweep_reads_like_the_page(predictor, drawings):
    for a in drawings:
        for name in S.KINDS:
            s = S.sweep(a.pre.ink, predictor, name)
            same = int(np.argmin(np.abs(s.values - S.identity(name))))
            assert s.values[same] == S.identity(name)
            assert np.abs(s.probs[same] - a.reading.probs).max() < 0.05, name


def test_the_preprocessing_undoes_shift_and_scale(predictor, drawings):
    for a in drawings:
        for name in ("shift", "scale"):
            s = S.sweep(a.pre.ink, predictor, name)
            assert s.probs[:, a.reading.digit].min() > a.reading.confidence - 0.1, name
            assert not s.flips(a.reading.digit), name


def test_turning_far_enough_changes_some_readings(predictor, drawings):
    flipped = [bool(S.sweep(a.pre.ink, predictor, "rotation").flips(a.reading.digit))
               for a in drawings]
    assert any(flipped)


def test_rotation_and_scale_agree_with_scipy():
    rng = np.random.default_rng(0)
    ink = np.zeros((200, 160), np.uint8)
    ink[40:160, 70:90] = 255
    ink[40:60, 30:130] = rng.integers(100, 255, (20, 100))
    base = S.frame(ink).astype(np.float32)
    turned = S.transform(base, "rotation", 30)

    def rotated(angle):
        return np.abs(turned - ndimage.rotate(base, angle, reshape=False, order=1)).mean()

    # of 255, averaged over the frame: the same turn up to half-pixel centres; the wrong way
    # round, or 10 degrees off, is far worse
    assert rotated(30) < 1.0 < 3 * 1.0 < rotated(40) < rotated(-30)
    grown, c = S.transform(base, "scale", 2.0), (S.FRAME - 1) / 2

    def scaled(f):
        ref = ndimage.affine_transform(base, np.eye(2) / f, offset=c - c / f, order=1)
        return np.abs(grown - ref).mean()

    assert scaled(2.0) < 4.0 < 12.0 < scaled(1.5)


def test_thickness_grows_and_shrinks_the_ink():
    ink = np.zeros((100, 100), np.uint8)
    ink[20:80, 45:55] = 255
    base = S.frame(ink)
    areas = [int((S.transform(base, "thickness", v) > 127).sum()) for v in S.KINDS["thickness"]
             .values]
    assert areas == sorted(areas) and areas[0] < int((base > 127).sum()) < areas[-1]


def test_flips_are_found_on_both_sides_nearest_first():
    probs = np.zeros((5, 10), np.float32)
    probs[:, 3] = 1
    probs[0] = probs[4] = 0
    probs[0, 5] = probs[4, 8] = 1
    s = S.Sweep("rotation", np.array([-20.0, -10, 0, 10, 30]), probs)
    assert s.flips(3) == [-20.0, 30.0]
    assert S.Sweep("rotation", s.values, np.tile(probs[2], (5, 1))).flips(3) == []


def test_no_ink_no_sweep(predictor):
    assert S.sweep(np.zeros((50, 50), np.uint8), predictor, "rotation") is None
