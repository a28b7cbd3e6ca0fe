"""Settings of each stage: small dataclasses that check their values when made.

Library functions take these as arguments; only the command line (and later the flows) build them
from the environment or a config file.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ConfigError


@dataclass(frozen=True)
class ExtractSettings:
    """How documents are turned into text.

    ocr: ``auto`` (OCR pages with no usable text layer), ``off`` or ``force`` (every page).
    fast_path: ``auto`` (pypdfium2 where a sampled check agrees with pdfplumber), ``always``
    (pypdfium2 only, no check) or ``never`` (pdfplumber for every page).
    """

    ocr: str = "auto"
    ocr_lang: str = "ind"
    ocr_dpi: int = 300
    ocr_page_timeout: float = 120.0
    tesseract: str = "tesseract"
    fast_path: str = "auto"
    sample_pages: int = 3
    min_text_chars: int = 40
    scan_cover: float = 0.6
    detect_ocr_layers: bool = True
    password: str | None = None
    max_pages: int = 5_000
    max_bytes: int = 200 * 1024 * 1024
    # Per-document guards (applied by the pipeline when it isolates documents).
    time_limit: float = 120.0
    time_per_page: float = 10.0
    memory_limit_mb: int = 2048

    def __post_init__(self) -> None:
        if self.ocr not in ("auto", "off", "force"):
            raise ConfigError(f"ocr must be auto, off or force, not {self.ocr!r}")
        if self.fast_path not in ("auto", "always", "never"):
            raise ConfigError(f"fast_path must be auto, always or never, not {self.fast_path!r}")
        if not 72 <= self.ocr_dpi <= 600:
            raise ConfigError(f"ocr_dpi must be between 72 and 600, not {self.ocr_dpi}")
        for name in ("time_limit", "time_per_page", "ocr_page_timeout"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive")
        if self.memory_limit_mb < 256:
            raise ConfigError("memory_limit_mb must be at least 256")
        if not 0 < self.scan_cover <= 1:
            raise ConfigError("scan_cover must be in (0, 1]")

    def time_limit_for(self, pages: int) -> float:
        """The time one document of this many pages may take."""
        return self.time_limit + self.time_per_page * max(pages, 0)
