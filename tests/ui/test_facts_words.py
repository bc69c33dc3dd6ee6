"""The words the pages build from the artifacts: which accuracy curve is the higher (from the
history itself), what the typicality bank holds (from its own record), and that record."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lenet5.core import typicality
from lenet5.core.artifacts import TYPICALITY_FILE, model_file, models_dir
from lenet5.train import lookups
from lenet5.ui import about_page, training_page


def history(train: list[float], val: list[float]) -> dict:
    return {"accuracy": train, "val_accuracy": val, "epoch": list(range(1, len(train) + 1))}


@pytest.mark.parametrize("train,val,words", [
    ([0.8, 0.9], [0.85, 0.95], "validation is the higher curve in every epoch."),
    ([0.9, 0.95], [0.85, 0.9], "training is the higher curve in every epoch."),
    ([0.8, 0.9, 0.95], [0.85, 0.88, 0.9],
     "validation is the higher curve until epoch 1; training passes it at epoch 2 and stays "
     "above it."),
    ([0.8, 0.9, 0.91, 0.95], [0.85, 0.88, 0.92, 0.9],
     "validation is the higher curve until epoch 1; training passes it at epoch 2 and is the "
     "higher in 2 of the 3 epochs from there."),
    ([0.9, 0.8, 0.95], [0.85, 0.88, 0.9], "training is the higher curve in 2 of the 3 epochs."),
])
def test_the_caption_says_which_accuracy_curve_is_the_higher(train, val, words):
    assert training_page.crossing_words(history(train, val)) == words


def test_the_committed_caption_matches_the_committed_history():
    """Training accuracy passes validation within the committed run: the caption must not say
    that validation is the higher curve, and it names the first epoch where it is not."""
    h = json.loads((models_dir() / "history.json").read_text())
    first = next(e for e, t, v in zip(h["epoch"], h["accuracy"], h["val_accuracy"], strict=True)
                 if t > v)
    assert f"training passes it at epoch {first} and" in training_page.crossing_words(h)


def test_mnist_trained_is_the_training_set_less_what_was_added():
    m = {"train_size": 70_000, "pen": {"images": 9_000},
         "train_config": {"flag_ones": 500, "crossed_sevens": 300, "curled_nines": 200}}
    assert training_page.mnist_trained(m) == 60_000
    committed = json.loads((models_dir() / "metrics.json").read_text())
    facts = about_page.recorded(str(model_file(TYPICALITY_FILE)))
    assert training_page.mnist_trained(committed) == facts["pool_mnist"]  # two artifacts agree


def test_the_bank_records_what_it_holds_and_the_page_reads_those_names():
    facts = lookups.bank_facts(900, 100, size=300, seed=0)
    assert tuple(facts) == about_page.BANK_FACTS
    rows = lookups.bank_rows(1000, 300, 0)
    assert facts["bank_mnist"] == (rows < 900).sum() and facts["bank_pen"] == (rows >= 900).sum()
    assert facts["bank_mnist"] + facts["bank_pen"] == 300
    assert lookups.bank_facts(50, 0, size=300) == {"bank_mnist": 50, "bank_pen": 0,
                                                    "pool_mnist": 50, "pool_pen": 0}


def test_recording_facts_keeps_the_file_loadable_and_its_arrays(tmp_path):
    path = tmp_path / TYPICALITY_FILE
    t = typicality.Typicality(np.arange(12, dtype=np.int8).reshape(3, 4), 0.25, "abc", 2)
    typicality.save(t, path)
    lookups.record(path, {"bank_mnist": 2, "bank_pen": 1, "pool_mnist": 9, "pool_pen": 4})
    back = typicality.load(path, "abc")
    assert back is not None and back.threshold == 0.25 and back.k == 2
    np.testing.assert_array_equal(back.codes, t.codes)
    assert about_page.recorded(str(path)) == {"bank_mnist": 2, "bank_pen": 1, "pool_mnist": 9,
                                               "pool_pen": 4}


def test_the_committed_bank_record_agrees_with_the_bank_and_metrics():
    path = model_file(TYPICALITY_FILE)
    facts = about_page.recorded(str(path))
    with np.load(path) as z:
        assert facts["bank_mnist"] + facts["bank_pen"] == len(z["codes"])
    pen = json.loads((models_dir() / "metrics.json").read_text())["pen"]
    assert facts["pool_pen"] == pen["digits"]  # one drawing of each pen digit trained on
    assert facts == lookups.bank_facts(facts["pool_mnist"], facts["pool_pen"])


def test_bank_words_and_ordinals():
    facts = {"bank_mnist": 10, "bank_pen": 0, "pool_mnist": 20, "pool_pen": 0}
    assert about_page.bank_words(facts) == ("10 of its training digits, drawn at random: 10 of "
                                            "the 20 from MNIST")
    assert about_page.bank_words({}) == f"{typicality.BANK:,} of its training digits"
    assert [about_page.ordinal(n) for n in (1, 2, 3, 4, 5, 11, 12, 13, 21, 22)] == [
        "1st", "2nd", "3rd", "4th", "5th", "11th", "12th", "13th", "21st", "22nd"]


def test_the_training_page_says_when_numbers_were_read_another_way_than_the_page_reads():
    from lenet5.core.segment import SEGMENTATION
    assert training_page.segmentation_words(SEGMENTATION) == "Read as the Number page reads them."
    for old in (None, "2026-12-03: the verifier"):
        words = training_page.segmentation_words(old)
        assert "earlier way" in words and "has not been rerun" in words
