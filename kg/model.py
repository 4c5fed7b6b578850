"""Plain-data types passed between the pipeline stages.

discover -> parse -> extract -> resolve -> graph: every stage takes and returns
these dataclasses, so each one can be tested alone on a string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# How much one piece of evidence is worth, by how it was read, when its rule says nothing finer: a row of a
# table or an index means what it says; a sentence may be read wrong; a known name in passing is a hint.
METHOD_CONFIDENCE: dict[str, float] = {
    "table": 0.9, "index": 0.9, "front-matter": 0.9, "curated": 0.95, "heading": 0.85, "config": 0.85,
    "mermaid": 0.75, "link": 0.7, "prose": 0.6, "gazetteer": 0.5,
    # a manifest (Chart.yaml, a Flux or Backstage object, a blueprint's depends list) is configuration a tool
    # acts on: it says what it declares, though what it declares may have drifted from what runs
    "manifest": 0.9,
}


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: document path (workspace-relative), 1-based line, text, method, and how sure
    the reading is (0 to 1; 0 means the method's default)."""

    document: str
    line: int
    text: str
    method: str  # mermaid, table, prose, index, link, heading, front-matter, config, gazetteer, curated, manifest
    confidence: float = 0.0

    @property
    def weight(self) -> float:
        """The confidence this evidence carries: its rule's, else its method's."""
        return self.confidence or METHOD_CONFIDENCE.get(self.method, 0.5)

    def as_dict(self) -> dict[str, Any]:
        return {"document": self.document, "line": self.line, "text": self.text, "method": self.method,
                "confidence": round(self.weight, 2)}


def combined_confidence(weights: list[float]) -> float:
    """The confidence of a fact several pieces of evidence support: each one that could be wrong independently
    makes it likelier that the fact holds (1 - Π(1 - c)), never quite certain."""
    doubt = 1.0
    for w in weights:
        doubt *= 1.0 - min(max(w, 0.0), 0.99)
    return round(min(0.99, 1.0 - doubt), 2)


# ---------------------------------------------------------------- discovery


@dataclass(frozen=True)
class SourceFile:
    """A Markdown file or manifest found in a workspace, before it is read."""

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
    # (row index, column index) of cells that hold only an image (a badge, a logo): their text is its alt text
    image_cells: set[tuple[int, int]] = field(default_factory=set)

    def image_only(self, row: int, header: str) -> bool:
        """Whether the cell of row `row` (an index into rows) under `header` holds only an image."""
        return header in self.header and (row, self.header.index(header)) in self.image_cells


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
class ManifestLink:
    """What one manifest entry declares about another thing: the relation, the target's name as written, its line."""

    relation: str  # dependsOn, ownedBy, consumesApi, providesApi, partOf
    target: str
    line: int
    target_kind: str = ""  # the kind the manifest gives the target (component, resource, api, group, chart…)


@dataclass
class ManifestEntry:
    """One thing a manifest declares: a Helm chart, a Flux object, a Backstage entity or a component manifest."""

    format: str  # helm, compose, flux, backstage, generic
    kind: str  # Chart, Kustomization, HelmRelease, Component, Resource, System, API, Group, or the file's own kind
    name: str
    line: int
    aliases: list[str] = field(default_factory=list)  # other names of the same thing (title, chart, release)
    props: dict[str, str] = field(default_factory=dict)  # description, type, lifecycle, system, version
    links: list[ManifestLink] = field(default_factory=list)


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
    # a manifest (kind "manifest") is a source file too: its entries instead of Markdown structure
    manifests: list[ManifestEntry] = field(default_factory=list)

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
