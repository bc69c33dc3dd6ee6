"""Send the bad inputs of :mod:`lenet5.eval.hostile` to the real app in headless Chromium: each
upload through the Draw page's uploader, each tampered canvas state by rewriting the websocket
(Playwright's ``route_web_socket``) while a real digit is drawn; record what the page answered
and whether a traceback showed at any moment. Shared by ``benchmarks.robustness`` and
tests/browser/test_robustness_browser.py."""

from __future__ import annotations

import json
import sys
import time

from lenet5.eval import browser as B

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
    """What the page shows now: its alerts' text and the Prediction (or Number) metric, and
    how many tracebacks it has shown since it loaded (needs :data:`WATCH` as an init script)."""
    alerts = [t.strip() for t in page.locator(ALERT).all_inner_texts() if t.strip()]
    return {"alerts": alerts, "metric": B.metric(page),
            "exceptions": page.evaluate("window.__exceptions")}


def settle(page, reruns: B.Reruns, quiet_s: float = 1.0, timeout_s: float = 60.0) -> None:
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


def _report(result: dict) -> dict:
    print(json.dumps(result, ensure_ascii=False)[:200], file=sys.stderr)  # progress, one line
    return result


def upload_each(page, reruns: B.Reruns, files, pid: int) -> list[dict]:
    """Upload each ``(name, bytes)`` of ``files`` on the Draw page, in turn; what each got."""
    page.get_by_text(EXPANDER).click()
    results = []
    for name, data in files:
        t = time.perf_counter()
        page.locator(UPLOAD_INPUT).set_input_files(
            {"name": "upload.png", "mimeType": "image/png", "buffer": data})
        reruns.wait(page, t, timeout=60)
        settle(page, reruns)
        results.append(_report({"input": name, "kind": "upload", "bytes": len(data),
                                **answer(page), "rss_mb": round(B.rss_mb(pid))}))
    return results


def tamper_each(page, reruns: B.Reruns, tamper: Tamper, url: str, changes,
                pid: int) -> list[dict]:
    """Draw a real digit once per ``(name, page, change)`` of ``changes`` while ``tamper``
    rewrites what the canvas sends; what each got."""
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
        results.append(_report({"input": name, "kind": f"canvas ({where})",
                                "tampered": tamper.applied > before, **answer(page),
                                "rss_mb": round(B.rss_mb(pid))}))
    return results
