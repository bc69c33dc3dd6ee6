"""Poke the network (issue 15) in the real app: a 7 drawn with the mouse, stem first, then the
bar; the stroke-by-stroke reading says it was a 1 until the bar; the sweeps chart it; on the
Inside page a unit's field is shown for the layer chosen, and switching all of C1's maps off
changes the reading. On a 390-px phone the same sections fit the screen. Screenshots land in
test-artifacts/."""

from __future__ import annotations

import pytest
from support import ARTIFACTS

from lenet5.eval import browser as B

pytestmark = [pytest.mark.slow, pytest.mark.browser]
CHART = '[data-testid="stPlotlyChart"]'
EXPANDER = '[data-testid="stExpander"]'


def draw_seven(page, url: str) -> B.Reruns:
    reruns = B.Reruns(page)
    box = B.open_app(page, url)
    t_up = B.draw(page, B.seven(box))
    reruns.wait(page, t_up)
    page.locator(B.METRIC_VALUE).first.wait_for(timeout=10_000)
    assert B.metric(page) == "7"
    return reruns


def open_expander(page, reruns: B.Reruns, title: str) -> None:
    B.click(page, reruns, page.get_by_text(title, exact=True))


def shoot(page, title: str, name: str) -> None:
    """A screenshot of the expander titled ``title`` (the page scrolls inside, so a full-page
    screenshot would show its top only)."""
    page.locator(EXPANDER, has_text=title).screenshot(path=str(ARTIFACTS / name))


def test_draw_page_experiments(app):
    url, _, context = app
    page = context.new_page()
    reruns = draw_seven(page, url)
    open_expander(page, reruns, "How it changed its mind, stroke by stroke")
    caption = page.get_by_text("1: 1 (", exact=False).first
    caption.wait_for(timeout=10_000)
    assert " · 2: 7 (" in caption.inner_text()
    page.get_by_text("after stroke").first.wait_for(timeout=20_000)  # the chart's axis, drawn
    open_expander(page, reruns, "Move it, turn it, thicken it")
    page.get_by_text("Scale (undone by the preprocessing)").wait_for(timeout=20_000)
    for title in ("Rotation", "Slant", "Stroke thickness", "Shift (undone by the preprocessing)"):
        assert page.get_by_text(title, exact=True).count() == 1
    assert page.locator(B.EXCEPTION).count() == 0
    shoot(page, "How it changed its mind", "experiments-prefixes.png")
    shoot(page, "Move it, turn it", "experiments-sweeps.png")
    page.close()


def test_inside_page_experiments(app):
    url, _, context = app
    page = context.new_page()
    reruns = draw_seven(page, url)
    B.click(page, reruns, page.get_by_role("link", name="Inside the network"))
    open_expander(page, reruns, "What one unit sees")
    page.get_by_text("the 5×5 input pixels C1 unit (").wait_for(timeout=10_000)
    B.click(page, reruns, page.get_by_role("radio", name="C3").or_(
        page.get_by_role("button", name="C3")).first)
    page.get_by_text("the 14×14 input pixels C3 unit (").wait_for(timeout=10_000)
    open_expander(page, reruns, "Switch maps off")
    reading = page.locator('[data-testid="stMetric"]', has_text="It reads now")
    reading.wait_for(timeout=10_000)
    assert "as with 7" in reading.inner_text()
    pills = page.locator('[data-testid="stButtonGroup"]').filter(
        has_text="C1 maps to switch off")
    for m in range(1, 7):
        B.click(page, reruns, pills.get_by_role("button", name=str(m), exact=True))
    assert "not 7" in reading.inner_text()
    assert page.locator(B.EXCEPTION).count() == 0
    shoot(page, "What one unit sees", "experiments-unit.png")
    shoot(page, "Switch maps off", "experiments-switch.png")
    page.close()


def test_experiments_fit_a_phone(app):
    url, browser, _ = app
    context = browser.new_context(**B.PHONE)
    page = context.new_page()
    reruns = draw_seven(page, url)
    open_expander(page, reruns, "Move it, turn it, thicken it")
    page.get_by_text("Scale (undone by the preprocessing)").wait_for(timeout=10_000)
    width = B.PHONE["viewport"]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    charts = page.locator(CHART)
    assert all(charts.nth(k).bounding_box()["width"] <= width for k in range(charts.count()))
    page.get_by_text("Slant", exact=True).evaluate("e => e.scrollIntoView()")
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "experiments-phone.png"))
    open_expander(page, reruns, "How it changed its mind, stroke by stroke")
    page.get_by_text("1: 1 (", exact=False).first.wait_for(timeout=10_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    B.click(page, reruns, page.get_by_role("link", name="Inside", exact=True))  # a phone's menu
    open_expander(page, reruns, "What one unit sees")
    open_expander(page, reruns, "Switch maps off")
    page.locator('[data-testid="stMetric"]', has_text="It reads now").wait_for(timeout=10_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    images = page.locator(EXPANDER, has_text="What one unit sees").locator("img")
    assert all(images.nth(k).bounding_box()["width"] <= width for k in range(images.count()))
    assert page.locator(B.EXCEPTION).count() == 0
    context.close()
