"""Nearest MNIST digits in F6 (lenet5.core.neighbours), checked against scipy."""

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from lenet5.core import neighbours as N
from lenet5.core.artifacts import NEIGHBOURS_FILE, load_mnist_sample, model_file
from lenet5.core.predictor import Predictor


def bank(m=300, d=84, seed=0, sha="sha"):
    rng = np.random.default_rng(seed)
    emb = np.maximum(rng.normal(0, 3, (m, d)), 0).astype(np.float16)
    images = rng.integers(0, 256, (m, 28, 28), dtype=np.uint8)
    return N.Neighbours(emb, images, (np.arange(m) % 10).astype(np.uint8),
                        np.arange(m, dtype=np.int64) * 3, sha)


def test_nearest_matches_scipy_euclidean_nearest_first():
    nb = bank()
    probes = np.maximum(np.random.default_rng(1).normal(0, 3, (10, 84)), 0)
    expected = cdist(probes, nb.embeddings.astype(np.float64))
    for probe, row in zip(probes, expected, strict=True):
        rows, dist = nb.nearest(probe, n=8)
        assert list(rows) == list(np.argsort(row, kind="stable")[:8])
        assert np.allclose(dist, np.sort(row)[:8], rtol=1e-4)


def test_a_stored_digit_is_its_own_nearest():
    nb = bank(seed=2)
    rows, dist = nb.nearest(nb.embeddings[123])
    assert rows[0] == 123 and dist[0] == pytest.approx(0, abs=1e-2)


def test_saved_file_is_used_only_with_its_model(tmp_path):
    nb = bank(sha="abc")
    N.save(nb, tmp_path / "nb.npz")
    back = N.load(tmp_path / "nb.npz", "abc")
    for name in ("embeddings", "images", "labels", "index"):
        assert np.array_equal(getattr(back, name), getattr(nb, name))
    assert N.load(tmp_path / "nb.npz", "another model") is None
    assert N.load(tmp_path / "missing.npz", "abc") is None
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    assert N.load(tmp_path / "bad.npz", "abc") is None


@pytest.fixture(scope="module")
def committed():
    predictor = Predictor()
    return predictor, N.load(model_file(NEIGHBOURS_FILE), predictor.sha256)


def test_committed_file_belongs_to_the_committed_model(committed):
    _, nb = committed
    assert nb is not None, ("models/neighbours.npz is stale or missing: "
                           "python -m lenet5.train.lookups --data ...")
    assert nb.embeddings.dtype == np.float16 and nb.embeddings.shape[1] == 84
    assert model_file(NEIGHBOURS_FILE).stat().st_size < 4e6


def test_neighbours_of_test_digits_mostly_share_their_label(committed):
    predictor, nb = committed
    x, y, _ = load_mnist_sample(random_only=True)
    x, y = x[:200], y[:200]
    f6 = predictor.run_batch(x.astype(np.float32) / 255, keys=("f6",))["f6"]
    same = [np.mean(nb.labels[nb.nearest(f)[0]] == label) for f, label in zip(f6, y, strict=True)]
    assert np.mean(same) > 0.95
