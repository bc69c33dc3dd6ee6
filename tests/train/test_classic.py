"""The classic (1998) LeNet-5: squashing, subsampling, C3's connections, input scaling, sizes,
saving and the LiteRT export, each against an independent reference (numpy, the paper)."""

import numpy as np
import pytest
from support import require

keras = require("keras")

from lenet5.core.artifacts import models_dir
from lenet5.core.predictor import Predictor  # noqa: E402
from lenet5.train.classic import C3_TABLE, PartialConv2D, Subsampling, scaled_tanh  # noqa: E402
from lenet5.train.model import (  # noqa: E402
    CLASSIC_LAYER_NAMES,
    CLASSIC_PARAMS,
    build_classic,
    feature_model,
    kernels,
    paper_comparison,
)

CLASSIC_DIR = models_dir() / "classic"  # the committed classic model
# Table I of LeCun et al. 1998, typed from the paper: row = S2 map, column = C3 map 0-15.
TABLE_I = [
    "X   XXX  XXXX XX",
    "XX   XXX  XXXX X",
    "XXX   XXX  X XXX",
    " XXX  XXXX  X XX",
    "  XXX  XXXX XX X",
    "   XXX  XXXX XXX",
]
# Section II-B: trainable parameters per layer (output: RBF, 84 x 10 fixed weights).
PAPER = {"c1": 156, "s2": 12, "c3": 1516, "s4": 32, "c5": 48120, "f6": 10164, "output": 840}
SHAPES = {"c1": (28, 28, 6), "s2": (14, 14, 6), "c3": (10, 10, 16), "s4": (5, 5, 16),
          "c5": (1, 1, 120), "f6": (84,), "output": (10,)}


def squash(a):
    return 1.7159 * np.tanh(2 * a / 3)


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(1)
    return build_classic()


@pytest.fixture(scope="module")
def digits():
    from lenet5.core.artifacts import load_mnist_sample

    return load_mnist_sample(random_only=True)[0][:100].astype(np.float32)[..., None] / 255


def test_scaled_tanh_matches_numpy():
    a = np.linspace(-6, 6, 241, dtype=np.float32)
    np.testing.assert_allclose(np.asarray(scaled_tanh(a)), squash(a), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.asarray(scaled_tanh(np.float32([1, -1]))), [1, -1], atol=2e-4)


def test_subsampling_matches_numpy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 10, 10, 3)).astype(np.float32)
    layer = Subsampling(2)
    layer.build(x.shape)
    coeff, bias = np.float32([0.7, -0.3, 1.9]), np.float32([0.1, 0.0, -0.5])
    layer.set_weights([coeff, bias])
    expected = squash(x.reshape(2, 5, 2, 5, 2, 3).sum(axis=(2, 4)) * coeff + bias)
    np.testing.assert_allclose(np.asarray(layer(x)), expected, rtol=1e-5, atol=1e-6)
    assert layer.count_params() == 6


def test_c3_table_is_the_papers_table_one():
    typed = [{j for j, c in enumerate(row) if c == "X"} for row in TABLE_I]
    assert [len(row) for row in TABLE_I] == [16] * 6
    for j, seen in enumerate(C3_TABLE):
        assert set(seen) == {i for i in range(6) if j in typed[i]}, j
    assert sum(len(seen) for seen in C3_TABLE) == 60


def c3_layer(seed: int = 0) -> PartialConv2D:
    layer = PartialConv2D(16, 5, C3_TABLE)
    layer.build((None, 14, 14, 6))
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(size=w.shape).astype(np.float32) for w in layer.get_weights()])
    return layer


def test_an_unconnected_s2_map_has_no_effect_on_a_c3_map():
    layer = c3_layer()
    x = np.random.default_rng(1).normal(size=(1, 14, 14, 6)).astype(np.float32)
    base = np.asarray(layer(x))
    for i in range(6):
        changed = x.copy()
        changed[..., i] += np.random.default_rng(2 + i).normal(size=(1, 14, 14)) * 3
        moved = np.abs(np.asarray(layer(changed)) - base).max(axis=(0, 1, 2)) > 0
        assert moved.tolist() == [TABLE_I[i][j] == "X" for j in range(16)], i


def test_c3_is_a_convolution_with_a_masked_kernel():
    layer = c3_layer()
    full = np.asarray(layer.full_kernel())
    assert full.shape == (5, 5, 6, 16)
    connected = np.array([[c == "X" for c in row] for row in TABLE_I])
    assert (np.abs(full).sum(axis=(0, 1)) > 0).tolist() == connected.tolist()
    x = np.random.default_rng(3).normal(size=(2, 14, 14, 6)).astype(np.float32)
    windows = np.lib.stride_tricks.sliding_window_view(x, (5, 5), axis=(1, 2))  # N,10,10,6,5,5
    conv = np.einsum("nhwiyx,yxio->nhwo", windows, full) + layer.get_weights()[1]
    np.testing.assert_allclose(np.asarray(layer(x)), squash(conv), rtol=1e-4, atol=1e-4)


def test_parameter_counts_are_the_papers(model):
    counts = {name: model.get_layer(name).count_params() for name in CLASSIC_LAYER_NAMES}
    assert counts == {**PAPER, "output": 850}  # a dense output layer instead of the RBF one
    assert model.count_params() == CLASSIC_PARAMS == 60_850
    c3 = model.get_layer("c3")
    assert sum(int(np.prod(w.shape)) for w in c3.trainable_weights) == 1516
    rows = paper_comparison(model)
    assert [r["layer"] for r in rows] == list(CLASSIC_LAYER_NAMES)
    assert {r["layer"]: r["paper"] for r in rows} == PAPER
    assert {r["layer"]: r["params"] for r in rows} == counts


def test_input_is_padded_to_32_and_scaled(model):
    scaled = feature_model(model, ("scale",))
    x = np.zeros((2, 28, 28, 1), np.float32)
    x[1] = 1.0
    out = np.asarray(scaled(x)["scale"])
    assert out.shape == (2, 32, 32, 1)
    np.testing.assert_allclose(out[0], -0.1, atol=1e-6)
    np.testing.assert_allclose(out[1, 2:30, 2:30], 1.175, atol=1e-6)
    border = np.ones((32, 32), bool)
    border[2:30, 2:30] = False
    np.testing.assert_allclose(out[1, border, 0], -0.1, atol=1e-6)


def test_feature_model_shapes(model, digits):
    maps = feature_model(model)(digits[:3])
    assert set(maps) == set(CLASSIC_LAYER_NAMES)
    assert {k: tuple(v.shape[1:]) for k, v in maps.items()} == SHAPES
    np.testing.assert_allclose(np.asarray(maps["output"]), np.asarray(model(digits[:3])),
                               atol=1e-6)
    assert kernels(model)["c3"].shape == (5, 5, 6, 16)


def test_keras_round_trip_with_safe_mode(model, digits, tmp_path):
    model.save(tmp_path / "classic.keras")
    loaded = keras.models.load_model(tmp_path / "classic.keras", safe_mode=True)
    assert [type(layer).__name__ for layer in loaded.layers] == [
        type(layer).__name__ for layer in model.layers]
    assert loaded.get_layer("c3").table == C3_TABLE
    np.testing.assert_array_equal(np.asarray(loaded(digits)), np.asarray(model(digits)))


def assert_litert_matches(predictor: Predictor, keras_model, x: np.ndarray) -> None:
    ref = feature_model(keras_model).predict(x, batch_size=len(x), verbose=0)
    got = predictor.run_batch(x[..., 0])
    assert set(got) == set(CLASSIC_LAYER_NAMES)
    for name in CLASSIC_LAYER_NAMES:  # float32: 1e-5 absolute, or relative for large logits
        assert got[name].shape[1:] == SHAPES[name]
        np.testing.assert_allclose(got[name], np.asarray(ref[name]), atol=1e-5, rtol=1e-5)


@pytest.mark.slow
def test_litert_export_matches_keras(model, digits, tmp_path):
    from lenet5.train.export import export_serving

    export_serving(model, tmp_path / "classic.tflite")
    assert_litert_matches(Predictor(tmp_path / "classic.tflite"), model, digits)


@pytest.mark.slow
def test_committed_classic_model_matches_its_keras_file(digits):
    loaded = keras.models.load_model(CLASSIC_DIR / "lenet5.keras", safe_mode=True)
    assert_litert_matches(Predictor(CLASSIC_DIR / "lenet5.tflite"), loaded, digits)


def test_committed_classic_model_scores_99_on_mnist(mnist_path):
    from lenet5.eval.evaluate import mnist_accuracy

    result = mnist_accuracy(Predictor(CLASSIC_DIR / "lenet5.tflite"), mnist_path)
    assert result["mnist_test_accuracy"] >= 0.99, result["mnist_test_accuracy"]  # paper: 99.05%


def test_committed_classic_model_records_its_variant():
    import json

    metrics = json.loads((CLASSIC_DIR / "metrics.json").read_text())
    assert metrics["model_config"]["variant"] == "classic" and metrics["param_count"] == 60_850
    assert not (CLASSIC_DIR / "typicality.npz").exists()
