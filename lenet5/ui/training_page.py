"""Training page: curves, confusion matrix, mistakes, and where the numbers came from.

Every figure it states is read from models/metrics.json, history.json or crossval.json, or taken
from the constant that defines it (the brush the held-out writers are drawn with)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lenet5.core.segment import SEGMENTATION
from lenet5.core.strokes import BRUSH
from lenet5.ui import state
from lenet5.ui.layout import PLOT_CONFIG, on_a_phone
from lenet5.ui.learn_section import learn_section
from lenet5.ui.plots import confusion_heatmap, enlarge, training_curves
from lenet5.ui.resources import load_json, mnist_sample, style_examples

GALLERY = 32


def summary_section(m: dict) -> None:
    cols = st.columns(4)
    cols[0].metric("MNIST test accuracy", f"{m['test_accuracy']:.2%}")
    cols[1].metric("Test errors", f"{len(m['test']['misclassified'])} / {m['test']['n']:,}")
    cols[2].metric("Parameters", f"{m['param_count']:,}")
    cols[3].metric("Training time", f"{m['train_seconds'] / 60:.1f} min",
                   help="Measured by the training run itself, on the machine that trained "
                        "it.")


def curves_section(m: dict) -> None:
    st.subheader("Loss and accuracy per epoch")
    history = load_json("history.json")
    if not history:
        st.info("models/history.json is missing; retrain to recreate it.")
        return
    cfg = m.get("train_config", {})
    after = cfg.get("epochs")  # the first stage's epochs; a second stage, if any, follows them
    after = after if after and len(history["loss"]) > after else None
    joined = "pen digits" if m.get("pen") else "styles"
    st.plotly_chart(training_curves(history, after, joined), config=PLOT_CONFIG, key="curves")
    st.caption(curves_words(m, history))
    if after:
        st.caption(second_stage_words(m, after))


AUGMENTED = {"rotation_deg": "rotated", "shear": "sheared", "zoom": "zoomed",
             "translate_px": "shifted", "thinner": "thinner strokes", "thicker": "thicker strokes",
             "elastic": "elastically distorted"}  # augment_config's keys, in words


def curves_words(m: dict, history: dict) -> str:
    """What the curves are measured on (metrics.json ``m``) and which accuracy is the higher
    when (``history``: the chart's own figures)."""
    aug = m.get("augment_config") or {}
    kinds = ", ".join(w for k, w in AUGMENTED.items() if aug.get(k))
    trained = (f"the digits as trained on, {aug.get('prob', 1):.0%} of each batch augmented "
               f"({kinds})" if kinds else "the digits as trained on")
    return (f"Training figures are measured on {trained}, validation on "
            f"{m['train_config'].get('val_size', 0):,} held-out clean training digits. "
            f"In the accuracy panel, {crossing_words(history)}")


def crossing_words(history: dict) -> str:
    """Which of the training and validation accuracy curves of ``history`` is the higher, and
    from which epoch: one sentence."""
    if not history.get("accuracy") or not history.get("val_accuracy"):
        return "the history has no accuracy to compare."
    epochs = history.get("epoch") or list(range(1, len(history["accuracy"]) + 1))
    above = [t > v for t, v in zip(history["accuracy"], history["val_accuracy"], strict=True)]
    if all(above) or not any(above):
        return f"{'training' if above[0] else 'validation'} is the higher curve in every epoch."
    first = above.index(True)
    n, of = sum(above[first:]), len(above) - first
    rest = "stays above it" if n == of else f"is the higher in {n} of the {of} epochs from there"
    if first == 0:
        return f"training is the higher curve in {n} of the {of} epochs."
    return (f"validation is the higher curve until epoch {epochs[first - 1]}; training passes "
            f"it at epoch {epochs[first]} and {rest}.")


def second_stage_words(m: dict, after: int) -> str:
    """What the dotted line marks: which digits joined training after epoch ``after``."""
    cfg = m.get("train_config", {})
    added = (["pen-drawn digits by other people (see below)"] if m.get("pen") else []) + (
        ["writing styles MNIST hardly has (European 1s with a flag, crossed 7s and 9s with a "
         "curled tail, drawn onto MNIST's own training digits)"]
        if any(cfg.get(k) for k in STYLE_NAMES) else [])
    return (f"After epoch {after}, {' and '.join(added) or 'more digits'} joined training. "
            "While it learned them, the network was also taught what it had answered before "
            "on MNIST's digits, so as not to forget them."
            + (" The curves of those epochs are the whole net's run, which was averaged with a "
               "run that trained only its last layers." if cfg.get("style_soup") else ""))


def confusion_section(m: dict) -> None:
    st.subheader(f"Confusion matrix on the {m['test']['n']:,} test digits")
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
               "class, with a pen's thinner stroke for the 1s and 7s (lenet5/train/styles.py); "
               "shown here on test digits, taught on training digits.")


def mnist_trained(m: dict) -> int:
    """How many MNIST digits the net trained on: metrics.json's training-set size less the
    digits added to MNIST's (pen drawings, synthesised styles), which it also counts."""
    added = sum(m["train_config"].get(k, 0) for k in STYLE_NAMES)
    return m["train_size"] - (m["pen"]["images"] if m.get("pen") else 0) - added


def data_section(m: dict) -> None:
    """What the net was trained on, and how well it reads people it never saw."""
    st.subheader("What it learned from")
    pen = m.get("pen")
    lines = [f"- **MNIST**: {mnist_trained(m):,} training digits "
             f"({m['train_config'].get('val_size', 0):,} more kept apart for validation), "
             "LeCun, Cortes and Burges, CC BY-SA 3.0."]
    if pen:
        writers = len(pen["writers"]) + len(pen["held_out_writers"])
        lines.append(
            f"- **Pen-drawn digits**: {pen['digits']:,} digits by {len(pen['writers'])} of the "
            f"{writers} writers of UCI's *Pen-Based Recognition of Handwritten Digits* "
            f"(Alpaydin and Alimoglu, CC BY 4.0), each drawn {pen['renders']} times on the "
            f"canvas at a random place, size and brush width ({pen['brushes'][0]}–"
            f"{pen['brushes'][1]} px) and prepared like your drawing: {pen['images']:,} images. "
            "They were written with a pen, as you draw here; MNIST's digits were written with "
            "pencils on paper forms.")
    st.markdown("\n".join(lines))
    if pen:
        held_out_section(pen, load_json("crossval.json"))


def held_out_section(pen: dict, report: dict | None) -> None:
    """Accuracy on writers kept out of training: this net's own, and the recipe's over folds."""
    cols = st.columns(2)
    if pen.get("held_out_accuracy") is not None:
        writers = ", ".join(map(str, pen["held_out_writers"]))
        cols[0].metric("Writers it never saw", f"{pen['held_out_accuracy']:.2%}",
                       help=f"{pen['held_out_n']:,} digits by writers {writers}, kept out of "
                            f"training, drawn at brush {BRUSH}.")
    if report:
        s = report["summary"]["held_out_accuracy"]
        cols[1].metric(f"Cross-validated, {len(report['folds'])} folds of writers",
                       f"{s['mean']:.2%} ± {s['std']:.2%}",
                       help="The same training run once per fold, each time without that "
                            "fold's writers, then reading them: mean ± spread over folds.")
        per_class = report["summary"]["per_class_mean"]
        st.dataframe([{"digit": k, "unseen writers": f"{v:.2%}"} for k, v in per_class.items()],
                     hide_index=True)
        per_person_section(report["summary"])
    st.caption("Accuracy on writers the network trained on says little about new people, so "
               "every figure here is on writers it never saw (split by writer, never by digit).")


LAYOUT_NAMES = {"apart": "written apart", "touching": "touching", "joined": "joined by one stroke"}


def per_person_section(summary: dict) -> None:
    """The cross-validation per person: the worst writer of all folds beside the mean over
    writers (a mean hides one person read badly), and whole numbers per layout, if reported."""
    worst = summary.get("worst_writer")
    if worst:
        st.metric("Worst-read writer, cross-validated", f"{worst['accuracy']:.2%}",
                  help=f"Writer {worst['writer']} ({worst['n']:,} digits), read by the net "
                       f"trained without them; the mean over writers is "
                       f"{summary['writer_mean']:.2%}.")
    rows = [{"written": name, "read exactly":
             f"{summary[f'number_accuracy_{how}']['mean']:.1%}",
             "worst writer": f"{summary[f'worst_writer_numbers_{how}']['number_accuracy']:.1%}"}
            for how, name in LAYOUT_NAMES.items() if f"number_accuracy_{how}" in summary]
    if rows:
        st.markdown("**Whole numbers of 2-6 digits by the writers each fold's net never saw** "
                    "(mean over folds):")
        st.dataframe(rows, hide_index=True)
        st.caption(segmentation_words(summary.get("segmentation")))


def segmentation_words(measured: str | None) -> str:
    """Whether the cross-validation read numbers as the Number page reads them now."""
    if measured == SEGMENTATION:
        return "Read as the Number page reads them."
    return ("Read by an earlier way of cutting numbers into digits than the Number page's "
            f"({SEGMENTATION.split(': ', 1)[-1]}); the cross-validation has not been rerun "
            "since. docs/numbers.md has the held-out figures of the page's reading.")


def provenance_section(m: dict) -> None:
    with st.expander("Training configuration and data checksum"):
        st.json({"data": m["data"], "pen": m.get("pen"), "train_config": m["train_config"],
                 "augment_config": m["augment_config"], "versions": m["versions"]})


def page() -> None:
    state.arrive("training")
    st.title("How it was trained")
    m = load_json("metrics.json")
    if not m:
        st.error("models/metrics.json is missing. Train the model: "
                 "python -m lenet5.train --data PATH/TO/mnist.npz")
        return
    summary_section(m)
    curves_section(m)
    learn_section(on_a_phone())
    data_section(m)
    styles_section(m)
    confusion_section(m)
    mistakes_section(m)
    provenance_section(m)
