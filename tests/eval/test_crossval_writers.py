"""Cross-validation per writer (lenet5.eval.crossval): each held-out writer read by the net of
the fold that held them out, and over all folds the worst writer and the 10th percentile."""

import json

import numpy as np
import pytest
from support import PEN_SAMPLE

from lenet5.eval import crossval


def fold(table: dict[str, tuple[float, int]], accuracy: float = 0.9) -> dict:
    return {"accuracy": accuracy, "mnist_test_accuracy": 0.99,
            "per_class": {str(c): accuracy for c in range(10)},
            "per_writer": {w: {"accuracy": a, "n": n} for w, (a, n) in table.items()}}


def test_summary_pools_every_folds_writers():
    folds = {0: fold({"1": (0.99, 250), "3": (0.86, 240)}),
             1: fold({"2": (1.0, 250), "4": (0.95, 249), "10": (0.97, 250)})}
    s = crossval.summary(folds)
    assert list(s["per_writer"]) == ["1", "2", "3", "4", "10"]  # numeric order
    assert s["worst_writer"] == {"writer": 3, "accuracy": 0.86, "n": 240}
    accs = [0.99, 1.0, 0.86, 0.95, 0.97]
    assert s["writer_p10"] == pytest.approx(np.percentile(accs, 10), abs=1e-6)
    assert s["writer_mean"] == pytest.approx(np.mean(accs), abs=1e-6)
    assert s["held_out_accuracy"]["mean"] == pytest.approx(0.9)


def test_summary_of_older_reports_has_no_writer_keys():
    folds = {k: {key: v for key, v in fold({}).items() if key != "per_writer"} for k in (0, 1)}
    assert "per_writer" not in crossval.summary(folds)


def test_fold_report_reads_each_writer_with_the_folds_net():
    from lenet5.core.predictor import Predictor
    from lenet5.train.data import read_jsonl
    from lenet5.train.pen import records_accuracy

    held = list(read_jsonl(PEN_SAMPLE))
    predictor = Predictor()
    score = records_accuracy(predictor, held)
    metrics = {"pen": {"held_out_writers": score["writers"],
                       "held_out_accuracy": score["pendigits_accuracy"],
                       "held_out_per_class": score["per_class"]},
               "test_accuracy": 0.99, "train_seconds": 1.0}
    out = crossval.fold_report(metrics, held, predictor, numbers=0)
    table = out["per_writer"]
    counts = {str(w): sum(r["writer"] == w for r in held) for w in score["writers"]}
    assert {w: v["n"] for w, v in table.items()} == counts
    pooled = sum(v["accuracy"] * v["n"] for v in table.values()) / len(held)
    assert pooled == pytest.approx(score["pendigits_accuracy"], abs=1e-5)
    assert out["worst_writer"]["accuracy"] == min(v["accuracy"] for v in table.values())
    json.dumps(out)  # the report is JSON


def test_summary_gives_each_layouts_mean_and_worst_writer():
    def numbers(acc, worst):
        return {"number_accuracy": acc, "per_digit_accuracy": acc,
                "worst_writer": {"writer": worst, "number_accuracy": acc / 2, "numbers": 9}}
    folds = {k: fold({"1": (0.99, 250)}) | {"numbers": numbers(0.9 + k / 100, k),
                                            "numbers_touching": numbers(0.8, k),
                                            "numbers_joined": numbers(0.7 - k / 10, 10 + k)}
             for k in (0, 1)}
    s = crossval.summary(folds)
    assert s["number_accuracy_apart"]["mean"] == pytest.approx(0.905)
    assert s["number_accuracy"] == s["number_accuracy_apart"]
    assert s["number_accuracy_joined"]["min"] == pytest.approx(0.6)
    assert s["worst_writer_numbers_joined"]["writer"] == 11
    assert s["worst_writer_numbers_apart"]["writer"] == 0
    from lenet5.core.segment import SEGMENTATION
    assert s["segmentation"] == SEGMENTATION  # how the numbers were cut, for the Training page
    assert "segmentation" not in crossval.summary({k: fold({"1": (0.99, 250)}) for k in (0, 1)})


def test_fold_report_reads_numbers_in_every_layout_with_a_verifier_of_its_training_writers(
        pendigits_path):
    from lenet5.core.predictor import Predictor
    from lenet5.train import writers
    from lenet5.train.data import read_jsonl

    train, held = writers.split(read_jsonl(pendigits_path), 0)
    predictor = Predictor()
    assert crossval.fold_reader(predictor, train, 0).verifier is None
    reader = crossval.fold_reader(predictor, train[:600], 8)
    assert reader.verifier is not None and reader.verifier.model_sha256 == predictor.sha256
    metrics = {"pen": {"held_out_writers": [], "held_out_accuracy": 0.0,
                       "held_out_per_class": {}}, "test_accuracy": 0.99, "train_seconds": 1.0}
    out = crossval.fold_report(metrics, held, predictor, 6, train[:600], 8)
    for key, how in [("numbers", "apart"), ("numbers_touching", "touching"),
                     ("numbers_joined", "joined")]:
        assert out[key]["layout"] == how and out[key]["numbers"] == 6
        assert 0 <= out[key]["number_accuracy"] <= 1
    json.dumps(out)
