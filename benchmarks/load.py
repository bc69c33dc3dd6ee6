"""Many people drawing at once: 10 browser sessions on one app server, each drawing 20 digits.

    python -m benchmarks.load [--sessions 10] [--drawings 20] [--move-hz 60] [--pause 1]
                              [--max-rss-mb 300]

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
Also the server's resident memory once every session has closed (``server_rss_mb_after_sessions``;
many sessions at once are where malloc's per-thread arenas add up: lenet5/ui/memory.py) and its
peak. Prints one JSON object; exits 1 if an answer is wrong for its drawing, a session fails,
or the server holds more than ``--max-rss-mb`` at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys

from playwright.async_api import async_playwright

from lenet5.eval import browser as B
from lenet5.eval import sessions as S


async def main_async(n_sessions: int, n_drawings: int, move_hz: float = 0.0,
                     pause_s: float = 0.0) -> dict:
    samples = B.pen_samples()
    digits = [samples[i % len(samples)] for i in range(n_drawings)]
    pace = (1 / move_hz if move_hz else 0.0, pause_s)
    async with async_playwright() as pw:
        browser = await S.launch(pw)
        with B.serve() as (url, proc):
            ctx = await browser.new_context(viewport=S.VIEWPORT)
            single = await S.run_session(ctx, url, digits, 0, pace)
            results = await S.at_once(browser, url, digits, n_sessions, pace)
            await asyncio.sleep(S.SETTLE_S)
            rss = {"server_rss_mb_after_sessions": round(B.rss_mb(proc.pid)),
                   "server_peak_rss_mb": round(B.rss_mb(proc.pid, "VmHWM")),
                   # what the server allocated, apart from the mapped files' pages it has
                   # touched (libraries: shared, and dropped first when memory is short)
                   "server_anon_mb_after_sessions": round(B.rss_mb(proc.pid, "RssAnon")),
                   "server_file_mb_after_sessions": round(B.rss_mb(proc.pid, "RssFile"))}
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
            **rss, "server_part_ms_median": {"single": ms(single["reruns"]),
                                      "concurrent": ms([t for r in ok for t in r["reruns"]])}}


def offline_answer(data_url: str, predictor) -> str | None:
    """What the app's own pipeline reads from a canvas PNG (data URL), as the page shows it."""
    import base64

    import cv2
    import numpy as np

    from lenet5.core.reader import Reader

    raw = np.frombuffer(base64.b64decode(data_url.split(",", 1)[1]), np.uint8)
    bgra = cv2.imdecode(raw, cv2.IMREAD_UNCHANGED)  # strokes on a transparent canvas
    analysis = Reader(predictor).read(cv2.cvtColor(bgra, cv2.COLOR_BGRA2RGBA))
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
    p.add_argument("--max-rss-mb", type=float, default=None, help="exit 1 if the server holds "
                   "more than this once every session has closed")
    p.add_argument("--max-anon-mb", type=float, default=None, help="the same for the memory "
                   "the server allocated (RssAnon: without mapped files, whose resident pages "
                   "depend on the machine's file system and page cache)")
    a = p.parse_args(argv)
    result = asyncio.run(main_async(a.sessions, a.drawings, a.move_hz, a.pause))
    print(json.dumps(result))
    failed = [why for why, bad in (
        ("an answer differs from the offline reading", result["differ_from_offline_reading"]),
        ("a session failed", result["failed_sessions"]),
        (f"server RSS {result['server_rss_mb_after_sessions']} MB > {a.max_rss_mb} MB",
         a.max_rss_mb is not None and result["server_rss_mb_after_sessions"] > a.max_rss_mb),
        (f"server RssAnon {result['server_anon_mb_after_sessions']} MB > {a.max_anon_mb} MB",
         a.max_anon_mb is not None
         and result["server_anon_mb_after_sessions"] > a.max_anon_mb),
    ) if bad]
    if failed:
        print("FAILED: " + "; ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
