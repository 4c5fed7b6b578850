"""Dependency kinds in impact: runtime, hosting, build/deploy and backup hops, which kg impact follows by default,
and what it says it left out. Hosting facts are written here as prose the current rules read ("runs on")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import api
from kg.cli import main
from kg.relations import BY_NAME, DEFAULT_IMPACT_KINDS, IMPACT_KINDS, hop_kind, parse_kinds

PLATFORM = {
    "docs/README.md": """\
        # Platform

        | Category | Technology | Purpose |
        |---|---|---|
        | Orchestration | K3s | Kubernetes cluster |
        | Hosting | Blade Farm | Our own servers |
        | Events | Redpanda | Event streaming |
        | Objects | MinIO | Object storage |
        | Backup | R2 | Off-site backups |
        | GitOps | Flux | Deployments |
        | Apps | Orders | Order service |

        K3s runs on Blade Farm.

        Redpanda runs on K3s.

        MinIO runs on K3s.

        Orders consumes events from Redpanda.

        Redpanda offloads old segments to MinIO.

        MinIO backs up to R2.

        Flux deploys Orders.
        """,
}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> tuple[api.KnowledgeGraph, Path]:
    import textwrap

    root = tmp_path_factory.mktemp("kinds")
    for rel, text in PLATFORM.items():
        (root / "ws" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "ws" / rel).write_text(textwrap.dedent(text), encoding="utf-8")
    api.build_graph([str(root / "ws")], root / ".kg")
    return api.open(root / ".kg"), root / ".kg"


def test_the_relation_table_says_each_kind() -> None:
    assert {r.name for r in BY_NAME.values() if r.impact == "runtime"} == {
        "dependsOn", "storesDataIn", "consumesFrom", "publishesTo", "runsOn"}
    assert {r.name for r in BY_NAME.values() if r.impact == "backup"} == {"backsUpTo"}
    assert {r.name for r in BY_NAME.values() if r.impact == "build"} == {"deploys", "provisions"}
    assert {r.name for r in BY_NAME.values() if r.reverse} == {"deploys", "provisions"}
    assert hop_kind("providedBy", "Vendor") == "hosting"
    assert hop_kind("runsOn", "Vendor") == "hosting"
    assert hop_kind("runsOn", "Component", "Orchestration") == "hosting"
    assert hop_kind("runsOn", "Component", "Database") == "runtime"
    assert parse_kinds(None) == DEFAULT_IMPACT_KINDS == ("runtime", "hosting")
    assert parse_kinds(["all"]) == IMPACT_KINDS and parse_kinds(["deploy,backup"]) == ("build", "backup")


def test_hosting_reaches_the_cluster_and_what_runs_on_it(platform: tuple[api.KnowledgeGraph, Path]) -> None:
    kg, _ = platform
    result = kg.impact("Blade Farm")
    got = {r.label: r.kind for r in result.results}
    assert got == {"K3s": "hosting", "Redpanda": "hosting", "MinIO": "hosting", "Orders": "hosting"}
    orders = next(r for r in result.results if r.label == "Orders")
    assert [h.kind for h in orders.hops] == ["runtime", "hosting", "hosting"]
    assert [h.relation for h in orders.hops] == ["consumesFrom", "runsOn", "runsOn"]
    assert result.left_out == {}


def test_backups_are_left_out_by_default_and_labelled_backup(platform: tuple[api.KnowledgeGraph, Path]) -> None:
    kg, _ = platform
    default = kg.impact("R2")
    assert default.results == [] and default.left_out == {"backup": 3}
    everything = kg.impact("R2", kinds="all")
    assert {r.label: r.kind for r in everything.results} == {"MinIO": "backup", "Redpanda": "backup",
                                                            "Orders": "backup"}


def test_build_and_deploy_run_against_the_arrow(platform: tuple[api.KnowledgeGraph, Path]) -> None:
    kg, _ = platform
    # Flux deploys Orders: Orders needs Flux to be deployed; Flux does not need Orders
    assert kg.impact("Orders", kinds="all").results == []
    flux = kg.impact("Flux")
    assert flux.results == [] and flux.left_out == {"build": 1}
    assert [(r.label, r.kind) for r in kg.impact("Flux", kinds=["build"]).results] == [("Orders", "build")]
    assert [(r.label, r.kind) for r in kg.deps("Orders", kinds=["build"]).results] == [("Flux", "build")]


def test_the_cli_shows_kinds_and_what_it_left_out(platform: tuple[api.KnowledgeGraph, Path]) -> None:
    _, directory = platform
    code, out, err = run("impact", "R2", "--graph-dir", str(directory))
    assert code == 0 and "Left out: backup (3 more); --kind all follows every kind" in err
    code, out, _ = run("impact", "R2", "--kind", "backup", "--format", "json", "--graph-dir", str(directory))
    data = json.loads(out)
    assert data["kinds"] == ["backup"] and data["left_out"] == {"runtime": 2}  # Redpanda and Orders, through MinIO
    minio = next(r for r in data["results"] if r["label"] == "MinIO")
    assert minio["kind"] == "backup" and minio["hops"][0]["kind"] == "backup"
    code, _, err = run("impact", "R2", "--kind", "weekly", "--graph-dir", str(directory))
    assert code == 2 and "unknown kind weekly; one of: all, runtime, hosting, build, backup" in err


@pytest.mark.corpus
def test_cloudflare_on_the_real_corpus_lists_backup_dependents_as_backup(corpus_kg: api.KnowledgeGraph) -> None:
    default = corpus_kg.impact("Cloudflare")
    assert [(r.label, r.kind) for r in default.results] == [("R2", "hosting")]
    assert default.left_out.get("backup", 0) >= 5
    everything = corpus_kg.impact("Cloudflare", kinds="all")
    by_label = {r.label: r for r in everything.results}
    assert by_label["MinIO"].kind == "backup" and [h.kind for h in by_label["MinIO"].hops] == ["backup", "hosting"]
    grafana = by_label["Grafana"]
    assert grafana.kind == "backup" and "backup" in [h.kind for h in grafana.hops]
    assert all(r.kind in ("hosting", "backup") for r in everything.results)
    # Grafana is reached through a weekly backup, so it is no runtime dependent of Cloudflare
    assert "Grafana" not in {r.label for r in default.results}


@pytest.mark.corpus
def test_contabo_on_the_real_corpus_reaches_the_cluster_and_what_runs_on_it(corpus_kg: api.KnowledgeGraph) -> None:
    result = corpus_kg.impact("Contabo")
    got = {r.label: r.kind for r in result.results}
    assert got.get("K3s") == "hosting"
    assert {"Redpanda", "MinIO", "Grafana"} <= set(got)


def _left_out_by_walking_again(kg: api.KnowledgeGraph, name: str, direction: str) -> dict[str, int]:
    """What each kind left out adds, found the plain way: a whole walk with the kind added."""
    from kg.relations import DEFAULT_DEPENDENCY_KINDS, IMPACT_PREDICATES, REVERSED_PREDICATES

    start = kg.find(name)["key"]
    chosen = DEFAULT_IMPACT_KINDS if direction == "dependents" else DEFAULT_DEPENDENCY_KINDS

    def reached(allowed: tuple[str, ...]) -> set[str]:
        return set(kg.reach([start], set(IMPACT_PREDICATES), direction, reverse=REVERSED_PREDICATES,
                            accept=lambda rel: kg.hop_kind(rel) in allowed)[1])

    base = reached(chosen)
    more = {kind: len(reached((*chosen, kind)) - base) for kind in IMPACT_KINDS if kind not in chosen}
    return {kind: n for kind, n in more.items() if n}


@pytest.mark.corpus
def test_what_impact_left_out_is_what_a_walk_with_that_kind_adds(corpus_kg: api.KnowledgeGraph) -> None:
    # impact counts a left-out kind by walking on from the relations it held back, not by walking again
    names = sorted({e["label"] for e in corpus_kg.entities.values() if e["type"] in ("Component", "Vendor")})
    checked = 0
    for name in names:
        for direction, ask in (("dependents", corpus_kg.impact), ("dependencies", corpus_kg.deps)):
            result = ask(name)
            assert result.left_out == _left_out_by_walking_again(corpus_kg, name, direction), (name, direction)
            checked += bool(result.left_out)
    assert checked >= 10  # the corpus has kinds to leave out, so the comparison compares something
