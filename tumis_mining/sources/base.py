"""The records and settings that sources, the fetcher and the flows share.

A configured source is *discovered* into a :class:`Listing` of :class:`Entry` items (one per
document: a file path or an http(s) URL, with the metadata the source gives for it). Each entry is
then *fetched* into a :class:`~tumis_mining.records.SourceDocument`, or found :class:`Unchanged`
since the corpus last read it. Network errors are :class:`FetchError`; ``transient`` ones (server
errors, timeouts, dropped connections) are worth a retry, the others are not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..errors import ConfigError, StageError

SOURCE_KINDS = ("folder", "jdihn", "listing", "feed")


@dataclass(frozen=True)
class FetchSettings:
    """How remote documents are fetched (the ``[fetch]`` table of a config file).

    timeout: seconds to connect, or between two reads; max_seconds: the longest one download may
    take in all (a server that trickles bytes cannot hold a run up).
    rate_limit: the least time, in seconds, between two requests to the same host.
    retries: how many times a transient failure is tried again, waiting ``backoff`` seconds,
    doubled each time.
    """

    allow_private_hosts: bool = False
    timeout: float = 30.0
    max_seconds: float = 600.0
    max_bytes: int = 100 * 1024 * 1024
    max_redirects: int = 5
    rate_limit: float = 1.0
    retries: int = 3
    backoff: float = 2.0
    user_agent: str = "tumis-mining/0.1 (policy document research)"

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ConfigError("fetch.timeout must be positive")
        if self.max_seconds <= 0:
            raise ConfigError("fetch.max_seconds must be positive")
        if self.max_bytes <= 0:
            raise ConfigError("fetch.max_bytes must be positive")
        if self.max_redirects < 0 or self.retries < 0:
            raise ConfigError("fetch.max_redirects and fetch.retries must not be negative")
        if self.rate_limit < 0 or self.backoff < 0:
            raise ConfigError("fetch.rate_limit and fetch.backoff must not be negative")


@dataclass(frozen=True)
class Entry:
    """One document a source lists.

    location: an absolute file path or an http(s) URL; it becomes the document's ``source``
    (its id is a hash of it). hints: what the source says of the document (jdihn fields such as
    ``jenis``, ``noPeraturan``, ``tahun_pengundangan``, ``judul``; a listing's columns; a feed
    item's title and date), merged into the document's metadata by ``segment``. expect: what the
    link promised (``"pdf"``, ``"html"``), so that a "PDF" that is an HTML page fails as such.
    """

    source_name: str
    location: str
    hints: dict = field(default_factory=dict, hash=False, compare=False)
    expect: str | None = None

    @property
    def remote(self) -> bool:
        return self.location.startswith(("http://", "https://"))


@dataclass
class Listing:
    """What discovering one source found.

    complete is False when part of the source could not be read (a listing page that failed):
    then no document of the source is marked withdrawn on the strength of this listing.
    """

    source_name: str
    entries: list[Entry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    complete: bool = True


@dataclass(frozen=True)
class Validators:
    """What the corpus knows of a document's last fetch, for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class Response:
    """One finished HTTP exchange. ``status`` is 200, or 304 when the validators still hold
    (then ``content`` is empty)."""

    url: str  # the final URL, after redirects
    status: int
    content: bytes = b""
    media_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    filename: str | None = None  # from Content-Disposition: informative only, never a path

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class Unchanged:
    """An entry whose document the corpus already holds as it is now."""

    entry: Entry
    reason: str  # "not_modified" (the server said 304) or "same_sha256"


class FetchError(StageError):
    """A document or listing page could not be fetched.

    error: the short kind for ``failures.error`` (``http_404``, ``http_500``, ``timeout``,
    ``connection``, ``too_large``, ``truncated``, ``redirect_loop``, ``bad_scheme``,
    ``private_host``, ``not_pdf``, ...). transient: worth another try.
    """

    stage = "fetch"

    def __init__(self, message: str, *, error: str, transient: bool = False,
                 url: str | None = None) -> None:
        super().__init__(message, error=error)
        self.transient = transient
        self.url = url

    def __reduce__(self):  # picklable for process and Dask workers
        return (_fetch_error, (str(self), self.error, self.transient, self.url))


def _fetch_error(message: str, error: str, transient: bool, url: str | None) -> FetchError:
    return FetchError(message, error=error, transient=transient, url=url)


class Fetcher(Protocol):
    """What discovery and fetching need of an HTTP client (see ``sources.http.HttpFetcher``)."""

    def get(self, url: str, *, validators: Validators | None = None,
            expect: str | None = None) -> Response: ...


def store_path(store: Path, source_name: str, location: str, suffix: str) -> Path:
    """Where a fetched document is kept: inside ``store`` whatever the URL or headers said.

    The name is a hash of the location; the folder a slug of the source name; the suffix one of
    a fixed few. Nothing a server sends can choose the path.
    """
    from ..records import stable_id  # noqa: PLC0415

    slug = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in source_name)[:60] or "source"
    suffix = suffix if suffix in (".pdf", ".html", ".txt", ".md", ".docx", ".bin") else ".bin"
    path = (store / slug.strip("-.") / f"{stable_id(location, length=24)}{suffix}").resolve()
    if not path.is_relative_to(store.resolve()):
        raise ConfigError(f"refusing to write outside the store: {path}")
    return path
