"""Workspaces: a kg.toml of local folders and git repositories at pinned revisions, fetched with plain git into a
cache (tests use local file:// repositories made here), with every document recording its URL and commit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from gitrepos import commit, git

from kg import api
from kg.errors import BuildError, UsageError

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

@pytest.fixture
def remotes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Three repositories (a handbook, redpanda and minio) with history, and a cache folder of their own."""
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    origin = tmp_path / "origin"
    handbook = origin / "handbook"
    commit(handbook, {"README.md": """
        # Platform handbook

        ## Components

        | Component | Purpose |
        |-----------|---------|
        | Redpanda | event streaming |
        | MinIO | object storage |
        | KEDA | autoscaling |

        Redpanda is described in [its docs](https://github.com/acme/redpanda/blob/main/docs/README.md);
        MinIO's runbook is [on GitLab](https://gitlab.com/acme/storage/minio/-/blob/main/RUNBOOK.md).
        """}, "handbook")
    git(handbook, "tag", "v1")
    redpanda = origin / "redpanda"
    r1 = commit(redpanda, {"docs/README.md": """
        # Redpanda

        Kafka-compatible event streaming. Redpanda stores its tiered storage in MinIO.
        """, "README.md": "# redpanda repository\n\nSee docs/.\n", "docs/helmrelease.yaml": """
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata:
          name: redpanda
        spec:
          dependsOn:
            - name: minio
        """}, "redpanda 1")
    r2 = commit(redpanda, {"docs/README.md": """
        # Redpanda

        Kafka-compatible event streaming. Redpanda stores its tiered storage in MinIO.
        KEDA consumes from Redpanda to scale the order consumers.
        """, "docs/helmrelease.yaml": """
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata:
          name: redpanda
        spec:
          dependsOn:
            - name: minio
            - name: cert-manager
        """}, "redpanda 2: KEDA and cert-manager")
    minio = origin / "minio"
    m1 = commit(minio, {"README.md": "# MinIO\n\nS3-compatible object storage.\n",
                        "RUNBOOK.md": "# MinIO runbook\n\nRestart MinIO pods one at a time.\n"}, "minio 1")
    return {"origin": origin, "handbook": handbook, "redpanda": redpanda, "minio": minio, "r1": r1, "r2": r2,
            "m1": m1}


def write_workspace(folder: Path, remotes: dict[str, object], redpanda_rev: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kg.toml").write_text(textwrap.dedent(f"""
        # the platform's docs, three repositories at pinned revisions
        [[source]]
        git = "{Path(str(remotes['handbook'])).as_uri()}"
        rev = "v1"

        [[source]]
        git = "{Path(str(remotes['redpanda'])).as_uri()}"
        rev = "{redpanda_rev}"
        subdir = "docs"

        [[source]]
        git = "{Path(str(remotes['minio'])).as_uri()}"
        rev = "main"
        """).lstrip(), encoding="utf-8")
    return folder / "kg.toml"


def relations(kg: api.KnowledgeGraph) -> set[tuple[str, str, str]]:
    label = {k: e["label"] for k, e in kg.entities.items()}
    return {(label[r["subject"]], r["predicate"], label[r["object"]]) for r in kg.model["relations"]
            if kg.entities[r["subject"]]["type"] == "Component" and kg.entities[r["object"]]["type"] == "Component"}


def test_three_repositories_at_pinned_commits_build_and_documents_record_url_and_commit(
        remotes: dict[str, object], tmp_path: Path) -> None:
    file = write_workspace(tmp_path / "ws", remotes, str(remotes["r1"]))
    meta = api.build_graph([str(file)], tmp_path / ".kg")
    kg = api.open(tmp_path / ".kg", build_if_missing=False)
    assert not meta["sample"] and meta["sources"] == [str(file)]
    by_name = {s["name"]: s for s in meta["workspace"]["sources"]}
    assert by_name["redpanda"]["commit"] == remotes["r1"] and by_name["redpanda"]["rev"] == remotes["r1"]
    assert by_name["minio"]["commit"] == remotes["m1"] and by_name["minio"]["rev"] == "main"
    assert by_name["handbook"]["commit"] == git(Path(str(remotes["handbook"])), "rev-parse", "v1")
    # every document records the URL of its repository and the commit it was read at
    documents = {e["props"]["path"]: e["props"] for e in kg.entities.values() if e["type"] == "Document"}
    assert set(documents) == {"handbook/README.md", "redpanda/docs/README.md", "redpanda/docs/helmrelease.yaml",
                              "minio/README.md", "minio/RUNBOOK.md"}, "only the subdir of redpanda is read"
    for path, props in documents.items():
        repo = path.split("/")[0]
        assert props["url"] == Path(str(remotes[repo])).as_uri() and props["commit"] == by_name[repo]["commit"]
    # and so does the RDF graph
    rows = kg.query("PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX kg: <https://w3id.org/kg-arch/ns#> "
                    "SELECT ?path ?url ?commit WHERE { ?d kg:path ?path ; dcterms:source ?url ; kg:commit ?commit }")
    assert len(rows) == 5 and set(rows["commit"]) == {by_name[r]["commit"] for r in by_name}
    assert ("Redpanda", "dependsOn", "MinIO") in relations(kg)
    assert ("KEDA", "consumesFrom", "Redpanda") not in relations(kg), "that sentence comes in a later commit"


def test_links_into_any_repository_of_the_workspace_resolve_at_its_pinned_revision(
        remotes: dict[str, object], tmp_path: Path) -> None:
    file = write_workspace(tmp_path / "ws", remotes, str(remotes["r1"]))
    api.build_graph([str(file)], tmp_path / ".kg")
    kg = api.open(tmp_path / ".kg", build_if_missing=False)
    links = {(r["subject"], r["object"]) for r in kg.model["relations"] if r["predicate"] == "linksTo"}
    # a GitHub blob URL naming branch main and a GitLab one in a nested group: both reach the documents read
    assert ("document/handbook/README.md", "document/redpanda/docs/README.md") in links
    assert ("document/handbook/README.md", "document/minio/RUNBOOK.md") in links
    assert kg.model["unresolved"] == []


def test_moving_a_pin_changes_the_graph_accordingly(remotes: dict[str, object], tmp_path: Path) -> None:
    directory = tmp_path / ".kg"
    file = write_workspace(tmp_path / "ws", remotes, str(remotes["r1"]))
    api.build_graph([str(file)], directory)
    before = relations(api.open(directory, build_if_missing=False))
    write_workspace(tmp_path / "ws", remotes, str(remotes["r2"]))
    meta = api.build_graph([str(file)], directory)
    kg = api.open(directory, build_if_missing=False)
    after = relations(kg)
    assert after - before == {("KEDA", "consumesFrom", "Redpanda"), ("Redpanda", "dependsOn", "cert-manager")}
    assert before - after == set()
    assert {s["name"]: s["commit"] for s in meta["workspace"]["sources"]}["redpanda"] == remotes["r2"]
    assert kg.find("redpanda/docs/README.md")["props"]["commit"] == remotes["r2"]


def test_a_branch_is_fetched_again_and_a_pinned_commit_is_not(remotes: dict[str, object], tmp_path: Path) -> None:
    directory = tmp_path / ".kg"
    file = write_workspace(tmp_path / "ws", remotes, str(remotes["r1"]))
    api.build_graph([str(file)], directory)
    m2 = commit(Path(str(remotes["minio"])), {"README.md": "# MinIO\n\nObject storage. MinIO runs on K3s.\n"}, "m2")
    commit(Path(str(remotes["redpanda"])), {"docs/README.md": "# Redpanda\n\nRewritten.\n"}, "r3")
    meta = api.build_graph([str(file)], directory)
    commits = {s["name"]: s["commit"] for s in meta["workspace"]["sources"]}
    assert commits["minio"] == m2, "main moved: the new commit is read"
    assert commits["redpanda"] == remotes["r1"], "a pinned commit stays where it is"


def test_offline_builds_from_the_cache_only(remotes: dict[str, object], tmp_path: Path) -> None:
    directory = tmp_path / ".kg"
    file = write_workspace(tmp_path / "ws", remotes, str(remotes["r1"]))
    with pytest.raises(BuildError, match=r"kg\.toml:\d+: .* is not in the cache .*without --offline"):
        api.build_graph([str(file)], directory, offline=True)
    api.build_graph([str(file)], directory)
    online = relations(api.open(directory, build_if_missing=False))
    shutil.move(str(remotes["origin"]), str(tmp_path / "gone"))  # the network is gone
    meta = api.build_graph([str(file)], directory, offline=True)
    assert relations(api.open(directory, build_if_missing=False)) == online
    assert {s["name"] for s in meta["workspace"]["sources"]} == {"handbook", "redpanda", "minio"}
    # online, a fetch that fails is a warning naming the source, and the cache answers
    meta = api.build_graph([str(file)], directory)
    assert any("kg.toml" in w and "cannot fetch" in w for w in meta["warnings"])


def test_a_revision_that_does_not_exist_is_an_error_naming_the_source(remotes: dict[str, object],
                                                                       tmp_path: Path) -> None:
    file = write_workspace(tmp_path / "ws", remotes, "no-such-branch")
    with pytest.raises(BuildError) as caught:
        api.build_graph([str(file)], tmp_path / ".kg")
    text = file.read_text()
    line = text.splitlines().index("[[source]]", text.splitlines().index("rev = \"v1\"")) + 1
    assert str(caught.value).startswith(f"{file}:{line}: ") and "no revision no-such-branch" in str(caught.value)


def test_local_paths_aliases_and_shapes_from_the_workspace_file(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "platform").mkdir(parents=True)
    (docs / "platform" / "README.md").write_text("# Platform\n\nWombat stores data in Quokka DB.\n", encoding="utf-8")
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "names.toml").write_text('[components]\n"Quokka" = ["marsupial-store"]\n', encoding="utf-8")
    (ws / "platform.ttl").write_text(
        "@prefix kg: <https://w3id.org/kg-arch/ns#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "kg:Marsupial rdfs:subClassOf kg:Component ; rdfs:label \"marsupial\" .\n", encoding="utf-8")
    (ws / "kg.toml").write_text('aliases = ["names.toml"]\nontology = ["platform.ttl"]\nshapes = "rules.ttl"\n\n'
                                '[[source]]\npath = "../docs/platform"\n', encoding="utf-8")
    (ws / "rules.ttl").write_text("", encoding="utf-8")
    meta = api.build_graph([str(ws)], tmp_path / ".kg")
    kg = api.open(tmp_path / ".kg", build_if_missing=False)
    assert kg.find("marsupial-store")["key"] == kg.find("Quokka")["key"], "the alias file was read"
    assert meta["shapes"] == [str(ws / "rules.ttl")]
    assert len(kg.query("PREFIX kg: <https://w3id.org/kg-arch/ns#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                        "SELECT ?c WHERE { kg:Marsupial rdfs:subClassOf ?c }")) == 1


@pytest.mark.parametrize(("text", "said"), [
    ("[[source]]\npath = 'x'\ncolour = 'red'\n", ":1: unknown key colour in a source"),
    ("wibble = 1\n[[source]]\npath = 'x'\n", ":1: unknown key wibble"),
    ("[[source]]\npath = 'x'\ngit = 'file:///y'\n", ":1: a source has either a path or a git URL"),
    ("\n\n[[source]]\npath = 'x'\nrev = 'main'\n", ":3: rev is for a git source"),
    ("[[source]]\ngit = 'file:///y'\nsubdir = '../etc'\n", ":1: subdir must be a folder inside the source"),
    ("[[source]\npath = 'x'\n", ":1: not valid TOML"),
    ("aliases = []\n", ":1: no sources"),
])
def test_a_bad_workspace_file_is_one_line_naming_file_and_line(tmp_path: Path, text: str, said: str) -> None:
    (tmp_path / "kg.toml").write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        api.build_graph([str(tmp_path / "kg.toml")], tmp_path / ".kg")
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "kg.toml")) and said in message and "\n" not in message


def test_kg_build_with_no_argument_builds_the_workspace_file_here(remotes: dict[str, object], tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    write_workspace(ws, remotes, str(remotes["r2"]))
    env = {**os.environ, "KG_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("KG_GRAPH_DIR", None)
    done = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "build"], cwd=ws, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"redpanda     {remotes['r2']} at {str(remotes['r2'])[:12]}" in done.stdout
    assert "embedded sample" not in done.stdout
    done = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "deps", "KEDA", "--format", "json"],
                          cwd=ws, env=env, capture_output=True, text=True)
    assert done.returncode == 0 and '"Redpanda"' in done.stdout
    # --offline outside a workspace is a usage error
    done = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "build", str(tmp_path / "origin"),
                           "--offline"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 2 and "--offline" in done.stderr


def test_a_source_that_cannot_be_had_leaves_the_previous_graph_usable(remotes: dict[str, object],
                                                                      tmp_path: Path) -> None:
    directory = tmp_path / ".kg"
    file = write_workspace(tmp_path / "ws", remotes, str(remotes["r1"]))
    api.build_graph([str(file)], directory)
    before = relations(api.open(directory, build_if_missing=False))
    write_workspace(tmp_path / "ws", remotes, "f" * 40)  # a commit no repository has
    with pytest.raises(BuildError, match="no revision f{40}"):
        api.build_graph([str(file)], directory)
    assert relations(api.open(directory, build_if_missing=False)) == before
