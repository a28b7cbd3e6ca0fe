"""Shared fixtures: where the real documents live, and how tests reach them."""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
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


# Prefect, wherever a test runs a flow: a temporary home (never the user's), no analytics, no
# server of the user's (flows use Prefect's temporary local server), a patient start-up.
_PREFECT_HOME = tempfile.mkdtemp(prefix="tumis-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.pop("PREFECT_API_URL", None)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
atexit.register(shutil.rmtree, _PREFECT_HOME, ignore_errors=True)
# Prefect logs the temporary server's stop at exit, after pytest has closed the captured streams:
# drop such records instead of printing a "Logging error" report.
logging.raiseExceptions = False

# The local HTTP fixture server (tests/httpfixture.py) for every test that fetches.
from httpfixture import http_server  # noqa: E402, F401
