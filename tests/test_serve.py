"""`tumis serve`: Datasette over the sample corpus, read-only, on loopback; its JSON API, canned
queries and search, a browser's view of it (headless Chromium), and a clean stop on Ctrl-C."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from tumis_mining.classify import Classifier
from tumis_mining.index import SCHEMA_VERSION, Corpus, ingest
from tumis_mining.index.schema import MIGRATIONS
from tumis_mining.records import LABELS
from tumis_mining.serve import build_metadata
from tumis_mining.serve.cli import serve_command
from tumis_mining.serve.metadata import QUERIES, style_sheet
from tumis_mining.serve.server import (
    ServeError,
    ServeSettings,
    check_corpus,
    check_port,
)

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "docs" / "screenshot-serve.png"
# `tumis serve` before the command is registered in the `tumis` group: the click command itself.
SERVE = ("import sys; from tumis_mining.serve.cli import serve_command; "
         "serve_command.main(sys.argv[1:], prog_name='tumis serve')")
REPORT_HTML = "<html><body><h1>Topik korpus</h1></body></html>"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def _json(url: str) -> dict | list:
    return json.loads(_get(url))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _start(db: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """`tumis serve` on a free loopback port, once it answers (at most 60 s)."""
    port = _free_port()
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-c", SERVE, "--db", str(db), "--port", str(port)],
                                   stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"tumis serve ended on start: {log.read_text(errors='replace')}")
        try:
            _get(base + "/-/versions.json")
            return process, base
        except (urllib.error.URLError, OSError):
            time.sleep(0.25)
    _stop(process)
    pytest.fail(f"tumis serve did not answer within 60 s: {log.read_text(errors='replace')}")


def _stop(process: subprocess.Popen) -> int:
    """Ctrl-C, then terminate, then kill: each given a bounded time."""
    for send in (lambda: process.send_signal(signal.SIGINT), process.terminate, process.kill):
        if process.poll() is not None:
            break
        send()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            continue
    return process.wait(5)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The sample corpus indexed with the default classifier, a topics report beside it."""
    folder = tmp_path_factory.mktemp("serve")
    db = folder / "corpus.db"
    summary = ingest([ROOT / "corpora" / "sample"], db, Classifier.load(ROOT / "models" / "classifier"),
                     isolate=False)
    assert 0 == summary.failed
    (folder / "reports").mkdir()
    (folder / "reports" / "topics.html").write_text(REPORT_HTML, encoding="utf-8")
    return db


@pytest.fixture(scope="module")
def expected(corpus) -> dict:
    """What the pages should show, read from the database directly."""
    conn = sqlite3.connect(corpus)
    try:
        variables = dict(conn.execute("SELECT variable, count(*) FROM passages GROUP BY variable"))
        # Facets on passages by their document's type and year, counted through the documents.
        by_document = {column: dict(conn.execute(
            f"SELECT d.{column}, count(*) FROM passages AS p JOIN documents AS d"
            f" ON d.id = p.document_id GROUP BY d.{column}")) for column in ("doc_type", "year")}
        miskin = {(doc_type, year): n for doc_type, year, n in conn.execute(
            "SELECT d.doc_type, d.year, count(*) FROM passages_fts JOIN passages AS p"
            " ON p.rowid = passages_fts.rowid JOIN documents AS d ON d.id = p.document_id"
            " WHERE passages_fts MATCH '\"miskin\"' GROUP BY d.doc_type, d.year")}
        first = conn.execute("""SELECT d.id, d.passages, p.text FROM documents AS d
                                JOIN passages AS p ON p.document_id = d.id AND p.seq = 0
                                WHERE d.doc_type = 'perbup' ORDER BY d.year, d.id LIMIT 1""").fetchone()
        return {"passages": conn.execute("SELECT count(*) FROM passages").fetchone()[0],
                "variables": variables, "document": first[0], "document_passages": first[1],
                "first_text": first[2], "doc_types": by_document["doc_type"],
                "years": by_document["year"], "miskin": miskin,
                "perbup_2022": conn.execute(
                    "SELECT count(*) FROM passages AS p JOIN documents AS d ON d.id = p.document_id"
                    " WHERE d.doc_type = 'perbup' AND d.year = 2022").fetchone()[0]}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(corpus, tmp_path_factory):
    before = _sha256(corpus)
    process, base = _start(corpus, tmp_path_factory.mktemp("serve-log") / "serve.log")
    try:
        yield base
    finally:
        _stop(process)
    assert before == _sha256(corpus)  # read-only: the file is unchanged


def _search_count(base: str, text: str) -> int:
    query = urllib.parse.urlencode({"_search": text, "_size": "0"})
    return _json(f"{base}/corpus/passages.json?{query}")["filtered_table_rows_count"]


# --- metadata --------------------------------------------------------------------------------------

def test_metadata_describes_the_corpus():
    metadata = build_metadata("corpus", reports_url="/reports/topics.html", css_url="/s/tumis.css")
    passages = metadata["databases"]["corpus"]["tables"]["passages"]
    documents = metadata["databases"]["corpus"]["tables"]["documents"]
    assert ["variable", "doc_type", "year", "topic"] == passages["facets"]
    assert {"doc_type", "year"} <= set(passages["columns"])
    assert ["doc_type", "year", "region"] == documents["facets"]
    assert {"etag", "last_modified", "withdrawn_at"} <= set(documents["columns"])
    assert ("passages_fts", "rowid") == (passages["fts_table"], passages["fts_pk"])
    assert ["search_passages", "passages_by_variable_and_year", "document_passages",
            "variable_mix_by_document_type"] == list(metadata["databases"]["corpus"]["queries"])
    assert ["/s/tumis.css"] == metadata["extra_css_urls"]
    assert '<a href="/reports/topics.html">topics report</a>' in metadata["description_html"]
    for label in LABELS:
        assert f"<code>{label}</code>" in metadata["description_html"]


def test_metadata_without_reports_links_none():
    metadata = build_metadata("corpus")
    assert "reports" not in json.dumps(metadata)
    assert "extra_css_urls" not in metadata


def test_style_sheet_hides_internal_columns():
    assert style_sheet().startswith(".col-stem,\n.col-text_sha256 {\n    display: none;\n}")


def test_canned_queries_run_on_a_corpus(corpus, expected):
    from datasette.utils import escape_fts  # noqa: PLC0415 - what Datasette gives every connection

    conn = sqlite3.connect(f"{corpus.as_uri()}?mode=ro", uri=True)
    conn.create_function("escape_fts", 1, escape_fts)
    search = QUERIES["search_passages"]["sql"]
    try:
        nothing = conn.execute(search, {"q": " ", "variable": "", "doc_type": "", "year": ""}).fetchall()
        odd = conn.execute(search, {"q": 'NEAR( "12/2019 *', "variable": "", "doc_type": "",
                                    "year": ""}).fetchall()
        perda = conn.execute(search, {"q": "miskin", "variable": "", "doc_type": "perda",
                                      "year": "2021"}).fetchall()
        mix = conn.execute(QUERIES["variable_mix_by_document_type"]["sql"]).fetchall()
        ordered = conn.execute(QUERIES["document_passages"]["sql"],
                               {"document_id": expected["document"]}).fetchall()
        every_year = conn.execute(QUERIES["passages_by_variable_and_year"]["sql"],
                                  {"variable": "other", "year": ""}).fetchall()
    finally:
        conn.close()
    assert expected["passages"] == sum(row[1] for row in mix)
    assert list(range(expected["document_passages"])) == [row[0] for row in ordered]
    assert expected["variables"]["other"] == len(every_year)
    assert ([], []) == (nothing, odd)  # nothing to search for, or no match: no rows, no error
    assert expected["miskin"][("perda", 2021)] == len(perda)
    assert {("perda", 2021)} == {(row[2], row[3]) for row in perda}


def test_serving_a_version_2_corpus_migrates_it_first(tmp_path):
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db, isolation_level=None)
    MIGRATIONS[1](conn)
    MIGRATIONS[2](conn)
    conn.execute("PRAGMA user_version = 2")
    conn.close()
    check_corpus(db)
    conn = sqlite3.connect(db)
    try:
        assert SCHEMA_VERSION == conn.execute("PRAGMA user_version").fetchone()[0]
        assert {"doc_type", "year"} <= {r[1] for r in conn.execute("PRAGMA table_info(passages)")}
    finally:
        conn.close()
    assert not (tmp_path / "old.db-wal").exists()  # checkpointed: immutable mode reads the file


def test_check_corpus_refuses_a_missing_or_foreign_file(tmp_path):
    with pytest.raises(ServeError, match="no corpus database at"):
        check_corpus(tmp_path / "absent.db")
    sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(ServeError, match="is not a tumis-mining corpus"):
        check_corpus(tmp_path / "other.db")


def test_check_port_refuses_a_port_in_use():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        with pytest.raises(ServeError, match="choose another --port"):
            check_port("127.0.0.1", sock.getsockname()[1])


def test_serve_settings_check_the_port():
    with pytest.raises(Exception, match="between 0 and 65535"):
        ServeSettings(port=70000)


def test_serve_help_has_an_example():
    result = CliRunner().invoke(serve_command, ["--help"])
    assert 0 == result.exit_code
    assert "Example: tumis serve --db data/corpus.db" in result.output


def test_serve_without_a_corpus_is_one_line(tmp_path):
    result = CliRunner().invoke(serve_command, ["--db", str(tmp_path / "absent.db"), "--port", "0"])
    assert 1 == result.exit_code
    assert f"Error: no corpus database at {tmp_path / 'absent.db'}" in result.output


# --- the running server: JSON API ------------------------------------------------------------------

def test_json_api_returns_the_passages_table(server, expected):
    data = _json(f"{server}/corpus/passages.json?_shape=objects&_size=5")
    assert expected["passages"] == data["filtered_table_rows_count"]
    assert 5 == len(data["rows"])
    assert {"id", "document_id", "citation", "text", "variable", "label"} <= set(data["rows"][0])


def test_json_api_facet_counts_by_variable(server, expected):
    data = _json(f"{server}/corpus/passages.json?_size=0")  # facets come from the metadata
    counts = {r["value"]: r["count"] for r in data["facet_results"]["variable"]["results"]}
    assert expected["variables"] == counts


def test_json_api_facet_counts_by_document_type_and_year(server, expected):
    data = _json(f"{server}/corpus/passages.json?_size=0")
    results = data["facet_results"]
    assert expected["doc_types"] == {r["value"]: r["count"] for r in results["doc_type"]["results"]}
    assert expected["years"] == {r["value"]: r["count"] for r in results["year"]["results"]}
    filtered = _json(f"{server}/corpus/passages.json?_size=0&doc_type=perbup&year=2022")
    assert expected["perbup_2022"] == filtered["filtered_table_rows_count"]
    assert {"perbup": expected["perbup_2022"]} == {
        r["value"]: r["count"] for r in filtered["facet_results"]["doc_type"]["results"]}


def test_ranked_search_puts_the_best_first_and_finds_affixed_forms(server, corpus, expected):
    rows = _json(f"{server}/corpus/search_passages.json?q=miskin&_shape=objects")["rows"]
    with Corpus(corpus) as opened:
        best = opened.search_rows("miskin", limit=100)
    assert [r["id"] for r in best] == [r["passage_id"] for r in rows]  # BM25, as `tumis query`
    scores = [r["score"] for r in rows]
    assert min(100, _search_count(server, "miskin")) == len(rows)  # the best 100
    assert sorted(scores, reverse=True) == scores and scores[-1] > 0
    texts = {r["id"]: r["text"].lower() for r in best}
    through_stem = [r for r in rows if not re.search(r"\bmiskin\b", texts[r["passage_id"]])]
    assert through_stem and all("kemiskinan" in texts[r["passage_id"]] for r in through_stem)
    assert all("**miskin**" in r["snippet"].lower() for r in rows if r not in through_stem)
    narrowed = _json(f"{server}/corpus/search_passages.json?q=miskin&doc_type=news&year=2022"
                     "&_shape=objects")["rows"]
    assert expected["miskin"][("news", 2022)] == len(narrowed)
    assert {("news", 2022)} == {(r["doc_type"], r["year"]) for r in narrowed}


def test_search_finds_affixed_forms(server):
    data = _json(f"{server}/corpus/passages.json?_search=miskin&_shape=objects&_size=max")
    texts = [row["text"].lower() for row in data["rows"]]
    assert data["filtered_table_rows_count"] == len(texts) > 0
    only_affixed = [t for t in texts if "kemiskinan" in t and not re.search(r"\bmiskin\b", t)]
    assert only_affixed  # found through the stem column alone
    assert all("miskin" in t for t in texts)


def test_canned_queries_answer(server, expected):
    base = f"{server}/corpus"
    by_year = _json(f"{base}/passages_by_variable_and_year.json?variable=institutional_design"
                    "&year=2022&_shape=objects")["rows"]
    assert by_year and {("institutional_design", 2022)} == {(r["variable"], r["year"]) for r in by_year}
    ordered = _json(f"{base}/document_passages.json?document_id={expected['document']}"
                    "&_shape=objects")["rows"]
    assert list(range(expected["document_passages"])) == [r["seq"] for r in ordered]
    assert expected["first_text"] == ordered[0]["text"]
    assert "stem" not in ordered[0] and "text_sha256" not in ordered[0]
    mix = _json(f"{base}/variable_mix_by_document_type.json?_shape=objects")["rows"]
    assert expected["passages"] == sum(r["passages"] for r in mix)
    assert expected["variables"]["other"] == sum(r["other"] for r in mix)


def test_pages_hide_internal_columns_and_link_the_report(server):
    page = _get(f"{server}/corpus/passages").decode()
    assert '<link rel="stylesheet" href="/tumis-static/tumis.css">' in page
    assert style_sheet() == _get(f"{server}/tumis-static/tumis.css").decode()
    index = _get(server + "/").decode()
    assert '<a href="/reports/topics.html">topics report</a>' in index
    assert REPORT_HTML == _get(f"{server}/reports/topics.html").decode()


def test_database_is_immutable(server):
    data = _json(f"{server}/-/databases.json")
    assert [("corpus", True, False)] == [(d["name"], d["is_mutable"] is False, d["is_memory"])
                                        for d in data]


# --- the running server: a browser -----------------------------------------------------------------

def _chromium(profile: Path, *args: str) -> str:
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail("chromium is missing: run scripts/system-deps.sh (apt-get install chromium)")
    command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", f"--user-data-dir={profile}", "--window-size=1280,1600", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert 0 == result.returncode, result.stderr[-2000:]
    return result.stdout


def _page(profile: Path, url: str):
    return lxml.html.fromstring(_chromium(profile, "--dump-dom", url))


def _shown_count(page) -> int:
    heading = page.xpath("//h3[contains(., ' where ') or contains(., ' rows') or contains(., ' row')]")
    match = re.match(r"\s*([\d,]+) rows?\b", heading[0].text_content())
    return int(match.group(1).replace(",", ""))


def _facet(page, column: str) -> dict[str, int]:
    items = page.xpath(f"//div[@id='facet-{column}']//li")
    found = (re.match(r"\s*(.+?)\s*(?:·\s*)?([\d,]+)\s*✖?\s*$", li.text_content()) for li in items)
    return {m.group(1): int(m.group(2).replace(",", "")) for m in found if m}


@pytest.mark.slow
def test_browser_search_facet_and_document(server, expected, tmp_path):
    profile = tmp_path / "chromium"
    # Search: the count a user sees is the API's, and every listed passage shows its text.
    searched = _page(profile, f"{server}/corpus/passages?_search=miskin")
    total = _search_count(server, "miskin")
    assert total == _shown_count(searched)
    by_variable = _facet(searched, "variable")
    assert total == sum(by_variable.values())
    # A facet: pick the commonest variable among the hits.
    variable = max(by_variable, key=by_variable.get)
    faceted = _page(profile, f"{server}/corpus/passages?_search=miskin&variable={variable}")
    assert by_variable[variable] == _shown_count(faceted)
    assert {variable: by_variable[variable]} == _facet(faceted, "variable")
    # Facets by the document's type, then its year, on the same search.
    by_type: dict[str, int] = {}
    for (doc_type, _), count in expected["miskin"].items():
        by_type[doc_type] = by_type.get(doc_type, 0) + count
    assert by_type == _facet(searched, "doc_type")
    perbup = _page(profile, f"{server}/corpus/passages?_search=miskin&doc_type=perbup")
    assert by_type["perbup"] == _shown_count(perbup)
    perbup_years = {str(year): n for (t, year), n in expected["miskin"].items() if t == "perbup"}
    assert perbup_years == _facet(perbup, "year")
    year = max(perbup_years, key=perbup_years.get)
    one_year = _page(profile, f"{server}/corpus/passages?_search=miskin&doc_type=perbup&year={year}")
    assert perbup_years[year] == _shown_count(one_year)
    assert {"perbup": perbup_years[year]} == _facet(one_year, "doc_type")
    # A document: its page links to its passages, which show in order with their text.
    document = _page(profile, f"{server}/corpus/documents/{expected['document']}")
    links = document.xpath("//a[contains(@href, 'passages?document_id=')]")
    assert f"{expected['document_passages']} rows" in links[0].getparent().text_content().replace(",", "")
    passages_url = f"{server}/corpus/passages?document_id={expected['document']}&_sort=seq"
    listing = _page(profile, passages_url)
    assert expected["document_passages"] == _shown_count(listing)
    cells = [td.text_content().strip() for td in listing.xpath("//td[contains(@class, 'col-text')]")]
    assert expected["first_text"][:200] == cells[0][:200]
    # The screenshot: the faceted search with the columns a reader wants.
    shot = tmp_path / "serve.png"
    columns = "".join(f"&_col={c}" for c in ("document_id", "citation", "text", "variable",
                                             "confidence"))
    _chromium(profile, f"--screenshot={shot}",
              f"{server}/corpus/passages?_search=miskin&variable={variable}{columns}")
    assert b"\x89PNG" == shot.read_bytes()[:4] and shot.stat().st_size > 20_000
    if os.environ.get("TUMIS_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)


# --- stopping --------------------------------------------------------------------------------------

def test_ctrl_c_stops_the_server(corpus, tmp_path):
    process, base = _start(corpus, tmp_path / "serve.log")
    port = int(base.rsplit(":", 1)[1])
    process.send_signal(signal.SIGINT)
    assert 0 == process.wait(20)
    assert "tumis: server stopped" in (tmp_path / "serve.log").read_text()
    check_port("127.0.0.1", port)  # Datasette is gone: the port is free again


def test_topics_report_found_where_tumis_topics_wrote_it(tmp_path):
    """`tumis topics` writes reports/topics.html under the folder it ran in and records the path;
    serve finds it there even when the database lives elsewhere."""
    import sqlite3

    from tumis_mining.serve.server import reports_dir

    report = tmp_path / "work" / "reports" / "topics.html"
    report.parent.mkdir(parents=True)
    report.write_text(REPORT_HTML)
    db = tmp_path / "data" / "corpus.db"
    db.parent.mkdir()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE topic_models (current INTEGER, report TEXT)")
    conn.execute("INSERT INTO topic_models VALUES (1, ?)", (str(report),))
    conn.commit()
    conn.close()
    assert report.parent == reports_dir(db)
