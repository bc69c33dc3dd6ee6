"""The Teach page in AppTest, as a person uses it: write digits, teach them, see the honest
before/after, and the Draw page reading with the taught net."""

from __future__ import annotations

import numpy as np
from support.pages import draw, no_error, run, visit

from lenet5.ui import state


def curled_four(dx: float = 0, top: float = 60, mid: float = 150, left: float = 90):
    """A 4 whose top is a curve closed almost like a 9's: the net reads it as 9."""
    curve = np.array([[200, top], [120, top], [left, (top + mid) / 2], [120, mid], [200, mid]])
    return [curve + [dx, 0], np.array([[200, top - 10], [200, 250]]) + [dx, 0]]


FOURS = [curled_four(), curled_four(-20, 70), curled_four(0, 60, 140, 70),
         curled_four(10, 50, 160, 100)]


def teach(at, strokes, label: int):
    step = at.session_state["teach_step"] if at.session_state.__contains__("teach_step") else 0
    at.pills(key=state.teach_label(step)).set_value(label)
    draw(at, strokes, key=state.teach_canvas(step))
    at.button(key=state.TEACH_ADD).click()
    return at.run()


def markdown(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_asks_for_each_digit_and_skips():
    at = run("teach")
    no_error(at)
    assert at.subheader[0].value == "Write a 0"
    assert "at most 100 digits" in at.caption[0].value
    at.button(key=state.TEACH_SKIP).click()
    at = at.run()
    assert at.subheader[0].value == "Write a 1"
    assert at.button(key=state.TEACH_ADD).disabled  # nothing drawn: nothing to teach


def test_three_curled_fours_taught_and_the_fourth_reads_4_on_the_draw_page():
    at = run("teach")
    for strokes in FOURS[:3]:
        at = teach(at, strokes, 4)
        no_error(at)
    assert "Your digits (3 of at most 100)" in [s.value for s in at.subheader]
    at = draw(visit(at, "draw"), FOURS[3])
    no_error(at)
    assert at.metric[0].value == "4"
    at.toggle(key=state.BOTH_READINGS).set_value(True)
    at = at.run()
    assert "The net: **9**" in markdown(at) and "the net, taught by you: **4**" in markdown(at)


def test_before_after_is_left_one_out():
    at = run("teach")
    for strokes in FOURS[:3]:
        at = teach(at, strokes, 4)
    at = run_with(at, state.TEACH_HELPED, True)
    text = markdown(at)
    assert "Each of your 3 digits read by a net taught with all your *other* digits" in text
    assert "**0%** read right before teaching, **100%** after" in text


def run_with(at, key, value):
    at.session_state[key] = value
    return at.run()


def test_forget_starts_again():
    at = teach(run("teach"), FOURS[0], 4)
    at.button(key=state.TEACH_FORGET).click()
    at = at.run()
    assert "Your digits (0 of at most 100)" in [s.value for s in at.subheader]
    at = draw(visit(at, "draw"), FOURS[3])
    assert at.metric[0].value == "9"  # the net as trained again
    assert not at.toggle  # nothing taught: no second reading to show


def on_the_number_canvas(strokes, dx: float):
    """A digit drawn for the 280-px canvas, drawn smaller on the Number page's 720x240 one."""
    return [s * 0.8 + [dx, 0] for s in strokes]


def test_the_number_page_reads_with_the_taught_net_too():
    number = on_the_number_canvas(FOURS[3], 60) + [np.array([[420.0, 40], [420, 200]])]
    key, size = state.number_canvas(720), (720, 240)
    before = draw(run("number"), number, 14, key, size)
    no_error(before)
    at = run("teach")
    for strokes in FOURS[:3]:
        at = teach(at, strokes, 4)
    at = draw(visit(at, "number"), number, 14, key, size)
    no_error(at)
    assert (before.metric[0].value, at.metric[0].value) == ("91", "41")
    at.toggle(key=state.BOTH_READINGS).set_value(True)
    at = at.run()
    assert "The net: **91**" in markdown(at) and "the net, taught by you: **41**" in markdown(at)
