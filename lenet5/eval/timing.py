"""Timing the real app in headless Chromium: a digit drawn stroke by stroke (mouse-up -> the
rerun it triggered has finished, per stroke) and a cold start (``streamlit run`` -> canvas
usable -> first prediction on screen). Shared by ``benchmarks.latency`` and
``benchmarks.compare``, which measure them side by side with other apps."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from lenet5.eval import browser as B


def log(*parts) -> None:
    """Progress on stderr (the benchmarks' stdout carries only their JSON result)."""
    print(*parts, file=sys.stderr, flush=True)


def draw_timed(page, reruns: B.Reruns, box: dict, strokes) -> list[float]:
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


def cold_start(context, app: Path = B.ROOT / "app.py") -> tuple[dict, tuple]:
    """Start ``app``; seconds to the canvas usable and to the first prediction (after one
    stroke). Returns them and ``(server, process, page, reruns, canvas box)``, the server
    still running: the caller ends it with ``server.__exit__(None, None, None)``."""
    t0 = time.perf_counter()
    server = B.serve(app)
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
