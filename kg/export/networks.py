"""GraphML and GEXF of a view through networkx: label, type, status and category on every node."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from .style import colours, family, status_class
from .view import View

if TYPE_CHECKING:
    import networkx as nx


def to_networkx(view: View) -> nx.MultiDiGraph:
    """The view as a MultiDiGraph with string/int attributes only, built in the view's (sorted) order."""
    import networkx as nx

    groups = {g.id: g.label for g in view.groups}
    g = nx.MultiDiGraph(name=view.title)
    for n in view.nodes:
        g.add_node(n.id, label=n.label, caption=n.caption, type=n.type, status=n.status, status_class=status_class(n),
                   category=n.category, group=groups.get(n.group, ""), focus=int(n.focus),
                   members=" ".join(n.members))
    for e in view.edges:
        evidence = "; ".join(f"{ev['document']}:{ev['line']}" for ev in e.evidence)
        g.add_edge(e.source, e.target, key=e.relation, relation=e.relation, family=family(e.relation),
                   label=e.caption, count=e.count, evidence=evidence)
    return g


def render_graphml(view: View, title: str | None = None) -> str:
    """GraphML text; the same view always gives the same bytes."""
    import networkx as nx

    g = to_networkx(view)
    if title:
        g.graph["name"] = title
    return "\n".join(nx.generate_graphml(g, encoding="utf-8", prettyprint=True)) + "\n"


def render_gexf(view: View, title: str | None = None) -> str:
    """GEXF text (Gephi), with node colours; the date networkx stamps in it is left out so the output is stable."""
    import networkx as nx

    g = to_networkx(view)
    if title:
        g.graph["name"] = title
    for n in view.nodes:
        fill = colours(n)[0]
        g.nodes[n.id]["viz"] = {"color": {"r": int(fill[1:3], 16), "g": int(fill[3:5], 16),
                                          "b": int(fill[5:7], 16), "a": 1.0}}
    buf = io.BytesIO()
    nx.write_gexf(g, buf, encoding="utf-8", prettyprint=True)
    return re.sub(r' lastmodifieddate="[^"]*"', "", buf.getvalue().decode("utf-8"), count=1)
