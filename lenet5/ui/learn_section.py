"""Training page: "Watch it learn". The net as it was after each epoch of training
(``epochs.npz``, :mod:`lenet5.core.epochs`) reads one digit: the person's last drawing, else an
MNIST test digit. An epoch slider shows that epoch's ten probabilities, C1's kernels and maps,
and where the epoch lies on the loss and accuracy curves; a chart shows the probabilities across
all epochs. Computed only while its expander is open, by the NumPy pass: the digit is read at
every epoch once (a bounded cache shared by sessions), the slider then only picks a row."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from lenet5.core import epochs as ep
from lenet5.core.artifacts import model_file
from lenet5.core.forward import forward
from lenet5.ui import state
from lenet5.ui.layout import PLOT_CONFIG, lazy_expander
from lenet5.ui.plots import MARGIN, MUTED, enlarge, fast_figure, heatmap_grid, training_curves
from lenet5.ui.resources import load_json, mnist_sample, reader

# Widget keys (to move to lenet5.ui.state, beside the other pages' keys)
CACHED = 32  # digits read at every epoch kept (E x 10 floats each)
PALETTE = ("#ff4b4b", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf")
# The MNIST test digit read when the session has no drawing (if shipped, else the first): a
# 7 the committed net's reading wavered between 7, 9, 5, 4 and 3 for 28 epochs before it settled
SAMPLE = 726

WORDS = ("Training changed the network's {params:,} weights a little after every batch of "
         "{batch} digits; here is the network as it was before training (epoch 0: random weights, "
         "its ten probabilities all near 10%) and at the end of each epoch (one pass over "
         "the training digits), reading the same digit. C1's kernels start as noise; one "
         "epoch takes them most of the way to their final shapes, and later epochs only "
         "refine them. Most digits are read right from the first epoch on; a hard one can "
         "waver between readings for many epochs before it settles.")


def saved_epochs() -> ep.Epochs | None:
    """The committed net's epochs (None if the file is missing, damaged or stale)."""
    return _epochs(str(model_file(ep.EPOCHS_FILE)), reader().sha256)


@st.cache_resource(show_spinner=False, max_entries=2)
def _epochs(path: str, model_sha256: str) -> ep.Epochs | None:
    from pathlib import Path

    return ep.load(Path(path), model_sha256)


@st.cache_data(show_spinner=False, max_entries=CACHED)
def _read_all(pixels: bytes, path: str, model_sha256: str) -> np.ndarray | None:
    """:func:`lenet5.core.epochs.read_all` of one ``(28, 28) float32`` digit (its bytes)."""
    e = _epochs(path, model_sha256)
    if e is None:
        return None
    return ep.read_all(e, np.frombuffer(pixels, np.float32).reshape(28, 28))


def the_digit() -> tuple[np.ndarray, str] | None:
    """The digit to read, ``(28, 28) float32 in [0, 1]``, and what it is: the last drawing
    or photo of this session if it could be read, else a shipped MNIST test digit."""
    report = state.report()
    if report is not None and report.ok:
        return np.asarray(report.pre.image, np.float32), "your last drawing"
    sample = mnist_sample()
    if sample is None:
        return None
    x, y, index = sample
    k = int(np.argmax(index == SAMPLE))  # its place in the sample; 0 if it is not shipped
    return (x[k] / np.float32(255)).astype(np.float32), (
        f"MNIST test digit #{int(index[k])} (a {int(y[k])}; draw one on the Draw page to see "
        "yours)")


def chosen_epoch(first: int, n: int) -> int:
    """The epoch picked on the slider, ``first`` (0: before training) .. ``n`` (the last until
    one is picked). A kept value that is no epoch number is forgotten, with a message."""
    present, kept = state.stored(state.LEARN_EPOCH)
    if present and not (type(kept) is int and first <= kept <= n):
        state.reset(state.LEARN_EPOCH)
        st.warning(f"The epoch sent was not one of {first} to {n}; it is back at the last "
                   "epoch.")
    if n == first:
        return n
    return int(st.slider("Epoch", first, n, n, key=state.LEARN_EPOCH,
                         help="The network as it was at the end of this epoch of training "
                              "(0: before training, its weights still random)."))


def probabilities_chart(probs: np.ndarray, first: int, now: int, after: int | None
                        ) -> go.Figure:
    """The ten probabilities across epochs ``(E, 10)`` (row 0: epoch ``first``) as one line
    per digit, the digits that lead at some epoch thick and coloured, a line at epoch ``now``
    and a dotted one after epoch ``after`` (the first stage's end)."""
    x = list(range(first, first + len(probs)))
    leaders = sorted({int(r.argmax()) for r in probs})
    colours = dict(zip(leaders, PALETTE * 2, strict=False))
    lines = [dict(type="scatter", mode="lines", x=x, y=probs[:, d].astype(float).tolist(),
                  name=str(d), showlegend=d in colours,
                  line=dict(width=3 if d in colours else 1, color=colours.get(d, MUTED)),
                  hovertemplate=f"epoch %{{x}}: {d} %{{y:.1%}}<extra></extra>")
             for d in range(probs.shape[1])]
    shapes = [dict(type="line", x0=now, x1=now, y0=0, y1=1, yref="paper",
                   line=dict(color="#444", width=2))]
    if after:
        shapes.append(dict(type="line", x0=after + 0.5, x1=after + 0.5, y0=0, y1=1,
                           yref="paper", line=dict(color=MUTED, dash="dot")))
    return fast_figure(lines, height=260, margin=MARGIN, shapes=shapes,
                       legend=dict(title=dict(text="digit")),
                       yaxis=dict(range=[0, 1.05], tickformat=".0%"),
                       xaxis=dict(title=dict(text="after epoch"), range=[x[0] - 0.5, x[-1] + 0.5]))


def curves_now(history: dict, now: int, after: int | None):
    """The loss and accuracy curves with epoch ``now`` marked on both panels."""
    fig = training_curves(history, after)
    for col in (1, 2):
        fig.add_vline(x=now, line_color="#444", line_width=2, row=1, col=col)
    return fig


def bar(p: np.ndarray) -> dict:
    best = int(p.argmax())
    return dict(type="bar", x=[str(d) for d in range(10)], y=p.astype(float).tolist(),
                marker=dict(color=[PALETTE[0] if d == best else MUTED for d in range(10)]),
                hovertemplate="digit %{x}: %{y:.1%}<extra></extra>")


def bars(probs: np.ndarray, first: int, now: int) -> go.Figure:
    """The ten probabilities after epoch ``now`` of ``probs`` ``(E, 10)`` (row 0: epoch
    ``first``), with a play button that runs through every epoch in the browser (Plotly
    frames: no rerun, no server time)."""
    frames = [dict(name=str(k), data=[bar(probs[k - first])], layout=dict(title=dict(
        text=f"after epoch {k}"))) for k in range(first, first + len(probs))]
    play = dict(label="▶ play", method="animate", args=[None, dict(
        frame=dict(duration=250, redraw=False), transition=dict(duration=120),
        fromcurrent=False, mode="immediate")])
    return go.Figure(data=[bar(probs[now - first])], frames=frames, _validate=False, layout=dict(
        height=240, margin=dict(MARGIN, t=40), title=dict(text=f"after epoch {now}"),
        yaxis=dict(range=[0, 1.05], tickformat=".0%"),
        xaxis=dict(title=dict(text="digit"), type="category"),
        updatemenus=[dict(type="buttons", buttons=[play], x=1, y=1.25, xanchor="right",
                          showactive=False)]))


def stage_end(history: dict, n: int) -> int | None:
    """The first stage's last epoch if a second stage followed (metrics.json), else None."""
    first = (load_json("metrics.json") or {}).get("train_config", {}).get("epochs")
    return first if isinstance(first, int) and 0 < first < n else None


def missing_words(e: ep.Epochs | None, history: dict | None) -> str:
    """Why the section cannot show the epochs ('' when it can)."""
    if e is None:
        return ("This network's epochs are not installed (models/epochs.npz is missing, or was "
                "saved by another training run). Retrain with python -m lenet5.train to keep "
                "them.")
    if not history or len(history.get("loss", [])) != len(e) - e.start:
        return ("models/history.json does not match the saved epochs; retrain to recreate "
                "both.")
    return ""


def learn_section(phone: bool = False) -> None:
    """The net read one digit at every saved epoch: see the module docstring."""
    box = lazy_expander("Watch it learn: the network after each epoch", state.LEARN)
    with box:
        if not box.open:
            return
        e, history = saved_epochs(), load_json("history.json")
        why = missing_words(e, history)
        digit = the_digit() if not why else None
        if why or digit is None:
            st.info(why or "There is no digit to read (assets/mnist_sample.npz is missing).")
            return
        image, what = digit
        probs = _read_all(image.tobytes(), str(model_file(ep.EPOCHS_FILE)), reader().sha256)
        if probs is None:
            st.info(missing_words(None, history))
            return
        show(e, history, image, what, probs, phone)


def show(e: ep.Epochs, history: dict, image: np.ndarray, what: str, probs: np.ndarray,
         phone: bool) -> None:
    first, n = 1 - e.start, len(e) - e.start  # the epochs' numbers; 0: before training
    now = chosen_epoch(first, n)
    i, after = now - first, stage_end(history, n)  # its row
    p = probs[i]
    batch = ((load_json("metrics.json") or {}).get("train_config") or {}).get("batch_size")
    st.markdown(WORDS.format(params=sum(v[0].size for v in e.arrays.values()),
                             batch=batch if isinstance(batch, int) else "a few"))
    val = (f"Validation accuracy then: {history['val_accuracy'][now - 1]:.2%}." if now else
           "Its weights are still the random numbers training started from.")
    st.markdown(f"Reading **{what}** after epoch {now} of {n} ({e.label(i)}): "
                f"**{int(p.argmax())}**, {p.max():.0%} sure. {val}")
    left, right = st.columns([1, 3]) if not phone else (st.container(), st.container())
    left.image(enlarge(image, 112), caption="the digit read")
    right.plotly_chart(bars(probs, first, now), config=PLOT_CONFIG, key="learn_bars")
    st.plotly_chart(probabilities_chart(probs, first, now, after), config=PLOT_CONFIG,
                    key="learn_chart")
    st.caption("Each line is one digit's probability after each epoch; the solid line marks "
               "the epoch on the slider" + (", the dotted one where the pen-drawn digits "
                                            "joined training." if after else "."))
    w = e.weights(i)
    c1, maps = st.columns(2) if not phone else (st.container(), st.container())
    c1.plotly_chart(heatmap_grid(w["c1.kernel"][:, :, 0, :], 6, "C1 kernels (red +, blue −)",
                                 "RdBu_r", symmetric=True), config=PLOT_CONFIG,
                    key="learn_kernels")
    maps.plotly_chart(heatmap_grid(forward(w, image)["c1"], 6, "C1 maps of the digit"),
                      config=PLOT_CONFIG, key="learn_maps")
    st.plotly_chart(curves_now(history, now, after), config=PLOT_CONFIG, key="learn_curves")
    if ((load_json("metrics.json") or {}).get("train_config") or {}).get("style_soup"):
        st.caption("The network the app serves is the last epoch's averaged with a run that "
                   "trained only its last two layers, so its answers can differ a little from "
                   "the last epoch's.")
