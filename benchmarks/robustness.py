"""Bad uploads and a tampered browser against the real app, in headless Chromium.

    python -m benchmarks.robustness [--out robustness.json]

Uploads every file of :func:`benchmarks.bad_inputs.uploads` on the Draw page, then, on each
page, draws a real digit while the websocket is rewritten (Playwright's ``route_web_socket``)
so that the canvas state the server receives is one of :func:`benchmarks.bad_inputs.
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
import time
from pathlib import Path

from benchmarks import bad_inputs
from benchmarks import browser as B

UPLOAD_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'
ALERT = '[data-testid="stAlert"]'
EXPANDER = "…or read a photo of a handwritten digit"
# Counts stException elements added at any time, not only those present when looked at.
WATCH = """(() => {
  window.__exceptions = 0;
  const count = (n) => { if (n.nodeType === 1) {
    if (n.matches('[data-testid="stException"]')) window.__exceptions++;
    window.__exceptions += n.querySelectorAll('[data-testid="stException"]').length; } };
  new MutationObserver((ms) => ms.forEach((m) => m.addedNodes.forEach(count)))
    .observe(document, {childList: true, subtree: true});
})();"""


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of a process, MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


class Tamper:
    """Rewrites the canvas' widget state in the messages the page sends, while ``change`` is
    set; records the largest message each way."""

    def __init__(self, page):
        from streamlit.proto.BackMsg_pb2 import BackMsg

        self._back = BackMsg
        self.change = None
        self.applied = 0
        self.max_sent = self.max_received = 0
        page.route_web_socket("**/_stcore/stream", self._route)

    def _route(self, ws) -> None:
        server = ws.connect_to_server()
        ws.on_message(lambda m: server.send(self._rewrite(m)))
        server.on_message(lambda m: (self._received(m), ws.send(m)))

    def _received(self, message) -> None:
        self.max_received = max(self.max_received, len(message))

    def _rewrite(self, message):
        self.max_sent = max(self.max_sent, len(message))
        if self.change is None or isinstance(message, str):
            return message
        msg = self._back.FromString(message)
        if msg.WhichOneof("type") != "rerun_script":
            return message
        for w in msg.rerun_script.widget_states.widgets:
            if w.WhichOneof("value") == "json_value" and "canvas" in w.id:
                state = json.loads(w.json_value)
                if isinstance(state, dict) and state.get("drawing"):
                    w.json_value = json.dumps(self.change(state))
                    self.applied += 1
        return msg.SerializeToString()


def answer(page) -> dict:
    """What the page shows now: its alerts' text and the Prediction (or Number) metric."""
    alerts = [t.strip() for t in page.locator(ALERT).all_inner_texts() if t.strip()]
    return {"alerts": alerts, "metric": B.metric(page),
            "exceptions": page.evaluate("window.__exceptions")}


def settle(page, reruns, quiet_s: float = 1.0, timeout_s: float = 60.0) -> None:
    """Wait until no rerun has started or finished for ``quiet_s`` and the page is idle
    (replacing an uploaded file makes two reruns: without the old file, then with the new)."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        last = reruns.events[-1][0] if reruns.events else 0.0
        if time.perf_counter() - last >= quiet_s:
            page.wait_for_selector(B.IDLE, timeout=30_000)
            if not reruns.events or reruns.events[-1][0] == last:
                return
        page.wait_for_timeout(100)
    raise TimeoutError("the page did not settle")


def upload_each(page, reruns, files, pid: int) -> list[dict]:
    page.get_by_text(EXPANDER).click()
    results = []
    for name, data in files:
        t = time.perf_counter()
        page.locator(UPLOAD_INPUT).set_input_files(
            {"name": "upload.png", "mimeType": "image/png", "buffer": data})
        reruns.wait(page, t, timeout=60)
        settle(page, reruns)
        results.append({"input": name, "kind": "upload", "bytes": len(data), **answer(page),
                        "rss_mb": round(rss_mb(pid))})
        print(json.dumps(results[-1], ensure_ascii=False)[:200], file=sys.stderr)
    return results


def tamper_each(page, reruns, tamper, url: str, changes, pid: int) -> list[dict]:
    sample = B.pen_samples()[3]
    results = []
    for name, where, change in changes:
        # the Draw page is the default one, at "/" (opened as /draw, the canvas drew nothing)
        box = B.open_app(page, url, "" if where == "draw" else where)
        tamper.change, before = change, tamper.applied
        t = B.draw(page, B.to_canvas(sample["strokes"], box))
        reruns.wait(page, t, timeout=60)
        settle(page, reruns)
        tamper.change = None
        results.append({"input": name, "kind": f"canvas ({where})",
                        "tampered": tamper.applied > before, **answer(page),
                        "rss_mb": round(rss_mb(pid))})
        print(json.dumps(results[-1], ensure_ascii=False)[:200], file=sys.stderr)
    return results


def run(max_rss_mb: float = 600) -> dict:
    from playwright.sync_api import sync_playwright

    files, changes = bad_inputs.uploads(), bad_inputs.canvas_changes()
    with B.serve() as (url, proc), sync_playwright() as p:
        browser, context = B.launch(p)
        context.add_init_script(WATCH)
        page = context.new_page()
        tamper, reruns = Tamper(page), B.Reruns(page)
        B.open_app(page, url)
        start = rss_mb(proc.pid)
        results = upload_each(page, reruns, files, proc.pid)
        results += tamper_each(page, reruns, tamper, url, changes, proc.pid)
        peak = rss_mb(proc.pid, "VmHWM")
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
