"""Browser sessions paced like people, many at once (Playwright's async API): each opens the
app in its own page and draws digits stroke by stroke, waiting for every rerun, and keeps what
it was shown and the canvas' pixels. Shared by ``benchmarks.load`` (are the answers right under
load, how slow) and ``benchmarks.latency`` (how much memory sessions leave behind)."""

from __future__ import annotations

import asyncio
import time

from playwright.async_api import TimeoutError as PlaywrightTimeout

from lenet5.eval import browser as B

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


VIEWPORT = {"width": 1200, "height": 1000}
SETTLE_S = 3.0  # after the last page closes: its session's last messages handled, threads ended


async def launch(playwright):
    """Headless Debian Chromium for async sessions (as :func:`lenet5.eval.browser.launch`)."""
    return await playwright.chromium.launch(executable_path=B.CHROMIUM, headless=True,
                                            args=B.LAUNCH_ARGS)


async def at_once(browser, url: str, digits: list[dict], sessions: int,
                  pace: tuple[float, float] = (0.0, 0.0)) -> list:
    """``sessions`` people at once, each in a browser context of their own (own cookies: own
    Streamlit session), drawing all ``digits`` from a different start: each one's
    :func:`run_session` result, or the exception it failed with. Their pages are closed."""
    contexts = [await browser.new_context(viewport=VIEWPORT) for _ in range(sessions)]
    results = await asyncio.gather(
        *(run_session(c, url, digits, s, pace) for s, c in enumerate(contexts)),
        return_exceptions=True)
    for c in contexts:
        await c.close()
    return results
