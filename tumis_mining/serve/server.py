"""Run Datasette over the corpus: read-only, on the loopback interface, stopped cleanly.

:func:`serve` checks that the file is a corpus, writes the metadata and style sheet to a temporary
folder, starts ``python -m datasette`` as a child process with the corpus in immutable mode (``-i``:
opened read-only, never locked, never written), waits until it answers, and stops it when the user
presses Ctrl-C (or this process is sent SIGTERM): terminate, then kill after a grace period.

Immutable mode reads the database file alone and ignores a write-ahead log, so a corpus whose log
still holds pages is checkpointed first (the content is unchanged; a corpus being written at that
moment is refused with a clear message). For the same reason a corpus of an older schema version
is migrated before it is served, as any other command that opens it would.
"""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, TumisError
from ..index.schema import SCHEMA_VERSION
from ..index.store import StoreError, connect
from .metadata import build_metadata, style_sheet

# Datasette settings (`--setting NAME VALUE`) that suit a corpus of up to a million passages.
DATASETTE_SETTINGS = {
    "default_page_size": "50",
    "max_returned_rows": "1000",
    "sql_time_limit_ms": "5000",
    "facet_time_limit_ms": "1000",
    "suggest_facets": "off",
}

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class ServeError(TumisError):
    """The corpus cannot be served, or the server did not start."""

    error = "serve"


@dataclass(frozen=True)
class ServeSettings:
    """Where to listen and how long to wait. ``port=0`` takes a free port."""

    host: str = "127.0.0.1"
    port: int = 8001
    start_timeout: float = 60.0
    stop_timeout: float = 10.0

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"--port must be between 0 and 65535, not {self.port}")
        if not self.host.strip():
            raise ConfigError("--host must name an interface, e.g. 127.0.0.1")
        if self.start_timeout <= 0 or self.stop_timeout <= 0:
            raise ConfigError("timeouts must be positive")

    @property
    def loopback(self) -> bool:
        return self.host in LOOPBACK_HOSTS or self.host.startswith("127.")


def database_name(db: Path) -> str:
    """The name Datasette gives the database: its file name without the suffix."""
    return Path(db).stem


def reports_dir(db: Path) -> Path | None:
    """The folder of the topics report, when there is one.

    The report that `tumis topics` recorded for the current topic model comes first (it writes
    ``reports/topics.html`` under the folder it ran in); then ``reports/`` beside the database.
    """
    try:
        conn = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT report FROM topic_models WHERE current = 1").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        row = None
    if row and row[0] and Path(row[0]).is_file():
        return Path(row[0]).parent
    folder = Path(db).resolve().parent / "reports"
    return folder if folder.is_dir() else None


def check_corpus(db: Path) -> None:
    """Raise :class:`ServeError` unless ``db`` is a corpus this code reads, with no pending log."""
    db = Path(db)
    if not db.is_file():
        raise ServeError(f"no corpus database at {db}: run `tumis ingest PATH... --db {db}` first")
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ServeError(f"{db} is not an SQLite database: {exc}") from exc
    if version == 0:
        raise ServeError(f"{db} is not a tumis-mining corpus")
    if version > SCHEMA_VERSION:
        raise ServeError(f"{db} has schema version {version}, newer than this tumis-mining "
                         f"understands ({SCHEMA_VERSION}); upgrade tumis-mining")
    if version < SCHEMA_VERSION:  # the metadata names columns of the current schema
        try:
            connect(db, create=False).close()
        except StoreError as exc:
            raise ServeError(str(exc)) from exc
    _checkpoint(db)


def _checkpoint(db: Path) -> None:
    wal = db.with_name(db.name + "-wal")
    if not wal.is_file() or wal.stat().st_size == 0:
        return
    conn = sqlite3.connect(db, timeout=5)
    try:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.OperationalError as exc:
        raise ServeError(f"{db} is being written (an ingest running?); serve it when that has "
                         f"finished ({exc})") from exc
    finally:
        conn.close()
    if busy:
        raise ServeError(f"{db} is being written (an ingest running?); serve it when that has finished")


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on at the moment (the OS's pick)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def check_port(host: str, port: int) -> None:
    """Raise :class:`ServeError` when something already listens on ``host:port``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise ServeError(f"cannot listen on {host}:{port} ({exc.strerror}); "
                             "choose another --port") from exc


def write_config(db: Path, folder: Path) -> Path:
    """Write ``metadata.json`` and the style sheet into ``folder``; returns the metadata file."""
    static = folder / "static"
    static.mkdir(parents=True, exist_ok=True)
    (static / "tumis.css").write_text(style_sheet(), encoding="utf-8")
    reports = reports_dir(db)
    report_url = None
    if reports is not None:
        report = next(iter(sorted(reports.glob("topics*.html"))), None)
        report_url = f"/reports/{report.name}" if report else "/reports/"
    metadata = build_metadata(database_name(db), reports_url=report_url,
                              css_url="/tumis-static/tumis.css")
    path = folder / "metadata.json"
    path.write_text(json.dumps(metadata, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def datasette_command(db: Path, folder: Path, settings: ServeSettings) -> list[str]:
    """The command line that serves ``db`` with the configuration written to ``folder``."""
    command = [
        sys.executable, "-m", "datasette", "serve",
        "-i", str(Path(db).resolve()),
        "--metadata", str(folder / "metadata.json"),
        "--host", settings.host, "--port", str(settings.port),
        "--static", f"tumis-static:{folder / 'static'}",
    ]
    reports = reports_dir(db)
    if reports is not None:
        command += ["--static", f"reports:{reports}"]
    for name, value in DATASETTE_SETTINGS.items():
        command += ["--setting", name, value]
    return command


def url_of(settings: ServeSettings) -> str:
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    return f"http://{host}:{settings.port}/"


def wait_until_answering(url: str, process: subprocess.Popen, timeout: float) -> None:
    """Poll ``url`` until it answers; raise when the process ends or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServeError(f"Datasette stopped on start (exit status {process.returncode})")
        try:
            with urllib.request.urlopen(url + "-/versions.json", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise ServeError(f"Datasette did not answer at {url} within {timeout:.0f} s")


def stop(process: subprocess.Popen, timeout: float = 10.0) -> int:
    """Terminate the process, kill it if it is still there after ``timeout``; its exit status."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)
    return process.returncode


def serve(db: Path, settings: ServeSettings | None = None, *,
          on_ready: Callable[[str], None] | None = None) -> int:
    """Serve ``db`` until Ctrl-C or SIGTERM; returns 0 after a clean stop, else Datasette's status.

    ``on_ready`` is called with the address once the server answers.
    """
    settings = settings or ServeSettings()
    db = Path(db)
    check_corpus(db)
    if settings.port == 0:
        settings = ServeSettings(settings.host, free_port(settings.host), settings.start_timeout,
                                 settings.stop_timeout)
    else:
        check_port(settings.host, settings.port)
    with tempfile.TemporaryDirectory(prefix="tumis-serve-") as tmp:
        folder = Path(tmp)
        write_config(db, folder)
        process = subprocess.Popen(datasette_command(db, folder, settings))
        previous = _sigterm_as_interrupt()
        try:
            url = url_of(settings)
            wait_until_answering(url, process, settings.start_timeout)
            if on_ready is not None:
                on_ready(url)
            return process.wait()
        except KeyboardInterrupt:
            stop(process, settings.stop_timeout)
            return 0
        finally:
            stop(process, settings.stop_timeout)
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


def _sigterm_as_interrupt():
    """While serving, SIGTERM stops the server as Ctrl-C does (main thread only)."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        return None
