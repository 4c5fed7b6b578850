"""Prose: relations stated in sentences, the names a document mentions, and its links to other documents."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..model import Document, Fact
from .adr import adr_subject, option_items
from .state import SENTENCE, Extraction, evidence_at, sentence_line

if TYPE_CHECKING:
    from ..resolve import Gazetteer


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


def prose_relations(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """Sentences like 'Redpanda offloads old segments to MinIO' or, under a 'Redpanda' heading, 'tiered storage to MinIO'."""
    options = {id(b) for b in option_items(doc)}
    # an ADR about one component speaks of it without naming it: "Scheduled backups to Cloudflare R2"
    doc_subject = adr_subject(doc, out, gaz)
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
                    line = sentence_line(doc, block.line, block.end_line, sentence)
                    out.facts.append(Fact(subj, relation.rstrip("?"), obj, evidence_at(doc, line, "prose", sentence),
                                          subject_type="key", object_type="key"))
                    break


def mentions(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
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
            ev = evidence_at(doc, block.line, "prose")
            out.facts.append(Fact(doc_key, "mentions", key, ev, subject_type="key", object_type="key"))
    for key in sorted(title_hits):
        if gaz.type_of(key) in ("Component", "Vendor"):
            first = doc.sections[0].line if doc.sections else 1
            out.facts.append(Fact(key, "documentedIn", doc_key, evidence_at(doc, first, "heading"),
                                  subject_type="key", object_type="key"))


def links(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """Document linksTo Document for every resolved link."""
    doc_key = f"document/{doc.path}"
    for link in doc.links:
        if link.kind == "internal" and link.target and link.target != doc.path and gaz.has(f"document/{link.target}"):
            out.facts.append(Fact(doc_key, "linksTo", f"document/{link.target}", evidence_at(doc, link.line, "link"),
                                  subject_type="key", object_type="key"))
