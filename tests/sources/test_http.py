"""The fetcher against a local HTTP server: faults, conditional GET, rate limit, host checks,
retries, and fetching entries into the store."""

from __future__ import annotations

import hashlib
import io
import itertools
import socket
import threading
import time
import zipfile

import pytest
from fpdf import FPDF
from httpfixture import FixtureServer, Reply

from tumis_mining.records import SourceDocument
from tumis_mining.sources import http as http_module
from tumis_mining.sources.base import (
    Entry,
    FetchError,
    FetchSettings,
    Unchanged,
    Validators,
)
from tumis_mining.sources.http import (
    HttpFetcher,
    fetch_entry,
    is_public_address,
    retrying,
    safe_filename,
)

FAST = FetchSettings(allow_private_hosts=True, timeout=0.5, max_bytes=1_000_000, max_redirects=3,
                     rate_limit=0.0, retries=0, backoff=0.0)
LAST_MODIFIED = "Wed, 12 Oct 2022 08:00:00 GMT"
HTML_PAGE = (b"<!DOCTYPE html><html><head><title>JDIH Kabupaten Sragen</title></head>"
             b"<body><p>Dokumen tidak ditemukan</p></body></html>")


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, "PERATURAN BUPATI SRAGEN\nNOMOR 12 TAHUN 2022\nTENTANG DESA TUNTAS KEMISKINAN")
    return bytes(pdf.output())


@pytest.fixture
def http_server():
    with FixtureServer() as server:
        yield server


@pytest.fixture
def fetcher():
    with HttpFetcher(FAST) as client:
        yield client


def fetch_error(call) -> FetchError:
    with pytest.raises(FetchError) as info:
        call()
    return info.value


# -- plain responses and conditional GET --------------------------------------------------------


def test_get_returns_body_type_validators_and_bare_filename(http_server, fetcher, pdf_bytes):
    url = http_server.add(
        "/perbup-12-2022.pdf", pdf_bytes, content_type="application/pdf; qs=0.9", etag='"v1"',
        last_modified=LAST_MODIFIED,
        headers={"Content-Disposition": 'attachment; filename="../../Perbup 12.pdf"'},
    )
    response = fetcher.get(url, expect="pdf")
    assert (url, 200, pdf_bytes) == (response.url, response.status, response.content)
    assert ("application/pdf", '"v1"', LAST_MODIFIED, "Perbup 12.pdf") == (
        response.media_type, response.etag, response.last_modified, response.filename)


def test_conditional_get_answers_304_with_the_returned_validators(http_server, fetcher, pdf_bytes):
    url = http_server.add("/perda.pdf", pdf_bytes, etag='"abc"', last_modified=LAST_MODIFIED)
    first = fetcher.get(url)
    second = fetcher.get(url, validators=Validators(etag=first.etag,
                                                    last_modified=first.last_modified))
    assert (200, 304, True, b"") == (first.status, second.status, second.not_modified, second.content)
    assert ('"abc"', LAST_MODIFIED) == (second.etag, second.last_modified)
    sent = http_server.requests[1].headers
    assert ('"abc"', LAST_MODIFIED) == (sent["If-None-Match"], sent["If-Modified-Since"])


def test_if_modified_since_alone_gives_304_and_a_new_etag_gives_200(http_server, fetcher, pdf_bytes):
    url = http_server.add("/kepbup.pdf", pdf_bytes, etag='"v2"', last_modified=LAST_MODIFIED)
    assert 304 == fetcher.get(url, validators=Validators(last_modified=LAST_MODIFIED)).status
    assert 200 == fetcher.get(url, validators=Validators(etag='"v1"')).status


# -- server faults ------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "transient"), [(500, True), (503, True), (429, True),
                                                   (404, False), (403, False), (410, False)])
def test_http_errors_are_named_by_code(http_server, fetcher, status, transient):
    url = http_server.add("/x.pdf", b"error page", status=status)
    error = fetch_error(lambda: fetcher.get(url))
    assert (f"http_{status}", transient, "fetch", url) == (error.error, error.transient, error.stage,
                                                           error.url)


def test_server_errors_are_retried_then_succeed(http_server, fetcher, pdf_bytes):
    url = http_server.route("/flaky.pdf", Reply(status=500), Reply(status=502), Reply(pdf_bytes))
    waits = []
    response = retrying(lambda: fetcher.get(url), retries=3, backoff=0.1, sleep=waits.append)
    assert (pdf_bytes, 3, [0.1, 0.2]) == (response.content, http_server.hits("/flaky.pdf"), waits)


def test_server_errors_are_recorded_after_the_last_retry(http_server, fetcher):
    url = http_server.add("/down.pdf", status=500)
    waits = []
    error = fetch_error(lambda: retrying(lambda: fetcher.get(url), 2, 0.5, sleep=waits.append))
    assert ("http_500", 3, [0.5, 1.0]) == (error.error, http_server.hits("/down.pdf"), waits)


def test_a_client_error_is_not_retried(http_server, fetcher):
    url = http_server.add("/gone.pdf", status=404)
    error = fetch_error(lambda: retrying(lambda: fetcher.get(url), 3, 0.0, sleep=lambda s: None))
    assert ("http_404", 1) == (error.error, http_server.hits("/gone.pdf"))


def test_a_slow_server_times_out(http_server, fetcher):
    url = http_server.route("/slow.pdf", Reply.slow(2.0))
    started = time.monotonic()
    error = fetch_error(lambda: fetcher.get(url))
    assert ("timeout", True) == (error.error, error.transient)
    assert time.monotonic() - started < 1.5


def test_a_timeout_is_retried(http_server, fetcher, pdf_bytes):
    url = http_server.route("/slow-once.pdf", Reply.slow(2.0), Reply(pdf_bytes))
    response = retrying(lambda: fetcher.get(url), retries=1, backoff=0.0)
    assert (pdf_bytes, 2) == (response.content, http_server.hits("/slow-once.pdf"))


def test_a_truncated_body_is_a_transient_failure(http_server, fetcher, pdf_bytes):
    url = http_server.route("/cut.pdf", Reply.truncated(pdf_bytes[:300]))
    error = fetch_error(lambda: fetcher.get(url))
    assert ("truncated", True) == (error.error, error.transient)


def test_a_refused_connection_is_a_transient_failure(fetcher):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = fetch_error(lambda: fetcher.get(f"http://127.0.0.1:{port}/perda.pdf"))
    assert ("connection", True) == (error.error, error.transient)


# -- size cap -----------------------------------------------------------------------------------


def test_a_declared_length_over_the_cap_is_refused_before_reading(http_server):
    url = http_server.add("/huge.pdf", b"%PDF-1.4\n" + b"0" * 5_000, content_type="application/pdf")
    with HttpFetcher(FetchSettings(allow_private_hosts=True, timeout=0.5, max_bytes=4_000,
                                   rate_limit=0)) as small:
        error = fetch_error(lambda: small.get(url))
    assert ("too_large", False) == (error.error, error.transient)
    assert "5009 bytes declared (the limit is 4000)" in str(error)


def test_an_endless_body_stops_at_the_cap(http_server):
    url = http_server.route("/endless.pdf", Reply.endless())
    started = time.monotonic()
    with HttpFetcher(FetchSettings(allow_private_hosts=True, timeout=0.5, max_bytes=300_000,
                                   rate_limit=0)) as small:
        error = fetch_error(lambda: small.get(url))
    assert ("too_large", "more than 300000 bytes") == (error.error, str(error).split("too large: ")[1])
    assert time.monotonic() - started < 2.0


def test_a_download_that_goes_on_too_long_stops_at_max_seconds(http_server):
    url = http_server.route("/trickle.pdf", Reply.endless(chunk=b"%PDF-1.4\n" + b"0" * 1015))
    started = time.monotonic()
    with HttpFetcher(FetchSettings(allow_private_hosts=True, timeout=0.5, max_seconds=0.3,
                                   max_bytes=10**10, rate_limit=0)) as patient:
        error = fetch_error(lambda: patient.get(url))
    assert ("timeout", True) == (error.error, error.transient)
    assert "took longer than 0.3 s" in str(error)
    assert time.monotonic() - started < 3.0


# -- content sniffing ---------------------------------------------------------------------------


def test_an_html_page_sent_as_pdf_is_not_a_pdf(http_server, fetcher):
    url = http_server.add("/download.pdf", HTML_PAGE, content_type="application/pdf")
    error = fetch_error(lambda: fetcher.get(url, expect="pdf"))
    assert ("not_pdf", False, f"{url}: the server sent an HTML page, not a PDF") == (
        error.error, error.transient, str(error))


def test_a_zip_sent_as_pdf_is_not_a_pdf(http_server, fetcher):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("perbup.txt", "PERATURAN BUPATI SRAGEN")
    url = http_server.add("/lampiran.pdf", archive.getvalue(), content_type="application/pdf")
    error = fetch_error(lambda: fetcher.get(url, expect="pdf"))
    assert ("not_pdf", f"{url}: the server sent a ZIP archive, not a PDF") == (error.error, str(error))


def test_a_pdf_sent_as_html_is_judged_by_its_bytes(http_server, fetcher, pdf_bytes):
    url = http_server.add("/view?id=12", pdf_bytes, content_type="text/html; charset=utf-8")
    response = fetcher.get(url, expect="pdf")
    assert (pdf_bytes, "text/html") == (response.content, response.media_type)


def test_html_is_accepted_without_an_expectation(http_server, fetcher):
    url = http_server.add("/berita/desa-tumis", HTML_PAGE, content_type="text/html")
    assert HTML_PAGE == fetcher.get(url).content


# -- redirects and schemes ----------------------------------------------------------------------


def test_a_redirect_is_followed(http_server, fetcher, pdf_bytes):
    http_server.route("/old/perbup.pdf", Reply.redirect("/new/perbup.pdf", status=301))
    new = http_server.add("/new/perbup.pdf", pdf_bytes)
    response = fetcher.get(http_server.url("/old/perbup.pdf"))
    assert (new, pdf_bytes) == (response.url, response.content)


def test_a_redirect_loop_is_a_failure(http_server, fetcher):
    http_server.route("/a", Reply.redirect("/b"))
    http_server.route("/b", Reply.redirect("/a"))
    error = fetch_error(lambda: fetcher.get(http_server.url("/a")))
    assert ("redirect_loop", False, 1, 1) == (error.error, error.transient, http_server.hits("/a"),
                                              http_server.hits("/b"))


def test_too_many_redirects_are_a_failure(http_server, fetcher):
    for hop in range(10):
        http_server.route(f"/hop/{hop}", Reply.redirect(f"/hop/{hop + 1}", status=307))
    error = fetch_error(lambda: fetcher.get(http_server.url("/hop/0")))
    assert ("redirect_loop", "more than 3 redirects") == (error.error, str(error).split(": ")[1])
    assert [1, 1, 1, 1, 0] == [http_server.hits(f"/hop/{hop}") for hop in range(5)]


@pytest.mark.parametrize("target", ["ftp://jdih.example.go.id/perbup.pdf", "FILE:///etc/passwd",
                                    "javascript:alert(1)", "data:text/html,hi"])
def test_a_redirect_to_another_scheme_is_refused(http_server, fetcher, target):
    url = http_server.route("/download", Reply.redirect(target))
    error = fetch_error(lambda: fetcher.get(url))
    assert ("bad_scheme", False) == (error.error, error.transient)


def test_a_redirect_to_an_unparsable_url_is_a_failure(http_server, fetcher):
    url = http_server.route("/download", Reply.redirect("http://[::1/perbup.pdf"))
    error = fetch_error(lambda: fetcher.get(url))
    assert ("bad_url", f"{url}: redirected to an invalid URL (Invalid IPv6 URL)") == (
        error.error, str(error))


@pytest.mark.parametrize("url", ["ftp://jdih.example.go.id/perbup.pdf", "file:///etc/passwd",
                                 "/relative/perbup.pdf"])
def test_a_url_that_is_not_http_is_refused(fetcher, url):
    assert "bad_scheme" == fetch_error(lambda: fetcher.get(url)).error


# -- private hosts ------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_is_refused_unless_allowed(http_server, pdf_bytes, host):
    http_server.add("/perbup.pdf", pdf_bytes)
    with HttpFetcher(FetchSettings(timeout=0.5, rate_limit=0)) as strict:
        error = fetch_error(lambda: strict.get(http_server.url("/perbup.pdf", host=host)))
    assert ("private_host", False, []) == (error.error, error.transient, http_server.requests)
    assert "allow_private_hosts" in str(error)


def test_every_redirect_hop_is_checked(http_server, pdf_bytes, monkeypatch):
    real_resolve = http_module._resolve

    def resolve(host, port):  # 127.0.0.1 plays a public host; localhost stays local
        return ["93.184.216.34"] if host == "127.0.0.1" else real_resolve(host, port)

    monkeypatch.setattr(http_module, "_resolve", resolve)
    http_server.add("/internal.pdf", pdf_bytes)
    url = http_server.route("/out", Reply.redirect(http_server.url("/internal.pdf", host="localhost")))
    with HttpFetcher(FetchSettings(timeout=0.5, rate_limit=0)) as strict:
        error = fetch_error(lambda: strict.get(url))
    assert ("private_host", 1, 0) == (error.error, http_server.hits("/out"),
                                      http_server.hits("/internal.pdf"))


@pytest.mark.parametrize(("address", "public"), [
    ("93.184.216.34", True), ("2606:4700:4700::1111", True), ("127.0.0.1", False),
    ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False), ("169.254.169.254", False),
    ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.251", False), ("240.0.0.1", False),
    ("::1", False), ("fe80::1%eth0", False), ("fd00::1", False), ("::ffff:127.0.0.1", False),
    ("ff0e::1", False),
])
def test_which_addresses_are_public(address, public):
    assert public == is_public_address(address)


# -- rate limit ---------------------------------------------------------------------------------


def test_requests_to_one_host_are_spaced_by_the_rate_limit(http_server, pdf_bytes):
    url = http_server.add("/perbup.pdf", pdf_bytes)
    settings = FetchSettings(allow_private_hosts=True, timeout=0.5, rate_limit=0.2)
    with HttpFetcher(settings) as polite:
        started = time.monotonic()
        polite.get(url)
        polite.get(url)
        elapsed = time.monotonic() - started
    assert elapsed >= 0.2
    first, second = http_server.requests
    assert second.at - first.at >= 0.15  # arrival times, less the connection set-up jitter


def test_the_rate_limit_holds_across_threads(http_server, pdf_bytes):
    url = http_server.add("/perbup.pdf", pdf_bytes)
    settings = FetchSettings(allow_private_hosts=True, timeout=0.5, rate_limit=0.2)
    with HttpFetcher(settings) as polite:
        threads = [threading.Thread(target=polite.get, args=(url,)) for _ in range(3)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=5)
        elapsed = time.monotonic() - started
    arrivals = sorted(r.at for r in http_server.requests)
    assert (3, True) == (len(arrivals), elapsed >= 0.4)
    assert all(later - earlier >= 0.15 for earlier, later in itertools.pairwise(arrivals))


def test_other_hosts_do_not_wait(http_server, pdf_bytes):
    http_server.add("/perbup.pdf", pdf_bytes)
    settings = FetchSettings(allow_private_hosts=True, timeout=0.5, rate_limit=2.0)
    with HttpFetcher(settings) as polite:
        started = time.monotonic()
        polite.get(http_server.url("/perbup.pdf", host="127.0.0.1"))
        polite.get(http_server.url("/perbup.pdf", host="localhost"))
        elapsed = time.monotonic() - started
    assert elapsed < 1.0


# -- retrying -----------------------------------------------------------------------------------


def test_retrying_counts_attempts_and_doubles_the_wait():
    calls, waits = [], []

    def call():
        calls.append(1)
        if len(calls) < 3:
            raise FetchError("busy", error="http_503", transient=True)
        return "done"

    assert ("done", 3, [1.0, 2.0]) == (retrying(call, 5, 1.0, sleep=waits.append), len(calls), waits)


def test_retrying_raises_the_last_error_and_stops_on_a_permanent_one():
    calls = []

    def call():
        calls.append(1)
        raise FetchError(f"attempt {len(calls)}", error="timeout", transient=True)

    error = fetch_error(lambda: retrying(call, 2, 0.0, sleep=lambda s: None))
    assert ("attempt 3", 3) == (str(error), len(calls))

    calls.clear()

    def permanent():
        calls.append(1)
        raise FetchError("gone", error="http_404")

    assert "http_404" == fetch_error(lambda: retrying(permanent, 5, 0.0)).error
    assert 1 == len(calls)


# -- fetch_entry --------------------------------------------------------------------------------


def test_a_file_entry_is_handed_over_by_path(tmp_path, pdf_bytes):
    path = tmp_path / "perbup-12-2022.pdf"
    path.write_bytes(pdf_bytes)
    entry = Entry("sample", str(path), hints={"jenis": "Peraturan Bupati"})
    expected = SourceDocument(source=str(path), path=path, source_name="sample",
                              hints={"jenis": "Peraturan Bupati"})
    assert expected == fetch_entry(entry, None, tmp_path / "store", None)
    assert expected == fetch_entry(entry, None, tmp_path / "store", Validators(sha256="0" * 64))
    same = Validators(sha256=hashlib.sha256(pdf_bytes).hexdigest())
    assert Unchanged(entry, "same_sha256") == fetch_entry(entry, None, tmp_path / "store", same)


def test_a_url_entry_is_stored_and_then_unchanged(http_server, fetcher, pdf_bytes, tmp_path):
    url = http_server.add("/perbup-12-2022.pdf", pdf_bytes, content_type="application/pdf",
                          etag='"r1"', last_modified=LAST_MODIFIED)
    entry = Entry("jdih-sragen", url, hints={"noPeraturan": "12"}, expect="pdf")
    store = tmp_path / "store"
    document = fetch_entry(entry, fetcher, store, None)
    assert (url, url, None, "application/pdf", "jdih-sragen", {"noPeraturan": "12"}) == (
        document.source, document.url, document.content, document.media_type,
        document.source_name, document.hints)
    assert ('"r1"', LAST_MODIFIED) == (document.etag, document.last_modified)
    assert (".pdf", pdf_bytes, True) == (document.path.suffix, document.read_bytes(),
                                         document.path.is_relative_to(store.resolve()))
    assert [document.path] == [p for p in store.rglob("*") if p.is_file()]  # no temp file left

    known = Validators(etag=document.etag, last_modified=document.last_modified,
                       sha256=hashlib.sha256(pdf_bytes).hexdigest())
    assert Unchanged(entry, "not_modified") == fetch_entry(entry, fetcher, store, known)


def test_a_url_entry_with_the_same_bytes_is_unchanged(http_server, fetcher, pdf_bytes, tmp_path):
    url = http_server.add("/no-validators.pdf", pdf_bytes)
    entry = Entry("listing", url)
    known = Validators(sha256=hashlib.sha256(pdf_bytes).hexdigest())
    assert Unchanged(entry, "same_sha256") == fetch_entry(entry, fetcher, tmp_path, known)
    assert [] == list(tmp_path.iterdir())


def test_a_url_entry_is_retried_and_a_failure_writes_nothing(http_server, fetcher, pdf_bytes, tmp_path):
    flaky = http_server.route("/flaky.pdf", Reply(status=503), Reply(pdf_bytes))
    document = fetch_entry(Entry("feed", flaky), fetcher, tmp_path / "store", None, retries=1)
    assert (2, pdf_bytes) == (http_server.hits("/flaky.pdf"), document.read_bytes())

    cut = http_server.route("/cut.pdf", Reply.truncated(pdf_bytes[:200]))
    error = fetch_error(lambda: fetch_entry(Entry("feed", cut), fetcher, tmp_path / "other", None,
                                            retries=2))
    assert ("truncated", 3, False) == (error.error, http_server.hits("/cut.pdf"),
                                       (tmp_path / "other").exists())


def test_nothing_a_url_or_header_says_writes_outside_the_store(http_server, fetcher, pdf_bytes, tmp_path):
    http_server.add("/evil.pdf", pdf_bytes,
                    headers={"Content-Disposition": 'attachment; filename="../../evil.pdf"'})
    location = http_server.url("/docs/../../../evil.pdf")
    store = tmp_path / "deep" / "store"
    document = fetch_entry(Entry("../../escape", location), fetcher, store, None)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert [document.path] == written
    assert document.path.is_relative_to(store.resolve())
    assert "evil.pdf" != document.path.name
    assert "evil.pdf" == fetcher.get(location).filename


def test_an_html_page_is_stored_with_its_own_suffix(http_server, fetcher, tmp_path):
    url = http_server.add("/berita/desa-tumis-jabung", HTML_PAGE, content_type="text/html")
    document = fetch_entry(Entry("news", url, expect="html"), fetcher, tmp_path, None)
    assert (".html", "text/html") == (document.path.suffix, document.media_type)


@pytest.mark.parametrize(("header", "name"), [
    (None, None),
    ('attachment; filename="../../evil.pdf"', "evil.pdf"),
    ("attachment; filename*=UTF-8''..%2F..%2Fperda%205%20tahun%202021.pdf", "perda 5 tahun 2021.pdf"),
    ('attachment; filename="C:\\\\Windows\\\\perbup.pdf"', "perbup.pdf"),
    ('attachment; filename=".."', None),
    ("inline", None),
])
def test_safe_filename_keeps_a_bare_name(header, name):
    assert name == safe_filename(header)
