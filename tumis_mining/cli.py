"""The ``tumis`` command: thin wrappers over the library.

Exit status: 0 done; 1 an input failed (``extract``); 2 usage or configuration error. Errors reach
the user as one line on stderr, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from . import __version__
from .errors import ConfigError, TumisError
from .records import Failure, ParsedDocument, SourceDocument
from .settings import ExtractSettings


class UsageFailure(click.UsageError):
    """A usage or configuration error: exit status 2, one line."""


def _extract_options(func):
    """Options shared by every command that extracts documents."""
    options = [
        click.option("--ocr", type=click.Choice(["auto", "off", "force"]), default="auto",
                     show_default=True, help="OCR pages without a usable text layer (tesseract)."),
        click.option("--ocr-lang", default="ind", show_default=True,
                     help="Tesseract language(s), e.g. ind or ind+eng."),
        click.option("--fast-path", type=click.Choice(["auto", "always", "never"]), default="auto",
                     show_default=True,
                     help="pypdfium2 where a sampled check agrees with pdfplumber (auto), always, or never."),
        click.option("--time-limit", type=float, default=120.0, show_default=True,
                     help="Seconds one document may take, plus --time-per-page for each page."),
        click.option("--time-per-page", type=float, default=10.0, show_default=True),
        click.option("--memory-limit", "memory_limit_mb", type=int, default=2048, show_default=True,
                     help="Megabytes one document may use before it is given up."),
        click.option("--password", default=None, help="Password for encrypted PDFs."),
        click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
                     help="Documents processed at once."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _settings(**kwargs) -> ExtractSettings:
    try:
        return ExtractSettings(**kwargs)
    except ConfigError as exc:
        raise UsageFailure(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tumis")
def cli() -> None:
    """tumis-mining: mine Indonesian policy documents for collaborative governance.

    Example: tumis extract corpora/sample --json
    """


@cli.command("extract")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON line per input (DESIGN.md contract).")
@click.option("--no-isolate", is_flag=True,
              help="Run in this process (faster for many small files; no time or memory guard).")
@_extract_options
def extract_command(paths, as_json, no_isolate, jobs, **options) -> None:
    """Parse documents: metadata and passages along their structure, no database.

    PATHS are files (PDF, HTML, TXT/MD, DOCX, page images) or folders of them.

    Example: tumis extract corpora/sample/perbup-sragen-12-2022.pdf --json
    """
    from .pipeline import collect_files, parse_many  # noqa: PLC0415

    settings = _settings(**options)
    try:
        files = collect_files(paths)
    except FileNotFoundError as exc:
        raise UsageFailure(str(exc)) from exc
    if not files:
        raise UsageFailure("no supported files found (PDF, HTML, TXT, MD, DOCX, PNG, JPEG, TIFF)")
    sources = [SourceDocument(source=str(path), path=path) for path in files]
    failed = 0
    totals: Counter[str] = Counter()
    show_progress = not as_json and sys.stderr.isatty() and len(files) > 1
    with click.progressbar(length=len(files), label="Extracting", file=sys.stderr,
                           hidden=not show_progress) as bar:
        for source, result in parse_many(sources, settings, jobs=jobs, isolate=not no_isolate):
            bar.update(1)
            if isinstance(result, Failure):
                failed += 1
            if as_json:
                click.echo(json.dumps(_json_line(source, result), ensure_ascii=False))
            else:
                click.echo(_summary_line(source, result))
                _count(totals, result)
    if not as_json:
        click.echo(_totals_line(len(files), failed, totals))
    if failed:
        sys.exit(1)


def _json_line(source: SourceDocument, result: ParsedDocument | Failure) -> dict:
    if isinstance(result, Failure):
        return {"source": source.source,
                "failure": {"stage": result.stage, "error": result.error, "message": result.message}}
    return {
        "document": result.document.as_row(),
        "passages": [p.as_row() for p in result.passages],
        "pages": [p.as_row() for p in result.pages],
        "warnings": result.warnings,
    }


def _summary_line(source: SourceDocument, result: ParsedDocument | Failure) -> str:
    name = Path(source.source).name
    if isinstance(result, Failure):
        return f"FAILED  {name}: {result.message} [{result.stage}/{result.error}]"
    doc = result.document
    ident = doc.doc_type
    if doc.number and doc.year and str(doc.number).endswith(str(doc.year)):
        ident += f" {doc.number}"  # decree numbers carry their year: 400.9/123/2023
    elif doc.number or doc.year:
        ident += f" {doc.number or '?'}/{doc.year or '?'}"
    title = (doc.title or "").strip()
    if len(title) > 70:
        title = title[:67] + "..."
    ocr = sum(1 for p in result.pages if p.ocr)
    extras = f", {ocr} OCR" if ocr else ""
    warn = f", {len(result.warnings)} warning(s)" if result.warnings else ""
    return (f"ok      {name}: {ident} \"{title}\" - {doc.pages} page(s){extras}, "
            f"{len(result.passages)} passages{warn}")


def _count(totals: Counter, result: ParsedDocument | Failure) -> None:
    if isinstance(result, Failure):
        return
    totals["documents"] += 1
    totals["passages"] += len(result.passages)
    totals["pages"] += result.document.pages
    totals["ocr pages"] += sum(1 for p in result.pages if p.ocr)
    for passage in result.passages:
        totals[f"section:{passage.section}"] += 1


def _totals_line(files: int, failed: int, totals: Counter) -> str:
    sections = ", ".join(
        f"{key.split(':', 1)[1]} {n}" for key, n in sorted(totals.items()) if key.startswith("section:")
    )
    return (f"\n{files} file(s): {totals['documents']} document(s), {failed} failed; "
            f"{totals['pages']} pages ({totals['ocr pages']} OCR), {totals['passages']} passages"
            + (f" ({sections})" if sections else ""))


def _register() -> None:
    """Commands that live beside their stage (each a thin wrapper over it)."""
    from .classify.cli import classify_command, train_command  # noqa: PLC0415
    from .export.cli import COMMANDS as EXPORT_COMMANDS  # noqa: PLC0415
    from .index.cli import COMMANDS as INDEX_COMMANDS  # noqa: PLC0415
    from .serve.cli import COMMANDS as SERVE_COMMANDS  # noqa: PLC0415
    from .topics.cli import COMMANDS as TOPIC_COMMANDS  # noqa: PLC0415

    cli.add_command(classify_command)
    cli.add_command(train_command)
    for command in INDEX_COMMANDS + EXPORT_COMMANDS + SERVE_COMMANDS + TOPIC_COMMANDS:
        cli.add_command(command)
    try:  # the Prefect flows (flows/, installed beside the library)
        from flows.cli import COMMANDS as FLOW_COMMANDS  # noqa: PLC0415
    except ImportError:
        return
    for command in FLOW_COMMANDS:
        cli.add_command(command)


_register()


def main(argv: list[str] | None = None) -> None:
    """Console entry point: errors become one line on stderr."""
    try:
        cli.main(args=argv, prog_name="tumis", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("tumis: aborted", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        click.echo(f"tumis: {exc.format_message()}", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        click.echo(f"tumis: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except ConfigError as exc:
        click.echo(f"tumis: {exc}", err=True)
        sys.exit(2)
    except TumisError as exc:
        click.echo(f"tumis: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("tumis: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":
    main()
