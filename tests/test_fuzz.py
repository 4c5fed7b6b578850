"""Property-based tests (hypothesis) of the Markdown, Mermaid and front-matter handling, and of names in every output.

- any Markdown (with front matter, tables, diagrams, hostile bytes) builds without exception in bounded time;
- a Mermaid flowchart written from a random graph parses back to that graph;
- names with quotes, backslashes, newlines, markup and non-ASCII characters survive RDF and every export
  format unharmed and escaped.

CI runs the "ci" profile (a bounded number of examples); `HYPOTHESIS_PROFILE=long pytest tests/test_fuzz.py`
runs the long one (see the README's contributing notes).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal
from rdflib.namespace import RDFS

from kg import api
from kg.build import build
from kg.escape import csv_cell
from kg.export import build_view, render
from kg.graph import iri, to_rdf
from kg.mermaid import parse_mermaid, to_mermaid
from kg.model import MermaidDiagram, MermaidEdge, MermaidNode
from kg.parse import parse_document

settings.register_profile("ci", max_examples=40, deadline=timedelta(seconds=20),
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", max_examples=3000, deadline=timedelta(seconds=60),
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# ---------------------------------------------------------------- Markdown that means something to kg, and noise

PIECES = ["# ", "## Status\n", "## Decision\n", "Accepted", "Superseded by ADR-3", "Supersedes ADR-1", "ADR-7",
          "**", "_", "`", "| ", " |", "|---|---|\n", "| Category | Technology | Purpose |\n", "| Service | Depends on |\n",
          "- ", "1. ", "> ", "[x](", "../09-adrs/ADR-1.md", ")", "https://github.com/acme/r/blob/main/x.md",
          "```mermaid\n", "```\n", "flowchart LR\n", "sequenceDiagram\n", "A --> B", " & ", "-->|x|", "[\"", "\"]",
          "subgraph s\n", "end\n", "participant A as B\n", "A->>B: hi\n", "---\n", "status: [\n", "title: x\n",
          "&amp;", "#quot;", "<br/>", "<script>", "Redpanda", "MinIO", "**Owner:** ", "Platform Team", "Status: ",
          "Date: 2026-13-45", "\n", "\n\n", " ", "\t", "\x00", "\u202e", "\u2028", "é", "😀", "\\", "\"", "'", "{", "}"]
markdown = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=60).map("".join)
front_matter = st.dictionaries(st.sampled_from(["status", "title", "date", "id", "supersedes", "tags"]),
                               st.one_of(st.text(max_size=20), st.integers(), st.lists(st.text(max_size=8), max_size=3)),
                               max_size=4)


@given(text=markdown)
def test_any_markdown_parses(text: str) -> None:
    doc = parse_document(text, "r/doc.md", "r")
    for item in [*doc.sections, *doc.blocks, *doc.links]:
        assert 0 <= item.line <= max(len(doc.lines), 1) + 1


@settings(max_examples=15)
@given(files=st.lists(st.tuples(st.sampled_from(["README.md", "docs/ADR-001-x.md", "docs/adr/0002-y.md", "a b.md"]),
                                markdown, front_matter), min_size=1, max_size=4))
def test_any_workspace_builds_and_checks(files: list[tuple[str, str, dict[str, object]]]) -> None:
    import yaml

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws" / "repo"
        for name, text, fm in files:
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            head = "---\n" + yaml.safe_dump(fm, allow_unicode=True) + "---\n" if fm else ""
            path.write_text(head + text, encoding="utf-8", errors="surrogatepass")
        meta = api.build_graph([str(root)], Path(tmp) / ".kg")
        kg = api.open(Path(tmp) / ".kg", build_if_missing=False)
        assert meta["stats"]["documents"] == len(kg.model["documents"]) <= len(files)
        for f in kg.check(rules=["broken-link", "adr-number-conflict", "conflicting-choice", "dependency-cycle"]):
            assert f.document and f.message


@given(body=st.lists(st.sampled_from(["A", "B", " & ", " --> ", "-->|l|", "[x]", "(y)", "{z}", "\n", ";", "\"",
                                      "subgraph s", "end", "%%", "click A", "A@{ shape: cyl }", "-.->", "==>"]),
                     max_size=200).map("".join))
def test_any_mermaid_parses_without_raising(body: str) -> None:
    diagram = parse_mermaid("flowchart LR\n" + body, first_line=3)
    assert all(e.source in diagram.nodes or e.source in diagram.subgraphs for e in diagram.edges)


# ---------------------------------------------------------------- a random graph as a flowchart, and back

RESERVED = {"end", "graph", "flowchart", "subgraph", "style", "class", "classDef", "click", "linkStyle", "direction",
            "o", "x"}
node_ids = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,7}", fullmatch=True).filter(lambda s: s not in RESERVED)
# labels as Mermaid keeps them: one line, single spaces (clean_label normalises whitespace)
label_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=24)
labels = label_text.map(lambda s: " ".join(s.split())).filter(bool)
SHAPES = ["rect", "round", "stadium", "subroutine", "cylinder", "circle", "rhombus", "hexagon", "double-circle"]
ARROWS = ["-->", "---", "-.->", "==>", "--o", "--x", "<-->"]


@st.composite
def flowcharts(draw: st.DrawFn) -> MermaidDiagram:
    ids = draw(st.lists(node_ids, min_size=1, max_size=8, unique_by=str.lower))
    d = MermaidDiagram(kind="flowchart", direction="LR")
    for node_id in ids:
        d.nodes[node_id] = MermaidNode(node_id, draw(labels), draw(st.sampled_from(SHAPES)), 0)
    for _ in range(draw(st.integers(0, 10))):
        d.edges.append(MermaidEdge(draw(st.sampled_from(ids)), draw(st.sampled_from(ids)),
                                   draw(st.one_of(st.just(""), labels)), draw(st.sampled_from(ARROWS)), 0))
    return d


@given(diagram=flowcharts())
def test_a_flowchart_from_a_random_graph_parses_back_to_that_graph(diagram: MermaidDiagram) -> None:
    text = to_mermaid(diagram)
    back = parse_mermaid(text)
    assert not back.errors, (text, back.errors)
    assert {(n.id, n.label, n.shape) for n in back.nodes.values()} == \
        {(n.id, n.label, n.shape) for n in diagram.nodes.values()}, text
    assert [(e.source, e.target, e.label, e.arrow) for e in back.edges] == \
        [(e.source, e.target, e.label, e.arrow) for e in diagram.edges], text


# ---------------------------------------------------------------- hostile names through RDF and every export

name_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\x0b\x0c\r",
                           max_codepoint=0x1FFFF).filter(lambda c: c in "\t\n" or c.isprintable())
hostile_parts = st.sampled_from(['"', "'", "\\", "\n", "<script>", "</script>", "&amp;", "**", "`", "|", "#quot;",
                                 "=", "+", "-", "@", "{{", "}}", "[", "]", ";", "%%", "é", "中文", "😀", "\u202e",
                                 "\u2028", "\x85"])
names = st.lists(st.one_of(hostile_parts, st.text(name_chars, max_size=6)), min_size=1, max_size=6).map("".join) \
    .filter(lambda s: s.strip() != "")


def graph_of(first: str, second: str) -> api.KnowledgeGraph:
    def ent(key: str, label: str) -> dict[str, object]:
        return {"key": key, "type": "Component", "label": label, "aliases": [], "props": {"status": "in use"},
                "evidence": [{"document": "d/a.md", "line": 1, "text": label, "method": "table"}]}

    rel = {"subject": "component/a", "predicate": "dependsOn", "object": "component/b",
           "evidence": [{"document": "d/a.md", "line": 2, "text": f"{first} needs {second}", "method": "prose"}]}
    return api.KnowledgeGraph({"entities": [ent("component/a", first), ent("component/b", second)],
                               "relations": [rel], "unresolved": [], "documents": [], "repositories": {},
                               "warnings": []})


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.data: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in = dict(attrs).get("type") if tag == "script" else None

    def handle_data(self, data: str) -> None:
        if self._in == "application/json":
            self.data.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in = None


def _dot_strings_are_closed(dot: str) -> bool:
    inside, k = False, 0
    while k < len(dot):
        c = dot[k]
        if inside and c == "\\":
            k += 2
            continue
        if c == '"':
            inside = not inside
        elif inside and c == "\n":
            return False  # a raw newline inside a quoted string: a name broke out of its label
        k += 1
    return not inside


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib's JSON-LD parser
@settings(max_examples=30)
@given(first=names, second=names)
@example(first="a\u2028b", second='=1+1 "q" \\ <script>')  # U+2028 split N-Triples lines before
def test_names_survive_rdf_and_every_export_escaped(first: str, second: str) -> None:
    kg = graph_of(first, second)
    graph = to_rdf(kg.model)
    again = Graph().parse(data=graph.serialize(format="nt"), format="nt")
    from rdflib import URIRef

    assert again.value(URIRef(iri("component/a")), RDFS.label) == Literal(first)
    view = build_view(kg)
    by_label = {n.label for n in view.nodes}
    assert by_label == {first, second}

    for fmt in ("turtle", "jsonld", "ntriples"):
        rdf = Graph().parse(data=str(render(view, fmt)), format={"jsonld": "json-ld", "ntriples": "nt"}.get(fmt, fmt))
        assert {str(o) for o in rdf.objects(None, RDFS.label)} >= {first, second}, fmt

    mermaid = str(render(view, "mermaid"))
    back = parse_mermaid(mermaid.split("```mermaid\n")[-1].split("```")[0] if "```" in mermaid else mermaid)
    assert {" ".join(first.split()), " ".join(second.split())} <= {n.label for n in back.nodes.values()}, mermaid

    dot = str(render(view, "dot"))
    assert _dot_strings_are_closed(dot), dot
    if shutil.which("dot"):
        done = subprocess.run(["dot", "-Tsvg"], input=dot.encode("utf-8"), capture_output=True, timeout=60)
        assert done.returncode == 0, done.stderr

    graphml = ET.fromstring(str(render(view, "graphml")).encode("utf-8"))
    texts = {d.text or "" for d in graphml.iter() if d.tag.endswith("data")}
    assert {first, second} <= texts

    page = str(render(view, "html"))
    parser = _Scripts()
    parser.feed(page)
    template = _Scripts()
    template.feed(str(render(build_view(graph_of("A", "B")), "html")))
    # a long name wraps into more <tspan> lines; no name adds or removes any other element
    assert [t for t in parser.tags if t != "tspan"] == [t for t in template.tags if t != "tspan"]
    data = json.loads("".join(parser.data))
    assert {first, second} <= {n["label"] for n in data["nodes"]}

    for name in (first, second):
        cell = csv_cell(name)
        row = next(csv.reader(io.StringIO(_csv_line([cell]))))
        assert row == [cell] and not re.match(r"[=+\-@\t\r]", row[0]) or re.fullmatch(r"[+-]?[\d.eE+-]+", row[0])


def _csv_line(cells: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow(cells)
    return buf.getvalue()


@settings(max_examples=10)
@given(name=names)
def test_a_hostile_name_from_a_document_reaches_the_graph_and_back(name: str) -> None:
    cell = " ".join(name.replace("|", "/").split())
    if not cell:
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "shop"
        root.mkdir()
        (root / "README.md").write_text(f"# Shop\n\n| Service | Depends on |\n|---|---|\n| {cell} | Redpanda |\n",
                                        encoding="utf-8")
        result = build([str(root)])
        assert result.documents and all(r.evidence for r in result.relations)
