"""`kg impact` and `kg deps`: what depends on an entity, and what it depends on, transitively."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ._common import emit, format_option, graph_dir_option, handle_errors, open_graph


def _impact_command(direction: str) -> Callable[..., Any]:
    def command(name: str, depth: int | None, relations: tuple[str, ...], fmt: str, graph_dir: str | None) -> None:
        kg = open_graph(graph_dir)
        method = kg.impact if direction == "dependents" else kg.deps
        result = method(name, depth=depth, relations=list(relations) or None)
        rows = []
        for r in result.results:
            ev = r.evidence[0] if r.evidence else {}
            rows.append({"depth": r.depth, "label": r.label, "type": r.type, "status": r.status,
                         "relation": r.hops[0].relation if r.hops else "", "path": " → ".join(r.path),
                         "evidence": f"{ev.get('document', '')}:{ev.get('line', '')}" if ev else "",
                         "text": ev.get("text", "")})
        if fmt == "table":
            t = result.target
            n = len(rows)
            head = (f"{n} {'entity depends' if n == 1 else 'entities depend'} on {t['label']} ({t['type']})"
                    if direction == "dependents" else
                    f"{t['label']} ({t['type']}) depends on {n} {'entity' if n == 1 else 'entities'}")
            click.echo(head)
            if direction == "dependencies":  # read the path the way the dependency runs
                for row, r in zip(rows, result.results):
                    row["path"] = " → ".join(reversed(r.path))
        emit(rows, ["depth", "label", "type", "relation", "path", "evidence", "text"], fmt, result.to_dict())

    return command


_IMPACT_OPTIONS = [
    click.argument("name"),
    click.option("--depth", type=click.IntRange(min=1), default=None, help="Follow at most N hops (default: all)."),
    click.option("--relation", "relations", multiple=True, metavar="R",
                 help="Only these relation kinds (repeatable), e.g. storesDataIn; default: every kind of dependsOn."),
    format_option(),
    graph_dir_option,
]


def _with(options: list[Callable[..., Any]], fn: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed(options):
        fn = opt(fn)
    return fn


impact = click.command("impact", help="""What depends on NAME, transitively: the blast radius if NAME goes down.

Each result has its depth, one path to NAME and the evidence (file:line) of each hop.
NAME matches labels and aliases case-insensitively (Redpanda, cnpg, ADR-7).""")(
    _with(_IMPACT_OPTIONS, handle_errors(_impact_command("dependents"))))

deps = click.command("deps", help="""What NAME depends on, transitively (the other direction of `kg impact`).""")(
    _with(_IMPACT_OPTIONS, handle_errors(_impact_command("dependencies"))))
