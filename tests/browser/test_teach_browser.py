"""Teach it, in Chromium (issue 24): three 4s written with a curled top, which the net reads as
9, taught on the Teach page; then on the Draw page a fourth such 4 reads 4. On a desktop and on
a 390-px phone with touch. Screenshots land in test-artifacts/ (and docs/teach-*.png)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from support import ARTIFACTS, app_in_chromium

from lenet5.eval import browser as B

pytestmark = [pytest.mark.slow, pytest.mark.browser]
SIDE = 280  # the canvas' side in its own px


def curled_four(dx: float = 0, top: float = 60, mid: float = 150, left: float = 90):
    """A 4 whose top is a curve closed almost like a 9's (canvas px)."""
    curve = np.array([[200, top], [120, top], [left, (top + mid) / 2], [120, mid], [200, mid]])
    stem = np.array([[200, top - 10], [200, 250]])
    return [_dense(curve + [dx, 0]), _dense(stem + [dx, 0])]


def _dense(points: np.ndarray, per: int = 8) -> np.ndarray:
    """Points every few px along the polyline, as a hand moves."""
    return np.concatenate([np.linspace(a, b, per, endpoint=False) for a, b in
                           zip(points[:-1], points[1:], strict=True)] + [points[-1:]])


FOURS = [curled_four(), curled_four(-20, 70), curled_four(0, 60, 140, 70),
         curled_four(10, 50, 160, 100)]


@pytest.fixture(scope="module")
def browser():
    with app_in_chromium() as (url, _, browser, _):
        yield url, browser


def on(box: dict, strokes) -> list[np.ndarray]:
    return [s * box["width"] / SIDE + (box["x"], box["y"]) for s in strokes]


def act(page, reruns, touch: bool, locator) -> None:
    locator.scroll_into_view_if_needed()
    t = time.perf_counter()
    B.touch_tap(page, locator) if touch else locator.click()
    reruns.wait(page, t)


def write(page, reruns, touch: bool, strokes) -> None:
    page.wait_for_selector(B.IDLE, timeout=20_000)
    canvas = page.locator(B.CANVAS)
    canvas.wait_for(state="visible", timeout=20_000)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    t = (B.touch_draw if touch else B.draw)(page, on(box, strokes))
    reruns.wait(page, t)


def teach_three_then_draw_the_fourth(page, url: str, touch: bool, name: str) -> None:
    reruns = B.Reruns(page)
    B.open_app(page, url, "teach")
    for k, strokes in enumerate(FOURS[:3], start=1):
        act(page, reruns, touch, page.locator('[data-testid="stButtonGroup"] button')
            .filter(has_text="4").first)
        write(page, reruns, touch, strokes)
        assert page.get_by_text("The net reads 9").count()
        act(page, reruns, touch, page.get_by_role("button").filter(has_text="this is a 4"))
        # teaching reruns the page (a new prompt, its widgets new): wait for that run's page
        page.get_by_text(f"Your digits ({k} of at most 100)").wait_for(timeout=20_000)
        page.wait_for_selector(B.IDLE, timeout=20_000)
    page.screenshot(path=str(ARTIFACTS / f"teach-{name}.png"), full_page=True)
    act(page, reruns, touch, page.get_by_role("link", name="Draw").first)
    write(page, reruns, touch, FOURS[3])
    page.locator(B.METRIC_VALUE).first.wait_for(timeout=10_000)
    assert B.metric(page) == "4"
    assert not page.locator(B.EXCEPTION).count()
    act(page, reruns, touch, page.get_by_text("Show both readings"))
    page.get_by_text("the net, taught by you: 4").wait_for(timeout=10_000)
    assert page.get_by_text("The net: 9").count()
    page.screenshot(path=str(ARTIFACTS / f"teach-draw-{name}.png"))


def test_desktop(browser):
    url, chromium = browser
    context = chromium.new_context(viewport={"width": 1200, "height": 1000})
    try:
        teach_three_then_draw_the_fourth(context.new_page(), url, False, "desktop")
    finally:
        context.close()


def test_phone(browser):
    url, chromium = browser
    context = chromium.new_context(**B.PHONE)
    try:
        page = context.new_page()
        teach_three_then_draw_the_fourth(page, url, True, "phone")
        width = B.PHONE["viewport"]["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()


def test_your_digits_taken_to_another_session(browser, tmp_path):
    """Downloaded after teaching, uploaded in a new session (a new browser context): the
    fourth 4 reads 4 there too, and a file that is no file of digits gets a message."""
    url, chromium = browser
    first = chromium.new_context(viewport={"width": 1200, "height": 1000})
    second = chromium.new_context(viewport={"width": 1200, "height": 1000})
    try:
        page = first.new_page()
        teach_three_then_draw_the_fourth(page, url, False, "desktop-again")
        page.get_by_role("link", name="Teach it").first.click()
        page.get_by_role("heading", name="Teach it your handwriting").wait_for(timeout=20_000)
        page.wait_for_selector(B.IDLE, timeout=20_000)
        with page.expect_download() as got:
            page.get_by_role("button", name="Download your digits").click()
        saved = tmp_path / "digits.json"
        got.value.save_as(saved)
        page = second.new_page()
        reruns = B.Reruns(page)
        B.open_app(page, url, "teach")
        (tmp_path / "bad.json").write_text('{"digits": [1, 2, 3]}')
        for name in ("bad.json", "digits.json"):
            t = time.perf_counter()
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
                str(tmp_path / name))
            reruns.wait(page, t)
            if name == "bad.json":
                page.get_by_text("Could not read that file").wait_for(timeout=10_000)
        page.get_by_text("Your digits (3 of at most 100)").wait_for(timeout=10_000)
        act(page, reruns, False, page.get_by_role("link", name="Draw").first)
        write(page, reruns, False, FOURS[3])
        page.locator(B.METRIC_VALUE).first.wait_for(timeout=10_000)
        assert B.metric(page) == "4"
        assert not page.locator(B.EXCEPTION).count()
    finally:
        first.close()
        second.close()
