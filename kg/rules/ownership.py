"""Ownership: owner columns of tables and 'Owner: Platform Team' lines."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..model import Document, Fact, Mention
from ..names import clean_name, split_parenthetical
from .state import NAME_COLUMNS, OWNER_COLUMNS, SENTENCE, TEAM_WORD, Extraction, column, evidence_at

if TYPE_CHECKING:
    from ..resolve import Gazetteer


def ownership_tables(doc: Document, out: Extraction) -> None:
    """Ownership tables: '| Repository | Owner | Purpose |' or '| Component | Team |'."""
    for table in doc.tables:
        owner_col = column(table.header, OWNER_COLUMNS)
        if not owner_col:
            continue
        repo_col = column(table.header, ("repository", "repo", "repositories"))
        comp_col = column(table.header, NAME_COLUMNS + ("service",))
        purpose_col = column(table.header, ("purpose", "description", "scope", "contents"))
        for row, line in zip(table.rows, table.row_lines):
            owner = clean_name(row.get(owner_col, ""))
            if not owner or not TEAM_WORD.search(owner) or len(owner) > 40:
                continue  # an owner column naming a tool or a person is not a team
            ev = evidence_at(doc, line, "table")
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


def document_owner(doc: Document, out: Extraction) -> None:
    """'Owner: Platform Team' at the head or foot of a document."""
    for b in doc.blocks[:8] + doc.blocks[-6:]:
        for line in range(b.line, max(b.end_line, b.line) + 1):
            # possessive `*+` and a greedy name that ends in a letter: linear time on a line of spaces
            # (a lazy `(.+?)` before `[*_\s]*$` cost quadratic time, 181 s for 100 KB)
            m = re.match(r"^[*_>\s-]*(?:owner|owned by|maintainer|team)[*_\s]*:[*_\s]*+(.*[^*_\s])[*_\s]*$",
                         doc.line_text(line), re.I)
            if not m:
                continue
            team = clean_name(m.group(1))
            if 1 < len(team) <= 40 and TEAM_WORD.search(team):
                ev = evidence_at(doc, line, "prose")
                out.mentions.append(Mention(team, "Team", ev, strength=2))
                out.facts.append(Fact(f"document/{doc.path}", "ownedBy", team, ev, subject_type="key", object_type="Team"))
                return


# "GOV.UK Platform Engineering team looks after this repo", "This service is maintained by the Payments squad"
_TEAM_NAME = r"(?P<team>[A-Z][\w.&'-]*(?:\s+[\w.&'-]+){0,5}?\s+(?:team|squad|guild|tribe|crew))"
_WHAT = r"(?P<what>repo|repository|codebase|project|service|component|application|app|module|documentation|docs)"
TEAM_LOOKS_AFTER = re.compile(rf"^\W*(?:(?i:the)\s+)?{_TEAM_NAME}\s+(?:looks? after|owns|maintains|is responsible for|"
                              rf"runs|supports|manages|develops)\s+(?:this|the)\s+{_WHAT}\b")
LOOKED_AFTER_BY = re.compile(rf"^\W*(?i:this|the)\s+{_WHAT}\s+is\s+(?:owned|maintained|looked after|supported|run|"
                             rf"managed|developed)\s+by\s+(?:the\s+)?{_TEAM_NAME}\b")


def team_sentences(doc: Document, out: Extraction) -> None:
    """A sentence that names the team looking after the repository or the document's service: the team, and the
    repository (for "this repo") or the document (for "this service") owned by it."""
    for block in doc.blocks:
        if block.kind != "paragraph":
            continue
        m = TEAM_LOOKS_AFTER.match(block.text) or LOOKED_AFTER_BY.match(block.text)
        if not m or len(m.group("team")) > 60:
            continue
        team = clean_name(m.group("team"))
        ev = evidence_at(doc, block.line, "prose")
        out.mentions.append(Mention(team, "Team", ev, strength=2))
        if m.group("what").lower() in ("repo", "repository", "codebase", "project") and doc.repo:
            out.facts.append(Fact(doc.repo, "ownedBy", team, ev, subject_type="Repository", object_type="Team"))
        else:
            out.facts.append(Fact(f"document/{doc.path}", "ownedBy", team, ev, subject_type="key", object_type="Team"))


# "Teams", "Our teams", "Teams in Reliability Engineering", "Platform teams" (not "Option 2: separate teams")
TEAMS_HEADING = re.compile(r"^(?:our\s+|the\s+)?teams(?:\s+(?:in|of|at)\s+.+)?$|^[\w-]+\s+teams$", re.I)
FORMERLY = re.compile(r"^(?:previously|formerly)(?:\s+(?:known|called|named))?(?:\s+as)?\s+(?P<old>.+)$", re.I)


def team_headings(doc: Document, out: Extraction) -> None:
    """'## Teams in Reliability Engineering' then '#### Observe (previously known as Tools)': each heading under a
    heading about teams names a team; a former name in brackets is another name of it."""
    for section in doc.sections:
        if len(section.path) < 2 or not any(TEAMS_HEADING.search(clean_name(t)) for t in section.path[:-1]):
            continue
        if TEAMS_HEADING.search(clean_name(section.title)):
            continue
        name, paren = split_parenthetical(clean_name(section.title))
        words = name.split()
        if not words or len(words) > 4 or not name[:1].isupper() or re.search(r"[?:]", name):
            continue
        former = FORMERLY.match(paren or "")
        aliases = [clean_name(former.group("old"))] if former else []
        # (a former name is an alias whatever its letters, as for a former name in brackets in prose)
        out.mentions.append(Mention(name, "Team", evidence_at(doc, section.line, "heading"), aliases=aliases,
                                    props={"alias_of_node": True} if aliases else {}, strength=2))


# "Observe build and operate a Prometheus service", "The Payments team operates the ledger"
TEAM_OPERATES = re.compile(r"^\s*(?:build|builds)?\s*(?:and\s+)?(?:operates?|runs?|owns?|maintains?|(?:is|are) responsible for)"
                           r"\s+", re.I)


TEAM_VERB = re.compile(r"\b(?:operates?|runs?|owns?|maintains?|responsible for)\b", re.I)


def team_operates(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """A sentence whose subject is a known team and whose verb says it runs something: that thing is owned by it."""
    for block in doc.blocks:
        for sentence in SENTENCE.split(block.text):
            if not TEAM_VERB.search(sentence):
                continue  # the cheap test first: scanning every sentence for names is the costly part
            hits = gaz.scan(sentence)
            if not hits or hits[0][0] > 4 or gaz.type_of(hits[0][2]) != "Team":
                continue
            m = TEAM_OPERATES.match(sentence[hits[0][1]:])
            if not m:
                continue
            start = hits[0][1] + m.end()
            owned = [h for h in hits[1:] if h[0] >= start and h[0] - start < 40 and gaz.type_of(h[2]) == "Component"]
            if owned:
                out.facts.append(Fact(owned[0][2], "ownedBy", hits[0][2], evidence_at(doc, block.line, "prose", sentence),
                                      subject_type="key", object_type="key"))
