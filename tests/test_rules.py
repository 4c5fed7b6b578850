"""Rule fixtures: one Markdown case and the facts it must (and must not) give, in the gold-file schema.

Each `tests/fixtures/rules/NAME.md` is a small workspace: its text goes to the path named in
`NAME.yaml` (`path:`), or it holds several files, each after a `<!-- file: PATH -->` line. The
expected facts are checked with `kg.evaluate`, the same code as `kg eval`, so a failure says what the
graph shows instead. Cases are written in the styles real estates use (Nygard, adr-tools, MADR 2-4,
log4brains, `ADR-026-…`, `ADRnnn-….html.md`, unnumbered records, component READMEs, Mermaid, config).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from kg.api import KnowledgeGraph
from kg.build import build
from kg.evaluate import evaluate
from kg.store import model_of

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
CASES = sorted(p.stem for p in FIXTURES.glob("*.md"))
FILE_MARK = re.compile(r"^<!-- file: (\S+) -->\n", re.M)


def workspace_of(case: str, root: Path) -> tuple[Path, dict]:
    """Write a fixture's files under `root`; return the workspace and its expected facts."""
    text = (FIXTURES / f"{case}.md").read_text(encoding="utf-8")
    facts = yaml.safe_load((FIXTURES / f"{case}.yaml").read_text(encoding="utf-8")) or {}
    parts = FILE_MARK.split(text)
    files = {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)} if len(parts) > 1 else \
        {facts.get("path", f"docs/{case}.md"): text}
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root, facts


@pytest.mark.parametrize("case", CASES)
def test_rule_fixture(case: str, tmp_path: Path) -> None:
    root, facts = workspace_of(case, tmp_path / "ws")
    result = build([str(root)])
    kg = KnowledgeGraph(model_of(result))
    evaluation = evaluate(kg, facts, source=case)
    failed = [f"{c.fact}: {c.why}" for c in evaluation.checks if not c.holds]
    assert evaluation.checks, f"{case}.yaml states no facts"
    assert not failed, f"{case}: " + "; ".join(failed)
    adrs = sorted(e["label"] for e in kg.entities.values() if e["type"] == "ADR")
    if "adr_count" in facts:
        assert len(adrs) == facts["adr_count"], f"{case}: ADRs are {adrs}"
    for name in facts.get("not_adrs") or []:
        assert name not in adrs, f"{case}: {name} should not be an ADR"
    components = {n.lower() for e in kg.entities.values() if e["type"] == "Component"
                  for n in (e["label"], *e.get("aliases", []))}
    for name in facts.get("not_components") or []:
        assert name.lower() not in components, f"{case}: {name} should not be a component"
    for a, b in facts.get("distinct") or []:
        ids = {n: next((key for key, e in kg.entities.items() if n.lower() in
                        {x.lower() for x in (e["label"], *e.get("aliases", []))}), None) for n in (a, b)}
        assert None not in ids.values() and ids[a] != ids[b], f"{case}: {a} and {b} should be two entities: {ids}"
    for warning in facts.get("warnings") or []:
        assert any(warning in w for w in result.warnings), f"{case}: no warning like {warning!r} in {result.warnings}"


def test_every_fixture_has_its_facts() -> None:
    assert CASES, "no rule fixtures"
    assert sorted(p.stem for p in FIXTURES.glob("*.yaml")) == CASES
