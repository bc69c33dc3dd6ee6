"""Number page: several digits on a wide canvas, each found and read."""

from __future__ import annotations

import hashlib
import json
from contextlib import nullcontext

import cv2
import numpy as np
import streamlit as st

from lenet5.core.cuts import MAX_CUTS
from lenet5.core.grouping import NARROW, NARROW_BRUSH, WIDE, WIDE_BRUSH, strokes_from_json
from lenet5.core.preprocess import BOX, SIZE, to_ink
from lenet5.core.reader import UNSURE
from lenet5.core.segment import MAX_DIGITS, Number, read_segmented
from lenet5.core.validate import CanvasSpec
from lenet5.ui import state, teaching
from lenet5.ui.canvas import Canvas, canvas
from lenet5.ui.layout import PLOT_CONFIG, on_a_phone
from lenet5.ui.plots import boxed, digit_probabilities, square, strip
from lenet5.ui.resources import reader

BRUSHES = (4, 30)  # the brush slider's range
# The narrow canvas: lenet5.core.segment.NARROW's height, but 340 px wide, not 360: a 390-px phone
# leaves the page 358 px, a 375-px one 343 (Streamlit's 1 rem margins), and the canvas must
# fit with its toolbar, not scroll sideways inside its box.
PHONE = (340, NARROW[1])
CLOSE = 20.0  # an other reading at most this many times less likely is shown
HINT = ("Write a number, digits left to right. They may touch, or run into each other in one "
        "stroke, and a digit may take several strokes (a 4, the bar of a 5).")
CUT = (80, 200, 255)  # a chosen cut, RGB: apart from the boxes' accent
CONSIDERED = (150, 150, 150)  # a place where the page could have cut


def canvas_size() -> tuple[tuple[int, int], int]:
    """``((width, height), default brush)`` of the canvas the toggle asks for."""
    return (PHONE, NARROW_BRUSH) if state.value(state.NUMBER_NARROW) else (WIDE, WIDE_BRUSH)


def canvas_section(returning: bool) -> Canvas:
    """The wide canvas (narrow on a phone), its state checked; restores this session's number
    when ``returning`` from another page."""
    restore = state.number_to_restore(returning)
    st.toggle("Narrow canvas, for a phone", value=on_a_phone(), key=state.NUMBER_NARROW,
              help="Switching starts a new, empty canvas.", on_change=state.forget_number)
    (width, height), brush = canvas_size()
    st.space("small")  # room for the canvas' floating toolbar
    result = canvas(CanvasSpec((width, height), BRUSHES), state.number_canvas(width),
                    state.value(state.number_brush(width), brush), restore)
    if result.drawing is not None:
        state.keep_number(result.drawing)
    return result


def brush_section() -> None:
    (width, _), brush = canvas_size()
    st.columns([3, 2])[0].slider("Brush width", *BRUSHES, brush, key=state.number_brush(width))


def number_of(json_data: dict | None) -> Number:
    """The number read, reusing the last reading when the strokes have not changed."""
    strokes, widths = strokes_from_json(json_data)
    key = hashlib.blake2b(json.dumps([s.tolist() for s in strokes] + widths).encode(),
                          digest_size=16).hexdigest()
    number = state.cached_digits(key)
    if number is None:
        number = read_segmented(strokes, widths, reader()) if strokes else Number([], [], [])
        state.remember_digits(key, number)
    return number


def reading_section(number: Number) -> None:
    """The number read, a close other reading if there is one, and a note for each digit that
    could not be read or is in doubt."""
    st.metric("Number", number.text,
              help="The page cuts the ink where digits may meet and keeps the cuts whose "
                   "digits the network reads best (each digit's likeliest reading).")
    if number.alternative is not None and number.alternative[1] < CLOSE:
        other, times = number.alternative
        st.caption(f"Cut another way it reads **{other}**, {times:.1f}× less likely by the "
                   "page's score (the network's probabilities with a prior on each digit's "
                   "width and height).")
    if number.note:
        st.info(f"{number.note} The page reads at most {MAX_DIGITS} digits and considers at "
                f"most {MAX_CUTS} cuts in a group of touching strokes.",
                icon=":material/info:")
    for k, d in enumerate(number.digits, start=1):
        if d.value is None:
            st.info(f"Digit {k}: {d.pre.reason}", icon=":material/info:")
        elif d.confidence < UNSURE:
            st.warning(f"Digit {k}: not sure, {d.value} or {d.reading.runner_up}?")


def both_readings_section(net: Number, shown: Number) -> None:
    """Once the net is taught (Teach page): a toggle showing the net's own reading beside."""
    if shown is net:
        return
    if st.toggle("Show both readings", key=state.BOTH_READINGS,
                 help="The number is read by the net taught with your digits (Teach page); "
                      "this shows the net's own reading beside it."):
        st.markdown(f"{teaching.NET.capitalize()}: **{net.text}** · {teaching.TAUGHT}: "
                    f"**{shown.text}**")
    else:
        st.caption(f"Read by {teaching.TAUGHT} ({len(state.taught())} of your digits).")


def with_cuts(rgb: np.ndarray, number: Number) -> np.ndarray:
    """``(H, W, 3) uint8`` boxed drawing with every cut considered (small grey rings) and the
    chosen ones (filled dots) marked, in place; returned."""
    for x, y in number.candidates:
        cv2.circle(rgb, (int(round(x)), int(round(y))), 4, CONSIDERED, 1, cv2.LINE_AA)
    for x, y in number.cuts:
        cv2.circle(rgb, (int(round(x)), int(round(y))), 6, CUT, -1, cv2.LINE_AA)
    return rgb


def boxes_section(number: Number, image: np.ndarray | None) -> None:
    """The drawing, ``(H, W, 4) uint8`` RGBA from the canvas, with each digit boxed and the
    cuts marked."""
    if image is not None:
        digits = number.digits
        labels = ["?" if d.value is None else str(d.value) for d in digits]
        rgb = boxed(to_ink(image, dark_background=True), [d.box for d in digits], labels)
        st.image(with_cuts(rgb, number),
                 caption="Each box is one digit. Where digits touch or one stroke runs into "
                         "the next, the page cut the ink at the dots, choosing among the "
                         "places ringed in grey (pen lifts, sharp turns, valleys, a stroke "
                         "running alone between digits, and every half a digit's height of "
                         "a long smooth stroke).")


def probabilities_section(number: Number) -> None:
    digits = number.digits
    readable = [d for d in digits if d.reading is not None]
    if readable:
        st.plotly_chart(digit_probabilities(np.stack([d.reading.probs for d in readable])),
                        config=PLOT_CONFIG, key="number_probs")


def inputs_section(number: Number) -> None:
    digits = number.digits
    readable = [d for d in digits if d.reading is not None]
    if readable:
        st.subheader("What the network is given")
        st.image(strip([square(d.pre.image, 84) for d in readable], gap=6),
                 caption=f"Each digit alone: cropped, scaled to {BOX} px and centred in "
                         f"{SIZE}×{SIZE}, as "
                         "on the Draw page.")


def page() -> None:
    returning = state.arrive("number")
    st.title("Write a number")
    result = canvas_section(returning)
    phone = on_a_phone()
    under_canvas = st.container() if phone else nullcontext()  # a phone: where the finger is
    brush_section()
    number = Number([], [], []) if result.error else number_of(
        result.drawing if result.drawing is not None else state.number())
    if not number.digits:
        with under_canvas:
            if result.error:
                st.warning(result.error, icon=":material/gpp_maybe:")
            else:
                st.info(HINT, icon=":material/draw:")
        return
    net, number = number, teaching.taught_number(number)  # the taught net's, once taught
    if phone:  # one column: the number under the canvas, its details below the slider
        with under_canvas:
            reading_section(number)
            both_readings_section(net, number)
        left = right = st.container()
    else:
        left, right = st.columns([1, 1], gap="large")
        with left:
            reading_section(number)
            both_readings_section(net, number)
    with left:
        boxes_section(number, result.image)
    with right:
        probabilities_section(number)
    inputs_section(number)
