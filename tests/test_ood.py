"""Atypical drawings (lenet5.ood), checked against scipy and numpy references."""

import numpy as np
import pytest
from scipy.spatial.distance import mahalanobis

from lenet5 import ood
from lenet5.inference import Predictor
from lenet5.pipeline import analyse
from lenet5.preprocess import preprocess
from lenet5.samples import load_mnist_sample
from lenet5.scribbles import drawings


def blobs(n=400, d=5, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 10
    centres = rng.normal(0, 5, (10, d))
    return centres[labels] + rng.normal(0, 1, (n, d)), labels


def test_fit_matches_a_pooled_covariance_reference():
    x, y = blobs()
    t = ood.fit(x, y, x[:50], "sha", ridge=0.0)
    means = np.stack([x[y == k].mean(0) for k in range(10)])
    pooled = sum(np.cov(x[y == k].T, bias=True) * (y == k).sum() for k in range(10)) / len(x)
    assert np.allclose(t.means, means, atol=1e-5)
    assert np.allclose(t.precision, np.linalg.inv(pooled), rtol=1e-4, atol=1e-5)


def test_distance_matches_scipy_mahalanobis():
    x, y = blobs(seed=1)
    t = ood.fit(x, y, x, "sha")
    probe = np.random.default_rng(2).normal(0, 6, (20, x.shape[1]))
    expected = [min(mahalanobis(p, m, t.precision) ** 2 for m in t.means) for p in probe]
    assert np.allclose(t.distance(probe), expected, rtol=1e-4)


def test_threshold_flags_the_chosen_share_of_held_out_data():
    x, y = blobs(n=4000, seed=3)
    t = ood.fit(x, y, x[:2000], "sha", quantile=0.95)
    assert t.atypical(x[:2000]).mean() == pytest.approx(0.05, abs=0.002)
    assert t.atypical(x[:, ::-1] * 3).mean() > 0.5  # features from elsewhere


def test_saved_statistics_are_used_only_with_their_model(tmp_path):
    x, y = blobs(seed=4)
    t = ood.fit(x, y, x, "abc")
    ood.save(t, tmp_path / "ood.npz")
    back = ood.load(tmp_path / "ood.npz", "abc")
    assert np.array_equal(back.precision, t.precision) and back.threshold == t.threshold
    assert ood.load(tmp_path / "ood.npz", "another model") is None
    assert ood.load(tmp_path / "missing.npz", "abc") is None
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    assert ood.load(tmp_path / "bad.npz", "abc") is None


@pytest.fixture(scope="module")
def committed():
    predictor = Predictor()
    return predictor, ood.load(ood.OOD_PATH, predictor.sha256)


def test_committed_statistics_belong_to_the_committed_model(committed):
    _, t = committed
    assert t is not None, "models/ood.npz is stale or missing: python -m lenet5.ood --data ..."


def test_mnist_digits_are_typical_and_shapes_often_are_not(committed):
    predictor, t = committed
    x, _, _ = load_mnist_sample(random_only=True)
    assert t.atypical(ood.features_of(predictor, x)).mean() < 0.03
    images = [preprocess(img, dark_background=True) for img in drawings(100, seed=5)[0]]
    shapes = np.stack([np.round(r.image * 255).astype(np.uint8) for r in images if r.ok])
    assert t.atypical(ood.features_of(predictor, shapes)).mean() > 0.3


def test_analysis_says_a_shape_does_not_look_like_a_digit(committed):
    predictor, t = committed
    results = [analyse(img, predictor, typicality=t) for img in drawings(40, seed=6)[0]]
    atypical = [r for r in results if r.ok and r.atypical]
    assert atypical and all("does not look much like" in r.verdict() for r in atypical)
    assert all(r.doubtful for r in atypical)
