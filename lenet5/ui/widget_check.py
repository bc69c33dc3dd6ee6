"""Every widget value that arrives is checked against its widget's kind and range before
Streamlit restores it or a page uses it; a bad one resets that widget to its default.

Streamlit deserializes the widget states a browser sends in
``SessionState.on_script_will_rerun``, before app.py runs; a value of the wrong kind raises
there, and stays stored, so that every later run of the session fails before any app code
(docs/robustness.md, "Widget state restoration", says where and why). So:

* :func:`install` wraps ``SessionState.on_script_will_rerun`` (once per process): the widget
  states of each rerun request are checked (:func:`refusal`) and the bad ones dropped before
  Streamlit sees them; if Streamlit raises anyway while restoring, the widget states that do
  not deserialize are dropped and the run goes on; the told widgets (``Spec.told``) get their
  value written back (:func:`tell`). Each refusal is logged as one line (at most
  ``guard.REFUSALS_PER_MINUTE``) and kept for the session.
* :func:`check_widgets`, called at the top of each run, resets those widgets
  (``state.reset(key)``: the widget is recreated from its default) and checks the values
  kept in the session state too (set by code, or restored from an earlier run); it returns the
  short notes to show. A run that refused input waits a moment if the session's last one
  did too (``guard.pause_after_refusal``: a flood costs the server a few runs).
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
from collections import defaultdict

from lenet5.ui import state
from lenet5.ui.guard import (
    log_refusal,
    pause_after_refusal,
    session_id,
    should_log_traceback,
)
from lenet5.ui.widget_table import table

log = logging.getLogger("lenet5")

NOTE = "{label} sent a value this page cannot use ({why}); it is back at its default."
_ID = re.compile(r"^\$\$ID-[0-9a-f]+-(.+)$")


def key_of(widget_id: str) -> str | None:
    """The user key in a widget's id (``$$ID-<hash>-<key>``), None if it has none."""
    m = _ID.match(widget_id)
    return m[1] if m else None


def refusal(widget_state, key: str | None, expected_field: str | None = None) -> str | None:
    """Why the ``WidgetState`` proto a browser sent for widget ``key`` is refused, or None.
    ``expected_field``: the field Streamlit expects (from the widget's metadata), for widgets
    that are not in :func:`table`."""
    spec = table().get(key) if key else None
    field = widget_state.WhichOneof("value")
    want = spec.field if spec else expected_field
    if field is None or want is None:  # no value (the default), or a widget we do not know
        return None
    if field != want:
        return f"a {field}, not a {want}"
    value = getattr(widget_state, field)
    if spec is None and field in ("json_value", "json_trigger_value"):
        try:  # what Streamlit parses before any deserializer sees it
            json.loads(value)
        except ValueError:
            return "not JSON"
    if spec is None or spec.wire is None:
        return None
    return spec.wire(list(value.data) if hasattr(value, "data") else value)


# --- refusals: logged once, kept per session until the next run resets the widget -------------

_lock = threading.Lock()
_pending: dict[str, dict[str, str]] = defaultdict(dict)  # session -> {key: why}
_told: dict[str, set[str]] = defaultdict(set)  # session -> told widgets reset by tell()


def _refuse(key: str, why: str, sid: str) -> None:
    log_refusal(f"{why} for widget {key}", sid)
    with _lock:
        _pending[sid][key] = why


def screen(session, widget_states):
    """A copy of a rerun request's ``WidgetStates`` without the values :func:`refusal`
    refuses (and without a widget sent twice: a browser never does), each refusal logged."""
    sid = session_id()
    out = type(widget_states)()
    counts: dict[str, int] = {}
    for w in widget_states.widgets:
        counts[w.id] = counts.get(w.id, 0) + 1
    for w in widget_states.widgets:
        key = key_of(w.id)
        name = key or w.id
        if w.id not in counts:  # a later value of a widget refused below
            continue
        if counts[w.id] > 1:  # refused once, all of its values dropped
            _refuse(name, f"{counts.pop(w.id)} values at once", sid)
            continue
        meta = session.get_widget_metadata(w.id)
        try:
            why = refusal(w, key, meta.value_type if meta is not None else None)
        except Exception as exc:  # noqa: BLE001 - a value no check foresaw: refused too
            why = f"an unreadable value ({type(exc).__name__})"
        if why is None:
            out.widgets.append(w)
        else:
            _refuse(name, why, sid)
    return out


def _drop_unreadable(session, sid: str) -> None:
    """After Streamlit raised restoring widget state: drop every stored value that does not
    deserialize, so that this run and the next ones go on."""
    states = session._new_widget_state
    for wid in list(states.states):
        try:
            states[wid]
        except KeyError:  # no metadata: Streamlit ignores it
            pass
        except Exception as exc:  # noqa: BLE001 - whatever the deserializer raised
            del states.states[wid]
            session._old_state.pop(wid, None)
            _refuse(key_of(wid) or wid, f"a value Streamlit cannot restore "
                                        f"({type(exc).__name__})", sid)


def tell(session, sid: str) -> None:
    """Before the run: each told widget (``Spec.told``) the session has made gets its value
    written as a session-state value (its default if it was refused on the way in), so that
    Streamlit sends it with ``set_value`` and the browser shows what the server holds."""
    with _lock:
        refused = set(_pending.get(sid, {}))
    for key, spec in table().items():
        wid = session.get_widget_id_from_key(key) if spec.told else None
        meta = session.get_widget_metadata(wid) if wid is not None else None
        if meta is None:  # not told, or never made: the browser shows nothing to correct
            continue
        if key in refused:
            v = meta.deserializer(None)  # the default, as Streamlit takes it
            with _lock:
                _told[sid].add(key)
        else:
            try:
                v = session[key]
            except Exception:  # noqa: BLE001 - not kept, or unreadable: check_widgets' business
                continue
            if spec.value is not None and spec.value(v) is not None:
                continue
        session[key] = v


def install() -> None:
    """Check the widget states of every rerun request before Streamlit restores them (wraps
    ``SessionState.on_script_will_rerun``, once per process). Idempotent."""
    from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException
    from streamlit.runtime.state import SessionState

    original = SessionState.on_script_will_rerun
    if getattr(original, "_lenet5_checked", False):
        return

    @functools.wraps(original)
    def on_script_will_rerun(self, fresh_widget_states, *args, **kwargs):
        try:
            if fresh_widget_states is not None:
                try:
                    fresh_widget_states = screen(self, fresh_widget_states)
                except Exception as exc:  # noqa: BLE001 - refuse the whole message, go on
                    _refuse("(all)", f"an unreadable message ({type(exc).__name__})",
                            session_id())
                    fresh_widget_states = type(fresh_widget_states)()
            original(self, fresh_widget_states, *args, **kwargs)
            tell(self, session_id())
            return None
        except ScriptControlException:
            raise
        except Exception as exc:  # noqa: BLE001 - Streamlit's own restore: the boundary here
            sid = session_id()
            if should_log_traceback(sid):
                log.exception("restoring widget state failed in session %s", sid)
            else:
                log.warning("restoring widget state failed in session %s: %s", sid,
                            type(exc).__name__)
            _drop_unreadable(self, sid)
            return None

    on_script_will_rerun._lenet5_checked = True
    SessionState.on_script_will_rerun = on_script_will_rerun


def check_widgets() -> list[str]:
    """At the top of each run, before any widget: reset every widget whose value was refused
    on the way in, or whose kept value is not of its kind and range, to its default; return
    one short note for each (what to show the person)."""
    install()
    sid = session_id()
    with _lock:
        refused = _pending.pop(sid, {})
        told = _told.pop(sid, set())
    if refused:  # refused on the way in: a client sending such values fast waits
        pause_after_refusal(sid)
    specs = table()
    kept = state.widget_keys(specs)
    notes = []
    for key in sorted(kept | (refused.keys() & specs.keys())):
        spec = specs[key]
        present, v = state.stored(key)
        why = refused.pop(key, None)
        if why is None and present and spec.value is not None:
            why = "unreadable" if v is state.UNREADABLE else spec.value(v)
            if why is not None:
                log_refusal(f"{why} for widget {key}", sid)
        if why is not None:
            if not (spec.told and key in told):  # a told widget refused on the way in: reset
                _reset(key, sid)
            notes.append(NOTE.format(label=spec.label, why=why))
    for key, why in refused.items():  # widgets outside the table (refused by kind only)
        _reset(key, sid)
        notes.append(NOTE.format(label=f"A widget ({key})", why=why))
    return notes


def _reset(key: str, sid: str) -> None:
    if not state.reset(key):
        log.warning("could not reset widget %s in session %s", key, sid)
