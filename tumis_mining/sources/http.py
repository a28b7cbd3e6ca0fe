"""Fetching remote documents safely: :class:`HttpFetcher`, :func:`retrying` and :func:`fetch_entry`.

Every hop of a redirect chain is checked before it is requested: http(s) only, and a host that
resolves to a private, loopback, link-local, reserved or multicast address is refused unless
``allow_private_hosts`` is set. Bodies are streamed under a size cap; a body shorter than its
``Content-Length`` is a (transient) ``truncated`` failure. Requests to one host start at least
``rate_limit`` seconds apart, whatever the number of threads sharing the fetcher. What a response
*is* is judged by its bytes: a promised PDF that turns out to be an HTML page or a ZIP archive
fails as ``not_pdf``, whatever its ``Content-Type`` said.

Nothing a server sends chooses a path on disk: :func:`fetch_entry` writes under
:func:`~tumis_mining.sources.base.store_path`, a hash of the entry's location.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from email.message import Message
from pathlib import Path, PurePosixPath
from typing import Self, TypeVar
from urllib.parse import urlsplit

import httpx

from ..errors import ConfigError
from ..extract import sniff
from ..records import SourceDocument
from .base import (
    Entry,
    Fetcher,
    FetchError,
    FetchSettings,
    Response,
    Unchanged,
    Validators,
    store_path,
)

T = TypeVar("T")

REDIRECT_STATUSES = (301, 302, 303, 307, 308)
TOO_MANY_REQUESTS = 429  # a client error worth another try, unlike the other 4xx
ALLOWED_SCHEMES = ("http", "https")

# The suffix a fetched document is stored under, from what its bytes are.
KIND_SUFFIXES = {"pdf": ".pdf", "html": ".html", "text": ".txt", "docx": ".docx"}

# How a body that is not the promised PDF is named in the failure message.
KIND_DESCRIPTIONS = {
    "html": "an HTML page",
    "zip": "a ZIP archive",
    "docx": "a Word document",
    "text": "plain text",
    "image": "an image",
    "postscript": "a PostScript file",
    "empty": "an empty body",
    "binary": "unknown binary data",
}

_CHUNK = 64 * 1024


class HttpFetcher:
    """An HTTP client for documents and listing pages (the ``Fetcher`` of ``sources.base``).

    One ``httpx.Client`` per fetcher; several threads may share one fetcher. Use it as a context
    manager, or call :meth:`close`.
    """

    def __init__(self, settings: FetchSettings | None = None) -> None:
        self.settings = settings or FetchSettings()
        self._client = httpx.Client(
            timeout=httpx.Timeout(self.settings.timeout),
            follow_redirects=False,
            headers={"User-Agent": self.settings.user_agent},
            trust_env=False,  # no proxy from the environment: the host checks must hold
            # httpx parses a redirect's Location even when it does not follow it: check the
            # scheme first, so that a redirect to javascript: or file: fails as bad_scheme.
            event_hooks={"response": [_check_redirect_scheme]},
        )
        self._guard = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        self._last_start: dict[str, float] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, *, validators: Validators | None = None,
            expect: str | None = None) -> Response:
        """GET ``url``, following up to ``max_redirects`` redirects, each hop checked.

        With ``validators`` the request is conditional (``If-None-Match``,
        ``If-Modified-Since``) and a 304 comes back as ``Response(status=304)``. With
        ``expect="pdf"`` a body that is not a PDF raises ``FetchError(error="not_pdf")``.
        """
        headers = _conditional_headers(validators)
        seen: set[str] = set()
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            target = self._check_url(current)
            seen.add(str(target))
            location = self._request(target, headers, validators, expect)
            if isinstance(location, Response):
                return location
            if location in seen:
                raise FetchError(f"{url}: redirect loop (back to {location})",
                                 error="redirect_loop", url=url)
            current = location
        raise FetchError(f"{url}: more than {self.settings.max_redirects} redirects",
                         error="redirect_loop", url=url)

    # -- one hop -------------------------------------------------------------------------------

    def _check_url(self, url: str) -> httpx.URL:
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise FetchError(f"{url}: not a valid URL ({exc})", error="bad_url", url=url) from exc
        if target.scheme not in ALLOWED_SCHEMES:
            raise FetchError(f"{url}: only http and https URLs are fetched, not "
                             f"{target.scheme or 'a relative URL'}", error="bad_scheme", url=url)
        if not target.host:
            raise FetchError(f"{url}: no host in the URL", error="bad_url", url=url)
        if not self.settings.allow_private_hosts:
            _refuse_private_host(target, url)
        return target

    def _request(self, target: httpx.URL, headers: dict[str, str],
                 validators: Validators | None, expect: str | None) -> Response | str:
        """One request: a finished :class:`Response`, or the next URL when redirected."""
        url = str(target)
        self._wait_turn(target.host)
        try:
            with self._client.stream("GET", target, headers=headers) as reply:
                status = reply.status_code
                if status in REDIRECT_STATUSES:
                    location = reply.headers.get("location")
                    if not location:
                        raise FetchError(f"{url}: HTTP {status} without a Location",
                                         error=f"http_{status}", url=url)
                    return str(target.join(location.strip()))
                if status == 304:
                    return _not_modified(url, reply, validators)
                if status >= 300:
                    transient = status >= 500 or status == TOO_MANY_REQUESTS
                    raise FetchError(f"{url}: HTTP {status} {reply.reason_phrase}".rstrip(),
                                     error=f"http_{status}", transient=transient, url=url)
                content = self._read_body(url, reply)
                return _finished(url, reply, content, expect)
        except httpx.InvalidURL as exc:  # a Location httpx cannot parse
            raise FetchError(f"{url}: redirected to an invalid URL ({exc})", error="bad_url",
                             url=url) from exc
        except httpx.TimeoutException as exc:
            raise FetchError(f"{url}: timed out after {self.settings.timeout:g} s "
                             f"({type(exc).__name__})", error="timeout", transient=True,
                             url=url) from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{url}: connection failed ({type(exc).__name__}: {exc})",
                             error="connection", transient=True, url=url) from exc

    def _read_body(self, url: str, reply: httpx.Response) -> bytes:
        cap = self.settings.max_bytes
        declared = _content_length(reply)
        if declared is not None and declared > cap:
            raise FetchError(f"{url}: too large: {declared} bytes declared (the limit is {cap})",
                             error="too_large", url=url)
        chunks, size = [], 0
        deadline = time.monotonic() + self.settings.max_seconds
        try:
            for chunk in reply.iter_bytes(_CHUNK):
                size += len(chunk)
                if size > cap:
                    raise FetchError(f"{url}: too large: more than {cap} bytes",
                                     error="too_large", url=url)
                if time.monotonic() > deadline:
                    raise FetchError(
                        f"{url}: the download took longer than {self.settings.max_seconds:g} s "
                        f"({size} bytes so far)", error="timeout", transient=True, url=url)
                chunks.append(chunk)
        except httpx.TimeoutException as exc:
            raise FetchError(f"{url}: timed out reading the body after {size} bytes",
                             error="timeout", transient=True, url=url) from exc
        except httpx.DecodingError as exc:
            raise FetchError(f"{url}: the body could not be decoded ({exc})",
                             error="decoding", url=url) from exc
        except httpx.TransportError as exc:
            raise FetchError(f"{url}: the body broke off after {size} bytes ({exc})",
                             error="truncated", transient=True, url=url) from exc
        if declared is not None and reply.num_bytes_downloaded < declared:
            raise FetchError(f"{url}: truncated: {reply.num_bytes_downloaded} of {declared} "
                             "bytes received", error="truncated", transient=True, url=url)
        return b"".join(chunks)

    def _wait_turn(self, host: str) -> None:
        """Block until ``rate_limit`` seconds have passed since the last request to ``host``."""
        if self.settings.rate_limit <= 0:
            return
        with self._guard:
            lock = self._host_locks.setdefault(host, threading.Lock())
        with lock:
            last = self._last_start.get(host)
            if last is not None:
                wait = last + self.settings.rate_limit - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            self._last_start[host] = time.monotonic()


# -- checks and parsing -------------------------------------------------------------------------


def is_public_address(address: str) -> bool:
    """Whether an IP address is globally routable (not private, loopback, link-local, reserved,
    multicast or unspecified); an IPv4-mapped IPv6 address is judged as its IPv4 address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local)


def _resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (an IP literal resolves to itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


def _refuse_private_host(target: httpx.URL, url: str) -> None:
    host = target.host
    port = target.port or (443 if target.scheme == "https" else 80)
    try:
        addresses = _resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"{url}: cannot resolve {host} ({exc})", error="connection",
                         transient=True, url=url) from exc
    private = [a for a in addresses if not is_public_address(a)]
    if private or not addresses:
        raise FetchError(f"{url}: refusing a private or local address ({', '.join(private)}); "
                         "set fetch.allow_private_hosts to allow it", error="private_host", url=url)


def _check_redirect_scheme(reply: httpx.Response) -> None:
    location = reply.headers.get("location") if reply.status_code in REDIRECT_STATUSES else None
    if location:
        url = str(reply.request.url)
        try:
            scheme = urlsplit(location.strip()).scheme.lower()  # none: relative, same scheme
        except ValueError as exc:
            raise FetchError(f"{url}: redirected to an invalid URL ({exc})", error="bad_url",
                             url=url) from exc
        if scheme and scheme not in ALLOWED_SCHEMES:
            raise FetchError(f"{url}: redirected to a {scheme} URL; only http and https URLs are "
                             "fetched", error="bad_scheme", url=url)


def _conditional_headers(validators: Validators | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if validators is not None:
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
    return headers


def _content_length(reply: httpx.Response) -> int | None:
    value = reply.headers.get("content-length")
    try:
        length = int(value) if value is not None else None
    except ValueError:
        return None
    return length if length is not None and length >= 0 else None


def _media_type(reply: httpx.Response) -> str | None:
    value = reply.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return value or None


def safe_filename(content_disposition: str | None) -> str | None:
    """The bare file name a ``Content-Disposition`` header gives, with any folder, leading dots
    and control characters removed (informative only: it never names a stored file)."""
    if not content_disposition:
        return None
    message = Message()
    message["content-disposition"] = content_disposition
    try:
        name = message.get_filename()
    except (ValueError, LookupError):
        return None
    if not name:
        return None
    name = PurePosixPath(name.replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".").strip()
    return name[:255] or None


def _not_modified(url: str, reply: httpx.Response, validators: Validators | None) -> Response:
    known = validators or Validators()
    return Response(
        url=url,
        status=304,
        media_type=_media_type(reply),
        etag=reply.headers.get("etag") or known.etag,
        last_modified=reply.headers.get("last-modified") or known.last_modified,
    )


def _finished(url: str, reply: httpx.Response, content: bytes, expect: str | None) -> Response:
    if expect == "pdf":
        kind = sniff(content)
        if kind != "pdf":
            what = KIND_DESCRIPTIONS.get(kind, kind)
            raise FetchError(f"{url}: the server sent {what}, not a PDF", error="not_pdf", url=url)
    return Response(
        url=url,
        status=reply.status_code,
        content=content,
        media_type=_media_type(reply),
        etag=reply.headers.get("etag"),
        last_modified=reply.headers.get("last-modified"),
        filename=safe_filename(reply.headers.get("content-disposition")),
    )


# -- retries and fetching one entry -------------------------------------------------------------


def retrying(call: Callable[[], T], retries: int, backoff: float,
             sleep: Callable[[float], object] = time.sleep) -> T:
    """Call ``call``; on a transient :class:`FetchError` try again up to ``retries`` times,
    waiting ``backoff``, ``2 * backoff``, ... seconds. The last error is raised as it is."""
    attempt = 0
    while True:
        try:
            return call()
        except FetchError as exc:
            if not exc.transient or attempt >= retries:
                raise
            sleep(backoff * 2**attempt)
            attempt += 1


def fetch_entry(entry: Entry, fetcher: Fetcher | None, store: Path, known: Validators | None, *,
                retries: int = 0, backoff: float = 0.0) -> SourceDocument | Unchanged:
    """Turn one listed entry into a :class:`SourceDocument`, or :class:`Unchanged` when the
    corpus already holds it as it is (``known`` is what the corpus recorded of its last fetch).

    A file entry is handed over by path. A URL is fetched (conditionally, with ``known``'s
    validators) and its bytes written under ``store`` (a temporary file renamed into place, so an
    interrupted run leaves no half file).
    """
    if not entry.remote:
        path = Path(entry.location)
        if known is not None and known.sha256 and _file_sha256(path, entry) == known.sha256:
            return Unchanged(entry, "same_sha256")
        return SourceDocument(source=entry.location, path=path, source_name=entry.source_name,
                              hints=dict(entry.hints))
    if fetcher is None:
        raise ConfigError(f"{entry.location}: a URL entry needs a fetcher")
    response = retrying(lambda: fetcher.get(entry.location, validators=known, expect=entry.expect),
                        retries, backoff)
    if response.not_modified:
        return Unchanged(entry, "not_modified")
    sha256 = hashlib.sha256(response.content).hexdigest()
    if known is not None and known.sha256 == sha256:
        return Unchanged(entry, "same_sha256")
    suffix = KIND_SUFFIXES.get(sniff(response.content), ".bin")
    path = store_path(Path(store), entry.source_name, entry.location, suffix)
    _write_atomically(path, response.content)
    return SourceDocument(
        source=entry.location,
        path=path,
        content=None,
        source_name=entry.source_name,
        url=entry.location,
        media_type=response.media_type,
        hints=dict(entry.hints),
        etag=response.etag,
        last_modified=response.last_modified,
    )


def _file_sha256(path: Path, entry: Entry) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise FetchError(f"{entry.location}: cannot read the file ({exc.strerror or exc})",
                         error="unreadable", url=None) from exc
    return digest.hexdigest()


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
