"""Drive a real Streamlit app in headless Debian Chromium (Playwright): start it, draw strokes
on the canvas with the mouse, wait for the rerun to finish, read what the page shows, and how
much memory the server holds.

Used by the browser tests and the benchmarks. End of a rerun is detected from the websocket (a
``rerun_script`` request after the mouse-up, then ``script_finished``), because the page's
``data-test-script-state`` alone cannot tell "not started yet" (the canvas debounces 200 ms)
from "already finished".
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
PEN_SAMPLES = ROOT / "tests" / "support" / "data" / "pendigits_sample.jsonl"  # see its README
CHROMIUM = os.environ.get("LENET5_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CANVAS = "canvas.upper-canvas"
RESET = 'button[title="Reset canvas & history"]'
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
METRIC_VALUE = '[data-testid="stMetricValue"]'
EXCEPTION = '[data-testid="stException"]'
SCROLLER = '[data-testid="stMain"]'  # what scrolls in a Streamlit page (the window does not)
# A phone as issue 16 tried it: an iPhone 13's screen in CSS px, less the browser's bars, with
# touch; its User-Agent says "Mobile", which the pages read to lay out for a narrow screen.
PHONE = {"viewport": {"width": 390, "height": 664}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True,
         "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) "
                       "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 "
                       "Safari/604.1"}


def pen_samples() -> list[dict]:
    """The 20 shipped pen-drawn digits, two of each (``label``, ``strokes`` with y up)."""
    from lenet5.train.data import read_jsonl

    return list(read_jsonl(PEN_SAMPLES))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def checkout_of(app: Path) -> Path:
    """The checkout ``app`` belongs to (the nearest folder above it holding an ``app.py``): the
    server runs there, so that it reads that checkout's ``.streamlit/config.toml``, as
    ``streamlit run app.py`` from it would (another checkout's app: ``benchmarks.compare``)."""
    app = Path(app).resolve()
    return next((d for d in app.parents if (d / "app.py").is_file()), app.parent)


@contextlib.contextmanager
def serve(app: Path = ROOT / "app.py", timeout: float = 60.0, options: Sequence[str] = (),
          python: str = sys.executable,
          log: Path | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run ``python -m streamlit run app [options]`` on a free loopback port, in ``app``'s
    checkout; yield ``(url, process)``. ``log``: the server's output (stdout and stderr) goes
    to this file, readable while it runs (else to ``process.stdout``, a pipe: a caller that
    expects a chatty server must pass ``log``, since a pipe nobody reads blocks the server
    once full)."""
    port = free_port()
    cmd = [python, "-m", "streamlit", "run", str(app), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false", *options]
    with contextlib.ExitStack() as files:
        out = files.enter_context(Path(log).open("wb")) if log else subprocess.PIPE
        proc = subprocess.Popen(cmd, cwd=checkout_of(app), stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError as exc:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start:\n{_output(proc, log)}") from exc
                time.sleep(0.1)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _output(proc: subprocess.Popen, log: Path | None) -> str:
    """What a server that did not start wrote (its log file, or its pipe once it ended)."""
    if log:
        return Path(log).read_text(errors="replace")
    return proc.stdout.read().decode() if proc.poll() is not None else ""


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """``VmRSS`` (resident now) or ``VmHWM`` (peak) of a process (Linux /proc), MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def last_state(log: Path) -> dict:
    """The session state the app logged after its last run (``$LENET5_STATE_LOG``, set before
    :func:`serve`): its keys and pickled bytes."""
    return json.loads(Path(log).read_text().splitlines()[-1])


def launch(playwright, **context_args):
    """A headless Chromium browser context (Debian's chromium, never a downloaded one)."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
    return browser, browser.new_context(viewport={"width": 1200, "height": 1000}, **context_args)


class Reruns:
    """Timestamps of rerun requests and finished scripts seen on a page's websocket."""

    def __init__(self, page):
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._back, self._fwd = BackMsg, ForwardMsg
        self.events: list[tuple[float, str]] = []
        page.on("websocket", self._attach)

    def _attach(self, ws) -> None:
        ws.on("framesent", lambda f: self._frame(f, self._back))
        ws.on("framereceived", lambda f: self._frame(f, self._fwd))

    def _frame(self, payload, cls) -> None:
        now = time.perf_counter()
        if isinstance(payload, str):
            return
        try:
            kind = cls.FromString(payload).WhichOneof("type")
        except Exception:  # noqa: BLE001 - not a message we know: ignore
            return
        if kind in ("rerun_script", "script_finished"):
            self.events.append((now, kind))

    def wait(self, page, since: float, timeout: float = 20.0) -> float:
        """Wait for a rerun requested after ``since`` to finish; return seconds since ``since``."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            asked = [t for t, k in self.events if k == "rerun_script" and t >= since]
            if asked:
                done = [t for t, k in self.events if k == "script_finished" and t > asked[0]]
                if done:
                    page.wait_for_selector(IDLE, timeout=10_000)
                    return time.perf_counter() - since
            page.wait_for_timeout(5)
        raise TimeoutError("no finished rerun after the stroke")


def click(page, reruns: Reruns, locator) -> None:
    """Click ``locator`` and wait for the rerun the click triggers."""
    t = time.perf_counter()
    locator.click()
    reruns.wait(page, t)


def reset(page, reruns: Reruns) -> None:
    """Click the canvas toolbar's reset and wait for the rerun it triggers."""
    click(page, reruns, page.locator(RESET))


def open_app(page, url: str, path: str = "") -> dict:
    """Open the app and wait for the canvas; return the canvas' bounding box."""
    page.goto(f"{url}/{path}")
    page.wait_for_selector(IDLE, timeout=30_000)
    canvas = page.locator(CANVAS)
    canvas.wait_for(state="visible", timeout=30_000)
    return canvas.bounding_box()


def to_canvas(strokes: Sequence[Sequence[Sequence[float]]], box: dict, height: float = 0.6,
              flip_y: bool = True) -> list[np.ndarray]:
    """Pen strokes -> page coordinates inside the canvas, digit ``height`` of it, centred."""
    from lenet5.core.strokes import fit_strokes

    size = box["height"]
    pts = np.concatenate([np.asarray(s, float) for s in strokes])
    span = pts.max(0) - pts.min(0)
    h = height * size
    w = h * span[0] / max(span[1], 1e-9)
    left, top = (box["width"] - w) / 2, (size - h) / 2
    return [p + (box["x"], box["y"]) for p in fit_strokes(strokes, h, left, top, flip_y)]


def draw(page, strokes: Sequence[np.ndarray]) -> float:
    """Draw page-coordinate strokes with the mouse; return perf_counter at the last mouse-up."""
    t_up = time.perf_counter()
    for s in strokes:
        page.mouse.move(*s[0])
        page.mouse.down()
        for x, y in s[1:]:
            page.mouse.move(x, y)
        t_up = time.perf_counter()
        page.mouse.up()
    return t_up


def touch_draw(page, strokes: Sequence[np.ndarray], interval_ms: float = 16) -> float:
    """Draw page-coordinate strokes with one finger: real touch events through the Chrome
    DevTools Protocol (Playwright has no touch drag). The page's context needs ``has_touch``.
    Returns perf_counter at the last touch end."""
    cdp = page.context.new_cdp_session(page)
    t_up = time.perf_counter()
    for s in strokes:
        kinds = ["touchStart"] + ["touchMove"] * (len(s) - 1)
        for kind, (x, y) in zip(kinds, s, strict=True):
            cdp.send("Input.dispatchTouchEvent",
                     {"type": kind, "touchPoints": [{"x": float(x), "y": float(y)}]})
            page.wait_for_timeout(interval_ms)
        t_up = time.perf_counter()
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()
    return t_up


def touch_tap(page, locator) -> None:
    """One finger taps the middle of ``locator`` (real touch events, as :func:`touch_draw`)."""
    box = locator.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    touch_draw(page, [np.array([[x, y]])], interval_ms=50)


def scroll_top(page) -> float:
    """How far the page is scrolled down, CSS px."""
    return page.locator(SCROLLER).evaluate("e => e.scrollTop")


def on_screen(page, locator) -> bool:
    """Whether ``locator`` lies wholly inside the viewport as it is scrolled now."""
    box, view = locator.bounding_box(), page.viewport_size
    return (box is not None and box["y"] >= 0 and box["x"] >= 0
            and box["y"] + box["height"] <= view["height"]
            and box["x"] + box["width"] <= view["width"])


def metric(page) -> str | None:
    """The Prediction metric's value, or None when the page shows none."""
    loc = page.locator(METRIC_VALUE)
    return loc.first.inner_text() if loc.count() else None


def seven(box: dict) -> list[np.ndarray]:
    """A 7 as many people draw it, the stem first (alone: a 1), then the bar, as page
    coordinates inside the canvas ``box``, 20 points a stroke as a hand moves."""
    stem, bar = np.array([[0.62, 0.1], [0.4, 0.95]]), np.array([[0.1, 0.1], [0.62, 0.1]])
    return [np.linspace(a, b, 20) * (box["width"] * 0.8)
            + (box["x"] + box["width"] * 0.1, box["y"] + 20) for a, b in (stem, bar)]


def write_number(page, reruns: Reruns, box: dict, number: list[dict],
                 rng: np.random.Generator) -> str | None:
    """Write one number of pen-drawn digits (records with ``strokes``) on the Number page's
    canvas (``box``) as a person lays them out; return the Number metric shown, None if none."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from lenet5.eval.whole_numbers import layout

    strokes = layout(number, rng, (int(box["width"]), int(box["height"])))
    t_up = draw(page, [s + (box["x"], box["y"]) for s in strokes])
    reruns.wait(page, t_up)
    with contextlib.suppress(PlaywrightTimeout):  # no metric: nothing readable
        page.locator(METRIC_VALUE).first.wait_for(timeout=5_000)
    return metric(page)
