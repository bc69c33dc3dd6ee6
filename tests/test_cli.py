"""The four command lines other tools measure with keep their flags (issue 14 moved their code;
thin modules forward to it)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from support import ROOT, require

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
                     "--pen-holdout-fold", "--pen-folds", "--aug-prob"],
}


@pytest.mark.parametrize("module", sorted(FLAGS))
def test_each_command_line_keeps_its_flags(module):
    if module == "lenet5.train":
        require("tensorflow")
    out = subprocess.run([sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    missing = [flag for flag in FLAGS[module]
               if not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", out.stdout)]
    assert not missing, missing
