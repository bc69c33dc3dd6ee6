"""``epochs.npz``: training keeps the net as it starts and after every epoch of both stages, and
those nets are the ones whose curves ``history.json`` records.

A ``--smoke`` run (one epoch per stage) is trained as a user runs it; the validation digits are
then read again at both saved epochs by the NumPy pass (:mod:`lenet5.core.forward`) and scored as
Keras scored them. Tolerance: 5 of the 5,000 digits (0.1 point). The weights are stored as
float16, which moves each weight by at most 2**-11 of itself; only a digit whose two best logits
are that close can change its answer (here 1 of 5,000 did in the first stage, none in the
second). A net saved one epoch off, or the wrong run of the second stage, misses by far more
(the two smoke epochs differ by 11 points).
"""

import json
import subprocess
import sys

import numpy as np
import pytest
from support import require

require("tensorflow")

from lenet5.core import epochs  # noqa: E402
from lenet5.core.forward import forward  # noqa: E402
from lenet5.core.predictor import Predictor  # noqa: E402
from lenet5.train.data import load_mnist  # noqa: E402
from lenet5.train.recipe import TrainConfig  # noqa: E402

pytestmark = pytest.mark.slow
TOLERANCE = 5 / 5000  # see the module docstring
BATCH = TrainConfig().batch_size  # Keras validates in batches of the training batch size


@pytest.fixture(scope="module")
def run(mnist_path, pendigits_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("epochs")
    subprocess.run([sys.executable, "-m", "lenet5.train", "--smoke", "--data", str(mnist_path),
                    "--pen", str(pendigits_path), "--out", str(out)],
                   check=True, capture_output=True, text=True)
    return out


def kept(out) -> epochs.Epochs:
    e = epochs.load(out / epochs.EPOCHS_FILE, Predictor(out / "lenet5.tflite").sha256)
    assert e is not None
    return e


def test_the_start_and_every_epoch_of_both_stages_are_kept_as_float16(run):
    e = kept(run)
    assert e.variant == "modern" and len(e) == 3 and e.start == 1
    assert e.stage.tolist() == [0, 1, 2] and e.index.tolist() == [0, 1, 1]
    assert [e.label(i) for i in range(3)] == ["before training", "stage 1, epoch 1",
                                              "stage 2, epoch 1"]
    assert all(v.dtype == np.float16 and v.shape[0] == 3 for v in e.arrays.values())
    assert sum(v[0].size for v in e.arrays.values()) == 44_426  # every weight, once an epoch
    c1 = e.arrays["c1.kernel"]
    assert not np.array_equal(c1[0], c1[1]) and not np.array_equal(c1[1], c1[2])  # it learned


def test_the_start_is_the_net_as_built_before_training(run):
    keras = require("keras")
    import tensorflow as tf

    from lenet5.train.model import build_model, layer_weights, model_config

    keras.utils.set_random_seed(TrainConfig().seed)  # as first_stage builds it
    tf.config.experimental.enable_op_determinism()
    built = layer_weights(build_model(model_config("modern")))
    e = kept(run)
    assert all(np.array_equal(e.arrays[k][0], v.astype(np.float16)) for k, v in built.items())


def test_the_saved_epochs_score_the_validation_digits_as_the_history_says(run, mnist_path):
    e = kept(run)
    history = json.loads((run / "history.json").read_text())
    data = load_mnist(mnist_path, val_size=TrainConfig().val_size, seed=TrainConfig().seed)
    assert len(history["val_accuracy"]) == len(e) - e.start
    for i in range(e.start, len(e)):
        got, want = rescored(e, i, data), history["val_accuracy"][i - e.start]
        assert abs(got - want) <= TOLERANCE, e.label(i)
    assert rescored(e, 0, data) < 0.5  # before training: about chance


def test_the_file_is_refused_for_another_model_or_a_damaged_file(run, tmp_path):
    path = run / epochs.EPOCHS_FILE
    assert epochs.load(path, "0" * 64) is None  # retrained since: stale
    assert epochs.load(tmp_path / "missing.npz", "0" * 64) is None
    bad = tmp_path / "bad.npz"
    bad.write_bytes(path.read_bytes()[:1000])  # cut short
    sha = Predictor(run / "lenet5.tflite").sha256
    assert epochs.load(bad, sha) is None
    assert epochs.load(run / "weights.npz", sha) is None  # another lookup file of this model


def test_one_drawing_read_at_every_epoch(run):
    e = kept(run)
    image = np.zeros((28, 28), np.float32)
    image[4:24, 13:15] = 1.0  # a 1
    probs = epochs.read_all(e, image)
    assert probs.shape == (3, 10) and probs.dtype == np.float32
    assert np.allclose(probs.sum(1), 1, atol=1e-5)
    w = e.weights(1)
    assert np.allclose(probs[1], epochs.softmax(forward(w, image)["output"]), atol=1e-6)
    assert epochs.time_read_all(e, image, repeats=2) > 0


def rescored(e: epochs.Epochs, i: int, data) -> float:
    """Validation accuracy of epoch ``i`` (0-based) as Keras scored it: a Keras metric object
    (the first stage) over all digits; ``distill.accuracy`` (the second), a metric function,
    as the mean of its per-batch means."""
    w = e.weights(i)
    hit = np.array([forward(w, x)["output"].argmax() for x in data.x_val / np.float32(255)]
                   ) == data.y_val
    if e.stage[i] == 1:
        return float(hit.mean())
    return float(np.mean([hit[j:j + BATCH].mean() for j in range(0, len(hit), BATCH)]))


@pytest.mark.parametrize("folder", ["", "classic"])  # the modern net; the 1998 net
def test_the_committed_nets_epochs_are_its_curves(mnist_path, folder):
    from lenet5.core.artifacts import model_file, serving_path

    e = epochs.load(model_file(epochs.EPOCHS_FILE, folder),
                    Predictor(serving_path(folder)).sha256)
    assert e is not None, f"{folder or 'models'}/epochs.npz is missing or for another model"
    metrics = json.loads(model_file("metrics.json", folder).read_text())
    first, second = metrics["train_config"]["epochs"], metrics["train_config"]["style_epochs"]
    assert e.stage.tolist() == [0] + [1] * first + [2] * second
    history = json.loads(model_file("history.json", folder).read_text())
    data = load_mnist(mnist_path, val_size=TrainConfig().val_size, seed=TrainConfig().seed)
    for i in (1, len(e) - 1):  # the first epoch (still learning) and the last
        got, want = rescored(e, i, data), history["val_accuracy"][i - 1]
        assert abs(got - want) <= TOLERANCE, e.label(i)


def test_the_committed_models_stay_under_25_mb():
    """Issue 23's bound on what a clone downloads, epochs of both nets included."""
    from lenet5.core.artifacts import models_dir

    size = sum(f.stat().st_size for f in models_dir().rglob("*") if f.is_file())
    assert size <= 25 * 2**20, f"models/ holds {size / 2**20:.1f} MB"
