#!/usr/bin/env python
"""Render the bundled sample corpus (corpora/sample/) from its sources (corpora/sample-src/).

    python scripts/make_sample_corpus.py [--src corpora/sample-src] [--out corpora/sample]

`documents.toml` in the source folder lists every output file with the facts a correct parser
must recover; the script lays the regulations out as PDFs (fpdf2, core Times font, fixed dates,
so a re-run gives identical bytes), renders the news articles into cluttered HTML pages, and
writes `EXPECTED.json` next to them.

Regulation sources are plain text, one paragraph per line, with a little markup:

    ^ TEXT            centred line (wrapped and centred when long)
    **TEXT**          the whole line in bold
    > TEXT            line in the right-hand block (closing, addressee, lampiran heading)
    < TEXT            line in a left-hand block (promulgation, "Salinan sesuai", tembusan)
    (4 spaces)        one indentation level (articles quoted in an amending regulation)
    %page             page break; %penjelasan and %lampiran also break and start that part
    %table 10,40,..   table rows "cell | cell | ..." up to %end (first row is the header)
    (blank line)      half a line of vertical space

Headings (`BAB IV`, `Bagian Kedua`, `Paragraf 1`, `Pasal 5`, `Pasal I`) are centred and kept
with the next line; `Menimbang :`, `Mengingat :`, `KESATU :` and the like open a label column;
`(1)`, `a.` and `1.` hang their text after the label, nested by context.
Page furniture is added per document: `SALINAN`, page numbers (`- 2 -` or a footer), catchwords
at the page foot (`Pasal 5 . . .`), paraf boxes, hyphenated line ends, and pages rasterised
into an image with no text layer (those need OCR).
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import json
import re
import string
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
PAGE_SIZES = {"A4": (210.0, 297.0), "F4": (215.0, 330.0)}
LEFT, RIGHT, TOP, BOTTOM = 30.0, 20.0, 25.0, 32.0  # page margins, mm
FIRST_TOP = 22.0
RIGHT_BLOCK = 85.0  # where the right-hand block starts, mm from the left margin
INDENT = 10.0  # one source indentation level, mm
COLUMN_COLON, COLUMN_TEXT = 28.0, 32.0  # "Menimbang :" column, mm from the frame
LABEL_WIDTH = {"ayat": 9.0, "huruf": 7.0, "angka": 8.0}
RASTER_DPI = 250
HYPHENATION_ROOM = 18.0  # mm left on a line before a long word is hyphenated
FONT_CANDIDATES = (  # (regular, bold) serif TrueType fonts for rasterised pages
    ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
     "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSerif.ttf", "/usr/share/fonts/dejavu/DejaVuSerif-Bold.ttf"),
    ("/usr/share/fonts/TTF/DejaVuSerif.ttf", "/usr/share/fonts/TTF/DejaVuSerif-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
     "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf"),
)
KEYWORDS = (
    "Menimbang|Mengingat|Memperhatikan|Menetapkan|Kepada|Untuk|KESATU|KEDUA|KETIGA|KEEMPAT"
    "|KELIMA|KEENAM|KETUJUH|KEDELAPAN|KESEMBILAN|KESEPULUH"
)
DIKTUM = set(KEYWORDS.split("|")[6:])
KEYWORD_RE = re.compile(rf"^({KEYWORDS})\s*:\s*(.*)$")
HEADING_RE = re.compile(r"^(BAB [IVXLC]+|Bagian \w+|Paragraf \d+|Pasal \d+[A-Z]?|Pasal [IVXLC]+)$")
TITLED_HEADING_RE = re.compile(r"^(BAB [IVXLC]+|Bagian \w+|Paragraf \d+)$")
AYAT_RE = re.compile(r"^(\(\d+[a-z]?\))\s+(.*)$")
HURUF_RE = re.compile(r"^([a-z]\.)\s+(.*)$")
ANGKA_RE = re.compile(r"^(\d{1,2}\.)\s+(.*)$")
VOWELS = set("aeiou")
DIGRAPHS = ("ng", "ny", "kh", "sy")
HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
         "September", "Oktober", "November", "Desember")


# --------------------------------------------------------------------------- layout records


@dataclass(frozen=True)
class Text:
    x: float  # mm from the page's left edge
    y: float  # baseline, mm from the strip's (later the page's) top
    text: str
    bold: bool = False
    size: float = 12.0


@dataclass(frozen=True)
class Rule:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass
class Strip:
    """A horizontal slice of the flow that is never split across pages."""

    height: float
    ops: list = field(default_factory=list)
    lead: str | None = None  # its first words, for the catchword on the page before
    keep_with_next: bool = False
    kind: str = "text"  # "text" | "gap" | "break"
    tag: str | None = None  # "pasal:5", recorded in EXPECTED with its page


@dataclass
class Page:
    strips: list = field(default_factory=list)
    ops: list = field(default_factory=list)
    ended_by_break: bool = False


class Measure:
    def __init__(self) -> None:
        self._pdf = FPDF(unit="mm")
        self._pdf.add_page()

    def width(self, text: str, bold: bool = False, size: float = 12.0) -> float:
        self._pdf.set_font("Times", "B" if bold else "", size)
        return self._pdf.get_string_width(text)


# --------------------------------------------------------------------------- regulation layout


def hyphen_points(word: str) -> list[int]:
    """Indonesian syllable breaks (V-CV, VC-CV) of a lowercase word, 4+ letters each side.

    Breaks next to the digraphs ng, ny, kh, sy and before h are skipped, and so is a short
    tail: those are where morphology (sumbang-an, pemerintah-an) beats syllables.
    """
    points = []
    for i in range(4, len(word) - 3):
        a, b, c = word[i - 1], word[i], word[i + 1]
        if word[i - 2 : i] in DIGRAPHS or word[i : i + 2] in DIGRAPHS or b == "h":
            continue
        if a in VOWELS and b not in VOWELS and c in VOWELS:
            points.append(i)
        elif a not in VOWELS and b not in VOWELS and c in VOWELS and word[i - 2] in VOWELS:
            points.append(i)
    return points


class Layout:
    """Turns a regulation source into strips: the flow of one document before pagination."""

    def __init__(self, spec: dict, measure: Measure) -> None:
        self.m = measure
        self.text_w = PAGE_SIZES[spec.get("page_size", "A4")][0] - LEFT - RIGHT
        self.lh = float(spec.get("line_height", 6.0))
        self.size = float(spec.get("font_size", 12.0))
        self.hyphenate = bool(spec.get("hyphenate", False))
        self.strips: list[Strip] = []
        self.hyphenations: list[str] = []
        self.part = "body"  # "body" | "penjelasan" | "lampiran"
        self.column = False
        self.ctx: dict[int, dict[str, float]] = {}
        self.centre_next = False

    # words to lines --------------------------------------------------------
    def wrap(self, text: str, width: float, bold: bool = False,
             hyphenate: bool = False) -> list[str]:
        space = self.m.width(" ", bold, self.size)
        lines, current, used = [], [], 0.0
        words = text.split()
        while words:
            word = words.pop(0)
            w = self.m.width(word, bold, self.size)
            extra = w if not current else used + space + w
            if extra <= width or not current:
                current.append(word)
                used = extra
                continue
            split = self._split(word, width - used - space, bold) if hyphenate else None
            if split:
                head, tail = split
                current.append(head + "-")
                self.hyphenations.append(f"{head}-\n{tail}")
                words.insert(0, tail)
            else:
                words.insert(0, word)
            lines.append(" ".join(current))
            current, used = [], 0.0
        if current:
            lines.append(" ".join(current))
        return lines

    def _split(self, word: str, room: float, bold: bool) -> tuple[str, str] | None:
        match = re.fullmatch(r"([a-z]{9,})([,.;:]?)", word)
        if not match or room < HYPHENATION_ROOM:
            return None
        core, punct = match.groups()
        for i in reversed(hyphen_points(core)):
            if self.m.width(core[:i] + "-", bold, self.size) <= room:
                return core[:i], core[i:] + punct
        return None

    # strips ----------------------------------------------------------------
    def line_strip(self, x: float, width: float, line: str, justify: bool, bold: bool,
                   label: tuple[float, str] | None = None, lead: str | None = None) -> Strip:
        base = self.lh * 0.72
        ops = []
        if label:
            ops.append(Text(label[0], base, label[1], bold, self.size))
        words = line.split()
        if justify and len(words) > 1:
            natural = sum(self.m.width(w, bold, self.size) for w in words)
            gap = (width - natural) / (len(words) - 1)
            pos = x
            for i, word in enumerate(words):
                shown = word if i == len(words) - 1 else word + " "
                ops.append(Text(round(pos, 3), base, shown, bold, self.size))
                pos += self.m.width(word, bold, self.size) + gap
        else:
            ops.append(Text(round(x, 3), base, line, bold, self.size))
        if lead is None and words:
            two = words[0] in ("Pasal", "Ayat", "Huruf", "Angka", "BAB", "Bagian", "Paragraf")
            lead = " ".join(words[:2]) if two else words[0]
            lead = f"{label[1]} {lead}" if label else lead
        return Strip(self.lh, ops, lead=lead)

    def paragraph(self, x: float, width: float, text: str, label: tuple[float, str] | None = None,
                  justify: bool = True, bold: bool = False) -> None:
        lines = self.wrap(text, width, bold, self.hyphenate and justify)
        for i, line in enumerate(lines):
            last = i == len(lines) - 1
            self.strips.append(self.line_strip(x, width, line, justify and not last, bold,
                                               label if i == 0 else None))

    def centred(self, x: float, width: float, text: str, bold: bool, keep: bool = False,
                tag: str | None = None) -> None:
        lines = self.wrap(text, min(width, 135.0) if len(text) > 60 else width, bold)
        for i, line in enumerate(lines):
            w = self.m.width(line, bold, self.size)
            strip = self.line_strip(x + (width - w) / 2, w, line, False, bold, lead=line)
            strip.keep_with_next = keep
            if i == 0:
                strip.tag = tag
            self.strips.append(strip)

    def gap(self, lines: float = 0.5) -> None:
        self.strips.append(Strip(self.lh * lines, kind="gap"))

    def page_break(self) -> None:
        self.strips.append(Strip(0.0, kind="break"))

    # source lines ----------------------------------------------------------
    def feed(self, raw: str) -> None:
        if not raw.strip():
            self.gap()
            return
        if raw.startswith("%"):
            self.directive(raw[1:].split(maxsplit=1))
            return
        block = raw[0] in "<>"
        right = raw.startswith(">")
        line = raw[1:] if block else raw
        if block and line.startswith(" "):
            line = line[1:]
        level = (len(line) - len(line.lstrip(" "))) // 4
        line = line.strip()
        centre = line.startswith("^")
        if centre:
            line = line[1:].strip()
        bold = line.startswith("**") and line.endswith("**") and len(line) > 4
        if bold:
            line = line[2:-2]
        x0 = LEFT + (RIGHT_BLOCK if right else 0.0) + level * INDENT
        width = (self.text_w - RIGHT_BLOCK if right else self.text_w) - level * INDENT
        if block:
            self.column = False
            start = len(self.strips)
            if centre:
                self.centred(x0, width, line, bold)
            elif line:
                self.paragraph(x0, width, line, justify=False, bold=bold)
            else:
                self.gap(1.0)
            for strip in self.strips[start:]:
                strip.keep_with_next = True  # a block stays on one page
            return
        for deeper in [k for k in self.ctx if k > level]:
            del self.ctx[deeper]
        ctx = self.ctx.setdefault(level, {})
        if centre:
            self.column = False
            self.centred(x0, width, line, bold, keep=True)
            return
        if self.centre_next:
            self.centre_next = False
            self.centred(x0, width, line, bold, keep=True)
            return
        if HEADING_RE.match(line):
            self.column = False
            self.heading(line, level, x0, width, bold)
            ctx.clear()
            return
        keyword = KEYWORD_RE.match(line)
        if keyword:
            self.column = True
            ctx.clear()
            word, rest = keyword.groups()
            strip = self.line_strip(x0, 0, word, False, bold)
            strip.ops.append(Text(x0 + COLUMN_COLON, strip.ops[0].y, ":", bold, self.size))
            if word in DIKTUM:
                strip.tag = f"diktum:{word}"
            if not rest:
                self.strips.append(strip)
                return
            start = len(self.strips)
            self.item(rest, x0 + COLUMN_TEXT, width - COLUMN_TEXT, ctx, bold)
            first = self.strips[start]
            first.ops = strip.ops + first.ops
            first.lead, first.tag = word, strip.tag
            return
        if self.column:
            self.item(line, x0 + COLUMN_TEXT, width - COLUMN_TEXT, ctx, bold)
        else:
            self.item(line, x0, width, ctx, bold)

    def heading(self, line: str, level: int, x0: float, width: float, bold: bool) -> None:
        tag = None
        if line.startswith("Pasal") and self.part != "lampiran":
            kind = "pasal" if level == 0 and self.part == "body" else (
                "amended" if self.part == "body" else "penjelasan")
            tag = f"{kind}:{line.split()[1]}"
        elif line.startswith("BAB") and level == 0 and self.part == "body":
            tag = f"bab:{line.split()[1]}"
        if self.part == "penjelasan":
            self.paragraph(x0, width, line, justify=False, bold=bold)
            self.strips[-1].keep_with_next = True
            self.strips[-1].tag, self.strips[-1].lead = tag, line
            return
        self.centred(x0, width, line, bold, keep=True, tag=tag)
        self.centre_next = bool(TITLED_HEADING_RE.match(line))

    def item(self, line: str, x0: float, width: float, ctx: dict, bold: bool) -> None:
        for kind, regex in (("ayat", AYAT_RE), ("huruf", HURUF_RE), ("angka", ANGKA_RE)):
            match = regex.match(line)
            if match:
                break
        else:
            kind, match = "plain", None
        if kind == "ayat":
            base = x0
            ctx.pop("huruf", None)
            ctx["ayat"] = base + LABEL_WIDTH["ayat"]
        elif kind == "huruf":
            base = ctx.get("ayat", x0)
            ctx["huruf"] = base + LABEL_WIDTH["huruf"]
        elif kind == "angka":
            base = ctx.get("huruf", ctx.get("ayat", x0))
        else:
            base = ctx.get("huruf", ctx.get("ayat", x0)) if line[:1].islower() else x0
        right_edge = x0 + width
        if match:
            label, body = match.groups()
            text_x = base + LABEL_WIDTH[kind]
            self.paragraph(text_x, right_edge - text_x, body, label=(base, label), bold=bold)
        else:
            self.paragraph(base, right_edge - base, line, bold=bold)

    def directive(self, parts: list[str]) -> None:
        name = parts[0]
        if name == "page":
            self.page_break()
        elif name in ("penjelasan", "lampiran"):
            self.page_break()
            self.part = name
            self.column = False
            self.ctx.clear()
        else:
            raise ValueError(f"unknown directive %{name}")

    def table(self, widths: list[float], rows: list[list[str]]) -> None:
        size, lh, pad = self.size - 1.0, self.lh * 0.85, 1.5
        saved, self.size = self.size, size
        for r, cells in enumerate(rows):
            header = r == 0
            wrapped = [self.wrap(c, w - 2 * pad, header) for c, w in zip(cells, widths)]
            height = max(len(w) for w in wrapped) * lh + 2 * pad
            ops, x = [], LEFT
            for col, (lines, w) in enumerate(zip(wrapped, widths)):
                for i, line in enumerate(lines):
                    tw = self.m.width(line, header, size)
                    tx = x + (w - tw) / 2 if header or col == 0 else x + pad
                    ops.append(Text(round(tx, 3), pad + i * lh + lh * 0.72, line, header, size))
                ops.append(Rule(x, 0, x, height))
                x += w
            ops += [Rule(x, 0, x, height), Rule(LEFT, 0, x, 0), Rule(LEFT, height, x, height)]
            lead = " ".join((cells[0] + " " + cells[1]).split()[:2])
            self.strips.append(Strip(height, ops, lead=lead, keep_with_next=header))
        self.size = saved


def layout_source(text: str, spec: dict, measure: Measure) -> Layout:
    layout = Layout(spec, measure)
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        raw = lines[i].rstrip()
        if raw.startswith("%table"):
            widths = [float(w) for w in raw.split()[1].split(",")]
            rows = []
            i += 1
            while lines[i].strip() != "%end":
                rows.append([c.strip() for c in lines[i].split("|")])
                i += 1
            layout.table(widths, rows)
        else:
            layout.feed(raw)
        i += 1
    return layout


# --------------------------------------------------------------------------- pagination


def paginate(strips: list[Strip], page_h: float) -> list[Page]:
    pages, y = [Page()], FIRST_TOP
    bottom = page_h - BOTTOM

    def new_page() -> None:
        nonlocal y
        pages.append(Page())
        y = TOP

    for i, strip in enumerate(strips):
        page = pages[-1]
        if strip.kind == "break":
            if page.strips:
                page.ended_by_break = True
                new_page()
            continue
        if strip.kind == "gap" and not page.strips:
            continue
        need, j = strip.height, i
        while strips[j].keep_with_next and j + 1 < len(strips):
            j += 1
            need += strips[j].height
        if y + need > bottom and page.strips:
            new_page()
            page = pages[-1]
            if strip.kind == "gap":
                continue
        page.strips.append(strip)
        for op in strip.ops:
            if isinstance(op, Text):
                page.ops.append(Text(op.x, round(op.y + y, 3), op.text, op.bold, op.size))
            else:
                page.ops.append(Rule(op.x1, round(op.y1 + y, 3), op.x2, round(op.y2 + y, 3)))
        y += strip.height
    return pages


def decorate(pages: list[Page], spec: dict, measure: Measure) -> dict:
    """Add page furniture; return what was added, per page, for EXPECTED.json."""
    page_w, page_h = PAGE_SIZES[spec.get("page_size", "A4")]
    noise: dict = {"salinan": None, "page_headers": {}, "footers": {}, "catchwords": {},
                   "paraf_pages": []}
    if spec.get("salinan", True):
        pages[0].ops.append(Text(LEFT, 13.0, "SALINAN", True, 12.0))
        noise["salinan"] = "SALINAN"
    total = len(pages)
    for n, page in enumerate(pages, start=1):
        style = spec.get("page_numbers", "dash")
        if style == "dash" and n > 1:
            label = f"- {n} -"
            w = measure.width(label)
            page.ops.append(Text(LEFT + (page_w - LEFT - RIGHT - w) / 2, 15.0, label))
            noise["page_headers"][str(n)] = label
        elif style == "footer":
            label = f"{spec['footer']} | Halaman {n} dari {total}"
            w = measure.width(label, size=9.0)
            page.ops.append(Text(LEFT + (page_w - LEFT - RIGHT - w) / 2, page_h - 12.0, label,
                                 size=9.0))
            noise["footers"][str(n)] = label
        if spec.get("catchwords", True) and n < total and not page.ended_by_break:
            lead = next(s.lead for s in pages[n].strips if s.lead)
            word = f"{lead} . . ."
            w = measure.width(word)
            page.ops.append(Text(page_w - RIGHT - w, page_h - BOTTOM + 7.0, word))
            noise["catchwords"][str(n)] = word
        every = spec.get("paraf_every")
        if every and (n - 1) % every == 0:
            page.ops += paraf_box(page_h)
            noise["paraf_pages"].append(n)
    return noise


def paraf_box(page_h: float) -> list:
    """The small 'Paraf Koordinasi' table that drafting offices print at a page foot."""
    names = ("Paraf Koordinasi", "Sekda", "Asisten Pemkesra", "Kabag Hukum", "Kadinsos")
    x, y, w1, w2, h = LEFT, page_h - BOTTOM + 3.0, 30.0, 14.0, 4.2
    right, bottom = x + w1 + w2, y + len(names) * h
    ops = [Rule(x, y, right, y), Rule(x, y, x, bottom), Rule(right, y, right, bottom)]
    for i, name in enumerate(names):
        top = y + i * h
        ops += [Text(x + 1.2, top + 3.0, name, i == 0, 7.0), Rule(x, top + h, right, top + h)]
        if i:
            ops.append(Rule(x + w1, top, x + w1, top + h))
    return ops


# --------------------------------------------------------------------------- rendering


def find_font(bold: bool) -> str:
    candidates = list(FONT_CANDIDATES)
    try:  # matplotlib ships DejaVu Serif when the system has no fonts
        import matplotlib

        data = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        candidates.append((str(data / "DejaVuSerif.ttf"), str(data / "DejaVuSerif-Bold.ttf")))
    except ImportError:
        pass
    for regular, heavy in candidates:
        path = heavy if bold else regular
        if Path(path).is_file():
            return path
    raise SystemExit(
        "No serif TrueType font found to rasterise the scanned pages (looked for DejaVu Serif "
        "and Liberation Serif); install fonts-dejavu-core or matplotlib."
    )


def raster_page(page: Page, page_w: float, page_h: float, measure: Measure) -> bytes:
    scale_px = RASTER_DPI / 25.4
    image = Image.new("L", (round(page_w * scale_px), round(page_h * scale_px)), 255)
    draw = ImageDraw.Draw(image)
    fonts: dict = {}
    sample = "Penanggulangan kemiskinan dilaksanakan secara terpadu"
    for op in page.ops:
        if isinstance(op, Rule):
            draw.line([(op.x1 * scale_px, op.y1 * scale_px), (op.x2 * scale_px, op.y2 * scale_px)],
                      fill=0, width=2)
            continue
        key = (op.bold, op.size)
        if key not in fonts:
            path = find_font(op.bold)
            probe = ImageFont.truetype(path, 100)
            ratio = measure.width(sample, op.bold, op.size) * scale_px / probe.getlength(sample)
            fonts[key] = ImageFont.truetype(path, max(8, round(100 * ratio)))
        draw.text((op.x * scale_px, op.y * scale_px), op.text, font=fonts[key], fill=0,
                  anchor="ls")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def render_pdf(pages: list[Page], spec: dict, measure: Measure) -> bytes:
    page_w, page_h = PAGE_SIZES[spec.get("page_size", "A4")]
    pdf = FPDF(unit="mm", format=(page_w, page_h))
    pdf.set_compression(False)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    day = dt.date.fromisoformat(spec["enacted_on"])
    pdf.set_creation_date(dt.datetime(day.year, day.month, day.day, 9, 0,
                                      tzinfo=dt.timezone(dt.timedelta(hours=7))))
    pdf.set_producer("fpdf2")
    if spec.get("pdf_title"):
        pdf.set_title(spec["pdf_title"])
    if spec.get("pdf_creator"):
        pdf.set_creator(spec["pdf_creator"])
    pdf.set_line_width(0.2)
    image_pages = set(spec.get("image_pages", []))
    for n, page in enumerate(pages, start=1):
        pdf.add_page()
        if n in image_pages:
            pdf.image(io.BytesIO(raster_page(page, page_w, page_h, measure)), x=0, y=0,
                      w=page_w, h=page_h)
            continue
        for op in page.ops:
            if isinstance(op, Rule):
                pdf.line(op.x1, op.y1, op.x2, op.y2)
            else:
                pdf.set_font("Times", "B" if op.bold else "", op.size)
                pdf.text(op.x, op.y, op.text)
    return bytes(pdf.output())


# --------------------------------------------------------------------------- expected facts


def plain_text(source: str) -> str:
    """The source's words without markup, for checking the expected sentences."""
    words = []
    for line in source.splitlines():
        if line.startswith("%") or "|" in line:
            continue
        line = line.lstrip(">").strip().lstrip("^").strip().strip("*")
        words.append(line)
    return " ".join(" ".join(words).split())


def printed_lines(page: Page) -> list[str]:
    """What a page shows, line by line from the top: the ground truth for OCR of that page."""
    rows: dict[float, list[Text]] = {}
    for op in page.ops:
        if isinstance(op, Text):
            rows.setdefault(round(op.y, 1), []).append(op)
    return [" ".join(" ".join(op.text for op in sorted(ops, key=lambda o: o.x)).split())
            for _, ops in sorted(rows.items())]


def structure(layout: Layout, pages: list[Page]) -> dict:
    found: dict[str, list[str]] = {"bab": [], "pasal": [], "amended": [], "penjelasan": [],
                                   "diktum": []}
    pasal_pages = {}
    for n, page in enumerate(pages, start=1):
        for strip in page.strips:
            if strip.tag:
                kind, value = strip.tag.split(":")
                found[kind].append(value)
                if kind == "pasal":
                    pasal_pages[value] = n
    return {
        "bab": found["bab"],
        "pasal": found["pasal"],
        "amended_pasal": found["amended"],
        "diktum": found["diktum"],
        "penjelasan_pasal": found["penjelasan"],
        "has_penjelasan": bool(found["penjelasan"]),
        "pasal_pages": pasal_pages,
    }


def build_pdf(spec: dict, src: Path, out: Path, measure: Measure) -> dict:
    source = (src / spec["source"]).read_text(encoding="utf-8")
    source.encode("latin-1")  # core fonts: the text must fit Windows-1252/Latin-1
    layout = layout_source(source, spec, measure)
    page_h = PAGE_SIZES[spec.get("page_size", "A4")][1]
    pages = paginate(layout.strips, page_h)
    noise = decorate(pages, spec, measure)
    target = out / spec["file"]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(render_pdf(pages, spec, measure))
    clean = plain_text(source)
    for sentence in spec["sentences"]:
        if sentence not in clean:
            raise SystemExit(f"{spec['source']}: expected sentence not in source: {sentence!r}")
    noise["hyphenations"] = layout.hyphenations
    image_text = {str(n): printed_lines(pages[n - 1]) for n in spec.get("image_pages", [])}
    facts = {k: spec.get(k) for k in ("doc_type", "number", "year", "title", "issuer", "region",
                                      "enacted_on", "promulgated_on", "amends", "citation")}
    facts.update(kind="pdf", pages=len(pages), page_size=spec.get("page_size", "A4"))
    facts.update(structure(layout, pages))
    facts.update(has_lampiran=layout.part == "lampiran",
                 image_pages=spec.get("image_pages", []), image_text=image_text,
                 pdf_title=spec.get("pdf_title"), noise=noise, sentences=spec["sentences"])
    return facts


# --------------------------------------------------------------------------- news pages


def read_article(path: Path) -> tuple[dict, list[str]]:
    head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    meta = {}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip()
    return meta, [p.strip() for p in body.strip().split("\n") if p.strip()]


def tanggal(moment: dt.datetime, with_day: bool = True) -> str:
    date = f"{moment.day} {BULAN[moment.month - 1]} {moment.year}"
    return f"{HARI[moment.weekday()]}, {date}" if with_day else date


def build_news(slug: str, spec: dict, articles: dict, outlets: dict, src: Path, out: Path) -> dict:
    meta, paragraphs = articles[slug]
    outlet = outlets[meta["outlet"]]
    published = dt.datetime.fromisoformat(meta["published"])
    site = f"https://{outlet['domain']}"

    def link(other: str) -> tuple[str, str]:
        """(url, title) of another article: a corpus slug, or "Title | path" off the corpus."""
        if other in articles:
            other_meta = articles[other][0]
            return f"{site}/{section_slug(other_meta)}/{other[11:]}", other_meta["title"]
        title, _, path = other.partition("|")
        return f"{site}/{path.strip()}", title.strip()

    url = f"{site}/{section_slug(meta)}/{slug[11:]}"
    body, texts = [], []
    clutter = ["Baca Juga", "Terpopuler", *outlet["clutter"]]
    for para in paragraphs:
        if para.startswith("Baca Juga:"):
            target, title = link(para.split(":", 1)[1].strip())
            body.append(outlet["baca_juga"].format(url=target, title=html.escape(title)))
            clutter.append(title)
            continue
        shown = html.escape(para, quote=False)
        if not texts:
            shown = f"<strong>{outlet['dateline']}</strong> &ndash; {shown}"
        texts.append(para)
        body.append(f"<p>{shown}</p>")
    related = [link(s.strip()) for s in meta.get("related", "").split(";") if s.strip()]
    clutter += [title for _, title in related] + outlet["popular"][:2]
    tags = [t.strip() for t in meta["tags"].split(";")]
    visible = meta["date_style"] == "visible"
    values = {
        "charset": meta.get("charset", "utf-8"),
        "title": html.escape(meta["title"]),
        "description": html.escape(texts[0][:150].rsplit(" ", 1)[0]),
        "url": url,
        "section": meta["section"],
        "section_url": f"{site}/{section_slug(meta)}",
        "published_meta": "" if visible else (
            f'<meta property="article:published_time" content="{published.isoformat()}">'),
        "dateline": (f"{tanggal(published)} | {published:%H:%M} WIB" if visible
                     else f"{published:%d/%m/%Y, %H:%M} WIB"),
        "body": "\n".join("        " + b for b in body),
        "tags": "\n".join(f'          <a href="{site}/tag/{t.lower().replace(" ", "-")}" '
                          f'rel="tag">{html.escape(t)}</a>' for t in tags),
        "related": "\n".join(f'        <li><a href="{u}">{html.escape(t)}</a></li>'
                             for u, t in related),
        "popular": "\n".join(f'          <li><a href="{site}/populer/{k}">{html.escape(t)}</a></li>'
                             for k, t in enumerate(outlet["popular"], start=1)),
        "year": str(published.year),
    }
    template = string.Template((src / "news" / outlet["template"]).read_text(encoding="utf-8"))
    target = out / "news" / f"{slug}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(template.substitute(values).encode("utf-8"))  # whatever it declares
    joined = " ".join(texts)
    for sentence in spec["sentences"]:
        if sentence not in joined:
            raise SystemExit(f"{slug}: expected sentence not in body: {sentence!r}")
    for item in clutter:
        if item in joined:
            raise SystemExit(f"{slug}: clutter string also in body: {item!r}")
    return {
        "kind": "html", "doc_type": "news", "title": meta["title"], "publisher": outlet["name"],
        "year": published.year, "published": published.date().isoformat(),
        "published_at": published.isoformat(),
        "date_source": "visible" if visible else "meta", "declared_charset": values["charset"],
        "charset": "utf-8", "region": "Kabupaten Sragen", "url": url,
        "unrelated": spec.get("unrelated", False), "paragraphs": len(texts),
        "sentences": spec["sentences"], "clutter": list(dict.fromkeys(clutter)),
    }


def section_slug(meta: dict) -> str:
    return meta["section"].lower().replace(" ", "-")


# --------------------------------------------------------------------------- main


def build(src: Path, out: Path) -> dict:
    config = tomllib.loads((src / "documents.toml").read_text(encoding="utf-8"))
    measure = Measure()
    expected: dict = {"about": config["about"], "notes": config["notes"], "files": {}}
    for spec in config["pdf"]:
        expected["files"][spec["file"]] = build_pdf(spec, src, out, measure)
    articles = {p.stem: read_article(p) for p in sorted((src / "news").glob("*.txt"))}
    for spec in config["news"]:
        slug = spec["slug"]
        expected["files"][f"news/{slug}.html"] = build_news(
            slug, spec, articles, config["outlets"], src, out)
    missing = set(articles) - {s["slug"] for s in config["news"]}
    if missing:
        raise SystemExit(f"news sources without a documents.toml entry: {sorted(missing)}")
    expected["files"] = dict(sorted(expected["files"].items()))
    (out / "EXPECTED.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=ROOT / "corpora" / "sample-src")
    parser.add_argument("--out", type=Path, default=ROOT / "corpora" / "sample")
    args = parser.parse_args(argv)
    expected = build(args.src, args.out)
    for name, facts in expected["files"].items():
        extra = f"{facts['pages']} pages" if facts["kind"] == "pdf" else facts["published"]
        print(f"{name}: {extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
