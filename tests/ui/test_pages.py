"""Every page run by Streamlit's AppTest with the real model, driven as a user drives it: real
strokes drawn on the canvas (its widget given what the browser sends), then the canvas' check,
the preprocessing, both nets and the page's rendering all run; no exception, and the elements a
user looks for."""

from __future__ import annotations

import numpy as np
import pytest
import streamlit as st
from support.pages import draw, no_error, pen_digit, run, visit

from lenet5.core.grouping import WIDE, WIDE_BRUSH
from lenet5.core.strokes import BRUSH
from lenet5.ui import state

OLD = "The 1998 LeNet-5"


def test_draw_page_without_a_drawing_says_what_to_do():
    at = run("draw")
    no_error(at)
    assert [t.value for t in at.title] == ["Draw a digit"]
    assert any("Draw a digit (0–9)" in i.value for i in at.info)
    assert [s.label for s in at.slider] == ["Brush width"] and at.slider[0].value == BRUSH
    assert not at.metric


def test_a_drawn_digit_is_read_end_to_end():
    at = draw(run("draw"), pen_digit(3))
    no_error(at)
    assert {m.label: m.value for m in at.metric} == {"Prediction": "3"}
    assert [s.value for s in at.subheader] == ["What the network is given", "Why it decided",
                                               "What it reminds the network of",
                                               "Poke the network"]
    assert any("confident" in str(p.proto) for p in at.get("progress"))
    captions = [i.proto.imgs[0].caption for i in at.get("image") if i.proto.imgs]
    assert any(c.startswith("The ten probabilities") for c in captions)
    assert any("The 1998 LeNet-5" in m.value and "reads **3**" in m.value for m in at.markdown)
    assert not at.get("plotly_chart")  # drawn on the server: no chart redrawn every stroke


def test_an_erased_canvas_forgets_the_reading():
    at = draw(run("draw"), pen_digit(3))
    at = draw(at, [])
    no_error(at)
    assert not at.metric and any("Draw a digit (0–9)" in i.value for i in at.info)


def test_a_refused_canvas_value_gets_a_message():
    at = run("draw")
    at.session_state[state.CANVAS] = {"drawing": {"raw": {"objects": "no"}, "data": 5}}
    at.run()
    assert not at.exception and not at.metric
    assert at.warning and "Reset the canvas" in at.warning[0].value


def test_draw_page_on_a_phone_keeps_the_reading(monkeypatch):
    monkeypatch.setattr("lenet5.ui.draw_page.on_a_phone", lambda: True)
    at = draw(run("draw"), pen_digit(3))
    no_error(at)
    assert {m.label: m.value for m in at.metric} == {"Prediction": "3"}


def test_the_drawing_comes_back_after_another_page():
    at = draw(run("draw"), pen_digit(3))
    at = visit(visit(at, "about"), "draw")
    no_error(at)
    assert {m.label: m.value for m in at.metric} == {"Prediction": "3"}


def number_strokes(labels: str) -> list[np.ndarray]:
    """Pen-drawn digits written left to right on the Number page's wide canvas."""
    strokes, left = [], 40.0
    for ch in labels:
        strokes += pen_digit(int(ch), 140, left, 50)
        left += 150
    assert left < WIDE[0]
    return strokes


def test_number_page_without_strokes_says_what_to_do():
    at = run("number")
    no_error(at)
    assert [t.value for t in at.title] == ["Write a number"]
    assert any("Write a number" in i.value for i in at.info)


def test_number_page_reads_a_written_number():
    at = draw(run("number"), number_strokes("470"), WIDE_BRUSH, state.number_canvas(WIDE[0]),
              WIDE)
    no_error(at)
    assert {m.label: m.value for m in at.metric} == {"Number": "470"}
    assert [s.value for s in at.subheader] == ["What the network is given"]


def titles(at) -> list[str]:
    """The charts' titles (the text of every title in each Plotly figure)."""
    import json

    out = []
    for chart in at.get("plotly_chart"):
        layout = json.loads(chart.proto.spec)["layout"]
        out += [v["text"] for k, v in layout.items() if k.endswith("title") and "text" in v]
        out += [a.get("text", "") for a in layout.get("annotations", [])]
    return out


def test_inside_page_shows_an_mnist_digit_without_a_drawing():
    at = run("inside")
    no_error(at)
    assert [t.value for t in at.title] == ["Inside the network"]
    assert [s.label for s in at.slider] == ["MNIST test digit"]
    assert [m.label for m in at.metric] == ["The network reads"]
    assert len(at.get("plotly_chart")) == 4 + 3 + 2  # C1..S4, F5, F6, logits, two kernels
    assert "C1: 6 5×5 filters slide over the 28×28 input → 6 maps of 24×24 (ReLU)" in titles(at)


def test_inside_page_shows_the_drawing_and_the_1998_net():
    at = draw(run("draw"), pen_digit(3))
    at.session_state[state.INSIDE_NET] = OLD
    at = visit(at, "inside")
    no_error(at)
    assert any("your current drawing" in c.value for c in at.caption)
    assert not at.slider
    assert [m.value for m in at.metric] == ["3"]
    assert any("Blank kernels" in c.value for c in at.caption)  # the 1998 net's C3 table
    assert ("C5: 120 5×5 filters slide over the 5×5 input → 120 maps of 1×1 (scaled tanh)"
            in titles(at))  # a convolution to 1×1 maps: shown as bars
    assert "C1: 6 5×5 filters slide over the 32×32 input → 6 maps of 28×28 (scaled tanh)" in (
        titles(at))


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


@pytest.mark.parametrize("page", ["draw", "number", "inside"])
def test_a_missing_model_gets_a_message_not_a_traceback(page, tmp_path, monkeypatch):
    monkeypatch.setenv("LENET5_MODELS", str(tmp_path))
    at = run(page)
    if page != "inside":  # Draw and Number load the model with the first drawing
        at = draw(at, pen_digit(3)) if page == "draw" else draw(
            at, number_strokes("47"), WIDE_BRUSH, state.number_canvas(WIDE[0]), WIDE)
    assert not at.exception
    assert any("The model could not be loaded" in e.value for e in at.error)
