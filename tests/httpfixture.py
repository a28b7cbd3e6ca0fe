"""A local HTTP server for tests that fetch: routes with canned replies, and the faults of the web.

Usage (the ``http_server`` fixture starts a server on 127.0.0.1, port 0, and always stops it;
make it available with ``pytest_plugins = ["httpfixture"]`` in the root conftest, or use
``with FixtureServer() as http_server:`` directly)::

    def test_something(http_server):
        url = http_server.add("/perbup.pdf", pdf_bytes, content_type="application/pdf",
                              etag='"v1"')                        # 200, or 304 when still fresh
        flaky = http_server.route("/flaky.pdf", Reply(status=500), Reply(body=pdf_bytes))
        http_server.route("/loop", Reply.redirect("/loop"))      # a redirect loop
        http_server.route("/slow", Reply.slow(2.0))              # headers only after 2 s
        http_server.route("/cut", Reply.truncated(pdf_bytes))    # Content-Length > what is sent
        http_server.route("/big", Reply.endless())               # a body that never ends
        ...
        assert 2 == http_server.hits("/flaky.pdf")

``route(path, *replies)`` answers the n-th request to ``path`` with ``replies[n]`` (the last one
repeats); ``add(path, body, **fields)`` is ``route(path, Reply(body, **fields))``. Both return the
absolute URL. A path not routed answers 404. ``requests`` lists every request received (path,
headers, ``time.monotonic()`` on arrival). Every wait and every stream is bounded (``MAX_DELAY``,
``MAX_STREAM``) and interrupted when the server stops.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import urlsplit

import pytest

MAX_DELAY = 5.0  # seconds: the longest a reply may wait before its headers
MAX_STREAM = 64 * 1024 * 1024  # bytes: the most an endless body sends
SOCKET_TIMEOUT = 5.0  # seconds: an idle keep-alive connection is dropped after this


@dataclass
class Reply:
    """One canned answer.

    etag / last_modified: sent as headers, and a matching ``If-None-Match`` /
    ``If-Modified-Since`` gets a 304. delay: seconds to wait before the headers (bounded by
    MAX_DELAY). declared_length: the ``Content-Length`` to announce when it is not
    ``len(body)`` (larger: the body is cut short and the connection closed). streaming: send
    ``body`` over and over without a ``Content-Length`` until the client hangs up or
    ``stream_limit`` bytes have gone.
    """

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    declared_length: int | None = None
    streaming: bool = False
    stream_limit: int = MAX_STREAM

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Reply:
        """A redirect to ``location`` (absolute, relative, or another scheme such as ftp://)."""
        return cls(status=status, headers={"Location": location})

    @classmethod
    def slow(cls, delay: float, body: bytes = b"late", **fields) -> Reply:
        """A reply whose headers come only after ``delay`` seconds."""
        return cls(body=body, delay=delay, **fields)

    @classmethod
    def truncated(cls, body: bytes, declared_length: int | None = None, **fields) -> Reply:
        """A body cut short: ``Content-Length`` says more (twice the body by default)."""
        return cls(body=body, declared_length=declared_length or 2 * len(body) + 1, **fields)

    @classmethod
    def endless(cls, chunk: bytes = b"%PDF-1.4\n" + b"0" * 65527, **fields) -> Reply:
        """A body without ``Content-Length`` that goes on (up to ``stream_limit`` bytes)."""
        return cls(body=chunk, streaming=True, **fields)


@dataclass(frozen=True)
class Request:
    """A request the server received."""

    path: str  # with its query string
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival


class FixtureServer:
    """A threaded HTTP server on 127.0.0.1 answering registered routes (see the module doc)."""

    def __init__(self) -> None:
        self._routes: dict[str, list[Reply]] = {}
        self._served: dict[str, int] = {}
        self._requests: list[Request] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life ----------------------------------------------------------------------------------

    def start(self) -> FixtureServer:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        httpd.daemon_threads = True
        httpd.fixture = self  # type: ignore[attr-defined]
        httpd.handle_error = lambda request, client_address: None  # a client that hung up
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="httpfixture", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- routes --------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._httpd is not None, "the server is not running"
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        """The absolute URL of ``path`` (``host="localhost"`` names the same server otherwise)."""
        return f"http://{host}:{self.port}{path}"

    def route(self, path: str, *replies: Reply) -> str:
        """Answer the n-th request to ``path`` with ``replies[n]`` (the last repeats)."""
        if not replies:
            raise ValueError("route() needs at least one Reply")
        with self._lock:
            self._routes[path] = list(replies)
            self._served[path] = 0
        return self.url(path)

    def add(self, path: str, body: bytes = b"", **fields) -> str:
        """Answer every request to ``path`` with ``Reply(body, **fields)``."""
        return self.route(path, Reply(body, **fields))

    # -- what happened -------------------------------------------------------------------------

    @property
    def requests(self) -> list[Request]:
        with self._lock:
            return list(self._requests)

    def hits(self, path: str) -> int:
        """How many requests asked for ``path`` (compared with or without the query string)."""
        return sum(1 for r in self.requests if path in (r.path, urlsplit(r.path).path))

    # -- used by the handler -------------------------------------------------------------------

    def _next_reply(self, path: str, headers: dict[str, str]) -> Reply | None:
        with self._lock:
            self._requests.append(Request(path, headers, time.monotonic()))
            key = path if path in self._routes else urlsplit(path).path
            replies = self._routes.get(key)
            if replies is None:
                return None
            served = self._served[key]
            self._served[key] = served + 1
            return replies[min(served, len(replies) - 1)]

    def _pause(self, seconds: float) -> None:
        self._stopping.wait(min(max(seconds, 0.0), MAX_DELAY))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = SOCKET_TIMEOUT

    def log_message(self, format: str, *args: object) -> None:  # quiet in tests
        pass

    def do_GET(self) -> None:
        fixture: FixtureServer = self.server.fixture  # type: ignore[attr-defined]
        reply = fixture._next_reply(self.path, dict(self.headers.items()))
        if reply is None:
            reply = Reply(b"not found", status=404, content_type="text/plain")
        fixture._pause(reply.delay)
        try:
            self._send(reply, fixture)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True

    def _send(self, reply: Reply, fixture: FixtureServer) -> None:
        if self._still_fresh(reply):
            self.send_response(304)
            self._validator_headers(reply)
            self.end_headers()
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        self._validator_headers(reply)
        if reply.streaming:
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            sent = 0
            while sent < reply.stream_limit and not fixture._stopping.is_set():
                self.wfile.write(reply.body)
                sent += len(reply.body)
            return
        length = len(reply.body) if reply.declared_length is None else reply.declared_length
        self.send_header("Content-Length", str(length))
        if length > len(reply.body):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(reply.body)
        self.wfile.flush()

    def _validator_headers(self, reply: Reply) -> None:
        if reply.etag:
            self.send_header("ETag", reply.etag)
        if reply.last_modified:
            self.send_header("Last-Modified", reply.last_modified)

    def _still_fresh(self, reply: Reply) -> bool:
        if reply.status != 200:
            return False
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = [tag.strip() for tag in if_none_match.split(",")]
            return reply.etag is not None and ("*" in tags or reply.etag in tags)
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since and reply.last_modified:
            try:
                return parsedate_to_datetime(if_modified_since) >= parsedate_to_datetime(
                    reply.last_modified)
            except (TypeError, ValueError):
                return False
        return False


@pytest.fixture
def http_server() -> Iterator[FixtureServer]:
    """A running :class:`FixtureServer`, stopped after the test whatever happens."""
    with FixtureServer() as server:
        yield server
