"""refresh_corpus over remote sources served by a local HTTP fixture: a JDIH feed, an HTML
listing with pagination, a news feed, and the faults of the web."""

from __future__ import annotations

import json

from flowkit import SAMPLE, rows, write_config
from httpfixture import Reply

from flows.refresh import run_refresh

PERBUP = (SAMPLE / "regulations" / "perbup-sragen-12-2022_desa-tuntas-kemiskinan.pdf").read_bytes()
INBUP = (SAMPLE / "regulations" / "inbup-sragen-3-2022_gotong-royong-rtlh.pdf").read_bytes()
PERDES = (SAMPLE / "regulations" / "perdes-jabung-4-2022_pelaksanaan-desa-tumis.pdf").read_bytes()
NEWS = (SAMPLE / "news" / "2022-04-12_rakor-desa-tumis-pendapa.html").read_bytes()
NEWS_2 = (SAMPLE / "news" / "2022-05-25_musdes-verifikasi-data-jabung.html").read_bytes()
ERROR_PAGE = b"<html><head><title>404</title></head><body>File tidak ditemukan</body></html>"

FETCH = 'allow_private_hosts = true\nrate_limit = 0\nretries = 2\nbackoff = 0\ntimeout = 1.0'


def _record(idx: str, url: str, **fields) -> dict:
    return {"idData": idx, "jenis": "Peraturan Bupati", "tempatTerbit": "Sragen",
            "urlDownload": url, **fields}


def _jdihn(http_server, records) -> str:
    return http_server.add("/integrasi/jdihn.json", json.dumps(records).encode(),
                           content_type="application/json")


def test_jdihn_feed_is_fetched_retried_sniffed_and_then_refreshed_incrementally(
        tmp_path, http_server):
    perbup = http_server.add("/uploads/perbup-12-2022.pdf", PERBUP,
                             content_type="application/pdf", etag='"v1"')
    flaky = http_server.route("/uploads/inbup-3-2022.pdf", Reply(status=500),
                              Reply(INBUP, content_type="application/pdf"))
    fake = http_server.add("/uploads/se-2022.pdf", ERROR_PAGE, content_type="application/pdf")
    feed = _jdihn(http_server, [
        _record("1", perbup, noPeraturan="21", tahun_pengundangan="2022"),  # the text says 12
        _record("2", flaky, jenis="Instruksi Bupati", noPeraturan="3"),
        _record("3", fake, jenis="Surat Edaran"),
    ])
    config = write_config(tmp_path, f'[[sources]]\nname = "jdih"\nkind = "jdihn"\nurl = "{feed}"\n',
                          fetch=FETCH)
    db = tmp_path / "corpus.db"

    first = run_refresh(config).sources["jdih"]
    assert (3, 2, 1) == (first.listed, first.new, first.failed)
    assert 2 == http_server.hits("/uploads/inbup-3-2022.pdf")  # a 500, retried, then the PDF
    assert [(fake, "fetch", "not_pdf")] == rows(db, "SELECT source, stage, error FROM failures")
    # What the text says wins; the feed's "Sragen" agrees with it, so no warning either.
    assert [("Kabupaten Sragen",)] == rows(db, "SELECT DISTINCT region FROM documents")
    assert [] == [w for (ws,) in rows(db, "SELECT warnings FROM documents")
                  for w in json.loads(ws) if "region" in w]
    assert {perbup, flaky} == {url for (url,) in rows(db, "SELECT url FROM documents")}
    [(number, warnings)] = rows(db, "SELECT number, warnings FROM documents WHERE url = ?", perbup)
    assert "12" == number  # what the document itself says wins over the feed ...
    assert [w for w in json.loads(warnings) if "number" in w and "'21'" in w]  # ... with a warning
    stored = tmp_path / "store"
    assert 2 == len(list(stored.rglob("*.pdf")))  # the fetched files, kept in the store

    second = run_refresh(config).sources["jdih"]
    assert (0, 0, 2, 1) == (second.new, second.changed, second.unchanged, second.failed)
    last = [r for r in http_server.requests if r.path == "/uploads/perbup-12-2022.pdf"][-1]
    assert '"v1"' == last.headers.get("If-None-Match")  # a conditional GET, answered 304

    _jdihn(http_server, [_record("1", perbup), _record("3", fake)])  # the instruction is gone
    third = run_refresh(config).sources["jdih"]
    assert (1, 1) == (third.unchanged, third.withdrawn)
    assert [("withdrawn",)] == rows(db, "SELECT status FROM documents WHERE url = ?", flaky)


def test_a_source_that_cannot_be_read_withdraws_nothing(tmp_path, http_server):
    pdf = http_server.add("/uploads/perdes.pdf", PERDES, content_type="application/pdf")
    feed = http_server.route("/jdihn.json", Reply(json.dumps([_record("1", pdf)]).encode(),
                                                  content_type="application/json"),
                             Reply(status=503))
    config = write_config(tmp_path, f'[[sources]]\nname = "jdih"\nkind = "jdihn"\nurl = "{feed}"\n',
                          fetch=FETCH)
    assert 1 == run_refresh(config).sources["jdih"].new
    counts = run_refresh(config)
    tally = counts.sources["jdih"]
    assert tally.error and "503" in tally.error
    assert 0 == tally.withdrawn
    assert [("active",)] == rows(tmp_path / "corpus.db", "SELECT status FROM documents")
    assert [(feed, "discover", "http_503")] == rows(
        tmp_path / "corpus.db", "SELECT source, stage, error FROM failures")
    assert 1 == counts.exit_status(0.5)  # every source down: the refresh did nothing


LISTING_PAGE = """<html><body><h1>Produk Hukum Kabupaten</h1>
<table class="table"><thead><tr><th>No</th><th>Jenis</th><th>Nomor</th><th>Tahun</th>
<th>Judul</th><th>Unduh</th></tr></thead><tbody>{rows}</tbody></table>
<ul class="pagination">{next}</ul></body></html>"""
LISTING_ROW = ("<tr><td>{n}</td><td>Peraturan Bupati</td><td>{n}</td><td>2022</td>"
               "<td>Tentang {title}</td><td><a href=\"{href}\">Download</a></td></tr>")


def _listing(http_server, pages: list[list[tuple[str, str]]]) -> str:
    first = None
    for number, links in enumerate(pages, start=1):
        body = "".join(LISTING_ROW.format(n=i, title=title, href=href)
                       for i, (title, href) in enumerate(links, start=1))
        nxt = f'<li class="next"><a href="/produk-hukum?page={number + 1}">&raquo;</a></li>' if (
            number < len(pages)) else ""
        url = http_server.add(f"/produk-hukum?page={number}" if number > 1 else "/produk-hukum",
                              LISTING_PAGE.format(rows=body, next=nxt).encode(),
                              content_type="text/html")
        first = first or url
    return first


def test_every_fault_of_the_web_becomes_a_failure_with_its_reason(tmp_path, http_server):
    good = http_server.add("/files/perbup.pdf", PERBUP, content_type="application/pdf")
    broken = http_server.add("/files/server-error.pdf", status=500)
    slow = http_server.route("/files/slow.pdf", Reply.slow(3.0, PERDES))
    cut = http_server.route("/files/cut.pdf", Reply.truncated(INBUP))
    html = http_server.add("/files/not-a.pdf", ERROR_PAGE, content_type="application/pdf")
    loop = http_server.route("/files/loop.pdf", Reply.redirect("/files/loop.pdf"))
    huge = http_server.route("/files/huge.pdf", Reply.endless())
    ftp = http_server.route("/files/elsewhere.pdf", Reply.redirect("ftp://127.0.0.1/x.pdf"))
    listing = _listing(http_server, [
        [("Desa Tuntas Kemiskinan", good), ("Galat Server", broken), ("Lambat", slow)],
        [("Terpotong", cut), ("Bukan PDF", html), ("Putaran", loop)],
        [("Raksasa", huge), ("Skema Lain", ftp)],
    ])
    config = write_config(
        tmp_path, f'[[sources]]\nname = "portal"\nkind = "listing"\nurl = "{listing}"\n',
        fetch=FETCH + "\nmax_bytes = 3000000")
    counts = run_refresh(config)
    tally = counts.sources["portal"]
    assert (8, 1, 7) == (tally.listed, tally.new, tally.failed)
    errors = dict(rows(tmp_path / "corpus.db", "SELECT source, error FROM failures"))
    assert {broken: "http_500", slow: "timeout", cut: "truncated", html: "not_pdf",
            loop: "redirect_loop", huge: "too_large", ftp: "bad_scheme"} == errors
    assert 3 == http_server.hits("/files/server-error.pdf")  # tried, then retried twice
    assert 1 == http_server.hits("/files/not-a.pdf")  # not worth a retry
    assert 0 == counts.exit_status(0.9)
    assert list((tmp_path / "store").rglob("*.tmp")) == []


def test_news_feed_articles_are_fetched_and_extracted(tmp_path, http_server):
    first = http_server.add("/berita/rakor-desa-tumis", NEWS, content_type="text/html")
    second = http_server.add("/berita/musdes-jabung", NEWS_2, content_type="text/html")
    rss = f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
<title>Berita Sragen</title><link>{http_server.base_url}</link><description>Berita</description>
<item><title>Rakor Desa Tumis</title><link>{first}</link>
<pubDate>Tue, 12 Apr 2022 09:00:00 +0700</pubDate></item>
<item><title>Musdes verifikasi data</title><link>{second}</link>
<pubDate>Wed, 25 May 2022 10:00:00 +0700</pubDate></item></channel></rss>"""
    feed = http_server.add("/rss.xml", rss.encode(), content_type="application/rss+xml")
    config = write_config(tmp_path, f'[[sources]]\nname = "berita"\nkind = "feed"\nurl = "{feed}"\n',
                          fetch=FETCH)
    tally = run_refresh(config).sources["berita"]
    assert (2, 2) == (tally.listed, tally.new)
    found = rows(tmp_path / "corpus.db",
                 "SELECT doc_type, published_at, passages > 0 FROM documents ORDER BY published_at")
    # The page's own date wins over the feed's (the second page says it was published a day later).
    assert [("news", "2022-04-12", 1), ("news", "2022-05-26", 1)] == [
        (t, (p or "")[:10], n) for t, p, n in found]
