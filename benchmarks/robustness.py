"""Bad uploads, a tampered browser and a flooding client against the real app, in headless
Chromium; one server for all of it, its output kept (``--log``).

    python -m benchmarks.robustness [--quick] [--out robustness.json] [--markdown table.md]

1. Uploads every file of :func:`lenet5.eval.hostile.uploads` on the Draw page, then, on each
   page, draws a real digit while the websocket is rewritten so that the canvas state the
   server receives is one of :func:`lenet5.eval.hostile.canvas_changes`
   (:mod:`lenet5.eval.tamper`). Each must be answered (an alert, or the Prediction).
2. Tampers every widget of every page (:data:`lenet5.eval.widget_tamper.PAGES`) with every
   value of :data:`lenet5.eval.wire.NAMES` (``--quick``: :data:`lenet5.eval.wire.QUICK`):
   no Streamlit error page at any moment, the session's next rerun works, at most
   ``--max-log-lines`` server log lines per input.
3. Floods the server with 5,000 tiny strokes (:mod:`lenet5.eval.flood`) while another session
   draws: the flooder is answered within ``--max-answer-s``, the other's median reading is
   delayed by at most ``--max-delay-ms`` (against its rounds without the flood, same run).

Throughout: no ``stException`` (a MutationObserver counts them from page load); the server's
peak RSS (VmHWM) at most ``--max-rss-mb``. Prints one JSON summary (each input's outcome goes
to ``--out``, one line each to stderr); exits 1 if anything above failed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from lenet5.eval import browser as B
from lenet5.eval import flood, hostile, widget_tamper, wire
from lenet5.eval.tamper import WATCH, Tamper, tamper_each, upload_each

PARTS = ("uploads", "widgets", "flood")
QUICK_UPLOADS = ["empty file", "PDF named .png", "PNG bomb 20000x20000, 1-bit",
                 "mutated GIF #0", "a digit photo (sanity check: read)"]


def _inputs(context, url: str, pid: int, quick: bool) -> tuple[list[dict], dict]:
    files = hostile.uploads_by_name(QUICK_UPLOADS) if quick else hostile.uploads()
    changes = hostile.canvas_changes()
    page = context.new_page()
    tamper, reruns = Tamper(page), B.Reruns(page)
    B.open_app(page, url)
    results = upload_each(page, reruns, files, pid)
    results += tamper_each(page, reruns, tamper, url, changes, pid)
    page.close()
    failed = [r["input"] for r in results
              if r["exceptions"] or not (r["alerts"] or r["metric"]) or r.get("tampered") is False]
    return results, {"uploads": len(files), "canvas_states": len(changes), "failed": failed,
                     "max_message_sent_bytes": tamper.max_sent,
                     "max_message_received_bytes": tamper.max_received}


def _flood_failures(f: dict, max_answer_s: float, max_delay_ms: float) -> list[str]:
    out = []
    if f["answer_s_max"] is None or f["answer_s_max"] > max_answer_s:
        out.append(f"flood: answered in {f['answer_s']} s [<= {max_answer_s}]")
    if f["delay_ms"] > max_delay_ms:
        out.append(f"flood: the other session's reading {f['delay_ms']} ms later "
                   f"[<= {max_delay_ms}]")
    return out


def run(a: argparse.Namespace, log: Path) -> dict:
    from playwright.sync_api import sync_playwright

    values = list(wire.QUICK if a.quick else wire.NAMES)
    out: dict = {"results": [], "widget_results": [], "failed": [], "seconds": {}}
    with B.serve(log=log) as (url, proc), sync_playwright() as p:
        browser, context = B.launch(p)
        context.add_init_script(WATCH)
        out["server_rss_start_mb"] = round(B.rss_mb(proc.pid))
        t = time.perf_counter()
        if "uploads" in a.parts:
            out["results"], inputs = _inputs(context, url, proc.pid, a.quick)
            out["failed"] += inputs.pop("failed")
            out.update(inputs)
            out["seconds"]["uploads_and_canvas"] = round(time.perf_counter() - t)
        if "widgets" in a.parts:
            t = time.perf_counter()
            s = widget_tamper.Session(context.new_page(), url)
            out["widget_results"] = widget_tamper.tamper_pages(s, values, log, proc.pid)
            s.page.close()
            out["widgets"] = widget_tamper.summary(out["widget_results"], a.max_log_lines)
            out["failed"] += out["widgets"]["failed"]
            out["seconds"]["widgets"] = round(time.perf_counter() - t)
        if "flood" in a.parts:
            t = time.perf_counter()
            out["flood"] = flood.run(context, url, proc.pid, a.flood_rounds)
            out["failed"] += _flood_failures(out["flood"], a.max_answer_s, a.max_delay_ms)
            out["seconds"]["flood"] = round(time.perf_counter() - t)
        out["server_peak_rss_mb"] = round(B.rss_mb(proc.pid, "VmHWM"))
        browser.close()
    out["log_lines"] = len(log.read_text(errors="replace").splitlines())
    if out["server_peak_rss_mb"] > a.max_rss_mb:
        out["failed"].append(f"server peak RSS {out['server_peak_rss_mb']} MB "
                             f"[<= {a.max_rss_mb}]")
    out["ok"] = not out["failed"]
    return out


def table(result: dict) -> str:
    """Each upload and canvas state and what the page answered, as a Markdown table."""
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
    p.add_argument("--max-log-lines", type=int, default=3, help="per tampered widget value")
    p.add_argument("--max-answer-s", type=float, default=1.0, help="the flooder's answer")
    p.add_argument("--max-delay-ms", type=float, default=100,
                   help="the other session's median reading, flooded against not")
    p.add_argument("--flood-rounds", type=int, default=9)
    p.add_argument("--parts", default=",".join(PARTS), help=f"some of {', '.join(PARTS)}")
    p.add_argument("--quick", action="store_true",
                   help="a few uploads and tampered values only (a smoke run)")
    p.add_argument("--out", help="write every input's outcome here (JSON)")
    p.add_argument("--markdown", help="write every upload's and canvas state's outcome here")
    p.add_argument("--log", type=Path, help="keep the server's output here")
    a = p.parse_args(argv)
    a.parts = a.parts.split(",")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        result = run(a, a.log or Path(tmp) / "server.log")
    result["seconds"]["total"] = round(time.perf_counter() - start)
    if a.out:
        Path(a.out).write_text(json.dumps(result, indent=1, ensure_ascii=False))
    if a.markdown:
        Path(a.markdown).write_text(table(result))
    print(json.dumps({k: v for k, v in result.items() if k not in ("results", "widget_results")},
                     ensure_ascii=False))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
