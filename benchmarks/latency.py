"""Stroke -> page updated, in headless Chromium: the full app vs a canvas-only app, side by side.

    python -m benchmarks.latency [--drawings 30] [--rss-drawings 200] [--cold-starts 5]

Both apps run at once; drawings alternate between them, so both see the same machine load.
For every stroke: time from mouse-up until the rerun it triggered has finished (the websocket's
``script_finished`` and ``data-test-script-state`` back to ``notRunning``). Also measures the
full app's cold start (``streamlit run`` -> canvas usable; -> first prediction on screen,
timed in the page; -> page responsive again; median of ``--cold-starts``) and its server RSS
and session state (keys, pickled bytes; ``$LENET5_STATE_LOG``) before and after
``--rss-drawings`` more drawings. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from benchmarks import browser as B

HERE = Path(__file__).resolve().parent


def log(*parts) -> None:
    """Progress on stderr (stdout carries only the JSON result)."""
    print(*parts, file=sys.stderr, flush=True)


def rss_mb(pid: int) -> float:
    """Resident memory of a process (Linux /proc), MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def last_state(log: Path) -> dict:
    """The session state the app logged after its last run: keys and pickled bytes."""
    return json.loads(log.read_text().splitlines()[-1])


def draw_timed(page, reruns, box, strokes) -> list[float]:
    """Draw a digit stroke by stroke, waiting for each rerun; seconds per stroke."""
    page.bring_to_front()  # a background tab's input and frames are throttled
    times = []
    for stroke in B.to_canvas(strokes, box):
        t_up = B.draw(page, [stroke])
        times.append(reruns.wait(page, t_up))
    return times


# In the page: the time of the last mouse-up and of the first frame drawn with a Prediction in
# it. Playwright cannot see the metric while the page is busy running code it has just loaded
# (after the first prediction, the code of the elements the page shows for the first time), so
# its own wait measures "the page responds again", reported beside it.
PAINT_PROBE = """
addEventListener('mouseup', () => { window.__up = performance.now(); }, true);
new MutationObserver(() => {
  if (window.__painted === undefined && document.querySelector('METRIC')) {
    window.__painted = null;
    requestAnimationFrame(() => { window.__painted = performance.now(); });
  }
}).observe(document, {subtree: true, childList: true});
""".replace("METRIC", B.METRIC_VALUE)


def cold_start(context) -> tuple[dict, object]:
    """Start the full app; time to canvas usable and to first prediction (after one stroke)."""
    t0 = time.perf_counter()
    server = B.serve()
    url, proc = server.__enter__()
    page = context.new_page()
    page.add_init_script(PAINT_PROBE)
    reruns = B.Reruns(page)
    box = B.open_app(page, url)
    usable = time.perf_counter() - t0
    sample = B.pen_samples()[2]
    t_up = B.draw(page, B.to_canvas(sample["strokes"], box))
    page.locator(B.METRIC_VALUE).first.wait_for(timeout=30_000)
    responsive = time.perf_counter() - t_up
    shown = page.evaluate("window.__painted - window.__up") / 1e3
    return {"cold_start_canvas_s": round(usable, 2), "first_prediction_shown_s": round(shown, 2),
            "cold_start_total_s": round(usable + shown, 2),
            "page_responsive_again_s": round(responsive, 2)}, (server, proc, page, reruns, box)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.latency")
    p.add_argument("--drawings", type=int, default=30)
    p.add_argument("--rss-drawings", type=int, default=200)
    p.add_argument("--cold-starts", type=int, default=5, help="cold starts to take the median of")
    a = p.parse_args(argv)
    samples = B.pen_samples()
    state_log = Path(tempfile.mkdtemp()) / "state.jsonl"
    os.environ["LENET5_STATE_LOG"] = str(state_log)  # the app server inherits it
    with sync_playwright() as pw:
        browser, context = B.launch(pw)
        colds = []
        for i in range(a.cold_starts - 1):  # each with its own server, closed again
            log(f"cold start {i + 1}/{a.cold_starts}")
            cold, (server, _, page, _, _) = cold_start(context)
            page.close()
            server.__exit__(None, None, None)
            colds.append(cold)
        log(f"cold start {a.cold_starts}/{a.cold_starts}")
        result, (server, proc, page, reruns, box) = cold_start(context)
        colds.append(dict(result))
        result = {k: round(statistics.median(c[k] for c in colds), 2) for k in result}
        result["cold_starts"] = colds
        B.reset(page, reruns)
        with B.serve(HERE / "canvas_only_app.py") as (base_url, _):
            base_page = context.new_page()
            base_reruns = B.Reruns(base_page)
            base_box = B.open_app(base_page, base_url)
            full, base = [], []
            for i in range(a.drawings):
                log(f"side by side: drawing {i + 1}/{a.drawings}")
                strokes = samples[i % len(samples)]["strokes"]
                full += draw_timed(page, reruns, box, strokes)
                B.reset(page, reruns)
                base += draw_timed(base_page, base_reruns, base_box, strokes)
                B.reset(base_page, base_reruns)
            base_page.close()  # before its server stops: a page left reconnecting can stall input
        rss_start = rss_mb(proc.pid)
        state_start = last_state(state_log)
        for i in range(a.rss_drawings):
            if i % 20 == 0:
                log(f"memory: drawing {i + 1}/{a.rss_drawings}, rss {rss_mb(proc.pid):.0f} MB")
            t_up = B.draw(page, B.to_canvas(samples[i % len(samples)]["strokes"], box))
            reruns.wait(page, t_up)
            B.reset(page, reruns)
        result.update({
            "full_app_stroke_ms_median": round(statistics.median(full) * 1e3),
            "canvas_only_stroke_ms_median": round(statistics.median(base) * 1e3),
            "ratio": round(statistics.median(full) / statistics.median(base), 3),
            "strokes_each": len(full), "drawings_each": a.drawings,
            "server_rss_mb_before": round(rss_start),
            "server_rss_mb_after": round(rss_mb(proc.pid)),
            "rss_drawings": a.rss_drawings,
            "session_state_before": state_start, "session_state_after": last_state(state_log),
        })
        server.__exit__(None, None, None)
        browser.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
