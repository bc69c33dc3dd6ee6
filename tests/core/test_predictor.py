"""The committed serving model: parity with Keras, accuracy on the shipped sample, errors."""

import threading

import numpy as np
import pytest
from support import require

from lenet5.core.artifacts import load_mnist_sample, model_file, serving_path
from lenet5.core.predictor import DigitArrayError, ModelError, Predictor, softmax
from lenet5.train.model import LAYER_NAMES


@pytest.fixture(scope="module")
def predictor():
    return Predictor()


@pytest.fixture(scope="module")
def sample():
    x, y, _ = load_mnist_sample(random_only=True)
    return x.astype(np.float32) / 255, y


def test_committed_model_scores_99_on_sample(predictor, sample):
    x, y = sample
    acc = (predictor.probabilities(x).argmax(1) == y).mean()
    assert acc >= 0.99, acc


def test_one_call_gives_probabilities_and_every_layer(predictor, sample):
    reading = predictor(sample[0][0])
    assert reading.probs.shape == (10,) and reading.probs.dtype == np.float32
    assert abs(float(reading.probs.sum()) - 1) < 1e-5
    assert set(reading.maps) == set(LAYER_NAMES)
    assert reading.maps["c1"].shape == (24, 24, 6) and reading.maps["f6"].shape == (84,)
    assert reading.digit == int(sample[1][0])


def test_single_and_batch_agree(predictor, sample):
    x = sample[0][:16]
    batch = predictor.run_batch(x, batch=5)
    for i in range(16):
        single = predictor(x[i])
        for name in LAYER_NAMES:
            np.testing.assert_allclose(single.maps[name], batch[name][i], atol=1e-5)


@pytest.mark.slow
def test_litert_matches_keras_to_1e5(predictor, sample):
    keras = require("keras")
    from lenet5.train.model import feature_model

    model = keras.models.load_model(model_file("lenet5.keras"), safe_mode=True)
    x = sample[0][:200]
    ref = feature_model(model).predict(x[..., None], batch_size=200, verbose=0)
    got = predictor.run_batch(x)
    for name in LAYER_NAMES:  # float32: 1e-5 absolute, or relative for logits of size ~30
        np.testing.assert_allclose(got[name], np.asarray(ref[name]), atol=1e-5, rtol=1e-5)
    probs = softmax(np.asarray(ref["output"]))
    np.testing.assert_allclose(softmax(got["output"]), probs, atol=1e-6)


def test_thread_safety(predictor, sample):
    x = sample[0][:64]
    serial = [predictor(img).probs for img in x]
    results: dict[int, list] = {}

    def work(t):
        results[t] = [predictor(img).probs for img in x]

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for t in range(8):
        np.testing.assert_array_equal(np.stack(results[t]), np.stack(serial))


def test_missing_corrupt_and_wrong_models(tmp_path):
    with pytest.raises(ModelError, match="missing.*lenet5.train"):
        Predictor(tmp_path / "none.tflite")
    corrupt = tmp_path / "corrupt.tflite"
    corrupt.write_bytes(serving_path().read_bytes()[:5000])
    with pytest.raises(ModelError, match="lenet5.train"):
        Predictor(corrupt)
    junk = tmp_path / "junk.tflite"
    junk.write_bytes(b"\x00" * 64)
    with pytest.raises(ModelError):
        Predictor(junk)


@pytest.mark.slow
def test_models_with_wrong_inputs_or_outputs_are_refused(tmp_path):
    keras = require("keras")

    def export(input_name: str, logits: int):
        inp = keras.Input((28, 28, 1), name=input_name)
        out = keras.layers.Dense(logits)(keras.layers.Flatten()(inp))
        path = tmp_path / f"{input_name}-{logits}.tflite"
        keras.Model(inp, {"output": out}).export(str(path), format="litert", verbose=False)
        return path

    with pytest.raises(ModelError, match="10 digit logits.*lenet5.train"):
        Predictor(export("image", 5))
    with pytest.raises(ModelError, match="28x28 digit.*lenet5.train"):
        Predictor(export("pixels", 10))


@pytest.mark.parametrize("bad", [
    np.full((28, 28), np.nan, np.float32), np.full((28, 28), np.inf), np.full((28, 28), -0.5),
    np.full((28, 28), 255.0), np.full((28, 28), 1e40), np.zeros((27, 28)), np.zeros((784,)),
    np.zeros((0, 28, 28)), "a string", [[None] * 28] * 28,
])
def test_non_finite_or_out_of_range_input_is_refused(predictor, bad):
    """The network would answer '0, NaN%' or nonsense for these rather than fail."""
    with pytest.raises(DigitArrayError):
        predictor(bad)
    with pytest.raises(DigitArrayError):
        predictor.run_batch(bad)
    with pytest.raises(DigitArrayError):
        predictor.probabilities(np.stack([np.zeros((28, 28))] * 2 + [np.full((28, 28), 2.0)]))


def test_the_edges_of_the_range_are_read(predictor):
    for x in (np.zeros((28, 28), np.float32), np.ones((28, 28), np.float64)):
        assert np.isfinite(predictor(x).probs).all()
    assert predictor.probabilities(np.zeros((3, 28, 28, 1))).shape == (3, 10)
