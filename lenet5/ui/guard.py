"""The pages' error boundary and the canvas as the pages read it: checked, never trusted."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException
from streamlit_drawable_canvas import st_canvas

from lenet5.core.validate import RESET, CanvasSpec, InputError, canvas_png, drawing

log = logging.getLogger("lenet5")
if not log.handlers:  # Streamlit configures only its own loggers: ours go to stderr, timed
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)
MESSAGE = "Something went wrong reading that; try again."

# The canvas' toolbar (undo, redo, "Reset canvas & history") shows only while a mouse hovers
# over the canvas: on a touch screen, which has no hover, a person never sees it. The package
# styles it inside a shadow root, out of reach of the page's CSS, so this one static rule goes
# into the component's own HTML (package 0.13, pinned: same name, assets and markup as its own
# registration). It applies only where the main pointer cannot hover; desktops are unchanged.
CANVAS_COMPONENT = "streamlit-drawable-canvas.streamlit_drawable_canvas"
TOUCH_TOOLBAR = ("<style>@media (hover: none) {.dc-root > .dc-toolbar {opacity: 1; top: -2.65rem}}"
                 "</style>")  # as specific as its hover rule: the package CSS loads later
st.components.v2.component(CANVAS_COMPONENT, js="index-*.js", css="index-*.css",
                           html=TOUCH_TOOLBAR + '<div class="canvas-root"></div>',
                           isolate_styles=True)


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
        except Exception:
            log.exception("page %s failed", page.__module__)
            st.error(MESSAGE, icon=":material/error:")

    return run


@dataclass(frozen=True)
class Canvas:
    """What one canvas sent, checked (:mod:`lenet5.core.validate`). ``drawing``: its ``json_data``
    (None before it reports); ``image``: ``(H, W, 4) uint8`` RGBA or None; ``error``: '' or
    why what the browser sent was refused (then both are None)."""

    drawing: dict | None
    image: np.ndarray | None
    error: str = ""


def canvas(spec: CanvasSpec, key: str, **kwargs) -> Canvas:
    """``st_canvas`` of ``spec``'s size; its state read raw and checked, never decoded by the
    canvas package (which would open any image format of any size)."""
    try:
        result = st_canvas(width=spec.size[0], height=spec.size[1], return_image_data=True,
                           key=key, **kwargs)
        # CanvasResult (0.13, pinned) keeps the data URL exactly as the browser sent it
        return Canvas(drawing(result.json_data, spec),
                      canvas_png(getattr(result, "_image_data_url", None), spec))
    except InputError as exc:
        return _refused(key, str(exc))
    except (AttributeError, KeyError, TypeError, ValueError):
        # st_canvas reads its state as {"drawing": {"raw": ..., "data": ...}, "backgroundFit":
        # ...} after the canvas is on the page; a state of another shape fails in there
        log.warning("canvas %s: malformed state", key, exc_info=True)
        return _refused(key, f"The canvas sent a state this page cannot read. {RESET}")


def _refused(key: str, why: str) -> Canvas:
    log.warning("canvas %s refused: %s", key, why)
    return Canvas(None, None, why)
