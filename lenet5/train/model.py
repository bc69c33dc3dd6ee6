"""LeNet-5 architectures: pure model construction, no I/O.

Two variants, both with input ``(batch, 28, 28, 1) float32 in [0, 1]`` (white digit on black)
and output ``(batch, 10)`` logits, so the app serves either unchanged:

- ``modern`` (:func:`build_model` with the default config): ReLU, max-pooling, C3 sees all of
  S2, a dense F5 on the flattened S4;
- ``classic`` (:func:`build_classic`): the 1998 network of LeCun et al. as published, built from
  the layers in :mod:`lenet5.train.classic`.

Layers are named as in the 1998 paper so that they can be selected by name.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import keras
import numpy as np
from keras import layers

from lenet5.core.forward import CLASSIC_OFFSET, CLASSIC_PAD, CLASSIC_SCALE
from lenet5.train.classic import C3_TABLE, PAPER_PARAMS, PartialConv2D, Subsampling, scaled_tanh

# Names of the layers whose outputs the app shows, in forward order.
LAYER_NAMES = ("c1", "s2", "c3", "s4", "flatten", "f5", "f6", "output")
EXPECTED_PARAMS = 44_426
CLASSIC_LAYER_NAMES = ("c1", "s2", "c3", "s4", "c5", "f6", "output")
CLASSIC_PARAMS = 60_850
VARIANT_LAYERS = {"modern": LAYER_NAMES, "classic": CLASSIC_LAYER_NAMES}


@dataclass(frozen=True)
class ModelConfig:
    """Everything needed to rebuild the architecture; saved beside the weights."""

    variant: str = "modern"
    input_size: int = 28
    c1_filters: int = 6
    c3_filters: int = 16
    kernel: int = 5
    f5_units: int = 120
    f6_units: int = 84
    classes: int = 10
    activation: str = "relu"

    def to_dict(self) -> dict:
        return asdict(self)


def model_config(variant: str = "modern") -> ModelConfig:
    """The configuration of a variant, ``"modern"`` or ``"classic"`` (where ``f5_units`` is the
    number of C5 maps)."""
    if variant == "modern":
        return ModelConfig()
    if variant == "classic":
        return ModelConfig(variant="classic", activation="scaled_tanh")
    raise ValueError(f"unknown variant {variant!r}: modern or classic")


def build_model(config: ModelConfig | None = None) -> keras.Model:
    """Return the LeNet-5 Keras model: ``(N, 28, 28, 1) float32 [0, 1]`` -> ``(N, 10)`` logits.

    ``config.variant`` picks the network (default: modern)."""
    cfg = config or ModelConfig()
    if cfg.variant == "classic":
        return build_classic(cfg)
    if cfg.variant != "modern":
        raise ValueError(f"unknown variant {cfg.variant!r}: modern or classic")
    act = cfg.activation
    inputs = keras.Input((cfg.input_size, cfg.input_size, 1), name="image")
    x = layers.Conv2D(cfg.c1_filters, cfg.kernel, activation=act, name="c1")(inputs)
    x = layers.MaxPooling2D(2, name="s2")(x)
    x = layers.Conv2D(cfg.c3_filters, cfg.kernel, activation=act, name="c3")(x)
    x = layers.MaxPooling2D(2, name="s4")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(cfg.f5_units, activation=act, name="f5")(x)
    x = layers.Dense(cfg.f6_units, activation=act, name="f6")(x)
    outputs = layers.Dense(cfg.classes, name="output")(x)
    return keras.Model(inputs, outputs, name=f"lenet5_{cfg.variant}")


def build_classic(config: ModelConfig | None = None) -> keras.Model:
    """The 1998 LeNet-5: ``(N, 28, 28, 1) float32 [0, 1]`` -> ``(N, 10)`` logits, 60,850 weights.

    Inside: ``pad`` to 32x32 with zeros and ``scale`` to background -0.1, ink 1.175; C1 6@28x28,
    S2 6@14x14, C3 16@10x10 (Table I connections), S4 16@5x5, C5 120@1x1 (a 5x5 convolution),
    F6 84, each followed by ``1.7159 tanh(2a/3)``. The paper's output layer is 10 Euclidean RBF
    units, ``y_i = sum_j (f6_j - w_ij)^2`` with fixed +-1 weights (7x12 bitmaps of the digits,
    840 connections, no biases), trained with a loss that lowers the right unit's distance and
    raises the others'; here ``output`` is a trainable dense layer of 10 logits (850 weights)
    read through a softmax and trained with cross-entropy. Weights start LeCun-uniform (std
    ``1/sqrt(fan-in)``; the paper: uniform in ``+-2.4/fan-in``), subsampling coefficients at 1/4.
    """
    cfg = config or model_config("classic")
    act = {"scaled_tanh": scaled_tanh}.get(cfg.activation, cfg.activation)
    k = cfg.kernel
    inputs = keras.Input((cfg.input_size, cfg.input_size, 1), name="image")
    x = layers.ZeroPadding2D(CLASSIC_PAD, name="pad")(inputs)  # 28x28 -> 32x32
    x = layers.Rescaling(CLASSIC_SCALE, offset=CLASSIC_OFFSET, name="scale")(x)  # ink: 1.175
    init = "lecun_uniform"  # weights of std 1/sqrt(fan-in), as C3's (lenet5.classic)
    x = layers.Conv2D(cfg.c1_filters, k, activation=act, kernel_initializer=init, name="c1")(x)
    x = Subsampling(2, activation=act, name="s2")(x)
    x = PartialConv2D(cfg.c3_filters, k, C3_TABLE, activation=act, name="c3")(x)
    x = Subsampling(2, activation=act, name="s4")(x)
    x = layers.Conv2D(cfg.f5_units, k, activation=act, kernel_initializer=init, name="c5")(x)
    x = layers.Flatten(name="c5_flat")(x)
    x = layers.Dense(cfg.f6_units, activation=act, kernel_initializer=init, name="f6")(x)
    outputs = layers.Dense(cfg.classes, kernel_initializer=init, name="output")(x)
    return keras.Model(inputs, outputs, name=f"lenet5_{cfg.variant}")


def layer_names(model: keras.Model) -> tuple[str, ...]:
    """The names of the layers the app shows for ``model``'s variant (recognised by its layers)."""
    present = {layer.name for layer in model.layers}
    for names in VARIANT_LAYERS.values():
        if present.issuperset(names):
            return names
    raise ValueError(f"{model.name} has neither variant's layers: {sorted(present)}")


def feature_model(model: keras.Model, names: tuple[str, ...] | None = None) -> keras.Model:
    """Model mapping the input to a dict ``{layer name: that layer's output}``.

    Layers are looked up by name, so the same call works for any model that names them;
    ``names`` defaults to the variant's (:func:`layer_names`).
    """
    names = names or layer_names(model)
    outputs = {name: model.get_layer(name).output for name in names}
    return keras.Model(model.input, outputs, name=f"{model.name}_features")


def architecture(model: keras.Model) -> list[dict]:
    """One row per layer (name, type, input, kernel, output, activation, parameters), read off
    the built model so that the app's table cannot drift from the network."""
    rows = []
    for layer in model.layers[1:]:
        cfg = layer.get_config()
        kernel = cfg.get("kernel_size") or cfg.get("pool_size")
        if kernel:
            maps = f", {cfg['filters']} maps" if "filters" in cfg else ""
            kernel = "x".join(map(str, kernel)) + maps
        activation = cfg.get("activation", "") or ""
        if not isinstance(activation, str):  # a registered function, e.g. scaled_tanh
            activation = layer.activation.__name__
        rows.append({
            "layer": layer.name, "type": type(layer).__name__,
            "input": list(layer.input.shape[1:]), "output": list(layer.output.shape[1:]),
            "kernel": kernel or "", "activation": activation,
            "params": int(layer.count_params()),
        })
        if layer_names(model) == CLASSIC_LAYER_NAMES:
            rows[-1]["paper_params"] = PAPER_PARAMS.get(layer.name)
    return rows


def paper_comparison(model: keras.Model) -> list[dict]:
    """For the classic net: ``[{"layer", "params", "paper"}, ...]`` for C1 ... output, the
    trainable parameters counted on ``model`` beside the 1998 paper's (its output layer is RBF:
    840 fixed weights; the dense output here has 850)."""
    return [{"layer": name, "params": int(model.get_layer(name).count_params()),
             "paper": PAPER_PARAMS[name]} for name in CLASSIC_LAYER_NAMES]


def kernels(model: keras.Model) -> dict[str, np.ndarray]:
    """The C1 and C3 kernels, ``(5, 5, in, out) float32`` HWIO (classic C3: zero where a map
    does not see an S2 map)."""
    out = {}
    for name in ("c1", "c3"):
        layer = model.get_layer(name)
        full = getattr(layer, "full_kernel", None)
        out[name] = np.asarray(full()) if full else layer.get_weights()[0]
    return out


def layer_weights(model: keras.Model) -> dict[str, np.ndarray]:
    """Every trained weight, ``"<layer>.<kernel|bias|coefficient>"`` -> ``float32`` array
    (convolutions HWIO; the classic C3's kernel dense, zero where a map does not see an S2
    map), as :mod:`lenet5.core.forward` computes with them."""
    out = {}
    for layer in model.layers:
        full = getattr(layer, "full_kernel", None)
        for var in layer.weights:
            name = var.path.split("/")[-1]
            value = np.asarray(full()) if full is not None and name == "kernel" else var.numpy()
            out[f"{layer.name}.{name}"] = value.astype(np.float32)
    return out
