"""LeNet-5 architecture (modern variant): pure model construction, no I/O.

Input ``(batch, 28, 28, 1) float32 in [0, 1]`` (white digit on black), output ``(batch, 10)``
logits. Layers are named as in the 1998 paper so that they can be selected by name.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import keras
from keras import layers

# Names of the layers whose outputs the app shows, in forward order.
LAYER_NAMES = ("c1", "s2", "c3", "s4", "flatten", "f5", "f6", "output")
EXPECTED_PARAMS = 44_426


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


def build_model(config: ModelConfig | None = None) -> keras.Model:
    """Return the LeNet-5 Keras model: ``(N, 28, 28, 1) float32 [0, 1]`` -> ``(N, 10)`` logits."""
    cfg = config or ModelConfig()
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


def feature_model(model: keras.Model, names: tuple[str, ...] = LAYER_NAMES) -> keras.Model:
    """Model mapping the input to a dict ``{layer name: that layer's output}``.

    Layers are looked up by name, so the same call works for any model that names them.
    """
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
        rows.append({
            "layer": layer.name, "type": type(layer).__name__,
            "input": list(layer.input.shape[1:]), "output": list(layer.output.shape[1:]),
            "kernel": kernel or "", "activation": cfg.get("activation", "") or "",
            "params": int(layer.count_params()),
        })
    return rows
