"""The corpus database: tables of the contract (DESIGN.md), their schema version and migrations.

``PRAGMA user_version`` holds the schema version. :func:`migrate` brings a database of any older
version (0 is an empty file) up to :data:`SCHEMA_VERSION`, one step at a time, each step in its
own transaction; a database newer than this code is refused rather than guessed at.

Beyond the contract columns:

- ``passages.rowid`` is declared (``INTEGER PRIMARY KEY``) so that ``VACUUM`` cannot renumber the
  rows the full-text index points at;
- ``passages.variable`` is the effective label (the analyst's code where present, else the
  model's), kept by triggers whenever a label or a passage changes, so filters and facets read one
  indexed column;
- ``passages.text_sha256`` ties an analyst's label to the passage text it was given for;
- ``passages.stem`` holds the stems of the passage's affixed words (``kemiskinan -> miskin``),
  written by the store and indexed beside the text;
- ``documents.passages`` (how many passages the document has) and ``documents.warnings`` (a JSON
  array of what went wrong on the way, short of failing);
- ``passages.doc_type`` and ``passages.year``, copies of their document's, so that facets and
  filters on passages read them without a join (version 3);
- ``documents.etag`` and ``documents.last_modified``, the HTTP validators of the document's last
  fetch, and ``documents.withdrawn_at``, when it was found gone from its source (version 3).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from ..errors import TumisError
from ..records import LABELS

SCHEMA_VERSION = 3

# Passage columns of the contract, in contract order (what exports and `query --format json` give).
PASSAGE_COLUMNS = (
    "id", "document_id", "seq", "section", "bab", "pasal", "ayat", "amended_pasal", "page",
    "char_start", "char_end", "lang", "citation", "text", "label", "confidence", "scores", "model",
    "topic",
)

DOCUMENT_COLUMNS = (
    "id", "source", "source_name", "url", "sha256", "status", "doc_type", "number", "year", "title",
    "issuer", "region", "enacted_on", "published_at", "amends", "pages", "extractor", "ingested_at",
)

_LABEL_CHECK = ", ".join(f"'{label}'" for label in LABELS)

# The label a passage shows: the analyst's code for this very text, else the model's.
_EFFECTIVE = """COALESCE((SELECT l.label FROM labels AS l
                  WHERE l.passage_id = new.id AND l.text_sha256 = new.text_sha256), new.label)"""

_V1 = f"""
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    source_name TEXT,
    url TEXT,
    sha256 TEXT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    doc_type TEXT,
    number TEXT,
    year INTEGER,
    title TEXT,
    issuer TEXT,
    region TEXT,
    enacted_on TEXT,
    published_at TEXT,
    amends TEXT,
    pages INTEGER,
    extractor TEXT,
    ingested_at TEXT,
    passages INTEGER NOT NULL DEFAULT 0,
    warnings TEXT
);
CREATE INDEX documents_doc_type_year ON documents (doc_type, year);
CREATE INDEX documents_year ON documents (year);
CREATE INDEX documents_source ON documents (source);

CREATE TABLE pages (
    document_id TEXT NOT NULL REFERENCES documents (id),
    page INTEGER NOT NULL,
    extractor TEXT,
    chars INTEGER,
    ocr INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (document_id, page)
) WITHOUT ROWID;

CREATE TABLE passages (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    document_id TEXT NOT NULL REFERENCES documents (id),
    seq INTEGER NOT NULL,
    section TEXT,
    bab TEXT,
    pasal TEXT,
    ayat TEXT,
    amended_pasal TEXT,
    page INTEGER,
    char_start INTEGER,
    char_end INTEGER,
    lang TEXT,
    citation TEXT,
    text TEXT NOT NULL,
    label TEXT,
    confidence REAL,
    scores TEXT,
    model TEXT,
    topic INTEGER,
    variable TEXT,
    text_sha256 TEXT NOT NULL,
    stem TEXT NOT NULL DEFAULT ''
);
CREATE INDEX passages_document_seq ON passages (document_id, seq);
CREATE INDEX passages_variable ON passages (variable, document_id, topic);

CREATE TABLE labels (
    passage_id TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    label TEXT NOT NULL CHECK (label IN ({_LABEL_CHECK})),
    note TEXT,
    at TEXT NOT NULL,
    PRIMARY KEY (passage_id, text_sha256)
) WITHOUT ROWID;

CREATE TABLE failures (
    source TEXT NOT NULL,
    source_name TEXT,
    sha256 TEXT,
    stage TEXT NOT NULL,
    error TEXT NOT NULL,
    message TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (source, stage)
) WITHOUT ROWID;

CREATE TABLE topics (
    id INTEGER PRIMARY KEY,
    label TEXT,
    words TEXT,
    size INTEGER,
    model TEXT
);

CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    flow TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    counts TEXT
);

CREATE VIRTUAL TABLE passages_fts USING fts5 (
    text, stem,
    content="passages", content_rowid="rowid",
    tokenize="unicode61 remove_diacritics 2"
);

CREATE TRIGGER passages_fts_insert AFTER INSERT ON passages BEGIN
    INSERT INTO passages_fts (rowid, text, stem) VALUES (new.rowid, new.text, new.stem);
END;
CREATE TRIGGER passages_fts_delete AFTER DELETE ON passages BEGIN
    INSERT INTO passages_fts (passages_fts, rowid, text, stem)
    VALUES ('delete', old.rowid, old.text, old.stem);
END;
CREATE TRIGGER passages_fts_update AFTER UPDATE OF text, stem ON passages BEGIN
    INSERT INTO passages_fts (passages_fts, rowid, text, stem)
    VALUES ('delete', old.rowid, old.text, old.stem);
    INSERT INTO passages_fts (rowid, text, stem) VALUES (new.rowid, new.text, new.stem);
END;

CREATE TRIGGER passages_variable_insert AFTER INSERT ON passages
WHEN new.variable IS NOT {_EFFECTIVE}
BEGIN
    UPDATE passages SET variable = {_EFFECTIVE} WHERE rowid = new.rowid;
END;
CREATE TRIGGER passages_variable_update AFTER UPDATE OF label, text_sha256 ON passages BEGIN
    UPDATE passages SET variable = {_EFFECTIVE} WHERE rowid = new.rowid;
END;

CREATE TRIGGER labels_insert AFTER INSERT ON labels BEGIN
    UPDATE passages SET variable = new.label
    WHERE id = new.passage_id AND text_sha256 = new.text_sha256;
END;
CREATE TRIGGER labels_update AFTER UPDATE ON labels BEGIN
    UPDATE passages SET variable = label
    WHERE id = old.passage_id AND text_sha256 = old.text_sha256;
    UPDATE passages SET variable = new.label
    WHERE id = new.passage_id AND text_sha256 = new.text_sha256;
END;
CREATE TRIGGER labels_delete AFTER DELETE ON labels BEGIN
    UPDATE passages SET variable = label
    WHERE id = old.passage_id AND text_sha256 = old.text_sha256;
END;
"""


def _v1(conn: sqlite3.Connection) -> None:
    for statement in _statements(_V1):
        conn.execute(statement)


# Version 2: topics beyond the contract table (tumis_mining/topics/store.py writes them):
# - topic_models: one row per fitted topic model (`topics.model` and the tables below name it),
#   its settings and figures, where it is saved and its last report; `current` marks the one
#   `passages.topic` refers to;
# - passage_embeddings: each passage text's vector under an embedding version, computed once
#   (float32 bytes, keyed by the text's sha256 so identical passages share it);
# - topics_per_class (by effective variable) and topics_over_time (by document year): passage
#   counts and the topic's words within that slice (JSON array, best first).
_V2 = """
CREATE TABLE topic_models (
    id TEXT PRIMARY KEY,
    fitted_at TEXT NOT NULL,
    embedding TEXT NOT NULL,
    settings TEXT NOT NULL,
    passages INTEGER NOT NULL,
    metrics TEXT,
    path TEXT,
    report TEXT,
    current INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE passage_embeddings (
    model TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, text_sha256)
);

CREATE TABLE topics_per_class (
    topic INTEGER NOT NULL,
    variable TEXT NOT NULL,
    frequency INTEGER NOT NULL,
    words TEXT NOT NULL,
    model TEXT,
    PRIMARY KEY (topic, variable)
) WITHOUT ROWID;

CREATE TABLE topics_over_time (
    topic INTEGER NOT NULL,
    year INTEGER NOT NULL,
    frequency INTEGER NOT NULL,
    words TEXT NOT NULL,
    model TEXT,
    PRIMARY KEY (topic, year)
) WITHOUT ROWID;

CREATE INDEX passages_topic ON passages (topic);
"""


def _v2(conn: sqlite3.Connection) -> None:
    for statement in _statements(_V2):
        conn.execute(statement)


# Version 3: what sources and the browser need.
# - passages.doc_type and passages.year copy their document's (the store writes them with each
#   passage, so indexing needs no trigger; existing passages are filled here), so that Datasette
#   facets and filters the passages by them; a trigger keeps them in step when a document's type
#   or year is updated in place (a re-written document re-writes its passages);
# - documents.etag and documents.last_modified: the HTTP validators of the document's last fetch,
#   for a conditional GET; documents.withdrawn_at: when it was marked withdrawn (null while active).
_V3_TRIGGERS = """
CREATE TRIGGER documents_doc_type_year_update AFTER UPDATE OF doc_type, year ON documents
WHEN new.doc_type IS NOT old.doc_type OR new.year IS NOT old.year
BEGIN
    UPDATE passages SET doc_type = new.doc_type, year = new.year WHERE document_id = new.id;
END;
"""


def _v3(conn: sqlite3.Connection) -> None:
    # sqlite-utils on the migrating connection: plain ALTER TABLE / CREATE INDEX statements inside
    # the transaction `migrate` opened (none of these calls commits); no PRAGMA, no plugin hooks.
    # Imported here: it takes half a second (pandas) and is needed once per database.
    import sqlite_utils  # noqa: PLC0415

    db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
    passages, documents = db.table("passages"), db.table("documents")
    passages.add_column("doc_type", str)
    passages.add_column("year", int)
    for column in ("etag", "last_modified", "withdrawn_at"):
        documents.add_column(column, str)
    conn.execute("UPDATE passages SET (doc_type, year) ="
                 " (SELECT d.doc_type, d.year FROM documents AS d WHERE d.id = passages.document_id)")
    passages.create_index(["doc_type", "year"], index_name="passages_doc_type_year")
    passages.create_index(["year"], index_name="passages_year")
    documents.create_index(["source_name", "status"], index_name="documents_source_name_status")
    for statement in _statements(_V3_TRIGGERS):
        conn.execute(statement)


# MIGRATIONS[n] takes a database from version n - 1 to version n.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1, 2: _v2, 3: _v3}


class SchemaError(TumisError):
    """The database file is not a corpus this code can read."""

    error = "schema"


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database up to :data:`SCHEMA_VERSION`; returns the version it had before.

    The connection must be in autocommit mode (``isolation_level=None``).
    """
    found = schema_version(conn)
    if found > SCHEMA_VERSION:
        raise SchemaError(
            f"the corpus database has schema version {found}, newer than this tumis-mining "
            f"understands ({SCHEMA_VERSION}); upgrade tumis-mining"
        )
    if found == 0 and _has_tables(conn):
        raise SchemaError("the file is an SQLite database, but not a tumis-mining corpus")
    for version in range(found + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(conn) < version:  # another process may have migrated meanwhile
                MIGRATIONS[version](conn)
                conn.execute(f"PRAGMA user_version = {int(version)}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return found


def _has_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
    return row[0] > 0


def _statements(script: str) -> list[str]:
    """Split a DDL script into statements (triggers keep their inner semicolons)."""
    statements, current = [], []
    for line in script.strip().splitlines():
        current.append(line)
        joined = "\n".join(current).strip()
        if joined and sqlite3.complete_statement(joined):
            statements.append(joined)
            current = []
    if "\n".join(current).strip():
        raise ValueError("incomplete statement at the end of the schema script")
    return statements
