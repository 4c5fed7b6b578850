"""Extraction and alias resolution on small workspaces written here: names, aliases, direction, ADR styles."""

from __future__ import annotations

from kg.build import build
from kg.model import BuildResult
from kg.rules.diagrams import broker_message, classify_edge

STACK = """\
# Platform stack

| Category | Technology | Version | Purpose |
|----------|------------|---------|---------|
| Events | Redpanda | 5.x | Kafka-compatible streaming |
| Objects | MinIO | Latest | S3-compatible object storage |
| Autoscaling | KEDA | 2.x | Event-driven autoscaling |
| GitOps | Flux | 2.x | Continuous delivery |
| DB Operators | CloudNativePG (CNPG) | 1.x | PostgreSQL operator |
| Logging | Grafana Loki | 3.x | Log aggregation |
| Dashboards | Grafana | 11 | Visualisation |
| Backup | Velero + R2 | Latest | Kubernetes backup to Cloudflare R2 |

### Redpanda (Event Streaming)

- Three brokers with Raft
- Tiered storage to MinIO for long retention

| Decision | Value | Rationale |
|----------|-------|-----------|
| **MetalLB** | **NOT USED** | no ARP on VPS |

```mermaid
flowchart LR
    redpanda -->|"consumer lag"| keda
    flux -->|"reconciles"| redpanda & minio
    loki --> store
    subgraph objects["Object Storage"]
        store[(MinIO)]
    end
    grafana --> loki
```

Loki keeps its chunks in MinIO. CNPG backs up to R2.
"""


def relations(result: BuildResult) -> set[tuple[str, str, str]]:
    label = {k: e.label for k, e in result.entities.items()}
    return {(label[r.subject], r.predicate, label[r.object]) for r in result.relations
            if result.entities[r.subject].type != "Document" and result.entities[r.object].type != "Document"}


def by_name(result: BuildResult, name: str):
    return [e for e in result.entities.values() if name.lower() in {e.label.lower(), *(a.lower() for a in e.aliases)}]


def test_aliases_from_the_docs(make_workspace) -> None:
    result = build([str(make_workspace({"platform/README.md": STACK}))])
    (cnpg,) = [e for e in by_name(result, "CNPG") if e.type == "Component"]
    assert {"CloudNativePG", "CNPG"} <= {cnpg.label, *cnpg.aliases}
    (loki,) = by_name(result, "Loki")
    assert loki is by_name(result, "Grafana Loki")[0], "a maker's name before a known product is the same product"
    assert ("R2", "providedBy", "Cloudflare") in relations(result)


def test_relation_direction_and_kind(make_workspace) -> None:
    rels = relations(build([str(make_workspace({"platform/README.md": STACK}))]))
    assert ("KEDA", "consumesFrom", "Redpanda") in rels, "the lag edge points at the reader"
    assert ("Redpanda", "storesDataIn", "MinIO") in rels, "prose under the Redpanda heading"
    assert ("Flux", "deploys", "Redpanda") in rels and ("Flux", "deploys", "MinIO") in rels
    assert not any(s == "Flux" and p not in ("deploys", "relatedTo") for s, p, o in rels), "deploying is no dependency"
    assert ("Loki", "storesDataIn", "MinIO") in rels, "unlabelled edge into an object-storage subgraph"
    assert ("Grafana", "consumesFrom", "Loki") in rels, "a dashboard pointing at a store reads from it"
    assert ("CloudNativePG", "backsUpTo", "R2") in rels


def test_not_used_from_decision_tables(make_workspace) -> None:
    result = build([str(make_workspace({"platform/README.md": STACK}))])
    (metallb,) = by_name(result, "MetalLB")
    assert metallb.props["status"] == "not used"
    assert by_name(result, "Redpanda")[0].props["status"] == "in use"


def test_unknown_edge_labels_are_weak() -> None:
    assert classify_edge("talks to", "", "-->") == ("relatedTo", "forward")
    assert classify_edge("", "Visualisation", "-->") == ("relatedTo", "forward")
    assert classify_edge("", "", "<-->") == ("relatedTo", "forward")
    assert classify_edge("scale pods", "", "-->") == ("scales", "forward")
    assert classify_edge("queue depth", "", "-->") == ("consumesFrom", "reverse")


ADR_TOOLS = """\
# 7. Use MinIO for object storage

Date: 2026-01-05

## Status

Accepted

## Decision

We will use **MinIO** on local disks.
"""

MADR = """\
---
status: accepted
date: 2026-01-09
supersedes: ADR-0013
---
# Use Infisical for secrets

## Considered Options

* HashiCorp Vault
* Infisical

## Decision Outcome

Chosen option: **Infisical**, because it is self-hosted.
"""

NYGARD = """\
# ADR-013: Secrets with SOPS

## Status
**Superseded by ADR-039**

## Decision
We will use **SOPS** for secrets in git.
"""

UNNUMBERED = """\
# ADR: STUNner WebRTC Gateway

**Status:** Accepted
**Date:** 2024-10-01

## Decision

Use **STUNner** as the WebRTC gateway.
"""

INDEX = """\
# Index

| ADR | Title | Status |
|-----|-------|--------|
| [ADR-7](../store/docs/adr/0007-use-minio-for-object-storage.md) | Object storage | Accepted |
| [ADR-026](https://github.com/acme/redpanda/blob/main/docs/ADR-026-EVENTS.md) | Event Streaming with Redpanda | Accepted |
| [ADR-039](https://github.com/acme/secrets/blob/main/docs/ADR-039-infisical.md) | Infisical | Accepted |

| Category | Technology | Purpose |
|----------|------------|---------|
| Events | Redpanda | streaming |
"""


def test_adr_styles(make_workspace) -> None:
    ws = make_workspace({
        "store/docs/adr/0007-use-minio-for-object-storage.md": ADR_TOOLS,
        "secrets/docs/ADR-039-infisical.md": MADR,
        "secrets/docs/ADR-013-SOPS.md": NYGARD,
        "webrtc/docs/ADR-WEBRTC-GATEWAY.md": UNNUMBERED,
        "handbook/README.md": "# Handbook\n",
        "handbook/INDEX.md": INDEX,
    })
    result = build([str(ws)])
    adrs = {e.label: e.props for e in result.entities.values() if e.type == "ADR"}
    assert set(adrs) == {"ADR-007", "ADR-013", "ADR-026", "ADR-039", "ADR-WEBRTC-GATEWAY"}
    assert adrs["ADR-007"]["status"] == "Accepted" and adrs["ADR-007"]["date"] == "2026-01-05"
    assert adrs["ADR-007"]["documents"] == ["store/docs/adr/0007-use-minio-for-object-storage.md"]
    assert adrs["ADR-039"]["status"] == "Accepted" and adrs["ADR-039"]["date"] == "2026-01-09"
    assert adrs["ADR-013"]["status"] == "Superseded" and adrs["ADR-013"]["in_force"] is False
    assert adrs["ADR-WEBRTC-GATEWAY"]["date"] == "2024-10-01"
    assert adrs["ADR-026"]["unresolved"] is True and adrs["ADR-039"]["unresolved"] is False
    rels = relations(result)
    assert ("ADR-039", "supersedes", "ADR-013") in rels
    assert ("ADR-039", "decides", "Infisical") in rels
    assert ("ADR-039", "rejects", "HashiCorp Vault") in rels
    assert ("ADR-026", "decides", "Redpanda") in rels, "an unresolved ADR decides through its index title"
    assert ("ADR-WEBRTC-GATEWAY", "decides", "STUNner") in rels
    assert ("ADR-007", "decides", "MinIO") in rels


def test_adr_tools_supersession_by_link_and_madr_quoted_choice(make_workspace) -> None:
    ws = make_workspace({
        "svc/README.md": "# Service\n",
        "svc/doc/adr/0001-use-rabbitmq.md": """\
            # 1. Use RabbitMQ for messaging

            Date: 2025-03-01

            ## Status

            Superceded by [2. Use Apache Kafka for messaging](0002-use-kafka.md)

            ## Decision

            We will use **RabbitMQ**.
            """,
        "svc/doc/adr/0002-use-kafka.md": """\
            # 2. Use Apache Kafka for messaging

            Date: 2025-06-01

            ## Status

            Accepted

            Supersedes [1. Use RabbitMQ for messaging](0001-use-rabbitmq.md)

            ## Considered Options

            * RabbitMQ
            * Apache Kafka

            ## Decision Outcome

            Chosen option: "Apache Kafka", because it keeps a replayable log.
            """,
    })
    result = build([str(ws)])
    rels = relations(result)
    assert ("ADR-002", "supersedes", "ADR-001") in rels
    assert ("ADR-002", "decides", "Apache Kafka") in rels
    assert ("ADR-002", "rejects", "RabbitMQ") in rels
    adr1 = next(e for e in result.entities.values() if e.label == "ADR-001")
    assert adr1.props["in_force"] is False and adr1.props["superseded_by"] == ["adr/ADR-002"]


def test_component_headings_under_a_components_section(make_workspace) -> None:
    ws = make_workspace({"platform/README.md": """\
        # Platform

        ## Components

        ### NATS (Messaging)

        - Runs three servers
        - Persists streams to Ceph

        ### Ceph

        Block and object storage.

        ### Why not Kafka?

        Too heavy.
        """})
    result = build([str(ws)])
    names = {e.label: e for e in result.entities.values() if e.type == "Component"}
    assert {"NATS", "Ceph"} <= set(names) and "Why not Kafka" not in names
    assert names["NATS"].props["category"] == "Messaging"
    assert ("NATS", "storesDataIn", "Ceph") in relations(result)


def test_sequence_requests_and_explicit_uses(make_workspace) -> None:
    ws = make_workspace({"svc/README.md": """\
        # Orders

        | Component | Purpose |
        |-----------|---------|
        | Orders API | takes orders |
        | PostgreSQL | order store |
        | Keycloak | identity |
        | Billing | invoices |

        The Orders API uses PostgreSQL for every order. It uses Keycloak too, but that is said without a subject.

        ```mermaid
        sequenceDiagram
            participant O as Orders API
            participant B as Billing
            O->>B: create invoice
            B-->>O: invoice id
            participant S as PostgreSQL
            B->>S: fetch customer rows
            S->>B: rows
            O->>S: Return nothing
        ```
        """})
    rels = relations(build([str(ws)]))
    assert ("Orders API", "dependsOn", "PostgreSQL") in rels
    assert ("Orders API", "dependsOn", "Billing") in rels, "a request is a dependency"
    assert ("Billing", "dependsOn", "Orders API") not in rels, "a reply is not"
    assert ("Billing", "consumesFrom", "PostgreSQL") in rels, "the sender of a fetch reads from the receiver"
    assert not any(s == "PostgreSQL" for s, _p, _o in rels), "an answer to the message before it is a reply"
    assert not any(s == "Orders API" and o == "PostgreSQL" and p != "dependsOn" for s, p, o in rels)
    assert not any(o == "Keycloak" for _s, _p, o in rels), "a bare 'uses' needs its subject in the sentence"


def test_name_columns_count_in_a_services_inventory(make_workspace) -> None:
    ws = make_workspace({"docs/README.md": """\
        # Shop

        ## Services

        | Service | Description |
        |---------|-------------|
        | Checkout | takes payments |
        | Catalog DB | product data |

        ## Glossary

        | Name | Description |
        |------|-------------|
        | SKU | stock keeping unit |
        """})
    names = {e.label for e in build([str(ws)]).entities.values() if e.type == "Component"}
    assert {"Checkout", "Catalog DB"} <= names
    assert "SKU" not in names


def test_read_edges_point_from_the_store_to_its_reader_or_from_the_reader_to_the_store() -> None:
    # data-flow style: the arrow leaves the store
    assert classify_edge("queue depth", "Autoscaling", "-->", "Events") == ("consumesFrom", "reverse")
    # call style: the arrow reaches the store
    assert classify_edge("reads", "storage", "-->", "API") == ("consumesFrom", "forward")
    # neither end is a store: a third-person verb has the reader at the tail, a noun names the data
    assert classify_edge("consumes", "", "-->", "") == ("consumesFrom", "forward")
    assert classify_edge("Query", "Visualization", "-->", "Metrics") == ("consumesFrom", "reverse")


def test_a_label_led_by_a_verb_of_asking_keeps_the_arrow_s_direction() -> None:
    # "auth -->|validate id_token| idp": the tail asks the head, whatever the thing the label names
    assert classify_edge("redirect & validate id_token", "", "-->", "") == ("dependsOn", "forward")
    assert classify_edge("Resolves user/party", "", "-->", "") == ("dependsOn", "forward")
    # a label that only names what travels still reads as the thing handed over (vault -->|token| app)
    assert classify_edge("token", "", "-->", "") == ("dependsOn", "reverse")


def test_a_repository_drawn_as_the_tail_of_a_sync_is_read_by_the_head() -> None:
    # "repo -->|reconcile| argocd", drawn as the changes flow: the GitOps tool reads the repository
    assert classify_edge("reconcile", "Delivery", "-->", "Git (this repo)") == ("consumesFrom", "reverse")
    # drawn from the reader: the same relation
    assert classify_edge("syncs", "Git repository", "-->", "GitOps") == ("consumesFrom", "forward")
    # a sequence message is sent by its tail: "Git->>Flux: Sync" is no read by Git
    assert classify_edge("Sync", "GitOps", "->>", "Git repository", sequence=True)[0] != "consumesFrom"
    # and reconciling into a cluster stays deploying
    assert classify_edge("reconcile", "Kubernetes cluster", "-->", "GitOps") == ("deploys", "forward")


def test_cylinders_are_stores(make_workspace) -> None:
    ws = make_workspace({"svc/README.md": """\
        # Orders

        | Component | Purpose |
        |-----------|---------|
        | Orders API | takes orders |
        | OrdersDB | order rows |

        ```mermaid
        flowchart LR
            api[Orders API] -->|reads| db[(OrdersDB)]
            api --> db
        ```
        """})
    rels = relations(build([str(ws)]))
    assert ("Orders API", "consumesFrom", "OrdersDB") in rels
    assert ("Orders API", "storesDataIn", "OrdersDB") in rels


def test_an_adr_topic_categorises_the_component_it_chose(make_workspace) -> None:
    ws = make_workspace({"cache/docs/ADR-027-CACHING.md": """\
        # ADR-027: Caching Layer - Dragonfly

        ## Status
        Accepted

        ## Decision
        We will use **Dragonfly**.
        """})
    dragonfly = next(e for e in build([str(ws)]).entities.values() if e.label == "Dragonfly")
    assert dragonfly.props["category"] == "Caching Layer"


def test_an_unnumbered_record_in_a_decisions_folder_is_an_adr(make_workspace) -> None:
    ws = make_workspace({
        "svc/README.md": "# Service\n",
        "svc/docs/decisions/README.md": "# Decisions\n\n- [Use PostgreSQL](use-postgres.md)\n",
        "svc/docs/decisions/use-postgres.md": "# Use PostgreSQL\n\n## Status\n\nAccepted\n\n## Decision\n\nWe use **PostgreSQL**.\n",
    })
    adrs = {e.label: e.props for e in build([str(ws)]).entities.values() if e.type == "ADR"}
    assert set(adrs) == {"ADR-USE-POSTGRES"}
    assert adrs["ADR-USE-POSTGRES"]["status"] == "Accepted"


def test_dependency_tables_and_component_lists(make_workspace) -> None:
    ws = make_workspace({"shop/README.md": """\
        # Shop

        ## Components

        - **Checkout** – takes payments
        - **Ledger (LDG)**: keeps the books
        - plain words here - not a definition

        ## Dependencies

        | Service | Depends on | Stores data in | Used by |
        |---------|------------|----------------|---------|
        | Checkout | Ledger, Payments Gateway | PostgreSQL | Storefront |
        | Ledger | - | PostgreSQL | |
        """})
    result = build([str(ws)])
    names = {e.label for e in result.entities.values() if e.type == "Component"}
    assert {"Checkout", "Ledger", "Payments Gateway", "PostgreSQL", "Storefront"} <= names
    assert "plain words here" not in names
    rels = relations(result)
    assert {("Checkout", "dependsOn", "Ledger"), ("Checkout", "dependsOn", "Payments Gateway"),
            ("Checkout", "storesDataIn", "PostgreSQL"), ("Ledger", "storesDataIn", "PostgreSQL"),
            ("Storefront", "dependsOn", "Checkout")} <= rels
    ledger = next(e for e in result.entities.values() if e.label == "Ledger")
    assert ledger.props["purpose"] == "keeps the books"


def test_a_dot_in_front_of_a_name_is_the_name_s_own(make_workspace) -> None:
    """".NET" keeps its dot wherever it is read (a link's text, a list, running text); a stray dot does not."""
    from kg.names import clean_name
    from kg.rules.phrases import names_in

    assert clean_name("- .NET 8 SDK") == ".NET 8 SDK" and clean_name(". Redis.") == "Redis"
    assert [n.text for n in names_in("We use .NET and Redis.")] == [".NET", "Redis"]
    ws = make_workspace({"svc/README.md": "# Billing\n\nBilling is written in .NET and keeps its data in PostgreSQL.\n"})
    labels = {e.label for e in build([str(ws)]).entities.values() if e.type == "Component"}
    assert ".NET" in labels and "NET" not in labels


def test_a_sequence_message_to_a_broker_is_published_and_one_from_it_is_consumed(make_workspace) -> None:
    ws = make_workspace({"shop/README.md": """\
        # Shop

        | Component | Category |
        |---|---|
        | Kafka | Message broker |
        | Solid Queue | Job queue |

        ```mermaid
        sequenceDiagram
          participant OS as order-service
          participant K as Kafka
          participant PS as payment-service
          participant W as Solid Queue worker
          participant S as Sentry
          OS->>K: relay OrderCreated (key=orderId)
          K->>PS: OrderCreated
          PS->>K: poll refunds
          W->>S: report error
        ```
        """})
    rels = relations(build([str(ws)]))
    assert ("order-service", "publishesTo", "Kafka") in rels
    assert ("payment-service", "consumesFrom", "Kafka") in rels, "the broker delivers: the receiver consumes"
    assert not any(s == "Kafka" and o == "payment-service" for s, _p, o in rels)
    # a worker beside a queue is a process that calls out, not the queue
    assert any(s == "Solid Queue" and o == "Sentry" for s, _p, o in rels)
    assert not any(s == "Sentry" and o == "Solid Queue" for s, _p, o in rels)
    assert broker_message("poll orders", False, True) == ("consumesFrom", "forward")
    assert broker_message("Fetch chunks", False, False) is None


def test_people_in_a_diagram_are_no_components(make_workspace) -> None:
    ws = make_workspace({"ops/README.md": """\
        # Provisioning

        ```mermaid
        sequenceDiagram
          participant Dev as Engineer
          participant C as Caller
          participant GH as GitHub Actions
          participant Argo as ArgoCD
          Dev->>GH: open PR
          C->>Argo: sync request
          GH->>Argo: apply root app
        ```
        """})
    result = build([str(ws)])
    names = {e.label for e in result.entities.values() if e.type == "Component"}
    assert {"GitHub Actions", "ArgoCD"} <= names and not {"Engineer", "Caller"} & names


def test_a_step_or_a_generic_part_drawn_inside_a_component_s_box_is_that_component(make_workspace) -> None:
    ws = make_workspace({"platform/README.md": """\
        # Platform

        | Component | Purpose |
        |---|---|
        | payment-service | Takes payments |
        | Stripe | Card payments |
        | Flux | GitOps |
        | External Secrets Operator | Secrets |
        | Git | Source control |

        ```mermaid
        flowchart LR
          subgraph Dev["Developer workflow"]
            PR["Pull Request"] --> GHA
          end
          subgraph CI["GitHub Actions"]
            GHA["Build • Test • Scan (Trivy)"]
          end
          subgraph ps["payment-service :8082"]
            papi["REST API<br/>webhook endpoint"]
            workers["Workers: payment initiation"]
          end
          subgraph k3s["K3s Cluster"]
            apps["Application Pods"]
          end
          subgraph git["Git repository"]
            manifests["Manifests"]
          end
          GHA -->|push image| ECR[(ECR)]
          workers -->|charge| Stripe
          ESO["External Secrets Operator"] -->|Fetch| papi
          git -->|Pull| Flux
          Flux -->|Apply| apps
        ```
        """})
    rels = relations(build([str(ws)]))
    assert ("GitHub Actions", "publishesTo", "ECR") in rels, "the step box is a part of the CI box"
    assert not any(s == "Trivy" for s, _p, _o in rels), "a tool named in passing in a step is not the step"
    assert ("payment-service", "dependsOn", "Stripe") in rels, "workers inside the service's box are the service"
    assert ("External Secrets Operator", "consumesFrom", "payment-service") in rels, "the tail of Fetch reads"
    assert ("Flux", "consumesFrom", "Git repository") in rels or ("Flux", "consumesFrom", "Git") in rels, \
        "a repository box at the tail of Pull is read by the head"
    assert not any(o == "K3s" and p == "deploys" for _s, p, o in rels), "what runs inside a cluster is not the cluster"


def test_adr_dates_as_people_write_them() -> None:
    from kg.rules.adr import iso_date

    assert iso_date("Date: 05/02/2018") == "2018-02-05", "day first, as written outside the US"
    assert iso_date("10/04/18") == "2018-04-10" and iso_date("02/25/2018") == "2018-02-25"
    assert iso_date("5 February 2018") == iso_date("February 5th, 2018") == iso_date("2018/02/05") == "2018-02-05"
    assert iso_date("2026-13-45") is None and iso_date("version 1.2.3") == ""


def test_a_move_between_versions_or_variants_of_one_product_retires_nothing() -> None:
    from kg.rules.decisions import Reading, lifecycle, read_title

    for sentence in ("We will migrate from Postgres 12 to Postgres 16.", "Move from EKS managed nodes to EKS Fargate."):
        reading = Reading()
        lifecycle(sentence, frozenset(), reading)
        assert not reading.replaced and not reading.removed, sentence
    assert not read_title("Move from EKS managed nodes to EKS Fargate").removed
    reading = Reading()
    lifecycle("We moved from AWS CodePipeline to AWS Step Functions.", frozenset(), reading)
    assert [(a.text, b.text) for a, b in reading.replaced] == [("AWS CodePipeline", "AWS Step Functions")]


def test_what_a_proposal_turns_down_is_not_thereby_out_of_use(make_workspace) -> None:
    """A rejected alternative is out of use when a decided record turns it down, not when a proposal does."""
    record = ("# {n}. {title}\n\n## Status\n\n{status}\n\n## Decision\n\nWe will use {chosen}.\n\n"
              "## Alternatives considered\n\n### {other}\n\nIt does not fit: {other} is not what we need here.\n")
    ws = make_workspace({
        "platform/README.md": "# Platform\n",
        "platform/docs/adr/0001-paging.md": record.format(n=1, title="Paging", status="Proposed",
                                                          chosen="PagerDuty", other="Opsgenie"),
        "platform/docs/adr/0002-ci.md": record.format(n=2, title="CI", status="Accepted",
                                                      chosen="GitHub Actions", other="Jenkins"),
    })
    result = build([str(ws)])
    assert ("ADR-001", "rejects", "Opsgenie") in relations(result)
    assert by_name(result, "Opsgenie")[0].props["status"] != "not used", "a proposal only weighs it"
    assert by_name(result, "Jenkins")[0].props["status"] == "not used", "an accepted record turned it down"


def test_a_capability_written_in_capitals_is_no_name() -> None:
    """'| CLOUD HOSTING | … |' in a generic view of a platform is a capability; a product written in capitals is not."""
    from kg.rules.state import looks_like_a_name

    assert not looks_like_a_name("CLOUD HOSTING") and not looks_like_a_name("GDS SERVICES")
    assert looks_like_a_name("NATS") and looks_like_a_name("AWS") and looks_like_a_name("Grafana Loki")


def test_a_title_s_verb_phrase_is_no_category(make_workspace) -> None:
    """'Authenticate users with Keycloak' says what the record does; 'Caching Layer - Dragonfly' gives a topic."""
    ws = make_workspace({
        "p/README.md": "# P\n",
        "p/docs/adr/0001-logins.md": "# 1. Authenticate users with Keycloak\n\n## Status\n\nAccepted\n\n"
                                     "## Decision\n\nWe will use Keycloak.\n",
        "p/docs/adr/0002-cache.md": "# 2. Caching Layer - Dragonfly\n\n## Status\n\nAccepted\n\n"
                                    "## Decision\n\nWe will use Dragonfly.\n",
    })
    result = build([str(ws)])
    assert by_name(result, "Keycloak")[0].props.get("category") != "Authenticate users"
    assert by_name(result, "Dragonfly")[0].props.get("category") == "Caching Layer"


def test_uninstall_text_and_a_retired_version_retire_no_product(make_workspace) -> None:
    """'This removes all the Kubernetes components associated with the chart' takes away the chart's resources,
    and 'Helm v2 is no longer supported' one version: neither Kubernetes nor Helm is out of use."""
    ws = make_workspace({
        "charts/charts/redis-exporter/README.md": (
            "# Redis Exporter\n\n## Prerequisites\n\n- Kubernetes 1.16+\n- Helm 3+\n\n## Uninstall\n\n"
            "This removes all the Kubernetes components associated with the chart and deletes the release.\n\n"
            "## Upgrading\n\nHelm v2 is no longer supported from chart version 2.0.0.\n\nThe old exporter is "
            "no longer used.\n"),
    })
    result = build([str(ws)])
    assert by_name(result, "Kubernetes")[0].props["status"] not in ("removed", "not used")
    assert by_name(result, "Helm")[0].props["status"] not in ("removed", "not used")
    # a prerequisite platform is where the component runs; the tool that installs it is no need of it
    assert ("Redis Exporter", "runsOn", "Kubernetes") in relations(result)
    assert not {r for r in relations(result) if r[0] == "Redis Exporter" and r[2] == "Helm"}


def test_a_proposal_retires_nothing_yet(make_workspace) -> None:
    """'We will deprecate X' in a Proposed record is a plan: X stays as the docs show it."""
    record = "# {n}. {title}\n\n## Status\n\n{status}\n\n## Decision\n\nWe will use {new} and deprecate {old}.\n"
    ws = make_workspace({
        "p/README.md": "# P\n\nThe service uses MySQL and RabbitMQ.\n",
        "p/docs/adr/0001-a.md": record.format(n=1, title="Storage", status="Proposed", new="PostgreSQL", old="MySQL"),
        "p/docs/adr/0002-b.md": record.format(n=2, title="Messaging", status="Accepted", new="Kafka", old="RabbitMQ"),
    })
    result = build([str(ws)])
    assert by_name(result, "MySQL")[0].props["status"] != "removed"
    assert by_name(result, "RabbitMQ")[0].props["status"] in ("removed", "replaced")


def test_adr_title_names_in_lower_case_and_links_that_join_two_names() -> None:
    """'Use fluentbit, elasticsearch and kibana' names three choices: a known technology in lower case in a title is a
    name, and a link whose text joins two names ('[elasticsearch and kibana](…)') is not one name swallowing both."""
    from kg.parse import parse_document
    from kg.rules.adr import _known_phrases

    doc = parse_document("# 7. Use fluentbit, elasticsearch and kibana for logs\n\nMost teams run "
                         "[elasticsearch and kibana](https://example.org/elk) beside [Grafana](https://grafana.com).\n",
                         "docs/adr/0007-use-fluentbit-elasticsearch-and-kibana.md", "platform")
    for link in doc.links:
        link.kind = "external"  # as link resolution marks a link to another site
    known = _known_phrases(doc)
    assert "elasticsearch and kibana" not in known
    assert {"elasticsearch", "kibana", "Grafana"} <= known


def test_adr_dates_on_a_heading_and_written_day_first_with_dashes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """'### Date: 2021-02-09' is the record's date as a 'Date:' line is; '14-02-2024' is the 14th of February."""
    adrs = tmp_path / "handbook" / "adrs"
    adrs.mkdir(parents=True)
    (adrs / "adr-001.md").write_text("# ADR-001 Use Sidekiq\n\n### Date: 2021-02-09\n\n## Status\n\nAccepted\n",
                                     encoding="utf-8")
    (adrs / "adr-002.md").write_text("# ADR-002 Use Redis\n\nDate: 14-02-2024\n\n## Status\n\nAccepted\n",
                                     encoding="utf-8")
    result = build([str(tmp_path / "handbook")])
    assert result.entities["adr/ADR-001"].props["date"] == "2021-02-09"
    assert result.entities["adr/ADR-002"].props["date"] == "2024-02-14"


def test_adr_metadata_table_written_month_first_and_a_template_title_label(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """'| CREATED DATE | LAST UPDATED |' over '| 06/21/2023 | 07/05/2023 |': the record was decided when it was
    created, and a head that writes 06/21 writes its dates month first; '# TITLE: X' is titled X."""
    adrs = tmp_path / "api" / "docs" / "adrs"
    adrs.mkdir(parents=True)
    (adrs / "0005-agreements.md").write_text(
        "# TITLE: Agreement info in the data model\n\n| CREATED DATE | LAST UPDATED | STATUS |\n| :---: | :---: | :---: |\n"
        "| 07/05/2023 | 06/21/2023 | Accepted |\n\n## Decision\n\nWe will use PostgreSQL.\n", encoding="utf-8")
    result = build([str(tmp_path / "api")])
    props = result.entities["adr/ADR-005"].props
    assert props["date"] == "2023-07-05" and props["title"] == "Agreement info in the data model"


def test_providers_named_as_examples_are_vendors_but_a_kind_of_product_is_not(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """'legacy cloud providers (e.g. UKCloud and Carrenza)' names two vendors; 'COTS vendors, such as SaaS password
    management tools' names a kind of product, no vendor."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "hosting.md").write_text(
        "# Hosting\n\nApps move from legacy cloud providers (e.g. UKCloud and Carrenza) to the new platform.\n\n"
        "Secrets may live with well-respected COTS vendors, such as SaaS password management tools.\n", encoding="utf-8")
    result = build([str(tmp_path)])
    vendors = {e.label for e in result.entities.values() if e.type == "Vendor"}
    assert {"UKCloud", "Carrenza"} <= vendors
    assert not {e.label for e in result.entities.values()} & {"SaaS", "COTS"}


def test_a_service_is_labelled_as_its_page_titles_it_not_as_prose_writes_its_words(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """'The product reviews are stored…' writes the words of "Product Reviews Service" in lower case: that is
    no name of the service, so it does not become its label (a capitalised shorter name still would)."""
    pages = tmp_path / "shop" / "docs" / "services"
    pages.mkdir(parents=True)
    (pages / "product-reviews.md").write_text(
        "---\ntitle: Product Reviews Service\n---\n\nThis service returns product reviews.\n\n"
        "The product reviews are kept for a year. Old product reviews are deleted.\n", encoding="utf-8")
    result = build([str(tmp_path / "shop")])
    service = result.entities["component/product-reviews-service"]
    assert service.label == "Product Reviews Service"
    assert {"Product Reviews"} <= service.aliases  # its file name, product-reviews, written as a name


def test_a_service_drawn_by_its_everyday_word_keeps_its_kind_in_its_label() -> None:
    """Boxes write "Catalog" more often than the prose writes "Catalog Service": the everyday word only abbreviates the
    service's name. A product the gazetteer knows ("Kafka") still beats its name with a kind after it."""
    from collections import Counter

    from kg.model import Entity
    from kg.resolve import choose_label

    catalog = Entity("component/catalog", "Component", "Catalog", {"Catalog Service"})
    assert choose_label(catalog, Counter({"Catalog": 28, "catalog": 13, "Catalog Service": 12})) == "Catalog Service"
    kafka = Entity("component/kafka", "Component", "Kafka", {"Kafka Service"})
    assert choose_label(kafka, Counter({"Kafka": 20, "Kafka Service": 12})) == "Kafka"
    aws = Entity("component/aws", "Component", "AWS", {"AWS Activate"})
    assert choose_label(aws, Counter({"AWS": 3, "AWS Activate": 9})) == "AWS"
    # a short form in mixed case that takes a one-word name's capitals gives way to the name, as an abbreviation does
    tracer = Entity("component/tracekit", "Component", "TraceKit", {"TKit"})
    assert choose_label(tracer, Counter({"TKit": 9, "TraceKit": 4})) == "TraceKit"
    # a company's name shouted in a licence's capitals is no label where the docs spell it otherwise
    maker = Entity("vendor/stonebridge", "Vendor", "Stonebridge", {"STONEBRIDGE"})
    assert choose_label(maker, Counter({"STONEBRIDGE": 6, "Stonebridge": 2})) == "Stonebridge"


def test_what_only_a_company_has_names_a_vendor_but_lock_in_to_a_product_does_not() -> None:
    """'Quarrystone-proprietary', 'a contract with Brightwater Hosting', 'Fenwick support portal', 'Tallow Systems
    (supplier)' name companies; 'Vendor lock-in: … Traefik-specific' is said of products too."""
    from kg.rules.vendors import company_cues

    text = ("No Cloud-only (Quarrystone-proprietary) functions. We have a contract with Brightwater Hosting. "
            "See the Fenwick support portal. Tallow Systems (supplier) runs it. Vendor lock-in: Traefik-specific CRDs. "
            "Ask the Security support desk.")
    assert company_cues(text) == ["Quarrystone", "Brightwater Hosting", "Fenwick", "Tallow Systems"]


def test_etc_ends_a_list_of_examples_and_is_no_name(make_workspace) -> None:
    from kg.rules.phrases import names_in

    assert [n.text for n in names_in("Okta, Ping Identity, etc.")] == ["Okta", "Ping Identity"]
    ws = make_workspace({"docs/login.md": "# Login\n\nCustomers bring their own identity providers (e.g. Okta, "
                                          "Ping Identity, etc.) through OIDC.\n"})
    labels = {e.label.lower() for e in build([str(ws)]).entities.values()}
    assert "ping identity" in labels and "etc" not in labels


def test_a_slash_joins_names_an_identifier_or_a_path_on_a_host() -> None:
    """'Prometheus/Mimir' is two names, `log/slog` one identifier, and an image on a registry
    ('mcr.microsoft.com/playwright') is named by its last part, not by the registry's host."""
    from kg.names import slash_parts

    assert slash_parts("Prometheus/Mimir") == ["Prometheus", "Mimir"]
    assert slash_parts("log/slog") is None
    assert slash_parts("mcr.microsoft.com/playwright") == ["playwright"]
    assert slash_parts("ghcr.io/acme/ledger-api") == ["ledger-api"]
