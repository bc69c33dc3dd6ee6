"""The pages' error boundary: an unexpected exception becomes a short message, never a
traceback in the page."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from lenet5.ui.widget_check import session_id, should_log_traceback

log = logging.getLogger("lenet5")
if not log.handlers:  # Streamlit configures only its own loggers: ours go to stderr, timed
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)
MESSAGE = "Something went wrong reading that; try again."


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
