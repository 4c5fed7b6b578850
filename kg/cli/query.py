"""`kg query`: a named query, an .rq file or inline SPARQL over the graph, read-only and time-limited."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..query import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, RESULT_FORMATS
from ._common import endpoint_options, graph_dir_option, handle_errors, open_graph, say_sample
from ._output import (
    columns_of,
    emit,
    render_csv,
    render_markdown,
    render_rich,
    render_tsv,
    stdout_is_terminal,
    terminal_width,
)


@click.command("query")
@click.argument("query_text", metavar="QUERY", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query parameter (repeatable). An entity parameter takes a name or alias, as kg impact does.")
@click.option("--format", "fmt", type=click.Choice(RESULT_FORMATS), default="table", show_default=True,
              help="table/markdown for people; json, csv, tsv are the W3C SPARQL 1.1 results formats.")
@click.option("--limit", type=click.IntRange(min=0), default=None, metavar="N", help="Print at most N rows.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT, show_default=True,
              metavar="SECONDS", help="Stop the query after this many seconds.")
@click.option("--max-memory", "memory_mb", type=click.IntRange(min=1), default=DEFAULT_MEMORY_MB, show_default=True,
              metavar="MB", help="Stop the query when it needs more memory than this, beyond the graph.")
@click.option("--allow-update", is_flag=True,
              help="Allow SPARQL Update; it changes the graph in memory for this run, never the stored graph.")
@click.option("--engine", type=click.Choice(["auto", "oxigraph", "rdflib"]), default="auto", show_default=True,
              help="Where the query runs: the build's on-disk Oxigraph store (auto) or rdflib in memory; "
                   "every engine gives the same rows.")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries with their parameters.")
@graph_dir_option
@endpoint_options
@handle_errors
def query(query_text: str | None, params: tuple[str, ...], fmt: str, limit: int | None, timeout: float,
          memory_mb: int, allow_update: bool, engine: str, list_queries: bool, graph_dir: str | None,
          endpoint: str | None, graph_iri: str | None) -> None:
    """Run QUERY over the graph: a named query (kg query --list), a path to an .rq file, inline SPARQL, or - for stdin.

    SELECT and ASK print their results; CONSTRUCT and DESCRIBE print Turtle (JSON-LD with --format json).
    Parameters are bound as values, never pasted into the query text. Queries are read-only and may not
    reach the network (SERVICE, FROM, LOAD are refused).

    \b
    Examples:
      kg query dependents --param component=Redpanda
      kg query impact-with-adrs -p component=MinIO --format json
      kg query 'SELECT ?c WHERE { ?c a kg:Component } LIMIT 5'
    """
    from ..errors import UsageError
    from ..query import load_query, named_queries, prepare, run_query

    if list_queries:
        _list(named_queries(), query_text, fmt)
        return
    if query_text is None:
        raise UsageError("a QUERY is required: a named query (kg query --list lists them), an .rq file or SPARQL")
    if query_text == "-":
        query_text = sys.stdin.read()
    named = load_query(query_text)
    if endpoint and allow_update:
        raise UsageError("--allow-update changes a graph in memory; an endpoint's graph is changed by `kg push`")
    if engine == "rdflib" or allow_update:
        prepare(named.text, allow_update=allow_update)  # fail on syntax or safety before opening the graph
    else:
        from ..sparql import check

        check(named.text)  # refusals before opening the graph; the store's parser says where a syntax error is
    values = _parse_params(params)
    kg = open_graph(graph_dir, endpoint, graph_iri)
    # the output is made in the query's worker, so the time limit covers it too
    result = run_query(kg, named, values, timeout=timeout, allow_update=allow_update, limit=limit,
                       memory_mb=memory_mb, render=lambda found: _output(kg, found, fmt), engine=engine)
    _print(kg, result, fmt, limit)


def _parse_params(params: tuple[str, ...]) -> dict[str, str]:
    from ..errors import UsageError

    out: dict[str, str] = {}
    for item in params:
        name, sep, value = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or not name:
            raise UsageError(f"--param takes NAME=VALUE, not {item!r}")
        if name in out:
            raise UsageError(f"parameter {name} given twice")
        out[name] = value
    return out


def _output(kg: Any, result: Any, fmt: str) -> str | None:
    """The text a SELECT, ASK, CONSTRUCT or DESCRIBE result prints as (None: a table with no rows)."""
    from ..query import display_rows, serialize

    if result.kind == "SELECT" and fmt in ("table", "markdown"):
        rows, columns = display_rows(kg, result)
        if fmt == "markdown":
            return render_markdown(rows, columns)
        if not rows:
            return None
        cols = columns_of(columns)
        return render_rich(rows, cols, terminal_width(), links=True) if stdout_is_terminal() else render_tsv(rows, cols)
    return serialize(result, fmt)


def _print(kg: Any, result: Any, fmt: str, limit: int | None) -> None:
    if result.kind == "UPDATE" and fmt == "json":
        click.echo(json.dumps({"added": result.added, "removed": result.removed, "stored": False}))
        return
    if result.kind == "UPDATE":
        click.echo(f"update applied in memory: {result.added} triples added, {result.removed} removed "
                   "(the stored graph is unchanged)")
        return
    # the W3C formats have no place for a note: the sample is said on stderr, before the answer
    say_sample(kg, fmt)
    if result.output is None:
        emit([], list(result.vars), fmt)
    else:
        click.echo(result.output)
    if result.truncated:
        what = "rows" if result.kind == "SELECT" else "triples"
        click.echo(f"kg: showing the first {limit} {what} (--limit)", err=True)


def _list(library: dict[str, Any], name: str | None, fmt: str) -> None:
    from ..errors import UsageError

    if name is not None:
        if name not in library:
            raise UsageError(f"no named query {name}; kg query --list shows them")
        library = {name: library[name]}
    if fmt == "json":
        click.echo(json.dumps([q.to_dict() for q in library.values()], indent=2, ensure_ascii=False))
        return
    if fmt in ("csv", "tsv", "markdown"):
        rows = [{"name": q.name, "params": ", ".join(p.describe() for p in q.params), "description": q.description}
                for q in library.values()]
        columns = ["name", "params", "description"]
        if fmt == "markdown":
            click.echo(render_markdown(rows, columns))
        else:
            click.echo(render_csv(rows, columns, delimiter="," if fmt == "csv" else "\t"))
        return
    import textwrap

    width = max((len(n) for n in library), default=0)
    limit = terminal_width() if stdout_is_terminal() else 0

    def fitted(first: str, text: str, indent: int) -> str:
        # wrapped at spaces under its own start, so a description is never cut
        if not limit or indent + len(text) <= limit:
            return (first + text).rstrip()
        return "\n".join(textwrap.wrap(text, max(20, limit - indent), initial_indent=first,
                                        subsequent_indent=" " * indent, break_long_words=False))

    for q in library.values():
        click.echo(fitted(f"{q.name.ljust(width)}  ", q.description, width + 2))
        for p in q.params:
            kind = p.kind + ("" if p.required else ", optional")
            click.echo(fitted(" " * (width + 4), f"--param {p.name}=…  ({kind}) {p.description}", width + 6))
    if not library:
        click.echo("(no named queries)")
