"""Indonesian-aware full-text search: stems, safe query expressions, highlighted snippets."""

from __future__ import annotations

import sqlite3

import pytest

from tumis_mining.index.fts import QueryError, fold, parse_query, snippet, stem_text, stem_word


def test_fold_removes_diacritics_and_case():
    assert "kemiskinan desa" == fold("Kémiskinan DÉSA")


def test_stem_word_strips_indonesian_affixes():
    assert ["miskin", "kolaborasi", "bentuk", "desa"] == [
        stem_word(w) for w in ("kemiskinan", "berkolaborasi", "dibentuk", "desa")
    ]


def test_stem_text_keeps_only_stems_that_differ_from_the_word():
    assert "miskin kolaborasi sama" == stem_text("Kemiskinan desa, berkolaborasi bersama warga.")


def test_stem_text_folds_diacritics_first():
    assert "miskin" == stem_text("Kémiskinan")


def test_a_plain_word_matches_its_stem_in_text_or_stem():
    assert "{text stem} : \"miskin\"" == parse_query("miskin").expression


def test_an_affixed_word_matches_its_stem_in_text_or_stem():
    assert '{text stem} : "kolaborasi"' == parse_query("berkolaborasi").expression


def test_a_quoted_phrase_stays_exact():
    assert 'text : "rumah tidak layak huni"' == parse_query('"rumah tidak layak huni"').expression


def test_prefix_and_operators_keep_their_meaning():
    assert '{text stem} : "kolab" * OR {text stem} : "desa"' == parse_query(
        "kolab* OR desa").expression


@pytest.mark.parametrize("text, expected", [
    ('"unclosed', 'text : "unclosed"'),
    ("NEAR(", '{text stem} : "near"'),
    ("desa AND OR", '{text stem} : "desa"'),
    ("OR desa", '{text stem} : "desa"'),
    ("12/2019", 'text : "12 2019"'),
    ("desa \"OR\"", '{text stem} : "desa" AND text : "or"'),
    ("'; DROP TABLE documents; --",
     '{text stem} : "drop" AND {text stem} : "table" AND {text stem} : "documents"'),
])
def test_syntax_errors_become_an_escaped_search(text, expected):
    assert expected == parse_query(text).expression


@pytest.mark.parametrize("text", ["*", "AND OR", "()", '""', "   ", "NOT"])
def test_text_with_nothing_to_search_is_a_clear_error(text):
    with pytest.raises(QueryError, match="nothing to search for"):
        parse_query(text)


@pytest.mark.parametrize("text", ['"unclosed', "NEAR(", "*desa", "AND OR desa", "desa NOT",
                                  "a:b", "^desa", "desa)", "(desa", "{text}", "-desa", "+",
                                  "berkolaborasi desa", "desa berkolaborasi", "a b NOT kemiskinan"])
def test_every_expression_is_valid_fts5(text):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(text, stem)")
    conn.execute("INSERT INTO t VALUES ('desa kemiskinan', 'miskin')")
    try:
        expression = parse_query(text).expression
    except QueryError:
        return
    conn.execute("SELECT * FROM t WHERE t MATCH ?", (expression,)).fetchall()


def test_snippet_highlights_affixed_forms_of_the_query_word():
    query = parse_query("miskin")
    assert "Penanggulangan **Kemiskinan** bagi rumah tangga **miskin**." == snippet(
        "Penanggulangan Kemiskinan bagi rumah tangga miskin.", query)


def test_snippet_highlights_a_phrase_as_one_run():
    query = parse_query('"rumah tidak layak huni"')
    assert "Perbaikan **rumah tidak layak huni** (RTLH) di Jabung." == snippet(
        "Perbaikan rumah tidak layak huni (RTLH) di Jabung.", query)


def test_snippet_is_a_window_around_the_first_match():
    words = [f"kata{i}" for i in range(100)]
    words[60] = "kolaborasi"
    text = " ".join(words)
    assert "… kata58 kata59 **kolaborasi** kata61 kata62 kata63 kata64 kata65 kata66 kata67 …" == snippet(
        text, parse_query("kolaborasi"), width=10)
