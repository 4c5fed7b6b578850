"""kg: a knowledge graph of a platform's architecture docs, with evidence for every claim."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["open", "open_endpoint", "build_graph", "diff", "KnowledgeGraph"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from .api import KnowledgeGraph
    from .diff import Diff


def open(graph_dir: Any = None, build_if_missing: bool = True) -> KnowledgeGraph:  # noqa: A001
    """Open the built graph (building the embedded sample first when there is none)."""
    from .api import open as _open

    return _open(graph_dir, build_if_missing)


def open_endpoint(endpoint: str, graph: str | None = None, store_url: str | None = None) -> KnowledgeGraph:
    """Open a graph that `kg push` put on a SPARQL server (credentials from the environment or netrc)."""
    from .api import open_endpoint as _open_endpoint

    return _open_endpoint(endpoint, graph, store_url)


def build_graph(paths: list[str] | None = None, graph_dir: Any = None, **kwargs: Any) -> dict[str, Any]:
    """Build a workspace (the embedded sample when no path) into the graph directory."""
    from .api import build_graph as _build

    return _build(paths, graph_dir, **kwargs)


def diff(old: str, new: str, **kwargs: Any) -> Diff:
    """What changed from OLD to NEW (graph directories, workspace files, folders or revisions): see `kg diff`."""
    from .diff import diff as _diff

    return _diff(old, new, **kwargs)


def __getattr__(name: str) -> Any:
    if name == "KnowledgeGraph":
        from .api import KnowledgeGraph

        return KnowledgeGraph
    raise AttributeError(name)
