"""Lines of a regulation and the headings and markers found on them.

The legal parser (``segment.legal``) walks a document line by line. This module knows what a
single line can be: a ``Pasal 12`` heading, a ``BAB IV`` heading, a ``Bagian Kedua`` or
``Paragraf 3`` heading, a decree's ``KEDUA :`` diktum, an ayat ``(2)``, a list item ``b.`` or
``3.``, and the section labels (``Menimbang``, ``Mengingat``, ``MEMUTUSKAN``, ...). Matching is
tolerant of the noise of scanned text (``Pasal 1O``, ``Pasa] 5``, ``Pasal2T``, ``BABxI``,
``Bagran Kelima``): every reading of a number is offered, and the parser keeps the one that
fits the sequence it expects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters that OCR puts where a digit was printed.
_OCR_DIGITS = str.maketrans(
    {
        "O": "0", "o": "0", "D": "0", "Q": "0",
        "I": "1", "l": "1", "i": "1", "|": "1", "!": "1", "]": "1", "[": "1", "L": "1",
        "Z": "2", "z": "2",
        "S": "5", "s": "5",
        "G": "6", "b": "6",
        "T": "7",
        "B": "8",
        "g": "9", "q": "9",
    }
)  # fmt: skip
_OCR_DIGIT_CHARS = frozenset("0123456789OoDQIli|!][LZzSsGbTBgq")
_ROMAN_OCR = str.maketrans({"l": "I", "1": "I", "|": "I", "i": "I", "!": "I", "x": "X", "v": "V"})
_ROMAN = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}

# A heading followed by dots is a catchword at a page foot ("Pasal 5 . . .", "BAB IV ...").
_CATCHWORD_TAIL = re.compile(r"(\.\s*){2,}$|…\s*$")

_UNITS = {
    "SATU": 1, "DUA": 2, "TIGA": 3, "EMPAT": 4, "LIMA": 5,
    "ENAM": 6, "TUJUH": 7, "DELAPAN": 8, "SEMBILAN": 9,
}  # fmt: skip


def _ordinal_words() -> dict[str, int]:
    words = {"PERTAMA": 1, "KESATU": 1, "KESEPULUH": 10, "KESEBELAS": 11, "KEDUAPULUH": 20}
    for unit, value in _UNITS.items():
        if value > 1:
            words["KE" + unit] = value
            words["KE" + unit + "BELAS"] = 10 + value
    return words


ORDINALS = _ordinal_words()
ORDINAL_NAMES = {value: word for word, value in ORDINALS.items() if word != "PERTAMA"}
ORDINAL_NAMES.update({12 + i: f"KE{u} BELAS" for i, u in enumerate(list(_UNITS)[1:])})


@dataclass(frozen=True)
class Line:
    """One line of the document: its offsets in the full text and its characters."""

    index: int
    start: int
    end: int
    text: str

    @property
    def stripped(self) -> str:
        return self.text.strip()

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def split_lines(text: str) -> list[Line]:
    """The lines of ``text`` with their offsets (a line's end excludes its newline)."""
    lines, position = [], 0
    for index, raw in enumerate(text.split("\n")):
        lines.append(Line(index, position, position + len(raw), raw))
        position += len(raw) + 1
    return lines


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Levenshtein distance of two short words, stopping early past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def fuzzy_word(token: str, word: str) -> bool:
    """Whether ``token`` reads as ``word`` allowing an OCR slip or two (case-insensitive)."""
    token, word = token.upper(), word.upper()
    if token == word:
        return True
    allowed = 0 if len(word) < 5 else 1 if len(word) < 8 else 2
    return edit_distance(token, word, allowed) <= allowed


def roman_value(text: str) -> int | None:
    """The value of a Roman numeral (``"XIV"`` -> 14), or None if it is not one."""
    if not text or not _ROMAN.fullmatch(text):
        return None
    total = 0
    for char, following in zip(text, text[1:] + " "):
        value = _ROMAN_VALUES[char]
        total += -value if following != " " and _ROMAN_VALUES[following] > value else value
    return total


def to_roman(value: int) -> str:
    pairs = zip(
        (1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1),
        ("M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"),
        strict=True,
    )
    out = []
    for amount, letters in pairs:
        while value >= amount:
            out.append(letters)
            value -= amount
    return "".join(out)


def roman_readings(text: str) -> list[int]:
    """Values a possibly OCR-damaged Roman numeral can have (``"Xl"`` -> [11])."""
    mapped = text.translate(_ROMAN_OCR)
    values = []
    for candidate in (mapped, mapped.replace("L", "I")):
        value = roman_value(candidate)
        if value is not None and value not in values:
            values.append(value)
    return values


@dataclass(frozen=True)
class Number:
    """One reading of an article number: its value, a letter suffix (``81A``), how sure."""

    value: int
    suffix: str = ""
    quality: str = "clean"  # "clean" | "spaced" (``2 4``) | "ocr" (``1O``) | "roman"

    @property
    def label(self) -> str:
        return f"{self.value}{self.suffix}"


def number_readings(text: str, *, roman: bool = False) -> list[Number]:
    """Readings of the number after ``Pasal``: clean first, then spaced, OCR and Roman ones."""
    text = text.strip()
    readings: list[Number] = []
    clean = re.fullmatch(r"(\d{1,4})\s?([A-Z])?", text)
    if clean:
        readings.append(Number(int(clean.group(1)), clean.group(2) or ""))
    elif re.fullmatch(r"\d[\d ]{1,6}", text):
        readings.append(Number(int(text.replace(" ", "")), quality="spaced"))
    if roman and re.search(r"[IVXLivxl]", text):
        readings.extend(Number(v, quality="roman") for v in roman_readings(text.replace(" ", "")))
    squeezed = text.replace(" ", "")
    if (
        (not clean or clean.group(2))
        and squeezed
        and len(squeezed) <= 4
        and all(char in _OCR_DIGIT_CHARS for char in squeezed)
    ):
        value = int(squeezed.translate(_OCR_DIGITS))
        if all(r.value != value for r in readings):
            readings.append(Number(value, quality="ocr"))
    return readings


def ocr_int(text: str) -> int | None:
    """An integer read through OCR slips (``"2O2l"`` -> 2021), or None."""
    squeezed = text.replace(" ", "")
    if not squeezed or not all(char in _OCR_DIGIT_CHARS for char in squeezed):
        return None
    return int(squeezed.translate(_OCR_DIGITS))


# --- headings --------------------------------------------------------------------------------

_PASAL_LINE = re.compile(r"^\s*([PpF][A-Za-z\]|!1]{3,4})\s*([0-9A-Za-z|!\]\[ ]{0,8}?)\s*(\.?)\s*$")
_BAB_LINE = re.compile(r"^\s*(BAB|Bab)\s*([IVXLCivxl1|!]+)\s*(.*?)\s*$")
_SECTION_HEAD = re.compile(r"^\s*([A-Za-z]{5,9})\s+(.+?)\s*$")
_DIKTUM_LINE = re.compile(r"^\s*(KE[A-Z]{3,9}(?:\s?(?:BELAS|PULUH))?|PERTAMA)\s*(:|$|\s+(?=\S))")


@dataclass(frozen=True)
class PasalHeading:
    readings: tuple[Number, ...]
    trailing_period: bool
    bare: bool = False  # "Pasal" with its number on the next (or previous) line


def catchword(line: str) -> bool:
    """A page-foot catchword such as ``Pasal 5 . . .`` or ``BAB IV...``."""
    return bool(_CATCHWORD_TAIL.search(line.strip()))


def pasal_heading(line: str, *, roman: bool = False) -> PasalHeading | None:
    """``Pasal 12`` (or ``Pasal 1O``, ``Pasa] 5``, ``Pasal2T``, ``Pasal I``) alone on a line."""
    if catchword(line):
        return None
    match = _PASAL_LINE.match(line)
    if not match or not fuzzy_word(match.group(1), "Pasal"):
        return None
    number_text = match.group(2)
    if not number_text.strip():
        return PasalHeading((), bool(match.group(3)), bare=True)
    readings = number_readings(number_text, roman=roman)
    if not readings:
        return None
    return PasalHeading(tuple(readings), bool(match.group(3)))


def bare_number(line: str) -> list[Number]:
    """Readings of a line that holds only a number (``1 1``, ``2l``): half a split heading."""
    text = line.strip()
    if not text or len(text) > 5 or catchword(text):
        return []
    return [r for r in number_readings(text) if r.quality != "roman"]


@dataclass(frozen=True)
class BabHeading:
    readings: tuple[int, ...]
    title: str


def bab_heading(line: str) -> BabHeading | None:
    """``BAB IV`` alone on a line, or ``BAB IV KETENTUAN PIDANA``; OCR ``BABxI``, ``BAB Xl``."""
    if catchword(line):
        return None
    match = _BAB_LINE.match(line)
    if not match:
        return None
    rest = match.group(3)
    if rest not in ("", ".") and not (rest[:1].isupper() and rest.upper() == rest):
        return None
    readings = roman_readings(match.group(2))
    return BabHeading(tuple(readings), rest.strip(". ")) if readings else None


def ordinal_value(words: str) -> int | None:
    return ORDINALS.get(re.sub(r"\s+", "", words.upper()))


def subsection_heading(line: str) -> tuple[str, int] | None:
    """``Bagian Kedua`` / ``Paragraf 3`` alone on a line -> ("bagian", 2) / ("paragraf", 3)."""
    if catchword(line):
        return None
    match = _SECTION_HEAD.match(line)
    if not match:
        return None
    word, rest = match.groups()
    # The number is checked before the word: few lines end in one, and the fuzzy match costs.
    ordinal = ordinal_value(rest)
    if ordinal and fuzzy_word(word, "Bagian"):
        return ("bagian", ordinal)
    value = ocr_int(rest) if len(rest) <= 3 else ordinal
    if value and fuzzy_word(word, "Paragraf"):
        return ("paragraf", value)
    return None


def diktum_heading(line: str) -> tuple[int, str] | None:
    """A decree's ``KESATU :`` / ``KEDUA`` at the start of a line -> (1, "KESATU")."""
    match = _DIKTUM_LINE.match(line)
    if not match:
        return None
    word = match.group(1)
    value = ordinal_value(word)
    if value is None:
        return None
    rest = line[match.end() :].lstrip()
    if match.group(2).strip() != ":" and rest and not rest[:1].isupper() and rest[:1] != ":":
        return None
    return value, " ".join(word.split())


# --- list markers ----------------------------------------------------------------------------

# A marker alone on its line ("5." with its text further down) counts too: PDF columns do that.
_LETTER_ITEM = re.compile(r"^\s*([a-z])\s?(?:\.\s*$|[.)]\s*(?=\S))")
_NUMBER_ITEM = re.compile(r"^\s*(\d{1,3})\s?(?:(\.)\s*$|([.)])?\s*(?=\S))")
_AYAT_ITEM = re.compile(r"^\s*\(\s*([0-9lIOoSs]{1,3})\s*\)\s*")
_AYAT_HEAD = re.compile(r"^\s*Ayat\s*\(\s*([0-9lIOo]{1,3})\s*\)\s*$", re.IGNORECASE)


def letter_item(text: str) -> tuple[str, int] | None:
    """``b. bahwa ...`` -> ("b", offset of the marker's end)."""
    match = _LETTER_ITEM.match(text)
    return (match.group(1), match.end()) if match else None


def number_item(text: str, expected: int | None = None) -> tuple[int, int] | None:
    """``3. Undang-Undang ...`` -> (3, marker end); ``10 Peraturan`` only when 10 is expected."""
    match = _NUMBER_ITEM.match(text)
    if not match:
        return None
    value = int(match.group(1))
    if not match.group(2) and not match.group(3):  # "10 Peraturan": no dot
        following = text[match.end() : match.end() + 1]
        if value != expected or not following.isupper():
            return None
    return value, match.end()


def ayat_marker(text: str) -> int | None:
    """``(2) Permohonan ...`` at the start of a line -> 2."""
    match = _AYAT_ITEM.match(text)
    return ocr_int(match.group(1)) if match else None


def ayat_heading(text: str) -> int | None:
    """A Penjelasan's ``Ayat (2)`` line -> 2."""
    match = _AYAT_HEAD.match(text)
    return ocr_int(match.group(1)) if match else None


def starts_list_item(text: str) -> bool:
    """Whether a line opens an ayat, a lettered or a numbered item (a good place to cut)."""
    return bool(
        _AYAT_ITEM.match(text) or _LETTER_ITEM.match(text) or re.match(r"^\s*\d{1,3}[.)]\s", text)
    )


# --- section labels --------------------------------------------------------------------------

_LABELS = {
    "menimbang": re.compile(r"^\s*Menimbang\b\s*:?\s*", re.IGNORECASE),
    "mengingat": re.compile(r"^\s*Mengingat\b\s*:?\s*", re.IGNORECASE),
    "memperhatikan": re.compile(r"^\s*Memperhatikan\b\s*:?\s*", re.IGNORECASE),
    "menetapkan": re.compile(r"^\s*Menetapkan\b\s*:?\s*", re.IGNORECASE),
}
_CLOSING = re.compile(
    r"^\s*((Ditetapkan|Disahkan|Dikeluarkan)\s+di\b|Telah\s+sah\b|Diundangkan\s+di\b)",
    re.IGNORECASE,
)
_AGAR = re.compile(r"^\s*Agar\s+(supaya\s+)?setiap\b", re.IGNORECASE)
_PROMULGATION = re.compile(r"\b(mengetahuinya|pengundangan)\b", re.IGNORECASE)
_PENJELASAN = re.compile(r"^\s*PENJELASAN\s*(ATAS\b.*)?$")
_LAMPIRAN = re.compile(r"^\s*LAMPIRAN\b\s*([IVXL]+\b|\d+\b)?\s*[:.]?\s*(.*)$")
_PASAL_DEMI_PASAL = re.compile(r"^\s*(II|Il|11)?\s*\.?\s*PASAL\s+DEMI\s+PASAL\b", re.IGNORECASE)
_UMUM = re.compile(r"^\s*(I|l|1)\s*\.?\s*UMUM\s*$", re.IGNORECASE)


def label(text: str, name: str) -> int | None:
    """Where the text after a section label starts (``Menimbang : a. ...`` -> offset of ``a``)."""
    match = _LABELS[name].match(text)
    return match.end() if match else None


def memutuskan(text: str) -> bool:
    return re.sub(r"[\s:]", "", text).upper() == "MEMUTUSKAN"


def persetujuan_bersama(text: str) -> bool:
    return bool(re.match(r"^\s*Dengan\s+Persetujuan\b", text, re.IGNORECASE))


def closing_line(text: str, following: str = "") -> bool:
    """``Ditetapkan di ...`` or ``Agar setiap orang mengetahuinya, memerintahkan pengundangan``.

    ``following`` is the text of the next few lines: the ``Agar setiap`` sentence counts only
    when it goes on about promulgation (OCR can scatter its words over several lines).
    """
    if _CLOSING.match(text):
        return True
    return bool(_AGAR.match(text) and _PROMULGATION.search(text + "\n" + following))


def penjelasan_line(text: str) -> bool:
    return bool(_PENJELASAN.match(text))


def lampiran_line(text: str) -> str | None:
    """``LAMPIRAN II`` -> "II"; ``LAMPIRAN`` / ``LAMPIRAN : KEPUTUSAN ...`` -> ""; else None."""
    match = _LAMPIRAN.match(text)
    if not match:
        return None
    rest = match.group(2)
    if rest and rest.upper() != rest:
        return None
    return match.group(1) or ""


def pasal_demi_pasal(text: str) -> bool:
    return bool(_PASAL_DEMI_PASAL.match(text))


def umum_line(text: str) -> bool:
    return bool(_UMUM.match(text))
