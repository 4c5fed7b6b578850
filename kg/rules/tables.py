"""Tables: tech-stack inventories, dependency tables and comparison tables with components as columns."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from ..model import Document, Fact, Mention
from ..names import clean_name, split_compound, split_parenthetical
from .diagrams import BROKER_HINT
from .state import (
    DESCRIBING_COLUMNS,
    INVENTORY,
    NAME_COLUMNS,
    NOT_USED,
    ROLE_COLUMNS,
    STATUS_WORDS,
    Extraction,
    column,
    configuration_table,
    evidence_at,
    looks_like_a_name,
    name_column,
)

if TYPE_CHECKING:
    from ..resolve import Gazetteer


def technology_tables(doc: Document, out: Extraction) -> None:
    """Tech-stack tables: a technology/component column beside a category, purpose or version."""
    for table in doc.tables:
        if configuration_table(table.header, table.rows):
            continue  # "| PORT | The port to listen on | 8080 |": settings, not technologies
        name_col = name_column(table.header)
        if not name_col and INVENTORY.search(" ".join((doc.title, *table.section))):
            # "| Name | Purpose |" or "| Service | Description |" counts in a components/services inventory
            name_col = column(table.header, ("name", "service", "services", "system"))
        if not name_col:
            continue
        described = [h for h in table.header if clean_name(h).lower() in DESCRIBING_COLUMNS]
        status_col = column(table.header, ("status", "state", "value", "decision"))
        replaced_col = column(table.header, ("replaced by", "replacement", "successor", "instead"))
        role_col = column([h for h in table.header if h != name_col], ROLE_COLUMNS)
        if not described and not status_col and not role_col:
            continue  # (a role beside each tool describes it: "| Component | Tool |", "| Concern | Technology |")
        category_col = column([h for h in table.header if h != name_col], ("category", "layer", "type", "function")) \
            or role_col
        if category_col is None and table.header[0] != name_col and table.header[0] not in described:
            category_col = table.header[0]
        for i, (row, line) in enumerate(zip(table.rows, table.row_lines)):
            cell = row.get(name_col, "")
            if not cell or cell in ("-", "—") or len(cell) > 60 or table.image_only(i, name_col):
                continue  # "![cart workflow](…/badge.svg)": a badge's alt text is no name
            props: dict[str, str] = {}
            for key, label in (("category", category_col), ("version", column(table.header, ("version",))),
                               ("purpose", column(table.header, ("purpose", "description", "role", "function", "use")))):
                if label and row.get(label) and row[label] not in ("-", "—"):
                    # "0 - Bootstrap": list numbering is not part of a category
                    props[key] = clean_name(re.sub(r"^\s*\d+\s*[-.:)]\s+", "", row[label]))
            status_cell = row.get(status_col, "") if status_col else ""
            sm = NOT_USED.search(status_cell)
            if sm:
                props["status"] = STATUS_WORDS[sm.group(1).lower()]
            elif status_col and not described:
                continue  # a status table that does not say "not used" defines nothing
            for part in split_compound(cell):
                name, paren = split_parenthetical(part)
                mention = Mention(name, "Component", evidence_at(doc, line, "table"), props=dict(props), strength=2)
                if paren:
                    mention.aliases.append(paren)
                out.mentions.append(mention)
                if replaced_col and row.get(replaced_col) and props.get("status"):
                    out.facts.append(Fact(name, "replacedBy", clean_name(row[replaced_col]), evidence_at(doc, line, "table")))


# a column that lists what the row's component relies on -> (relation, direction)
DEPENDENCY_COLUMNS: list[tuple[re.Pattern[str], str, str]] = [
    # only headers that say the relation in so many words: "Storage" or "Database" alone may be a size or a price
    (re.compile(r"^(used by|dependents|consumers|downstream|clients|called by)$", re.I), "dependsOn", "reverse"),
    (re.compile(r"^(backs? up to|backed up to|backup (target|destination))$", re.I), "backsUpTo", "forward"),
    (re.compile(r"^(stores?( data)? in|persists? (to|in)|data ?store|backing store|writes to)$", re.I),
     "storesDataIn", "forward"),
    (re.compile(r"^(consumes( from)?|reads from|subscribes to|consumes events from)$", re.I), "consumesFrom", "forward"),
    (re.compile(r"^(publishes( to)?|produces( to)?|emits( to)?|sends to)$", re.I), "publishesTo", "forward"),
    (re.compile(r"^(runs on|hosted on|deployed on)$", re.I), "runsOn", "forward"),
    (re.compile(r"^(depends on|dependencies|dependency|requires|relies on|upstream|uses|calls)$", re.I),
     "dependsOn", "forward"),
]


NAME_VALUE = re.compile(r"^[A-Za-z][\w.+/ -]{0,39}$")  # a name, not "3x", "$5" or "200GB SSD"


def dependency_tables(doc: Document, out: Extraction) -> None:
    """'| Service | Depends on |' tables: the row's component relies on each name in the cell."""
    for table in doc.tables:
        name_col = column(table.header, NAME_COLUMNS + ("service", "services", "name", "system", "application", "app"))
        if not name_col or configuration_table(table.header, table.rows):
            continue
        columns = []
        for header in table.header:
            if header == name_col:
                continue
            for pattern, relation, direction in DEPENDENCY_COLUMNS:
                if pattern.search(clean_name(header)):
                    columns.append((header, relation, direction))
                    break
        if not columns:
            continue
        for i, (row, line) in enumerate(zip(table.rows, table.row_lines)):
            # "`kibana/`": a component's folder, named by its path
            subject = clean_name(split_parenthetical(row.get(name_col, ""))[0]).rstrip("/")
            if not looks_like_a_name(subject) and not re.fullmatch(r"[a-z0-9][\w.-]*", subject) \
                    or table.image_only(i, name_col):
                continue
            ev = evidence_at(doc, line, "table")
            out.mentions.append(Mention(subject, "Component", ev))
            for header, relation, direction in columns:
                for other in split_compound(row.get(header, "")):
                    other = clean_name(split_parenthetical(other)[0]).rstrip("/")
                    if not NAME_VALUE.match(other) or other.lower() in ("none", "n/a", "tbd") \
                            or re.search(r"\d", other) and not looks_like_a_name(other):
                        continue
                    out.mentions.append(Mention(other, "Component", ev))
                    pair = (subject, other) if direction == "forward" else (other, subject)
                    out.facts.append(Fact(pair[0], relation, pair[1], ev))


def transposed_tables(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """Comparison tables with components as columns: '| Storage backend | Object storage (MinIO) |'."""
    for table in doc.tables:
        column_entities = {h: gaz.lookup(h, "Component") for h in table.header[1:]}
        if not any(column_entities.values()):
            continue
        for row, line in zip(table.rows, table.row_lines):
            attribute = list(row.values())[0] if row else ""
            if not re.search(r"storage|backend|depends|persistence|database|requires", attribute, re.I):
                continue
            relation = "storesDataIn" if re.search(r"storage|backend|persistence|database", attribute, re.I) else "dependsOn"
            for header, subject in column_entities.items():
                if not subject:
                    continue
                for hit in gaz.scan(row.get(header, "")):
                    if hit[2] != subject and gaz.type_of(hit[2]) == "Component":
                        out.facts.append(Fact(subject, relation, hit[2], evidence_at(doc, line, "table"),
                                              subject_type="key", object_type="key"))


def module_sources(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """'| Name | Source |' module tables (terraform-docs, Helm dependencies) whose source is a folder of the
    workspace: the document's component depends on the component that folder holds."""
    import posixpath

    folder = posixpath.dirname(doc.path)
    own = gaz.in_folder(folder)
    if own is None:
        return
    for table in doc.tables:
        source_col = column(table.header, ("source", "path", "module source", "repository"))
        if source_col is None:
            continue
        for row, line in zip(table.rows, table.row_lines):
            source = row.get(source_col, "").strip().strip("`")
            if not re.match(r"^\.{1,2}/", source):
                continue  # only a relative path names a folder of this workspace
            target = gaz.in_folder(posixpath.normpath(posixpath.join(folder, source)))
            if target and target != own:
                out.facts.append(Fact(own, "dependsOn", target, evidence_at(doc, line, "table"),
                                      subject_type="key", object_type="key"))


PRODUCER_COLUMNS = ("producer", "producers", "publisher", "publishers", "published by", "produced by", "emitted by",
                    "source service", "sender")
CONSUMER_COLUMNS = ("consumer", "consumers", "consumer group", "consumer groups", "subscriber", "subscribers",
                    "subscribed by", "consumed by", "receiver", "receivers")


def event_tables(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """Event catalogues: '| Topic | Producer | Consumer group |' under a page that names its broker ("messages
    exchanged … over Kafka"): each producer publishes to the broker and each consumer consumes from it. A page that
    names no broker, or several, says nothing about where the events travel, and gives nothing."""
    tables = [t for t in doc.tables if column(t.header, PRODUCER_COLUMNS) or column(t.header, CONSUMER_COLUMNS)]
    if not tables:
        return
    texts = [doc.title, *(s.title for s in doc.sections), *(b.text for b in doc.blocks)]
    named = Counter(h[2] for text in texts for h in gaz.scan(text)
                    if gaz.type_of(h[2]) == "Component" and BROKER_HINT.search(gaz.category_of(h[2])))
    ranked = named.most_common(2)
    # the page's broker: the one it names, or, where it weighs several (an ADR that chose one), the one it names
    # most, at least twice as often as any other
    if not ranked or len(ranked) == 2 and ranked[0][1] < 2 * ranked[1][1]:
        return
    broker = ranked[0][0]
    for table in tables:
        for header, relation in ((column(table.header, PRODUCER_COLUMNS), "publishesTo"),
                                 (column(table.header, CONSUMER_COLUMNS), "consumesFrom")):
            if header is None:
                continue
            for row, line in zip(table.rows, table.row_lines):
                for part in split_compound(row.get(header, "")):
                    key = gaz.lookup(clean_name(split_parenthetical(part)[0]))
                    if key and key != broker and gaz.type_of(key) == "Component":
                        out.facts.append(Fact(key, relation, broker, evidence_at(doc, line, "table"),
                                              subject_type="key", object_type="key"))
