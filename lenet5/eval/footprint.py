"""How much memory the app's server holds after use, each on a server of its own, in headless
Chromium: after one session has drawn many digits, and after many sessions have drawn at once
and closed. Shared by ``benchmarks.latency`` (this app) and ``benchmarks.compare`` (this app
and another checkout, alternating, medians: one run of each says little on a busy machine).

Resident memory (``VmRSS``), MB, read on the server's process; its peak (``VmHWM``) and the
part the server allocated itself (``RssAnon``: without the pages of mapped files, libraries
mostly, which are shared and whose count depends on the machine's file system) beside it.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from lenet5.eval import browser as B
from lenet5.eval import sessions as S

PACE = (1 / 60, 1.0)  # as benchmarks.load: the pointer at 60 Hz, a second between digits


def _rss(proc) -> dict:
    return {"rss_mb": round(B.rss_mb(proc.pid)), "peak_mb": round(B.rss_mb(proc.pid, "VmHWM")),
            "anon_mb": round(B.rss_mb(proc.pid, "RssAnon"))}


def after_drawings(app: Path = B.ROOT / "app.py", drawings: int = 100) -> dict:
    """One session draws ``drawings`` shipped pen digits (reset after each, as people do);
    the server's memory after the first and after the last, and its peak."""
    from playwright.sync_api import sync_playwright

    samples = B.pen_samples()
    with sync_playwright() as pw, B.serve(app) as (url, proc):
        browser, context = B.launch(pw)
        page = context.new_page()
        reruns, box = B.Reruns(page), B.open_app(page, url)
        first = None
        for i in range(drawings):
            t_up = B.draw(page, B.to_canvas(samples[i % len(samples)]["strokes"], box))
            reruns.wait(page, t_up)
            B.reset(page, reruns)
            first = first or round(B.rss_mb(proc.pid))
        page.close()
        browser.close()
        time.sleep(S.SETTLE_S)
        return {"after_first_mb": first, **_rss(proc), "drawings": drawings}


async def _after_sessions(app: Path, sessions: int, drawings: int) -> dict:
    from playwright.async_api import async_playwright

    samples = B.pen_samples()
    digits = [samples[i % len(samples)] for i in range(drawings)]
    async with async_playwright() as pw:
        browser = await S.launch(pw)
        with B.serve(app) as (url, proc):
            results = await S.at_once(browser, url, digits, sessions, PACE)
            await asyncio.sleep(S.SETTLE_S)
            out = _rss(proc)
        await browser.close()
    failed = [repr(r) for r in results if isinstance(r, BaseException)]
    return {**out, "sessions": sessions, "drawings_each": drawings, "failed_sessions": failed}


def after_sessions(app: Path = B.ROOT / "app.py", sessions: int = 10,
                   drawings: int = 10) -> dict:
    """``sessions`` people at once each draw ``drawings`` digits at a person's pace, then close
    their pages; the server's memory once all have gone, and its peak."""
    return asyncio.run(_after_sessions(app, sessions, drawings))
