"""kg query and KnowledgeGraph.query: the named query library, parameters bound as values, read-only, no network,
a time limit, W3C result formats; checked on the embedded sample and the real corpus."""

from __future__ import annotations

import io
import json
import multiprocessing
import re
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.plugins.sparql import prepareQuery
from rdflib.query import Result

from kg import api, store
from kg.cli import main
from kg.errors import EntityNotFound, QueryError, UsageError
from kg.graph import ID, NS
from kg.query import (
    QueryTimeout,
    load_query,
    parse_header,
    prepare,
    query_frame,
    run_query,
    serialize,
)
from kg.resources import ontology_path, queries_dir

REQUIRED = ["dependents", "dependencies", "impact-with-adrs", "adrs-for", "adr-timeline", "superseded",
            "components-without-adr", "vendors", "owners", "not-in-use", "unresolved", "evidence"]
# parameters that make each named query answer something on both workspaces
EXAMPLE_PARAMS: dict[str, dict[str, str]] = {
    "dependents": {"component": "MinIO"},
    "dependencies": {"component": "Grafana"},
    "impact-with-adrs": {"component": "MinIO"},
    "adrs-for": {"component": "Redpanda"},
    "evidence": {"subject": "Loki", "object": "MinIO"},
    "layer-vendors": {"layer": "data"},
}
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~10^12 rows: never finishes
KG = NS
KGID = ID


# ---------------------------------------------------------------- fixtures (built once per module)


# The graphs (sample, corpus, sample_dir) come from conftest.py, built once for the whole run.

@pytest.fixture(params=["sample", "corpus"])
def any_kg(request: pytest.FixtureRequest) -> api.KnowledgeGraph:
    return request.getfixturevalue(request.param)


def run(*args: str, graph_dir: Path | None = None, input: str | None = None) -> tuple[int, str, str]:
    full = list(args) + (["--graph-dir", str(graph_dir)] if graph_dir else [])
    result = CliRunner().invoke(main, full, input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def rows_of(kg: api.KnowledgeGraph, name: str, **params: Any) -> list[dict[str, Any]]:
    """A named query's rows with labels for IRIs (as the DataFrame shows them)."""
    return kg.query(name, **params).to_dict("records")


def stored_graph(directory: Path) -> bytes:
    return store.ntriples_path(directory).read_bytes()


# ---------------------------------------------------------------- the library


def test_every_rq_file_parses_and_has_its_header() -> None:
    files = sorted(queries_dir().glob("*.rq"))
    assert {f.stem for f in files} >= set(REQUIRED)
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# name: "), f"{path.name}: the header comes first"
        header = parse_header(text)
        assert header.name == path.stem, f"{path.name}: `# name:` must be the file name"
        assert len(header.description) > 20, f"{path.name}: `# description:` says what it answers"
        # standalone: the file declares its own prefixes, so other SPARQL tools can run it as it is
        parsed = prepareQuery(text)
        assert parsed.algebra.name == "SelectQuery", path.name
        used = prepare(text).variables
        for p in header.params:
            assert p.description, f"{path.name}: parameter {p.name} says what it means"
            assert p.name in used, f"{path.name}: parameter {p.name} is not a variable of the query"
            assert p.kind in ("entity", "string", "integer", "date", "relation")


def test_every_dependency_kind_is_also_a_dependson(any_kg: api.KnowledgeGraph) -> None:
    """The graph states the RDFS entailment the queries rely on: each sub-kind of kg:dependsOn is a kg:dependsOn."""
    onto = Graph().parse(ontology_path(), format="turtle")
    subs = {URIRef(s) for s in onto.transitive_subjects(RDFS.subPropertyOf, URIRef(NS + "dependsOn"))}
    assert {URIRef(NS + "storesDataIn"), URIRef(NS + "runsOn")} <= subs
    g = any_kg.graph
    typed = [(s, o) for s, p, o in g if p in subs and p != URIRef(NS + "dependsOn")]
    assert typed
    for s, o in typed:
        assert (s, URIRef(NS + "dependsOn"), o) in g


def test_header_parsing() -> None:
    q = parse_header("# name: x\n# description: does x\n# param: a (entity) - the a\n"
                     "# param: n (integer, optional) – how many\nSELECT ?a ?n WHERE { ?a ?p ?n }\n")
    assert (q.name, q.description, q.declared) == ("x", "does x", True)
    assert [(p.name, p.kind, p.required, p.description) for p in q.params] == [
        ("a", "entity", True, "the a"), ("n", "integer", False, "how many")]
    with pytest.raises(QueryError, match="unknown kind"):
        parse_header("# param: a (colour) - nope\nSELECT * WHERE {}")
    assert parse_header("SELECT * WHERE { ?s ?p ?o }").declared is False


def test_load_query_by_name_path_and_text(tmp_path: Path) -> None:
    assert load_query("dependents").path == queries_dir() / "dependents.rq"
    rq = tmp_path / "mine.rq"
    rq.write_text("# description: mine\nSELECT ?s WHERE { ?s a kg:Component }\n")
    assert load_query(str(rq)).name == "mine"
    assert load_query("ASK { ?s ?p ?o }").text == "ASK { ?s ?p ?o }"
    with pytest.raises(UsageError, match="closest: dependents"):
        load_query("dependent")
    with pytest.raises(UsageError, match="no such query file"):
        load_query(str(tmp_path / "missing.rq"))


# ---------------------------------------------------------------- every named query, real answers


@pytest.mark.parametrize("name", REQUIRED + ["layer-vendors"])
def test_every_named_query_answers_on_both_workspaces(any_kg: api.KnowledgeGraph, name: str) -> None:
    result = run_query(any_kg, name, EXAMPLE_PARAMS.get(name, {}))
    assert result.kind == "SELECT"
    assert result.rows, f"{name} answered nothing"
    assert all(len(row) == len(result.vars) for row in result.rows)


def test_dependents_of_redpanda_include_keda(any_kg: api.KnowledgeGraph) -> None:
    rows = rows_of(any_kg, "dependents", component="Redpanda")
    keda = next(r for r in rows if r["dependent"] == "KEDA")
    assert keda["depth"] == 1 and keda["type"] == "Component"
    assert keda["dependent_iri"] == KGID + "component/keda"


def test_dependents_and_dependencies_agree_with_impact(any_kg: api.KnowledgeGraph) -> None:
    """The SPARQL depth (shortest path, 1..8 hops) is the breadth-first depth of `kg impact --relation dependsOn`,
    for every component."""
    components = [k for k, e in any_kg.entities.items() if e["type"] == "Component"
                  and (any_kg.in_edges.get(k) or any_kg.out_edges.get(k))]
    checked = 0
    for key in components:
        label = any_kg.entities[key]["label"]
        for query, method, column in (("dependents", any_kg.impact, "dependent"),
                                      ("dependencies", any_kg.deps, "dependency")):
            # dependsOn+ is every kind of dependency, backups included: kg impact --relation dependsOn
            expected = {r.id: r.depth for r in method(key, relations=["dependsOn"]).results}
            if not expected:
                continue
            got = {key_of_iri(r[column + "_iri"]): r["depth"] for r in rows_of(any_kg, query, component=key)}
            assert got == expected, f"{query} of {label}"
            checked += 1
    assert checked >= 5


def key_of_iri(value: str) -> str:
    from kg.graph import key_of

    return key_of(value)


def test_max_depth(any_kg: api.KnowledgeGraph) -> None:
    everything = {r["dependent"]: r["depth"] for r in rows_of(any_kg, "dependents", component="MinIO")}
    assert everything["Loki"] == 1 and everything["KEDA"] == 2
    near = {r["dependent"] for r in rows_of(any_kg, "dependents", component="MinIO", max_depth=1)}
    assert near == {k for k, d in everything.items() if d == 1}


def test_impact_with_adrs_names_adr_020_beside_loki(any_kg: api.KnowledgeGraph) -> None:
    rows = rows_of(any_kg, "impact-with-adrs", component="MinIO")
    assert any(r["dependent"] == "Loki" and r["adr"] == "ADR-020" for r in rows)
    assert {r["dependent"] for r in rows} == {r["dependent"] for r in rows_of(any_kg, "dependents", component="MinIO")}


def test_adrs_for(any_kg: api.KnowledgeGraph) -> None:
    rows = rows_of(any_kg, "adrs-for", component="redpanda")  # aliases match as in kg impact
    assert ("ADR-026", "decides") in {(r["adr"], r["relation"]) for r in rows}
    eso = {(r["adr"], r["relation"], r["via"]) for r in rows_of(any_kg, "adrs-for", component="External Secrets Operator")}
    assert any(a == "ADR-013" and rel == "decides" for a, rel, _ in eso)
    assert ("ADR-039", "supersedes", "ADR-013") in eso
    assert any(r["adr"] == "ADR-020" and r["relation"] == "rejects"
               for r in rows_of(any_kg, "adrs-for", component="Elasticsearch"))


def test_adr_timeline(any_kg: api.KnowledgeGraph) -> None:
    rows = rows_of(any_kg, "adr-timeline")
    assert len(rows) == sum(1 for e in any_kg.entities.values() if e["type"] == "ADR")
    dated = [hasattr(r["date"], "isoformat") for r in rows]
    assert any(dated) and dated == sorted(dated, reverse=True), "undated ADRs come last"
    dates = [r["date"] for r in rows if hasattr(r["date"], "isoformat")]
    assert dates == sorted(dates)
    adr013 = next(r for r in rows if r["adr"] == "ADR-013")
    assert adr013["supersededBy"] == "ADR-039" and adr013["inForce"] is False
    recent = rows_of(any_kg, "adr-timeline", since="2026-01-09")
    assert recent and all(r["date"].isoformat() >= "2026-01-09" for r in recent)
    accepted = rows_of(any_kg, "adr-timeline", status="Accepted")
    assert accepted and {r["status"] for r in accepted} == {"Accepted"}


def test_superseded(any_kg: api.KnowledgeGraph) -> None:
    pairs = {(r["adr"], r["supersededBy"]) for r in rows_of(any_kg, "superseded")}
    assert ("ADR-013", "ADR-039") in pairs


def test_components_without_adr(any_kg: api.KnowledgeGraph) -> None:
    decided = {r["object"] for r in any_kg.model["relations"] if r["predicate"] == "decides"}
    rows = rows_of(any_kg, "components-without-adr")
    assert rows and not {r["component_iri"] for r in rows} & {KGID + k for k in decided}
    assert not {r["status"] for r in rows} & {"not used", "removed", "replaced"}
    assert "K3s" in {r["component"] for r in rows}  # no ADR decides on K3s


def test_vendors(any_kg: api.KnowledgeGraph) -> None:
    rows = rows_of(any_kg, "vendors")
    assert rows[0]["vendor"] == "Contabo" and rows[0]["standing"] == "selected"
    assert {r["vendor"] for r in rows} == {e["label"] for e in any_kg.entities.values() if e["type"] == "Vendor"}
    assert [r["vendor"] for r in rows_of(any_kg, "vendors", standing="fallback")] == ["Hetzner"]


def test_vendors_what_they_provide(corpus: api.KnowledgeGraph) -> None:
    assert {"vendor": "Contabo", "provides": "K3s", "how": "provisions"}.items() <= \
        next(r for r in rows_of(corpus, "vendors") if r["vendor"] == "Contabo").items()


def test_owners(any_kg: api.KnowledgeGraph) -> None:
    rows = rows_of(any_kg, "owners")
    assert ("Platform Team", "infra-redpanda") in {(r["team"], r["repository"]) for r in rows}
    assert {(r["team"], r["repository"]) for r in rows_of(any_kg, "owners", team="HR Team")} == \
        {("HR Team", "hr-platform")}


def test_not_in_use(any_kg: api.KnowledgeGraph) -> None:
    rows = rows_of(any_kg, "not-in-use")
    assert "in use" not in {r["status"] for r in rows}
    assert any(r["technology"] == "Elasticsearch" and r["rejectedBy"] == "ADR-020" and r["chosen"] == "Loki"
               for r in rows)


def test_not_in_use_names_the_replacement(corpus: api.KnowledgeGraph) -> None:
    rows = rows_of(corpus, "not-in-use")
    assert any(r["technology_iri"] == KGID + "component/istio-sidecars"
               and r["replacedBy_iri"] == KGID + "component/istio" for r in rows)


def test_unresolved(any_kg: api.KnowledgeGraph) -> None:
    rows = rows_of(any_kg, "unresolved")
    links = [r for r in rows if r["kind"] == "link"]
    assert len(links) == any_kg.stats()["unresolved_references"]
    unresolved_adrs = {e["label"] for e in any_kg.entities.values() if e["type"] == "ADR" and e["props"].get("unresolved")}
    assert {r["target"] for r in rows if r["kind"] == "adr"} <= unresolved_adrs
    assert "ADR-026" in {r["target"] for r in rows if r["kind"] == "adr"} or "ADR-026" not in unresolved_adrs
    index = rows_of(any_kg, "unresolved", document="handbook/INDEX.md")
    assert index and {r["path"] for r in index} == {"handbook/INDEX.md"}


def test_evidence(any_kg: api.KnowledgeGraph) -> None:
    rows = rows_of(any_kg, "evidence", subject="Loki", relation="storesDataIn", object="MinIO")
    assert rows and {(r["subject"], r["relation"], r["object"]) for r in rows} == {("Loki", "storesDataIn", "MinIO")}
    assert "grafana/docs/ADR-020-LOGGING-GRAFANA-LOKI.md" in {r["document"] for r in rows}
    assert all(r["line"] > 0 and r["text"] and r["method"] for r in rows)
    decides = rows_of(any_kg, "evidence", subject="ADR-26", relation="decides")  # ADR ids in any spelling
    assert {r["object"] for r in decides} == {"Redpanda"}
    with pytest.raises(UsageError, match="unknown relation"):
        any_kg.query("evidence", subject="Loki", relation="eats")


# ---------------------------------------------------------------- the Python API


def test_query_frame_shows_labels_and_keeps_iris(sample: api.KnowledgeGraph) -> None:
    df = sample.query("dependents", component="Redpanda")
    assert list(df.columns) == ["dependent", "type", "status", "depth", "dependent_iri"]
    assert df.loc[0, "dependent"] == "KEDA" and df.loc[0, "dependent_iri"] == KGID + "component/keda"
    assert int(df.loc[0, "depth"]) == 1
    ask = query_frame(sample, "ASK { ?c a kg:Component }")
    assert ask.to_dict("records") == [{"boolean": True}]
    triples = sample.query("CONSTRUCT { ?s kg:storesDataIn ?o } WHERE { ?s kg:storesDataIn ?o }")
    assert {"subject", "predicate", "object", "subject_iri"} <= set(triples.columns)
    assert ("Loki", "storesDataIn", "MinIO") in set(zip(triples.subject, triples.predicate, triples.object))


def test_inline_parameters(sample: api.KnowledgeGraph) -> None:
    q = "SELECT ?c WHERE { ?c kg:storesDataIn ?target }"
    assert "Loki" in set(sample.query(q, target="minio").c)  # a bare value names an entity
    assert sample.query(q, target='"MinIO"').empty  # a "quoted" value is a literal
    assert "Loki" in set(sample.query(q, target=URIRef(KGID + "component/minio")).c)
    with pytest.raises(UsageError, match="not a variable of the query"):
        sample.query(q, nothing="x")


def test_parameter_errors(sample: api.KnowledgeGraph) -> None:
    with pytest.raises(EntityNotFound, match="closest: Redpanda"):
        sample.query("dependents", component="Redpand")
    with pytest.raises(UsageError, match="needs --param component"):
        sample.query("dependents")
    with pytest.raises(UsageError, match="has no parameter colour"):
        sample.query("dependents", component="Redpanda", colour="red")
    with pytest.raises(UsageError, match="whole number"):
        sample.query("dependents", component="Redpanda", max_depth="two")
    with pytest.raises(UsageError, match="YYYY-MM-DD"):
        sample.query("adr-timeline", since="last week")


# ---------------------------------------------------------------- safety


INJECTION = 'Redpanda" } ; DROP ALL ; #'


def test_injection_in_an_entity_parameter_matches_nothing(sample_dir: Path, sample: api.KnowledgeGraph) -> None:
    before_file, before_len = stored_graph(sample_dir), len(sample.graph)
    with pytest.raises(EntityNotFound):
        sample.query("dependents", component=INJECTION)
    code, out, err = run("query", "dependents", "--param", f"component={INJECTION}", graph_dir=sample_dir)
    assert code == 2 and f"no entity named {INJECTION}" in err and out == ""
    assert stored_graph(sample_dir) == before_file and len(sample.graph) == before_len


def test_injection_in_a_literal_parameter_matches_nothing(sample_dir: Path, sample: api.KnowledgeGraph) -> None:
    before_file, before_len = stored_graph(sample_dir), len(sample.graph)
    assert sample.query("adr-timeline", status=INJECTION).empty
    assert sample.query("SELECT ?c WHERE { ?c kg:storesDataIn ?t }", t=f'"{INJECTION}"').empty
    code, out, err = run("query", "vendors", "-p", f"standing={INJECTION}", graph_dir=sample_dir)
    assert code == 0 and "(no results)" in err and out.splitlines() == ["vendor\tstanding\tprovides\thow"]
    assert stored_graph(sample_dir) == before_file and len(sample.graph) == before_len


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Any connection attempt is recorded and fails."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s a kg:Component OPTIONAL { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } } } }",
    "ASK { FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
])
def test_service_is_refused_before_any_connection(sample_dir: Path, sample: api.KnowledgeGraph,
                                                   no_network: list[Any], text: str) -> None:
    code, out, err = run("query", text, graph_dir=sample_dir)
    assert code == 2 and "SERVICE" in err and "refused" in err and out == ""
    with pytest.raises(QueryError, match="SERVICE"):
        sample.query(text)
    assert no_network == []


@pytest.mark.parametrize("text, allow, message", [
    ("SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }", False, "FROM"),
    ("SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }", False, "FROM"),
    ("LOAD <http://127.0.0.1:9/data.ttl>", True, "LOAD"),
    ("DELETE { ?s ?p ?o } USING <http://127.0.0.1:9/x> WHERE { ?s ?p ?o }", True, "USING"),
    ("INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", True, "SERVICE"),
])
def test_other_ways_to_fetch_are_refused(sample_dir: Path, no_network: list[Any], text: str, allow: bool,
                                         message: str) -> None:
    args = ["query", text] + (["--allow-update"] if allow else [])
    code, _, err = run(*args, graph_dir=sample_dir)
    assert code == 2 and message in err and "refused" in err
    assert no_network == []


def test_update_is_refused_unless_allowed_and_never_stored(sample_dir: Path, sample: api.KnowledgeGraph) -> None:
    before_file, before_len = stored_graph(sample_dir), len(sample.graph)
    code, _, err = run("query", "DROP ALL", graph_dir=sample_dir)
    assert code == 2 and "SPARQL Update is refused" in err
    with pytest.raises(QueryError, match="read-only"):
        sample.query("DELETE WHERE { ?s ?p ?o }")
    code, out, _ = run("query", "DELETE WHERE { ?s a kg:Vendor }", "--allow-update", graph_dir=sample_dir)
    assert code == 0 and "the stored graph is unchanged" in out and re.search(r"[1-9]\d* removed", out)
    assert stored_graph(sample_dir) == before_file and len(sample.graph) == before_len


def test_allowed_update_changes_only_the_graph_in_memory(sample_dir: Path) -> None:
    kg = api.open(sample_dir, build_if_missing=False)
    before = len(kg.graph)
    result = run_query(kg, "INSERT DATA { kgid:thing a kg:Component }", allow_update=True)
    assert (result.added, result.removed) == (1, 0) and len(kg.graph) == before + 1
    assert run_query(kg, "ASK { kgid:thing a kg:Component }").boolean is True
    assert api.open(sample_dir, build_if_missing=False).graph.__len__() == before


def test_syntax_error_gives_line_and_column_and_exit_2(sample_dir: Path) -> None:
    code, out, err = run("query", "PREFIX kg: <https://w3id.org/kg-arch/ns#>\nSELECT ?s WHERE {\n  ?s kg:x }",
                         graph_dir=sample_dir)
    assert code == 2 and out == ""
    assert re.search(r"syntax error at line 3, column \d+", err)
    with pytest.raises(QueryError, match="line 1, column"):
        prepare("SELEC ?s WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError, match="Unknown namespace prefix"):
        prepare("SELECT ?s WHERE { ?s nope:x ?o }")


@pytest.mark.parametrize("worker", ["fork", "thread"])
def test_a_query_past_its_time_limit_is_stopped(sample_dir: Path, sample: api.KnowledgeGraph,
                                                monkeypatch: pytest.MonkeyPatch, worker: str) -> None:
    monkeypatch.setenv("KG_QUERY_WORKER", worker)
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="stopped after 0.5 s"):
        run_query(sample, SLOW, timeout=0.5)
    assert time.monotonic() - started < 5
    code, _, err = run("query", SLOW, "--timeout", "0.5", graph_dir=sample_dir)
    assert code == 1 and "stopped after 0.5 s" in err
    assert time.monotonic() - started < 10
    assert multiprocessing.active_children() == []
    # the graph still answers afterwards
    assert run_query(sample, "ASK { ?s a kg:Component }").boolean is True


# ---------------------------------------------------------------- the CLI and the result formats


def test_cli_table_and_markdown(sample_dir: Path) -> None:
    from conftest import run_in_terminal

    code, out, _ = run_in_terminal(["query", "dependents", "--param", "component=Redpanda", "--graph-dir",
                                    str(sample_dir)])
    assert code == 0
    assert out.splitlines()[0].startswith("Answer from the embedded SAMPLE graph")
    assert out.splitlines()[1].split() == ["DEPENDENT", "TYPE", "STATUS", "DEPTH"]
    assert re.search(r"^KEDA\s+Component\s+in use\s+1$", out, re.M)
    code, out, _ = run("query", "dependents", "--param", "component=Redpanda", graph_dir=sample_dir)
    assert out.splitlines()[0] == "dependent\ttype\tstatus\tdepth", "in a pipe a table is tab-separated"
    assert "KEDA\tComponent\tin use\t1" in out.splitlines()
    code, out, _ = run("query", "impact-with-adrs", "-p", "component=MinIO", "--format", "markdown",
                       graph_dir=sample_dir)
    assert code == 0 and out.startswith("| dependent | depth | adr |")
    assert re.search(r"^\| Loki \| 1 \| ADR-020 \|", out, re.M)


def test_cli_json_is_w3c_sparql_results(sample_dir: Path) -> None:
    code, out, _ = run("query", "dependents", "-p", "component=Redpanda", "--format", "json", graph_dir=sample_dir)
    assert code == 0
    parsed = Result.parse(io.StringIO(out), format="json")
    assert [str(v) for v in parsed.vars] == ["dependent", "type", "status", "depth"]
    rows = list(parsed)
    assert (URIRef(KGID + "component/keda"), Literal(1)) in {(r[0], r[3]) for r in rows}
    data = json.loads(out)
    assert data["head"]["vars"][0] == "dependent" and data["results"]["bindings"][0]["dependent"]["type"] == "uri"


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_cli_csv_and_tsv_are_w3c_sparql_results(sample_dir: Path, fmt: str) -> None:
    code, out, _ = run("query", "evidence", "-p", "subject=Loki", "-p", "object=MinIO", "--format", fmt,
                       graph_dir=sample_dir)
    assert code == 0
    parsed = Result.parse(io.BytesIO(out.encode()), format=fmt)
    assert [str(v) for v in parsed.vars] == ["subject", "relation", "object", "document", "line", "method", "text"]
    rows = list(parsed)
    assert rows and all(str(r[0]) == KGID + "component/grafana-loki" for r in rows)
    if fmt == "tsv":
        assert out.splitlines()[0].startswith("?subject\t?relation")
        assert rows[0][4] == Literal(int(str(rows[0][4])))  # typed: the line is an integer


def test_tsv_escapes_round_trip(sample: api.KnowledgeGraph) -> None:
    text = 'tab\there "quoted" back\\slash\nnew line'
    result = run_query(sample, f"SELECT ?x ?n ?b ?d ?l WHERE {{ BIND({json.dumps(text)} AS ?x) BIND(42 AS ?n) "
                               'BIND(true AS ?b) BIND("2026-01-07"^^xsd:date AS ?d) BIND("hej"@sv AS ?l) }')
    out = serialize(result, "tsv")
    assert len(out.splitlines()) == 2
    row = list(Result.parse(io.BytesIO(out.encode()), format="tsv"))[0]
    assert str(row[0]) == text and row[1] == Literal(42) and row[2] == Literal(True)
    assert row[3].toPython().isoformat() == "2026-01-07" and row[4].language == "sv"


def test_cli_ask_and_construct(sample_dir: Path) -> None:
    code, out, _ = run("query", "ASK { ?c a kg:Component }", graph_dir=sample_dir)
    assert (code, out.strip()) == (0, "true")
    code, out, _ = run("query", "ASK { ?c a kg:Nothing }", "--format", "json", graph_dir=sample_dir)
    assert json.loads(out) == {"head": {}, "boolean": False}
    assert Result.parse(io.StringIO(out), format="json").askAnswer is False
    code, out, _ = run("query", "CONSTRUCT { ?s kg:storesDataIn ?o } WHERE { ?s kg:storesDataIn ?o }",
                       graph_dir=sample_dir)
    g = Graph().parse(data=out, format="turtle")
    assert (URIRef(KGID + "component/grafana-loki"), URIRef(KG + "storesDataIn"), URIRef(KGID + "component/minio")) in g
    code, out, _ = run("query", f"DESCRIBE <{KGID}component/redpanda>", "--format", "json", graph_dir=sample_dir)
    described = json.loads(out)
    assert code == 0 and any(node.get("@id") == KGID + "component/redpanda" for node in described)


def test_cli_limit(sample_dir: Path) -> None:
    code, out, err = run("query", "adr-timeline", "--limit", "3", "--format", "csv", graph_dir=sample_dir)
    assert code == 0 and len(out.strip().splitlines()) == 4 and "showing the first 3 rows" in err


def test_cli_query_from_a_file_and_stdin(sample_dir: Path, tmp_path: Path) -> None:
    rq = tmp_path / "stores.rq"
    rq.write_text("# name: stores\n# param: target (entity) - where data goes\n"
                  "PREFIX kg: <https://w3id.org/kg-arch/ns#>\nSELECT ?c WHERE { ?c kg:storesDataIn ?target }\n")
    code, out, _ = run("query", str(rq), "-p", "target=MinIO", graph_dir=sample_dir)
    assert code == 0 and "Loki" in out
    code, _, err = run("query", str(rq), graph_dir=sample_dir)
    assert code == 2 and "needs --param target" in err
    code, out, _ = run("query", "-", graph_dir=sample_dir, input="SELECT ?c WHERE { ?c kg:runsOn ?x } LIMIT 1")
    assert code == 0


def test_cli_list(sample_dir: Path) -> None:
    code, out, _ = run("query", "--list")
    assert code == 0
    for name in REQUIRED:
        assert re.search(rf"^{re.escape(name)}\s+\S", out, re.M), name
    assert "--param component=…  (entity)" in out
    code, out, _ = run("query", "--list", "--format", "json")
    listed = {q["name"]: q for q in json.loads(out)}
    assert set(REQUIRED) <= set(listed)
    assert listed["dependents"]["params"][0] == {"name": "component", "kind": "entity", "required": True,
                                                 "description": "the component (or any entity) whose dependents to list"}
    code, out, _ = run("query", "--list", "vendors")
    assert code == 0 and out.startswith("vendors") and "standing" in out


def test_cli_usage_errors(sample_dir: Path) -> None:
    for args, message in [
        (["query"], "a QUERY is required"),
        (["query", "dependentz"], "closest: dependents"),
        (["query", "dependents", "-p", "component"], "NAME=VALUE"),
        (["query", "dependents", "-p", "component=Redpanda", "-p", "component=KEDA"], "given twice"),
        (["query", "dependents", "-p", "component=Redpanda", "-p", "colour=red"], "no parameter colour"),
    ]:
        code, _, err = run(*args, graph_dir=sample_dir)
        assert code == 2 and message in err, (args, err)


def test_query_has_help() -> None:
    code, out, _ = run("query", "--help")
    assert code == 0 and "--param" in out and "--timeout" in out and "--allow-update" in out


def test_layer_vendors_on_the_sample(sample: api.KnowledgeGraph) -> None:
    rows = rows_of(sample, "layer-vendors", layer="data layer")
    assert {(r["vendor"], r["component"], r["via"]) for r in rows} >= {("Cloudflare", "CloudNativePG", "R2")}
    assert rows_of(sample, "layer-vendors", layer="no such layer") == []
