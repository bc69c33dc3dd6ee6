"""About page: the architecture (read from the trained model), the paper, credits."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lenet5.core.artifacts import CLASSIC
from lenet5.ui import state
from lenet5.ui.resources import load_json

DIFFERENCES = """
| | LeCun et al. 1998 | this network |
|---|---|---|
| input | 32×32, digit in the central 20×20, background −0.1, ink 1.175 | 28×28 in [0, 1] (MNIST as is) |
| activation | scaled tanh, 1.7159·tanh(2x/3) | ReLU |
| S2, S4 | 2×2 average × trainable coefficient + bias, then squashing | 2×2 max-pooling, no parameters |
| C3 | partial connection table (each map sees 3–6 of the S2 maps) | every map sees all 6 S2 maps |
| C5 | 5×5 convolution to 120 maps | dense layer F5 with 120 units on the flattened 4×4×16 |
| output | 10 Euclidean RBF units | 10 logits, softmax |
| training | stochastic diagonal Levenberg–Marquardt, 20 epochs | Adam with warm-up + cosine decay, augmented digits |
| size | about 60,000 parameters | 44,426 parameters |

The 1998 design is also rebuilt as faithfully as Keras allows and served beside this one (the
Draw page shows both readings, the Inside page either net's maps): below.
"""

CLASSIC_NOTES = """
Rebuilt from the paper: the 28×28 digit padded to 32×32 and scaled so the background is −0.1
and ink 1.175; scaled tanh everywhere; S2 and S4 add up each 2×2 block, multiply by a learned
coefficient and add a learned bias per map; each C3 map sees only the S2 maps listed in the
paper's Table I; C5 is a 5×5 convolution to 120 maps. One difference remains: the paper's
output is 10 Euclidean RBF units (fixed ±1 bitmaps of the digits, 840 weights, no biases,
trained with a loss of its own); here it is a dense layer of 10 logits with softmax and
cross-entropy (850 parameters). It is trained like this app's net (Adam, augmented digits).
"""

PREPROCESSING = """
A drawing is not an MNIST digit until it is prepared like one. MNIST's digits were scaled so
that their longer side is 20 pixels (keeping the aspect ratio, anti-aliased), then placed in a
28×28 field with their centre of mass in the middle. The app does the same to your drawing:
it finds the ink (either polarity), crops to its bounding box, scales the longer side to 20 px
with area interpolation, and shifts it so that the centre of mass sits at (14, 14), the mean
position measured over MNIST's 60,000 training digits. A plain resize of the whole canvas
instead leaves the digit small, thin and off-centre, and the network reads far fewer drawings.
"""

TYPICALITY = """
A softmax always sums to one, so the network names a digit, often with 99% "confidence", for a
letter or a star too. The page therefore asks a second question: do the network's own features
(the 256 numbers after S4) look like those of the digits it learned from? The page keeps the
features of 20,000 MNIST training digits and finds the five most similar to your drawing's (by
the angle between them: Sun et al., ICML 2022). If even the fifth is farther away than it is
for 99% of MNIST's held-out digits, the page says the drawing does not look much like a digit.
About 1% of real digits are flagged that way, and about three quarters of the letters and
shapes the project tests with (squares and smileys still pass for zeros).
"""

CREDITS = """
- **MNIST**: Y. LeCun, C. Cortes, C. J. C. Burges, *The MNIST database of handwritten digits*
  (CC BY-SA 3.0). The network is trained on it; a sample of test digits ships with the app.
- **Pen-Based Recognition of Handwritten Digits**: E. Alpaydin, F. Alimoglu, UCI Machine
  Learning Repository (CC BY 4.0). Used only to measure how well drawn digits are read, and a
  few of its digits drive the browser tests.
- **LeNet-5**: Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, *Gradient-based learning applied to
  document recognition*, Proc. IEEE 86(11), 1998.
- Built with Streamlit, streamlit-drawable-canvas, Keras/TensorFlow (training) and LiteRT
  (serving).
"""


NOTHING = "—"  # shown in a table cell with nothing to say (not "None", not blank)


def table(rows: list[dict]) -> None:
    """``rows`` as a table; empty strings and None show as a dash. Numbers stay numbers (the
    dataframe's placeholder fills missing cells; nullable integers, so a column with a gap is
    not turned into floats shown as 156.0), keeping their alignment and sorting."""
    cells = pd.DataFrame([{k: None if v == "" else v for k, v in r.items()} for r in rows])
    st.dataframe(cells.convert_dtypes(), hide_index=True, placeholder=NOTHING)


def architecture_section() -> None:
    st.subheader("Architecture")
    rows = load_json("architecture.json")
    if not rows:
        st.info("models/architecture.json is missing; retrain to recreate it.")
        return
    table([{**r, "input": "×".join(map(str, r["input"])),
            "output": "×".join(map(str, r["output"]))} for r in rows])
    st.caption(f"Read from the trained model: {sum(r['params'] for r in rows):,} parameters.")


def classic_section() -> None:
    st.subheader("The 1998 LeNet-5, rebuilt")
    rows = load_json("architecture.json", CLASSIC)
    if not rows:
        st.info("The 1998 net is not installed (models/classic/). Train it with: python -m "
                "lenet5.train --variant classic --data PATH/TO/mnist.npz --out models/classic")
        return
    table([{"layer": r["layer"], "type": r["type"], "input": "×".join(map(str, r["input"])),
            "output": "×".join(map(str, r["output"])), "activation": r["activation"],
            "parameters": r["params"], "in the paper": r["paper_params"]} for r in rows])
    ours = sum(r["params"] for r in rows)
    paper = sum(r["paper_params"] or 0 for r in rows)
    st.caption(f"Counted from the trained model: {ours:,} parameters (the paper: {paper:,}).")
    st.markdown(CLASSIC_NOTES)
    accuracies = [load_json("metrics.json", folder) for folder in ("", CLASSIC)]
    if all(accuracies):
        modern, old = (m["test_accuracy"] for m in accuracies)
        st.caption(f"MNIST test accuracy: this net {modern:.2%}, the 1998 net {old:.2%} "
                   "(the paper: 99.05%, or 99.2% trained on distorted digits).")


def page() -> None:
    state.arrive("about")
    st.title("About this demo")
    architecture_section()
    st.subheader("How it differs from the 1998 paper")
    st.markdown(DIFFERENCES)
    classic_section()
    st.subheader("Why drawings are preprocessed")
    st.markdown(PREPROCESSING)
    st.subheader("Does it look like a digit at all?")
    st.markdown(TYPICALITY)
    st.subheader("Credits")
    st.markdown(CREDITS)
