"""Widget values checked before Streamlit restores them or a page uses them
(lenet5.ui.widget_check): wrong kinds and ranges reset to the default with a note and one log
line; Streamlit's restore never raises for them; tracebacks rate-limited per session."""

from __future__ import annotations

import math
import time

import pytest
from hypothesis import given
from hypothesis import strategies as hs
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.runtime.state.common import WidgetMetadata
from streamlit.runtime.state.session_state import SessionState
from streamlit.testing.v1 import AppTest

from lenet5.core.strokes import BRUSH
from lenet5.ui import guard, state
from lenet5.ui import widget_check as wc
from lenet5.ui import widget_values as wv

TIMEOUT = 60
ANY = hs.one_of(hs.none(), hs.booleans(), hs.integers(), hs.floats(allow_nan=True),
                hs.text(max_size=5), hs.lists(hs.integers(), max_size=3),
                hs.dictionaries(hs.text(max_size=3), hs.integers(), max_size=2))


def checked_page(name: str) -> None:
    """The app's run as app.py does it: the check first, its notes, then the guarded page."""
    import importlib

    import streamlit as st

    from lenet5.ui import widget_check
    from lenet5.ui.guard import guarded

    for note in widget_check.check_widgets():
        st.warning(note)
    guarded(importlib.import_module(f"lenet5.ui.{name}_page").page)()


def run(page: str, **widgets) -> AppTest:
    at = AppTest.from_function(checked_page, args=(page,), default_timeout=TIMEOUT)
    for key, value in widgets.items():
        at.session_state[key] = value
    return at.run()


def refusals(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("refused ")]


# --- AppTest: a wrong value kept in the session state -----------------------------------------

@pytest.mark.parametrize("bad", ["abc", True, {"a": 1}, ["x"], math.nan, 10**30, 2.5, 5])
def test_a_bad_brush_value_is_reset_with_a_note(bad, caplog):
    at = run("draw", **{state.BRUSH: bad})
    assert not at.exception and not at.error
    assert at.slider[0].value == BRUSH  # its default
    assert len(at.warning) == 1 and "brush slider" in at.warning[0].value
    assert len(refusals(caplog)) == 1 and "widget brush in session" in refusals(caplog)[0]
    at.run()  # the next run: nothing left to refuse
    assert not at.exception and not at.warning and len(refusals(caplog)) == 1


@pytest.mark.parametrize("page, key, bad", [
    ("draw", state.PREFIXES, "yes"), ("draw", state.SWEEPS, [1, 2]),
    ("number", state.NUMBER_NARROW, "no"), ("number", state.number_brush(720), -3),
    ("inside", state.INSIDE_NET, "GPT"), ("inside", state.INSIDE_SAMPLE, 10**9),
    ("inside", state.UNIT_LAYER, "zz"), ("inside", state.off("c1"), [1, 1]),
    ("inside", state.off("c3"), list(range(10_000))),
])
def test_each_pages_widgets_refuse_bad_values(page, key, bad, caplog):
    at = run(page, **{key: bad})
    assert not at.exception and not at.error
    assert len(at.warning) == 1, [w.value for w in at.warning]
    assert key not in at.session_state or at.session_state[key] != bad
    assert len(refusals(caplog)) == 1


def test_good_values_are_kept_without_a_note(caplog):
    at = run("draw", **{state.BRUSH: 30})
    assert at.slider[0].value == 30 and not at.warning and not refusals(caplog)


def test_the_narrow_switch_as_the_server_holds_it_is_shown_in_the_browser(monkeypatch):
    """A browser shows a toggle's value as the server sent it only with ``set_value``; else it
    keeps its own and sends it on the next stroke, which undoes a value it did not show (a
    tampered message's True, a reset) and throws the new canvas away."""
    at = run("number")
    assert at.toggle[0].value is False and not at.toggle[0].proto.set_value
    at.toggle[0].set_value(True).run()  # as a tampered message sends it: the browser shows False
    told = at.toggle[0].proto
    assert told.set_value and told.value is True  # now it shows True, and sends True next
    assert not at.exception and not at.warning
    monkeypatch.setattr(wc, "session_id", lambda: "one session")
    wc._refuse(state.NUMBER_NARROW, "a string_value", "one session")  # as screen() refuses it
    at.run()  # reset to its default, and the browser told so
    told = at.toggle[0].proto
    assert told.set_value and told.value is False and len(at.warning) == 1
    at.run()  # the next run keeps it, with no note
    assert at.toggle[0].value is False and not at.warning and not at.exception


# --- what a browser sends: checked before Streamlit restores it --------------------------------

WID = "$$ID-0123456789abcdef0123456789abcdef-brush"


def _states(*values) -> WidgetStates:
    out = WidgetStates()
    for field, v in values:
        w = out.widgets.add(id=WID)
        target = getattr(w, field) if field.endswith("array_value") else None
        if target is not None:
            target.data.extend(v)
        else:
            setattr(w, field, v)
    return out


def _session() -> SessionState:
    """A session that knows the brush slider as Streamlit does after a run."""
    s = SessionState()
    s._new_widget_state.set_widget_metadata(WidgetMetadata(
        WID, deserializer=lambda v: BRUSH if v is None else int(v[0]), serializer=lambda v: [v],
        value_type="double_array_value"))
    return s


@pytest.mark.parametrize("bad", [("bool_value", True), ("string_value", "7"),
                                 ("json_value", '{"a'), ("string_array_value", ["a"]),
                                 ("double_array_value", [math.nan]),
                                 ("double_array_value", [10.0] * 10_000)])
def test_streamlit_restores_no_bad_value_once_installed(bad, caplog):
    raw = getattr(SessionState.on_script_will_rerun, "__wrapped__",
                  SessionState.on_script_will_rerun)
    if bad[0] in ("bool_value", "json_value"):
        with pytest.raises((TypeError, ValueError)):  # what Streamlit alone does
            raw(_session(), _states(bad))
    wc.install()
    s = _session()
    s.on_script_will_rerun(_states(bad))  # does not raise
    assert WID not in s._new_widget_state.states
    assert len(refusals(caplog)) == 1
    s.on_script_will_rerun(_states(("double_array_value", [20.0])))  # the next rerun works
    assert s._new_widget_state[WID] == 20


def test_a_widget_sent_twice_is_refused_once(caplog):
    out = wc.screen(_session(), _states(("double_array_value", [10.0]), ("string_value", "a")))
    assert not out.widgets and len(refusals(caplog)) == 1


def test_refusal_by_kind_for_widgets_outside_the_table():
    w = _states(("json_value", "not json")).widgets[0]
    w.id = "$$ID-0123456789abcdef0123456789abcdef-something_else"
    assert wc.refusal(w, "something_else", "json_value") == "not JSON"
    w.bool_value = True
    assert wc.refusal(w, "something_else", "json_value") == "a bool_value, not a json_value"
    assert wc.refusal(w, None, None) is None  # unknown widget and kind: Streamlit's business


def test_every_key_of_the_app_is_in_the_table():
    keys = wc.table()
    for key in (state.BRUSH, state.CANVAS, state.UPLOAD, state.PREFIXES, state.SWEEPS,
                state.NUMBER_NARROW, state.INSIDE_NET, state.INSIDE_SAMPLE, state.UNIT,
                state.UNIT_LAYER, state.SWITCH, state.off("c1"), state.off("c3"),
                state.number_brush(720), state.number_canvas(720), state.unit("c1", "map"),
                state.unit("c3", "row16"), state.unit("c1", "col1"), state.FOOL,
                state.FOOL_TARGET, state.LEARN, state.LEARN_EPOCH, state.BOTH_READINGS,
                state.TEACH_HELPED, state.TEACH_UPLOAD, state.TEACH_ADD, state.TEACH_SKIP,
                state.TEACH_FORGET, state.TEACH_DOWNLOAD, state.teach_label(0),
                state.teach_canvas(0)):
        assert key in keys, key
    assert wc.key_of(WID) == "brush" and wc.key_of("plain") is None


# --- tracebacks: at most 3 per session per minute ---------------------------------------------

def test_tracebacks_are_rate_limited_per_session():
    allowed = [guard.should_log_traceback("s1", now=1000.0 + k) for k in range(5)]
    assert allowed == [True, True, True, False, False]
    assert guard.should_log_traceback("s2", now=1004.0)  # another session has its own budget
    assert guard.should_log_traceback("s1", now=1060.5)  # a minute after the first


# --- what one session may cost the others ------------------------------------------------------

def test_refusal_lines_are_limited_per_session(caplog):
    for _ in range(guard.REFUSALS_PER_MINUTE + 5):
        guard.log_refusal("a string_value for widget brush", "flooding session")
    guard.log_refusal("a string_value for widget brush", "another session")
    lines = [r.getMessage() for r in caplog.records]
    assert sum("flooding session" in line for line in lines) == guard.REFUSALS_PER_MINUTE + 1
    assert "the rest are not logged" in lines[guard.REFUSALS_PER_MINUTE]
    assert "in session another session" in lines[-1]


def test_a_session_refused_again_at_once_waits_and_the_newest_run_goes_first():
    import threading

    assert guard.pause_after_refusal("s") < 0.05  # the first refusal: no wait
    waited = guard.pause_after_refusal("s")  # refused again at once: waits out the gap
    assert guard.REFUSED_GAP_S - 0.05 < waited < guard.REFUSED_GAP_S + 0.2
    assert guard.pause_after_refusal("other") < 0.05  # other sessions do not wait
    times: list[float] = []
    older = threading.Thread(target=lambda: times.append(guard.pause_after_refusal("s")))
    older.start()
    time.sleep(0.05)
    guard.pause_after_refusal("s")  # a newer run of the session: the older one goes at once
    older.join()
    assert times[0] < 0.1


def test_a_canvas_of_more_strokes_than_read_is_refused_unparsed():
    import json

    strokes = [{"type": "path", "path": [["M", 1, 1], ["L", 2, 2]]}] * 5000
    text = json.dumps({"drawing": {"raw": {"objects": strokes}}})
    assert wv.canvas_wire(text, 300) == "more than 300 strokes"
    assert wv.canvas_wire(text[:-3], 300) == "more than 300 strokes"  # not even parsed
    fine = json.dumps({"drawing": {"raw": {"objects": strokes[:300]}}})
    assert wv.canvas_wire(fine, 300) is None and wv.canvas_wire(fine[:-3], 300) == "not JSON"


# --- the validators, property by property -------------------------------------------------------

@given(ANY, hs.integers(-50, 50), hs.integers(0, 50))
def test_a_slider_takes_exactly_the_whole_numbers_in_its_range(v, lo, span):
    hi = lo + span
    ok = (isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
          and v == int(v) and lo <= v <= hi)
    assert (wv.slider_value(v, lo, hi) is None) == ok


@given(hs.lists(hs.floats(allow_nan=True, allow_infinity=True), max_size=4))
def test_a_sent_slider_value_is_one_number_in_range(values):
    why = wv.slider_wire(values, 6, 40)
    assert (why is None) == (len(values) == 1 and math.isfinite(values[0])
                             and values[0] == int(values[0]) and 6 <= values[0] <= 40)


@given(ANY)
def test_a_flag_is_true_or_false(v):
    assert (wv.flag_value(v) is None) == isinstance(v, bool)


@given(hs.lists(hs.sampled_from(["1", "2", "3", "7", "x", ""]), max_size=6), hs.booleans())
def test_sent_choices_are_distinct_options(values, multi):
    ok = (len(set(values)) == len(values) and set(values) <= {"1", "2", "3"}
          and (multi or len(values) <= 1))
    assert (wv.choice_wire(values, [1, 2, 3], multi) is None) == ok


@given(ANY)
def test_a_single_choice_is_none_or_an_option(v):
    assert (wv.choice_value(v, ["a", "b"], False) is None) == (v is None or v in ("a", "b"))


@given(hs.text(max_size=20))
def test_a_component_value_is_a_json_object(text):
    import json

    try:
        ok = isinstance(json.loads(text), dict)
    except ValueError:
        ok = False
    assert (wv.json_wire(text) is None) == ok


@pytest.mark.parametrize(("key", "sent", "refused"), [
    (state.teach_label(0), ["4"], False), (state.teach_label(0), ["11"], True),
    (state.teach_label(0), ["4", "5"], True), (state.FOOL_TARGET, ["x"], True),
    (state.LEARN_EPOCH, [3.0], False), (state.LEARN_EPOCH, [1e9], True),
])
def test_the_new_widgets_values_are_checked_as_sent(key, sent, refused):
    field = "double_array_value" if isinstance(sent[0], float) else "string_array_value"
    w = _states((field, sent)).widgets[0]
    assert (wc.refusal(w, key) is not None) == refused
