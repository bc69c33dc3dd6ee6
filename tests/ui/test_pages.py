"""Every page run by Streamlit's AppTest, with the real model: no exception, and the elements a
user looks for. The canvas cannot be drawn on here, so a drawing is placed in the session state
as a page finds it when the user comes back from another page (the browser tests draw for real).
"""

from __future__ import annotations

import numpy as np
import pytest
import streamlit as st
from support.pages import back_on_draw, no_error, run

from benchmarks.bad_inputs import path_object
from benchmarks.browser import pen_samples
from lenet5.core.analysis import analyse
from lenet5.core.predictor import Predictor
from lenet5.core.segment import WIDE
from lenet5.core.strokes import BRUSH, CANVAS, fit_strokes, render_random
from lenet5.ui import state


@pytest.fixture(scope="module")
def drawn():
    """A pen-drawn 3 as the Draw page would have read it: its analysis, and a canvas state."""
    sample = next(s for s in pen_samples() if s["label"] == 3)
    image = render_random(sample["strokes"], np.random.default_rng(0), CANVAS, BRUSH)
    analysis = analyse(image, Predictor())
    assert analysis.ok and analysis.reading.digit == 3
    return analysis, {"objects": [{"type": "path", "strokeWidth": BRUSH,
                                   "path": [["M", 100, 60], ["L", 140, 220]]}]}


def test_draw_page_without_a_drawing_says_what_to_do():
    at = run("draw")
    no_error(at)
    assert [t.value for t in at.title] == ["Draw a digit"]
    assert any("Draw a digit (0–9)" in i.value for i in at.info)
    assert [s.label for s in at.slider] == ["Brush width"] and at.slider[0].value == BRUSH
    assert not at.metric


def test_draw_page_shows_the_reading_of_a_drawing(drawn):
    at = run("draw", **back_on_draw(drawn))
    no_error(at)
    metric = {m.label: m.value for m in at.metric}
    assert metric == {"Prediction": "3"}
    subheaders = [s.value for s in at.subheader]
    assert subheaders == ["What the network is given", "Why it decided",
                          "What it reminds the network of", "Poke the network"]
    assert any("confident" in str(p.proto) for p in at.get("progress"))
    captions = [i.proto.imgs[0].caption for i in at.get("image") if i.proto.imgs]
    assert any(c.startswith("The ten probabilities") for c in captions)
    assert not at.get("plotly_chart")  # drawn on the server: no chart redrawn every stroke


def test_draw_page_on_a_phone_keeps_the_reading(drawn, monkeypatch):
    monkeypatch.setattr("lenet5.ui.draw_page.on_a_phone", lambda: True)
    at = run("draw", **back_on_draw(drawn))
    no_error(at)
    assert {m.label: m.value for m in at.metric} == {"Prediction": "3"}


def number_json(labels: str) -> dict:
    """A Number-page canvas state writing ``labels`` with pen-drawn digits, left to right."""
    samples = {s["label"]: s for s in pen_samples()}
    objects, left = [], 40.0
    for ch in labels:
        for stroke in fit_strokes(samples[int(ch)]["strokes"], 140, left, 50):
            objects.append(path_object(stroke, 14))
        left += 150
    assert left < WIDE[0]
    return {"objects": objects}


def test_number_page_without_strokes_says_what_to_do():
    at = run("number")
    no_error(at)
    assert [t.value for t in at.title] == ["Write a number"]
    assert any("Write a number" in i.value for i in at.info)


def test_number_page_reads_a_number(monkeypatch):
    at = run("number", **{state._PAGE: "draw", state._NUMBER: number_json("470")})
    no_error(at)
    assert {m.label: m.value for m in at.metric} == {"Number": "470"}
    assert [s.value for s in at.subheader] == ["What the network is given"]


def test_inside_page_shows_an_mnist_digit_without_a_drawing():
    at = run("inside")
    no_error(at)
    assert [t.value for t in at.title] == ["Inside the network"]
    assert [s.label for s in at.slider] == ["MNIST test digit"]
    assert [m.label for m in at.metric] == ["The network reads"]
    assert len(at.get("plotly_chart")) == 4 + 3 + 2  # C1..S4, F5, F6, logits, two kernels


def test_inside_page_shows_the_drawing_and_the_1998_net(drawn):
    analysis, _ = drawn
    at = run("inside", **{state._ANALYSIS: analysis, state.INSIDE_NET: "The 1998 LeNet-5"})
    no_error(at)
    assert any("your current drawing" in c.value for c in at.caption)
    assert not at.slider
    assert [m.value for m in at.metric] == [str(analysis.reading.digit)]
    assert any("Blank kernels" in c.value for c in at.caption)  # the 1998 net's C3 table


def test_training_page_shows_curves_confusion_and_mistakes():
    at = run("training")
    no_error(at)
    assert [t.value for t in at.title] == ["How it was trained"]
    labels = [m.label for m in at.metric]
    assert labels[:4] == ["MNIST test accuracy", "Test errors", "Parameters", "Training time"]
    assert len(at.get("plotly_chart")) == 2  # curves, confusion matrix
    assert len(at.get("image")) == 32  # mistakes shown


def test_training_page_shows_the_styles_a_net_learned(tmp_path, monkeypatch):
    import json
    import shutil

    from lenet5.core.artifacts import CLASSIC, models_dir
    from lenet5.train.styles import synthesize

    classic = models_dir() / CLASSIC  # the 1998 net learned the styles
    for name in ("metrics.json", "history.json"):
        shutil.copy(classic / name, tmp_path / name)
    x = np.zeros((40, 28, 28), np.uint8)
    x[:, 6:22, 12:16] = 255
    images, _ = synthesize(x, np.full(40, 1, np.uint8), {"flag_ones": 4}, seed=0)
    np.savez_compressed(tmp_path / "style_examples.npz", flag_ones=np.hstack(list(images)))
    assert json.loads((tmp_path / "metrics.json").read_text())["train_config"]["flag_ones"]
    monkeypatch.setenv("LENET5_MODELS", str(tmp_path))
    st.cache_data.clear()  # the files of models/ read by earlier tests
    try:
        at = run("training")
    finally:
        st.cache_data.clear()
    no_error(at)
    assert "Writing styles it was taught besides MNIST" in [s.value for s in at.subheader]
    captions = [i.proto.imgs[0].caption for i in at.get("image") if i.proto.imgs]
    assert any(c.startswith("European 1s") for c in captions)


def test_about_page_has_its_sections():
    at = run("about")
    no_error(at)
    assert [t.value for t in at.title] == ["About this demo"]
    assert "Credits" in [s.value for s in at.subheader]
    assert len(at.dataframe) == 2


def test_a_failing_page_shows_a_message_not_a_traceback(monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("lenet5.ui.about_page.load_json", broken)
    at = run("about")
    assert not at.exception
    assert [e.value for e in at.error] == ["Something went wrong reading that; try again."]
