"""What one document may cost: hostile diagrams, lines and patterns are bounded, each limit a warning with
file and line; documents of the real corpora parse exactly as before the limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from bounded import run_bounded

from kg.build import build
from kg.mermaid import MAX_EDGES_PER_DIAGRAM, MAX_EDGES_PER_STATEMENT, MAX_NODES_PER_DIAGRAM, parse_mermaid
from kg.model import Block, Document
from kg.parse import MAX_LINE_CHARS, parse_document
from kg.rules.ownership import document_owner
from kg.rules.state import Extraction


def fan_out(statements: int, n: int, prefix: str = "") -> str:
    """Statements `A0 & … & An --> B0 & … & Bn`: about 10·n bytes of text each, for n² edges each."""
    lines = [" & ".join(f"A{prefix}{s or ''}{i}" for i in range(n)) + " --> " +
             " & ".join(f"B{prefix}{s or ''}{i}" for i in range(n)) for s in range(statements)]
    return "# Fan-out\n\n```mermaid\nflowchart LR\n" + "\n".join(lines) + "\nX --> Y\n```\n"


def _build(root: str) -> tuple[list[str], int]:
    """kg build (with its parse cache) of a workspace: the warnings, and the edges of its first diagram."""
    from kg.api import build_graph

    meta = build_graph([root], Path(root).parent / ".kg")
    result = build([root])
    return list(meta["warnings"]), sum(len(d.diagrams[0].edges) for d in result.documents if d.diagrams)


def _write(tmp_path: Path, text: str) -> Path:
    doc = tmp_path / "ws" / "docs" / "FANOUT.md"
    doc.parent.mkdir(parents=True)
    doc.write_text(text, encoding="utf-8")
    return doc


def test_a_19_kb_mermaid_fan_out_builds_in_bounded_memory(tmp_path: Path) -> None:
    doc = _write(tmp_path, fan_out(1, 1_380))  # the probe's document: one 19 KB statement, 1.8 million edges
    assert 18_000 < doc.stat().st_size < 20_000
    # the probe saw 6 GB in 30 s; now the line is cut before the parser reads it
    warnings, edges = run_bounded(_build, str(tmp_path / "ws"), seconds=120, memory_mb=600)
    assert edges == 1, "X --> Y still counts"
    said = [w for w in warnings if "FANOUT.md:5:" in w]
    assert any("line is 19," in w and f"only the first {MAX_LINE_CHARS:,} are read" in w for w in said), warnings


def test_each_statement_over_the_edge_limit_is_skipped_with_a_warning(tmp_path: Path) -> None:
    _write(tmp_path, fan_out(4, 275, "x"))  # four lines under the line limit: 302,500 edges before the limit
    warnings, edges = run_bounded(_build, str(tmp_path / "ws"), seconds=120, memory_mb=600)
    assert edges == 1
    for line in (5, 6, 7, 8):
        said = [w for w in warnings if f"FANOUT.md:{line}:" in w]
        assert said and "75,625 edges" in said[0] and f"limit of {MAX_EDGES_PER_STATEMENT}" in said[0], warnings


def test_nodes_and_edges_per_diagram_are_limited_with_a_warning_naming_the_line() -> None:
    many_nodes = "flowchart LR\n" + "\n".join(f"    N{i} --> M{i}" for i in range(MAX_NODES_PER_DIAGRAM))
    d = parse_mermaid(many_nodes, first_line=10)
    assert len(d.nodes) <= MAX_NODES_PER_DIAGRAM
    assert len(d.edges) == MAX_NODES_PER_DIAGRAM // 2
    assert d.errors == [f"line {10 + MAX_NODES_PER_DIAGRAM // 2 + 1}: diagram has more than "
                        f"{MAX_NODES_PER_DIAGRAM:,} nodes (the limit); the rest of it is skipped"]
    many_edges = "sequenceDiagram\n" + "\n".join("    A->>B: ping" for _ in range(MAX_EDGES_PER_DIAGRAM + 5))
    d = parse_mermaid(many_edges, first_line=1)
    assert len(d.edges) == MAX_EDGES_PER_DIAGRAM
    assert len(d.errors) == 1 and "more than 5,000 edges" in d.errors[0]
    assert d.errors[0].startswith(f"line {1 + MAX_EDGES_PER_DIAGRAM + 1}:")


def test_a_document_s_diagrams_share_one_edge_budget() -> None:
    block = "```mermaid\nsequenceDiagram\n" + "A->>B: x\n" * MAX_EDGES_PER_DIAGRAM + "```\n\n"
    doc = parse_document("# Many\n\n" + block * 5, "r/many.md", "r")
    assert sum(len(d.edges) for d in doc.diagrams) == 4 * MAX_EDGES_PER_DIAGRAM
    assert [w for w in doc.warnings if "mermaid block skipped" in w and "r/many.md:" in w]


def test_a_long_line_is_cut_with_a_warning_and_the_document_still_counts() -> None:
    text = "# Title\n\n**Owner:** Platform Team\n\n" + "word " * 40_000 + "\n\nAfter.\n"
    doc = parse_document(text, "r/long.md", "r")
    assert max(len(line) for line in doc.lines) == MAX_LINE_CHARS
    assert doc.warnings == [f"r/long.md:5: line is 200,000 characters long; only the first {MAX_LINE_CHARS:,} are read"]
    assert doc.title == "Title" and doc.blocks[-1].text == "After."


def _owner_of_a_line_of_spaces(spaces: int) -> int:
    line = "**Owner:** x" + " " * spaces + "y"
    doc = Document(path="r/own.md", repo="r", title="", kind="doc", lines=[line])
    doc.blocks.append(Block(kind="paragraph", text=line, line=1, end_line=1, section=()))
    out = Extraction()
    document_owner(doc, out)
    return len(out.facts)


def test_owner_pattern_is_linear_on_a_line_of_spaces() -> None:
    # the lazy `(.+?)[*_\s]*$` took 181 s on this line; the rule sees it whole when called on its own
    assert run_bounded(_owner_of_a_line_of_spaces, 100_000, seconds=20) == 0


@pytest.mark.parametrize("line", ["A->>B" + " " * 100_000 + "x", "participant A" + " " * 200_000 + "x",
                                  "A" + " " * 100_000 + "->>" + " " * 100_000 + "B: hi"])
def test_sequence_patterns_are_linear_on_a_line_of_spaces(line: str) -> None:
    # 298 s (message) and 28 s (participant) before: lazy matches followed by `\s*`
    d = run_bounded(parse_mermaid, "sequenceDiagram\n" + line, seconds=20)
    assert len(d.nodes) in (1, 2) and not d.errors


def test_sequence_messages_and_participants_read_as_before() -> None:
    d = parse_mermaid("sequenceDiagram\nparticipant A as Alice\nAlice Bob ->> +C D: x: y\nA-xB\nparticipant as as B")
    assert {k: n.label for k, n in d.nodes.items()} == {"A": "Alice", "Alice Bob": "Alice Bob", "C D": "C D",
                                                        "B": "B", "as": "B"}
    assert [(e.source, e.target, e.label, e.arrow) for e in d.edges] == [("Alice Bob", "C D", "x: y", "->>"),
                                                                         ("A", "B", "", "-x")]
