"""Screenshots of the app for the README and docs/, made in headless Chromium on the real app.

    python -m benchmarks.screenshots [--out docs] [--shots draw number poke fool learn]

- ``draw-desktop.png``: the Draw page in a 1280×900 window after a digit drawn with the mouse.
- ``poke-sweeps.png``, ``poke-unit.png``: a 7 drawn stem first, the Draw page's sweeps and the
  Inside page's "What one unit sees" for C3, opened (docs/poke.md).
- ``draw-phone.png``, ``number-phone.png``: the Draw and Number pages on a phone (390×664 CSS
  px, touch, 2 device pixels per px) after a digit, and the number 42, written with a finger:
  exactly what a person sees there without scrolling.
- ``fool.png``, ``fool-phone.png``: a shipped pen-drawn 4, the Draw page's "Fool it" opened,
  on the desktop, and the screen of a phone scrolled to it (docs/fool.md).

``--shots`` makes some of them only (default: all).

The strokes are shipped pen-drawn digits (tests/support/data); whatever the model reads is shown.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from playwright.sync_api import sync_playwright

from lenet5.eval import browser as B

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
CHART = ".js-plotly-plot"
EXPANDER = '[data-testid="stExpander"]'


def one_of_each() -> dict[int, dict]:
    """The first shipped pen-drawn sample of each digit, by label."""
    return {s["label"]: s for s in reversed(B.pen_samples())}


def settle(page, reruns: B.Reruns, t_up: float) -> None:
    """Wait for the stroke's rerun, the reading and the page's charts to be drawn."""
    reruns.wait(page, t_up)
    page.locator(B.METRIC_VALUE).first.wait_for(timeout=15_000)
    page.wait_for_timeout(300)
    if page.locator(CHART).count():
        page.locator(CHART).first.wait_for(timeout=15_000)
    page.wait_for_timeout(700)  # the charts' first frame, the toolbar's fade


def draw_desktop(browser, url: str, out: Path, sample: dict) -> None:
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    reruns = B.Reruns(page)
    box = B.open_app(page, url)
    settle(page, reruns, B.draw(page, B.to_canvas(sample["strokes"], box)))
    page.mouse.move(1, 1)  # off the canvas: its toolbar hides, as for a reader of the README
    page.wait_for_timeout(300)
    page.screenshot(path=str(out / "draw-desktop.png"))
    context.close()


def draw_phone(browser, url: str, out: Path, sample: dict) -> None:
    context = browser.new_context(**B.PHONE)
    page = context.new_page()
    reruns = B.Reruns(page)
    box = B.open_app(page, url)
    settle(page, reruns, B.touch_draw(page, B.to_canvas(sample["strokes"], box)))
    page.screenshot(path=str(out / "draw-phone.png"))
    context.close()


def number_phone(browser, url: str, out: Path, digits: list[dict]) -> None:
    from lenet5.eval.whole_numbers import layout

    context = browser.new_context(**B.PHONE)
    page = context.new_page()
    reruns = B.Reruns(page)
    box = B.open_app(page, url, "number")
    size = (int(box["width"]), int(box["height"]))
    strokes = layout(digits, np.random.default_rng(0), size)
    settle(page, reruns, B.touch_draw(page, [s + (box["x"], box["y"]) for s in strokes]))
    page.screenshot(path=str(out / "number-phone.png"))
    context.close()


def open_section(page, reruns: B.Reruns, title: str) -> None:
    B.click(page, reruns, page.get_by_text(title, exact=True))
    page.wait_for_timeout(1000)  # its charts' first frame


def poke_desktop(browser, url: str, out: Path) -> None:
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    reruns = B.Reruns(page)
    box = B.open_app(page, url)
    settle(page, reruns, B.draw(page, B.seven(box)))
    open_section(page, reruns, "Move it, turn it, thicken it")
    page.locator(EXPANDER, has_text="Move it").screenshot(path=str(out / "poke-sweeps.png"))
    B.click(page, reruns, page.get_by_role("link", name="Inside the network"))
    open_section(page, reruns, "What one unit sees")
    B.click(page, reruns, page.get_by_role("radio", name="C3").or_(
        page.get_by_role("button", name="C3")).first)
    page.wait_for_timeout(800)
    page.locator(EXPANDER, has_text="What one unit sees").screenshot(
        path=str(out / "poke-unit.png"))
    context.close()


FOOL = "Fool it: the smallest change that flips the answer"


def fool_shots(browser, url: str, out: Path, sample: dict) -> None:
    tall = {"viewport": {"width": 1280, "height": 1600}}  # the whole open section on screen
    for name, kind in (("fool.png", tall), ("fool-phone.png", B.PHONE)):
        context = browser.new_context(**kind)
        page = context.new_page()
        reruns = B.Reruns(page)
        box = B.open_app(page, url)
        settle(page, reruns, B.draw(page, B.to_canvas(sample["strokes"], box)))
        open_section(page, reruns, FOOL)
        page.locator(EXPANDER, has_text=FOOL).locator(CHART).first.wait_for(timeout=15_000)
        section = page.locator(EXPANDER, has_text=FOOL)
        if kind is B.PHONE:  # what a person sees on the screen (the page scrolls inside)
            section.evaluate("e => e.scrollIntoView()")
            page.wait_for_timeout(800)
            page.screenshot(path=str(out / name))
        else:
            page.wait_for_timeout(800)
            section.screenshot(path=str(out / name))
        context.close()


LEARN = "Watch it learn: the network after each epoch"


def learn_shots(browser, url: str, out: Path) -> None:
    """The Training page's Watch it learn section, open at its default (the last epoch)."""
    tall = {"viewport": {"width": 1280, "height": 2200}}
    for name, kind in (("learn.png", tall), ("learn-phone.png", B.PHONE)):
        context = browser.new_context(**kind)
        page = context.new_page()
        reruns = B.Reruns(page)
        page.goto(f"{url}/training")  # no canvas there to wait for
        page.wait_for_selector(B.IDLE, timeout=30_000)
        open_section(page, reruns, LEARN)
        section = page.locator(EXPANDER, has_text=LEARN)
        section.locator(CHART).first.wait_for(timeout=15_000)
        page.wait_for_timeout(800)
        if kind is B.PHONE:
            section.evaluate("e => e.scrollIntoView()")
            page.wait_for_timeout(800)
            page.screenshot(path=str(out / name))
        else:
            section.screenshot(path=str(out / name))
        context.close()


SHOTS = {"draw": ("draw-desktop", "draw-phone"), "number": ("number-phone",),
         "poke": ("poke-sweeps", "poke-unit"), "fool": ("fool", "fool-phone"),
         "learn": ("learn", "learn-phone")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=B.ROOT / "docs")
    parser.add_argument("--digit", type=int, default=3, help="which shipped digit to draw")
    parser.add_argument("--shots", nargs="+", choices=list(SHOTS), default=list(SHOTS),
                        help="which screenshots to make (default: all)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    samples = one_of_each()
    with B.serve() as (url, _), sync_playwright() as p:
        browser, _ = B.launch(p)
        if "draw" in args.shots:
            draw_desktop(browser, url, args.out, samples[args.digit])
            draw_phone(browser, url, args.out, samples[args.digit])
        if "number" in args.shots:
            number_phone(browser, url, args.out, [samples[4], samples[2]])
        if "poke" in args.shots:
            poke_desktop(browser, url, args.out)
        if "fool" in args.shots:
            fool_shots(browser, url, args.out, samples[4])
        if "learn" in args.shots:
            learn_shots(browser, url, args.out)
        browser.close()
    for shot in args.shots:
        for name in SHOTS[shot]:
            print(args.out / f"{name}.png")


if __name__ == "__main__":
    main()
