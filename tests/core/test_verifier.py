"""The segmentation's verifier (lenet5.core.verifier): its arithmetic against a plain reference,
its file tied to the serving model, and its effect on how a number is cut."""

import math
from dataclasses import replace

import numpy as np
import pytest

from lenet5.core import verifier as vf
from lenet5.core.artifacts import models_dir
from lenet5.core.reader import Reader


def toy(features: int = 5, seed: int = 0) -> vf.Verifier:
    rng = np.random.default_rng(seed)
    return vf.Verifier(rng.normal(size=features), rng.uniform(0.5, 2, features),
                       rng.normal(size=(features, vf.HIDDEN)), rng.normal(size=vf.HIDDEN),
                       rng.normal(size=vf.HIDDEN), 0.3, "a" * 64)


def test_log_one_digit_is_the_log_sigmoid_of_a_relu_network_computed_by_hand():
    v, x = toy(), np.random.default_rng(1).normal(size=(4, 5)) * 3
    for row, got in zip(x, v.log_one_digit(x), strict=True):
        z = [(row[i] - v.mean[i]) / v.scale[i] for i in range(5)]
        hidden = [max(0.0, sum(z[i] * v.w1[i, h] for i in range(5)) + v.b1[h])
                  for h in range(vf.HIDDEN)]
        logit = sum(a * b for a, b in zip(hidden, v.w2, strict=True)) + v.b2
        assert got == pytest.approx(math.log(1 / (1 + math.exp(-logit))), abs=1e-9)
    assert (v.log_one_digit(x * 1e6) <= 0).all()  # no overflow to a positive log-probability


def test_features_hold_f6_how_sure_the_net_is_and_the_shape():
    maps, shape = np.arange(2 * 84.0).reshape(2, 84), np.ones((2, len(vf.SHAPE)))
    probs = np.array([[0.7, 0.2] + [0.0125] * 8, [0.1] * 10])
    f = vf.features(maps, probs, shape)
    assert f.shape == (2, 84 + 3 + len(vf.SHAPE))
    assert f[0, 84] == pytest.approx(math.log(0.7))
    assert f[0, 85] == pytest.approx(math.log(0.7 / 0.2))
    assert f[1, 86] == pytest.approx(math.log(10))  # the entropy of a uniform guess


def test_saved_verifier_loads_for_its_model_only(tmp_path):
    v, path = toy(), tmp_path / vf.FILE
    vf.save(v, path)
    back = vf.load(path, v.model_sha256)
    x = np.random.default_rng(2).normal(size=(3, 5))
    assert np.allclose(back.log_odds(x), v.log_odds(x))
    assert vf.load(path, "b" * 64) is None  # the model was retrained since
    vf.save(replace(v, w2=np.zeros(3)), path)
    assert vf.load(path, v.model_sha256) is None  # inconsistent shapes
    path.write_bytes(b"not a zip")
    assert vf.load(path, v.model_sha256) is None
    assert vf.load(tmp_path / "missing.npz", v.model_sha256) is None


def test_committed_verifier_is_for_the_committed_model():
    reader = Reader.load(models_dir())
    assert reader.verifier is not None, "models/verifier.npz is stale: rerun " \
        "python -m lenet5.train.verifier --pendigits PATH"
    assert reader.verifier.w1.shape[0] == 84 + 3 + len(vf.SHAPE)
