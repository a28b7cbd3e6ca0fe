"""The structure of an Indonesian regulation or decree, as spans of its full text.

Follows UU 12/2011 Lampiran II: title block, ``Menimbang`` (a., b., ...), ``Mengingat`` (1.,
2., ...), ``MEMUTUSKAN: Menetapkan: ...``, the body (BAB / Bagian / Paragraf / Pasal, or a
decree's diktum KESATU, KEDUA, ...), the closing (``Ditetapkan di ...``), then an optional
``PENJELASAN`` (Umum; Pasal demi Pasal) and ``LAMPIRAN``. An amending regulation's body is
``Pasal I`` (numbered change points quoting the amended articles) and ``Pasal II``.

Headings are told from references by their place and their order: ``Pasal 12`` starts an article
only alone on its line and when 12 is the number expected next (a few skipped numbers are
tolerated, with a warning, when the text dropped a heading). That also reads the OCR-damaged
``Pasal 1O``, ``Pasal 2 4`` or a heading split over two lines, and rejects a catchword
(``Pasal 5 . . .``) or a wrapped reference (``... dalam`` / ``Pasal 4.``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tumis_mining.segment import headings as h
from tumis_mining.segment.headings import Line, Number
from tumis_mining.segment.metadata import TitleBlock, find_title_block, is_amending
from tumis_mining.segment.pieces import Span, chunk, chunk_prose, split_long

# How many article numbers a heading may skip (when the text dropped some headings).
MAX_SKIP = 5
MAX_SKIP_PENJELASAN = 10
# Lower-case words that end a line which a reference ("... dalam / Pasal 4") runs on from.
_CONNECTORS = frozenset(
    "dalam pada dan atau dengan oleh sampai menurut berdasarkan ketentuan sesuai terhadap "
    "dari ke di dimaksud serta jo. juncto huruf ayat angka yaitu yakni".split()
)
_CHANGE_OPENERS = (
    "ketentuan", "di antara", "diantara", "lampiran", "pasal", "bab", "judul", "penjelasan",
    "menambahkan", "menghapus", "mengubah", "bagian", "paragraf",
)  # fmt: skip
_CHANGE_WORDS = (
    "diubah",
    "dihapus",
    "disisipkan",
    "disisipi",
    "ditambah",
    "ditambahkan",
    "dicabut",
)


@dataclass
class LegalStructure:
    """The spans of a regulation, its title block, and where its closing lies."""

    title: TitleBlock
    spans: list[Span]
    closing: tuple[int, int] | None = None
    warnings: list[str] = field(default_factory=list)


def parse_legal(text: str) -> LegalStructure | None:
    """The legal structure of ``text``, or None when it has no regulation title block."""
    lines = h.split_lines(text)
    block = find_title_block(lines)
    if block is None:
        return None
    return _Parser(text, lines, block).run()


@dataclass
class _Unit:
    """A heading found in the body: where it starts and what it makes of what follows."""

    line: int
    kind: str  # "pasal", "quoted", "change", "diktum", "bab", "sub"
    label: str | None = None


class _Parser:
    def __init__(self, text: str, lines: list[Line], block: TitleBlock) -> None:
        self.text = text
        self.lines = lines
        self.block = block
        self.spans: list[Span] = []
        self.warnings: list[str] = []
        self.roman = is_amending(block.title)

    # --- the whole document ------------------------------------------------------------------

    def run(self) -> LegalStructure:
        lines, block = self.lines, self.block
        if block.lampiran:  # a Lampiran on its own: all of it, whatever came before its heading
            heading = next(
                i for i in range(block.start, -1, -1) if h.lampiran_line(lines[i].text) is not None
            )
            self._lampiran(0, len(lines), h.lampiran_line(lines[heading].text))
            return LegalStructure(block, self.spans, None, self.warnings)
        limit = self._first_heading(block.end)
        menimbang = self._find(block.end, limit, lambda t: h.label(t, "menimbang") is not None)
        after = menimbang if menimbang is not None else block.end
        mengingat = self._find(after, limit, lambda t: h.label(t, "mengingat") is not None)
        after = mengingat if mengingat is not None else after
        memperhatikan = self._find(after, limit, lambda t: h.label(t, "memperhatikan") is not None)
        after = memperhatikan if memperhatikan is not None else after
        decision = self._find(
            after,
            limit,
            lambda t: (
                h.persetujuan_bersama(t) or h.memutuskan(t) or h.label(t, "menetapkan") is not None
            ),
        )
        preamble = [i for i in (menimbang, mengingat, memperhatikan, decision) if i is not None]
        body_start = self._body_start(decision, limit) if preamble else min(limit, block.end)
        title_end = min([*preamble, body_start])
        self.spans.append(Span("title", lines[block.start].start, self._offset(title_end)))
        bounds = [*preamble, body_start]
        if menimbang is not None:
            self._items("menimbang", menimbang, bounds[bounds.index(menimbang) + 1], "menimbang")
        if mengingat is not None:
            self._items("mengingat", mengingat, bounds[bounds.index(mengingat) + 1], "mengingat")
        if memperhatikan is not None:
            self._items(
                "mengingat", memperhatikan, bounds[bounds.index(memperhatikan) + 1], "memperhatikan"
            )
        if decision is not None and body_start > decision:
            self.spans.append(
                Span("title", lines[decision].start, self._offset(body_start), item="Menetapkan")
            )
        closing, tails = self._tail_parts(body_start)
        body_end = min(
            [p for p in [closing] + [t[0] for t in tails] if p is not None] + [len(lines)]
        )
        self._body(body_start, body_end)
        closing_span = None
        if closing is not None:
            closing_end = min([t[0] for t in tails if t[0] > closing] + [len(lines)])
            closing_span = (lines[closing].start, self._offset(closing_end))
            self.spans.append(Span("closing", *closing_span))
        for k, (start, kind, number) in enumerate(tails):
            end = tails[k + 1][0] if k + 1 < len(tails) else len(lines)
            if kind == "penjelasan":
                self._penjelasan(start, end)
            else:
                self._lampiran(start, end, number)
        return LegalStructure(block, self.spans, closing_span, self.warnings)

    def _offset(self, line_index: int) -> int:
        """The offset where line ``line_index`` starts (the text's end past the last line)."""
        if line_index >= len(self.lines):
            return len(self.text)
        return self.lines[line_index].start

    def _find(self, lo: int, hi: int, test) -> int | None:
        return next((i for i in range(lo, hi) if test(self.lines[i].text)), None)

    def _first_heading(self, lo: int) -> int:
        """The first line from ``lo`` that opens the body: BAB I, Pasal 1 / I, KESATU."""
        for i in range(lo, len(self.lines)):
            text = self.lines[i].text
            bab = h.bab_heading(text)
            if bab and 1 in bab.readings:
                return i
            pasal = h.pasal_heading(text, roman=True)
            if (
                pasal
                and not pasal.bare
                and any(r.value == 1 and not r.suffix for r in pasal.readings)
            ):
                return i
            diktum = h.diktum_heading(text)
            if diktum and diktum[0] == 1:
                return i
        return len(self.lines)

    def _body_start(self, decision: int | None, limit: int) -> int:
        if decision is None or limit < len(self.lines):
            return limit
        # No heading at all: the body follows the "Menetapkan: ..." sentence.
        for i in range(decision, len(self.lines)):
            if self.lines[i].stripped.endswith("."):
                return i + 1
        return len(self.lines)

    def _tail_parts(self, body_start: int) -> tuple[int | None, list[tuple[int, str, str | None]]]:
        """The closing line, and the (line, "penjelasan"/"lampiran", number) parts after it."""
        closing = next(
            (
                i
                for i in range(body_start, len(self.lines))
                if h.closing_line(
                    self.lines[i].text, "\n".join(line.text for line in self.lines[i + 1 : i + 6])
                )
            ),
            None,
        )
        tails: list[tuple[int, str, str | None]] = []
        for i in range(body_start, len(self.lines)):
            text = self.lines[i].text
            settled = (closing is not None and i > closing) or bool(tails)
            if h.penjelasan_line(text) and (settled or self._names_regulation(i)):
                tails.append((i, "penjelasan", None))
            elif (number := h.lampiran_line(text)) is not None and (
                settled or self._names_regulation(i)
            ):
                tails.append((i, "lampiran", number))
        if closing is not None and tails and tails[0][0] < closing:
            closing = None  # a "Ditetapkan" inside a Penjelasan or Lampiran: not the closing
        return closing, tails

    def _names_regulation(self, i: int) -> bool:
        """Whether the lines after ``i`` name a regulation (a PENJELASAN/LAMPIRAN heading's)."""
        following = " ".join(line.text for line in self.lines[i : i + 4]).upper()
        return any(
            word in following for word in ("PERATURAN", "UNDANG-UNDANG", "KEPUTUSAN", "NOMOR")
        )

    # --- preamble ----------------------------------------------------------------------------

    def _items(self, section: str, lo: int, hi: int, label_name: str) -> None:
        """One span per ``a.``/``1.`` item of a Menimbang or Mengingat block."""
        lines = self.lines
        first = lines[lo]
        label_end = h.label(first.text, label_name) or 0
        starts: list[tuple[int, str]] = []  # (offset, item)
        letters = numbers = None
        for i in range(lo, hi):
            line = lines[i]
            text, base = (
                (line.text[label_end:], line.start + label_end)
                if i == lo
                else (line.text, line.start)
            )
            letter = h.letter_item(text)
            number = h.number_item(text, expected=len(starts) + 1)
            if letter and numbers is None and letter[0] == chr(ord("a") + len(starts)):
                letters = True
                starts.append((base + len(text) - len(text.lstrip()), letter[0]))
            elif number and letters is None and number[0] == len(starts) + 1:
                numbers = True
                starts.append((base + len(text) - len(text.lstrip()), str(number[0])))
        end = self._offset(hi)
        content_start = first.start + label_end
        if not starts or self.text[content_start : starts[0][0]].strip():
            starts.insert(0, (content_start, None))
        for k, (offset, item) in enumerate(starts):
            stop = starts[k + 1][0] if k + 1 < len(starts) else end
            if self.text[offset:stop].strip():
                label = label_name.capitalize() + (
                    f" {'huruf' if letters else 'angka'} {item}" if item else ""
                )
                self.spans.extend(chunk(Span(section, offset, stop, item=label), lines, self.text))

    # --- body --------------------------------------------------------------------------------

    def _body(self, lo: int, hi: int) -> None:
        units = self._units(lo, hi, penjelasan=False)
        if self.roman and not any(unit.kind == "pasal" for unit in units):
            self.roman = False  # titled "Perubahan" but numbered like any regulation
            units = self._units(lo, hi, penjelasan=False)
        self._unit_spans(lo, hi, units, section="body")

    def _units(self, lo: int, hi: int, *, penjelasan: bool) -> list[_Unit]:
        lines = self.lines
        units: list[_Unit] = []
        diktum_mode = False
        expected, expected_bab, expected_diktum, expected_change = 1, 1, 1, 1
        last: Number | None = None
        quoted: Number | None = None
        top = 0  # the current top-level (Roman) Pasal while amending
        section_name = "Penjelasan" if penjelasan else "body"
        skip = MAX_SKIP_PENJELASAN if penjelasan else MAX_SKIP
        i = lo
        while i < hi:
            text = lines[i].text
            if lines[i].blank:
                i += 1
                continue
            if not units and not penjelasan:
                diktum = h.diktum_heading(text)
                diktum_mode = bool(diktum and diktum[0] == 1)
            if diktum_mode:
                diktum = h.diktum_heading(text)
                if diktum and diktum[0] == expected_diktum:
                    units.append(_Unit(i, "diktum", diktum[1]))
                    expected_diktum += 1
                i += 1
                continue
            amending_inside = self.roman and top == 1
            if not amending_inside and not penjelasan:
                bab = h.bab_heading(text)
                if bab:
                    value = next(
                        (v for v in bab.readings if expected_bab <= v <= expected_bab + 1), None
                    )
                    if value is not None:
                        units.append(_Unit(i, "bab", h.to_roman(value)))
                        expected_bab = value + 1
                    i += 1
                    continue
                if h.subsection_heading(text):
                    units.append(_Unit(i, "sub"))
                    i += 1
                    continue
            found = self._pasal_at(i, hi)
            if found is not None:
                start, end, heading = found
                if self.roman:
                    roman = next(
                        (
                            r
                            for r in heading.readings
                            if r.quality == "roman" and r.value == top + 1
                        ),
                        None,
                    )
                    if roman is not None:
                        top = roman.value
                        units.append(_Unit(start, "pasal", h.to_roman(top)))
                        i = end + 1
                        continue
                    if (
                        top == 1
                        and (number := self._quoted_number(heading, quoted, start)) is not None
                    ):
                        quoted = number
                        units.append(_Unit(start, "quoted", number.label))
                        i = end + 1
                        continue
                else:
                    number = self._next_number(heading, expected, last, start, end, skip)
                    if number is not None:
                        if number.value > expected:
                            missing = ", ".join(str(n) for n in range(expected, number.value))
                            self.warnings.append(
                                f"{section_name}: no heading found for Pasal {missing} "
                                f"(before Pasal {number.label}, line {start + 1})"
                            )
                        units.append(_Unit(start, "pasal", number.label))
                        last, expected = number, number.value + 1
                        i = end + 1
                        continue
            if self.roman and top == 1 and not penjelasan:
                item = h.number_item(text)
                if item and item[0] == expected_change and self._is_change_point(i, hi):
                    units.append(_Unit(i, "change", str(item[0])))
                    expected_change += 1
            i += 1
        return units

    def _pasal_at(self, i: int, hi: int) -> tuple[int, int, h.PasalHeading] | None:
        """A Pasal heading at line ``i`` (possibly split over two lines): (start, end, heading)."""
        lines = self.lines
        heading = h.pasal_heading(lines[i].text, roman=self.roman)
        if heading is None:
            return None
        if not heading.bare:
            return i, i, heading
        # "Pasal" alone: its number on the next line ("Pasal" / "1 1") or the one before ("2l").
        following = next((j for j in range(i + 1, min(hi, i + 3)) if not lines[j].blank), None)
        if following is not None and (readings := h.bare_number(lines[following].text)):
            return i, following, h.PasalHeading(tuple(readings), False)
        previous = next((j for j in range(i - 1, max(-1, i - 3), -1) if not lines[j].blank), None)
        if previous is not None and (readings := h.bare_number(lines[previous].text)):
            return previous, i, h.PasalHeading(tuple(readings), False)
        return None

    def _looks_like_heading_place(self, start: int, end: int) -> bool:
        """No reference runs into the heading, and what follows it is not a sentence's tail."""
        previous = start - 1
        if previous >= 0 and not self.lines[previous].blank:  # a blank line ends any sentence
            before = self.lines[previous].stripped
            last_word = before.split()[-1] if before.split() else ""
            if last_word in _CONNECTORS or before.endswith(",") or re.search(r"[a-z]-$", before):
                return False
        after = next(
            (
                self.lines[j].stripped
                for j in range(end + 1, min(len(self.lines), end + 4))
                if not self.lines[j].blank
            ),
            "",
        )
        return not (
            after[:1].islower() and after.split()[0] in ("ayat", "huruf", "angka", "dan", "atau")
        )

    def _next_number(
        self,
        heading: h.PasalHeading,
        expected: int,
        last: Number | None,
        start: int,
        end: int,
        skip: int,
    ) -> Number | None:
        if not self._looks_like_heading_place(start, end):
            return None
        for reading in heading.readings:
            if reading.quality == "roman":
                continue
            if reading.value == expected and not reading.suffix:
                return reading
            if (
                last is not None
                and reading.quality == "clean"
                and reading.value == last.value
                and reading.suffix
                and reading.suffix > last.suffix
                and not heading.trailing_period
            ):
                return reading
        for reading in heading.readings:
            if (
                reading.quality in ("clean", "spaced")
                and not reading.suffix
                and expected < reading.value <= expected + skip
                and not heading.trailing_period
            ):
                return reading
        if last is None:  # a text that starts past Pasal 1 (an excerpt): take a clean first heading
            clean = [
                r for r in heading.readings if r.quality == "clean" and not heading.trailing_period
            ]
            return clean[0] if clean else None
        return None

    def _quoted_number(
        self, heading: h.PasalHeading, previous: Number | None, start: int
    ) -> Number | None:
        """An article quoted inside an amending Pasal I: ``Pasal 81A``, after the ones before it."""
        if heading.trailing_period or not self._looks_like_heading_place(start, start):
            return None
        before = next(
            (line.stripped for line in reversed(self.lines[:start]) if not line.blank), ""
        )
        announced = before.endswith(":")  # "... sehingga berbunyi sebagai berikut:"
        for reading in heading.readings:
            if reading.quality != "clean":
                continue
            later = previous is None or (reading.value, reading.suffix) > (
                previous.value,
                previous.suffix,
            )
            if later or announced:
                return reading
        return None

    def _is_change_point(self, i: int, hi: int) -> bool:
        """``3. Ketentuan ayat (2) Pasal 22 diubah, sehingga ...``: one instruction of Pasal I."""
        words = []
        for j in range(i, min(hi, i + 4)):
            if j > i and (
                h.starts_list_item(self.lines[j].text) or h.pasal_heading(self.lines[j].text)
            ):
                break
            words.append(self.lines[j].stripped)
        item = " ".join(words)
        body = item.split(".", 1)[1].strip().lower() if "." in item else item.lower()
        opens = body.startswith(_CHANGE_OPENERS)
        changes = any(word in body for word in _CHANGE_WORDS)
        return changes and (opens or "berikut" in body or "sehingga" in body)

    def _unit_spans(self, lo: int, hi: int, units: list[_Unit], *, section: str) -> None:
        """Spans from the units: a Pasal, quoted article, change point or diktum to the next."""
        lines, text = self.lines, self.text
        bab = top = None
        first = units[0].line if units else hi
        if self.text[self._offset(lo) : self._offset(first)].strip() and section == "body":
            for piece in chunk(Span(section, self._offset(lo), self._offset(first)), lines, text):
                self.spans.append(piece)
        for k, unit in enumerate(units):
            end = self._offset(units[k + 1].line if k + 1 < len(units) else hi)
            start = lines[unit.line].start
            if unit.kind == "bab":
                bab = unit.label
                continue
            if unit.kind == "sub":
                continue
            if unit.kind == "diktum":
                span = Span("diktum", start, end, pasal=unit.label)
                self.spans.extend(chunk(span, lines, text))
                continue
            if unit.kind == "pasal":
                top = unit.label
                span = Span(section, start, end, bab=bab, pasal=unit.label)
            elif unit.kind == "quoted":
                span = Span(section, start, end, bab=bab, pasal=top, amended_pasal=unit.label)
            else:  # a change point of Pasal I
                span = Span(section, start, end, bab=bab, pasal=top, item=f"angka {unit.label}")
            marker = h.ayat_heading if section == "penjelasan" else h.ayat_marker
            self.spans.extend(split_long(span, lines, text, marker=marker))

    # --- penjelasan and lampiran ---------------------------------------------------------------

    def _penjelasan(self, lo: int, hi: int) -> None:
        """Penjelasan Umum (pasal None), then one span per Pasal explained."""
        lines = self.lines
        detail = self._find(lo, hi, h.pasal_demi_pasal)
        units = self._units(detail + 1 if detail is not None else lo, hi, penjelasan=True)
        units = [u for u in units if u.kind in ("pasal", "quoted")]
        umum_end = detail if detail is not None else (units[0].line if units else hi)
        umum = Span("penjelasan", lines[lo].start, self._offset(umum_end), item="Umum")
        if self.text[umum.start : umum.end].strip():
            self.spans.extend(chunk_prose(umum, self.text))
        if units:
            self._unit_spans(units[0].line, hi, units, section="penjelasan")

    def _lampiran(self, lo: int, hi: int, number: str | None) -> None:
        item = f"Lampiran {number}".strip() if number else "Lampiran"
        span = Span("lampiran", self.lines[lo].start, self._offset(hi), item=item)
        self.spans.extend(chunk(span, self.lines, self.text))
