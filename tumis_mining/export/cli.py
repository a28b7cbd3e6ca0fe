"""``tumis export``: the classified passages as CSV, JSON Lines, Parquet or a REFI-QDA project.

``COMMANDS`` lists it for the ``tumis`` group (``cli.add_command``). The filters are those of
``tumis query`` (same options, same meaning); ``--db`` defaults to ``TUMIS_DB`` or
``data/corpus.db`` under the current folder.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..index.cli import _db_option, _errors, filter_options, parse_years
from .tabular import FORMATS


@click.command("export")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True,
              help="csv, jsonl, parquet: one row per passage; qdpx: a REFI-QDA project "
                   "(QualCoder, NVivo, ATLAS.ti, MAXQDA) with every passage a coded selection.")
@filter_options
@_db_option
@_errors
def export_command(out, fmt, variable, doc_type, year, region, topic, min_confidence,
                   include_withdrawn, db) -> None:
    """Export classified passages to OUT, for analysis or a qualitative-analysis tool.

    The filters select passages as in `tumis query`. A qdpx project holds every document with
    an exported passage as a text source (rebuilt from its passages), the five labels as codes,
    and each exported passage as a selection coded with its label.

    Example: tumis export --format qdpx --variable institutional_design --year 2019..2023 desa-tumis.qdpx
    """
    from ..index.query import Filters
    from . import export

    filters = Filters(variable=variable, doc_type=doc_type, year=parse_years(year), region=region,
                      topic=topic, min_confidence=min_confidence,
                      include_withdrawn=include_withdrawn)
    summary = export(db, out, fmt, filters)
    click.echo(summary.line())
    if not summary.passages:
        click.echo("tumis: warning: no passage passed the filters", err=True)


COMMANDS = [export_command]
