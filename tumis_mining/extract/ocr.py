"""OCR of page images with Debian's tesseract (``tesseract-ocr`` + ``tesseract-ocr-ind``).

The tesseract binary is called directly (PNG on stdin, text on stdout). Whether it is there, and
which languages it has, is asked once per process.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
from dataclasses import dataclass

from ..errors import ExtractionError


@dataclass(frozen=True)
class OcrEngine:
    """A usable tesseract: its path and the language string to pass (``ind``, ``ind+eng``)."""

    command: str
    lang: str
    version: str

    @property
    def name(self) -> str:
        return f"tesseract-{self.version}"


@functools.lru_cache(maxsize=8)
def find_tesseract(command: str = "tesseract", lang: str = "ind") -> OcrEngine | None:
    """The tesseract to use, or None when it (or every asked language) is missing."""
    path = shutil.which(command)
    if path is None:
        return None
    try:
        out = subprocess.run([path, "--list-langs"], capture_output=True, text=True, timeout=30)
        version = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    installed = {line.strip() for line in out.stdout.splitlines()[1:] if line.strip()}
    wanted = [code for code in lang.split("+") if code in installed]
    if not wanted:
        return None
    first = (version.stdout or version.stderr).split("\n", 1)[0].split()
    return OcrEngine(path, "+".join(wanted), first[-1] if first else "unknown")


def ocr_image(image, engine: OcrEngine, *, timeout: float = 120.0, psm: int = 3) -> str:
    """Text of one PIL image (a rendered page)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        result = subprocess.run(
            [engine.command, "stdin", "stdout", "-l", engine.lang, "--psm", str(psm)],
            input=buffer.getvalue(),
            capture_output=True,
            timeout=timeout,
            env=env,
        )
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError(f"OCR of one page took longer than {timeout:.0f} s", error="timeout") from exc
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExtractionError(
            f"tesseract failed: {message[-1] if message else 'exit ' + str(result.returncode)}",
            error="ocr_failed",
        )
    return result.stdout.decode("utf-8", "replace")
