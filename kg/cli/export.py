"""`kg export`: a diagram of the graph (a neighbourhood or the whole platform) in one of kg.export.FORMATS."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..export.formats import names
from ._common import graph_dir_option, handle_errors, open_graph
from ._output import stdout_is_terminal

_FORMATS = names()  # the registry's records only: no renderer is imported for the help text


def _stdout_is_terminal() -> bool:  # a name of its own, which the tests replace
    return stdout_is_terminal()


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default=None,
              help="Output format (default: from the -o file's extension, else mermaid).")
@click.option("--focus", "focus", multiple=True, metavar="NAME",
              help="Draw the neighbourhood of NAME (repeatable); without it, the whole platform.")
@click.option("--depth", type=click.IntRange(min=1), default=None, help="Follow at most N hops from the focus (default: all).")
@click.option("--direction", type=click.Choice(["dependents", "dependencies", "both"]), default="both", show_default=True,
              help="dependents: what points at the focus (kg impact); dependencies: what it points at (kg deps); both.")
@click.option("--relation", "relations", multiple=True, metavar="R",
              help="Only these relation kinds (repeatable; dependsOn = every dependency kind; all = every kind). "
                   "Default: the architecture relations, not mentions/linksTo/documentedIn.")
@click.option("--group-by", type=click.Choice(["category", "repository", "none"]), default="category",
              show_default=True, help="Draw a box per category or repository.")
@click.option("--max-nodes", type=click.IntRange(min=2), default=150, show_default=True,
              help="Above this many nodes, collapse the biggest groups into one node each.")
@click.option("--title", default=None, help="Diagram title (default: says what the view shows).")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Draw only relations read with at least this confidence (0-1).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to FILE (default: stdout; png needs a file unless stdout is piped).")
@graph_dir_option
@handle_errors
def export(fmt: str | None, focus: tuple[str, ...], depth: int | None, direction: str, relations: tuple[str, ...],
           group_by: str, max_nodes: int, title: str | None, min_confidence: float, output: str | None,
           graph_dir: str | None) -> None:
    """Draw the graph: dependency diagrams for design reviews.

    \b
    Formats: mermaid, dot, svg and png (Graphviz), graphml and gexf (with label,
    type, status and category), turtle, ntriples and jsonld (the RDF graph), and
    html (one self-contained interactive page: pan, zoom, search, filter, cards).

    \b
    Examples:
      kg export --focus Redpanda --depth 2 -o redpanda.mmd
      kg export --format svg -o platform.svg
      kg export --focus MinIO --direction dependents -o minio.html

    mermaid, dot and graphml are byte-identical for the same graph, so they diff
    cleanly in git. A view of more than --max-nodes nodes is collapsed by group,
    and the diagram says what was collapsed.
    """
    from .. import export as ex
    from ..errors import UsageError

    if fmt is None:
        chosen = ex.formats.for_extension(Path(output).suffix) if output else ex.formats.get("mermaid")
        if chosen is None:
            raise UsageError(f"cannot tell the format of {output}; give --format ({', '.join(_FORMATS)})")
        fmt = chosen.name
    if ex.formats.get(fmt).binary and output is None and _stdout_is_terminal():
        raise UsageError(f"{fmt} is binary: write it to a file with -o FILE (or pipe the output)")
    kg = open_graph(graph_dir)
    view = ex.build_view(kg, list(focus) or None, depth, direction, list(relations) or None, group_by, max_nodes,
                         min_confidence)
    data = ex.render(view, fmt, title)
    payload = data if isinstance(data, bytes) else data.encode("utf-8")
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
    else:
        Path(output).write_bytes(payload)
        click.echo(f"Wrote {output} ({fmt}, {len(view.nodes)} nodes, {len(view.edges)} edges)", err=True)
    if view.collapsed:
        click.echo(f"kg: {view.collapsed}", err=True)
