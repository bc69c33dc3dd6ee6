"""Training on pen-drawn digits, and cross-validation by writer: smoke runs on two tiny folds.

The cross-validation's fold 0 must be the very model ``python -m lenet5.train --pen PATH
--pen-holdout-fold 0`` trains (the committed models are made that way), and no held-out
writer's digit may reach training.
"""

import json
from dataclasses import replace

import numpy as np
import pytest
from support import require

require("tensorflow")

from lenet5.eval import crossval
from lenet5.train import fit as train
from lenet5.train import pen, writers  # noqa: E402
from lenet5.train.data import read_jsonl  # noqa: E402

pytestmark = pytest.mark.slow
SMALL = ["--epochs", "1", "--limit", "2000", "--seed", "3", "--style-epochs", "1",
         "--flag-ones", "20", "--crossed-sevens", "20", "--curled-nines", "20",
         "--pen-renders", "1", "--pen-folds", "2"]


@pytest.fixture(scope="module")
def pen_run(mnist_path, pendigits_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("pen")
    train.main(["--data", str(mnist_path), "--pen", str(pendigits_path), "--out", str(out),
                "--pen-holdout-fold", "0", *SMALL])
    return out


@pytest.fixture(scope="module")
def cv_run(mnist_path, pendigits_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("cv")
    crossval.main(["--data", str(mnist_path), "--pen", str(pendigits_path), "--out", str(out),
                   "--numbers", "30", *SMALL])
    return out


def test_pen_digits_trained_on_are_only_other_writers(pen_run, pendigits_path):
    metrics = json.loads((pen_run / "metrics.json").read_text())["pen"]
    odd = sorted(w for w in range(1, 31) if w % 2)  # fold 0 of 2: writers 1, 3, 5, ...
    assert metrics["held_out_writers"] == odd and metrics["held_out_fold"] == 0
    assert metrics["writers"] == [w for w in range(1, 31) if w not in odd]
    records = list(read_jsonl(pendigits_path))
    trained = [r for r in records if r["writer"] % 2 == 0]
    assert metrics["digits"] == len(trained) and metrics["images"] <= len(trained)
    assert metrics["images"] > 0.99 * len(trained)  # one render each, nearly all readable
    assert metrics["held_out_n"] == len(records) - len(trained)
    assert 0.3 < metrics["held_out_accuracy"] <= 1 and len(metrics["held_out_per_class"]) == 10
    assert metrics["sha256"].startswith("ea361e06") and "CC BY 4.0" in metrics["dataset"]


def test_cross_validation_fold_is_the_trained_model(pen_run, cv_run):
    with np.load(pen_run / "kernels.npz") as a, np.load(cv_run / "fold-0" / "kernels.npz") as b:
        np.testing.assert_array_equal(a["c1"], b["c1"])
        np.testing.assert_array_equal(a["c3"], b["c3"])
    single = json.loads((pen_run / "metrics.json").read_text())["pen"]
    fold = json.loads((cv_run / "crossval.json").read_text())["folds"]["0"]
    assert fold["accuracy"] == single["held_out_accuracy"]


def test_cross_validation_report(cv_run):
    report = json.loads((cv_run / "crossval.json").read_text())
    folds = report["folds"]
    assert set(folds) == {"0", "1"}
    assert set(folds["0"]["writers"]).isdisjoint(folds["1"]["writers"])
    assert sorted(folds["0"]["writers"] + folds["1"]["writers"]) == list(range(1, 31))
    accs = [folds[k]["accuracy"] for k in "01"]
    s = report["summary"]
    assert s["held_out_accuracy"]["mean"] == pytest.approx(np.mean(accs), abs=1e-6)
    assert s["held_out_accuracy"]["std"] == pytest.approx(np.std(accs, ddof=1), abs=1e-6)
    for c in map(str, range(10)):
        mean = np.mean([folds[k]["per_class"][c] for k in "01"])
        assert s["per_class_mean"][c] == pytest.approx(mean, abs=1e-6)
    assert s["worst_class"] == min(s["per_class_mean"], key=s["per_class_mean"].get)
    assert folds["1"]["numbers"]["numbers"] == 30 and 0 <= s["number_accuracy"]["mean"] <= 1
    assert (cv_run / "fold-1" / "lenet5.tflite").is_file()


def test_recipes_differing_in_the_pen_stage_alone_share_a_first_stage():
    from lenet5.train.model import ModelConfig
    from lenet5.train.recipe import AugmentConfig, TrainConfig

    cfg, model, aug = TrainConfig(), ModelConfig(), AugmentConfig()
    key = crossval.first_stage_key(cfg, model, aug)
    later = replace(cfg, pen_variety=2.0, pen_tails=0.5, pen_loops=1, pen_renders=3,
                    pen_holdout_fold=4, style_lr=1e-4)
    assert crossval.first_stage_key(later, model, aug) == key
    assert crossval.first_stage_key(replace(cfg, epochs=3), model, aug) != key
    assert crossval.first_stage_key(cfg, model, replace(aug, shear=0.2)) != key


def test_renders_are_preprocessed_canvas_drawings(pendigits_path):
    records = writers.held_out(read_jsonl(pendigits_path), 0)[:40]
    x, y = pen.renders(records, 2, seed=1)
    assert x.shape == (80, 28, 28) and x.dtype == np.uint8 and y.dtype == np.uint8
    assert y.tolist() == [r["label"] for r in records] * 2
    rows, cols = np.nonzero(x[0] > 25)
    assert max(np.ptp(rows), np.ptp(cols)) in (19, 20, 21)  # the longer side scaled to 20 px
    assert not np.array_equal(x[:40], x[40:])  # each drawing at its own place, size, brush


def test_first_drawings_are_one_of_each_digit(pendigits_path):
    records = list(read_jsonl(pendigits_path))[:300]
    x1, y1 = pen.renders(records, 1, seed=5)  # what the typicality bank adds
    assert np.array_equal(pen._stack(pen._drawings(records, 3, 5, pen.BRUSHES)[:1])[0], x1)
    x3, y3 = pen.renders(records, 3, seed=5)
    assert np.array_equal(x3[: len(x1)], x1) and np.array_equal(y3[: len(y1)], y1)
