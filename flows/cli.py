"""``tumis refresh`` and ``tumis schedule``: the Prefect flows from the command line.

Prefect is imported only when one of these commands runs. Unless the user set them, the quiet,
offline settings of DESIGN.md are applied first (no analytics, a patient start-up of Prefect's
temporary local server on small machines).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from tumis_mining.errors import ConfigError
from tumis_mining.index.cli import _errors  # the commands' one-line errors, shared

QUIET_PREFECT = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def quiet_prefect() -> None:
    for key, value in QUIET_PREFECT.items():
        os.environ.setdefault(key, value)


def _config_option(func):
    return click.option(
        "--config", "config", type=click.Path(dir_okay=False, path_type=Path), default="tumis.toml",
        show_default=True, help="The config file: corpus, fetch settings, runner and sources.",
    )(func)


def _require(config: Path) -> None:
    if not config.is_file():
        raise ConfigError(f"no config file {config} (pass --config FILE; corpora/sample.toml is an "
                          "example)")


@click.command("refresh")
@_config_option
@click.option("--source", "source", default=None, help="Only this configured source.")
@_errors
def refresh_command(config: Path, source: str | None) -> None:
    """Refresh the corpus from its configured sources (the refresh_corpus Prefect flow).

    Only new or changed documents are fetched and processed; documents gone from a source are
    marked withdrawn. Without a Prefect server configured (PREFECT_API_URL), the flow runs against
    Prefect's temporary local server, which comes and goes with this command.

    Example: tumis refresh --config corpora/sample.toml
    """
    _require(config)
    quiet_prefect()
    from tumis_mining.sources.config import load_config  # noqa: PLC0415

    from .refresh import run_refresh  # noqa: PLC0415

    cfg = load_config(config)
    counts = run_refresh(config, source)
    for line in counts.lines():
        click.echo(line)
    click.echo(f"corpus: {os.path.normpath(cfg.db)}")
    status = counts.exit_status(cfg.fail_threshold)
    if status:
        click.echo(f"tumis: more than {cfg.fail_threshold:.0%} of the inputs failed", err=True)
        sys.exit(status)


@click.command("schedule")
@_config_option
@click.option("--cron", default="0 2 * * *", show_default=True, help="When to refresh (cron).")
@click.option("--timezone", default="Asia/Jakarta", show_default=True,
              help="The time zone of --cron (IANA name).")
@click.option("--name", default="nightly", show_default=True, help="The deployment's name.")
@click.option("--source", "source", default=None, help="Only this configured source.")
@_errors
def schedule_command(config: Path, cron: str, timezone: str, name: str, source: str | None) -> None:
    """Serve the refresh_corpus deployment on a schedule, against a Prefect server.

    Start a server first (`prefect server start --host 127.0.0.1`) and point PREFECT_API_URL at it
    (http://127.0.0.1:4200/api). This command then runs until Ctrl-C, starting each scheduled
    refresh; on Ctrl-C or SIGTERM it stops cleanly and pauses the schedule.

    Example: tumis schedule --config tumis.toml --cron "0 2 * * *" --timezone Asia/Jakarta
    """
    _require(config)
    quiet_prefect()
    from .schedule import serve  # noqa: PLC0415

    serve(config, cron=cron, timezone=timezone, name=name, source=source)


COMMANDS = (refresh_command, schedule_command)
