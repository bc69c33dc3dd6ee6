"""Shared fixtures: paths to the committed model, shipped samples and the local data files."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"


def data_file(name: str, env: str) -> Path:
    """A data file from $env, else ../shared/data/name; skip (locally) or fail (CI) if absent."""
    path = Path(os.environ.get(env) or SHARED / name)
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing in CI")
        pytest.skip(f"{path} not available")
    return path


@pytest.fixture(scope="session")
def mnist_path() -> Path:
    return data_file("mnist.npz", "LENET5_MNIST")


@pytest.fixture(scope="session")
def pendigits_path() -> Path:
    return data_file("pendigits-train.jsonl.gz", "LENET5_PENDIGITS")
