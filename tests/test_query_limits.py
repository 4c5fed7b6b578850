"""Query faults from the probe: huge numbers, files that are no query, memory and output under the limits,
and the `unresolved` named query on an estate without unresolved ADRs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import api
from kg.cli import main
from kg.query import QueryMemoryError, QueryTimeout, run_query

CARTESIAN = "SELECT ?a ?b ?c WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z } ORDER BY ?a ?b ?c"


def run(*args: str, directory: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--graph-dir", str(directory)], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_a_parameter_of_5000_digits_is_a_usage_error(sample_graph_dir: Path) -> None:
    huge = "9" * 5000
    code, out, err = run("query", "dependents", "-p", "component=Redpanda", "-p", f"max_depth={huge}",
                         directory=sample_graph_dir)
    assert code == 2 and err == "kg: parameter max_depth: a number of 5,000 digits is out of range (at most 18 digits)\n"
    code, _, err = run("query", "SELECT ?x WHERE { ?x ?p ?n FILTER(?n = ?big) }", "-p", f"big={huge}",
                       directory=sample_graph_dir)
    assert code == 2 and "5,000 digits" in err


def test_a_file_that_is_no_query_is_never_read_or_quoted(sample_graph_dir: Path, tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$s3cr3t-hash:20228:0:99999:7:::\n")
    code, out, err = run("query", str(secret), directory=sample_graph_dir)
    assert code == 2 and "s3cr3t" not in out + err and "not a query file" in err
    (tmp_path / "q.rq").write_text("SELECT ?c WHERE { ?c a kg:Component } LIMIT 1\n")
    assert run("query", str(tmp_path / "q.rq"), directory=sample_graph_dir)[0] == 0


def test_query_memory_is_bounded(sample_kg: api.KnowledgeGraph, sample_graph_dir: Path) -> None:
    # the probe: an ORDER BY over a cartesian product reached 5.2 GB within its time limit
    with pytest.raises(QueryMemoryError, match="ran out of memory"):
        run_query(sample_kg, CARTESIAN, timeout=300, memory_mb=200)
    code, out, err = run("query", CARTESIAN, "--max-memory", "200", "--timeout", "300", directory=sample_graph_dir)
    assert code == 1 and out == "" and err.startswith("kg: the query ran out of memory (the limit is 200 MB")
    assert "Traceback" not in err and "Exception ignored" not in err


def test_output_counts_against_the_time_limit(sample_kg: api.KnowledgeGraph, sample_graph_dir: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.query

    real = kg.query.term_label

    def slow_label(graph: api.KnowledgeGraph, term: object) -> str:
        time.sleep(0.005)  # labelling 4,000 cells takes 20 s: longer than the query's limit
        return real(graph, term)

    monkeypatch.setattr(kg.query, "term_label", slow_label)
    rows = "SELECT ?a ?b WHERE { ?a ?p ?x . ?b ?q ?y } LIMIT 2000"
    with pytest.raises(QueryTimeout):
        sample_kg.query(rows, timeout=2)
    code, out, err = run("query", rows, "--timeout", "2", directory=sample_graph_dir)
    assert code == 1 and out == "" and "query stopped after 2 s" in err


def test_unresolved_lists_no_adr_on_an_estate_without_unresolved_adrs(make_workspace, tmp_path: Path) -> None:
    root = make_workspace({
        "svc/README.md": "# Svc\n\n[gone](docs/missing.md)\n\n- [ADR-001](docs/adr/0001-use-x.md)\n",
        "svc/docs/adr/0001-use-x.md": "# 1. Use Redpanda\n\n## Status\n\nAccepted\n\n## Decision\n\nWe use **Redpanda**.\n",
        "svc/docs/adr/0002-use-y.md": "# 2. Use MinIO\n\n## Status\n\nAccepted\n\n## Decision\n\nWe use **MinIO**.\n",
    })
    directory = tmp_path / ".kg"
    api.build_graph([str(root / "svc")], directory)
    kg = api.open(directory, build_if_missing=False)
    assert kg.stats()["unresolved_adrs"] == 0 and kg.stats()["unresolved_references"] == 1
    frame = kg.query("unresolved")
    assert list(frame["kind"]) == ["link"] and list(frame["line"]) == [3], "no ADR with a document is listed"
