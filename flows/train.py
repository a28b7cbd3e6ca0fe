"""``train_classifier``: train the passage classifier from the labelled passages, as a flow."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from tumis_mining.classify.train import TrainSettings, train

from .common import DEFAULT_MODEL

DEFAULT_LABELS = Path(__file__).resolve().parents[1] / "corpora" / "labels"


@flow(name="train_classifier", log_prints=True)
def train_classifier(labels: str | None = None, out: str | None = None,
                     candidates: list[str] | None = None, jobs: int = 1) -> dict:
    """Cross-validate the candidates, fit the chosen one, score it on the test split and write
    the model with its card to ``out`` (default: the project's models/classifier)."""
    logger = get_run_logger()
    settings = TrainSettings(candidates=tuple(candidates), jobs=jobs) if candidates else (
        TrainSettings(jobs=jobs))
    out_dir = Path(out) if out else DEFAULT_MODEL
    report = train(Path(labels) if labels else DEFAULT_LABELS, out_dir, settings,
                   progress=logger.info)
    summary = {"model": report.classifier.version, "test_macro_f1": report.test.macro_f1,
               "test_ece": report.test.ece, "cv_macro_f1": report.cv.macro_f1, "out": str(out_dir)}
    create_markdown_artifact(
        key="train-classifier",
        markdown=(f"# train_classifier\n\n| model | test macro-F1 | ECE | CV macro-F1 |\n"
                  f"|---|---:|---:|---:|\n| `{summary['model']}` | {summary['test_macro_f1']:.3f} "
                  f"| {summary['test_ece']:.3f} | {summary['cv_macro_f1']:.3f} |\n\n"
                  f"Written to `{out_dir}`; see its MODEL_CARD.md.\n"),
        description="The classifier trained by this run")
    return summary
