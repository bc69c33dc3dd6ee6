"""Fool it (lenet5.core.gradient and .fool): the NumPy gradient against TensorFlow's
GradientTape on the Keras models of both nets; the attack's changed input read by the LiteRT
serving model (not only by NumPy) as the target, its pixels in [0, 1], and its change smaller
than the plainest way to flip the reading (fading into a digit of the target class); hostile
targets refused."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.signal import correlate
from support import require

from lenet5.core import fool as FO
from lenet5.core import gradient as G
from lenet5.core import weights as W
from lenet5.core.artifacts import (
    CLASSIC,
    KERAS_FILE,
    WEIGHTS_FILE,
    load_mnist_sample,
    model_file,
    serving_path,
)
from lenet5.core.predictor import Predictor

NETS = ("", CLASSIC)


@pytest.fixture(scope="module", params=NETS, ids=["modern", "classic"])
def net(request):
    predictor = Predictor(serving_path(request.param))
    w = W.load(model_file(WEIGHTS_FILE, request.param), predictor.sha256)
    assert w is not None, "weights.npz is stale or missing: python -m lenet5.train.export --weights"
    return request.param, predictor, w


@pytest.fixture(scope="module")
def nets():
    out = {}
    for folder in NETS:
        predictor = Predictor(serving_path(folder))
        out[folder] = predictor, W.load(model_file(WEIGHTS_FILE, folder), predictor.sha256)
    return out


@pytest.fixture(scope="module")
def sample() -> tuple[np.ndarray, np.ndarray]:
    x, y, _ = load_mnist_sample(random_only=True)
    return x[:40].astype(np.float32) / 255, y[:40].astype(int)


def test_the_conv_gradient_is_a_full_correlation_with_the_turned_kernel():
    # independent reference: d(sum(g * conv(x)))/dx = full correlation of g with the kernel
    # turned by 180 degrees, summed over the output maps (SciPy, in float64)
    rng = np.random.default_rng(0)
    g, k = rng.normal(size=(8, 8, 16)), rng.normal(size=(5, 5, 6, 16))
    got = G.conv_input_grad(g.astype(np.float32), k.astype(np.float32))
    ref = np.stack([sum(correlate(g[..., o], k[::-1, ::-1, c, o], mode="full")
                        for o in range(16)) for c in range(6)], -1)
    np.testing.assert_allclose(got, ref, atol=1e-4)


def test_the_max_pool_gradient_goes_to_the_first_largest_of_each_block():
    x = np.array([[1, 3, 0, 0], [3, 2, 0, 0]], np.float32).reshape(2, 4, 1)  # a tie, all zeros
    got = G.max_pool_grad(np.array([[[5.0], [7.0]]], np.float32), x)[..., 0]
    np.testing.assert_array_equal(got, [[0, 5, 7, 0], [0, 0, 0, 0]])


@pytest.mark.slow
@pytest.mark.parametrize("loss", G.LOSSES)
def test_the_gradient_is_tensorflows_gradient_tape_on_the_keras_model(net, sample, loss):
    keras = require("keras")
    tf = require("tensorflow")
    require("lenet5.train.classic")  # registers the 1998 net's layers for loading
    folder, predictor, w = net
    model = keras.models.load_model(model_file(KERAS_FILE, folder), safe_mode=True)
    for image in sample[0][:12]:
        target = predictor(image).runner_up
        value, grad, _ = G.input_gradient(w, image, target, loss)
        x = tf.constant(image[None, ..., None])
        with tf.GradientTape() as tape:
            tape.watch(x)
            logits = model(x, training=False)[0]
            if loss == "log_prob":
                score = tf.nn.log_softmax(logits)[target]
            else:
                score = logits[target] - tf.reduce_max(tf.concat(
                    [logits[:target], logits[target + 1:]], 0))
        ref = tape.gradient(score, x).numpy()[0, ..., 0]
        assert np.abs(ref).max() > 1e-3  # a real gradient to compare, not zeros
        np.testing.assert_allclose(grad, ref, atol=1e-4)
        assert value == pytest.approx(float(score), abs=1e-4)


def test_the_attack_reads_the_target_through_litert_with_pixels_in_range(nets, sample):
    modern, mw = nets[""]
    classic, cw = nets[CLASSIC]
    rng = np.random.default_rng(3)
    for image in sample[0][:12]:
        read = modern(image)
        for target in (read.runner_up, int(rng.choice(np.delete(np.arange(10), read.digit)))):
            a = FO.fool(mw, image, target, cw)
            assert a.fooled and a.steps == FO.STEPS
            assert modern(a.image).digit == target  # the serving model, not only NumPy
            assert a.image.dtype == np.float32 and a.image.min() >= 0 and a.image.max() <= 1
            np.testing.assert_allclose(a.image, image + a.change, atol=1e-6)
            assert a.l2 == pytest.approx(float(np.linalg.norm(a.change)), rel=1e-5)
            assert a.linf == pytest.approx(float(np.abs(a.change).max()), rel=1e-5)
            np.testing.assert_allclose(a.probs, modern(a.image).probs, atol=1e-4)
            np.testing.assert_allclose(a.classic_probs, classic(a.image).probs, atol=1e-4)
            assert a.classic_fooled == (classic(a.image).digit == target)


def _fade_l2(predictor: Predictor, image: np.ndarray, other: np.ndarray, target: int) -> float:
    """The L2 size of the smallest fade ``(1 - t) image + t other`` (t on a grid of 200) that
    the serving model reads as ``target``: a plain reference the attack must beat."""
    for t in np.linspace(0, 1, 201)[1:]:
        faded = (1 - t) * image + t * other
        if predictor(faded.astype(np.float32)).digit == target:
            return float(t * np.linalg.norm(other - image))
    return np.inf


def test_the_change_is_smaller_than_fading_into_a_digit_of_the_target(nets, sample):
    modern, mw = nets[""]
    x, y = sample
    sizes, fades = [], []
    for image in x[:12]:
        target = modern(image).runner_up
        others = x[(y == target)]
        if not len(others):
            continue
        sizes.append(FO.fool(mw, image, target).l2)
        fades.append(min(_fade_l2(modern, image, o, target) for o in others))
    assert len(sizes) >= 8
    assert all(s < f for s, f in zip(sizes, fades, strict=True)), (sizes, fades)
    assert np.median(sizes) < 0.5 * np.median(fades)  # and by far, not just by a hair


def test_a_target_it_already_reads_needs_no_change(nets, sample):
    modern, mw = nets[""]
    image = sample[0][0]
    a = FO.fool(mw, image, modern(image).digit)
    assert a.fooled and a.l2 == 0 and a.steps == 0 and not a.change.any()


def test_no_steps_is_not_fooled_and_says_so(nets, sample):
    _, mw = nets[""]
    image = sample[0][0]
    a = FO.fool(mw, image, nets[""][0](image).runner_up, steps=1)
    assert a.steps == 1
    assert a.fooled == FO.reads(np.log(a.probs.astype(np.float64)), a.target)


@pytest.mark.parametrize("target", [10, -1, "3", 3.0, True, None, [3], np.float32(2)])
def test_a_target_that_is_no_digit_is_refused(nets, sample, target):
    with pytest.raises(ValueError, match="digit from 0 to 9"):
        FO.fool(nets[""][1], sample[0][0], target)


@pytest.mark.parametrize("image", [np.full((28, 28), 1.5), np.full((28, 28), np.nan),
                                   np.zeros((27, 28)), np.zeros((28, 28, 3))])
def test_an_input_out_of_range_is_refused(nets, image):
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        FO.fool(nets[""][1], image, 3)


@given(st.one_of(st.integers(-50, 50), st.floats(allow_nan=True), st.text(max_size=3),
                 st.booleans(), st.none()))
def test_only_the_ten_digits_pass_the_target_check(value):
    digit = type(value) is int and 0 <= value <= 9
    if digit:
        assert FO.check_target(value) == value
    else:
        with pytest.raises(ValueError):
            FO.check_target(value)
