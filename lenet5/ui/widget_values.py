"""What a widget's value may be, by kind of widget: each check returns None if the value is
fine, else why not (in a few words, for the log and the note). Pure functions: the values as
the browser sent them (``*_wire``) and as the session keeps them (``*_value``); and
:class:`Spec`, one widget's checks, made by kind (:func:`slider`, :func:`toggle`, ...)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

SHOWN = 40  # characters of a refused value quoted in the log
@dataclass(frozen=True)
class Spec:
    """One widget: its label in notes, the proto field a browser sends its value in, and its
    checks as sent (``wire``, on the unpacked field) and as kept (``value``; None: not
    checked there, e.g. the uploader's files, which Streamlit's file manager holds).

    ``told``: the server writes the widget's value into the session state at the top of each
    run, before the widget is made, so that Streamlit sends it with ``set_value`` and the
    browser shows it. For a widget whose value decides which widgets the page shows (the
    Number page's narrow-canvas switch): a browser otherwise keeps showing, and sending, its
    own value, so a value it did not show (a tampered message) or a reset to the default is
    undone by its next message as if the person had flipped it, and the page throws away the
    canvas just drawn on. Only for widgets Streamlit takes a value for from the session state
    (not the canvas, the uploader, buttons). Other widgets are not told: a refused value is
    reset for the run, then the browser's own value, which it shows, comes back."""

    label: str
    field: str
    wire: Callable[[object], str | None] | None = None
    value: Callable[[object], str | None] | None = None
    told: bool = False


def slider(label: str, lo: int, hi: int) -> Spec:
    """An ``st.slider`` of whole numbers in ``[lo, hi]``."""
    return Spec(label, "double_array_value", lambda v: slider_wire(v, lo, hi),
                lambda v: slider_value(v, lo, hi))


def flag(label: str) -> Spec:
    """An expander's open state (True or False)."""
    return Spec(label, "bool_value", None, flag_value)


def toggle(label: str, told: bool = False) -> Spec:
    """An ``st.toggle`` or ``st.checkbox``."""
    return Spec(label, "bool_value", None, flag_value, told)


def choice(label: str, options: Sequence, multi: bool = False, shown=str) -> Spec:
    """A segmented control or pills; ``shown``: the widget's ``format_func`` (the browser
    sends the options as shown)."""
    return Spec(label, "string_array_value",
                lambda v: choice_wire(v, [shown(o) for o in options], multi),
                lambda v: choice_value(v, options, multi))


def component(label: str) -> Spec:
    """A custom component whose value is a JSON object."""
    return Spec(label, "json_value", json_wire)


def canvas(label: str, max_strokes: int) -> Spec:
    """The drawing canvas: a JSON object of at most ``max_strokes`` strokes (the rest of what
    is in it: :mod:`lenet5.core.validate`, as the page reads it)."""
    return Spec(label, "json_value", lambda text: canvas_wire(text, max_strokes))


def _number(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def slider_value(v, lo: int, hi: int) -> str | None:
    """A slider's value as a page reads it: a whole number in ``[lo, hi]``."""
    if not _number(v):
        return f"a {type(v).__name__}, not a number"
    if not math.isfinite(v):
        return "not a finite number"
    if v != int(v):
        return "not a whole number"
    if not lo <= v <= hi:
        return f"{short(v)} outside {lo}..{hi}"
    return None


def slider_wire(values: Sequence, lo: int, hi: int) -> str | None:
    """A slider's value as sent (its ``double_array_value``): exactly one number in range."""
    if len(values) != 1:
        return f"{len(values)} numbers, not 1"
    return slider_value(values[0], lo, hi)


def flag_value(v) -> str | None:
    """An expander's or a toggle's value: True or False."""
    return None if isinstance(v, bool) else f"a {type(v).__name__}, not True or False"


def choice_value(v, options: Iterable, multi: bool) -> str | None:
    """A segmented control's value (one option or None) or pills' (a list of distinct
    options), as a page reads it."""
    options = list(options)
    if not multi:
        return None if v is None or v in options else f"{short(v)} is not an option"
    if not isinstance(v, list | tuple):
        return f"a {type(v).__name__}, not a list"
    if len(set(map(repr, v))) != len(v):
        return "an option twice"
    bad = [x for x in v if x not in options]
    return f"{short(bad[0])} is not an option" if bad else None


def choice_wire(values: Sequence, options: Iterable, multi: bool) -> str | None:
    """The same as sent (``string_array_value``: each option as its label)."""
    labels = {str(o) for o in options}
    if not multi and len(values) > 1:
        return f"{len(values)} choices, not 1"
    if len(set(values)) != len(values):
        return "an option twice"
    bad = [x for x in values if x not in labels]
    return f"{short(bad[0])} is not an option" if bad else None


def json_wire(text: str) -> str | None:
    """A component's value as sent (``json_value``): a JSON object (what is in it is the
    component's reader's business, :mod:`lenet5.core.validate` for the canvas)."""
    try:
        v = json.loads(text)
    except ValueError:  # JSONDecodeError, and a NaN Python's json reads but should not
        return "not JSON"
    return None if isinstance(v, dict) else f"JSON {type(v).__name__}, not an object"


def canvas_wire(text: str, max_strokes: int) -> str | None:
    """The canvas' value as sent: refused unread when it holds more strokes than the page
    reads (counted as its objects' ``"type"`` keys: a scan of the text, not a parse, so that
    a client flooding the server with big states costs it little), else :func:`json_wire`."""
    if text.count('"type"') > max_strokes + 1:  # + 1: room for one key of another kind
        return f"more than {max_strokes} strokes"
    return json_wire(text)


def short(v) -> str:
    text = repr(v)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


