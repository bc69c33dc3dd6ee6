"""MNIST-style preprocessing, checked against independent references (scipy.ndimage)."""

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from lenet5.core import preprocess as pp
from lenet5.core.strokes import render


def canvas_digit(box=(60, 40, 220, 240), brush=18, size=280):
    """A '7'-like figure of two strokes inside ``box`` (x0, y0, x1, y1) -> RGBA uint8."""
    x0, y0, x1, y1 = box
    bar = np.array([[x0, y0], [x1, y0]], float)
    strokes = [bar, np.array([[x1, y0], [x0 + 0.3 * (x1 - x0), y1]])]
    return render(strokes, size, brush)


def ink_box(img, level=0.1):
    rows = np.flatnonzero((img > level).any(1))
    cols = np.flatnonzero((img > level).any(0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def test_centre_of_mass_matches_scipy():
    rng = np.random.default_rng(1)
    for _ in range(20):
        img = rng.random((rng.integers(3, 40), rng.integers(3, 40))).astype(np.float32) ** 4
        assert np.allclose(pp.centre_of_mass(img), ndimage.center_of_mass(img), atol=1e-4)


def test_bounding_box_matches_ndimage_find_objects():
    img = np.zeros((50, 60), np.uint8)
    img[7:19, 22:41] = 200
    img[30, 5] = 127
    img[40, 50] = 20  # below the ink level: not part of the box
    sl = ndimage.find_objects((img > pp.INK_LEVEL * 255).astype(int))[0]
    assert pp.bounding_box(img) == (sl[1].start, sl[0].start, sl[1].stop, sl[0].stop)


@pytest.mark.parametrize(
    "box,brush",
    [
        ((60, 40, 220, 240), 18),  # normal
        ((5, 5, 60, 70), 18),  # off-centre, top left
        ((200, 190, 270, 275), 12),  # off-centre, bottom right
        ((120, 120, 145, 150), 3),  # tiny and thin
        ((2, 2, 278, 278), 40),  # huge and thick
        ((60, 40, 220, 240), 2),  # thin
        ((60, 40, 220, 240), 45),  # thick
    ],
)
def test_digit_is_centred_and_20px(box, brush):
    result = pp.preprocess(canvas_digit(box, brush))
    assert result.ok, result.reason
    img = result.image
    assert img.shape == (28, 28) and img.dtype == np.float32
    assert img.min() >= 0 and img.max() <= 1
    h, w = ink_box(img)
    assert max(h, w) in (20, 21)  # 20 px box; anti-aliasing may touch one more row
    cy, cx = ndimage.center_of_mass(img)
    assert abs(cy - pp.CENTRE) <= 0.5 and abs(cx - pp.CENTRE) <= 0.5


def test_position_on_canvas_does_not_matter():
    a = pp.preprocess(canvas_digit((20, 20, 120, 145))).image
    b = pp.preprocess(canvas_digit((150, 130, 250, 255))).image
    assert np.abs(a - b).max() < 0.1


def test_steps_are_returned():
    result = pp.preprocess(canvas_digit())
    assert list(result.steps) == ["drawn", "cropped", "scaled", "centred"]
    assert result.steps["drawn"].shape == (280, 280)
    assert max(result.steps["scaled"].shape) == 20
    x0, y0, x1, y1 = result.bbox
    assert result.steps["cropped"].shape == (y1 - y0, x1 - x0)


def reference(gray: np.ndarray) -> np.ndarray:
    """MNIST's recipe written out independently (numpy, Pillow's box filter, scipy): crop
    ``(H, W) uint8`` light ink on black to the ink above 10%, scale the longer side to 20 px,
    paste into 28x28 with the centre of mass at (14, 14) -> ``(28, 28) float32``."""
    rows = np.flatnonzero((gray > 0.1 * 255).any(1))
    cols = np.flatnonzero((gray > 0.1 * 255).any(0))
    crop = gray[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    h, w = crop.shape
    size = (max(1, round(w * 20 / max(h, w))), max(1, round(h * 20 / max(h, w))))
    small = np.asarray(Image.fromarray(crop).resize(size, Image.Resampling.BOX), np.float32)
    small /= 255
    cy, cx = ndimage.center_of_mass(small)
    top = int(np.clip(round(14 - cy), 0, 28 - small.shape[0]))
    left = int(np.clip(round(14 - cx), 0, 28 - small.shape[1]))
    out = np.zeros((28, 28), np.float32)
    out[top:top + small.shape[0], left:left + small.shape[1]] = small
    return out


@pytest.mark.parametrize("box", [(60, 40, 220, 240), (5, 5, 60, 70), (30, 100, 250, 160)])
def test_matches_an_independent_reference(box):
    """OpenCV's area filter and Pillow's box filter differ by a few grey levels at the edges."""
    rgba = canvas_digit(box)
    diff = np.abs(pp.preprocess(rgba, dark_background=True).image - reference(rgba[..., 0]))
    assert diff.max() < 0.16 and diff.mean() < 0.005, (diff.max(), diff.mean())


def agreed_reference(rgba: np.ndarray) -> np.ndarray:
    """The canvas reading, first checked against :func:`reference`, for comparing forms."""
    got = pp.preprocess(rgba, dark_background=True).image
    assert np.abs(got - reference(rgba[..., 0])).mean() < 0.005
    return got


def test_polarity_and_formats_agree():
    rgba = canvas_digit()
    ref = agreed_reference(rgba)
    gray = rgba[..., 0]
    variants = {
        "gray": gray,
        "dark on light": 255 - gray,
        "rgb": rgba[..., :3],
        "float": gray.astype(np.float32) / 255,
        "uint16": gray.astype(np.uint16) * 257,
        "transparent background": np.dstack([np.full_like(gray, 255)] * 3 + [gray]),
        "black ink, transparent": np.dstack([np.zeros_like(gray)] * 3 + [gray]),
    }
    for name, img in variants.items():
        out = pp.preprocess(img)
        assert out.ok, name
        assert np.abs(out.image - ref).max() < 0.02, name


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((280, 280, 4), np.uint8),  # fully transparent
        np.dstack([np.zeros((280, 280, 3), np.uint8), np.full((280, 280), 255, np.uint8)]),
        np.full((100, 100), 255, np.uint8),  # all white
        np.full((50, 50), 0.1, np.float32),  # uniform grey
    ],
)
def test_empty_means_nothing_to_read(image):
    result = pp.preprocess(image)
    assert not result.ok and result.image is None
    assert "Nothing to read" in result.reason


def test_too_small_or_too_faint():
    tiny = np.zeros((280, 280), np.uint8)
    tiny[100:104, 100:103] = 255
    assert "too small" in pp.preprocess(tiny).reason
    faint = (canvas_digit()[..., 0] * 0.1).astype(np.uint8)  # 10% contrast
    assert not pp.preprocess(faint).ok


@pytest.mark.parametrize(
    "bad",
    [np.zeros((28,), np.uint8), np.zeros((5, 5, 2), np.uint8), np.zeros((0, 5), np.uint8),
     np.zeros((5, 5), np.int64), np.full((5, 5), 2.0), np.full((5, 5), np.nan, np.float32),
     np.zeros((9000, 2), np.uint8)],
)
def test_bad_arrays_raise_clear_errors(bad):
    with pytest.raises(pp.PreprocessError):
        pp.preprocess(bad)


def test_scale_to_box_keeps_aspect_ratio():
    out = pp.scale_to_box(np.ones((100, 50), np.float32))
    assert out.shape == (20, 10)
    assert pp.scale_to_box(np.ones((5, 8), np.float32)).shape == (12, 20)


def test_place_by_mass_clamps_inside_field():
    digit = np.zeros((20, 20), np.float32)
    digit[:, -1] = 1  # all mass on the right edge: a full shift would push it outside
    out = pp.place_by_mass(digit)
    assert out.sum() == pytest.approx(digit.sum())


def test_single_dot_is_not_a_digit():
    dot = render([np.array([[140.0, 140.0]])], 280, 18)
    result = pp.preprocess(dot, dark_background=True)
    assert not result.ok and "dot" in result.reason


def test_scribbled_canvas_is_not_a_digit():
    rng = np.random.default_rng(0)
    strokes = [rng.uniform(0, 280, (40, 2)) for _ in range(6)]
    result = pp.preprocess(render(strokes, 280, 40), dark_background=True)
    assert not result.ok and "mostly ink" in result.reason


@pytest.mark.parametrize("brush", [6, 18, 40])
def test_a_straight_one_is_a_digit_not_solid_ink(brush):
    line = render([np.array([[140.0, 50.0], [140.0, 230.0]])], 280, brush)
    result = pp.preprocess(line, dark_background=True)
    assert result.ok, result.reason
    tight = line[40:240, 140 - brush // 2 - 2:140 + brush // 2 + 3]  # cropped close, as
    assert pp.preprocess(tight, dark_background=True).ok  # the Number page does per digit


def test_stroke_along_the_edge_with_known_polarity():
    # a stroke hugging the border: guessing the polarity from the border could invert it
    edge = [np.array([[2, 2], [278, 2], [278, 278], [2, 278], [2, 150]], float)]
    img = render(edge, 280, 12)
    result = pp.preprocess(img, dark_background=True)
    assert result.ok
    assert result.image.mean() < 0.5  # still white ink on black, not inverted


def test_known_polarity_dark_on_light():
    ref = agreed_reference(canvas_digit())
    paper = 255 - canvas_digit()[..., 0]
    np.testing.assert_allclose(pp.preprocess(paper, dark_background=False).image, ref, atol=0.02)


def test_two_digits_side_by_side():
    one = [np.array([[60, 60], [60, 220]], float)]
    zero = [np.array([[150 + 40 * np.cos(t), 140 + 80 * np.sin(t)] for t in
                      np.linspace(0, 2 * np.pi, 40)])]
    result = pp.preprocess(render(one + zero, 280, 14), dark_background=True)
    assert not result.ok and "more than one digit" in result.reason
    # a wide single digit in two strokes that overlap horizontally is still read
    seven = [np.array([[20, 100], [260, 100]], float), np.array([[260, 100], [150, 200]], float)]
    assert pp.preprocess(render(seven, 280, 14), dark_background=True).ok
