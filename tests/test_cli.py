"""The `tumis` command as a user runs it: help, the JSON contract, exit status, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tumis_mining.cli import cli

DOCUMENT_COLUMNS = {
    "id", "source", "source_name", "url", "sha256", "status", "doc_type", "number", "year", "title",
    "issuer", "region", "enacted_on", "published_at", "amends", "pages", "extractor", "ingested_at",
}
PASSAGE_COLUMNS = {
    "id", "document_id", "seq", "section", "bab", "pasal", "ayat", "amended_pasal", "page",
    "char_start", "char_end", "lang", "citation", "text",
}


def tumis(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tumis_mining.cli", *args],
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_with_an_example(name):
    result = tumis(name, "--help")
    assert 0 == result.returncode
    assert "Example:" in result.stdout


def test_extract_json_follows_the_contract(realdata):
    result = tumis("extract", "--json", str(realdata / "regulations" / "pergub-bali-1-2021_batang-tubuh.pdf"))
    assert 0 == result.returncode, result.stderr
    lines = result.stdout.strip().splitlines()
    assert 1 == len(lines)
    record = json.loads(lines[0])
    assert DOCUMENT_COLUMNS == set(record["document"])
    assert record["passages"]
    assert all(PASSAGE_COLUMNS == set(p) for p in record["passages"])
    assert "label" not in record["passages"][0]
    assert isinstance(record["warnings"], list)
    assert ("pergub", "1", 2021) == (
        record["document"]["doc_type"], record["document"]["number"], record["document"]["year"]
    )


def test_extract_failure_line_and_exit_status(realdata):
    good = realdata / "regulations" / "pergub-bali-1-2021_batang-tubuh.pdf"
    bad = realdata / "robustness" / "pdfplumber__password-example.pdf"
    result = tumis("extract", "--json", str(good), str(bad))
    assert 1 == result.returncode
    records = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert "document" in records[0]
    assert {"source": str(bad), "failure": {
        "stage": "extract", "error": "encrypted",
        "message": "encrypted: a password is required to open this PDF"}} == records[1]


def test_extract_summary_names_failures(realdata):
    bad = realdata / "robustness" / "pdfplumber__issue-948.zip"
    result = tumis("extract", str(bad))
    assert 1 == result.returncode
    assert "FAILED  pdfplumber__issue-948.zip: unsupported file type (looks like ZIP)" in result.stdout


def test_missing_file_is_a_usage_error_in_one_line(tmp_path):
    result = tumis("extract", str(tmp_path / "nope.pdf"))
    assert 2 == result.returncode
    assert [f"tumis: no such file or folder: {tmp_path / 'nope.pdf'}"] == result.stderr.strip().splitlines()


def test_bad_option_value_is_a_usage_error(tmp_path):
    result = tumis("extract", "--time-limit", "-1", str(tmp_path))
    assert 2 == result.returncode
    assert "Traceback" not in result.stderr
    assert 1 == len(result.stderr.strip().splitlines())
