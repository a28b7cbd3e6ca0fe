"""Querying the corpus from Python and the command line: search, filters, stats, agreement, labels."""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from test_index_ingest import KeywordClassifier  # tests/ is on sys.path under pytest

from tumis_mining.index import Corpus, Store, ingest
from tumis_mining.index.cli import COMMANDS, parse_years
from tumis_mining.index.query import RESULT_COLUMNS, agreement
from tumis_mining.index.schema import PASSAGE_COLUMNS

PERBUP_12 = "perbup-sragen-12-2022_desa-tuntas-kemiskinan.pdf"


@pytest.fixture(scope="module")
def corpus_db(sample_dir, tmp_path_factory) -> Path:
    """The sample corpus, ingested once for every test in this file (which only read it)."""
    db = tmp_path_factory.mktemp("corpus") / "corpus.db"
    ingest([sample_dir], db, KeywordClassifier(), isolate=False)
    return db


@pytest.fixture
def corpus(corpus_db):
    with Corpus(corpus_db) as opened:
        yield opened


@pytest.fixture(scope="module")
def regulations_db(sample_dir, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("regulations") / "corpus.db"
    ingest([sample_dir / "regulations"], db, KeywordClassifier(), isolate=False)
    with Store.open(db) as store:
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


@pytest.fixture
def writable_db(regulations_db, tmp_path) -> Path:
    """A copy of the sample regulations corpus that a test may change."""
    db = tmp_path / "corpus.db"
    shutil.copyfile(regulations_db, db)
    return db


def run(*args: str, db: Path | None = None):
    group = click.Group("tumis", commands={c.name: c for c in COMMANDS})
    argv = list(args) + (["--db", str(db)] if db else [])
    return CliRunner().invoke(group, argv, catch_exceptions=False)


def test_a_root_word_finds_its_affixed_forms(corpus):
    found = corpus.search("miskin", limit=200)
    words = " ".join(found["snippet"]).lower()
    assert "**kemiskinan**" in words
    assert "**miskin**" in words


def test_kolaborasi_finds_berkolaborasi(tmp_path):
    path = tmp_path / "berita.txt"
    path.write_text("Judul\n\nPerusahaan diajak berkolaborasi membangun desa.\n\nCuaca cerah.\n",
                    encoding="utf-8")
    ingest([path], tmp_path / "corpus.db", KeywordClassifier(), isolate=False)
    with Corpus(tmp_path / "corpus.db") as corpus:
        found = corpus.search("kolaborasi")
    assert ["Perusahaan diajak **berkolaborasi** membangun desa."] == list(found["snippet"])


def test_a_phrase_stays_exact(corpus):
    found = corpus.search('"rumah tidak layak huni"', limit=100)
    assert len(found) >= 3
    assert all("rumah tidak layak huni" in " ".join(t.lower().split()) for t in found["text"])


def test_results_are_ranked_best_first_with_document_columns(corpus):
    found = corpus.search("koordinasi", limit=5)
    assert list(RESULT_COLUMNS) == list(found.columns)
    assert list(found["score"]) == sorted(found["score"], reverse=True)
    top = found.iloc[0]
    assert ("perbup", 2022, "Kabupaten Sragen") == (top["doc_type"], top["year"], top["region"])
    assert top["citation"].startswith("Perbup Sragen 12/2022, Pasal")
    assert top["source"].endswith(PERBUP_12)


def test_filters_are_combined(corpus):
    found = corpus.search("desa", doc_type="perbup", year=(2022, 2022), variable="institutional_design",
                          limit=500)
    assert len(found) > 0
    assert {("perbup", 2022, "institutional_design")} == set(
        zip(found["doc_type"], found["year"], found["variable"]))


def test_the_year_range_includes_both_ends(corpus):
    years = set(corpus.search(year=(2021, 2022), limit=1000)["year"])
    assert {2021, 2022} == years
    assert {2023} == set(corpus.search(year=2023, limit=1000)["year"])


def test_region_matches_part_of_the_name_and_is_a_parameter(corpus):
    assert 0 < len(corpus.search(region="Sragen", limit=10))
    assert 0 == len(corpus.search(region="%' OR 1=1 --", limit=10))
    assert 0 == len(corpus.search(region="%", limit=10))


def test_min_confidence_filters_on_the_model_confidence(corpus):
    assert 0 == len(corpus.search("desa", min_confidence=0.9))
    assert 0 < len(corpus.search("desa", min_confidence=0.75))


def test_without_text_passages_come_newest_document_first_in_order(corpus):
    found = corpus.search(doc_type="perbup", limit=300)
    assert list(found["year"]) == sorted(found["year"], reverse=True)
    first_doc = found[found["document_id"] == found.iloc[0]["document_id"]]
    assert list(first_doc["seq"]) == sorted(first_doc["seq"])
    assert found["score"].isna().all()


def test_a_search_with_many_matches_ranks_the_most_recent_window(corpus, monkeypatch):
    monkeypatch.setattr("tumis_mining.index.query.RANK_WINDOW", 8)
    newest = [r[0] for r in corpus.conn.execute(
        "SELECT p.id FROM passages_fts JOIN passages AS p ON p.rowid = passages_fts.rowid"
        " WHERE passages_fts MATCH '{text stem} : \"desa\"' ORDER BY p.rowid DESC LIMIT 8")]
    found = corpus.search("desa", limit=5)
    assert 8 == found.attrs["ranked_within"]
    assert 5 == len(found)
    assert set(found["id"]) <= set(newest)
    assert list(found["score"]) == sorted(found["score"], reverse=True)


def test_the_window_widens_until_enough_passages_pass_the_filters(corpus, monkeypatch):
    monkeypatch.setattr("tumis_mining.index.query.RANK_WINDOW_FILTERED", 2)
    everything = corpus.search("desa", doc_type="perda", limit=1000)
    found = corpus.search("desa", doc_type="perda", limit=10)
    assert 10 == len(found)
    assert {"perda"} == set(found["doc_type"])
    assert 40 == found.attrs["ranked_within"]  # none of the 2 newest is in a perda: 2 * 10 * 2
    assert None is everything.attrs["ranked_within"]
    assert set(found["id"]) <= set(everything["id"])


def test_unknown_filter_values_are_clear_errors(corpus):
    from tumis_mining.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown variable 'leadership'"):
        corpus.search(variable="leadership")
    with pytest.raises(ConfigError, match="unknown document type 'law'"):
        corpus.search(doc_type="law")
    with pytest.raises(ConfigError, match="the year range 2023..2019 is empty"):
        corpus.search(year=(2023, 2019))


def test_variable_filters_on_the_analysts_label_where_present(writable_db):
    with Corpus(writable_db) as corpus:
        target = corpus.search(variable="institutional_design").iloc[0]
    with Store.open(writable_db) as store:
        store.set_label(target["id"], "facilitative_leadership", note="the regent convenes")
    with Corpus(writable_db) as corpus:
        ids = set(corpus.search(variable="institutional_design", limit=1000)["id"])
        led = corpus.search(variable="facilitative_leadership", limit=1000)
    assert target["id"] not in ids
    assert [("facilitative_leadership", "institutional_design")] == [
        (r.variable, r.label) for r in led.itertuples() if r.id == target["id"]]


def test_withdrawn_documents_are_hidden_unless_asked_for(writable_db):
    with Corpus(writable_db) as corpus:
        doc_id = corpus.search(doc_type="perda", limit=1).iloc[0]["document_id"]
    with Store.open(writable_db) as store:
        store.set_status(doc_id, "withdrawn")
    with Corpus(writable_db) as corpus:
        assert 0 == len(corpus.search(doc_type="perda"))
        assert 0 < len(corpus.search(doc_type="perda", include_withdrawn=True))
        assert 0 == corpus.stats().query("doc_type == 'perda'")["passages"].sum()


def test_stats_count_passages_by_variable_type_and_year(corpus):
    stats = corpus.stats()
    assert ["variable", "doc_type", "year", "passages"] == list(stats.columns)
    assert 234 == stats["passages"].sum()
    perda = stats.query("doc_type == 'perda'")
    assert {2021} == set(perda["year"])
    assert 54 == perda["passages"].sum()


def test_stats_add_topics_once_they_are_fitted(writable_db):
    with Store.open(writable_db) as store:
        store.conn.execute("UPDATE passages SET topic = CASE WHEN seq % 2 = 0 THEN 0 ELSE -1 END")
    with Corpus(writable_db) as corpus:
        stats = corpus.stats()
    assert ["variable", "doc_type", "year", "topic", "passages"] == list(stats.columns)
    assert {-1, 0} == set(stats["topic"])


def test_kappa_and_confusion_of_analysts_against_the_model():
    pairs = [("institutional_design", "institutional_design")] * 6 + [
        ("collaborative_process", "collaborative_process")] * 2 + [
        ("collaborative_process", "institutional_design")] * 2
    result = agreement(pairs)
    assert (10, 0.8) == (result.passages, result.observed)
    assert 0.5455 == round(result.kappa, 4)  # (0.8 - 0.56) / (1 - 0.56), as scikit-learn gives
    assert 2 == result.confusion.loc["collaborative_process", "institutional_design"]
    assert 0 == result.confusion.loc["institutional_design", "collaborative_process"]


def test_agreement_without_labels_is_undefined(corpus):
    result = corpus.agreement()
    assert 0 == result.passages
    assert math.isnan(result.kappa)


def test_agreement_counts_labels_against_model_predictions(writable_db):
    with Corpus(writable_db) as corpus:
        rows = corpus.search(limit=4)
    with Store.open(writable_db) as store:
        for row in rows.itertuples():
            store.set_label(row.id, row.label)
    with Corpus(writable_db) as corpus:
        result = corpus.agreement()
    assert (4, 1.0) == (result.passages, result.observed)


def test_corrections_give_the_text_each_code_was_given_for(writable_db):
    with Corpus(writable_db) as corpus:
        target = corpus.search('"mulai berlaku"', limit=1).iloc[0]
    with Store.open(writable_db) as store:
        store.set_label(target["id"], "other", note="enactment clause")
        store.conn.execute("INSERT INTO labels VALUES ('gone', 'old-text', 'other', NULL, '2024-01-01')")
    with Corpus(writable_db) as corpus:
        corrections = corpus.corrections()
    columns = ["passage_id", "text", "label", "note", "model_label"]
    assert [(target["id"], target["text"], "other", "enactment clause", target["label"])] == list(
        corrections[columns].itertuples(index=False, name=None))


# --- command line -----------------------------------------------------------------------------------

def test_every_command_has_help_with_an_example():
    for command in COMMANDS:
        result = run(command.name, "--help")
        assert 0 == result.exit_code
        assert "Example: tumis " + command.name in result.output


def test_query_json_is_an_array_of_flat_objects(corpus_db):
    result = run("query", "kemiskinan", "--type", "perbup", "--year", "2022..2023", "--limit", "3",
                 "--format", "json", db=corpus_db)
    assert 0 == result.exit_code
    rows = json.loads(result.output)
    assert 3 == len(rows)
    assert set(PASSAGE_COLUMNS) | {"doc_type", "number", "year", "title", "region", "source",
                                   "snippet"} <= set(rows[0])
    assert {"perbup"} == {r["doc_type"] for r in rows}
    assert all(2022 <= r["year"] <= 2023 for r in rows)
    assert "**" in rows[0]["snippet"]


def test_query_csv_has_a_header_and_one_line_per_passage(corpus_db):
    result = run("query", "gotong royong", "--format", "csv", "--limit", "4", db=corpus_db)
    assert 0 == result.exit_code
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert 4 == len(rows)
    assert list(RESULT_COLUMNS) == list(rows[0])


def test_query_table_shows_citation_label_and_snippet(corpus_db):
    result = run("query", '"Tim Koordinasi"', "--type", "keputusan", "--limit", "2", db=corpus_db)
    assert 0 == result.exit_code
    assert "  1. Kepbup Sragen 400.9/123/2023" in result.output
    assert "**Tim Koordinasi**" in result.output
    assert result.output.endswith("2 passage(s)\n")


@pytest.mark.parametrize("text", ['"unclosed', "NEAR(", "AND OR desa", "desa)", "kolab*", "a:b"])
def test_query_takes_any_text_without_a_traceback(corpus_db, text):
    result = run("query", text, "--format", "json", db=corpus_db)
    assert 0 == result.exit_code
    assert isinstance(json.loads(result.output), list)


@pytest.mark.parametrize("args, message", [
    (["*"], "nothing to search for"),
    (["AND OR"], "nothing to search for"),
    (["--year", "2022..20x"], "--year takes a year or a range"),
    (["--year", "2023..2019"], "the year range 2023..2019 is empty"),
    (["--variable", "leadership"], "Invalid value for '--variable'"),
])
def test_query_usage_errors_exit_2_with_one_message(corpus_db, args, message):
    result = run("query", *args, db=corpus_db)
    assert 2 == result.exit_code
    assert message in result.output


def test_query_without_a_database_says_how_to_make_one(tmp_path):
    result = run("query", "desa", db=tmp_path / "none.db")
    assert 1 == result.exit_code
    assert "no corpus database at" in result.output
    assert "tumis ingest" in result.output


def test_year_ranges():
    assert [(2019, 2023), (2022, 2022), (2019, None), (None, 2020)] == [
        parse_years(v) for v in ("2019..2023", "2022", "2019..", "..2020")]


def test_stats_command_prints_counts_and_agreement(corpus_db):
    result = run("stats", "--agreement", db=corpus_db)
    assert 0 == result.exit_code
    assert result.output.startswith("15 document(s) (0 withdrawn), 234 passage(s), 0 analyst label(s)")
    assert "variable" in result.output and "doc_type" in result.output
    assert "no passage has both an analyst's code and a model label yet" in result.output


def test_stats_json(corpus_db):
    result = run("stats", "--format", "json", db=corpus_db)
    out = json.loads(result.output)
    assert 234 == sum(row["passages"] for row in out["counts"])
    assert 15 == out["totals"]["documents"]


def test_label_command_records_the_code_and_filters_follow(writable_db):
    with Corpus(writable_db) as corpus:
        target = corpus.search('"mulai berlaku"', limit=1).iloc[0]
    result = run("label", target["id"], "starting_conditions", "--note", "test", db=writable_db)
    assert 0 == result.exit_code
    assert result.output.startswith(f"{target['id']}: starting_conditions (model: {target['label']} 0.75)")
    found = json.loads(run("query", "--variable", "starting_conditions", "--format", "json",
                           "--limit", "1000", db=writable_db).output)
    assert target["id"] in {r["id"] for r in found}
    result = run("stats", "--agreement", db=writable_db)
    assert "agreement on 1 passage(s)" in result.output


def test_label_command_errors(writable_db):
    assert 2 == run("label", "abc", "leadership", db=writable_db).exit_code
    result = run("label", "0000000000000000", "other", db=writable_db)
    assert 1 == result.exit_code
    assert "no passage with id 0000000000000000" in result.output


def test_ingest_command_prints_the_summary_and_exit_status(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Judul\n\nBupati mengundang warga bermusyawarah.\n", encoding="utf-8")
    (docs / "b.pdf").write_bytes(b"")
    (docs / "c.pdf").write_text("<html></html>", encoding="utf-8")
    result = run("ingest", str(docs), "--no-isolate", db=tmp_path / "corpus.db")
    assert 1 == result.exit_code
    assert "3 file(s): 1 new, 0 changed, 0 unchanged, 2 failed" in result.output
    assert "FAILED  " in result.output
    result = run("ingest", str(docs), "--no-isolate", "--fail-threshold", "0.7", db=tmp_path / "corpus.db")
    assert 0 == result.exit_code
    assert "3 file(s): 0 new, 0 changed, 1 unchanged, 2 failed" in result.output


def test_ingest_command_refuses_a_missing_path_or_model(tmp_path):
    result = run("ingest", str(tmp_path / "missing"), db=tmp_path / "corpus.db")
    assert 2 == result.exit_code
    assert "no such file or folder" in result.output
    (tmp_path / "a.txt").write_text("Teks.\n", encoding="utf-8")
    result = run("ingest", str(tmp_path / "a.txt"), "--model", str(tmp_path / "no-model"),
                 db=tmp_path / "corpus.db")
    assert 2 == result.exit_code
    assert "no classifier at" in result.output


def test_the_database_comes_from_tumis_db(corpus_db):
    group = click.Group("tumis", commands={c.name: c for c in COMMANDS})
    result = CliRunner().invoke(group, ["stats", "--format", "json"], env={"TUMIS_DB": str(corpus_db)})
    assert 15 == json.loads(result.output)["totals"]["documents"]
