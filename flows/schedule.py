"""Serve ``refresh_corpus`` as a deployment on a cron schedule, against a Prefect server.

The server is one the user runs (``prefect server start --host 127.0.0.1``) or any that
``PREFECT_API_URL`` points at: a schedule outlives the command that serves it only there, so
Prefect's temporary local server is refused here. ``serve`` blocks, starting each scheduled run
in a child process, until Ctrl-C or SIGTERM; then it stops cleanly and pauses the deployment, so
that no run is left scheduled with nobody to start it. The pause is done here rather than by
Prefect's runner, which skips it when Ctrl-C comes in the first moment of start-up and retries it
for over a minute when the server has already stopped: here it is asked once, briefly, and a server
that does not answer is one clear error.
"""

from __future__ import annotations

from pathlib import Path

from tumis_mining.errors import ConfigError, TumisError

DEFAULT_CRON = "0 2 * * *"
DEFAULT_TIMEZONE = "Asia/Jakarta"
DEPLOYMENT = "nightly"


def api_url() -> str | None:
    from prefect.settings import PREFECT_API_URL  # noqa: PLC0415

    return PREFECT_API_URL.value()


def check_schedule(cron: str, timezone: str) -> None:
    """A clear error for a cron expression or time zone that Prefect would refuse."""
    from prefect.client.schemas.schedules import CronSchedule  # noqa: PLC0415

    try:
        CronSchedule(cron=cron, timezone=timezone)
    except ValueError as exc:  # pydantic's ValidationError
        what = "time zone" if "timezone" in str(exc) else "cron expression"
        value = timezone if what == "time zone" else cron
        example = "Asia/Jakarta" if what == "time zone" else '"0 2 * * *" (02:00 daily)'
        raise ConfigError(f"not a valid {what}: {value!r} (e.g. {example})") from None


def serve(config: str | Path, cron: str = DEFAULT_CRON, timezone: str = DEFAULT_TIMEZONE,
          name: str = DEPLOYMENT, source: str | None = None) -> None:
    """Serve the refresh deployment until interrupted (see the module doc)."""
    from prefect.flows import EntrypointType  # noqa: PLC0415
    from prefect.schedules import Cron  # noqa: PLC0415

    from tumis_mining.sources.config import load_config  # noqa: PLC0415

    from .refresh import refresh_corpus  # noqa: PLC0415

    check_schedule(cron, timezone)
    config = Path(config).resolve()
    load_config(config).select(source)
    if not api_url():
        raise ConfigError(
            "scheduling needs a Prefect server that outlives this command: start one with "
            "`prefect server start --host 127.0.0.1` and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api (see the README, 'Scheduled refresh')")
    check_server(api_url())
    try:
        refresh_corpus.serve(
            name=name,
            schedules=[Cron(cron, timezone=timezone)],
            parameters={"config": str(config), "source": source},
            description=f"Refresh the corpus of {config} ({cron}, {timezone})",
            tags=["tumis-mining"],
            entrypoint_type=EntrypointType.MODULE_PATH,
            pause_on_shutdown=False,
        )
    except (KeyboardInterrupt, SystemExit):  # Ctrl-C or SIGTERM before the runner had started
        pause(f"{refresh_corpus.name}/{name}")
        raise
    pause(f"{refresh_corpus.name}/{name}")


def check_server(url: str, timeout: float = 5.0) -> None:
    """A clear error when no Prefect server answers at ``url`` (the API's health check)."""
    import httpx  # noqa: PLC0415

    try:
        reply = httpx.get(url.rstrip("/") + "/health", timeout=timeout)
        reply.raise_for_status()
    except httpx.HTTPError as exc:
        raise ConfigError(
            f"no Prefect server answers at {url} ({exc or type(exc).__name__}): start one with "
            "`prefect server start --host 127.0.0.1`, or point PREFECT_API_URL at yours") from None


def pause(deployment: str, timeout: float = 5.0, attempts: int = 5) -> None:
    """Pause ``deployment`` (``flow/name``) unless it is paused or gone.

    A busy server (a 5xx answer) is asked again, up to ``attempts`` times a second apart; a server
    that is gone (no connection) is not, so that stopping never hangs.
    """
    import time  # noqa: PLC0415

    import httpx  # noqa: PLC0415

    for attempt in range(1, attempts + 1):
        try:
            _pause_once(deployment, timeout)
            return
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code < 500 or attempt == attempts:
                raise _not_paused(deployment, exc) from None
            time.sleep(1.0)
        except httpx.HTTPError as exc:
            raise _not_paused(deployment, exc) from None


def _pause_once(deployment: str, timeout: float) -> None:
    from prefect.client.orchestration import get_client  # noqa: PLC0415
    from prefect.exceptions import ObjectNotFound  # noqa: PLC0415
    from prefect.settings import (  # noqa: PLC0415
        PREFECT_API_REQUEST_TIMEOUT,
        PREFECT_CLIENT_MAX_RETRIES,
        temporary_settings,
    )

    quick = {PREFECT_CLIENT_MAX_RETRIES: 0, PREFECT_API_REQUEST_TIMEOUT: timeout}
    try:
        with temporary_settings(updates=quick), get_client(sync_client=True) as client:
            found = client.read_deployment_by_name(deployment)
            if not found.paused:
                client.pause_deployment(found.id)
    except ObjectNotFound:
        return


def _not_paused(deployment: str, exc: Exception) -> TumisError:
    return TumisError(
        f"the Prefect server did not answer ({exc or type(exc).__name__}), so {deployment} "
        "was not paused: its runs wait for the next `tumis schedule` (stop `tumis schedule` "
        "before the server)")
