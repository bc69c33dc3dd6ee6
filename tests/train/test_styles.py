"""Synthesised writing styles: checked with NumPy on hand-made digits of known geometry."""

import cv2
import numpy as np
import pytest

from lenet5.train import styles as synth

SIDE = 28 * synth.SCALE + 2 * synth.MARGIN


def bar(x0: int, x1: int, y0: int, y1: int) -> np.ndarray:
    """A blank upscaled field with one solid vertical bar (columns x0:x1, rows y0:y1)."""
    img = np.zeros((SIDE, SIDE), np.uint8)
    img[y0:y1, x0:x1] = 255
    return img


def new_ink(before: np.ndarray, after: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of pixels that gained at least half of full ink."""
    return np.nonzero(after.astype(int) - before.astype(int) > 127)


@pytest.mark.parametrize("width", [6, 10, 16])
def test_stroke_width_of_bars_and_rings(width):
    assert synth.stroke_width(bar(90, 90 + width, 50, 150)) == pytest.approx(width, abs=1.5)
    ring = np.zeros((SIDE, SIDE), np.uint8)
    cv2.circle(ring, (96, 96), 50, 255, width)
    assert synth.stroke_width(ring) == pytest.approx(width, abs=1.5)
    assert synth.stroke_width(np.zeros((10, 10), np.uint8)) == 0.0


def test_thin_to_a_pen_width():
    thick = bar(90, 106, 50, 150)
    thin = synth.thin_to(thick, 8)
    assert synth.stroke_width(thin) == pytest.approx(8, abs=1.5)
    assert (thin <= thick).all() and (thin[60:140, 97:99] == 255).all()  # the middle stays
    assert np.array_equal(synth.thin_to(bar(90, 98, 50, 150), 8), bar(90, 98, 50, 150))


def test_upscale_keeps_the_digit_in_the_middle():
    digit = np.zeros((28, 28), np.uint8)
    digit[4:24, 12:16] = 255
    big = synth.upscale(digit)
    assert big.shape == (SIDE, SIDE) and big.dtype == np.uint8
    rows, cols = np.nonzero(big > 127)
    m, s = synth.MARGIN, synth.SCALE
    assert abs(rows.min() - (m + 4 * s)) <= 2 and abs(rows.max() - (m + 24 * s - 1)) <= 2
    assert abs(cols.min() - (m + 12 * s)) <= 2 and abs(cols.max() - (m + 16 * s - 1)) <= 2


def test_stem_direction_follows_a_slanted_line():
    img = np.zeros((SIDE, SIDE), np.uint8)
    cv2.line(img, (120, 40), (80, 150), 255, 9)  # leaning right, drawn top to bottom
    expect = np.array([-40, 110]) / np.hypot(40, 110)
    np.testing.assert_allclose(synth.stem_direction(img), expect, atol=0.02)


def test_flag_goes_down_left_from_the_top_of_a_one():
    one = bar(100, 110, 60, 140)  # stem 80 px high, 10 px wide, vertical
    angles, lengths = [], []
    for seed in range(20):
        out = synth.add_flag(one, np.random.default_rng(seed))
        rows, cols = new_ink(one, out)
        assert cols.max() <= 111 and rows.min() >= 60 - 6  # starts at the top, goes left
        left = cols < cols.min() + 4  # the tip
        tip = np.array([cols[left].mean(), rows[left].mean()])
        top = np.array([105, 60 + synth.stroke_width(out) / 2])
        lengths.append(np.hypot(*(tip - top)) / 80)
        angles.append(np.degrees(np.arctan2(tip[1] - top[1], top[0] - tip[0])))
    # 28-60 degrees below the horizontal (+ the bow), 35-90% of the height (+ the round cap)
    assert min(angles) >= 28 - 8 and max(angles) <= 60 + 8 and np.ptp(angles) > 15
    assert min(lengths) >= 0.35 - 0.06 and max(lengths) <= 0.9 + 0.06 and np.ptp(lengths) > 0.3


def test_flag_of_a_slanted_one_is_never_a_flat_bar():
    one = np.zeros((SIDE, SIDE), np.uint8)
    cv2.line(one, (130, 50), (80, 150), 255, 9)  # strongly slanted
    for seed in range(10):
        out = synth.add_flag(one, np.random.default_rng(seed))
        rows, cols = new_ink(one, out)
        left = cols < cols.min() + 4  # the tip
        tip = np.array([cols[left].mean(), rows[left].mean()])
        assert np.degrees(np.arctan2(tip[1] - 54, 130 - tip[0])) >= 28 - 8


@pytest.mark.parametrize("style", [synth.add_flag, synth.add_crossbar])
def test_styles_thin_the_digit_to_a_pen_first(style):
    digit = bar(96, 112, 60, 140)  # 16 px wide
    digit[60:70, 60:112] = 255  # a top bar (a 7; a 1 ignores it)
    out = style(digit, np.random.default_rng(0))
    assert synth.PEN[0] - 1.5 <= synth.stroke_width(out) <= synth.PEN[1] + 1.5
    assert (out[126:138, 96:99] < 128).all()  # the stem's edge is gone (below any bar)


def test_no_flag_on_a_one_with_a_foot():
    one = bar(100, 110, 60, 140)
    one[130:140, 80:130] = 255  # a foot: with a flag it would read as a 2
    assert synth.add_flag(one, np.random.default_rng(0)) is None
    digit = np.zeros((28, 28), np.uint8)
    digit[4:24, 13:16], digit[21:24, 9:20] = 255, 255
    assert synth.stylise(digit, "flag_ones", np.random.default_rng(0)) is None


def test_crossbar_crosses_the_stem_of_a_seven_at_mid_height():
    seven = bar(100, 110, 60, 140)
    seven[60:70, 60:110] = 255  # the top bar
    for seed in range(10):
        out = synth.add_crossbar(seven, np.random.default_rng(seed))
        rows, cols = np.nonzero((out > 127) & (seven == 0))  # ink off the drawn 7
        assert cols.min() < 100 and cols.max() >= 110  # on both sides of the stem
        assert 60 + 0.4 * 80 - 12 <= rows.mean() <= 60 + 0.65 * 80 + 12
        assert 0.4 * 80 - 10 <= np.ptp(cols) <= 0.9 * 80 + 10  # 40-90% of the height long
    gap = bar(100, 110, 130, 140)
    gap[60:70, 60:110] = 255  # a top bar and a foot, nothing between them to cross
    assert synth.add_crossbar(gap, np.random.default_rng(0)) is None


def test_curl_hooks_left_at_the_bottom_of_a_nine():
    nine = bar(100, 110, 60, 140)
    cv2.circle(nine, (85, 80), 18, 255, 10)  # the loop
    for seed in range(10):
        out = synth.add_curl(nine, np.random.default_rng(seed))
        assert (out >= nine).all()
        rows, cols = new_ink(nine, out)
        assert rows.min() > 100  # only near the bottom of the stem
        assert rows.max() > 140 + 0.2 * 83 * np.sin(np.deg2rad(70)) - 3  # down past the stem
        # and left of the stem by at least r (1 - cos 70), r >= 20% of the height
        assert cols.min() < 105 - 0.2 * 83 * (1 - np.cos(np.deg2rad(70))) - 3


def test_renormalise_is_mnist_like():
    one = synth.add_flag(bar(100, 110, 60, 140), np.random.default_rng(0))
    out = synth.renormalise(one)
    assert out.shape == (28, 28) and out.dtype == np.uint8 and out.max() == 255
    rows, cols = np.nonzero(out > 25)
    assert max(np.ptp(rows), np.ptp(cols)) + 1 in (20, 21)  # longer side 20 px
    w = out.astype(np.float64)
    com = (w.sum(1) @ np.arange(28) / w.sum(), w.sum(0) @ np.arange(28) / w.sum())
    assert np.allclose(com, 14, atol=0.6)
    assert synth.renormalise(np.zeros((50, 50), np.uint8)) is None


def test_synthesize_counts_labels_and_determinism():
    rng = np.random.default_rng(0)
    x = np.zeros((30, 28, 28), np.uint8)
    x[:, 5:23, 12:15] = 255  # every "digit" is a bar; only labels differ
    y = np.repeat(np.arange(10, dtype=np.uint8), 3)
    x[y == 7, 5:8, 6:15] = 255
    x = x + rng.integers(0, 2, x.shape, dtype=np.uint8)
    counts = {"flag_ones": 4, "crossed_sevens": 3, "curled_nines": 2}
    a, la = synth.synthesize(x, y, counts, seed=3)
    b, lb = synth.synthesize(x, y, counts, seed=3)
    assert a.shape == (9, 28, 28) and a.dtype == np.uint8 and la.dtype == np.uint8
    assert la.tolist() == [1] * 4 + [7] * 3 + [9] * 2
    assert np.array_equal(a, b) and np.array_equal(la, lb)
    plain = synth.renormalise(synth.upscale(x[3]))
    assert not any(np.array_equal(img, plain) for img in a[:4])  # a flag was added
    empty, labels = synth.synthesize(x, y, {}, seed=0)
    assert empty.shape == (0, 28, 28) and labels.shape == (0,)
