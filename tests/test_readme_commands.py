"""Every command of the README's "Train, evaluate, test" block runs: this test runs each one,
except the two CI itself runs (``pip install -r requirements-dev.txt`` and ``python -m pytest``,
checked to be in ``.ci/run``).

``PATH`` becomes ``$LENET5_MNIST`` or ``$LENET5_PENDIGITS`` by the flag before it. Training and
cross-validation run with ``--smoke`` and ``--out`` in a temporary folder (the committed models
are never touched); the MNIST sample is written there too, and must be the committed one.
Commands that are the same once so bounded run once.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from support import ROOT

from lenet5.core.artifacts import MODELS_ENV, SERVING_FILE, mnist_sample_path

SECTION = "## Train, evaluate, test"
BY_CI = {"pip", "pytest"}  # run by .ci/run (pip installs, then pytest runs this very test)
BOUNDED = {"lenet5.train", "lenet5.eval.crossval"}  # run with --smoke --out TMP
MNIST_FLAGS, PEN_FLAGS = {"--data", "--mnist"}, {"--pen", "--pendigits"}


def block() -> list[list[str]]:
    """The commands of the section's fenced block, as argument lists (continuations joined,
    comments dropped)."""
    text = (ROOT / "README.md").read_text()
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```bash\n(.*?)```", section, re.S)
    assert code, f"no ```bash block under {SECTION}"
    lines = code.group(1).replace("\\\n", " ").splitlines()
    return [argv for argv in (shlex.split(line, comments=True) for line in lines) if argv]


def kind(argv: list[str]) -> str:
    """``pip``, or the module a ``python -m`` command runs (``pytest`` among them)."""
    if argv[0] == "pip":
        return "pip"
    assert argv[:2] == ["python", "-m"], f"not a python -m command: {argv}"
    return argv[2]


def with_data(argv: list[str], mnist: Path, pen: Path) -> list[str]:
    """``PATH`` (or ``PATH/...``) replaced with the data file the flag before it names."""
    out = []
    for i, arg in enumerate(argv):
        if arg == "PATH" or arg.startswith("PATH/"):
            assert argv[i - 1] in MNIST_FLAGS | PEN_FLAGS, f"what is {arg} in {argv}?"
            arg = str(mnist if argv[i - 1] in MNIST_FLAGS else pen)
        out.append(arg)
    return out


def without(argv: list[str], flag: str) -> list[str]:
    """``argv`` less ``flag`` and its value."""
    if flag not in argv:
        return argv
    i = argv.index(flag)
    return argv[:i] + argv[i + 2:]


def bounded(argv: list[str], tmp: Path) -> list[str]:
    """``argv`` run on the smoke budget into ``tmp``, where a long or writing command needs it."""
    module = kind(argv)
    if module in BOUNDED:
        argv = without(argv, "--out") + ["--out", str(tmp / "out")]
        argv += [] if "--smoke" in argv else ["--smoke"]
    if module == "lenet5.train.sample":
        argv = without(argv, "--out") + ["--out", str(tmp / "mnist_sample.npz")]
    return argv


def key(argv: list[str]) -> tuple:
    """The same command, whatever its flags' order and however it spells PATH, once bounded."""
    groups: list[list[str]] = []
    for arg in bounded(argv, Path("TMP"))[3:]:
        arg = "PATH" if arg.startswith("PATH/") else arg
        if arg.startswith("--") or not groups:
            groups.append([])
        groups[-1].append(arg)
    return kind(argv), frozenset(map(tuple, groups))


def commands() -> list[list[str]]:
    """The block's commands this test runs, each once."""
    seen, out = set(), []
    for argv in block():
        if kind(argv) not in BY_CI and key(argv) not in seen:
            seen.add(key(argv))
            out.append(argv)
    return out


def test_the_block_lists_the_commands_it_should():
    kinds = [kind(argv) for argv in block()]
    assert {"pip", "pytest", "lenet5.train", "lenet5.eval.crossval", "lenet5.evaluate",
            "lenet5.number", "lenet5.train.sample"} <= set(kinds)
    smoke = [argv for argv in block() if "--smoke" in argv]  # a one-line smoke retrain
    assert smoke and all("--out" in argv for argv in smoke)


def test_ci_runs_the_commands_this_test_leaves_to_it():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    for argv in block():
        if kind(argv) == "pip":  # the same requirements file, whatever pip's other flags
            assert any("pip install" in line and argv[-1] in line.split() for line in ci), argv
        elif kind(argv) == "pytest":
            assert any(line.strip().startswith(shlex.join(argv)) for line in ci), argv


@pytest.mark.slow
@pytest.mark.parametrize("argv", commands(), ids=lambda argv: " ".join(argv[2:5]))
def test_command_runs(argv, tmp_path, mnist_path, pendigits_path):
    run = with_data(bounded(argv, tmp_path), mnist_path, pendigits_path)
    env = {k: v for k, v in os.environ.items() if k != MODELS_ENV}  # the committed models
    out = subprocess.run([sys.executable, *run[1:]], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=900)
    assert out.returncode == 0, f"{shlex.join(run)}\n{out.stderr[-3000:]}"
    check_output(kind(argv), json.loads(out.stdout.strip().splitlines()[-1]), tmp_path)


def check_output(module: str, result: dict, tmp: Path) -> None:
    """What each command's last line of JSON must say."""
    if module == "lenet5.train":
        assert Path(result["out"]) == tmp / "out" and (tmp / "out" / SERVING_FILE).is_file()
    elif module == "lenet5.eval.crossval":
        assert 0 < result["held_out_accuracy"]["mean"] <= 1
        assert all(0 <= result[f"number_accuracy_{how}"]["mean"] <= 1
                   for how in ("apart", "touching", "joined"))
        assert (tmp / "out" / "crossval.json").is_file()
    elif module in ("lenet5.evaluate", "lenet5.number"):
        assert result["model"] == str(ROOT / "models" / SERVING_FILE)
    elif module == "lenet5.train.sample":
        with np.load(result["out"]) as made, np.load(mnist_sample_path()) as committed:
            assert sorted(made.files) == sorted(committed.files)
            assert all(np.array_equal(made[k], committed[k]) for k in committed.files)
