"""Shared fixtures: where the real documents live, and how tests reach them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REALDATA = ROOT.parent / "shared" / "realdata"
SAMPLE = ROOT / "corpora" / "sample"


def _realdata_path() -> Path:
    if REALDATA.is_dir():
        return REALDATA
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{REALDATA} is missing, and CI=true requires the real documents")
    pytest.skip(f"{REALDATA} is absent on this machine")


@pytest.fixture(scope="session")
def realdata() -> Path:
    """The folder of real documents beside the project (skips when absent, fails in CI)."""
    return _realdata_path()


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE
