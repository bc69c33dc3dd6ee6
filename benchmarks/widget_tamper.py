"""Tampered widget values against the real app, in headless Chromium.

    python -m benchmarks.widget_tamper [--app PATH/app.py] [--out tamper.json] [--quick]

A browser that rewrites what it sends: for every widget of every page (the brushes, the
canvases, the uploader, the expanders, the Inside page's switches and sliders), the last
``rerun_script`` the page sent is sent again with that widget's value replaced by one of
:data:`VALUES` (wrong kinds, out of range, NaN, huge, duplicated, 10,000 entries), through
Playwright's ``route_web_socket``. The widgets' ids are read from what the server sends (each
id ends in the widget's key). For each tampered input it records whether a Streamlit error
page appeared at any moment (``stException``, counted by a MutationObserver, or "This app
has encountered an error"), whether the session's next rerun still works (on the Draw and
Number pages a real stroke drawn after it must be read; on the Inside page the page's own
last message, sent again untampered, must show a reading), and how many lines the server
logged for it. Prints one JSON summary; exits 1 if any input got an error page or broke the
next rerun, logged more than ``--max-log-lines`` lines, or the server's peak RSS exceeded
``--max-rss-mb``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from lenet5.eval import browser as B
from lenet5.eval.tamper import ALERT, WATCH  # the same alerts, and the same error-page watch

ROOT = Path(__file__).resolve().parent.parent
WIDGET_ID = re.compile(rb"\$\$ID-[0-9a-f]{16,64}-([A-Za-z0-9_]+)")
ERROR_TEXT = "This app has encountered an error"
NAN = math.nan


def _doubles(values):
    return lambda w: w.double_array_value.data.extend(values)


def _strings(values):
    return lambda w: w.string_array_value.data.extend(values)


def _set(field, v):
    return lambda w: setattr(w, field, v)


# name -> what it does to a WidgetState whose value was just cleared
VALUES: dict[str, Callable] = {
    "string": _set("string_value", "abc"),
    "numeric string": _set("string_value", "7"),
    "bool": _set("bool_value", True),
    "JSON object": _set("json_value", '{"a": 1}'),
    "malformed JSON": _set("json_value", '{"a'),
    "string array": _strings(["a", "b"]),
    "huge int": _set("int_value", 2**62),
    "NaN double": _set("double_value", NAN),
    "[NaN]": _doubles([NAN]),
    "[-1e9] (out of range)": _doubles([-1e9]),
    "[1e308] (huge)": _doubles([1e308]),
    "two doubles": _doubles([10.0, 20.0]),
    "10,000 doubles": _doubles([10.0] * 10_000),
    "10,000 strings": _strings(["x"] * 10_000),
    "trigger": _set("trigger_value", True),
    "no value": lambda w: None,
}
QUICK = ("string", "bool", "JSON object", "malformed JSON", "string array", "[NaN]",
         "10,000 doubles")
DUPLICATED = "duplicated (a double, then a string)"


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


@contextlib.contextmanager
def serve(app: Path, log: Path, timeout: float = 90.0) -> Iterator[tuple[str, subprocess.Popen]]:
    """``streamlit run app`` from the app's folder, its output to ``log`` (read while it
    runs: a pipe nobody reads would block a chatty server)."""
    port = B.free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=app.parent, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError as exc:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start:\n{log.read_text()}") from exc
                time.sleep(0.2)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


class Wire:
    """The page's websocket, routed: learns the widgets' ids from what the server sends, keeps
    the last ``rerun_script`` the page sent, and sends tampered copies of it."""

    def __init__(self, page):
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._back, self._fwd = BackMsg, ForwardMsg
        self.ids: dict[str, str] = {}  # key -> widget id
        self.last: bytes | None = None  # the page's last rerun_script, as sent
        self.events: list[tuple[float, str]] = []
        self.server = None
        page.route_web_socket("**/_stcore/stream", self._route)

    def _route(self, ws) -> None:
        self.server = ws.connect_to_server()
        ws.on_message(self._sent)
        self.server.on_message(lambda m: (self._received(m), ws.send(m)))

    def _sent(self, message) -> None:
        if not isinstance(message, str):
            try:
                msg = self._back.FromString(message)
                if msg.WhichOneof("type") == "rerun_script":
                    self.last = message
                    self.events.append((time.perf_counter(), "rerun_script"))
            except Exception:  # noqa: BLE001 - not a message we know: pass it on
                pass
        self.server.send(message)

    def _received(self, message) -> None:
        if isinstance(message, str):
            return
        for m in WIDGET_ID.finditer(message):
            self.ids[m[1].decode()] = m[0].decode()
        try:
            kind = self._fwd.FromString(message).WhichOneof("type")
        except Exception:  # noqa: BLE001
            return
        if kind in ("script_finished", "session_status_changed"):
            self.events.append((time.perf_counter(), kind))

    def widget(self, key: str) -> str | None:
        return self.ids.get(key)

    def send(self, key: str, change: Callable | None, duplicate: bool = False) -> float:
        """Send the page's last message again, widget ``key``'s value replaced by ``change``
        (None: untampered); return when it was sent."""
        msg = self._back.FromString(self.last)
        if change is not None or duplicate:
            wid = self.ids[key]
            states = msg.rerun_script.widget_states.widgets
            found = [w for w in states if w.id == wid]
            w = found[0] if found else states.add(id=wid)
            if w.WhichOneof("value"):
                w.ClearField(w.WhichOneof("value"))
            if duplicate:
                w.double_array_value.data.append(10.0)
                w = states.add(id=wid)
                w.string_value = "abc"
            else:
                change(w)
        t = time.perf_counter()
        self.server.send(msg.SerializeToString())
        return t

    def wait(self, page, since: float, timeout: float = 60.0) -> None:
        """Until a script finished after ``since`` and nothing moved for a second."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if (any(k == "script_finished" and t > since for t, k in self.events)
                    and time.perf_counter() - self.events[-1][0] > 1.0):
                with contextlib.suppress(Exception):
                    page.wait_for_selector(B.IDLE, timeout=10_000)
                return
            page.wait_for_timeout(50)
        raise TimeoutError("no finished rerun")


def log_lines(log: Path) -> list[str]:
    return log.read_text(errors="replace").splitlines()


def error_page(page) -> bool:
    return bool(page.evaluate("window.__exceptions")) or page.get_by_text(ERROR_TEXT).count() > 0


def alerts(page) -> list[str]:
    return [t.strip() for t in page.locator(ALERT).all_inner_texts() if t.strip()]


class Session:
    """One browser session on the app; draws, navigates and waits."""

    def __init__(self, page, wire: Wire, url: str):
        self.page, self.wire, self.url = page, wire, url
        self.sample = B.pen_samples()[3]  # a 1? any digit the pages read
        self.strokes = 0

    def idle(self, since: float) -> None:
        self.wire.wait(self.page, since)

    def open(self, path: str = "") -> None:
        self.page.goto(f"{self.url}/{path}")
        self.page.wait_for_selector(B.IDLE, timeout=60_000)
        self.page.wait_for_timeout(1500)
        self.strokes = 0

    def canvas_box(self) -> dict:
        c = self.page.locator(B.CANVAS).first
        c.wait_for(state="visible", timeout=30_000)
        return c.bounding_box()

    def draw(self) -> None:
        """Draw the sample digit (a fresh canvas every few drawings)."""
        if self.strokes >= 3:
            t = time.perf_counter()
            with contextlib.suppress(Exception):
                self.page.locator(B.CANVAS).first.hover()
                self.page.locator(B.RESET).first.click(timeout=5_000)
                self.idle(t)
            self.strokes = 0
        box = self.canvas_box()
        t = B.draw(self.page, B.to_canvas(self.sample["strokes"], box))
        self.idle(t - 0.5)
        self.strokes += 1

    def nav(self, title: str) -> None:
        t = time.perf_counter()
        self.page.get_by_role("link", name=title).first.click()
        self.idle(t)

    def expand(self, title: str) -> None:
        summary = self.page.locator("summary", has_text=title).first
        details = self.page.locator("details", has=summary).first
        if details.get_attribute("open") is None:
            t = time.perf_counter()
            summary.click()
            self.idle(t)


def reads(page, where: str) -> bool:
    """Whether the page shows a reading now."""
    if where == "inside":
        return page.get_by_text("The network reads").count() > 0
    return B.metric(page) is not None


def tamper(s: Session, where: str, keys: list[str], values: list[str], log: Path, pid: int,
           prepare: Callable[[], None]) -> list[dict]:
    results = []
    for key in keys:
        for name in values + [DUPLICATED]:
            prepare()
            wid = s.wire.widget(key)
            if wid is None:
                results.append({"where": where, "widget": key, "value": name, "skipped": True})
                print(f"skip {where} {key}: not on the page", file=sys.stderr)
                break
            s.page.evaluate("window.__exceptions = 0")
            before = len(log_lines(log))
            t = s.wire.send(key, VALUES.get(name), duplicate=name == DUPLICATED)
            s.idle(t)
            shown = error_page(s.page)
            said = alerts(s.page)
            # the session's next rerun: a real stroke, or (Inside) the page's own message
            if where == "inside":
                s.idle(s.wire.send(key, None))
            else:
                with contextlib.suppress(Exception):
                    s.draw()
            ok = reads(s.page, where) and not error_page(s.page)
            lines = log_lines(log)[before:]
            r = {"where": where, "widget": key, "value": name, "error_page": shown,
                 "next_rerun_reads": ok, "log_lines": len(lines),
                 "tracebacks": sum(line.startswith("Traceback") or "Traceback (most recent"
                                   in line for line in lines),
                 "alerts": said[:3], "rss_mb": round(rss_mb(pid))}
            results.append(r)
            print(json.dumps(r, ensure_ascii=False)[:240], file=sys.stderr)
            if shown or not ok:  # a broken session: start a new one for the next input
                s.open("" if where == "draw" else where)
                prepare(fresh=True)
    return results


def run(app: Path, values: list[str], max_rss_mb: float, max_log_lines: int,
        pages: list[str], keep_log: Path | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    results: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        with serve(app, log) as (url, proc), sync_playwright() as p:
            browser, context = B.launch(p)
            context.add_init_script(WATCH)
            page = context.new_page()
            s = Session(page, Wire(page), url)
            start = rss_mb(proc.pid)

            if "draw" in pages:
                s.open()

                def draw_ready(fresh: bool = False) -> None:
                    if fresh or B.metric(page) is None:
                        s.draw()

                draw_ready()
                results += tamper(s, "draw", ["brush", "canvas", "upload", "open_prefixes",
                                              "open_sweeps"], values, log, proc.pid, draw_ready)
            if "number" in pages:
                s.open("number")

                def number_ready(fresh: bool = False) -> None:
                    if fresh or B.metric(page) is None:
                        s.draw()

                number_ready()
                keys = ["number_narrow", "number_brush_720", "number_canvas_720"]
                results += tamper(s, "number", keys, values, log, proc.pid, number_ready)
            if "inside" in pages:
                s.open("inside")  # a new session, nothing drawn: the MNIST digit slider
                results += tamper(s, "inside", ["inside_sample"], values, log, proc.pid,
                                  lambda fresh=False: None)

                def inside_ready(fresh: bool = False) -> None:
                    if fresh or s.wire.widget("unit_layer") is None or not reads(page, "inside"):
                        s.open()
                        s.draw()
                        s.nav("Inside the network")
                    s.expand("What one unit sees")
                    s.expand("Switch maps off")

                inside_ready(True)
                keys = ["inside_net", "open_unit", "unit_layer", "unit_map_c1", "unit_row1_c1",
                        "unit_col1_c1", "open_switch", "off_c1", "off_c3"]
                results += tamper(s, "inside", keys, values, log, proc.pid, inside_ready)
            peak = rss_mb(proc.pid, "VmHWM")
            browser.close()
        if keep_log:
            keep_log.write_bytes(log.read_bytes())
    done = [r for r in results if not r.get("skipped")]
    bad = [f"{r['where']}/{r['widget']}: {r['value']}" for r in done
           if r["error_page"] or not r["next_rerun_reads"] or r["log_lines"] > max_log_lines]
    return {"inputs": len(done), "skipped": [f"{r['where']}/{r['widget']}" for r in results
                                             if r.get("skipped")],
            "error_pages": sum(r["error_page"] for r in done),
            "next_rerun_broken": sum(not r["next_rerun_reads"] for r in done),
            "log_lines": sum(r["log_lines"] for r in done),
            "max_log_lines_per_input": max((r["log_lines"] for r in done), default=0),
            "tracebacks": sum(r["tracebacks"] for r in done),
            "server_rss_start_mb": round(start), "server_peak_rss_mb": round(peak),
            "failed": bad, "ok": not bad and peak <= max_rss_mb, "results": results}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.widget_tamper",
                                description=__doc__.split("\n")[0])
    p.add_argument("--app", type=Path, default=ROOT / "app.py")
    p.add_argument("--pages", default="draw,number,inside")
    p.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    p.add_argument("--max-rss-mb", type=float, default=600)
    p.add_argument("--max-log-lines", type=int, default=3)
    p.add_argument("--out", help="write every input's outcome here (JSON)")
    p.add_argument("--log", type=Path, help="keep the server's log here")
    a = p.parse_args(argv)
    values = list(QUICK if a.quick else VALUES)
    result = run(a.app.resolve(), values, a.max_rss_mb, a.max_log_lines, a.pages.split(","), a.log)
    if a.out:
        Path(a.out).write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(json.dumps({k: v for k, v in result.items() if k != "results"}, ensure_ascii=False))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
