"""A shared SPARQL server: push a built graph into a named graph of any SPARQL 1.1 store, and answer from it.

`kg push` replaces one named graph with the build in a single Graph Store HTTP Protocol request (PUT
`STORE?graph=IRI`): the graph's N-Triples, plus what kg itself needs to answer `kg impact`, `kg deps`
and `kg show` with the same output as from a local build: each entity's and relation's record as a JSON
literal (`kg:entityRecord`, `kg:relationRecord`), the folded names an entity answers to (`kg:nameKey`)
and the build's record on the graph's own IRI (`kg:buildRecord`: sources, repositories, origins).
SPARQL users see the same graph as in graph.nt; the records are extra statements with their own
predicates.

URLs: `--endpoint` is the SPARQL query service (Oxigraph `http://host:7878/query`, Fuseki
`http://host:3030/ds/query`, GraphDB `http://host:7200/repositories/kg`); the Graph Store service is
`--store`, or derived from the endpoint for Oxigraph (`…/query` → `…/store`), Fuseki (`…/ds/query` or
`…/ds/sparql` → `…/ds/data`) and GraphDB (`…/repositories/R` → `…/repositories/R/rdf-graphs/service`).

Credentials never come from the command line (a URL with `user:password@` is refused): $KG_ENDPOINT_TOKEN
(a bearer token), else $KG_ENDPOINT_USER and $KG_ENDPOINT_PASSWORD, else the netrc file ($NETRC or
~/.netrc) entry of the endpoint's host. Nothing but the endpoint the user named is ever contacted.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from .errors import KgError, QueryError, UsageError
from .graph import ID, NS, _lit, iri, key_of

if TYPE_CHECKING:
    from .query import Prepared, QueryResult, Term

DEFAULT_GRAPH = "https://w3id.org/kg-arch/graph/default"
RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
RDF_SUBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"
RDF_OBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#object"
RDF_PREDICATE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate"


class EndpointError(KgError):
    """The endpoint could not be reached, refused the request or answered with an error."""


def _check_url(url: str, what: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{what} {url!r} is not an http(s) URL")
    if parts.username or parts.password:
        raise UsageError(f"{what} carries credentials in its URL; give them in $KG_ENDPOINT_TOKEN, "
                         "$KG_ENDPOINT_USER/$KG_ENDPOINT_PASSWORD or a netrc file, never on the command line")
    return url


def store_url_for(endpoint: str) -> str:
    """The Graph Store service beside a query service, by the conventions of Oxigraph, Fuseki and GraphDB."""
    parts = urlsplit(endpoint)
    path = parts.path.rstrip("/")
    if "/repositories/" in path:  # GraphDB
        new = path + "/rdf-graphs/service"
    elif path.endswith("/query") and path.count("/") >= 2:  # Fuseki: /ds/query
        new = path[: -len("/query")] + "/data"
    elif path.endswith("/sparql"):  # Fuseki: /ds/sparql
        new = path[: -len("/sparql")] + "/data"
    elif path.endswith("/query"):  # Oxigraph: /query
        new = path[: -len("/query")] + "/store"
    else:
        new = path + "/store"
    return urlunsplit((parts.scheme, parts.netloc, new, "", ""))


class Client:
    """One SPARQL 1.1 service (query and Graph Store), with credentials from the environment or netrc."""

    def __init__(self, endpoint: str, store: str | None = None, timeout: float = 60.0) -> None:
        self.endpoint = _check_url(endpoint, "--endpoint")
        self.store = _check_url(store, "--store") if store else store_url_for(endpoint)
        self.timeout = timeout

    def address(self) -> tuple[str, int]:
        """The endpoint's host and port (the only place a query's worker may connect to)."""
        parts = urlsplit(self.endpoint)
        return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)

    def _auth(self, url: str) -> dict[str, str]:
        token = os.environ.get("KG_ENDPOINT_TOKEN")
        if token:
            return {"Authorization": f"Bearer {token}"}
        user, password = os.environ.get("KG_ENDPOINT_USER"), os.environ.get("KG_ENDPOINT_PASSWORD")
        if not user:
            import netrc

            host = urlsplit(url).hostname or ""
            try:
                found = netrc.netrc(os.environ.get("NETRC") or None).authenticators(host)
            except (FileNotFoundError, netrc.NetrcParseError, OSError):
                found = None
            if found:
                user, password = found[0], found[2]
        if user:
            pair = f"{user}:{password or ''}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
        return {}

    def request(self, method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None,
                ) -> bytes:
        """One HTTP request; an error status or an unreachable server is an EndpointError in one line."""
        import urllib.error
        import urllib.request

        req = urllib.request.Request(url, data=body, method=method,
                                     headers={**(headers or {}), **self._auth(url), "User-Agent": "kg"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as answer:  # noqa: S310 - the user's URL
                data: bytes = answer.read()
                return data
        except urllib.error.HTTPError as exc:
            answer_text = exc.read()[:2000].decode("utf-8", "replace").strip()
            said = f": {answer_text.splitlines()[0]}" if answer_text else ""
            if exc.code == 400 and method == "POST" and url == self.endpoint:
                raise QueryError(f"the endpoint rejected the query: {answer_text}") from None
            if exc.code in (401, 403):
                raise EndpointError(f"{url} refused the request ({exc.code}{said}); set $KG_ENDPOINT_TOKEN, "
                                    "$KG_ENDPOINT_USER/$KG_ENDPOINT_PASSWORD or a netrc entry") from None
            raise EndpointError(f"{url} answered {exc.code} {exc.reason}{said}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise EndpointError(f"cannot reach {url}: {reason}") from None

    # ------------------------------------------------------------ Graph Store protocol
    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Replace the named graph with these N-Triples, in one request."""
        self.request("PUT", f"{self.store}?{urlencode({'graph': graph})}", ntriples,
                     {"Content-Type": "application/n-triples"})

    # ------------------------------------------------------------ SPARQL protocol
    def raw_query(self, text: str, graph: str | None, accept: str) -> bytes:
        """A query's answer as the endpoint sends it, the named graph as its default graph."""
        form = {"query": text}
        if graph:
            form["default-graph-uri"] = graph
        return self.request("POST", self.endpoint, urlencode(form).encode("utf-8"),
                            {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept})

    def solutions(self, text: str, graph: str | None) -> list[dict[str, Any]]:
        """SELECT rows as {variable: SPARQL JSON term}."""
        data = json.loads(self.raw_query(text, graph, "application/sparql-results+json"))
        rows: list[dict[str, Any]] = data.get("results", {}).get("bindings", [])
        return rows

    def select(self, text: str, prepared: Prepared, bindings: dict[str, Term], limit: int | None,
               graph: str | None) -> QueryResult:
        """A user's query (already checked by kg.sparql), its parameters written in as terms."""
        import pyoxigraph as ox

        from .engines import results
        from .query import PREFIXES, bound_text
        from .sparql import syntax_error

        bound = bound_text(text, bindings)
        # kg's prefixes, as the local engines declare them, on the query's first line (so lines keep their numbers)
        declared = "".join(f"PREFIX {p}: <{ns}> " for p, ns in PREFIXES.items()
                           if f"{p}:" in text and not re.search(rf"(?i)PREFIX\s+{p}:", text))
        construct = prepared.kind in ("CONSTRUCT", "DESCRIBE")
        try:
            data = self.raw_query(declared + bound, graph,
                                  "application/n-triples" if construct else "application/sparql-results+json")
        except QueryError as exc:
            m = re.search(r"error at (\d+):(\d+): (.*)", str(exc), re.DOTALL)
            if not m:
                raise
            line, col = int(m.group(1)), int(m.group(2))
            raise syntax_error(f"error at {line}:{col - len(declared) if line == 1 else col}: {m.group(3)}",
                               text) from None
        if construct:
            return results(ox.parse(data, ox.RdfFormat.N_TRIPLES), prepared, limit)
        return results(ox.parse_query_results(data, ox.QueryResultsFormat.JSON), prepared, limit)


# ---------------------------------------------------------------- push


def records(model: dict[str, Any], meta: dict[str, Any], graph: str) -> list[str]:
    """The N-Triples lines of what kg needs to answer from the endpoint as from a local build."""
    from .graph import _hash
    from .index import entity_names

    compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    lines = []
    for ent in model["entities"]:
        node = f"<{iri(ent['key'])}>"
        lines.append(f"{node} <{NS}entityRecord> {_lit(compact(ent), RDF_JSON)} .")
        for name in sorted(entity_names(ent)):
            lines.append(f"{node} <{NS}nameKey> {_lit(name)} .")
    for rel in model["relations"]:
        stmt = f"<{ID}statement/{_hash(rel['subject'], rel['predicate'], rel['object'])}>"
        # found by its ends through the statement's rdf:subject and rdf:object, which graph.nt states
        lines.append(f"{stmt} <{NS}relationRecord> {_lit(compact(rel), RDF_JSON)} .")
    build = {k: meta.get(k) for k in ("sources", "sample", "origins", "built_at", "triples")}
    build["repositories"] = model["repositories"]
    lines.append(f"<{graph}> <{NS}buildRecord> {_lit(compact(build), RDF_JSON)} .")
    return lines


def push(directory: Path, client: Client, graph: str = DEFAULT_GRAPH) -> dict[str, Any]:
    """Replace the named graph `graph` of the store with the live build of `directory`; what was pushed."""
    from . import store

    _check_url(graph, "--graph") if graph.startswith(("http:", "https:")) else None
    if any(c in graph for c in '<>"{}|^`\\ \n'):
        raise UsageError(f"--graph {graph!r} is not an IRI")
    build = store.current_build(directory)
    meta = store.read_meta(build)
    model = store.read_model(build, meta)
    ntriples = store.read_ntriples(build, meta)
    extra = records(model, meta, graph)
    body = ntriples + ("\n".join(extra) + "\n").encode("utf-8")
    client.put_graph(graph, body)
    return {"endpoint": client.endpoint, "store": client.store, "graph": graph,
            "triples": int(meta.get("triples", 0)) + len(extra), "bytes": len(body),
            "sources": meta.get("sources", [])}


# ---------------------------------------------------------------- answering from the endpoint


class EndpointSource:
    """Entities and relations read from a pushed graph, a query at a time (kg.index.Source)."""

    def __init__(self, client: Client, graph: str = DEFAULT_GRAPH) -> None:
        self.client = client
        self.graph = graph
        self.endpoint = client.endpoint
        # entity records that came with a relation's (the walk asks for them next): one request, not two
        self._known: dict[str, dict[str, Any]] = {}

    def _records(self, text: str) -> list[dict[str, Any]]:
        rows = self.client.solutions(text, self.graph)
        out = []
        for row in rows:
            term = row.get("r")
            if term is not None:
                try:
                    out.append(json.loads(term["value"]))
                except ValueError:
                    raise EndpointError(f"{self.endpoint}: a kg record in {self.graph} is damaged; "
                                        "push the graph again") from None
        return out

    def build_record(self) -> dict[str, Any]:
        """What the pushed build said of itself; EndpointError when the graph holds no kg build."""
        found = self._records(f"SELECT ?r WHERE {{ <{self.graph}> <{NS}buildRecord> ?r }}")
        if not found:
            raise EndpointError(f"{self.endpoint} holds no kg graph named {self.graph} "
                                f"(push one with `kg push --endpoint {self.endpoint} --graph {self.graph}`)")
        return found[0]

    def entity(self, key: str) -> dict[str, Any] | None:
        if key in self._known:
            return self._known.pop(key)
        found = self._records(f"SELECT ?r WHERE {{ <{iri(key)}> <{NS}entityRecord> ?r }}")
        return found[0] if found else None

    def keys_named(self, folded: str) -> list[str]:
        from .query import ntriples_term

        rows = self.client.solutions(
            f"SELECT ?e WHERE {{ ?e <{NS}nameKey> {ntriples_term(('lit', folded, '', ''))} }}", self.graph)
        return sorted(key_of(row["e"]["value"]) for row in rows if "e" in row)

    def _edges(self, end: str, key: str) -> list[dict[str, Any]]:
        other = RDF_OBJECT if end == RDF_SUBJECT else RDF_SUBJECT
        rows = self.client.solutions(
            f"SELECT ?r ?e WHERE {{ ?s <{end}> <{iri(key)}> ; <{NS}relationRecord> ?r ; <{other}> ?o . "
            f"OPTIONAL {{ ?o <{NS}entityRecord> ?e }} }}", self.graph)
        found = []
        for row in rows:
            try:
                found.append(json.loads(row["r"]["value"]))
                if "e" in row:
                    ent = json.loads(row["e"]["value"])
                    self._known[ent["key"]] = ent
            except (KeyError, ValueError):
                raise EndpointError(f"{self.endpoint}: a kg record in {self.graph} is damaged; "
                                    "push the graph again") from None
        return sorted(found, key=lambda r: (r["subject"], r["predicate"], r["object"]))

    def edges_with(self, key: str, end: str, predicates: frozenset[str]) -> list[dict[str, Any]]:
        """The relations of these predicates from (end "subject") or to (end "object") an entity."""
        return self.edges_with_many([key], end, predicates)[key]

    def edges_with_many(self, keys: list[str], end: str,
                        predicates: frozenset[str]) -> dict[str, list[dict[str, Any]]]:
        """`edges_with` of several entities, a request per few hundred (a walk asks for a whole level at once:
        a request per entity was most of `kg impact --endpoint`). Not the records of the entities at the
        other ends: a walk passes tens of thousands of relations and shows the entities of a few thousand,
        which it then asks for together (`entities_many`)."""
        from .index import BATCH

        found: dict[str, list[dict[str, Any]]] = {key: [] for key in keys}
        if not predicates:
            return found
        here, there = (RDF_SUBJECT, RDF_OBJECT) if end == "subject" else (RDF_OBJECT, RDF_SUBJECT)
        kinds = " ".join(f"<{NS}{p}>" for p in sorted(predicates))
        for at in range(0, len(keys), BATCH):
            chunk = keys[at:at + BATCH]
            rows = self.client.solutions(
                f"SELECT ?k ?r WHERE {{ VALUES ?k {{ {' '.join(f'<{iri(k)}>' for k in chunk)} }} "
                f"VALUES ?p {{ {kinds} }} ?s <{here}> ?k ; <{RDF_PREDICATE}> ?p ; <{NS}relationRecord> ?r }}",
                self.graph)
            for row in rows:
                try:
                    found[key_of(row["k"]["value"])].append(json.loads(row["r"]["value"]))
                except (KeyError, ValueError):
                    raise EndpointError(f"{self.endpoint}: a kg record in {self.graph} is damaged; "
                                        "push the graph again") from None
        return {k: sorted(v, key=lambda r: (r["subject"], r["predicate"], r["object"])) for k, v in found.items()}

    def entities_many(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The entity records of several keys, those a walk already brought first, the rest a request per few
        hundred."""
        from .index import BATCH

        out = {k: self._known.pop(k) for k in keys if k in self._known}
        rest = [k for k in keys if k not in out]
        for at in range(0, len(rest), BATCH):
            chunk = rest[at:at + BATCH]
            for ent in self._records(f"SELECT ?r WHERE {{ VALUES ?e {{ {' '.join(f'<{iri(k)}>' for k in chunk)} }} "
                                     f"?e <{NS}entityRecord> ?r }}"):
                out[ent["key"]] = ent
        return out

    def out_edges(self, key: str) -> list[dict[str, Any]]:
        return self._edges(RDF_SUBJECT, key)

    def in_edges(self, key: str) -> list[dict[str, Any]]:
        return self._edges(RDF_OBJECT, key)

    def all_entities(self) -> Iterator[dict[str, Any]]:
        found = self._records(f"SELECT ?r WHERE {{ ?e <{NS}entityRecord> ?r }}")
        yield from sorted(found, key=lambda e: e["key"])

    def repositories(self) -> dict[str, str]:
        return dict(self.build_record().get("repositories", {}))
