"""Exports of the classified corpus: tables for analysis, projects for qualitative-analysis tools.

``export(db, out, "csv" | "jsonl" | "parquet" | "qdpx", Filters(...))`` writes the passages that
pass the filters (the same ones as ``tumis query``) and returns an :class:`ExportSummary`.
The tables (``tabular.py``) have one row per passage; ``qdpx`` (``qdpx.py``) is a REFI-QDA
project that QualCoder, NVivo, ATLAS.ti and MAXQDA open, with every passage a coded selection.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..index.query import Corpus, Filters
from .tabular import (
    EXPORT_COLUMNS,
    FORMATS,
    select_passages,
    write_csv,
    write_jsonl,
    write_parquet,
)


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    fmt: str
    passages: int
    documents: int | None = None  # counted for qdpx, where documents become sources

    def line(self) -> str:
        sources = f" from {self.documents} document(s)" if self.documents is not None else ""
        return f"{self.passages} passage(s){sources} written to {self.path} ({self.fmt})"


def export(db: str | Path, out: str | Path, fmt: str, filters: Filters | None = None) -> ExportSummary:
    """Write the passages of the corpus ``db`` that pass ``filters`` to ``out`` in format ``fmt``."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; one of: {', '.join(FORMATS)}")
    out = Path(out)
    if out.is_dir():
        raise ConfigError(f"{out} is a folder; give the file to write")
    filters = filters or Filters()
    with Corpus(db) as corpus:
        rows = select_passages(corpus.conn, filters)
        if fmt == "qdpx":
            from .qdpx import write_qdpx

            documents, passages = write_qdpx(corpus.conn, rows, out)
            return ExportSummary(out, fmt, passages, documents)
        writer = {"csv": write_csv, "jsonl": write_jsonl, "parquet": write_parquet}[fmt]
        return ExportSummary(out, fmt, writer(rows, out))


__all__ = ["EXPORT_COLUMNS", "FORMATS", "ExportSummary", "Filters", "export"]
