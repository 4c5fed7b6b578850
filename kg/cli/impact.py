"""`kg impact` and `kg deps`: what depends on an entity, and what it depends on, transitively."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ..escape import terminal
from ..relations import IMPACT_KINDS, KIND_LABELS
from ._common import (
    endpoint_options,
    format_option,
    graph_dir_option,
    handle_errors,
    open_graph,
    say,
    say_sample,
    where,
    wide_option,
)
from ._output import Column, emit, stdout_is_terminal

# the columns scripts get (csv, tsv, markdown), stable; a terminal gets TABLE, which says the path as a sentence
COLUMNS = ["depth", "label", "type", "kind", "relation", "path", "evidence", "text", "confidence"]
TABLE = [Column("depth", "#", fit="fixed"), Column("label", "entity", ratio=2), Column("kind", fit="fixed"),
         Column("route", "path", ratio=3), Column("quote", "evidence", fit="evidence", ratio=5)]


def _route(result: Any, row: Any) -> str:
    """The path as a sentence read from the dependent end: "Loki storesDataIn MinIO backsUpTo R2"."""
    hops = row.hops if result.direction == "dependents" else row.hops[::-1]
    words = [hops[0].source["label"]] if hops else [row.label]
    for hop in hops:
        words += [hop.relation, hop.target["label"]]
    return " ".join(words)


def _heading(result: Any) -> str:
    t, n = result.target, len(result.results)
    kinds = ", ".join(KIND_LABELS[k] for k in result.kinds)
    if result.direction == "dependents":
        return f"{n} {'entity depends' if n == 1 else 'entities depend'} on {t['label']} ({t['type']}) through {kinds}"
    return f"{t['label']} ({t['type']}) depends on {n} {'entity' if n == 1 else 'entities'} through {kinds}"


def _left_out(result: Any) -> str:
    if not result.left_out:
        return ""
    parts = [f"{KIND_LABELS[k]} ({n} more)" for k, n in result.left_out.items()]
    return f"Left out: {', '.join(parts)}; --kind all follows every kind, --kind NAME adds one."


def _impact_command(direction: str) -> Callable[..., Any]:
    def command(name: str, depth: int | None, relations: tuple[str, ...], kinds: tuple[str, ...],
                min_confidence: float, fmt: str, wide: bool, graph_dir: str | None, endpoint: str | None,
                graph_iri: str | None) -> None:
        kg = open_graph(graph_dir, endpoint, graph_iri)
        method = kg.impact if direction == "dependents" else kg.deps
        result = method(name, depth=depth, relations=list(relations) or None, kinds=list(kinds) or None,
                        min_confidence=min_confidence)
        rows = []
        for r in result.results:
            ev = r.evidence[0] if r.evidence else {}
            rows.append({"depth": r.depth, "label": r.label, "type": r.type, "kind": KIND_LABELS.get(r.kind, r.kind),
                         "relation": r.hops[0].relation if r.hops else "",
                         "path": " → ".join(r.path if direction == "dependents" else reversed(r.path)),
                         "route": _route(result, r), "evidence": where(kg, ev), "text": ev.get("text", ""),
                         "confidence": min((h.confidence for h in r.hops), default=1.0)})
            rows[-1]["quote"] = (rows[-1]["evidence"], rows[-1]["text"])
        if fmt == "json":
            emit(rows, COLUMNS, fmt, {**result.to_dict(), "graph": kg.info()})
            return
        say_sample(kg, fmt)
        if fmt == "table":
            say(terminal(_heading(result)))
        emit(rows, TABLE if fmt == "table" and stdout_is_terminal() and not wide else COLUMNS, fmt, wide=wide,
             empty="")
        if fmt == "table" and _left_out(result):
            say(_left_out(result))

    return command


def _options(default_kinds: str) -> list[Callable[..., Any]]:
    return [
        click.argument("name"),
        click.option("--depth", type=click.IntRange(min=1), default=None,
                     help="Follow at most N hops (default: all)."),
        click.option("--kind", "kinds", multiple=True, metavar="KIND",
                     help=f"Kinds of dependency to follow (repeatable or comma-separated): {', '.join(IMPACT_KINDS)}, "
                          f"or all. Default: {default_kinds}; the answer says what the others would add."),
        click.option("--relation", "relations", multiple=True, metavar="R",
                     help="Only these relations (repeatable), e.g. storesDataIn; dependsOn = every kind of dependsOn."),
        click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True,
                     help="Follow only relations read with at least this confidence (0-1): 0.9 keeps tables and "
                          "relations named outright, 0.7 adds diagrams and plain statements."),
        format_option(),
        wide_option,
        graph_dir_option,
        endpoint_options,
    ]


def _with(options: list[Callable[..., Any]], fn: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed(options):
        fn = opt(fn)
    return fn


impact = click.command("impact", help="""What depends on NAME, transitively: the blast radius if NAME goes down.

Each result has its depth, the kind of dependency (runtime, hosting, build/deploy, backup: the weakest
on its path), one path to NAME and the evidence (file:line) of its first hop. By default runtime and
hosting dependencies are followed; the answer says what backups and build/deploy would add.
NAME matches labels and aliases case-insensitively (Redpanda, cnpg, ADR-7).""")(
    _with(_options("runtime and hosting"), handle_errors(_impact_command("dependents"))))

deps = click.command("deps", help="""What NAME depends on, transitively (the other direction of `kg impact`).

By default runtime, hosting and backup dependencies are followed (where NAME's backups go is something
it needs); a tool that only deploys or provisions NAME is no dependency of it (--kind build adds those).""")(
    _with(_options("runtime, hosting and backup"), handle_errors(_impact_command("dependencies"))))
