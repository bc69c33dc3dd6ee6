"""Figures of the "Poke the network" experiments (no Streamlit, no global state): the
probabilities across strokes, the sweeps, a unit's field, maps switched off."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import plotly.graph_objects as go

from lenet5.ui.plots import ACCENT, MARGIN, MUTED, enlarge, fast_figure, rgba


def stroke_probabilities(probs: np.ndarray, height: int = 260) -> go.Figure:
    """The ten probabilities after each stroke: ``(K, 10)`` (rows of NaN where there was
    nothing to read) as one line per digit; the digits that lead at some stroke are drawn
    thick and labelled, the others thin and grey."""
    p = np.asarray(probs, np.float64)
    x = list(range(1, len(p) + 1))
    leaders = {int(r.argmax()) for r in p if not np.isnan(r).any()}
    palette = ("#ff4b4b", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf")
    lines, colour = [], iter(palette * 2)
    for d in range(p.shape[1]):
        lead = d in leaders
        lines.append(dict(type="scatter", mode="lines+markers" if lead else "lines", x=x,
                          y=[None if np.isnan(v) else float(v) for v in p[:, d]], name=str(d),
                          showlegend=lead, line=dict(width=3 if lead else 1,
                                                     color=next(colour) if lead else MUTED),
                          hovertemplate=f"stroke %{{x}}: {d} %{{y:.1%}}<extra></extra>"))
    return fast_figure(lines, height=height, margin=MARGIN, legend=dict(title=dict(text="digit")),
                   yaxis=dict(range=[0, 1.05], tickformat=".0%"),
                   xaxis=dict(title=dict(text="after stroke"), dtick=1))


@dataclass(frozen=True)
class Panel:
    """One sweep to chart: the probabilities ``probs`` ``(n, 10)`` (NaN rows where nothing was
    read) at ``values``, where the drawing is unchanged (``identity``) and where the reading
    flips (``flips``)."""

    title: str
    unit: str
    values: np.ndarray
    probs: np.ndarray
    identity: float
    flips: list[float]


RUNNER_UP = "#1f77b4"  # the reading is ACCENT, the runner-up this, other marked digits MARKED
TOP = 1.05  # the probability axes' top: a little above 100%, so that a curve at 1 stays visible
LABELS_PX = 16  # px between a panel's top and its title: the band the flips' labels are in
MARKED = ("#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#bcbd22", "#7f7f7f")


def sweeps_chart(panels: list[Panel], digits: tuple[int, int], cols: int = 2,
                 row_height: int = 230) -> go.Figure:
    """One figure, one panel per sweep (``cols`` across): the probability of the reading and of
    the runner-up (``digits``) along it, and of every digit a flip in that panel reads; a dotted
    line at the unchanged drawing, dashed ones where the reading flips, each labelled above its
    top with what it reads there. A digit keeps its colour and its one legend entry in every
    panel. (One figure, not one per sweep: each chart costs the server and the browser time on
    every rerun.)"""
    rows = -(-len(panels) // cols)
    gap_x, gap_y = 0.1, 0.16 / rows
    colours = digit_colours(panels, digits)
    data, shapes, notes, layout, shown = [], [], [], {}, set()
    for k, panel in enumerate(panels):
        r, c = divmod(k, cols)
        x0 = c * (1 + gap_x) / cols
        y1 = 1 - r / rows
        xdom, ydom = [x0, x0 + (1 - gap_x) / cols], [y1 - 1 / rows + gap_y * 2.2, y1 - gap_y]
        ax = "" if k == 0 else str(k + 1)
        layout[f"xaxis{ax}"] = dict(domain=xdom, anchor=f"y{ax}", title=dict(
            text=panel.unit, font=dict(size=11), standoff=4))
        layout[f"yaxis{ax}"] = dict(domain=ydom, anchor=f"x{ax}", range=[0, TOP],
                                    tickformat=".0%")
        notes.append(dict(text=f"<b>{panel.title}</b>", x=xdom[0], y=ydom[1], yshift=LABELS_PX,
                          xref="paper", yref="paper", xanchor="left", yanchor="bottom",
                          showarrow=False, font=dict(size=14)))  # above the flips' labels
        drawn = [*digits, *(d for d in marked_digits(panel) if d not in digits)]
        data += _sweep_lines(panel, drawn, colours, ax, shown)
        shown.update(drawn)
        shapes += [dict(type="line", x0=v, x1=v, y0=0, y1=TOP, xref=f"x{ax}", yref=f"y{ax}",
                        line=dict(color=MUTED, dash="dot" if v == panel.identity else "dash",
                                  width=1)) for v in [panel.identity, *panel.flips]]
        notes += [_flip_note(panel, v, ax, colours) for v in panel.flips]
    # the left margin holds the first column's tick labels (100%), which sit outside its domain
    return fast_figure(data, height=rows * row_height, margin=dict(l=45, r=10, t=40, b=10),
                   shapes=shapes, annotations=notes, showlegend=True,
                   legend=dict(orientation="h", x=1, xanchor="right", y=1, yanchor="bottom",
                               title=dict(text="digit")),
                   **layout)


def marked_digits(panel: Panel) -> list[int]:
    """The digits read where ``panel``'s flips are marked, in the flips' order, each once
    (none where there is nothing to read)."""
    read = [_digit_at(panel, v) for v in panel.flips]
    return list(dict.fromkeys(d for d in read if d is not None))


def digit_colours(panels: list[Panel], digits: tuple[int, int]) -> dict[int, str]:
    """One colour per digit drawn in any panel: the reading ACCENT, the runner-up RUNNER_UP,
    the digits flips read the ``MARKED`` colours in order of first appearance."""
    colours = {digits[0]: ACCENT, digits[1]: RUNNER_UP}
    others = iter(MARKED)  # a colour for each digit besides the two: it never runs out
    for panel in panels:
        for d in marked_digits(panel):
            colours.setdefault(d, next(others))
    return colours


def _sweep_lines(panel: Panel, drawn: list[int], colours: dict[int, str], ax: str,
                 shown: set[int]) -> list[dict]:
    """One line per digit of ``drawn``: the reading thick, the runner-up dotted, the digits
    flips read dashed; a legend entry for digits not in ``shown`` (an earlier panel's)."""
    p = np.asarray(panel.probs, np.float64)
    styles = [(3, "solid"), (2, "dot")] + [(2, "dash")] * (len(drawn) - 2)
    return [dict(type="scatter", mode="lines+markers", x=np.asarray(panel.values).tolist(),
                 y=[None if np.isnan(v) else float(v) for v in p[:, d]], name=f"{d}",
                 legendgroup=str(d), showlegend=d not in shown, xaxis=f"x{ax}", yaxis=f"y{ax}",
                 line=dict(color=colours[d], width=width, dash=dash),
                 hovertemplate=f"%{{x}}: {d} %{{y:.1%}}<extra></extra>")
            for d, (width, dash) in zip(drawn, styles, strict=True)]


def _flip_note(panel: Panel, value: float, ax: str, colours: dict[int, str]) -> dict:
    """The label of the flip at ``value``: what it reads there, in that digit's colour, just
    above the top of its line (beside the line's end, never on it, and above the curves, which
    it would otherwise cross: the new digit's curve is high right where its flip is)."""
    digit = _digit_at(panel, value)
    return dict(x=value, y=TOP, xref=f"x{ax}", yref=f"y{ax}", yanchor="bottom", yshift=1,
                text="nothing to read" if digit is None else f"reads {digit}", showarrow=False,
                font=dict(size=11, color=MUTED if digit is None else colours[digit]))


def _digit_at(panel: Panel, value: float) -> int | None:
    """What the network reads at ``value`` of the sweep (None: nothing to read there)."""
    row = panel.probs[int(np.argmin(np.abs(np.asarray(panel.values) - value)))]
    return None if np.isnan(row).any() else int(row.argmax())


def outlined(image: np.ndarray, box: tuple[int, int, int, int], size: int = 224) -> np.ndarray:
    """``(H, W) float [0, 1]`` image enlarged to about ``size`` px, ``(S, S, 3) uint8`` RGB,
    with the inclusive pixel box ``(top, left, bottom, right)`` outlined in the accent colour
    and the pixels outside it dimmed."""
    big = enlarge(image, size).astype(np.float32)
    k = big.shape[0] // image.shape[0]
    top, left, bottom, right = box
    rgb = np.repeat(big[..., None] * 0.35, 3, axis=2)
    inside = (slice(top * k, (bottom + 1) * k), slice(left * k, (right + 1) * k))
    rgb[inside] = big[inside][..., None]
    rgb = rgb.astype(np.uint8)
    colour = rgba(ACCENT)[:3]
    cv2.rectangle(rgb, (left * k, top * k), ((right + 1) * k - 1, (bottom + 1) * k - 1), colour, 2)
    return rgb


def compare_bars(before: np.ndarray, after: np.ndarray, height: int = 260) -> go.Figure:
    """The ten probabilities of the whole network beside those with maps switched off."""
    x = [str(k) for k in range(len(before))]
    bars = [dict(type="bar", x=x, y=np.asarray(p).tolist(), name=name, marker=dict(color=c),
                 hovertemplate=f"{name}, digit %{{x}}: %{{y:.1%}}<extra></extra>")
            for p, name, c in ((before, "all maps", MUTED), (after, "maps switched off", ACCENT))]
    return fast_figure(bars, height=height, margin=MARGIN, barmode="group",
                   legend=dict(orientation="h", y=1.12),
                   yaxis=dict(range=[0, 1.05], tickformat=".0%"),
                   xaxis=dict(title=dict(text="digit"), type="category"))
