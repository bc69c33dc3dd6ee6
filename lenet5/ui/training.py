"""Training page: curves, confusion matrix, mistakes, and where the numbers came from."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lenet5.plots import confusion_heatmap, enlarge, training_curves
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


def curves_section() -> None:
    st.subheader("Loss and accuracy per epoch")
    history = load_json("history.json")
    if not history:
        st.info("models/history.json is missing; retrain to recreate it.")
        return
    st.plotly_chart(training_curves(history), config=PLOT_CONFIG, key="curves")
    st.caption("Training figures are measured on augmented digits (rotated, sheared, zoomed, "
               "shifted, thinner or thicker strokes), validation on 5,000 held-out clean "
               "training digits: that is why validation is the higher curve.")


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
    curves_section()
    confusion_section(m)
    mistakes_section(m)
    provenance_section(m)
