"""The four experiments of "Poke the network" in AppTest: nothing is computed while their
expanders are closed; opened, each shows its charts and words."""

from __future__ import annotations

import numpy as np
from support.pages import SEVEN, draw, no_error, run, visit

from lenet5.ui import state


def seven(**widgets):
    """The Draw page with a 7 drawn in two strokes, stem first, and ``widgets`` set."""
    return draw(run("draw", **widgets), SEVEN)


def inside(**widgets):
    """The Inside page after drawing the 7, with ``widgets`` set."""
    at = seven()
    for key, value in widgets.items():
        at.session_state[key] = value
    return visit(at, "inside")


def seven_reading():
    """The modern net's reading of the 7, computed apart from the page."""
    from lenet5.core.reader import Reader
    from lenet5.core.strokes import BRUSH, CANVAS, render

    return Reader.load().read(render(SEVEN, CANVAS, BRUSH)).modern


def charts(at) -> list[str]:
    return [c.proto.spec for c in at.get("plotly_chart")]


def test_closed_experiments_compute_nothing(monkeypatch):
    def fail(*_args, **_kwargs):
        raise AssertionError("computed while closed")

    monkeypatch.setattr("lenet5.ui.draw_experiments.read_prefixes", fail)
    monkeypatch.setattr("lenet5.ui.draw_experiments.sweeps", fail)
    at = seven()
    no_error(at)
    labels = [e.label for e in at.expander]
    assert "How it changed its mind, stroke by stroke" in labels
    assert "Move it, turn it, thicken it" in labels


def test_stroke_by_stroke():
    at = seven(**{state.PREFIXES: True})
    no_error(at)
    captions = [i.proto.imgs[0].caption for i in at.get("image") if i.proto.imgs]
    assert any(c.startswith("1: 1 (") and " · 2: 7 (" in c for c in captions), captions
    assert any("after stroke" in spec for spec in charts(at))


def test_sweeps():
    at = seven(**{state.SWEEPS: True})
    no_error(at)
    specs = charts(at)
    titles = ["Rotation", "Slant", "Stroke thickness", "Shift (undone by the preprocessing)",
              "Scale (undone by the preprocessing)"]
    assert all(any(t in s for s in specs) for t in titles)
    assert any("Moving and resizing change nothing" in c.value for c in at.caption)


def test_unit_and_switch_on_the_inside_page():
    at = inside(**{state.UNIT: True, state.SWITCH: True, state.UNIT_LAYER: "c3",
                   state.off("c1"): [1, 2, 3, 4, 5, 6]})
    no_error(at)
    captions = " ".join(c.value for c in at.caption)
    images = " ".join(i.proto.imgs[0].caption for i in at.get("image") if i.proto.imgs)
    c3 = seven_reading().maps["c3"][..., 0]  # first shown: map 1's most active unit
    row, col = np.unravel_index(c3.argmax(), c3.shape)
    assert f"the 14×14 input pixels C3 unit ({row}, {col}) sees" in images
    assert "Switching it off" in captions
    metrics = {m.label: m.value for m in at.metric}
    assert "Its activation" in metrics and "It reads now" in metrics


def test_switching_every_c1_map_off_reads_the_same_for_any_drawing():
    """With all of C1 off, nothing of the drawing reaches the rest: every drawing reads alike."""
    off = {state.SWITCH: True, state.off("c1"): list(range(1, 7))}
    a = inside(**off)
    b = run("inside", **off)  # an MNIST test digit instead
    no_error(a), no_error(b)
    reads = [{m.label: m for m in x.metric}["It reads now"] for x in (a, b)]
    assert reads[0].value == reads[1].value
    assert reads[0].delta.split(",")[0] == reads[1].delta.split(",")[0]  # the same probability


def test_the_1998_net_has_its_own_fields_and_maps_to_switch_off():
    at = inside(**{state.INSIDE_NET: "The 1998 LeNet-5", state.UNIT: True, state.SWITCH: True,
                   state.UNIT_LAYER: "c5", state.off("c3"): [1, 2]})
    no_error(at)
    images = " ".join(i.proto.imgs[0].caption for i in at.get("image") if i.proto.imgs)
    assert "the 32×32 input pixels C5 unit (0, 0) sees" in images  # padded to 32x32 first
    assert "padding around the drawing" in images
    assert "It reads now" in {m.label for m in at.metric}
