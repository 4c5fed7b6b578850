"""`kg show` and `kg stats`: an entity's card, and what the graph holds."""

from __future__ import annotations

import json

import click

from ._common import format_option, graph_dir_option, handle_errors, open_graph, render_table


@click.command("show")
@click.argument("name")
@format_option(["table", "json"])
@graph_dir_option
@click.option("--all", "show_all", is_flag=True, help="Also list every document that mentions it.")
@handle_errors
def show(name: str, fmt: str, graph_dir: str | None, show_all: bool) -> None:
    """The entity card of NAME: type, aliases, status, properties, relations with evidence, documents."""
    kg = open_graph(graph_dir)
    card = kg.show(name)
    if fmt == "json":
        click.echo(json.dumps(card, indent=2, ensure_ascii=False))
        return
    def label(value: object) -> str:
        return kg.entities[value]["label"] if isinstance(value, str) and value in kg.entities else str(value)

    status = card["status"]
    if card["properties"].get("superseded_by"):
        status += ", superseded by " + ", ".join(map(label, card["properties"]["superseded_by"]))
    click.echo(f"{card['label']}  ({card['type']}{', ' + status if status else ''})")
    click.echo(f"  id: {card['id']}")
    if card["aliases"]:
        click.echo(f"  aliases: {', '.join(card['aliases'])}")
    for k, v in card["properties"].items():
        if v not in ("", [], None):
            click.echo(f"  {k}: {', '.join(map(label, v)) if isinstance(v, list) else label(v)}")
    rels = [r for r in card["relations"] if show_all or r["relation"] != "mentions"]
    if rels:
        click.echo("  relations:")
        for r in rels:
            arrow = f"{r['relation']} → {r['other']['label']}" if r["direction"] == "out" else \
                f"← {r['relation']} {r['other']['label']}"
            ev = r["evidence"][0] if r["evidence"] else None
            where = f"  [{ev['document']}:{ev['line']} {ev['method']}]" if ev else ""
            click.echo(f"    {arrow}{where}")
    mentioned = sum(1 for r in card["relations"] if r["relation"] == "mentions")
    if mentioned and not show_all:
        click.echo(f"  mentioned in {mentioned} documents (--all lists them)")


@click.command("stats")
@format_option(["table", "json"])
@graph_dir_option
@click.option("--warnings", "list_warnings", is_flag=True, help="List the build's warnings.")
@click.option("--unresolved", "list_unresolved", is_flag=True, help="List the unresolved references.")
@handle_errors
def stats(fmt: str, graph_dir: str | None, list_warnings: bool, list_unresolved: bool) -> None:
    """Counts per entity type and relation type, documents, unresolved references."""
    from .. import store

    kg = open_graph(graph_dir)
    s = kg.stats()
    meta = store.load_meta(kg.directory) if kg.directory else {}
    s["build"] = {k: meta.get(k) for k in ("sources", "built_at", "seconds", "triples")}
    if fmt == "json":
        if list_warnings:
            s["warning_list"] = kg.model["warnings"]
        if list_unresolved:
            s["unresolved_list"] = kg.model["unresolved"]
        click.echo(json.dumps(s, indent=2))
        return
    if meta:
        click.echo(f"graph {kg.directory}: built {meta['built_at']} from {', '.join(meta['sources'])} "
                   f"in {meta['seconds']:.2f} s")
    click.echo(f"documents {s['documents']}  repositories {s['repositories']}  "
               f"unresolved references {s['unresolved_references']}  warnings {s['warnings']}")
    click.echo(render_table([{"entity type": k, "count": v} for k, v in s["entities"].items()], ["entity type", "count"]))
    click.echo()
    click.echo(render_table([{"relation": k, "count": v} for k, v in s["relations"].items()], ["relation", "count"]))
    if list_warnings:
        click.echo()
        for w in kg.model["warnings"]:
            click.echo(f"warning: {w}")
    if list_unresolved:
        click.echo()
        click.echo(render_table(kg.model["unresolved"], ["document", "line", "target", "reason"]))
