"""Plain-data types passed between the pipeline stages.

discover -> parse -> extract -> resolve -> graph: every stage takes and returns
these dataclasses, so each one can be tested alone on a string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: document path (workspace-relative), 1-based line, text, method."""

    document: str
    line: int
    text: str
    method: str  # mermaid, table, prose, index, link, heading, front-matter, curated

    def as_dict(self) -> dict[str, Any]:
        return {"document": self.document, "line": self.line, "text": self.text, "method": self.method}


# ---------------------------------------------------------------- discovery


@dataclass(frozen=True)
class SourceFile:
    """A Markdown file found in a workspace, before it is read."""

    abspath: str
    path: str  # workspace-relative posix path, starting with the repository name
    repo: str  # repository name (git toplevel or first-level folder)


@dataclass
class Workspace:
    """The files to build from and the repositories they sit in."""

    roots: list[str]
    repos: dict[str, str]  # repository name -> absolute folder
    files: list[SourceFile]


# ---------------------------------------------------------------- parsing


@dataclass
class Section:
    """A heading and the lines it governs."""

    title: str
    level: int
    line: int
    path: tuple[str, ...]  # titles from the top heading down to this one
    code: list[str] = field(default_factory=list)  # `code spans` in the heading: names set apart as code


@dataclass
class Table:
    header: list[str]
    rows: list[dict[str, str]]  # header -> cell text (markup stripped)
    row_lines: list[int]
    line: int
    section: tuple[str, ...]
    row_links: list[list[tuple[str, str]]] = field(default_factory=list)  # (text, href) per row


@dataclass
class Block:
    """A paragraph or list item: plain text with its line and enclosing section."""

    kind: str  # paragraph, item
    text: str
    line: int
    section: tuple[str, ...]
    strong: list[str] = field(default_factory=list)  # **bold** spans, in order
    code: list[str] = field(default_factory=list)  # `code spans`, in order
    end_line: int = 0
    depth: int = 0  # list nesting depth for items


@dataclass
class CodeBlock:
    lang: str
    text: str
    line: int  # line of the opening fence
    section: tuple[str, ...]


@dataclass
class Link:
    text: str
    href: str
    line: int
    section: tuple[str, ...]
    # filled by link resolution
    target: str | None = None  # workspace-relative path of the target document
    kind: str = ""  # internal, github, external, anchor, unresolved


@dataclass
class MermaidNode:
    id: str
    label: str
    shape: str = "rect"
    line: int = 0
    subgraph: str | None = None  # id of the innermost enclosing subgraph


@dataclass
class MermaidEdge:
    source: str
    target: str
    label: str = ""
    arrow: str = "-->"
    line: int = 0


@dataclass
class MermaidSubgraph:
    id: str
    label: str
    line: int = 0
    parent: str | None = None
    members: list[str] = field(default_factory=list)  # node and subgraph ids directly inside


@dataclass
class MermaidDiagram:
    kind: str  # flowchart, sequence, other
    direction: str = ""
    nodes: dict[str, MermaidNode] = field(default_factory=dict)
    edges: list[MermaidEdge] = field(default_factory=list)
    subgraphs: dict[str, MermaidSubgraph] = field(default_factory=dict)
    line: int = 0  # absolute line of the first diagram line in its document
    errors: list[str] = field(default_factory=list)
    section: tuple[str, ...] = ()


@dataclass
class Document:
    """One Markdown file as a model: sections, tables, blocks, code, diagrams and links."""

    path: str
    repo: str
    title: str
    kind: str
    lines: list[str]
    front_matter: dict[str, Any] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    code_blocks: list[CodeBlock] = field(default_factory=list)
    diagrams: list[MermaidDiagram] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def line_text(self, line: int) -> str:
        """The stripped source text of a 1-based line ('' when out of range)."""
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1].strip()
        return ""


# ---------------------------------------------------------------- facts


@dataclass
class Mention:
    """A name an extractor saw, with the entity type it believes it is, before aliases are resolved."""

    name: str
    type: str  # Component, ADR, Vendor, Team, Repository
    evidence: Evidence
    props: dict[str, Any] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    # 2: a source that defines entities (tech-stack table, index); 1: a passing mention; 0: a candidate that
    # needs a second document; -1: joins a name given elsewhere, never makes one
    strength: int = 1


@dataclass
class Fact:
    """A relation an extractor saw between two names (or entity keys), before resolution."""

    subject: str
    predicate: str
    object: str
    evidence: Evidence
    subject_type: str = "Component"
    object_type: str = "Component"


@dataclass
class Entity:
    key: str  # stable id: "<type>/<slug>"
    type: str
    label: str
    aliases: set[str] = field(default_factory=set)
    props: dict[str, Any] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Relation:
    subject: str  # entity key
    predicate: str
    object: str  # entity key
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class UnresolvedReference:
    """A link or reference that points to nothing in the workspace."""

    document: str
    line: int
    target: str
    text: str
    reason: str


@dataclass
class BuildResult:
    """Everything a build produced: the input to the graph stage and to the store."""

    documents: list[Document]
    entities: dict[str, Entity]
    relations: list[Relation]
    unresolved: list[UnresolvedReference]
    warnings: list[str]
    repos: dict[str, str]


# ---------------------------------------------------------------- plain (JSON) form of a parsed document
# The parse cache stores Documents as JSON rather than pickles: a graph directory may be shared, and
# loading it must never run code.


def document_to_plain(doc: Document) -> dict[str, Any]:
    """A parsed Document as JSON-ready data (before link resolution fills link targets)."""
    from dataclasses import asdict

    return asdict(doc)


def document_from_plain(data: dict[str, Any]) -> Document:
    """The Document that `document_to_plain` wrote."""

    def section_path(value: Any) -> tuple[str, ...]:
        return tuple(value or ())

    diagrams = []
    for d in data["diagrams"]:
        diagrams.append(MermaidDiagram(
            kind=d["kind"], direction=d["direction"], line=d["line"], errors=list(d["errors"]),
            section=section_path(d["section"]),
            nodes={k: MermaidNode(**v) for k, v in d["nodes"].items()},
            edges=[MermaidEdge(**e) for e in d["edges"]],
            subgraphs={k: MermaidSubgraph(**v) for k, v in d["subgraphs"].items()}))
    return Document(
        path=data["path"], repo=data["repo"], title=data["title"], kind=data["kind"], lines=list(data["lines"]),
        front_matter=dict(data["front_matter"]),
        sections=[Section(title=s["title"], level=s["level"], line=s["line"], path=section_path(s["path"]),
                          code=list(s.get("code", []))) for s in data["sections"]],
        tables=[Table(header=t["header"], rows=t["rows"], row_lines=t["row_lines"], line=t["line"],
                      section=section_path(t["section"]),
                      row_links=[[tuple(x) for x in r] for r in t["row_links"]]) for t in data["tables"]],
        blocks=[Block(**{**b, "section": section_path(b["section"])}) for b in data["blocks"]],
        code_blocks=[CodeBlock(**{**c, "section": section_path(c["section"])}) for c in data["code_blocks"]],
        diagrams=diagrams,
        links=[Link(**{**lk, "section": section_path(lk["section"])}) for lk in data["links"]],
        warnings=list(data["warnings"]))
