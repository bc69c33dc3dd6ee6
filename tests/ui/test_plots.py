"""Figure builders and image helpers, without Streamlit."""

import numpy as np
import pytest

from lenet5.ui import plots


def test_tile_places_channels_row_major_with_gaps():
    maps = np.arange(2 * 3 * 5, dtype=np.float32).reshape(2, 3, 5)
    mosaic = plots.tile(maps, cols=3, gap=1)
    assert mosaic.shape == (2 * 3 - 1, 3 * 4 - 1)
    np.testing.assert_array_equal(mosaic[0:2, 0:3], maps[..., 0])
    np.testing.assert_array_equal(mosaic[3:5, 4:7], maps[..., 4])
    assert np.isnan(mosaic[2]).all() and np.isnan(mosaic[:, 3]).all()
    assert np.isnan(mosaic[3:5, 8:11]).all()  # the sixth slot is empty


def test_enlarge_keeps_pixels_and_aspect():
    img = np.array([[0, 1], [0.5, 0]], np.float32)
    big = plots.enlarge(img, size=8)
    assert big.shape == (8, 8) and big.dtype == np.uint8
    assert big[0, 7] == 255 and big[7, 0] == 127 and big[0, 0] == 0
    assert plots.enlarge(np.zeros((20, 10)), 112).shape == (100, 50)


def bar_heights(image: np.ndarray, colour: str, tolerance: int = 10) -> dict[int, int]:
    """Per slot of the ten, how many pixel rows of the bar colour ``colour`` it holds."""
    rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
    mask = ((np.abs(image[..., :3].astype(int) - rgb).sum(-1) < tolerance)
            & (image[..., 3] == 255))
    left = image.shape[1] // 8
    slot = (image.shape[1] - left) / 10
    return {k: int(mask[:, int(left + (k + 0.5) * slot)].sum()) for k in range(10)}


def test_probability_image_draws_each_bar_to_scale_and_the_winner_in_the_accent():
    probs = np.array([0.0, 0.05, 0.1, 0, 0, 0.25, 0, 0.6, 0, 0], np.float32)
    image = plots.probability_image(probs, width=1040, height=420)
    assert image.shape == (420, 1040, 4) and image.dtype == np.uint8
    accent, muted = bar_heights(image, plots.ACCENT), bar_heights(image, plots.MUTED)
    assert accent[7] > 0 and all(v == 0 for k, v in accent.items() if k != 7)
    full = (420 - 2 * (420 // 6))  # the plot's height in pixels: 100%
    for k in (1, 2, 5):
        assert abs(muted[k] - probs[k] * full) <= 3, (k, muted[k])
    assert abs(accent[7] - 0.6 * full) <= 3
    assert image[0, 0, 3] == 0  # transparent: the page's theme shows through


def test_probability_png_is_the_same_chart_in_few_colours():
    import io

    from PIL import Image

    probs = np.array([0.0, 0.05, 0.1, 0, 0, 0.25, 0, 0.6, 0, 0], np.float32)
    png = plots.probability_png(probs)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) < 20_000
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
    assert image.shape == (300, 780, 4)
    full = 300 - 2 * (300 // 6)
    assert abs(bar_heights(image, plots.ACCENT, 40)[7] - 0.6 * full) <= 3
    assert abs(bar_heights(image, plots.MUTED, 40)[5] - 0.25 * full) <= 3


@pytest.mark.parametrize("channels,cols", [(6, 3), (16, 4)])
def test_heatmap_grid_is_one_trace(channels, cols):
    maps = np.random.default_rng(0).random((8, 8, channels))
    fig = plots.heatmap_grid(maps, cols, "c3", symmetric=True)
    assert len(fig.data) == 1
    z = np.asarray(fig.data[0].z, dtype=float)
    assert z.shape == plots.tile(np.zeros((8, 8, channels)), cols).shape
    assert fig.data[0].zmin == -fig.data[0].zmax


def test_training_curves_and_confusion():
    hist = {"loss": [1, 0.5], "val_loss": [1.1, 0.6], "accuracy": [0.8, 0.9],
            "val_accuracy": [0.79, 0.88], "epoch": [1, 2]}
    fig = plots.training_curves(hist)
    assert len(fig.data) == 4 and not fig.layout.shapes
    marked = plots.training_curves(hist, styles_after=1)
    assert [s.x0 for s in marked.layout.shapes] == [1.5, 1.5]  # in both panels
    notes = [a.text for a in marked.layout.annotations]
    assert notes.count("+ styles") == 1 and "new text" not in notes
    cm = np.eye(10, dtype=int) * 100
    cm[4, 9] = 3
    heat = plots.confusion_heatmap(cm)
    assert np.asarray(heat.data[0].text)[4, 9] == 3


def test_square_shrinks_or_enlarges_and_centres():
    tall = np.ones((280, 140), np.float32)
    out = plots.square(tall, 112)
    assert out.shape == (112, 112) and out.dtype == np.uint8
    assert (out[:, 28:84] == 255).all() and (out[:, :27] == 0).all() and (out[:, 85:] == 0).all()
    small = np.zeros((20, 10), np.float32)
    small[0, 0] = 1
    out = plots.square(small, 112)  # enlarged 5x to 100x50, centred
    assert out[6, 31] == 255 and out[6 + 5, 31 + 5] == 0


def test_strip_puts_images_side_by_side_with_grey_gaps():
    a, b = np.zeros((4, 3), np.uint8), np.full((4, 3), 255, np.uint8)
    out = plots.strip([a, b, a], gap=2, fill=128)
    assert out.shape == (4, 3 * 3 + 2 * 2) and out.dtype == np.uint8
    assert (out[:, :3] == 0).all() and (out[:, 5:8] == 255).all() and (out[:, 10:] == 0).all()
    assert (out[:, 3:5] == 128).all() and (out[:, 8:10] == 128).all()


def test_boxes_are_drawn_around_the_digits():
    ink = np.zeros((100, 200), np.uint8)
    out = plots.boxed(ink, [(10, 20, 60, 90)], ["7"])
    assert out.shape == (100, 200, 3)
    assert tuple(out[50, 10]) == (255, 75, 75) and tuple(out[20, 35]) == (255, 75, 75)
    assert out[50, 35].sum() == 0 and out[50, 100].sum() == 0


def test_probability_heatmap_has_a_column_per_digit():
    probs = np.full((3, 10), 0.01, np.float32)
    probs[np.arange(3), [2, 0, 7]] = 0.91
    fig = plots.digit_probabilities(probs)
    assert np.array(fig.data[0].z).shape == (10, 3)
    assert list(fig.data[0].x) == ["1. (2)", "2. (0)", "3. (7)"]


def test_logits_are_labelled_by_digit_and_other_layers_by_unit():
    """The output layer's ten logits: the axis reads "digit", every bar labelled (plotly's own
    ticks showed 0, 2, 4, 6, 8 under an axis titled "unit")."""
    logits = plots.activation_bars(np.linspace(-3, 3, 10), "Output", axis="digit")
    axis = logits.layout.xaxis
    assert axis.title.text == "digit"
    assert list(axis.ticktext) == [str(d) for d in range(10)]
    assert list(axis.tickvals) == list(range(10))
    assert "digit %{x}" in logits.data[0].hovertemplate
    dense = plots.activation_bars(np.zeros(84), "F6")  # the default, as before
    assert dense.layout.xaxis.title.text == "unit" and dense.layout.xaxis.ticktext is None
