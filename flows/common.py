"""The tasks the flows share, the task runner a config asks for, and the loop that runs entries.

One task per document: ``fetch`` (network, retried with exponential backoff while the error is
transient) runs on the flow's threads, in the flow's process, so that one per-host rate limit
holds for the whole run; ``process`` (extract, segment, classify) runs on the task runner of the
config's ``[runner]`` settings: threads, processes or Dask. Results come back to the flow, whose
one writer indexes them (SQLite has one writer); a document that fails becomes a ``failures`` row
and the run goes on.
"""

from __future__ import annotations

import functools
import os
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.tasks import exponential_backoff

from tumis_mining.errors import ConfigError
from tumis_mining.index.store import Store
from tumis_mining.pipeline import failure_from
from tumis_mining.records import Failure, SourceDocument
from tumis_mining.runs import (
    Processed,
    RunCounts,
    known_validators,
    process,
    write,
)
from tumis_mining.settings import ExtractSettings
from tumis_mining.sources.base import (
    Entry,
    FetchError,
    FetchSettings,
    Unchanged,
    Validators,
)
from tumis_mining.sources.config import RunnerSettings
from tumis_mining.sources.http import HttpFetcher, fetch_entry

DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "models" / "classifier"


@contextmanager
def task_runner(runner: RunnerSettings):
    """The entered Prefect task runner of the ``[runner]`` settings: threads (default), processes
    or Dask (an existing scheduler's ``address``, or a local cluster).

    Workers on this machine (processes, a local Dask cluster, a scheduler on a loopback address)
    report to the flow's own Prefect API, also when that is Prefect's temporary server; left to
    themselves, they would each start a temporary server of their own.
    """
    with _api_for_workers(runner), _new_task_runner(runner) as entered:
        yield entered


def _new_task_runner(runner: RunnerSettings):
    workers = runner.workers or max(1, min(4, os.cpu_count() or 1))
    if runner.kind == "threads":
        from prefect.task_runners import ThreadPoolTaskRunner  # noqa: PLC0415

        return ThreadPoolTaskRunner(max_workers=workers)
    if runner.kind == "processes":
        from prefect.task_runners import ProcessPoolTaskRunner  # noqa: PLC0415

        return ProcessPoolTaskRunner(max_workers=workers)
    if runner.kind == "dask":
        from prefect_dask import DaskTaskRunner  # noqa: PLC0415

        if runner.address:
            return DaskTaskRunner(address=runner.address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None})
    raise ConfigError(f"runner.kind must be threads, processes or dask, not {runner.kind!r}")


def _api_for_workers(runner: RunnerSettings):
    """Settings that point this machine's worker processes at the flow's Prefect API."""
    from prefect.context import FlowRunContext  # noqa: PLC0415
    from prefect.settings import PREFECT_API_URL, temporary_settings  # noqa: PLC0415

    context = FlowRunContext.get()
    local = runner.kind == "processes" or (runner.kind == "dask" and (
        runner.cluster == "local" or _loopback(runner.address)))
    if PREFECT_API_URL.value() or not local or context is None or context.client is None:
        return nullcontext()
    return temporary_settings(updates={PREFECT_API_URL: str(context.client.api_url)})


def _loopback(address: str | None) -> bool:
    host = urlsplit(address or "").hostname or ""
    return host == "localhost" or host.startswith("127.") or host == "::1"


@functools.lru_cache(maxsize=8)
def _fetcher(settings: FetchSettings) -> HttpFetcher:
    """One fetcher per process and settings, so that its per-host rate limit holds across tasks."""
    return HttpFetcher(settings)


def _transient(task, task_run, state) -> bool:
    """Retry a fetch only when its error may pass (server errors, timeouts, dropped links)."""
    try:
        state.result()
    except FetchError as exc:
        return exc.transient
    except Exception:  # noqa: BLE001 - anything else is not worth a retry
        return False
    return False


@task(name="fetch", cache_policy=NO_CACHE, task_run_name="fetch {entry.location}")
def fetch_document(entry: Entry, known: Validators | None, settings: FetchSettings, store: str,
                   carry_bytes: bool = False) -> SourceDocument | Unchanged:
    """Fetch one listed document into the store (or find it unchanged)."""
    result = fetch_entry(entry, _fetcher(settings), Path(store), known)
    if carry_bytes and isinstance(result, SourceDocument) and result.path is not None:
        result.content = Path(result.path).read_bytes()  # for workers on other machines
    return result


@task(name="process", cache_policy=NO_CACHE, task_run_name="process {source.source}")
def process_document(source: SourceDocument, settings: ExtractSettings,
                     model_dir: str | None) -> Processed | Failure:
    """Extract, segment and classify one document (a Failure says why it could not)."""
    result = process(source, settings, model_dir)
    if isinstance(result, Failure):
        get_run_logger().warning("%s failed at %s: %s", result.source, result.stage, result.message)
    return result


def fetch_task(settings: FetchSettings):
    """The fetch task with the config's retries and backoff."""
    delay = exponential_backoff(backoff_factor=settings.backoff) if settings.backoff > 0 else 0
    return fetch_document.with_options(retries=settings.retries, retry_delay_seconds=delay,
                                       retry_condition_fn=_transient)


@dataclass
class Batch:
    """What the flow hands to :func:`run_entries`."""

    store: Store
    counts: RunCounts
    fetch: FetchSettings
    store_dir: Path
    extract: ExtractSettings = field(default_factory=ExtractSettings)
    model_dir: str | None = None
    runner: object | None = None  # an entered task runner for ``process``; None: the flow's
    carry_bytes: bool = False


def run_entries(batch: Batch, entries: list[Entry]) -> None:
    """Fetch, process and write every entry; each ends counted as an outcome or a failure."""
    logger = get_run_logger()
    fetch = fetch_task(batch.fetch)
    fetching, processing = {}, {}
    for entry in entries:
        seen = known_validators(batch.store, entry.location)
        if not entry.remote:  # a file: hashed here, processed only when its bytes are new
            try:
                result = fetch_entry(entry, None, batch.store_dir, seen)
            except FetchError as exc:
                result = failure_from(SourceDocument(entry.location, source_name=entry.source_name),
                                      exc)
            if isinstance(result, SourceDocument):
                future = _submit_process(batch, result)
                processing[future.task_run_id] = (entry, future)
            else:
                write(batch.store, result, batch.counts)
            continue
        future = fetch.submit(entry, seen, batch.fetch, str(batch.store_dir), batch.carry_bytes)
        fetching[future.task_run_id] = (entry, future)
    for future in as_completed([f for _, f in fetching.values()]):
        entry, _ = fetching[future.task_run_id]
        result = _outcome(future, entry)
        if isinstance(result, SourceDocument):
            future = _submit_process(batch, result)
            processing[future.task_run_id] = (entry, future)
        else:
            write(batch.store, result, batch.counts)
    futures = [f for _, f in processing.values()]
    for done, future in enumerate(as_completed(futures), start=1):
        entry, _ = processing[future.task_run_id]
        result = _outcome(future, entry)
        outcome = write(batch.store, result, batch.counts, entry.source_name)
        logger.info("%d/%d %s: %s", done, len(processing), entry.location, outcome)


def _submit_process(batch: Batch, source: SourceDocument):
    parameters = {"source": source, "settings": batch.extract, "model_dir": batch.model_dir}
    if batch.runner is None:
        return process_document.submit(**parameters)
    return batch.runner.submit(process_document, parameters=parameters)


def _outcome(future, entry: Entry):
    """A task's result, or the Failure its exception stands for."""
    value = future.result(raise_on_failure=False)
    if isinstance(value, BaseException):
        source = SourceDocument(source=entry.location, source_name=entry.source_name)
        return failure_from(source, value)
    return value

