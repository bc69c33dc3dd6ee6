"""Training smoke test: one short epoch on a few thousand digits writes every artifact."""

import json

import numpy as np
import pytest
from support import require

require("tensorflow")

from lenet5.core.predictor import Predictor  # noqa: E402
from lenet5.train import fit as train
from lenet5.train import pen, recipe

pytestmark = pytest.mark.slow
SMALL = ["--epochs", "1", "--limit", "3000", "--seed", "7", "--style-epochs", "1",
         "--flag-ones", "30", "--crossed-sevens", "20", "--curled-nines", "10"]
ARTIFACTS = {"lenet5.keras", "lenet5.tflite", "history.json", "metrics.json",
             "architecture.json", "kernels.npz", "typicality.npz", "neighbours.npz",
             "style_examples.npz", "weights.npz", "epochs.npz"}
LOOKUPS = {"typicality.npz", "neighbours.npz"}


@pytest.fixture(scope="module")
def run(mnist_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("smoke")
    train.main(["--data", str(mnist_path), "--out", str(out), *SMALL])
    return out


def test_writes_all_artifacts(run):
    assert {p.name for p in run.iterdir()} >= ARTIFACTS
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["param_count"] == 44_426
    assert metrics["train_size"] == 3060 and metrics["train_config"]["seed"] == 7
    assert metrics["data"]["sha256"].startswith("06af5dfe")
    assert len(metrics["test"]["confusion_matrix"]) == 10
    assert metrics["test"]["n"] == 10_000
    assert metrics["test_accuracy"] > 0.5  # one epoch on 3,000 digits already learns a lot
    assert {"tensorflow", "keras", "numpy"} <= set(metrics["versions"])
    history = json.loads((run / "history.json").read_text())
    assert history["epoch"] == [1, 2]  # MNIST, then the styles
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(history)
    assert all(len(v) == 2 and v[1] > 0 for v in history.values())
    arch = json.loads((run / "architecture.json").read_text())
    assert [r["layer"] for r in arch][0] == "c1" and sum(r["params"] for r in arch) == 44_426


def test_typicality_and_neighbours_belong_to_the_trained_model(run, mnist_path):
    from lenet5.core import neighbours
    from lenet5.core import typicality as typ
    from lenet5.train.data import read_npz

    sha = Predictor(run / "lenet5.tflite").sha256
    assert typ.load(run / "typicality.npz", sha) is not None
    nb = neighbours.load(run / "neighbours.npz", sha)
    assert nb is not None and len(nb.labels) == 3000  # --limit: all of the training digits
    raw = read_npz(mnist_path)  # each stored digit is the training digit its index names
    assert np.array_equal(raw["x_train"][nb.index], nb.images)
    assert np.array_equal(raw["y_train"][nb.index], nb.labels)


@pytest.mark.parametrize("which", ["run", "classic_run"])
def test_exported_weights_compute_what_the_serving_model_does(which, request):
    from lenet5.core import forward, weights

    folder = request.getfixturevalue(which)
    predictor = Predictor(folder / "lenet5.tflite")
    w = weights.load(folder / "weights.npz", predictor.sha256)
    assert w is not None and w.variant == ("classic" if which == "classic_run" else "modern")
    image = np.random.default_rng(0).uniform(0, 1, (28, 28)).astype(np.float32)
    np.testing.assert_allclose(forward.forward(w, image)["output"],
                               predictor(image).maps["output"], atol=1e-4)


def test_serving_model_loads_and_agrees_with_metrics(run, mnist_path):
    from lenet5.eval.evaluate import mnist_accuracy

    metrics = json.loads((run / "metrics.json").read_text())
    result = mnist_accuracy(Predictor(run / "lenet5.tflite"), mnist_path)
    assert abs(result["mnist_test_accuracy"] - metrics["test_accuracy"]) <= 2e-4


def test_same_seed_same_model(run, mnist_path, tmp_path):
    train.main(["--data", str(mnist_path), "--out", str(tmp_path), *SMALL])
    with np.load(run / "kernels.npz") as a, np.load(tmp_path / "kernels.npz") as b:
        np.testing.assert_array_equal(a["c3"], b["c3"])


def test_style_examples_are_written_for_the_styles_learned(run):
    with np.load(run / "style_examples.npz") as z:
        assert set(z.files) == {"flag_ones", "crossed_sevens", "curled_nines"}
        assert all(z[k].dtype == np.uint8 and z[k].shape[0] == 28 and z[k].shape[1] % 28 == 0
                   and z[k].shape[1] > 28 for k in z.files)


@pytest.fixture(scope="module")
def classic_run(mnist_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("classic")
    train.main(["--variant", "classic", "--data", str(mnist_path), "--out", str(out), *SMALL])
    return out


def test_classic_run_writes_its_artifacts(classic_run):
    from lenet5.train.classic import C3_TABLE
    from lenet5.train.model import CLASSIC_LAYER_NAMES

    assert {p.name for p in classic_run.iterdir()} == ARTIFACTS - LOOKUPS
    metrics = json.loads((classic_run / "metrics.json").read_text())
    assert metrics["model_config"]["variant"] == "classic" and metrics["param_count"] == 60_850
    assert metrics["test"]["n"] == 10_000 and metrics["test_accuracy"] > 0.5
    arch = json.loads((classic_run / "architecture.json").read_text())
    assert sum(r["params"] for r in arch) == 60_850
    assert {r["layer"]: r["paper_params"] for r in arch}["c3"] == 1516
    with np.load(classic_run / "kernels.npz") as k:
        assert k["c1"].shape == (5, 5, 1, 6) and k["c3"].shape == (5, 5, 6, 16)
        unconnected = [(i, j) for j, seen in enumerate(C3_TABLE) for i in range(6) if i not in seen]
        assert all(not k["c3"][:, :, i, j].any() for i, j in unconnected)
    predictor = Predictor(classic_run / "lenet5.tflite")
    assert set(predictor.output_names) == set(CLASSIC_LAYER_NAMES)
    maps = predictor(np.zeros((28, 28), np.float32)).maps
    assert maps["c1"].shape == (28, 28, 6) and maps["c5"].shape == (1, 1, 120)


def parse(argv: list[str]):
    return recipe.configs(recipe.parser().parse_args(argv))


def test_flags_reach_the_config():
    cfg, aug = parse([
        "--flag-ones", "30", "--crossed-sevens", "20", "--curled-nines", "10", "--epochs", "3",
        "--aug-prob", "0.5"])
    assert (cfg.flag_ones, cfg.crossed_sevens, cfg.curled_nines) == (30, 20, 10)
    assert cfg.epochs == 3 and aug.prob == 0.5
    default, _ = parse([])
    assert default == train.TrainConfig()  # plain `python -m lenet5.train` uses the defaults
    assert recipe.parser().parse_args([]).variant == "modern"
    assert recipe.parser().parse_args(["--variant", "classic"]).variant == "classic"
    pen, _ = parse(["--pen-renders", "2", "--pen-holdout-fold", "-1", "--pen-folds", "3"])
    assert (pen.pen_renders, pen.pen_holdout_fold, pen.pen_folds) == (2, -1, 3)


def test_removed_outlier_flags_still_parse_and_refuse_to_train():
    """Outlier exposure was removed; its flags still parse (command lines stay valid), do
    nothing as before when it is off, and say so when it is asked for."""
    off, _ = parse(["--outliers", "0", "--outlier-loss", "hinge", "--no-outlier-simple"])
    assert off == train.TrainConfig()
    with pytest.raises(SystemExit, match="outlier exposure was removed"):
        parse(["--outliers", "5"])


def test_training_set_adds_styles_and_pen_digits(mnist_path):
    with np.load(mnist_path) as f:
        x, y = f["x_train"][:2000], f["y_train"][:2000]
    cfg = train.TrainConfig(limit=1000, flag_ones=20, crossed_sevens=10, curled_nines=5)
    pen_xy = pen.PenDigits(x[1500:1507], np.full(7, 4, np.uint8), {}, [])
    xs, ys = train.training_set(cfg, x, y, pen_xy=pen_xy)
    assert xs.shape == (1042, 28, 28) and xs.dtype == np.uint8 and len(ys) == 1042
    assert np.array_equal(xs[:1000], x[:1000]) and np.array_equal(ys[:1000], y[:1000])
    assert np.bincount(ys[1000:], minlength=10).tolist() == [0, 20, 0, 0, 7, 0, 0, 10, 0, 5]
    assert np.array_equal(xs[-7:], x[1500:1507])
    xm, ym = train.training_set(cfg, x, y, with_extras=False, pen_xy=pen_xy)  # the first stage's
    assert np.array_equal(xm, x[:1000]) and np.array_equal(ym, y[:1000])
