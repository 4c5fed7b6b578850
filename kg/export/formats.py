"""Output formats, one record each: name, file extensions, the module and function that render it, text or binary.

Like rdflib's plugin registry (`register("turtle", Serializer, "rdflib.plugins.serializers.turtle", …)`), a
record names its renderer by module and function, imported on first use, so listing the formats (for
`kg export --help`) loads no renderer, and a mermaid export never loads networkx or rdflib. A new format
is one module with a `render_*(view, title)` function and one row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from ..errors import UsageError

if TYPE_CHECKING:
    from .view import View

Renderer = Callable[["View", "str | None"], "str | bytes"]


@dataclass(frozen=True)
class OutputFormat:
    """One output format: how it is named, which files it goes in, what renders it, and whether it is binary."""

    name: str
    extensions: tuple[str, ...]  # the first is the one kg writes; all of them select the format for `-o FILE`
    module: str  # under kg.export
    function: str  # render(view, title) -> str, or bytes when binary
    binary: bool = False
    aliases: tuple[str, ...] = ()
    description: str = ""

    def renderer(self) -> Renderer:
        """The render function, imported now (not when the format was registered)."""
        module = import_module(f"{__package__}.{self.module}")
        return getattr(module, self.function)  # type: ignore[no-any-return]


_REGISTRY: dict[str, OutputFormat] = {}
_NAMES: dict[str, str] = {}  # name or alias, lower case -> format name


def register(fmt: OutputFormat) -> None:
    """Add a format (or replace one of the same name); its aliases become names of it too."""
    for name in (fmt.name, *fmt.aliases):
        taken = _NAMES.get(name.lower())
        if taken is not None and taken != fmt.name:
            raise ValueError(f"format name {name} is taken by {taken}")
    _REGISTRY[fmt.name] = fmt
    for name in (fmt.name, *fmt.aliases):
        _NAMES[name.lower()] = fmt.name


for _fmt in (
    OutputFormat("mermaid", ("mmd", "mermaid"), "mermaid", "render_mermaid", aliases=("mmd",),
                 description="Mermaid flowchart for a PR or design doc"),
    OutputFormat("dot", ("dot", "gv"), "graphviz", "render_dot", aliases=("gv", "graphviz"),
                 description="Graphviz DOT text"),
    OutputFormat("svg", ("svg",), "graphviz", "render_svg", description="SVG drawn by Graphviz"),
    OutputFormat("png", ("png",), "graphviz", "render_png", binary=True, description="PNG drawn by Graphviz"),
    OutputFormat("html", ("html", "htm"), "page", "render_html", aliases=("htm",),
                 description="one self-contained interactive page"),
    OutputFormat("plantuml", ("puml", "plantuml", "pu"), "c4", "render_plantuml", aliases=("puml", "c4-plantuml"),
                 description="PlantUML in the C4 style (C4-PlantUML)"),
    OutputFormat("structurizr", ("dsl",), "c4", "render_structurizr", aliases=("structurizr-dsl", "dsl"),
                 description="Structurizr DSL workspace"),
    OutputFormat("graphml", ("graphml",), "networks", "render_graphml", description="GraphML (yEd, Gephi)"),
    OutputFormat("gexf", ("gexf",), "networks", "render_gexf", description="GEXF (Gephi)"),
    OutputFormat("turtle", ("ttl",), "rdf", "render_turtle", aliases=("ttl",), description="RDF Turtle"),
    OutputFormat("ntriples", ("nt",), "rdf", "render_ntriples", aliases=("nt", "n-triples"),
                 description="RDF N-Triples, sorted"),
    OutputFormat("jsonld", ("jsonld",), "rdf", "render_jsonld", aliases=("json-ld",), description="RDF JSON-LD"),
    OutputFormat("backstage", ("yaml", "yml"), "backstage", "render_backstage", aliases=("catalog-info",),
                 description="Backstage catalog entities (catalog-info.yaml) to seed a catalog"),
):
    register(_fmt)


def formats() -> tuple[OutputFormat, ...]:
    """Every registered format, in registration order."""
    return tuple(_REGISTRY.values())


def names() -> tuple[str, ...]:
    """The canonical name of every format."""
    return tuple(_REGISTRY)


def get(name: str) -> OutputFormat:
    """The format a name or alias stands for, or UsageError."""
    found = _NAMES.get(name.lower())
    if found is None:
        raise UsageError(f"unknown format {name}; one of: {', '.join(_REGISTRY)}")
    return _REGISTRY[found]


def for_extension(suffix: str) -> OutputFormat | None:
    """The format a file extension (without the dot) selects, or None."""
    suffix = suffix.lower().lstrip(".")
    return next((f for f in _REGISTRY.values() if suffix in f.extensions), None)
