"""A browser that rewrites what it sends: the page's websocket, routed through Playwright
(``route_web_socket``), learns the widgets' ids from what the server sends, keeps the last
``rerun_script`` the page sent, and sends copies of it with one widget's value replaced.

Used by :mod:`lenet5.eval.widget_tamper` and :mod:`lenet5.eval.flood`.
"""

from __future__ import annotations

import contextlib
import math
import re
import time
from collections.abc import Callable

from lenet5.eval import browser as B

WIDGET_ID = re.compile(rb"\$\$ID-[0-9a-f]{16,64}-([A-Za-z0-9_]+)")
ERROR_TEXT = "This app has encountered an error"
# A widget id no page makes: what a widget of another app, or a made-up one, looks like
UNKNOWN_ID = "$$ID-00000000000000000000000000000000-no_such_widget"
NAN = math.nan


def _doubles(values):
    return lambda w: w.double_array_value.data.extend(values)


def _strings(values):
    return lambda w: w.string_array_value.data.extend(values)


def _set(field, v):
    return lambda w: setattr(w, field, v)


# name -> what it does to a WidgetState whose value was just cleared
VALUES: dict[str, Callable] = {
    "string": _set("string_value", "abc"),
    "numeric string": _set("string_value", "7"),
    "bool": _set("bool_value", True),
    "JSON object": _set("json_value", '{"a": 1}'),
    "malformed JSON": _set("json_value", '{"a'),
    "string array": _strings(["a", "b"]),
    "huge int": _set("int_value", 2**62),
    "NaN double": _set("double_value", NAN),
    "[NaN]": _doubles([NAN]),
    "[-1e9] (out of range)": _doubles([-1e9]),
    "[1e308] (huge)": _doubles([1e308]),
    "two doubles": _doubles([10.0, 20.0]),
    "10,000 doubles": _doubles([10.0] * 10_000),
    "10,000 strings": _strings(["x"] * 10_000),
    "trigger": _set("trigger_value", True),
    "no value": lambda w: None,
}
DUPLICATED = "duplicated (a double, then a string)"
NAMES = [*VALUES, DUPLICATED]  # every tampered value, in the order tried
QUICK = ("string", "bool", "JSON object", "malformed JSON", "string array", "[NaN]",
         "10,000 doubles", DUPLICATED)


class Wire:
    """The page's websocket, routed; ``events`` are ``(perf_counter, kind)`` of the reruns
    asked (by the page or by :meth:`send`) and the scripts finished."""

    def __init__(self, page):
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._back, self._fwd = BackMsg, ForwardMsg
        self.ids: dict[str, str] = {}  # key -> widget id
        self.last: bytes | None = None  # the page's last rerun_script, as sent
        self.events: list[tuple[float, str]] = []
        self.server = None
        page.route_web_socket("**/_stcore/stream", self._route)

    def _route(self, ws) -> None:
        self.server = ws.connect_to_server()
        ws.on_message(self._sent)
        self.server.on_message(lambda m: (self._received(m), ws.send(m)))

    def _sent(self, message) -> None:
        if not isinstance(message, str):
            with contextlib.suppress(Exception):  # not a message we know: pass it on
                if self._back.FromString(message).WhichOneof("type") == "rerun_script":
                    self.last = message
                    self.events.append((time.perf_counter(), "rerun_script"))
        self.server.send(message)

    def _received(self, message) -> None:
        if isinstance(message, str):
            return
        for m in WIDGET_ID.finditer(message):
            self.ids[m[1].decode()] = m[0].decode()
        with contextlib.suppress(Exception):
            if self._fwd.FromString(message).WhichOneof("type") == "script_finished":
                self.events.append((time.perf_counter(), "script_finished"))

    def message(self):
        """The page's last ``rerun_script`` message, parsed (a fresh copy)."""
        return self._back.FromString(self.last)

    def send_message(self, msg) -> float:
        """Send a ``BackMsg`` as if the page had; return when it was sent."""
        t = time.perf_counter()
        self.events.append((t, "rerun_script"))
        self.server.send(msg.SerializeToString())
        return t

    def send(self, wid: str | None, name: str | None) -> float:
        """Send the page's last message again, widget ``wid``'s value replaced by the value
        :data:`NAMES` calls ``name`` (None: untampered); return when it was sent."""
        msg = self.message()
        if name is not None:
            states = msg.rerun_script.widget_states.widgets
            found = [w for w in states if w.id == wid]
            w = found[0] if found else states.add(id=wid)
            if w.WhichOneof("value"):
                w.ClearField(w.WhichOneof("value"))
            if name == DUPLICATED:
                w.double_array_value.data.append(10.0)
                states.add(id=wid).string_value = "abc"
            else:
                VALUES[name](w)
        return self.send_message(msg)

    def settle(self, page, since: float, quiet: float = 0.1, timeout: float = 60.0) -> None:
        """Until a script finished after ``since``, after every rerun asked, and nothing moved
        for ``quiet`` seconds (a run may ask for another: an expander's, the canvas')."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            asked = max((t for t, k in self.events if k == "rerun_script"), default=0.0)
            done = max((t for t, k in self.events if k == "script_finished"), default=0.0)
            if done > max(asked, since) and time.perf_counter() - self.events[-1][0] >= quiet:
                with contextlib.suppress(Exception):
                    page.wait_for_selector(B.IDLE, timeout=10_000)
                return
            page.wait_for_timeout(20)
        raise TimeoutError("no finished rerun")


def error_page(page) -> bool:
    """Whether Streamlit's own error page, or any ``stException``, has shown since the count
    was last zeroed (needs :data:`lenet5.eval.tamper.WATCH` as an init script)."""
    return bool(page.evaluate("window.__exceptions")) or page.get_by_text(ERROR_TEXT).count() > 0
