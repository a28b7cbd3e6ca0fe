"""Classifier features: normalisation, Indonesian stems, TF-IDF equal to scikit-learn's."""

from __future__ import annotations

import re

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_union

from tumis_mining.classify import features
from tumis_mining.classify.features import PassageVectorizer, StemCache, char_ngrams, normalise, tokens

PASSAGES = [
    "Bupati Sragen mengundang perusahaan untuk mengangkat desa binaan pada tahun 2022.",
    "Pasal 5 (1) Dibentuk Tim Koordinasi Penanggulangan Kemiskinan Kabupaten.",
    "Musyawarah desa di balai desa Jabung menyepakati daftar penerima bantuan.",
    "Peraturan Bupati ini mulai berlaku pada tanggal diundangkan.",
    "The regent invited companies to adopt a village and renovate uninhabitable houses.",
    "Angka kemiskinan Kabupaten Sragen turun menjadi 12,08 persen pada 2023.",
    "Rapat koordinasi dihadiri Dinas Sosial, Bappeda, BAZNAS dan perusahaan mitra.",
    "Desa kekurangan tenaga pendamping dan data penerima bantuan belum mutakhir.",
]


def test_normalise_folds_case_width_and_digits():
    assert "pasal 0 ayat (0) tahun 0" == normalise("PASAL 12 ayat (３) Tahun 2022")


def test_tokens_are_words_without_punctuation():
    assert ["pasal", "0", "ayat", "0", "bupati", "sragen"] == tokens("Pasal 5 ayat (2): Bupati Sragen.")


def test_char_ngrams_stay_inside_one_padded_word():
    assert [" d", "di", "i ", " di", "di "] == char_ngrams("di", 2, 3)


def test_sastrawi_stems_indonesian_affixes():
    stem = StemCache()
    assert ["daya", "gerak", "miskin", "temu", "koordinasi", "0"] == [
        stem(w) for w in ("pemberdayaan", "menggerakkan", "kemiskinan", "pertemuan",
                          "dikoordinasikan", "0")]


def test_stem_cache_is_bounded():
    assert features.CACHE_LIMIT == features.stem_word.cache_info().maxsize


def test_known_stems_come_first():
    assert ["kerja", "rapat"] == [StemCache({"bekerja": "kerja", "rapat": "rapat"})(w)
                                  for w in ("bekerja", "rapat")]


def test_vectorizer_equals_two_sklearn_tfidf_vectorizers():
    ours = PassageVectorizer(word_ngrams=(1, 2), char_ngrams=(2, 5), min_df=1).fit(PASSAGES)
    theirs = make_union(
        TfidfVectorizer(token_pattern=r"\w+", ngram_range=(1, 2), sublinear_tf=True,
                        preprocessor=normalise),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                        preprocessor=lambda t: " ".join(re.findall(r"\w+", normalise(t)))),
    ).fit(PASSAGES)
    difference = ours.transform(PASSAGES) - theirs.transform(PASSAGES)
    assert 0 == int((abs(difference) > 1e-12).sum())


def test_unseen_words_get_the_same_features_alone_or_in_a_batch():
    vectorizer = PassageVectorizer(min_df=1).fit(PASSAGES[:4])
    new = ["Kepala desa memimpin gotong royong membedah rumah warga miskin.",
           "Perusahaan menyalurkan CSR lewat forum desa."]
    together = vectorizer.transform(new).toarray()
    alone = np.vstack([PassageVectorizer(min_df=1).fit(PASSAGES[:4]).transform([t]).toarray()
                       for t in new])
    again = vectorizer.transform(new).toarray()
    assert np.allclose(together, alone)
    assert np.allclose(together, again)


def test_word_cache_starts_again_past_its_limit(monkeypatch):
    vectorizer = PassageVectorizer(min_df=1).fit(PASSAGES)
    before = vectorizer.transform(["desa wisata baru", "jembatan gantung baru"]).toarray()
    monkeypatch.setattr(features, "CACHE_LIMIT", len(vectorizer._known) + 1)
    vectorizer.transform(["kata1 kata2 kata3 kata4"])
    after = vectorizer.transform(["desa wisata baru", "jembatan gantung baru"]).toarray()
    assert len(vectorizer._known) <= features.CACHE_LIMIT + 4
    assert np.allclose(before, after)


def test_stemmed_vectorizer_shares_features_across_affixes():
    vectorizer = PassageVectorizer(stem=True, word_ngrams=(1, 1), char_ngrams=(3, 3),
                                   min_df=1).fit(["pemberdayaan masyarakat", "rapat desa"])
    assert "daya" in vectorizer.word_vocabulary_
    row = vectorizer.transform(["memberdayakan"]).toarray()[0]
    assert row[vectorizer.word_vocabulary_.index("daya")] > 0


def test_empty_text_gives_an_empty_row():
    vectorizer = PassageVectorizer(min_df=1).fit(PASSAGES)
    assert 0 == vectorizer.transform(["", "   "]).nnz


def test_learned_state_round_trip():
    vectorizer = PassageVectorizer(stem=True, min_df=1).fit(PASSAGES)
    copy = PassageVectorizer.from_state(vectorizer.get_params(), vectorizer.learned_state())
    assert 0 == (vectorizer.transform(PASSAGES) != copy.transform(PASSAGES)).nnz
