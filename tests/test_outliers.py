"""Outlier exposure: the loss against a NumPy reference, the digit-only accuracy, scribbles."""

import numpy as np
import pytest
from support import require

require("tensorflow")

from lenet5 import outliers  # noqa: E402


def reference_loss(y, logits, weight):
    """Independent NumPy version: log-softmax cross-entropy; uniform target for label 10."""
    z = logits - logits.max(1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(1, keepdims=True))
    return np.array([weight * -logp[i].mean() if y[i] == 10 else -logp[i, y[i]]
                     for i in range(len(y))])


def test_loss_matches_numpy_reference():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, (32, 10)).astype(np.float32)
    y = rng.integers(0, 11, 32)
    got = np.asarray(outliers.exposure_loss(0.3)(y, logits))
    np.testing.assert_allclose(got, reference_loss(y, logits, 0.3), rtol=1e-5, atol=1e-5)
    uniform = np.zeros((1, 10), np.float32)  # an unsure answer costs an outlier only log(10)*w
    np.testing.assert_allclose(np.asarray(outliers.exposure_loss(1.0)([10], uniform)),
                               [np.log(10)], rtol=1e-6)


def reference_hinge(y, logits, weight, cap):
    """NumPy: an outlier costs weight * max(0, log p_max - log cap); digits cross-entropy."""
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    return np.array([weight * max(0.0, np.log(p[i].max() / cap)) if y[i] == 10
                     else -np.log(p[i, y[i]]) for i in range(len(y))])


def test_hinge_loss_matches_numpy_reference():
    rng = np.random.default_rng(1)
    logits = rng.normal(0, 3, (64, 10)).astype(np.float32)
    y = rng.integers(0, 11, 64)
    got = np.asarray(outliers.exposure_loss(0.5, "hinge", 0.4)(y, logits))
    np.testing.assert_allclose(got, reference_hinge(y, logits, 0.5, 0.4), rtol=1e-5, atol=1e-5)
    unsure = np.log(np.array([[0.3] + [0.7 / 9] * 9], np.float32))  # below the cap: free
    assert float(np.asarray(outliers.exposure_loss(1.0, "hinge", 0.4)([10], unsure))[0]) == 0
    with pytest.raises(ValueError):
        outliers.exposure_loss(1.0, "energy")


def test_digit_accuracy_ignores_outliers():
    metric = outliers.DigitAccuracy()
    logits = np.eye(10, dtype=np.float32)[[3, 5, 0, 1]]
    metric.update_state(np.array([3, 4, 10, 10]), logits)  # 1 of 2 digits right
    assert float(metric.result()) == pytest.approx(0.5)
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_random_scribbles_look_like_mnist_inputs():
    x = outliers.random_scribbles(20, seed=3)
    assert x.shape == (20, 28, 28) and x.dtype == np.uint8
    assert (x.reshape(20, -1).max(1) > 200).all()  # each has ink
    assert np.array_equal(x, outliers.random_scribbles(20, seed=3))  # deterministic


def test_simple_scribbles_can_be_left_out():
    line, vee = np.zeros((2, 2)), np.zeros((3, 2))
    curve, zigzag = np.zeros((30, 2)), np.zeros((5, 2))
    assert outliers.is_simple([line]) and outliers.is_simple([vee])
    assert outliers.is_simple([curve]) and not outliers.is_simple([zigzag])
    assert not outliers.is_simple([line, line])
    rng = np.random.default_rng(5)
    drawn = [outliers._random_strokes(rng) for _ in range(200)]
    assert 0.1 < np.mean([outliers.is_simple(s) for s in drawn]) < 0.5  # a real share
    x = outliers.random_scribbles(30, seed=3, simple=False)
    assert x.shape == (30, 28, 28) and not np.array_equal(x, outliers.random_scribbles(30, 3))
