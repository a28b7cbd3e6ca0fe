"""Extraction + segmentation speed and memory (issue: real policy documents into passages).

Figures: pages/s on the born-digital real regulations with the fast path and with pdfplumber
alone (steady state: a first pass pays the one-off imports and is reported apart); a 200-page law
and peak memory on a 320-page PDF, each in a fresh process (imports included). Everything runs in
one process on one core (no isolation, no worker pool).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from make_long_law import long_law
from run import figure

from tumis_mining.pipeline import parse_file
from tumis_mining.settings import ExtractSettings

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "regulations"
BORN_DIGITAL = [
    "pergub-bali-1-2021_batang-tubuh.pdf",
    "pergub-bali-2-2021_batang-tubuh.pdf",
    "pergub-bali-2-2021_lampiran-I_struktur-org.pdf",
    "perda-banjarnegara-8-2025_pajak-retribusi.pdf",
    "perda-banjarnegara-8-2025_abstrak.pdf",
]

_PEAK = """
import json, resource, sys, time
from tumis_mining.pipeline import parse_file
from tumis_mining.settings import ExtractSettings
t = time.perf_counter()
parsed = parse_file(sys.argv[1], ExtractSettings(fast_path=sys.argv[2]))
print(json.dumps({"seconds": time.perf_counter() - t, "pages": parsed.document.pages,
                  "passages": len(parsed.passages),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _pages_per_second(paths: list[Path], fast_path: str) -> tuple[float, int, float]:
    """Steady-state pages/s (second pass), and the first pass's seconds (imports included)."""
    settings = ExtractSettings(fast_path=fast_path, ocr="off")
    started = time.perf_counter()
    for path in paths:
        parse_file(path, settings)
    cold = time.perf_counter() - started
    pages, started = 0, time.perf_counter()
    for path in paths:
        pages += parse_file(path, settings).document.pages
    return pages / (time.perf_counter() - started), pages, cold


def _in_child(path: Path, fast_path: str = "auto") -> dict:
    out = subprocess.run([sys.executable, "-c", _PEAK, str(path), fast_path],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    figures = []
    paths = [REALDATA / name for name in BORN_DIGITAL if (REALDATA / name).exists()]
    if paths:
        fast, pages, cold = _pages_per_second(paths, "auto")
        figures.append(figure("extract.born_digital.fast_path", fast, "pages/s", ">= 100", pages=pages))
        figures.append(figure("extract.born_digital.first_pass_with_imports", cold, "s", pages=pages))
        alone, _, _ = _pages_per_second(paths, "always")
        figures.append(figure("extract.born_digital.pypdfium2_only_unchecked", alone, "pages/s", pages=pages))
        slow, _, _ = _pages_per_second(paths, "never")
        figures.append(figure("extract.born_digital.pdfplumber_only", slow, "pages/s", pages=pages))
    law200 = _in_child(long_law(200))
    figures.append(figure("extract.law_200_pages", law200["seconds"], "s", "< 3",
                          pages=law200["pages"], passages=law200["passages"]))
    law300 = _in_child(long_law(320))
    figures.append(figure("extract.peak_memory_320_pages", law300["peak_mb"], "MB", "< 500",
                          pages=law300["pages"]))
    return figures
