"""Contradictions between documents: two documents choose different technologies for one role, or one says a
technology is not used while another has it in use.

A role is what a technology is chosen for, read from the documents themselves, never from a list of
technologies: the role column of a tech-stack table outside the ADRs ("| Registry | ghcr.io |"), or the
topic of an ADR in force ("Image Registry Strategy - Harbor"). Two roles are one when they end in the same word and one's
words are among the other's, generic words aside ("Image Registry Strategy" and "Registry"). These rules
need the parsed tables and titles, so they run at build time and their findings are stored with the build.
"""

from __future__ import annotations

import bisect
import re
import weakref
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..names import clean_name, split_compound, split_parenthetical
from ..relations import DEPENDENCY_PREDICATES
from . import Finding, Place, PythonRule, Rule

if TYPE_CHECKING:
    from ..api import KnowledgeGraph
    from ..model import Document, Table

CONFLICTING_CHOICE = Rule(
    "conflicting-choice", "error", "document", "Two documents choose different technologies for one role",
    "A tech-stack table or an ADR in force names one technology for a role (the container registry, the "
    "cache) and another document names a different one for the same role, with neither naming the other's: "
    "one of them is out of date.")
USED_AND_NOT_USED = Rule(
    "used-and-not-used", "error", "document", "One document says a technology is not used, another has it in use",
    "A table row says 'no X', 'not used' or 'removed' while an ADR in force decides X or a tech-stack table "
    "lists it: readers cannot tell which holds.")

ROLE_COLUMNS = ("category", "layer", "role", "function", "capability", "area", "domain", "concern")
TECH_COLUMNS = ("technology", "component", "tool", "tools", "software", "product", "solution", "technology/tool",
                "choice", "chosen", "selection", "implementation")
STATUS_COLUMNS = ("status", "state", "decision")
# words that say how, not what: "Image Registry Strategy" is the role "image registry"
GENERIC = {"strategy", "platform", "solution", "solutions", "tool", "tools", "tooling", "layer", "stack", "choice",
           "selection", "option", "options", "approach", "the", "and", "of", "for", "a", "an", "our", "with",
           "management", "system", "systems", "service", "services", "technology", "technologies", "component"}
NOT_USED = re.compile(r"\b(not used|unused|removed|deprecated|rejected|replaced|dropped|retired|decommissioned)\b", re.I)
NEGATION = re.compile(r"\b(?:no|not|without|instead of|rather than|replac(?:es|ing)|drop(?:s|ped|ping)?)\s+"
                      r"(?P<name>[\w.\-]+(?:\s+[\w.\-]+){0,2})", re.I)


@dataclass(frozen=True)
class Claim:
    """A document's word on a technology: chosen for a role, or not used."""

    entity: str  # entity key
    role: tuple[str, ...]
    role_text: str
    document: str
    line: int
    text: str


def role_key(text: str) -> tuple[str, ...]:
    """The words that name a role, lowercase, singular, generic words dropped."""
    words = []
    for w in re.findall(r"[a-z0-9]+", clean_name(text).lower()):
        if w in GENERIC:
            continue
        if len(w) > 4 and w.endswith("ies"):
            w = w[:-3] + "y"
        elif len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        words.append(w)
    return tuple(words)


def same_role(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """One role: the same last word, and one's words among the other's."""
    return bool(a and b) and a[-1] == b[-1] and (set(a) <= set(b) or set(b) <= set(a))


def _column(header: list[str], names: tuple[str, ...]) -> str | None:
    return next((h for h in header if clean_name(h).lower() in names), None)


def _find(kg: KnowledgeGraph, name: str) -> str | None:
    ent = kg.lookup(name, types=("Component", "Vendor"))
    return str(ent["key"]) if ent else None


def _names(kg: KnowledgeGraph, cell: str) -> list[str]:
    keys = []
    for part in split_compound(cell):
        name, _ = split_parenthetical(part)
        key = _find(kg, name)
        if key and key not in keys:
            keys.append(key)
    return keys


def _negated(kg: KnowledgeGraph, text: str) -> list[str]:
    """Entities a cell says are not used: 'no Harbor for MVP', 'instead of Kong'."""
    keys = []
    for m in NEGATION.finditer(text):
        words = m.group("name").split()
        for n in range(len(words), 0, -1):  # the longest known name first: "no Grafana Loki" before "no Grafana"
            key = _find(kg, " ".join(words[:n]))
            if key:
                keys.append(key)
                break
    return keys


def _table_claims(doc: Document, table: Table, kg: KnowledgeGraph) -> Iterator[tuple[str, Claim]]:
    role_col = _column(table.header, ROLE_COLUMNS)
    tech_col = _column(table.header, TECH_COLUMNS)
    if not role_col or not tech_col or role_col == tech_col:
        return
    status_col = _column(table.header, STATUS_COLUMNS)
    for row, line in zip(table.rows, table.row_lines):
        role, cell = row.get(role_col, ""), row.get(tech_col, "")
        key = role_key(role)
        text = doc.line_text(line)
        chosen = _names(kg, cell)
        if status_col and NOT_USED.search(row.get(status_col, "")):
            for entity in chosen:
                yield "not", Claim(entity, key, clean_name(role), doc.path, line, text)
            continue
        if key and len(chosen) == 1:
            yield "choice", Claim(chosen[0], key, clean_name(role), doc.path, line, text)
        for other in (c for c in table.header if c not in (role_col, tech_col)):
            for entity in _negated(kg, row.get(other, "")):
                if entity not in chosen:
                    yield "not", Claim(entity, key, clean_name(role), doc.path, line, text)


def _adr_claims(doc: Document, kg: KnowledgeGraph) -> Iterator[tuple[str, Claim]]:
    """An ADR in force: the role of its title's topic, and what it decides."""
    from ..rules.adr import ADR_TOPIC, title_number

    adr = next((kg.entities[r["subject"]] for r in kg.in_edges.get(f"document/{doc.path}", [])
                if r["predicate"] == "documentedIn"), None)
    if adr is None or not adr["props"].get("in_force"):  # in force: a status of lifecycle.IN_FORCE, not superseded
        return
    decided = {r["object"] for r in kg.out_edges.get(adr["key"], []) if r["predicate"] == "decides"}
    line = doc.sections[0].line if doc.sections else 1
    text = doc.line_text(line)
    _number, title = title_number(doc.title)
    topic = ADR_TOPIC.match(title)
    if topic:
        chosen = [k for k in _names(kg, topic.group("name")) if k in decided]
        if len(chosen) == 1:
            yield "choice", Claim(chosen[0], role_key(topic.group("topic")), clean_name(topic.group("topic")),
                                  doc.path, line, text)
    for entity in sorted(decided):
        if kg.entities[entity]["type"] == "Component":
            yield "use", Claim(entity, (), "", doc.path, line, text)


# The claims of the last (documents, graph) read: both rules of this module weigh the same claims, and reading
# them is most of the build's document checks on a large workspace. Held weakly: never a graph kept alive.
_READ: weakref.WeakKeyDictionary[KnowledgeGraph, tuple[list[Document], dict[str, list[Claim]]]] = \
    weakref.WeakKeyDictionary()


def _claims(documents: list[Document], kg: KnowledgeGraph) -> dict[str, list[Claim]]:
    read = _READ.get(kg)
    if read is not None and read[0] is documents:
        return read[1]
    claims = _read_claims(documents, kg)
    _READ[kg] = (documents, claims)
    return claims


def _read_claims(documents: list[Document], kg: KnowledgeGraph) -> dict[str, list[Claim]]:
    out: dict[str, list[Claim]] = defaultdict(list)
    for doc in documents:
        # an ADR chooses by its title; its tables weigh options or list what a tool handles (signals, ports)
        for table in doc.tables if doc.kind != "adr" else ():
            for kind, claim in _table_claims(doc, table, kg):
                out[kind].append(claim)
        if doc.kind == "adr":
            for kind, claim in _adr_claims(doc, kg):
                out[kind].append(claim)
    return out


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


class _Related:
    """Two technologies one may use through the other (R2 provided by Cloudflare), or one a part or edition of
    the other (Grafana and Grafana Alloy, Stalwart and Stalwart Mail): no contradiction.

    Each entity's words and dependencies are read once: a large workspace weighs a hundred thousand pairs."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self._words: dict[str, list[str]] = {}
        self._needs: dict[str, set[str]] = {}

    def words(self, key: str) -> list[str]:
        if key not in self._words:
            self._words[key] = _words(_label(self.kg, key))
        return self._words[key]

    def needs(self, key: str) -> set[str]:
        if key not in self._needs:
            self._needs[key] = {r["object"] for r in self.kg.out_edges.get(key, [])
                                if r["predicate"] in DEPENDENCY_PREDICATES}
        return self._needs[key]

    def __call__(self, a: str, b: str) -> bool:
        short, long_ = sorted((self.words(a), self.words(b)), key=len)
        if short and long_[:len(short)] == short:
            return True
        return b in self.needs(a) or a in self.needs(b)


def _label(kg: KnowledgeGraph, key: str) -> str:
    return str(kg.entities[key]["label"])


def conflicting_choices(documents: list[Document], kg: KnowledgeGraph) -> Iterator[Finding]:
    """Two documents that choose different technologies for one role."""
    claims = _claims(documents, kg)
    by_doc: dict[tuple[str, tuple[str, ...]], list[Claim]] = defaultdict(list)
    for c in claims["choice"]:
        by_doc[(c.document, c.role)].append(c)
    groups = sorted(by_doc.items())
    # one role ends in the same word: each group is weighed against the later ones of its last word only
    # (every pair of a large workspace's groups was most of a build's checking time)
    by_last: dict[str, list[int]] = defaultdict(list)
    for i, ((_, role), _) in enumerate(groups):
        if role:
            by_last[role[-1]].append(i)
    said: set[tuple[str, str, str, str]] = set()
    related = _Related(kg)
    for i, ((doc_a, role_a), first) in enumerate(groups):
        if not role_a:
            continue
        later = by_last[role_a[-1]]
        for j in later[bisect.bisect_right(later, i):]:
            (doc_b, role_b), second = groups[j]
            if doc_a == doc_b or not same_role(role_a, role_b):
                continue
            ents_a, ents_b = {c.entity for c in first}, {c.entity for c in second}
            if ents_a & ents_b or any(related(x, y) for x in ents_a for y in ents_b):
                continue
            a, b = first[0], second[0]
            if (a.document, a.entity, b.document, b.entity) in said:
                continue
            said.add((a.document, a.entity, b.document, b.entity))
            yield Finding(CONFLICTING_CHOICE.id, CONFLICTING_CHOICE.severity, a.document, a.line,
                          f"chooses {_label(kg, a.entity)} as the {a.role_text}, but {b.document}:{b.line} chooses "
                          f"{_label(kg, b.entity)} as the {b.role_text}",
                          f"settle on one {a.role_text.lower()} and correct the other document "
                          "(or record the change in an ADR)",
                          (Place(b.document, b.line, f"chooses {_label(kg, b.entity)} as the {b.role_text}"),))


def used_and_not_used(documents: list[Document], kg: KnowledgeGraph) -> Iterator[Finding]:
    """One document says a technology is not used while another has it in use."""
    claims = _claims(documents, kg)
    in_use: dict[str, list[Claim]] = defaultdict(list)
    for c in claims["use"] + claims["choice"]:
        in_use[c.entity].append(c)
    said: set[tuple[str, int, str]] = set()
    for c in sorted(claims["not"], key=lambda c: (c.document, c.line)):
        others = sorted({(u.document, u.line): u for u in in_use.get(c.entity, []) if u.document != c.document}.values(),
                        key=lambda u: (u.document, u.line))
        if not others or (c.document, c.line, c.entity) in said:
            continue
        said.add((c.document, c.line, c.entity))
        name = _label(kg, c.entity)
        where = ", ".join(f"{u.document}:{u.line}" for u in others[:3]) + (" …" if len(others) > 3 else "")
        yield Finding(USED_AND_NOT_USED.id, USED_AND_NOT_USED.severity, c.document, c.line,
                      f"says {name} is not used, but {where} {'has' if len(others) == 1 else 'have'} it in use",
                      f"if {name} is gone, supersede the ADR or table that keeps it; if not, correct this line",
                      tuple(Place(u.document, u.line, f"has {name} in use") for u in others))


RULES = [PythonRule(CONFLICTING_CHOICE, conflicting_choices), PythonRule(USED_AND_NOT_USED, used_and_not_used)]
