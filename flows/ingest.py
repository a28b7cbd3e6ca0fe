"""``ingest_paths``: files, folders or URLs into the corpus on demand.

The same steps as a refresh (fetch, process on the task runner, one writer), over what the user
names instead of a configured source; nothing is withdrawn.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from tumis_mining.errors import ConfigError
from tumis_mining.index.store import Store
from tumis_mining.pipeline import collect_files
from tumis_mining.runs import RunCounts
from tumis_mining.sources.base import Entry
from tumis_mining.sources.config import Config, load_config

from .common import Batch, run_entries, task_runner
from .refresh import _assign_topics, _model_version, model_of


def entries_of(paths: list[str], source_name: str) -> list[Entry]:
    """The entries for files, folders (``collect_files`` rules) and http(s) URLs."""
    entries = []
    for path in paths:
        if str(path).startswith(("http://", "https://")):
            expect = "pdf" if str(path).split("?")[0].lower().endswith(".pdf") else None
            entries.append(Entry(source_name, str(path), expect=expect))
            continue
        if "://" in str(path):
            raise ConfigError(f"only files, folders and http(s) URLs can be ingested, not {path}")
        try:
            files = collect_files([path])
        except FileNotFoundError as exc:
            raise ConfigError(str(exc)) from exc
        entries.extend(Entry(source_name, str(Path(f).resolve())) for f in files)
    return entries


@flow(name="ingest_paths", log_prints=True)
def ingest_paths(paths: list[str], db: str | None = None, config: str | None = None,
                 source_name: str = "files", model: str | None = None) -> RunCounts:
    """Ingest ``paths`` (files, folders, URLs) into ``db`` (default: the config's, or
    data/corpus.db), fetching with the config's ``[fetch]`` settings."""
    cfg = load_config(config) if config else Config.default(Path(db or "data/corpus.db"))
    db_path = Path(db) if db else cfg.db
    model_dir = model if model is not None else model_of(cfg)
    entries = entries_of(paths, source_name)
    counts = RunCounts("ingest_paths", model=_model_version(model_dir))
    counts.tally(source_name).listed = len(entries)
    store = Store.open(db_path)
    run_id = store.start_run("ingest_paths")
    try:
        store_dir = cfg.store if config else db_path.parent / "store"
        with task_runner(cfg.runner) as runner:
            run_entries(Batch(store, counts, cfg.fetch, store_dir, model_dir=model_dir,
                              runner=runner), entries)
        _assign_topics(db_path, counts)
    finally:
        store.finish_run(run_id, counts.as_dict())
        store.close()
    create_markdown_artifact(key="ingest-paths", markdown=counts.markdown(),
                             description=f"What ingest_paths did to {db_path}")
    return counts


def run_ingest_paths(paths: list[str], db: str | None = None, config: str | None = None,
                     source_name: str = "files", model: str | None = None) -> RunCounts:
    """Run ``ingest_paths`` (bad paths or config fail before Prefect starts)."""
    if config:
        load_config(config)
    entries_of(paths, source_name)
    return ingest_paths(paths=[str(p) for p in paths], db=db, config=config,
                        source_name=source_name, model=model)
