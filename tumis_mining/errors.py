"""The exceptions of tumis-mining.

Stages raise these; callers that process batches catch them per document and record a
``failures`` row. Each carries a short ``error`` kind (the ``failures.error`` column) and a
sentence for the user (``str(exc)``).
"""

from __future__ import annotations


class TumisError(Exception):
    """Base class: every error this library raises on purpose."""

    error = "error"

    def __init__(self, message: str, *, error: str | None = None) -> None:
        super().__init__(message)
        if error is not None:
            self.error = error


class ConfigError(TumisError):
    """A setting or command-line value is wrong."""

    error = "config"


class StageError(TumisError):
    """A document could not pass a stage (extract, segment, ...).

    ``error`` is the short kind stored in ``failures.error`` (``encrypted``, ``not_pdf``,
    ``no_pages``, ``needs_ocr``, ``timeout``, ``too_large``, ...).
    """

    stage = "extract"

    def __init__(self, message: str, *, error: str, stage: str | None = None) -> None:
        super().__init__(message, error=error)
        if stage is not None:
            self.stage = stage


class ExtractionError(StageError):
    stage = "extract"


class SegmentationError(StageError):
    stage = "segment"
