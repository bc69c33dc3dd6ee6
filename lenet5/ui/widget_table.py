"""The app's widgets: every widget key and the :class:`~lenet5.ui.widget_values.Spec` its
values are checked against (:mod:`lenet5.ui.widget_check`). A new widget gets a key in
:mod:`lenet5.ui.state` and a line here."""

from __future__ import annotations

import functools
import re

from lenet5.core.validate import MAX_STROKES
from lenet5.ui import state
from lenet5.ui.widget_values import Spec, canvas, choice, flag, slider, toggle

DIGITS = list(range(10))
# The Teach page's per-prompt widgets (lenet5.ui.state.teach_label, teach_canvas): one key a
# prompt, so the table holds those the session has
TEACH_LABEL = re.compile(r"teach_label_\d{1,6}")
TEACH_CANVAS = re.compile(r"teach_canvas_\d{1,6}")


def _network_layers() -> dict[str, tuple[int, int, int]]:
    """Every layer the Inside page's unit slider offers, for either net: its largest
    ``(rows, cols, maps)`` (the two nets share the widgets' keys)."""
    from lenet5.core import receptive
    from lenet5.core.artifacts import CLASSIC
    from lenet5.ui.resources import load_json

    sizes: dict[str, tuple[int, int, int]] = {}
    for folder in ("", CLASSIC):
        architecture = load_json("architecture.json", folder) or []
        rows = {r["layer"]: r["output"] for r in architecture}
        for name in receptive.layers(architecture) if architecture else []:
            h, w, c = rows[name]
            old = sizes.get(name, (0, 0, 0))
            sizes[name] = (max(old[0], h), max(old[1], w), max(old[2], c))
    return sizes


def _epochs() -> int:
    """The last epoch the Training page's slider offers (0 without a history)."""
    from lenet5.ui.resources import load_json

    return len((load_json("history.json") or {}).get("loss", []))


def _samples() -> int:
    from lenet5.ui.resources import mnist_sample

    sample = mnist_sample()
    return 1 if sample is None else len(sample[0])


def table() -> dict[str, Spec]:
    """Every widget key of the app (this session's, for the per-prompt ones) and its
    :class:`Spec`."""
    specs = dict(_fixed())
    for key in state.keys_like(TEACH_LABEL) | {state.teach_label(0)}:
        specs[key] = choice("The 'this is a' digit", DIGITS)
    for key in state.keys_like(TEACH_CANVAS) | {state.teach_canvas(0)}:
        specs[key] = canvas("The canvas", MAX_STROKES)
    return specs


@functools.cache
def _fixed() -> dict[str, Spec]:
    """The widgets every session has, from the constants the pages use (imported here, not at
    module level: the pages may import this module one day)."""
    from lenet5.core.forward import SWITCHABLE
    from lenet5.core.grouping import WIDE
    from lenet5.ui import draw_page, inside_experiments, inside_page, number_page

    layers = _network_layers()
    specs = {
        state.BRUSH: slider("The brush slider", *draw_page.BRUSHES),
        state.CANVAS: canvas("The canvas", MAX_STROKES),
        state.UPLOAD: Spec("The photo uploader", "file_uploader_state_value"),
        state.PREFIXES: flag("The stroke-by-stroke expander"),
        state.SWEEPS: flag("The sweeps expander"),
        state.NUMBER_NARROW: toggle("The narrow-canvas switch", told=True),
        state.INSIDE_NET: choice("The network switch", [inside_page.MODERN, inside_page.OLD]),
        state.INSIDE_SAMPLE: slider("The MNIST digit slider", 0, _samples() - 1),
        state.UNIT: flag("The unit expander"),
        state.UNIT_LAYER: choice("The layer switch", list(layers),
                                  shown=inside_experiments.LAYER_SHOWN),
        state.SWITCH: flag("The switch-maps-off expander"),
        state.FOOL: flag("The Fool it expander"),
        state.FOOL_TARGET: choice("The Fool it target", DIGITS),
        state.LEARN: flag("The Watch it learn expander"),
        state.LEARN_EPOCH: slider("The epoch slider", 0, _epochs()),
        state.BOTH_READINGS: toggle("The both-readings switch"),
        state.TEACH_HELPED: flag("The before/after expander"),
        state.TEACH_UPLOAD: Spec("The digits uploader", "file_uploader_state_value"),
        state.TEACH_ADD: Spec("The teach button", "trigger_value"),
        state.TEACH_SKIP: Spec("The skip button", "trigger_value"),
        state.TEACH_FORGET: Spec("The forget button", "trigger_value"),
        state.TEACH_DOWNLOAD: Spec("The download button", "trigger_value"),
    }
    for width in (WIDE[0], number_page.PHONE[0]):
        specs[state.number_brush(width)] = slider("The brush slider", *number_page.BRUSHES)
        specs[state.number_canvas(width)] = canvas("The canvas", MAX_STROKES)
    for layer, (h, w, c) in layers.items():
        specs[state.unit(layer, "map")] = slider("The map slider", 1, c)
        for m in range(1, c + 1):
            specs[state.unit(layer, f"row{m}")] = slider("The row slider", 0, h - 1)
            specs[state.unit(layer, f"col{m}")] = slider("The column slider", 0, w - 1)
    for layer in SWITCHABLE:
        maps = layers.get(layer, (0, 0, 0))[2]
        specs[state.off(layer)] = choice(f"The {layer.upper()} maps' switches",
                                          list(range(1, maps + 1)), multi=True)
    return specs
