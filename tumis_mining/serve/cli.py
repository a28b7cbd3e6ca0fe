"""``tumis serve``: browse the corpus in a web browser (Datasette, read-only).

``COMMANDS`` lists it for the ``tumis`` group (``cli.add_command``). Only this wrapper reads the
environment (``TUMIS_DB``, as every corpus command does).
"""

from __future__ import annotations

import click

from ..errors import ConfigError, TumisError
from ..index.cli import _db_option


@click.command("serve")
@_db_option
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True,
              help="The port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The interface to listen on; keep the loopback address unless the corpus may "
                   "be read by anyone on the network.")
def serve_command(db, port, host) -> None:
    """Browse the corpus in a web browser: search, facets, a document's passages, queries.

    Starts Datasette over the corpus in immutable (read-only) mode, with readable titles, facets on
    variable, section, language and topic (passages) and on document type, year and region
    (documents), full-text search that finds affixed forms (miskin finds kemiskinan), and canned
    queries. The topics report that `tumis topics` wrote is served too. Ctrl-C stops it.

    Example: tumis serve --db data/corpus.db --port 8001
    """
    from .server import ServeSettings, serve  # noqa: PLC0415

    try:
        settings = ServeSettings(host=host, port=port)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    if not settings.loopback:
        click.echo(f"tumis: warning: listening on {host}: anyone who can reach it can read the "
                   "corpus", err=True)

    def ready(url: str) -> None:
        click.echo(f"Serving {db} read-only at {url} (Ctrl-C to stop)", err=True)

    try:
        status = serve(db, settings, on_ready=ready)
    except TumisError as exc:
        raise click.ClickException(str(exc)) from exc
    if status:
        raise click.ClickException(f"Datasette ended with exit status {status}")
    click.echo("tumis: server stopped", err=True)


COMMANDS = [serve_command]
