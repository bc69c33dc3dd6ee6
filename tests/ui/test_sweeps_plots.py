"""The sweeps chart draws every digit it marks (issue: the Rotation sweep marked "reads 2" and
"reads 1" but drew only the 7 and the 4), in one colour per digit across panels, and labels each
flip beside its line, never on it."""

from __future__ import annotations

import numpy as np
from support.pages import SEVEN

from lenet5.core.sweeps import Sweep, identity
from lenet5.ui.experiment_plots import TOP, Panel, sweeps_chart


def probs(reads: list[int], second: int = 4) -> np.ndarray:
    """``(n, 10)`` probabilities that read ``reads`` (0.7 each) with ``second`` at 0.2."""
    p = np.full((len(reads), 10), 0.1 / 8, np.float32)
    p[:, second] = 0.2
    p[np.arange(len(reads)), reads] = 0.7
    return p


def panel(name: str, values: np.ndarray, reads: list[int]) -> Panel:
    """A panel as the Draw page builds it: its flips where the sweep stops reading 7."""
    sweep = Sweep(name, values, probs(reads))
    return Panel(name, "unit", values, sweep.probs, identity(name), sweep.flips(7))


ROTATION = panel("rotation", np.arange(-60.0, 61.0, 20.0), [2, 7, 7, 7, 1, 1, 7])
SLANT = panel("slant", np.linspace(-0.6, 0.6, 5), [7, 7, 7, 7, 2])
FLAT = panel("shift", np.linspace(-1.0, 1.0, 5), [7] * 5)


def lines(fig, axis: str) -> dict[str, dict]:
    """The traces of the panel on x axis ``axis`` ("x", "x2"...), by digit."""
    return {t["name"]: t for t in fig.to_dict()["data"] if t["xaxis"] == axis}


def flip_labels(fig) -> list[dict]:
    return [a for a in fig.to_dict()["layout"]["annotations"] if a["text"].startswith("reads")]


def test_every_digit_a_sweep_marks_is_drawn_in_that_panel():
    fig = sweeps_chart([ROTATION, SLANT, FLAT], (7, 4))
    assert set(lines(fig, "x")) == {"7", "4", "2", "1"}  # the reading, runner-up, both flips
    assert set(lines(fig, "x2")) == {"7", "4", "2"}
    assert set(lines(fig, "x3")) == {"7", "4"}  # nothing marked: nothing more drawn
    rotation_two = lines(fig, "x")["2"]["y"]
    assert rotation_two[0] == np.float32(0.7)  # its probability along the sweep


def test_a_digit_keeps_its_colour_and_one_legend_entry_across_panels():
    fig = sweeps_chart([SLANT, ROTATION], (7, 4))
    colours = {}
    for trace in fig.to_dict()["data"]:
        colours.setdefault(trace["name"], set()).add(trace["line"]["color"])
    assert all(len(c) == 1 for c in colours.values()), colours
    colour = {digit: c.pop() for digit, c in colours.items()}
    assert len(set(colour.values())) == len(colour)  # one colour per digit, none shared
    legend = [t["name"] for t in fig.to_dict()["data"] if t.get("showlegend")]
    assert sorted(legend) == ["1", "2", "4", "7"]
    for label in flip_labels(fig):  # a label is in the colour of the digit it names
        assert label["font"]["color"] == colour[label["text"].split()[-1]]


def test_flip_labels_sit_beside_their_lines_not_on_them():
    fig = sweeps_chart([ROTATION], (7, 4))
    labels = flip_labels(fig)
    assert sorted((a["x"], a["text"]) for a in labels) == [(-60.0, "reads 2"), (20.0, "reads 1")]
    for a in labels:  # the box starts at the top of the dashed line, which ends at TOP
        assert a["y"] == TOP and a["yanchor"] == "bottom" and a.get("yshift", 0) >= 0
        assert a.get("textangle", 0) == 0  # not turned along the line
    dashed = [s for s in fig.to_dict()["layout"]["shapes"] if s["line"]["dash"] == "dash"]
    assert sorted(s["x0"] for s in dashed) == [-60.0, 20.0] and all(s["y1"] == TOP for s in dashed)


def test_the_sevens_rotation_sweep_draws_what_it_marks():
    """The issue's case, read by the committed net: a 7 turned far enough reads otherwise."""
    from lenet5.core.reader import Reader
    from lenet5.core.strokes import BRUSH, CANVAS, render
    from lenet5.core.sweeps import KINDS, sweeps

    reader = Reader.load()
    report = reader.read(render(SEVEN, CANVAS, BRUSH))
    digits = (report.reading.digit, report.runner_up())
    panels = [Panel(KINDS[n].title, KINDS[n].unit, s.values, s.probs, identity(n),
                    s.flips(digits[0])) for n, s in sweeps(report.pre.ink, reader).items()]
    assert any(p.flips for p in panels)  # else this test shows nothing
    fig = sweeps_chart(panels, digits)
    for k, panel in enumerate(panels):
        drawn = lines(fig, "x" if k == 0 else f"x{k + 1}")
        for v in panel.flips:
            row = panel.probs[int(np.argmin(np.abs(panel.values - v)))]
            if not np.isnan(row).any():
                assert str(int(row.argmax())) in drawn, (panel.title, v)
