"""``tumis train`` and ``tumis classify``: thin wrappers over the library.

Registered on the main group with ``cli.add_command(train_command)`` and
``cli.add_command(classify_command)``. The model folder defaults to ``models/classifier/`` of the
project checkout, or ``TUMIS_MODEL``; only this module reads the environment.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click

from ..errors import ConfigError

PROJECT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = PROJECT / "models" / "classifier"
DEFAULT_LABELS = PROJECT / "corpora" / "labels"


class UsageFailure(click.UsageError):
    """A usage error or a bad input line: exit status 2, one line."""


def default_model_dir() -> Path:
    return Path(os.environ.get("TUMIS_MODEL") or DEFAULT_MODEL)


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tumis"


@click.command("train")
@click.option("--labels", "labels_dir", type=click.Path(path_type=Path, file_okay=False),
              default=DEFAULT_LABELS, show_default="corpora/labels",
              help="Folder with train/ and test/ JSONL files of labelled passages.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="Where to write the model [default: TUMIS_MODEL or models/classifier].")
@click.option("--candidates", default=None,
              help="Comma-separated candidates to compare [default: all].")
@click.option("--model-candidate", default=None,
              help="Ship this candidate whatever the selection rule says.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=min(2, os.cpu_count() or 1),
              show_default=True, help="Cross-validation folds run at once.")
@click.option("--embedding-cache", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder keeping e5 vectors between runs [default: ~/.cache/tumis].")
@click.option("--no-embedding-cache", is_flag=True, help="Recompute e5 vectors every run.")
@click.option("--include-corrections", is_flag=True,
              help="Also learn from analysts' codes (tumis label) in the corpus database.")
@click.option("--db", "db_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Corpus database for --include-corrections [default: TUMIS_DB or data/corpus.db].")
def train_command(labels_dir, out_dir, candidates, model_candidate, jobs, embedding_cache,
                  no_embedding_cache, include_corrections, db_path) -> None:
    """Train the passage classifier: cross-validate the candidates, fit the chosen one, score
    it on the test split, write the model, metadata.json and MODEL_CARD.md.

    The first run embeds the training passages with multilingual-e5-small for the embedding
    candidates (a few minutes); the vectors are cached for later runs.

    Example: tumis train --labels corpora/labels --out models/classifier
    """
    from .candidates import CANDIDATES  # noqa: PLC0415
    from .train import TrainSettings, train  # noqa: PLC0415

    names = tuple(n.strip() for n in candidates.split(",") if n.strip()) if candidates else tuple(CANDIDATES)
    cache = None if no_embedding_cache else (embedding_cache or default_cache_dir())
    try:
        settings = TrainSettings(candidates=names, model=model_candidate, jobs=jobs,
                                 embedding_cache=cache)
    except ConfigError as exc:
        raise UsageFailure(str(exc)) from exc
    out_dir = out_dir or default_model_dir()
    started = time.perf_counter()

    def progress(message: str) -> None:
        click.echo(f"[{time.perf_counter() - started:6.1f}s] {message}", err=True)

    extra = _corrections(db_path) if include_corrections else ()
    if include_corrections:
        progress(f"{len(extra)} analysts' correction(s) added to the training split")
    report = train(labels_dir, out_dir, settings, progress=progress, extra=extra)
    click.echo(f"{report.classifier.version}: test macro-F1 {report.test.macro_f1:.3f}, "
               f"ECE {report.test.ece:.3f}; CV macro-F1 {report.cv.macro_f1:.3f} -> {out_dir}")


def _corrections(db_path: Path | None) -> tuple:
    """Analysts' codes from the corpus, as training passages (id ``correction-<passage id>``)."""
    from ..index.cli import DEFAULT_DB  # noqa: PLC0415
    from ..index.query import Corpus  # noqa: PLC0415
    from ..lang import detect_lang  # noqa: PLC0415
    from .data import LabelledPassage  # noqa: PLC0415

    db_path = Path(db_path or os.environ.get("TUMIS_DB") or DEFAULT_DB)
    if not db_path.is_file():
        raise UsageFailure(f"no corpus database at {db_path} (run tumis ingest, or pass --db)")
    rows = Corpus(db_path).corrections()
    return tuple(
        LabelledPassage(id=f"correction-{row.passage_id}", text=row.text, label=row.label,
                        lang="en" if detect_lang(row.text) == "en" else "id", genre="correction",
                        source_note=f"analyst's code: {row.note or ''}".strip())
        for row in rows.itertuples()
    )


@click.command("classify")
@click.option("--model", "model_dir", type=click.Path(path_type=Path), default=None,
              help="Model folder [default: TUMIS_MODEL or models/classifier].")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=1000, show_default=True,
              help="Passages classified at once (memory stays constant).")
def classify_command(model_dir, batch_size) -> None:
    """Classify passages: JSONL {"id", "text"} on stdin, {"id", "label", "confidence",
    "scores"} on stdout, one line per input line, streamed in batches.

    A bad input line stops the run with its line number (exit status 2); every line before it
    has been classified and written, nothing from it on. Blank lines are skipped.

    Example: tumis classify < passages.jsonl > labelled.jsonl
    """
    from .model import Classifier  # noqa: PLC0415

    classifier = Classifier.load(model_dir or default_model_dir())
    stdin = click.get_text_stream("stdin", encoding="utf-8")
    batch: list[tuple[object, str]] = []
    number = 0
    try:
        for number, line in enumerate(stdin, start=1):
            if not line.strip():
                continue
            batch.append(_parse_line(line, number))
            if len(batch) >= batch_size:
                _write(classifier, batch)
                batch = []
    except UnicodeDecodeError as exc:
        _write(classifier, batch)
        raise UsageFailure(f"line {number + 1}: not UTF-8 text ({exc.reason})") from None
    except UsageFailure:
        _write(classifier, batch)
        raise
    _write(classifier, batch)


def _parse_line(line: str, number: int) -> tuple[object, str]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise UsageFailure(f"line {number}: not valid JSON ({exc.msg})") from None
    if not isinstance(record, dict):
        raise UsageFailure(f"line {number}: expected a JSON object with \"id\" and \"text\"")
    if "id" not in record or "text" not in record:
        missing = " and ".join(f'"{k}"' for k in ("id", "text") if k not in record)
        raise UsageFailure(f"line {number}: missing {missing}")
    if not isinstance(record["text"], str):
        raise UsageFailure(f"line {number}: \"text\" must be a string")
    if not isinstance(record["id"], (str, int)) or isinstance(record["id"], bool):
        raise UsageFailure(f"line {number}: \"id\" must be a string or an integer")
    return record["id"], record["text"]


def _write(classifier, batch: list[tuple[object, str]]) -> None:
    if not batch:
        return
    predictions = classifier.predict([text for _, text in batch], batch_size=len(batch))
    out = sys.stdout
    for (ident, _), prediction in zip(batch, predictions):
        out.write(json.dumps({
            "id": ident,
            "label": prediction.label,
            "confidence": round(prediction.confidence, 6),
            "scores": {k: round(v, 6) for k, v in prediction.scores.items()},
        }, ensure_ascii=False) + "\n")
    out.flush()
