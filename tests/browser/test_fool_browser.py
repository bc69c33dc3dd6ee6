"""Fool it (issue 23) in the real app: a 7 drawn with the mouse; opened, the section says how far
it is from its runner-up and shows the changed input for it; picking another digit shows the
change for that one. On a 390-px phone the section fits the screen. Screenshots land in
test-artifacts/."""

from __future__ import annotations

import re

import pytest
from support import ARTIFACTS

from lenet5.eval import browser as B

pytestmark = [pytest.mark.slow, pytest.mark.browser]
TITLE = "Fool it: the smallest change that flips the answer"
EXPANDER = '[data-testid="stExpander"]'


def open_fool(page, url: str) -> tuple[B.Reruns, int]:
    """Draw a 7, open the section; the runner-up it names."""
    reruns = B.Reruns(page)
    box = B.open_app(page, url)
    reruns.wait(page, B.draw(page, B.seven(box)))
    page.locator(B.METRIC_VALUE).first.wait_for(timeout=10_000)
    assert B.metric(page) == "7"
    B.click(page, reruns, page.get_by_text(TITLE, exact=True))
    distance = section(page).locator("p", has_text="Draw to fool it.")
    distance.wait_for(timeout=20_000)
    found = re.search(r"away from reading (\d)", distance.inner_text())
    assert found, distance.inner_text()
    runner_up = int(found[1])
    page.get_by_text(f"changed to read {runner_up}", exact=False).first.wait_for(timeout=10_000)
    return reruns, runner_up


def section(page):
    return page.locator(EXPANDER, has_text=TITLE)


def test_fool_it_on_the_desktop(app):
    url, _, context = app
    page = context.new_page()
    reruns, runner_up = open_fool(page, url)
    target = next(d for d in (3, 2, 9) if d != runner_up)
    pills = page.locator('[data-testid="stButtonGroup"]').filter(has_text="Make it read")
    B.click(page, reruns, pills.get_by_role("radio", name=str(target), exact=True))
    page.get_by_text(f"changed to read {target}", exact=False).first.wait_for(timeout=10_000)
    words = section(page).inner_text()
    assert "The network now reads" in words and "The 1998 net" in words
    assert "Adversarial examples" in words
    assert page.locator(B.EXCEPTION).count() == 0
    section(page).screenshot(path=str(ARTIFACTS / "fool-desktop.png"))
    page.close()


def test_fool_it_fits_a_phone(app):
    url, browser, _ = app
    context = browser.new_context(**B.PHONE)
    page = context.new_page()
    open_fool(page, url)
    width = B.PHONE["viewport"]["width"]
    page.locator(f'{EXPANDER} [data-testid="stPlotlyChart"]').first.wait_for(timeout=20_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    parts = section(page).locator(
        "img, [data-testid='stPlotlyChart'], [data-testid='stButtonGroup']")
    assert parts.count() >= 3
    assert all(parts.nth(k).bounding_box()["width"] <= width for k in range(parts.count()))
    assert page.locator(B.EXCEPTION).count() == 0
    section(page).screenshot(path=str(ARTIFACTS / "fool-phone.png"))
    context.close()
