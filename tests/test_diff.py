"""kg diff: between two pinned revisions of a workspace it reports exactly what the commits between them changed,
with evidence from each side, as text, JSON and a Mermaid diagram; between graph directories the same."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepos import commit, git

from kg import api
from kg.diff import diff, render_mermaid, render_text
from kg.mermaid import parse_mermaid

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

README = """
    # Platform handbook

    ## Components

    | Component | Category | Purpose |
    |-----------|----------|---------|
    | Redpanda | Event Streaming | events between services |
    | MinIO | Object Storage | backups and tiered storage |
    | {cache} | Cache | sessions |
    | Keycloak | Identity | single sign-on |

    ## Dependencies

    - Keycloak stores its sessions in {cache}.
    - Redpanda stores its tiered storage in MinIO.
    """
ADR_001 = """
    # ADR-001: Use Redpanda for event streaming

    ## Status

    {status}

    ## Decision

    We will use Redpanda for event streaming.
    """


@pytest.fixture
def handbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A handbook repository whose second commit accepts ADR-001 and replaces Redis with Valkey (ADR-002)."""
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    repo = tmp_path / "origin" / "handbook"
    commit(repo, {"README.md": README.format(cache="Redis"), "adrs/ADR-001-event-streaming.md":
                  ADR_001.format(status="Proposed")}, "handbook as it was")
    git(repo, "tag", "v1")
    commit(repo, {"README.md": README.format(cache="Valkey"),
                  "adrs/ADR-001-event-streaming.md": ADR_001.format(status="Accepted"),
                  "adrs/ADR-002-replace-redis-with-valkey.md": """
                      # ADR-002: Replace Redis with Valkey

                      ## Status

                      Accepted

                      ## Decision

                      We replace Redis with Valkey, its open-source fork, for sessions.
                      """}, "accept ADR-001; replace Redis with Valkey")
    git(repo, "tag", "v2")
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "kg.toml").write_text(f'[[source]]\ngit = "{repo.as_uri()}"\nrev = "v2"\n', encoding="utf-8")
    return repo


# What the second commit changed, in the architecture: ADR-001 accepted; Redis replaced by Valkey (ADR-002);
# Keycloak's sessions moved from Redis to Valkey.
ADDED = {("ADR", "ADR-002"), ("Component", "Valkey")}
CHANGED = {("ADR-001", "status", "Proposed", "Accepted"), ("Redis", "status", "in use", "replaced")}
RELATIONS_ADDED = {("ADR-002", "decides", "Valkey"), ("Redis", "replacedBy", "Valkey"),
                   ("Keycloak", "storesDataIn", "Valkey")}
RELATIONS_REMOVED = {("Keycloak", "storesDataIn", "Redis")}


def summary(d) -> tuple[set, set, set, set, set]:
    data = d.to_dict()
    return ({(e["type"], e["label"]) for e in data["entities"]["added"]},
            {(e["type"], e["label"]) for e in data["entities"]["removed"]},
            {(c["label"], c["property"], c["old"], c["new"]) for c in data["entities"]["changed"]},
            {(r["subject"], r["relation"], r["object"]) for r in data["relations"]["added"]},
            {(r["subject"], r["relation"], r["object"]) for r in data["relations"]["removed"]})


def test_diff_between_two_pinned_revisions_reports_exactly_what_the_commits_changed(
        handbook: Path, tmp_path: Path) -> None:
    d = diff("v1", "v2", workspace=str(tmp_path / "ws" / "kg.toml"))
    assert summary(d) == (ADDED, set(), CHANGED, RELATIONS_ADDED, RELATIONS_REMOVED)
    assert d.old == f"handbook at v1 ({git(handbook, 'rev-parse', 'v1')[:12]})"
    # evidence on each side: the removed relation from the old README, the status from both ADR versions
    data = d.to_dict()
    [removed] = data["relations"]["removed"]
    assert removed["evidence"][0]["document"] == "handbook/README.md"
    assert "sessions in Redis" in removed["evidence"][0]["text"]
    [adr] = [c for c in data["entities"]["changed"] if c["label"] == "ADR-001"]
    assert adr["old_evidence"][0]["text"] == "Proposed" and adr["new_evidence"][0]["text"] == "Accepted"
    assert adr["old_evidence"][0]["document"] == "handbook/adrs/ADR-001-event-streaming.md"
    # and nothing changed between a revision and itself
    assert diff("v2", "v2", workspace=str(tmp_path / "ws" / "kg.toml")).empty


def test_the_same_from_two_graph_directories(handbook: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws" / "kg.toml"
    ws.write_text(f'[[source]]\ngit = "{handbook.as_uri()}"\nrev = "v1"\n', encoding="utf-8")
    api.build_graph([str(ws)], tmp_path / "before")
    ws.write_text(f'[[source]]\ngit = "{handbook.as_uri()}"\nrev = "v2"\n', encoding="utf-8")
    api.build_graph([str(ws)], tmp_path / "after")
    d = diff(str(tmp_path / "before"), str(tmp_path / "after"))
    assert summary(d) == (ADDED, set(), CHANGED, RELATIONS_ADDED, RELATIONS_REMOVED)
    backwards = summary(diff(str(tmp_path / "after"), str(tmp_path / "before")))
    assert backwards[0] == set() and backwards[1] == ADDED
    assert backwards[3] == RELATIONS_REMOVED and backwards[4] == RELATIONS_ADDED


def test_the_mermaid_view_marks_what_is_new_and_what_is_gone(handbook: Path, tmp_path: Path) -> None:
    text = render_mermaid(diff("v1", "v2", workspace=str(tmp_path / "ws" / "kg.toml")))
    body = text.split("---\n", 2)[2]
    diagram = parse_mermaid(body)
    labels = {n.id: n.label for n in diagram.nodes.values()}
    edges = {(labels[e.source], e.label, labels[e.target]) for e in diagram.edges}
    assert edges == {("ADR-002", "+ decides", "Valkey"), ("Redis (in use → replaced)", "+ replacedBy", "Valkey"),
                     ("Keycloak", "+ storesDataIn", "Valkey"), ("Keycloak", "− storesDataIn", "Redis (in use → replaced)")}
    assert "ADR-001 (Proposed → Accepted)" in labels.values()
    classes = {line.split()[2]: line.split()[1].split(",") for line in body.splitlines()
               if line.strip().startswith("class ")}
    by_label = {v: k for k, v in labels.items()}
    assert set(classes["added"]) == {by_label["ADR-002"], by_label["Valkey"]}
    assert set(classes["changed"]) == {by_label["ADR-001 (Proposed → Accepted)"], by_label["Redis (in use → replaced)"]}
    dashed = [e for e in diagram.edges if e.label.startswith("−")]
    assert len(dashed) == 1 and dashed[0].arrow.startswith("-.")


def test_kg_diff_in_a_docs_repository_compares_two_of_its_revisions(handbook: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "KG_GRAPH_DIR"}
    run = [sys.executable, "-c", "from kg.cli import main; main()", "diff", "v1", "v2"]
    done = subprocess.run([*run, "--format", "json"], cwd=handbook, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["summary"] == {"entities_added": 2, "entities_removed": 0, "changed": 2, "relations_added": 3,
                               "relations_removed": 1}
    done = subprocess.run([*run, "--exit-code"], cwd=handbook, env=env, capture_output=True, text=True)
    assert done.returncode == 1 and "~ ADR       ADR-001: status Proposed → Accepted" in done.stdout
    assert "  - Keycloak storesDataIn Redis    handbook/README.md:14" in done.stdout
    done = subprocess.run([*run[:-2], "v2", "v2", "--exit-code"], cwd=handbook, env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0 and "No change" in done.stdout
    done = subprocess.run([*run[:-2], "v1", "no-such-tag"], cwd=handbook, env=env, capture_output=True,
                          text=True)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "no revision no-such-tag" in done.stderr


def test_a_revision_needs_a_source_to_move(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.errors import UsageError

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)  # no kg.toml and no git checkout here
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "README.md").write_text("# Docs\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no graph, workspace file or folder"):
        diff(str(tmp_path / "docs"), "v1", workspace=None)


def test_text_names_every_kind_of_change(handbook: Path, tmp_path: Path) -> None:
    text = render_text(diff("v1", "v2", workspace=str(tmp_path / "ws" / "kg.toml")))
    for heading in ("Entities added (2)", "Changed (2)", "Relations added (3)", "Relations removed (1)"):
        assert heading in text
    assert "was: handbook/adrs/ADR-001-event-streaming.md:5  Proposed" in text
