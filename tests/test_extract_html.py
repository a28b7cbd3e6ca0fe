"""Article text of HTML pages: the body without the portal around it, dates, charsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from tumis_mining.errors import ExtractionError
from tumis_mining.extract.html import decode_html, extract_html, indonesian_page_date

DATA = Path(__file__).parent / "data"


def _extract(name: str, **kwargs):
    return extract_html((DATA / name).read_bytes(), source=name, sha256="0" * 64, **kwargs)


DESA_TUMIS_PARAGRAPHS = [
    "SRAGEN – Bupati Sragen resmi mencanangkan program Desa Tuntas Kemiskinan atau Desa Tumis "
    "di Balai Desa Jabung, Kecamatan Plupuh, Senin (14/3/2023). Program ini menyasar rumah "
    "tangga miskin ekstrem yang tercatat dalam Data Terpadu Kesejahteraan Sosial (DTKS) desa "
    "setempat.",
    "Dalam sambutannya, Bupati menegaskan bahwa penanggulangan kemiskinan tidak bisa dikerjakan "
    "pemerintah daerah sendirian. Karena itu, Pemkab Sragen menggandeng BAZNAS, Lazismu, "
    "Lazisnu, PLN, PMI, serta tanggung jawab sosial perusahaan (CSR) yang beroperasi di wilayah "
    "Sragen.",
    '"Kami ingin setiap warga miskin ditangani secara tuntas, dari rumah tidak layak huni, '
    "sambungan listrik, sampai modal usaha. Semua pihak duduk bersama dan berbagi peran,\" kata "
    "Bupati di hadapan perangkat desa dan tokoh masyarakat.",
    "Kepala Dinas Sosial Kabupaten Sragen menjelaskan, pada tahap awal sebanyak 112 rumah tangga "
    "di Desa Jabung menerima bantuan. Setiap keluarga mendapat paket bantuan senilai Rp1.500.000 "
    "serta pendampingan dari pekerja sosial masyarakat selama enam bulan.",
    "Menurut dia, Dinas Sosial bertindak sebagai koordinator, sedangkan Bapperida menyusun "
    "laporan capaian tiap triwulan. Forum koordinasi digelar sebulan sekali di kantor kecamatan "
    "untuk membahas kendala di lapangan.",
    "Kepala Desa Jabung menyambut baik program tersebut. Ia berharap pola kerja sama lintas "
    "lembaga itu bisa menjadi contoh bagi desa lain di Kabupaten Sragen.",
]

# Everything around the article on that page: none of it is article text.
DESA_TUMIS_CLUTTER = [
    "Situs ini menggunakan cookie",
    "Saya Setuju",
    "Beranda",
    "Indeks Berita",
    "Cari berita",
    "Tim Redaksi",
    "Bagikan",
    "Facebook",
    "WhatsApp",
    "Salin Tautan",
    "Suasana pencanangan",
    "Baca Juga",
    "Harga Gabah di Plupuh",
    "Tag:",
    "Pemkab Sragen Raih Penghargaan",
    "Beasiswa untuk Mahasiswa",
    "Terpopuler",
    "Pasar Bunder Direnovasi",
    "Topik Populer",
    "Pilkada",
    "Tentang Kami",
    "Pedoman Media Siber",
    "Hak cipta",
    "©",
]


def test_news_article_body_is_its_paragraphs():
    extracted = _extract("news_desa_tumis_jabung.html")
    assert DESA_TUMIS_PARAGRAPHS == extracted.text.split("\n\n")


def test_news_article_body_has_no_portal_clutter():
    text = _extract("news_desa_tumis_jabung.html").text
    assert [] == [clutter for clutter in DESA_TUMIS_CLUTTER if clutter in text]


def test_news_article_record():
    extracted = _extract("news_desa_tumis_jabung.html")
    assert ("html", 1, [1], ["trafilatura"], []) == (
        extracted.kind,
        len(extracted.pages),
        [page.page for page in extracted.pages],
        [page.extractor for page in extracted.pages],
        extracted.warnings,
    )


def test_news_article_meta_with_date_printed_in_the_page():
    # The page has no date in its metadata: the date comes from "Senin, 14 Maret 2023 10:15 WIB".
    assert {
        "title": "Bupati Sragen Canangkan Desa Tumis di Jabung, Kemiskinan Ekstrem Ditargetkan "
        "Tuntas",
        "date": "2023-03-14",
        "sitename": "Warta Sukowati",
        "url": "https://wartasukowati.example.id/pemerintahan/"
        "bupati-sragen-canangkan-desa-tumis-di-jabung",
    } == _extract("news_desa_tumis_jabung.html").meta


def test_url_given_by_the_caller_wins():
    extracted = _extract("news_desa_tumis_jabung.html", url="https://mirror.example.id/a/1")
    assert "https://mirror.example.id/a/1" == extracted.meta["url"]


def test_furniture_inside_the_article_body_is_dropped():
    # "Baca juga:" with its list of links, an ADVERTISEMENT slot and the editor line sit
    # inside the article's own <div>; the subheading and the article's own list stay.
    extracted = _extract("news_modal_usaha_gemolong_nopember.html")
    assert [
        "GEMOLONG – Dinas Sosial Kabupaten Sragen bersama BAZNAS Sragen menyalurkan bantuan "
        "modal usaha kepada 45 keluarga penerima manfaat di Kecamatan Gemolong, Rabu pagi. Bantuan "
        "diserahkan di pendapa kecamatan dan disaksikan para kepala desa.",
        "Kepala Dinas Sosial mengatakan, penerima dipilih dari keluarga yang masuk kategori miskin "
        "ekstrem dan sudah memiliki usaha kecil, seperti warung kelontong, penjual makanan "
        "keliling, dan perajin anyaman bambu.",
        "Pendampingan Selama Enam Bulan",
        "Selain modal, setiap penerima mengikuti pelatihan pembukuan sederhana dan pemasaran "
        "daring. Pendamping dari Dinas Koperasi dan UMKM akan berkunjung setiap dua pekan untuk "
        "memantau perkembangan usaha.",
        "Ketua BAZNAS Sragen menyebut dana yang disalurkan berasal dari zakat aparatur sipil "
        "negara. Ada tiga bentuk dukungan yang diberikan:",
        "modal usaha tunai sebesar Rp2.000.000 per keluarga;\n"
        "peralatan usaha sesuai kebutuhan;\n"
        "pelatihan dan pendampingan usaha.",
        "Program ini merupakan bagian dari gerakan Desa Tuntas Kemiskinan yang dicanangkan "
        "Pemerintah Kabupaten Sragen sejak 2022. Camat Gemolong berharap para penerima bisa "
        "mandiri dalam satu tahun.",
    ] == extracted.text.split("\n\n")


def test_date_near_the_headline_not_the_top_bar_date():
    # The top bar prints today's date ("Kamis, 7 Desember 2023"); the article was published
    # "Rabu, 1 Nopember 2023 - 09:00 WIB" (an old spelling htmldate does not know).
    meta = _extract("news_modal_usaha_gemolong_nopember.html").meta
    assert ("2023-11-01", "Kabar Bumi Sukowati", None) == (
        meta["date"],
        meta["sitename"],
        meta["url"],
    )


def test_date_from_the_page_metadata():
    assert "2023-06-05" == _extract("news_pelatihan_barista_cafe_desa.html").meta["date"]


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("Senin, 14 Maret 2023 10:15 WIB", "2023-03-14"),
        ("Rabu, 1 Nopember 2023 - 09:00 WIB", "2023-11-01"),
        ("Jum'at, 22 Desember 2023 | 13:45 WIB", "2023-12-22"),
        ("Diterbitkan 3 Agt. 2022", "2022-08-03"),
        ("Selasa (7/2/2023)", "2023-02-07"),
        ("Minggu, 31 Februari 2023", None),  # no such day
        ("Pukul 10:15 WIB", None),
    ],
)
def test_indonesian_page_date(printed, expected):
    html = f"<html><body><h1>Judul Berita</h1><p>{printed}</p><p>Isi berita.</p></body></html>"
    assert expected == indonesian_page_date(html, title="Judul Berita")


BARISTA_SENTENCES = [
    "Pelatihan berlangsung di café milik Badan Usaha Milik Desa",
    "selama tiga hari, 5–7 Juni 2023.",
    "“Kami ingin pemuda punya keterampilan",
    "membuka usaha sendiri,” ujar Kepala Desa Jabung",
    "pembuatan café latte dan crème brûlée sederhana.",
]


def _barista_page(declared_charset: str) -> str:
    page = (DATA / "news_pelatihan_barista_cafe_desa.html").read_text(encoding="utf-8")
    return page.replace('<meta charset="utf-8">', f'<meta charset="{declared_charset}">')


def test_page_declaring_latin1_but_holding_utf8():
    data = _barista_page("iso-8859-1").encode("utf-8")
    extracted = extract_html(data, source="a.html", sha256="0" * 64)
    assert ([], []) == (
        [s for s in BARISTA_SENTENCES if s not in extracted.text],
        extracted.warnings,
    )


def test_page_declaring_utf8_but_holding_windows_1252():
    data = _barista_page("utf-8").encode("cp1252")
    extracted = extract_html(data, source="a.html", sha256="0" * 64)
    assert ([], ["text is not UTF-8; decoded as cp1252"]) == (
        [s for s in BARISTA_SENTENCES if s not in extracted.text],
        extracted.warnings,
    )


def test_http_charset_that_is_wrong():
    data = _barista_page("utf-8").encode("utf-8")
    extracted = extract_html(
        data, source="a.html", sha256="0" * 64, media_type="text/html; charset=ISO-8859-1"
    )
    assert [] == [s for s in BARISTA_SENTENCES if s not in extracted.text]


def test_xhtml_declaration_with_a_wrong_encoding():
    page = '<?xml version="1.0" encoding="iso-8859-1"?>\n' + _barista_page("iso-8859-1")
    text, warnings = decode_html(page.encode("utf-8"))
    extracted = extract_html(page.encode("utf-8"), source="a.xhtml", sha256="0" * 64)
    assert (False, [], []) == (
        text.startswith("<?xml"),
        warnings,
        [s for s in BARISTA_SENTENCES if s not in extracted.text],
    )


def test_portal_home_page_has_no_article_text(realdata):
    page = realdata / "gov-html" / "jdih-banjarnegara_index_saved.html"
    with pytest.raises(ExtractionError) as raised:
        extract_html(page.read_bytes(), source=str(page), sha256="0" * 64)
    assert ("no_text", "extract", "no article text found in the HTML page (navigation only)") == (
        raised.value.error,
        raised.value.stage,
        str(raised.value),
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the HTML page is empty"),
        (b"  \n ", "the HTML page is empty"),
        (
            b"<html><body><nav><a href='/'>Beranda</a> <a href='/berita'>Berita</a></nav>"
            b"<ul><li><a href='/a'>Perbup Nomor 12 Tahun 2019</a></li></ul></body></html>",
            "no article text found in the HTML page (navigation only)",
        ),
    ],
)
def test_pages_without_text(data, message):
    with pytest.raises(ExtractionError) as raised:
        extract_html(data, source="x.html", sha256="0" * 64)
    assert ("no_text", message) == (raised.value.error, str(raised.value))
