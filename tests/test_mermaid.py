"""Tests for kg.mermaid: the Mermaid parser and serialiser, on small inputs written here."""

from __future__ import annotations

import random
import textwrap

import pytest

from kg.mermaid import clean_label, parse_mermaid, to_mermaid
from kg.model import MermaidDiagram, MermaidEdge, MermaidNode, MermaidSubgraph

# A real-world excerpt from an architecture document.
EXCERPT = """\
flowchart TB
    subgraph alloy_ds["Grafana Alloy (DaemonSet)"]
        alloy1["Node 1: Alloy<br/>~400MB"]
        alloy2["Node 2: Alloy<br/>~400MB"]
    end
    subgraph backends["LGTM Backends"]
        mimir["Mimir<br/>~500MB<br/>(metrics → MinIO)"]
        loki["Loki<br/>~500MB"]
    end
    subgraph storage["Object Storage"]
        minio["MinIO"]
    end
    apps -->|OTLP| alloy_ds
    alloy1 & alloy2 -->|remote_write| mimir
    mimir --> minio
    loki --> minio
    mimir & loki --> grafana
    redpanda -->|"queue depth"| keda
    webhook --> github --> terraform --> contabo
    node1 <-->|"Cilium CNI<br/>Public IPs"| node2
"""


def edges(d: MermaidDiagram) -> list[tuple[str, str, str, str]]:
    return [(e.source, e.target, e.label, e.arrow) for e in d.edges]


def flow(body: str, first_line: int = 1) -> MermaidDiagram:
    return parse_mermaid("flowchart LR\n" + body, first_line)


# ---------------------------------------------------------------- the excerpt


def test_real_world_excerpt() -> None:
    d = parse_mermaid(EXCERPT, first_line=41)
    assert d.errors == []
    assert (d.kind, d.direction, d.line) == ("flowchart", "TB", 41)

    assert d.nodes["alloy1"].label == "Node 1: Alloy ~400MB"
    assert d.nodes["mimir"].label == "Mimir ~500MB (metrics → MinIO)"
    assert d.nodes["loki"].label == "Loki ~500MB"
    assert d.nodes["apps"].label == "apps"
    assert d.nodes["alloy1"].subgraph == "alloy_ds"
    assert d.nodes["minio"].subgraph == "storage"
    assert d.nodes["grafana"].subgraph is None
    assert "alloy_ds" not in d.nodes  # a subgraph id is never a node

    assert {s.id: s.label for s in d.subgraphs.values()} == {
        "alloy_ds": "Grafana Alloy (DaemonSet)",
        "backends": "LGTM Backends",
        "storage": "Object Storage",
    }
    assert d.subgraphs["alloy_ds"].members == ["alloy1", "alloy2"]
    assert d.subgraphs["backends"].members == ["mimir", "loki"]
    assert d.subgraphs["alloy_ds"].line == 42

    assert edges(d) == [
        ("apps", "alloy_ds", "OTLP", "-->"),
        ("alloy1", "mimir", "remote_write", "-->"),
        ("alloy2", "mimir", "remote_write", "-->"),
        ("mimir", "minio", "", "-->"),
        ("loki", "minio", "", "-->"),
        ("mimir", "grafana", "", "-->"),
        ("loki", "grafana", "", "-->"),
        ("redpanda", "keda", "queue depth", "-->"),
        ("webhook", "github", "", "-->"),
        ("github", "terraform", "", "-->"),
        ("terraform", "contabo", "", "-->"),
        ("node1", "node2", "Cilium CNI Public IPs", "<-->"),
    ]
    assert d.edges[0].line == 53
    assert d.edges[-1].line == 60
    assert d.nodes["alloy1"].line == 43


# ---------------------------------------------------------------- edges


def test_fan_out() -> None:
    d = flow("A & B --> C & D")
    assert edges(d) == [
        ("A", "C", "", "-->"), ("A", "D", "", "-->"), ("B", "C", "", "-->"), ("B", "D", "", "-->"),
    ]
    assert list(d.nodes) == ["A", "B", "C", "D"]


def test_chain_with_fan_out_and_labels() -> None:
    d = flow("a --> b -->|x| c & d ==> e")
    assert edges(d) == [
        ("a", "b", "", "-->"),
        ("b", "c", "x", "-->"),
        ("b", "d", "x", "-->"),
        ("c", "e", "", "==>"),
        ("d", "e", "", "==>"),
    ]


@pytest.mark.parametrize(
    ("statement", "arrow", "label"),
    [
        ("A --> B", "-->", ""),
        ("A-->B", "-->", ""),
        ("A --- B", "---", ""),
        ("A -.-> B", "-.->", ""),
        ("A -.- B", "-.-", ""),
        ("A ==> B", "==>", ""),
        ("A === B", "===", ""),
        ("A <--> B", "<-->", ""),
        ("A <-.-> B", "<-.->", ""),
        ("A <==> B", "<==>", ""),
        ("A --o B", "--o", ""),
        ("A --x B", "--x", ""),
        ("A o--o B", "o--o", ""),
        ("A x--x B", "x--x", ""),
        ("A ---> B", "-->", ""),
        ("A -----> B", "-->", ""),
        ("A ====> B", "==>", ""),
        ("A -..-> B", "-.->", ""),
        ("A ~~~ B", "~~~", ""),
        ("A -->|text| B", "-->", "text"),
        ("A-->|text|B", "-->", "text"),
        ("A -->|\"quoted text\"| B", "-->", "quoted text"),
        ("A -->| spaced  out | B", "-->", "spaced out"),
        ("A ---|open| B", "---", "open"),
        ("A -.->|dotted| B", "-.->", "dotted"),
        ("A ==>|thick| B", "==>", "thick"),
        ("A <-->|both| B", "<-->", "both"),
        ("A -- text --> B", "-->", "text"),
        ("A--text-->B", "-->", "text"),
        ("A -- two words --- B", "---", "two words"),
        ("A -. text .-> B", "-.->", "text"),
        ("A -. text .- B", "-.-", "text"),
        ("A == text ==> B", "==>", "text"),
        ("A == text === B", "===", "text"),
        ("A <-- both --> B", "<-->", "both"),
        ("A -->|\"a|b\"| B", "-->", "a|b"),
        ("A e1@--> B", "-->", ""),
        ("A---oB", "--o", ""),  # Mermaid reads this as a circle edge to B too
    ],
)
def test_edge_forms(statement: str, arrow: str, label: str) -> None:
    d = flow(statement)
    assert d.errors == []
    assert edges(d) == [("A", "B", label, arrow)]
    assert set(d.nodes) == {"A", "B"}


def test_target_starting_with_o_or_x() -> None:
    d = flow("dev --> ops\nA --- xray")
    assert edges(d) == [("dev", "ops", "", "-->"), ("A", "xray", "", "---")]


def test_bidirectional_is_one_edge() -> None:
    d = flow("node1 <--> node2")
    assert len(d.edges) == 1
    assert d.edges[0].arrow == "<-->"


def test_node_declarations_inside_edges() -> None:
    d = flow('a["X"] -->|y| b[(Z)]')
    assert edges(d) == [("a", "b", "y", "-->")]
    assert (d.nodes["a"].label, d.nodes["a"].shape) == ("X", "rect")
    assert (d.nodes["b"].label, d.nodes["b"].shape) == ("Z", "cylinder")


def test_semicolons_separate_statements() -> None:
    d = parse_mermaid("graph TD; A --> B; B --> C;\nC --> D; D[\"x; y\"]")
    assert d.direction == "TD"
    assert edges(d) == [("A", "B", "", "-->"), ("B", "C", "", "-->"), ("C", "D", "", "-->")]
    assert d.nodes["D"].label == "x; y"
    assert d.errors == []


def test_semicolon_inside_entity_does_not_split() -> None:
    d = flow("A -->|say #quot;hi#quot;| B")
    assert edges(d) == [("A", "B", 'say "hi"', "-->")]


def test_ids_as_written() -> None:
    d = flow("my-node --> other.node\na --> A\nx1:::hot --> y_2\nsvc-a-->svc-b")
    assert edges(d) == [
        ("my-node", "other.node", "", "-->"),
        ("a", "A", "", "-->"),
        ("x1", "y_2", "", "-->"),
        ("svc-a", "svc-b", "", "-->"),
    ]


def test_trailing_comment_is_dropped() -> None:
    d = flow("A --> B %% not a node")
    assert edges(d) == [("A", "B", "", "-->")]
    assert d.errors == []


# ---------------------------------------------------------------- shapes and labels


@pytest.mark.parametrize(
    ("decl", "shape"),
    [
        ("A[label]", "rect"),
        ("A(label)", "round"),
        ("A([label])", "stadium"),
        ("A[[label]]", "subroutine"),
        ("A[(label)]", "cylinder"),
        ("A((label))", "circle"),
        ("A(((label)))", "double-circle"),
        ("A>label]", "asymmetric"),
        ("A{label}", "rhombus"),
        ("A{{label}}", "hexagon"),
        ("A[/label/]", "parallelogram"),
        ("A[\\label\\]", "parallelogram-alt"),
        ("A[/label\\]", "trapezoid"),
        ("A[\\label/]", "trapezoid-alt"),
        ('A["label"]', "rect"),
        ('A(["label"])', "stadium"),
        ('A[("label")]', "cylinder"),
        ('A{"label"}', "rhombus"),
        ("A[label]:::important", "rect"),
        ("A@{ shape: cyl, label: \"label\" }", "cylinder"),
        ("A@{ shape: diamond, label: label }", "rhombus"),
        ("A@{ shape: rounded, label: 'label' }", "round"),
    ],
)
def test_shapes(decl: str, shape: str) -> None:
    d = flow(decl + " --> B")
    assert d.errors == []
    assert (d.nodes["A"].label, d.nodes["A"].shape) == ("label", shape)
    assert edges(d) == [("A", "B", "", "-->")]


def test_new_style_shape_kept_as_written_when_not_classic() -> None:
    d = flow('doc@{ shape: doc, label: "Design doc" }')
    assert (d.nodes["doc"].shape, d.nodes["doc"].label) == ("doc", "Design doc")


def test_brackets_inside_quoted_label() -> None:
    d = flow('A["list [x] (y) {z}"] --> B("f(x)")')
    assert d.nodes["A"].label == "list [x] (y) {z}"
    assert d.nodes["B"].label == "f(x)"
    assert d.errors == []


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ('"Node 1: Alloy<br/>~400MB"', "Node 1: Alloy ~400MB"),
        ("a<br>b<BR />c", "a b c"),
        ("**Bold** and *italic* and `code`", "Bold and italic and code"),
        ("<b>bold</b> <i>it</i>", "bold it"),
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("say #quot;hi#quot; #35;1", 'say "hi" #1'),
        ("Cache &#40redis&#41", "Cache (redis)"),  # a decimal reference without its semicolon
        ("&lt;b&gt; stays text", "<b> stays text"),
        ('"`**md** string`"', "md string"),
        ("fa:fa-car Car", "Car"),
        ("  lots   of\tspace  ", "lots of space"),
        ("2 * 3 * 4", "2 * 3 * 4"),
        ("remote_write", "remote_write"),
        ("a -> b", "a -> b"),
    ],
)
def test_clean_label(raw: str, clean: str) -> None:
    assert clean_label(raw) == clean


def test_label_cleanup_in_nodes() -> None:
    d = flow('A["**Kafka**<br/>(events &amp; logs)"] --> B["<i>Store</i> #quot;x#quot;"]')
    assert d.nodes["A"].label == "Kafka (events & logs)"
    assert d.nodes["B"].label == 'Store "x"'


def test_node_without_label_gets_its_id() -> None:
    d = flow("A --> B\nC\nD[\"\"]")
    assert [(n.id, n.label) for n in d.nodes.values()] == [("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")]


def test_later_declaration_gives_label_shape_and_line() -> None:
    d = flow("A --> B\nB[(Postgres)]\nB", first_line=10)
    b = d.nodes["B"]
    assert (b.label, b.shape, b.line) == ("Postgres", "cylinder", 12)
    assert d.nodes["A"].line == 11


def test_last_label_wins() -> None:
    d = flow("A[first]\nA[second] --> B")
    assert d.nodes["A"].label == "second"


def test_multiline_quoted_label() -> None:
    d = flow('A["first line\nsecond line"] --> B\nB --> C', first_line=1)
    assert d.errors == []
    assert d.nodes["A"].label == "first line second line"
    assert edges(d) == [("A", "B", "", "-->"), ("B", "C", "", "-->")]
    assert d.edges[1].line == 4


def test_quotes_inside_a_quoted_label() -> None:
    d = flow('A["He said "hi" ok"] --> B')
    assert d.nodes["A"].label == 'He said "hi" ok'


def test_multiline_new_style_shape() -> None:
    d = flow('A@{\n  shape: cyl\n  label: "multi line"\n} --> B\nB --> C')
    assert d.errors == []
    assert (d.nodes["A"].shape, d.nodes["A"].label) == ("cylinder", "multi line")
    assert edges(d) == [("A", "B", "", "-->"), ("B", "C", "", "-->")]


def test_ignored_statements() -> None:
    body = """\
    classDef hot fill:#f96,stroke:#333
    class A,B hot
    style A fill:#f9f,stroke:#333,stroke-width:4px
    linkStyle 0 stroke:#ff3,stroke-width:4px
    linkStyle default interpolate basis
    click A "https://example.com" "tooltip"
    click B callback
    accTitle: The title
    accDescr: A description
    accDescr {
        A multi-line
        description --> not an edge
    }
    A:::hot --> B
    style --> C
    """
    d = flow(body)
    assert d.errors == []
    assert edges(d) == [("A", "B", "", "-->"), ("style", "C", "", "-->")]


# ---------------------------------------------------------------- subgraphs


@pytest.mark.parametrize(
    ("header", "sid", "label"),
    [
        ("subgraph one [First group]", "one", "First group"),
        ('subgraph one["First group"]', "one", "First group"),
        ('subgraph one ["First<br/>group"]', "one", "First group"),
        ('subgraph "First group"', "First group", "First group"),
        ("subgraph First group", "First group", "First group"),
        ("subgraph one", "one", "one"),
    ],
)
def test_subgraph_title_forms(header: str, sid: str, label: str) -> None:
    d = flow(f"{header}\n  a --> b\nend")
    assert d.errors == []
    assert list(d.subgraphs) == [sid]
    sub = d.subgraphs[sid]
    assert (sub.label, sub.parent, sub.members, sub.line) == (label, None, ["a", "b"], 2)
    assert d.nodes["a"].subgraph == sid


def test_nested_subgraphs() -> None:
    body = """\
    subgraph outer[Outer]
        direction TB
        x
        subgraph inner[Inner]
            direction LR
            y --> z
        end
        w
    end
    x --> y
    q
    """
    d = flow(body)
    assert d.errors == []
    assert d.subgraphs["outer"].members == ["x", "inner", "w"]
    assert d.subgraphs["inner"].members == ["y", "z"]
    assert d.subgraphs["inner"].parent == "outer"
    assert d.subgraphs["outer"].parent is None
    assert {n.id: n.subgraph for n in d.nodes.values()} == {
        "x": "outer", "y": "inner", "z": "inner", "w": "outer", "q": None,
    }


def test_edges_to_subgraph_ids_make_no_nodes() -> None:
    body = """\
    client --> backend
    subgraph backend[Backend]
        api --> db
    end
    backend --> storage
    subgraph storage
        s3
    end
    """
    d = flow(body)
    assert d.errors == []
    assert edges(d) == [
        ("client", "backend", "", "-->"),
        ("api", "db", "", "-->"),
        ("backend", "storage", "", "-->"),
    ]
    assert set(d.nodes) == {"client", "api", "db", "s3"}
    assert d.subgraphs["backend"].members == ["api", "db"]


def test_repeated_titles_with_spaces_are_distinct_subgraphs() -> None:
    body = """\
    subgraph "Node 1"
        subgraph "Data Namespace"
            DB1[(Primary)]
        end
    end
    subgraph "Node 2"
        subgraph "Data Namespace"
            DB2[(Replica)]
        end
    end
    subgraph same
        a
    end
    subgraph same
        b
    end
    """
    d = flow(body)
    assert d.errors == []
    assert [(s.id, s.label, s.parent, s.members) for s in d.subgraphs.values()] == [
        ("Node 1", "Node 1", None, ["Data Namespace"]),
        ("Data Namespace", "Data Namespace", "Node 1", ["DB1"]),
        ("Node 2", "Node 2", None, ["Data Namespace (2)"]),
        ("Data Namespace (2)", "Data Namespace", "Node 2", ["DB2"]),
        ("same", "same", None, ["a", "b"]),  # an id without spaces is reopened, as in Mermaid
    ]
    again = parse_mermaid(to_mermaid(d))
    assert snapshot(again) == snapshot(d)


def test_subgraph_child_referenced_before_declared() -> None:
    d = flow("subgraph outer\n  a --> inner\n  subgraph inner\n    b\n  end\nend")
    assert "inner" not in d.nodes
    assert d.subgraphs["outer"].members == ["a", "inner"]
    assert d.subgraphs["inner"].members == ["b"]


def test_node_mentioned_inside_subgraph_after_top_level() -> None:
    # Mermaid draws a node inside the subgraph that mentions it
    d = flow("user --> api\nsubgraph backend\n  api --> db\nend")
    assert d.nodes["api"].subgraph == "backend"
    assert d.nodes["user"].subgraph is None
    assert d.subgraphs["backend"].members == ["api", "db"]


def test_subgraph_on_one_line() -> None:
    d = flow("subgraph g[G]; a --> b; end; c")
    assert d.subgraphs["g"].members == ["a", "b"]
    assert d.nodes["c"].subgraph is None


# ---------------------------------------------------------------- lines, header, other kinds


def test_line_numbers_with_offset() -> None:
    text = """\
---
title: Example
---
%%{init: {"theme": "dark"}}%%
%% a comment

graph LR
    A --> B

    %% another comment
    subgraph S
        C[label]
    end
"""
    d = parse_mermaid(text, first_line=100)
    assert d.errors == []
    assert (d.kind, d.direction, d.line) == ("flowchart", "LR", 106)
    assert d.edges[0].line == 107
    assert d.nodes["A"].line == 107
    assert d.subgraphs["S"].line == 110
    assert d.nodes["C"].line == 111


def test_multiline_init_directive() -> None:
    d = parse_mermaid('%%{\n  init: {"theme": "base"}\n}%%\nflowchart\nA --> B')
    assert (d.kind, d.direction, d.errors) == ("flowchart", "", [])
    assert edges(d) == [("A", "B", "", "-->")]


@pytest.mark.parametrize("direction", ["TB", "TD", "BT", "RL", "LR"])
def test_directions(direction: str) -> None:
    assert parse_mermaid(f"graph {direction}\nA-->B").direction == direction
    assert parse_mermaid(f"flowchart {direction}\nA-->B").direction == direction


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("quadrantChart\n  title Reach\n  x-axis Low --> High\n  A: [0.3, 0.6]", "quadrantchart"),
        ('pie title Pets\n  "Dogs" : 386\n  "Cats" : 85', "pie"),
        ("gantt\n  title Plan\n  section A\n  Task :a1, 2024-01-01, 30d", "gantt"),
        ("classDiagram\n  Animal <|-- Duck\n  Animal : +int age", "classdiagram"),
        ("stateDiagram-v2\n  [*] --> Still\n  Still --> [*]", "statediagram-v2"),
        ("erDiagram\n  CUSTOMER ||--o{ ORDER : places", "erdiagram"),
        ("journey\n  title My day\n  section Go\n  Make tea: 5: Me", "journey"),
        ("gitGraph\n  commit\n  branch develop", "gitgraph"),
        ("mindmap\n  root((mindmap))\n    Origins", "mindmap"),
        ("timeline\n  title History\n  2002 : LinkedIn", "timeline"),
        ("someFutureDiagram-beta\n  whatever --> goes", "somefuturediagram-beta"),
    ],
)
def test_other_kinds_are_skipped(text: str, kind: str) -> None:
    d = parse_mermaid(text)
    assert (d.kind, d.nodes, d.edges, d.subgraphs, d.errors) == (kind, {}, [], {}, [])


def test_sequence_diagram() -> None:
    text = """\
sequenceDiagram
    autonumber
    participant C as Client<br/>App
    actor U as User
    participant API
    U->>C: opens app
    C->>+API: GET /orders
    loop every minute
        API-->>-C: 200 OK
    end
    Note right of API: cached
    alt cache miss -> db
        API-)DB: query; async
    else
        API-xDB: cancel
    end
    rect rgb(0, 0, 255)
        DB-->>API: rows
    end
"""
    d = parse_mermaid(text, first_line=5)
    assert d.errors == []
    assert d.kind == "sequence"
    assert {n.id: (n.label, n.shape) for n in d.nodes.values()} == {
        "C": ("Client App", "participant"),
        "U": ("User", "actor"),
        "API": ("API", "participant"),
        "DB": ("DB", "participant"),
    }
    assert edges(d) == [
        ("U", "C", "opens app", "->>"),
        ("C", "API", "GET /orders", "->>"),
        ("API", "C", "200 OK", "-->>"),
        ("API", "DB", "query; async", "-)"),
        ("API", "DB", "cancel", "-x"),
        ("DB", "API", "rows", "-->>"),
    ]
    assert d.edges[0].line == 10
    assert d.nodes["C"].line == 7


def test_sequence_garbage_line_is_an_error() -> None:
    d = parse_mermaid("sequenceDiagram\nA->>B: hi\n???\nB->>A: ok")
    assert len(d.edges) == 2
    assert d.errors == ["line 3: cannot parse '???'"]


# ---------------------------------------------------------------- malformed input


def test_malformed_statements_are_errors_and_the_rest_counts() -> None:
    body = """\
A[unclosed --> B
D --> E
C -->
end
subgraph S[Group]
    F --> G
    H(oops
"""
    d = flow(body, first_line=20)
    assert edges(d) == [("D", "E", "", "-->"), ("F", "G", "", "-->")]
    assert set(d.nodes) == {"D", "E", "F", "G"}
    assert d.subgraphs["S"].members == ["F", "G"]
    assert len(d.errors) == 5
    assert d.errors[0].startswith("line 21: cannot parse 'A[unclosed --> B'")
    assert d.errors[1].startswith("line 23: cannot parse 'C -->'")  # `end` never finishes a statement
    assert d.errors[2] == "line 24: 'end' without an open subgraph"
    assert d.errors[3].startswith("line 27: cannot parse 'H(oops'")
    assert d.errors[4] == "line 25: subgraph 'S' has no 'end'"


@pytest.mark.parametrize(
    "statement",
    ["A -->", "A --> B -->", "A & --> B", "--> B", "A -- text", "A -->|label B", "A B", "A --> B C",
     "A[x", "A((x", "A(x", "A{x", "A@{ shape: cyl", "A -. text", "A -->|x|", "&", "|", "[x]"],
)
def test_single_bad_statement(statement: str) -> None:
    # styles around it: a statement never reads on into one (an arrow at a line's end or start would join
    # the next or the previous statement, as Mermaid does: see test_a_statement_reads_on_over_lines)
    d = flow(f"ok1 --> ok2\nstyle ok1 fill:#fff\n{statement}\nstyle ok2 fill:#fff\nok3")
    assert len(d.errors) == 1
    assert d.errors[0].startswith("line 4: cannot parse")
    assert edges(d) == [("ok1", "ok2", "", "-->")]
    assert "ok3" in d.nodes


def test_missing_header() -> None:
    d = parse_mermaid("A --> B", first_line=7)
    assert d.kind == ""
    assert d.errors == ["line 7: missing diagram type, found 'A --> B'"]


def test_empty_and_comment_only_blocks() -> None:
    assert parse_mermaid("").errors == ["line 1: empty diagram"]
    assert parse_mermaid("%% just a comment\n\n", first_line=3).errors == ["line 3: empty diagram"]


def test_unclosed_front_matter() -> None:
    d = parse_mermaid("---\ntitle: x\nflowchart LR\nA-->B")
    assert d.errors == ["line 1: front matter is not closed"]


def test_unknown_direction() -> None:
    d = parse_mermaid("graph XY\nA --> B")
    assert d.errors == ["line 1: unknown direction 'XY'"]
    assert edges(d) == [("A", "B", "", "-->")]


def test_fuzz_never_raises() -> None:
    rng = random.Random(20240601)
    alphabet = list("AaBb01_-.=<>ox~|&;:\"'[](){}/\\%#@* \t") + ["-->", "subgraph ", "end", "<br/>", "\n"]
    texts: list[str] = []
    # every prefix of every line of the excerpt, as a body of its own
    for line in EXCERPT.splitlines()[1:]:
        texts += ["flowchart LR\n" + line[:k] for k in range(len(line) + 1)]
    # every prefix of the whole excerpt
    texts += [EXCERPT[:k] for k in range(0, len(EXCERPT), 7)]
    # random garbage under each header
    for header in ("flowchart TD\n", "graph\n", "sequenceDiagram\n", "pie\n", "", "---\n"):
        for _ in range(150):
            texts.append(header + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80))))
    texts += ["\x00\x01", "flowchart\n" + "[" * 5000, "flowchart\n" + "A-->" * 2000, "flowchart\n" + '"' * 999]
    for text in texts:
        d = parse_mermaid(text, first_line=3)
        assert isinstance(d, MermaidDiagram)
        assert all(isinstance(e, str) and e.startswith("line ") for e in d.errors), d.errors
        for edge in d.edges:
            assert edge.line >= 3
        to_mermaid(d)  # serialising whatever came out must not raise either


def test_non_string_input() -> None:
    d = parse_mermaid(None)  # type: ignore[arg-type]
    assert d.errors


# ---------------------------------------------------------------- to_mermaid


def snapshot(d: MermaidDiagram) -> tuple[object, ...]:
    return (
        d.kind,
        d.direction,
        [(n.id, n.label, n.shape, n.subgraph) for n in d.nodes.values()],
        [(s.id, s.label, s.parent, s.members) for s in d.subgraphs.values()],
        edges(d),
    )


def test_to_mermaid_text() -> None:
    d = flow('subgraph g["Group"]\n  a((Start))\nend\na -->|go| b{"Is it?"}\nb -.- a')
    assert to_mermaid(d) == (
        "flowchart LR\n"
        '    subgraph g["Group"]\n'
        '        a(("Start"))\n'
        "    end\n"
        '    b{"Is it?"}\n'
        '    a -->|"go"| b\n'
        "    b -.- a\n"
    )


def test_round_trip_excerpt() -> None:
    d = parse_mermaid(EXCERPT)
    text = to_mermaid(d)
    again = parse_mermaid(text)
    assert again.errors == []
    assert snapshot(again) == snapshot(d)
    assert to_mermaid(again) == text  # deterministic and stable


def test_round_trip_every_shape_and_arrow() -> None:
    shapes = ["[x]", "(x)", "([x])", "[[x]]", "[(x)]", "((x))", "(((x)))", ">x]", "{x}", "{{x}}",
              "[/x/]", "[\\x\\]", "[/x\\]", "[\\x/]", "@{ shape: doc, label: x }"]
    arrows = ["-->", "---", "-.->", "-.-", "==>", "===", "<-->", "<-.->", "<==>", "--o", "--x",
              "o--o", "x--x", "~~~"]
    body = "\n".join(f"n{i}{s}" for i, s in enumerate(shapes))
    body += "\n" + "\n".join(f"n{i} {a} n{i + 1}" for i, a in enumerate(arrows))
    d = flow(body)
    assert d.errors == []
    again = parse_mermaid(to_mermaid(d))
    assert again.errors == []
    assert snapshot(again) == snapshot(d)


@pytest.mark.parametrize(
    "label",
    [
        'say "hi"',
        "a | b ; c",
        "brackets ] ) } [ ( {",
        "#quot; literally",
        "&amp; literally",
        "<b>not a tag</b>",
        "**not bold**",
        "`tick` and *star*",
        "fa:fa-car",
        "back\\slash /]",
        "%% not a comment",
        "→ unicode ✓",
        "end",
    ],
)
def test_round_trip_awkward_labels(label: str) -> None:
    d = MermaidDiagram(kind="flowchart", direction="LR")
    d.subgraphs["g"] = MermaidSubgraph("g", label, members=["a"])
    d.nodes["a"] = MermaidNode("a", label, "rhombus", subgraph="g")
    d.nodes["b"] = MermaidNode("b", label, "trapezoid")
    d.edges.append(MermaidEdge("a", "b", label, "-.->"))
    again = parse_mermaid(to_mermaid(d))
    assert again.errors == []
    assert snapshot(again) == snapshot(d)


def test_round_trip_keyword_and_odd_ids() -> None:
    d = flow("end --> class\nclass --> style\nstyle --- o\nclick -.- x\nsvc-a --> a.b\nsubgraph[Sub] --> direction")
    assert d.errors == []
    assert len(d.edges) == 6
    again = parse_mermaid(to_mermaid(d))
    assert again.errors == []
    assert snapshot(again) == snapshot(d)


def test_header_comment() -> None:
    d = parse_mermaid("flowchart LR %% left to right\nA --> B")
    assert (d.direction, d.errors) == ("LR", [])


def test_round_trip_nested_and_title_subgraphs() -> None:
    body = """\
    subgraph "Edge Layer"
        lb[Load balancer]
        subgraph inner[Inner]
            a --> b
        end
    end
    subgraph plain words here
        c
    end
    lb --> inner
    c ==>|"x"| a
    """
    d = flow(body)
    assert d.errors == []
    assert d.subgraphs["inner"].parent == "Edge Layer"
    again = parse_mermaid(to_mermaid(d))
    assert again.errors == []
    assert snapshot(again) == snapshot(d)


def test_a_statement_reads_on_over_lines() -> None:
    # Mermaid's arrows take the line breaks around them, and a shape's text may wrap: a chain drawn one step a
    # line, blank lines between, and a name with a caption under it in small type
    body = """\
    login[Sign in]
    -->

    check{Known user?}
    -- No -->
    signup([Create an account])
    check -- Yes -->
    home[Home page]
    portal[Portal
    <font size=1>where people find
    every service</font>]
    portal --> home
    """
    d = flow(textwrap.dedent(body))
    assert d.errors == []
    assert edges(d) == [("login", "check", "", "-->"), ("check", "signup", "No", "-->"),
                        ("check", "home", "Yes", "-->"), ("portal", "home", "", "-->")]
    assert d.nodes["portal"].label == "Portal" and d.nodes["signup"].label == "Create an account"
    assert d.edges[0].line == 2  # the line the statement starts on


def test_a_caption_is_no_part_of_a_name_unless_it_is_the_whole_label() -> None:
    assert clean_label("API<br><small>Go service</small>") == "API"
    assert clean_label("<font color=red>Redis</font>") == "Redis"
    assert clean_label("form<br>completer") == "form completer"


def test_sequence_keywords_are_read_in_any_case() -> None:
    d = parse_mermaid("sequenceDiagram\n  Title Paying for a form\n  Actor P as Payer\n  NOTE over P: starts here\n"
                      "  P->>Pay: card details\n  LOOP every minute\n  Pay-->>P: status\n  END\n")
    assert d.errors == []
    assert d.nodes["P"].shape == "actor" and d.nodes["P"].label == "Payer"
    assert [(e.source, e.target) for e in d.edges] == [("P", "Pay"), ("Pay", "P")]


def test_an_architecture_diagram_reads_as_a_flowchart() -> None:
    d = parse_mermaid(textwrap.dedent("""\
        architecture-beta
            group shop(cloud)[Shop] %% the customer-facing part
            group data(database)[Data] in shop
            service web(internet)[Web Front] in shop
            service db(database)[Orders DB] in data
            junction j in shop
            web:R -[writes orders]-> L:db
            db{group}:T <-- B:web
            web:B -- T:j
            ghost
        """))
    assert d.kind == "flowchart"
    assert d.nodes["db"].shape == "cylinder" and d.nodes["db"].subgraph == "data"
    assert d.subgraphs["data"].parent == "shop" and d.subgraphs["shop"].members == ["data", "web", "j"]
    assert [(e.source, e.target, e.label, e.arrow) for e in d.edges] == [
        ("web", "db", "writes orders", "-->"), ("web", "db", "", "-->"), ("web", "j", "", "---")]
    assert d.errors == ["line 10: cannot parse 'ghost'"]


def test_a_c4_plantuml_block_reads_as_c4_and_other_plantuml_as_kg_plantuml_reads_it() -> None:
    from kg.mermaid import parse_plantuml

    d = parse_plantuml(textwrap.dedent("""\
        @startuml
        !include <C4/C4_Container>
        /' a comment
           over lines '/
        Container(api, "Orders API", "Go")
        ContainerDb(db, "Orders DB", "PostgreSQL")
        Rel(api, db, "Writes to")
        SHOW_LEGEND()
        @enduml"""), first_line=20)
    assert d is not None and d.kind == "c4" and d.errors == [] and d.line == 20
    assert [(n.id, n.shape, n.line) for n in d.nodes.values()] == [("api", "rect", 24), ("db", "cylinder", 25)]
    assert [(e.source, e.target, e.label, e.line) for e in d.edges] == [("api", "db", "Writes to", 26)]
    # without C4 macros: a component diagram is a flowchart (tests/test_plantuml.py), a sequence diagram nothing
    flow = parse_plantuml("@startuml\n[Orders] --> [Billing]\n@enduml", first_line=5)
    assert flow is not None and flow.kind == "flowchart"
    assert [(e.source, e.target, e.line) for e in flow.edges] == [("Orders", "Billing", 6)]
    assert parse_plantuml("@startuml\nparticipant Orders\nOrders -> Billing : bill\n@enduml") is None
