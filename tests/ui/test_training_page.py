"""The Training page says what the committed net learned from and how well it reads writers it
never saw, with the figures of models/metrics.json and models/crossval.json."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from lenet5.core.artifacts import models_dir


def training_page():
    from lenet5.ui import training_page as training

    training.page()


def test_training_page_shows_the_data_and_unseen_writers():
    at = AppTest.from_function(training_page).run(timeout=60)
    assert not at.exception
    pen = json.loads((models_dir() / "metrics.json").read_text())["pen"]
    report = json.loads((models_dir() / "crossval.json").read_text())
    text = " ".join(m.value for m in at.markdown)
    assert "Pen-drawn digits" in text and "CC BY 4.0" in text and "MNIST" in text
    writers = len(pen["writers"]) + len(pen["held_out_writers"])  # all of the dataset's
    assert f"{pen['digits']:,} digits by {len(pen['writers'])} of the {writers} writers" in text
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Writers it never saw"] == f"{pen['held_out_accuracy']:.2%}"
    cv = report["summary"]["held_out_accuracy"]
    label = f"Cross-validated, {len(report['folds'])} folds of writers"
    assert metrics[label] == f"{cv['mean']:.2%} ± {cv['std']:.2%}"
    assert any("never saw" in c.value for c in at.caption)
    worst = report["summary"]["worst_writer"]
    assert metrics["Worst-read writer, cross-validated"] == f"{worst['accuracy']:.2%}"
    table = next(d.value for d in at.dataframe if "written" in d.value.columns)
    joined = report["summary"]["number_accuracy_joined"]["mean"]
    assert list(table["written"]) == ["written apart", "touching", "joined by one stroke"]
    assert table["read exactly"].iloc[2] == f"{joined:.1%}"
