"""Server time per rerun of each "Poke the network" experiment, on the real pages in Streamlit's
AppTest: the wall time of the experiment's page section (computing, building its charts and
handing them to Streamlit) while its expander is open, and the whole rerun with it open and
closed, for context.

    python -m benchmarks.experiments [--runs 40] [--max-section-ms 20]

A 7 drawn in two strokes, stem first, is drawn on the Draw page's canvas (its widget given the
value the browser sends); the Inside page shows it with C3 chosen and three maps switched off.
Prints one JSON object (ms, medians); with ``--max-section-ms``, exits 1 if any experiment's
section takes longer than that a rerun (the gate .ci/run applies: timing limits live here, not
in pytest, whose machine load makes a wall-clock assert flaky).
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import sys
import time
from collections import defaultdict

from streamlit.testing.v1 import AppTest

from lenet5.core.strokes import BRUSH, CANVAS
from lenet5.ui import canvas, state

SEVEN = [[[210.0, 60], [130, 230]], [[70.0, 60], [210, 60]]]  # stem first, then the bar
# label -> (module, section function, the page module that calls it, its page, its expander)
SECTIONS = {
    "stroke_by_stroke": ("draw_experiments", "prefixes_section", "draw", state.PREFIXES),
    "sweeps": ("draw_experiments", "sweeps_section", "draw", state.SWEEPS),
    "one_unit": ("inside_experiments", "unit_section", "inside", state.UNIT),
    "switch_maps_off": ("inside_experiments", "switch_section", "inside", state.SWITCH),
}
SPENT: dict[str, list[float]] = defaultdict(list)


def timed(module: str, name: str, page: str) -> None:
    """Wrap ``lenet5.ui.<module>.<name>`` so that each call's wall time lands in
    ``SPENT[name]``; in the page module too, which took it by name when it was imported."""
    experiments = importlib.import_module(f"lenet5.ui.{module}")
    section = getattr(experiments, name)

    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        section(*args, **kwargs)
        SPENT[name].append((time.perf_counter() - t) * 1e3)

    setattr(experiments, name, wrapper)
    setattr(importlib.import_module(f"lenet5.ui.{page}_page"), name, wrapper)


def _page(name: str) -> None:
    """One page of the app behind its error boundary (AppTest runs this function's source)."""
    import importlib

    from lenet5.ui.guard import guarded

    guarded(importlib.import_module(f"lenet5.ui.{name}_page").page)()


def session(page: str, widgets: dict) -> AppTest:
    """An AppTest session that has drawn the 7 on the Draw page, then (for another ``page``)
    gone there, with ``widgets`` (public keys of lenet5.ui.state) set before that run."""
    at = AppTest.from_function(_page, args=("draw",), default_timeout=60).run()
    at.session_state[state.CANVAS] = canvas.drawn(SEVEN, [BRUSH] * len(SEVEN), (CANVAS, CANVAS))
    if page != "draw":
        at.run()  # read on the Draw page first, as a person does before going elsewhere
    for key, value in widgets.items():
        at.session_state[key] = value
    at.args = (page,)
    return at.run()


def reruns_ms(page: str, widgets: dict, runs: int) -> list[float]:
    """Wall ms of ``runs`` reruns of ``page`` once the session is set up (its first run loads
    and caches what the page needs)."""
    at, out = session(page, widgets), []
    for _ in range(runs):
        t = time.perf_counter()
        at.run()
        out.append((time.perf_counter() - t) * 1e3)
        assert not at.exception, at.exception
    return out


def measure(runs: int) -> dict:
    for module, name, page, _ in SECTIONS.values():
        timed(module, name, page)
    inside = {state.UNIT_LAYER: "c3", state.off("c3"): [1, 5, 9]}
    result = {}
    for label, (_, name, page, key) in SECTIONS.items():
        widgets = inside if page == "inside" else {}
        closed = reruns_ms(page, widgets, runs)
        SPENT[name].clear()
        opened = reruns_ms(page, {**widgets, key: True}, runs)
        if not SPENT[name]:
            raise SystemExit(f"{label}: its section never ran with its expander open")
        result[label] = {"section_p50_ms": round(statistics.median(SPENT[name]), 2),
                         "rerun_closed_p50_ms": round(statistics.median(closed), 1),
                         "rerun_open_p50_ms": round(statistics.median(opened), 1)}
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.experiments")
    p.add_argument("--runs", type=int, default=40)
    p.add_argument("--max-section-ms", type=float, default=None,
                   help="exit 1 if an experiment's section median exceeds this")
    a = p.parse_args(argv)
    result = measure(a.runs)
    print(json.dumps({**result, "runs": a.runs}))
    slow = {k: v["section_p50_ms"] for k, v in result.items()
            if a.max_section_ms is not None and v["section_p50_ms"] > a.max_section_ms}
    if slow:
        print(f"FAILED: over {a.max_section_ms} ms a rerun: {slow}", file=sys.stderr)
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
