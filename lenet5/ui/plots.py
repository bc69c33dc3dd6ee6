"""Plotly figure builders and small image helpers for the app (no Streamlit, no global state)."""

from __future__ import annotations

import cv2
import numpy as np
import plotly.graph_objects as go

ACCENT, MUTED = "#ff4b4b", "#8c96a8"
MARGIN = dict(l=10, r=10, t=30, b=10)


def fast_figure(data: list[dict], **layout) -> go.Figure:
    """A figure from plain dict specs, skipping plotly's per-property validation (about 6x
    faster to build; these specs are fixed and covered by tests)."""
    return go.Figure(data=data, layout=layout, _validate=False)


def enlarge(img: np.ndarray, size: int = 112) -> np.ndarray:
    """Nearest-neighbour enlargement of a ``(H, W) float [0, 1]`` image to ``(size, ~size)``
    ``uint8``, keeping its aspect ratio, so that single pixels stay visible."""
    h, w = img.shape
    k = max(1, size // max(h, w))
    return (np.kron(np.clip(img, 0, 1), np.ones((k, k))) * 255).astype(np.uint8)


def square(img: np.ndarray, size: int = 112) -> np.ndarray:
    """``(H, W) float [0, 1]`` image shown in a black ``(size, size) uint8`` square: shrunk with
    area averaging, or enlarged by whole pixels, keeping its aspect ratio, then centred."""
    h, w = img.shape
    if max(h, w) > size:
        k = size / max(h, w)
        img = cv2.resize(img.astype(np.float32), (max(1, round(w * k)), max(1, round(h * k))),
                         interpolation=cv2.INTER_AREA)
        big = (np.clip(img, 0, 1) * 255).astype(np.uint8)
    else:
        big = enlarge(img, size)
    out = np.zeros((size, size), np.uint8)
    top, left = (size - big.shape[0]) // 2, (size - big.shape[1]) // 2
    out[top : top + big.shape[0], left : left + big.shape[1]] = big
    return out


def strip(images: list[np.ndarray], gap: int = 8, fill: int = 128) -> np.ndarray:
    """Equal-sized ``(H, W) uint8`` images side by side in one ``(H, n*(W+gap)-gap) uint8``
    image, separated by ``gap`` px of grey ``fill`` (one picture loads faster than n)."""
    mosaic = tile(np.stack(images, -1).astype(np.float32), len(images), gap)
    return np.nan_to_num(mosaic, nan=fill).astype(np.uint8)


def tile(maps: np.ndarray, cols: int, gap: int = 1) -> np.ndarray:
    """``(H, W, C)`` maps -> one ``(rows*(H+gap)-gap, cols*(W+gap)-gap) float32`` mosaic,
    channel ``k`` at row ``k // cols``, column ``k % cols``, gaps filled with NaN."""
    h, w, c = maps.shape
    rows = -(-c // cols)
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), np.nan, np.float32)
    for k in range(c):
        r, q = divmod(k, cols)
        out[r * (h + gap) : r * (h + gap) + h, q * (w + gap) : q * (w + gap) + w] = maps[..., k]
    return out


def probability_png(probs: np.ndarray, width: int = 780, height: int = 300) -> bytes:
    """:func:`probability_image` as PNG bytes, in at most 16 colours: small, and quick to encode
    and to show (the page scales it to its column: more pixels than shown, sharp on dense
    screens)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(probability_image(probs, width, height)).quantize(
        16, method=Image.Quantize.FASTOCTREE).save(out, format="PNG", compress_level=1)
    return out.getvalue()


def probability_image(probs: np.ndarray, width: int = 780, height: int = 300) -> np.ndarray:
    """Bar chart of the ten class probabilities as an ``(height, width, 4) uint8`` RGBA image
    (transparent background, mid-grey text: readable on a light or a dark theme), the winner in
    the accent colour, each bar labelled with its percentage. Drawn on the server, not by
    Plotly: an interactive chart redrawn after every stroke cost the browser more than all the
    rest of the page's update (docs/performance.md)."""
    from PIL import Image, ImageDraw, ImageFont

    p = np.clip(np.nan_to_num(np.asarray(probs, np.float64)), 0, 1)
    best = int(p.argmax())
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=height // 11)
    left, top, bottom = width // 8, height // 6, height - height // 6
    grey, line = (128, 132, 149, 255), (128, 132, 149, 70)
    for level in (0.0, 0.5, 1.0):  # gridlines with their labels
        y = bottom - level * (bottom - top)
        draw.line([(left, y), (width, y)], fill=line, width=2)
        draw.text((left - 8, y), f"{level:.0%}", fill=grey, font=font, anchor="rm")
    slot = (width - left) / len(p)
    for k, v in enumerate(p):
        x0, x1 = left + (k + 0.2) * slot, left + (k + 0.8) * slot
        colour = rgba(ACCENT if k == best else MUTED)
        if v > 0:
            draw.rectangle([x0, bottom - v * (bottom - top), x1, bottom], fill=colour)
        if v >= 0.01:
            draw.text(((x0 + x1) / 2, bottom - v * (bottom - top) - 6), f"{v:.0%}", fill=grey,
                      font=font, anchor="mb")
        draw.text(((x0 + x1) / 2, bottom + 10), str(k), fill=grey, font=font, anchor="mt")
    return np.asarray(image)


def rgba(hex_colour: str) -> tuple[int, int, int, int]:
    return (*(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)), 255)


def heatmap_grid(maps: np.ndarray, cols: int, title: str, colorscale: str = "Viridis",
                 height: int | None = None, symmetric: bool = False) -> go.Figure:
    """One heatmap of all channels of ``(H, W, C)`` maps tiled ``cols`` across (cheap to draw)."""
    mosaic = tile(maps, cols)
    lim = float(np.nanmax(np.abs(mosaic))) or 1.0
    zmin, zmax = (-lim, lim) if symmetric else (float(np.nanmin(mosaic)), float(np.nanmax(mosaic)))
    heat = dict(type="heatmap", z=mosaic, colorscale=colorscale, zmin=zmin, zmax=zmax,
                showscale=False, hovertemplate="%{z:.3f}<extra></extra>")
    rows = mosaic.shape[0] / mosaic.shape[1]
    return fast_figure([heat], title=dict(text=title), height=height or int(80 + 520 * rows),
                   margin=MARGIN, xaxis=dict(visible=False, constrain="domain"),
                   yaxis=dict(visible=False, autorange="reversed", scaleanchor="x"))


def activation_bars(values: np.ndarray, title: str, height: int = 200,
                    axis: str = "unit") -> go.Figure:
    """Bars of a layer's ``(n,)`` activations, one per unit. ``axis`` names what a bar is:
    "unit" (a dense layer's units, the axis ticked as plotly sees fit) or "digit" (the output
    layer's logits: the axis titled "digit", every bar labelled with its digit 0 to n-1)."""
    v = np.asarray(values).reshape(-1).tolist()
    bar = dict(type="bar", y=v, marker=dict(color=MUTED),
               hovertemplate=f"{axis} %{{x}}: %{{y:.3f}}<extra></extra>")
    xaxis = dict(title=dict(text=axis))
    if axis == "digit":  # all ten labels: plotly's automatic ticks showed only 0, 2, 4, 6, 8
        xaxis.update(tickmode="array", tickvals=list(range(len(v))),
                     ticktext=[str(k) for k in range(len(v))])
    return fast_figure([bar], title=dict(text=title), height=height, margin=MARGIN,
                       xaxis=xaxis)


def training_curves(history: dict, styles_after: int | None = None,
                    joined: str = "styles") -> go.Figure:
    """Loss and accuracy per epoch, train vs validation, on two y-axes side by side; with
    ``styles_after``, a dotted line labelled "+ ``joined``" where more digits joined in (the
    second stage: pen-drawn digits, synthesised writing styles)."""
    from plotly.subplots import make_subplots

    epochs = history.get("epoch") or list(range(1, len(history["loss"]) + 1))
    fig = make_subplots(rows=1, cols=2, subplot_titles=("loss", "accuracy"))
    for col, metric in enumerate(("loss", "accuracy"), start=1):
        for prefix, name, dash in (("", "train", "solid"), ("val_", "validation", "dash")):
            if prefix + metric in history:
                fig.add_trace(go.Scatter(
                    x=epochs, y=history[prefix + metric], name=name, legendgroup=name,
                    showlegend=col == 1, line=dict(dash=dash, color=ACCENT if prefix else MUTED),
                ), row=1, col=col)
    if styles_after:
        for col in (1, 2):
            label = {"annotation_text": f"+ {joined}"} if col == 1 else {}
            fig.add_vline(x=styles_after + 0.5, line_dash="dot", line_color=MUTED, row=1, col=col,
                          **label)
    fig.update_xaxes(title_text="epoch")
    fig.update_layout(height=320, margin=dict(l=10, r=10, t=40, b=10))
    return fig


def confusion_heatmap(cm: np.ndarray) -> go.Figure:
    """Interactive confusion matrix (rows: true digit, columns: predicted), log-ish colours."""
    cm = np.asarray(cm)
    labels = [str(k) for k in range(cm.shape[0])]
    fig = go.Figure(go.Heatmap(
        z=np.log1p(cm), x=labels, y=labels, text=cm, texttemplate="%{text}",
        colorscale="Blues", showscale=False,
        hovertemplate="true %{y}, predicted %{x}: %{text}<extra></extra>",
    ))
    fig.update_layout(height=420, margin=MARGIN, xaxis=dict(title="predicted", type="category"),
                      yaxis=dict(title="true", type="category", autorange="reversed"))
    return fig


def boxed(ink: np.ndarray, boxes: list[tuple[float, float, float, float]],
          labels: list[str]) -> np.ndarray:
    """``(H, W) uint8`` ink (white on black) -> ``(H, W, 3) uint8`` RGB with each ``(x0, y0,
    x1, y1)`` box outlined in the accent colour and its label written above it."""
    rgb = cv2.cvtColor(np.ascontiguousarray(ink), cv2.COLOR_GRAY2RGB)
    colour = rgba(ACCENT)[:3]
    for (x0, y0, x1, y1), label in zip(boxes, labels, strict=True):
        p0, p1 = (int(round(x0)), int(round(y0))), (int(round(x1)), int(round(y1)))
        cv2.rectangle(rgb, p0, p1, colour, 2)
        cv2.putText(rgb, label, (p0[0] + 2, max(16, p0[1] - 4)), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                    colour, 2, cv2.LINE_AA)
    return rgb


def digit_probabilities(probs: np.ndarray, height: int = 300) -> go.Figure:
    """Heatmap of ``(n, 10)`` probabilities: one column per digit of a number, rows 0-9."""
    p = np.asarray(probs, np.float32)
    cols = [f"{k + 1}. ({int(row.argmax())})" for k, row in enumerate(p)]
    heat = dict(type="heatmap", z=p.T.tolist(), x=cols, y=[str(d) for d in range(10)],
                zmin=0, zmax=1, colorscale="Reds", showscale=False,
                text=[[f"{v:.0%}" if v >= 0.01 else "" for v in r] for r in p.T],
                texttemplate="%{text}",
                hovertemplate="digit %{x}, reads as %{y}: %{z:.1%}<extra></extra>")
    return fast_figure([heat], height=height, margin=MARGIN,
                   xaxis=dict(type="category", side="top"),
                   yaxis=dict(type="category", title=dict(text="reads as"), autorange="reversed"))
