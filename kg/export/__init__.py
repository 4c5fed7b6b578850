"""Diagrams of the graph: choose a view (`build_view`), then `render` it in one of `FORMATS`.

    view = build_view(kg, focus=["Redpanda"], depth=2)
    text = render(view, "mermaid")

Renderers are looked up by name (with aliases: ttl, nt, json-ld, gv…) and
imported only when used, so a mermaid export never loads networkx or rdflib.
"""

from __future__ import annotations

from importlib import import_module

from ..errors import UsageError
from .view import DEFAULT_RELATIONS, DIRECTIONS, GROUP_BY, View, ViewEdge, ViewGroup, ViewNode, build_view

__all__ = ["BINARY_FORMATS", "DEFAULT_RELATIONS", "DIRECTIONS", "EXTENSIONS", "FORMATS", "GROUP_BY", "View",
           "ViewEdge", "ViewGroup", "ViewNode", "build_view", "format_for", "render"]

FORMATS: tuple[str, ...] = ("mermaid", "dot", "svg", "png", "graphml", "gexf", "turtle", "ntriples", "jsonld", "html")
BINARY_FORMATS = frozenset({"png"})
ALIASES = {"mmd": "mermaid", "gv": "dot", "graphviz": "dot", "ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples",
           "json-ld": "jsonld", "htm": "html"}
# file extension -> format, for `-o FILE` without --format
EXTENSIONS = {"mmd": "mermaid", "mermaid": "mermaid", "dot": "dot", "gv": "dot", "svg": "svg", "png": "png",
              "graphml": "graphml", "gexf": "gexf", "ttl": "turtle", "nt": "ntriples", "jsonld": "jsonld",
              "html": "html", "htm": "html"}
# format -> (module, function); the function takes (view, title)
_RENDERERS = {
    "mermaid": ("mermaid", "render_mermaid"),
    "dot": ("graphviz", "render_dot"),
    "graphml": ("networks", "render_graphml"),
    "gexf": ("networks", "render_gexf"),
    "html": ("page", "render_html"),
}


def format_for(name: str) -> str:
    """The canonical name of a format or one of its aliases, or UsageError."""
    fmt = ALIASES.get(name.lower(), name.lower())
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {name}; one of: {', '.join(FORMATS)}")
    return fmt


def render(view: View, fmt: str, title: str | None = None) -> str | bytes:
    """The view in a format: text, or bytes for png. svg and png need Graphviz's `dot` command."""
    fmt = format_for(fmt)
    if fmt in ("svg", "png"):
        from .graphviz import render_dot, run_dot

        out = run_dot(render_dot(view, title), fmt)
        return out if fmt == "png" else out.decode("utf-8")
    if fmt in ("turtle", "ntriples", "jsonld"):
        from .rdf import render_rdf

        return render_rdf(view, fmt)
    module, function = _RENDERERS[fmt]
    return getattr(import_module(f"{__name__}.{module}"), function)(view, title)
