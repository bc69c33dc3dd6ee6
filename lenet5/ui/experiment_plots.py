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


def sweeps_chart(panels: list[Panel], digits: tuple[int, int], cols: int = 2,
                 row_height: int = 230) -> go.Figure:
    """One figure, one panel per sweep (``cols`` across): the probability of the reading and of
    the runner-up (``digits``) along it, a dotted line at the unchanged drawing, dashed ones
    where the reading flips, labelled with what it reads there. (One figure, not one per sweep:
    each chart costs the server and the browser time on every rerun.)"""
    rows = -(-len(panels) // cols)
    gap_x, gap_y = 0.1, 0.16 / rows
    data, shapes, notes, layout = [], [], [], {}
    for k, panel in enumerate(panels):
        r, c = divmod(k, cols)
        x0 = c * (1 + gap_x) / cols
        y1 = 1 - r / rows
        xdom, ydom = [x0, x0 + (1 - gap_x) / cols], [y1 - 1 / rows + gap_y * 2.2, y1 - gap_y]
        ax = "" if k == 0 else str(k + 1)
        layout[f"xaxis{ax}"] = dict(domain=xdom, anchor=f"y{ax}", title=dict(
            text=panel.unit, font=dict(size=11), standoff=4))
        layout[f"yaxis{ax}"] = dict(domain=ydom, anchor=f"x{ax}", range=[0, 1.05],
                                    tickformat=".0%")
        notes.append(dict(text=f"<b>{panel.title}</b>", x=xdom[0], y=ydom[1] + 0.02 / rows,
                          xref="paper", yref="paper", xanchor="left", yanchor="bottom",
                          showarrow=False, font=dict(size=14)))
        data += _sweep_lines(panel, digits, ax, legend=k == 0)
        shapes += [dict(type="line", x0=v, x1=v, y0=0, y1=1.05, xref=f"x{ax}", yref=f"y{ax}",
                        line=dict(color=MUTED, dash="dot" if v == panel.identity else "dash",
                                  width=1)) for v in [panel.identity, *panel.flips]]
        notes += [dict(x=v, y=0.5, xref=f"x{ax}", yref=f"y{ax}", text=_read_at(panel, v),
                       textangle=-90, xanchor="right", showarrow=False,
                       font=dict(size=11, color=MUTED)) for v in panel.flips]  # along its line
    return fast_figure(data, height=rows * row_height, margin=dict(l=10, r=10, t=30, b=10),
                   shapes=shapes, annotations=notes, showlegend=True,
                   legend=dict(orientation="h", x=1, xanchor="right", y=1, yanchor="bottom"),
                   **layout)


def _sweep_lines(panel: Panel, digits: tuple[int, int], ax: str, legend: bool) -> list[dict]:
    p = np.asarray(panel.probs, np.float64)
    return [dict(type="scatter", mode="lines+markers", x=np.asarray(panel.values).tolist(),
                 y=[None if np.isnan(v) else float(v) for v in p[:, d]], name=f"{d}",
                 legendgroup=str(d), showlegend=legend, xaxis=f"x{ax}", yaxis=f"y{ax}",
                 line=dict(color=colour, width=3 if k == 0 else 2,
                           dash="solid" if k == 0 else "dot"),
                 hovertemplate=f"%{{x}}: {d} %{{y:.1%}}<extra></extra>")
            for k, (d, colour) in enumerate(zip(digits, (ACCENT, "#1f77b4"), strict=True))]


def _read_at(panel: Panel, value: float) -> str:
    """What the network reads at ``value`` of the sweep."""
    row = panel.probs[int(np.argmin(np.abs(np.asarray(panel.values) - value)))]
    return "nothing to read" if np.isnan(row).any() else f"reads {int(row.argmax())}"


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
