"""Running the app's pages in Streamlit's AppTest, as a user does: drawing on a page's canvas
(its widget given the value the browser sends for real strokes), moving between pages in one
session, and setting widgets by their public keys (lenet5.ui.state)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from streamlit.testing.v1 import AppTest

from lenet5.core.strokes import BRUSH, CANVAS
from lenet5.ui import canvas, state

TIMEOUT = 60


def run(page: str, **widgets) -> AppTest:
    """The page ``page`` ("draw", "number", ...: lenet5.ui.<page>_page) behind the app's error
    boundary, with ``widgets`` (public widget keys of lenet5.ui.state) set first."""
    at = AppTest.from_function(_page, args=(page,), default_timeout=TIMEOUT)
    for key, value in widgets.items():
        at.session_state[key] = value
    return at.run()


def _page(name: str) -> None:
    import importlib

    from lenet5.ui.guard import guarded

    guarded(importlib.import_module(f"lenet5.ui.{name}_page").page)()


def draw(at: AppTest, strokes: Sequence[np.ndarray], width: float = BRUSH,
         key: str = state.CANVAS, size: tuple[int, int] = (CANVAS, CANVAS)) -> AppTest:
    """Draw ``strokes`` (canvas px) on the canvas ``key`` of the page ``at`` shows, and run:
    the page receives what the browser would send."""
    at.session_state[key] = canvas.drawn(strokes, [width] * len(strokes), size)
    return at.run()


def visit(at: AppTest, page: str) -> AppTest:
    """Go to another page in the same session, and run it."""
    at.args = (page,)
    return at.run()


def no_error(at: AppTest) -> None:
    assert not at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]


SEVEN = [np.array([[210.0, 60], [130, 230]]), np.array([[70.0, 60], [210, 60]])]  # stem first


def pen_digit(label: int, height: float = 160, left: float = 60, top: float = 60,
              nth: int = 0) -> list[np.ndarray]:
    """The ``nth`` shipped pen-drawn ``label`` (tests/support/data: by writers the committed
    nets never saw), scaled to ``height`` px at (``left``, ``top``) on a canvas."""
    from lenet5.core.strokes import fit_strokes
    from lenet5.train.data import read_jsonl
    from support import PEN_SAMPLE

    sample = [s for s in read_jsonl(PEN_SAMPLE) if s["label"] == label][nth]
    return fit_strokes(sample["strokes"], height, left, top)
