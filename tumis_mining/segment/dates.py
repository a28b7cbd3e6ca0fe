"""Dates as Indonesian documents print them, read into ISO 8601.

``parse_date("30 Desember 2025")``, ``parse_date("30-12-2025")`` and ``parse_date("2025-12-30")``
all give ``"2025-12-30"``. Month names may be Indonesian or English, abbreviated, in old
spelling (``Pebruari``, ``Nopember``) or OCR-damaged (``Desembcr``); digits may be OCR-damaged
(``2O2l``). ``find_date`` finds the first such date inside a longer text, and
``signing_dates`` reads a regulation's closing: the day it was enacted (``Ditetapkan di ...
pada tanggal ...``, ``Disahkan di ...``, ``Dikeluarkan di ...``, ``Telah sah pada tanggal ...``,
a letter's ``Sragen, 11 Juli 2022``) and the day it was
promulgated (``Diundangkan di ... pada tanggal ...``).
"""

from __future__ import annotations

import datetime as dt
import re

from tumis_mining.segment.headings import fuzzy_word, ocr_int

MONTHS = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "pebruari": 2, "february": 2, "feb": 2, "peb": 2,
    "maret": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "agustus": 8, "august": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "december": 12, "des": 12, "dec": 12,
}  # fmt: skip
_LONG_MONTHS = {name: value for name, value in MONTHS.items() if len(name) >= 5}

# A day, a month word and a year, each possibly OCR-damaged: "5 April 2003", "3O Nopember 2O2l".
_WORD_DATE = re.compile(
    r"(?<![\w/])([0-9OoIl|]{1,2})\s*[ .,-]?\s*"  # day
    r"([A-Za-z]{3,10})\.?\s*[ .,-]?\s*"  # month
    r"([0-9OoIlZS|]{4})(?!\w)"  # year
)
_NUMERIC_DATE = re.compile(r"(?<![\d/])(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")

_ENACTED = re.compile(
    r"^\s*(?:(?:Ditetapkan|Disahkan|Dikeluarkan)\s+di\b|Telah\s+sah\b)",
    re.IGNORECASE | re.MULTILINE,
)
_PROMULGATED = re.compile(r"^\s*Diundangkan\s+di\b", re.IGNORECASE | re.MULTILINE)
_SIGNED_AT = re.compile(
    r"^\s*(\S+)\s+di\s+[^\n]{2,40}\n\s*pada\s+tanggal\b", re.IGNORECASE | re.MULTILINE
)
_DATE_LINE = re.compile(
    r"^\s*[A-Z][A-Za-z .'-]{2,30},\s*(\d{1,2}\s+[A-Za-z]{3,10}\s+\d{4})\s*$", re.MULTILINE
)
_ON_DATE = re.compile(r"\bpada\s+tanggal\b\s*:?\s*", re.IGNORECASE)
# How far after "Ditetapkan di ..." its "pada tanggal" may come (a paraf box can sit between).
_DATE_WINDOW = 400


def month_number(word: str) -> int | None:
    """The month a (possibly misspelt) month name means, or None."""
    word = word.lower().strip(".")
    if word in MONTHS:
        return MONTHS[word]
    if len(word) >= 5:
        for name, value in _LONG_MONTHS.items():
            if fuzzy_word(word, name):
                return value
    return None


def _iso(year: int | None, month: int | None, day: int | None) -> str | None:
    if year is None or month is None or day is None or not 1800 <= year <= 2200:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def find_date(text: str) -> str | None:
    """The first date in ``text`` as ``YYYY-MM-DD``, or None."""
    found: list[tuple[int, str]] = []
    for match in _WORD_DATE.finditer(text):
        iso = _iso(ocr_int(match.group(3)), month_number(match.group(2)), ocr_int(match.group(1)))
        if iso:
            found.append((match.start(), iso))
            break
    for match in _ISO_DATE.finditer(text):
        iso = _iso(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if iso:
            found.append((match.start(), iso))
            break
    for match in _NUMERIC_DATE.finditer(text):
        iso = _iso(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        if iso:
            found.append((match.start(), iso))
            break
    return min(found)[1] if found else None


def parse_date(value: object) -> str | None:
    """A date given as text (any form ``find_date`` reads), ``date`` or ``datetime``, in ISO."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return find_date(str(value))


def _date_after(text: str, position: int) -> str | None:
    window = text[position : position + _DATE_WINDOW]
    on = _ON_DATE.search(window)
    if not on:
        return None
    # The date itself sits on the rest of that line (or the next, when the line ends there).
    rest = window[on.end() :]
    return find_date("\n".join(rest.split("\n")[:2])[:80])


def signing_dates(text: str, *, loose: bool = False) -> tuple[str | None, str | None]:
    """``(enacted_on, promulgated_on)`` read from a regulation's closing, either may be None.

    With ``loose`` (for a text known to be a closing), ``<word> di <place> / pada tanggal
    <date>`` counts as enacted whatever the word (OCR gives ``Pilstapkan di Jakarta``), unless
    it reads as ``Diundangkan``.
    """
    enacted = promulgated = None
    for match in _ENACTED.finditer(text):
        enacted = _date_after(text, match.end())
        if enacted:
            break
    if enacted is None:  # a letter's date line: "Sragen, 11 Juli 2022"
        dated = _DATE_LINE.search(text)
        enacted = find_date(dated.group(1)) if dated else None
    if enacted is None and loose:
        for match in _SIGNED_AT.finditer(text):
            if not fuzzy_word(match.group(1), "Diundangkan"):
                enacted = _date_after(text, match.end(1))
                if enacted:
                    break
    for match in _PROMULGATED.finditer(text):
        promulgated = _date_after(text, match.end())
        if promulgated:
            break
    return enacted, promulgated
