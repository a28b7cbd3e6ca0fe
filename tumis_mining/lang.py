"""Language of a passage: Indonesian, English, or undetermined.

``detect_lang`` counts the words of a text that are Indonesian or English stop words (spaCy's
shipped lists, ``spacy.lang.id.stop_words`` and ``spacy.lang.en.stop_words``) plus a few words
of legal and administrative Indonesian that carry no stop-word weight of their own ("Pasal",
"ayat", "huruf", ...). The language with more hits wins when it has enough of them; otherwise
the answer is ``"und"``. It runs on every passage, so it does one regular-expression scan and
set look-ups, nothing more.
"""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path

INDONESIAN = "id"
ENGLISH = "en"
UNDETERMINED = "und"

# Words that mark Indonesian legal and administrative text but are not in spaCy's stop-word
# list: a citation such as "Pasal 5 ayat (1)" has no stop word at all.
_ID_MARKERS = frozenset(
    """
    pasal ayat huruf angka bab bagian paragraf peraturan undang nomor tentang menimbang
    mengingat menetapkan memutuskan ditetapkan diundangkan penjelasan lampiran kesatu kedua
    ketiga keempat kelima bupati walikota gubernur presiden menteri kabupaten kecamatan
    kelurahan desa provinsi daerah pemerintah pemerintahan dinas badan kepala sekretaris
    masyarakat warga bantuan kemiskinan miskin program kegiatan anggaran pelaksanaan
    penyelenggaraan sebagaimana dimaksud berlaku ketentuan umum penutup peralihan republik
    negara keuangan
    """.split()
)

# A few English words of the same kind ("shall" is the mark of English drafting).
_EN_MARKERS = frozenset(
    """
    shall article regulation government section paragraph pursuant hereby thereof whereas
    """.split()
)

# Words of two letters or more: single letters are enumerators in legal text ("a.", "I"), and
# "a" and "i" would count as English.
_WORD = re.compile(r"[^\W\d_]{2,}")
# Parenthesised asides: Indonesian drafting glosses terms in English, "(_Chief Data Officer_)".
_ASIDE = re.compile(r"\([^()]*\)")

# Only the beginning of a long text is read: a few hundred words decide the language.
_MAX_CHARS = 4000
# The winning language needs at least this many hits ...
_MIN_HITS = 2
# ... and, in a text of at least _RATIO_FROM words, this share of its words.
_MIN_RATIO = 0.08
_RATIO_FROM = 12


@lru_cache(maxsize=1)
def _word_sets() -> tuple[frozenset[str], frozenset[str]]:
    """The Indonesian-only and English-only word sets (loaded once, on first use)."""
    indonesian = set(spacy_stop_words("id")) | _ID_MARKERS
    english = set(spacy_stop_words("en")) | _EN_MARKERS
    shared = indonesian & english  # "per": evidence for neither
    return frozenset(indonesian - shared), frozenset(english - shared)


def spacy_stop_words(lang: str) -> frozenset[str]:
    """spaCy's shipped stop-word list for ``lang``, read without importing spaCy itself.

    ``spacy.lang.<lang>.stop_words`` is a plain module, but importing it runs ``spacy/__init__``
    (about 2 s); language detection runs on every passage of every document, often in a fresh
    worker process, so the list's file is loaded on its own.
    """
    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("spaCy is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "lang" / lang / "stop_words.py"
    module_spec = importlib.util.spec_from_file_location(f"_tumis_stop_words_{lang}", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return frozenset(module.STOP_WORDS)


def detect_lang(text: str) -> str:
    """``"id"``, ``"en"`` or ``"und"`` (too short, or neither language) for ``text``.

    >>> detect_lang("Pasal 5 ayat (1)")
    'id'
    >>> detect_lang("The regent convened the agencies in the village hall.")
    'en'
    """
    indonesian, english = _word_sets()
    head = text[:_MAX_CHARS].lower()
    words = _WORD.findall(_ASIDE.sub(" ", head)) or _WORD.findall(head)
    if not words:
        return UNDETERMINED
    id_hits = en_hits = 0
    for word in words:
        if word in indonesian:
            id_hits += 1
        elif word in english:
            en_hits += 1
    best = max(id_hits, en_hits)
    if id_hits == en_hits or best < _MIN_HITS:
        return UNDETERMINED
    if len(words) >= _RATIO_FROM and best / len(words) < _MIN_RATIO:
        return UNDETERMINED
    return INDONESIAN if id_hits > en_hits else ENGLISH
