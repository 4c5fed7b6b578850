"""The relation vocabulary (kg/relations.py) and the ontology agree, and everything else derives from the table."""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, Graph, URIRef

from kg.graph import NS
from kg.relations import DEPENDENCY_PREDICATES, DRAWN_BY_DEFAULT, RELATION_PREDICATES, RELATIONS
from kg.resources import ontology_path


def ontology() -> Graph:
    return Graph().parse(ontology_path(), format="turtle")


def test_the_ontology_declares_exactly_the_relations_of_the_table() -> None:
    g = ontology()
    declared = {str(p)[len(NS):] for p in g.subjects(RDF.type, OWL.ObjectProperty) if str(p).startswith(NS)}
    # kg:evidence ties a reified statement to its evidence node: plumbing, not a relation between entities
    assert declared - {"evidence"} == set(RELATION_PREDICATES)


def test_dependency_kinds_are_exactly_the_sub_properties_of_depends_on() -> None:
    g = ontology()
    depends = URIRef(NS + "dependsOn")
    below = {str(p)[len(NS):] for p in g.transitive_subjects(RDFS.subPropertyOf, depends)}
    assert below == set(DEPENDENCY_PREDICATES)


def test_every_relation_has_a_label_and_a_known_family() -> None:
    g = ontology()
    families = {"dependency", "decision", "rejection", "lifecycle", "operation", "ownership", "other"}
    for kind in RELATIONS:
        assert g.value(URIRef(NS + kind.name), RDFS.label) is not None, kind.name
        assert kind.family in families, kind.name


def test_views_and_styles_derive_from_the_table() -> None:
    from kg.export.style import FAMILIES, family
    from kg.export.view import DEFAULT_RELATIONS

    assert DEFAULT_RELATIONS == DRAWN_BY_DEFAULT
    assert set(DEPENDENCY_PREDICATES) <= set(DRAWN_BY_DEFAULT)
    assert "relatedTo" not in DRAWN_BY_DEFAULT and "mentions" not in DRAWN_BY_DEFAULT
    assert all(family(k.name) in FAMILIES for k in RELATIONS)
