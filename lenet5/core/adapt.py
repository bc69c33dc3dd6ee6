"""Teaching the net one person's handwriting: its output layer refitted to their digits.

A person writes a few digits and says what each is. Their F6 activations (the 84 numbers the
modern net computes last, ``Reading.maps["f6"]``) and labels refit the output layer alone
(84 x 10 weights and 10 biases): a few dozen steps of gradient descent on the cross-entropy of
their digits, with weight decay towards the trained weights, so that a handful of digits moves
the net only as far as they need. Everything below F6 stays as trained, so reading a drawing
with the taught net costs one 84 x 10 product more than reading it (:func:`reread`).

Why this and not class prototypes in F6: docs/adapt.md (``python -m lenet5.eval.adapt``).
For the session only: nothing here is stored; no Streamlit and no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from lenet5.core.predictor import Reading, softmax
from lenet5.core.reader import Report

LAYER = "f6"  # the layer whose activations are taught on
MAX_DIGITS = 100  # digits one session may teach (the page says so)
DECAY = 0.01  # weight decay towards the trained output layer (docs/adapt.md: 0.001-0.1 alike)
STEPS = 100  # gradient steps of one fit: the objective is within 1% of its minimum


@dataclass(frozen=True)
class OutputLayer:
    """The net's output layer: ``kernel`` ``(84, 10) float32`` and ``bias`` ``(10,) float32``
    (logits = F6 @ kernel + bias); ``taught``: how many digits it was fitted to (0: as
    trained)."""

    kernel: np.ndarray
    bias: np.ndarray
    taught: int = 0

    def logits(self, features: np.ndarray) -> np.ndarray:
        """``(N, 84)`` or ``(84,)`` F6 activations -> ``(N, 10)`` or ``(10,) float32`` logits."""
        f = np.asarray(features, np.float32)
        return f @ self.kernel + self.bias

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Like :meth:`logits`, as probabilities (``float32``, each row summing to 1)."""
        return softmax(self.logits(features))

    @property
    def nbytes(self) -> int:
        return self.kernel.nbytes + self.bias.nbytes


def trained(kernel: np.ndarray, bias: np.ndarray) -> OutputLayer:
    """The output layer as trained (``weights.npz``'s ``output.kernel`` and ``output.bias``)."""
    return OutputLayer(np.asarray(kernel, np.float32), np.asarray(bias, np.float32))


def fit(base: OutputLayer, features: np.ndarray, labels: np.ndarray, decay: float = DECAY,
        steps: int = STEPS) -> OutputLayer:
    """``base`` refitted to ``features`` ``(n, 84) float32`` (F6 activations, >= 0) with
    ``labels`` ``(n,) int in [0, 9]``: ``steps`` Nesterov steps minimising the mean
    cross-entropy plus ``decay * |W - W0|^2`` (W: kernel and bias; W0: ``base``'s). No digits:
    ``base`` unchanged. ValueError for mismatched shapes or labels outside 0-9."""
    x = np.asarray(features, np.float64).reshape(-1, base.kernel.shape[0])
    y = np.asarray(labels, np.int64).reshape(-1)
    if len(x) != len(y) or (len(y) and (y.min() < 0 or y.max() > 9)):
        raise ValueError(f"{len(x)} feature rows and {len(y)} labels in 0-9 expected")
    if not len(y):
        return base
    # Fitted about the taught digits' mean F6 (the bias absorbs it): F6 is all >= 0, and its
    # mean direction alone would set the step size, leaving every other direction crawling.
    mean = x.mean(0)
    x1 = np.hstack([x - mean, np.ones((len(x), 1))])  # the bias as one more input
    w0 = np.vstack([base.kernel, base.bias[None] + mean @ base.kernel]).astype(np.float64)
    target = np.eye(10)[y]
    # The cross-entropy's gradient is 0.5 |X|_2^2 / n Lipschitz at most: a safe step size.
    lr = 1.0 / (0.5 * np.linalg.norm(x1, 2) ** 2 / len(y) + 2 * decay)
    w, ahead = w0.copy(), w0.copy()
    for k in range(steps):
        p = softmax(x1 @ ahead).astype(np.float64)
        grad = x1.T @ (p - target) / len(y) + 2 * decay * (ahead - w0)
        w_next = ahead - lr * grad
        ahead = w_next + k / (k + 3) * (w_next - w)
        w = w_next
    w[-1] -= mean @ w[:-1]
    return OutputLayer(w[:-1].astype(np.float32), w[-1].astype(np.float32), int(len(y)))


def objective(layer: OutputLayer, base: OutputLayer, features: np.ndarray,
              labels: np.ndarray, decay: float = DECAY) -> float:
    """What :func:`fit` minimises, for ``layer``: mean cross-entropy on the digits plus
    ``decay`` times the squared distance of its weights to ``base``'s (the bias taken about
    the digits' mean F6, as :func:`fit` takes it)."""
    x = np.asarray(features, np.float64)
    logits = x @ layer.kernel.astype(np.float64) + layer.bias
    logits = logits - logits.max(1, keepdims=True)
    log_p = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    ce = -log_p[np.arange(len(labels)), np.asarray(labels)].mean()
    k, k0 = layer.kernel.astype(np.float64), base.kernel.astype(np.float64)
    mean = x.mean(0)
    far = ((k - k0) ** 2).sum() + ((layer.bias + mean @ k - base.bias - mean @ k0) ** 2).sum()
    return float(ce + decay * far)


@dataclass(frozen=True)
class LeftOut:
    """How a person's own digits read, each by a net taught with all their other digits (never
    with itself): ``before`` and ``after`` ``(n,) int`` digits read by the trained net and by
    that taught net, ``labels`` ``(n,) int``."""

    before: np.ndarray
    after: np.ndarray
    labels: np.ndarray

    @property
    def n(self) -> int:
        return len(self.labels)

    def accuracy(self, which: str) -> float:
        """``"before"`` or ``"after"``: the share of digits read right, in [0, 1]."""
        return float((getattr(self, which) == self.labels).mean()) if self.n else float("nan")

    @property
    def changed(self) -> np.ndarray:
        """Indices of the digits the teaching reads differently."""
        return np.flatnonzero(self.before != self.after)


def leave_one_out(base: OutputLayer, features: np.ndarray, labels: np.ndarray,
                  decay: float = DECAY, steps: int = STEPS) -> LeftOut:
    """Each of ``features`` ``(n, 84)`` (labels ``(n,)``) read by ``base`` and by ``base``
    fitted to the other n - 1: an honest before/after on a person's own digits."""
    x = np.asarray(features, np.float32).reshape(-1, base.kernel.shape[0])
    y = np.asarray(labels, np.int64).reshape(-1)
    before = base.logits(x).argmax(1) if len(y) else np.zeros(0, np.int64)
    after = np.array([fit(base, np.delete(x, i, 0), np.delete(y, i), decay, steps)
                      .logits(x[i]).argmax() for i in range(len(y))], np.int64)
    return LeftOut(before.astype(np.int64), after, y)


def reread(report: Report, layer: OutputLayer) -> Report:
    """``report`` with its Prediction read by ``layer`` from the modern net's F6 (the net's own
    readings, attribution and the rest unchanged); a report with nothing read stays as it
    is."""
    if not report.ok or LAYER not in report.modern.maps:
        return report
    probs = layer.probabilities(report.modern.maps[LAYER])
    return replace(report, reading=Reading(probs=probs, maps=report.modern.maps))
