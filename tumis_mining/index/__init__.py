"""The indexed corpus: SQLite tables of the contract, FTS5 search, ingest and queries.

- ``ingest(paths, db, classifier)``: files and folders into the corpus (``ingest.py``);
- ``Corpus(path).search(...)`` / ``.stats()`` / ``.agreement()``: reading it (``query.py``);
- ``Store.open(path)``: the one writer (``store.py``); the tables live in ``schema.py``, the
  Indonesian-aware full-text search in ``fts.py``.
"""

from .ingest import IngestSummary, ingest, ingest_sources
from .query import Agreement, Corpus
from .schema import LABELS, SCHEMA_VERSION
from .store import BatchWriter, Store, StoreError

__all__ = [
    "LABELS",
    "SCHEMA_VERSION",
    "Agreement",
    "BatchWriter",
    "Corpus",
    "IngestSummary",
    "Store",
    "StoreError",
    "ingest",
    "ingest_sources",
]
