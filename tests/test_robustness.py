"""Whole-pipeline fuzzing: random workspaces stitched from odd and broken Markdown never break a build,
and what the build says always holds together (every relation's ends exist, every line is in its file)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from rdflib import Graph

from kg.build import build
from kg.graph import to_rdf
from kg.store import model_of

NAMES = ["Redpanda", "MinIO", "KEDA", "Loki", "CNPG", "CloudNativePG", "Grafana Loki", "ESO", "Vault", "NATS",
         "Postgres", "Kafka", "x", "ADR-7", "ADR-0007", "Ünïcødé DB", "a|b", "`code`", "**Bold**", "<script>", ""]
SNIPPETS = [
    "# {a}\n",
    "## Status\n\n{status}\n",
    "## Decision\n\nWe will use **{a}** with **{b} ({c})**.\n",
    "Options considered:\n\n1. **{a}**: fast\n2. **{b}**\n",
    "| Category | Technology | Version | Purpose |\n|---|---|---|---|\n| {c} | {a} + {b} | 1 | {b} storage |\n",
    "| Decision | Value | Rationale |\n|---|---|---|\n| **{a}** | **NOT USED** | no |\n",
    "| {a} | {b} |\n|---|\n| only one cell |\n| 1 | 2 | 3 | 4 |\n",
    "| Repository | Owner | Purpose |\n|---|---|---|\n| infra-{a} | {c} Team | {a} config |\n",
    "```mermaid\nflowchart LR\n  a[\"{a}\"] -->|reads| b[({b})]\n  b -.-> c{{{{{c}}}}}\n  a & b --> c\n```\n",
    "```mermaid\nflowchart TD\n  subgraph s[\"{a}\"]\n  x --> \n  end\n  end\n  y[unclosed\n```\n",
    "```mermaid\nsequenceDiagram\n  {a}->>{b}: fetch\n  {b}-->>{a}: rows\n```\n",
    "```mermaid\n```\n",
    "```\nunclosed fence {a}\n",
    "[{a}](../nowhere/{b}.md) [ADR-{n}](https://github.com/acme/{b}/blob/main/docs/ADR-{n}.md) [x](#top)\n",
    "See [{a}](/docs/{b}.md) and <a href=\"x\">{c}</a>.\n",
    "### {a} ({c})\n\n- Tiered storage to {b} for retention\n- {a} depends on {c}\n- {b} replaced by {a}\n",
    "> " * 50 + "{a}\n",
    "Supersedes ADR-{n}. Superseded by ADR-{m}.\n",
    "**Status:** {status}\n**Date:** 2026-13-45\n",
    "---\nstatus: [unclosed\n---\n",
    "\x00\x01 {a} \u202e\n",
    "{a} " * 400 + "\n",
]
FILENAMES = ["README.md", "INDEX.md", "docs/ADR-{n}-X.md", "docs/adr/{n:04d}-use-x.md", "docs/decisions/use-{n}.md",
             "docs/ADR-NAME-{n}.md", "docs/notes {n}.md", "docs/ünï/{n}.md", "runbooks/RUNBOOK.md"]


def random_workspace(rng: random.Random, root: Path) -> Path:
    for _ in range(rng.randint(1, 4)):
        repo = root / rng.choice(["handbook", "svc-a", "svc-b", "infra"])
        for _ in range(rng.randint(1, 5)):
            n, m = rng.randint(0, 40), rng.randint(0, 40)
            rel = rng.choice(FILENAMES).format(n=n)
            parts = []
            for _ in range(rng.randint(0, 8)):
                parts.append(rng.choice(SNIPPETS).format(
                    a=rng.choice(NAMES), b=rng.choice(NAMES), c=rng.choice(NAMES), n=n, m=m,
                    status=rng.choice(["Accepted", "Proposed", "Superseded by ADR-3", "", "???"])))
            path = repo / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(parts), encoding="utf-8")
    return root


@pytest.mark.parametrize("seed", range(40))
def test_random_workspaces_build_and_hold_together(tmp_path: Path, seed: int, caplog: pytest.LogCaptureFixture) -> None:
    root = random_workspace(random.Random(seed), tmp_path / "ws")
    result = build([str(root)])
    lines = {d.path: len(d.lines) for d in result.documents}
    for rel in result.relations:
        assert rel.subject in result.entities and rel.object in result.entities, rel
        assert rel.evidence, rel
        for ev in rel.evidence:
            assert ev.document in lines, ev
            assert 0 <= ev.line <= max(lines[ev.document], 1), ev
    graph = to_rdf(model_of(result))
    again = Graph().parse(data=graph.serialize(format="nt"), format="nt")  # what the store writes reads back
    assert len(again) == len(graph)
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")], "ill-typed literals in the graph"
