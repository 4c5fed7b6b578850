"""Diagrams of the graph: choose a view (`build_view`), then `render` it in one of the registered formats.

    view = build_view(kg, focus=["Redpanda"], depth=2)
    text = render(view, "mermaid")

Formats are records in `kg.export.formats` (name, extensions, module, text or binary), looked up by name
or alias (ttl, nt, json-ld, gv, puml…) and imported only when used, so a mermaid export never loads
networkx or rdflib.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import formats as _formats
from .formats import OutputFormat, register

if TYPE_CHECKING:
    from .view import DEFAULT_RELATIONS, DIRECTIONS, GROUP_BY, View, ViewEdge, ViewGroup, ViewNode, build_view

# the view module is imported when first asked for: the CLI lists the formats on every start
_VIEW_NAMES = {"DEFAULT_RELATIONS", "DIRECTIONS", "GROUP_BY", "View", "ViewEdge", "ViewGroup", "ViewNode", "build_view"}

__all__ = ["BINARY_FORMATS", "DEFAULT_RELATIONS", "DIRECTIONS", "EXTENSIONS", "FORMATS", "GROUP_BY", "OutputFormat",
           "View", "ViewEdge", "ViewGroup", "ViewNode", "build_view", "format_for", "register", "render"]


def __getattr__(name: str) -> object:
    # derived from the registry when asked, so a format registered later is in them too
    if name in _VIEW_NAMES:
        from . import view

        return getattr(view, name)
    if name == "FORMATS":
        return _formats.names()
    if name == "BINARY_FORMATS":
        return frozenset(f.name for f in _formats.formats() if f.binary)
    if name == "EXTENSIONS":
        return {ext: f.name for f in _formats.formats() for ext in f.extensions}
    raise AttributeError(name)


def format_for(name: str) -> str:
    """The canonical name of a format or one of its aliases, or UsageError."""
    return _formats.get(name).name


def render(view: View, fmt: str, title: str | None = None) -> str | bytes:
    """The view in a format: text, or bytes for a binary one (png). svg and png need Graphviz's `dot` command."""
    return _formats.get(fmt).renderer()(view, title)
