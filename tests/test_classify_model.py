"""The committed classifier: predictions, the evaluation hook, and clear errors for bad files."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from tumis_mining.classify import LABELS, Classifier, ModelError, Prediction, evaluate
from tumis_mining.classify.data import load_split

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "classifier"


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.load(MODEL)


@pytest.fixture()
def model_copy(tmp_path) -> Path:
    copy = tmp_path / "classifier"
    shutil.copytree(MODEL, copy)
    return copy


def test_predict_returns_one_record_per_text(classifier):
    predictions = classifier.predict([
        "Peraturan Bupati ini mulai berlaku pada tanggal diundangkan.",
        "Bupati mengumpulkan para pimpinan perusahaan di pendapa dan meminta setiap perusahaan "
        "mengangkat satu desa miskin sebagai desa binaan.",
    ])
    assert 2 == len(predictions)
    first = predictions[0]
    assert isinstance(first, Prediction)
    assert "other" == first.label
    assert "facilitative_leadership" == predictions[1].label
    assert list(LABELS) == list(first.scores)
    assert first.confidence == max(first.scores.values())
    assert abs(1.0 - sum(first.scores.values())) < 1e-9
    assert classifier.version == first.model


def test_version_is_candidate_and_parameter_hash(classifier):
    metadata = json.loads((MODEL / "metadata.json").read_text())
    assert metadata["version"] == classifier.version
    assert metadata["parameter_hash"] == classifier.parameter_hash()
    assert classifier.version.startswith(metadata["candidate"] + "-")


def test_codebook_examples(classifier):
    texts = {
        "institutional_design": "Pasal 7 (1) Tim Koordinasi Penanggulangan Kemiskinan Kabupaten "
                                "diketuai oleh Wakil Bupati dengan Kepala Bappeda sebagai sekretaris. "
                                "(2) Tim bertugas menyusun rencana aksi dan melaporkan hasilnya "
                                "setiap enam bulan kepada Bupati.",
        "collaborative_process": "Warga, prajurit Kodim dan relawan perusahaan bergotong royong "
                                 "membongkar atap rumah yang lapuk, sementara dinas mengirim semen "
                                 "dan baja ringan. Dalam sepekan sepuluh rumah selesai dibedah.",
        "starting_conditions": "Sebelum program dimulai, banyak desa tidak memiliki data warga "
                               "miskin yang mutakhir, dan bantuan dari dinas serta perusahaan "
                               "sering tumpang tindih karena masing-masing berjalan sendiri.",
    }
    predicted = {label: p.label for label, p in zip(texts, classifier.predict(list(texts.values())))}
    assert {label: label for label in texts} == predicted


def test_no_text_is_no_problem(classifier):
    assert [] == classifier.predict([])
    [empty] = classifier.predict([""])
    assert empty.label in LABELS


def test_batches_give_the_same_probabilities(classifier):
    texts = [p.text for p in load_split(ROOT / "corpora" / "labels", "train")[:50]]
    whole = np.array([list(p.scores.values()) for p in classifier.predict(texts)])
    small = np.array([list(p.scores.values()) for p in classifier.predict(texts, batch_size=7)])
    assert np.allclose(whole, small, atol=1e-12)


def test_evaluate_gives_per_label_scores_and_macro_f1(classifier):
    pairs = [("Peraturan Bupati ini mulai berlaku pada tanggal diundangkan.", "other"),
             ("Peraturan Bupati ini mulai berlaku pada tanggal diundangkan.", "institutional_design")]
    result = evaluate(classifier, pairs)
    assert 2 == result.n
    assert 0.5 == result.accuracy
    assert (1.0, 0.0) == (result.per_label["other"].recall, result.per_label["institutional_design"].recall)
    assert (0.5, 1) == (result.per_label["other"].precision, result.per_label["other"].support)
    assert pytest.approx(np.mean([s.f1 for s in result.per_label.values()])) == result.macro_f1


def test_save_and_load_give_the_same_predictions(classifier, tmp_path):
    texts = ["Rapat koordinasi di kecamatan mencocokkan daftar penerima bantuan."]
    classifier.save(tmp_path / "again")
    again = Classifier.load(tmp_path / "again")
    assert classifier.predict(texts) == again.predict(texts)


def _error(folder: Path) -> str:
    with pytest.raises(ModelError) as caught:
        Classifier.load(folder)
    message = str(caught.value)
    assert 1 == len(message.splitlines())
    assert "tumis train" in message
    return message


def test_missing_model_folder(tmp_path):
    assert f"no model folder at {tmp_path / 'nope'}; build the model with `tumis train`" == \
        _error(tmp_path / "nope")


def test_missing_model_file(model_copy):
    (model_copy / "weights.npz").unlink()
    assert f"model file {model_copy / 'weights.npz'} is missing; rebuild it with `tumis train`" == \
        _error(model_copy)


def test_corrupt_weights(model_copy):
    (model_copy / "weights.npz").write_bytes(b"PK\x03\x04 truncated")
    assert _error(model_copy).startswith(f"model file {model_copy / 'weights.npz'} is corrupt")


def test_corrupt_json(model_copy):
    (model_copy / "vocabulary.json").write_text('{"tfidf": ')
    assert _error(model_copy).startswith(f"model file {model_copy / 'vocabulary.json'} is corrupt")


def test_incompatible_format(model_copy):
    model = json.loads((model_copy / "model.json").read_text())
    model["format"] = "tumis-classifier/0"
    (model_copy / "model.json").write_text(json.dumps(model))
    assert (f"model file {model_copy / 'model.json'} has format 'tumis-classifier/0', this version "
            "reads 'tumis-classifier/1'; rebuild it with `tumis train`") == _error(model_copy)


def test_weights_that_do_not_fit_the_vocabulary(model_copy):
    vocabulary = json.loads((model_copy / "vocabulary.json").read_text())
    head = next(iter(vocabulary))
    vocabulary[head]["char_vocabulary"] = vocabulary[head]["char_vocabulary"][:-5]
    (model_copy / "vocabulary.json").write_text(json.dumps(vocabulary))
    assert _error(model_copy).startswith(f"model files in {model_copy} do not fit together")


def test_pickled_weights_are_refused(model_copy):
    weights = dict(np.load(model_copy / "weights.npz"))
    name = next(iter(weights))
    weights[name] = np.array([{"a": 1}], dtype=object)
    np.savez(model_copy / "weights.npz", **weights)
    assert _error(model_copy).startswith(f"model file {model_copy / 'weights.npz'} is corrupt")


def test_threads_sharing_one_model_get_the_same_predictions():
    texts = [p.text for p in load_split(ROOT / "corpora" / "labels", "test")][:400]
    expected = [p.label for p in Classifier.load(MODEL).predict(texts)]
    shared = Classifier.load(MODEL)  # its word cache grows while threads use it
    chunks = [texts[i::8] for i in range(8)]
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda chunk: [p.label for p in shared.predict(chunk)], chunks))
    assert [expected[i::8] for i in range(8)] == got
