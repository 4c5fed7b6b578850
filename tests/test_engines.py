"""The store built for questions: every named query gives the same rows on rdflib and on the on-disk Oxigraph
store, the question index answers impact, deps and show as the whole model does, and both refuse what kg
refuses and report damage in one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_query import EXAMPLE_PARAMS as PARAMS  # what makes each named query answer something

from kg import api, store
from kg.cli import main
from kg.errors import GraphCorrupt, QueryError
from kg.query import load_query, named_queries, run_query
from kg.sparql import check, substitute

# the optional parameters too, so that a bound variable inside FILTER and BOUND() is compared as well
MORE_PARAMS: dict[str, dict[str, Any]] = {
    "dependents": {"component": "MinIO", "max_depth": 1},
    "dependencies": {"component": "Grafana", "max_depth": 2},
    "impact-with-adrs": {"component": "MinIO", "max_depth": 1},
    "adr-timeline": {"since": "2024-01-01"},
    "evidence": {"relation": "storesDataIn"},
}


@pytest.fixture(params=["sample", "corpus"])
def any_kg(request: pytest.FixtureRequest) -> api.KnowledgeGraph:
    return request.getfixturevalue(request.param)


def rows(kg: api.KnowledgeGraph, name: str, params: dict[str, Any], engine: str) -> list[tuple[str, ...]]:
    result = run_query(kg, name, params, engine=engine)
    assert result.kind == "SELECT"
    return [tuple("" if t is None else t.n3() for t in row) for row in result.rows]


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_gives_the_same_rows_on_every_engine(any_kg: api.KnowledgeGraph, name: str) -> None:
    for params in (PARAMS.get(name, {}), MORE_PARAMS.get(name)):
        if params is None:
            continue
        on_rdflib = rows(any_kg, name, params, "rdflib")
        on_store = rows(any_kg, name, params, "oxigraph")
        assert on_store == on_rdflib, f"{name} {params}"
    if name in PARAMS:
        assert on_rdflib, f"{name} answered nothing: the comparison would prove little"


def test_inline_queries_agree_and_the_auto_engine_is_the_store(sample: api.KnowledgeGraph) -> None:
    text = "SELECT ?c ?l WHERE { ?c a kg:Component ; rdfs:label ?l } ORDER BY ?c"
    assert rows(sample, text, {}, "auto") == rows(sample, text, {}, "rdflib")
    from kg.query import choose_engine

    fresh = api.open(sample.directory, build_if_missing=False)
    assert choose_engine(fresh) == "oxigraph"
    assert choose_engine(fresh, allow_update=True) == "rdflib", "an update changes the graph in memory"
    ask = run_query(fresh, "ASK { ?c a kg:Component }", engine="oxigraph")
    assert ask.boolean is True


@pytest.mark.parametrize("text, word", [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { ?s a kg:Component OPTIONAL { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } } }", "SERVICE"),
    ("select * from <http://127.0.0.1:9/data.ttl> where { ?s ?p ?o }", "FROM"),
    ("LOAD <http://127.0.0.1:9/data.ttl>", "LOAD"),
    ("DELETE { ?s ?p ?o } USING <http://127.0.0.1:9/x> WHERE { ?s ?p ?o }", "USING"),
    ("DROP ALL", "Update"),
])
def test_the_store_refuses_what_kg_refuses_before_anything_runs(sample: api.KnowledgeGraph, text: str,
                                                                word: str) -> None:
    with pytest.raises(QueryError, match=word):
        run_query(sample, text, engine="oxigraph")


def test_keywords_inside_strings_iris_and_comments_do_not_count() -> None:
    text = ('# SERVICE in a comment\nSELECT ?from WHERE { ?s <http://x/service> "LOAD FROM" ; '
            'kg:from ?from . FILTER(?from != "SERVICE") }')
    assert check(text).kind == "SELECT"
    assert check(text).variables == ("from", "s")


def test_a_bound_variable_is_written_as_a_term_everywhere_it_stands() -> None:
    text = "SELECT ?c ?x WHERE { ?x kg:dependsOn ?c FILTER(!BOUND(?d) || ?d > 1) } ORDER BY ?c"
    bound = substitute(text, {"c": "<urn:c>", "d": '"2"^^<http://www.w3.org/2001/XMLSchema#integer>'})
    assert bound == ('SELECT (<urn:c> AS ?c) ?x WHERE { ?x kg:dependsOn <urn:c> FILTER(!true || '
                     '"2"^^<http://www.w3.org/2001/XMLSchema#integer> > 1) } ORDER BY (<urn:c>)')


def test_a_value_with_quotes_stays_one_literal(sample: api.KnowledgeGraph) -> None:
    hostile = 'x" } ; DROP ALL ; SELECT * { "'
    text = "SELECT ?v WHERE { BIND(?text AS ?v) }"
    assert rows(sample, text, {"text": f'"{hostile}"'}, "oxigraph") == rows(sample, text, {"text": f'"{hostile}"'},
                                                                            "rdflib")


def test_a_syntax_error_on_the_store_says_where(sample: api.KnowledgeGraph) -> None:
    with pytest.raises(QueryError, match=r"syntax error at line 3, column \d+"):
        run_query(sample, "PREFIX kg: <https://w3id.org/kg-arch/ns#>\nSELECT ?s WHERE {\n  ?s kg:x }",
                  engine="oxigraph")
    with pytest.raises(QueryError, match="Unknown namespace prefix"):
        run_query(sample, "SELECT ?s WHERE { ?s nope:x ?o }", engine="oxigraph")


def test_the_store_query_is_stopped_at_its_time_limit(sample: api.KnowledgeGraph) -> None:
    from kg.query import QueryTimeout

    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with pytest.raises(QueryTimeout, match="stopped after 0.5 s"):
        run_query(sample, slow, timeout=0.5, engine="oxigraph")


# ---------------------------------------------------------------- the question index


def test_the_index_answers_as_the_whole_model_does(any_kg: api.KnowledgeGraph) -> None:
    assert any_kg.source is not None, "opened from its index"
    whole = api.KnowledgeGraph(any_kg.model, any_kg.directory, build=any_kg.build, meta=any_kg.meta)
    components = [e["label"] for e in whole.entities.values() if e["type"] == "Component"][:60]
    for name in ["Redpanda", "MinIO", "ADR-7", *components]:
        if whole.lookup(name) is None:
            continue
        assert any_kg.impact(name).to_dict() == whole.impact(name).to_dict()
        assert any_kg.deps(name, kinds="all").to_dict() == whole.deps(name, kinds="all").to_dict()
        assert any_kg.show(name) == whole.show(name)
    assert any_kg.suggest("Redpandda") == whole.suggest("Redpandda")


def test_impact_deps_and_show_read_neither_model_nor_graph(sample_dir: Path) -> None:
    kg = api.open(sample_dir, build_if_missing=False)
    kg.impact("Redpanda")
    kg.deps("Redpanda")
    kg.show("MinIO")
    assert kg._model is None and "graph" not in kg.__dict__


def test_an_index_of_another_format_is_not_read(tmp_path: Path, make_workspace: Any) -> None:
    """A graph built by an older kg keeps answering, from its model, rather than misreading its index."""
    ws = make_workspace({"shop/README.md": "# Shop\n\n| Service | Depends on |\n|---|---|\n| Orders API | Redpanda |\n"})
    directory = tmp_path / ".kg"
    api.build_graph([str(ws)], directory)
    current = api.open(directory, build_if_missing=False)
    assert current.source is not None and current.meta["index_format"] == api.INDEX_FORMAT
    meta_file = store.current_build(directory) / "meta.json"
    older = json.loads(meta_file.read_text(encoding="utf-8"))
    del older["index_format"]
    meta_file.write_text(json.dumps(older), encoding="utf-8")
    kg = api.open(directory, build_if_missing=False)
    assert kg.source is None, "answered from the model"
    assert kg.impact("Redpanda").to_dict() == current.impact("Redpanda").to_dict()


def damage(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def test_a_damaged_index_or_store_is_a_one_line_error(tmp_path: Path, make_workspace: Any) -> None:
    ws = make_workspace({"shop/README.md": "# Shop\n\n| Service | Depends on |\n|---|---|\n| Orders API | Redpanda |\n"})
    directory = tmp_path / ".kg"
    api.build_graph([str(ws)], directory)
    build = store.current_build(directory)
    damage(build / "index.sqlite")
    result = CliRunner().invoke(main, ["impact", "Redpanda", "--graph-dir", str(directory)])
    assert result.exit_code == 1 and "index.sqlite" in result.stderr and "kg build" in result.stderr
    api.build_graph([str(ws)], directory)
    build = store.current_build(directory)
    biggest = max((p for p in (build / "oxigraph").rglob("*") if p.is_file()), key=lambda p: p.stat().st_size)
    damage(biggest)
    result = CliRunner().invoke(main, ["query", "SELECT * WHERE { ?s ?p ?o }", "--graph-dir", str(directory)])
    assert result.exit_code == 1 and "oxigraph" in result.stderr and "kg build" in result.stderr, result.stderr
    with pytest.raises(GraphCorrupt):
        api.open(directory, build_if_missing=False).store_path()


def test_meta_records_every_file_of_the_build(sample_dir: Path) -> None:
    build = store.current_build(sample_dir)
    files = json.loads((build / "meta.json").read_text())["files"]
    assert {"model.json", "graph.nt", "index.sqlite", "oxigraph", "findings.json"} <= set(files)
    assert files["oxigraph"]["folder"], "the store's files and sizes"
    assert load_query("dependents").name == "dependents"


# ---------------------------------------------------------------- graph.nt


def test_graph_nt_is_what_rdflib_writes_for_the_model_sorted(any_kg: api.KnowledgeGraph) -> None:
    """A build writes graph.nt from the model itself (kg.graph.ntriple_set), not through rdflib: its lines are
    exactly those rdflib serialises for the same graph (to_rdf), distinct and sorted in code point order."""
    from kg.graph import to_rdf

    assert any_kg.build is not None
    written = (any_kg.build / "graph.nt").read_text(encoding="utf-8").split("\n")
    assert written[-1] == "" and written[:-1] == sorted(set(written[:-1])), "sorted, distinct, one per line"
    by_rdflib = {line for line in to_rdf(any_kg.model).serialize(format="nt").split("\n") if line.strip()}
    assert set(written[:-1]) == by_rdflib
    assert any(ord(c) > 127 for line in written for c in line), "the check covers text beyond ASCII"


def test_an_entity_read_by_a_walk_is_whole_to_whatever_looks_at_it_later(sample_dir: Path) -> None:
    """A walk reads entities without their mentions; a later look at the record (a notebook's export, a diff, JSON)
    sees them all, as from the model."""
    kg = api.open(sample_dir, build_if_missing=False)
    whole = api.KnowledgeGraph(kg.model, kg.directory, build=kg.build, meta=kg.meta)
    rows = kg.impact("Redpanda").results
    assert rows
    for row in rows:
        ent = kg.entities[row.id]
        expected = whole.entities[row.id]
        assert "evidence" in ent and ent.get("evidence") == expected["evidence"]
        assert json.loads(json.dumps(ent)) == json.loads(json.dumps(expected)) and dict(ent) == expected
