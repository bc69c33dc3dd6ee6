"""About page: the architecture (read from the trained model), the paper, credits.

Every figure about the nets is read from their artifacts (models/architecture.json,
models/metrics.json, the same in models/classic/, what the typicality bank recorded about
itself) or taken from the constant that defines it; the 1998 paper's figures are the paper's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from lenet5.core import preprocess, typicality
from lenet5.core.artifacts import CLASSIC, TYPICALITY_FILE, model_file
from lenet5.core.forward import CLASSIC_OFFSET, CLASSIC_SCALE, TANH_A, TANH_S
from lenet5.ui import state
from lenet5.ui.resources import load_json

PAPER = {  # LeCun et al. 1998, Section II-B and Appendix A: the paper's own figures
    "input": "32×32, digit in the central 20×20, background −0.1, ink 1.175",
    "activation": "scaled tanh, 1.7159·tanh(2x/3)",
    "S2, S4": "2×2 average × trainable coefficient + bias, then squashing",
    "C3": "partial connection table (each map sees 3–6 of the S2 maps)",
    "C5": "5×5 convolution to 120 maps",
    "output": "10 Euclidean RBF units",
    "training": "stochastic diagonal Levenberg–Marquardt, 20 epochs",
    "size": "about 60,000 parameters",
}
PAPER_ACCURACY = (0.9905, 0.992)  # the paper's LeNet-5 on MNIST test: plain, distorted digits
STYLES = ("flag_ones", "crossed_sevens", "curled_nines")  # train_config's counts of added styles
ACTIVATIONS = {"relu": "ReLU", "scaled_tanh": "scaled tanh"}
# What lenet5.train.lookups.bank_facts records in the typicality bank (tests check the names)
BANK_FACTS = ("bank_mnist", "bank_pen", "pool_mnist", "pool_pen")

CLASSIC_NOTES = f"""
Rebuilt from the paper: the {{fed}} digit padded to {{padded}} and scaled so the background is
{CLASSIC_OFFSET:g} and ink {CLASSIC_OFFSET + CLASSIC_SCALE:g}; scaled tanh everywhere
({TANH_A:g}·tanh({TANH_S * 3:g}x/3)); S2 and S4 add up each 2×2 block, multiply by a learned
coefficient and add a learned bias per map; each C3 map sees only the S2 maps listed in the
paper's Table I; C5 is a {{c5}}. One difference remains: the paper's output is 10 Euclidean RBF
units (fixed ±1 bitmaps of the digits, {{rbf}} weights, no biases, trained with a loss of its
own); here it is a dense layer of {{classes}} logits with softmax and cross-entropy ({{dense}}
parameters). {{trained}}
"""

PREPROCESSING = f"""
A drawing is not an MNIST digit until it is prepared like one. MNIST's digits were scaled so
that their longer side is {preprocess.BOX} pixels (keeping the aspect ratio, anti-aliased),
then placed in a {preprocess.SIZE}×{preprocess.SIZE} field with their centre of mass in the
middle. The app does the same to your drawing: it finds the ink (either polarity), crops to
its bounding box, scales the longer side to {preprocess.BOX} px with area interpolation, and
shifts it so that the centre of mass sits at ({preprocess.CENTRE:g}, {preprocess.CENTRE:g}),
the mean position measured over MNIST's training digits. A plain resize of the whole canvas
instead leaves the digit small, thin and off-centre, and the network reads far fewer drawings.
"""

CREDITS = """
- **MNIST**: Y. LeCun, C. Cortes, C. J. C. Burges, *The MNIST database of handwritten digits*
  (CC BY-SA 3.0). The network is trained on it; a sample of test digits ships with the app.
- **Pen-Based Recognition of Handwritten Digits**: E. Alpaydin, F. Alimoglu, UCI Machine
  Learning Repository (CC BY 4.0). {pen}
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


def shape(dims: list[int]) -> str:
    """``[28, 28, 1]`` -> "28×28×1"."""
    return "×".join(map(str, dims))


def layers(rows: list[dict]) -> dict[str, dict]:
    """architecture.json's rows by layer name."""
    return {r["layer"]: r for r in rows}


def architecture_section() -> None:
    st.subheader("Architecture")
    rows = load_json("architecture.json")
    if not rows:
        st.info("models/architecture.json is missing; retrain to recreate it.")
        return
    table([{**r, "input": shape(r["input"]), "output": shape(r["output"])} for r in rows])
    st.caption(f"Read from the trained model: {sum(r['params'] for r in rows):,} parameters.")


def this_network(rows: list[dict], m: dict) -> dict[str, str]:
    """The "this network" column of the comparison with the paper, from architecture.json's
    ``rows`` and metrics.json ``m``, keyed as :data:`PAPER`."""
    by, model, train = layers(rows), m["model_config"], m["train_config"]
    side = shape(rows[0]["input"][:2])
    pool = by["s2"]["kernel"].replace("x", "×")
    warm = "warm-up + " if train.get("warmup_epochs") else ""
    return {
        "input": f"{side} in [0, 1] (MNIST as is)",
        "activation": ACTIVATIONS.get(model["activation"], model["activation"]),
        "S2, S4": f"{pool} max-pooling, no parameters",
        "C3": f"every map sees all {model['c1_filters']} S2 maps",
        "C5": f"dense layer F5 with {model['f5_units']} units on the flattened "
              f"{shape(by['s4']['output'])}",
        "output": f"{model['classes']} logits, softmax",
        "training": f"Adam with {warm}{train['schedule']} decay, augmented digits"
                    + (", pen-drawn digits" if m.get("pen") else ""),
        "size": f"{m['param_count']:,} parameters",
    }


def differences(ours: dict[str, str]) -> str:
    """The comparison with the paper as a markdown table."""
    lines = ["| | LeCun et al. 1998 | this network |", "|---|---|---|"]
    lines += [f"| {row} | {paper} | {ours[row]} |" for row, paper in PAPER.items()]
    return "\n".join(lines) + (
        "\n\nThe 1998 design is also rebuilt as faithfully as Keras allows and served beside "
        "this one (the Draw page shows both readings, the Inside page either net's maps): below.")


def differences_section() -> None:
    st.subheader("How it differs from the 1998 paper")
    rows, m = load_json("architecture.json"), load_json("metrics.json")
    if not rows or not m:
        st.info("models/architecture.json or metrics.json is missing; retrain to recreate them.")
        return
    st.markdown(differences(this_network(rows, m)))


def trained_words(m: dict | None) -> str:
    """How the 1998 net was trained, from its metrics.json ``m``."""
    parts = ["augmented MNIST digits"]
    if m and m.get("pen"):
        parts.append(f"{m['pen']['images']:,} canvas drawings of {m['pen']['digits']:,} "
                     "pen-drawn digits")
    styles = sum(m["train_config"].get(k, 0) for k in STYLES) if m else 0
    if styles:
        parts.append(f"{styles:,} digits in writing styles MNIST hardly has")
    listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    return f"It is trained with Adam on {listed}."


def classic_notes(rows: list[dict], m: dict | None) -> str:
    """:data:`CLASSIC_NOTES` with the 1998 net's figures, from its architecture.json ``rows``
    and metrics.json ``m``."""
    by = layers(rows)
    c5 = by["c5"]["kernel"].replace("x", "×").replace(",", " convolution to")  # "5x5, 120 maps"
    return CLASSIC_NOTES.format(
        fed=shape(by["pad"]["input"][:2]), padded=shape(by["pad"]["output"][:2]), c5=c5,
        rbf=f"{by['output']['paper_params']:,}", classes=by["output"]["output"][0],
        dense=f"{by['output']['params']:,}", trained=trained_words(m))


def classic_section() -> None:
    st.subheader("The 1998 LeNet-5, rebuilt")
    rows = load_json("architecture.json", CLASSIC)
    if not rows:
        st.info("The 1998 net is not installed (models/classic/). Train it with: python -m "
                "lenet5.train --variant classic --data PATH/TO/mnist.npz")
        return
    table([{"layer": r["layer"], "type": r["type"], "input": shape(r["input"]),
            "output": shape(r["output"]), "activation": r["activation"],
            "parameters": r["params"], "in the paper": r["paper_params"]} for r in rows])
    ours = sum(r["params"] for r in rows)
    paper = sum(r["paper_params"] or 0 for r in rows)
    st.caption(f"Counted from the trained model: {ours:,} parameters (the paper: {paper:,}).")
    metrics = [load_json("metrics.json", folder) for folder in ("", CLASSIC)]
    st.markdown(classic_notes(rows, metrics[1]))
    if all(metrics):
        modern, old = (m["test_accuracy"] for m in metrics)
        plain, distorted = PAPER_ACCURACY
        st.caption(f"MNIST test accuracy: this net {modern:.2%}, the 1998 net {old:.2%} "
                   f"(the paper: {plain:.2%}, or {distorted:.1%} trained on distorted digits).")


@st.cache_data(show_spinner=False)
def recorded(path: str) -> dict[str, int]:
    """The :data:`BANK_FACTS` the ``.npz`` at ``path`` recorded about itself (those it has;
    empty if it is missing or unreadable)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: int(z[k]) for k in BANK_FACTS if k in z.files}
    except (OSError, ValueError):
        return {}


def bank_words(facts: dict[str, int]) -> str:
    """What the typicality bank holds, from what it recorded (``facts``), else its size."""
    if not set(BANK_FACTS) <= set(facts):  # a bank made before it recorded what it holds
        return f"{typicality.BANK:,} of its training digits"
    kept = facts["bank_mnist"] + facts["bank_pen"]
    words = (f"{kept:,} of its training digits, drawn at random: {facts['bank_mnist']:,} of "
             f"the {facts['pool_mnist']:,} from MNIST")
    if facts["pool_pen"]:
        words += (f" and {facts['bank_pen']:,} of the {facts['pool_pen']:,} pen-drawn ones "
                  "(one canvas drawing of each)")
    return words


def ordinal(n: int) -> str:
    """1 -> "1st", 5 -> "5th", 12 -> "12th"."""
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def typicality_words(rows: list[dict] | None, facts: dict[str, int]) -> str:
    """The typicality check explained, with the figures of the bank (``facts``), the
    architecture (``rows``: the width of the features compared) and core.typicality."""
    by = layers(rows or [])
    width = by.get(typicality.LAYER, {}).get("output")
    numbers = f"the {width[0]:,} numbers" if width else "the numbers"
    flagged = 1 - typicality.QUANTILE
    return (
        "A softmax always sums to one, so the network names a digit, often all but certain of "
        "it, for a letter or a star too. The page therefore asks a second question: do the "
        f"network's own features ({numbers} after S4) look like those of the digits it learned "
        f"from? The page keeps the features of {bank_words(facts)}, and finds the "
        f"{typicality.K} most similar to your drawing's (by the angle between them: Sun et al., "
        f"ICML 2022). If even the {ordinal(typicality.K)} is farther away than it is for "
        f"{typicality.QUANTILE:.0%} of MNIST's held-out digits, the page says the drawing does "
        f"not look much like a digit. So about {flagged:.0%} of real digits are flagged that "
        "way, and most of the letters and shapes the project tests with (docs/recognition.md "
        "has the measurements; squares and smileys still pass for zeros).")


def pen_words(modern: dict | None, classic: dict | None) -> str:
    """The pen-drawn digits' credit: which nets train on them and whose are held out."""
    pen = (modern or {}).get("pen")
    if not pen:
        return "Used to measure how well drawn digits are read."
    same = (classic or {}).get("pen", {}).get("held_out_writers") == pen["held_out_writers"]
    nets = "Both nets train" if same else "This app's net trains"
    writers = len(pen["writers"]) + len(pen["held_out_writers"])
    held = ", ".join(map(str, pen["held_out_writers"]))
    return (f"{nets} on canvas drawings of the digits of {len(pen['writers'])} of its {writers} "
            f"writers; the writers of fold {pen['held_out_fold']} ({held}) are kept out of "
            "training to measure how well digits drawn by new people are read (the Training "
            "page has the figures), and a few of their digits drive the browser tests.")


def page() -> None:
    state.arrive("about")
    st.title("About this demo")
    architecture_section()
    differences_section()
    classic_section()
    st.subheader("Why drawings are preprocessed")
    st.markdown(PREPROCESSING)
    st.subheader("Does it look like a digit at all?")
    st.markdown(typicality_words(load_json("architecture.json"),
                                 recorded(str(model_file(TYPICALITY_FILE)))))
    st.subheader("Credits")
    st.markdown(CREDITS.format(pen=pen_words(load_json("metrics.json"),
                                             load_json("metrics.json", CLASSIC))))
