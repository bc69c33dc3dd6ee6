"""Inside the network: every layer's activations for the current drawing, and the kernels."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lenet5.core.artifacts import CLASSIC
from lenet5.core.predictor import Reading
from lenet5.core.reader import Reader
from lenet5.ui import state
from lenet5.ui.inside_experiments import switch_section, unit_section
from lenet5.ui.layout import PLOT_CONFIG
from lenet5.ui.plots import activation_bars, enlarge, heatmap_grid
from lenet5.ui.resources import current_report, kernels, load_json, mnist_sample, reader

MODERN, OLD = "This LeNet-5", "The 1998 LeNet-5"
ACTIVATIONS = {"relu": "ReLU", "scaled_tanh": "scaled tanh", "linear": "no activation"}
HOW = {  # what a layer of each type does, in words (its sizes come from architecture.json)
    "Conv2D": "{n} {k} filters slide over the {i} input",
    "PartialConv2D": "{n} {k} filters, each over its own subset of the S2 maps (the paper's "
                     "Table I), over the {i} input",
    "MaxPooling2D": "{k} max-pooling halves each map",
    "Subsampling": "{k} sums × a learned coefficient + bias, squashed",
}
MAP_TYPES = tuple(HOW)


def _size(shape: list[int]) -> str:
    return "×".join(str(n) for n in shape[:2])


def layer_title(row: dict) -> str:
    """A layer's title from its row of ``architecture.json``, e.g. "C1: 6 5×5 filters slide
    over the 28×28 input → 6 maps of 24×24 (ReLU)"."""
    out, act = row["output"], ACTIVATIONS.get(row["activation"], row["activation"])
    name = row["layer"].upper()
    if len(out) == 1:
        return f"{name}: {out[0]} units ({act})"
    kernel = row["kernel"].split(",")[0].replace("x", "×")
    how = HOW[row["type"]].format(n=out[2], k=kernel, i=_size(row["input"]))
    tail = f" ({act})" if act and row["type"] != "MaxPooling2D" else ""
    return f"{name}: {how} → {out[2]} maps of {_size(out)}{tail}"


def map_layers(architecture: list[dict]) -> list[dict]:
    """The rows of the layers shown as grids of maps (convolutions and poolings)."""
    return [r for r in architecture if r["type"] in MAP_TYPES and r["output"][:2] != [1, 1]]


def unit_layers(architecture: list[dict]) -> list[dict]:
    """The rows of the hidden layers shown as bars (dense layers, and a convolution to 1×1
    maps: the 1998 net's C5); the output layer apart."""
    return [r for r in architecture if r["layer"] != "output" and r["type"] != "Flatten"
            and (len(r["output"]) == 1 and r["type"] == "Dense" or r["output"][:2] == [1, 1])]


def network_section(both: bool) -> str:
    """Which network to look inside (the modern one unless ``both`` are installed)."""
    if not both:
        return MODERN
    choice = st.segmented_control("Network", [MODERN, OLD], default=MODERN, key=state.INSIDE_NET,
                                  help="Both read the same 28×28 input. The 1998 net follows "
                                       "LeCun et al.; see the About page for the differences.")
    return choice or MODERN


def source_section(r: Reader) -> tuple[np.ndarray, Reading, Reading | None]:
    """The input to show, ``(28, 28) float32 in [0, 1]``, and both nets' readings of it: the
    current drawing's report, else a shipped MNIST test digit, read now."""
    report = current_report()
    if report is not None:
        st.caption("Showing your current drawing (draw another one on the Draw page).")
        return report.pre.image, report.modern, report.classic
    sample = mnist_sample()
    if sample is None:
        st.info("Draw a digit on the Draw page to see what every layer makes of it.")
        st.stop()
    x, _, _ = sample
    st.info("No drawing yet, so here is an MNIST test digit. Draw one on the Draw page to see "
            "yours.")
    k = st.slider("MNIST test digit", 0, len(x) - 1, 0, key=state.INSIDE_SAMPLE)
    image = x[k].astype(np.float32) / 255
    return (image, *r.look(image))


def input_section(image: np.ndarray, reading: Reading) -> None:
    col, text = st.columns([1, 3])
    col.image(enlarge(image, 140), caption="input, 28×28")
    text.metric("The network reads", str(reading.digit))
    text.caption(f"{reading.confidence:.1%} probability. Bright = strong activation; each map is "
                 "one learned feature detector's response at every position.")


def conv_section(reading: Reading, architecture: list[dict]) -> None:
    for row in map_layers(architecture):
        name = row["layer"]
        maps = row["output"][2]
        st.plotly_chart(heatmap_grid(reading.maps[name], maps if maps <= 8 else 8,
                                     layer_title(row)), config=PLOT_CONFIG, key=f"map_{name}")


def dense_section(reading: Reading, architecture: list[dict]) -> None:
    rows = unit_layers(architecture)
    for col, row in zip(st.columns(len(rows)), rows, strict=True):
        col.plotly_chart(activation_bars(reading.maps[row["layer"]].reshape(-1),
                                         layer_title(row)), config=PLOT_CONFIG, key=row["layer"])
    st.plotly_chart(activation_bars(reading.maps["output"],
                                    f"Output: {reading.probs.size} logits (before softmax)",
                                    axis="digit"),
                    config=PLOT_CONFIG, key="logits")


def kernels_section(net: str) -> None:
    st.subheader("What C1 and C3 learned")
    k = kernels(CLASSIC if net == OLD else "")
    if k is None:
        st.info("The kernels file (models/kernels.npz) is missing; retrain to recreate it.")
        return
    c1 = k["c1"][:, :, 0, :]  # (5, 5, 6)
    st.plotly_chart(heatmap_grid(c1, 6, "C1 kernels (red +, blue −)", "RdBu_r", symmetric=True),
                    config=PLOT_CONFIG, key="k_c1")
    c3 = k["c3"].reshape(5, 5, -1)  # channel i*16 + o: input map i (row), output map o (column)
    st.plotly_chart(heatmap_grid(c3, k["c3"].shape[3], "C3 kernels: row = S2 map, column = "
                                 "C3 map", "RdBu_r", symmetric=True), config=PLOT_CONFIG,
                    key="k_c3")
    if net == OLD:
        st.caption("Blank kernels are connections the 1998 design leaves out (Table I): each C3 "
                   "map sees only some of the S2 maps, to break symmetry and save parameters.")


def page() -> None:
    state.arrive("inside")
    st.title("Inside the network")
    r = reader()
    net = network_section(r.classic is not None)
    image, modern, classic = source_section(r)
    folder, reading = (CLASSIC, classic) if net == OLD else ("", modern)
    architecture = load_json("architecture.json", folder)
    input_section(image, reading)
    if not architecture:
        st.info(f"models/{folder}/architecture.json is missing; retrain to recreate it.")
        return
    conv_section(reading, architecture)
    dense_section(reading, architecture)
    kernels_section(net)
    st.subheader("Poke the network")
    unit_section(image, reading, folder)
    switch_section(image, reading, (r.classic if net == OLD else r.modern).sha256, folder)
