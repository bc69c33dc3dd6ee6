"""Architecture: parameter count, layer names and shapes, feature-model selection by name."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from lenet5.model import EXPECTED_PARAMS, LAYER_NAMES, ModelConfig, build_model, feature_model  # noqa: E402

SHAPES = {"c1": (24, 24, 6), "s2": (12, 12, 6), "c3": (8, 8, 16), "s4": (4, 4, 16),
          "flatten": (256,), "f5": (120,), "f6": (84,), "output": (10,)}


def test_parameter_count_is_44426():
    model = build_model()
    assert model.count_params() == EXPECTED_PARAMS == 44_426
    # by hand: (5*5*1+1)*6 + (5*5*6+1)*16 + (256+1)*120 + (120+1)*84 + (84+1)*10
    assert EXPECTED_PARAMS == 156 + 2416 + 30840 + 10164 + 850


def test_layer_names_and_shapes():
    model = build_model()
    names = [layer.name for layer in model.layers[1:]]
    assert names == list(LAYER_NAMES)
    for name, shape in SHAPES.items():
        assert tuple(model.get_layer(name).output.shape[1:]) == shape


def test_feature_model_returns_every_named_layer_consistently():
    model = build_model()
    fm = feature_model(model)
    x = np.random.default_rng(0).random((2, 28, 28, 1)).astype(np.float32)
    maps = fm(x)
    assert set(maps) == set(LAYER_NAMES)
    np.testing.assert_allclose(np.asarray(maps["output"]), np.asarray(model(x)), atol=1e-6)
    # s2 really is the 2x2 max-pool of c1 (an independent numpy reference)
    c1 = np.asarray(maps["c1"])
    pooled = c1.reshape(2, 12, 2, 12, 2, 6).max(axis=(2, 4))
    np.testing.assert_allclose(np.asarray(maps["s2"]), pooled, atol=1e-6)


def test_config_round_trip():
    cfg = ModelConfig()
    assert ModelConfig(**cfg.to_dict()) == cfg
