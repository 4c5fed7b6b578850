"""`kg push`: the built graph into a named graph of a shared SPARQL server (Graph Store HTTP Protocol)."""

from __future__ import annotations

import json

import click

from ._common import format_option, graph_dir_option, handle_errors


@click.command("push")
@click.option("--endpoint", metavar="URL", envvar="KG_ENDPOINT", required=True,
              help="The server's SPARQL query service, e.g. http://localhost:7878/query (environment KG_ENDPOINT).")
@click.option("--store", "store_url", metavar="URL", envvar="KG_STORE", default=None,
              help="Its Graph Store service, when kg cannot tell it from the endpoint (environment KG_STORE).")
@click.option("--graph", "graph_iri", metavar="IRI", envvar="KG_GRAPH", default=None,
              help="The named graph to replace (default https://w3id.org/kg-arch/graph/default; environment "
                   "KG_GRAPH): one per repository, or one for the whole platform.")
@graph_dir_option
@format_option(["table", "json"])
@handle_errors
def push(endpoint: str, store_url: str | None, graph_iri: str | None, graph_dir: str | None, fmt: str) -> None:
    """Replace a named graph of a SPARQL server with the graph built here, in one request.

    Then `kg impact`, `kg deps`, `kg show` and `kg query` answer from the server with --endpoint (or
    KG_ENDPOINT). Credentials come from $KG_ENDPOINT_TOKEN (bearer), $KG_ENDPOINT_USER and
    $KG_ENDPOINT_PASSWORD, or a netrc entry for the server's host, never from the command line.
    """
    from .. import store
    from ..endpoint import DEFAULT_GRAPH, Client
    from ..endpoint import push as push_graph

    done = push_graph(store.graph_dir(graph_dir), Client(endpoint, store_url), graph_iri or DEFAULT_GRAPH)
    if fmt == "json":
        click.echo(json.dumps(done, indent=2))
        return
    click.echo(f"Pushed {done['triples']:,} triples to <{done['graph']}> at {done['store']}")
