"""Stroke -> page updated, in headless Chromium: the full app vs a canvas-only app, side by side.

    python -m benchmarks.latency [--drawings 30] [--rss-drawings 200] [--cold-starts 5]
                                 [--memory-drawings 100] [--memory-sessions 10]
                                 [--max-rss-mb 260] [--max-sessions-rss-mb 300]

Both apps run at once; drawings alternate between them, so both see the same machine load.
For every stroke: time from mouse-up until the rerun it triggered has finished (the websocket's
``script_finished`` and ``data-test-script-state`` back to ``notRunning``). Also measures the
full app's cold start (``streamlit run`` -> canvas usable; -> first prediction on screen,
timed in the page; -> page responsive again; median of ``--cold-starts``) and its server RSS
and session state (keys, pickled bytes; ``$LENET5_STATE_LOG``) before and after
``--rss-drawings`` more drawings. Then, each on a fresh server (:mod:`lenet5.eval.footprint`),
its RSS after ``--memory-drawings`` in one session and after ``--memory-sessions`` sessions have
drawn at once and closed. Prints one JSON object; exits 1 if one of those exceeds its
``--max-...-mb`` gate.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from lenet5.eval import browser as B
from lenet5.eval import footprint
from lenet5.eval.timing import cold_start, draw_timed, log

HERE = Path(__file__).resolve().parent


def cold_starts(context, n: int) -> tuple[dict, tuple]:
    """``n`` cold starts, each on its own server; the medians (and each), and the last one's
    ``(server, process, page, reruns, box)`` still running."""
    colds = []
    for i in range(n):
        log(f"cold start {i + 1}/{n}")
        cold, running = cold_start(context)
        colds.append(cold)
        if i < n - 1:
            running[2].close()
            running[0].__exit__(None, None, None)
    result = {k: round(statistics.median(c[k] for c in colds), 2) for k in colds[0]}
    return {**result, "cold_starts": colds}, running


def side_by_side(context, running: tuple, drawings: int) -> dict:
    """The same digits drawn on the full app (``running``) and the canvas-only app in turn."""
    _, _, page, reruns, box = running
    samples = B.pen_samples()
    B.reset(page, reruns)
    with B.serve(HERE / "canvas_only_app.py") as (base_url, _):
        base_page = context.new_page()
        base_reruns = B.Reruns(base_page)
        base_box = B.open_app(base_page, base_url)
        full, base = [], []
        for i in range(drawings):
            log(f"side by side: drawing {i + 1}/{drawings}")
            strokes = samples[i % len(samples)]["strokes"]
            full += draw_timed(page, reruns, box, strokes)
            B.reset(page, reruns)
            base += draw_timed(base_page, base_reruns, base_box, strokes)
            B.reset(base_page, base_reruns)
        base_page.close()  # before its server stops: a page left reconnecting can stall input
    return {"full_app_stroke_ms_median": round(statistics.median(full) * 1e3),
            "canvas_only_stroke_ms_median": round(statistics.median(base) * 1e3),
            "ratio": round(statistics.median(full) / statistics.median(base), 3),
            "strokes_each": len(full), "drawings_each": drawings}


def more_drawings(running: tuple, drawings: int, state_log: Path) -> dict:
    """``drawings`` more on the same server and page: its RSS and session state before, after."""
    _, proc, page, reruns, box = running
    samples = B.pen_samples()
    rss_start, state_start = B.rss_mb(proc.pid), B.last_state(state_log)
    for i in range(drawings):
        if i % 20 == 0:
            log(f"memory: drawing {i + 1}/{drawings}, rss {B.rss_mb(proc.pid):.0f} MB")
        t_up = B.draw(page, B.to_canvas(samples[i % len(samples)]["strokes"], box))
        reruns.wait(page, t_up)
        B.reset(page, reruns)
    return {"server_rss_mb_before": round(rss_start),
            "server_rss_mb_after": round(B.rss_mb(proc.pid)), "rss_drawings": drawings,
            "session_state_before": state_start, "session_state_after": B.last_state(state_log)}


def fresh_servers(drawings: int, sessions: int) -> dict:
    """Memory on fresh servers: after ``drawings`` in one session, after ``sessions`` at once."""
    out = {}
    if drawings:
        log(f"memory: {drawings} drawings in one session, on a fresh server")
        one = footprint.after_drawings(drawings=drawings)
        out |= {"server_rss_mb_after_drawings": one["rss_mb"], "memory_drawings": drawings,
                "server_anon_mb_after_drawings": one["anon_mb"],
                "server_rss_mb_after_first_drawing": one["after_first_mb"]}
    if sessions:
        log(f"memory: {sessions} sessions at once, on a fresh server")
        many = footprint.after_sessions(sessions=sessions)
        out |= {"server_rss_mb_after_sessions": many["rss_mb"], "memory_sessions": sessions,
                "server_anon_mb_after_sessions": many["anon_mb"],
                "memory_session_drawings": many["drawings_each"],
                "server_peak_rss_mb_sessions": many["peak_mb"]}
    return out


def over(result: dict, gates: dict[str, float | None]) -> list[str]:
    """The gated figures over their limits (a limit of None, or a figure not measured: none)."""
    return [f"{key} {result[key]} MB > {limit} MB" for key, limit in gates.items()
            if limit is not None and key in result and result[key] > limit]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.latency")
    p.add_argument("--drawings", type=int, default=30)
    p.add_argument("--rss-drawings", type=int, default=200)
    p.add_argument("--cold-starts", type=int, default=5, help="cold starts to take the median of")
    p.add_argument("--memory-drawings", type=int, default=100, help="0: not measured")
    p.add_argument("--memory-sessions", type=int, default=10, help="0: not measured")
    p.add_argument("--max-rss-mb", type=float, help="gate: RSS after --memory-drawings")
    p.add_argument("--max-sessions-rss-mb", type=float, help="gate: after --memory-sessions")
    p.add_argument("--max-anon-mb", type=float, help="gate: RssAnon (what the server "
                   "allocated, without mapped files) after --memory-drawings")
    a = p.parse_args(argv)
    state_log = Path(tempfile.mkdtemp()) / "state.jsonl"
    os.environ["LENET5_STATE_LOG"] = str(state_log)  # the app server inherits it
    with sync_playwright() as pw:
        browser, context = B.launch(pw)
        result, running = cold_starts(context, a.cold_starts)
        result |= side_by_side(context, running, a.drawings)
        result |= more_drawings(running, a.rss_drawings, state_log)
        running[0].__exit__(None, None, None)
        browser.close()
    result |= fresh_servers(a.memory_drawings, a.memory_sessions)  # its own browsers
    print(json.dumps(result))
    failed = over(result, {"server_rss_mb_after_drawings": a.max_rss_mb,
                           "server_rss_mb_after_sessions": a.max_sessions_rss_mb,
                           "server_anon_mb_after_drawings": a.max_anon_mb})
    if failed:
        print("FAILED: " + "; ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
