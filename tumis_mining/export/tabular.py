"""Classified passages as a table: CSV, JSON Lines or Parquet.

One row per passage that passes the filters (the same :class:`~tumis_mining.index.query.Filters`
as ``tumis query``), in document order (newest document first, then passage order), with the
passage columns of the contract, the effective label (``variable``) and its document's
``doc_type``, ``number``, ``year``, ``title``, ``issuer``, ``region``, ``source`` and ``url``.

``scores`` is a JSON object: JSON text in CSV and Parquet, a nested object in JSON Lines. Rows are
read from the database in batches and written as they come, so a large corpus is never held in
memory at once. The file is written beside ``out`` and moved into place when complete.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..index.query import Filters
from ..index.schema import PASSAGE_COLUMNS

# The document columns each row carries beside the passage columns and its effective label.
DOCUMENT_EXTRA = ("doc_type", "number", "year", "title", "issuer", "region", "source", "url")
EXPORT_COLUMNS = PASSAGE_COLUMNS + ("variable",) + DOCUMENT_EXTRA
FORMATS = ("csv", "jsonl", "parquet", "qdpx")
BATCH_ROWS = 20_000

_INTEGER = {"seq", "page", "char_start", "char_end", "topic", "year"}
_FLOAT = {"confidence"}


def select_passages(conn: sqlite3.Connection, filters: Filters) -> Iterator[dict]:
    """The passages passing ``filters`` as dicts of :data:`EXPORT_COLUMNS` (``scores`` as JSON text)."""
    where, params = filters.where()
    columns = ", ".join([f"p.{c}" for c in PASSAGE_COLUMNS + ("variable",)]
                        + [f"d.{c}" for c in DOCUMENT_EXTRA])
    sql = (f"SELECT {columns} FROM passages AS p JOIN documents AS d ON d.id = p.document_id"
           + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY d.year DESC, d.id, p.seq")
    cursor = conn.execute(sql, params)
    while batch := cursor.fetchmany(1000):
        for row in batch:
            yield dict(zip(EXPORT_COLUMNS, tuple(row)))


def write_csv(rows: Iterator[dict], out: Path) -> int:
    """Write ``rows`` as CSV with a header line; returns how many rows were written."""
    count = 0
    with _replacing(out) as part, part.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(EXPORT_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_jsonl(rows: Iterator[dict], out: Path) -> int:
    """Write ``rows`` as JSON Lines (``scores`` a nested object); returns how many were written."""
    count = 0
    with _replacing(out) as part, part.open("w", encoding="utf-8") as handle:
        for row in rows:
            if row["scores"]:
                row = {**row, "scores": json.loads(row["scores"])}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def write_parquet(rows: Iterator[dict], out: Path) -> int:
    """Write ``rows`` as one Parquet file (one row group per batch); returns how many were written.

    Column types are fixed (strings, int64, float64) whatever the batch holds, so an all-null
    column in one batch cannot clash with the next; ``pandas.read_parquet`` reads it back.
    """
    import pyarrow as pa  # heavy, and only this format needs it
    import pyarrow.parquet as pq

    schema = pa.schema([
        (name, pa.int64() if name in _INTEGER else pa.float64() if name in _FLOAT else pa.string())
        for name in EXPORT_COLUMNS
    ])
    count = 0
    with _replacing(out) as part, pq.ParquetWriter(part, schema, compression="zstd") as writer:
        batch: list[dict] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH_ROWS:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
                batch = []
        # The last (or only) batch; an empty export still gets its columns.
        writer.write_table(pa.Table.from_pylist(batch, schema=schema))
        count += len(batch)
    return count


@contextmanager
def _replacing(out: Path) -> Iterator[Path]:
    """A temporary path beside ``out`` that replaces ``out`` once the block ends without error."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(f".{out.name}.part")
    try:
        yield part
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)
