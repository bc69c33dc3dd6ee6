"""The network once more, in NumPy, from its exported weights: so that maps can be switched off.

The LiteRT model computes every layer in one call and cannot be changed. To show what a map of
C1 or C3 contributes, the page runs the same network layer by layer here, with that map's output
set to zero (as if its unit never fired), and reads the new probabilities. Training writes the
weights (``weights.npz``, tied to the serving model's sha256 like the lookups); with nothing
switched off this pass agrees with the serving model (tests: to 1e-4).

Both nets are supported: the modern one (ReLU, max-pooling) and the 1998 one (input padded to
32x32 and scaled, scaled tanh, trainable subsampling, C3's partial connections as zero kernels).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from lenet5.core.weights import Weights

SWITCHABLE = ("c1", "c3")  # the convolution layers whose maps the page can switch off
# The 1998 net's constants (LeCun et al. 1998, Appendix A), defined here once: training builds
# its Keras layers from them (lenet5.train.classic and .model) and this pass computes with them.
TANH_A, TANH_S = 1.7159, 2.0 / 3.0  # its scaled tanh: A * tanh(S * x)
# its input: 28x28 padded by 2 to 32x32, x * SCALE + OFFSET: background -0.1, ink 1.175
CLASSIC_PAD, CLASSIC_SCALE, CLASSIC_OFFSET = 2, 1.275, -0.1


def conv(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Valid cross-correlation, stride 1: ``(H, W, C)`` and an HWIO ``(k, k, C, O)`` kernel ->
    ``(H - k + 1, W - k + 1, O) float32``, as Keras' Conv2D."""
    k = kernel.shape[0]
    windows = sliding_window_view(x, (k, k), axis=(0, 1))  # (H', W', C, k, k)
    flat = kernel.transpose(2, 0, 1, 3).reshape(-1, kernel.shape[3])  # rows in (C, k, k) order
    h, w = windows.shape[:2]
    return (windows.reshape(h * w, -1) @ flat).reshape(h, w, -1) + bias


def pool(x: np.ndarray, p: int, how: str) -> np.ndarray:
    """``(H, W, C)`` -> ``(H // p, W // p, C)``: the max or the sum of each ``p x p`` block."""
    h, w, c = x.shape
    blocks = x[: h // p * p, : w // p * p].reshape(h // p, p, w // p, p, c)
    return blocks.max(axis=(1, 3)) if how == "max" else blocks.sum(axis=(1, 3))


def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0)


def scaled_tanh(x: np.ndarray) -> np.ndarray:
    return (TANH_A * np.tanh(TANH_S * x)).astype(np.float32)


def _switch(maps: np.ndarray, off: Collection[int]) -> np.ndarray:
    """``maps`` ``(H, W, C)`` with the channels in ``off`` set to zero (a copy if any)."""
    if not off:
        return maps
    maps = maps.copy()
    maps[..., sorted(off)] = 0
    return maps


def forward(w: Weights, image: np.ndarray,
            off: Mapping[str, Collection[int]] | None = None) -> dict[str, np.ndarray]:
    """Every layer's activations for one ``(28, 28) float32 in [0, 1]`` digit, named as the
    serving model names them (``c1`` ... ``f6``, ``output``: the logits), with the maps listed
    in ``off`` (``{"c1": {0, 3}, "c3": {...}}``) switched off. Activations ``float32``, batch
    axis dropped."""
    off = off or {}
    x = np.asarray(image, np.float32).reshape(28, 28, 1)
    if w.variant == "classic":
        return _classic(w, x, off)
    out = {"c1": _switch(relu(conv(x, w["c1.kernel"], w["c1.bias"])), off.get("c1", ()))}
    out["s2"] = pool(out["c1"], 2, "max")
    out["c3"] = _switch(relu(conv(out["s2"], w["c3.kernel"], w["c3.bias"])), off.get("c3", ()))
    out["s4"] = pool(out["c3"], 2, "max")
    out["flatten"] = out["s4"].reshape(-1)
    out["f5"] = relu(out["flatten"] @ w["f5.kernel"] + w["f5.bias"])
    out["f6"] = relu(out["f5"] @ w["f6.kernel"] + w["f6.bias"])
    out["output"] = out["f6"] @ w["output.kernel"] + w["output.bias"]
    return out


def _subsample(w: Weights, name: str, x: np.ndarray) -> np.ndarray:
    return scaled_tanh(pool(x, 2, "sum") * w[f"{name}.coefficient"] + w[f"{name}.bias"])


def _classic(w: Weights, x: np.ndarray, off: Mapping[str, Collection[int]]) -> dict:
    p = CLASSIC_PAD
    x = np.pad(x, ((p, p), (p, p), (0, 0))) * CLASSIC_SCALE + CLASSIC_OFFSET
    out = {"c1": _switch(scaled_tanh(conv(x, w["c1.kernel"], w["c1.bias"])), off.get("c1", ()))}
    out["s2"] = _subsample(w, "s2", out["c1"])
    out["c3"] = _switch(scaled_tanh(conv(out["s2"], w["c3.kernel"], w["c3.bias"])),
                        off.get("c3", ()))
    out["s4"] = _subsample(w, "s4", out["c3"])
    out["c5"] = scaled_tanh(conv(out["s4"], w["c5.kernel"], w["c5.bias"]))
    out["f6"] = scaled_tanh(out["c5"].reshape(-1) @ w["f6.kernel"] + w["f6.bias"])
    out["output"] = out["f6"] @ w["output.kernel"] + w["output.bias"]
    return out
