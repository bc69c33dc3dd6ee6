"""The pages' error boundary: an unexpected exception becomes a short message, never a
traceback in the page; and what one session may cost the others: tracebacks logged at most a
few a minute, runs after refused input at most a few a second."""

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
REFUSALS_PER_MINUTE = 30  # log lines about refused input, per session
REFUSED_GAP_S = 0.25  # a session whose input keeps being refused runs at most 4 times a second
_lock = threading.Lock()
_refused_at: dict[str, float] = {}  # session -> when its last run after a refusal went on
_generation: dict[str, int] = {}  # session -> runs after a refusal so far (the newest waits)


def session_id() -> str:
    """The running session's id ("-" outside a script run)."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "-"


class PerMinute:
    """At most ``n`` events per session in any minute (a log anyone can fill is a disk, and
    an operator's attention, anyone can fill)."""

    def __init__(self, n: int):
        self.n = n
        self._times: dict[str, deque] = defaultdict(deque)  # session -> times allowed
        self._said: set[str] = set()  # sessions told they are over, this minute

    def allow(self, sid: str, now: float | None = None) -> bool | None:
        """True: allowed now; None: the first event over the budget (say so, once); False."""
        now = time.monotonic() if now is None else now
        with _lock:
            times = self._times[sid]
            while times and now - times[0] >= 60:
                times.popleft()
            if len(times) < self.n:
                times.append(now)
                self._said.discard(sid)
                return True
            if sid in self._said:
                return False
            self._said.add(sid)
            return None


TRACEBACKS = PerMinute(TRACEBACKS_PER_MINUTE)
REFUSALS = PerMinute(REFUSALS_PER_MINUTE)


def should_log_traceback(sid: str, now: float | None = None) -> bool:
    """Whether a traceback may be logged for session ``sid`` now: at most
    :data:`TRACEBACKS_PER_MINUTE` in any minute (else one line without it)."""
    return TRACEBACKS.allow(sid, now) is True


def log_refusal(what: str, sid: str) -> None:
    """One log line about a refused input of session ``sid``: at most
    :data:`REFUSALS_PER_MINUTE` a minute, then one saying the rest are not logged."""
    allowed = REFUSALS.allow(sid)
    if allowed:
        log.warning("refused %s in session %s", what, sid)
    elif allowed is None:
        log.warning("session %s: more than %d refused inputs this minute; the rest are not "
                    "logged", sid, REFUSALS_PER_MINUTE)


def pause_after_refusal(sid: str) -> float:
    """Called at the top of a run that refused some of its input: wait (in this session's
    script thread only) until :data:`REFUSED_GAP_S` after the last such run of session
    ``sid`` went on, or until a newer run of the session comes (this one is then stopped by
    Streamlit at its first element); return the seconds waited.

    Why: Streamlit starts a run for every message (``runner.fastReruns``: a new message stops
    the run going and starts another). A client flooding the server with refused states
    would cost it a whole run per message, time taken from every other session; paused,
    only the last message of a burst is run through. A person is refused now and then, and
    never waits."""
    start = time.monotonic()
    with _lock:
        ready = _refused_at.get(sid, start - REFUSED_GAP_S) + REFUSED_GAP_S
        mine = _generation[sid] = _generation.get(sid, 0) + 1
        if len(_generation) > 10_000:  # sessions long gone
            _generation.clear()
            _refused_at.clear()
    while time.monotonic() < ready and _generation.get(sid) == mine:
        time.sleep(0.01)
    with _lock:
        if _generation.get(sid) == mine:
            _refused_at[sid] = time.monotonic()
    return time.monotonic() - start


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
