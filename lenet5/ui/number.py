"""Number page: several digits on a wide canvas, each found and read."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import streamlit as st

from lenet5.number import (
    BRUSH,
    NARROW,
    NARROW_BRUSH,
    WIDE,
    Digit,
    read_number,
    strokes_from_json,
    text,
)
from lenet5.pipeline import UNSURE
from lenet5.plots import boxed, digit_probabilities, square, strip
from lenet5.preprocess import to_ink
from lenet5.ui.common import predictor_or_stop
from lenet5.ui.guard import Canvas, canvas
from lenet5.validate import CanvasSpec

BRUSHES = (4, 30)  # the brush slider's range
HINT = ("Write a number, digits left to right with a little space between them. A digit may "
        "take several strokes (a 4, the bar of a 5).")


def on_a_phone() -> bool:
    """Whether the browser says it is a phone (its User-Agent): the narrow canvas by default."""
    return "Mobile" in (st.context.headers.get("User-Agent") or "")


def forget_number() -> None:
    st.session_state.update(number_drawing=None, number_restore=None)


def canvas_section() -> Canvas:
    """The wide canvas (narrow on a phone), its state checked; restores this session's number
    when coming back from another page."""
    if st.session_state.get("last_page") != "number":
        st.session_state["number_restore"] = st.session_state.get("number_drawing")
    st.session_state["last_page"] = "number"
    narrow = st.toggle("Narrow canvas, for a phone", value=on_a_phone(), key="number_narrow",
                       help="Switching starts a new, empty canvas.", on_change=forget_number)
    (width, height), brush = (NARROW, NARROW_BRUSH) if narrow else (WIDE, BRUSH)
    st.space("small")  # room for the canvas' floating toolbar
    result = canvas(
        CanvasSpec((width, height), BRUSHES), f"number_canvas_{width}",
        stroke_width=st.session_state.get(f"number_brush_{width}", brush),
        stroke_color="#FFFFFF", background_color="#000000", fill_color="#FFFFFF",
        drawing_mode="freedraw", initial_drawing=st.session_state.get("number_restore"),
    )
    st.columns([3, 2])[0].slider("Brush width", *BRUSHES, brush, key=f"number_brush_{width}")
    if result.drawing is not None:
        st.session_state["number_drawing"] = result.drawing
    return result


def digits_of(json_data: dict | None) -> list[Digit]:
    """The number's digits, reusing the last reading when the strokes have not changed."""
    strokes, widths = strokes_from_json(json_data)
    key = hashlib.blake2b(json.dumps([s.tolist() for s in strokes] + widths).encode(),
                          digest_size=16).hexdigest()
    if st.session_state.get("number_key") != key:
        digits = read_number(strokes, widths, predictor_or_stop()) if strokes else []
        st.session_state["number_digits"], st.session_state["number_key"] = digits, key
    return st.session_state["number_digits"]


def reading_section(digits: list[Digit], image: np.ndarray | None) -> None:
    st.metric("Number", text(digits), help="Each digit is the likeliest one for its strokes.")
    for k, d in enumerate(digits, start=1):
        if d.value is None:
            st.info(f"Digit {k}: {d.pre.reason}", icon=":material/info:")
        elif d.confidence < UNSURE:
            second = int(np.argsort(d.probs)[-2])
            st.warning(f"Digit {k}: not sure, {d.value} or {second}?")
    if image is not None:
        labels = ["?" if d.value is None else str(d.value) for d in digits]
        st.image(boxed(to_ink(image, dark_background=True), [d.box for d in digits], labels),
                 caption="Each box is one digit, as the page grouped your strokes.")


def probabilities_section(digits: list[Digit]) -> None:
    readable = [d for d in digits if d.probs is not None]
    if readable:
        st.plotly_chart(digit_probabilities(np.stack([d.probs for d in readable])),
                        config={"displayModeBar": False}, key="number_probs")


def inputs_section(digits: list[Digit]) -> None:
    readable = [d for d in digits if d.probs is not None]
    if readable:
        st.subheader("What the network is given")
        st.image(strip([square(d.pre.image, 84) for d in readable], gap=6),
                 caption="Each digit alone: cropped, scaled to 20 px and centred in 28×28, as "
                         "on the Draw page.")


def page() -> None:
    st.title("Write a number")
    result = canvas_section()
    if result.error:
        st.warning(result.error, icon=":material/gpp_maybe:")
        return
    digits = digits_of(result.drawing if result.drawing is not None
                       else st.session_state.get("number_drawing"))
    if not digits:
        st.info(HINT, icon=":material/draw:")
        return
    left, right = st.columns([1, 1], gap="large")
    with left:
        reading_section(digits, result.image)
    with right:
        probabilities_section(digits)
    inputs_section(digits)
