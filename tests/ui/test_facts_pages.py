"""The figures the About and Training pages state follow the artifacts (issue: facts typed into
pages drift from them): served a models folder whose metrics, history and typicality bank say
other numbers, the pages say those numbers, and none of the committed ones typed in prose."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lenet5.core import typicality
from lenet5.core.artifacts import MODELS_ENV, TYPICALITY_FILE, models_dir

FACTS = {"bank_mnist": 1_234, "bank_pen": 567, "pool_mnist": 50_000, "pool_pen": 4_321}


def page(name: str) -> None:
    import importlib

    importlib.import_module(f"lenet5.ui.{name}_page").page()


def edited_metrics() -> dict:
    """The committed metrics.json with other figures everywhere the pages read one."""
    m = json.loads((models_dir() / "metrics.json").read_text())
    m["param_count"] = 12_345
    m["test"]["n"] = 9_876
    m["train_config"]["val_size"] = 4_321
    m["augment_config"] = {**m["augment_config"], "prob": 0.55, "elastic": 1.0}
    m["pen"] = {**m["pen"], "writers": m["pen"]["writers"][:20], "images": 40_000,
                "held_out_writers": [*m["pen"]["held_out_writers"], 31], "held_out_fold": 3}
    m["train_size"] = 50_000 + 40_000  # MNIST's digits + the pen drawings (no styles)
    return m


HISTORY = {"loss": [1.0, 0.8, 0.6, 0.5, 0.4], "val_loss": [0.9, 0.7, 0.6, 0.55, 0.5],
           "accuracy": [0.80, 0.85, 0.90, 0.93, 0.95],
           "val_accuracy": [0.82, 0.86, 0.89, 0.90, 0.91], "epoch": [1, 2, 3, 4, 5]}


@pytest.fixture
def other_models(tmp_path: Path, monkeypatch) -> Path:
    """A models folder like the committed one but for edited metrics, history and bank."""
    for item in models_dir().iterdir():
        (tmp_path / item.name).symlink_to(item)
    for name, content in (("metrics.json", edited_metrics()), ("history.json", HISTORY)):
        (tmp_path / name).unlink()
        (tmp_path / name).write_text(json.dumps(content))
    (tmp_path / TYPICALITY_FILE).unlink()
    np.savez(tmp_path / TYPICALITY_FILE, **{k: np.int64(v) for k, v in FACTS.items()})
    monkeypatch.setenv(MODELS_ENV, str(tmp_path))
    st.cache_data.clear()  # the committed files, read by earlier tests
    yield tmp_path
    st.cache_data.clear()


def words(at: AppTest) -> str:
    """Everything the page wrote: markdown, captions, subheaders, metrics and their help."""
    parts = [e.value for kind in ("markdown", "caption", "subheader") for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value} {m.proto.help}" for m in at.metric]
    return " ".join(parts)


def run(name: str) -> AppTest:
    at = AppTest.from_function(page, args=(name,)).run(timeout=60)
    assert not at.exception, at.exception
    return at


def test_the_about_page_states_the_artifacts_figures(other_models):
    at = run("about")
    text = words(at)
    assert "| size | about 60,000 parameters | 12,345 parameters |" in text  # metrics.json
    prose = " ".join(m.value for m in at.markdown)  # (the caption sums architecture.json)
    assert "44,426" not in prose  # the committed count, typed before
    assert "1,801 of its training digits" in text  # the bank's own record
    assert "1,234 of the 50,000 from MNIST and 567 of the 4,321 pen-drawn ones" in text
    assert f"the {typicality.K} most similar" in text
    assert "20,000 MNIST training digits" not in text
    # the 1998 net's metrics still hold out fold 0: only this app's net is said to
    assert "This app's net trains on canvas drawings of the digits of 20 of its 27 writers" \
        in text
    assert "the writers of fold 3 (1, 6, 11, 16, 21, 26, 31) are kept out of training" in text
    assert "Used only to measure" not in text


def test_the_training_page_states_the_artifacts_figures(other_models, monkeypatch):
    monkeypatch.setattr("lenet5.ui.training_page.BRUSH", 23)
    text = words(run("training"))
    assert "Confusion matrix on the 9,876 test digits" in text
    assert "50,000 training digits (4,321 more kept apart for validation)" in text
    assert "20 of the 27 writers" in text
    assert "drawn at brush 23." in text
    assert "validation on 4,321 held-out clean training digits" in text
    assert "55% of each batch augmented" in text and "elastically distorted" in text
    assert "validation is the higher curve until epoch 2; training passes it at epoch 3 and " \
           "stays above it." in text  # the edited history's own crossing
    for typed in ("60,000", "5,000", "10,000", "2 CPU cores", "brush 18",
                  "that is why validation is the higher curve"):
        assert typed not in text, typed


def test_without_its_record_the_bank_is_described_by_its_size_alone(other_models):
    (other_models / TYPICALITY_FILE).unlink()
    np.savez(other_models / TYPICALITY_FILE, codes=np.zeros((3, 4), np.int8))
    text = words(run("about"))
    assert f"the features of {typicality.BANK:,} of its training digits, and finds" in text


def test_the_committed_pen_digits_train_both_nets():
    """The committed nets hold out the same writers: the credit says both train on the rest."""
    st.cache_data.clear()
    pen = json.loads((models_dir() / "metrics.json").read_text())["pen"]
    text = words(run("about"))
    writers = len(pen["writers"]) + len(pen["held_out_writers"])
    assert (f"Both nets train on canvas drawings of the digits of {len(pen['writers'])} of its "
            f"{writers} writers") in text
