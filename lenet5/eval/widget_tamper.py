"""Tampered widget values against the real app, in headless Chromium: for every widget of every
page, the last ``rerun_script`` the page sent is sent again with that widget's value replaced
by each of :data:`lenet5.eval.wire.NAMES` (wrong kinds, out of range, NaN, huge, duplicated,
10,000 entries). Used by ``python -m benchmarks.robustness``.

For each tampered input it records whether a Streamlit error page (or any ``stException``)
appeared at any moment, whether the session's next rerun still works, and how many lines the
server logged for it. The next rerun: on the Draw and Number pages a real stroke drawn with
the mouse after it must be read (the browser then sends what it shows, which is how a value
the browser did not show comes undone: the narrow-canvas switch); on the other pages the
page's own last message, sent again untampered, must show the page.

To cover a new widget: give it a key in ``lenet5/ui/state.py`` and a ``Spec`` in
``lenet5/ui/widget_check.table``, then add its key to its page's :class:`Page` in
:data:`PAGES` (a new page: a new :class:`Page`, with what to do before tampering and what
shows that it works). A key that is not on the page when tampered counts as a failure.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lenet5.eval import browser as B
from lenet5.eval.tamper import ALERT
from lenet5.eval.wire import UNKNOWN_ID, Wire, error_page

STROKES_PER_CANVAS = 20  # a fresh canvas after this many strokes (they all overlap)


class Session:
    """One browser session on the app, over a :class:`Wire`: opens pages, draws, waits."""

    def __init__(self, page, url: str):
        self.page, self.url, self.wire = page, url, Wire(page)
        self.strokes = 0

    def open(self, path: str = "") -> None:
        t = time.perf_counter()
        self.page.goto(f"{self.url}/{path}")
        self.page.wait_for_selector(B.IDLE, timeout=60_000)
        self.wire.settle(self.page, t, quiet=0.8)
        self.strokes = 0

    def draw(self) -> None:
        """One vertical stroke in the middle of the canvas (a 1; a fresh canvas now and then)."""
        canvas = self.page.locator(B.CANVAS).first
        canvas.wait_for(state="visible", timeout=30_000)
        canvas.scroll_into_view_if_needed()  # an expander opened below may have scrolled it away
        if self.strokes >= STROKES_PER_CANVAS:
            t = time.perf_counter()
            canvas.hover()
            self.page.locator(B.RESET).first.click(timeout=5_000)
            self.wire.settle(self.page, t)
            self.strokes = 0
        box = canvas.bounding_box()
        x, y, h = box["x"] + box["width"] / 2, box["y"], box["height"]
        line = np.stack([np.full(12, x), np.linspace(y + 0.2 * h, y + 0.8 * h, 12)], 1)
        t = B.draw(self.page, [line])
        self.wire.settle(self.page, t)
        self.strokes += 1

    def nav(self, title: str) -> None:
        t = time.perf_counter()
        self.page.get_by_role("link", name=title).first.click()
        self.wire.settle(self.page, t, quiet=0.8)

    def expand(self, title: str) -> None:
        summary = self.page.locator("summary", has_text=title).first
        details = self.page.locator("details", has=summary).first
        if details.get_attribute("open") is None:
            t = time.perf_counter()
            summary.click()
            self.wire.settle(self.page, t)


@dataclass
class Page:
    """A page and how it is tampered: its widgets' ``keys``, what to do before each input
    (``prepare(session, fresh)``; ``fresh``: the session was just opened anew), whether the
    next rerun is a real stroke, and what shows the page works (``works(page)``)."""

    name: str
    path: str
    keys: list[str]
    prepare: Callable[[Session, bool], None]
    stroke: bool = False
    works: Callable[[object], bool] = field(default=lambda page: B.metric(page) is not None)


def _drawn(s: Session, fresh: bool) -> None:
    if fresh or B.metric(s.page) is None:
        s.draw()


def _nothing(s: Session, fresh: bool) -> None:
    return None


def _inside_drawn(s: Session, fresh: bool) -> None:
    if fresh or s.wire.ids.get("unit_layer") is None or B.metric(s.page) is None:
        s.open()
        s.draw()
        s.nav("Inside the network")
    s.expand("What one unit sees")
    s.expand("Switch maps off")


def _opened(title: str, drawn: bool = False) -> Callable[[Session, bool], None]:
    """Before each input: (a drawing on the page, if ``drawn``, and) the expander open."""
    def prepare(s: Session, fresh: bool) -> None:
        if drawn:
            _drawn(s, fresh)
        s.expand(title)
    return prepare


FOOL = "Fool it: the smallest change that flips the answer"
LEARN = "Watch it learn: the network after each epoch"


def _titled(title: str) -> Callable[[object], bool]:
    return lambda page: page.get_by_text(title).count() > 0


PAGES = [
    Page("draw", "", ["brush", "canvas", "upload", "open_prefixes", "open_sweeps", "open_fool"],
         _drawn, stroke=True),
    Page("draw, Fool it open", "", ["fool_target"], _opened(FOOL, drawn=True), stroke=True),
    Page("number", "number", ["number_narrow", "number_brush_720", "number_canvas_720"], _drawn,
         stroke=True),
    Page("inside, nothing drawn", "inside", ["inside_sample"], _nothing),
    Page("inside", "inside", ["inside_net", "open_unit", "unit_layer", "unit_map_c1",
                              "unit_row1_c1", "unit_col1_c1", "open_switch", "off_c1", "off_c3"],
         _inside_drawn),
    # No widget of their own: a widget of another page sent to them, or a made-up one
    Page("training", "training", ["brush", "open_learn"], _nothing,
         works=_titled("How it was trained")),
    Page("training, Watch it learn open", "training", ["learn_epoch"], _opened(LEARN),
         works=_titled("How it was trained")),
    Page("teach", "teach", ["teach_label_0", "teach_skip", "open_teach_helped"], _nothing,
         works=_titled("Teach it your handwriting")),
    Page("about", "about", [UNKNOWN_ID], _nothing, works=_titled("About this demo")),
]


def _lines(log: Path) -> list[str]:
    return log.read_text(errors="replace").splitlines()


def _alerts(page) -> list[str]:
    return [t.strip().split("\n")[-1] for t in page.locator(ALERT).all_inner_texts() if t.strip()]


def one(s: Session, p: Page, key: str, name: str, log: Path, pid: int) -> dict:
    """Tamper widget ``key`` of page ``p`` with value ``name``; what came of it."""
    wid = key if key.startswith("$$ID-") else s.wire.ids.get(key)
    r = {"where": p.name, "widget": key.split("-")[-1], "value": name}
    if wid is None or s.wire.last is None:
        return {**r, "skipped": True}
    s.page.evaluate("window.__exceptions = 0")
    before = len(_lines(log))
    t0 = time.perf_counter()
    s.wire.settle(s.page, s.wire.send(wid, name))
    t1 = time.perf_counter()
    shown, said = error_page(s.page), _alerts(s.page)
    with contextlib.suppress(Exception):  # a failure here shows as the page not working
        if p.stroke:
            s.draw()
        else:
            s.wire.settle(s.page, s.wire.send(None, None))
    t2 = time.perf_counter()
    works = p.works(s.page) and not error_page(s.page)
    lines = _lines(log)[before:]
    return {**r, "error_page": shown, "next_rerun_works": works, "log_lines": len(lines),
            "seconds": [round(t1 - t0, 2), round(t2 - t1, 2), round(time.perf_counter() - t2, 2)],
            "tracebacks": sum("Traceback (most recent" in line for line in lines),
            "alerts": said[:2], "rss_mb": round(B.rss_mb(pid))}


def tamper_pages(s: Session, values: list[str], log: Path, pid: int,
                 pages: list[Page] = PAGES) -> list[dict]:
    """Every key of every page in ``pages`` with every value of ``values``, in turn."""
    results = []
    for p in pages:
        s.open(p.path)
        p.prepare(s, True)
        for key in p.keys:
            for name in values:
                p.prepare(s, False)
                r = one(s, p, key, name, log, pid)
                results.append(r)
                print(json.dumps(r, ensure_ascii=False)[:200], file=sys.stderr)
                if r.get("skipped"):
                    break
                if r["error_page"] or not r["next_rerun_works"]:  # a new session goes on
                    s.open(p.path)
                    p.prepare(s, True)
    return results


def summary(results: list[dict], max_log_lines: int) -> dict:
    """The figures and the failed inputs (a skipped widget fails too: it was not covered)."""
    done = [r for r in results if not r.get("skipped")]
    failed = [f"{r['where']}/{r['widget']}: {r['value']}" for r in done
              if r["error_page"] or not r["next_rerun_works"] or r["log_lines"] > max_log_lines]
    failed += [f"{r['where']}/{r['widget']}: not on the page" for r in results if r.get("skipped")]
    return {"inputs": len(done), "widgets": len({(r["where"], r["widget"]) for r in done}),
            "error_pages": sum(r["error_page"] for r in done),
            "next_rerun_broken": sum(not r["next_rerun_works"] for r in done),
            "log_lines": sum(r["log_lines"] for r in done),
            "max_log_lines_per_input": max((r["log_lines"] for r in done), default=0),
            "tracebacks": sum(r["tracebacks"] for r in done), "failed": failed}
