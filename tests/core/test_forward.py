"""The NumPy pass (lenet5.core.forward): its pieces against SciPy, the whole against the LiteRT
serving model to 1e-4 on the shipped MNIST sample, and switching maps off against an
independent way of doing it (zeroing the map's kernel and bias)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import correlate

from lenet5.core import forward as F
from lenet5.core import weights as W
from lenet5.core.artifacts import CLASSIC, WEIGHTS_FILE, load_mnist_sample, model_file, serving_path
from lenet5.core.predictor import Predictor, softmax

NETS = ("", CLASSIC)


def test_conv_is_scipys_valid_cross_correlation():
    rng = np.random.default_rng(0)
    x, k, b = rng.normal(size=(12, 12, 6)), rng.normal(size=(5, 5, 6, 16)), rng.normal(size=16)
    out = F.conv(x.astype(np.float32), k.astype(np.float32), b.astype(np.float32))
    ref = np.stack([correlate(x, k[..., o], mode="valid")[..., 0] + b[o] for o in range(16)], -1)
    np.testing.assert_allclose(out, ref, atol=1e-4)


def test_pooling_takes_the_max_or_the_sum_of_each_block():
    x = np.arange(4 * 6 * 2, dtype=np.float32).reshape(4, 6, 2)
    assert F.pool(x, 2, "max")[1, 2, 1] == x[2:4, 4:6, 1].max()
    assert F.pool(x, 2, "sum")[0, 1, 0] == x[0:2, 2:4, 0].sum()
    assert F.pool(x, 2, "max").shape == (2, 3, 2)


@pytest.fixture(scope="module", params=NETS, ids=["modern", "classic"])
def net(request):
    predictor = Predictor(serving_path(request.param))
    w = W.load(model_file(WEIGHTS_FILE, request.param), predictor.sha256)
    assert w is not None, "weights.npz is stale or missing: python -m lenet5.train.export --weights"
    return predictor, w


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    x, _, _ = load_mnist_sample(random_only=True)
    return x[:100].astype(np.float32) / 255


def test_agrees_with_the_serving_model_on_every_layer(net, digits):
    predictor, w = net
    for image in digits:
        served, ours = predictor(image).maps, F.forward(w, image)
        assert set(ours) <= set(served) | {"flatten"}
        for name, value in ours.items():
            ref = served.get(name)
            if ref is not None:
                np.testing.assert_allclose(value.reshape(ref.shape), ref, atol=1e-4, err_msg=name)


def zeroed(w: W.Weights, layer: str, maps: list[int]) -> W.Weights:
    """The same net with ``maps`` of ``layer`` given a zero kernel and bias: each then outputs
    0 everywhere (ReLU(0) = tanh(0) = 0), which is what switching them off means."""
    arrays = dict(w.arrays)
    kernel, bias = arrays[f"{layer}.kernel"].copy(), arrays[f"{layer}.bias"].copy()
    kernel[..., maps], bias[maps] = 0, 0
    arrays[f"{layer}.kernel"], arrays[f"{layer}.bias"] = kernel, bias
    return W.Weights(w.variant, arrays)


@pytest.mark.parametrize(("layer", "maps"), [("c1", [0]), ("c1", [2, 5]), ("c3", [1, 7, 15]),
                                             ("c3", list(range(16)))])
def test_switching_maps_off_is_zeroing_their_weights(net, digits, layer, maps):
    _, w = net
    other = zeroed(w, layer, maps)
    for image in digits[:20]:
        off = F.forward(w, image, {layer: set(maps)})
        assert not off[layer][..., maps].any()
        np.testing.assert_allclose(off["output"], F.forward(other, image)["output"], atol=1e-5)


def test_switching_maps_off_changes_some_readings(net, digits):
    _, w = net
    before = np.array([softmax(F.forward(w, x)["output"]).argmax() for x in digits])
    after = np.array([softmax(F.forward(w, x, {"c1": {0, 1, 2}})["output"]).argmax()
                      for x in digits])
    assert (before != after).any()


def test_stale_missing_or_incomplete_weights_are_not_used(net, tmp_path):
    predictor, w = net
    W.save(w, tmp_path / "w.npz", "abc")
    assert W.load(tmp_path / "w.npz", "abc").variant == w.variant
    assert W.load(tmp_path / "w.npz", "another model") is None
    short = W.Weights(w.variant, {k: v for k, v in w.arrays.items() if k != "c3.bias"})
    W.save(short, tmp_path / "short.npz", "abc")
    assert W.load(tmp_path / "short.npz", "abc") is None
    assert W.load(tmp_path / "missing.npz", "abc") is None
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    assert W.load(tmp_path / "bad.npz", "abc") is None


def test_a_truncated_weights_file_is_not_used(net, tmp_path):
    """A zip cut short (a copy interrupted) raises BadZipFile inside numpy: not a traceback."""
    _, w = net
    W.save(w, tmp_path / "w.npz", "abc")
    data = (tmp_path / "w.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    assert W.load(tmp_path / "cut.npz", "abc") is None
