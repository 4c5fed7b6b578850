"""What every command shares: the one place library errors become messages, shared options, opening the graph, output."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any

import click

from ..errors import KgError

FORMATS = ["table", "json", "csv", "markdown"]


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn kg's own exceptions into `kg: message` on stderr with their exit code (2 for usage errors)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KgError as exc:
            click.echo(f"kg: {exc}", err=True)
            sys.exit(exc.exit_code)
        except BrokenPipeError:  # `kg … | head` is fine
            sys.exit(0)

    return wrapper


def graph_dir_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--graph-dir, shared by every command that reads or writes the graph."""
    return click.option("--graph-dir", type=click.Path(file_okay=False), envvar="KG_GRAPH_DIR", default=None,
                        help="Graph directory (default ./.kg; environment KG_GRAPH_DIR).")(fn)


def format_option(choices: list[str] = FORMATS, default: str = "table") -> Callable[..., Any]:
    """--format, shared by the commands that print results."""
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format: tables for people, json/csv for scripts.")


def open_graph(graph_dir: str | None):  # noqa: ANN201
    """Open the graph, building the embedded sample first (with a note on stderr) when there is none."""
    from .. import api, store

    directory = store.graph_dir(graph_dir)
    if not store.exists(directory):
        click.echo(f"kg: no graph in {directory}; building the embedded sample first", err=True)
        api.build_graph(None, directory)
    return api.open(directory, build_if_missing=False)


def render_table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A plain aligned text table (cells cut at 70 characters)."""
    if not rows:
        return "(no results)"
    cells = [[_cut(str(r.get(c, "") if r.get(c) is not None else "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


def render_markdown(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A GitHub-flavoured Markdown table."""
    def esc(v: Any) -> str:
        return str(v if v is not None else "").replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    out += ["| " + " | ".join(esc(r.get(c, "")) for c in columns) + " |" for r in rows]
    return "\n".join(out)


def render_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().rstrip("\n")


def _cut(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def emit(rows: list[dict[str, Any]], columns: list[str], fmt: str, payload: Any = None) -> None:
    """Print rows in the chosen format; json prints `payload` when given."""
    if fmt == "json":
        click.echo(json.dumps(payload if payload is not None else rows, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(render_csv(rows, columns))
    elif fmt == "markdown":
        click.echo(render_markdown(rows, columns))
    else:
        click.echo(render_table(rows, columns))


