"""Inside the network: every layer's activations for the current drawing, and the kernels."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lenet5.core.artifacts import CLASSIC
from lenet5.core.predictor import Reading
from lenet5.ui import state
from lenet5.ui.inside_experiments import switch_section, unit_section
from lenet5.ui.layout import PLOT_CONFIG
from lenet5.ui.plots import activation_bars, enlarge, heatmap_grid
from lenet5.ui.resources import (
    classic_predictor,
    current_analysis,
    kernels,
    mnist_sample,
    predictor_or_stop,
)

MODERN, OLD = "This LeNet-5", "The 1998 LeNet-5"
CONV_LAYERS = {  # per network: name, columns in the grid, what it is
    MODERN: (
        ("c1", 6, "C1: six 5×5 filters slide over the 28×28 input → 6 maps of 24×24"),
        ("s2", 6, "S2: 2×2 max-pooling halves each map → 6 maps of 12×12"),
        ("c3", 8, "C3: sixteen 5×5×6 filters combine the S2 maps → 16 maps of 8×8"),
        ("s4", 8, "S4: 2×2 max-pooling → 16 maps of 4×4, flattened to 256 numbers"),
    ),
    OLD: (
        ("c1", 6, "C1: six 5×5 filters over the input padded to 32×32 → 6 maps of 28×28"),
        ("s2", 6, "S2: 2×2 sums × a learned coefficient + bias, squashed → 6 maps of 14×14"),
        ("c3", 8, "C3: sixteen 5×5 filters, each over its own subset of the S2 maps (the "
                  "paper's Table I) → 16 maps of 10×10"),
        ("s4", 8, "S4: trainable subsampling again → 16 maps of 5×5"),
    ),
}
DENSE_LAYERS = {  # per network: (name, title) of the two hidden layers
    MODERN: (("f5", "F5: 120 units (ReLU)"), ("f6", "F6: 84 units (ReLU)")),
    OLD: (("c5", "C5: 120 maps of 1×1 (a 5×5 convolution; scaled tanh)"),
          ("f6", "F6: 84 units (scaled tanh)")),
}


def network_section() -> str:
    """Which network to look inside (the modern one if the 1998 one is not installed)."""
    if classic_predictor() is None:
        return MODERN
    choice = st.segmented_control("Network", [MODERN, OLD], default=MODERN, key=state.INSIDE_NET,
                                  help="Both read the same 28×28 input. The 1998 net follows "
                                       "LeCun et al.; see the About page for the differences.")
    return choice or MODERN


def source_section() -> np.ndarray:
    """The input to show: the current drawing, else a shipped MNIST test digit."""
    analysis = current_analysis()
    if analysis is not None:
        st.caption("Showing your current drawing (draw another one on the Draw page).")
        return analysis.pre.image
    sample = mnist_sample()
    if sample is None:
        st.info("Draw a digit on the Draw page to see what every layer makes of it.")
        st.stop()
    x, y, _ = sample
    st.info("No drawing yet, so here is an MNIST test digit. Draw one on the Draw page to see "
            "yours.")
    k = st.slider("MNIST test digit", 0, len(x) - 1, 0, key=state.INSIDE_SAMPLE)
    return x[k].astype(np.float32) / 255


def input_section(image: np.ndarray, reading: Reading) -> None:
    col, text = st.columns([1, 3])
    col.image(enlarge(image, 140), caption="input, 28×28")
    text.metric("The network reads", str(reading.digit))
    text.caption(f"{reading.confidence:.1%} probability. Bright = strong activation; each map is "
                 "one learned feature detector's response at every position.")


def conv_section(reading: Reading, net: str) -> None:
    for name, cols, title in CONV_LAYERS[net]:
        st.plotly_chart(heatmap_grid(reading.maps[name], cols, title), config=PLOT_CONFIG,
                        key=f"map_{name}")


def dense_section(reading: Reading, net: str) -> None:
    for col, (name, title) in zip(st.columns(2), DENSE_LAYERS[net], strict=True):
        col.plotly_chart(activation_bars(reading.maps[name].reshape(-1), title),
                         config=PLOT_CONFIG, key=name)
    st.plotly_chart(activation_bars(reading.maps["output"], "Output: 10 logits (before softmax)"),
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
    net = network_section()
    image = source_section()
    model = classic_predictor() if net == OLD else predictor_or_stop()
    reading = model(image)
    input_section(image, reading)
    conv_section(reading, net)
    dense_section(reading, net)
    kernels_section(net)
    st.subheader("Poke the network")
    folder = CLASSIC if net == OLD else ""
    unit_section(image, reading, folder)
    switch_section(image, reading, model, folder)
