"""SARIF 2.1.0 for `kg check --format sarif`: code-scanning views show each finding on its file and line.

Locations are the files on disk, relative to the directory kg runs in (the checkout root in CI), so a
finding in `handbook/INDEX.md` of repository `handbook` checked out at `./handbook` is `handbook/INDEX.md`,
and one in a repository checked out at `.` is `INDEX.md`.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import Finding, Place, Rule, catalogue

if TYPE_CHECKING:
    from ..api import KnowledgeGraph

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _uri(document: str, repositories: dict[str, str], base: Path) -> tuple[str, bool]:
    """(uri, relative to base) of a workspace path `repo/rel`: the file on disk where the repository is known."""
    repo, _, rel = document.partition("/")
    folder = repositories.get(repo)
    if folder is None:
        return document, True
    path = Path(folder) / rel
    try:
        return path.resolve().relative_to(base).as_posix(), True
    except ValueError:
        return path.resolve().as_uri(), False


def _location(place: Finding | Place, repositories: dict[str, str], base: Path) -> dict[str, Any]:
    uri, relative = _uri(place.document, repositories, base)
    artifact: dict[str, Any] = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = "SRCROOT"
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if place.line >= 1:
        physical["region"] = {"startLine": place.line}
    return {"physicalLocation": physical}


def _rule(rule: Rule) -> dict[str, Any]:
    return {"id": rule.id, "name": "".join(w.title() for w in rule.id.split("-")),
            "shortDescription": {"text": rule.summary}, "fullDescription": {"text": rule.description or rule.summary},
            "defaultConfiguration": {"level": LEVEL.get(rule.severity, "warning")},
            "properties": {"level": rule.level, "source": rule.source}}


def to_sarif(findings: list[Finding], kg: KnowledgeGraph, shapes: list[Path] | None = None,
             base: Path | None = None) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one run of kg check."""
    from .. import __version__

    base = (base or Path(os.getcwd())).resolve()
    repositories = dict(kg.model.get("repositories", {}))
    rules = catalogue(shapes or [])
    index = {r.id: i for i, r in enumerate(rules)}
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "level": LEVEL.get(f.severity, "warning"),
            "message": {"text": f.message + (f" Suggestion: {f.suggestion}." if f.suggestion else "")},
            # stable across runs, so code scanning tracks one finding instead of closing and reopening it
            "partialFingerprints": {"kgFinding/v1": hashlib.sha256(
                "\x1f".join((f.rule, f.document, f.message)).encode("utf-8")).hexdigest()[:32]},
        }
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        if f.document:
            result["locations"] = [_location(f, repositories, base)]
        if f.related:
            result["relatedLocations"] = [dict(_location(p, repositories, base), id=i, message={"text": p.message or
                                                                                               "related"})
                                          for i, p in enumerate(f.related, 1)]
        if f.suggestion:
            result["properties"] = {"suggestion": f.suggestion}
        results.append(result)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "kg", "version": __version__, "semanticVersion": __version__,
                                "informationUri": "https://w3id.org/kg-arch/ns", "rules": [_rule(r) for r in rules]}},
            "originalUriBaseIds": {"SRCROOT": {"uri": base.as_uri() + "/"}},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }
