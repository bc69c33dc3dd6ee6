"""Bad uploads and a tampered browser against the real app, in headless Chromium.

    python -m benchmarks.robustness [--out robustness.json]

Uploads every file of :func:`lenet5.eval.hostile.uploads` on the Draw page, then, on each
page, draws a real digit while the websocket is rewritten (Playwright's ``route_web_socket``)
so that the canvas state the server receives is one of :func:`lenet5.eval.hostile.
canvas_changes`. For each it records what the page answered (its alerts, or the Prediction),
whether a ``stException`` appeared at any moment (a MutationObserver counts them from page
load), and the server's RSS; at the end the server's peak RSS (VmHWM) and the largest
websocket message each way. Prints one JSON summary (each input's outcome goes to ``--out``, and
one line each to stderr); exits 1 if any input got a traceback or no answer, or the peak RSS
exceeded ``--max-rss-mb``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lenet5.eval import browser as B
from lenet5.eval import hostile
from lenet5.eval.tamper import WATCH, Tamper, tamper_each, upload_each


def run(max_rss_mb: float = 600) -> dict:
    from playwright.sync_api import sync_playwright

    files, changes = hostile.uploads(), hostile.canvas_changes()
    with B.serve() as (url, proc), sync_playwright() as p:
        browser, context = B.launch(p)
        context.add_init_script(WATCH)
        page = context.new_page()
        tamper, reruns = Tamper(page), B.Reruns(page)
        B.open_app(page, url)
        start = B.rss_mb(proc.pid)
        results = upload_each(page, reruns, files, proc.pid)
        results += tamper_each(page, reruns, tamper, url, changes, proc.pid)
        peak = B.rss_mb(proc.pid, "VmHWM")
        browser.close()
    bad = [r["input"] for r in results
           if r["exceptions"] or not (r["alerts"] or r["metric"])
           or r.get("tampered") is False]
    return {"uploads": len(files), "canvas_states": len(changes),
            "server_rss_start_mb": round(start), "server_peak_rss_mb": round(peak),
            "max_message_sent_bytes": tamper.max_sent,
            "max_message_received_bytes": tamper.max_received,
            "failed": bad, "ok": not bad and peak <= max_rss_mb, "results": results}


def table(result: dict) -> str:
    """Each input and what the page answered, as a Markdown table (docs/robustness.md)."""
    rows = ["| input | where | what the page answered | server RSS after, MB |",
            "|---|---|---|---|"]
    for r in result["results"]:
        alerts = " / ".join(a.split("\n")[-1].strip() for a in r["alerts"])
        shown = f"read as **{r['metric']}**" + (f"; {alerts}" if alerts else "") \
            if r["metric"] else alerts
        rows.append(f"| {r['input']} | {r['kind']} | {shown} | {r['rss_mb']} |")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.robustness",
                                description=__doc__.split("\n")[0])
    p.add_argument("--max-rss-mb", type=float, default=600)
    p.add_argument("--out", help="write every input's outcome here (JSON)")
    p.add_argument("--markdown", help="write every input's outcome here (a Markdown table)")
    a = p.parse_args(argv)
    result = run(a.max_rss_mb)
    if a.out:
        Path(a.out).write_text(json.dumps(result, indent=1, ensure_ascii=False))
    if a.markdown:
        Path(a.markdown).write_text(table(result))
    print(json.dumps({k: v for k, v in result.items() if k != "results"}, ensure_ascii=False))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
