"""Self-distillation while learning the writing styles: the loss against NumPy, the paired
model's frozen teacher."""

import numpy as np
import pytest
from support import require

require("tensorflow")

import keras  # noqa: E402

from lenet5.train import distill  # noqa: E402
from lenet5.train.model import build_model  # noqa: E402


def log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(1, keepdims=True)
    return z - np.log(np.exp(z).sum(1, keepdims=True))


def reference_loss(labels, is_mnist, student, teacher, alpha, t):
    """The same loss written out in float64 NumPy."""
    ce = -log_softmax(student)[np.arange(len(labels)), labels]
    p = np.exp(log_softmax(teacher / t))
    kl = (p * (log_softmax(teacher / t) - log_softmax(student / t))).sum(1)
    return np.mean(np.where(is_mnist, alpha * ce + (1 - alpha) * t * t * kl, ce))


def test_targets_mark_the_mnist_digits():
    t = distill.targets(np.array([3, 1, 7, 9], np.uint8), 3)
    assert t.dtype == np.float32 and t.tolist() == [[3, 1], [1, 1], [7, 1], [9, 0]]


@pytest.mark.parametrize("alpha,t", [(0.3, 2.0), (0.0, 1.0), (1.0, 4.0)])
def test_loss_matches_numpy(alpha, t):
    rng = np.random.default_rng(0)
    student, teacher = rng.normal(0, 3, (2, 16, 10))
    labels = rng.integers(0, 10, 16)
    is_mnist = np.arange(16) < 11
    y_true = distill.targets(labels, 11)
    y_pred = np.concatenate([student, teacher], 1).astype(np.float32)
    got = float(distill.distillation_loss(alpha, t)(y_true, y_pred))
    want = reference_loss(labels, is_mnist, student, teacher, alpha, t)
    assert got == pytest.approx(want, rel=1e-4)


def test_loss_is_plain_cross_entropy_when_the_nets_agree():
    rng = np.random.default_rng(1)
    logits = rng.normal(0, 3, (8, 10))
    labels = rng.integers(0, 10, 8)
    y_pred = np.concatenate([logits, logits], 1).astype(np.float32)
    got = float(distill.distillation_loss(0.3, 2.0)(distill.targets(labels, 8), y_pred))
    assert got == pytest.approx(reference_loss(labels, np.zeros(8, bool), logits, logits,
                                               0.3, 2.0) * 0.3, rel=1e-4)


def test_accuracy_reads_the_students_half():
    y_pred = np.zeros((3, 20), np.float32)
    y_pred[[0, 1, 2], [4, 2, 9]] = 5  # student: 4, 2, 9
    y_pred[:, 10 + 1] = 9  # the teacher says 1 throughout: ignored
    acc = float(distill.accuracy(distill.targets(np.array([4, 2, 1]), 3), y_pred))
    assert acc == pytest.approx(2 / 3)


def test_paired_teacher_is_a_frozen_copy():
    keras.utils.set_random_seed(0)
    model = build_model()
    pair = distill.paired(model, None, seed=0)
    x = np.random.default_rng(0).random((32, 28, 28, 1)).astype(np.float32)
    out = pair.predict(x, verbose=0)
    np.testing.assert_allclose(out[:, :10], out[:, 10:], atol=1e-6)
    np.testing.assert_allclose(out[:, :10], model.predict(x, verbose=0), atol=1e-6)
    pair.compile(optimizer=keras.optimizers.Adam(1e-2), loss=distill.distillation_loss())
    y = distill.targets(np.arange(32) % 10, 16)
    pair.fit(x, y, batch_size=16, epochs=1, verbose=0)
    after = pair.predict(x, verbose=0)
    np.testing.assert_allclose(after[:, 10:], out[:, 10:], atol=1e-6)  # the teacher kept
    assert np.abs(after[:, :10] - out[:, :10]).max() > 1e-3  # the student learned
    np.testing.assert_allclose(after[:, :10], model.predict(x, verbose=0), atol=1e-5)


def test_average_is_the_elementwise_mean():
    rng = np.random.default_rng(2)
    nets = [[rng.normal(size=(5, 3)).astype(np.float32), rng.normal(size=3).astype(np.float32)]
            for _ in range(4)]
    soup = distill.average(nets)
    for i in range(2):
        want = sum(n[i].astype(np.float64) for n in nets) / 4
        np.testing.assert_allclose(soup[i], want, rtol=1e-6)
        assert soup[i].dtype == np.float32 and soup[i].shape == nets[0][i].shape
    with pytest.raises(ValueError):
        distill.average([nets[0], nets[1][:1]])  # not the same architecture
