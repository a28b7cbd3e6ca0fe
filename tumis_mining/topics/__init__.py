"""Topics of the corpus passages: BERTopic, offline, per variable and over time.

- ``run_topics(db)``: fit (or update) the corpus's topics, store them, write the report
  (``corpus.py``); ``tumis topics`` is its command (``cli.py``);
- ``TopicModel(settings).fit(texts)`` / ``.transform(texts)`` / ``.save`` / ``.load``: the model
  (``model.py``), with sub-models named in ``TopicSettings`` (``settings.py``), embedders in
  ``embedders.py`` and topic words in ``vocabulary.py``;
- ``evaluate`` and ``compare_embeddings``: NPMI, diversity, variable separation, outliers
  (``evaluate.py``); ``write_report``: the HTML report (``report.py``); reading and writing the
  topic tables: ``store.py``.

Names are imported on first use, so that importing this package loads neither BERTopic nor
scikit-learn.
"""

from __future__ import annotations

from ..lazy import lazy_exports

_EXPORTS = {
    "TopicSettings": "settings",
    "TopicsError": "settings",
    "TopicModel": "model",
    "Topic": "model",
    "TopicSlice": "model",
    "TopicMetrics": "evaluate",
    "evaluate": "evaluate",
    "compare_embeddings": "evaluate",
    "write_report": "report",
    "run_topics": "corpus",
    "TopicsRun": "corpus",
    "default_model_dir": "corpus",
    "read_topics": "store",
    "read_topics_per_class": "store",
    "read_topics_over_time": "store",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
