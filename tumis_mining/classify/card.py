"""The model card (``MODEL_CARD.md``) written beside every trained model."""

from __future__ import annotations

from .data import GENRES, LABELS, LANGS
from .metrics import Evaluation

CODEBOOK = "../shared/CODEBOOK.md"


def _f(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _per_label(evaluation: Evaluation) -> list[str]:
    rows = [[f"`{label}`", _f(s.precision), _f(s.recall), _f(s.f1), str(s.support)]
            for label, s in evaluation.per_label.items()]
    rows.append(["**macro**", "", "", f"**{_f(evaluation.macro_f1)}**", str(evaluation.n)])
    return _table(["label", "precision", "recall", "F1", "passages"], rows)


def _confusion(evaluation: Evaluation) -> list[str]:
    short = {label: label.split("_")[0][:6] for label in evaluation.labels}
    rows = [[f"`{label}`"] + [str(n) for n in row]
            for label, row in zip(evaluation.labels, evaluation.confusion)]
    return _table(["true \\ predicted"] + [short[label] for label in evaluation.labels], rows)


def _reliability(evaluation: Evaluation) -> list[str]:
    rows = [[f"{r['low']:.1f}-{r['high']:.1f}", str(r["n"]), _f(r["confidence"]), _f(r["accuracy"])]
            for r in evaluation.reliability]
    return _table(["confidence", "passages", "mean confidence", "accuracy"], rows)


def _counts(counts: dict) -> list[str]:
    table = counts["by_label_lang_genre"]
    rows = []
    for label in LABELS:
        for lang in LANGS:
            cells = table.get(label, {}).get(lang, {})
            rows.append([f"`{label}`", lang] + [str(cells.get(g, 0)) for g in GENRES]
                        + [str(sum(cells.values()))])
    return _table(["label", "lang", *GENRES, "total"], rows)


def _top_confusions(evaluation: Evaluation, k: int = 3) -> list[str]:
    pairs = []
    for i, true in enumerate(evaluation.labels):
        for j, predicted in enumerate(evaluation.labels):
            if i != j and evaluation.confusion[i][j]:
                pairs.append((evaluation.confusion[i][j], true, predicted))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    return [f"`{t}` read as `{p}` ({n} passages)" for n, t, p in pairs[:k]]


def model_card(report) -> str:
    """Markdown for a ``train.TrainReport``."""
    meta = report.metadata
    test, cv = report.test, report.cv
    lines = [
        "# Passage classifier: model card",
        "",
        f"Model `{meta['version']}` (candidate `{report.chosen}`), rebuilt by `tumis train` from "
        "`corpora/labels/` with the same predictions, metrics and parameter hash.",
        "",
        f"- Labels: the four collaboration variables of Ansell & Gash (2008) plus `other`, as "
        f"`{CODEBOOK}` defines them; one label per passage, with a calibrated probability for "
        "each (`scores`) and the top one as `confidence`.",
        f"- Parameter hash: `{meta['parameter_hash']}`",
        f"- Training data hash (train split): `{meta['data_hash']['train']}`; "
        f"test split: `{meta['data_hash']['test']}`",
        f"- Seed {meta['seed']}; {meta['folds']}-fold stratified cross-validation on the train "
        "split chose every setting; the test split was read once, to score the chosen model.",
        "- Files: `model.json`, `vocabulary.json`, `weights.npz` (arrays, read without pickle), "
        "`metadata.json` (all figures below, machine-readable).",
        "",
        "## Data",
        "",
        f"Hand-written passages ({report.counts['train']['n']} train, "
        f"{report.counts['test']['n']} test; {report.counts['train']['hard']} and "
        f"{report.counts['test']['hard']} of them hard cases). See `corpora/labels/ANNOTATION.md`.",
        "",
        "Train split, passages per label x language x genre:",
        "",
        *_counts(report.counts["train"]),
        "",
        "Test split:",
        "",
        *_counts(report.counts["test"]),
        "",
        "## Candidates (stratified 5-fold CV on the train split)",
        "",
        "Speed: passages per second of the fold-1 model on its held-out passages (words it never "
        "saw included), one process, batch, best of five; embedding candidates on 16 of those "
        "passages with the embedder's threads as available (`make bench` measures one core).",
        "",
    ]
    rows = [[f"`{r.name}`", r.description, "; ".join(
        f"{head}: {describe_setting(s)}" for head, s in r.settings.items()),
        _f(r.cv.macro_f1, 4), _f(r.cv.ece, 4), f"{r.speed:,.1f}"] for r in report.candidates]
    lines += _table(["candidate", "what", "chosen setting", "CV macro-F1", "CV ECE",
                     "passages/s"], rows)
    lines += ["", f"**Chosen: `{report.chosen}`.** {report.reason}", "",
              "Settings tried per head (CV macro-F1 of the arg-max; the first setting within the "
              "tie tolerance, the most regularised, is kept):", ""]
    grid_rows = [[head, describe_setting(row["setting"]), _f(row["macro_f1"], 4)]
                 for head, grid in meta["grids"].items() for row in grid]
    lines += _table(["head", "setting", "CV macro-F1"], grid_rows)
    lines += [
        "",
        "## Quality",
        "",
        "Test split (held out, scored once):",
        "",
        *_per_label(test),
        "",
        f"Accuracy {_f(test.accuracy)}; on the {report.test_hard.n} hard cases "
        f"{_f(report.test_hard.accuracy)}, on the other {test.n - report.test_hard.n} "
        f"{_f(_rest_accuracy(test, report.test_hard))}.",
        "",
        "By language and genre (test split):",
        "",
    ]
    by_rows = [[kind, value, str(e.n), _f(e.accuracy), _f(e.macro_f1)]
               for kind, groups in report.test_by.items() for value, e in groups.items()]
    lines += _table(["by", "value", "passages", "accuracy", "macro-F1"], by_rows)
    lines += ["", "Confusion matrix (test split; rows true, columns predicted):", "",
              *_confusion(test), "",
              "Cross-validation on the train split (out-of-fold predictions of the chosen "
              "candidate):", "", *_per_label(cv), "",
              f"CV accuracy {_f(cv.accuracy)}; on the {report.cv_hard.n} hard cases "
              f"{_f(report.cv_hard.accuracy)}.", "",
              "## Calibration", "",
              f"Probabilities are temperature-scaled on cross-validated predictions. Expected "
              f"calibration error (10 equal-width bins of top-label confidence): "
              f"**{_f(test.ece, 4)} on the test split**, {_f(cv.ece, 4)} in CV.", "",
              "Reliability on the test split:", "", *_reliability(test), "",
              "## Speed and size", "",
              f"- {chosen_speed(report):,.0f} passages/s in batch (see the candidates table); "
              "`make bench` measures it on one core.",
              f"- Loads in {meta.get('load_seconds', float('nan')):.2f} s; "
              f"{meta.get('size_mb', float('nan')):.1f} MB on disk.", "",
              "## Known weaknesses", ""]
    lines += [f"- {line}" for line in _weaknesses(report)]
    lines += ["", "## Library versions", ""]
    lines += [f"- {name} {version}" for name, version in meta["library_versions"].items()]
    lines += ["", f"Training took {meta['training_seconds']:.0f} s.", ""]
    return "\n".join(lines)


def chosen_speed(report) -> float:
    return next(r.speed for r in report.candidates if r.name == report.chosen)


def describe_setting(setting: dict) -> str:
    """A head's setting for people: ``words 1-2, C=10``."""
    parts = []
    for key, value in setting.items():
        if key == "word_ngrams":
            parts.append(f"words {value[0]}-{value[1]}")
        else:
            parts.append(f"{key}={value:g}" if isinstance(value, float) else f"{key}={value}")
    return ", ".join(parts)


def _rest_accuracy(test: Evaluation, hard: Evaluation) -> float:
    rest = test.n - hard.n
    return (test.accuracy * test.n - hard.accuracy * hard.n) / rest if rest else 0.0


def _weaknesses(report) -> list[str]:
    test = report.test
    worst = min(test.per_label.items(), key=lambda item: item[1].f1)
    lines = [
        f"Most frequent confusions on the test split: {'; '.join(_top_confusions(test))}.",
        f"Weakest label: `{worst[0]}` (test F1 {_f(worst[1].f1)}).",
        f"Cross-validation is optimistic: CV macro-F1 {_f(report.cv.macro_f1)} against "
        f"{_f(test.macro_f1)} on the test split, which was written in its own pass. Expect "
        "lower figures again on passages written elsewhere, and on real documents with OCR "
        "errors, tables or run-together articles.",
        f"Hard cases (the codebook's rules for a regent chairing a meeting, a Pasal naming the "
        f"bupati, bare statistics): {_f(report.test_hard.accuracy)} accuracy on the test "
        f"split's {report.test_hard.n}, {_f(_rest_accuracy(test, report.test_hard))} on the "
        f"rest; in CV {_f(report.cv_hard.accuracy)} against {_f(report.cv.accuracy)} overall. "
        "A meeting chaired by the regent is the hardest call: words of meetings and of "
        "leadership both appear, and the label turns on what the passage is mainly about.",
        "One label per passage: a passage that mixes two variables gets the one its words lean "
        "to; read `scores` for the runner-up.",
        "Bag of words and characters: the model sees vocabulary, not argument structure, so a "
        "passage that mentions meetings or a regulation in passing can be pulled to "
        "`collaborative_process` or `institutional_design`.",
        "English is a minority of the training data (about a fifth); Indonesian regional "
        "languages and legal Malay are absent.",
    ]
    return lines
