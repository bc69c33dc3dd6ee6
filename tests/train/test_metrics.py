"""Metrics against independent references (scipy.special, explicit loops)."""

import numpy as np
from scipy.special import softmax as scipy_softmax

from lenet5.core.predictor import softmax
from lenet5.train import metrics


def test_softmax_matches_scipy_and_is_stable():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(7, 10)) * 30
    assert np.allclose(softmax(z), scipy_softmax(z, axis=-1), atol=1e-6)
    big = softmax(np.array([1000.0, 0.0, -1000.0]))
    assert np.isfinite(big).all() and big[0] == 1.0


def test_confusion_matrix_matches_loop():
    rng = np.random.default_rng(1)
    t, p = rng.integers(0, 10, 500), rng.integers(0, 10, 500)
    ref = np.zeros((10, 10), int)
    for a, b in zip(t, p, strict=True):
        ref[a, b] += 1
    assert (metrics.confusion_matrix(t, p) == ref).all()


def test_summary():
    t = np.array([0, 1, 1, 2, 2, 2])
    p = np.array([0, 1, 2, 2, 2, 0])
    s = metrics.summary(t, p, classes=3)
    assert s["accuracy"] == 4 / 6 and s["n"] == 6
    assert s["per_class"] == {"0": 1.0, "1": 0.5, "2": round(2 / 3, 6)}
    assert s["misclassified"] == [{"index": 2, "true": 1, "pred": 2},
                                  {"index": 5, "true": 2, "pred": 0}]
