"""refresh_corpus over a folder source: new, unchanged, changed, withdrawn and back again."""

from __future__ import annotations

import json
import shutil

import pytest
from flowkit import SAMPLE, corpus_state, rows, small_folder, write_config

from flows.refresh import run_refresh

FOLDER_SOURCE = '[[sources]]\nname = "local"\nkind = "folder"\npath = "docs"\n'


@pytest.fixture()
def corpus(tmp_path):
    folder = small_folder(tmp_path)
    config = write_config(tmp_path, FOLDER_SOURCE)
    return tmp_path, folder, config


def test_first_refresh_indexes_every_document_and_records_the_run(corpus):
    where, _, config = corpus
    counts = run_refresh(config)
    tally = counts.sources["local"]
    assert (3, 3, 0, 0) == (tally.listed, tally.new, tally.unchanged, tally.failed)
    db = where / "corpus.db"
    assert 3 == rows(db, "SELECT count(*) FROM documents WHERE source_name = 'local' "
                         "AND status = 'active'")[0][0]
    written = rows(db, "SELECT count(*) FROM passages")[0][0]
    assert written == sum(counts.passages.values()) > 0
    [(flow, finished, stored)] = rows(db, "SELECT flow, finished_at, counts FROM runs")
    stored = json.loads(stored)
    assert "refresh_corpus" == flow and finished is not None
    assert {"listed": 3, "new": 3, "changed": 0, "unchanged": 0, "failed": 0,
            "withdrawn": 0} == {k: stored["sources"]["local"][k] for k in
                                ("listed", "new", "changed", "unchanged", "failed", "withdrawn")}
    assert stored["passages"] == dict(counts.passages)


def test_the_run_publishes_a_markdown_artifact(corpus):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    _, _, config = corpus
    run_refresh(config)
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["refresh-corpus"])))
    newest = max(artifacts, key=lambda a: a.created)
    assert "markdown" == newest.type
    assert "| local | 3 | 3 | 0 | 0 | 0 | 0 |" in newest.data


def test_second_refresh_skips_what_is_unchanged_and_replaces_what_changed(corpus):
    where, folder, config = corpus
    db = where / "corpus.db"
    run_refresh(config)
    before = corpus_state(db)

    again = run_refresh(config).sources["local"]
    assert (0, 0, 3) == (again.new, again.changed, again.unchanged)
    assert before == corpus_state(db)

    page = folder / "2022-12-11_final-liga-askab-sragen.html"
    html = page.read_text(encoding="utf-8")
    assert "sebagai juara" in html
    page.write_text(html.replace("sebagai juara", "sebagai juara baru"), encoding="utf-8")
    changed = run_refresh(config).sources["local"]
    assert (0, 1, 2) == (changed.new, changed.changed, changed.unchanged)
    [(texts,)] = rows(db, "SELECT group_concat(text, ' ') FROM passages JOIN documents "
                          "ON documents.id = passages.document_id WHERE documents.source = ?",
                      str(page.resolve()))
    assert "sebagai juara baru" in texts
    assert 3 == rows(db, "SELECT count(*) FROM documents")[0][0]


def test_a_document_gone_from_its_source_is_withdrawn_not_deleted_and_comes_back(corpus):
    where, folder, config = corpus
    db = where / "corpus.db"
    run_refresh(config)
    gone = folder / "inbup-sragen-3-2022_gotong-royong-rtlh.pdf"
    kept = where / "kept.pdf"
    shutil.move(gone, kept)

    counts = run_refresh(config).sources["local"]
    assert (2, 1) == (counts.unchanged, counts.withdrawn)
    [(status, withdrawn_at, passages)] = rows(
        db, "SELECT status, withdrawn_at, (SELECT count(*) FROM passages "
            "WHERE document_id = documents.id) FROM documents WHERE source = ?", str(gone.resolve()))
    assert "withdrawn" == status and withdrawn_at is not None and passages > 0

    shutil.move(kept, gone)
    back = run_refresh(config).sources["local"]
    assert (3, 0) == (back.unchanged, back.withdrawn)
    assert [("active",)] == rows(db, "SELECT status FROM documents WHERE source = ?",
                                 str(gone.resolve()))


def test_a_broken_document_is_a_failure_and_the_rest_goes_on(corpus):
    where, folder, config = corpus
    (folder / "rusak.pdf").write_bytes(b"<html><body>Halaman tidak ditemukan</body></html>")
    counts = run_refresh(config)
    tally = counts.sources["local"]
    assert (4, 3, 1) == (tally.listed, tally.new, tally.failed)
    [(stage, error, message)] = rows(where / "corpus.db",
                                     "SELECT stage, error, message FROM failures")
    assert ("extract", "not_pdf") == (stage, error)
    assert "not a PDF" in message
    assert 0 == counts.exit_status(0.5)


def test_only_the_named_source_is_refreshed(tmp_path):
    small_folder(tmp_path)
    other = tmp_path / "more"
    other.mkdir()
    shutil.copy(SAMPLE / "news" / "2023-01-17_angka-kemiskinan-sragen-turun.html", other)
    config = write_config(tmp_path, FOLDER_SOURCE + '\n[[sources]]\nname = "more"\n'
                                                    'kind = "folder"\npath = "more"\n')
    counts = run_refresh(config, source="more")
    assert ["more"] == list(counts.sources)
    assert [("more", 1)] == rows(tmp_path / "corpus.db",
                                 "SELECT source_name, count(*) FROM documents GROUP BY 1")
