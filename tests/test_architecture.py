"""The library stays below orchestration: importing it pulls in no Prefect and no heavy models."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import tumis_mining


def test_library_never_imports_prefect():
    modules = [m.name for m in pkgutil.walk_packages(tumis_mining.__path__, "tumis_mining.")]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('prefect' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert 0 == result.returncode, result.stderr
    assert "False" == result.stdout.strip()


def test_importing_the_package_is_light():
    code = "import sys, tumis_mining, tumis_mining.pipeline; print(sorted(m for m in ('spacy', 'pdfplumber', 'sklearn') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert "[]" == result.stdout.strip(), result.stderr
