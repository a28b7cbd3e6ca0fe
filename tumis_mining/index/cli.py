"""The corpus commands: ``tumis ingest``, ``query``, ``stats`` and ``label``.

``COMMANDS`` lists them for the ``tumis`` group (``cli.add_command``). Only these wrappers read
the environment: ``TUMIS_DB`` (default ``data/corpus.db`` under the current folder) and
``TUMIS_MODEL`` (default ``models/classifier/`` of the project checkout). A ``TumisError``
becomes one line and exit status 1; a usage or configuration error, exit status 2.
"""

from __future__ import annotations

import csv
import functools
import json
import math
import sys
from pathlib import Path

import click

from ..errors import ConfigError, TumisError
from ..records import DOC_TYPES, SourceDocument
from ..settings import ExtractSettings
from .fts import QueryError
from .schema import LABELS

DEFAULT_DB = Path("data") / "corpus.db"
DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "classifier"


def _errors(func):
    """Library errors become one clear line: exit 2 for usage, 1 for the rest."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (ConfigError, QueryError) as exc:
            raise click.UsageError(str(exc)) from exc
        except TumisError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


def _db_option(func):
    return click.option(
        "--db", type=click.Path(dir_okay=False, path_type=Path), envvar="TUMIS_DB",
        default=DEFAULT_DB, show_default=True, help="The corpus database (or TUMIS_DB).",
    )(func)


def filter_options(func):
    """The passage filters that `tumis query` and `tumis export` share (same options, same meaning)."""
    options = [
        click.option("--variable", type=click.Choice(LABELS),
                      help="The effective label: the analyst's code where present, else the model's."),
        click.option("--type", "doc_type", type=click.Choice(DOC_TYPES), help="Document type."),
        click.option("--year", help="A year or an inclusive range: 2022 or 2019..2023."),
        click.option("--region", help="Part of the region's name, e.g. Sragen."),
        click.option("--topic", type=int, help="Topic id (-1 for outliers)."),
        click.option("--min-confidence", type=click.FloatRange(0, 1),
                     help="The model's confidence at least."),
        click.option("--include-withdrawn", is_flag=True, help="Also passages of withdrawn documents."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _format_option(func):
    return click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]),
                        default="table", show_default=True, help="How to print the results.")(func)


# --- ingest ----------------------------------------------------------------------------------------

@click.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@_db_option
@click.option("--model", "model_dir", type=click.Path(file_okay=False, path_type=Path),
              envvar="TUMIS_MODEL", default=None,
              help=f"The classifier (or TUMIS_MODEL; default {DEFAULT_MODEL}). "
                   "Without one, passages are stored unlabelled.")
@click.option("--fail-threshold", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Exit with status 1 when more than this share of the inputs failed.")
@click.option("--source-name", default="files", show_default=True,
              help="The name recorded as the documents' source.")
@click.option("--ocr", type=click.Choice(["auto", "off", "force"]), default="auto", show_default=True,
              help="OCR pages without a usable text layer (tesseract).")
@click.option("--password", default=None, help="Password for encrypted PDFs.")
@click.option("--time-limit", type=float, default=120.0, show_default=True,
              help="Seconds one document may take (plus 10 s per page).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Documents parsed at once (one writer indexes them).")
@click.option("--no-isolate", is_flag=True,
              help="Parse in this process (faster for many small files; no time or memory guard).")
@click.option("--config", "config", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, help="A config file whose [fetch] settings apply to URLs.")
@click.option("--flow", "as_flow", is_flag=True,
              help="Run as the ingest_paths Prefect flow (observable in Prefect).")
@_errors
def ingest_command(paths, db, model_dir, fail_threshold, source_name, ocr, password, time_limit,
                   jobs, no_isolate, config, as_flow) -> None:
    """Extract, segment, classify and index documents into the corpus database.

    PATHS are files (PDF, HTML, TXT/MD, DOCX), folders of them, or http(s) URLs (fetched into a
    store beside the database, with the [fetch] settings of --config). A document already in
    the corpus with the same content is skipped; a changed one replaces its passages; one that
    fails is recorded in the failures table with its reason. Exit status 1 when more than
    --fail-threshold of the inputs failed.

    Example: tumis ingest corpora/sample --db data/corpus.db

    A URL, as the ingest_paths flow: tumis ingest https://jdih.example.go.id/perbup-12.pdf --flow
    """
    paths = [str(p) for p in paths]
    if as_flow:
        _ingest_flow(paths, db, model_dir, source_name, config, fail_threshold)
        return
    from .ingest import file_sources, ingest_sources  # noqa: PLC0415

    settings = ExtractSettings(ocr=ocr, password=password, time_limit=time_limit)
    classifier = _load_classifier(model_dir)
    urls = [p for p in paths if p.startswith(("http://", "https://"))]
    odd = [p for p in paths if "://" in p and p not in urls]
    if odd:
        raise click.UsageError(f"only files, folders and http(s) URLs can be ingested, not {odd[0]}")
    try:
        sources = file_sources([p for p in paths if p not in urls], source_name)
    except FileNotFoundError as exc:
        raise click.UsageError(str(exc)) from exc
    fetched = _fetch_urls(urls, db, source_name, config) if urls else []
    sources += [f for f in fetched if isinstance(f, SourceDocument)]
    if not sources and not fetched:
        raise click.UsageError("no files found to ingest")
    show = sys.stderr.isatty()
    with click.progressbar(length=len(sources), label="Ingesting", file=sys.stderr,
                           hidden=not show, item_show_func=lambda name: name) as bar:

        def progress(source: SourceDocument, outcome: str) -> None:
            bar.update(1, f"{Path(source.source).name}: {outcome}")

        summary = ingest_sources(sources, db, classifier, settings, progress=progress, jobs=jobs,
                                 isolate=not no_isolate, fail_threshold=fail_threshold)
    _count_fetches(summary, fetched, db)
    for line in summary.lines():
        click.echo(line)
    click.echo(f"corpus: {db}" + (f" (model {summary.model})" if summary.model else " (unlabelled)"))
    if summary.exit_status:
        click.echo(f"tumis: {summary.failed} of {summary.files} input(s) failed, more than "
                   f"{fail_threshold:.0%}", err=True)
        sys.exit(summary.exit_status)


def _fetch_urls(urls: list[str], db: Path, source_name: str, config: Path | None) -> list:
    """Fetch URLs into the store beside ``db``: a SourceDocument, Unchanged or Failure each."""
    from ..pipeline import failure_from  # noqa: PLC0415
    from ..runs import known_validators  # noqa: PLC0415
    from ..sources.base import Entry, FetchError  # noqa: PLC0415
    from ..sources.config import Config, load_config  # noqa: PLC0415
    from ..sources.http import HttpFetcher, fetch_entry  # noqa: PLC0415
    from .store import Store  # noqa: PLC0415

    cfg = load_config(config) if config else Config.default(db)
    store_dir = cfg.store if config else Path(db).parent / "store"
    results = []
    with Store.open(db) as store, HttpFetcher(cfg.fetch) as fetcher:
        for url in urls:
            entry = Entry(source_name, url,
                          expect="pdf" if url.split("?")[0].lower().endswith(".pdf") else None)
            known = known_validators(store, url)
            try:
                results.append(fetch_entry(entry, fetcher, store_dir, known,
                                           retries=cfg.fetch.retries, backoff=cfg.fetch.backoff))
            except FetchError as exc:
                results.append(failure_from(SourceDocument(url, source_name=source_name), exc))
    return results


def _count_fetches(summary, fetched: list, db: Path) -> None:
    """Fetches that did not reach the parser: failures recorded, unchanged documents counted."""
    from ..records import Failure  # noqa: PLC0415
    from ..sources.base import Unchanged  # noqa: PLC0415
    from .store import Store  # noqa: PLC0415

    skipped = [f for f in fetched if not isinstance(f, SourceDocument)]
    if not skipped:
        return
    with Store.open(db) as store:
        for item in skipped:
            summary.files += 1
            if isinstance(item, Failure):
                store.record_failure(item)
                summary.failed += 1
                summary.failures.append(item)
            elif isinstance(item, Unchanged):
                store.confirm_unchanged(item.entry.location)
                summary.unchanged += 1


def _ingest_flow(paths: list[str], db: Path, model_dir: Path | None, source_name: str,
                 config: Path | None, fail_threshold: float) -> None:
    """``tumis ingest --flow``: the ingest_paths Prefect flow."""
    try:
        from flows.cli import quiet_prefect  # noqa: PLC0415
    except ImportError as exc:
        raise click.UsageError(f"--flow needs the flows package and Prefect: {exc}") from exc
    quiet_prefect()
    from flows.ingest import run_ingest_paths  # noqa: PLC0415

    model = str(model_dir) if model_dir else (str(DEFAULT_MODEL) if DEFAULT_MODEL.is_dir() else None)
    counts = run_ingest_paths(paths, db=str(db), config=str(config) if config else None,
                              source_name=source_name, model=model)
    for line in counts.lines():
        click.echo(line)
    click.echo(f"corpus: {db}")
    if counts.exit_status(fail_threshold):
        click.echo(f"tumis: more than {fail_threshold:.0%} of the inputs failed", err=True)
        sys.exit(1)


def _load_classifier(model_dir: Path | None):
    """The classifier at ``model_dir``; None (with a warning) when the default one is absent."""
    explicit = model_dir is not None
    model_dir = model_dir or DEFAULT_MODEL
    if not model_dir.is_dir():
        if explicit:
            raise click.UsageError(f"no classifier at {model_dir}")
        click.echo(f"tumis: warning: no classifier at {model_dir} (train one with `tumis train`); "
                   "passages are stored unlabelled", err=True)
        return None
    try:
        from ..classify import Classifier  # noqa: PLC0415

        return Classifier.load(model_dir)
    except ImportError as exc:
        raise click.UsageError(f"the classifier cannot be loaded: {exc}") from exc
    except (OSError, ValueError, TumisError) as exc:
        raise click.UsageError(f"the classifier at {model_dir} cannot be loaded: {exc}") from exc


# --- query -----------------------------------------------------------------------------------------

def parse_years(value: str | None) -> tuple[int | None, int | None] | None:
    """``2019`` or ``2019..2023`` (both ends included; either end may be left open)."""
    if value is None:
        return None
    low, sep, high = value.partition("..")
    try:
        first = int(low) if low.strip() else None
        last = (int(high) if high.strip() else None) if sep else first
    except ValueError:
        raise ConfigError(f"--year takes a year or a range A..B, not {value!r}") from None
    if first is None and last is None:
        raise ConfigError(f"--year takes a year or a range A..B, not {value!r}")
    return first, last


@click.command("query")
@click.argument("text", required=False)
@filter_options
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@_format_option
@_db_option
@_errors
def query_command(text, variable, doc_type, year, region, topic, min_confidence, limit,
                  include_withdrawn, fmt, db) -> None:
    """Search classified passages by keyword and filters, best match first.

    TEXT finds affixed forms too (miskin finds kemiskinan); "a quoted phrase" is exact; word*
    is a prefix; AND, OR, NOT combine terms. Without TEXT, the filtered passages are listed,
    newest document first.

    Example: tumis query "rumah tidak layak huni" --variable collaborative_process --year 2019..2023
    """
    from .query import Corpus  # noqa: PLC0415

    with Corpus(db) as corpus:
        rows = corpus.search_rows(text, variable=variable, doc_type=doc_type,
                                  year=parse_years(year), region=region, topic=topic,
                                  min_confidence=min_confidence, limit=limit,
                                  include_withdrawn=include_withdrawn)
        window = corpus.ranked_within
    if window and fmt == "table":
        click.echo(f"tumis: more than {window:,} passages match; these are the best of the "
                   f"{window:,} most recently indexed (add words or filters to narrow)", err=True)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    elif fmt == "csv":
        _write_csv(rows)
    else:
        _print_results(rows)


def _print_results(rows: list[dict]) -> None:
    for n, row in enumerate(rows, 1):
        label = row["variable"] or "(unlabelled)"
        if row["confidence"] is not None and row["variable"] == row["label"]:
            label += f" {row['confidence']:.2f}"
        elif row["variable"] != row["label"]:
            label += " (analyst)"
        cite = row["citation"] or row["title"] or row["source"]
        click.echo(f"{n:>3}. {cite}  [{label}]")
        where = ", ".join(str(x) for x in (row["doc_type"], row["year"], row["region"]) if x)
        click.echo(f"     {where} | passage {row['id']}")
        click.echo(f"     {row['snippet']}")
    click.echo(f"{len(rows)} passage(s)")


def _write_csv(rows: list[dict]) -> None:
    from .query import RESULT_COLUMNS  # noqa: PLC0415

    writer = csv.DictWriter(sys.stdout, fieldnames=list(RESULT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "scores": json.dumps(row["scores"]) if row["scores"] else None})


# --- stats -----------------------------------------------------------------------------------------

@click.command("stats")
@click.option("--agreement", is_flag=True,
              help="Also Cohen's kappa and the confusion table of analysts' codes against the model's.")
@click.option("--include-withdrawn", is_flag=True, help="Also count withdrawn documents.")
@_format_option
@_db_option
@_errors
def stats_command(agreement, include_withdrawn, fmt, db) -> None:
    """Passages counted by variable x document type x year (x topic once topics are fitted).

    Example: tumis stats --agreement
    """
    from .query import Corpus  # noqa: PLC0415

    with Corpus(db) as corpus:
        frame = corpus.stats(include_withdrawn=include_withdrawn)
        totals = corpus.totals()
        agree = corpus.agreement() if agreement else None
    if fmt == "json":
        out = {"totals": totals, "counts": _records(frame)}
        if agree is not None:
            out["agreement"] = {"passages": agree.passages, "observed": _number(agree.observed),
                                "kappa": _number(agree.kappa),
                                "confusion": {h: {m: int(n) for m, n in row.items()}
                                              for h, row in agree.confusion.iterrows()}}
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
        return
    click.echo(f"{totals['documents']} document(s) ({totals['withdrawn']} withdrawn), "
               f"{totals['passages']} passage(s), {totals['labels']} analyst label(s), "
               f"{totals['failures']} failure(s)\n")
    click.echo(_table(frame.fillna("-").astype(str).values.tolist(), list(frame.columns)))
    if agree is not None:
        click.echo("")
        _print_agreement(agree)


def _print_agreement(agree) -> None:
    if not agree.passages:
        click.echo("agreement: no passage has both an analyst's code and a model label yet")
        return
    click.echo(f"agreement on {agree.passages} passage(s) coded by analysts: "
               f"Cohen's kappa {_fmt(agree.kappa)}, observed agreement {_fmt(agree.observed)}")
    confusion = agree.confusion
    rows = [[h] + [str(n) for n in row] for h, row in zip(confusion.index, confusion.values.tolist())]
    click.echo("rows: analyst's code, columns: model's label")
    click.echo(_table(rows, ["analyst \\ model"] + list(confusion.columns)))


def _records(frame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def _number(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)


def _fmt(value: float) -> str:
    return "undefined" if math.isnan(value) else f"{value:.3f}"


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


# --- label -----------------------------------------------------------------------------------------

@click.command("label")
@click.argument("passage_id")
@click.argument("label", type=click.Choice(LABELS))
@click.option("--note", help="Why: kept beside the code.")
@_db_option
@_errors
def label_command(passage_id, label, note, db) -> None:
    """Record an analyst's code for a passage.

    The code is kept beside the model's label, never overwritten by re-classification, and
    follows the passage into a new version of its document while the passage text is unchanged.
    Filters (--variable) use it in place of the model's label.

    Example: tumis label 8f57eee4d6ee27c2 institutional_design --note "Pasal creates the team"
    """
    from .store import Store  # noqa: PLC0415

    if not Path(db).exists():
        raise click.ClickException(f"no corpus database at {db}: run `tumis ingest PATH... --db {db}` first")
    with Store.open(db) as store:
        record = store.set_label(passage_id, label, note)
    model = (f"{record.model_label} {record.model_confidence:.2f}"
             if record.model_label and record.model_confidence is not None else
             record.model_label or "none")
    click.echo(f"{record.passage_id}: {record.label} (model: {model})")


COMMANDS = [ingest_command, query_command, stats_command, label_command]
