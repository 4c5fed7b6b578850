"""The RDF graph itself: the whole graph for the whole-platform view, else the subgraph a view stands for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..graph import RELATION_PREDICATES
from .view import PLATFORM_RELATIONS, View

if TYPE_CHECKING:
    from rdflib import Graph

_JSONLD_PREFIXES = ("kg", "kgid", "rdf", "rdfs", "skos", "dcterms", "prov", "xsd", "owl")
RDF_FORMATS = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld"}


def is_whole(view: View) -> bool:
    """A view of the whole platform with the default relations: its RDF is the whole graph."""
    return not view.focus and list(view.relations) == list(PLATFORM_RELATIONS)


def view_graph(view: View) -> Graph:
    """The whole graph, or the triples of the view's entities, the relations drawn between them and their evidence."""
    from rdflib import RDF, Graph, URIRef

    from ..graph import iri, kg_namespace

    if view.source is None:
        raise UsageError("this view has no graph attached (build it with kg.export.build_view)")
    full = view.source.graph
    if is_whole(view):
        return full
    KG = kg_namespace()
    keys = view.entity_keys
    nodes = {URIRef(iri(k)) for k in keys}
    kinds = {KG[r] for r in view.relations}
    every = {KG[r] for r in RELATION_PREDICATES}
    triples: set[tuple[Any, Any, Any]] = set()
    for node in nodes:
        for p, o in full.predicate_objects(node):
            # an entity's own description; a link only to another entity of the view, and a relation only if drawn
            if p == RDF.type or not isinstance(o, URIRef) or (o in nodes and (p in kinds or p not in every)):
                triples.add((node, p, o))
    # the reified statements of the drawn relations carry their evidence
    for stmt in set(full.subjects(RDF.type, RDF.Statement)):
        subj, pred, obj = (full.value(stmt, RDF.subject), full.value(stmt, RDF.predicate),
                           full.value(stmt, RDF.object))
        if subj in nodes and obj in nodes and pred in kinds:
            triples.update((stmt, sp, so) for sp, so in full.predicate_objects(stmt))
            for ev in full.objects(stmt, KG.evidence):
                triples.update((ev, ep, eo) for ep, eo in full.predicate_objects(ev))
    g = Graph()
    for prefix, ns in full.namespaces():
        if prefix in _JSONLD_PREFIXES:
            g.bind(prefix, ns)
    for t in sorted(triples):
        g.add(t)
    return g


def render_rdf(view: View, fmt: str) -> str:
    """The view's RDF as turtle, ntriples (sorted lines) or jsonld."""
    g = view_graph(view)
    if fmt == "ntriples":
        # split on \n only: splitlines() would also cut at U+2028, which N-Triples leaves unescaped
        lines = sorted(line for line in g.serialize(format="nt").split("\n") if line.strip())
        return "\n".join(lines) + "\n"
    if fmt == "jsonld":
        context = {prefix: str(ns) for prefix, ns in g.namespaces() if prefix in _JSONLD_PREFIXES}
        return _sorted_jsonld(g.serialize(format="json-ld", context=dict(sorted(context.items())), auto_compact=True))
    return g.serialize(format=RDF_FORMATS[fmt])


def _sorted_jsonld(text: str) -> str:
    """JSON-LD with its nodes sorted by @id and each property's values sorted (they are sets), so it diffs cleanly."""
    import json

    def canon(value: Any, ordered: bool = False) -> Any:
        if isinstance(value, dict):
            return {k: canon(v, ordered=k == "@list") for k, v in value.items()}
        if isinstance(value, list):
            items = [canon(v) for v in value]
            return items if ordered else sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        return value

    data = canon(json.loads(text))
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_turtle(view: View, title: str | None = None) -> str:
    """The view's RDF as Turtle (the title is not part of the graph)."""
    return render_rdf(view, "turtle")


def render_ntriples(view: View, title: str | None = None) -> str:
    """The view's RDF as sorted N-Triples."""
    return render_rdf(view, "ntriples")


def render_jsonld(view: View, title: str | None = None) -> str:
    """The view's RDF as JSON-LD, sorted."""
    return render_rdf(view, "jsonld")
