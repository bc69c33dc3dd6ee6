"""Many people drawing at once: 10 browser sessions on one app server, each drawing 20 digits.

    python -m benchmarks.load [--sessions 10] [--drawings 20] [--move-hz 60] [--pause 1]

Drawing is paced like a person: the pointer moves at ``--move-hz`` (60 Hz, a common mouse and
touch event rate; 0 sends the moves as fast as the browser takes them) and each session pauses
``--pause`` seconds between digits. First one session draws the digits alone (the reference
answers and latency), then ``--sessions`` headless Chromium pages draw them all at the same time
(each starting at a different digit). Checks that no page shows an exception and that every
answer shown equals what the app's pipeline reads offline from the pixels that page drew; counts
the answers that differ from the single-session answer for the same strokes (under load the
browser may coalesce mouse events, so a drawing can come out slightly different). Compares the
stroke -> page-updated medians, and the server's part of them (rerun request sent -> script
finished received, on the page's websocket).
Prints one JSON object; exits 1 if an answer is wrong for its drawing or a session fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time

from playwright.async_api import TimeoutError as PlaywrightTimeout
from playwright.async_api import async_playwright

from benchmarks import browser as B

OPEN_STAGGER_S = 0.5  # session k opens the app k * 0.5 s after the first
DRAWN = "canvas.dc-canvas.lower-canvas"  # the strokes (the background is another canvas)


class Session:
    """One browser page on the app; finished reruns are seen on its websocket."""

    def __init__(self, page, move_s: float = 0.0, pause_s: float = 0.0):
        self.page, self.move_s, self.pause_s = page, move_s, pause_s
        self.events = B.Reruns(page).events  # (time, "rerun_script" | "script_finished")

    async def finished_since(self, since: float, timeout: float = 60.0) -> float:
        """Wait until every rerun requested after ``since`` has finished and the page is idle;
        seconds from ``since`` to the end of the first one."""
        deadline = time.perf_counter() + timeout
        first = None
        while time.perf_counter() < deadline:
            asked = [t for t, k in self.events if k == "rerun_script" and t >= since]
            done = [t for t, k in self.events if k == "script_finished" and asked and t > asked[-1]]
            if done:
                await self.page.wait_for_selector(B.IDLE, timeout=30_000)
                first = first or time.perf_counter() - since
                await asyncio.sleep(0.05)  # a rerun asked for meanwhile shows up here
                if asked[-1] == max(t for t, k in self.events if k == "rerun_script"):
                    return first
            await asyncio.sleep(0.005)
        raise TimeoutError("no finished rerun after the stroke")

    def rerun_times(self) -> list[float]:
        """Seconds from each rerun request leaving the page to its script_finished arriving:
        the server's share of a stroke (the rest is the browser's)."""
        out, asked = [], None
        for t, kind in self.events:
            if kind == "rerun_script":
                asked = t
            elif asked is not None:
                out.append(t - asked)
                asked = None
        return out

    async def prediction(self, wait_s: float = 30.0) -> str | None:
        """The Prediction shown, once the page has settled. Under load the browser may render
        the finished run's elements (a session's first one still loading its code) a little
        after the run ends, so wait for the value and read it until it stops changing."""
        loc = self.page.locator(B.METRIC_VALUE).first
        try:
            await loc.wait_for(timeout=wait_s * 1e3)
        except PlaywrightTimeout:
            return None
        value = await loc.inner_text()
        for _ in range(20):
            await asyncio.sleep(0.3)
            again = await loc.inner_text()
            if again == value:
                return value
            value = again
        return value

    async def draw_digit(self, strokes, box) -> tuple[tuple[str | None, str], list[float]]:
        """Draw stroke by stroke (waiting for each rerun); ``(Prediction shown, canvas PNG as a
        data URL)`` and the stroke times."""
        times = []
        for stroke in B.to_canvas(strokes, box):
            await self.page.mouse.move(*stroke[0])
            await self.page.mouse.down()
            for x, y in stroke[1:]:
                await self.page.mouse.move(x, y)
                await asyncio.sleep(self.move_s)
            t_up = time.perf_counter()
            await self.page.mouse.up()
            times.append(await self.finished_since(t_up))
        value = await self.prediction()
        if await self.page.locator(B.EXCEPTION).count():
            raise RuntimeError("the page shows an exception")
        drawn = await self.page.locator(DRAWN).evaluate("c => c.toDataURL('image/png')")
        t = time.perf_counter()
        await self.page.locator(B.RESET).click()
        await self.finished_since(t)
        await asyncio.sleep(self.pause_s)
        return (value, drawn), times


async def run_session(context, url: str, digits: list[dict], start: int,
                      pace: tuple[float, float] = (0.0, 0.0)) -> dict:
    """Open the app in a new page and draw all ``digits`` starting at index ``start``;
    ``pace`` is (seconds between pointer moves, seconds between digits)."""
    await asyncio.sleep(OPEN_STAGGER_S * start)  # people do not all arrive in the same second
    page = await context.new_page()
    session = Session(page, *pace)
    await page.goto(url, timeout=120_000)  # opening is not measured; 10 at once can be slow
    await page.wait_for_selector(B.IDLE, timeout=60_000)
    canvas = page.locator(B.CANVAS)
    await canvas.wait_for(state="visible", timeout=60_000)
    box = await canvas.bounding_box()
    answers, times = {}, []
    for k in range(len(digits)):
        i = (start + k) % len(digits)
        answers[i], t = await session.draw_digit(digits[i]["strokes"], box)
        times += t
    await page.close()
    return {"answers": answers, "times": times, "reruns": session.rerun_times()}


async def main_async(n_sessions: int, n_drawings: int, move_hz: float = 0.0,
                     pause_s: float = 0.0) -> dict:
    samples = B.pen_samples()
    digits = [samples[i % len(samples)] for i in range(n_drawings)]
    pace = (1 / move_hz if move_hz else 0.0, pause_s)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=B.CHROMIUM, headless=True,
                                           args=B.LAUNCH_ARGS)
        with B.serve() as (url, _):
            ctx = await browser.new_context(viewport={"width": 1200, "height": 1000})
            single = await run_session(ctx, url, digits, 0, pace)
            contexts = [await browser.new_context(viewport={"width": 1200, "height": 1000})
                        for _ in range(n_sessions)]
            results = await asyncio.gather(
                *(run_session(c, url, digits, s, pace) for s, c in enumerate(contexts)),
                return_exceptions=True)
        await browser.close()
    failed = [repr(r) for r in results if isinstance(r, BaseException)]
    ok = [r for r in results if not isinstance(r, BaseException)]
    def ms(values: list[float]) -> int | None:
        return round(statistics.median(values) * 1e3) if values else None

    one, many = ms(single["times"]), ms([t for r in ok for t in r["times"]])
    return {"sessions": n_sessions, "drawings_each": n_drawings, "move_hz": move_hz,
            "pause_s": pause_s,
            "single_correct": sum(single["answers"][i][0] == str(d["label"])
                                  for i, d in enumerate(digits)),
            **check(single, ok),
            "failed_sessions": failed, "single_stroke_ms_median": one,
            "concurrent_stroke_ms_median": many, "ratio": round(many / one, 2) if many else None,
            "server_part_ms_median": {"single": ms(single["reruns"]),
                                      "concurrent": ms([t for r in ok for t in r["reruns"]])}}


def offline_answer(data_url: str, predictor) -> str | None:
    """What the app's own pipeline reads from a canvas PNG (data URL), as the page shows it."""
    import base64

    import cv2
    import numpy as np

    from lenet5.core.analysis import analyse

    raw = np.frombuffer(base64.b64decode(data_url.split(",", 1)[1]), np.uint8)
    bgra = cv2.imdecode(raw, cv2.IMREAD_UNCHANGED)  # strokes on a transparent canvas
    analysis = analyse(cv2.cvtColor(bgra, cv2.COLOR_BGRA2RGBA), predictor)
    return str(analysis.reading.digit) if analysis.ok else None


def check(single: dict, ok: list[dict]) -> dict:
    """Compare every concurrent answer with the single session's and with an offline reading
    of the very pixels that session drew (mouse events may be coalesced under load, so the
    same strokes can give slightly different drawings)."""
    from lenet5.core.predictor import Predictor

    predictor = Predictor()
    ref = {i: a for i, (a, _) in single["answers"].items()}
    # the single session's own answers too: each must be what the pixels it drew read as
    pairs = [(i, a, url) for r in (single, *ok) for i, (a, url) in r["answers"].items()]
    offline = [offline_answer(u, predictor) for _, _, u in pairs]
    wrong = [(i, a, ref[i], o) for (i, a, _), o in zip(pairs, offline, strict=True)
             if a != o or a is None]
    return {"answers_compared": len(pairs),
            "differ_from_single_session": sum(a != ref[i] for i, a, _ in pairs[len(ref):]),
            "differ_from_offline_reading": len(wrong),
            "wrong_examples": [dict(zip(("digit", "shown", "single", "offline"), w,
                                        strict=True)) for w in wrong[:5]]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.load")
    p.add_argument("--sessions", type=int, default=10)
    p.add_argument("--drawings", type=int, default=20)
    p.add_argument("--move-hz", type=float, default=60.0, help="pointer moves a second (0: "
                   "unpaced)")
    p.add_argument("--pause", type=float, default=1.0, help="seconds between digits")
    a = p.parse_args(argv)
    result = asyncio.run(main_async(a.sessions, a.drawings, a.move_hz, a.pause))
    print(json.dumps(result))
    return 1 if result["differ_from_offline_reading"] or result["failed_sessions"] else 0


if __name__ == "__main__":
    sys.exit(main())
