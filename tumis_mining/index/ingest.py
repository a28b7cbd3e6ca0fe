"""``ingest``: files and folders into the corpus (extract, segment, classify, index).

Each input ends as a document or a ``failures`` row with its reason. A file whose bytes the corpus
already holds is not parsed again (``unchanged``); a changed file replaces its document's pages
and passages; every document is written in one transaction. The classifier is passed in (any
object with ``predict(texts)`` returning items with ``label``, ``confidence`` and ``scores``, and
a ``version`` string); without one, passages are stored unlabelled.

The summary says how many documents were new, changed, unchanged or failed, and how many passages
of each label were written; its ``exit_status`` follows DESIGN.md: 1 when more than
``fail_threshold`` of the inputs failed, else 0.
"""

from __future__ import annotations

import hashlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..errors import ConfigError
from ..pipeline import collect_files, parse_many
from ..records import Failure, ParsedDocument, SourceDocument
from ..settings import ExtractSettings
from .store import BatchWriter, Prediction, Store, StoreError

OUTCOMES = ("new", "changed", "unchanged", "failed")
UNLABELLED = "unlabelled"


class Classifier(Protocol):
    version: str

    def predict(self, texts: Sequence[str]) -> Sequence[Prediction]: ...


Progress = Callable[[SourceDocument, str], None]


@dataclass
class IngestSummary:
    """What one ingest did."""

    files: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    passages: Counter = field(default_factory=Counter)  # label -> passages written
    failures: list[Failure] = field(default_factory=list)
    model: str | None = None
    fail_threshold: float = 0.5

    @property
    def documents(self) -> int:
        return self.new + self.changed + self.unchanged

    @property
    def exit_status(self) -> int:
        """0 done; 1 when more than ``fail_threshold`` of the inputs failed."""
        return 1 if self.files and self.failed / self.files > self.fail_threshold else 0

    def counts(self) -> dict:
        return {
            "files": self.files, "new": self.new, "changed": self.changed,
            "unchanged": self.unchanged, "failed": self.failed,
            "passages": dict(sorted(self.passages.items())), "model": self.model,
        }

    def lines(self) -> list[str]:
        """The summary a person reads."""
        written = sum(self.passages.values())
        per_label = ", ".join(f"{label} {n}" for label, n in sorted(self.passages.items()))
        lines = [
            f"{self.files} file(s): {self.new} new, {self.changed} changed, "
            f"{self.unchanged} unchanged, {self.failed} failed",
            f"{written} passage(s) written" + (f" ({per_label})" if per_label else ""),
        ]
        for failure in self.failures:
            lines.append(f"FAILED  {failure.source}: {failure.message} [{failure.stage}/{failure.error}]")
        return lines


def ingest(
    paths: Iterable[str | Path],
    db: str | Path | Store,
    classifier: Classifier | None = None,
    settings: ExtractSettings | None = None,
    *,
    progress: Progress | None = None,
    jobs: int = 1,
    isolate: bool = True,
    fail_threshold: float = 0.5,
    source_name: str = "files",
) -> IngestSummary:
    """Ingest files and folders (``collect_files`` rules) into the corpus at ``db``."""
    sources = file_sources(paths, source_name)
    return ingest_sources(sources, db, classifier, settings, progress=progress, jobs=jobs,
                          isolate=isolate, fail_threshold=fail_threshold)


def file_sources(paths: Iterable[str | Path], source_name: str = "files") -> list[SourceDocument]:
    """The files to ingest, each under its absolute path (a document's id is a hash of it, so
    the same file is the same document from any working folder)."""
    return [SourceDocument(source=str(path.resolve()), path=path.resolve(), source_name=source_name)
            for path in collect_files(paths)]


def ingest_sources(
    sources: Sequence[SourceDocument],
    db: str | Path | Store,
    classifier: Classifier | None = None,
    settings: ExtractSettings | None = None,
    *,
    progress: Progress | None = None,
    jobs: int = 1,
    isolate: bool = True,
    fail_threshold: float = 0.5,
) -> IngestSummary:
    """Ingest documents as sources hand them over (files, or bytes fetched from a URL)."""
    if not 0 <= fail_threshold <= 1:
        raise ConfigError(f"fail_threshold must be between 0 and 1, not {fail_threshold}")
    store = db if isinstance(db, Store) else Store.open(db)
    summary = IngestSummary(files=len(sources), fail_threshold=fail_threshold,
                            model=_model_version(classifier))
    waiting: deque[tuple[SourceDocument, list[str]]] = deque()  # queued documents, in order

    def written(parsed: ParsedDocument, outcome: str) -> None:
        source, labels = waiting.popleft()
        if outcome != "unchanged":
            summary.passages.update(labels)
        _count(summary, source, outcome, progress)

    writer = BatchWriter(store, summary.model, on_written=written)
    run_id = store.start_run("ingest")
    try:
        to_parse = []
        for source in sources:
            if _unchanged(store, source):
                store.clear_failures(source.source)
                _count(summary, source, "unchanged", progress)
            else:
                to_parse.append(source)
        for source, result in parse_many(to_parse, settings, jobs=jobs, isolate=isolate):
            if isinstance(result, ParsedDocument):
                result = classify_parsed(result, classifier)
            if isinstance(result, Failure):
                _fail(store, summary, source, result, progress)
                continue
            parsed, predictions = result
            labels = [p.label for p in predictions] if predictions is not None else (
                [UNLABELLED] * len(parsed.passages))
            try:
                prepared = store.prepare(parsed, predictions, summary.model)
            except StoreError as exc:
                doc = parsed.document
                _fail(store, summary, source,
                      Failure(doc.source, doc.source_name, doc.sha256, "index", "store", str(exc)),
                      progress)
                continue
            waiting.append((source, labels))
            writer.add_prepared(prepared)
        writer.flush()
    finally:
        store.finish_run(run_id, summary.counts())
        if store is not db:
            store.close()
    return summary


def classify_parsed(parsed: ParsedDocument, classifier: Classifier | None):
    """``(parsed, predictions)``, or a Failure at the classify stage."""
    if classifier is None:
        return parsed, None
    texts = [p.text for p in parsed.passages]
    try:
        predictions = list(classifier.predict(texts)) if texts else []
        if len(predictions) != len(texts):
            raise ValueError(f"{len(predictions)} predictions for {len(texts)} passages")
    except Exception as exc:  # noqa: BLE001 - becomes a failures row for this document
        doc = parsed.document
        return Failure(doc.source, doc.source_name, doc.sha256, "classify", "classify",
                       f"the passages could not be classified: {type(exc).__name__}: {exc}")
    return parsed, predictions


def _fail(store: Store, summary: IngestSummary, source: SourceDocument, failure: Failure,
          progress: Progress | None) -> None:
    store.record_failure(failure)
    summary.failures.append(failure)
    _count(summary, source, "failed", progress)


def _unchanged(store: Store, source: SourceDocument) -> bool:
    state = store.document_state(source.source)
    if state is None or state.status != "active":
        return False
    try:
        return hashlib.sha256(source.read_bytes()).hexdigest() == state.sha256
    except (OSError, ValueError):
        return False  # the parse reports what is wrong with it


def _count(summary: IngestSummary, source: SourceDocument, outcome: str,
           progress: Progress | None) -> None:
    setattr(summary, outcome, getattr(summary, outcome) + 1)
    if progress is not None:
        progress(source, outcome)


def _model_version(classifier: Classifier | None) -> str | None:
    if classifier is None:
        return None
    return str(getattr(classifier, "version", None) or type(classifier).__name__)
