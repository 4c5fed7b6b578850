"""ADRs: a record's own document (id, title, status, date, supersession, decision, options), the indexes
and links that name records, and the ADR entities and decides/rejects/supersedes relations they resolve to."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from ..model import Block, Document, Entity, Evidence, Fact, Mention, Relation
from ..names import ADR_ID, adr_id, canonical_adr_number, clean_name, split_compound, split_parenthetical
from ..resolve import entity_key
from .lifecycle import replacement_pairs
from .state import AdrRecord, Extraction, column, evidence_at, looks_like_a_name, section_blocks

if TYPE_CHECKING:
    from ..resolve import Gazetteer


ADR_TITLE = re.compile(r"^\s*(?:ADR[-_ ]?(\d+)|(\d+)\.)\s*[:.\-–—]?\s*(.*)$", re.IGNORECASE)


ADR_TOOLS_FILE = re.compile(r"^(\d{1,5})[-_]")


ADR_NUM_FILE = re.compile(r"^ADR[-_]?(\d+)", re.IGNORECASE)


ADR_NAME_FILE = re.compile(r"^ADR[-_]([A-Za-z][A-Za-z0-9_-]*)$", re.IGNORECASE)


# adr-tools writes "Superceded"; both spellings count
SUPERSEDES = re.compile(r"\bsuper[sc]ed(?:es|ing)\s*:?\s*((?:ADR[-_ ]?\d+[\s,&and]*)+)", re.IGNORECASE)


SUPERSEDED_BY = re.compile(r"\b(?:super[sc]eded|replaced)\s+by\s*:?\s*((?:ADR[-_ ]?\d+[\s,&and]*)+)", re.IGNORECASE)


CHOSEN_OPTION = re.compile(r"chosen option\s*:?\s*[\"“']([^\"”']{2,60})[\"”']", re.IGNORECASE)


STATUS_VALUE = re.compile(r"\b(accepted|proposed|deprecated|superseded|rejected|draft|approved|implemented|"
                          r"in progress|under review|amended|withdrawn)\b", re.IGNORECASE)


DECISION_VERB = re.compile(r"\b(use|using|adopt|choose|chosen|chose|select|selected|deploy|go with|implement|"
                           r"standardi[sz]e on|migrate to|run)\b", re.I)


DECISION_HEADINGS = ("decision", "decision outcome", "decision drivers and outcome", "chosen option", "resolution")


def adr_identity(doc: Document) -> tuple[str, str] | None:
    """(ADR id, title) of an ADR document, from its file name and top heading."""
    stem = doc.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    title = doc.title
    m = ADR_TITLE.match(title)
    number = None
    if m and (m.group(1) or m.group(2)):
        number = int(m.group(1) or m.group(2))
        title = m.group(3).strip() or title
    fm = ADR_NUM_FILE.match(stem) or ADR_TOOLS_FILE.match(stem)
    if number is None and fm:
        number = int(fm.group(1))
    if number is None and doc.front_matter.get("id"):
        found = adr_id(str(doc.front_matter["id"]))
        if found:
            return found, title
    if number is not None:
        return canonical_adr_number(number), title
    fn = ADR_NAME_FILE.match(stem)
    if fn:
        return "ADR-" + fn.group(1).upper().replace("_", "-"), re.sub(r"^ADR\s*:\s*", "", title, flags=re.I)
    # an unnumbered record in an ADR folder: docs/decisions/use-postgres.md is ADR-USE-POSTGRES
    slug_id = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").upper()
    return ("ADR-" + slug_id, re.sub(r"^ADR\s*:\s*", "", title, flags=re.I)) if slug_id else None


def iso_date(text: str) -> str | None:
    """The first YYYY-MM-DD in text ('' when there is none, None when it is no real day: 2026-13-45)."""
    import datetime

    m = re.search(r"\d{4}-\d{2}-\d{2}", text)
    if not m:
        return ""
    try:
        return datetime.date.fromisoformat(m.group(0)).isoformat()
    except ValueError:
        return None


def adr_document(doc: Document, out: Extraction) -> None:
    """An ADR's own document: id, title, status, date, supersession, decision and the options it weighed."""
    if doc.kind != "adr":
        return
    ident = adr_identity(doc)
    if not ident:
        return
    rid, title = ident
    first = doc.sections[0].line if doc.sections else 1
    rec = AdrRecord(id=rid, evidence=evidence_at(doc, first, "heading"), title=clean_name(title), document=doc.path,
                    repository=doc.repo)
    status_blocks = _adr_status_and_date(doc, rec)
    _adr_supersession(doc, rec, status_blocks)
    sm = STATUS_VALUE.search(rec.status)
    rec.status = sm.group(1).title() if sm else clean_name(rec.status)[:40]
    day = iso_date(rec.date)
    if day is None:
        doc.warnings.append(f"{doc.path}:{rec.evidence.line}: ADR date is not a real day, ignored")
    rec.date = day or ""
    _adr_decision(doc, rec, out)
    _adr_options(doc, rec, out)
    out.adrs.append(rec)
    # an ADR named as superseding or superseded is an ADR of the workspace, with or without a document
    for other, ev in rec.supersedes + rec.superseded_by:
        if not other.startswith("doc:"):
            out.adrs.append(AdrRecord(id=other, evidence=ev))
    # "Remove Kong, Use Istio" / "Replace X with Y" in a title names the technology that leaves
    for gone, new in replacement_pairs(rec.title):
        out.mentions.append(Mention(gone, "Component", rec.evidence, props={"status": "removed"}))
        out.facts.append(Fact(gone, "replacedBy", new, rec.evidence))


def _adr_status_and_date(doc: Document, rec: AdrRecord) -> list[Block]:
    """Status and date from front matter (MADR), a '## Status' section (Nygard) or 'Status:' lines; the status blocks."""
    fm = doc.front_matter
    if fm.get("status"):
        rec.status = str(fm["status"])
    if fm.get("date"):
        rec.date = str(fm["date"])
    status_blocks = section_blocks(doc, ("status",))
    if not rec.status and status_blocks:
        rec.status = status_blocks[0].text
        rec.evidence = evidence_at(doc, status_blocks[0].line, "heading")
    date_blocks = section_blocks(doc, ("date", "dates"))
    if not rec.date and date_blocks:
        rec.date = date_blocks[0].text
    # "**Status:** Accepted" / "Date: 2026-01-05" lines (adr-tools, Nygard variants)
    for b in doc.blocks[:12]:
        for line_no in range(b.line, max(b.end_line, b.line) + 1):
            m = re.match(r"^[*_\s>-]*(status|date)[*_\s]*:[*_\s]*(.+)$", doc.line_text(line_no), re.IGNORECASE)
            if not m:
                continue
            key, value = m.group(1).lower(), clean_name(m.group(2))
            if key == "status" and not rec.status:
                rec.status, rec.evidence = value, evidence_at(doc, line_no, "heading")
            elif key == "date" and not rec.date:
                rec.date = value
    return status_blocks


def _adr_supersession(doc: Document, rec: AdrRecord, status_blocks: list[Block]) -> None:
    """'Supersedes ADR-013', 'Superseded by ADR-039', front-matter keys, and adr-tools' links to the other record."""
    fm = doc.front_matter
    status_line = rec.evidence.line
    header_text = " ".join([rec.status, *(str(v) for k, v in fm.items() if "supersed" in str(k).lower()),
                            *(b.text for b in status_blocks)])
    for pattern, target in ((SUPERSEDES, rec.supersedes), (SUPERSEDED_BY, rec.superseded_by)):
        for m in pattern.finditer(header_text):
            for ref in ADR_ID.finditer(m.group(1)):
                target.append((canonical_adr_number(int(ref.group(1))), evidence_at(doc, status_line, "heading")))
    for fm_key in ("supersedes", "superseded_by", "superseded-by"):
        fm_value = fm.get(fm_key)
        for v in fm_value if isinstance(fm_value, list) else [fm_value] if fm_value else []:
            found = adr_id(str(v))
            if found:
                target = rec.supersedes if fm_key == "supersedes" else rec.superseded_by
                target.append((found, evidence_at(doc, 1, "front-matter", f"{fm_key}: {v}")))
    # adr-tools links the other record instead of naming it: "Superceded by [3. Use Y](0003-use-y.md)"
    status_lines = {b.line for b in status_blocks} | {status_line}
    for link in doc.links:
        if link.line not in status_lines or link.kind != "internal" or not link.target:
            continue
        before = doc.line_text(link.line).split(link.text, 1)[0].lower()
        if re.search(r"super[sc]eded\s+by|replaced\s+by", before):
            rec.superseded_by.append(("doc:" + link.target, evidence_at(doc, link.line, "link")))
        elif re.search(r"super[sc]edes", before):
            rec.supersedes.append(("doc:" + link.target, evidence_at(doc, link.line, "link")))


def _adr_decision(doc: Document, rec: AdrRecord, out: Extraction) -> None:
    """What the decision section chose: bold names after a decision verb, or MADR's quoted chosen option."""

    def decided(phrase: str, line: int) -> None:
        for name, paren in _decided_names(phrase):
            ev = evidence_at(doc, line, "prose")
            out.mentions.append(Mention(name, "Component", ev, aliases=[paren] if paren else []))
            rec.decided_names.append((name, ev))

    for b in section_blocks(doc, DECISION_HEADINGS)[:6]:
        rec.decision_text.append((b.text, evidence_at(doc, b.line, "prose")))
        chosen = CHOSEN_OPTION.search(b.text)
        if chosen:  # MADR quotes its choice: Chosen option: "Use Kafka"
            decided(re.sub(r"^(use|adopt|choose)\s+", "", chosen.group(1), flags=re.I), b.line)
        verb = DECISION_VERB.search(b.text)
        if verb is None:
            continue
        for strong in b.strong:
            if b.text.find(strong) >= verb.start():  # the chosen thing follows the verb: "We will use **X**"
                decided(strong, b.line)


def _adr_options(doc: Document, rec: AdrRecord, out: Extraction) -> None:
    """The options an ADR weighed: '1. **Apache Kafka**: …', or a plain 'Considered Options' list."""
    for b in option_items(doc):
        names: list[str] = []
        if b.strong and b.text.startswith(b.strong[0]):
            names = split_compound(b.strong[0])
        elif b.section and clean_name(b.section[-1]).lower() in OPTIONS_SECTIONS:
            names = split_compound(re.split(r"\s[-–—:]\s|:", b.text)[0])
        for name in names:
            name, _ = split_parenthetical(name)
            if looks_like_a_name(name):
                rec.options.append((name, evidence_at(doc, b.line, "prose")))
                out.mentions.append(Mention(name, "Component", evidence_at(doc, b.line, "prose")))


OPTIONS_INTRO = re.compile(r"\b(options?|alternatives?)\b.*\b(considered|evaluated)\b|considered options", re.I)


OPTIONS_SECTIONS = ("considered options", "options considered", "alternatives considered", "alternatives", "options")


def option_items(doc: Document) -> list[Block]:
    """List items that name the options a decision weighed ('Options considered:' lists, 'Considered Options')."""
    items, in_options = [], False
    for b in doc.blocks:
        sec = clean_name(b.section[-1]).lower() if b.section else ""
        if b.kind == "paragraph":
            in_options = bool(OPTIONS_INTRO.search(b.text))
        elif in_options or sec in OPTIONS_SECTIONS:
            items.append(b)
    return items


def _decided_names(strong: str) -> list[tuple[str, str | None]]:
    # "MinIO on OCI Block Storage" -> "MinIO": keep the head of a bold decision phrase
    head = re.split(r"\s+(?:on|with|for|as|in|via|using|over|instead of)\s+", strong, maxsplit=1)[0]
    names = []
    for part in split_compound(head):
        name, paren = split_parenthetical(part)
        if looks_like_a_name(name):
            names.append((name, paren))
    return names


def adr_references(doc: Document, out: Extraction) -> None:
    """ADRs named in tables and links (an index, a 'Related ADRs' list), with their titles."""
    for table in doc.tables:
        title_col = column(table.header, ("title", "name", "decision", "description", "summary"))
        status_col = column(table.header, ("status", "state"))
        repo_col = column(table.header, ("repository", "repo", "location"))
        for row, links, line in zip(table.rows, table.row_links, table.row_lines):
            cells = list(row.values())
            if not cells:
                continue
            found = adr_id(cells[0])
            if not found or not re.fullmatch(r"\s*ADR[-_ ]?\d+\s*", cells[0], re.I):
                continue
            title = row.get(title_col, "") if title_col else (cells[1] if len(cells) > 1 else "")
            if title_col and title_col == table.header[0]:
                title = cells[1] if len(cells) > 1 else ""
            rec = AdrRecord(id=found, evidence=evidence_at(doc, line, "index" if doc.kind == "index" else "table"),
                            title=clean_name(title), status=row.get(status_col, "") if status_col else "",
                            repository=row.get(repo_col, "") if repo_col else "")
            for gone, new in replacement_pairs(rec.title):
                out.mentions.append(Mention(gone, "Component", rec.evidence, props={"status": "removed"}))
                out.facts.append(Fact(gone, "replacedBy", new, rec.evidence))
            for text, href in links:
                if adr_id(text) == found:
                    link = next((lk for lk in doc.links if lk.href == href and lk.line == line), None)
                    if link is not None and link.kind == "internal":
                        rec.document = link.target
            out.adrs.append(rec)
    table_lines = {ln for t in doc.tables for ln in t.row_lines}
    for link in doc.links:
        if link.line in table_lines:
            continue
        found = adr_id(link.text) or (adr_id(link.href.rsplit("/", 1)[-1]) if link.kind != "external" else None)
        if not found or not re.match(r"\s*ADR", link.text, re.I):
            continue
        m = re.match(r"\s*ADR[-_ ]?\d+\s*[:\-–—]?\s*(.*)$", link.text, re.I)
        rec = AdrRecord(id=found, evidence=evidence_at(doc, link.line, "link"), title=clean_name(m.group(1)) if m else "")
        rec.document = link.target if link.kind == "internal" else None
        out.adrs.append(rec)


def adr_subject(doc: Document, out: Extraction, gaz: Gazetteer) -> str | None:
    """The one component an ADR document decides on (its bold choice, else its title), if there is one."""
    if doc.kind != "adr":
        return None
    chosen = {gaz.lookup(name, "Component") for rec in out.adrs if rec.document == doc.path
              for name, evidence_at in rec.decided_names} - {None}
    if not chosen:
        chosen = {h[2] for h in gaz.scan(doc.title) if gaz.type_of(h[2]) == "Component"}
    return next(iter(chosen)) if len(chosen) == 1 else None


def adr_entities(entities: dict[str, Entity], records: list[AdrRecord]) -> dict[str, list[AdrRecord]]:
    grouped: dict[str, list[AdrRecord]] = defaultdict(list)
    for rec in records:
        grouped[rec.id].append(rec)
    for adr, recs in sorted(grouped.items()):
        own = [r for r in recs if r.document and r.status is not None and r.evidence.method in ("heading", "front-matter")]
        docs = sorted({r.document for r in recs if r.document and entities.get(f"document/{r.document}")
                       and entities[f"document/{r.document}"].props.get("kind") == "adr"})
        indexed = [r for r in recs if r.evidence.method == "index"]
        title = next((r.title for r in own + indexed + recs if r.title), "")
        status = next((r.status for r in own if r.status), "") or next((r.status for r in recs if r.status), "")
        date = next((r.date for r in own if r.date), "")
        key = entity_key("ADR", adr)
        ent = Entity(key=key, type="ADR", label=adr)
        m = re.fullmatch(r"ADR-(\d+)", adr)
        if m:
            n = int(m.group(1))
            ent.aliases |= {f"ADR-{n}", f"ADR-{n:04d}", f"ADR {n}"}
        ent.props.update({"adr_id": adr, "title": title, "status": status or "Unknown", "date": date,
                          "documents": docs, "unresolved": not docs})
        repos = sorted({r.repository for r in recs if r.repository} | {d.split("/", 1)[0] for d in docs})
        ent.props["repositories"] = repos
        ent.evidence = [r.evidence for r in recs]
        entities[key] = ent
    return grouped


def adr_relations(grouped: dict[str, list[AdrRecord]], gaz: Gazetteer, documents: list[Document]) -> list[Relation]:
    """decides, rejects, supersedes and documentedIn, from the ADR's title, decision text and options."""
    out: list[Relation] = []
    # adr-tools names the other record by its file: "doc:<path>" -> the ADR documented there
    by_document = {"doc:" + r.document: adr for adr, recs in grouped.items() for r in recs
                   if r.document and r.evidence.method in ("heading", "front-matter")}
    for adr, recs in grouped.items():
        key = entity_key("ADR", adr)
        ent = gaz.entities[key]
        for d in ent.props["documents"]:
            rec = next((r for r in recs if r.document == d), recs[0])
            out.append(Relation(key, "documentedIn", f"document/{d}", [rec.evidence]))
        # titles: the ADR's own title when it has a document, else what indexes call it
        own = [r for r in recs if r.document in ent.props["documents"] and r.evidence.method == "heading"]
        title_sources = own or [r for r in recs if r.evidence.method == "index"] or recs
        decided: dict[str, Evidence] = {}
        rejected: dict[str, Evidence] = {}
        for rec in title_sources:
            for hit, negated in _title_names(rec.title, gaz):
                target = rejected if negated else decided
                target.setdefault(hit, rec.evidence)
        for rec in recs:
            for name, ev in rec.decided_names:
                chosen = gaz.lookup(name, "Component") or gaz.lookup(name, "Vendor")
                if chosen:
                    decided.setdefault(chosen, ev)
        if not decided:
            for text, ev in (t for r in recs for t in r.decision_text):
                for hit in _decision_names(text, gaz):
                    decided.setdefault(hit, ev)
                if decided:
                    break
        for rec in recs:
            for name, ev in rec.options:
                option = gaz.lookup(name, "Component")
                if option and option not in decided:
                    rejected.setdefault(option, ev)
        for hit, ev in decided.items():
            out.append(Relation(key, "decides", hit, [ev]))
        for hit, ev in rejected.items():
            if hit not in decided:
                out.append(Relation(key, "rejects", hit, [ev]))
        for rec in recs:
            for other, ev in rec.supersedes:
                out.append(Relation(key, "supersedes", entity_key("ADR", by_document.get(other, other)), [ev]))
            for other, ev in rec.superseded_by:
                out.append(Relation(entity_key("ADR", by_document.get(other, other)), "supersedes", key, [ev]))
    return [r for r in out if gaz.has(r.subject) and gaz.has(r.object)]


def _title_names(title: str, gaz: Gazetteer) -> list[tuple[str, bool]]:
    out = []
    for start, _end, key, _surface in gaz.scan(title):
        if gaz.type_of(key) not in ("Component", "Vendor"):
            continue
        before = title[:start]
        negated = bool(re.search(r"\b(no|not|without|remove|removing|drop|replace|instead of|over|vs\.?)\s*$", before, re.I))
        out.append((key, negated))
    return out


def _decision_names(text: str, gaz: Gazetteer) -> list[str]:
    verb = DECISION_VERB.search(text)
    if not verb:
        return []
    return [h[2] for h in gaz.scan(text[verb.start():]) if gaz.type_of(h[2]) == "Component"][:3]


ADR_TOPIC = re.compile(r"^(?P<topic>[^:()]{3,40}?)\s+(?:-|–|—|with|using|via|:)\s+(?P<name>.+)$", re.IGNORECASE)


def categories_from_adr_titles(entities: dict[str, Entity], relations: list[Relation]) -> None:
    """A component no table categorises takes its ADR's topic: "Caching Layer - Dragonfly" -> Caching Layer."""
    for rel in relations:
        if rel.predicate != "decides":
            continue
        component = entities[rel.object]
        if component.type != "Component" or component.props.get("category"):
            continue
        m = ADR_TOPIC.match(str(entities[rel.subject].props.get("title", "")))
        names = {component.label.lower(), *(a.lower() for a in component.aliases)}
        if m and m.group("name").strip().lower() in names and len(m.group("topic").split()) <= 4:
            component.props["category"] = m.group("topic").strip()
