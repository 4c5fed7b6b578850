"""Expected facts, checked against a built graph: `kg eval FACTS.yaml`.

A team writes down what it knows about its platform (the schema of the gold
files: ADRs and their status, decisions, components, aliases, what is not in
use, impact answers, relations that must and must not hold, vendors) and is told
which facts the docs still say, which they no longer say, and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import EntityNotFound, UsageError
from .names import normalise_adr_query

if TYPE_CHECKING:
    from .api import KnowledgeGraph

NOT_IN_USE_WORDS = ("not", "removed", "rejected", "replaced", "deprecated")
# the schema's relation words -> the relation kinds they stand for
RELATION_WORDS = {"depends": "depends", "dependson": "depends", "supersedes": "supersedes", "decides": "decides",
                  "rejects": "rejects", "replacedby": "replacedBy", "providedby": "providedBy", "ownedby": "ownedBy"}


@dataclass
class Check:
    """One expected fact and whether the graph shows it."""

    section: str  # the key of the facts file it comes from: adrs.decides, relations, …
    fact: str  # the fact in words
    holds: bool
    why: str = ""  # for a fact that fails, what the graph shows instead

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "fact": self.fact, "holds": self.holds, "why": self.why}


@dataclass
class Evaluation:
    """The checks of one facts file."""

    source: str
    checks: list[Check]

    @property
    def held(self) -> int:
        return sum(c.holds for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "held": self.held, "total": len(self.checks),
                "checks": [c.to_dict() for c in self.checks]}


def load_facts(path: str | Path) -> dict[str, Any]:
    """A facts file as data; UsageError naming the file when it cannot be read or is not a mapping."""
    import yaml

    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise UsageError(f"{path}{where}: not valid YAML") from exc
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a mapping of fact sections (adrs, components, impact, relations…)")
    return data


class _Graph:
    """The lookups a check needs, over the API (names as `kg show` resolves them)."""

    def __init__(self, kg: KnowledgeGraph):
        self.kg = kg
        self._cards: dict[str, dict[str, Any] | None] = {}
        self._reach: dict[tuple[str, str, int | None], set[str] | None] = {}

    def entity(self, name: str) -> dict[str, Any] | None:
        if name not in self._cards:
            try:
                self._cards[name] = dict(self.kg.show(str(name)))
            except EntityNotFound:
                self._cards[name] = None
        return self._cards[name]

    def missing(self, name: str) -> str:
        hint = self.kg.suggest(str(name))
        return f"no entity named {name}" + (f" (closest: {', '.join(hint)})" if hint else "")

    def reached(self, name: str, direction: str, depth: int | None = None) -> set[str] | None:
        """Names (labels and aliases, lower case) of what `name` reaches as dependents or dependencies."""
        key = (name, direction, depth)
        if key not in self._reach:
            try:
                result = self.kg.impact(name, depth) if direction == "dependents" else self.kg.deps(name, depth)
            except EntityNotFound:
                self._reach[key] = None
            else:
                names: set[str] = set()
                for row in result.results:
                    names.add(row.label.lower())
                    names.update(a.lower() for a in self.kg.entities[row.id]["aliases"])
                self._reach[key] = names
        return self._reach[key]

    def same(self, card: dict[str, Any], name: str) -> bool:
        """True when `name` names the entity of `card` (its label, an alias, or one ADR id spelling)."""
        other = self.entity(name)
        return other is not None and other["id"] == card["id"]

    def related(self, name: str, relation: str, other: str) -> tuple[bool, str]:
        """Whether `name` has an outgoing `relation` to `other`, and what it has instead."""
        card = self.entity(name)
        if card is None:
            return False, self.missing(name)
        if relation == "depends":
            names = self.reached(name, "dependencies", 1) or set()
            target = self.entity(other)
            wanted = {str(other).lower()} | ({target["label"].lower(), *(a.lower() for a in target["aliases"])}
                                            if target else set())
            if names & wanted:
                return True, ""
            return False, f"{card['label']} depends on: {', '.join(sorted(names)) or 'nothing'}"
        rel = relation.lower()
        outs = [r for r in card["relations"] if r["direction"] == "out" and r["relation"].lower() == rel]
        for r in outs:
            if r["other"]["id"] == (self.entity(other) or {}).get("id") or \
                    _adr_key(r["other"]["label"]) == _adr_key(other):
                return True, ""
        shown = ", ".join(sorted({r["other"]["label"] for r in outs})) or "nothing"
        return False, f"{card['label']} {relation}: {shown}"


def _adr_key(name: Any) -> str:
    text = str(name)
    return normalise_adr_query(text) or text.lower()


def evaluate(kg: KnowledgeGraph, facts: dict[str, Any], source: str = "") -> Evaluation:
    """Check every fact of a facts mapping (the gold-file schema) against a graph."""
    g = _Graph(kg)
    checks: list[Check] = []

    def add(section: str, fact: str, holds: bool, why: str = "") -> None:
        checks.append(Check(section, fact, bool(holds), "" if holds else why))

    def typed(name: str, etype: str, section: str, fact: str) -> None:
        card = g.entity(name)
        if card is None:
            add(section, fact, False, g.missing(name))
        else:
            add(section, fact, card["type"] == etype, f"{card['label']} is a {card['type']}")

    adrs = facts.get("adrs") or {}
    if "count" in adrs:
        n = kg.stats()["entities"].get("ADR", 0)
        add("adrs.count", f"at least {adrs['count']} ADRs", n >= int(adrs["count"]), f"{n} ADRs")
    for i in adrs.get("ids") or []:
        typed(i, "ADR", "adrs.ids", f"{i} is an ADR")
    for i in adrs.get("unresolved") or []:
        card = g.entity(i)
        add("adrs.unresolved", f"{i} is listed but has no document",
            bool(card and card["properties"].get("unresolved")),
            g.missing(i) if card is None else f"{i} has documents: {', '.join(card['documents'])}")
    for i, docs in (adrs.get("documents") or {}).items():
        card = g.entity(i)
        have = card["documents"] if card else []
        add("adrs.documents", f"{i} is documented in {', '.join(docs)}",
            all(any(h.endswith(d) or d in h for h in have) for d in docs),
            g.missing(i) if card is None else f"documents: {', '.join(have) or 'none'}")
    for i, status in (adrs.get("status") or {}).items():
        card = g.entity(i)
        shown = str((card or {}).get("status", ""))
        add("adrs.status", f"{i} status is {status}", str(status).lower() in shown.lower(),
            g.missing(i) if card is None else f"status is {shown or 'unknown'}")
    for key, relation in (("supersedes", "supersedes"), ("decides", "decides"), ("rejects", "rejects")):
        for i, others in (adrs.get(key) or {}).items():
            for other in others if isinstance(others, list) else [others]:
                ok, why = g.related(i, relation, other)
                add(f"adrs.{key}", f"{i} {relation} {other}", ok, why)

    comps = facts.get("components") or {}
    for n in comps.get("must_include") or []:
        typed(n, "Component", "components.must_include", f"{n} is a component")
    for n in comps.get("must_exclude") or []:
        card = g.entity(n)
        names = {card["label"].lower(), *(a.lower() for a in card["aliases"])} if card else set()
        ok = card is None or card["type"] != "Component" or str(n).lower() not in names
        add("components.must_exclude", f"{n} is not a component", ok, f"{n} is a component")
    for pair in comps.get("same_entity") or []:
        x, y = pair
        ex, ey = g.entity(x), g.entity(y)
        why = g.missing(x) if ex is None else g.missing(y) if ey is None else \
            f"{x} is {ex['label']} ({ex['type']}), {y} is {ey['label']} ({ey['type']})"
        add("components.same_entity", f"{x} and {y} are one entity", bool(ex and ey and ex["id"] == ey["id"]), why)
    for n in comps.get("not_in_use") or {}:
        card = g.entity(n)
        status = str((card or {}).get("status", "")).lower()
        add("components.not_in_use", f"{n} is not in use", any(w in status for w in NOT_IN_USE_WORDS),
            g.missing(n) if card is None else f"status is {status or 'unknown'}")
    for n in comps.get("in_use") or []:  # the opposite: a running component no sentence may retire
        card = g.entity(n)
        status = str((card or {}).get("status", "")).lower()
        add("components.in_use", f"{n} is in use", card is not None and not any(w in status for w in NOT_IN_USE_WORDS),
            g.missing(n) if card is None else f"status is {status}")
    for key, relation in (("replaced_by", "replacedBy"), ("provided_by", "providedBy"), ("owned_by", "ownedBy")):
        for n, other in (comps.get(key) or {}).items():
            ok, why = g.related(n, relation, other)
            add(f"components.{key}", f"{n} {relation} {other}", ok, why)

    for n, spec in (facts.get("impact") or {}).items():
        dependents = g.reached(n, "dependents")
        for x in spec.get("dependents_include") or []:
            add("impact", f"{x} depends on {n}", dependents is not None and str(x).lower() in dependents,
                g.missing(n) if dependents is None else f"dependents of {n}: {', '.join(sorted(dependents)) or 'none'}")
        for x in spec.get("dependents_exclude") or []:
            add("impact", f"{x} does not depend on {n}", dependents is not None and str(x).lower() not in dependents,
                g.missing(n) if dependents is None else f"{x} is a dependent of {n}")
        dependencies = g.reached(n, "dependencies")
        for x in spec.get("dependencies_include") or []:
            add("impact", f"{n} depends on {x}", dependencies is not None and str(x).lower() in dependencies,
                g.missing(n) if dependencies is None else
                f"dependencies of {n}: {', '.join(sorted(dependencies)) or 'none'}")

    for triple in facts.get("relations") or []:
        a, rel, b = triple
        ok, why = g.related(a, _relation(rel), b)
        add("relations", f"{a} {rel} {b}", ok, why)
    for triple in facts.get("relations_absent") or []:
        a, rel, b = triple
        ok, _ = g.related(a, _relation(rel), b)
        add("relations_absent", f"not: {a} {rel} {b}", not ok, f"the graph says {a} {rel} {b}")

    vendors = facts.get("vendors") or {}
    for n in vendors.get("must_include") or []:
        typed(n, "Vendor", "vendors.must_include", f"{n} is a vendor")
    standings = dict(vendors.get("status") or {})
    if vendors.get("selected"):
        standings[vendors["selected"]] = "selected"
    for n, standing in standings.items():
        card = g.entity(n)
        shown = str((card or {}).get("status", ""))
        add("vendors.status", f"vendor {n} is {standing}", str(standing).lower() in shown.lower(),
            g.missing(n) if card is None else f"standing is {shown or 'unknown'}")
    return Evaluation(source, checks)


def _relation(word: str) -> str:
    """A fact's relation word: the schema's own ("depends", "decides", …) or any relation kind kg draws."""
    from .relations import RELATION_PREDICATES

    folded = re.sub(r"[^a-z]", "", str(word).lower())
    kinds = {**{name.lower(): name for name in RELATION_PREDICATES}, **RELATION_WORDS}
    kind = kinds.get(folded)
    if kind is None:
        raise UsageError(f"unknown relation {word!r} in facts; one of: {', '.join(sorted(set(kinds.values())))}")
    return kind
