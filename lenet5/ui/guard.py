"""The pages' error boundary: an unexpected exception becomes a short message, never a
traceback in the page."""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

log = logging.getLogger("lenet5")
if not log.handlers:  # Streamlit configures only its own loggers: ours go to stderr, timed
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)
MESSAGE = "Something went wrong reading that; try again."
TRACEBACKS_PER_MINUTE = 3
_lock = threading.Lock()
_tracebacks: dict[str, deque] = defaultdict(deque)  # session -> times of logged tracebacks


def session_id() -> str:
    """The running session's id ("-" outside a script run)."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "-"


def should_log_traceback(sid: str, now: float | None = None) -> bool:
    """Whether a traceback may be logged for session ``sid`` now: at most
    :data:`TRACEBACKS_PER_MINUTE` in any minute (else one line without it: a log anyone can
    fill is a disk anyone can fill)."""
    now = time.monotonic() if now is None else now
    with _lock:
        times = _tracebacks[sid]
        while times and now - times[0] >= 60:
            times.popleft()
        if len(times) >= TRACEBACKS_PER_MINUTE:
            return False
        times.append(now)
        return True


def guarded(page: Callable[[], None]) -> Callable[[], None]:
    """``page`` behind one error boundary: an unexpected exception becomes a short message in
    the page and a log line with its traceback on the server, never a traceback in the page.
    Streamlit's own control flow (``st.stop``, ``st.rerun``, page switches) passes through."""

    @functools.wraps(page)
    def run() -> None:
        try:
            page()
        except ScriptControlException:
            raise
        except Exception as exc:
            sid = session_id()
            if should_log_traceback(sid):
                log.exception("page %s failed in session %s", page.__module__, sid)
            else:  # more than a few this minute: one line, no traceback (a log anyone can fill)
                log.warning("page %s failed in session %s: %s", page.__module__, sid,
                            type(exc).__name__)
            st.error(MESSAGE, icon=":material/error:")

    return run
