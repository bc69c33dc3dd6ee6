"""The drawing canvas as the pages read it: the streamlit-drawable-canvas frontend (0.13, pinned),
mounted here, its value checked before anything reads it (:mod:`lenet5.core.validate`).

Why not the package's ``st_canvas``: importing it registers the component with the package's
own HTML, and the pages need one static rule added to that HTML (below); registering the same
name a second time makes Streamlit warn that it is "already registered. Overwriting" on every
server start. So the component is registered here, once, under the package's name (its
frontend assets are found through the package's manifest), and mounted with the arguments
the frontend reads. And ``st_canvas`` keeps the canvas' PNG only in a private attribute
(``CanvasResult._image_data_url``) and decodes it with Pillow, whatever its format and size;
here the raw value is read as sent and checked.
"""

from __future__ import annotations

import base64
import functools
import io
from dataclasses import dataclass

import numpy as np
import streamlit as st
from PIL import Image

from lenet5.core.strokes import render
from lenet5.core.validate import RESET, CanvasSpec, InputError, canvas_png, drawing
from lenet5.ui.guard import log_refusal, pause_after_refusal, session_id

NAME = "streamlit-drawable-canvas.streamlit_drawable_canvas"
# The canvas' toolbar (undo, redo, "Reset canvas & history") shows only while a mouse hovers
# over the canvas: on a touch screen, which has no hover, a person never sees it. The package
# styles it inside a shadow root, out of reach of the page's CSS, so this one static rule goes
# into the component's own HTML. It applies only where the main pointer cannot hover.
TOUCH_TOOLBAR = ("<style>@media (hover: none) {.dc-root > .dc-toolbar {opacity: 1; top: -2.65rem}}"
                 "</style>")  # as specific as its hover rule: the package CSS loads later


@functools.cache
def _component():
    """The component, registered on first use (in a script run: Streamlit finds the package's
    assets through the runtime's registry, which does not exist at import in a plain process);
    each mount makes sure a new runtime knows it too."""
    return st.components.v2.component(NAME, js="index-*.js", css="index-*.css",
                                      html=TOUCH_TOOLBAR + '<div class="canvas-root"></div>',
                                      isolate_styles=True)


@dataclass(frozen=True)
class Canvas:
    """What one canvas sent, checked. ``drawing``: its fabric.js ``json_data`` (None before it
    reports); ``image``: ``(H, W, 4) uint8`` RGBA or None; ``error``: '' or why what the
    browser sent was refused (then both are None)."""

    drawing: dict | None
    image: np.ndarray | None
    error: str = ""


def value(json_data: dict | None, png: bytes | None) -> dict:
    """The value the canvas frontend sends for a drawing (its fabric.js ``json_data``) and its
    PNG: what :func:`canvas` reads (tests and benchmarks place drawings with it)."""
    url = None if png is None else "data:image/png;base64," + base64.b64encode(png).decode()
    return {"drawing": {"raw": json_data, "data": url}}


def canvas(spec: CanvasSpec, key: str, stroke_width: int, initial_drawing: dict | None = None
           ) -> Canvas:
    """A free-drawing canvas of ``spec``'s size, white ink on black, under widget ``key``:
    what it sent, checked (never decoded as anything but a PNG of that size)."""
    base = dict(initial_drawing or {"objects": []}, background="#000000")
    raw = _component()(data=_arguments(spec, stroke_width, base), key=key,
                 default={"drawing": {"raw": base, "data": None}, "backgroundFit": None},
                 on_drawing_change=lambda: None, on_backgroundFit_change=lambda: None,
                 width="content", height="content")
    try:
        sent = raw.get("drawing") or {"raw": base, "data": None}
        if not isinstance(sent, dict):
            raise InputError(f"The canvas sent a state this page cannot read. {RESET}")
        return Canvas(drawing(sent.get("raw"), spec), canvas_png(sent.get("data"), spec))
    except InputError as exc:
        return _refused(key, str(exc))
    except (AttributeError, KeyError, TypeError, ValueError):  # a value of another shape
        return _refused(key, f"The canvas sent a state this page cannot read. {RESET}")


def _refused(key: str, why: str) -> Canvas:
    """What the page shows for a canvas value it cannot read; logged like every refused input
    (a few lines a session a minute), and a session sending such values fast waits."""
    sid = session_id()
    log_refusal(f"canvas {key}: {why}", sid)
    pause_after_refusal(sid)
    return Canvas(None, None, why)


def _arguments(spec: CanvasSpec, stroke_width: int, base: dict) -> dict:
    """The frontend's arguments (the names its ``index-*.js`` reads, as ``st_canvas`` 0.13
    sends them) for a free-drawing canvas, white on black."""
    return {
        "fillColor": "#FFFFFF", "strokeWidth": int(stroke_width), "strokeColor": "#FFFFFF",
        "backgroundColor": "#000000", "backgroundImageURL": None,
        "realtimeUpdateStreamlit": True, "canvasWidth": spec.size[0],
        "canvasHeight": spec.size[1], "drawingMode": "freedraw", "initialDrawing": base,
        "displayRadius": 3, "returnImageData": True, "disabled": False,
        "backgroundImageFit": "stretch", "maxDisplayHeight": None, "fontSize": 20, "label": "",
    }


def stroke_object(points, width: float) -> dict:
    """A free-drawn stroke as the canvas reports it in ``json_data``: a fabric.js path through
    ``points`` (``(n, 2)`` canvas px) of brush ``width``, its numbers plain floats as JSON
    gives them."""
    pts = [[float(v) for v in p] for p in points]
    return {"type": "Path", "strokeWidth": float(width),
            "path": [["M", *pts[0]]] + [["L", *p] for p in pts[1:]]}


def drawn(strokes, widths, size: tuple[int, int]) -> dict:
    """The value the canvas sends once ``strokes`` (``(n, 2)`` canvas px each, brush
    ``widths``) are drawn on a canvas of ``size`` = (width, height): their paths and the canvas'
    PNG, painted as the browser paints them (:func:`lenet5.core.strokes.render`)."""
    image = render([np.asarray(s, np.float64) for s in strokes], (size[1], size[0]), list(widths))
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    objects = [stroke_object(s, w) for s, w in zip(strokes, widths, strict=True)]
    return value({"objects": objects}, buffer.getvalue())
