"""C4-style exports for the design tools a team already uses: PlantUML (C4-PlantUML) and Structurizr DSL.

The C4 model has software elements and the relationships between them, not decisions: components become
containers of one "Platform" software system, grouped by the view's groups; vendors become external
systems; teams become people; a collapsed group becomes one container. ADRs and documents, and the
relations that touch them, are left out, and the output says so in a comment. Each relationship carries
its relation and the kind of dependency it is (runtime, hosting, build, backup), so a tool can style by it.

The PlantUML uses only the C4-PlantUML macros every release has had since it entered PlantUML's standard
library (Container, System_Ext, Person, System_Boundary, Rel), so it renders on old PlantUML too. The
Structurizr DSL keeps to the workspace/model/views core that every Structurizr parser reads.
"""

from __future__ import annotations

import re

from ..relations import BY_NAME
from .view import View, ViewNode, safe_ids

C4_TYPES = ("Component", "Group", "Vendor", "Team")


def _kind(relation: str) -> str:
    kind = BY_NAME[relation].impact if relation in BY_NAME else ""
    return kind or "relation"


def _left_out(view: View) -> tuple[list[ViewNode], int]:
    """The nodes a C4 model has no element for, and how many relations go with them."""
    dropped = [n for n in view.nodes if n.type not in C4_TYPES]
    gone = {n.id for n in dropped}
    return dropped, sum(1 for e in view.edges if e.source in gone or e.target in gone)


def _note(view: View) -> str:
    dropped, relations = _left_out(view)
    if not dropped:
        return ""
    kinds: dict[str, int] = {}
    for n in dropped:
        kinds[n.type] = kinds.get(n.type, 0) + 1
    what = ", ".join(f"{n} {t}{'s' if n != 1 else ''}" for t, n in sorted(kinds.items()))
    return f"left out (no C4 element): {what} and their {relations} relation{'s' if relations != 1 else ''}"


def _description(node: ViewNode) -> str:
    parts = [p for p in (node.status, node.category or node.layer) if p]
    if node.type == "Group":
        parts = [f"{len(node.members)} entities collapsed"]
    return ", ".join(parts)


# ---------------------------------------------------------------- PlantUML


def _pq(text: str) -> str:
    """A PlantUML macro argument: double-quoted, with no quote or line break inside (C4 macros cannot escape)."""
    return '"' + " ".join(str(text).replace('"', "'").split()) + '"'


def render_plantuml(view: View, title: str | None = None) -> str:
    """C4-PlantUML text of a view: a System_Boundary per group, containers, external vendors, labelled Rels."""
    ids = {k: v.replace("-", "_") for k, v in safe_ids(view).items()}
    keep = {n.id for n in view.nodes if n.type in C4_TYPES}
    nodes = {n.id: n for n in view.nodes}
    out = ["@startuml", "!include <C4/C4_Container>", "", f"title {' '.join((title or view.title).split())}",
           "left to right direction"]
    for note in (_note(view), view.collapsed):
        if note:
            out.append(f"' {' '.join(note.split())}")
    out.append("")

    def element(n: ViewNode, pad: str) -> str:
        if n.type == "Vendor":
            return f"{pad}System_Ext({ids[n.id]}, {_pq(n.label)}, {_pq(_description(n) or 'vendor')})"
        if n.type == "Team":
            return f"{pad}Person({ids[n.id]}, {_pq(n.label)}, {_pq('team')})"
        return f"{pad}Container({ids[n.id]}, {_pq(n.label)}, {_pq(n.type.lower())}, {_pq(_description(n))})"

    placed: set[str] = set()
    for g in view.groups:
        members = [k for k in g.nodes if k in keep and nodes[k].type in ("Component", "Group")]
        if not members:
            continue
        out.append(f"System_Boundary({ids[g.id]}, {_pq(g.label)}) {{")
        out += [element(nodes[k], "  ") for k in members]
        out.append("}")
        placed.update(members)
    out += [element(n, "") for n in view.nodes if n.id in keep and n.id not in placed]
    out.append("")
    for e in view.edges:
        if e.source in keep and e.target in keep:
            out.append(f"Rel({ids[e.source]}, {ids[e.target]}, {_pq(e.caption)}, {_pq(_kind(e.relation))})")
    out.append("@enduml")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- Structurizr DSL


def _sq(text: str) -> str:
    """A Structurizr DSL string: double-quoted, its quotes and backslashes escaped, on one line."""
    return '"' + " ".join(str(text).split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dsl_ids(view: View) -> dict[str, str]:
    """Identifiers every Structurizr parser reads: letters, then `_` and a number that makes them unique."""
    out: dict[str, str] = {}
    for i, n in enumerate(view.nodes, 1):
        letters = re.sub(r"[^a-z]+", "", n.label.lower())[:24] or n.type.lower()
        out[n.id] = f"{letters}_{i}"
    return out


def render_structurizr(view: View, title: str | None = None) -> str:
    """A Structurizr DSL workspace of a view: one software system of containers, vendors as external systems,
    teams as people, relationships with their relation and kind; a container view; styles by type and kind."""
    ids = _dsl_ids(view)
    keep = [n for n in view.nodes if n.type in C4_TYPES]
    kept = {n.id for n in keep}
    name = " ".join((title or view.title).split())
    out = [f"workspace {_sq(name)} {_sq('Exported by kg from the architecture docs')} {{"]
    for note in (_note(view), view.collapsed):
        if note:
            out.append(f"    // {' '.join(note.split())}")
    group_label = {g.id: g.label for g in view.groups}
    out += ["    model {", f"        platform = softwareSystem {_sq('Platform')} "
            f"{_sq('The components the docs describe')} {{"]
    for n in keep:
        if n.type in ("Component", "Group"):
            tags = ",".join(t for t in (n.type, group_label.get(n.group, ""), n.status) if t)
            out.append(f"            {ids[n.id]} = container {_sq(n.label)} {_sq(_description(n))} "
                       f"{_sq(n.type)} {_sq(tags)}")
    out.append("        }")
    for n in keep:
        if n.type == "Vendor":
            out.append(f"        {ids[n.id]} = softwareSystem {_sq(n.label)} {_sq(_description(n) or 'vendor')} "
                       f"{_sq('Vendor')}")
        elif n.type == "Team":
            out.append(f"        {ids[n.id]} = person {_sq(n.label)} {_sq('team')} {_sq('Team')}")
    for e in view.edges:
        if e.source in kept and e.target in kept:
            out.append(f"        {ids[e.source]} -> {ids[e.target]} {_sq(e.caption)} {_sq(_kind(e.relation))}")
    out += ["    }", "    views {", f"        container platform {_sq('platform')} {_sq(name)} {{",
            "            include *", "            autolayout lr", "        }", "        styles {",
            f"            element {_sq('Vendor')} {{", "                shape Hexagon",
            "                background #fef3c7", "            }",
            f"            element {_sq('Team')} {{", "                shape Person", "            }",
            f"            element {_sq('not used')} {{", "                background #f3f4f6",
            "                color #6b7280", "            }",
            "        }", "    }", "}"]
    return "\n".join(out) + "\n"
