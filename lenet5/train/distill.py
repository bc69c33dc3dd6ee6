"""Learning new writing styles without forgetting MNIST's: the net distils itself.

After training on MNIST, the styles of :mod:`lenet5.train.styles` (European 1s, crossed 7s,
curled 9s) are mixed in for a few more epochs. Plain fine-tuning learns them but also moves
MNIST's own ambiguous digits across the line (a 7 with a slanted bar becomes a 1). Here, as in
"Learning without Forgetting" (Li & Hoiem, 2016), each MNIST digit is taught partly its label and
partly what the net said before this stage (its temperature-softened probabilities, Hinton et al.
2015), while a synthesised digit is taught its label alone. The teacher is a frozen copy of the
net and sees the same augmented image as the student.

Targets are ``(N, 2) float32``: the label, and 1 for an MNIST digit (distilled) or 0 for a
synthesised one. The paired model outputs ``(N, 20)`` logits: the student's, then the teacher's.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from lenet5.train.augment import Augment, AugmentConfig
from lenet5.train.recipe import ALPHA  # weight of the label on an MNIST digit (rest: teacher)

TEMPERATURE = 2.0  # softens both nets' probabilities for the distillation term
CLASSES = 10


def targets(y: np.ndarray, n_mnist: int) -> np.ndarray:
    """``(N,)`` labels whose first ``n_mnist`` are MNIST digits -> ``(N, 2) float32`` targets."""
    is_mnist = (np.arange(len(y)) < n_mnist).astype(np.float32)
    return np.stack([np.asarray(y, np.float32), is_mnist], 1)


def distillation_loss(alpha: float = ALPHA, temperature: float = TEMPERATURE):
    """Keras loss on ``(N, 2)`` targets and ``(N, 20)`` paired logits (see module docstring):
    cross-entropy to the label, mixed on MNIST digits with ``T**2`` times the KL divergence from
    the teacher's softened probabilities to the student's."""

    def loss(y_true, y_pred):
        label = ops.cast(y_true[:, 0], "int32")
        mnist = y_true[:, 1]
        student, teacher = y_pred[:, :CLASSES], y_pred[:, CLASSES:]
        ce = keras.losses.sparse_categorical_crossentropy(label, student, from_logits=True)
        t = temperature
        soft = ops.softmax(teacher / t)
        kl = ops.sum(soft * (ops.log_softmax(teacher / t) - ops.log_softmax(student / t)), -1)
        return ops.mean(ce * (1 - mnist) + mnist * (alpha * ce + (1 - alpha) * t * t * kl))

    return loss


def accuracy(y_true, y_pred):
    """The student's accuracy on paired outputs (a Keras metric function)."""
    hit = ops.equal(ops.cast(ops.argmax(y_pred[:, :CLASSES], -1), "int32"),
                    ops.cast(y_true[:, 0], "int32"))
    return ops.mean(ops.cast(hit, "float32"))


def paired(model: keras.Model, aug: AugmentConfig | None, seed: int) -> keras.Model:
    """``image -> [student logits, teacher logits]``: ``model`` itself (trained on), and a
    frozen copy of its present weights, both after the same augmentation."""
    teacher = keras.models.clone_model(model)
    teacher.set_weights(model.get_weights())
    teacher.trainable = False
    teacher.name = "teacher"
    inputs = keras.Input(model.input_shape[1:], name="image")
    x = Augment(aug, seed=seed, name="augment_styles")(inputs) if aug else inputs
    return keras.Model(inputs, keras.layers.Concatenate(name="student_teacher")(
        [model(x), teacher(x)]))


def average(weights: list[list[np.ndarray]]) -> list[np.ndarray]:
    """The element-wise mean of several nets' weight lists (all of one architecture): a
    "model soup" (Wortsman et al. 2022) of runs fine-tuned from the same start."""
    return [np.mean(w, 0).astype(w[0].dtype) for w in zip(*weights, strict=True)]
