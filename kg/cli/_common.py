"""What every command shares: the one place library errors become messages, shared options, opening the graph."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from ..errors import KgError
from ..escape import terminal
from ._output import TABLE_FORMATS, Where, say

FORMATS = TABLE_FORMATS


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn kg's own exceptions into `kg: message` on stderr with their exit code (2 for usage errors)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KgError as exc:
            click.echo(f"kg: {terminal(exc)}", err=True)
            sys.exit(exc.exit_code)
        except BrokenPipeError:  # `kg … | head` is fine
            sys.exit(0)

    return wrapper


def graph_dir_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--graph-dir, shared by every command that reads or writes the graph."""
    return click.option("--graph-dir", type=click.Path(file_okay=False), envvar="KG_GRAPH_DIR", default=None,
                        help="Graph directory (default ./.kg; environment KG_GRAPH_DIR).")(fn)


def format_option(choices: list[str] = FORMATS, default: str = "table") -> Callable[..., Any]:
    """--format, shared by the commands that print results; its help names only the formats it offers."""
    scripts = [c for c in choices if c not in ("table", "markdown")]
    people = "a table for people (tab-separated in a pipe)" if "table" in choices else ""
    parts = [p for p in (people, f"{'/'.join(scripts)} for scripts" if scripts else "",
                         "markdown for reviews" if "markdown" in choices else "") if p]
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output: " + "; ".join(parts) + ".")


def wide_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--wide: print every cell whole instead of fitting the table to the terminal."""
    return click.option("--wide", "-w", is_flag=True,
                        help="Print every cell whole, one line per row, whatever the terminal's width.")(fn)


def endpoint_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--endpoint and --graph: answer from a SPARQL server that `kg push` loaded, instead of the graph directory."""
    fn = click.option("--graph", "graph_iri", metavar="IRI", envvar="KG_GRAPH", default=None,
                      help="The named graph on the endpoint (default https://w3id.org/kg-arch/graph/default; "
                           "environment KG_GRAPH).")(fn)
    return click.option("--endpoint", metavar="URL", envvar="KG_ENDPOINT", default=None,
                        help="Answer from this SPARQL endpoint (environment KG_ENDPOINT); credentials from "
                             "$KG_ENDPOINT_TOKEN, $KG_ENDPOINT_USER/$KG_ENDPOINT_PASSWORD or netrc.")(fn)


def open_graph(graph_dir: str | None, endpoint: str | None = None, graph_iri: str | None = None) -> Any:
    """Open the graph (or the endpoint's); build the embedded sample only on the Quick start's path (no graph
    directory named and none in ./.kg), saying so. A named directory that holds no graph is a usage error."""
    from .. import api

    if endpoint:
        return api.open_endpoint(endpoint, graph_iri)

    def building(directory: Any) -> None:
        click.echo(f"kg: no graph in {directory}: building the embedded sample there first "
                   "(`kg build PATH` builds your own docs)", err=True)

    return api.open(graph_dir, on_sample=building)


def sample_note(kg: Any) -> str:
    """The line that says an answer comes from the embedded sample, or "" for anyone's own docs."""
    if not kg.is_sample:
        return ""
    return (f"Answer from the embedded SAMPLE graph in {kg.directory}, not from your docs "
            "(`kg build PATH` builds yours).")


def say_sample(kg: Any, fmt: str) -> None:
    """Say, before the answer, that it comes from the sample: in text on a terminal, on stderr otherwise
    (json carries it as `graph.sample`)."""
    note = sample_note(kg)
    if note:
        say(note, err=fmt != "table")


def with_graph(kg: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """A JSON answer with `graph` first: which graph answered, and whether it is the sample."""
    return {"graph": kg.info(), **{k: v for k, v in payload.items() if k != "graph"}}


def where(kg: Any, ev: dict[str, Any] | None) -> Where | str:
    """A piece of evidence as `path:line` to print (relative to here when under it), linked to its file or page."""
    from ..sources import shown_path

    if not ev or not ev.get("document"):
        return ""
    place = kg.locate(ev["document"], ev.get("line"))
    return Where(shown_path(ev["document"], place["file"]), ev.get("line"), place["url"])
