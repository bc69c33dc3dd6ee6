"""Training page: curves, confusion matrix, mistakes, and where the numbers came from."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lenet5.plots import confusion_heatmap, enlarge, training_curves
from lenet5.synth import synthesize
from lenet5.ui.common import load_json, mnist_sample

PLOT_CONFIG = {"displayModeBar": False}
GALLERY = 32


def summary_section(m: dict) -> None:
    cols = st.columns(4)
    cols[0].metric("MNIST test accuracy", f"{m['test_accuracy']:.2%}")
    cols[1].metric("Test errors", f"{len(m['test']['misclassified'])} / {m['test']['n']:,}")
    cols[2].metric("Parameters", f"{m['param_count']:,}")
    cols[3].metric("Training time", f"{m['train_seconds'] / 60:.1f} min",
                   help="On 2 CPU cores, measured by the training run itself.")


def curves_section(m: dict) -> None:
    st.subheader("Loss and accuracy per epoch")
    history = load_json("history.json")
    if not history:
        st.info("models/history.json is missing; retrain to recreate it.")
        return
    cfg = m.get("train_config", {})
    after = cfg.get("epochs")  # the first stage's epochs; a second stage, if any, follows them
    after = after if after and len(history["loss"]) > after else None
    st.plotly_chart(training_curves(history, after), config=PLOT_CONFIG, key="curves")
    st.caption("Training figures are measured on augmented digits (rotated, sheared, zoomed, "
               "shifted, thinner or thicker strokes), validation on 5,000 held-out clean "
               "training digits: that is why validation is the higher curve.")
    if after:
        st.caption(f"After epoch {after}, writing styles MNIST hardly has were added: European "
                   "1s with a flag, crossed 7s and 9s with a curled tail, drawn onto MNIST's own "
                   "training digits. While it learned them, the network was also taught what it "
                   "had answered before on MNIST's digits, so as not to forget them."
                   + (" The curves of those epochs are the whole net's run, which was averaged "
                      "with a run that trained only its last two layers."
                      if cfg.get("style_soup") else ""))


def confusion_section(m: dict) -> None:
    st.subheader("Confusion matrix on the 10,000 test digits")
    left, right = st.columns([3, 1])
    left.plotly_chart(confusion_heatmap(np.array(m["test"]["confusion_matrix"])),
                      config=PLOT_CONFIG, key="confusion")
    per_class = [{"digit": k, "accuracy": f"{v:.2%}"} for k, v in m["test"]["per_class"].items()]
    right.dataframe(per_class, hide_index=True)


def mistakes_section(m: dict) -> None:
    st.subheader("Some of its mistakes")
    sample = mnist_sample()
    wrong = m["test"]["misclassified"]
    if sample is None or not wrong:
        st.info("No misclassified digits to show.")
        return
    x, _, index = sample
    where = {int(i): k for k, i in enumerate(index)}
    shown = [w for w in wrong if w["index"] in where][:GALLERY]
    cols = st.columns(8)
    for n, w in enumerate(shown):
        cols[n % 8].image(enlarge(x[where[w["index"]]] / 255.0, 84),
                          caption=f"#{w['index']}: {w['true']} → {w['pred']}")
    st.caption("Caption: test index, true label → what the network said.")


STYLE_NAMES = {"flag_ones": "European 1s (a flag from the top)", "crossed_sevens":
               "crossed 7s", "curled_nines": "9s whose tail curls left"}


@st.cache_data(show_spinner=False)
def style_examples(per_style: int = 10) -> dict[str, np.ndarray]:
    """``per_style`` examples of each synthesised style, ``(28, 28 * n) uint8`` strips, drawn
    (for display) on digits of the shipped MNIST sample; empty without it."""
    sample = mnist_sample()
    if sample is None:
        return {}
    x, y, _ = sample
    strips = {}
    for style in STYLE_NAMES:
        images, _ = synthesize(x, y, {style: per_style}, seed=0)
        if len(images):
            strips[style] = np.hstack(list(images))
    return strips


def styles_section(m: dict) -> None:
    counts = {k: m.get("train_config", {}).get(k, 0) for k in STYLE_NAMES}
    if not any(counts.values()):
        return
    st.subheader("Writing styles it was taught besides MNIST")
    for style, strip in style_examples().items():
        if counts[style]:
            st.image(enlarge(strip / 255.0, 56 * strip.shape[1] // 28),
                     caption=f"{STYLE_NAMES[style]}: {counts[style]:,} added")
    st.caption("MNIST's writers hardly used these styles, and pen-drawn digits written so were "
               "misread (a European 1 as 7). Each is drawn onto an MNIST digit of the right "
               "class, with a pen's thinner stroke for the 1s and 7s (lenet5/synth.py); shown "
               "here on test digits, taught on training digits.")


def provenance_section(m: dict) -> None:
    with st.expander("Training configuration and data checksum"):
        st.json({"data": m["data"], "train_config": m["train_config"],
                 "augment_config": m["augment_config"], "versions": m["versions"]})


def page() -> None:
    st.session_state["last_page"] = "training"
    st.title("How it was trained")
    m = load_json("metrics.json")
    if not m:
        st.error("models/metrics.json is missing. Train the model: "
                 "python -m lenet5.train --data PATH/TO/mnist.npz")
        return
    summary_section(m)
    curves_section(m)
    styles_section(m)
    confusion_section(m)
    mistakes_section(m)
    provenance_section(m)
