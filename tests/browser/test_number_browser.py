"""A touching number written in Chromium on the Number page (issue 22): "2026" with real
pen-drawn strokes of writers the nets never saw, each digit slid onto the one before until
their inks overlap (lenet5.train.layouts.touching), drawn stroke by stroke with the mouse on a
desktop and with a finger at 390 px (the page's narrow canvas), reads 2026. Screenshots land
in test-artifacts/."""

from __future__ import annotations

import numpy as np
import pytest
from support import ARTIFACTS, app_in_chromium

from lenet5.core.grouping import NARROW_BRUSH, WIDE_BRUSH, group
from lenet5.eval import browser as B
from lenet5.eval.whole_numbers import layout

pytestmark = [pytest.mark.slow, pytest.mark.browser]
ONE_EACH = {s["label"]: s for s in B.pen_samples()[::2]}
NUMBER = "2026"


@pytest.fixture(scope="module")
def browser():
    with app_in_chromium() as (url, _, chromium, desktop):
        yield url, chromium, desktop


def touching_strokes(box: dict, brush: float, seed: int = 0) -> list[np.ndarray]:
    """The touching number laid out on a canvas of ``box``'s size (canvas px); fewer groups of
    strokes than digits, so the strokes alone cannot tell the digits apart."""
    strokes = layout([ONE_EACH[int(d)] for d in NUMBER], np.random.default_rng(seed),
                     (int(box["width"]), int(box["height"])), how="touching", brush=brush)
    assert len(group(strokes, [brush] * len(strokes))) < len(NUMBER)
    return strokes


def read_after(page, reruns: B.Reruns, t_up: float) -> str | None:
    reruns.wait(page, t_up)
    page.locator(B.METRIC_VALUE).first.wait_for(timeout=10_000)
    assert page.locator(B.EXCEPTION).count() == 0
    return B.metric(page)


def test_a_touching_number_reads_on_a_desktop(browser):
    url, _, desktop = browser
    page = desktop.new_page()
    reruns = B.Reruns(page)
    box = B.open_app(page, url, "number")
    strokes = touching_strokes(box, WIDE_BRUSH)
    got = read_after(page, reruns, B.draw(page, [s + (box["x"], box["y"]) for s in strokes]))
    page.screenshot(path=str(ARTIFACTS / "number-touching-desktop.png"), full_page=True)
    assert got == NUMBER
    page.close()


def test_a_touching_number_reads_at_390_px_with_a_finger(browser):
    url, chromium, _ = browser
    context = chromium.new_context(**B.PHONE)
    page = context.new_page()
    reruns = B.Reruns(page)
    box = B.open_app(page, url, "number")
    assert box["width"] <= B.PHONE["viewport"]["width"]
    strokes = touching_strokes(box, NARROW_BRUSH)
    t_up = B.touch_draw(page, [s + (box["x"], box["y"]) for s in strokes], interval_ms=4)
    got = read_after(page, reruns, t_up)
    page.screenshot(path=str(ARTIFACTS / "number-touching-phone.png"), full_page=True)
    assert got == NUMBER
    context.close()
