"""Server time per rerun of each "Poke the network" experiment, on the real pages in Streamlit's
AppTest: the wall time of the experiment's page section (computing, building its charts and
handing them to Streamlit) while its expander is open, and the whole rerun with it open and
closed, for context.

    python -m benchmarks.experiments [--runs 40]

A 7 drawn in two strokes is placed in the session as the Draw page keeps a drawing; the Inside
page shows it with C3 chosen and three maps switched off. Prints one JSON object (ms, medians).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support.pages import back_on_draw, run  # noqa: E402

from benchmarks.bad_inputs import path_object  # noqa: E402
from lenet5.core.analysis import analyse  # noqa: E402
from lenet5.core.predictor import Predictor  # noqa: E402
from lenet5.core.strokes import BRUSH, CANVAS, render  # noqa: E402
from lenet5.ui import draw_experiments as changes  # noqa: E402
from lenet5.ui import inside_experiments as units
from lenet5.ui import state

SEVEN = [[[210.0, 60], [130, 230]], [[70.0, 60], [210, 60]]]
SECTIONS = {"stroke_by_stroke": (changes, "prefixes_section", "draw", state.PREFIXES),
            "sweeps": (changes, "sweeps_section", "draw", state.SWEEPS),
            "one_unit": (units, "unit_section", "inside", state.UNIT),
            "switch_maps_off": (units, "switch_section", "inside", state.SWITCH)}
SPENT: dict[str, list[float]] = defaultdict(list)


def timed(module, name: str) -> None:
    """Wrap ``module.name`` so that each call's wall time lands in ``SPENT[name]`` (before
    the pages import it: they take it by name)."""
    section = getattr(module, name)

    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        section(*args, **kwargs)
        SPENT[name].append((time.perf_counter() - t) * 1e3)

    setattr(module, name, wrapper)


def drawn() -> tuple:
    """A 7 drawn in two strokes, stem first, as the Draw page read it, and its canvas state."""
    strokes = [np.array(s) for s in SEVEN]
    objects = [path_object(s, BRUSH) for s in SEVEN]
    return analyse(render(strokes, CANVAS, BRUSH), Predictor()), {"objects": objects}


def reruns_ms(page: str, session: dict, runs: int) -> list[float]:
    at, out = run(page, **session), []  # the first run loads and caches
    for _ in range(runs):
        t = time.perf_counter()
        at.run()
        out.append((time.perf_counter() - t) * 1e3)
        assert not at.exception, at.exception
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.experiments")
    p.add_argument("--runs", type=int, default=40)
    a = p.parse_args(argv)
    for module, name, _, _ in SECTIONS.values():
        timed(module, name)
    seven = drawn()
    sessions = {"draw": back_on_draw(seven),
                "inside": {state._ANALYSIS: seven[0], state.UNIT_LAYER: "c3",
                           state.off("c3"): [1, 5, 9]}}
    result = {}
    for label, (_, name, page, key) in SECTIONS.items():
        closed = reruns_ms(page, sessions[page], a.runs)
        SPENT[name].clear()
        opened = reruns_ms(page, {**sessions[page], key: True}, a.runs)
        result[label] = {"section_p50_ms": round(statistics.median(SPENT[name]), 2),
                         "rerun_closed_p50_ms": round(statistics.median(closed), 1),
                         "rerun_open_p50_ms": round(statistics.median(opened), 1)}
    print(json.dumps({**result, "runs": a.runs}))


if __name__ == "__main__":
    main()
