"""Non-digit drawings: generated as intended, and measured end to end."""

import numpy as np

from lenet5 import scribbles
from lenet5.inference import Predictor
from lenet5.preprocess import preprocess


def test_every_shape_is_drawn_as_readable_ink():
    images, labels = scribbles.drawings(len(scribbles.SHAPES), seed=1)
    assert labels == list(scribbles.SHAPES)
    for img, name in zip(images, labels, strict=True):
        assert img.shape == (280, 280, 4) and img.dtype == np.uint8
        assert preprocess(img, dark_background=True).ok, name


def test_jitter_keeps_the_shape_size_and_flips_y():
    rng = np.random.default_rng(0)
    (line,) = scribbles.jitter([[[0.5, 0.0], [0.5, 1.0]]], rng)
    assert len(line) == 16
    span = line.max(0) - line.min(0)
    assert 0.9 < span[1] < 1.1 and span[0] < 0.4  # a vertical line stays vertical, about ±15°
    assert line[0, 1] > line[-1, 1]  # y up: the first point (top of the drawing) is highest


def test_confident_rate_fractions_add_up():
    result = scribbles.confident_rate(Predictor(), n=40, seed=0)
    assert result["n"] == 40
    total = result["confident"] + result["unsure"] + result["unreadable"]
    assert abs(total - 1) < 1e-6
    assert set(result["confident_per_shape"]) == set(scribbles.SHAPES)


def test_the_typicality_check_takes_shapes_out_of_the_confident_ones():
    from lenet5 import ood

    predictor = Predictor()
    typicality = ood.load(ood.OOD_PATH, predictor.sha256)
    plain = scribbles.confident_rate(predictor, n=60, seed=2)
    checked = scribbles.confident_rate(predictor, n=60, seed=2, typicality=typicality)
    assert plain["atypical"] == 0 and checked["atypical"] > 0.3
    assert checked["confident"] < plain["confident"]
    kinds = ("confident", "unsure", "atypical", "unreadable")
    assert abs(sum(checked[k] for k in kinds) - 1) < 1e-3  # each rounded to 4 places
