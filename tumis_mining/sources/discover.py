"""What a configured source lists now: one entry point over the four kinds of source.

``discover(source, fetcher)`` returns a :class:`~tumis_mining.sources.base.Listing`. How its
failures reach the flow:

- The source itself cannot be read (the JDIH feed, the listing's first page, the news feed:
  an HTTP error, a timeout, a feed that is not JSON or not RSS/Atom): :class:`FetchError`
  propagates. The flow records it as the source's failure and withdraws nothing.
- Part of the source cannot be read (a later listing page, a record that is not an object, a
  folder that is missing, a page whose selectors match nothing, a cap such as ``max_pages``
  reached): a warning on the listing, with ``complete=False``. The flow fetches what was listed
  and withdraws nothing.
- A complete listing (``complete=True``) is the whole source: a document the corpus holds from
  this source that it no longer lists is gone, and the flow marks it withdrawn. Feed listings are
  never complete (a feed shows only its latest items).
"""

from __future__ import annotations

from ..errors import ConfigError
from .base import Fetcher, Listing
from .config import SourceConfig
from .feed import discover_feed
from .folder import discover_folder
from .jdihn import discover_jdihn
from .listing import discover_listing

_REMOTE = {"jdihn": discover_jdihn, "listing": discover_listing, "feed": discover_feed}


def discover(source: SourceConfig, fetcher: Fetcher | None = None) -> Listing:
    """The entries ``source`` lists now (see the module's notes for what raises)."""
    if source.kind == "folder":
        return discover_folder(source)
    if source.kind not in _REMOTE:
        raise ConfigError(f"source {source.name!r}: unknown kind {source.kind!r}")
    if fetcher is None:
        raise ConfigError(f"source {source.name!r}: a {source.kind} source needs a fetcher")
    return _REMOTE[source.kind](source, fetcher)
