"""The parse stage on small documents written here: headings, tables, lists, links, code, Mermaid, front matter."""

from __future__ import annotations

from kg.parse import classify, parse_document

DOC = """\
---
status: accepted
date: 2026-01-09
---
# Use Redpanda for events

## Context

Options considered:

1. **Apache Kafka**: the reference broker
2. **Redpanda**: Kafka API, no JVM

| Category | Technology | Version | Purpose |
|----------|------------|---------|---------|
| **Events** | Redpanda | 5.x | Kafka-compatible [streaming](../x/STREAMS.md) |

```mermaid
flowchart LR
    redpanda -->|"consumer lag"| keda
```

```mermaid
flowchart LR
    a -->
```

See [ADR-012](https://github.com/acme/minio/blob/main/docs/ADR-012-MINIO.md).
"""


def test_sections_tables_blocks_and_lines() -> None:
    doc = parse_document(DOC, "events/docs/ADR-026-EVENTS.md", "events")
    assert doc.front_matter == {"status": "accepted", "date": __import__("datetime").date(2026, 1, 9)}
    assert doc.title == "Use Redpanda for events"
    assert [(s.title, s.level, s.line) for s in doc.sections] == [("Use Redpanda for events", 1, 5), ("Context", 2, 7)]
    table = doc.tables[0]
    assert table.header == ["Category", "Technology", "Version", "Purpose"]
    assert table.rows[0]["Category"] == "Events"  # bold markup stripped
    assert table.rows[0]["Purpose"] == "Kafka-compatible streaming"
    assert table.row_lines == [16]
    items = [b for b in doc.blocks if b.kind == "item"]
    assert [(b.text.split(":")[0], b.strong, b.line) for b in items] == [
        ("Apache Kafka", ["Apache Kafka"], 11), ("Redpanda", ["Redpanda"], 12)]
    assert {(lk.href, lk.line) for lk in doc.links} == {
        ("../x/STREAMS.md", 16), ("https://github.com/acme/minio/blob/main/docs/ADR-012-MINIO.md", 28)}


def test_mermaid_blocks_are_parsed_and_a_broken_one_does_not_stop_the_document() -> None:
    doc = parse_document(DOC, "events/docs/ADR-026-EVENTS.md", "events")
    assert [c.lang for c in doc.code_blocks] == ["mermaid", "mermaid"]
    good = doc.diagrams[0]
    assert [(e.source, e.target, e.label, e.line) for e in good.edges] == [("redpanda", "keda", "consumer lag", 20)]
    assert doc.warnings, "the dangling arrow is reported"
    assert any("ADR-026-EVENTS.md" in w for w in doc.warnings)
    assert doc.links, "the rest of the document still counts"


def test_document_kinds() -> None:
    assert classify("r/docs/adr/0007-use-x.md", "7. Use X", {}) == "adr"
    assert classify("r/docs/ADR-026-EVENTS.md", "ADR-026: Events", {}) == "adr"
    assert classify("r/docs/ADR-WEBRTC-GATEWAY.md", "ADR: STUNner WebRTC Gateway", {}) == "adr"
    assert classify("handbook/INDEX.md", "Index", {}) == "index"
    assert classify("handbook/runbooks/RUNBOOK.md", "Operations Runbook", {}) == "runbook"
    assert classify("r/README.md", "r", {}) == "readme"
    assert classify("r/docs/adr/README.md", "Architecture Decision Records", {}) == "readme"
    assert classify("r/docs/decisions/use-postgres.md", "Use PostgreSQL", {}, ("Use PostgreSQL", "Status")) == "adr"
    assert classify("r/docs/decisions/meeting-notes.md", "Meeting notes", {}) == "doc"
    assert classify("r/docs/guide/1-intro.md", "1. Introduction", {}) != "adr"


def test_empty_and_odd_documents_parse() -> None:
    assert parse_document("", "r/empty.md", "r").title == "empty"
    doc = parse_document("| a |\n|---|\n| b | c |\n\n```\nunclosed", "r/odd.md", "r")
    assert doc.tables[0].rows == [{"a": "b"}]


def test_front_matter_yaml_cannot_read_keeps_its_plain_lines() -> None:
    """'title: ADR004: Module Export Structure' is no valid YAML (a colon in a plain value), and docs sites take it as
    written: so does kg, with a warning."""
    doc = parse_document("---\nid: adrs-adr004\ntitle: ADR004: Module Export Structure\ndescription: 'How to export'\n"
                         "tags:\n  - adr\n---\n\n## Background\n\nText.\n", "docs/adr004-module-export-structure.md",
                         "backstage")
    assert doc.title == "ADR004: Module Export Structure"
    assert doc.front_matter == {"id": "adrs-adr004", "title": "ADR004: Module Export Structure",
                                "description": "How to export"}
    assert any("not valid YAML" in w and "read as written" in w for w in doc.warnings)


def test_a_template_heading_is_no_title() -> None:
    doc = parse_document("# Context and Problem Statement\n\nWe need a release captain.\n\n## Decision\n\nRotate.\n",
                         "docs/decisions/0004-release-captain.md", "s3gw")
    assert doc.title == "0004 release captain"


def test_a_page_that_opens_with_sentences_takes_its_title_from_its_file_name() -> None:
    """An exported wiki page says what it is first and ends in '# Navigation': no heading is its title."""
    doc = parse_document("`lantern` is a Kubernetes operator for the Lantern cache that handles its deployment and "
                         "scaling.\n\n## Project and community\n\nJoin us.\n\n# Navigation\n\n| Level | Path |\n"
                         "|---|---|\n| 1 | home |\n", "docs/lantern.md", "ops")
    assert doc.title == "lantern"
    # badges, a tagline and a metadata line before the heading leave it the title
    for opening in ("[![build](https://ci.example/badge.svg)](https://ci.example)\n\n",
                    "Status: accepted. Date: 2024-01-02. Deciders: platform team, security team, data team.\n\n",
                    "A short tagline for the tool.\n\n"):
        doc = parse_document(opening + "# Lantern Cache\n\nIt caches pages for the shop and the blog alike.\n",
                             "docs/lantern.md", "ops")
        assert doc.title == "Lantern Cache", opening


def test_a_link_or_bold_text_wrapped_across_lines_keeps_its_space() -> None:
    """'[verify-infrastructure\\nrepository](…)' at 80 columns is 'verify-infrastructure repository', not one word."""
    doc = parse_document("# T\n\nSee the [verify-infrastructure\nrepository](https://github.com/alphagov/x) and\n"
                         "**GDS AWS Account\nManagement** here.\n", "r/a.md", "r")
    assert [link.text for link in doc.links] == ["verify-infrastructure repository"]
    assert doc.blocks[0].strong == ["GDS AWS Account Management"]
