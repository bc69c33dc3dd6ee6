"""This app against another checkout of it, side by side: stroke → page (with the canvas-only
app as the yardstick) and cold start, interleaved so that all of them see the same machine.

    git worktree add /tmp/before <commit>
    python -m benchmarks.compare --other /tmp/before/app.py [--drawings 30] [--cold-starts 6]
                                 [--memory-rounds 3] [--memory-drawings 100] [--memory-sessions 10]

On a noisy machine two runs of ``benchmarks.latency`` can differ by more than a change does;
this measures the change. Prints one JSON object: median ms per stroke and the ratios to the
canvas-only app, median cold start (``streamlit run`` → first prediction on screen) of each
and the server's resident memory then; with ``--memory-rounds``, each app's server memory
(:mod:`lenet5.eval.footprint`, a fresh server each time, the apps alternating) after
``--memory-drawings`` in one session and after ``--memory-sessions`` at once, medians.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
from pathlib import Path

from playwright.sync_api import sync_playwright

from lenet5.eval import browser as B
from lenet5.eval import footprint
from lenet5.eval import timing as T

HERE = Path(__file__).resolve().parent


def strokes_ms(context, apps: dict[str, Path], drawings: int) -> dict[str, list[float]]:
    """Each app served, the same pen-drawn digits drawn on each in turn (the order alternating
    from one drawing to the next): seconds from mouse-up to the page updated, per stroke."""
    samples = B.pen_samples()
    times: dict[str, list[float]] = {name: [] for name in apps}
    with contextlib.ExitStack() as stack:
        pages = {}
        for name, app in apps.items():
            url, _ = stack.enter_context(B.serve(app))
            page = context.new_page()
            pages[name] = (page, B.Reruns(page), B.open_app(page, url))
        for i in range(drawings):
            T.log(f"strokes: drawing {i + 1}/{drawings}")
            for name in list(apps)[:: 1 if i % 2 == 0 else -1]:
                page, reruns, box = pages[name]
                times[name] += T.draw_timed(page, reruns, box, samples[i % len(samples)]["strokes"])
                B.reset(page, reruns)
        for page, _, _ in pages.values():
            page.close()
    return times


def cold_starts_s(context, apps: dict[str, Path], n: int) -> tuple[dict, dict]:
    """``n`` cold starts of each app, alternating: seconds to the first prediction on screen,
    and the server's resident memory then, MB."""
    out: dict[str, list[float]] = {name: [] for name in apps}
    rss: dict[str, list[float]] = {name: [] for name in apps}
    for i in range(n):
        for name in list(apps)[:: 1 if i % 2 == 0 else -1]:
            T.log(f"cold start {i + 1}/{n}: {name}")
            result, (server, proc, page, _, _) = T.cold_start(context, apps[name])
            rss[name].append(B.rss_mb(proc.pid))
            page.close()
            server.__exit__(None, None, None)
            out[name].append(result["cold_start_total_s"])
    return out, rss


def memory_mb(apps: dict[str, Path], rounds: int, drawings: int, sessions: int) -> dict:
    """Each app's server RSS after ``drawings`` in one session and after ``sessions`` at once,
    ``rounds`` times, alternating which app goes first: the medians, and every run."""
    runs: dict[str, dict[str, list]] = {k: {name: [] for name in apps}
                                        for k in ("after_drawings", "after_sessions")}
    for i in range(rounds):
        for name in list(apps)[:: 1 if i % 2 == 0 else -1]:
            T.log(f"memory {i + 1}/{rounds}: {name}, {drawings} drawings in one session")
            runs["after_drawings"][name].append(
                footprint.after_drawings(apps[name], drawings)["rss_mb"])
        for name in list(apps)[:: -1 if i % 2 == 0 else 1]:
            T.log(f"memory {i + 1}/{rounds}: {name}, {sessions} sessions at once")
            runs["after_sessions"][name].append(
                footprint.after_sessions(apps[name], sessions)["rss_mb"])
    medians = {f"server_rss_mb_{k}": {name: round(statistics.median(v)) for name, v in by.items()}
               for k, by in runs.items()}
    return {**medians, "memory_runs_mb": runs, "memory_drawings": drawings,
            "memory_sessions": sessions}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.compare")
    p.add_argument("--other", type=Path, required=True, help="the other checkout's app.py")
    p.add_argument("--drawings", type=int, default=30)
    p.add_argument("--cold-starts", type=int, default=6)
    p.add_argument("--memory-rounds", type=int, default=0, help="0: memory not measured")
    p.add_argument("--memory-drawings", type=int, default=100)
    p.add_argument("--memory-sessions", type=int, default=10)
    a = p.parse_args(argv)
    apps = {"this": B.ROOT / "app.py", "other": a.other.resolve()}
    with sync_playwright() as pw:
        browser, context = B.launch(pw)
        strokes = strokes_ms(context, {**apps, "canvas_only": HERE / "canvas_only_app.py"},
                             a.drawings) if a.drawings else {"this": []}
        colds, rss = cold_starts_s(context, apps, a.cold_starts) if a.cold_starts else ({}, {})
        browser.close()
    memory = memory_mb(apps, a.memory_rounds, a.memory_drawings, a.memory_sessions) \
        if a.memory_rounds else {}
    ms = {k: statistics.median(v) * 1e3 for k, v in strokes.items() if v}
    print(json.dumps({
        "stroke_ms_median": {k: round(v) for k, v in ms.items()},
        **({"ratio_this": round(ms["this"] / ms["canvas_only"], 3),
            "ratio_other": round(ms["other"] / ms["canvas_only"], 3)} if ms else {}),
        "strokes_each": len(strokes["this"]),
        "cold_start_total_s_median": {k: round(statistics.median(v), 2) for k, v in colds.items()},
        "server_rss_mb_after_first_prediction": {k: round(statistics.median(v))
                                                 for k, v in rss.items()},
        **memory,
    }))


if __name__ == "__main__":
    main()
