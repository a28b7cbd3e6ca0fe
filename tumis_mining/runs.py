"""What a run over sources did, and the steps a run is made of, without any scheduler.

The flows (``flows/``) call these: :func:`process` turns one fetched document into its classified
passages (or a :class:`~tumis_mining.records.Failure`) and may run on any worker; :func:`write`
stores the outcome through the one writer and counts it in :class:`RunCounts`, which becomes the
``runs`` row and the run's report. Counts are kept per source: documents new, changed, unchanged,
failed and withdrawn, and passages written per variable.
"""

from __future__ import annotations

import functools
import multiprocessing
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .errors import TumisError
from .pipeline import failure_from, parse, parse_isolated
from .records import Failure, ParsedDocument, SourceDocument
from .settings import ExtractSettings
from .sources.base import Unchanged, Validators

OUTCOMES = ("new", "changed", "unchanged", "failed", "withdrawn")
UNLABELLED = "unlabelled"


@dataclass
class Processed:
    """A document ready for the writer: parsed, and classified when a model was given."""

    parsed: ParsedDocument
    predictions: list | None
    model: str | None


@dataclass
class SourceTally:
    """One source's share of a run."""

    listed: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    withdrawn: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None  # the source itself could not be read

    def as_dict(self) -> dict:
        return {"listed": self.listed, "new": self.new, "changed": self.changed,
                "unchanged": self.unchanged, "failed": self.failed, "withdrawn": self.withdrawn,
                "warnings": list(self.warnings), "error": self.error}


@dataclass
class RunCounts:
    """What one run did, per source; the ``runs.counts`` JSON and the run's report."""

    flow: str
    sources: dict[str, SourceTally] = field(default_factory=dict)
    passages: Counter = field(default_factory=Counter)  # variable -> passages written
    failures: list[Failure] = field(default_factory=list)
    model: str | None = None
    notes: list[str] = field(default_factory=list)

    def tally(self, source_name: str) -> SourceTally:
        return self.sources.setdefault(source_name, SourceTally())

    def count(self, source_name: str, outcome: str, n: int = 1) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        tally = self.tally(source_name)
        setattr(tally, outcome, getattr(tally, outcome) + n)

    def fail(self, failure: Failure) -> None:
        self.failures.append(failure)
        self.count(failure.source_name, "failed")

    def total(self, outcome: str) -> int:
        return sum(getattr(t, outcome) for t in self.sources.values())

    @property
    def inputs(self) -> int:
        """Documents this run decided about (withdrawals are not inputs)."""
        return sum(self.total(o) for o in ("new", "changed", "unchanged", "failed"))

    def exit_status(self, fail_threshold: float) -> int:
        """0 done; 1 when more than ``fail_threshold`` of the inputs (or any source) failed whole."""
        sources_down = [t for t in self.sources.values() if t.error]
        if sources_down and len(sources_down) == len(self.sources):
            return 1
        return 1 if self.inputs and self.total("failed") / self.inputs > fail_threshold else 0

    def as_dict(self) -> dict:
        return {
            "flow": self.flow,
            "sources": {name: t.as_dict() for name, t in sorted(self.sources.items())},
            "documents": {o: self.total(o) for o in OUTCOMES},
            "passages": dict(sorted(self.passages.items())),
            "model": self.model,
            "notes": list(self.notes),
        }

    def lines(self) -> list[str]:
        """The summary a person reads on the terminal."""
        lines = []
        for name, t in sorted(self.sources.items()):
            head = (f"{name}: {t.listed} listed, {t.new} new, {t.changed} changed, "
                    f"{t.unchanged} unchanged, {t.failed} failed, {t.withdrawn} withdrawn")
            lines.append(head + (f" (source not read: {t.error})" if t.error else ""))
            lines.extend(f"  warning: {w}" for w in t.warnings)
        written = sum(self.passages.values())
        per_label = ", ".join(f"{label} {n}" for label, n in sorted(self.passages.items()))
        lines.append(f"{written} passage(s) written" + (f" ({per_label})" if per_label else ""))
        for failure in self.failures:
            lines.append(f"FAILED  {failure.source}: {failure.message} "
                         f"[{failure.stage}/{failure.error}]")
        lines.extend(self.notes)
        return lines

    def markdown(self) -> str:
        """The run's report as Markdown (the flows publish it as a Prefect artifact)."""
        out = [f"# {self.flow}", "", "| source | listed | new | changed | unchanged | failed "
               "| withdrawn |", "|---|---:|---:|---:|---:|---:|---:|"]
        for name, t in sorted(self.sources.items()):
            out.append(f"| {_cell(name)} | {t.listed} | {t.new} | {t.changed} | {t.unchanged} "
                       f"| {t.failed} | {t.withdrawn} |")
        out += ["", "| variable | passages written |", "|---|---:|"]
        out += [f"| {label} | {n} |" for label, n in sorted(self.passages.items())] or [
            "| (none) | 0 |"]
        if self.failures:
            out += ["", "## Failures", "", "| source | stage | error | message |", "|---|---|---|---|"]
            out += [f"| {_cell(f.source)} | {f.stage} | {f.error} | {_cell(f.message)} |"
                    for f in self.failures]
        warnings = [(name, w) for name, t in sorted(self.sources.items())
                    for w in ([f"source not read: {t.error}"] if t.error else []) + t.warnings]
        if warnings:
            out += ["", "## Warnings", ""] + [f"- {_cell(name)}: {_cell(w)}" for name, w in warnings]
        if self.model:
            out += ["", f"Classifier: `{self.model}`"]
        out += [f"\n{note}" for note in self.notes]
        return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


# --- steps ------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def load_classifier(model_dir: str):
    """The classifier at ``model_dir``, loaded once per process."""
    from .classify import Classifier  # noqa: PLC0415

    return Classifier.load(model_dir)


def known_validators(store, location: str) -> Validators | None:
    """What the corpus knows of the document read from ``location``, for a conditional GET or
    a comparison of bytes (None for a document it has never held)."""
    state = store.document_state(location)
    if state is None:
        return None
    return Validators(state.etag, state.last_modified, state.sha256)


def process(source: SourceDocument, settings: ExtractSettings | None = None,
            model_dir: str | Path | None = None, *, isolate: bool | None = None
            ) -> Processed | Failure:
    """Extract, segment and classify one document; a Failure says why it could not be.

    ``isolate`` (default: when this process may start children) parses in a child process with
    the time and memory guards of ``ExtractSettings``. Daemon processes, such as Dask's workers,
    cannot start children, so they parse in-process.
    """
    settings = settings or ExtractSettings()
    if isolate is None:
        isolate = not multiprocessing.current_process().daemon
    if isolate:
        result = parse_isolated(source, settings)
    else:
        try:
            result = parse(source, settings)
        except Exception as exc:  # noqa: BLE001 - becomes a failures row
            result = failure_from(source, exc)
    if isinstance(result, Failure):
        return result
    if model_dir is None:
        return Processed(result, None, None)
    from .index.ingest import classify_parsed  # noqa: PLC0415

    try:
        classifier = load_classifier(str(model_dir))
    except (OSError, ValueError, TumisError) as exc:
        doc = result.document
        return Failure(doc.source, doc.source_name, doc.sha256, "classify", "model",
                       f"the classifier at {model_dir} cannot be loaded: {exc}")
    classified = classify_parsed(result, classifier)
    if isinstance(classified, Failure):
        return classified
    return Processed(result, classified[1], classifier.version)


def write(store, result: Processed | Failure | Unchanged, counts: RunCounts,
          source_name: str | None = None) -> str:
    """Store one outcome through the corpus's one writer and count it; returns the outcome."""
    from .index.store import StoreError  # noqa: PLC0415

    if isinstance(result, Unchanged):
        store.confirm_unchanged(result.entry.location)
        counts.count(result.entry.source_name, "unchanged")
        return "unchanged"
    if isinstance(result, Failure):
        store.record_failure(result)
        counts.fail(result)
        return "failed"
    doc = result.parsed.document
    try:
        outcome = store.write_document(result.parsed, result.predictions, result.model)
    except StoreError as exc:
        failure = Failure(doc.source, doc.source_name, doc.sha256, "index", "store", str(exc))
        store.record_failure(failure)
        counts.fail(failure)
        return "failed"
    counts.count(source_name or doc.source_name, outcome)
    if outcome != "unchanged":
        labels = ([p.label for p in result.predictions] if result.predictions is not None
                  else [UNLABELLED] * len(result.parsed.passages))
        counts.passages.update(labels)
    return outcome
