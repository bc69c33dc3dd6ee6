"""Occlusion sensitivity against an analytic reference (a linear-softmax scorer)."""

import numpy as np
import pytest

from lenet5.core import attribution as at
from lenet5.core.predictor import softmax


def linear_scorer(weights):
    """probabilities = softmax(W . x) for (N, 28, 28) inputs; W is (10, 28, 28)."""
    return lambda x: softmax(np.einsum("kij,nij->nk", weights, x))


def test_windows_cover_every_pixel():
    cover = np.zeros((28, 28), int)
    for r, c in at.windows(28, 4, 2):
        cover[r : r + 4, c : c + 4] += 1
    assert cover.min() >= 1
    assert len(at.windows(28, 4, 2)) == 13 * 13
    assert at.windows(28, 5, 3)[-1] == (23, 23)  # the last window reaches the edge


def test_occluded_batch_zeroes_one_window_each():
    img = np.ones((28, 28), np.float32)
    batch = at.occluded_batch(img, 4, 2)
    assert batch.shape == (169, 28, 28)
    assert ((1 - batch).sum(axis=(1, 2)) == 16).all()
    assert (batch[0, :4, :4] == 0).all() and batch[0, 4:, 4:].min() == 1


def test_occlusion_matches_brute_force_reference():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(10, 28, 28)).astype(np.float32) * 0.3
    img = (rng.random((28, 28)) > 0.7).astype(np.float32)
    score = linear_scorer(w)
    got = at.occlusion(img, score, target=3, patch=4, stride=2)
    # reference: for each pixel, average over covering windows of p(base) - p(occluded)
    base = score(img[None])[0, 3]
    total, count = np.zeros((28, 28)), np.zeros((28, 28))
    for r, c in at.windows(28, 4, 2):
        occ = img.copy()
        occ[r : r + 4, c : c + 4] = 0
        total[r : r + 4, c : c + 4] += base - score(occ[None])[0, 3]
        count[r : r + 4, c : c + 4] += 1
    np.testing.assert_allclose(got, total / count, atol=1e-6)


def test_supporting_ink_is_positive_and_opposing_negative():
    w = np.zeros((10, 28, 28), np.float32)
    w[1, :, :14] = 1.0  # ink on the left supports class 1
    w[1, :, 14:] = -1.0  # ink on the right argues against it
    img = np.zeros((28, 28), np.float32)
    img[10:18, 4:8] = img[10:18, 20:24] = 0.5
    a = at.occlusion(img, linear_scorer(w), target=1)
    assert a[12, 5] > 0 > a[12, 21]
    assert a[0, 0] == pytest.approx(0, abs=1e-7)  # no ink, no effect


def test_overlay_colours():
    img = np.zeros((28, 28), np.float32)
    a = np.zeros((28, 28), np.float32)
    a[0, 0], a[0, 1] = 1.0, -0.5
    rgb = at.overlay(img, a, scale=2)
    assert rgb.shape == (56, 56, 3) and rgb.dtype == np.uint8
    assert tuple(rgb[0, 0]) == (255, 0, 0)
    assert tuple(rgb[0, 2]) == (0, 0, 127)
