"""``tumis topics``: help, a fit, an update, and errors as one line."""

from __future__ import annotations

from click.testing import CliRunner
from topics_corpus import build_corpus, labelled

from tumis_mining.topics.cli import COMMANDS, topics_command


def test_every_command_has_help_with_an_example():
    for command in COMMANDS:
        result = CliRunner().invoke(command, ["--help"])
        assert 0 == result.exit_code
        assert "Example: tumis topics" in result.output


def test_fit_then_update(tmp_path):
    db = build_corpus(tmp_path / "corpus.db", labelled(48))
    report = tmp_path / "reports" / "topics.html"
    runner = CliRunner()
    first = runner.invoke(topics_command, ["--db", str(db), "--report", str(report), "-q"])
    assert 0 == first.exit_code, first.output
    assert "fitted 5 topics over 48 passages, 0.0% outliers" in first.output
    assert f"report: {report}" in first.output
    assert report.exists()
    second = runner.invoke(topics_command, ["--db", str(db), "--no-report", "-q"])
    assert 0 == second.exit_code, second.output
    assert "assigned 0 new passage(s) to 5 topics over 48 passages" in second.output


def test_missing_database_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(topics_command, ["--db", str(tmp_path / "none.db")])
    assert 2 == result.exit_code
    assert "no corpus database at" in result.output


def test_too_small_a_corpus_is_one_line(tmp_path):
    db = build_corpus(tmp_path / "corpus.db", labelled(3))
    result = CliRunner().invoke(topics_command, ["--db", str(db), "--no-report", "-q"])
    assert 1 == result.exit_code
    assert "Error: 3 passages are too few to find topics; at least 5 are needed\n" == result.output
