"""Generate a long born-digital law PDF (BAB / Pasal / ayat) for the extraction benchmarks."""

from __future__ import annotations

import sys
from pathlib import Path

from datetime import datetime, timezone

from fpdf import FPDF

AYAT = [
    "Pemerintah Daerah melaksanakan penanggulangan kemiskinan secara terpadu, terukur, dan "
    "berkelanjutan dengan melibatkan perangkat daerah, pemerintah desa, dunia usaha, dan masyarakat.",
    "Pelaksanaan sebagaimana dimaksud pada ayat (1) dikoordinasikan oleh Tim Koordinasi "
    "Penanggulangan Kemiskinan Daerah yang dibentuk dengan Keputusan Bupati.",
    "Data rumah tangga miskin diverifikasi bersama oleh pemerintah desa, pendamping sosial, dan "
    "perangkat daerah yang membidangi urusan sosial paling sedikit 1 (satu) kali dalam setahun.",
    "Pendanaan kegiatan bersumber dari Anggaran Pendapatan dan Belanja Daerah, Anggaran Pendapatan "
    "dan Belanja Desa, tanggung jawab sosial perusahaan, zakat, infak, sedekah, dan sumber lain "
    "yang sah dan tidak mengikat sesuai dengan ketentuan peraturan perundang-undangan.",
]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
         "XV", "XVI", "XVII", "XVIII", "XIX", "XX"]


def make(pages: int, out: Path) -> Path:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=timezone.utc))
    pdf.set_auto_page_break(True, margin=25)
    pdf.set_font("Times", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 6, "UNDANG-UNDANG REPUBLIK INDONESIA\nNOMOR 99 TAHUN 2024\nTENTANG\n"
                   "PENANGGULANGAN KEMISKINAN TERPADU\n\nDENGAN RAHMAT TUHAN YANG MAHA ESA\n"
                   "PRESIDEN REPUBLIK INDONESIA,\n", align="C")
    pasal, bab = 1, 0
    while pdf.page_no() < pages:
        if pasal % 15 == 1 and bab < len(ROMAN):
            pdf.multi_cell(0, 6, f"\nBAB {ROMAN[bab]}\nKETENTUAN BAGIAN {bab + 1}\n", align="C", new_x="LMARGIN", new_y="NEXT")
            bab += 1
        pdf.multi_cell(0, 6, f"\nPasal {pasal}", align="C", new_x="LMARGIN", new_y="NEXT")
        for n, text in enumerate(AYAT, start=1):
            pdf.multi_cell(0, 6, f"({n}) {text}", new_x="LMARGIN", new_y="NEXT")
        pasal += 1
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    return out


def long_law(pages: int) -> Path:
    """The cached benchmark PDF of at least this many pages."""
    out = Path(__file__).resolve().parent / "out" / f"long-law-{pages}.pdf"
    if not out.exists():
        make(pages, out)
    return out


if __name__ == "__main__":
    print(long_law(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
