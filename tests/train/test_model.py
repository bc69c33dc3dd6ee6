"""Architecture: parameter count, layer names and shapes, feature-model selection by name."""

import numpy as np
import pytest
from support import require

keras = require("keras")

from lenet5.train.model import EXPECTED_PARAMS, LAYER_NAMES, ModelConfig, build_model, feature_model  # noqa: E402

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


def test_variants():
    from lenet5.train.model import CLASSIC_LAYER_NAMES, layer_names, model_config

    modern, classic = build_model(model_config("modern")), build_model(model_config("classic"))
    assert modern.name == "lenet5_modern" and classic.name == "lenet5_classic"
    assert layer_names(modern) == LAYER_NAMES and layer_names(classic) == CLASSIC_LAYER_NAMES
    assert model_config("classic").activation == "scaled_tanh"
    with pytest.raises(ValueError, match="variant"):
        model_config("lenet1")
    with pytest.raises(ValueError, match="variant"):
        build_model(ModelConfig(variant="lenet1"))


def test_kernels_and_architecture_of_the_modern_net():
    from lenet5.train.model import architecture, kernels

    model = build_model()
    k = kernels(model)
    np.testing.assert_array_equal(k["c3"], model.get_layer("c3").get_weights()[0])
    assert k["c1"].shape == (5, 5, 1, 6) and k["c3"].shape == (5, 5, 6, 16)
    rows = architecture(model)
    assert [r["layer"] for r in rows] == list(LAYER_NAMES)
    assert rows[0]["activation"] == "relu" and rows[-1]["activation"] == "linear"
    assert all("paper_params" not in r for r in rows)


def test_architecture_of_the_classic_net():
    from lenet5.train.model import CLASSIC_PARAMS, architecture, build_classic

    rows = {r["layer"]: r for r in architecture(build_classic())}
    assert sum(r["params"] for r in rows.values()) == CLASSIC_PARAMS
    assert rows["c3"]["kernel"] == "5x5, 16 maps" and rows["s2"]["kernel"] == "2x2"
    assert rows["f6"]["activation"] == "scaled_tanh" and rows["s4"]["activation"] == "scaled_tanh"
    assert rows["pad"]["output"] == [32, 32, 1] and rows["c5"]["output"] == [1, 1, 120]
    assert rows["c3"]["paper_params"] == 1516 and rows["output"]["paper_params"] == 840
