"""Every session-state key of the app: what a session keeps between reruns and pages.

The pages never index ``st.session_state`` themselves: they call these functions, and give
their widgets the keys named here, so that one file says what a session holds.
"""

from __future__ import annotations

import json
import os
import pickle

import streamlit as st

from lenet5.core.reader import Report

# Widgets' keys (Streamlit keeps their values in the session state under them)
CANVAS = "canvas"  # the Draw page's canvas
BRUSH = "brush"  # its brush slider
UPLOAD = "upload"  # its photo uploader
NUMBER_NARROW = "number_narrow"  # the Number page's "narrow canvas" toggle
INSIDE_NET = "inside_net"  # the Inside page's network switch
INSIDE_SAMPLE = "inside_sample"  # its MNIST test digit slider
PREFIXES = "open_prefixes"  # the Draw page's stroke-by-stroke expander: computed only when open
SWEEPS = "open_sweeps"  # its sweeps expander, likewise
FOOL = "open_fool"  # its Fool it expander, likewise
FOOL_TARGET = "fool_target"  # Fool it's target pills: one of 0-9, or none (the runner-up)
LEARN = "open_learn"  # the Training page's Watch it learn expander: computed only when open
LEARN_EPOCH = "learn_epoch"  # its epoch slider: 0 (before training) .. the last epoch
UNIT = "open_unit"  # the Inside page's "what this unit sees" expander
UNIT_LAYER = "unit_layer"  # its layer switch
SWITCH = "open_switch"  # the Inside page's "switch maps off" expander
BOTH_READINGS = "both_readings"  # the Draw page's toggle: the net's reading beside the taught one
TEACH_UPLOAD = "teach_upload"  # the Teach page's uploader of a file of one's digits
TEACH_ADD, TEACH_SKIP = "teach_add", "teach_skip"  # its buttons: teach this digit; skip it
TEACH_FORGET = "teach_forget"  # forget every taught digit
TEACH_DOWNLOAD = "teach_download"  # download them
TEACH_HELPED = "open_teach_helped"  # its before/after expander: computed only when open

# What the pages keep
_PAGE = "last_page"  # the page that ran last
_DRAWING, _RESTORE = "drawing", "restore"  # the Draw page's drawing; what its canvas restores
_REPORT, _REPORT_KEY, _NOTE = "report", "report_key", "upload_note"  # the last reading
_PHOTO = "photo"  # "file": a photo is read; "kept": the last one is still shown without it
_NUMBER, _NUMBER_RESTORE = "number_drawing", "number_restore"  # the Number page's strokes
_DIGITS, _DIGITS_KEY = "number_digits", "number_key"  # their last reading
_TAUGHT = "taught"  # the Teach page's digits: a tuple of lenet5.core.taught.Digit
_LAYER = "taught_layer"  # the output layer fitted to them (None: not fitted yet)
_LEFT_OUT = "taught_left_out"  # their leave-one-out reading (None: not computed yet)
_STEP, _ASKED = "teach_step", "teach_asked"  # the Teach page's prompts done; the digit asked
_TAUGHT_NUMBER = "taught_number"  # (number, layer, the number read by that layer): Number page
_TEACH_READ = "teach_read"  # (digest, report) of the Teach canvas' last drawing
_UPLOADED = "teach_uploaded"  # the id of the last file of digits read


def number_canvas(width: int) -> str:
    """The Number page's canvas key: one per width, so that switching starts a new canvas."""
    return f"number_canvas_{width}"


def number_brush(width: int) -> str:
    """The key of the brush slider of the Number page's canvas of this width."""
    return f"number_brush_{width}"


def unit(layer: str, what: str) -> str:
    """The key of the Inside page's ``what`` slider ("map", "row", "col") for ``layer``: one
    per layer, since the layers differ in size."""
    return f"unit_{what}_{layer}"


def off(layer: str) -> str:
    """The key of the Inside page's choice of ``layer``'s maps to switch off."""
    return f"off_{layer}"


def value(key: str, default=None):
    """A widget's current value (``default`` before it is first shown)."""
    return st.session_state.get(key, default)


def arrive(page: str) -> bool:
    """Record that ``page`` runs now; True if the session was on another page before (or is
    new): the page then restores what it showed last time."""
    returning = st.session_state.get(_PAGE) != page
    st.session_state[_PAGE] = page
    return returning


def _to_restore(kept: str, restore: str, returning: bool) -> dict | None:
    """What a page's canvas restores (``restore``): the drawing kept under ``kept``, taken
    when the session comes back to the page, and kept until it leaves again."""
    if returning:
        st.session_state[restore] = st.session_state.get(kept)
    return st.session_state.get(restore)


def drawing_to_restore(returning: bool) -> dict | None:
    """The canvas drawing the Draw page restores."""
    return _to_restore(_DRAWING, _RESTORE, returning)


def drawing() -> dict | None:
    """The Draw page's drawing as the canvas last sent it (its ``json_data``)."""
    return st.session_state.get(_DRAWING)


def keep_drawing(json_data: dict | None) -> None:
    """Keep the Draw page's drawing; None: the canvas was cleared, forget its reading too."""
    st.session_state[_DRAWING] = json_data
    if json_data is None:
        st.session_state[_REPORT] = None


def report() -> Report | None:
    """The last report of this session (a drawing's or a photo's), readable or not."""
    return st.session_state.get(_REPORT)


def cached(key: str) -> tuple[bool, Report | None]:
    """``(hit, report)``: whether the last report was of ``key`` (a drawing's digest, a
    photo's id), and that report."""
    return st.session_state.get(_REPORT_KEY) == key, st.session_state.get(_REPORT)


def refusal() -> str:
    """Why the last upload could not be read ('' if it could)."""
    return st.session_state.get(_NOTE, "")


def remember(key: str, result: Report | None, why: str = "") -> None:
    """Keep ``result`` as the report of ``key`` (``why``: the reason there is none)."""
    st.session_state.update({_REPORT: result, _REPORT_KEY: key, _NOTE: why})


def photo() -> str | None:
    """What the Draw page does with photos: "file", "kept" or None."""
    return st.session_state.get(_PHOTO)


def set_photo(how: str | None) -> None:
    st.session_state[_PHOTO] = how


def number_to_restore(returning: bool) -> dict | None:
    """The strokes the Number page's canvas restores."""
    return _to_restore(_NUMBER, _NUMBER_RESTORE, returning)


def number() -> dict | None:
    """The Number page's strokes as its canvas last sent them (``json_data``)."""
    return st.session_state.get(_NUMBER)


def keep_number(json_data: dict | None) -> None:
    st.session_state[_NUMBER] = json_data


def forget_number() -> None:
    """A new, empty Number canvas: nothing to keep or restore."""
    st.session_state.update({_NUMBER: None, _NUMBER_RESTORE: None})


def cached_digits(key: str) -> list | None:
    """The Number page's last digits if they were read from strokes with this ``key``."""
    if st.session_state.get(_DIGITS_KEY) == key:
        return st.session_state.get(_DIGITS)
    return None


def remember_digits(key: str, digits: list) -> None:
    st.session_state.update({_DIGITS: digits, _DIGITS_KEY: key})


def taught_digits(number, layer):
    """The Number page's ``number`` as the taught ``layer`` reads it, if that is what was kept
    last (the same objects), else None."""
    kept = st.session_state.get(_TAUGHT_NUMBER)
    return kept[2] if kept and kept[0] is number and kept[1] is layer else None


def keep_taught_digits(number, layer, taught_number) -> None:
    st.session_state[_TAUGHT_NUMBER] = (number, layer, taught_number)


def teach_canvas(step: int) -> str:
    """The Teach page's canvas key: one per prompt, so that each prompt starts empty."""
    return f"teach_canvas_{step}"


def teach_label(step: int) -> str:
    """The key of the Teach page's "this is a" choice: one per prompt (its default: the digit
    asked)."""
    return f"teach_label_{step}"


def taught() -> tuple:
    """This session's taught digits (``lenet5.core.taught.Digit``), oldest first."""
    return st.session_state.get(_TAUGHT, ())


def set_taught(digits: tuple) -> None:
    """Replace the taught digits; what was fitted to the old ones is forgotten."""
    st.session_state.update({_TAUGHT: tuple(digits), _LAYER: None, _LEFT_OUT: None})


def taught_layer():
    """The output layer fitted to the taught digits (None until fitted)."""
    return st.session_state.get(_LAYER)


def keep_taught_layer(layer) -> None:
    st.session_state[_LAYER] = layer


def left_out():
    """The taught digits' leave-one-out reading (None until computed)."""
    return st.session_state.get(_LEFT_OUT)


def keep_left_out(result) -> None:
    st.session_state[_LEFT_OUT] = result


def teach_step() -> int:
    """How many prompts of the Teach page are done (taught or skipped)."""
    return int(st.session_state.get(_STEP, 0))


def asked() -> int:
    """The digit the Teach page asks for now."""
    return int(st.session_state.get(_ASKED, 0))


def next_prompt(digit: int) -> None:
    """One prompt more done; ``digit`` is asked next."""
    st.session_state.update({_STEP: teach_step() + 1, _ASKED: int(digit) % 10})


def teach_read(key: str):
    """The Teach canvas' last report if it was of drawing ``key``, else None."""
    kept = st.session_state.get(_TEACH_READ)
    return kept[1] if kept and kept[0] == key else None


def keep_teach_read(key: str, report) -> None:
    st.session_state[_TEACH_READ] = (key, report)


def uploaded() -> str | None:
    """The id of the last file of digits this session read."""
    return st.session_state.get(_UPLOADED)


def set_uploaded(file_id: str | None) -> None:
    st.session_state[_UPLOADED] = file_id


UNREADABLE = object()  # a kept value Streamlit cannot even deserialize


def widget_keys(keys) -> set[str]:
    """Which of ``keys`` the session keeps a value for (all of them if it cannot say)."""
    try:
        return set(st.session_state.keys()) & set(keys)
    except Exception:  # noqa: BLE001 - a key Streamlit cannot list: check every one
        return set(keys)


def keys_like(pattern) -> set[str]:
    """The session's keys that a compiled regular expression matches in full."""
    try:
        return {k for k in st.session_state if isinstance(k, str) and pattern.fullmatch(k)}
    except Exception:  # noqa: BLE001 - a key Streamlit cannot list: none known
        return set()


def stored(key: str) -> tuple[bool, object]:
    """``(present, value)`` of a widget's value kept in the session state; a value that
    cannot be read counts as present, as :data:`UNREADABLE`."""
    try:
        if key not in st.session_state:
            return False, None
        return True, st.session_state[key]
    except Exception:  # noqa: BLE001 - a stored value Streamlit cannot deserialize
        return True, UNREADABLE


def reset(key: str) -> bool:
    """Forget a widget's value, so that it is made anew from its default; False if even
    that failed."""
    try:
        del st.session_state[key]
    except KeyError:
        pass
    except Exception:  # noqa: BLE001 - a value so broken that deleting it raises too
        return False
    return True


def _pickled_size(v) -> int | None:
    try:
        return len(pickle.dumps(v))
    except Exception:  # a widget's value that does not pickle
        return None


def record() -> None:
    """Diagnostics for the soak check: if ``$LENET5_STATE_LOG`` names a file, append this
    session's state after the run as one JSON line: number of keys, pickled bytes of the values
    that pickle, and the keys whose values do not."""
    path = os.environ.get("LENET5_STATE_LOG")
    if not path:
        return
    sizes = {k: _pickled_size(st.session_state[k]) for k in st.session_state}
    line = {"keys": len(sizes), "bytes": sum(v for v in sizes.values() if v is not None),
            "unpicklable": sorted(k for k, v in sizes.items() if v is None)}
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")
