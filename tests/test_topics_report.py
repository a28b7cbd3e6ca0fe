"""The topics report: one HTML file with the four figures, readable without a network."""

from __future__ import annotations

import re

import pytest
from topics_corpus import labelled

from tumis_mining.topics import TopicModel, TopicSettings, write_report


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    rows = labelled(90)
    texts = [r["text"] for r in rows]
    model = TopicModel(TopicSettings()).fit(texts)
    per_class = model.topics_per_class(texts, model.topics_, [r["label"] for r in rows])
    over_time = model.topics_over_time(texts, model.topics_, [2019 + i % 4 for i in range(90)])
    path = tmp_path_factory.mktemp("reports") / "topics.html"
    write_report(path, model, model.topics(), per_class, over_time, {"NPMI coherence": 0.1})
    return model, path.read_text(encoding="utf-8")


def without_plotly(text: str) -> str:
    start = text.index('<script id="plotly-js">')
    return text[:start] + text[text.index("</script>", start):]


def test_report_has_the_four_figures(report):
    _, text = report
    for heading in ("Topic words", "Topics per variable", "Topics over time",
                    "Intertopic distance map"):
        assert f"<h2>{heading}</h2>" in text
    assert 4 == text.count("Plotly.newPlot(")
    assert "not drawn" not in text


def test_report_loads_nothing_from_a_network(report):
    _, text = report
    assert [] == re.findall(r"<script[^>]+src=", text)
    assert [] == re.findall(r"<link[^>]+href=", text)
    rest = without_plotly(text)
    assert [] == re.findall(r"https?://", rest)
    assert "cdn" not in rest.lower()
    assert len(text) - len(rest) > 1_000_000  # plotly.js is inlined


def test_report_lists_every_topic(report):
    model, text = report
    for topic in model.topics():
        assert f"<td>{topic.label}</td>" in text


def test_intertopic_map_needs_three_topics(tmp_path):
    rows = labelled(12)
    texts = [r["text"] for r in rows]
    model = TopicModel(TopicSettings(n_clusters=2)).fit(texts)
    path = write_report(tmp_path / "topics.html", model, model.topics(), [], [])
    text = path.read_text(encoding="utf-8")
    assert "not drawn: an intertopic map needs at least three topics" in text
    assert "no classified passages" in text
