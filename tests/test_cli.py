"""The command lines keep their flags (issue 14 moved their code; thin modules forward to it),
and their defaults are what they do when run: the models folder they read or write is the app's,
``$LENET5_MODELS`` as it is when the command runs, else ``models/``."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import PEN_SAMPLE, ROOT, require

from lenet5.core.artifacts import CLASSIC, KERAS_FILE, MODELS_ENV, SERVING_FILE

FLAGS = {
    "lenet5.evaluate": ["--mnist", "--pendigits", "--model", "--average-with", "--brush", "--seed",
                        "--pen-fold", "--pen-folds", "--min-accuracy"],
    "lenet5.number": ["--pendigits", "--sequences", "--seed", "--model", "--pen-fold",
                      "--pen-folds"],
    "lenet5.bench": ["--repeats", "--keras-repeats"],
    "lenet5.train": ["--data", "--out", "--variant", "--epochs", "--batch-size", "--seed", "--lr",
                     "--schedule", "--augment", "--val-size", "--limit", "--flag-ones",
                     "--crossed-sevens", "--curled-nines", "--style-epochs", "--style-lr",
                     "--style-alpha", "--style-soup", "--pen", "--pen-renders",
                     "--pen-holdout-fold", "--pen-folds", "--aug-prob", "--smoke"],
}


def run(*argv: str, models: Path | None = None, timeout: int = 300
        ) -> subprocess.CompletedProcess:
    """``python ARGV`` in the repository, with ``$LENET5_MODELS`` set to ``models`` or unset."""
    env = {k: v for k, v in os.environ.items() if k != MODELS_ENV}
    if models is not None:
        env[MODELS_ENV] = str(models)
    out = subprocess.run([sys.executable, *argv], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr[-2000:]
    return out


def last_json(out: subprocess.CompletedProcess) -> dict:
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", sorted(FLAGS))
def test_each_command_line_keeps_its_flags(module):
    out = run("-m", module, "--help")
    missing = [flag for flag in FLAGS[module]
               if not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", out.stdout)]
    assert not missing, missing


def test_train_help_prints_once_and_loads_no_tensorflow():
    out = run("-X", "importtime", "-m", "lenet5.train", "--help")  # the import log: stderr
    assert out.stdout.count("usage:") == 1 and "--smoke" in out.stdout
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0]
                for line in out.stderr.splitlines() if line.startswith("import time:")}
    assert imported and not imported & {"tensorflow", "keras"}, sorted(imported)
    assert "absl" not in out.stderr


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory) -> Path:
    """A models folder other than the repository's: copies of both nets' files."""
    folder = tmp_path_factory.mktemp("models")
    for sub in ("", CLASSIC):
        (folder / sub).mkdir(exist_ok=True)
        for name in (SERVING_FILE, KERAS_FILE, "metrics.json"):
            shutil.copy(ROOT / "models" / sub / name, folder / sub / name)
    return folder


READERS = {"lenet5.evaluate": ["--pendigits", str(PEN_SAMPLE)],
           "lenet5.number": ["--pendigits", str(PEN_SAMPLE), "--sequences", "3"]}


@pytest.mark.parametrize("module", sorted(READERS))
def test_readers_name_the_model_they_read_by_default(module, elsewhere):
    assert last_json(run("-m", module, *READERS[module]))["model"] == str(
        ROOT / "models" / SERVING_FILE)
    assert last_json(run("-m", module, *READERS[module], models=elsewhere))["model"] == str(
        elsewhere.resolve() / SERVING_FILE)


def test_sample_reads_the_mistakes_of_the_net_the_app_reads(elsewhere, mnist_path, tmp_path):
    out = last_json(run("-m", "lenet5.train.sample", "--mnist", str(mnist_path), "--out",
                        str(tmp_path / "sample.npz"), models=elsewhere))
    assert out == {"out": str(tmp_path.resolve() / "sample.npz"),
                   "metrics": str(elsewhere.resolve() / "metrics.json")}


@pytest.mark.slow
def test_export_rewrites_the_weights_of_the_apps_two_nets(elsewhere):
    require("tensorflow")
    from lenet5.core import weights
    from lenet5.core.predictor import Predictor

    out = run("-m", "lenet5.train.export", models=elsewhere)
    folders = [elsewhere.resolve(), elsewhere.resolve() / CLASSIC]
    written = [json.loads(line)["out"] for line in out.stdout.strip().splitlines()]
    assert written == [str(f / "weights.npz") for f in folders]
    for folder in folders:
        sha = Predictor(folder / SERVING_FILE).sha256
        assert weights.load(folder / "weights.npz", sha) is not None
