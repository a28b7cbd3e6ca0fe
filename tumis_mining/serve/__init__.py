"""Browse the corpus in a web browser: Datasette, read-only, with titles, facets and queries.

:func:`build_metadata` writes what Datasette shows about the corpus (titles, descriptions, facets,
canned queries, full-text search); :func:`serve` runs Datasette on the loopback interface.
"""

from __future__ import annotations

from .metadata import HIDDEN_COLUMNS, LABEL_DESCRIPTIONS, build_metadata
from .server import ServeSettings, datasette_command, serve

__all__ = [
    "HIDDEN_COLUMNS",
    "LABEL_DESCRIPTIONS",
    "ServeSettings",
    "build_metadata",
    "datasette_command",
    "serve",
]
