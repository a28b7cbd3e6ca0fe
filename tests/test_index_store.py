"""The corpus store: schema, idempotent writes, replacement, analysts' labels, failures, FTS."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

import pytest

from tumis_mining.index import SCHEMA_VERSION, Store, StoreError
from tumis_mining.index.schema import DOCUMENT_COLUMNS, LABELS, MIGRATIONS, PASSAGE_COLUMNS
from tumis_mining.records import Document, Failure, PageInfo, ParsedDocument, Passage, stable_id

SOURCE = "/corpus/perbup-sragen-12-2022.pdf"
PASAL = {
    "1": "Pasal 1 Dalam Peraturan Bupati ini yang dimaksud dengan Daerah adalah Kabupaten Sragen.",
    "12": "Pasal 12 (1) Dalam rangka koordinasi pelaksanaan Desa Tumis, Bupati membentuk Tim "
          "Koordinasi yang beranggotakan Perangkat Daerah, BAZNAS dan dunia usaha.",
    "20": "Pasal 20 Warga bersama relawan bergotong royong memperbaiki rumah tidak layak huni.",
}


@dataclass
class Prediction:
    label: str
    confidence: float
    scores: dict = field(default_factory=dict)


def parsed(texts: dict[str, str], sha: str = "a" * 64, source: str = SOURCE, **fields) -> ParsedDocument:
    doc_id = stable_id(source)
    document = Document(**{"id": doc_id, "source": source, "source_name": "files", "url": None,
                           "sha256": sha, "doc_type": "perbup", "number": "12", "year": 2022,
                           "region": "Kabupaten Sragen", "title": "Program Desa Tuntas Kemiskinan",
                           "pages": 2, "extractor": "pypdfium2", **fields})
    passages, start = [], 0
    for seq, (pasal, text) in enumerate(texts.items()):
        passages.append(Passage(id=stable_id(doc_id, "body", pasal, seq), document_id=doc_id, seq=seq,
                                section="body", text=text, char_start=start, char_end=start + len(text),
                                pasal=pasal, page=1, lang="id",
                                citation=f"Perbup Sragen 12/2022, Pasal {pasal}"))
        start += len(text) + 2
    pages = [PageInfo(doc_id, 1, "pypdfium2", 1800, False), PageInfo(doc_id, 2, "pypdfium2", 900, False)]
    return ParsedDocument(document, passages, pages, ["a warning"])


def predictions(doc: ParsedDocument, label: str = "institutional_design") -> list[Prediction]:
    return [Prediction(label, 0.8, {label: 0.8, "other": 0.2}) for _ in doc.passages]


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "corpus.db") as opened:
        yield opened


def rows(store: Store, sql: str, *params) -> list[tuple]:
    return [tuple(r) for r in store.conn.execute(sql, params)]


def search(store: Store, expression: str) -> list[str]:
    return [r[0] for r in store.conn.execute(
        "SELECT p.pasal FROM passages_fts JOIN passages AS p ON p.rowid = passages_fts.rowid"
        " WHERE passages_fts MATCH ? ORDER BY p.seq", (expression,))]


def test_a_new_database_has_the_contract_tables_and_the_schema_version(store):
    columns = {t: [r[1] for r in store.conn.execute(f"PRAGMA table_info({t})")]
               for t in ("documents", "passages", "pages", "labels", "failures", "topics", "runs")}
    assert SCHEMA_VERSION == store.conn.execute("PRAGMA user_version").fetchone()[0]
    assert "wal" == store.conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert set(DOCUMENT_COLUMNS) <= set(columns["documents"])
    assert set(PASSAGE_COLUMNS) <= set(columns["passages"])
    assert ["document_id", "page", "extractor", "chars", "ocr"] == columns["pages"]
    assert ["passage_id", "text_sha256", "label", "note", "at"] == columns["labels"]
    assert ["source", "source_name", "sha256", "stage", "error", "message", "at"] == columns["failures"]
    assert ["id", "label", "words", "size", "model"] == columns["topics"]
    assert ["id", "flow", "started_at", "finished_at", "counts"] == columns["runs"]


def test_the_labels_are_the_classifiers():
    from tumis_mining.classify import LABELS as CLASSIFIER_LABELS

    assert CLASSIFIER_LABELS == LABELS


def test_a_database_newer_than_the_code_is_refused(tmp_path):
    path = tmp_path / "corpus.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this tumis-mining"):
        Store.open(path)


def test_an_sqlite_file_that_is_not_a_corpus_is_refused(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE things (x)")
    conn.close()
    with pytest.raises(StoreError, match="not a tumis-mining corpus"):
        Store.open(path)


def test_writing_the_same_document_twice_adds_nothing(store):
    doc = parsed(PASAL)
    assert "new" == store.write_document(doc, predictions(doc), "m1")
    before = rows(store, "SELECT id, rowid, ingested_at FROM passages JOIN documents USING (id)")
    assert "unchanged" == store.write_document(doc, predictions(doc), "m1")
    assert [(1, 3, 2)] == rows(store, "SELECT (SELECT count(*) FROM documents),"
                                      " (SELECT count(*) FROM passages), (SELECT count(*) FROM pages)")
    assert before == rows(store, "SELECT id, rowid, ingested_at FROM passages JOIN documents USING (id)")


def test_a_document_row_holds_its_metadata_and_passage_count(store):
    doc = parsed(PASAL)
    store.write_document(doc, predictions(doc), "m1")
    assert [("perbup", "12", 2022, "Kabupaten Sragen", "active", 3, '["a warning"]')] == rows(
        store, "SELECT doc_type, number, year, region, status, passages, warnings FROM documents")


def test_passage_rows_carry_the_prediction_and_the_model(store):
    doc = parsed(PASAL)
    store.write_document(doc, predictions(doc), "tfidf-logreg-v1")
    assert ("institutional_design", 0.8, '{"institutional_design": 0.8, "other": 0.2}',
            "tfidf-logreg-v1", "institutional_design", None) == rows(
        store, "SELECT label, confidence, scores, model, variable, topic FROM passages")[0]


def test_a_changed_document_replaces_its_passages(store):
    store.write_document(parsed(PASAL))
    changed = {"1": PASAL["1"], "12": PASAL["12"].replace("BAZNAS", "Lazismu")}
    assert "changed" == store.write_document(parsed(changed, sha="b" * 64))
    assert [("1",), ("12",)] == rows(store, "SELECT pasal FROM passages ORDER BY seq")
    assert ["12"] == search(store, '"lazismu"')
    assert [] == search(store, '"baznas"')
    assert [] == search(store, '"relawan"')
    assert [(2,)] == rows(store, "SELECT passages FROM documents")


def test_the_full_text_index_follows_inserts_updates_and_deletes(store):
    store.write_document(parsed(PASAL))
    assert ["12"] == search(store, "stem : miskin OR koordinasi")
    store.conn.execute("UPDATE passages SET text = 'Pasal 12 Bupati menunjuk sekretariat.', stem = 'tunjuk'"
                       " WHERE pasal = '12'")
    assert [] == search(store, "koordinasi")
    assert ["12"] == search(store, "stem : tunjuk")
    store.conn.execute("DELETE FROM passages WHERE pasal = '20'")
    assert [] == search(store, "relawan")
    store.conn.execute("INSERT INTO passages_fts (passages_fts) VALUES ('integrity-check')")


def test_the_stem_column_indexes_affixed_words_by_their_root(store):
    store.write_document(parsed(PASAL))
    assert ["12"] == search(store, "stem : bentuk")
    assert ["20"] == search(store, "stem : gotong")


def test_vacuum_keeps_the_index_pointing_at_the_right_passages(store):
    first = parsed(PASAL)
    second = parsed({"5": "Pasal 5 Camat melakukan pembinaan dan pengawasan."}, source="/corpus/b.pdf")
    store.write_document(first)
    store.write_document(second)
    store.conn.execute("DELETE FROM passages WHERE pasal = '1'")
    store.conn.execute("VACUUM")
    assert ["20"] == search(store, "relawan")
    assert ["5"] == search(store, "pembinaan")
    store.conn.execute("INSERT INTO passages_fts (passages_fts) VALUES ('integrity-check')")


def test_an_analysts_label_becomes_the_effective_label(store):
    doc = parsed(PASAL)
    store.write_document(doc, predictions(doc), "m1")
    passage_id = doc.passages[2].id
    record = store.set_label(passage_id, "collaborative_process", note="joint action")
    assert ("collaborative_process", "institutional_design", 0.8) == (
        record.label, record.model_label, record.model_confidence)
    assert [("institutional_design", "collaborative_process")] == rows(
        store, "SELECT label, variable FROM passages WHERE id = ?", passage_id)


def test_a_second_label_for_the_same_text_replaces_the_first(store):
    doc = parsed(PASAL)
    store.write_document(doc, predictions(doc), "m1")
    store.set_label(doc.passages[0].id, "starting_conditions")
    store.set_label(doc.passages[0].id, "other", note="definition")
    assert [("other", "definition")] == rows(store, "SELECT label, note FROM labels")
    assert [("other",)] == rows(store, "SELECT variable FROM passages WHERE seq = 0")


def test_reclassification_never_overwrites_an_analysts_label(store):
    doc = parsed(PASAL)
    store.write_document(doc, predictions(doc), "m1")
    store.set_label(doc.passages[1].id, "facilitative_leadership")
    store.write_document(parsed(PASAL, sha="c" * 64), predictions(doc, "other"), "m2")
    store.conn.execute("UPDATE passages SET label = 'starting_conditions'")
    assert [("starting_conditions", "starting_conditions"),
            ("starting_conditions", "facilitative_leadership"),
            ("starting_conditions", "starting_conditions")] == rows(
        store, "SELECT label, variable FROM passages ORDER BY seq")
    assert [("facilitative_leadership",)] == rows(store, "SELECT label FROM labels")


def test_a_label_follows_its_passage_into_a_new_version_while_the_text_is_unchanged(store):
    doc = parsed(PASAL)
    store.write_document(doc, predictions(doc), "m1")
    store.set_label(doc.passages[0].id, "other")
    store.set_label(doc.passages[1].id, "facilitative_leadership")
    new_version = dict(PASAL, **{"12": PASAL["12"] + " Tim dipimpin oleh Wakil Bupati."})
    store.write_document(parsed(new_version, sha="d" * 64), predictions(doc), "m1")
    assert [("other",), ("institutional_design",), ("institutional_design",)] == rows(
        store, "SELECT variable FROM passages ORDER BY seq")
    assert 2 == rows(store, "SELECT count(*) FROM labels")[0][0]


def test_removing_a_label_gives_the_model_label_back(store):
    doc = parsed(PASAL)
    store.write_document(doc, predictions(doc), "m1")
    store.set_label(doc.passages[0].id, "other")
    assert store.remove_label(doc.passages[0].id)
    assert [("institutional_design",)] == rows(store, "SELECT variable FROM passages WHERE seq = 0")


def test_labels_are_checked(store):
    doc = parsed(PASAL)
    store.write_document(doc)
    with pytest.raises(StoreError, match="unknown label 'leadership'"):
        store.set_label(doc.passages[0].id, "leadership")
    with pytest.raises(StoreError, match="no passage with id 0000"):
        store.set_label("0000", "other")


def test_failures_keep_one_row_per_source_and_stage_and_clear_on_success(store):
    store.record_failure(Failure(SOURCE, "files", "a" * 64, "extract", "timeout", "too slow"))
    store.record_failure(Failure(SOURCE, "files", "a" * 64, "extract", "encrypted", "a password"))
    store.record_failure(Failure(SOURCE, "files", "a" * 64, "classify", "classify", "model broke"))
    store.record_failure(Failure("/corpus/other.pdf", "files", None, "extract", "not_pdf", "HTML"))
    assert [(SOURCE, "classify", "classify"), (SOURCE, "extract", "encrypted"),
            ("/corpus/other.pdf", "extract", "not_pdf")] == rows(
        store, "SELECT source, stage, error FROM failures ORDER BY source DESC, stage")
    store.write_document(parsed(PASAL))
    assert [("/corpus/other.pdf",)] == rows(store, "SELECT source FROM failures")


def test_several_documents_in_one_batch_each_get_their_outcome(store):
    first = parsed(PASAL)
    store.write_document(first)
    second = parsed({"5": "Pasal 5 Camat melakukan pembinaan."}, source="/corpus/b.pdf")
    changed = parsed({"1": PASAL["1"]}, sha="e" * 64)
    assert ["unchanged", "new", "changed"] == store.write_documents(
        [(first, None), (second, None), (changed, None)])
    assert [("1",), ("5",)] == rows(store, "SELECT pasal FROM passages ORDER BY pasal")


def test_the_same_document_twice_in_one_batch_keeps_the_last(store):
    first = parsed(PASAL)
    second = parsed({"1": PASAL["1"]}, sha="f" * 64)
    assert ["new", "changed"] == store.write_documents([(first, None), (second, None)])
    assert [("1",)] == rows(store, "SELECT pasal FROM passages")


def test_a_document_with_duplicate_passage_ids_is_refused_before_writing(store):
    doc = parsed(PASAL)
    doc.passages[1].id = doc.passages[0].id
    with pytest.raises(StoreError, match="two passages share an id"):
        store.write_document(doc)
    assert [(0, 0)] == rows(store, "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM passages)")


def test_a_withdrawn_document_is_kept(store):
    doc = parsed(PASAL)
    store.write_document(doc)
    store.set_status(doc.document.id, "withdrawn")
    assert [("withdrawn", 3)] == rows(store, "SELECT status, passages FROM documents")
    assert "changed" == store.write_document(doc)
    assert [("active",)] == rows(store, "SELECT status FROM documents")


# --- schema version 3: document type and year on passages, HTTP validators, withdrawal -----------

def _v2_corpus(path) -> None:
    """A corpus as version 2 wrote it: the perbup with its passages and an analyst's label."""
    conn = sqlite3.connect(path, isolation_level=None)
    MIGRATIONS[1](conn)
    MIGRATIONS[2](conn)
    conn.execute("PRAGMA user_version = 2")
    doc = parsed(PASAL)
    conn.execute("INSERT INTO documents (id, source, source_name, sha256, doc_type, number, year,"
                 " title, passages) VALUES (?, ?, 'files', ?, 'perbup', '12', 2022, ?, 3)",
                 (doc.document.id, SOURCE, "a" * 64, doc.document.title))
    conn.execute("INSERT INTO documents (id, source, source_name, sha256, doc_type, passages)"
                 " VALUES ('empty', '/corpus/kosong.pdf', 'files', ?, 'other', 0)", ("b" * 64,))
    for p in doc.passages:
        conn.execute("INSERT INTO passages (id, document_id, seq, section, pasal, text, label,"
                     " text_sha256, stem) VALUES (?, ?, ?, 'body', ?, ?, 'other', ?, ?)",
                     (p.id, p.document_id, p.seq, p.pasal, p.text, f"sha-{p.seq}",
                      "miskin" if p.pasal == "12" else ""))
    conn.execute("INSERT INTO labels (passage_id, text_sha256, label, at) VALUES (?, 'sha-1',"
                 " 'institutional_design', '2024-05-01T08:00:00+00:00')", (doc.passages[1].id,))
    conn.close()


def test_a_version_2_corpus_gains_document_type_year_and_validators(tmp_path):
    path = tmp_path / "v2.db"
    _v2_corpus(path)
    with Store.open(path) as store:
        assert SCHEMA_VERSION == rows(store, "PRAGMA user_version")[0][0]
        assert [("1", "perbup", 2022, "other"), ("12", "perbup", 2022, "institutional_design"),
                ("20", "perbup", 2022, "other")] == rows(
            store, "SELECT pasal, doc_type, year, variable FROM passages ORDER BY seq")
        assert [(None, None, None, "active")] * 2 == rows(
            store, "SELECT etag, last_modified, withdrawn_at, status FROM documents")
        assert ["12"] == search(store, "stem : miskin")
        indexes = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"passages_doc_type_year", "passages_year", "documents_source_name_status"} <= indexes
        store.conn.execute("INSERT INTO passages_fts (passages_fts) VALUES ('integrity-check')")


def test_a_failed_version_3_migration_leaves_the_version_2_corpus_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "v2.db"
    _v2_corpus(path)

    def fails_at_the_end(conn):
        MIGRATIONS_V3(conn)
        raise sqlite3.OperationalError("disk I/O error")

    MIGRATIONS_V3 = MIGRATIONS[3]
    monkeypatch.setitem(MIGRATIONS, 3, fails_at_the_end)
    with pytest.raises(StoreError, match="disk I/O error"):
        Store.open(path)
    conn = sqlite3.connect(path)
    try:
        assert 2 == conn.execute("PRAGMA user_version").fetchone()[0]
        assert "doc_type" not in [r[1] for r in conn.execute("PRAGMA table_info(passages)")]
        assert "etag" not in [r[1] for r in conn.execute("PRAGMA table_info(documents)")]
        assert (3, 2) == conn.execute("SELECT (SELECT count(*) FROM passages),"
                                      " (SELECT count(*) FROM documents)").fetchone()
    finally:
        conn.close()


def test_passages_carry_their_documents_type_and_year(store):
    store.write_document(parsed(PASAL))
    news = parsed({"p1": "Warga Sragen bergotong royong membangun jamban sehat."},
                  source="https://berita.sragenkab.go.id/gotong-royong", doc_type="news", year=None,
                  published_at="2023-08-17T09:00:00+07:00")
    store.write_document(news)
    assert [("perbup", 2022, 3), ("news", 2023, 1)] == rows(
        store, "SELECT doc_type, year, count(*) FROM passages GROUP BY document_id"
               " ORDER BY count(*) DESC")


def test_a_documents_type_or_year_changed_in_place_reaches_its_passages(store):
    store.write_document(parsed(PASAL))
    store.write_document(parsed({"5": "Pasal 5 Camat melakukan pembinaan."}, source="/corpus/b.pdf"))
    store.conn.execute("UPDATE documents SET year = 2019 WHERE source = ?", (SOURCE,))
    store.conn.execute("UPDATE documents SET doc_type = 'perda' WHERE source = ?", (SOURCE,))
    assert [("perda", 2019, 3), ("perbup", 2022, 1)] == rows(
        store, "SELECT doc_type, year, count(*) FROM passages GROUP BY document_id"
               " ORDER BY count(*) DESC")


def test_http_validators_round_trip_and_follow_an_unchanged_fetch(store):
    url = "https://jdih.sragenkab.go.id/perbup-12-2022.pdf"
    first = parsed(PASAL, source=url, etag='"5f3a-1c2b"', last_modified="Mon, 03 Oct 2022 02:15:00 GMT")
    assert "new" == store.write_document(first)
    state = store.document_state(url)
    assert (first.document.id, "a" * 64, "active", '"5f3a-1c2b"', "Mon, 03 Oct 2022 02:15:00 GMT") == (
        state.id, state.sha256, state.status, state.etag, state.last_modified)
    again = parsed(PASAL, source=url, etag='"5f3a-9d0e"', last_modified=None)
    assert "unchanged" == store.write_document(again)
    assert ('"5f3a-9d0e"', None) == (store.document_state(url).etag, store.document_state(url).last_modified)
    assert "etag" not in first.document.as_row()  # the contract columns only
    assert None is store.document_state("https://jdih.sragenkab.go.id/lain.pdf")


def test_withdraw_marks_what_a_source_no_longer_offers(store):
    kept, gone, also_gone = (f"https://jdih.sragenkab.go.id/{n}.pdf" for n in ("a", "b", "c"))
    for i, url in enumerate((kept, gone, also_gone)):
        store.write_document(parsed({"1": PASAL["1"]}, sha=str(i) * 64, source=url,
                                    source_name="jdih-sragen"))
    store.write_document(parsed(PASAL))  # another source: untouched
    assert 2 == store.withdraw("jdih-sragen", keep=[kept, "https://jdih.sragenkab.go.id/new.pdf"])
    assert {kept: "active", gone: "withdrawn", also_gone: "withdrawn"} == store.sources_of("jdih-sragen")
    assert {SOURCE: "active"} == store.sources_of("files")
    assert {} == store.sources_of("jdih-bali")
    stamps = rows(store, "SELECT withdrawn_at FROM documents WHERE status = 'withdrawn'")
    assert 2 == len(stamps) and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", s[0])
                                    for s in stamps)
    assert 0 == store.withdraw("jdih-sragen", keep=[kept])  # already withdrawn: stamps kept
    assert stamps == rows(store, "SELECT withdrawn_at FROM documents WHERE status = 'withdrawn'")
    assert [(None,), (None,)] == rows(store, "SELECT withdrawn_at FROM documents WHERE status = 'active'")


def test_a_withdrawn_document_that_comes_back_is_active_again(store):
    unchanged = parsed(PASAL, source="https://jdih.sragenkab.go.id/a.pdf", source_name="jdih-sragen")
    rewritten = parsed(PASAL, source="https://jdih.sragenkab.go.id/b.pdf", source_name="jdih-sragen")
    store.write_documents([(unchanged, None), (rewritten, None)])
    assert 2 == store.withdraw("jdih-sragen", keep=[])
    store.set_status(unchanged.document.id, "active")  # offered again, same bytes (304)
    assert "changed" == store.write_document(rewritten)  # offered again, fetched and written
    assert [("active", None), ("active", None)] == rows(store, "SELECT status, withdrawn_at FROM documents")
    store.set_status(unchanged.document.id, "withdrawn")
    assert [("withdrawn", 1)] == rows(store, "SELECT status, withdrawn_at IS NOT NULL FROM documents"
                                             " WHERE id = ?", unchanged.document.id)
