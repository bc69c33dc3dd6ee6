"""Outlier exposure: the loss against a NumPy reference, the digit-only accuracy, scribbles."""

import numpy as np
import pytest

pytest.importorskip("tensorflow")

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
