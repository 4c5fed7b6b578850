"""`kg show` and `kg stats`: an entity's card, and what the graph holds."""

from __future__ import annotations

import json
from typing import Any

import click

from ..escape import terminal
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
    with_graph,
)
from ._output import Column, emit, lines_fitted, render_rich, stdout_is_terminal, terminal_width

RELATIONS = [Column("relation", ratio=3), Column("evidence", fit="path", ratio=3), Column("how", fit="fixed")]
UNRESOLVED = [Column("where", fit="path", ratio=2), Column("target", ratio=3), Column("reason", ratio=2)]


@click.command("show")
@click.argument("name")
@format_option(["table", "json"])
@wide_option
@graph_dir_option
@endpoint_options
@click.option("--all", "show_all", is_flag=True, help="Also list every document that mentions it.")
@handle_errors
def show(name: str, fmt: str, wide: bool, graph_dir: str | None, endpoint: str | None, graph_iri: str | None,
         show_all: bool) -> None:
    """The entity card of NAME: type, aliases, status, properties, relations with evidence, documents."""
    kg = open_graph(graph_dir, endpoint, graph_iri)
    card = kg.show(name)
    if fmt == "json":
        click.echo(json.dumps(with_graph(kg, card), indent=2, ensure_ascii=False))
        return
    say_sample(kg, fmt)

    def label(value: object) -> str:
        return kg.entities[value]["label"] if isinstance(value, str) and value in kg.entities else str(value)

    status = card["status"]
    lines = [f"{card['label']}  ({card['type']}{', ' + status if status else ''})", f"  id: {card['id']}"]
    if card["aliases"]:
        lines.append(f"  aliases: {', '.join(card['aliases'])}")
    for k, v in card["properties"].items():
        if v not in ("", [], None):
            lines.append(f"  {k}: {', '.join(map(label, v)) if isinstance(v, list) else label(v)}")
    click.echo(lines_fitted(lines, None if not wide else 10**6))
    rels = [r for r in card["relations"] if show_all or r["relation"] != "mentions"]
    if rels:
        click.echo("  relations:")
        rows = []
        for r in rels:
            arrow = f"{r['relation']} → {r['other']['label']}" if r["direction"] == "out" else \
                f"← {r['relation']} {r['other']['label']}"
            ev = r["evidence"][0] if r["evidence"] else None
            how = f"{ev['method']} {r.get('confidence', 1.0):.2f}" if ev else ""
            rows.append({"relation": arrow, "evidence": where(kg, ev), "how": how})
        if stdout_is_terminal() or wide:
            table = render_rich(rows, RELATIONS, None if wide else terminal_width() - 4, links=not wide)
            click.echo("\n".join("    " + line for line in table.splitlines()[2:]))  # no heading: the card says
        else:
            for row in rows:
                click.echo(terminal(f"    {row['relation']}  [{row['evidence']} {row['how']}]" if row["how"] else
                                    f"    {row['relation']}"))
    mentioned = sum(1 for r in card["relations"] if r["relation"] == "mentions")
    if mentioned and not show_all:
        click.echo(f"  mentioned in {mentioned} documents (--all lists them)")


@click.command("stats")
@format_option(["table", "json"])
@wide_option
@graph_dir_option
@click.option("--warnings", "list_warnings", is_flag=True, help="List the build's warnings.")
@click.option("--unresolved", "list_unresolved", is_flag=True, help="List the unresolved references.")
@handle_errors
def stats(fmt: str, wide: bool, graph_dir: str | None, list_warnings: bool, list_unresolved: bool) -> None:
    """Counts per entity type and relation type, documents, unresolved references."""
    kg = open_graph(graph_dir)
    s: dict[str, Any] = kg.stats()
    meta = kg.meta
    s["build"] = {k: meta.get(k) for k in ("sources", "built_at", "seconds", "triples")}
    if fmt == "json":
        if list_warnings:
            s["warning_list"] = kg.model["warnings"]
        if list_unresolved:
            s["unresolved_list"] = kg.model["unresolved"]
        click.echo(json.dumps(with_graph(kg, s), indent=2))
        return
    say_sample(kg, fmt)
    head = []
    if meta:
        head.append(f"graph {kg.directory}: built {meta['built_at']} from {', '.join(meta['sources'])} "
                    f"in {meta['seconds']:.2f} s")
    head.append(f"documents {s['documents']}  repositories {s['repositories']}  "
                f"unresolved references {s['unresolved_references']}  warnings {s['warnings']}")
    say(lines_fitted(head, None if not wide else 10**6))
    emit([{"entity type": k, "count": v} for k, v in s["entities"].items()],
         [Column("entity type", fit="fixed"), Column("count", fit="fixed")], fmt, wide=wide)
    click.echo()
    emit([{"relation": k, "count": v} for k, v in s["relations"].items()],
         [Column("relation", fit="fixed"), Column("count", fit="fixed")], fmt, wide=wide)
    if list_warnings:
        click.echo()
        click.echo(lines_fitted([f"warning: {w}" for w in kg.model["warnings"]], None if not wide else 10**6))
    if list_unresolved:
        click.echo()
        rows = [dict(u, where=where(kg, u)) for u in kg.model["unresolved"]]
        emit(rows, UNRESOLVED if stdout_is_terminal() and not wide else ["document", "line", "target", "reason"],
             fmt, wide=wide)
