"""The app as a visitor's browser loads it: nothing is fetched from outside the app's own server
(an icon from a font server fails offline), the canvas component is registered once (Streamlit
logs a warning when a second registration overwrites it), and a phone shows the pages' names."""

from __future__ import annotations

import pytest
from support import app_in_chromium

from lenet5.eval import browser as B

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_a_visit_fetches_only_from_the_app_and_registers_the_canvas_once():
    with app_in_chromium() as (url, proc, browser, context):
        outside = []
        for ctx in (context, browser.new_context(**B.PHONE)):
            page = ctx.new_page()
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(
                (url, "data:", "blob:")) else None)
            box = B.open_app(page, url)
            B.draw(page, B.seven(box))
            page.locator(B.METRIC_VALUE).first.wait_for(timeout=20_000)
            if ctx is not context:  # a phone: the pages' names, not a bare » button
                for name in ("Draw", "Number", "Inside", "Training", "About"):
                    assert page.get_by_role("link", name=name, exact=True).is_visible()
            page.close()
        proc.terminate()
        log = proc.communicate(timeout=20)[0].decode()
    assert outside == []
    assert "already registered" not in log
