"""Mermaid C4 diagrams (`C4Context` … `C4Deployment`) read into the flowchart structures, and what the rules make of them.

The parser gives a C4 diagram the kind "c4": elements are nodes (a person an "actor", a *Db a
"cylinder", a *Queue a "queue"), boundaries and deployment nodes are subgraphs, `Rel`s are edges. So the
flowchart rules (kg/rules/diagrams.py) read its edges and boxes unchanged, and every element but a person
is a component; the end-to-end tests check that a C4 diagram gives at least the graph of the flowchart
drawn the same way.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kg import mermaid
from kg.api import KnowledgeGraph
from kg.build import build
from kg.evaluate import evaluate
from kg.mermaid import parse_mermaid, read_c4_statement, to_mermaid
from kg.model import MermaidDiagram
from kg.store import model_of


def edges(d: MermaidDiagram) -> list[tuple[str, str, str, str]]:
    return [(e.source, e.target, e.label, e.arrow) for e in d.edges]


def nodes(d: MermaidDiagram) -> dict[str, tuple[str, str, str | None]]:
    return {n.id: (n.label, n.shape, n.subgraph) for n in d.nodes.values()}


# ---------------------------------------------------------------- the diagram kinds


@pytest.mark.parametrize("header", ["C4Context", "C4Container", "C4Component", "C4Dynamic", "C4Deployment"])
def test_c4_diagrams_read_as_flowcharts(header: str) -> None:
    d = parse_mermaid(f'{header}\n  Person(a, "A")\n  System(b, "B")\n  Rel(a, b, "Uses")')
    assert d.kind == "c4"
    assert nodes(d) == {"a": ("A", "actor", None), "b": ("B", "rect", None)}
    assert edges(d) == [("a", "b", "Uses", "-->")]
    assert d.errors == []


def test_front_matter_and_directive_before_the_header() -> None:
    d = parse_mermaid('---\ntitle: C4\n---\n%%{init: {"theme": "dark"}}%%\nC4Context\n  Person(a, "A")')
    assert (d.kind, nodes(d), d.errors) == ("c4", {"a": ("A", "actor", None)}, [])


# ---------------------------------------------------------------- elements


@pytest.mark.parametrize(
    ("macro", "shape"),
    [
        ("Person", "actor"), ("Person_Ext", "actor"),
        ("System", "rect"), ("System_Ext", "rect"),
        ("SystemDb", "cylinder"), ("SystemDb_Ext", "cylinder"),
        ("SystemQueue", "queue"), ("SystemQueue_Ext", "queue"),
        ("Container", "rect"), ("Container_Ext", "rect"),
        ("ContainerDb", "cylinder"), ("ContainerDb_Ext", "cylinder"),
        ("ContainerQueue", "queue"), ("ContainerQueue_Ext", "queue"),
        ("Component", "rect"), ("Component_Ext", "rect"),
        ("ComponentDb", "cylinder"), ("ComponentDb_Ext", "cylinder"),
        ("ComponentQueue", "queue"), ("ComponentQueue_Ext", "queue"),
    ],
)
def test_each_element_kind(macro: str, shape: str) -> None:
    d = parse_mermaid(f'C4Container\n  {macro}(x, "The X", "Tech", "What it does")', first_line=10)
    assert nodes(d) == {"x": ("The X", shape, None)}
    assert d.nodes["x"].line == 11
    assert d.errors == []


def test_technology_stays_on_the_source_line() -> None:
    """The label is the name; the technology is read back from the element's line, like a `<br/>` second line."""
    st = read_c4_statement('    ContainerDb(db, "Orders DB", "PostgreSQL", "Orders, payments") %% main store')
    assert st is not None
    assert (st.kind, st.alias, st.label, st.technology, st.description, st.shape) == \
        ("element", "db", "Orders DB", "PostgreSQL", "Orders, payments", "cylinder")
    person = read_c4_statement('Person(u, "Customer", "Buys things")')
    assert person is not None and (person.technology, person.description) == ("", "Buys things")
    node = read_c4_statement('Deployment_Node(k8s, "Cluster", "Kubernetes 1.29", "EKS") {')
    assert node is not None and (node.kind, node.technology, node.description, node.opens) == \
        ("node", "Kubernetes 1.29", "EKS", True)
    rel = read_c4_statement('Rel_Back(a, b, "Reads", "JDBC")')
    assert rel is not None and (rel.source, rel.target, rel.label, rel.technology) == ("b", "a", "Reads", "JDBC")
    for text in ("A --> B", "Foo(x)", "Container(", "", "title Container(x)"):
        assert read_c4_statement(text) is None, text


def test_label_defaults_to_the_alias_and_unquoted_arguments() -> None:
    d = parse_mermaid("C4Context\n  System(billing)\n  System(crm, Sales CRM, the CRM)\n  System(erp, \"\")")
    assert nodes(d) == {"billing": ("billing", "rect", None), "crm": ("Sales CRM", "rect", None),
                        "erp": ("erp", "rect", None)}
    assert d.errors == []


def test_quoted_commas_parentheses_and_entities() -> None:
    d = parse_mermaid('C4Container\n'
                      '  Container(api, "Orders, Payments (v2)", "Go, gRPC", "Takes (and keeps) orders")\n'
                      '  Container(ui, "Shop #quot;One#quot; <br/> UI")\n'
                      '  Rel(ui, api, "Calls, then polls", "HTTPS (JSON)")')
    assert nodes(d)["api"] == ("Orders, Payments (v2)", "rect", None)
    assert nodes(d)["ui"] == ('Shop "One" UI', "rect", None)
    assert edges(d) == [("ui", "api", "Calls, then polls", "-->")]
    assert d.errors == []


def test_named_arguments_are_ignored() -> None:
    text = """\
C4Container
  Person(u, "User", $sprite="person2", $tags="v1.0")
  Container(web, "Web", "React", $tags="frontend", $link="https://example.com/a,b")
  System_Boundary(b, "Shop", $link="https://example.com") {
    ContainerDb(db, "DB", $techn="x")
  }
  Rel(u, web, "Uses", $tags="async", $link="https://x")
"""
    d = parse_mermaid(text)
    assert nodes(d) == {"u": ("User", "actor", None), "web": ("Web", "rect", None), "db": ("DB", "cylinder", "b")}
    assert edges(d) == [("u", "web", "Uses", "-->")]
    assert d.errors == []
    st = read_c4_statement('Container(web, "Web", "React", $tags="frontend", $link="https://example.com/a,b")')
    assert st is not None
    assert (st.technology, st.named) == ("React", {"tags": "frontend", "link": "https://example.com/a,b"})


def test_redeclared_element_last_label_wins_first_line_kept() -> None:
    d = parse_mermaid('C4Context\n  System(s, "Old")\n  System(s, "New")', first_line=1)
    assert (d.nodes["s"].label, d.nodes["s"].line) == ("New", 2)


def test_a_statement_over_several_lines() -> None:
    text = 'C4Container\n  Container(api, "API",\n    "Go",\n    "Serves orders")\n  System(s, "S")'
    d = parse_mermaid(text)
    assert nodes(d) == {"api": ("API", "rect", None), "s": ("S", "rect", None)}
    assert d.nodes["s"].line == 5
    assert d.errors == []
    d = parse_mermaid('C4Container\n  Container(a, "A", %% the API\n    "Go") %% done\n  Container(b, "Two\n    lines")')
    assert (nodes(d), d.errors) == ({"a": ("A", "rect", None), "b": ("Two lines", "rect", None)}, [])


def test_a_join_that_does_not_read_cleanly_is_not_made() -> None:
    d = parse_mermaid('C4Container\n  Container(a, "A"\n  System(s, "S") x)\n  System(t, "T")')
    assert nodes(d) == {"t": ("T", "rect", None)}
    assert d.errors == ["line 2: cannot parse 'Container(a, \"A\"' (unclosed '(')",
                        "line 3: cannot parse 'System(s, \"S\") x)' (unexpected 'x)' after ')')"]


# ---------------------------------------------------------------- boundaries


def test_boundaries_nest() -> None:
    text = """\
C4Component
  Person(u, "User")
  Enterprise_Boundary(ent, "Big Bank plc") {
    System_Boundary(sys, "Internet Banking") {
      Container_Boundary(api, "API Application") {
        Component(sign, "Sign In Controller", "Spring MVC")
        ComponentDb(store, "Token Store", "Redis")
      }
      Container(spa, "Single-Page App", "Angular")
    }
    Boundary(ops, "Operations", "team")
    {
      System(mon, "Monitoring")
    }
    Boundary(empty, "Nothing yet") {}
  }
  Rel(spa, sign, "Signs in via")
"""
    d = parse_mermaid(text, first_line=20)
    assert d.errors == []
    assert nodes(d) == {
        "u": ("User", "actor", None),
        "sign": ("Sign In Controller", "rect", "api"),
        "store": ("Token Store", "cylinder", "api"),
        "spa": ("Single-Page App", "rect", "sys"),
        "mon": ("Monitoring", "rect", "ops"),
    }
    subs = {s.id: (s.label, s.parent, s.members, s.line) for s in d.subgraphs.values()}
    assert subs == {
        "ent": ("Big Bank plc", None, ["sys", "ops", "empty"], 22),
        "sys": ("Internet Banking", "ent", ["api", "spa"], 23),
        "api": ("API Application", "sys", ["sign", "store"], 24),
        "ops": ("Operations", "ent", ["mon"], 30),
        "empty": ("Nothing yet", "ent", [], 34),
    }
    assert edges(d) == [("spa", "sign", "Signs in via", "-->")]


@pytest.mark.parametrize("macro", ["Deployment_Node", "Node", "Node_L", "Node_R"])
def test_deployment_nodes_are_boxes(macro: str) -> None:
    text = f"""\
C4Deployment
  {macro}(aws, "AWS", "Amazon Web Services") {{
    {macro}(k8s, "EKS cluster", "Kubernetes") {{
      Container(api, "OrderService", "Go")
    }}
  }}
  {macro}(dc, "Data centre", "On premises")
  Rel(api, dc, "Backs up to")
"""
    d = parse_mermaid(text)
    assert d.errors == []
    assert nodes(d) == {"api": ("OrderService", "rect", "k8s")}
    assert {s.id: (s.label, s.parent, s.members) for s in d.subgraphs.values()} == {
        "aws": ("AWS", None, ["k8s"]), "k8s": ("EKS cluster", "aws", ["api"]), "dc": ("Data centre", None, [])}
    assert edges(d) == [("api", "dc", "Backs up to", "-->")]  # an edge may end at a box, as in a flowchart


def test_boundary_mistakes_are_errors() -> None:
    text = """\
C4Container
  System_Boundary(b, "B") {
    Container(c, "C")
  }
  }
  {
  System_Boundary(b2, "B2") {
    System_Boundary(b2, "Again") {
    }
    Container(d, "D") {
"""
    d = parse_mermaid(text, first_line=100)
    assert nodes(d) == {"c": ("C", "rect", "b")}
    assert d.errors == [
        "line 104: '}' without an open boundary",
        "line 105: '{' without a boundary",
        "line 107: boundary 'b2' is nested in itself",
        "line 109: cannot parse 'Container(d, \"D\") {' (Container cannot open a block; only a boundary or a "
        "deployment node can)",
        "line 106: boundary 'b2' has no '}'",
    ]


# ---------------------------------------------------------------- relations


@pytest.mark.parametrize(
    ("stmt", "edge"),
    [
        ('Rel(a, b, "Uses")', ("a", "b", "Uses", "-->")),
        ('Rel(a, b, "Reads from", "JDBC", "descr")', ("a", "b", "Reads from", "-->")),
        ('Rel(a, b)', ("a", "b", "", "-->")),
        ('BiRel(a, b, "Syncs with")', ("a", "b", "Syncs with", "<-->")),
        ('Rel_U(a, b, "x")', ("a", "b", "x", "-->")),
        ('Rel_Up(a, b, "x")', ("a", "b", "x", "-->")),
        ('Rel_D(a, b, "x")', ("a", "b", "x", "-->")),
        ('Rel_Down(a, b, "x")', ("a", "b", "x", "-->")),
        ('Rel_L(a, b, "x")', ("a", "b", "x", "-->")),
        ('Rel_Left(a, b, "x")', ("a", "b", "x", "-->")),
        ('Rel_R(a, b, "x")', ("a", "b", "x", "-->")),
        ('Rel_Right(a, b, "x")', ("a", "b", "x", "-->")),
        ('Rel_Back(a, b, "Notifies")', ("b", "a", "Notifies", "-->")),
        ('RelIndex(1, a, b, "Submits")', ("a", "b", "Submits", "-->")),
        ('RelIndex("2", a, b, "Submits", "HTTPS")', ("a", "b", "Submits", "-->")),
    ],
)
def test_rel_variants(stmt: str, edge: tuple[str, str, str, str]) -> None:
    d = parse_mermaid(f'C4Dynamic\n  System(a, "A")\n  System(b, "B")\n  {stmt}', first_line=5)
    assert edges(d) == [edge]
    assert d.edges[0].line == 8
    assert d.errors == []


def test_relations_do_not_declare_elements() -> None:
    d = parse_mermaid('C4Context\n  Person(u, "User")\n  Rel(u, ghost, "Calls")')
    assert set(d.nodes) == {"u"}
    assert edges(d) == [("u", "ghost", "Calls", "-->")]


# ---------------------------------------------------------------- what carries no content


def test_styles_titles_and_comments_are_skipped() -> None:
    text = """\
C4Context
  title System Context diagram for Internet Banking
  direction LR
  accTitle: Banking
  accDescr: How customers bank
  accDescr {
    Person(hidden, "In a description")
  }
  %% Person(commented, "Out")
  Person(u, "Customer") %% a note
  System(s, "Bank")
  Rel(u, s, "Uses") %% Rel(s, u, "no")
  UpdateElementStyle(u, $fontColor="red", $bgColor="grey", $borderColor="red")
  UpdateRelStyle(u, s, $textColor="blue", $lineColor="blue", $offsetX="5")
  UpdateLayoutConfig($c4ShapeInRow="3", $c4BoundaryInRow="1")
  AddElementTag("v1.0", $borderColor="#d73027")
  AddRelTag("backup", $textColor="orange", $lineStyle="DashedLine()")
"""
    d = parse_mermaid(text)
    assert nodes(d) == {"u": ("Customer", "actor", None), "s": ("Bank", "rect", None)}
    assert edges(d) == [("u", "s", "Uses", "-->")]
    assert (d.direction, d.errors) == ("LR", [])


def test_bad_statements_are_errors_and_the_rest_still_counts() -> None:
    text = """\
C4Container
  Person(u, "User")
  Foo(x, "X")
  Container(, "No alias")
  Rel(u)
  Container(web, "Web" garbage
  Container(api, "API") trailing
  just words
  System(s, "A" "B")
  Container(ok, "OK")
  Rel(u, ok, "Uses")
"""
    d = parse_mermaid(text, first_line=1)
    assert nodes(d) == {"u": ("User", "actor", None), "ok": ("OK", "rect", None)}
    assert edges(d) == [("u", "ok", "Uses", "-->")]
    assert d.errors == [
        "line 3: cannot parse 'Foo(x, \"X\")' (unknown C4 statement 'Foo')",
        "line 4: cannot parse 'Container(, \"No alias\")' (Container without an alias)",
        "line 5: cannot parse 'Rel(u)' (Rel needs two ends)",
        "line 6: cannot parse 'Container(web, \"Web\" garbage' (unclosed '(')",
        "line 7: cannot parse 'Container(api, \"API\") trailing' (unexpected 'trailing' after ')')",
        "line 8: cannot parse 'just words' (expected a C4 statement like 'Container(alias, \"Label\")')",
        "line 9: cannot parse 'System(s, \"A\" \"B\")' (text after the quoted argument '\"A\" \"B\"')",
    ]


def test_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mermaid, "MAX_NODES_PER_DIAGRAM", 3)
    monkeypatch.setattr(mermaid, "MAX_EDGES_PER_DIAGRAM", 2)
    text = ('C4Container\n  System_Boundary(b, "B") {\n  Container(a, "A")\n  Container(c, "C")\n'
            '  Container(d, "D")\n  }\n  Rel(a, c)\n')
    d = parse_mermaid(text)
    assert set(d.nodes) == {"a", "c"} and set(d.subgraphs) == {"b"}  # the box counts with the nodes
    assert d.errors == ["line 5: diagram has more than 3 nodes (the limit); the rest of it is skipped"]
    monkeypatch.setattr(mermaid, "MAX_NODES_PER_DIAGRAM", 100)
    d = parse_mermaid("C4Context\n" + "\n".join(f"  Rel(a, b{i})" for i in range(5)))
    assert len(d.edges) == 2
    assert d.errors == ["line 4: diagram has more than 2 edges (the limit); the rest of it is skipped"]


def test_fuzz_never_raises() -> None:
    rng = random.Random(20250611)
    alphabet = list('Aab01_-.,=$"(){}%# \t') + ["Rel(", "Container(", "System_Boundary(", "Deployment_Node(",
                                                  "Person(", "}", "{", "\n", "%%", "<br/>", "RelIndex("]
    texts = []
    for header in ("C4Context\n", "C4Container\n", "C4Deployment\n", "C4Dynamic\n"):
        for _ in range(200):
            texts.append(header + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80))))
    texts += ["C4Context\n" + "(" * 5000, "C4Context\n" + "Rel(a,b)" * 2000, "C4Context\n" + '"' * 999,
              "C4Context\n" + 'Boundary(b, "B") {\n' * 300, "C4Context\n" + "}\n" * 300]
    for text in texts:
        d = parse_mermaid(text, first_line=3)
        assert isinstance(d, MermaidDiagram)
        assert all(isinstance(e, str) and e.startswith("line ") for e in d.errors), d.errors
        assert all(edge.line >= 3 for edge in d.edges)
        to_mermaid(d)


# ---------------------------------------------------------------- end to end: the rules read C4 unchanged

SHOP_C4 = """\
# Shop architecture

```mermaid
C4Container
  title Containers of the shop
  Person(user, "Customer", "Buys things")
  System_Boundary(shop, "Shop") {
    Container(web, "{web}", "React", "The storefront")
    ContainerDb(db, "{db}", "PostgreSQL")
    ContainerQueue(q, "{q}", "Kafka")
  }
  Rel(user, web, "Uses", "HTTPS")
  Rel(web, db, "Reads from and writes to", "JDBC")
  Rel(web, q, "Publishes events to")
```
"""

SHOP_FLOWCHART = """\
# Shop architecture

```mermaid
flowchart LR
  user((Customer))
  subgraph shop["Shop"]
    web["{web}"]
    db[("{db}")]
    q["{q}"]
  end
  user -->|Uses| web
  web -->|Reads from and writes to| db
  web -->|Publishes events to| q
```
"""


def shop(template: str, names: dict[str, str]) -> str:
    """The shop document with its three boxes named (the templates hold Mermaid's own braces too)."""
    for key, name in names.items():
        template = template.replace("{" + key + "}", name)
    return template


def graph_of(root: Path, files: dict[str, str]) -> KnowledgeGraph:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return KnowledgeGraph(model_of(build([str(root)])))


def facts_of(kg: KnowledgeGraph) -> set[tuple[str, str, str]]:
    labels = {key: e["label"] for key, e in kg.entities.items()}
    return {(labels[r["subject"]], r["predicate"], labels[r["object"]]) for r in kg.model["relations"]} | \
        {(e["label"], "is a", e["type"]) for e in kg.entities.values() if e["type"] in ("Component", "Vendor")}


def failed_checks(kg: KnowledgeGraph, facts: dict) -> list[str]:
    evaluation = evaluate(kg, facts, source="c4")
    assert evaluation.checks
    return [f"{c.fact}: {c.why}" for c in evaluation.checks if not c.holds]


def test_c4_container_diagram_end_to_end(tmp_path: Path) -> None:
    names = {"web": "ShopWeb", "db": "OrdersDB", "q": "OrderEvents"}
    kg = graph_of(tmp_path / "ws", {"docs/shop.md": shop(SHOP_C4, names)})
    facts = {
        "components": {"must_include": ["ShopWeb", "OrdersDB", "OrderEvents"], "must_exclude": ["Customer"]},
        "relations": [["ShopWeb", "depends", "OrdersDB"], ["ShopWeb", "publishesTo", "OrderEvents"]],
        "relations_absent": [["OrdersDB", "depends", "ShopWeb"], ["OrderEvents", "depends", "ShopWeb"]],
    }
    assert failed_checks(kg, facts) == []
    assert ("ShopWeb", "consumesFrom", "OrdersDB") in facts_of(kg)  # "Reads from …" a database


def test_c4_gives_the_graph_its_flowchart_gives(tmp_path: Path) -> None:
    names = {"web": "ShopWeb", "db": "OrdersDB", "q": "OrderEvents"}
    c4 = graph_of(tmp_path / "c4", {"docs/shop.md": shop(SHOP_C4, names)})
    flow = graph_of(tmp_path / "flow", {"docs/shop.md": shop(SHOP_FLOWCHART, names)})
    # everything the flowchart says; a C4 element also names its technology ("PostgreSQL"), a component too,
    # and a store or queue depends on the technology it is an instance of (not so a web app on its framework)
    assert facts_of(flow) <= facts_of(c4)
    assert facts_of(c4) - facts_of(flow) == {(t, "is a", "Component") for t in ("React", "PostgreSQL", "Apache Kafka")} \
        | {("OrdersDB", "dependsOn", "PostgreSQL"), ("OrderEvents", "dependsOn", "Apache Kafka")}


def test_c4_container_diagram_with_role_names(tmp_path: Path) -> None:
    kg = graph_of(tmp_path / "ws", {"docs/shop.md": shop(SHOP_C4, {"web": "Web App", "db": "Orders DB", "q": "Events"})})
    facts = {
        "components": {"must_include": ["Web App", "Orders DB", "Events"], "must_exclude": ["Customer"]},
        "relations": [["Web App", "depends", "Orders DB"], ["Web App", "publishesTo", "Events"]],
    }
    assert failed_checks(kg, facts) == []


def test_c4_deployment_nodes_host_what_runs_in_them(tmp_path: Path) -> None:
    doc = """\
# Deployment

Everything runs on Kubernetes.

```mermaid
C4Deployment
  title Production
  Deployment_Node(cloud, "Hetzner Cloud", "Cloud provider") {
    Deployment_Node(k8s, "K3s Cluster", "Kubernetes") {
      Container(minio, "MinIO", "Object storage")
      Container(api, "OrderService", "Go")
    }
  }
  Rel(api, minio, "Uploads invoices to", "S3 API")
```
"""
    kg = graph_of(tmp_path / "ws", {"docs/deploy.md": doc})
    facts = facts_of(kg)
    for fact in [("OrderService", "runsOn", "K3s"), ("MinIO", "runsOn", "K3s"), ("OrderService", "runsOn", "Hetzner"),
                 ("OrderService", "storesDataIn", "MinIO")]:
        assert fact in facts, sorted(facts)
