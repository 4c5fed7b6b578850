"""Tests for kg.plantuml: PlantUML component and deployment diagrams read as flowcharts, on snippets in the
styles people write (PlantUML's own examples, the AWS icon library's, deployment views of a service)."""

from __future__ import annotations

import random
import textwrap

import pytest

from kg.mermaid import parse_plantuml
from kg.parse import parse_document
from kg.plantuml import parse_plantuml_flowchart

DEPLOYMENT = """\
@startuml
!include <tupadr3/common>
' the shop as it runs today
title Shop deployment
left to right direction
skinparam componentStyle rectangle
actor "Customer" as cust
cloud "AWS" {
  node "EKS cluster" as eks <<kubernetes>> {
    [Orders API] as api #LightBlue
    component "Billing Worker" as worker
  }
  database "PostgreSQL" as pg
  queue "Kafka" as k
}
cust --> api : HTTPS
api --> pg : stores orders
api -down-> k : publishes OrderPlaced
worker <.. k : OrderPlaced
note right of api
  owns the order lifecycle
end note
legend right
  drawn for the review
endlegend
@enduml
"""


def read(text: str, first_line: int = 1):
    d = parse_plantuml_flowchart(textwrap.dedent(text), first_line)
    assert d is not None
    return d


def edges(d) -> list[tuple[str, str, str, str]]:
    return [(e.source, e.target, e.arrow, e.label) for e in d.edges]


def test_a_deployment_diagram_reads_as_a_flowchart_with_document_lines() -> None:
    d = read(DEPLOYMENT, first_line=40)
    assert d.kind == "flowchart" and d.line == 40 and d.direction == "LR" and d.errors == []
    assert [(n.id, n.label, n.shape, n.line, n.subgraph) for n in d.nodes.values()] == [
        ("cust", "Customer", "actor", 46, None),
        ("api", "Orders API", "rect", 49, "eks"),
        ("worker", "Billing Worker", "rect", 50, "eks"),
        ("pg", "PostgreSQL", "cylinder", 52, "AWS"),
        ("k", "Kafka", "queue", 53, "AWS"),
    ]
    assert [(s.id, s.label, s.line, s.parent, s.members) for s in d.subgraphs.values()] == [
        ("AWS", "AWS", 47, None, ["eks", "pg", "k"]),
        ("eks", "EKS cluster", 48, "AWS", ["api", "worker"]),
    ]
    assert edges(d) == [
        ("cust", "api", "-->", "HTTPS"),
        ("api", "pg", "-->", "stores orders"),
        ("api", "k", "-->", "publishes OrderPlaced"),
        ("k", "worker", "-.->", "OrderPlaced"),  # `<..` points left: from its right end
    ]
    assert [e.line for e in d.edges] == [55, 56, 57, 58]


@pytest.mark.parametrize(("arrow", "expected"), [
    ("-->", ("a", "b", "-->")),
    ("->", ("a", "b", "-->")),
    ("..>", ("a", "b", "-.->")),
    (".d.>", ("a", "b", "-.->")),
    ("-down->", ("a", "b", "-->")),
    ("--d-->", ("a", "b", "-->")),
    ("-[#red,bold]->", ("a", "b", "-->")),
    ("-[dashed]->", ("a", "b", "-.->")),
    ("<--", ("b", "a", "-->")),
    ("<|--", ("b", "a", "-->")),
    ("<-->", ("a", "b", "<-->")),
    ("-left-", ("a", "b", "---")),
    ("--", ("a", "b", "---")),
    ("-", ("a", "b", "---")),
    ("..", ("a", "b", "-.-")),
    ("--o", ("a", "b", "---")),  # an aggregation's diamond says what kind of line, not which way
    ("-[hidden]down->", ("a", "b", "~~~")),
    (".[hidden]u.>", ("a", "b", "~~~")),
])
def test_arrows_keep_their_direction_in_mermaid_spelling(arrow: str, expected: tuple[str, str, str]) -> None:
    d = read(f"@startuml\ncomponent a\ncomponent b\na {arrow} b\n@enduml")
    assert [(e.source, e.target, e.arrow) for e in d.edges] == [expected]


def test_element_declarations_in_every_form() -> None:
    d = read("""\
        @startuml
        component Billing
        [Web App] as web
        component "Orders API" as api <<service>> #pink
        database db as "Orders DB"
        component [Last\\ncomponent] as last
        () "Payments" as pay
        interface Search
        :Support Engineer: as eng
        usecase (Refund order) as refund
        storage "Object Store" as s3 $internal
        collections "Workers" as workers
        artifact orders.jar
        component comp4 [
          This component has
          a long description
        ]
        frame Reports
        @enduml""")
    assert [(n.id, n.label, n.shape) for n in d.nodes.values()] == [
        ("Billing", "Billing", "rect"),
        ("web", "Web App", "rect"),
        ("api", "Orders API", "rect"),
        ("db", "Orders DB", "cylinder"),
        ("last", "Last component", "rect"),
        ("pay", "Payments", "circle"),
        ("Search", "Search", "circle"),
        ("eng", "Support Engineer", "actor"),
        ("refund", "Refund order", "round"),
        ("s3", "Object Store", "rect"),
        ("workers", "Workers", "rect"),
        ("orders.jar", "orders.jar", "rect"),
        ("comp4", "comp4", "rect"),
        ("Reports", "Reports", "rect"),
    ]
    assert [n.line for n in d.nodes.values()][-2:] == [14, 18]  # the description's lines are read past
    assert d.errors == []


def test_relations_name_boxes_in_any_form_and_create_the_ones_not_declared() -> None:
    d = read("""\
        @startuml
        [Web App] as web
        [Web App] --> [API] : calls
        web ..> () "Search" : queries
        :Customer: --> (Checkout)
        API "1" --> "many" ledger : posts entries
        API -> web
        @enduml""", first_line=3)
    assert [(n.id, n.label, n.shape, n.line) for n in d.nodes.values()] == [
        ("web", "Web App", "rect", 4),
        # PlantUML draws `[Web App]` as a box of its own: an alias, once given, is the only way to its box
        ("Web App", "Web App", "rect", 5),
        ("API", "API", "rect", 5),
        ("Search", "Search", "circle", 6),
        ("Customer", "Customer", "actor", 7),
        ("Checkout", "Checkout", "round", 7),
        ("ledger", "ledger", "rect", 8),
    ]
    assert edges(d) == [
        ("Web App", "API", "-->", "calls"),
        ("web", "Search", "-.->", "queries"),
        ("Customer", "Checkout", "-->", ""),
        ("API", "ledger", "-->", "posts entries"),
        ("API", "web", "-->", ""),
    ]


def test_a_box_named_before_it_is_declared_takes_its_declaration() -> None:
    d = read("""\
        @startuml
        api --> pg
        node "EKS" {
          component "Orders API" as api
        }
        database "PostgreSQL" as pg
        @enduml""")
    api, pg = d.nodes["api"], d.nodes["pg"]
    assert (api.label, api.line, api.subgraph) == ("Orders API", 4, "EKS")
    assert (pg.label, pg.shape, pg.line, pg.subgraph) == ("PostgreSQL", "cylinder", 6, None)
    assert d.subgraphs["EKS"].members == ["api"]


def test_nested_boxes_and_boxes_as_an_arrows_ends() -> None:
    d = read("""\
        @startuml
        package "Platform" {
          node "Cluster" as k8s {
            folder charts {
              artifact chart
            }
            [Ingress]
          }
          cloud {
            [CDN]
          }
          rectangle "Empty" {}
        }
        [CDN] --> k8s : routes to
        @enduml""")
    assert [(s.id, s.label, s.parent, s.members) for s in d.subgraphs.values()] == [
        ("Platform", "Platform", None, ["k8s", "box1", "Empty"]),
        ("k8s", "Cluster", "Platform", ["charts", "Ingress"]),
        ("charts", "charts", "k8s", ["chart"]),
        ("box1", "", "Platform", ["CDN"]),
        ("Empty", "Empty", "Platform", []),
    ]
    assert "k8s" not in d.nodes and edges(d) == [("CDN", "k8s", "-->", "routes to")]


def test_icon_library_macros_are_boxes_and_group_macros_boxes_with_a_body() -> None:
    d = read("""\
        @startuml
        !define AWSPuml https://raw.githubusercontent.com/awslabs/aws-icons-for-plantuml/v19.0/dist
        !include AWSPuml/AWSCommon.puml
        !include AWSPuml/Compute/EC2Instance.puml
        hide stereotype
        AWSCloudGroup(cloud) {
          VPCGroup(vpc, "Shop VPC") {
            EC2Instance(gitlab, "Gitlab", ) #Transparent
            RDS(db, "Orders DB", "")
            ElasticLoadBalancing("elb", "Load balancer", "ALB", $descr="public")
          }
        }
        rectangle "$ClientIMG()\\nMobile\\nClient" as client
        client -right-> elb : <$Callout_1>
        elb --> gitlab
        gitlab .u.> db : SQL
        @enduml""", first_line=11)
    assert [(n.id, n.label, n.shape, n.line, n.subgraph) for n in d.nodes.values()] == [
        ("gitlab", "Gitlab", "rect", 18, "vpc"),
        ("db", "Orders DB", "rect", 19, "vpc"),
        ("elb", "Load balancer", "rect", 20, "vpc"),
        ("client", "Mobile Client", "rect", 23, None),
    ]
    assert [(s.id, s.label, s.parent) for s in d.subgraphs.values()] == [
        ("cloud", "AWS Cloud", None), ("vpc", "Shop VPC", "cloud")]
    assert edges(d) == [("client", "elb", "-->", ""), ("elb", "gitlab", "-->", ""), ("gitlab", "db", "-.->", "SQL")]


def test_a_relation_macro_is_an_arrow_and_a_layout_macro_nothing() -> None:
    d = read("""\
        @startuml
        !include <archimate/Archimate>
        Application_Component(crm, "CRM")
        Business_Actor(customer, "Customer")
        Rel_Serving(crm, customer, "serves")
        Lay_D(crm, customer)
        SHOW_LEGEND()
        @enduml""")
    assert list(d.nodes) == ["crm", "customer"] and edges(d) == [("crm", "customer", "-->", "serves")]


def test_what_draws_nothing_is_skipped() -> None:
    d = read("""\
        @startuml Orders
        /' a block comment
           [Hidden] --> [Never] '/
        ' a line comment: [Nor] --> [This] /' does not open a block comment
        skinparam rectangle {
          BorderColor transparent
        }
        <style>
          component { BackgroundColor white }
        </style>
        !procedure $box($x)
          rectangle $x
        !endprocedure
        title
          Orders <b>flow</b>
        end title
        hide stereotype
        note "a floating note" as N1
        note left of a : one line
        note as N2
          [Not] --> [Read]
        end note
        [a] --> [b] /' inline '/
        N1 .. a
        header page header
        caption figure 1
        @enduml""")
    assert list(d.nodes) == ["a", "b"] and edges(d) == [("a", "b", "-->", "")] and d.errors == []


def test_a_statement_it_cannot_read_is_an_error_and_the_rest_still_counts() -> None:
    d = read("@startuml\n[a] --> [b]\nthis is not plantuml\n[b] -->\n}\n[b] --> [c]\n@enduml", first_line=7)
    assert edges(d) == [("a", "b", "-->", ""), ("b", "c", "-->", "")]
    assert d.errors == ["line 9: cannot parse 'this is not plantuml' (expected a box or an arrow)",
                        "line 10: cannot parse '[b] -->' (expected a box after the arrow)",
                        "line 11: '}' without an open box"]


def test_an_unclosed_box_is_an_error() -> None:
    d = read("@startuml\nnode \"EKS\" {\n  [API]\n@enduml", first_line=2)
    assert d.nodes["API"].subgraph == "EKS" and d.errors == ["line 3: box 'EKS' has no '}'"]


@pytest.mark.parametrize("text", [
    # sequence: participants, or plain arrows between names nothing declares (PlantUML draws a sequence)
    "@startuml\nparticipant Orders\nparticipant Billing\nOrders -> Billing : invoice\n@enduml",
    "@startuml\nAlice -> Bob : hello\nBob --> Alice : ok\n@enduml",
    "@startuml\nactor User\ndatabase \"Orders DB\" as db\nUser -> db : query\n@enduml",
    "@startuml\nA -> B : login\nalt ok\n  B -> A : token\nend\n@enduml",
    "@startuml\nactor User as user\nparticipant \"<$APIGateway>\\nCards\" as api\nuser -> api: POST\n@enduml",
    # class, object, entity-relationship
    "@startuml\nclass Order {\n  +id: UUID\n}\nOrder <|-- SpecialOrder\n@enduml",
    "@startuml\nclass Order\nOrder \"1\" *-- \"many\" Line\n@enduml",
    "@startuml\nobject user\nuser --> group\n@enduml",
    "@startuml\nentity Order {\n  * id : number\n}\n@enduml",
    # activity, old and new; state; timing; Gantt
    "@startuml\nstart\n:Check stock;\nif (in stock?) then (yes)\n  :Ship;\nendif\nstop\n@enduml",
    "@startuml\n(*) --> \"First Activity\"\n\"First Activity\" --> (*)\n@enduml",
    "@startuml\n|Warehouse|\n:pick;\n@enduml",
    "@startuml\nstate Paid\n[*] --> Paid\n@enduml",
    "@startuml\nrobust \"Web Browser\" as WB\n@0\nWB is Idle\n@enduml",
    "@startuml\n[Design] lasts 10 days\n[Test] lasts 5 days\n[Design] -> [Test]\n@enduml",
    "@startmindmap\n* root\n** [child] --> [other]\n@endmindmap",
    # nothing drawn
    "@startuml\ntitle Nothing here\nskinparam monochrome true\n@enduml",
    "@startuml\nnwdiag {\n  network dmz {\n    web01 [address = \"10.0.0.1\"]\n  }\n}\n@enduml",
    "",
])
def test_other_kinds_of_plantuml_diagram_give_none(text: str) -> None:
    assert parse_plantuml_flowchart(text, 1) is None
    assert parse_plantuml(text, 1) is None


def test_c4_plantuml_is_still_read_as_c4() -> None:
    d = parse_plantuml('@startuml\nContainer(api, "API", "Go")\nRDS(db, "Orders DB")\nRel(api, db, "reads")\n@enduml')
    assert d is not None and d.kind == "c4" and list(d.nodes) == ["api"]


@pytest.mark.parametrize("lang", ["", "text", "uml", "plantuml", "puml"])
def test_a_block_that_starts_with_startuml_is_plantuml_whatever_its_language(lang: str) -> None:
    doc = parse_document(f"# Deploy\n\n```{lang}\n\n@startuml\n[API] --> [DB] : reads\noops\n@enduml\n```\n", "d.md", "r")
    assert [(d.kind, d.line, d.section) for d in doc.diagrams] == [("flowchart", 5, ("Deploy",))]
    assert [(e.source, e.target, e.line) for e in doc.diagrams[0].edges] == [("API", "DB", 6)]
    said = lang if lang == "puml" else "plantuml"
    assert doc.warnings == [f"d.md:7: {said}: cannot parse 'oops' (expected a box or an arrow)"]


@pytest.mark.parametrize("lang", ["python", "console", "markdown"])
def test_a_block_in_another_language_is_never_read_as_plantuml(lang: str) -> None:
    doc = parse_document(f"```{lang}\n@startuml\n[API] --> [DB]\n@enduml\n```\n", "d.md", "r")
    assert doc.diagrams == []


def test_noise_never_raises() -> None:
    rng = random.Random(7)
    tokens = list('[]()"\':;-.<>|{}#*o ab\n') + ["-->", "node ", "component ", " as ", "note ", "end note",
                                                 "@startuml", "/'", "'/", "Foo(", "<<", ">>", "legend"]
    for _ in range(2000):
        text = "".join(rng.choice(tokens) for _ in range(rng.randint(1, 60)))
        d = parse_plantuml_flowchart(text, 1)
        assert d is None or d.kind == "flowchart"
