"""Test helpers that fail loudly in CI: a missing dependency is a failure there, a skip locally."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest


def require(module_name: str) -> ModuleType:
    """Import and return ``module_name``. If it cannot be imported, skip the test locally, but
    fail it when ``$CI`` is set (``.ci/run`` sets it): in CI every test must really run."""
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"{module_name} is missing in CI ({exc})")
        pytest.skip(f"{module_name} is not installed")
