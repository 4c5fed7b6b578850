"""Extract stage: Documents -> Mentions (names of things) and Facts (relations between names).

Extraction runs in two passes of named rules, in the spirit of markdown-it's
ruler: the *names* rules read the places that define things (tech-stack
tables, indexes, ADR headers, ownership and vendor tables); the resolve stage
turns those names into entities and an alias table; the *facts* rules then read
diagrams, prose and tables for relations between names the workspace knows.
Adding a source of facts is adding one rule to one of the two lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .model import Block, Document, Evidence, Fact, Mention, MermaidDiagram
from .names import (
    ADR_ID,
    adr_id,
    canonical_adr_number,
    clean_name,
    is_abbreviation_of,
    split_compound,
    split_parenthetical,
    strip_legal_suffix,
)

if TYPE_CHECKING:
    from .resolve import Gazetteer


@dataclass
class AdrRecord:
    """What one document or index row says about an ADR."""

    id: str
    evidence: Evidence
    title: str = ""
    status: str = ""
    date: str = ""
    document: str | None = None  # workspace path of the ADR's own document
    repository: str = ""
    supersedes: list[tuple[str, Evidence]] = field(default_factory=list)
    superseded_by: list[tuple[str, Evidence]] = field(default_factory=list)
    decision_text: list[tuple[str, Evidence]] = field(default_factory=list)
    decided_names: list[tuple[str, Evidence]] = field(default_factory=list)  # bold names after a decision verb
    options: list[tuple[str, Evidence]] = field(default_factory=list)


@dataclass
class Extraction:
    mentions: list[Mention] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    adrs: list[AdrRecord] = field(default_factory=list)


NameRule = Callable[[Document, Extraction], None]
FactRule = Callable[[Document, Extraction, "Gazetteer"], None]

NAME_COLUMNS = ("technology", "component", "tool", "tools", "software", "product", "solution", "technology/tool")
DESCRIBING_COLUMNS = ("category", "layer", "purpose", "version", "role", "description", "function", "type", "use")
TEAM_WORD = re.compile(r"\b(team|squad|guild|group|crew|chapter|department|dept|tribe|org|sre|ops|engineering)\b", re.I)
OWNER_COLUMNS = ("owner", "owners", "team", "owning team", "maintainer", "maintainers")
VENDOR_COLUMNS = ("provider", "vendor", "cloud provider", "supplier")
NOT_USED = re.compile(r"\b(not used|unused|removed|deprecated|rejected|replaced|dropped|disabled|retired|decommissioned)\b", re.I)
STATUS_WORDS = {"not used": "not used", "unused": "not used", "rejected": "not used", "disabled": "not used",
                "removed": "removed", "deprecated": "removed", "dropped": "removed", "retired": "removed",
                "decommissioned": "removed", "replaced": "replaced"}


def _ev(doc: Document, line: int, method: str, text: str | None = None) -> Evidence:
    return Evidence(doc.path, line, (text if text is not None else doc.line_text(line))[:300], method)


def _col(header: list[str], names: tuple[str, ...]) -> str | None:
    for h in header:
        if clean_name(h).lower() in names:
            return h
    return None


# ======================================================================= names pass

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


def _iso_date(text: str) -> str | None:
    """The first YYYY-MM-DD in text ('' when there is none, None when it is no real day: 2026-13-45)."""
    import datetime

    m = re.search(r"\d{4}-\d{2}-\d{2}", text)
    if not m:
        return ""
    try:
        return datetime.date.fromisoformat(m.group(0)).isoformat()
    except ValueError:
        return None


def _section_blocks(doc: Document, names: tuple[str, ...]) -> list:
    return [b for b in doc.blocks if b.section and clean_name(b.section[-1]).lower().rstrip(":") in names]


def rule_adr_document(doc: Document, out: Extraction) -> None:
    """An ADR's own document: id, title, status, date, supersession, decision and the options it weighed."""
    if doc.kind != "adr":
        return
    ident = adr_identity(doc)
    if not ident:
        return
    rid, title = ident
    first = doc.sections[0].line if doc.sections else 1
    rec = AdrRecord(id=rid, evidence=_ev(doc, first, "heading"), title=clean_name(title), document=doc.path,
                    repository=doc.repo)
    status_blocks = _adr_status_and_date(doc, rec)
    _adr_supersession(doc, rec, status_blocks)
    sm = STATUS_VALUE.search(rec.status)
    rec.status = sm.group(1).title() if sm else clean_name(rec.status)[:40]
    day = _iso_date(rec.date)
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
    for gone, new in _replacement_pairs(rec.title):
        out.mentions.append(Mention(gone, "Component", rec.evidence, props={"status": "removed"}))
        out.facts.append(Fact(gone, "replacedBy", new, rec.evidence))


def _adr_status_and_date(doc: Document, rec: AdrRecord) -> list[Block]:
    """Status and date from front matter (MADR), a '## Status' section (Nygard) or 'Status:' lines; the status blocks."""
    fm = doc.front_matter
    if fm.get("status"):
        rec.status = str(fm["status"])
    if fm.get("date"):
        rec.date = str(fm["date"])
    status_blocks = _section_blocks(doc, ("status",))
    if not rec.status and status_blocks:
        rec.status = status_blocks[0].text
        rec.evidence = _ev(doc, status_blocks[0].line, "heading")
    date_blocks = _section_blocks(doc, ("date", "dates"))
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
                rec.status, rec.evidence = value, _ev(doc, line_no, "heading")
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
                target.append((canonical_adr_number(int(ref.group(1))), _ev(doc, status_line, "heading")))
    for fm_key in ("supersedes", "superseded_by", "superseded-by"):
        fm_value = fm.get(fm_key)
        for v in fm_value if isinstance(fm_value, list) else [fm_value] if fm_value else []:
            found = adr_id(str(v))
            if found:
                target = rec.supersedes if fm_key == "supersedes" else rec.superseded_by
                target.append((found, _ev(doc, 1, "front-matter", f"{fm_key}: {v}")))
    # adr-tools links the other record instead of naming it: "Superceded by [3. Use Y](0003-use-y.md)"
    status_lines = {b.line for b in status_blocks} | {status_line}
    for link in doc.links:
        if link.line not in status_lines or link.kind != "internal" or not link.target:
            continue
        before = doc.line_text(link.line).split(link.text, 1)[0].lower()
        if re.search(r"super[sc]eded\s+by|replaced\s+by", before):
            rec.superseded_by.append(("doc:" + link.target, _ev(doc, link.line, "link")))
        elif re.search(r"super[sc]edes", before):
            rec.supersedes.append(("doc:" + link.target, _ev(doc, link.line, "link")))


def _adr_decision(doc: Document, rec: AdrRecord, out: Extraction) -> None:
    """What the decision section chose: bold names after a decision verb, or MADR's quoted chosen option."""

    def decided(phrase: str, line: int) -> None:
        for name, paren in _decided_names(phrase):
            ev = _ev(doc, line, "prose")
            out.mentions.append(Mention(name, "Component", ev, aliases=[paren] if paren else []))
            rec.decided_names.append((name, ev))

    for b in _section_blocks(doc, DECISION_HEADINGS)[:6]:
        rec.decision_text.append((b.text, _ev(doc, b.line, "prose")))
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
                rec.options.append((name, _ev(doc, b.line, "prose")))
                out.mentions.append(Mention(name, "Component", _ev(doc, b.line, "prose")))


def looks_like_a_name(text: str) -> bool:
    """A product name: at most four words, each capitalised or with a capital inside ('Grafana Loki', 'MinIO', 'cert-manager')."""
    words = text.split()
    if not 0 < len(words) <= 4 or len(text) > 40:
        return False
    if re.search(r"\b(mode|layer|strategy|approach|pattern|architecture|overhead|dashboard|pipeline|only|manual|"
                 r"per|no|none|self-hosted|managed|plain|direct|saas|selection|configuration|location|workflow|discovery|setup|"
                 r"overview|management|requirement|guide|structure|policy|policies|process|naming|limit|resource|"
                 r"summary|example|usage|installation|deployment|integration|analysis|flags?|shifting)s?\b", text, re.I):
        return False
    if re.fullmatch(r"(?i)operators|tools|services|controllers|servers|databases|clusters|providers|solutions|"
                    r"platforms|systems|agents|plugins|apis", words[-1]):
        return False  # "Kubernetes Operators" is a kind of thing, not a product
    if len(words) == 1:
        return any(ch.isupper() or ch.isdigit() for ch in text) or "-" in text
    return all(w[0].isupper() or w[0].isdigit() or any(c.isupper() for c in w) for w in words)


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


def _replacement_pairs(title: str) -> list[tuple[str, str]]:
    pairs = []
    m = re.search(r"\bremove\s+([\w.\- ]+?)\s*[,;]\s*(?:and\s+)?use\s+([\w.\- ]+)", title, re.I)
    if m:
        pairs.append((clean_name(m.group(1)), clean_name(m.group(2))))
    m = re.search(r"\breplace\s+([\w.\- ]+?)\s+with\s+([\w.\- ]+)", title, re.I)
    if m:
        pairs.append((clean_name(m.group(1)), clean_name(m.group(2))))
    m = re.search(r"\bmigrat\w*\s+from\s+([\w.\- ]+?)\s+to\s+([\w.\- ]+)", title, re.I)
    if m:
        pairs.append((clean_name(m.group(1)), clean_name(m.group(2))))
    return pairs


def rule_adr_references(doc: Document, out: Extraction) -> None:
    """ADRs named in tables and links (an index, a 'Related ADRs' list), with their titles."""
    for table in doc.tables:
        title_col = _col(table.header, ("title", "name", "decision", "description", "summary"))
        status_col = _col(table.header, ("status", "state"))
        repo_col = _col(table.header, ("repository", "repo", "location"))
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
            rec = AdrRecord(id=found, evidence=_ev(doc, line, "index" if doc.kind == "index" else "table"),
                            title=clean_name(title), status=row.get(status_col, "") if status_col else "",
                            repository=row.get(repo_col, "") if repo_col else "")
            for gone, new in _replacement_pairs(rec.title):
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
        rec = AdrRecord(id=found, evidence=_ev(doc, link.line, "link"), title=clean_name(m.group(1)) if m else "")
        rec.document = link.target if link.kind == "internal" else None
        out.adrs.append(rec)


INVENTORY = re.compile(r"\b(components?|services|technolog(?:y|ies)|stack|inventory|catalog(?:ue)?|systems|"
                       r"dependencies|building blocks)\b", re.I)


def rule_technology_tables(doc: Document, out: Extraction) -> None:
    """Tech-stack tables: a technology/component column beside a category, purpose or version."""
    for table in doc.tables:
        name_col = _col(table.header, NAME_COLUMNS)
        if not name_col and INVENTORY.search(" ".join((doc.title, *table.section))):
            # "| Name | Purpose |" or "| Service | Description |" counts in a components/services inventory
            name_col = _col(table.header, ("name", "service", "services", "system"))
        if not name_col:
            continue
        described = [h for h in table.header if clean_name(h).lower() in DESCRIBING_COLUMNS]
        status_col = _col(table.header, ("status", "state", "value", "decision"))
        replaced_col = _col(table.header, ("replaced by", "replacement", "successor", "instead"))
        if not described and not status_col:
            continue
        category_col = _col(table.header, ("category", "layer", "type", "function"))
        if category_col is None and table.header[0] != name_col and table.header[0] not in described:
            category_col = table.header[0]
        for row, line in zip(table.rows, table.row_lines):
            cell = row.get(name_col, "")
            if not cell or cell in ("-", "—") or len(cell) > 60:
                continue
            props: dict[str, str] = {}
            for key, label in (("category", category_col), ("version", _col(table.header, ("version",))),
                               ("purpose", _col(table.header, ("purpose", "description", "role", "function", "use")))):
                if label and row.get(label) and row[label] not in ("-", "—"):
                    props[key] = clean_name(row[label])
            status_cell = row.get(status_col, "") if status_col else ""
            sm = NOT_USED.search(status_cell)
            if sm:
                props["status"] = STATUS_WORDS[sm.group(1).lower()]
            elif status_col and not described:
                continue  # a status table that does not say "not used" defines nothing
            for part in split_compound(cell):
                name, paren = split_parenthetical(part)
                mention = Mention(name, "Component", _ev(doc, line, "table"), props=dict(props), strength=2)
                if paren:
                    mention.aliases.append(paren)
                out.mentions.append(mention)
                if replaced_col and row.get(replaced_col) and props.get("status"):
                    out.facts.append(Fact(name, "replacedBy", clean_name(row[replaced_col]), _ev(doc, line, "table")))


def rule_decision_tables(doc: Document, out: Extraction) -> None:
    """'| **MetalLB** | **NOT USED** | why |' rows: a technology and a verdict that it is not used."""
    for table in doc.tables:
        if _col(table.header, NAME_COLUMNS):
            continue  # handled by rule_technology_tables
        if len(table.header) < 2:
            continue
        for row, line in zip(table.rows, table.row_lines):
            cells = list(row.values())
            if len(cells) < 2:
                continue
            m = NOT_USED.search(cells[1])
            if not m or len(cells[1]) > 30 or len(cells[0]) > 40:
                continue
            name, _ = split_parenthetical(clean_name(cells[0]))
            if name:
                out.mentions.append(Mention(name, "Component", _ev(doc, line, "table"),
                                            props={"status": STATUS_WORDS[m.group(1).lower()]}, strength=2))


def rule_repository_headings(doc: Document, out: Extraction) -> None:
    """Index headings 'cnpg - PostgreSQL (CloudNativePG)' whose first word is a linked repository."""
    if doc.kind not in ("index", "readme"):
        return
    from .links import parse_github

    linked_repos: dict[tuple[str, ...], set[str]] = {}
    for link in doc.links:
        gh = parse_github(link.href)
        if gh:
            linked_repos.setdefault(link.section, set()).add(gh[1].lower())
    for section in doc.sections:
        m = re.match(r"^`?([\w.\-]+)`?\s+[-–—:]\s+(.+)$", section.title)
        if not m:
            continue
        repo, description = m.group(1), clean_name(m.group(2))
        repos_here = linked_repos.get(section.path, set())
        if repo.lower() not in repos_here:
            continue
        ev = _ev(doc, section.line, "index")
        out.mentions.append(Mention(repo, "Repository", ev, props={"description": description}, strength=2))
        # the repository is named after the technology it holds: that technology is a component,
        # filed under the index's heading above it ("Data Layer", "Observability Stack")
        props = {"purpose": description}
        if len(section.path) >= 2 and not re.search(r"repositor|index|contents", section.path[-2], re.I):
            props["layer"] = clean_name(section.path[-2])
        comp = Mention(repo, "Component", ev, props=props, strength=2)
        _, paren = split_parenthetical(description)
        if paren:
            comp.aliases.append(paren)
        out.mentions.append(comp)
        out.facts.append(Fact(repo, "describes", repo, ev, subject_type="Repository"))


def rule_ownership_tables(doc: Document, out: Extraction) -> None:
    """Ownership tables: '| Repository | Owner | Purpose |' or '| Component | Team |'."""
    for table in doc.tables:
        owner_col = _col(table.header, OWNER_COLUMNS)
        if not owner_col:
            continue
        repo_col = _col(table.header, ("repository", "repo", "repositories"))
        comp_col = _col(table.header, NAME_COLUMNS + ("service",))
        purpose_col = _col(table.header, ("purpose", "description", "scope", "contents"))
        for row, line in zip(table.rows, table.row_lines):
            owner = clean_name(row.get(owner_col, ""))
            if not owner or not TEAM_WORD.search(owner) or len(owner) > 40:
                continue  # an owner column naming a tool or a person is not a team
            ev = _ev(doc, line, "table")
            out.mentions.append(Mention(owner, "Team", ev, strength=2))
            if repo_col and row.get(repo_col):
                repo = clean_name(row[repo_col])
                props = {"purpose": clean_name(row[purpose_col])} if purpose_col and row.get(purpose_col) else {}
                out.mentions.append(Mention(repo, "Repository", ev, props=props, strength=2))
                out.facts.append(Fact(repo, "ownedBy", owner, ev, subject_type="Repository", object_type="Team"))
                if props:  # "| infra-redpanda | Platform Team | Redpanda event streaming |"
                    out.facts.append(Fact(repo, "describes", props["purpose"], ev, subject_type="Repository",
                                          object_type="Component"))
            elif comp_col and row.get(comp_col):
                out.facts.append(Fact(clean_name(row[comp_col]), "ownedBy", owner, ev, object_type="Team"))


def rule_document_owner(doc: Document, out: Extraction) -> None:
    """'Owner: Platform Team' at the head or foot of a document."""
    for b in doc.blocks[:8] + doc.blocks[-6:]:
        for line in range(b.line, max(b.end_line, b.line) + 1):
            m = re.match(r"^[*_>\s-]*(?:owner|owned by|maintainer|team)[*_\s]*:[*_\s]*(.+?)[*_\s]*$", doc.line_text(line), re.I)
            if not m:
                continue
            team = clean_name(m.group(1))
            if 1 < len(team) <= 40 and TEAM_WORD.search(team):
                ev = _ev(doc, line, "prose")
                out.mentions.append(Mention(team, "Team", ev, strength=2))
                out.facts.append(Fact(f"document/{doc.path}", "ownedBy", team, ev, subject_type="key", object_type="Team"))
                return


def rule_vendor_sources(doc: Document, out: Extraction) -> None:
    """Vendors: provider columns of comparison tables and company profiles in vendor evaluations."""
    for table in doc.tables:
        vendor_col = _col(table.header, VENDOR_COLUMNS)
        if not vendor_col:
            continue
        for row, line in zip(table.rows, table.row_lines):
            cell = clean_name(row.get(vendor_col, "")).split("/")[0]
            name = strip_legal_suffix(split_parenthetical(cell)[0])
            if name and len(name) <= 40 and not re.search(r"\d", name):
                out.mentions.append(Mention(name, "Vendor", _ev(doc, line, "table"), strength=2))
    vendor_doc = doc.kind == "evaluation" or re.search(r"vendor|provider", doc.title, re.I)
    if not vendor_doc:
        return
    for section in doc.sections:
        parents = " ".join(section.path[:-1]).lower()
        if section.level >= 3 and re.search(r"vendor|provider|profiles?", parents):
            m = re.match(r"^(.+?)\s+(?:GmbH|AG|Inc\.?|Ltd\.?|LLC|SAS|S\.A\.|plc|Corp\.?)\b(.*)$", section.title)
            if not m:
                continue  # only company-profile headings carry a legal form; others are topics
            name = strip_legal_suffix(clean_name(m.group(1)))
            ev = _ev(doc, section.line, "heading")
            words = name.split()
            aliases = [words[0]] if len(words) > 1 else []
            out.mentions.append(Mention(name, "Vendor", ev, aliases=aliases, strength=2))


COMPONENT_PARENT = re.compile(r"\b(components?|technolog(?:y|ies)|stack|tools|tooling|operators|"
                              r"dependencies|building blocks)\b", re.I)


def rule_component_headings(doc: Document, out: Extraction) -> None:
    """'### Redpanda (Event Streaming)' under a '## Components' or '## Database Operators' heading."""
    if doc.kind in ("adr", "runbook", "index"):
        return
    for section in doc.sections:
        if section.level < 3 or len(section.path) < 2 or not COMPONENT_PARENT.search(section.path[-2]):
            continue
        name, paren = split_parenthetical(clean_name(re.sub(r"^\d+(\.\d+)*\.?\s+", "", section.title)))
        if not looks_like_a_name(name) or re.search(r"\?|^(why|how|what|when|overview|summary|installation|"
                                                    r"configuration|setup|components?)\b", name, re.I):
            continue
        props = {}
        aliases = []
        if paren:
            if is_abbreviation_of(paren, name) or is_abbreviation_of(name, paren):
                aliases.append(paren)
            else:
                props["category"] = paren
        out.mentions.append(Mention(name, "Component", _ev(doc, section.line, "heading"), props=props,
                                    aliases=aliases))


def rule_component_lists(doc: Document, out: Extraction) -> None:
    """'- **Redpanda** – event streaming' in a components or stack section: a bold (or code) name leads the item."""
    if doc.kind in ("adr", "runbook", "index"):
        return
    for block in doc.blocks:
        if block.kind != "item" or not INVENTORY.search(" ".join(block.section[-2:])):
            continue
        m = re.match(r"^(?P<name>[^:–—(]{2,40}?)\s*(?:\((?P<paren>[^)]+)\))?\s*(?:[:–—]|\s-\s)\s*(?P<rest>.*)$", block.text)
        raw = doc.line_text(block.line)
        if not m or not re.match(r"^[-*+\d.)\s]*(\*\*|__|`)", raw):
            continue  # only a name set apart in bold or code makes the item a definition
        name = clean_name(m.group("name"))
        if not looks_like_a_name(name):
            continue
        aliases = [m.group("paren")] if m.group("paren") else []
        props = {"purpose": clean_name(m.group("rest"))[:120]} if m.group("rest") else {}
        out.mentions.append(Mention(name, "Component", _ev(doc, block.line, "prose"), props=props,
                                    aliases=aliases))


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


def rule_dependency_tables(doc: Document, out: Extraction) -> None:
    """'| Service | Depends on |' tables: the row's component relies on each name in the cell."""
    for table in doc.tables:
        name_col = _col(table.header, NAME_COLUMNS + ("service", "services", "name", "system", "application", "app"))
        if not name_col:
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
        for row, line in zip(table.rows, table.row_lines):
            subject = clean_name(split_parenthetical(row.get(name_col, ""))[0])
            if not looks_like_a_name(subject) and not re.fullmatch(r"[a-z0-9][\w.-]*", subject):
                continue
            ev = _ev(doc, line, "table")
            out.mentions.append(Mention(subject, "Component", ev))
            for header, relation, direction in columns:
                for other in split_compound(row.get(header, "")):
                    other = clean_name(split_parenthetical(other)[0])
                    if not NAME_VALUE.match(other) or other.lower() in ("none", "n/a", "tbd") \
                            or re.search(r"\d", other) and not looks_like_a_name(other):
                        continue
                    out.mentions.append(Mention(other, "Component", ev))
                    pair = (subject, other) if direction == "forward" else (other, subject)
                    out.facts.append(Fact(pair[0], relation, pair[1], ev))


NAME_RULES: list[NameRule] = [
    rule_adr_document,
    rule_adr_references,
    rule_technology_tables,
    rule_component_lists,
    rule_dependency_tables,
    rule_component_headings,
    rule_decision_tables,
    rule_repository_headings,
    rule_ownership_tables,
    rule_document_owner,
    rule_vendor_sources,
]


# ======================================================================= facts pass

# Edge labels -> relation kind and direction. "forward": source REL target; "reverse": target REL source;
# "read": a read, whose direction depends on which end holds the data (see _read_direction).
EDGE_RULES: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"deploy|reconcil|\bsync|install|\bapply|release|gitops|helm|rollout", re.I), "deploys", "forward"),
    (re.compile(r"\bscal(e|es|ing)\b|autoscal", re.I), "scales", "forward"),
    (re.compile(r"provision|add node|create[sd]? (node|vm|cluster)", re.I), "provisions", "forward"),
    (re.compile(r"scrap|monitor|probe|health|alert|observ", re.I), "monitors", "forward"),
    (re.compile(r"back ?up|snapshot|\bwal\b|barman|pitr|archiv", re.I), "backsUpTo", "forward"),
    (re.compile(r"queue depth|\blag\b|consum|subscrib|\bread|quer|fetch|\bpoll|\bpull|\bwatch", re.I), "consumesFrom", "read"),
    (re.compile(r"secret|credential|token|certificat", re.I), "dependsOn", "reverse"),
    (re.compile(r"stor|persist|write|chunk|upload|offload|tier|bucket|\bs3\b|object", re.I), "storesDataIn", "forward"),
    (re.compile(r"publish|produc|emit|send|push|otlp|event|ship|forward|export|log|trace", re.I), "publishesTo", "forward"),
    (re.compile(r"\bcall|request|invoke|http|grpc|\bapi\b|connect|\b(get|create|update|delete|post|put|"
                r"validate|authori[sz]e|authenticate|verify|lookup|resolve|charge)s?\b", re.I), "dependsOn", "forward"),
    (re.compile(r"runs? on|hosted|host", re.I), "runsOn", "forward"),
]
STORAGE_HINT = re.compile(r"stor|database|\bdb\b|cache|object|bucket|\bs3\b|event|stream|queue|persist|broker", re.I)
READER_HINT = re.compile(r"visuali[sz]|dashboard|\bui\b|query|explor", re.I)
# "api -->|reads| db": a verb in the third person has the reader as its subject, at the arrow's tail
READ_VERB = re.compile(r"^\s*(reads|queries|fetches|pulls|polls|consumes|subscribes|watches|looks up)\b", re.I)


REPLY = re.compile(r"^\s*(returns?|respon[sd]\w*|repl(y|ies)|results?|ack\w*|ok\b|\d{3}\b|done|success)", re.I)


def _read_direction(label: str, source_store: bool, target_store: bool) -> str:
    """Which end of a read edge is the reader: the one that is not the store, else the verb's subject.

    Data-flow diagrams draw the arrow from the store to its reader (`redpanda -->|queue depth| keda`);
    call diagrams draw it from the reader to the store (`api -->|reads| db`).
    """
    if target_store and not source_store:
        return "forward"
    if source_store and not target_store:
        return "reverse"
    return "forward" if READ_VERB.search(label) else "reverse"


def classify_edge(label: str, target_hint: str, arrow: str, source_hint: str = "") -> tuple[str, str]:
    """(relation, direction) of a diagram edge, from its label, what each end is (hints), and the arrow.

    A hint is what a node is, in words (its category, its subgraphs' titles, its shape); a store is a
    node whose hint says storage, database, cache, events or queue.
    """
    if arrow.startswith("<"):
        return "relatedTo", "forward"
    source_store, target_store = bool(STORAGE_HINT.search(source_hint)), bool(STORAGE_HINT.search(target_hint))
    if label:
        for pattern, relation, direction in EDGE_RULES:
            if pattern.search(label):
                if direction == "read":
                    direction = _read_direction(label, source_store, target_store)
                return relation, direction
        return "relatedTo", "forward"
    if READER_HINT.search(source_hint) and not READER_HINT.search(target_hint):
        return "consumesFrom", "forward"  # a dashboard pointing at a backend reads from it
    if target_store:
        if re.search(r"event|stream|queue|broker", target_hint, re.I):
            return "publishesTo", "forward"
        return "storesDataIn", "forward"
    return "relatedTo", "forward"


def _diagram_entity(diagram: MermaidDiagram, node_id: str, gaz: Gazetteer) -> str | None:
    """The entity a node (or a subgraph used as an edge's end) stands for."""
    node = diagram.nodes.get(node_id)
    if node is not None:
        return gaz.node_entity(node.label, node.id)
    sub = diagram.subgraphs.get(node_id)
    if sub is not None:
        return gaz.node_entity(sub.label, sub.id)
    return gaz.node_entity(node_id, node_id)


def _diagram_hint(diagram: MermaidDiagram, node_id: str, key: str, gaz: Gazetteer) -> str:
    """What a node is, in words: its entity's category, its subgraphs' titles, its label, a cylinder's 'storage'."""
    ent = gaz.entities.get(key)
    hints = [str(ent.props.get("category", "")) if ent else ""]
    node = diagram.nodes.get(node_id)
    if node is not None and node.shape in ("cylinder", "database"):
        hints.append("storage")
    sub_id = node.subgraph if node else None
    while sub_id and sub_id in diagram.subgraphs:
        hints.append(diagram.subgraphs[sub_id].label)
        sub_id = diagram.subgraphs[sub_id].parent
    if node:
        hints.append(node.label)
    return " ".join(hints)


def rule_mermaid_edges(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """Flowchart edges and sequence messages between nodes that name known components, typed by label and target."""
    for diagram in doc.diagrams:
        if diagram.kind not in ("flowchart", "sequence"):
            continue
        previous = None
        for edge in diagram.edges:
            if diagram.kind == "sequence":
                is_reply = edge.arrow.startswith("--") or REPLY.search(edge.label) or (
                    previous is not None and (previous.source, previous.target) == (edge.target, edge.source))
                previous = edge
                if is_reply:
                    continue  # a dashed message, "Return spans", or the answer to the message before it
            if edge.arrow.startswith("~"):
                continue  # an invisible link only lays the drawing out
            src, dst = _diagram_entity(diagram, edge.source, gaz), _diagram_entity(diagram, edge.target, gaz)
            if not src or not dst or src == dst:
                continue
            relation, direction = classify_edge(edge.label, _diagram_hint(diagram, edge.target, dst, gaz), edge.arrow,
                                                _diagram_hint(diagram, edge.source, src, gaz))
            if diagram.kind == "sequence":
                # a message is a request from its sender, whatever it asks for ("Fetch chunks"):
                # the sender needs the receiver; a message whose kind cannot be told stays relatedTo
                direction = "forward"
            subject, obj = (src, dst) if direction == "forward" else (dst, src)
            text = f"{edge.source} {edge.arrow}{'|' + edge.label + '|' if edge.label else ''} {edge.target}"
            ev = Evidence(doc.path, edge.line, doc.line_text(edge.line) or text, "mermaid")
            out.facts.append(Fact(subject, relation, obj, ev, subject_type="key", object_type="key"))


PROSE_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bback(?:s|ed)?[ -]?ups?\b[^.;]*?\b(?:to|in|into|on)\b", re.I), "backsUpTo"),
    (re.compile(r"\b(?:tiered storage|stores?|storing|persists?|persisted|offloads?|archives?|writes?|written|"
                r"chunks?|uploads?|keeps? (?:its |their )?\w+)\b[^.;]*?\b(?:to|in|into|on)\b", re.I), "storesDataIn"),
    (re.compile(r"\b(?:consumes?|subscribes?|reads?|pulls?|polls?)\b[^.;]*?\b(?:from|to)\b", re.I), "consumesFrom"),
    (re.compile(r"\b(?:publish(?:es)?|produces?|emits?|sends?|pushes|ships?)\b[^.;]*?\b(?:to|into)\b", re.I), "publishesTo"),
    (re.compile(r"\b(?:runs? on|deployed on|hosted on|runs? inside)\b", re.I), "runsOn"),
    (re.compile(r"\b(?:depends? on|relies on|backed by|built on top of|built on|requires)\b", re.I), "dependsOn"),
    # a bare "uses"/"calls" says little: it counts only with its subject named in the same sentence
    (re.compile(r"\b(?:uses|calls|connects to|talks to)\b", re.I), "dependsOn?"),
    (re.compile(r"\b(?:deploys|installs|reconciles)\b", re.I), "deploys"),
    (re.compile(r"\b(?:scrapes|monitors)\b", re.I), "monitors"),
    (re.compile(r"\b(?:autoscales|scales)\b", re.I), "scales"),
]
HYPOTHETICAL = re.compile(r"\b(options?|alternatives?|considered|comparison|compared|rejected|pros|cons|"
                          r"why not|vs\.?|versus)\b", re.I)
NEGATION = re.compile(r"\b(?:not|no|never|without|instead of|rather than|doesn't|does not|don't|cannot)\b[^.;]{0,25}$", re.I)
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z*`])")


def _sentence_line(doc: Document, block_line: int, end_line: int, sentence: str) -> int:
    probe = sentence[:25].strip()
    for ln in range(block_line, max(end_line, block_line) + 1):
        if probe and probe[:12] in doc.line_text(ln):
            return ln
    return block_line


def rule_prose_relations(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """Sentences like 'Redpanda offloads old segments to MinIO' or, under a 'Redpanda' heading, 'tiered storage to MinIO'."""
    options = {id(b) for b in option_items(doc)}
    # an ADR about one component speaks of it without naming it: "Scheduled backups to Cloudflare R2"
    doc_subject = _adr_subject(doc, out, gaz)
    for block in doc.blocks:
        if id(block) in options or (block.section and HYPOTHETICAL.search(block.section[-1])):
            continue  # options an ADR weighed are not how the platform works
        subject_of_section = gaz.section_subject(block.section)
        if subject_of_section is None and not any(re.search(r"context|problem|background", s, re.I)
                                                  for s in block.section):
            subject_of_section = doc_subject
        for sentence in SENTENCE.split(block.text):
            hits = [h for h in gaz.scan(sentence) if gaz.type_of(h[2]) == "Component"]
            if not hits:
                continue
            for pattern, relation in PROSE_RULES:
                for m in pattern.finditer(sentence):
                    if NEGATION.search(sentence[: m.start()]):
                        continue
                    after = [h for h in hits if h[0] >= m.end() - 1 and h[0] - m.end() < 80]
                    inside = [h for h in hits if m.start() <= h[0] < m.end() and relation != "dependsOn"]
                    before = [h for h in hits if h[1] <= m.start()]
                    targets = after or inside
                    if not targets:
                        continue
                    obj = targets[0][2]
                    subj = before[-1][2] if before else subject_of_section
                    if relation.endswith("?") and not before:
                        continue
                    if not subj or subj == obj:
                        continue
                    line = _sentence_line(doc, block.line, block.end_line, sentence)
                    out.facts.append(Fact(subj, relation.rstrip("?"), obj, _ev(doc, line, "prose", sentence),
                                          subject_type="key", object_type="key"))
                    break


def _adr_subject(doc: Document, out: Extraction, gaz: Gazetteer) -> str | None:
    """The one component an ADR document decides on (its bold choice, else its title), if there is one."""
    if doc.kind != "adr":
        return None
    chosen = {gaz.lookup(name, "Component") for rec in out.adrs if rec.document == doc.path
              for name, _ev in rec.decided_names} - {None}
    if not chosen:
        chosen = {h[2] for h in gaz.scan(doc.title) if gaz.type_of(h[2]) == "Component"}
    return next(iter(chosen)) if len(chosen) == 1 else None


def rule_transposed_tables(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
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
                        out.facts.append(Fact(subject, relation, hit[2], _ev(doc, line, "table"),
                                              subject_type="key", object_type="key"))


def rule_vendor_standing(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """'Contabo selected as primary provider', 'Fallback: Hetzner': a vendor's standing, from its nearest keyword."""
    keywords = [
        (re.compile(r"\b(selected|chosen|primary|decision\W+finali[sz]ed|we use|in use)\b", re.I), "selected"),
        (re.compile(r"\b(fallback|secondary|backup provider|standby)\b", re.I), "fallback"),
        (re.compile(r"\b(deprecated|removed|migrated away|no longer)\b", re.I), "removed"),
    ]
    for block in doc.blocks:
        for sentence in SENTENCE.split(block.text):
            vendors = [h for h in gaz.scan(sentence) if gaz.type_of(h[2]) == "Vendor"]
            if not vendors:
                continue
            for pattern, standing in keywords:
                for m in pattern.finditer(sentence):
                    nearest = min(vendors, key=lambda h: min(abs(h[0] - m.end()), abs(h[1] - m.start())))
                    line = _sentence_line(doc, block.line, block.end_line, sentence)
                    out.facts.append(Fact(nearest[2], "standing", standing, _ev(doc, line, "prose", sentence),
                                          subject_type="key", object_type="literal"))


def rule_mentions(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """Document mentions each known entity it names; documentedIn where its title names it."""
    seen: set[str] = set()
    title_hits = {h[2] for h in gaz.scan(doc.title)}
    doc_key = f"document/{doc.path}"
    for block in doc.blocks:
        for hit in gaz.scan(block.text):
            key = hit[2]
            if key in seen:
                continue
            seen.add(key)
            ev = _ev(doc, block.line, "prose")
            out.facts.append(Fact(doc_key, "mentions", key, ev, subject_type="key", object_type="key"))
    for key in sorted(title_hits):
        if gaz.type_of(key) in ("Component", "Vendor"):
            first = doc.sections[0].line if doc.sections else 1
            out.facts.append(Fact(key, "documentedIn", doc_key, _ev(doc, first, "heading"),
                                  subject_type="key", object_type="key"))


def rule_links(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """Document linksTo Document for every resolved link."""
    doc_key = f"document/{doc.path}"
    for link in doc.links:
        if link.kind == "internal" and link.target and link.target != doc.path and gaz.has(f"document/{link.target}"):
            out.facts.append(Fact(doc_key, "linksTo", f"document/{link.target}", _ev(doc, link.line, "link"),
                                  subject_type="key", object_type="key"))


def rule_replacements(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """'X replaced by Y', 'Replace X with Y', 'Remove X, use Y', 'migrate from X to Y'."""
    for block in doc.blocks:
        for sentence in SENTENCE.split(block.text):
            for m in re.finditer(r"([\w.\- ]{2,40}?)\s+(?:was |is |has been |fully )?replaced by\s+([\w.\- ]{2,40})", sentence, re.I):
                pairs = [(m.group(1), m.group(2))]
                for old, new in pairs + _replacement_pairs(sentence):
                    o, n = gaz.lookup_in(old), gaz.lookup_in(new)
                    if o and n and o != n:
                        line = _sentence_line(doc, block.line, block.end_line, sentence)
                        out.facts.append(Fact(o, "replacedBy", n, _ev(doc, line, "prose", sentence),
                                              subject_type="key", object_type="key"))


def rule_vendor_products(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """'Cloudflare R2': a vendor's name written right before a component's names the component's provider."""
    texts = [(b.text, b.line) for b in doc.blocks]
    texts += [(n.label, n.line) for d in doc.diagrams for n in d.nodes.values()]
    texts += [(" ".join(r.values()), line) for t in doc.tables for r, line in zip(t.rows, t.row_lines)]
    for text, line in texts:
        hits = gaz.scan(text)
        for a, b in zip(hits, hits[1:]):
            if gaz.type_of(a[2]) == "Vendor" and gaz.type_of(b[2]) == "Component" and text[a[1]:b[0]] == " " \
                    and not re.match(r"\s+provider", text[b[1]:], re.I):  # "Contabo Terraform provider" is not Terraform
                out.facts.append(Fact(b[2], "providedBy", a[2], _ev(doc, line, "prose", text),
                                      subject_type="key", object_type="key"))


FACT_RULES: list[FactRule] = [
    rule_mermaid_edges,
    rule_prose_relations,
    rule_transposed_tables,
    rule_vendor_standing,
    rule_replacements,
    rule_vendor_products,
    rule_mentions,
    rule_links,
]


def extract_names(documents: list[Document], rules: list[NameRule] | None = None) -> Extraction:
    """Run the names pass over every document; a rule that fails on one document is reported, not fatal."""
    out = Extraction()
    for doc in documents:
        for rule in rules or NAME_RULES:
            try:
                rule(doc, out)
            except Exception as exc:  # one odd document must not stop the workspace
                doc.warnings.append(f"{doc.path}: {rule.__name__} failed: {exc!r}")
    return out


def extract_facts(documents: list[Document], out: Extraction, gaz: Gazetteer,
                  rules: list[FactRule] | None = None) -> Extraction:
    """Run the facts pass, with the alias table the names pass produced."""
    for doc in documents:
        for rule in rules or FACT_RULES:
            try:
                rule(doc, out, gaz)
            except Exception as exc:
                doc.warnings.append(f"{doc.path}: {rule.__name__} failed: {exc!r}")
    return out
