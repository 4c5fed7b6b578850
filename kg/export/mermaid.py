"""Mermaid flowchart of a view: a subgraph per group, labelled edges, a classDef per type and status.

The diagram is built as kg.mermaid's own dataclasses and written by its
`to_mermaid`, so `parse_mermaid` reads the text back to the same nodes and edges.
"""

from __future__ import annotations

import json

from ..mermaid import to_mermaid
from ..model import MermaidDiagram, MermaidEdge, MermaidNode, MermaidSubgraph
from .style import FAMILIES, SHAPES, STATUS_COLOURS, TYPE_COLOURS, family, status_class
from .view import View, safe_ids

mermaid_ids = safe_ids  # ids safe in Mermaid, and in XML (the svg export uses them too)


def to_diagram(view: View) -> tuple[MermaidDiagram, dict[str, str]]:
    """The view as a MermaidDiagram (nodes in view order, edges sorted) and the id of each node."""
    ids = mermaid_ids(view)
    d = MermaidDiagram(kind="flowchart", direction="LR")
    for g in view.groups:
        d.subgraphs[ids[g.id]] = MermaidSubgraph(ids[g.id], g.label, members=[ids[k] for k in g.nodes])
    for n in view.nodes:
        d.nodes[ids[n.id]] = MermaidNode(ids[n.id], n.caption, SHAPES.get(n.type, SHAPES["Component"])[1],
                                         subgraph=ids[n.group] if n.group else None)
    for e in view.edges:
        d.edges.append(MermaidEdge(ids[e.source], ids[e.target], e.caption, FAMILIES[family(e.relation)][2]))
    return d, ids


def _style(fill: str, stroke: str, text: str) -> str:
    return f"fill:{fill},stroke:{stroke},color:{text}"


def render_mermaid(view: View, title: str | None = None) -> str:
    """Mermaid text (valid for Mermaid 10 and later) of a view; the same view always gives the same bytes."""
    diagram, ids = to_diagram(view)
    body = to_mermaid(diagram).rstrip("\n").split("\n")
    head = ["---", f"title: {json.dumps(title or view.title, ensure_ascii=False)}", "---", body[0]]
    if view.collapsed:
        head.append(f"    %% {' '.join(view.collapsed.split())}")
    lines = head + body[1:]

    classes: dict[str, list[str]] = {}
    for n in view.nodes:
        classes.setdefault(n.type.lower(), []).append(ids[n.id])
        if sc := status_class(n):
            classes.setdefault(sc, []).append(ids[n.id])
        if n.focus:
            classes.setdefault("focus", []).append(ids[n.id])
    defs = {t.lower(): _style(*c) for t, c in TYPE_COLOURS.items()}
    defs["group"] += ",stroke-dasharray:6 3,stroke-width:2px"
    defs.update({s: _style(*c) + ",stroke-dasharray:4 3" for s, c in STATUS_COLOURS.items()})
    defs["focus"] = "stroke-width:3px,font-weight:bold"
    for name, style in defs.items():  # type classes first, so a status class wins over its type's colours
        if name in classes:
            lines.append(f"    classDef {name} {style}")
    for name in defs:
        if name in classes:
            lines.append(f"    class {','.join(classes[name])} {name}")

    by_family: dict[str, list[str]] = {}
    for i, e in enumerate(view.edges):
        by_family.setdefault(family(e.relation), []).append(str(i))
    for fam, (colour, _, _) in FAMILIES.items():
        if fam in by_family:
            lines.append(f"    linkStyle {','.join(by_family[fam])} stroke:{colour}")
    return "\n".join(lines) + "\n"
