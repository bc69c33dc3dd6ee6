"""Watch it learn (issue 23) in the real app: on the Training page the section opens at the last
epoch; the slider moved to its start (the keyboard's Home) shows the net before training and its
C1 kernels; the play button is there. On a 390-px phone it fits the screen. Screenshots land in
test-artifacts/."""

from __future__ import annotations

import time

import pytest
from support import ARTIFACTS

from lenet5.eval import browser as B

pytestmark = [pytest.mark.slow, pytest.mark.browser]
TITLE = "Watch it learn: the network after each epoch"
EXPANDER = '[data-testid="stExpander"]'


def watch(page, url: str, name: str) -> None:
    reruns = B.Reruns(page)
    page.goto(f"{url}/training")
    page.wait_for_selector(B.IDLE, timeout=30_000)
    summary = page.get_by_text(TITLE, exact=True)
    summary.scroll_into_view_if_needed()
    t = time.perf_counter()
    summary.click()
    reruns.wait(page, t)
    section = page.locator(EXPANDER, has_text=TITLE)
    section.get_by_text("after epoch 44 of 44").first.wait_for(timeout=15_000)
    assert section.get_by_text("play").count()
    knob = section.locator('[data-testid="stSlider"] input[type="range"]').first
    knob.scroll_into_view_if_needed()
    knob.focus()
    t = time.perf_counter()
    page.keyboard.press("Home")
    reruns.wait(page, t)
    section.get_by_text("after epoch 0 of 44").first.wait_for(timeout=15_000)
    assert section.get_by_text("still the random numbers").count()
    assert section.locator(".js-plotly-plot").count() >= 4  # bars, lines, kernels, maps, curves
    assert not page.locator(B.EXCEPTION).count()
    page.screenshot(path=str(ARTIFACTS / f"learn-{name}.png"), full_page=True)


def test_desktop(app):
    url, _, context = app
    page = context.new_page()
    watch(page, url, "desktop")
    page.close()


def test_phone(app):
    url, browser, _ = app
    context = browser.new_context(**B.PHONE)
    page = context.new_page()
    watch(page, url, "phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= B.PHONE["viewport"]["width"]
    context.close()
