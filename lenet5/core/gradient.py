"""The network's gradient with respect to its input, by a backward pass in NumPy over the NumPy
forward pass (:mod:`lenet5.core.forward`): how a small change to each pixel of the 28x28 input
moves a class score. "Fool it" (:mod:`lenet5.core.fool`) follows it to the smallest change that
makes the net read another digit.

Both nets: the modern one (ReLU, max-pooling) and the 1998 one (input padded and scaled, scaled
tanh, trainable subsampling, C3's partial connections as zero kernels). Every derivative is
taken from the activations the forward pass already returns, so nothing is computed twice.
Tests compare it with TensorFlow's ``GradientTape`` on the Keras models (to 1e-4).
"""

from __future__ import annotations

import numpy as np

from lenet5.core.forward import CLASSIC_PAD, CLASSIC_SCALE, TANH_A, TANH_S, forward
from lenet5.core.predictor import softmax
from lenet5.core.weights import Weights

LOSSES = ("log_prob", "margin")  # the class scores whose gradient can be taken


def conv_input_grad(grad_out: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The gradient of a valid, stride-1 :func:`~lenet5.core.forward.conv` with respect to its
    input: ``(H', W', O)`` and the HWIO ``(k, k, C, O)`` kernel -> ``(H' + k - 1, W' + k - 1,
    C) float32``. Each output unit hands its gradient back to the window it was computed from,
    weighted by the kernel: one product for every window, then ``k * k`` shifted sums (cheaper
    than a full correlation with the turned kernel, which mostly multiplies padding)."""
    k, _, c, o = kernel.shape
    h, w = grad_out.shape[:2]
    per_tap = (grad_out.reshape(h * w, o) @ kernel.reshape(k * k * c, o).T).reshape(h, w, k, k, c)
    out = np.zeros((h + k - 1, w + k - 1, c), np.float32)
    for i in range(k):
        for j in range(k):
            out[i:i + h, j:j + w] += per_tap[:, :, i, j]
    return out


def max_pool_grad(grad_out: np.ndarray, x: np.ndarray, p: int = 2) -> np.ndarray:
    """The gradient of ``p x p`` max-pooling of ``x`` ``(H, W, C)``, ``grad_out`` ``(H // p,
    W // p, C)`` -> ``(H, W, C)``: each block's gradient goes to its largest input; on a tie to
    the first in row order, as TensorFlow does (ties are common: a blank background gives every
    unit of a map the same value)."""
    h, w, c = grad_out.shape
    blocks = x[: h * p, : w * p].reshape(h, p, w, p, c).transpose(0, 2, 4, 1, 3)
    first = blocks.reshape(h, w, c, p * p).argmax(-1)  # np.argmax: the first of equal maxima
    mask = np.arange(p * p) == first[..., None]  # (h, w, c, p*p)
    spread = (mask * grad_out[..., None]).reshape(h, w, c, p, p).transpose(0, 3, 1, 4, 2)
    out = np.zeros_like(x, dtype=np.float32)
    out[: h * p, : w * p] = spread.reshape(h * p, w * p, c)
    return out


def sum_pool_grad(grad_out: np.ndarray, p: int = 2) -> np.ndarray:
    """The gradient of ``p x p`` sum-pooling: every input of a block gets its block's."""
    return np.repeat(np.repeat(grad_out, p, axis=0), p, axis=1)


def scaled_tanh_grad(grad_out: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Through ``y = A tanh(S x)``, from its output: ``dy/dx = S (A^2 - y^2) / A``."""
    return grad_out * (TANH_S * (TANH_A**2 - y.astype(np.float32) ** 2) / TANH_A)


def _modern_back(w: Weights, a: dict[str, np.ndarray], g: np.ndarray) -> np.ndarray:
    g = (g @ w["output.kernel"].T) * (a["f6"] > 0)
    g = (g @ w["f6.kernel"].T) * (a["f5"] > 0)
    g = (g @ w["f5.kernel"].T).reshape(a["s4"].shape)
    g = max_pool_grad(g, a["c3"]) * (a["c3"] > 0)
    g = max_pool_grad(conv_input_grad(g, w["c3.kernel"]), a["c1"]) * (a["c1"] > 0)
    return conv_input_grad(g, w["c1.kernel"])


def _classic_back(w: Weights, a: dict[str, np.ndarray], g: np.ndarray) -> np.ndarray:
    g = scaled_tanh_grad(g @ w["output.kernel"].T, a["f6"])
    g = scaled_tanh_grad((g @ w["f6.kernel"].T).reshape(a["c5"].shape), a["c5"])
    g = conv_input_grad(g, w["c5.kernel"])
    g = sum_pool_grad(scaled_tanh_grad(g, a["s4"]) * w["s4.coefficient"])
    g = conv_input_grad(scaled_tanh_grad(g, a["c3"]), w["c3.kernel"])
    g = sum_pool_grad(scaled_tanh_grad(g, a["s2"]) * w["s2.coefficient"])
    g = conv_input_grad(scaled_tanh_grad(g, a["c1"]), w["c1.kernel"])
    p = CLASSIC_PAD  # through the padding and the input scaling
    return g[p:-p, p:-p] * CLASSIC_SCALE


def backward(w: Weights, acts: dict[str, np.ndarray], grad_logits: np.ndarray) -> np.ndarray:
    """The gradient with respect to the ``(28, 28)`` input of a score whose gradient with
    respect to the logits is ``grad_logits`` ``(10,)``, given ``acts``, what
    :func:`~lenet5.core.forward.forward` returned for that input (nothing switched off):
    ``(28, 28) float32``."""
    g = np.asarray(grad_logits, np.float32)
    back = _classic_back if w.variant == "classic" else _modern_back
    return back(w, acts, g).reshape(28, 28)


def score_grad(logits: np.ndarray, target: int, loss: str = "log_prob"
               ) -> tuple[float, np.ndarray]:
    """A class score of ``(10,)`` logits and its gradient with respect to them: ``log_prob``,
    the log-probability of ``target``; ``margin``, its logit minus the largest other logit
    (positive exactly when the net reads ``target``)."""
    if loss == "log_prob":
        p = softmax(logits[None])[0].astype(np.float64)
        g = -p
        g[target] += 1
        return float(np.log(max(p[target], 1e-30))), g.astype(np.float32)
    if loss == "margin":
        others = np.delete(np.arange(10), target)
        rival = int(others[np.argmax(logits[others])])
        g = np.zeros(10, np.float32)
        g[target], g[rival] = 1, -1
        return float(logits[target] - logits[rival]), g
    raise ValueError(f"loss must be one of {LOSSES}, not {loss!r}")


def input_gradient(w: Weights, image: np.ndarray, target: int, loss: str = "log_prob"
                   ) -> tuple[float, np.ndarray, dict[str, np.ndarray]]:
    """For one ``(28, 28) float32 in [0, 1]`` digit: the score (:func:`score_grad`) of
    ``target``, its gradient with respect to every input pixel ``(28, 28) float32``, and the
    forward pass's activations (their ``output``: the logits)."""
    acts = forward(w, image)
    value, g = score_grad(acts["output"], target, loss)
    return value, backward(w, acts, g), acts
