"""``refresh_corpus``: bring the corpus up to date with every configured source.

For each source: discover what it lists, fetch what is new or changed (a conditional GET, or the
same bytes, leaves a document untouched), extract, segment and classify it on the task runner,
index it through the one writer, and mark documents gone from the source withdrawn (only when the
whole listing was read). Then topics are assigned to new passages when the corpus has a topic
model. Each run leaves a ``runs`` row and a Markdown artifact with its counts.

A killed refresh leaves whole documents only (each is written in one transaction); the next run
picks up what is missing and skips what is there.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from tumis_mining.errors import TumisError
from tumis_mining.index.store import Store
from tumis_mining.records import Failure
from tumis_mining.runs import RunCounts
from tumis_mining.sources.base import FetchError, FetchSettings, Listing
from tumis_mining.sources.config import Config, SourceConfig, load_config
from tumis_mining.sources.discover import discover

from .common import DEFAULT_MODEL, Batch, _fetcher, _transient, run_entries, task_runner

DEFAULT_CONFIG = "tumis.toml"


@task(name="discover", cache_policy=NO_CACHE, task_run_name="discover {source.name}")
def discover_source(source: SourceConfig, settings: FetchSettings) -> Listing:
    """What one source lists now."""
    return discover(source, _fetcher(settings) if source.kind != "folder" else None)


@flow(name="refresh_corpus", log_prints=True)
def refresh_corpus(config: str = DEFAULT_CONFIG, source: str | None = None) -> RunCounts:
    """Refresh the corpus from the sources of ``config`` (all enabled ones, or ``source``)."""
    cfg = load_config(config)
    return refresh_sources(cfg, cfg.select(source), flow_name="refresh_corpus")


def refresh_sources(cfg: Config, sources: list[SourceConfig], flow_name: str) -> RunCounts:
    logger = get_run_logger()
    model_dir = model_of(cfg)
    store = Store.open(cfg.db)
    counts = RunCounts(flow_name)
    run_id = store.start_run(flow_name)
    stack = ExitStack()
    try:
        counts.model = _model_version(model_dir)
        runner = stack.enter_context(task_runner(cfg.runner))
        batch = Batch(store, counts, cfg.fetch, cfg.store, model_dir=model_dir, runner=runner,
                      carry_bytes=cfg.runner.kind == "dask" and bool(cfg.runner.address))
        discover_task = discover_source.with_options(
            retries=cfg.fetch.retries, retry_delay_seconds=cfg.fetch.backoff,
            retry_condition_fn=_transient)
        for source in sources:
            tally = counts.tally(source.name)
            try:
                listing = discover_task(source, cfg.fetch)
            except (FetchError, TumisError, OSError) as exc:
                tally.error = str(exc)
                where = source.url or str(source.path)
                store.record_failure(Failure(where, source.name, None, "discover",
                                             getattr(exc, "error", "source"), str(exc)))
                logger.warning("source %s could not be read: %s", source.name, exc)
                continue
            store.clear_failures(source.url or str(source.path))
            tally.listed = len(listing.entries)
            tally.warnings.extend(listing.warnings)
            for warning in listing.warnings:
                logger.warning("%s: %s", source.name, warning)
            logger.info("%s: %d document(s) listed", source.name, len(listing.entries))
            run_entries(batch, listing.entries)
            if listing.complete:
                tally.withdrawn = store.withdraw(source.name, [e.location for e in listing.entries])
            else:
                tally.warnings.append("the listing was not read whole: nothing was withdrawn")
        _assign_topics(cfg.db, counts)
    finally:
        stack.close()
        store.finish_run(run_id, counts.as_dict())
        store.close()
    create_markdown_artifact(key=flow_name.replace("_", "-"), markdown=counts.markdown(),
                             description=f"What {flow_name} did to {cfg.db}")
    return counts


def model_of(cfg: Config) -> str | None:
    """The classifier the config names, else the project's; None when there is none."""
    model = Path(cfg.model) if cfg.model else DEFAULT_MODEL
    return str(model) if model.is_dir() else None


def _model_version(model_dir: str | None) -> str | None:
    if model_dir is None:
        return None
    from tumis_mining.runs import load_classifier  # noqa: PLC0415

    try:
        return load_classifier(model_dir).version
    except (OSError, ValueError, TumisError):
        return None  # each document then fails at the classify stage, saying why


def _assign_topics(db: Path, counts: RunCounts) -> None:
    """Give new passages their topic when the corpus has a topic model (never fit one here)."""
    from tumis_mining.topics.corpus import run_topics  # noqa: PLC0415
    from tumis_mining.topics.store import current_model, open_corpus  # noqa: PLC0415

    conn = open_corpus(db)
    try:
        has_model = current_model(conn) is not None
    finally:
        conn.close()
    if not has_model:
        counts.notes.append("No topic model yet: fit one with `tumis topics` (or the fit_topics "
                            "flow); later refreshes assign new passages to its topics.")
        return
    if not sum(counts.passages.values()):
        return
    try:
        run = run_topics(db)
    except TumisError as exc:
        counts.notes.append(f"Topics were not assigned: {exc}")
        return
    counts.notes.append(f"Topics: {run.assigned} new passage(s) assigned ({run.model}).")


def run_refresh(config: str | Path = DEFAULT_CONFIG, source: str | None = None) -> RunCounts:
    """Run ``refresh_corpus`` (a config or source name that is wrong fails before Prefect starts)."""
    load_config(config).select(source)
    return refresh_corpus(config=str(config), source=source)
