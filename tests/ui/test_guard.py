"""The pages' error boundary (lenet5.ui.guard) and the server settings that hide tracebacks."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def failing_page():
    import streamlit as st

    from lenet5.ui.guard import guarded

    def page():
        st.title("before the failure")
        raise IndexError("tuple index out of range")

    guarded(page)()


def stopping_page():
    import streamlit as st

    from lenet5.ui.guard import guarded

    def page():
        st.write("shown")
        st.stop()
        st.write("never shown")

    guarded(page)()


def test_an_unexpected_exception_becomes_a_short_message(caplog):
    at = AppTest.from_function(failing_page).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Something went wrong reading that; try again."]
    assert at.title[0].value == "before the failure"
    assert "IndexError: tuple index out of range" in caplog.text  # the traceback, logged


def test_streamlit_control_flow_passes_through():
    at = AppTest.from_function(stopping_page).run()
    assert not at.exception and not at.error
    assert [m.value for m in at.markdown] == ["shown"]


def test_the_server_hides_error_details_and_caps_messages():
    text = (ROOT / ".streamlit" / "config.toml").read_text()  # tomllib needs Python 3.11

    def value(name: str) -> str:
        return re.search(rf"^{name}\s*=\s*(\S+)", text, re.M)[1]

    assert value("showErrorDetails") == '"none"'
    assert int(value("maxMessageSize")) <= 2  # MB; the default is 200
    assert value("enableStaticServing") == value("enableWebsocketCompression") == "false"
