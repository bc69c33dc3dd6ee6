"""This app against another checkout of it, side by side: stroke → page (with the canvas-only
app as the yardstick) and cold start, interleaved so that all of them see the same machine.

    git worktree add /tmp/before <commit>
    python -m benchmarks.compare --other /tmp/before/app.py [--drawings 30] [--cold-starts 6]

On a noisy machine two runs of ``benchmarks.latency`` can differ by more than a change does;
this measures the change. Prints one JSON object: median ms per stroke and the ratios to the
canvas-only app, median cold start (``streamlit run`` → first prediction on screen) of each
and the server's resident memory then.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import statistics
from pathlib import Path

from playwright.sync_api import sync_playwright

from benchmarks import browser as B
from benchmarks import latency as L


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
            L.log(f"strokes: drawing {i + 1}/{drawings}")
            for name in list(apps)[:: 1 if i % 2 == 0 else -1]:
                page, reruns, box = pages[name]
                times[name] += L.draw_timed(page, reruns, box, samples[i % len(samples)]["strokes"])
                B.reset(page, reruns)
        for page, _, _ in pages.values():
            page.close()
    return times


def cold_starts_s(context, apps: dict[str, Path], n: int) -> tuple[dict, dict]:
    """``n`` cold starts of each app, alternating: seconds to the first prediction on screen,
    and the server's resident memory then, MB."""
    out: dict[str, list[float]] = {name: [] for name in apps}
    rss: dict[str, list[float]] = {name: [] for name in apps}
    serve = B.serve
    try:
        for i in range(n):
            for name in list(apps)[:: 1 if i % 2 == 0 else -1]:
                L.log(f"cold start {i + 1}/{n}: {name}")
                B.serve = functools.partial(serve, apps[name])
                result, (server, proc, page, _, _) = L.cold_start(context)
                rss[name].append(L.rss_mb(proc.pid))
                page.close()
                server.__exit__(None, None, None)
                out[name].append(result["cold_start_total_s"])
    finally:
        B.serve = serve
    return out, rss


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.compare")
    p.add_argument("--other", type=Path, required=True, help="the other checkout's app.py")
    p.add_argument("--drawings", type=int, default=30)
    p.add_argument("--cold-starts", type=int, default=6)
    a = p.parse_args(argv)
    apps = {"this": B.ROOT / "app.py", "other": a.other.resolve()}
    with sync_playwright() as pw:
        browser, context = B.launch(pw)
        strokes = strokes_ms(context, {**apps, "canvas_only": L.HERE / "canvas_only_app.py"},
                             a.drawings) if a.drawings else {"this": []}
        colds, rss = cold_starts_s(context, apps, a.cold_starts) if a.cold_starts else ({}, {})
        browser.close()
    ms = {k: statistics.median(v) * 1e3 for k, v in strokes.items() if v}
    print(json.dumps({
        "stroke_ms_median": {k: round(v) for k, v in ms.items()},
        **({"ratio_this": round(ms["this"] / ms["canvas_only"], 3),
            "ratio_other": round(ms["other"] / ms["canvas_only"], 3)} if ms else {}),
        "strokes_each": len(strokes["this"]),
        "cold_start_total_s_median": {k: round(statistics.median(v), 2) for k, v in colds.items()},
        "server_rss_mb_after_first_prediction": {k: round(statistics.median(v))
                                                 for k, v in rss.items()},
    }))


if __name__ == "__main__":
    main()
