"""Running a page of the app in Streamlit's AppTest, as the tests of lenet5/ui do."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from lenet5.ui import state

TIMEOUT = 60


def run(page: str, **session) -> AppTest:
    """The page ``page`` (a module of lenet5.ui) behind the app's error boundary, with
    ``session`` in its session state."""
    at = AppTest.from_function(_page, args=(page,), default_timeout=TIMEOUT)
    for key, value in session.items():
        at.session_state[key] = value
    return at.run()


def _page(name: str) -> None:
    import importlib

    from lenet5.ui.guard import guarded

    guarded(importlib.import_module(f"lenet5.ui.{name}_page").page)()


def no_error(at: AppTest) -> None:
    assert not at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]


def back_on_draw(drawn) -> dict:
    """The session state of someone who drew and went to another page."""
    analysis, json_data = drawn
    return {state._PAGE: "inside", state._DRAWING: json_data, state._ANALYSIS: analysis}
