"""The app served and a headless Chromium for each browser test module: ``app`` yields
``(url, browser, context)`` (one server a module, so that modules do not share a session)."""

import pytest
from support import app_in_chromium


@pytest.fixture(scope="module")
def app():
    with app_in_chromium() as (url, _, browser, context):
        yield url, browser, context
