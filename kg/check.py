"""Docs drift: what the graph shows to be out of date, contradictory or broken in the docs themselves.

Each check is a small function over an opened graph that yields Findings; `kg check` runs them all and
exits non-zero in CI when a finding reaches the chosen severity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from .graph import DEPENDENCY_PREDICATES

if TYPE_CHECKING:
    from .api import KnowledgeGraph

SEVERITIES = ("info", "warning", "error")
NOT_IN_USE = ("not used", "removed", "replaced")


@dataclass(frozen=True)
class Finding:
    """One problem: which check, how bad, where (document and line) and what."""

    check: str
    severity: str
    document: str
    line: int
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


Check = Callable[["KnowledgeGraph"], Iterator[Finding]]


def _first_evidence(items: list[dict[str, Any]]) -> tuple[str, int]:
    ev = items[0] if items else {}
    return ev.get("document", ""), int(ev.get("line", 0) or 0)


def unresolved_links(kg: KnowledgeGraph) -> Iterator[Finding]:
    """Links into the workspace (or its organisation's repositories) that point at nothing."""
    for ref in kg.model["unresolved"]:
        yield Finding("unresolved-link", "warning", ref["document"], ref["line"],
                      f"{ref['target']}: {ref['reason']}")


def adrs_without_document(kg: KnowledgeGraph) -> Iterator[Finding]:
    """ADRs that an index or a link names but that have no document in the workspace."""
    for ent in kg.entities.values():
        if ent["type"] == "ADR" and ent["props"].get("unresolved"):
            document, line = _first_evidence(ent["evidence"])
            title = ent["props"].get("title") or ""
            yield Finding("adr-without-document", "warning", document, line,
                          f"{ent['label']}{' (' + title + ')' if title else ''} has no document in the workspace")


def retired_but_depended_on(kg: KnowledgeGraph) -> Iterator[Finding]:
    """A component the docs call not used, removed or replaced, that a component in use still depends on."""
    for rel in kg.model["relations"]:
        if rel["predicate"] not in DEPENDENCY_PREDICATES:
            continue
        user, used = kg.entities[rel["subject"]], kg.entities[rel["object"]]
        if used["props"].get("status") in NOT_IN_USE and user["props"].get("status") not in NOT_IN_USE:
            document, line = _first_evidence(rel["evidence"])
            yield Finding("retired-but-depended-on", "error", document, line,
                          f"{user['label']} {rel['predicate']} {used['label']}, "
                          f"which the docs say is {used['props']['status']}")


def decisions_no_longer_in_force(kg: KnowledgeGraph) -> Iterator[Finding]:
    """A component in use whose every deciding ADR is superseded or not accepted: the record is out of date."""
    for ent in kg.entities.values():
        if ent["type"] != "Component" or ent["props"].get("status") != "in use":
            continue
        deciders = [kg.entities[r["subject"]] for r in kg.in_edges.get(ent["key"], []) if r["predicate"] == "decides"]
        recorded = [a for a in deciders if not a["props"].get("unresolved")]
        if recorded and not any(a["props"].get("in_force") for a in recorded):
            document, line = _first_evidence(recorded[0]["evidence"])
            states = ", ".join(f"{a['label']} {a['props'].get('status', '')}".strip() for a in recorded)
            yield Finding("decision-not-in-force", "warning", document, line,
                          f"{ent['label']} is in use, but no ADR that decides it is in force ({states})")


def build_warnings(kg: KnowledgeGraph) -> Iterator[Finding]:
    """What the build skipped or could not read: files that are not UTF-8, broken diagrams, bad front matter."""
    for warning in kg.model["warnings"]:
        where, _, message = warning.partition(": ")
        document, _, line = where.partition(":")
        yield Finding("build-warning", "info", document, int(line) if line.isdigit() else 0, message or warning)


CHECKS: list[Check] = [unresolved_links, adrs_without_document, retired_but_depended_on,
                       decisions_no_longer_in_force, build_warnings]


def run_checks(kg: KnowledgeGraph, only: list[str] | None = None) -> list[Finding]:
    """Every finding of every check (or of the named ones), most severe first, then by document and line."""
    findings = [f for check in CHECKS for f in check(kg)]
    if only:
        findings = [f for f in findings if f.check in only]
    rank = {s: i for i, s in enumerate(reversed(SEVERITIES))}
    return sorted(findings, key=lambda f: (rank[f.severity], f.document, f.line, f.check, f.message))


def check_names() -> list[str]:
    """The names findings carry, one per check."""
    return ["unresolved-link", "adr-without-document", "retired-but-depended-on", "decision-not-in-force",
            "build-warning"]
