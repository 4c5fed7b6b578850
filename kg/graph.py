"""Graph stage: the plain-data model -> an RDF graph (rdflib) and a networkx projection.

Only this module (and the query layer) knows rdflib. IRIs are stable: they are
derived from entity keys, and evidence/statement nodes from a hash of their
content, so the same docs give the same graph, byte for byte, once sorted.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .relations import DEPENDENCY_PREDICATES, RELATION_PREDICATES, expand_relations
from .resources import ontology_path

__all__ = ["DEPENDENCY_PREDICATES", "RELATION_PREDICATES", "expand_relations", "iri", "key_of", "to_networkx", "to_rdf"]

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph, Namespace, URIRef

NS = "https://w3id.org/kg-arch/ns#"
ID = "https://w3id.org/kg-arch/id/"


def iri(key: str) -> str:
    """The IRI of an entity key."""
    return ID + quote(key, safe="/-_.~")


def key_of(iri_text: str) -> str:
    """The entity key of an IRI made by `iri` (the inverse)."""
    from urllib.parse import unquote

    return unquote(iri_text[len(ID):]) if iri_text.startswith(ID) else iri_text


def _hash(*parts: Any) -> str:
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:16]


def kg_namespace() -> Namespace:
    """The kg: namespace as an rdflib Namespace."""
    from rdflib import Namespace

    return Namespace(NS)


def to_rdf(model: dict[str, Any]) -> Graph:
    """An rdflib Graph of a stored model (entities, relations with evidence, unresolved references)."""
    from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
    from rdflib.namespace import DCTERMS, PROV

    KG = kg_namespace()
    g = Graph()
    g.bind("kg", KG)
    g.bind("kgid", ID)
    g.bind("skos", SKOS)
    g.bind("dcterms", DCTERMS)
    g.bind("prov", PROV)
    g.parse(ontology_path(), format="turtle")

    for ent in model["entities"]:
        node = URIRef(iri(ent["key"]))
        g.add((node, RDF.type, KG[ent["type"]]))
        g.add((node, RDFS.label, Literal(ent["label"])))
        for alias in ent["aliases"]:
            g.add((node, SKOS.altLabel, Literal(alias)))
        props = ent["props"]
        for name in ("status", "category", "layer", "version", "purpose", "standing", "kind", "path", "description"):
            if props.get(name):
                g.add((node, KG[name], Literal(str(props[name]))))
        if ent["type"] == "ADR":
            g.add((node, KG.adrId, Literal(props["adr_id"])))
            if props.get("title"):
                g.add((node, DCTERMS.title, Literal(props["title"])))
            if props.get("date"):
                g.add((node, DCTERMS.date, Literal(props["date"], datatype=XSD.date)))
            g.add((node, KG.inForce, Literal(bool(props.get("in_force")))))
            g.add((node, KG.unresolved, Literal(bool(props.get("unresolved")))))
        if ent["type"] == "Document":
            g.add((node, DCTERMS.title, Literal(ent["label"])))
            g.add((node, KG.inRepository, URIRef(iri("repository/" + _slug(props["repository"])))))
        if ent["type"] == "Repository":
            g.add((node, KG.present, Literal(bool(props.get("present")))))
        if ent["type"] in ("Document", "Repository"):  # where it was read: the repository's URL, at which commit
            if props.get("url"):
                g.add((node, DCTERMS.source, Literal(props["url"], datatype=XSD.anyURI)))
            if props.get("commit"):
                g.add((node, KG.commit, Literal(props["commit"])))
            if props.get("rev"):
                g.add((node, KG.revision, Literal(props["rev"])))

    for rel in model["relations"]:
        s, p, o = URIRef(iri(rel["subject"])), KG[rel["predicate"]], URIRef(iri(rel["object"]))
        g.add((s, p, o))
        if rel["predicate"] in DEPENDENCY_PREDICATES:
            # RDFS entailment made explicit: every kind of dependency is also a kg:dependsOn, so a
            # query says `kg:dependsOn+` instead of listing the sub-properties (rdflib does no inference)
            g.add((s, KG.dependsOn, o))
        stmt = URIRef(ID + "statement/" + _hash(rel["subject"], rel["predicate"], rel["object"]))
        g.add((stmt, RDF.type, RDF.Statement))
        g.add((stmt, RDF.subject, s))
        g.add((stmt, RDF.predicate, p))
        g.add((stmt, RDF.object, o))
        if "confidence" in rel:
            g.add((stmt, KG.confidence, Literal(Decimal(str(rel["confidence"])))))
        for ev in rel["evidence"]:
            g.add((stmt, KG.evidence, _evidence(g, ev)))

    for ref in model["unresolved"]:
        node = URIRef(ID + "unresolved/" + _hash(ref["document"], ref["line"], ref["target"]))
        g.add((node, RDF.type, KG.UnresolvedReference))
        g.add((node, RDFS.label, Literal(ref["text"] or ref["target"])))
        g.add((node, KG.target, Literal(ref["target"])))
        g.add((node, KG.reason, Literal(ref["reason"])))
        g.add((node, KG.line, Literal(ref["line"])))
        g.add((node, PROV.wasDerivedFrom, URIRef(iri("document/" + ref["document"]))))
    return g


def _slug(name: str) -> str:
    from .names import slug

    return slug(name)


def _evidence(g: Graph, ev: dict[str, Any]) -> URIRef:
    from rdflib import RDF, Literal, URIRef
    from rdflib.namespace import PROV

    KG = kg_namespace()
    node = URIRef(ID + "evidence/" + _hash(ev["document"], ev["line"], ev["method"], ev["text"]))
    g.add((node, RDF.type, KG.Evidence))
    g.add((node, PROV.wasDerivedFrom, URIRef(iri("document/" + ev["document"]))))
    g.add((node, KG.line, Literal(ev["line"])))
    g.add((node, KG.text, Literal(ev["text"])))
    g.add((node, KG.method, Literal(ev["method"])))
    return node


def to_networkx(model: dict[str, Any]) -> nx.MultiDiGraph:
    """A networkx MultiDiGraph: nodes are entity keys, edges keyed by relation with their evidence."""
    import networkx as nx

    g = nx.MultiDiGraph()
    for ent in model["entities"]:
        props = ent["props"]
        g.add_node(ent["key"], label=ent["label"], type=ent["type"], status=props.get("status", ""),
                   category=props.get("category", ""))
    for rel in model["relations"]:
        g.add_edge(rel["subject"], rel["object"], key=rel["predicate"], relation=rel["predicate"],
                   evidence=rel["evidence"])
    return g
