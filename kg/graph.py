"""Graph stage: the plain-data model -> an RDF graph (rdflib) and a networkx projection.

Only this module (and the query layer) knows rdflib. IRIs are stable: they are
derived from entity keys, and evidence/statement nodes from a hash of their
content, so the same docs give the same graph, byte for byte, once sorted.
"""

from __future__ import annotations

import functools
import hashlib
import os
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


@functools.lru_cache(maxsize=1 << 16)
def iri(key: str) -> str:
    """The IRI of an entity key (remembered: a build asks for the same few keys hundreds of thousands of times)."""
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


# ---------------------------------------------------------------- N-Triples without rdflib
# A build writes graph.nt straight from the model: building an rdflib Graph of a large workspace only to
# serialise it took most of the build (1M triples added one by one). The lines are the ones rdflib writes
# for the same graph, byte for byte (tests/test_engines.py compares them with to_rdf on the sample and a real corpus).

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_DCTERMS = "http://purl.org/dc/terms/"
_PROV = "http://www.w3.org/ns/prov#"


def _lit(text: str, datatype: str = "") -> str:
    quoted = '"' + text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r") + '"'
    return f"{quoted}^^<{datatype}>" if datatype else quoted


def _bool(value: Any) -> str:
    return _lit("true" if value else "false", _XSD + "boolean")


def _date(text: str) -> str:
    """An xsd:date literal as rdflib writes it: normalised when it is a valid date, as written otherwise."""
    import datetime

    try:
        text = datetime.date.fromisoformat(text).isoformat() if len(text) == 10 else text
    except ValueError:
        pass
    return _lit(text, _XSD + "date")


def ntriples_file(lines: set[str]) -> bytearray:
    """The N-Triples file of these distinct lines, sorted, as UTF-8. The set is emptied as the file is made:
    never the lines twice over as text and bytes (a large workspace's peak of memory). Sorted as bytes, which
    is code point order in UTF-8 and a third quicker than sorting the text."""
    encoded = [line.encode("utf-8") for line in lines]
    lines.clear()
    encoded.sort()
    out = bytearray()
    while encoded:  # a slice at a time, each freed once written
        out += b"\n".join(encoded[:50_000]) + b"\n"
        del encoded[:50_000]
    return out or bytearray(b"\n")


def ntriple_set(model: dict[str, Any], ontology: list[str]) -> set[str]:
    """The distinct N-Triples lines of a model's graph (what to_rdf's graph serialises to): the ontology's and
    those of each part of the model (an entity, a relation with its evidence, an unresolved reference)."""
    out: set[str] = set(ontology)
    for ent in model["entities"]:
        entity_lines(ent, out)
    for rel in model["relations"]:
        relation_lines(rel, out)
    for ref in model["unresolved"]:
        unresolved_lines(ref, out)
    return out


_A = f"<{_RDF}type>"
_LABEL, _ALT = f"<{_RDFS}label>", f"<{_SKOS}altLabel>"
_DERIVED = f"<{_PROV}wasDerivedFrom>"


def entity_lines(ent: dict[str, Any], out: set[str]) -> None:
    """An entity's lines, added to `out`: its type, label, aliases and properties (every subject its own IRI)."""
    add = out.add
    node = f"<{iri(ent['key'])}>"
    add(f"{node} {_A} <{NS}{ent['type']}> .")
    add(f"{node} {_LABEL} {_lit(ent['label'])} .")
    for alias in ent["aliases"]:
        add(f"{node} {_ALT} {_lit(alias)} .")
    props = ent["props"]
    for name in ("status", "category", "layer", "version", "purpose", "standing", "kind", "path", "description"):
        if props.get(name):
            add(f"{node} <{NS}{name}> {_lit(str(props[name]))} .")
    if ent["type"] == "ADR":
        add(f"{node} <{NS}adrId> {_lit(props['adr_id'])} .")
        if props.get("title"):
            add(f"{node} <{_DCTERMS}title> {_lit(props['title'])} .")
        if props.get("date"):
            add(f"{node} <{_DCTERMS}date> {_date(props['date'])} .")
        add(f"{node} <{NS}inForce> {_bool(props.get('in_force'))} .")
        add(f"{node} <{NS}unresolved> {_bool(props.get('unresolved'))} .")
    if ent["type"] == "Document":
        add(f"{node} <{_DCTERMS}title> {_lit(ent['label'])} .")
        add(f"{node} <{NS}inRepository> <{iri('repository/' + _slug(props['repository']))}> .")
    if ent["type"] == "Repository":
        add(f"{node} <{NS}present> {_bool(props.get('present'))} .")
    if ent["type"] in ("Document", "Repository"):  # where it was read: the repository's URL, at which commit
        if props.get("url"):
            add(f"{node} <{_DCTERMS}source> {_lit(props['url'], _XSD + 'anyURI')} .")
        if props.get("commit"):
            add(f"{node} <{NS}commit> {_lit(props['commit'])} .")
        if props.get("rev"):
            add(f"{node} <{NS}revision> {_lit(props['rev'])} .")


def relation_lines(rel: dict[str, Any], out: set[str]) -> None:
    """A relation's lines, added to `out`: the triple (and its kg:dependsOn), its statement node with the
    confidence, and each evidence node (subjects: the relation's subject, the statement, the evidence)."""
    add = out.add
    s, p, o = f"<{iri(rel['subject'])}>", f"<{NS}{rel['predicate']}>", f"<{iri(rel['object'])}>"
    add(f"{s} {p} {o} .")
    if rel["predicate"] in DEPENDENCY_PREDICATES:
        add(f"{s} <{NS}dependsOn> {o} .")
    stmt = f"<{ID}statement/{_hash(rel['subject'], rel['predicate'], rel['object'])}>"
    add(f"{stmt} {_A} <{_RDF}Statement> .")
    add(f"{stmt} <{_RDF}subject> {s} .")
    add(f"{stmt} <{_RDF}predicate> {p} .")
    add(f"{stmt} <{_RDF}object> {o} .")
    if "confidence" in rel:
        add(f"{stmt} <{NS}confidence> {_lit(str(Decimal(str(rel['confidence']))), _XSD + 'decimal')} .")
    for ev in rel["evidence"]:
        node = f"<{ID}evidence/{_hash(ev['document'], ev['line'], ev['method'], ev['text'])}>"
        add(f"{stmt} <{NS}evidence> {node} .")
        add(f"{node} {_A} <{NS}Evidence> .")
        add(f"{node} {_DERIVED} <{iri('document/' + ev['document'])}> .")
        add(f"{node} <{NS}line> {_lit(str(int(ev['line'])), _XSD + 'integer')} .")
        add(f"{node} <{NS}text> {_lit(ev['text'])} .")
        add(f"{node} <{NS}method> {_lit(ev['method'])} .")


def unresolved_lines(ref: dict[str, Any], out: set[str]) -> None:
    """An unresolved reference's lines, added to `out` (subject: its node, a hash of document, line and target)."""
    add = out.add
    node = f"<{ID}unresolved/{_hash(ref['document'], ref['line'], ref['target'])}>"
    add(f"{node} {_A} <{NS}UnresolvedReference> .")
    add(f"{node} {_LABEL} {_lit(ref['text'] or ref['target'])} .")
    add(f"{node} <{NS}target> {_lit(ref['target'])} .")
    add(f"{node} <{NS}reason> {_lit(ref['reason'])} .")
    add(f"{node} <{NS}line> {_lit(str(int(ref['line'])), _XSD + 'integer')} .")
    add(f"{node} {_DERIVED} <{iri('document/' + ref['document'])}> .")


def ontology_lines(cache: Any = None) -> list[str]:
    """The ontology's triples as N-Triples lines (rdflib parses the Turtle once; the lines are kept by its hash,
    in the graph directory's cache and in the user's, so a first build into a new directory skips rdflib)."""
    from .sources import default_cache_dir

    text = ontology_path().read_bytes()
    name = f"ontology-{hashlib.sha256(text).hexdigest()[:16]}.nt"
    places = [cache, default_cache_dir() / "ontology"] if cache is not None else []
    for place in places:
        try:
            return (place / name).read_text(encoding="utf-8").split("\n")[:-1]
        except OSError:
            pass
    from rdflib import Graph

    g = Graph()
    g.parse(data=text.decode("utf-8"), format="turtle")
    lines = sorted(line for line in g.serialize(format="nt").split("\n") if line.strip())
    for place in places:
        try:
            place.mkdir(parents=True, exist_ok=True)
            tmp = place / f".{name}.{os.getpid()}"
            tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
            os.replace(tmp, place / name)  # whole or absent: a build beside this one never reads half a file
        except OSError:
            pass  # a cache that cannot be written only costs the next build the parse
    return lines
