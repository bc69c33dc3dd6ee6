"""Where ``python -m lenet5.train`` writes without ``--out``: where the app reads the net
(``models/``, or ``$LENET5_MODELS`` as it is when the command runs), never inside the package.

Run as a newcomer runs it (a subprocess, in a copy of the repository, so that the committed
models stay untouched), on the budget of ``--smoke``. Also: one line names the folder and the
files, and TensorFlow's start-up chatter stays out of stderr.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, require

require("tensorflow")

from lenet5.core import typicality, weights
from lenet5.core.artifacts import MODELS_ENV, SERVING_FILE, TYPICALITY_FILE, WEIGHTS_FILE
from lenet5.core.predictor import Predictor

pytestmark = pytest.mark.slow
CHATTER = ("absl::InitializeLog", "cuInit", "NodeDef", "cuda drivers", "oneDNN")


def repository_copy(root: Path) -> Path:
    """What running the commands needs of the repository, copied to ``root``."""
    for name in ("lenet5", "models", "assets"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def smoke_train(cwd: Path, mnist: Path, **env: str) -> subprocess.CompletedProcess:
    """``python -m lenet5.train --data MNIST --smoke`` run in ``cwd``, no ``--out``, with
    ``$LENET5_MODELS`` only if given in ``env``."""
    base = {k: v for k, v in os.environ.items() if k not in (MODELS_ENV, "PYTHONPATH")}
    out = subprocess.run([sys.executable, "-m", "lenet5.train", "--data", str(mnist), "--smoke"],
                         cwd=cwd, env=base | env, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    return out


def check_run(out: subprocess.CompletedProcess, folder: Path) -> None:
    """The run said where it wrote, wrote a net the app can read there, and kept quiet."""
    lines = out.stdout.strip().splitlines()
    assert json.loads(lines[-1])["out"] == str(folder)
    assert lines[-2].startswith(f"lenet5.train: wrote {folder}: ") and SERVING_FILE in lines[-2]
    sha = Predictor(folder / SERVING_FILE).sha256  # the lookups belong to the new net
    assert typicality.load(folder / TYPICALITY_FILE, sha) is not None
    assert weights.load(folder / WEIGHTS_FILE, sha) is not None
    assert not [w for w in CHATTER if w in out.stderr], out.stderr[-3000:]


def test_without_out_a_retrain_replaces_the_models_the_app_reads(tmp_path, mnist_path):
    repo = repository_copy(tmp_path / "repo")
    before = (repo / "models" / SERVING_FILE).read_bytes()
    out = smoke_train(repo, mnist_path)
    check_run(out, repo / "models")
    assert (repo / "models" / SERVING_FILE).read_bytes() != before
    assert not (repo / "lenet5" / "models").exists()  # where it went before the fix
    assert not any((repo / "lenet5").rglob("*.tflite"))


def test_lenet5_models_points_the_retrain_elsewhere(tmp_path, mnist_path):
    repo = repository_copy(tmp_path / "repo")
    committed = {p.name: p.read_bytes() for p in (repo / "models").iterdir() if p.is_file()}
    elsewhere = tmp_path / "elsewhere"  # made by the run
    out = smoke_train(repo, mnist_path, **{MODELS_ENV: str(elsewhere)})
    check_run(out, elsewhere.resolve())
    assert {p.name: p.read_bytes() for p in (repo / "models").iterdir() if p.is_file()} == (
        committed)
