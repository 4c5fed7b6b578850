"""Diagrams: Mermaid flowchart edges and sequence messages, typed by label and by what each end is."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..gazetteer import is_everyday_word
from ..mermaid import clean_label, read_c4_statement
from ..model import Document, Evidence, Fact, Mention, MermaidDiagram, MermaidNode
from ..names import INSTANCE_OF, INSTANCE_SUFFIX, INSTANCE_WORDS, clean_name, strip_pictographs
from .phrases import SAME_THING_HEAD, names_in
from .state import Extraction, evidence_at

if TYPE_CHECKING:
    from ..resolve import Gazetteer


# Edge labels -> relation kind and direction. "forward": source REL target; "reverse": target REL source;
# "read": a read, whose direction depends on which end holds the data (see _read_direction).
EDGE_RULES: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"deploy|reconcil|\bsync|install|\bapply|release|gitops|helm|rollout", re.I), "deploys", "forward"),
    (re.compile(r"\bscal(e|es|ing)\b|autoscal", re.I), "scales", "forward"),
    (re.compile(r"provision|add node|create[sd]? (node|vm|cluster)", re.I), "provisions", "forward"),
    (re.compile(r"scrap|monitor|probe|health|alert|observ", re.I), "monitors", "forward"),
    (re.compile(r"back ?up|snapshot|barman|pitr|archiv", re.I), "backsUpTo", "forward"),
    # data that flows along the arrow: written into a store, read by anything else ("pg -- WAL --> debezium")
    (re.compile(r"\bwal\b|\bcdc\b|change ?(?:data|events|stream|log)s?|replicat|binlog|\boplog\b|data ?flow",
                re.I), "storesDataIn", "flow"),
    (re.compile(r"queue depth|\blag\b|consum|subscrib|\bread|quer|fetch|\bpoll|\bpull|\bwatch", re.I), "consumesFrom", "read"),
    (re.compile(r"secret|credential|token|certificat", re.I), "dependsOn", "reverse"),
    (re.compile(r"stor|persist|write|chunk|upload|offload|tier|bucket|\bs3\b|object", re.I), "storesDataIn", "forward"),
    (re.compile(r"publish|produc|emit|send|push|otlp|event|ship|forward|export|log|trace", re.I), "publishesTo", "forward"),
    (re.compile(r"\bcall|request|invoke|http|grpc|\bapi\b|connect|\b(get|create|update|delete|post|put|"
                r"validate|authori[sz]e|authenticate|verify|lookup|resolve|charge)s?\b", re.I), "dependsOn", "forward"),
    (re.compile(r"runs? on|hosted|host", re.I), "runsOn", "forward"),
]


# what a repository or registry is called: where a GitOps tool or a build reads from
SOURCE_HINT = re.compile(r"\bgit\b|github|gitlab|bitbucket|gitea|repositor|source control|version control|registry", re.I)
STORAGE_HINT = re.compile(r"stor|database|\bdb\b|cache|object|bucket|\bs3\b|event|stream|queue|persist|broker|messag",
                          re.I)


READER_HINT = re.compile(r"visuali[sz]|dashboard|\bui\b|query|explor", re.I)

# a label that opens with a verb of asking says what the arrow's tail does to its head ("validate id_token",
# "redirect to login", "resolve user/party"): the tail needs the head, whatever the thing it names (a token)
CALL_VERB_LEAD = re.compile(r"^\W*(?:redirect|validate|verif(?:y|ies)|authenticate|authori[sz]e|resolve|look(?:s)? ?up|"
                            r"call|invoke|request|charge|introspect|exchange)s?\b", re.I)
# what a GitOps tool or a build does with a repository: it reads it, whichever way the arrow is drawn
READ_FROM_SOURCE = re.compile(r"\bsync|\bpull|\bfetch|\bclone|\bwatch|\bpoll|reconcil", re.I)


# "api -->|reads| db", "eso -->|Fetch| api": a verb of reading has the reader as its subject, at the arrow's tail
READ_VERB = re.compile(r"^\s*(reads?|quer(?:y|ies)|fetch(?:es)?|pulls?|polls?|consumes?|subscribes?|watch(?:es)?|"
                       r"looks? up|syncs?|clones?|mirrors?)\b", re.I)


REPLY = re.compile(r"^\s*(returns?|respon[sd]\w*|repl(y|ies)|results?|ack\w*|ok\b|\d{3}\b|done|success)", re.I)


def _read_direction(label: str, source_store: bool, target_store: bool, target_reads: bool = False) -> str:
    """Which end of a read edge is the reader: the one that is not the store, else the verb's subject.

    Data-flow diagrams draw the arrow from the store to its reader (`redpanda -->|queue depth| keda`);
    call diagrams draw it from the reader to the store (`api -->|reads| db`).
    """
    if target_store and not source_store:
        return "forward"
    if source_store and not target_store:
        return "reverse"
    if target_reads:
        return "reverse"  # "metrics -->|Query| dashboard": the data flows to the screen that reads it
    # "api -->|reads| db", "eso -->|Fetch| api": a verb has the reader at the arrow's tail (a repository at the tail
    # of "Pull" is read by the head: classify_edge says so first); a noun ("queue depth") flows to the reader
    return "forward" if READ_VERB.search(label) else "reverse"


def _named_relation(label: str) -> str | None:
    """The relation kind an edge label names outright: 'dependsOn', 'depends on', 'stores data in', 'uses'."""
    from ..relations import RELATION_PREDICATES

    words = re.sub(r"([a-z])([A-Z])", r"\1 \2", label).lower().strip(" :|\"'")
    folded = re.sub(r"[^a-z]", "", words)
    for name in RELATION_PREDICATES:
        if folded == name.lower():
            return name
    if re.fullmatch(r"(?:uses|use|needs|requires|relies on|depends|depend on)", words):
        return "dependsOn"
    return None


# what a broker is called: a message sent to one is published, a message from one is delivered
BROKER_HINT = re.compile(r"event|stream|queue|broker|messag|pub/?sub|topic", re.I)
# a node named for the process beside a broker ("Solid Queue worker", "Kafka consumer") is no broker itself
PROCESS_HEAD = re.compile(r"\b(?:workers?|runners?|consumers?|producers?|processors?|handlers?|listeners?|routers?|"
                          r"bridges?|services?|scheduler|jobs?|apps?|"
                          r"api|server|database|db|client|ui|dashboard)\W*$", re.I)
TAKE_VERB = re.compile(r"consum|subscrib|\bpoll|\bfetch|\bread|\bpull|\bgets?\b|receiv|dequeue", re.I)


def _is_broker(diagram: MermaidDiagram, node_id: str, key: str, gaz: Gazetteer) -> bool:
    """Whether a node is a message broker or queue: by its category, its shape or its name, unless its name ends
    with the kind of process it is."""
    node = diagram.nodes.get(node_id)
    label = re.split(r"<br\s*/?>|\n", node.label)[0] if node is not None else ""
    if PROCESS_HEAD.search(label):
        return False
    shape = "queue" if node is not None and node.shape == "queue" else ""
    return bool(BROKER_HINT.search(f"{gaz.category_of(key)} {shape} {label}"))


def broker_message(label: str, source_broker: bool, target_broker: bool) -> tuple[str, str] | None:
    """(relation, direction) of a sequence message between a broker and something else: sent to the broker, the
    sender publishes (or, "poll"/"consume", takes from it); sent by the broker, the receiver consumes from it
    ("K->>PS: OrderCreated"). None when neither end or both ends are brokers."""
    if source_broker == target_broker:
        return None
    if target_broker:
        return ("consumesFrom", "forward") if TAKE_VERB.search(label) else ("publishesTo", "forward")
    return "consumesFrom", "reverse"


def classify_edge(label: str, target_hint: str, arrow: str, source_hint: str = "",
                  sequence: bool = False) -> tuple[str, str]:
    """(relation, direction) of a diagram edge, from its label, what each end is (hints), and the arrow.

    A hint is what a node is, in words (its category, its subgraphs' titles, its shape); a store is a
    node whose hint says storage, database, cache, events or queue. A `sequence` message is a request from
    its sender, whatever it asks for ("Fetch chunks"): the sender needs the receiver (a message to or from a
    broker is read by `broker_message` first).
    """
    relation, direction = _classify_edge(label, target_hint, arrow, source_hint, sequence)
    return (relation, "forward") if sequence else (relation, direction)


# an arrow's label that only names a transport or a port ("TCP", "AMQP", "tls", ":9092")
TRANSPORT_ONLY = re.compile(r"(?i)(?:tcp|udp|tls|ssl|amqps?|mqtts?|kafka(?: protocol)?|resp|wire protocol|"
                            r"binary|socket|port\s*\d+|:?\d{2,5})(?:\s*[/,+]\s*(?:tcp|udp|tls|ssl|:?\d{2,5}))*")


def _classify_edge(label: str, target_hint: str, arrow: str, source_hint: str, sequence: bool) -> tuple[str, str]:
    if arrow.startswith("<") or (">" not in arrow and not arrow.endswith(("x", "o"))):
        return "relatedTo", "forward"  # a two-headed or undirected link says the ends are connected, not how
    source_store, target_store = bool(STORAGE_HINT.search(source_hint)), bool(STORAGE_HINT.search(target_hint))
    if target_store and TRANSPORT_ONLY.fullmatch(label.strip()):
        label = ""  # "checkout -->|TCP| queue": how the bytes travel says nothing; into a broker, a publish
    if label:
        named = _named_relation(label)
        if named:
            return named, "forward"  # "-- dependsOn -->", "-- runs on -->": the label is the relation
        if re.search(r"\bsync|\bpull|\bfetch|\bclone|\bwatch|\bpoll", label, re.I) and SOURCE_HINT.search(target_hint):
            return "consumesFrom", "forward"  # "argocd -->|Syncs| github": a GitOps tool reads its repository
        if not sequence and READ_FROM_SOURCE.search(label) and SOURCE_HINT.search(source_hint) \
                and not SOURCE_HINT.search(target_hint):
            return "consumesFrom", "reverse"  # "repo -->|reconcile| argocd": drawn as the changes flow, still a read
        if CALL_VERB_LEAD.search(label):
            return "dependsOn", "forward"
        if not sequence and source_store and not target_store and _names_a_payload(label):
            return "consumesFrom", "reverse"  # "db -->|Durability Queue| service": what a store holds flows to its reader
        for pattern, relation, direction in EDGE_RULES:
            if pattern.search(label):
                if direction == "read":
                    direction = _read_direction(label, source_store, target_store,
                                                READER_HINT.search(target_hint) is not None
                                                and READER_HINT.search(source_hint) is None)
                elif direction == "flow":
                    return (relation, "forward") if target_store else ("consumesFrom", "reverse")
                return relation, direction
        return "relatedTo", "forward"
    if READER_HINT.search(source_hint) and not READER_HINT.search(target_hint):
        return "consumesFrom", "forward"  # a dashboard pointing at a backend reads from it
    if target_store:
        if re.search(r"event|stream|queue|broker", target_hint, re.I):
            return "publishesTo", "forward"
        return "storesDataIn", "forward"
    return "relatedTo", "forward"


# an arrow's label that names what travels along it, not what is done: "Permission Updates", "Order events", "Job queue"
PAYLOAD_LABEL = re.compile(r"(?:[A-Za-z][\w/-]*\s+){0,3}(?:updates?|events?|messages?|records?|data|changes?|"
                           r"notifications?|queues?|state|results?|jobs?|tasks?|commands?|batch(?:es)?|feeds?|rows|"
                           r"payloads?|snapshots?)", re.I)


def _names_a_payload(label: str) -> bool:
    """Whether a label is a noun phrase for what flows ("Permission Updates"), not a verb and its object ("Sends
    updates", "Push events"): its first word, read without a verb's -s, is no verb of a step."""
    label = label.strip()
    first = re.sub(r"^([A-Za-z]+?)(?:es|s)\b", r"\1", label)
    return PAYLOAD_LABEL.fullmatch(label) is not None and not STEP_VERB.match(first) and not STEP_VERB.match(label)


PEOPLE_BOX = re.compile(r"^\W*(?:browser|web browser|users?|end users?|clients?|customers?|people|person|operators?|"
                        r"admins?|developers?|engineers?|callers?|requesters?|reviewers?|approvers?|maintainers?|"
                        r"citizens?|applicants?|staff|on-call)\b", re.I)

# a box named for the people it stands for, by its last word: "Clinical Staff", "On-Call Team", "Support Engineers"
PEOPLE_HEAD = re.compile(r"\b(?:staff|users|team|teams|people|personnel|clinicians?|patients|doctors|nurses|customers|"
                         r"citizens|analysts|administrators|engineers|developers|operators)\W*$", re.I)


# a box that lists three things or more: "Shiny, Flask, Django, NGINX"
LISTING_BOX = re.compile(r"^\s*[^,()\n]{2,30}(?:,\s*[^,()\n]{2,30}){2,}\s*$")


def _names_people(label: str) -> bool:
    """Whether a box is named for people by the last word of its name, what follows in brackets or on the next
    line left out ("hr-platform (HR Team)" is the platform)."""
    return PEOPLE_HEAD.search(re.split(r"\s*[(<\n]", label, maxsplit=1)[0]) is not None


def _diagram_entity(diagram: MermaidDiagram, node_id: str, gaz: Gazetteer, doc: Document | None = None) -> str | None:
    """The entity a node (or a subgraph used as an edge's end) stands for."""
    node = diagram.nodes.get(node_id)
    if node is not None:
        if PEOPLE_BOX.match(node.label or "") or _names_people(node.label or ""):
            return None  # "Browser<br/>Grafana UI": a person's screen, not the product it shows; "Clinical Staff"
        first = _first_line(doc, node.id, node.line, node.label or "") if doc is not None else node.label or ""
        if LISTING_BOX.match(first):
            return None  # "Shiny, Flask, Django, NGINX": a box for several things, none of which its arrows are about
        if node.subgraph in diagram.subgraphs and _part_of_its_box(first):
            # "REST API<br/>webhook endpoint" or "Build • Test • Scan (Trivy)" inside the payment-service or
            # GitHub Actions box: a part or a step of the box's component, not the tool it names in passing
            box = diagram.subgraphs[node.subgraph]
            owner = gaz.node_entity(box.label, box.id)
            if owner and gaz.type_of(owner) == "Component" and not _hosts(box.label, owner, gaz):
                return owner
        if _protocol_end(first):
            return None  # "gRPC Server" in no service's box: some service's end, never the protocol as a party
        return gaz.node_entity(node.label, node.id)
    sub = diagram.subgraphs.get(node_id)
    if sub is not None:
        return gaz.node_entity(sub.label, sub.id)
    return gaz.node_entity(node_id, node_id)


def _hosts(label: str, key: str, gaz: Gazetteer) -> bool:
    """Whether a box is where things run, by its title ("K3s Cluster", "AWS Account") or by what its entity is (a
    provider, a Kubernetes distribution, a cloud): what is drawn inside it runs on it and is not it."""
    return gaz.type_of(key) == "Vendor" or bool(HOST_WORDS.search(label)) or gaz.hosts(key)


def _part_of_its_box(first_line: str) -> bool:
    """Whether a node's first line names a step ("Build • Test") or a generic part ("REST API", "Workers: …")."""
    if STEP_VERB.match(first_line):
        return True
    lead = re.split(r"\s*[:(—–]|\s-\s", first_line, maxsplit=1)[0]
    words = re.findall(r"[A-Za-z]+", lead)
    return bool(words) and all(w.lower() in GENERIC_NODES or w.lower() in NODE_KIND or w.lower() in GENERIC_ADJECTIVES
                               or w.lower() in WIRE_PROTOCOLS for w in words)


def _protocol_end(first_line: str) -> bool:
    """Whether a node's first line names how something is spoken to and the part that speaks it: "gRPC Server",
    "GraphQL API", "MQTT Listener :1883" (not "gRPC" alone, which may be the protocol drawn as a thing)."""
    lead = re.split(r"\s*[:(—–]|\s-\s", first_line, maxsplit=1)[0]
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", lead)]
    return any(w in WIRE_PROTOCOLS for w in words) and any(w not in WIRE_PROTOCOLS for w in words) \
        and all(w in WIRE_PROTOCOLS or w in GENERIC_NODES or w in NODE_KIND for w in words)


def _landscape_kind(key: str, gaz: Gazetteer) -> str:
    """What the landscape files an entity under, beside the role the docs give it ("Serving layer" is PostgreSQL's
    role, and it is still a database)."""
    from .. import gazetteer

    ent = gaz.entities.get(key)
    if ent is None:
        return ""
    record = gazetteer.load().get(ent.label)
    return str(ent.props.get("landscape") or (record.subcategory or record.category if record else ""))


def _diagram_hint(diagram: MermaidDiagram, node_id: str, key: str, gaz: Gazetteer) -> str:
    """What a node is, in words: its entity's category, its subgraphs' titles, its label, a cylinder's 'storage'."""
    hints = [gaz.category_of(key), _landscape_kind(key, gaz)]
    node = diagram.nodes.get(node_id)
    if node is None and node_id in diagram.subgraphs:
        hints.append(diagram.subgraphs[node_id].label)  # a box used as an edge's end: "Git Repository"
    if node is not None and node.shape in ("cylinder", "database"):
        hints.append("storage")
    if node is not None and node.shape == "queue":
        hints.append("queue")
    sub_id = node.subgraph if node else None
    while sub_id and sub_id in diagram.subgraphs:
        hints.append(diagram.subgraphs[sub_id].label)
        sub_id = diagram.subgraphs[sub_id].parent
    if node:
        hints.append(node.label)  # all its lines: "Rook-Ceph<br/>distributed storage" is a store
    return " ".join(hints)


# an edge drawn in words: "Gateway → Order Service: REST (commands)", "Reporting ← Broker: event ingestion"
WORD_ARROW = re.compile(r"\s+(?P<arrow>→|⟶|-{1,2}>|←|⟵|<-{1,2})\s+")


def arrow_lines(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """A list item or a short line that draws an edge in words is read as a diagram's edge is, by its label and
    what its ends are: "- Services → Broker: domain events" publishes, "- Reporting ← Broker: event ingestion"
    reads. Only between names the workspace knows, and only an end that is a name, not a step of a process."""
    for block in doc.blocks:
        if len(block.text) > 160 or not WORD_ARROW.search(block.text):
            continue
        body, _, label = block.text.partition(": ")
        if not WORD_ARROW.search(body):
            body, label = label, ""  # "Data flow: store-front -> order-service -> RabbitMQ": a lead-in, then the chain
        arrows = list(WORD_ARROW.finditer(body))
        if not arrows or len({a.group("arrow").startswith(("←", "⟵", "<")) for a in arrows}) != 1 or \
                re.search(r"(?:^|→|->|←|<-)\s*\d", body):
            continue  # a chain that turns back on itself, a ranking ("1. X → 2. Y"): no edges
        backwards = arrows[0].group("arrow").startswith(("←", "⟵", "<"))
        cuts = [0, *(x for a in arrows for x in (a.start(), a.end())), len(body)]
        ends = [_named_end(body[a:b], gaz) for a, b in zip(cuts[::2], cuts[1::2])]
        if len(arrows) > 2 and not all(ends):
            continue  # a long pipeline of steps; a longer chain counts only where every stop is a known name
        for src, dst in zip(ends, ends[1:]):
            if backwards:
                src, dst = dst, src
            if not src or not dst or src == dst:
                continue
            hints = [gaz.category_of(key) for key in (src, dst)]
            relation, direction = broker_message(label, *(bool(BROKER_HINT.search(h)) for h in hints)) or \
                classify_edge(label.strip(), hints[1], "-->", hints[0])
            subject, obj = (src, dst) if direction == "forward" else (dst, src)
            out.facts.append(Fact(subject, relation, obj, evidence_at(doc, block.line, "prose", block.text,
                                                                      0.5 if relation == "relatedTo" else 0.6),
                                  subject_type="key", object_type="key"))


def _named_end(text: str, gaz: Gazetteer) -> str | None:
    """The component or vendor an arrow's end names, when the end is that name and little more."""
    text = re.sub(r"^\W+|[\s.,;]+$", "", text)
    hits = [h for h in gaz.scan(text) if gaz.type_of(h[2]) in ("Component", "Vendor")]
    if not hits or hits[0][0] > 4 or len(text) - hits[-1][1] > 12 or len(text.split()) > 6:
        return None
    return hits[-1][2] if len({h[2] for h in hits}) == 1 or hits[-1][1] == len(text) else None


def _from_broker(label: str, arrow: str, brokers: tuple[bool, bool], target_hint: str,
                 target_category: str) -> tuple[str, str] | None:
    """A flowchart arrow out of a broker or topic into one of the workspace's own processes ("patient.events -->
    handler-service"): the process consumes from it, whatever the label says it carries. Not into a store, where
    the broker keeps its data, nor into a product: one the broker runs on ("Kafka --> ZooKeeper"), or a stream
    processor the landscape files beside brokers, whose own arrows carry what it writes."""
    if not brokers[0] or brokers[1] or ">" not in arrow or arrow.startswith("<") or target_category \
            or STORAGE_HINT.search(target_hint) and not BROKER_HINT.search(target_hint) \
            or (label and (_named_relation(label) or NOT_A_DELIVERY.search(label))):
        return None
    return "consumesFrom", "reverse"


# labels of what a broker's operator does to it, not of messages it delivers
NOT_A_DELIVERY = re.compile(r"deploy|reconcil|install|scal|provision|monitor|scrap|back ?up|snapshot|offload|tier|"
                            r"archiv|stor|persist|upload", re.I)


# what a process does to the rows it keeps (not "manages", "scales", "replicates": what an operator does to a store)
DATA_VERB = re.compile(r"sav(?:e|es|ing)\b|insert|upsert|\brecord|audit|append|\bput\b|\bset\b|index|cach|"
                       r"escrib|guard|\blee\b|\br/w\b|crud", re.I)


def _by_the_ends(relation: str, direction: str, label: str, arrow: str, hints: tuple[str, str]) -> tuple[str, str]:
    """A diagram relation settled by what its ends are: a call, or a label kg cannot type, into a database, cache
    or bucket stores data in it ("Insert care gap record", "Save order (PENDING)", "Lee/Escribe"); a message
    that says it is sent ("push image") stays a publication."""
    if arrow.startswith("<") or ">" not in arrow or not label or _named_relation(label):
        return relation, direction
    subject_hint, object_hint = hints if direction == "forward" else hints[::-1]
    # (a registry or a repository is where artifacts are published, not a store of the sender's data)
    stores = [bool(STORAGE_HINT.search(h)) and not BROKER_HINT.search(h) and not SOURCE_HINT.search(h)
              for h in (subject_hint, object_hint)]
    if stores[1] and not stores[0] and (relation == "dependsOn" or relation == "relatedTo" and DATA_VERB.search(label)):
        return "storesDataIn", direction
    return relation, direction


# a box that holds what the drawn system relies on: "Integrations", "External Services", "Backing services"
DEPENDENCY_BOX = re.compile(r"(?:integrations?|dependencies|backing services|managed services|"
                            r"(?:external|third[- ]party|upstream)\s+(?:services|systems|apis|dependencies|providers)|"
                            r"third[- ]party)", re.I)
# a box that takes requests and routes them on: "API Gateway", "Ingress", "Reverse Proxy", "Load Balancer"
ROUTER_BOX = re.compile(r"^(?:[\w.-]+\s+){0,2}(?:gateway|ingress|ingress controller|reverse proxy|proxy|load balancer|"
                        r"lb|alb|elb|nlb|edge router)$", re.I)


def _in_dependency_box(diagram: MermaidDiagram, node_id: str) -> bool:
    """Whether a node is drawn inside a box of what the system relies on, at any depth."""
    node = diagram.nodes.get(node_id)
    sub_id, seen = (node.subgraph if node else None), set()
    while sub_id in diagram.subgraphs and sub_id not in seen:
        seen.add(sub_id)
        sub = diagram.subgraphs[sub_id]
        title = re.split(r"\s*[(<]", clean_name(sub.label or ""), maxsplit=1)[0]
        if DEPENDENCY_BOX.fullmatch(title):
            return True
        sub_id = sub.parent
    return False


def _routes_traffic(doc: Document, diagram: MermaidDiagram, node_id: str, fan_out: Counter[str]) -> bool:
    """Whether a node is a gateway, an ingress, a proxy or a load balancer routing requests on to several boxes: by
    its first line ("API Gateway<br/>routing"), not by its product, which a chart of start-up order draws too
    ("Traefik --> Argo CD"); and to two boxes or more, as a router fans out ("Internet Gateway --> Public Subnets"
    is a network's layout)."""
    node = diagram.nodes.get(node_id)
    if node is None or fan_out[node_id] < 2:
        return False
    first = re.split(r"\s*\(", _first_line(doc, node.id, node.line, node.label), maxsplit=1)[0]
    return ROUTER_BOX.fullmatch(clean_name(first)) is not None


def _bare_arrow(label: str, arrow: str) -> bool:
    """An arrow with a head and no label: `a --> b`."""
    return not label.strip() and ">" in arrow and not arrow.startswith("<")


def mermaid_edges(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """Flowchart edges and sequence messages between nodes that name known components, typed by label and target."""
    for diagram in doc.diagrams:
        if diagram.kind not in ("flowchart", "sequence", "c4"):
            continue
        previous = None
        callers: set[str] = set()  # boxes whose labelled arrows say they call what they point at
        loose: list[tuple[int, str]] = []  # arrows out of a box read as no more than related: (fact, its box)
        fan_out = Counter(e.source for e in diagram.edges if _bare_arrow(e.label, e.arrow))
        for edge in diagram.edges:
            if edge.arrow.startswith("~"):
                continue  # an invisible link only lays the drawing out
            src, dst = _diagram_entity(diagram, edge.source, gaz, doc), _diagram_entity(diagram, edge.target, gaz, doc)
            brokers = (src is not None and _is_broker(diagram, edge.source, src, gaz),
                       dst is not None and _is_broker(diagram, edge.target, dst, gaz))
            if diagram.kind == "sequence":
                is_reply = edge.arrow.startswith("--") and not brokers[0] or REPLY.search(edge.label) or (
                    previous is not None and (previous.source, previous.target) == (edge.target, edge.source))
                previous = edge
                if is_reply:
                    # a dashed message, "Return spans", or the answer to the message before it; but a broker's
                    # dashed message is a delivery ("Kafka-->>Alert: Consume gap events")
                    continue
            if not src or not dst or src == dst:
                continue
            hints = (_diagram_hint(diagram, edge.source, src, gaz), _diagram_hint(diagram, edge.target, dst, gaz))
            delivered = broker_message(edge.label, *brokers) if diagram.kind == "sequence" else \
                _from_broker(edge.label, edge.arrow, brokers, hints[1], gaz.category_of(dst))
            classified = classify_edge(edge.label, hints[1], edge.arrow, hints[0], sequence=diagram.kind == "sequence")
            if diagram.kind == "c4" and classified[0] == "relatedTo" and edge.arrow == "-->" \
                    and getattr(diagram.nodes.get(edge.source), "shape", "") not in ("cylinder", "queue"):
                # C4's Rel(a, b, …) says a uses b whatever its label's words ("Ruft Daten ab", ""); a store's
                # arrow to another ("Indexierung") is a flow of data, left untyped
                classified = ("dependsOn", "forward")
            if diagram.kind == "flowchart" and classified == ("relatedTo", "forward") \
                    and _bare_arrow(edge.label, edge.arrow) \
                    and (_in_dependency_box(diagram, edge.target) or _routes_traffic(doc, diagram, edge.source, fan_out)):
                # "svc --> OpenFGA" into the "Integrations" box, "gateway --> orders": the tail needs the head
                classified = ("dependsOn", "forward")
            relation, direction = delivered or _by_the_ends(*classified, edge.label, edge.arrow, hints)
            subject, obj = (src, dst) if direction == "forward" else (dst, src)
            text = f"{edge.source} {edge.arrow}{'|' + edge.label + '|' if edge.label else ''} {edge.target}"
            # a label that names the relation is surest; a label read for its kind next; an arrow alone least
            sure = 0.9 if edge.label and _named_relation(edge.label) else 0.8 if edge.label else 0.6
            ev = Evidence(doc.path, edge.line, doc.line_text(edge.line) or text, "mermaid",
                          0.5 if relation == "relatedTo" else sure)
            if diagram.kind == "flowchart" and direction == "forward" and ">" in edge.arrow \
                    and not edge.arrow.startswith("<"):
                if relation == "dependsOn" and edge.label and not delivered:
                    callers.add(edge.source)
                elif relation == "relatedTo" and not edge.label.strip():
                    loose.append((len(out.facts), edge.source))
            out.facts.append(Fact(subject, relation, obj, ev, subject_type="key", object_type="key"))
        # a box that calls what its labelled arrows point at ("auth -->|validate access token| maskinporten") needs
        # what its bare arrows point at too ("auth --> kv"): one drawing reads one way around a box (a labelled arrow
        # keeps its own reading: "flux -->|Manage| flagger" operates, it does not need)
        for at, source in loose:
            if source in callers:
                f = out.facts[at]
                out.facts[at] = Fact(f.subject, "dependsOn", f.object, replace(f.evidence, confidence=0.6),
                                     subject_type="key", object_type="key")


# node labels that name a kind of participant, not a technology
GENERIC_NODES = frozenset("""
user users browser client clients customer customers internet email inbox developer developers admin admins
administrator person people team teams system service services database api frontend backend ui app application
server servers network cloud storage cache queue start end yes no ok error success failure
primary replica replicas secondary standby leader follower master worker workers node nodes pod pods
engineer engineers caller callers requester requesters reviewer reviewers approver approvers maintainer maintainers
citizen citizens applicant applicants staff microservice microservices
rest endpoint endpoints webhook webhooks interface job jobs handler handlers listener listeners
""".split())
# the kind of thing a node is, written after its name
NODE_KIND = frozenset("""component components cluster clusters queue queues instance instances pod pods node nodes app
ui server servers db database broker brokers bucket buckets deployment deployments tables""".split())
# how a service is spoken to, written before the part that speaks it: "gRPC Server", "GraphQL API", "MQTT Listener"
# drawn inside a service's box are that service's own ends, not the protocol as a product
WIRE_PROTOCOLS = frozenset("""grpc graphql http https rpc json xml soap websocket websockets ws tcp udp amqp mqtt
thrift sse""".split())
GENERIC_ADJECTIVES = frozenset("web mobile internal external public private main local remote shared central".split())
PEOPLE_SHAPES = ("circle", "doublecircle", "actor")


STEP_VERB = re.compile(r"^(?:check|build|generate|execute|consider|optimi[sz]e|block|add|create|delete|update|remove|run|"
                       r"deploy|send|receive|get|set|start|stop|restart|scale|verify|validate|notify|alert|push|pull|"
                       r"fetch|read|write|store|save|load|apply|review|approve|reject|investigate|escalate|resolve|"
                       r"rollback|roll back|retry|wait|collect|process|handle|trigger|call|return|enable|disable|"
                       r"configure|install|upgrade|migrate|backup|restore|purge|rotate|sync|merge|test|scan|sign|"
                       r"publish|release|provision|assign|route|forward|inspect|tag|emit|make|edit|show|allow|deny|"
                       r"choose|confirm|enter|select|open|close|submit|upload|download|login|log in|sign in|"
                       r"auto-\w+|is|has|does|do|can|should|what|how|which|when|where|who|why|if|new|old)\b", re.I)
# a service named by what it does: "Retry API", "Upload Service", "Sync Worker"
VERB_NAMED_SERVICE = re.compile(r"^[A-Z][a-z]+(?:\s+[A-Z][\w-]*)?\s+(?:API|Service|Worker|Server|Gateway|Proxy|Scheduler|"
                                r"Processor|Handler|Consumer|Producer|Daemon|Bot|Portal|Backend|Frontend)$")
# a diamond that joins alternatives ("OR1{OR}") in a dependency map, not a question in a process
JUNCTION = re.compile(r"^(?:or|and|xor|and/or|either|any|any of|one of|all of)$", re.I)
DECISION_LABELS = re.compile(r"^(?:yes|no|true|false|ok|fail(?:ed|ure)?|success|pass(?:ed)?|y|n)$", re.I)


def _first_line(doc: Document, node_id: str, line: int, label: str) -> str:
    """The first line of a node's label ("Grafana<br/>Security Dashboard" -> Grafana): the rest describes it."""
    src = doc.line_text(line)
    if "<br" not in src.lower() and "\\n" not in src:
        return label  # one line only
    m = re.search(re.escape(node_id) + r"\s*[\[({>/\\]+\s*\"?([^\"\])}]*)", src)
    # a line break written as <br/>, or as "\n" (which Mermaid shows as one in a quoted label)
    if m and re.search(r"<br\s*/?>|\\n", m.group(1), re.I):
        return strip_pictographs(clean_label(re.split(r"<br\s*/?>|\\n", m.group(1), flags=re.I)[0]))
    return label


# the last word of a box that names one of the system's own services ("Cart Service", "Feature Flag Store")
SERVICE_KINDS = frozenset("""service api gateway proxy store db database worker workers queue cache generator
engine server app backend frontend portal processor scheduler consumer producer handler adapter bridge
""".split())


def _instance_label(instance: re.Match[str], known: Any) -> bool:
    """Whether "EKS Cluster: bedrock-prod" names one instance of a kind: an instance named like a resource
    ("originals-prod", "resize_images", "db01"), or a kind the gazetteer knows or that is marked as a name ("RDS
    MySQL: Catalog"). Not a setting ("Feature X: OFF") nor a resource of a tool's own kind ("Kustomization: dev")."""
    words = instance.group("kind").split()
    if len(words) >= 2 and words[-1].lower() in NODE_KIND:
        words = words[:-1]
    name = instance.group("name").strip()
    if re.fullmatch(r"(?i)on|off|true|false|yes|no|enabled|disabled|none|n/a|\d[\d.,%]*\s*\w{0,3}", name):
        return False
    return bool(re.fullmatch(r"[\w.-]*[-_.\d][\w.-]*", name)) or known.get(" ".join(words)) is not None \
        or any(re.search(r"[A-Z]{2}|[a-z][A-Z]|\d", w) for w in words)


def _named_service(node_id: str, label: str) -> bool:
    """A box the author gave an id of its own and a title-case name of a service: `cartservice(Cart Service)`.
    The words are everyday ones, but together they name a part of this system."""
    words = label.split()
    return len(words) >= 2 and node_id.lower() != label.lower() and words[-1].lower() in SERVICE_KINDS \
        and all(w[:1].isupper() for w in words)


def _c4_elements(doc: Document, diagram: MermaidDiagram, out: Extraction, known: Any) -> None:
    """A C4 diagram declares its parts: every element but a person is a component, whatever its words
    ("Web App", "Events"), and the technology it names ("PostgreSQL") is one too."""

    for node in diagram.nodes.values():
        if node.shape in PEOPLE_SHAPES or not node.label:
            continue
        ev = Evidence(doc.path, node.line, doc.line_text(node.line) or node.label, "mermaid")
        out.mentions.append(Mention(clean_name(node.label), "Component", ev, strength=1, props={"declared": True}))
        for tech in _c4_technologies(doc, node):
            if known.get(tech) is not None:
                out.mentions.append(Mention(tech, "Component", ev, strength=1))
    # `System_Boundary(id_minter, "ID Minter") { Container(id_minter, …) }`: a box and its one element share an id,
    # so Mermaid draws the box; an arrow from or to it (`Rel(id_minter, …)`) makes the box that element
    ends = {e.source for e in diagram.edges} | {e.target for e in diagram.edges}
    for sid, sub in diagram.subgraphs.items():
        if sid in ends and sub.label and sid not in diagram.nodes:
            ev = Evidence(doc.path, sub.line, doc.line_text(sub.line) or sub.label, "mermaid")
            out.mentions.append(Mention(clean_name(sub.label), "Component", ev, strength=1, props={"declared": True}))
    _known_boxes(doc, diagram, out, known)  # a deployment node names where things run: "K3s Cluster"


def _c4_technologies(doc: Document, node: MermaidNode) -> list[str]:
    """The technologies a C4 element's statement names ("PostgreSQL", "Kafka, Schema Registry")."""
    statement = read_c4_statement(doc.line_text(node.line))
    return [t for t in re.split(r"\s*[,/+]\s*|\s+and\s+", statement.technology if statement else "") if t]


def c4_technologies(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """A C4 data store or queue is an instance of the technology it names (`ContainerDb(db, "Orders",
    "PostgreSQL")`): it needs that technology running, so what needs the store needs it too."""
    for diagram in doc.diagrams:
        if diagram.kind != "c4":
            continue
        for node in diagram.nodes.values():
            if node.shape not in ("cylinder", "queue") or not node.label:
                continue
            element = gaz.node_entity(node.label, node.id)
            for tech in _c4_technologies(doc, node):
                key = gaz.lookup(tech)
                if element and key and key != element and gaz.type_of(key) in ("Component", "Vendor"):
                    ev = Evidence(doc.path, node.line, doc.line_text(node.line) or node.label, "mermaid", 0.7)
                    out.facts.append(Fact(element, "dependsOn", key, ev, subject_type="key", object_type="key"))


def _known_boxes(doc: Document, diagram: MermaidDiagram, out: Extraction, known: Any) -> None:
    """A box drawn around others that a known technology names: "K3s Cluster", "EKS (eu-west-2)"."""
    for sub in diagram.subgraphs.values():
        found = names_in(sub.label or "")
        words = found[0].text.split() if found and found[0].start <= 2 else []
        head = next((" ".join(words[:n]) for n in range(len(words), 0, -1)
                     if known.get(" ".join(words[:n])) is not None), None)
        if head:
            ev = Evidence(doc.path, sub.line, doc.line_text(sub.line) or sub.label, "mermaid")
            out.mentions.append(Mention(head, "Component", ev, strength=1))


def diagram_nodes(doc: Document, out: Extraction) -> None:
    """A node of an architecture diagram or a participant of a sequence diagram that carries a name is a component.

    Process flows (decisions, Yes/No branches) and steps ("Check Metrics") name actions, not components; a
    label's first line names the node, later lines describe it; a plain capitalised word ("Sentry") is only a
    candidate, a name if the workspace writes it elsewhere too.
    """
    from .. import gazetteer

    known = gazetteer.load()
    for diagram in doc.diagrams:
        if diagram.kind not in ("flowchart", "sequence", "c4"):
            continue
        if diagram.kind == "c4":
            _c4_elements(doc, diagram, out, known)
            continue
        if diagram.kind == "flowchart" and (
                any(n.shape in ("rhombus", "diamond", "decision") and not JUNCTION.match((n.label or "").strip())
                    for n in diagram.nodes.values())
                or any(DECISION_LABELS.match(e.label.strip()) for e in diagram.edges if e.label)):
            continue  # a process flow: its boxes are steps
        box_labels = {re.split(r"<br\s*/?>|\(", n.label or "", maxsplit=1)[0].strip().lower()
                      for n in diagram.nodes.values()}
        # a diagram of things, not of steps: a verb before a kind of service names one ("Retry API", "Upload Service")
        # where few of its boxes are steps ("Build Image" → "Push Image" → "Deploy Service" is a pipeline)
        steps = sum(1 for n in diagram.nodes.values() if STEP_VERB.match(re.sub(r"\s+", " ", n.label or "").strip()))
        of_things = steps * 2 < len(diagram.nodes)
        for node in diagram.nodes.values():
            if node.shape == "actor":
                continue  # people: users, editors, operators (a circle is a person when its name says so, below)
            whole = re.sub(r"\s+", " ", node.label or "").strip()
            label = _first_line(doc, node.id, node.line, whole)
            if INSTANCE_BOX.fullmatch(label):
                # "Pod 1", "Replica 2\nOlric distributed cache": one instance of what the box's next line or the
                # subgraph around it names, never a component of its own
                label = whole[len(label):].strip() if whole.startswith(label) else ""
            label = _unglued(label)
            if not label or STEP_VERB.match(label) and not (of_things and VERB_NAMED_SERVICE.match(label)) \
                    or _names_people(label) \
                    or node.shape in PEOPLE_SHAPES and PEOPLE_BOX.match(label):
                continue  # a step, or people: "Clinical Staff", "On-Call Team", "Customers", a circle "User"
            head = re.split(r"<br\s*/?>|\(", label, maxsplit=1)[0].strip()
            apart = sorted(b for b in box_labels if b and head.lower().startswith(b + " "))
            if apart:  # "Frontend Proxy" beside a box "Frontend": two things, whatever else names them
                out.mentions.append(Mention(clean_name(head), "Component", Evidence(
                    doc.path, node.line, doc.line_text(node.line) or label, "mermaid"), strength=-1,
                    props={"apart_from": apart}))
            # "PostgreSQL / CNPG": two names for one thing
            alternatives = [a.strip() for a in re.split(r"\s+/\s+|\s+or\s+", label) if a.strip()]
            if len(alternatives) == 2 and all(names_in(a) and names_in(a)[0].start == 0 for a in alternatives):
                first, second = (names_in(a)[0].text for a in alternatives)
                ev = Evidence(doc.path, node.line, doc.line_text(node.line) or label, "mermaid")
                out.mentions.append(Mention(first, "Component", ev, aliases=[second], props={"alias_of_node": True}))
                continue
            label = INSTANCE_SUFFIX.sub("", label)  # "API Gateway Pod 2": one of the gateway's instances
            instance = INSTANCE_OF.match(label)
            if instance and _instance_label(instance, known):
                label = instance.group("kind")  # "S3 Bucket: assets": one bucket of S3, drawn as S3
            names = names_in(label)
            if not names or names[0].start > 2:
                continue
            name = names[0]
            if all(w.lower() in GENERIC_NODES or w.lower() in GENERIC_ADJECTIVES for w in name.text.split()) \
                    and not _named_service(node.id, name.text) or re.fullmatch(r"[\W\d_]+", name.text):
                # "Cache<br/>(redis)": a generic box that says in brackets what it is
                inner = re.search(r"\(([^()]{2,40})\)", node.label or "")
                found = names_in(inner.group(1), frozenset({inner.group(1).strip()})) if inner else []
                if found and found[0].start == 0 and known.get(found[0].text) is not None:
                    ev = Evidence(doc.path, node.line, doc.line_text(node.line) or label, "mermaid")
                    out.mentions.append(Mention(found[0].text, "Component", ev, strength=1))
                continue
            rest = label[name.end:].strip()
            # the label is a name ("KEDA ~250MB", "Amazon S3 bucket", "Amazon SES (Simple Email Service)"),
            # not a step of a flow ("Add a question", "Check that the user has access")
            if rest and not rest.startswith("(") and any(
                    w[:1].isalpha() and w.lower().strip(".,") not in SAME_THING_HEAD for w in rest.split()):
                continue
            ev = Evidence(doc.path, node.line, doc.line_text(node.line) or label, "mermaid")
            m = re.fullmatch(r"\(([^()]{2,60})\)", rest)
            aliases = [m.group(1).strip()] if m and not INSTANCE_BOX.fullmatch(m.group(1).strip()) \
                else ([name.abbreviation] if name.abbreviation else [])  # ("s3inbox (Pod A)": one copy of it)
            text = name.text
            words = text.split()
            # "Backstage Component", "Redpanda Queue": a kind of thing after the name is not part of it, unless
            # the diagram draws the name alone as another box ("Frontend" and "Frontend Proxy")
            if len(words) >= 2 and words[-1].lower() in NODE_KIND and diagram.kind != "sequence" \
                    and " ".join(words[:-1]).lower() not in box_labels:
                text = " ".join(words[:-1])
                words = words[:-1]
            # only a name with a mark of one (a capital inside, a digit, a hyphen) or one the gazetteer
            # knows stands on its own; a plain word needs a second mention
            marked = any(re.search(r"[A-Z].*[A-Z]|\d|[-.]", w) for w in words) or known.get(text) is not None \
                or not all(gazetteer.is_everyday_word(w) for w in words) \
                or diagram.kind == "sequence" and node.id != node.label \
                or _named_service(node.id, name.text)  # "participant pay as Stripe", "cartservice(Cart Service)"
            marked = marked and not (_shouted(words) and known.get(text) is None)
            # a box of everyday words ("Feature Flags", "Primary") only joins a name the docs give elsewhere
            out.mentions.append(Mention(text, "Component", ev, aliases=aliases, strength=1 if marked else -1))
        _known_boxes(doc, diagram, out, known)


# a box that is one running copy of something: "Pod 1", "Replica 2", "Worker N", "Node B", "Shard #3"
INSTANCE_BOX = re.compile(rf"(?:{INSTANCE_WORDS})(?:\s*#?\d{{1,3}}|\s+#?[a-z])", re.I)
PLURAL_MARK = re.compile(r"(?<=[a-z])\(e?s\)", re.I)  # "Visa Issuer(s)": one or more issuers
GLUED_BRACKET = re.compile(r"(?<=[A-Za-z]{2})\((?=[A-Za-z])")  # "Exporter(HTTP Server)", not "O(log n)"


def _unglued(label: str) -> str:
    """A box's label with its brackets set apart as written elsewhere: "Prometheus Exporter(HTTP Server)" is
    "Prometheus Exporter (HTTP Server)", "Visa Issuer(s)" is "Visa Issuer" (not names "Exporter(HTTP", "Issuer(s")."""
    return GLUED_BRACKET.sub(" (", PLURAL_MARK.sub("", label))


def _shouted(words: list[str]) -> bool:
    """Whether a box's words are a warning in capitals, not a name: "DATA LEAK", "SPOOFING RISK" (a name in
    capitals is one word, "MERCURY", or made of abbreviations, "ICM REST", or one the gazetteer knows)."""
    return len(words) >= 2 and all(w.isalpha() and w.isupper() and (is_everyday_word(w) or len(w) >= 6)
                                   for w in words)


HOST_WORDS = re.compile(r"\b(?:cluster|clusters|kubernetes|k8s|node|nodes|server|servers|vps|vm|vms|host|hosts|"
                        r"cloud|account|region|data ?cent(?:er|re)|namespace)\b", re.I)


def hosting_subgraphs(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """A diagram box that is a cluster or a provider, with components drawn inside it: they run on it
    ('subgraph cluster["K3s Cluster"]' holding MinIO's pods: MinIO runs on K3s)."""
    for diagram in doc.diagrams:
        if diagram.kind not in ("flowchart", "c4"):
            continue
        for sub in diagram.subgraphs.values():
            host = gaz.node_entity(sub.label, sub.id) if sub.label else None
            if host is None or not _hosts(sub.label, host, gaz):
                continue
            if not _names_a_host(sub.label, host, gaz):
                continue  # "AWS Encryption", "Wave 1: Clusters & PKI": a topic or a phase, not a place
            ev = Evidence(doc.path, sub.line, doc.line_text(sub.line) or sub.label, "mermaid", 0.7)
            for node_id in _inside(diagram, sub.id):
                node = diagram.nodes[node_id]
                guest = gaz.node_entity(node.label, node.id)
                if guest and guest != host and gaz.type_of(guest) == "Component":
                    out.facts.append(Fact(guest, "runsOn", host, ev, subject_type="key", object_type="key"))


# words a host's box may carry beside its name: "K3s Cluster", "Production EKS (eu-west-2)", "Contabo VPS"
PLACE_WORDS = frozenset("""prod production staging stage dev development test testing qa uat live primary secondary main
shared central on-prem on-premises onprem private public edge core workload workloads platform self-hosted managed
environment env zone the our""".split())


def _names_a_host(label: str, host: str, gaz: Gazetteer) -> bool:
    """Whether a box's title is a place: the host's name with only host and place words beside it."""
    if re.match(r"\W*namespace\b", label, re.I):
        return False  # "namespace: talent-mesh": a namespace is named after what runs in it
    words = re.findall(r"[A-Za-z][\w-]*", re.sub(r"\([^)]*\)", " ", label))
    if words and HOST_WORDS.fullmatch(words[-1]):
        return True  # "Organisation AWS Account", "K3s Cluster": the box is a place by its last word
    hits = [h for h in gaz.scan(label) if h[2] == host]
    if not hits:
        return True  # named by its id or a first line; nothing else to weigh
    start, end = hits[0][0], hits[0][1]
    rest = re.sub(r"\([^)]*\)", " ", label[:start] + " " + label[end:])
    for word in re.findall(r"[A-Za-z][\w-]*", rest):
        if not (HOST_WORDS.fullmatch(word) or word.lower() in PLACE_WORDS or re.search(r"\d|-", word)
                or len(word) <= 3 and word.isupper()):
            return False
    return True


def _inside(diagram: MermaidDiagram, sub_id: str) -> list[str]:
    """The nodes drawn inside a subgraph, at any depth."""
    found: list[str] = []
    stack = [sub_id]
    seen: set[str] = set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for member in diagram.subgraphs[current].members:
            if member in diagram.subgraphs:
                stack.append(member)
            elif member in diagram.nodes:
                found.append(member)
    return found
