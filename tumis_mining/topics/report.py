"""The topics report: one self-contained HTML file, readable offline.

It holds the topic table (label, passages, top words), the figures and what they were made
with: BERTopic's ``visualize_barchart`` (topic words), ``visualize_topics_per_class`` (topics per
variable), ``visualize_topics_over_time`` (topics per year) and ``visualize_topics`` (intertopic
distance map). plotly's JavaScript is written into the file once, inside
``<script id="plotly-js">``; nothing is loaded from a network (the plotly bundle itself names map
tile servers, used only by map traces, which this report has none of). A figure that cannot be
drawn (an intertopic map needs at least three topics) is replaced by a sentence saying why.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from .model import Topic, TopicModel, TopicSlice, quiet

PLOT_CONFIG = {"displaylogo": False, "responsive": True,
               "modeBarButtonsToRemove": ["sendDataToCloud"]}

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1280px; color: #1f2933; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2.2rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #d9e2ec; padding: 0.3rem 0.5rem; text-align: left;
         vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #52606d; font-size: 0.9rem; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }
dt { font-weight: 600; }
"""


def _frame(slices: Sequence[TopicSlice], column: str):
    import pandas as pd  # noqa: PLC0415

    return pd.DataFrame({
        "Topic": [s.topic for s in slices],
        "Words": [", ".join(s.words[:5]) for s in slices],
        "Frequency": [s.frequency for s in slices],
        column: [s.key for s in slices],
    })


def _figure(draw) -> tuple[str | None, str | None]:
    """A figure's HTML (without plotly.js), or why it could not be drawn."""
    try:
        with quiet():
            figure = draw()
    except (ValueError, TypeError, IndexError, KeyError, ZeroDivisionError) as exc:
        return None, f"not drawn: {exc}"
    return figure.to_html(full_html=False, include_plotlyjs=False, config=PLOT_CONFIG), None


def figures(model: TopicModel, per_class: Sequence[TopicSlice],
            over_time: Sequence[TopicSlice],
            top_n: int = 12) -> dict[str, tuple[str | None, str | None]]:
    """The four figures by name: (HTML, None) or (None, reason)."""
    bertopic = model.bertopic_
    shown = [t.id for t in sorted(model.topics(), key=lambda t: -t.size) if t.id != -1][:top_n]
    found = {}
    found["words"] = _figure(lambda: bertopic.visualize_barchart(
        topics=shown, n_words=8, custom_labels=True, title="<b>Topic words</b>",
        width=300, height=300)) if shown else (None, "no topics")
    found["per_variable"] = _figure(lambda: bertopic.visualize_topics_per_class(
        _frame(per_class, "Class"), topics=shown, custom_labels=True,
        title="<b>Topics per variable</b>", width=1200, height=600)) if per_class else (
        None, "no classified passages")
    found["over_time"] = _figure(lambda: bertopic.visualize_topics_over_time(
        _frame(over_time, "Timestamp"), topics=shown, custom_labels=True,
        title="<b>Topics over time</b>", width=1200, height=450)) if over_time else (
        None, "no dated passages")
    if len([t for t in model.topics() if t.id != -1]) >= 3:
        found["map"] = _figure(lambda: bertopic.visualize_topics(
            custom_labels=True, title="<b>Intertopic distance map</b>", width=800, height=650))
    else:
        found["map"] = (None, "not drawn: an intertopic map needs at least three topics")
    return found


def _topic_table(topics: Sequence[Topic]) -> str:
    rows = "".join(
        f"<tr><td class='n'>{t.id}</td><td>{html.escape(t.label)}</td><td class='n'>{t.size}</td>"
        f"<td>{html.escape(', '.join(t.words))}</td></tr>"
        for t in sorted(topics, key=lambda t: (t.id == -1, t.id)))
    return ("<table><thead><tr><th>topic</th><th>label</th><th>passages</th><th>top words</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>")


def _variable_table(per_class: Sequence[TopicSlice], topics: Sequence[Topic]) -> str:
    if not per_class:
        return "<p class='note'>No classified passages.</p>"
    variables = sorted({str(s.key) for s in per_class})
    counts = {(s.topic, str(s.key)): s.frequency for s in per_class}
    head = "".join(f"<th>{html.escape(v)}</th>" for v in variables)
    body = ""
    for topic in sorted(topics, key=lambda t: (t.id == -1, t.id)):
        cells = "".join(f"<td class='n'>{counts.get((topic.id, v), 0)}</td>" for v in variables)
        body += f"<tr><td>{topic.id}: {html.escape(topic.label)}</td>{cells}</tr>"
    return f"<table><thead><tr><th>topic</th>{head}</tr></thead><tbody>{body}</tbody></table>"


def render(model: TopicModel, topics: Sequence[Topic], per_class: Sequence[TopicSlice],
           over_time: Sequence[TopicSlice], metrics: dict | None = None,
           title: str = "Topics") -> str:
    """The report as one HTML string (plotly.js inlined)."""
    from plotly.offline import get_plotlyjs  # noqa: PLC0415

    drawn = figures(model, per_class, over_time)
    sections = []
    for key, heading in (("words", "Topic words"), ("per_variable", "Topics per variable"),
                         ("over_time", "Topics over time"), ("map", "Intertopic distance map")):
        body, reason = drawn[key]
        body = body or f"<p class='note'>{html.escape(reason)}</p>"
        sections.append(f"<h2>{heading}</h2>{body}")
    passages = sum(t.size for t in topics)
    outliers = sum(t.size for t in topics if t.id == -1)
    facts = {
        "model": model.version_,
        "sub-models": ", ".join(f"{k} {v}" for k, v in model.sub_models_.items()),
        "passages": f"{passages} ({outliers} outliers)",
        "written": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
    }
    for name, value in (metrics or {}).items():
        facts[name] = value if not isinstance(value, float) else f"{value:.3f}"
    fact_list = "".join(f"<dt>{html.escape(str(k))}</dt><dd>{html.escape(str(v))}</dd>"
                        for k, v in facts.items())
    # "</" would close the script element early; plotly.js has it only inside strings.
    plotly_js = get_plotlyjs().replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{_STYLE}</style>
<script id="plotly-js">{plotly_js}</script>
</head><body>
<h1>{html.escape(title)}</h1>
<dl>{fact_list}</dl>
<h2>Topics</h2>
{_topic_table(topics)}
<h2>Passages per topic and variable</h2>
{_variable_table(per_class, topics)}
{''.join(sections)}
<script type="application/json" id="topics-data">{_json([t.as_dict() for t in topics])}</script>
</body></html>
"""


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def write_report(path: str | Path, model: TopicModel, topics: Sequence[Topic],
                 per_class: Sequence[TopicSlice], over_time: Sequence[TopicSlice],
                 metrics: dict | None = None, title: str = "Topics") -> Path:
    """Write the report to ``path`` (replaced whole: a reader never sees half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render(model, topics, per_class, over_time, metrics, title)
    handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".html")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is for reading
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
