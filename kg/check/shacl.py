"""Graph-level rules: SHACL shapes (kg/shapes.ttl and a team's own files) validated by pyshacl over the built
graph, each result turned into a Finding at the document and line of its evidence."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..graph import ID, NS, key_of
from . import Finding, Rule

if TYPE_CHECKING:
    from rdflib import Graph

    from ..api import KnowledgeGraph

SHAPES = Path(__file__).resolve().parent.parent / "shapes.ttl"
SH = "http://www.w3.org/ns/shacl#"
SEVERITY = {SH + "Violation": "error", SH + "Warning": "warning", SH + "Info": "info"}
SUGGESTION = "suggestion: "
_UNFILLED = re.compile(r"\{[?$]\w+\}")


@lru_cache(maxsize=16)
def _parse(path: Path, mtime: float) -> Graph:
    from rdflib import Graph

    try:
        return Graph().parse(path, format="turtle")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the shapes file ({exc.strerror or exc})") from None
    except Exception as exc:  # rdflib's Turtle errors have no common base class
        raise UsageError(f"{path}: not a Turtle shapes file ({' '.join(str(exc).split())[:200]})") from None


def _shapes(path: Path) -> Graph:
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise UsageError(f"{path}: no such shapes file ({exc.strerror})") from None
    return _parse(path.resolve(), mtime)


def _rules_of(graph: Graph, source: str) -> dict[Any, Rule]:
    """Shape node -> the Rule it defines: every node shape with a kg:ruleId, or any node shape of a team's file."""
    from rdflib import RDF, RDFS, URIRef

    rule_id, severity = URIRef(NS + "ruleId"), URIRef(SH + "severity")
    found: dict[Any, Rule] = {}
    for shape in set(graph.subjects(RDF.type, URIRef(SH + "NodeShape"))) | set(graph.subjects(rule_id, None)):
        declared = graph.value(shape, rule_id)
        if declared is None and source == "kg":
            continue
        name = str(declared) if declared is not None else re.split(r"[#/]", str(shape))[-1] or str(shape)
        sev = SEVERITY.get(str(graph.value(shape, severity) or SH + "Violation"), "error")
        found[shape] = Rule(name, sev, "graph", str(graph.value(shape, RDFS.label) or name),
                            " ".join(str(graph.value(shape, RDFS.comment) or "").split()), source)
    return found


def shape_rules(paths: list[Path]) -> list[Rule]:
    """The rules the shapes files define, kg's own first."""
    rules = list(_rules_of(_shapes(SHAPES), "kg").values())
    for path in paths:
        rules += _rules_of(_shapes(Path(path)), str(path)).values()
    return rules


def shape_findings(kg: KnowledgeGraph, paths: list[Path], wanted: set[str]) -> list[Finding]:
    """Validate the graph against the shapes (only those of `wanted` rules, when given) and report each result."""
    from pyshacl import validate
    from rdflib import Graph, URIRef

    shapes = Graph()
    rules: dict[Any, Rule] = {}
    for path, source in [(SHAPES, "kg"), *((Path(p), str(p)) for p in paths)]:
        graph = _shapes(path)
        shapes += graph
        rules.update(_rules_of(graph, source))
    if wanted and not {r.id for r in rules.values()} & wanted:
        return []
    data = kg.graph  # read first: a damaged graph is GraphCorrupt, not a problem of the shapes
    # validated in place (no copy of the graph) unless a team's shapes carry SHACL rules, which add triples
    inplace = (None, URIRef(SH + "rule"), None) not in shapes
    try:
        _, report, _ = validate(data, shacl_graph=shapes, advanced=True, inference="none", allow_warnings=True,
                                inplace=inplace)
    except Exception as exc:  # pyshacl reports bad shapes with its own exception types
        raise UsageError(f"the shapes cannot be used: {' '.join(str(exc).split())[:300]}") from None
    findings = []
    for result in report.subjects(URIRef(SH + "resultSeverity"), None):
        shape = report.value(result, URIRef(SH + "sourceShape"))
        rule = rules.get(shape) or _parent_rule(shapes, shape, rules)
        if rule is None or (wanted and rule.id not in wanted):
            continue
        messages = [str(m) for m in report.objects(result, URIRef(SH + "resultMessage"))]
        said = sorted(m for m in messages if not m.startswith(SUGGESTION))
        hints = sorted(m[len(SUGGESTION):] for m in messages if m.startswith(SUGGESTION) and not _UNFILLED.search(m))
        focus = report.value(result, URIRef(SH + "focusNode"))
        value = report.value(result, URIRef(SH + "value"))
        document, line = _place(kg, focus, value)
        severity = SEVERITY.get(str(report.value(result, URIRef(SH + "resultSeverity"))), rule.severity)
        findings.append(Finding(rule.id, severity, document, line, said[0] if said else rule.summary,
                                hints[0] if hints else ""))
    return findings


def _parent_rule(shapes: Graph, shape: Any, rules: dict[Any, Rule]) -> Rule | None:
    """The rule of the node shape a property shape belongs to."""
    from rdflib import URIRef

    for parent in shapes.subjects(URIRef(SH + "property"), shape):
        if parent in rules:
            return rules[parent]
    return None


def _place(kg: KnowledgeGraph, focus: Any, value: Any) -> tuple[str, int]:
    """Where a result points: the evidence it selected as ?value, else the focus entity's first evidence."""
    from rdflib import URIRef
    from rdflib.namespace import PROV

    graph = kg.graph
    for node in (value, focus):
        if isinstance(node, URIRef) and str(node).startswith(ID + "evidence/"):
            source, line = graph.value(node, PROV.wasDerivedFrom), graph.value(node, URIRef(NS + "line"))
            if source is not None:
                return key_of(str(source)).removeprefix("document/"), int(str(line)) if line is not None else 0
    key = key_of(str(focus)) if focus is not None else ""
    ent = kg.entities.get(key)
    if ent is None:
        return "", 0
    if ent["type"] == "Document":
        return str(ent["props"].get("path", "")), 1
    own = set(ent["props"].get("documents", []))  # an ADR is best shown in its own document
    evidence = sorted(ent["evidence"], key=lambda e: (e["document"] not in own,
                                                      e.get("method") not in ("heading", "table"), e["document"],
                                                      e["line"]))
    return (str(evidence[0]["document"]), int(evidence[0]["line"])) if evidence else ("", 0)
