"""Outlier exposure: teach the network to be unsure about drawings that are not digits.

Random scribbles (curves and zigzags, drawn and preprocessed like canvas drawings) join the
training set with the label ``OUTLIER`` (10). Their loss is the cross-entropy between the
uniform distribution and the softmax (Hendrycks et al., "Deep Anomaly Detection with Outlier
Exposure", 2019), so the network learns low confidence for them; digits keep the usual
cross-entropy. Letters and shapes in :mod:`lenet5.scribbles` are kept out of training: they
measure the effect.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from lenet5.preprocess import preprocess
from lenet5.strokes import CANVAS, fit_strokes, placement, render

OUTLIER = 10  # label of a non-digit in the training set


def _random_strokes(rng: np.random.Generator) -> list[np.ndarray]:
    """1-4 strokes in the unit square (y up): random polylines or cubic Bezier curves."""
    strokes = []
    for _ in range(int(rng.integers(1, 5))):
        if rng.random() < 0.5:
            strokes.append(rng.uniform(0, 1, (int(rng.integers(2, 9)), 2)))
        else:
            t = np.linspace(0, 1, 30)[:, None]
            c = rng.uniform(0, 1, (4, 2))
            strokes.append((1 - t) ** 3 * c[0] + 3 * (1 - t) ** 2 * t * c[1]
                           + 3 * (1 - t) * t**2 * c[2] + t**3 * c[3])
    return strokes


def is_simple(strokes: list[np.ndarray]) -> bool:
    """One stroke that is a line, a two-segment polyline or one curve: the stuff digits (1, 7,
    the arcs of 0 and 6) are made of, so not a safe example of a non-digit."""
    return len(strokes) == 1 and (len(strokes[0]) <= 3 or len(strokes[0]) == 30)


def random_scribbles(n: int, seed: int = 0, simple: bool = True) -> np.ndarray:
    """``(n, 28, 28) uint8`` preprocessed random scribbles (white on black), like MNIST;
    ``simple=False`` leaves out the digit-like ones (see :func:`is_simple`)."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        strokes = _random_strokes(rng)
        if not simple and is_simple(strokes):
            continue
        img = render(fit_strokes(strokes, *placement(strokes, rng, CANVAS)), CANVAS,
                     int(rng.integers(10, 30)))
        result = preprocess(img, dark_background=True)
        if result.ok:
            out.append(np.round(result.image * 255).astype(np.uint8))
    return np.stack(out) if out else np.zeros((0, 28, 28), np.uint8)


def exposure_loss(weight: float, kind: str = "uniform", cap: float = 0.5):
    """Per-sample loss on ``(labels 0-10, logits (N, 10))``: cross-entropy for digits; for
    ``OUTLIER``, ``weight`` x either the cross-entropy to the uniform distribution
    (``kind="uniform"``) or ``max(0, log p_max - log cap)`` (``kind="hinge"``: only an outlier
    read with a top probability above ``cap`` costs anything)."""
    if kind not in ("uniform", "hinge"):
        raise ValueError(f"unknown outlier loss {kind!r}")
    log_cap = float(np.log(cap))

    def loss(y_true, logits):
        y = ops.cast(ops.reshape(y_true, (-1,)), "int32")
        is_out = ops.equal(y, OUTLIER)
        log_z = ops.logsumexp(logits, axis=-1)
        picked = ops.take_along_axis(logits, ops.expand_dims(ops.where(is_out, 0, y), -1), -1)
        digit = log_z - ops.squeeze(picked, -1)
        if kind == "uniform":
            unsure = log_z - ops.mean(logits, axis=-1)
        else:
            unsure = ops.relu(ops.max(logits, axis=-1) - log_z - log_cap)
        return ops.where(is_out, weight * unsure, digit)

    return loss


class DigitAccuracy(keras.metrics.Metric):
    """Accuracy over the digits of a batch only (outliers have no right answer)."""

    def __init__(self, name: str = "accuracy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.hits = self.add_variable((), initializer="zeros", name="hits")
        self.count = self.add_variable((), initializer="zeros", name="count")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y = ops.cast(ops.reshape(y_true, (-1,)), "int32")
        digit = ops.cast(ops.less(y, OUTLIER), "float32")
        hit = ops.cast(ops.equal(ops.cast(ops.argmax(y_pred, -1), "int32"), y), "float32")
        self.hits.assign_add(ops.sum(hit * digit))
        self.count.assign_add(ops.sum(digit))

    def result(self):
        return self.hits / ops.maximum(self.count, 1.0)

    def reset_state(self):
        self.hits.assign(0.0)
        self.count.assign(0.0)
