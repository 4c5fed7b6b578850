"""kg.display: entity cards and impact results as escaped, compact HTML; diagrams and the ADR timeline."""

from __future__ import annotations

import pandas as pd
import pytest

from kg import display
from kg.api import EntityCard, Hop, ImpactResult, ImpactRow

EVIL = '<script>alert("x")</script>'


def card(**overrides) -> EntityCard:
    ev = {"document": "docs/a&b.md", "line": 12, "text": "uses <b>MinIO</b> & more", "method": "prose"}
    data = {"id": "component/evil", "label": EVIL, "type": "Component", "aliases": ["<img src=x onerror=1>"],
            "status": "in use", "properties": {"category": "<i>Events</i>", "version": "5.x", "empty": ""},
            "relations": [
                {"relation": "storesDataIn", "direction": "out",
                 "other": {"id": "component/minio", "label": "MinIO", "type": "Component"}, "evidence": [ev]},
                {"relation": "consumesFrom", "direction": "in",
                 "other": {"id": "component/keda", "label": "KEDA", "type": "Component"}, "evidence": [ev, ev, ev]},
                {"relation": "mentions", "direction": "in",
                 "other": {"id": "document/x.md", "label": "X doc", "type": "Document"}, "evidence": [ev]},
            ],
            "documents": ["docs/a&b.md"], "evidence": [ev]}
    data.update(overrides)
    return EntityCard(data)


def test_card_escapes_everything_from_the_docs() -> None:
    html = card()._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=1&gt;" in html
    assert "<i>Events</i>" not in html and "&lt;i&gt;Events&lt;/i&gt;" in html
    assert "<b>MinIO</b> &" not in html and "uses &lt;b&gt;MinIO&lt;/b&gt; &amp; more" in html


def test_card_content() -> None:
    html = display.card_html(card())
    assert "Component" in html and "in use" in html and "5.x" in html
    assert "empty" not in html  # empty properties are left out
    assert "→" in html and "storesDataIn" in html and "MinIO" in html
    assert "←" in html and "consumesFrom" in html and "KEDA" in html
    assert "<code>docs/a&amp;b.md:12</code>" in html  # evidence as file:line with its text
    assert "+1 more" in html  # three pieces of evidence: two shown
    assert "mentioned in 1 document<" in html and "X doc" in html


def test_card_of_a_lonely_entity() -> None:
    html = display.card_html(card(relations=[], aliases=[], properties={}, evidence=[], status=""))
    assert "no relations" in html and "aliases" not in html


def test_long_evidence_is_shortened_but_kept_in_the_tooltip() -> None:
    text = "word " * 100
    html = display.evidence_html({"document": "a.md", "line": 3, "text": text, "method": "prose"})
    assert "…" in html and html.count("word") > 100


def impact(direction: str = "dependents", rows: list[ImpactRow] | None = None) -> ImpactResult:
    target = {"id": "component/redpanda", "label": "Red<panda>", "type": "Component"}
    keda = {"id": "component/keda", "label": "KEDA", "type": "Component"}
    ev = [{"document": "keda/ADR-030.md", "line": 558, "text": 'redpanda -->|"queue depth"| keda', "method": "mermaid"}]
    if rows is None:
        hop = Hop(keda, "consumesFrom", target, ev)
        rows = [ImpactRow("component/keda", "KEDA", "Component", 1, ["KEDA", "Red<panda>"], ev, [hop], "in use")]
    return ImpactResult(target, direction, rows)


def test_impact_html() -> None:
    html = impact()._repr_html_()
    assert "1 entity depends on <b>Red&lt;panda&gt;</b>" in html
    assert "<panda>" not in html
    assert "KEDA" in html and "consumesFrom" in html and "in use" in html
    assert "<code>keda/ADR-030.md:558</code>" in html
    assert "&quot;queue depth&quot;" in html and "--&gt;" in html
    assert "KEDA → Red&lt;panda&gt;" in html


def test_impact_html_empty_and_deps() -> None:
    assert "Nothing depends on" in display.impact_html(impact(rows=[]))
    assert "depends on nothing" in display.impact_html(impact("dependencies", rows=[]))
    deps = display.impact_html(impact("dependencies"))
    assert "depends on 1 entity" in deps
    assert "Red&lt;panda&gt; → KEDA" in deps  # read from the dependent end


def test_impact_on_a_real_graph(sample_kg) -> None:
    result = sample_kg.impact("Redpanda")
    html = result._repr_html_()
    assert "KEDA" in html and ".md:" in html
    assert "KEDA" in set(result.to_frame()["label"])


def test_diagram_reprs() -> None:
    svg = display.Diagram('<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg><g/></svg>', "svg")
    assert svg._repr_svg_() == '<svg width="100%" style="height:auto"><g/></svg>' and svg._repr_html_() is None
    # a Graphviz drawing scales down to the cell's width, never up past its own size, and keeps its shape
    big = display.Diagram('<svg width="1109pt" height="756pt" viewBox="0 0 1109 756"><g/></svg>', "svg")
    assert big._repr_svg_() == ('<svg viewBox="0 0 1109 756" width="100%" style="max-width:1109pt;height:auto">'
                                "<g/></svg>")
    page = display.Diagram('<html><script>var a = "<b>" & 1;</script></html>', "html", title="A & B")
    html = page._repr_html_()
    assert html.startswith("<iframe srcdoc=") and "<script>" not in html
    assert "&lt;script&gt;var a = &quot;&lt;b&gt;&quot; &amp; 1;" in html
    assert page._repr_svg_() is None
    mermaid = display.Diagram("flowchart LR\n  a --> b", "mermaid")
    assert mermaid._repr_mimebundle_()["text/vnd.mermaid"].startswith("flowchart")
    assert mermaid._repr_html_() is None and mermaid._repr_svg_() is None


def test_adr_timeline() -> None:
    pytest.importorskip("matplotlib")
    frame = pd.DataFrame({"adr": ["ADR-001", "ADR-002", "ADR-003"], "date": ["2026-01-05", "", "2026-01-07"],
                          "status": ["Accepted", "Proposed", "Superseded"], "title": ["One", "Two", "Three"]})
    fig = display.adr_timeline(frame)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["ADR-003 Three", "ADR-001 One"]
    assert "1 without a date" in ax.get_title(loc="left")
    with pytest.raises(ValueError):
        display.adr_timeline(pd.DataFrame({"x": [1]}))


def test_empty_diagram_draws_nothing(sample_kg) -> None:
    empty = display.diagram(sample_kg, [], fmt="svg")
    assert empty._repr_svg_() is None and "nothing to draw" in empty._repr_html_()


def test_bar_chart() -> None:
    pytest.importorskip("matplotlib")
    fig = display.bar_chart(pd.Series({"Accepted": 5, "Proposed": 1}, name="ADRs"), title="ADRs by status")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Proposed", "Accepted"]  # first row on top
    frame = pd.DataFrame({"vendor": ["A", "B"], "uses": [3, 1], "docs": [1, 2], "note": ["x", "y"]})
    assert len(display.bar_chart(frame, "vendor").axes[0].patches) == 4  # every numeric column
    assert len(display.bar_chart(frame, "vendor", "uses").axes[0].patches) == 2
    empty = display.bar_chart(frame.iloc[0:0], "vendor", "uses")
    assert "nothing to plot" in [t.get_text() for t in empty.axes[0].texts]
