"""The serving benchmark keeps its JSON keys (other tools read them) and measures each "Poke
the network" experiment; on the pages, each experiment's section stays within 20 ms a rerun."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from support import ROOT, require

KEYS = {"serve_p50_ms", "serve_p90_ms", "preprocess_p50_ms", "keras_predict_p50_ms", "speedup",
        "litert_load_s", "n_serve", "n_keras", "typicality_p50_ms", "neighbours_p50_ms"}
EXPERIMENTS = {"prefixes_p50_ms", "prefixes_20_strokes_p50_ms", "sweeps_p50_ms",
               "receptive_field_p50_ms", "switch_maps_p50_ms"}


@pytest.mark.slow
def test_bench_prints_its_keys_and_the_experiments():
    require("keras")
    out = subprocess.run([sys.executable, "-m", "lenet5.bench", "--repeats", "20",
                          "--keras-repeats", "4"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(result) >= KEYS | EXPERIMENTS
    assert all(result[k] > 0 for k in EXPERIMENTS)
    assert result["prefixes_20_strokes_p50_ms"] > result["prefixes_p50_ms"]


@pytest.mark.slow
def test_each_experiment_costs_at_most_20_ms_a_rerun():
    out = subprocess.run([sys.executable, "-m", "benchmarks.experiments", "--runs", "10"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    sections = {k: v["section_p50_ms"] for k, v in result.items() if isinstance(v, dict)}
    assert set(sections) == {"stroke_by_stroke", "sweeps", "one_unit", "switch_maps_off"}
    assert all(0 < ms <= 20 for ms in sections.values()), sections
