"""``tumis topics``: fit or update the corpus's topics and write their report.

``COMMANDS`` lists it for the ``tumis`` group (``cli.add_command``). Only this wrapper reads the
environment (``TUMIS_DB``). A ``TumisError`` becomes one line and exit status 1; a usage or
configuration error, exit status 2.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ..errors import ConfigError, TumisError
from ..index.cli import _db_option
from .settings import EMBEDDINGS

DEFAULT_REPORT = Path("reports") / "topics.html"


class _Display:
    """Steps as lines on stderr with the elapsed time; embedding as a bar on a terminal."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.started = time.perf_counter()
        self.terminal = sys.stderr.isatty()
        self._bar = None
        self._done = 0

    def _close_bar(self) -> None:
        if self._bar is not None:
            self._bar.render_finish()
            self._bar = None

    def step(self, message: str) -> None:
        self._close_bar()
        if not self.quiet:
            click.echo(f"[{time.perf_counter() - self.started:6.1f}s] {message}", err=True)

    def advance(self, done: int, total: int) -> None:
        if self.quiet or not self.terminal:
            return
        if self._bar is None:
            self._bar = click.progressbar(length=total, label="  embedding", file=sys.stderr)
            self._done = 0
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        self._close_bar()


@click.command("topics")
@_db_option
@click.option("--refit", is_flag=True,
              help="Fit anew over every passage (default: assign only passages without a topic).")
@click.option("--embedding", type=click.Choice(EMBEDDINGS), default=None,
              help="Passage embedding for a fit [default: the model's, else tfidf-svd.v1]; "
                   "another than the model's means a refit.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_REPORT,
              show_default=True, help="Where to write the HTML report.")
@click.option("--no-report", is_flag=True, help="Write no report.")
@click.option("--model-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the topic model is kept [default: beside the database, DB.topics/].")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
def topics_command(db, refit, embedding, report, no_report, model_dir, quiet) -> None:
    """Fit topics over the corpus passages, or assign new passages to the fitted topics.

    The first run (or --refit) fits BERTopic over every passage of the active documents, saves
    the model beside the database and stores each passage's topic, the topics' words, topics
    per variable and topics per year. Later runs assign only passages that have no topic yet
    (from new or changed documents) without refitting. The HTML report (topic words, topics per
    variable, over time, intertopic map) needs no network to open.

    Example: tumis topics --db data/corpus.db --report reports/topics.html
    """
    from .corpus import run_topics  # noqa: PLC0415

    if not db.exists():
        raise click.UsageError(
            f"no corpus database at {db}: run `tumis ingest PATH... --db {db}` first")
    display = _Display(quiet)
    try:
        run = run_topics(db, refit=refit, embedding=embedding, model_dir=model_dir,
                         report=None if no_report else report, progress=display)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    except TumisError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        display.close()
    _print_run(run)


def _print_run(run) -> None:
    real = [t for t in run.topics if t.id != -1]
    action = "fitted" if run.refitted else f"assigned {run.assigned} new passage(s) to"
    click.echo(f"{run.model}: {action} {len(real)} topics over {run.passages} passages, "
               f"{run.outliers:.1%} outliers ({run.seconds:.1f} s)")
    for note in run.notes:
        click.echo(f"  ({note})")
    figures = [f"{name} {run.metrics[name]:.3f}" for name in ("npmi", "diversity", "ami")
               if isinstance(run.metrics.get(name), float)]
    if figures:
        click.echo("  " + ", ".join(figures))
    for topic in sorted(run.topics, key=lambda t: (t.id == -1, t.id)):
        click.echo(f"{topic.id:>4}  {topic.size:>7}  {topic.label}")
    click.echo(f"model: {run.model_dir}")
    if run.report is not None:
        click.echo(f"report: {run.report}")


COMMANDS = [topics_command]
