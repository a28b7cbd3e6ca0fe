"""tumis export: the sample corpus as CSV, JSON Lines, Parquet and a REFI-QDA project (.qdpx)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import zipfile
from pathlib import Path

import click
import pandas as pd
import pytest
from click.testing import CliRunner
from lxml import etree

from tumis_mining.cli import cli as tumis
from tumis_mining.export import EXPORT_COLUMNS
from tumis_mining.export.cli import COMMANDS, export_command
from tumis_mining.export.qdpx import CODES, build_source_text, guid
from tumis_mining.index import Store
from tumis_mining.records import LABELS

SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "schemas"
QDA = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture(scope="session")
def schemas() -> Path:
    """The REFI-QDA schemas beside the project (skips when absent, fails when CI=true)."""
    if (SCHEMAS / "Project-mrt2019.xsd").is_file():
        return SCHEMAS
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{SCHEMAS} is missing, and CI=true requires the REFI-QDA schemas")
    pytest.skip(f"{SCHEMAS} is absent on this machine")


@pytest.fixture(scope="module")
def corpus_db(sample_dir, tmp_path_factory) -> Path:
    """The sample corpus, ingested once with the default classifier (tests only read it)."""
    db = tmp_path_factory.mktemp("export") / "corpus.db"
    result = CliRunner().invoke(tumis, ["ingest", str(sample_dir), "--db", str(db)],
                                catch_exceptions=False)
    assert 0 == result.exit_code, result.output
    with Store.open(db) as store:
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


def count(db: Path, sql: str, *params) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchone()[0]


def run(*args: str):
    group = click.Group("tumis", commands={c.name: c for c in COMMANDS})
    return CliRunner().invoke(group, ["export", *args])


def export(db: Path, out: Path, fmt: str, *filters: str) -> Path:
    result = run("--format", fmt, "--db", str(db), *filters, str(out))
    assert 0 == result.exit_code, result.output
    return out


# --- tables ---------------------------------------------------------------------------------------

def test_csv_has_every_passage_and_the_export_columns(corpus_db, tmp_path):
    out = export(corpus_db, tmp_path / "passages.csv", "csv")
    with out.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert list(EXPORT_COLUMNS) == reader.fieldnames
    assert count(corpus_db, "SELECT count(*) FROM passages") == len(rows)
    assert set(LABELS) >= {row["variable"] for row in rows}
    assert sorted(LABELS) == sorted(json.loads(rows[0]["scores"]))


def test_jsonl_has_one_object_per_passage_with_scores_nested(corpus_db, tmp_path):
    out = export(corpus_db, tmp_path / "passages.jsonl", "jsonl")
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert count(corpus_db, "SELECT count(*) FROM passages") == len(rows)
    assert list(EXPORT_COLUMNS) == list(rows[0])
    assert 1.0 == pytest.approx(sum(rows[0]["scores"].values()), abs=1e-3)


def test_parquet_reads_back_with_pandas(corpus_db, tmp_path):
    out = export(corpus_db, tmp_path / "passages.parquet", "parquet")
    frame = pd.read_parquet(out)
    assert (count(corpus_db, "SELECT count(*) FROM passages"), len(EXPORT_COLUMNS)) == frame.shape
    assert list(EXPORT_COLUMNS) == list(frame.columns)
    assert "int64" == str(frame["char_start"].dtype)
    assert "float64" == str(frame["confidence"].dtype)


def test_filters_mean_what_they_mean_in_query(corpus_db, tmp_path):
    out = export(corpus_db, tmp_path / "design.csv", "csv",
                 "--variable", "institutional_design", "--type", "perbup", "--year", "2019..2023")
    frame = pd.read_csv(out)
    expected = count(corpus_db, "SELECT count(*) FROM passages AS p JOIN documents AS d"
                     " ON d.id = p.document_id WHERE p.variable = 'institutional_design'"
                     " AND d.doc_type = 'perbup' AND d.year BETWEEN 2019 AND 2023")
    assert expected > 0
    assert expected == len(frame)
    assert {"institutional_design"} == set(frame["variable"])
    assert {"perbup"} == set(frame["doc_type"])


def test_the_variable_filter_uses_the_analysts_code(corpus_db, tmp_path):
    db = tmp_path / "corpus.db"
    shutil.copyfile(corpus_db, db)
    with sqlite3.connect(db) as conn:
        passage_id = conn.execute("SELECT id FROM passages WHERE variable = 'other'"
                                  " ORDER BY id LIMIT 1").fetchone()[0]
    with Store.open(db) as store:
        store.set_label(passage_id, "facilitative_leadership")
    rows = [json.loads(line) for line in export(
        db, tmp_path / "leadership.jsonl", "jsonl", "--variable", "facilitative_leadership"
    ).read_text(encoding="utf-8").splitlines()]
    coded = [row for row in rows if row["id"] == passage_id]
    assert [("facilitative_leadership", "other")] == [(r["variable"], r["label"]) for r in coded]


def test_nothing_passing_the_filters_gives_a_header_only_file_and_a_warning(corpus_db, tmp_path):
    out = tmp_path / "none.csv"
    result = run("--format", "csv", "--db", str(corpus_db), "--year", "1900", str(out))
    assert 0 == result.exit_code
    assert "no passage passed the filters" in result.output
    assert [",".join(EXPORT_COLUMNS)] == out.read_text(encoding="utf-8").splitlines()


def test_a_missing_database_is_one_clear_error(tmp_path):
    result = run("--format", "csv", "--db", str(tmp_path / "nope.db"), str(tmp_path / "x.csv"))
    assert 1 == result.exit_code
    assert "no corpus database at" in result.output
    assert not (tmp_path / "x.csv").exists()


def test_export_help_has_an_example():
    assert "Example: tumis export" in export_command.get_help(click.Context(export_command))


# --- qdpx -----------------------------------------------------------------------------------------

def test_source_text_joins_passages_and_spans_point_at_them():
    built = build_source_text([("a", "Pasal 1"), ("b", "Bupati membentuk Tim."), ("c", "")])
    assert "Pasal 1\n\nBupati membentuk Tim.\n\n" == built.text
    assert {"a": (0, 7), "b": (9, 30), "c": (32, 32)} == built.spans


def test_the_codebook_lists_the_five_labels():
    assert LABELS == tuple(CODES)


@pytest.fixture(scope="module")
def qdpx(corpus_db, tmp_path_factory) -> Path:
    return export(corpus_db, tmp_path_factory.mktemp("qdpx") / "corpus.qdpx", "qdpx")


def project(path: Path) -> tuple[etree._Element, dict[str, str]]:
    """The parsed project.qde and the source texts by file name."""
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("project.qde"))
        texts = {name: archive.read(name).decode("utf-8")
                 for name in archive.namelist() if name.startswith("sources/")}
    return root, texts


def test_qdpx_project_is_valid_against_the_refi_schema(qdpx, schemas):
    schema = etree.XMLSchema(etree.parse(str(schemas / "Project-mrt2019.xsd")))
    root, _ = project(qdpx)
    valid = schema.validate(root)
    assert valid, str(schema.error_log)


def test_qdpx_has_the_codes_sources_and_selections(qdpx, corpus_db):
    root, texts = project(qdpx)
    codes = root.findall("q:CodeBook/q:Codes/q:Code", QDA)
    assert list(LABELS) == [code.get("name") for code in codes]
    assert all(code.findtext("q:Description", namespaces=QDA) for code in codes)
    sources = root.findall("q:Sources/q:TextSource", QDA)
    assert count(corpus_db, "SELECT count(*) FROM documents") == len(sources) == len(texts)
    assert (count(corpus_db, "SELECT count(*) FROM passages")
            == len(root.findall(".//q:PlainTextSelection", QDA))
            == len(root.findall(".//q:PlainTextSelection/q:Coding", QDA)))


def test_every_coded_selection_points_at_its_passage_text(qdpx, corpus_db):
    root, texts = project(qdpx)
    with sqlite3.connect(corpus_db) as conn:
        passages = {guid("passage", pid): (text, variable) for pid, text, variable
                    in conn.execute("SELECT id, text, variable FROM passages")}
    checked = 0
    for source in root.findall("q:Sources/q:TextSource", QDA):
        path = source.get("plainTextPath")
        assert f"internal://{source.get('guid')}.txt" == path
        text = texts["sources/" + path.removeprefix("internal://")]
        for selection in source.findall("q:PlainTextSelection", QDA):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            expected_text, variable = passages[selection.get("guid")]
            assert expected_text == text[start:end]
            code = selection.find("q:Coding/q:CodeRef", QDA).get("targetGUID")
            assert guid("code", variable) == code
            checked += 1
    assert len(passages) == checked


def test_a_filtered_qdpx_keeps_whole_documents_but_codes_only_what_passed(corpus_db, tmp_path):
    out = export(corpus_db, tmp_path / "leadership.qdpx", "qdpx", "--variable", "facilitative_leadership")
    root, texts = project(out)
    selections = root.findall(".//q:PlainTextSelection", QDA)
    assert count(corpus_db, "SELECT count(*) FROM passages"
                 " WHERE variable = 'facilitative_leadership'") == len(selections)
    documents = count(corpus_db, "SELECT count(DISTINCT document_id) FROM passages"
                      " WHERE variable = 'facilitative_leadership'")
    assert documents == len(texts)
    with sqlite3.connect(corpus_db) as conn:
        lengths = {guid("document", doc): n for doc, n in conn.execute(
            "SELECT document_id, sum(length(text)) + 2 * (count(*) - 1) FROM passages"
            " GROUP BY document_id")}
    for source in root.findall("q:Sources/q:TextSource", QDA):
        assert lengths[source.get("guid")] == len(texts[f"sources/{source.get('guid')}.txt"])


def test_qdpx_guids_are_the_same_on_every_export(corpus_db, qdpx, tmp_path):
    again = export(corpus_db, tmp_path / "again.qdpx", "qdpx")
    guids = [[e.get("guid") for e in project(path)[0].iter() if e.get("guid")]
             for path in (qdpx, again)]
    assert guids[0] == guids[1]
    assert len(set(guids[0])) == len(guids[0])
