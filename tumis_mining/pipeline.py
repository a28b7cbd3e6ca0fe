"""Extract + segment one document, or a batch of them, each isolated from the others.

``parse`` runs the stages in this process. ``parse_isolated`` runs them in a child process with a
time limit (``time_limit + time_per_page * pages``) and a memory guard, so that one hostile file
cannot stop a batch: whatever goes wrong comes back as a :class:`Failure` with its reason.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import resource
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .errors import StageError
from .extract import extract
from .records import Failure, ParsedDocument, SourceDocument
from .settings import ExtractSettings

Result = ParsedDocument | Failure

# Files in a corpus folder that describe documents rather than being documents.
SIDECAR_SUFFIXES = (".json", ".toml", ".yaml", ".yml")


def parse(source: SourceDocument, settings: ExtractSettings | None = None) -> ParsedDocument:
    """Extract and segment one document in this process (errors raise)."""
    from .segment import segment  # noqa: PLC0415 - keeps `import tumis_mining.pipeline` light

    settings = settings or ExtractSettings()
    extracted = extract(source, settings)
    parsed = segment(extracted, source)
    parsed.warnings[:0] = [w for w in extracted.warnings if w not in parsed.warnings]
    return parsed


def parse_file(path: str | Path, settings: ExtractSettings | None = None) -> ParsedDocument:
    """Extract and segment one file on disk in this process (errors raise)."""
    path = Path(path)
    return parse(SourceDocument(source=str(path), path=path), settings)


def failure_from(source: SourceDocument, exc: BaseException, sha256: str | None = None) -> Failure:
    """The ``failures`` row for an exception raised while processing ``source``."""
    if isinstance(exc, StageError):
        stage, error, message = exc.stage, exc.error, str(exc)
    elif isinstance(exc, MemoryError):
        stage, error, message = "extract", "too_large", "the document needs more memory than allowed"
    elif isinstance(exc, RecursionError):
        stage, error, message = "extract", "corrupt", "the document nests objects too deeply to read"
    else:
        stage, error = "extract", "internal"
        message = f"unexpected {type(exc).__name__}: {exc}"
    return Failure(source.source, source.source_name, sha256, stage, error, message)


def _sha256(source: SourceDocument) -> str | None:
    try:
        return hashlib.sha256(source.read_bytes()).hexdigest()
    except OSError:
        return None


# --- isolation --------------------------------------------------------------------------------

def _page_count(source: SourceDocument) -> int:
    """A quick page count for the time limit (0 when it cannot be known cheaply)."""
    try:
        data = source.read_bytes()
        if b"%PDF-" not in data[:1024]:
            return 0
        import pypdfium2 as pdfium  # noqa: PLC0415

        doc = pdfium.PdfDocument(data)
        try:
            return len(doc)
        finally:
            doc.close()
    except Exception:  # the real extraction reports what is wrong with the file
        return 0


def _child(conn, source: SourceDocument, settings: ExtractSettings) -> None:
    """Runs in the child process: guard memory, report the page count, then the result."""
    try:
        limit = settings.memory_limit_mb * 1024 * 1024
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        used = _virtual_memory()
        target = used + limit
        if hard == resource.RLIM_INFINITY or target < hard:
            resource.setrlimit(resource.RLIMIT_AS, (target, hard))
    except (ValueError, OSError):
        pass
    conn.send(("pages", _page_count(source)))
    try:
        conn.send(("ok", parse(source, settings)))
    except BaseException as exc:  # noqa: BLE001 - every error becomes a failures row
        conn.send(("fail", failure_from(source, exc, _sha256(source))))
    finally:
        conn.close()


def _virtual_memory() -> int:
    with open(f"/proc/{os.getpid()}/statm") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def parse_isolated(source: SourceDocument, settings: ExtractSettings | None = None) -> Result:
    """Parse one document in a child process; a timeout, crash or memory blow-up is a Failure."""
    settings = settings or ExtractSettings()
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(child, source, settings), daemon=True)
    process.start()
    child.close()
    deadline = time.monotonic() + settings.time_limit
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not parent.poll(remaining):
                return _timed_out(source, settings)
            try:
                kind, payload = parent.recv()
            except EOFError:
                process.join(5)
                return _crashed(source, process.exitcode)
            if kind == "pages":
                deadline = time.monotonic() + settings.time_limit_for(payload)
                continue
            return payload
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        parent.close()


def _timed_out(source: SourceDocument, settings: ExtractSettings) -> Failure:
    return Failure(
        source.source, source.source_name, _sha256(source), "extract", "timeout",
        "timeout: the document took longer than its time limit "
        f"({settings.time_limit:.0f} s plus {settings.time_per_page:.0f} s per page)",
    )


def _crashed(source: SourceDocument, exitcode: int | None) -> Failure:
    if exitcode is not None and exitcode < 0:
        how = f"killed by signal {-exitcode}"
    else:
        how = f"exit status {exitcode}"
    return Failure(
        source.source, source.source_name, _sha256(source), "extract", "crashed",
        f"crashed: reading the document stopped the worker ({how}); it may be damaged or too large",
    )


# --- batches ----------------------------------------------------------------------------------

def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files to process: the given files, and supported files found under given folders.

    Folders are walked in sorted order. Hidden files and sidecar metadata (``*.json``, ``*.toml``,
    ``*.yaml``) are skipped; every other file is taken, so that a file of an unsupported type
    ends as a failure with its reason instead of vanishing. A path that does not exist raises
    FileNotFoundError.
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                if found.is_file() and not any(part.startswith(".") for part in found.parts[-1:]) and (
                    found.suffix.lower() not in SIDECAR_SUFFIXES
                ):
                    files.append(found)
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return files


def parse_many(
    sources: Iterable[SourceDocument],
    settings: ExtractSettings | None = None,
    *,
    jobs: int = 1,
    isolate: bool = True,
    on_result: Callable[[SourceDocument, Result], None] | None = None,
) -> Iterator[tuple[SourceDocument, Result]]:
    """Parse documents, yielding ``(source, ParsedDocument | Failure)`` in input order."""
    settings = settings or ExtractSettings()

    def run(source: SourceDocument) -> Result:
        if isolate:
            return parse_isolated(source, settings)
        try:
            return parse(source, settings)
        except Exception as exc:  # noqa: BLE001 - recorded as a failures row by the caller
            return failure_from(source, exc, _sha256(source))

    sources = list(sources)
    if isolate and len(sources) > 1:
        # Workers are forked from this process: build the sentence splitter once, here, so that
        # each worker inherits it instead of building its own.
        from .segment.news import sentence_pipeline  # noqa: PLC0415

        sentence_pipeline()
    if jobs <= 1:
        results = map(run, sources)
        for source, result in zip(sources, results):
            if on_result:
                on_result(source, result)
            yield source, result
        return
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for source, result in zip(sources, pool.map(run, sources)):
            if on_result:
                on_result(source, result)
            yield source, result
