"""The learning curve over writers (python -m lenet5.eval.learning_curve): a smoke run of two
sizes; no held-out writer reaches training, the sets grow by adding writers, and every size
reads the same held-out writers, per writer."""

import gzip
import json

import numpy as np
import pytest
from support import require

from lenet5.eval import learning_curve

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(mnist_path, pendigits_path, tmp_path_factory):
    require("tensorflow")
    out = tmp_path_factory.mktemp("curve")
    assert learning_curve.main(["--smoke", "--limit", "500", "--data", str(mnist_path),
                                "--pen", str(pendigits_path), "--writers", "6,12",
                                "--out", str(out), "--first-stage-cache", str(out / "cache")]
                               ) == 0
    return out, json.loads((out / "learning_curve.json").read_text())


def test_sizes_grow_by_writers_and_never_train_on_the_held_out_fold(run):
    out, report = run
    held = report["held_out_writers"]
    assert held == [1, 6, 11, 16, 21, 26] and set(report["points"]) == {"6", "12"}
    six, twelve = (report["points"][n]["train_writers"] for n in ("6", "12"))
    assert len(six) == 6 and len(twelve) == 12 and set(six) < set(twelve)
    assert set(twelve).isdisjoint(held) and sorted(report["writer_order"][:12]) == twelve
    with gzip.open(out / "writers-6" / "pen.jsonl.gz", "rt") as fh:
        assert {json.loads(line)["writer"] for line in fh} == set(six) | set(held)
    metrics = json.loads((out / "writers-6" / "metrics.json").read_text())["pen"]
    assert metrics["writers"] == six and metrics["held_out_writers"] == held


def test_the_first_stage_is_kept_for_the_next_run(run):
    out, report = run
    kept = list((out / "cache").glob("*.weights.h5"))
    assert len(kept) == 1 and kept[0].with_suffix(".json").is_file()


def test_each_size_reads_the_same_writers_per_writer(run):
    _, report = run
    for point in report["points"].values():
        table = point["per_writer"]
        assert list(table) == [str(w) for w in report["held_out_writers"]]
        n = sum(v["n"] for v in table.values())
        pooled = sum(v["accuracy"] * v["n"] for v in table.values()) / n
        assert pooled == pytest.approx(point["accuracy"], abs=1e-5)  # the net's own metrics
        worst = min(table.values(), key=lambda v: v["accuracy"])
        assert point["worst_writer"]["accuracy"] == worst["accuracy"]
        accs = [v["accuracy"] for v in table.values()]
        assert point["writer_p10"] == pytest.approx(np.percentile(accs, 10), abs=1e-6)
        assert 0 < point["mnist_test_accuracy"] <= 1


def test_too_many_writers_is_refused_before_training(pendigits_path, capsys):
    with pytest.raises(SystemExit) as exc:
        learning_curve.main(["--pen", str(pendigits_path), "--writers", "6,25"])
    assert exc.value.code == 2 and "1..24" in capsys.readouterr().err
