"""Writing the corpus database: one writer; a document, its pages and passages in one transaction.

``Store.open(path)`` creates or migrates the database (WAL journal, so readers keep reading while
it writes). ``write_document`` puts a document, its pages and all its passages in one
transaction, and ``write_documents`` / ``BatchWriter`` several whole documents in one: a reader,
or a process killed half-way, sees each document whole or not at all.
Ids are deterministic (``Document.id`` from the source, ``Passage.id`` from the document and the
passage's place), so writing the same document again adds nothing, and a changed one replaces
its pages and passages. Analysts' labels live in ``labels`` under ``(passage_id, text_sha256)``:
re-classification never touches them, and they follow a passage into a new version of its
document while the passage text is unchanged (the schema's triggers keep ``passages.variable``,
the effective label, in step). A document without a year (news) takes the year it was
published; each passage carries a copy of its document's type and year.

``withdraw`` marks the documents a configured source no longer offers ``withdrawn``, with the
time: kept, hidden from queries; one written again (or set ``active``) comes back.
``sources_of`` tells what the corpus holds of a source, ``document_state`` the HTTP validators
of a document's last fetch, for a conditional GET.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from ..errors import TumisError
from ..records import Failure, ParsedDocument
from .fts import stem_text
from .schema import LABELS, SchemaError, migrate

BUSY_TIMEOUT_MS = 30_000


class StoreError(TumisError):
    """The corpus database cannot be opened or written."""

    error = "store"


class Prediction(Protocol):
    """What a classifier says about one passage."""

    label: str
    confidence: float
    scores: dict[str, float]


@dataclass(frozen=True)
class DocumentState:
    """What the corpus holds of a document: its content hash, status and HTTP validators."""

    id: str
    sha256: str | None
    status: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class LabelRecord:
    passage_id: str
    label: str
    model_label: str | None
    model_confidence: float | None
    note: str | None
    at: str


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def connect(path: str | Path, *, create: bool = True, readonly: bool = False) -> sqlite3.Connection:
    """An autocommit connection to the corpus at ``path``, migrated to the current schema."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise StoreError(f"no corpus database at {path}: run `tumis ingest PATH... --db {path}` first")
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = None
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA cache_size = -65536")  # 64 MB
        conn.execute("PRAGMA temp_store = MEMORY")
        migrate(conn)
        if readonly:
            conn.execute("PRAGMA query_only = 1")
    except (sqlite3.DatabaseError, SchemaError) as exc:
        if conn is not None:
            conn.close()
        raise StoreError(f"cannot open the corpus database {path}: {exc}") from exc
    conn.row_factory = sqlite3.Row
    return conn


_DOCUMENT_INSERT = """
INSERT OR REPLACE INTO documents (id, source, source_name, url, sha256, status, doc_type, number,
    year, title, issuer, region, enacted_on, published_at, amends, pages, extractor, ingested_at,
    passages, warnings, etag, last_modified, withdrawn_at)
VALUES (:id, :source, :source_name, :url, :sha256, :status, :doc_type, :number, :year, :title,
    :issuer, :region, :enacted_on, :published_at, :amends, :pages, :extractor, :ingested_at,
    :passages, :warnings, :etag, :last_modified, NULL)
"""

_PASSAGE_COLUMNS = (
    "id, document_id, seq, section, bab, pasal, ayat, amended_pasal, page, char_start, char_end, "
    "lang, citation, text, label, confidence, scores, model, variable, text_sha256, stem, "
    "doc_type, year"
)
# Passages reach `passages` in multi-row INSERTs of up to _ROWS_PER_INSERT rows: FTS5 flushes its
# pending terms at the end of every statement its trigger writes it from, so one statement per
# thousand passages instead of one per passage makes indexing several times faster.
_ROWS_PER_INSERT = 1_000
_ROW_VALUES = "(" + ", ".join("?" * len(_PASSAGE_COLUMNS.split(","))) + ")"


def _insert_sql(rows: int) -> str:
    return f"INSERT INTO passages ({_PASSAGE_COLUMNS}) VALUES " + ", ".join([_ROW_VALUES] * rows)


class Store:
    """The one writer of a corpus database. Use ``Store.open(path)``; close it when done."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: str | Path) -> Store:
        return cls(connect(path), Path(path))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- documents ------------------------------------------------------------------------------

    def document_state(self, source: str) -> DocumentState | None:
        """What the corpus holds of the document read from ``source``, if anything."""
        row = self.conn.execute(
            "SELECT id, sha256, status, etag, last_modified FROM documents WHERE source = ?"
            " ORDER BY ingested_at DESC",
            (source,),
        ).fetchone()
        if row is None:
            return None
        return DocumentState(row["id"], row["sha256"], row["status"], row["etag"],
                             row["last_modified"])

    def sources_of(self, source_name: str) -> dict[str, str]:
        """``{source: status}`` of every document that came through the configured source."""
        return dict(self.conn.execute(
            "SELECT source, status FROM documents WHERE source_name = ? ORDER BY source",
            (source_name,),
        ).fetchall())

    def write_document(
        self,
        parsed: ParsedDocument,
        predictions: Sequence[Prediction] | None = None,
        model: str | None = None,
    ) -> str:
        """Write a document with its pages and passages in one transaction.

        Returns ``"new"``, ``"changed"`` or ``"unchanged"`` (same id and content already there:
        nothing is written). Failures recorded for its source are cleared.
        """
        return self.write_documents([(parsed, predictions)], model)[0]

    def write_documents(
        self,
        batch: Sequence[tuple[ParsedDocument, Sequence[Prediction] | None]],
        model: str | None = None,
    ) -> list[str]:
        """Write several documents in one transaction (each whole, or none of them)."""
        return self.write_prepared([self.prepare(parsed, predictions, model)
                                    for parsed, predictions in batch])

    def prepare(self, parsed: ParsedDocument, predictions: Sequence[Prediction] | None = None,
                model: str | None = None) -> tuple[ParsedDocument, list[tuple]]:
        """Check a document and make its passage rows (stems, hashes, scores) before writing."""
        document = parsed.document
        if predictions is not None and len(predictions) != len(parsed.passages):
            raise StoreError(
                f"{document.source}: {len(predictions)} predictions for {len(parsed.passages)} passages"
            )
        ids = {p.id for p in parsed.passages}
        if len(ids) != len(parsed.passages):
            raise StoreError(f"{document.source}: two passages share an id")
        doc_type, year = document.doc_type, _year(document)
        return parsed, [_passage_row(p, predictions[i] if predictions else None, model,
                                     doc_type, year)
                        for i, p in enumerate(parsed.passages)]

    def write_prepared(self, prepared: Sequence[tuple[ParsedDocument, list[tuple]]]) -> list[str]:
        """Write prepared documents in one transaction; their outcomes in order."""
        outcomes: list[str] = []
        pending: list[tuple] = []  # passage rows not inserted yet
        try:
            with self._transaction():
                for parsed, rows in prepared:
                    outcomes.append(self._write(parsed, rows, pending))
                self._insert(pending)
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"the documents could not be stored: {exc}") from exc
        return outcomes

    def _write(self, parsed: ParsedDocument, rows: list[tuple], pending: list[tuple]) -> str:
        document = parsed.document
        old = self.conn.execute(
            "SELECT sha256, status, passages, etag, last_modified FROM documents WHERE id = ?",
            (document.id,),
        ).fetchone()
        self._clear_failures(document.source)
        if old and old["sha256"] == document.sha256 and old["status"] == "active" and (
            old["passages"] == len(rows)
        ):
            if (old["etag"], old["last_modified"]) != (document.etag, document.last_modified):
                # Same content under new validators: keep the latest for the next conditional GET.
                self.conn.execute("UPDATE documents SET etag = ?, last_modified = ? WHERE id = ?",
                                  (document.etag, document.last_modified, document.id))
            return "unchanged"
        if old:
            # Pending passages may belong to it (the same document twice in a batch): insert
            # them first, so that the delete sees every passage the document has.
            self._insert(pending)
            self.conn.execute("DELETE FROM passages WHERE document_id = ?", (document.id,))
            self.conn.execute("DELETE FROM pages WHERE document_id = ?", (document.id,))
        record = document.as_row()  # written active, withdrawn_at null: it is back if it was gone
        record.update(status="active", ingested_at=now(), passages=len(rows), year=_year(document),
                      warnings=json.dumps(parsed.warnings, ensure_ascii=False),
                      etag=document.etag, last_modified=document.last_modified)
        self.conn.execute(_DOCUMENT_INSERT, record)
        self.conn.executemany(
            "INSERT INTO pages (document_id, page, extractor, chars, ocr) VALUES (?, ?, ?, ?, ?)",
            [(document.id, p.page, p.extractor, p.chars, int(p.ocr)) for p in parsed.pages],
        )
        pending.extend(rows)
        return "changed" if old else "new"

    def _insert(self, rows: list[tuple]) -> None:
        """Insert passage rows, a thousand to a statement; empties ``rows``."""
        for start in range(0, len(rows), _ROWS_PER_INSERT):
            chunk = rows[start:start + _ROWS_PER_INSERT]
            self.conn.execute(_insert_sql(len(chunk)), [value for row in chunk for value in row])
        rows.clear()

    def set_status(self, document_id: str, status: str) -> None:
        """Mark a document ``active`` or ``withdrawn`` (gone from its source, kept, hidden).

        Withdrawing records the time (the first time, when it is withdrawn already); making it
        active again clears it: a withdrawn document that comes back unchanged is set active.
        """
        if status not in ("active", "withdrawn"):
            raise StoreError(f"status must be active or withdrawn, not {status!r}")
        withdrawn_at = now() if status == "withdrawn" else None
        with self._transaction():
            found = self.conn.execute(
                "UPDATE documents SET status = :status, withdrawn_at ="
                " CASE WHEN :status = 'withdrawn' THEN COALESCE(withdrawn_at, :at) END"
                " WHERE id = :id",
                {"status": status, "at": withdrawn_at, "id": document_id},
            ).rowcount
        if not found:
            raise StoreError(f"no document with id {document_id}")

    def withdraw(self, source_name: str, keep: Iterable[str]) -> int:
        """Mark withdrawn the active documents of a configured source whose ``source`` is not in
        ``keep`` (what its listing still offers), all in one transaction; how many were."""
        keep = set(keep)
        at = now()
        with self._transaction():
            gone = [(at, row[0]) for row in self.conn.execute(
                "SELECT id, source FROM documents WHERE source_name = ? AND status = 'active'",
                (source_name,),
            ) if row[1] not in keep]
            self.conn.executemany(
                "UPDATE documents SET status = 'withdrawn', withdrawn_at = ? WHERE id = ?", gone)
        return len(gone)

    # --- failures -------------------------------------------------------------------------------

    def record_failure(self, failure: Failure) -> None:
        """Record (or replace) the failures row of a source at a stage."""
        row = failure.as_row()
        row["at"] = row.get("at") or now()
        with self._transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO failures (source, source_name, sha256, stage, error, message, at)"
                " VALUES (:source, :source_name, :sha256, :stage, :error, :message, :at)",
                row,
            )

    def clear_failures(self, source: str) -> None:
        with self._transaction():
            self._clear_failures(source)

    def confirm_unchanged(self, source: str) -> None:
        """The document read from ``source`` is as the corpus holds it: active again if it had
        been withdrawn, and no failure recorded for it any more."""
        state = self.document_state(source)
        if state is not None and state.status == "withdrawn":
            self.set_status(state.id, "active")
        self.clear_failures(source)

    def _clear_failures(self, source: str) -> None:
        self.conn.execute("DELETE FROM failures WHERE source = ?", (source,))

    # --- labels ---------------------------------------------------------------------------------

    def set_label(self, passage_id: str, label: str, note: str | None = None) -> LabelRecord:
        """Record an analyst's code for a passage (replacing their earlier one for this text)."""
        if label not in LABELS:
            raise StoreError(f"unknown label {label!r}; one of: {', '.join(LABELS)}")
        at = now()
        with self._transaction():
            row = self.conn.execute(
                "SELECT text_sha256, label, confidence FROM passages WHERE id = ?", (passage_id,)
            ).fetchone()
            if row is None:
                raise StoreError(f"no passage with id {passage_id}")
            self.conn.execute(
                "INSERT INTO labels (passage_id, text_sha256, label, note, at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (passage_id, text_sha256) DO UPDATE SET"
                " label = excluded.label, note = excluded.note, at = excluded.at",
                (passage_id, row["text_sha256"], label, note, at),
            )
        return LabelRecord(passage_id, label, row["label"], row["confidence"], note, at)

    def remove_label(self, passage_id: str) -> bool:
        """Forget the analyst's code for a passage's current text; True when there was one."""
        with self._transaction():
            removed = self.conn.execute(
                "DELETE FROM labels WHERE passage_id = ? AND text_sha256 ="
                " (SELECT text_sha256 FROM passages WHERE id = ?)",
                (passage_id, passage_id),
            ).rowcount
        return bool(removed)

    # --- runs -----------------------------------------------------------------------------------

    def start_run(self, flow: str) -> str:
        run_id = uuid.uuid4().hex
        with self._transaction():
            self.conn.execute(
                "INSERT INTO runs (id, flow, started_at) VALUES (?, ?, ?)", (run_id, flow, now())
            )
        return run_id

    def finish_run(self, run_id: str, counts: dict) -> None:
        with self._transaction():
            self.conn.execute(
                "UPDATE runs SET finished_at = ?, counts = ? WHERE id = ?",
                (now(), json.dumps(counts, ensure_ascii=False, sort_keys=True), run_id),
            )

    # --- plumbing -------------------------------------------------------------------------------

    def _transaction(self):
        return _Transaction(self.conn)


class BatchWriter:
    """Collects documents and writes them a batch at a time (each batch one transaction).

    A batch is written when it holds ``max_passages`` passages or ``max_documents`` documents,
    when its first document has waited ``max_seconds``, and at ``flush()``. ``on_written(parsed,
    outcome)`` is called for each document once it is stored. Fewer, larger transactions let
    FTS5 write fewer, larger segments; every document is still whole or absent.
    """

    def __init__(self, store: Store, model: str | None = None, *, max_passages: int = 5_000,
                 max_documents: int = 200, max_seconds: float = 2.0, on_written=None) -> None:
        self.store = store
        self.model = model
        self.max_passages = max_passages
        self.max_documents = max_documents
        self.max_seconds = max_seconds
        self.on_written = on_written
        self._batch: list[tuple[ParsedDocument, list[tuple]]] = []
        self._passages = 0
        self._since = 0.0

    def add(self, parsed: ParsedDocument, predictions: Sequence[Prediction] | None = None) -> None:
        """Queue a document (a StoreError for a malformed one is raised here, for it alone)."""
        self.add_prepared(self.store.prepare(parsed, predictions, self.model))

    def add_prepared(self, prepared: tuple[ParsedDocument, list[tuple]]) -> None:
        """Queue a document made by ``Store.prepare``; writes the batch when it is full."""
        if not self._batch:
            self._since = time.monotonic()
        self._batch.append(prepared)
        self._passages += len(prepared[1])
        if (self._passages >= self.max_passages or len(self._batch) >= self.max_documents
                or time.monotonic() - self._since >= self.max_seconds):
            self.flush()

    def flush(self) -> None:
        if not self._batch:
            return
        batch, self._batch, self._passages = self._batch, [], 0
        outcomes = self.store.write_prepared(batch)
        if self.on_written is not None:
            for (parsed, _), outcome in zip(batch, outcomes):
                self.on_written(parsed, outcome)


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any error (the writer lock is taken
    up front, so a transaction never fails half-way for want of it)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"cannot write the corpus database: {exc}") from exc
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")


def _year(document) -> int | None:
    """The document's year; for one without (news), the year it was published or enacted."""
    if document.year is not None:
        return document.year
    for date in (document.published_at, document.enacted_on):
        if date and len(date) >= 4 and date[:4].isdigit():
            return int(date[:4])
    return None


_SCORE_FORMATS: dict[tuple[str, ...], str] = {}


def _scores_json(scores: dict[str, float]) -> str:
    """``{label: probability}`` as JSON, 4 significant digits (one format per label set)."""
    keys = tuple(scores)
    fmt = _SCORE_FORMATS.get(keys)
    if fmt is None:
        if not all(k.isidentifier() for k in keys):
            return json.dumps({k: float(f"{float(v):.4g}") for k, v in scores.items()}, ensure_ascii=False)
        fmt = _SCORE_FORMATS[keys] = "{" + ", ".join(f'"{k}": %.4g' for k in keys) + "}"
    return fmt % tuple(scores.values())


def _passage_row(passage, prediction: Prediction | None, model: str | None,
                 doc_type: str | None, year: int | None) -> tuple:
    label = confidence = scores = None
    if prediction is not None:
        label = prediction.label
        confidence = float(prediction.confidence)
        scores = _scores_json(prediction.scores)
    return (
        passage.id, passage.document_id, passage.seq, passage.section, passage.bab, passage.pasal,
        passage.ayat, passage.amended_pasal, passage.page, passage.char_start, passage.char_end,
        passage.lang, passage.citation, passage.text, label, confidence, scores,
        model if prediction is not None else None, label, text_sha256(passage.text),
        stem_text(passage.text), doc_type, year,
    )
