"""Where documents come from: configured sources (folder, jdihn, listing, feed) and the fetcher.

``base`` holds the shared records (:class:`Entry`, :class:`Listing`, :class:`FetchSettings`,
:class:`FetchError`, ...); ``config`` reads a config file; ``http`` fetches safely; ``folder``,
``jdihn``, ``listing`` and ``feed`` discover what each kind of source lists.
"""

from .base import (
    SOURCE_KINDS,
    Entry,
    Fetcher,
    FetchError,
    FetchSettings,
    Listing,
    Response,
    Unchanged,
    Validators,
    store_path,
)

__all__ = [
    "SOURCE_KINDS",
    "Entry",
    "FetchError",
    "FetchSettings",
    "Fetcher",
    "Listing",
    "Response",
    "Unchanged",
    "Validators",
    "store_path",
]
