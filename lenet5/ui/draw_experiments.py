"""Draw page: three experiments on your own drawing. How the reading changed stroke by stroke;
how it changes when the drawing is moved, turned, slanted or thickened; and the smallest change
that fools it (:mod:`lenet5.ui.fool_section`). Each runs only while its expander is open, so
that the page stays as fast as before for everyone else."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lenet5.core.prefixes import MAX_PREFIXES, read_prefixes
from lenet5.core.preprocess import BOX
from lenet5.core.reader import Report
from lenet5.core.strokes import CANVAS
from lenet5.core.sweeps import KINDS, identity, sweeps
from lenet5.ui import state
from lenet5.ui.experiment_plots import Panel, stroke_probabilities, sweeps_chart
from lenet5.ui.fool_section import fool_section
from lenet5.ui.layout import PLOT_CONFIG, lazy_expander
from lenet5.ui.plots import square, tile
from lenet5.ui.resources import reader

__all__ = ["fool_section", "prefixes_section", "sweeps_section"]  # the Draw page's experiments

PREFIX_PX = 64

PREFIXES_WORDS = (
    "The canvas remembers the order of your strokes. Here the network reads your drawing again "
    "after each stroke, as if you had stopped there: each line is one digit's probability. A "
    "7, for instance, is often a 1 until its bar is drawn.")
SWEEPS_WORDS = (
    "Your drawing is turned, slanted, thickened, moved and resized step by step, and read at "
    "every step. Moving and resizing change nothing: the preprocessing crops the ink, scales it "
    f"to {BOX} px and centres it before the network sees it, so those curves stay flat. Turning, "
    "slanting and thickening reach the network, which copes only as far as the digits it "
    "learned from varied. The dotted line is your drawing as it is; a dashed line marks where "
    "the reading changes.")


def prefixes_section(report: Report, phone: bool = False) -> None:
    """The drawing read after each of its strokes: what the network was given and what it
    read, and the ten probabilities across strokes."""
    box = lazy_expander("How it changed its mind, stroke by stroke", state.PREFIXES)
    with box:
        if not box.open:
            return
        if not report.strokes:
            st.caption("This reads the strokes drawn on the canvas, in order: a photo has none.")
            return
        st.caption(PREFIXES_WORDS)
        p = read_prefixes(report.strokes, report.widths, reader(), (CANVAS, CANVAS))
        if p.strokes > MAX_PREFIXES:
            st.caption(f"Your drawing has {p.strokes} strokes: the first {MAX_PREFIXES} are read "
                       "one at a time.")
        cols = 5 if phone else MAX_PREFIXES  # a phone: rows of five, big enough to see
        squares = np.stack([square(x, PREFIX_PX) for x in p.images], -1).astype(np.float32)
        st.image(np.nan_to_num(tile(squares, min(cols, len(p.images)), 4), nan=128).astype(
            np.uint8),
                 caption=" · ".join(_words(k, prob) for k, prob in enumerate(p.probs, start=1)))
        st.plotly_chart(stroke_probabilities(p.probs), config=PLOT_CONFIG, key="prefix_chart")


def _words(k: int, probs: np.ndarray) -> str:
    if np.isnan(probs).any():
        return f"{k}: —"
    return f"{k}: {int(probs.argmax())} ({probs.max():.0%})"


def sweeps_section(report: Report, phone: bool) -> None:
    """Each sweep of the drawing, the probability of its reading and of the runner-up along it."""
    box = lazy_expander("Move it, turn it, thicken it", state.SWEEPS)
    with box:
        if not box.open:
            return
        st.caption(SWEEPS_WORDS)
        digits = (report.reading.digit, report.runner_up())
        panels = []
        for name, result in sweeps(report.pre.ink, reader()).items():
            kind = KINDS[name]
            panels.append(Panel(kind.title + (" (undone by the preprocessing)" if kind.removes
                                              else ""), kind.unit, result.values, result.probs,
                                identity(name), result.flips(digits[0])))
        st.plotly_chart(sweeps_chart(panels, digits, cols=1 if phone else 2),
                        config=PLOT_CONFIG, key="sweeps")
