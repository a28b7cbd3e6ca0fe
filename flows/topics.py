"""``fit_topics``: fit (or update) the corpus's topic model, as a flow."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from tumis_mining.topics.corpus import Progress, run_topics


@flow(name="fit_topics", log_prints=True)
def fit_topics(db: str = "data/corpus.db", refit: bool = False, report: str | None = None) -> dict:
    """Fit topics over the corpus at ``db`` (or assign new passages to the current model)."""
    logger = get_run_logger()

    class _Progress(Progress):
        def step(self, message: str) -> None:
            logger.info(message)

    run = run_topics(Path(db), refit=refit, report=report, progress=_Progress())
    rows = "\n".join(f"| {t.id} | {t.size} | {', '.join(t.words[:8])} |" for t in run.topics[:40])
    create_markdown_artifact(
        key="fit-topics",
        markdown=(f"# fit_topics\n\nModel `{run.model}` ({'refitted' if run.refitted else 'updated'}"
                  f"): {run.passages} passages, {run.assigned} assigned this run.\n\n"
                  f"| topic | passages | words |\n|---:|---:|---|\n{rows}\n"),
        description=f"Topics of {db}")
    return {"model": run.model, "refitted": run.refitted, "passages": run.passages,
            "assigned": run.assigned, "topics": len(run.topics)}
