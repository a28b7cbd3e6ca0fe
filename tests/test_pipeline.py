"""Per-document isolation: one hostile file never stops a batch, and nothing is lost."""

from __future__ import annotations

import faulthandler
import os
import signal

import pytest

from tumis_mining import pipeline
from tumis_mining.pipeline import collect_files, parse_isolated, parse_many
from tumis_mining.records import Failure, ParsedDocument, SourceDocument
from tumis_mining.settings import ExtractSettings


def _source(path):
    return SourceDocument(source=str(path), path=path)


def test_time_limit_turns_a_slow_document_into_a_timeout(realdata):
    path = realdata / "robustness" / "samplefiles__GeoTopo-komprimiert.pdf"
    settings = ExtractSettings(time_limit=0.05, time_per_page=0.001, fast_path="never")
    result = parse_isolated(_source(path), settings)
    assert isinstance(result, Failure)
    assert ("extract", "timeout") == (result.stage, result.error)
    assert result.message.startswith("timeout: the document took longer than its time limit")
    assert result.sha256 is not None


def test_memory_guard_turns_a_blow_up_into_a_failure(realdata, monkeypatch):
    def greedy(source, settings):
        hog = bytearray(1024 * 1024 * 1024)  # 1 GB: more than the 256 MB allowed below
        return hog

    monkeypatch.setattr(pipeline, "parse", greedy)
    path = realdata / "regulations" / "pergub-bali-1-2021_batang-tubuh.pdf"
    result = parse_isolated(_source(path), ExtractSettings(memory_limit_mb=256))
    assert isinstance(result, Failure)
    assert "too_large" == result.error


def test_a_crashing_worker_is_a_failure(realdata, monkeypatch):
    def crash(source, settings):
        faulthandler.disable()  # pytest's handler would print a traceback for this planned crash
        os.kill(os.getpid(), signal.SIGSEGV)

    monkeypatch.setattr(pipeline, "parse", crash)
    path = realdata / "regulations" / "pergub-bali-1-2021_batang-tubuh.pdf"
    result = parse_isolated(_source(path), ExtractSettings())
    assert isinstance(result, Failure)
    assert "crashed" == result.error
    assert "killed by signal 11" in result.message


def test_whole_robustness_folder_in_one_batch(realdata):
    """Every file ends as a document or a failure with a specific reason, in input order."""
    files = collect_files([realdata / "robustness"])
    assert 24 == len(files)
    results = list(parse_many([_source(f) for f in files], ExtractSettings(), jobs=2))
    assert [str(f) for f in files] == [source.source for source, _ in results]
    failures = {
        os.path.basename(s.source): (r.error, r.message) for s, r in results if isinstance(r, Failure)
    }
    documents = [r for _, r in results if isinstance(r, ParsedDocument)]
    assert {
        "jdih-banjarnegara__dummy.pdf": ("not_pdf", "not a PDF (looks like text: 'Dummy PDF content')"),
        "pdfplumber__empty.pdf": ("not_pdf", "not a PDF (looks like an empty file)"),
        "pdfplumber__issue-297-example.pdf": ("no_pages", "no pages with content: the PDF's 1 page(s) are blank"),
        "pdfplumber__issue-948.zip": ("unsupported", "unsupported file type (looks like ZIP)"),
        "pdfplumber__password-example.pdf": ("encrypted", "encrypted: a password is required to open this PDF"),
        "pypdf__enc-r2-user-password.pdf": ("encrypted", "encrypted: a password is required to open this PDF"),
    } == failures
    assert 18 == len(documents)
    assert all(doc.passages for doc in documents)


def test_collect_files_rejects_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError):
        collect_files([tmp_path / "nope"])


def test_collect_files_skips_sidecars_and_hidden(tmp_path):
    for name in ("a.pdf", "a.json", ".hidden.pdf", "b.html", "c.zip"):
        (tmp_path / name).write_bytes(b"x")
    assert ["a.pdf", "b.html", "c.zip"] == [p.name for p in collect_files([tmp_path])]
