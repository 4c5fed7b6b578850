"""Tests for kg.export and `kg export`: views, every format, determinism, round trips, the real corpus."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import api
from kg.errors import EntityNotFound, KgError, UsageError
from kg.export import FORMATS, build_view, render
from kg.export.graphviz import GraphvizNotFound
from kg.export.mermaid import mermaid_ids
from kg.export.view import DEFAULT_RELATIONS, View
from kg.mermaid import parse_mermaid

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz is not installed (apt-get install graphviz; .ci/run installs it)")
DOCUMENT_PLUMBING = {"mentions", "linksTo", "documentedIn", "describes", "inRepository"}


# ---------------------------------------------------------------- fixtures


# The graphs (sample, corpus, sample_dir) come from conftest.py, built once for the whole run.

@pytest.fixture
def redpanda(corpus: api.KnowledgeGraph) -> View:
    return build_view(corpus, ["Redpanda"], depth=2)


def tiny(**extra_entities: dict) -> api.KnowledgeGraph:
    """A hand-made graph: App uses a DB (in use), decided by ADR-001; Old DB was replaced by DB; a vendor."""
    def ent(key: str, type_: str, label: str, **props: object) -> dict:
        return {"key": key, "type": type_, "label": label, "aliases": [], "props": props,
                "evidence": [{"document": "docs/a.md", "line": 1, "text": label, "method": "table"}]}

    def rel(s: str, p: str, o: str, line: int) -> dict:
        return {"subject": s, "predicate": p, "object": o,
                "evidence": [{"document": "docs/a.md", "line": line, "text": f"{s} {p} {o}", "method": "prose"}]}

    entities = [ent("component/app", "Component", 'App "one" #1; a|b <i>', status="in use", category="Apps"),
                ent("component/db", "Component", "DB", status="in use", category="Data"),
                ent("component/old-db", "Component", "Old DB", status="replaced", category="Data"),
                ent("component/unused", "Component", "Unused", status="not used"),
                ent("vendor/acme", "Vendor", "Acme", standing="selected"),
                ent("adr/ADR-001", "ADR", "ADR-001", title="Use DB </script><script>alert(1)</script>",
                    status="Accepted", adr_id="ADR-001"),
                ent("document/docs/a.md", "Document", "A", path="docs/a.md", repository="docs", kind="doc")]
    entities += [ent(k, *v) for k, v in extra_entities.items()]
    relations = [rel("component/app", "storesDataIn", "component/db", 3),
                 rel("component/old-db", "replacedBy", "component/db", 4),
                 rel("adr/ADR-001", "decides", "component/db", 5),
                 rel("component/db", "providedBy", "vendor/acme", 6),
                 rel("component/db", "documentedIn", "document/docs/a.md", 7),
                 rel("component/app", "mentions", "document/docs/a.md", 8)]
    return api.KnowledgeGraph({"entities": sorted(entities, key=lambda e: e["key"]), "relations": relations,
                               "unresolved": [], "documents": [], "repositories": {}, "warnings": []})


def labels(view: View) -> set[str]:
    return {n.label for n in view.nodes}


def edge_labels(view: View) -> set[tuple[str, str, str]]:
    by_id = {n.id: n.label for n in view.nodes}
    return {(by_id[e.source], e.relation, by_id[e.target]) for e in view.edges}


def roundtrip(view: View, text: str) -> None:
    """parse_mermaid reads the text back to the view's nodes, edges and groups."""
    ids = mermaid_ids(view)
    d = parse_mermaid(text)
    assert d.errors == []
    assert d.kind == "flowchart"
    assert {k: n.label for k, n in d.nodes.items()} == {ids[n.id]: n.caption for n in view.nodes}
    assert [(e.source, e.target, e.label) for e in d.edges] == \
        [(ids[e.source], ids[e.target], e.caption) for e in view.edges]
    assert {k: sorted(s.members) for k, s in d.subgraphs.items()} == \
        {ids[g.id]: sorted(ids[n] for n in g.nodes) for g in view.groups}
    assert {s.label for s in d.subgraphs.values()} == {g.label for g in view.groups}


# ---------------------------------------------------------------- the real corpus (the "done when")


@pytest.mark.corpus
def test_corpus_redpanda_mermaid_has_the_dependency_edges_and_round_trips(redpanda: View) -> None:
    text = render(redpanda, "mermaid")
    d = parse_mermaid(text)
    names = {k: n.label for k, n in d.nodes.items()}
    edges = {(names[e.source], e.label, names[e.target], e.arrow) for e in d.edges}
    assert ("KEDA", "consumesFrom", "Redpanda", "-->") in edges
    assert ("Redpanda", "storesDataIn", "MinIO", "-->") in edges
    assert 'component_keda -->|"consumesFrom"| component_redpanda' in text
    assert 'component_redpanda -->|"storesDataIn"| component_minio' in text
    roundtrip(redpanda, text)


@pytest.mark.corpus
@needs_dot
@pytest.mark.parametrize("focus", [["Redpanda"], None])
def test_corpus_dot_renders_without_warnings(corpus: api.KnowledgeGraph, focus: list[str] | None) -> None:
    dot = render(build_view(corpus, focus, depth=2 if focus else None), "dot")
    proc = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True, check=False)
    assert proc.returncode == 0
    assert proc.stderr.decode() == ""
    assert b"<svg" in proc.stdout


@pytest.mark.corpus
def test_corpus_graphml_loads_back_with_networkx(corpus: api.KnowledgeGraph, redpanda: View, tmp_path: Path) -> None:
    import networkx as nx

    for view in (redpanda, build_view(corpus)):
        path = tmp_path / "g.graphml"
        path.write_text(render(view, "graphml"), encoding="utf-8")
        g = nx.read_graphml(path)
        assert g.number_of_nodes() == len(view.nodes)
        assert g.number_of_edges() == len(view.edges)
        node = g.nodes["component/redpanda"]
        assert (node["label"], node["type"], node["status"], node["category"]) == ("Redpanda", "Component", "in use", "Event Streaming")


@pytest.mark.corpus
def test_corpus_views(corpus: api.KnowledgeGraph, redpanda: View) -> None:
    assert {"Redpanda", "KEDA", "MinIO"} <= labels(redpanda)
    assert redpanda.focus == ["component/redpanda"]
    assert [n.id for n in redpanda.nodes if n.focus] == ["component/redpanda"]
    # one direction at a time: KEDA consumes from Redpanda, Redpanda stores its data in MinIO
    assert "KEDA" in labels(build_view(corpus, ["Redpanda"], direction="dependents"))
    assert "MinIO" not in labels(build_view(corpus, ["Redpanda"], direction="dependents"))
    assert "MinIO" in labels(build_view(corpus, ["Redpanda"], direction="dependencies"))
    assert "KEDA" not in labels(build_view(corpus, ["Redpanda"], direction="dependencies"))
    # the whole platform: the components in use and the vendors they relate to, with the relations between
    # them; every other component and vendor is named in a list, not drawn; no document plumbing
    whole = build_view(corpus)
    drawn = {n.label for n in whole.nodes}
    parked = {label for _, labels in whole.parked for label in labels}
    every = {e["label"] for e in corpus.entities.values() if e["type"] in ("Component", "Vendor")}
    assert drawn | parked == every and not drawn & parked
    assert {"Redpanda", "MinIO", "Loki", "Cloudflare", "Contabo"} <= drawn
    assert all(n.status not in ("not used", "replaced", "removed") for n in whole.nodes)
    linked = {e.source for e in whole.edges} | {e.target for e in whole.edges}
    assert {n.id for n in whole.nodes} == linked, "nothing without a relation is drawn"
    assert [what.split(" (")[0] for what, _ in whole.parked] == [
        "in use, no dependency in the docs", "alternatives not in use", "vendors without relations"]
    assert not any(n.type in ("Document", "Repository", "Team", "ADR") for n in whole.nodes)
    assert not {e.relation for e in whole.edges} & DOCUMENT_PLUMBING
    groups = {g.id: g.label for g in whole.groups}
    assert not any(re.match(r"\d+\s*-", label) for label in groups.values()), "list items are no categories"
    for n in whole.nodes:
        category = "" if re.match(r"\d+\s*-", n.category) else n.category
        if n.type == "Component" and n.group:
            assert groups[n.group] == (category or n.layer or "other components")
            assert len(next(g for g in whole.groups if g.id == n.group).nodes) > 1
        elif n.type == "Component" and (category or n.layer):
            assert n.caption.endswith(f"({category or n.layer})"), "a category of one is said in the caption"
    assert not whole.collapsed  # the corpus platform fits in 150 nodes


@pytest.mark.corpus
@needs_dot
def test_corpus_whole_platform_svg(corpus: api.KnowledgeGraph) -> None:
    svg = render(build_view(corpus), "svg")
    assert isinstance(svg, str) and "<svg" in svg and "Redpanda" in svg


@pytest.mark.corpus
def test_corpus_collapses_a_big_view_and_says_so(corpus: api.KnowledgeGraph) -> None:
    view = build_view(corpus, relations=["all"], max_nodes=40)
    assert len(view.nodes) <= 40
    assert view.collapsed.startswith(f"{len(view.entity_keys)} nodes are more than 40: collapsed")
    assert "other components" in view.collapsed
    grouped = [n for n in view.nodes if n.type == "Group"]
    assert grouped and all(len(n.members) >= 2 for n in grouped)
    roundtrip(view, render(view, "mermaid"))
    import html

    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", render(view, "dot"))).split())  # an HTML-like header
    assert " ".join(view.collapsed.split()) in words
    # the focus is never collapsed
    view = build_view(corpus, ["Redpanda"], relations=["all"], max_nodes=10)
    assert "component/redpanda" in {n.id for n in view.nodes}
    assert view.collapsed


# ---------------------------------------------------------------- views on a hand-made graph


def test_default_relations_leave_out_document_plumbing() -> None:
    view = build_view(tiny())
    assert {e.relation for e in view.edges} == {"storesDataIn", "providedBy"}  # Old DB is replaced: not drawn
    assert "A" not in labels(view)  # the document
    assert set(DEFAULT_RELATIONS).isdisjoint(DOCUMENT_PLUMBING)


def test_whole_platform_draws_what_is_in_use_and_names_the_rest() -> None:
    view = build_view(tiny())
    assert labels(view) == {'App "one" #1; a|b <i>', "DB", "Acme"}
    assert view.parked == [("alternatives not in use (2)", ["Old DB", "Unused"])]
    # a category of one component is no box: it is said in the caption; a vendor needs no box
    assert view.groups == [] and view.node("component/db").caption == "DB (Data)"
    assert "Not drawn" in render(view, "dot") and "Unused" in render(view, "dot")
    everything = build_view(tiny(), relations=["storesDataIn", "replacedBy", "providedBy"])
    assert labels(everything) == {'App "one" #1; a|b <i>', "DB", "Old DB", "Unused", "Acme"}
    assert [g.label for g in everything.groups] == ["Apps", "Data", "other components", "Vendors"]


def test_focus_neighbourhood_by_direction_and_depth() -> None:
    kg = tiny()
    both = build_view(kg, ["DB"])
    assert labels(both) == {'App "one" #1; a|b <i>', "DB", "Old DB", "ADR-001", "Acme"}
    assert edge_labels(both) >= {('App "one" #1; a|b <i>', "storesDataIn", "DB"), ("ADR-001", "decides", "DB")}
    assert labels(build_view(kg, ["DB"], direction="dependencies")) == {"DB", "Acme"}
    assert labels(build_view(kg, ["component/app"], direction="dependencies", depth=1)) == {'App "one" #1; a|b <i>', "DB"}
    assert labels(build_view(kg, ["component/app"], direction="dependencies", depth=2)) == \
        {'App "one" #1; a|b <i>', "DB", "Acme"}
    only = build_view(kg, ["DB"], relations=["storesDataIn"])
    assert labels(only) == {'App "one" #1; a|b <i>', "DB"}
    docs = build_view(kg, ["DB"], relations=["documentedIn"])
    assert labels(docs) == {"DB", "A"}  # relations asked for by name bring their documents
    assert build_view(kg, ["DB"], relations=["dependsOn"]).relations[0] == "dependsOn"


def test_group_by_none_and_repository() -> None:
    kg = tiny()
    assert build_view(kg, group_by="none").groups == []
    assert all(n.group == "" for n in build_view(kg, group_by="none").nodes)
    repo = build_view(kg, group_by="repository")
    assert [g.label for g in repo.groups] == ["docs"]  # every fact of the tiny graph is in docs/a.md


def test_collapse_keeps_relations_between_groups_with_counts() -> None:
    view = build_view(tiny(), relations=["storesDataIn", "replacedBy", "providedBy"], max_nodes=4)
    assert len(view.nodes) <= 4
    data = next(n for n in view.nodes if n.type == "Group" and n.label == "Data")
    assert data.members == ["component/db", "component/old-db"]
    assert "collapsed" in view.collapsed and "Data: 2" in view.collapsed
    edges = {(e.source, e.relation, e.target) for e in view.edges}
    assert ("component/app", "storesDataIn", data.id) in edges
    assert not any(e.source == e.target for e in view.edges)  # Old DB -> DB is inside the group


@pytest.mark.parametrize("kwargs, message", [
    ({"direction": "up"}, "unknown direction"),
    ({"group_by": "colour"}, "unknown grouping"),
    ({"depth": 0}, "--depth"),
    ({"relations": ["usesMagic"]}, "unknown relation usesMagic"),
    ({"max_nodes": 1}, "--max-nodes"),
    ({"depth": 2}, "need --focus"),
    ({"direction": "dependents"}, "need --focus"),
])
def test_bad_arguments_are_usage_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        build_view(tiny(), **kwargs)


def test_unknown_focus_and_format() -> None:
    with pytest.raises(EntityNotFound):
        build_view(tiny(), ["Nothing like it"])
    with pytest.raises(UsageError, match="unknown format"):
        render(build_view(tiny()), "visio")


def test_view_to_dict_is_plain_json() -> None:
    view = build_view(tiny(), ["DB"])
    data = json.loads(json.dumps(view.to_dict()))
    assert data["focus"] == ["component/db"] and len(data["nodes"]) == len(view.nodes)
    assert "source" not in data


# ---------------------------------------------------------------- formats


def test_an_empty_graph_renders_in_every_format() -> None:
    empty = api.KnowledgeGraph({"entities": [], "relations": [], "unresolved": [], "documents": [],
                                "repositories": {}, "warnings": []})
    view = build_view(empty)
    assert view.nodes == [] and view.edges == []
    for fmt in FORMATS:
        if fmt in ("svg", "png") and shutil.which("dot") is None:
            continue
        assert render(view, fmt)


def test_mermaid_quotes_labels_styles_and_round_trips() -> None:
    view = build_view(tiny(), ["DB"])
    text = render(view, "mermaid", title='DB "review"')
    assert text.startswith('---\ntitle: "DB \\"review\\""\n---\nflowchart LR\n')
    assert '"App "' not in text and ('#quot;' in text or "#34;" in text)  # quotes inside a label are escaped
    assert "classDef replaced" in text and "classDef component" in text and "class component_db" in text
    assert 'component_old_db ==>|"replacedBy"| component_db' in text
    assert 'adr_adr_001 -.->|"decides"| component_db' in text
    roundtrip(view, text)
    assert parse_mermaid(text).nodes["component_app"].label == 'App "one" #1; a|b <i>'


def test_every_format_renders(sample: api.KnowledgeGraph) -> None:
    view = build_view(sample, ["Redpanda"], depth=2)
    for fmt in FORMATS:
        if fmt in ("svg", "png") and shutil.which("dot") is None:
            continue
        out = render(view, fmt)
        assert out, fmt
        assert isinstance(out, bytes) == (fmt == "png"), fmt
    assert render(view, "ttl") == render(view, "turtle")  # aliases


@pytest.mark.parametrize("fmt", ["mermaid", "dot", "graphml", "gexf", "ntriples", "jsonld", "html"])
def test_output_is_deterministic_across_processes(sample_dir: Path, fmt: str) -> None:
    code = ("import sys; from kg import api; from kg.export import build_view, render; "
            "kg = api.open(sys.argv[1], build_if_missing=False); "
            "sys.stdout.write(render(build_view(kg, ['Redpanda'], depth=2), sys.argv[2]) + '\\0' "
            "+ render(build_view(kg), sys.argv[2]))")
    outs = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PATH=os.environ.get("PATH", ""))
        proc = subprocess.run([sys.executable, "-c", code, str(sample_dir), fmt], capture_output=True, env=env,
                              check=True)
        outs.add(proc.stdout)
    assert len(outs) == 1


def test_dot_shapes_and_styles() -> None:
    dot = render(build_view(tiny(), ["DB"]), "dot")
    assert re.search(r'"component/old-db" \[[^]]*style="filled,rounded,dashed"', dot)
    assert re.search(r'"adr/ADR-001" \[[^]]*shape="note"', dot)
    assert re.search(r'"vendor/acme" \[[^]]*shape="hexagon"', dot)
    assert 'label="App \\"one\\" #1; a|b <i>"' in dot
    assert "subgraph \"cluster_0\"" in dot


@needs_dot
def test_svg_and_png_through_graphviz() -> None:
    view = build_view(tiny(), ["DB"])
    svg = render(view, "svg")
    assert isinstance(svg, str) and svg.lstrip().startswith("<?xml") and "</svg>" in svg
    png = render(view, "png")
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG\r\n\x1a\n")


def test_missing_graphviz_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.export.graphviz as gv

    monkeypatch.setattr(gv.shutil, "which", lambda name: None)
    with pytest.raises(GraphvizNotFound, match=r"Graphviz is not installed: the `dot` command .*apt-get install graphviz"):
        render(build_view(tiny()), "svg")
    assert issubclass(GraphvizNotFound, KgError)
    # the html page lays itself out without Graphviz
    page = render(build_view(tiny()), "html")
    assert 'data-id="component/db"' in page


def test_graphml_and_gexf_attributes(tmp_path: Path) -> None:
    import networkx as nx

    view = build_view(tiny(), ["DB"])
    (tmp_path / "g.graphml").write_text(render(view, "graphml"), encoding="utf-8")
    (tmp_path / "g.gexf").write_text(render(view, "gexf"), encoding="utf-8")
    for g in (nx.read_graphml(tmp_path / "g.graphml"), nx.read_gexf(tmp_path / "g.gexf")):
        assert g.number_of_nodes() == len(view.nodes) and g.number_of_edges() == len(view.edges)
        old = g.nodes["component/old-db"]
        assert (old["label"], old["type"], old["status"], old["category"]) == ("Old DB", "Component", "replaced", "Data")
    assert "lastmodifieddate" not in render(view, "gexf")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's own json-ld parser
def test_rdf_formats_are_the_same_graph() -> None:
    from rdflib import Graph, URIRef
    from rdflib.compare import isomorphic

    from kg.graph import NS, iri

    view = build_view(tiny(), ["DB"])
    graphs = {}
    for fmt, parser in (("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")):
        g = Graph()
        g.parse(data=render(view, fmt), format=parser)
        graphs[fmt] = g
    assert isomorphic(graphs["turtle"], graphs["ntriples"]) and isomorphic(graphs["turtle"], graphs["jsonld"])
    g = graphs["ntriples"]
    assert (URIRef(iri("component/app")), URIRef(NS + "storesDataIn"), URIRef(iri("component/db"))) in g
    assert not list(g.triples((None, URIRef(NS + "mentions"), None)))
    assert not list(g.triples((None, URIRef(NS + "documentedIn"), None)))
    nt = render(view, "ntriples")
    assert nt.splitlines() == sorted(nt.splitlines())


def test_rdf_of_the_whole_platform_is_the_whole_graph(sample: api.KnowledgeGraph) -> None:
    from rdflib import Graph

    g = Graph()
    g.parse(data=render(build_view(sample), "ntriples"), format="nt")
    assert len(g) == len(sample.graph)


def test_html_is_self_contained_and_escaped() -> None:
    page = render(build_view(tiny(), ["DB"]), "html", title="DB <review>")
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>DB &lt;review&gt;</title>" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "@import" not in page and "url(http" not in page
    assert "Content-Security-Policy" in page
    # the data block: exactly one </script> closes it, and it holds the cards
    start = page.index('<script id="kg-data" type="application/json">') + len('<script id="kg-data" type="application/json">')
    block = page[start:page.index("</script>", start)]
    data = json.loads(block)
    assert data["cards"]["adr/ADR-001"]["properties"]["title"] == "Use DB </script><script>alert(1)</script>"
    assert "<" not in block
    card = data["cards"]["component/db"]
    assert {(r["relation"], r["direction"], r["other"]["label"]) for r in card["relations"]} >= \
        {("storesDataIn", "in", 'App "one" #1; a|b <i>'), ("decides", "in", "ADR-001")}
    assert card["relations"][0]["evidence"][0]["document"] == "docs/a.md"
    assert '<g class="node t-component replaced"' in page
    assert 'data-rel="storesDataIn"' in page


# ---------------------------------------------------------------- the command


def test_cli_export_writes_files_and_infers_the_format(sample_dir: Path, tmp_path: Path) -> None:
    from kg.cli import main

    runner = CliRunner()
    out = tmp_path / "rp.mmd"
    res = runner.invoke(main, ["export", "--focus", "Redpanda", "--depth", "2", "-o", str(out),
                               "--graph-dir", str(sample_dir)])
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8").startswith("---\ntitle:")
    res = runner.invoke(main, ["export", "--format", "dot", "--graph-dir", str(sample_dir)])
    assert res.exit_code == 0 and res.stdout.startswith("digraph kg {")
    res = runner.invoke(main, ["export", "-o", str(tmp_path / "x.unknown"), "--graph-dir", str(sample_dir)])
    assert res.exit_code == 2 and "cannot tell the format" in res.output
    res = runner.invoke(main, ["export", "--focus", "Nothing like it", "--graph-dir", str(sample_dir)])
    assert res.exit_code == 2 and "no entity named" in res.output
    res = runner.invoke(main, ["export", "--relation", "bogus", "--graph-dir", str(sample_dir)])
    assert res.exit_code == 2 and "unknown relation bogus" in res.output


def test_cli_png_needs_a_file_on_a_terminal(sample_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.cli.export as cli_export
    from kg.cli import main

    monkeypatch.setattr(cli_export, "_stdout_is_terminal", lambda: True)
    res = CliRunner().invoke(main, ["export", "--format", "png", "--graph-dir", str(sample_dir)])
    assert res.exit_code == 2 and "png is binary" in res.output


def test_cli_missing_graphviz(sample_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import kg.export.graphviz as gv
    from kg.cli import main

    monkeypatch.setattr(gv.shutil, "which", lambda name: None)
    res = CliRunner().invoke(main, ["export", "-o", str(tmp_path / "p.svg"), "--graph-dir", str(sample_dir)])
    assert res.exit_code == 1
    assert "kg: Graphviz is not installed" in res.output and "apt-get install graphviz" in res.output


def test_cli_help_names_every_format() -> None:
    from kg.cli import main

    res = CliRunner().invoke(main, ["export", "--help"])
    assert res.exit_code == 0
    for fmt in FORMATS:
        assert fmt in res.output
