"""Clean page text: the noise that real Indonesian regulation PDFs carry.

Everything here works on plain page strings, so it serves every PDF extractor and the OCR:

- running headers and footers (lines that repeat at the top or foot of most pages, such as the
  electronic-signature banner or ``PRESIDEN REPUBLIK INDONESIA``), page numbers (``- 3 -``),
  ``SALINAN`` stamps, paraf boxes, document serial numbers (``SK No 247006 A``);
- catchwords at the page foot (``Pasal 5 . . .``, ``BAB IV . . .``, ``Agar . .``);
- hyphenated line breaks (``kemiskin-`` / ``an``), doubled characters (``SSaalliinnaann``);
- the usual OCR confusions in structural markers and numbers (``Pasal 1O``, ``Pasa] 5``,
  ``2O2l``, ``FRESIDEN``).
"""

from __future__ import annotations

import re
from collections import Counter

# How many lines at the top and foot of a page are looked at for running headers and footers.
EDGE_LINES = 3
# Running headers and footers are short; a longer repeated line is content.
MAX_RUNNING_CHARS = 100

_PAGE_NUMBER = re.compile(
    r"^[-–—.\s]*(?:hal(?:aman|\.)?\s*)?\d{1,4}(?:\s*(?:dari|/)\s*\d{1,4})?[-–—.\s]*$", re.I
)
_SALINAN = re.compile(r"^\s*s\s*a\s*l\s*i\s*n\s*a\s*n\s*$", re.I)
# "Pasal 5 . . .", "BAB IV . . .", "Agar . .", "(2) Tim . . .", "pelaksanaan…"
_CATCHWORD = re.compile(r"^\S.{0,60}?\s*(?:\.\s*){2,}\s*$|^\S.{0,60}?\s*…\s*$")
_SERIAL = re.compile(r"^\s*SK\s*No\.?\s*\d[\d\s]*[A-Z]?\s*$", re.I)
# A paraf box's first line; text drawn on the same baseline (a catchword) may stand before it.
_PARAF_START = re.compile(
    r"^\s*(?:\S.{0,60}?\s*(?:\.\s*){2,}\s*)?(?:telah\s+ditelit\w*\s+oleh\s+)?paraf\b", re.I
)
# Lines of a paraf box: short titles of the officials who initial the draft. Closing lines
# (dates, "ttd", the signing official, "Ditetapkan di") never belong to it, even interleaved.
_PARAF_CLOSING = re.compile(
    r"\d|,\s*$|\bttd\b|ditetapkan|diundangkan|pada tanggal|^(?:bupati|gubernur|walikota|wali kota|"
    r"presiden|menteri|sekretaris daerah)\b", re.I
)


def _is_paraf_cell(line: str) -> bool:
    return len(line) <= 45 and not line.endswith((".", ";", ":")) and not _PARAF_CLOSING.search(line)


_HYPHEN_BREAK = re.compile(r"([A-Za-z]{2,})-\n([a-z]{2,})")


# Control and format characters (Unicode Cc and Cf), except tab and line feed.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)


def normalise_whitespace(text: str) -> str:
    """Unify line ends and odd spaces; strip trailing blanks on every line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00ad", "").replace("\ufeff", "").replace("\x0c", "\n")
    text = re.sub(r"[\u00a0\u2000-\u200b\u202f\u205f\u3000\t]", " ", text)
    text = _CONTROL.sub("", text)
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.split("\n")]
    return "\n".join(lines)


# Edge keys of structural headings ("Pasal 2" -> "pasal#"): pages often open with an article, and
# that is content, however many pages do it.
_STRUCTURAL_KEY = re.compile(r"^(?:pasal|bab|bagian|paragraf|ayat|\(#\)|#\.|[a-z]\.)")


def _edge_key(line: str) -> str:
    """A line's identity for header detection: case, digits and spacing do not matter."""
    return re.sub(r"\s+", "", re.sub(r"\d+", "#", line.casefold()))


def _content_indices(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if line.strip()]


def find_running_lines(pages: list[list[str]]) -> set[str]:
    """Edge-line keys that repeat on enough pages to be running headers or footers."""
    # A page printed twice says nothing about headers: count each distinct page once.
    pages = list({"\n".join(lines): lines for lines in pages}.values())
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        idx = _content_indices(lines)
        edge = idx[:EDGE_LINES] + idx[-EDGE_LINES:]
        counts.update({_edge_key(lines[i]) for i in edge})
    threshold = max(3, int(0.4 * len(pages)))
    return {
        key for key, n in counts.items()
        if n >= threshold and 1 < len(key) <= MAX_RUNNING_CHARS and not _STRUCTURAL_KEY.match(key)
    }


def _strip_edges(lines: list[str], running: set[str], first_page: bool) -> list[str]:
    """Peel header and footer noise off the top and the foot of one page.

    From each edge inwards, lines are dropped while they are noise, and the peeling stops at the
    first line of content: a bare number inside the text is never taken for a page number.
    """
    idx = _content_indices(lines)
    drop: set[int] = set()
    for i in idx[: EDGE_LINES + 2]:
        line = lines[i]
        key = _edge_key(line)
        if _SALINAN.match(line) or _PAGE_NUMBER.match(line) or _SERIAL.match(line):
            drop.add(i)
        elif key in running and (not first_page or len(key) >= 30):
            drop.add(i)  # page 1 keeps short ones: there "BUPATI SRAGEN" opens the title block
        else:
            break
    drop |= _paraf_box(lines, idx)
    catchword_seen = False
    # Some producers draw the stamp, page number and catchword after the body, so the foot is
    # peeled for all of them.
    for i in reversed(idx[-(EDGE_LINES + 8):]):
        line = lines[i]
        if i in drop:
            continue
        if _SALINAN.match(line) or _PAGE_NUMBER.match(line) or _edge_key(line) in running:
            drop.add(i)
        elif not catchword_seen and _CATCHWORD.match(line):
            drop.add(i)
            catchword_seen = True
        else:
            break
    drop |= {i for i in idx[-(EDGE_LINES + 2):] if _SERIAL.match(lines[i])}
    return [line for i, line in enumerate(lines) if i not in drop]


def _drop_bare_catchword(page: list[str], next_page: list[str]) -> list[str]:
    """A catchword printed without its dots: the page's last short line opens the next page."""
    content = [line for line in page if line.strip()]
    following = next((line for line in next_page if line.strip()), "")
    if not content or not following:
        return page
    last = content[-1].strip()
    if len(last) <= 40 and len(last.split()) <= 4 and following.startswith(last) and len(content) > 1:
        cut = len(page) - 1 - page[::-1].index(content[-1])
        return page[:cut] + page[cut + 1:]
    return page


def _paraf_box(lines: list[str], idx: list[int]) -> set[int]:
    """A paraf box (initials of the officials who checked the draft) near the page foot."""
    tail = idx[-12:]
    for pos, i in enumerate(tail):
        if _PARAF_START.match(lines[i]):
            box = {i}
            for j in tail[pos + 1:]:
                if _is_paraf_cell(lines[j]):
                    box.add(j)
            return box
    return set()


def join_hyphenation(text: str) -> str:
    """Join words broken across lines: ``kemiskin-\\nan`` -> ``kemiskinan``.

    Reduplicated words keep their hyphen (``sehari-\\nhari`` -> ``sehari-hari``), and so does a
    break before a capital (``Undang-\\nUndang``), which the pattern does not touch.
    """

    def fix(match: re.Match) -> str:
        left, right = match.group(1), match.group(2)
        if right.startswith(left[-len(right):].lower()) or left.lower().endswith(right[:3]):
            return f"{left}-{right}"
        return f"{left}{right}"

    return _HYPHEN_BREAK.sub(fix, text)


def dedupe_doubled(text: str) -> str:
    """Undo doubled characters from overprinted (fake-bold) text: ``SSAALLIINNAANN`` -> ``SALINAN``.

    Only words where every character is doubled are changed, so ``Pasal 11`` and ``Allah`` stay.
    """

    def fix(match: re.Match) -> str:
        word = match.group(0)
        if len(word) >= 4 and len(word) % 2 == 0 and all(
            word[k] == word[k + 1] for k in range(0, len(word), 2)
        ):
            return word[::2]
        return word

    return re.sub(r"\S{4,}", fix, text)


_DOUBLED_RUN = re.compile(r"(\S)\1(\S)\2")


def doubled_share(text: str) -> float:
    """Share of words whose characters are all doubled (a sign of overprinted text)."""
    if not _DOUBLED_RUN.search(text):
        return 0.0
    words = [w for w in text.split() if len(w) >= 4]
    if not words:
        return 0.0
    doubled = sum(
        1 for w in words if len(w) % 2 == 0 and all(w[k] == w[k + 1] for k in range(0, len(w), 2))
    )
    return doubled / len(words)


# --- OCR confusions ---------------------------------------------------------------------------

_DIGITISH = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "i": "1",
                           "|": "1", "]": "1", "!": "1", "L": "1", "Z": "2", "z": "2", "S": "5",
                           "s": "5", "T": "7", "B": "8", "G": "6", "g": "9", "C": "0"})
# A "number" that mixes digits with letters OCR confuses with them: 1O, l1, 2O2l, I58, 2T.
_NOISY_NUMBER = r"(?=[0-9OolIi|\]!LZzSsTBGgC]*[0-9])[0-9OolIi|\]!LZzSsTBG]{1,4}[A-Z]?"
_PASAL_HEAD = re.compile(
    rf"^(?P<word>P\s?[a@]\s?[s5]\s?[a@]\s?[l1I\]|!i]|Pasa[l1I\]|!i]?)\s*(?P<num>{_NOISY_NUMBER})\s*$"
)
_PASAL_ROMAN = re.compile(r"^(?P<word>Pasa[l1I\]|!i])\s*(?P<num>[IVXL]{1,5})\s*$")
_BAB_HEAD = re.compile(r"^(?P<word>[B8]\s?A\s?[B8])\s*(?P<num>[IVXLl1x]{1,7})\s*$")
_YEAR = re.compile(r"(?<![\w.])(?=[0-9OolIi]*\d)([12][0-9OolIi]{3})(?![\w])")
_WORD_FIXES = {
    "FRESIDEN": "PRESIDEN",
    "PRESTDEN": "PRESIDEN",
    "REFUBLIK": "REPUBLIK",
    "REFUBUK": "REPUBLIK",
    "REPUEIJK": "REPUBLIK",
    "REPUBUK": "REPUBLIK",
    "lndonesia": "Indonesia",
    "INDONES1A": "INDONESIA",
    "RAHMATTUHAN": "RAHMAT TUHAN",
    "Repubtik": "Republik",
}
_WORD_FIX_RE = re.compile(r"\b(" + "|".join(map(re.escape, _WORD_FIXES)) + r")\b")


def fix_heading_line(line: str) -> str:
    """Normalise one structural heading line: ``Pasa] 1O`` -> ``Pasal 10``, ``BAB Xl`` -> ``BAB XI``.

    Lines that are not a bare heading are returned unchanged.
    """
    stripped = line.strip()
    match = _PASAL_HEAD.match(stripped)
    if match and not stripped.isdigit():
        num = match.group("num")
        suffix = num[-1] if len(num) > 1 and num[-1] in "ABCDEFGH" and num[:-1].isdigit() else ""
        digits = num[: len(num) - len(suffix)].translate(_DIGITISH)
        if digits.isdigit():
            return f"Pasal {int(digits)}{suffix}"
    match = _PASAL_ROMAN.match(stripped)
    if match:
        return f"Pasal {match.group('num')}"
    match = _BAB_HEAD.match(stripped)
    if match:
        roman = match.group("num").upper().replace("L", "I").replace("1", "I")
        if re.fullmatch(r"[IVX]+", roman):
            return f"BAB {roman}"
    return line


def fix_ocr_text(text: str) -> str:
    """Normalise the usual OCR confusions of an OCR'd page (markers, years, common words)."""
    lines = [fix_heading_line(line) for line in text.split("\n")]
    text = "\n".join(lines)
    text = _WORD_FIX_RE.sub(lambda m: _WORD_FIXES[m.group(1)], text)
    text = re.sub(r"\bNOMOR\s+(" + _NOISY_NUMBER + r")\b",
                  lambda m: "NOMOR " + _digits_or_same(m.group(1)), text)
    text = re.sub(r"\b([Pp]asal)\s*(" + _NOISY_NUMBER + r")\b",
                  lambda m: m.group(1) + " " + _digits_or_same(m.group(2)), text)
    return _YEAR.sub(lambda m: _digits_or_same(m.group(1)), text)


def _digits_or_same(token: str) -> str:
    fixed = token.translate(_DIGITISH)
    return fixed if fixed.isdigit() else token


def clean_pages(pages: list[str], *, ocr_pages: set[int] | None = None) -> list[str]:
    """Clean every page of one document; ``ocr_pages`` (0-based) also get OCR fixes."""
    ocr_pages = ocr_pages or set()
    split = [normalise_whitespace(text).split("\n") for text in pages]
    running = find_running_lines(split[1:] if len(split) > 3 else split)
    stripped = [_strip_edges(lines, running, first_page=(n == 0)) for n, lines in enumerate(split)]
    stripped = [
        _drop_bare_catchword(lines, stripped[n + 1]) if n + 1 < len(stripped) else lines
        for n, lines in enumerate(stripped)
    ]
    cleaned = []
    for n, lines in enumerate(stripped):
        text = "\n".join(lines).strip("\n")
        text = re.sub(r"\n{3,}", "\n\n", text)
        if doubled_share(text) > 0.2:
            text = dedupe_doubled(text)
        text = join_hyphenation(text)
        if n in ocr_pages:
            text = fix_ocr_text(text)
        else:
            text = "\n".join(fix_heading_line(line) for line in text.split("\n"))
        cleaned.append(text)
    return cleaned
