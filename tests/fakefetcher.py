"""A fetcher that serves canned replies from a dict, for tests of discovery (no network).

    fetcher = FakeFetcher({"https://jdih.example.go.id/jdihn.json": b"[...]"})
    listing = discover_jdihn(source, fetcher)
    assert ["https://jdih.example.go.id/jdihn.json"] == fetcher.calls

A value is the body (bytes or str) or a whole ``Response``; a URL not in the dict raises
``FetchError(error="http_404")``, and a ``FetchError`` value is raised as it is.
"""

from __future__ import annotations

from tumis_mining.sources.base import FetchError, Response, Validators


class FakeFetcher:
    """Implements ``sources.base.Fetcher`` over a dict ``url -> body | Response | FetchError``."""

    def __init__(self, pages: dict[str, bytes | str | Response | FetchError]) -> None:
        self.pages = pages
        self.calls: list[str] = []

    def get(self, url: str, *, validators: Validators | None = None,
            expect: str | None = None) -> Response:
        self.calls.append(url)
        reply = self.pages.get(url)
        if reply is None:
            raise FetchError(f"{url}: the server answered 404 Not Found", error="http_404", url=url)
        if isinstance(reply, FetchError):
            raise reply
        if isinstance(reply, Response):
            return reply
        content = reply.encode("utf-8") if isinstance(reply, str) else reply
        return Response(url=url, status=200, content=content)
