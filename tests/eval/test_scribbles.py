"""Non-digit drawings: generated as intended, and measured end to end."""

import numpy as np
import pytest

from lenet5.core.artifacts import TYPICALITY_FILE, model_file
from lenet5.core.predictor import Predictor
from lenet5.core.preprocess import preprocess
from lenet5.core.reader import UNSURE, Reader
from lenet5.eval import scribbles


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


def page_outcomes(predictor, n, seed, typicality=None) -> dict[str, float]:
    """How the Draw page answers each drawing (lenet5.core.reader, one at a time): the
    independent reference for confident_rate's batched count."""
    images, _ = scribbles.drawings(n, seed)
    counts = dict.fromkeys(("confident", "unsure", "atypical", "unreadable"), 0)
    for img in images:
        a = Reader(predictor, typicality=typicality).read(img)
        kind = ("unreadable" if not a.ok else "atypical" if a.atypical
                else "confident" if a.reading.confidence >= UNSURE else "unsure")
        counts[kind] += 1
    return {k: v / n for k, v in counts.items()}


def test_confident_rate_counts_as_the_page_answers():
    predictor = Predictor()
    result = scribbles.confident_rate(predictor, n=40, seed=0)
    assert result["n"] == 40 and set(result["confident_per_shape"]) == set(scribbles.SHAPES)
    expected = page_outcomes(predictor, 40, 0)
    assert {k: result[k] for k in expected} == pytest.approx(expected, abs=1e-4)
    assert result["confident"] > 0.85  # measured 0.9: without the typicality check, shapes
    # mostly read as sure digits


def test_the_typicality_check_takes_shapes_out_of_the_confident_ones():
    from lenet5.core import typicality as typ

    predictor = Predictor()
    typicality = typ.load(model_file(TYPICALITY_FILE), predictor.sha256)
    plain = scribbles.confident_rate(predictor, n=60, seed=2)
    checked = scribbles.confident_rate(predictor, n=60, seed=2, typicality=typicality)
    expected = page_outcomes(predictor, 60, 2, typicality)
    assert {k: checked[k] for k in expected} == pytest.approx(expected, abs=1e-4)
    # measured: 0.8 of these 60 shapes said not to look like a digit, 0.2 left read as sure
    assert plain["atypical"] == 0 and checked["atypical"] > 0.75
    assert checked["confident"] < plain["confident"] - 0.4


def test_every_letter_is_drawn_as_readable_ink_with_its_strokes():
    images, labels, strokes = scribbles.sketches(len(scribbles.LETTERS), 3, scribbles.LETTERS)
    assert labels == list(scribbles.LETTERS) and set(scribbles.LOOKALIKES) <= set(labels)
    for img, name, s in zip(images, labels, strokes, strict=True):
        assert preprocess(img, dark_background=True).ok, name
        assert len(s) == len(scribbles.LETTERS[name])
    # drawings() is sketches() without the strokes: the same images for the same seed
    assert all(np.array_equal(a, b) for a, b in zip(
        scribbles.drawings(5, 4)[0], scribbles.sketches(5, 4)[0], strict=True))
