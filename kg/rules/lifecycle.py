"""Lifecycle: what was removed, replaced or is not used, and the status each entity ends up with."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from ..model import Document, Entity, Fact, Mention, Relation
from ..names import clean_name, split_parenthetical
from .decisions import Reading, lifecycle
from .state import (
    NAME_COLUMNS,
    NOT_USED,
    SENTENCE,
    STATUS_WORDS,
    UNSETTLED_STATUSES,
    Extraction,
    column,
    evidence_at,
    sentence_line,
    set_aside_lines,
)

if TYPE_CHECKING:
    from ..resolve import Gazetteer


def decision_tables(doc: Document, out: Extraction) -> None:
    """'| **MetalLB** | **NOT USED** | why |' rows: a technology and a verdict that it is not used."""
    for table in doc.tables:
        if column(table.header, NAME_COLUMNS):
            continue  # handled by technology_tables
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
                out.mentions.append(Mention(name, "Component", evidence_at(doc, line, "table"),
                                            props={"status": STATUS_WORDS[m.group(1).lower()]}, strength=2))


# the statuses of a record in force: decided and not withdrawn ("Amended" records still hold, as amended)
IN_FORCE = ("Accepted", "Approved", "Implemented", "Agreed", "Adopted", "Final", "Decided", "Amended")
# ("The Ledgerly system is being replaced with Paywise": with, as by)
REPLACED_BY_PAIR = re.compile(r"([\w.\- ]{2,40}?)\s+(?:was |is |has been |is being |are being |will be |fully )?"
                              r"replaced (?:by|with)\s+([\w.\- ]{2,40})", re.I)
REPLACED_WORDS = re.compile(r"replaced (?:by|with)\b", re.I)


def replacements(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """'X replaced by Y', 'Replace X with Y', 'Remove X, use Y', 'migrate from X to Y'."""
    set_aside: frozenset[int] | None = None  # read once, in a document that says "replaced by/with" at all
    for block in doc.blocks:
        if not REPLACED_WORDS.search(block.text):
            continue
        set_aside = set_aside_lines(doc) if set_aside is None else set_aside
        if block.line in set_aside:
            continue  # "Out of scope: - the mail relay replaced by SES": not what is done
        for sentence in SENTENCE.split(block.text):
            reading: Reading | None = None  # the sentence read once, when it has a pair at all
            for m in REPLACED_BY_PAIR.finditer(sentence):
                if reading is None:
                    reading = Reading()
                    lifecycle(sentence, frozenset(), reading)
                pairs = [(m.group(1), m.group(2))] + [(a.text, b.text) for a, b in reading.replaced]
                for old, new in pairs:
                    o, n = gaz.lookup_in(old), gaz.lookup_in(new)
                    if o and n and o != n:
                        line = sentence_line(doc, block.line, block.end_line, sentence)
                        out.facts.append(Fact(o, "replacedBy", n, evidence_at(doc, line, "prose", sentence),
                                              subject_type="key", object_type="key"))


def apply_statuses(entities: dict[str, Entity], relations: list[Relation], facts: list[Fact], gaz: Gazetteer) -> None:
    decided_by: dict[str, list[str]] = defaultdict(list)
    rejected: set[str] = set()
    replaced: set[str] = set()
    superseded: dict[str, list[str]] = defaultdict(list)
    from ..relations import RELATIONS

    # what the docs show working: an end of a dependency or an operation between components
    working = {r.name for r in RELATIONS if r.dependency or r.family == "operation"}
    # an alternative that was turned down says nothing about what runs here ("Jaeger stores data in Elasticsearch")
    turned_down = {r.object for r in relations if r.predicate == "rejects"} - \
        {r.object for r in relations if r.predicate == "decides"}
    used: set[str] = set()
    for r in relations:
        if r.predicate in working and entities[r.subject].type in ("Component", "Vendor") \
                and entities[r.object].type in ("Component", "Vendor") and r.subject not in turned_down:
            used.update((r.subject, r.object))
    for r in relations:
        if r.predicate == "decides":
            decided_by[r.object].append(r.subject)
        elif r.predicate == "rejects" and entities[r.subject].props.get("status") not in UNSETTLED_STATUSES:
            rejected.add(r.object)  # an option a proposal turns down is still only weighed: nothing says it is gone
        elif r.predicate == "replacedBy":
            replaced.add(r.subject)
        elif r.predicate == "supersedes":
            superseded[r.object].append(r.subject)
    for ent in entities.values():
        if ent.type == "ADR":
            status = ent.props.get("status", "")
            ent.props["superseded_by"] = sorted(superseded.get(ent.key, []))
            ent.props["in_force"] = status in IN_FORCE and not superseded.get(ent.key)
        elif ent.type == "Component":
            stated = ent.props.pop("stated_status", [])
            strength = ent.props.get("strength", 1)
            if ent.key in replaced:
                status = "replaced"
            elif "removed" in stated or "replaced" in stated:
                status = "removed"
            elif "not used" in stated:
                status = "not used"
            elif "deprecated" in stated and not any(entities[a].props.get("status") in IN_FORCE and not superseded.get(a)
                                                    for a in decided_by.get(ent.key, [])):
                status = "deprecated"  # "the legacy KOPS based cluster": still there, on its way out
            elif ent.key in decided_by:
                states = {entities[a].props.get("status") for a in decided_by[ent.key]}
                status = "proposed" if states <= {"Proposed", "Draft"} and strength < 2 else "in use"
            elif (ent.key in rejected or "turned down" in stated) and strength < 2 and ent.key not in used:
                status = "not used"
            elif strength >= 2 or ent.key in used or ent.props.get("folder"):
                status = "in use"
            else:
                # named in passing (a link, a comparison, a known technology in prose): nothing says it runs here
                status = "mentioned"
            ent.props["status"] = status
    # vendor standing: the strongest word the docs use near its name
    rank = {"selected": 3, "fallback": 2, "removed": 1}
    votes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for f in facts:
        if f.predicate == "standing" and gaz.has(f.subject):
            votes[f.subject][f.object] += 1
    # where the docs weigh no vendors, one whose products run here was chosen all the same
    providing: set[str] = set()
    if not votes:
        in_use = [e for e in entities.values() if e.type == "Component" and e.props.get("status") == "in use"]
        providing = {r.object for r in relations if r.predicate in ("providedBy", "runsOn") and r.subject in entities
                     and entities[r.subject].props.get("status") == "in use"}
        # "Amazon EKS", "AWS Lambda": a product named with its maker's name in front
        for vendor in (e for e in entities.values() if e.type == "Vendor"):
            makers = tuple(n.lower() + " " for n in (vendor.label, *vendor.aliases))
            if any(n.lower().startswith(makers) for e in in_use for n in (e.label, *e.aliases)):
                providing.add(vendor.key)
    for ent in entities.values():
        if ent.type == "Vendor":
            v = votes.get(ent.key)
            ent.props["standing"] = max(v, key=lambda s: (v[s], rank[s])) if v else \
                "selected" if ent.key in providing else "evaluated"
        ent.props.pop("strength", None)


# a section that says how to take something down: its removals are steps to follow, not what happened
PROCEDURE_SECTION = re.compile(r"\b(?:undeploy(?:ing|ment)?|uninstall(?:ing|ation)?|tear(?:ing)?[ -]?down|clean(?:ing)?[ -]?up|"
                               r"rollback|roll(?:ing)? back|disaster recovery|troubleshooting|reset|recovery|"
                               # what is still to do is a plan, not a change made: "## Next Steps … Remove X"
                               r"next steps?|to ?do|todos|pending|follow[- ]ups?|future work|cheat ?sheet)\b", re.I)
NO_LONGER = re.compile(r"\b(?:we|they|the team)\s+(?:will|do|does|shall)\s+not\s+(?:run|use|operate|deploy|host)\s+"
                       r"|\bno longer\s+(?:use|run|operate|deploy|host)\s+", re.I)


# "Demos are now powered by GCP, and no longer by Heroku": what took over, and what it took over from
NOW_NOT_THEN = re.compile(r"\bnow\s+(?:\w+\s+)?(?:by|on|in|with|using|via|through)\s+(?P<new>[^,;]{2,80}?),?\s+(?:and\s+|but\s+)?"
                          r"no\s+longer\s+(?:\w+\s+)?(?:by|on|in|with|using|via|through)\s+(?P<old>[^,;.]{2,80})", re.I)
# "## DEPRECATED: Heroku Demo Servers", "### Legacy - Jenkins jobs": a section about something on its way out
DEPRECATED_HEADING = re.compile(r"^\W*(?:deprecated|legacy|obsolete|retired)\b\s*(?:[:\-–—)]\s*)?(?P<rest>.+)$", re.I)
# "the legacy KOPS based cluster", "our deprecated Jenkins": what the docs call old is on its way out
# (not "an old Kubernetes version", "the previous ADR": "old" and "previous" say when, not that a thing is going)
LEGACY = re.compile(r"\b(?:the|our)\s+(?:legacy|deprecated|outgoing)\s+", re.I)


def deprecated_headings(doc: Document, out: Extraction) -> None:
    """'## DEPRECATED: Heroku Demo Servers': the known technology a heading marks as deprecated is on its way out
    (the longest run of its first words the gazetteer knows: not "Deprecated Endpoints")."""
    from .. import gazetteer

    for section in doc.sections:
        m = DEPRECATED_HEADING.match(clean_name(section.title))
        if not m:
            continue
        words = m.group("rest").split()[:4]
        known = next((" ".join(words[:n]) for n in range(len(words), 0, -1)
                      if (record := gazetteer.load().get(" ".join(words[:n]))) is not None and not record.common_word), None)
        if known:
            out.mentions.append(Mention(known, "Component", evidence_at(doc, section.line, "heading"),
                                        props={"status": "deprecated"}))


# a choice stated as a paragraph's bold lead: "**SvelteKit over Next.js / Remix.**", "**SQLite with better-sqlite3 instead
# of Postgres / MySQL.**", "**Email via CHES, not raw SMTP.**"
CHOICE_LEAD = re.compile(r"^(?P<chosen>[^;:]{2,80}?)\s*(?:,?\s+over|\s+instead\s+of|\s+rather\s+than|,\s+not)\s+"
                         r"(?P<others>[^;:]{2,80}?)\.?$", re.I)


def stated_choices(doc: Document, out: Extraction) -> None:
    """A team's log of choices kept outside ADRs, one paragraph each led by the choice in bold ("**SvelteKit over
    Next.js / Remix.** SvelteKit gives us …"): the names passed over are turned down here. That only says the
    workspace does not run them when nothing else says it does (a database turned down by one app may run another)."""
    if doc.kind == "adr":
        return
    from . import decisions

    for block in doc.blocks:
        if block.kind != "paragraph" or not block.strong or not block.text.startswith(block.strong[0]):
            continue
        m = CHOICE_LEAD.match(block.strong[0].strip())
        if m is None:
            continue
        code = frozenset(block.code)
        chosen = decisions.names_in(m.group("chosen"), code)
        others = decisions.split_slashes(decisions.names_in(m.group("others"), code))
        if not chosen or chosen[0].start != 0 or not others or others[0].start != 0:
            continue
        ev = evidence_at(doc, block.line, "prose", block.strong[0])
        for name in others:
            if name.text.lower() != chosen[0].text.lower():
                out.mentions.append(Mention(name.text, "Component", ev, props={"status": "turned down"}))


def lifecycle_statements(doc: Document, out: Extraction) -> None:
    """Retirements anywhere in the docs: 'Tailscale was removed', 'We will not run Consul any more',
    'move from Jenkins to GitHub Actions', 'X is replaced by Y' (ADRs read theirs with their decisions)."""
    from . import decisions

    if doc.kind == "adr":
        return
    set_aside = set_aside_lines(doc)
    for block in doc.blocks:
        if any(PROCEDURE_SECTION.search(title) for title in block.section):
            continue  # "## Undeploy … This removes Authentik but keeps PostgreSQL": a procedure
        if block.line in set_aside:
            continue  # "Out of scope: - retiring the on-premises mail relay": not what is done
        code = frozenset(block.code)
        for sentence in SENTENCE.split(block.text):
            reading = decisions.Reading()
            decisions.lifecycle(sentence, code, reading)
            m = NO_LONGER.search(sentence)
            if m:
                reading.removed += decisions.names_in(sentence[m.end():], code)[:1]
            m = NOW_NOT_THEN.search(sentence)
            if m:
                took_over = decisions.names_in(m.group("new"), code)[:1]
                gone = decisions.names_in(m.group("old"), code)[:1]
                if took_over and gone and took_over[0].text.lower() != gone[0].text.lower():
                    reading.removed += gone
                    reading.replaced.append((gone[0], took_over[0]))
            for m in LEGACY.finditer(sentence):
                rest = sentence[m.end():]
                # (not "the legacy code-exchange / OIDC-redirect branches": names that qualify a part of something)
                outgoing = decisions.removed_things(decisions.names_in(rest, code), rest)[:1]
                if outgoing and outgoing[0].start == 0:
                    out.mentions.append(Mention(outgoing[0].text, "Component", evidence_at(
                        doc, sentence_line(doc, block.line, block.end_line, sentence), "prose", sentence),
                        props={"status": "deprecated"}))
            if not reading.removed and not reading.replaced:
                continue
            ev = evidence_at(doc, sentence_line(doc, block.line, block.end_line, sentence), "prose", sentence)
            for name in reading.removed:
                out.mentions.append(Mention(name.text, "Component", ev, props={"status": "removed"}))
            for old, new in reading.replaced:
                out.facts.append(Fact(old.text, "replacedBy", new.text, ev))
