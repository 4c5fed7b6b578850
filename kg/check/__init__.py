"""Docs drift: what the graph shows to be broken, out of date or contradictory in the docs themselves.

Two kinds of rule report the same way, as Findings (rule id, severity, message, document, line,
suggestion, related places):

- graph-level rules are SHACL shapes over the built RDF graph (`kg/shapes.ttl`, and any shapes file a
  team adds with `--shapes`), run by pyshacl (kg.check.shacl);
- document-level rules are Python functions over the stored model (kg.check.rules) or, when they need
  the parsed documents themselves (tables, ADR titles), run at build time and stored with the build
  (kg.check.contradictions).

`kg check` runs them all; `--fail-on` turns findings of a severity into a failing exit code for CI;
`--format sarif` writes SARIF 2.1.0 for code-scanning views (kg.check.sarif).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..api import KnowledgeGraph
    from ..model import Document

SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class Place:
    """A document and line that a finding also points at (the other side of a contradiction)."""

    document: str
    line: int
    message: str = ""


@dataclass(frozen=True)
class Finding:
    """One problem: which rule, how bad, where (document and line), what, and what to do about it."""

    rule: str
    severity: str
    document: str
    line: int
    message: str
    suggestion: str = ""
    related: tuple[Place, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of a finding (`kg check --format json`)."""
        # written out, not dataclasses.asdict, which deep-copies every value (a second of a large build)
        return {"rule": self.rule, "severity": self.severity, "document": self.document, "line": self.line,
                "message": self.message, "suggestion": self.suggestion,
                "related": [{"document": p.document, "line": p.line, "message": p.message} for p in self.related]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        """A finding back from its JSON shape."""
        related = tuple(Place(**p) for p in data.get("related", ()))
        return cls(data["rule"], data["severity"], data["document"], int(data["line"]), data["message"],
                   data.get("suggestion", ""), related)


@dataclass(frozen=True)
class Rule:
    """What `kg check --list` says of a rule: id, severity, where it runs, one line and why it matters."""

    id: str
    severity: str
    level: str  # "graph" (a SHACL shape), "model" (Python over the graph's model) or "document" (at build time)
    summary: str
    description: str
    source: str = "kg"  # kg, or the shapes file a team added


@dataclass
class PythonRule:
    rule: Rule
    run: Callable[..., Iterator[Finding]]
    rules: tuple[Rule, ...] = field(default_factory=tuple)  # when one function reports under several ids


def _python_rules() -> list[PythonRule]:
    from . import contradictions, drift, records, rules

    return [*rules.RULES, *records.RULES, *contradictions.RULES, *drift.RULES]


def catalogue(shapes: Iterable[Path] = ()) -> list[Rule]:
    """Every rule `kg check` runs: the Python ones and those of the SHACL shapes (kg's own and `shapes`)."""
    from .shacl import shape_rules

    found: dict[str, Rule] = {}
    for python_rule in _python_rules():
        for rule in python_rule.rules or (python_rule.rule,):
            found[rule.id] = rule
    for rule in shape_rules(list(shapes)):
        found.setdefault(rule.id, rule)
    return sorted(found.values(), key=lambda r: (r.level, r.id))


def rule_ids(shapes: Iterable[Path] = ()) -> list[str]:
    """The ids findings carry, one per rule."""
    return [r.id for r in catalogue(shapes)]


def document_findings(documents: list[Document], kg: KnowledgeGraph) -> list[dict[str, Any]]:
    """What the document-level rules that need the parsed documents find; run at build time and stored."""
    out: list[Finding] = []
    for python_rule in _python_rules():
        if python_rule.rule.level == "document":
            out.extend(python_rule.run(documents, kg))
    return [f.as_dict() for f in _sorted(out)]


def run_checks(kg: KnowledgeGraph, only: list[str] | None = None, shapes: Iterable[Path] = ()) -> list[Finding]:
    """Every finding of every rule (or of the named ones), most severe first, then by document and line."""
    from .shacl import shape_findings

    findings: list[Finding] = []
    wanted = set(only or ())
    for python_rule in _python_rules():
        ids = {r.id for r in python_rule.rules or (python_rule.rule,)}
        if wanted and not ids & wanted:
            continue
        if python_rule.rule.level == "document":
            findings.extend(Finding.from_dict(f) for f in kg.stored_findings() if f["rule"] in ids)
        else:
            findings.extend(python_rule.run(kg))
    findings.extend(shape_findings(kg, list(shapes), wanted))
    if wanted:
        findings = [f for f in findings if f.rule in wanted]
    return _sorted(findings)


def _sorted(findings: Iterable[Finding]) -> list[Finding]:
    rank = {s: i for i, s in enumerate(reversed(SEVERITIES))}
    unique = {(f.rule, f.document, f.line, f.message): f for f in findings}
    return sorted(unique.values(), key=lambda f: (rank[f.severity], f.document, f.line, f.rule, f.message))


def fails(findings: Iterable[Finding], fail_on: str) -> bool:
    """Whether findings reach the --fail-on severity ("never" never fails)."""
    if fail_on == "never":
        return False
    threshold = SEVERITIES.index(fail_on)
    return any(SEVERITIES.index(f.severity) >= threshold for f in findings)
