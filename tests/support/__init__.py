"""Test helpers that fail loudly in CI: a missing dependency is a failure there, a skip locally."""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"  # small data the tests ship (data/README.md)
PEN_SAMPLE = DATA / "pendigits_sample.jsonl"


def require(module_name: str) -> ModuleType:
    """Import and return ``module_name``. If it cannot be imported, skip the test locally, but
    fail it when ``$CI`` is set (``.ci/run`` sets it): in CI every test must really run."""
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"{module_name} is missing in CI ({exc})")
        pytest.skip(f"{module_name} is not installed")


def unseen_writers(pendigits: str | os.PathLike, folder: str = "") -> list[dict]:
    """The pen-drawn digits in ``pendigits`` by the writers the committed model in
    ``models/folder`` never trained on (its metrics.json's held-out fold). Accuracy on writers
    a model trained on says nothing about new people, so tests measure on these only."""
    import json

    from lenet5.core.artifacts import model_file
    from lenet5.train.data import read_jsonl
    from lenet5.train.writers import held_out

    pen = json.loads(model_file("metrics.json", folder).read_text())["pen"]
    assert pen["held_out_fold"] is not None, "the committed model trained on every writer"
    return held_out(read_jsonl(pendigits), pen["held_out_fold"], pen["folds"])


ARTIFACTS = ROOT / "test-artifacts"  # screenshots of runs


def chromium_playwright() -> ModuleType:
    """Playwright's sync API, once Debian's Chromium is known to be there: skip locally without
    them, fail in CI. Every browser test starts here."""
    from lenet5.eval.browser import CHROMIUM

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI")
        pytest.skip("chromium is not installed")
    return require("playwright.sync_api")


@contextlib.contextmanager
def app_in_chromium() -> Iterator[tuple]:
    """The real app served (``lenet5.eval.browser.serve``) and Debian's Chromium launched on it:
    ``(url, server process, browser, desktop context)``; the browser closes afterwards."""
    from lenet5.eval import browser as B

    playwright_api = chromium_playwright()
    ARTIFACTS.mkdir(exist_ok=True)
    with B.serve() as (url, proc), playwright_api.sync_playwright() as p:
        browser, context = B.launch(p)
        try:
            yield url, proc, browser, context
        finally:
            browser.close()
