"""python -m lenet5.eval.adapt, run as a user runs it, on two of the writers the committed net
never saw."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT


def pendigits() -> Path:
    default = ROOT.parent / "shared/data/pendigits-train.jsonl.gz"
    path = Path(os.environ.get("LENET5_PENDIGITS", default))
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing in CI")
        pytest.skip("no pen digits")
    return path


def run(*flags: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "lenet5.eval.adapt", "--pendigits",
                          str(pendigits()), *flags], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    return json.loads(out.stdout)


@pytest.mark.slow
def test_prints_before_after_per_writer_of_the_held_out_fold():
    metrics = json.loads((ROOT / "models/metrics.json").read_text())["pen"]
    result = run("--shots", "3", "--writers", "1", "6")
    assert {"before", "after", "per_writer", "shots"} <= result.keys()
    assert result["shots"] == 3 and result["fold"] == metrics["held_out_fold"]
    assert set(result["per_writer"]) == {"1", "6"} <= {str(w) for w in
                                                      metrics["held_out_writers"]}
    for v in result["per_writer"].values():
        assert {"before", "after", "n"} == v.keys() and v["n"] > 200  # ~250 each, 30 taught
        assert 0.9 < v["before"] <= 1 and v["after"] >= v["before"] - 0.005
    assert {"fit_max_digits_ms", "reread_ms", "layer_bytes", "max_digits"} <= result.keys()


def test_bad_flags_exit_with_a_message():
    out = subprocess.run([sys.executable, "-m", "lenet5.eval.adapt", "--pendigits", "x",
                          "--shots", "0"], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 2 and "--shots" in out.stderr
