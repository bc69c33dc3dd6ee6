"""The Training page's "Watch it learn" section in AppTest: nothing is computed while it is
closed; opened, it reads a digit (an MNIST test digit, or the person's last drawing) with the net
of the epoch on the slider, and says what the NumPy pass says with that epoch's weights; a
hostile slider value, a missing or a stale epochs file give a message, never a traceback.

The app reads a models folder made here: the committed net's files, with an ``epochs.npz`` of
the weights before training and three epochs (the committed weights scaled by 0.05, 0.2, 0.6
and 1) tied to the committed serving model, and a history of three epochs, so that every epoch
reads differently."""

from __future__ import annotations

import json

import numpy as np
import pytest
from support.pages import SEVEN, draw, no_error, run, visit

from lenet5.core import epochs as ep
from lenet5.core import weights as W
from lenet5.core.artifacts import MODELS_ENV, ROOT, WEIGHTS_FILE
from lenet5.core.forward import forward
from lenet5.core.predictor import Predictor
from lenet5.ui import learn_section as learn
from lenet5.ui import state

SCALES = (0.05, 0.2, 0.6, 1.0)  # epochs 0 (before training) to 3
TITLE = "Watch it learn: the network after each epoch"


def scaled(w: W.Weights, s: float) -> dict[str, np.ndarray]:
    return {k: (v * s).astype(np.float32) for k, v in w.arrays.items()}


@pytest.fixture
def models(tmp_path, monkeypatch):
    """A models folder as described in the module docstring, set as the app's."""
    committed = ROOT / "models"
    for f in committed.iterdir():
        if f.name not in ("history.json", ep.EPOCHS_FILE):
            (tmp_path / f.name).symlink_to(f)
    sha = Predictor(committed / "lenet5.tflite").sha256
    w = W.load(committed / WEIGHTS_FILE, sha)
    ep.save(ep.stack(w.variant, [0, 1, 1, 2], [scaled(w, s) for s in SCALES]),
            tmp_path / ep.EPOCHS_FILE, sha)
    history = {k: [0.5, 0.7, 0.9] for k in ("loss", "val_loss", "accuracy", "val_accuracy")}
    (tmp_path / "history.json").write_text(json.dumps(history | {"epoch": [1, 2, 3]}))
    monkeypatch.setenv(MODELS_ENV, str(tmp_path))
    return tmp_path, w


def reading(w: W.Weights, s: float, image: np.ndarray) -> tuple[int, float]:
    """The digit and probability of the net ``w`` scaled by ``s``, stored as float16."""
    half = W.Weights(w.variant, {k: v.astype(np.float16).astype(np.float32)
                                 for k, v in scaled(w, s).items()})
    logits = forward(half, image)["output"].astype(np.float64)
    p = np.exp(logits - logits.max())
    p /= p.sum()
    return int(p.argmax()), float(p.max())


def sample_digit() -> np.ndarray:
    from lenet5.core.artifacts import load_mnist_sample

    x, _, index = load_mnist_sample()
    assert learn.SAMPLE in index  # the digit the page reads is shipped
    return x[list(index).index(learn.SAMPLE)].astype(np.float32) / 255


def words(at) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption]
                    + [i.value for i in at.info] + [w.value for w in at.warning])


def test_closed_it_computes_nothing(models, monkeypatch):
    def fail(*_args, **_kwargs):
        raise AssertionError("computed while closed")

    monkeypatch.setattr("lenet5.core.epochs.read_all", fail)
    at = run("training")
    no_error(at)
    assert TITLE in [e.label for e in at.expander]
    assert "Epoch" not in [s.label for s in at.slider]


def test_open_it_reads_the_digit_at_the_epoch_on_the_slider(models):
    _, w = models
    image = sample_digit()
    at = run("training", **{state.LEARN: True})
    no_error(at)
    slider = at.slider(key=state.LEARN_EPOCH)
    assert (slider.min, slider.max, slider.value) == (0, 3, 3)
    for epoch in (3, 1, 0):
        if epoch != 3:
            at = at.slider(key=state.LEARN_EPOCH).set_value(epoch).run()
            no_error(at)
        if epoch == 1:
            assert "(stage 1, epoch 1)" in words(at)
        digit, p = reading(w, SCALES[epoch], image)
        text = words(at)
        assert f"after epoch {epoch} of 3" in text and f"MNIST test digit #{learn.SAMPLE}" in text
        assert f"**{digit}**, {p:.0%} sure" in text
    assert "44,426 weights" in words(at) and "every batch of 64 digits" in words(at)
    assert "before training" in words(at) and "still the random numbers" in words(at)
    keys = {c.proto.id for c in at.get("plotly_chart")}
    assert len(keys) >= 5  # bars, across epochs, kernels, maps, curves


@pytest.mark.parametrize("sent", [99, 4, -1, "3", 2.5, None, [1], True])
def test_a_hostile_epoch_gives_a_message_and_the_last_epoch(models, sent):
    at = run("training", **{state.LEARN: True, state.LEARN_EPOCH: sent})
    no_error(at)
    assert any("not one of 0 to 3" in m.value for m in at.warning)
    assert "after epoch 3 of 3" in words(at)


def test_a_missing_or_stale_epochs_file_is_said(models):
    folder, w = models
    (folder / ep.EPOCHS_FILE).unlink()
    at = run("training", **{state.LEARN: True})
    no_error(at)
    assert "epochs are not installed" in words(at)
    ep.save(ep.stack(w.variant, [0, 1, 1, 2], [scaled(w, s) for s in SCALES]),
            folder / ep.EPOCHS_FILE, "0" * 64)  # another model's
    at = run("training", **{state.LEARN: True})
    no_error(at)
    assert "epochs are not installed" in words(at)


def test_it_reads_your_last_drawing(models):
    from lenet5.core.reader import Reader
    from lenet5.core.strokes import BRUSH, CANVAS, render

    _, w = models
    image = Reader.load().read(render(SEVEN, CANVAS, BRUSH)).pre.image
    at = draw(run("draw"), SEVEN)
    at.session_state[state.LEARN] = True
    at = visit(at, "training")
    no_error(at)
    digit, p = reading(w, SCALES[-1], image)
    assert "Reading **your last drawing** after epoch 3 of 3" in words(at)
    assert f"**{digit}**, {p:.0%} sure" in words(at)
