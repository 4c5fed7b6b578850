"""`kg eval`: check a team's expected facts against the built graph, for people and for CI."""

from __future__ import annotations

import json
import sys

import click

from ._common import format_option, graph_dir_option, handle_errors, open_graph
from ._output import emit


@click.command("eval")
@click.argument("facts", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--all", "show_all", is_flag=True, help="List the facts that hold too, not only those that fail.")
@format_option(["table", "json", "markdown"])
@graph_dir_option
@handle_errors
def eval_command(facts: tuple[str, ...], show_all: bool, fmt: str, graph_dir: str | None) -> None:
    """Check FACTS files (YAML: adrs, components, impact, relations, relations_absent, vendors) against the graph.

    Each fact is reported as holding or failing, with what the graph shows instead.
    Exits 1 when any fact fails, so CI notices when the docs stop saying what the team knows.
    """
    from ..evaluate import evaluate, load_facts

    kg = open_graph(graph_dir)
    results = [evaluate(kg, load_facts(path), source=path) for path in facts]
    if fmt == "json":
        click.echo(json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False))
    else:
        for result in results:
            rows = [dict(c.to_dict(), holds="yes" if c.holds else "NO") for c in result.checks
                    if show_all or not c.holds]
            if fmt == "table":
                click.echo(f"{result.source}: {result.held}/{len(result.checks)} facts hold")
            if rows:
                emit(rows, ["holds", "section", "fact", "why"], fmt)
    if any(r.held < len(r.checks) for r in results):
        sys.exit(1)
