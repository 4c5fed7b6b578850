"""`kg eval`: expected facts checked against the graph. Every gold file in ../shared/gold holds on its corpus,
the command's exit codes and JSON are what CI needs, and a build of any corpus gives the same graph twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import SHARED

from kg import api, store
from kg.cli import main
from kg.errors import UsageError
from kg.evaluate import evaluate, load_facts

GOLD_DIR = SHARED / "gold"
GOLD_FILES = sorted(GOLD_DIR.glob("*.yaml")) if GOLD_DIR.is_dir() else []


def corpus_of(gold: Path) -> Path:
    corpus = SHARED / "corpus" / gold.stem
    if not corpus.is_dir():
        pytest.skip(f"corpus {corpus} not present (../shared is absent on this checkout)")
    return corpus


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    """Each corpus built once for the module: name -> graph directory."""
    cache: dict[str, Path] = {}

    def get(gold: Path) -> Path:
        if gold.stem not in cache:
            directory = tmp_path_factory.mktemp(gold.stem) / ".kg"
            api.build_graph([str(corpus_of(gold))], directory)
            cache[gold.stem] = directory
        return cache[gold.stem]

    return get


@pytest.mark.corpus
@pytest.mark.parametrize("gold", GOLD_FILES or [pytest.param(None, marks=pytest.mark.skip(
    reason=f"no gold files at {GOLD_DIR} (../shared is absent on this checkout)"))], ids=lambda p: p.stem if p else "")
def test_every_gold_fact_holds(gold: Path, built) -> None:
    kg = api.open(built(gold), build_if_missing=False)
    result = evaluate(kg, load_facts(gold), source=gold.name)
    failed = [f"{c.section}: {c.fact} ({c.why})" for c in result.checks if not c.holds]
    assert len(result.checks) >= 30
    assert not failed, f"{len(failed)} of {len(result.checks)} facts fail:\n" + "\n".join(failed)


@pytest.mark.corpus
@pytest.mark.parametrize("gold", GOLD_FILES or [pytest.param(None, marks=pytest.mark.skip(
    reason=f"no gold files at {GOLD_DIR} (../shared is absent on this checkout)"))], ids=lambda p: p.stem if p else "")
def test_a_corpus_builds_to_the_same_graph_twice(gold: Path, built, tmp_path: Path) -> None:
    first = built(gold)
    again = tmp_path / ".kg"
    api.build_graph([str(corpus_of(gold))], again, use_cache=False)
    for name in ("model.json", "graph.nt"):
        a = (store.current_build(first) / name).read_bytes()
        b = (store.current_build(again) / name).read_bytes()
        assert a == b, f"{gold.stem}: {name} differs between two builds"


FACTS = """\
adrs:
  ids: [ADR-001]
  decides: {ADR-001: PostgreSQL}
components:
  must_include: [PostgreSQL, Redis]
relations:
  - [orders, depends, PostgreSQL]
relations_absent:
  - [PostgreSQL, depends, orders]
"""


@pytest.fixture
def small(make_workspace, tmp_path: Path) -> Path:
    root = make_workspace({
        "shop/docs/adr/0001-use-postgresql.md": "# 1. Use PostgreSQL\n\n## Status\n\nAccepted\n\n## Decision\n\n"
                                                "We will use PostgreSQL for orders.\n",
        "shop/docs/services.md": "# Services\n\n| Service | Depends on |\n|---|---|\n| orders | PostgreSQL |\n",
    })
    directory = tmp_path / ".kg"
    api.build_graph([str(root)], directory)
    return directory


def test_kg_eval_says_what_holds_and_fails_with_exit_codes(small: Path, tmp_path: Path) -> None:
    good = tmp_path / "facts.yaml"
    good.write_text(FACTS.replace("  must_include: [PostgreSQL, Redis]\n", "  must_include: [PostgreSQL]\n"))
    run = CliRunner().invoke(main, ["eval", str(good), "--graph-dir", str(small)])
    assert run.exit_code == 0, run.output
    assert "5/5 facts hold" in run.output

    bad = tmp_path / "bad.yaml"
    bad.write_text(FACTS)
    run = CliRunner().invoke(main, ["eval", str(bad), "--graph-dir", str(small), "--format", "json"])
    assert run.exit_code == 1
    (report,) = json.loads(run.stdout)
    assert (report["held"], report["total"]) == (5, 6)
    (failing,) = [c for c in report["checks"] if not c["holds"]]
    assert failing["fact"] == "Redis is a component" and failing["why"].startswith("no entity named Redis")


def test_kg_eval_refuses_a_file_it_cannot_read(small: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("adrs: [unclosed\n")
    run = CliRunner().invoke(main, ["eval", str(broken), "--graph-dir", str(small)])
    assert run.exit_code == 2 and str(broken) in run.output
    with pytest.raises(UsageError, match="unknown relation"):
        evaluate(api.open(small, build_if_missing=False), yaml.safe_load("relations: [[a, eats, b]]"))
