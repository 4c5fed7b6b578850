"""The CLI end to end: build, impact, deps, show, stats, bad input, exit codes, atomic builds."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import run_in_terminal

from kg import api, store
from kg.cli import main
from kg.errors import GraphNotFound


def run(*args: str, graph_dir: Path | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    full = list(args) + (["--graph-dir", str(graph_dir)] if graph_dir else [])
    result = runner.invoke(main, full, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_the_sample_is_built_only_on_the_quick_start_path_and_every_answer_says_so(tmp_path: Path,
                                                                                  monkeypatch) -> None:
    """No graph anywhere and no graph directory named: the sample is built into ./.kg, and labelled."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KG_GRAPH_DIR", raising=False)
    code, out, err = run("impact", "Redpanda")
    assert code == 0, err
    assert "no graph in .kg: building the embedded sample there first" in err
    assert "Answer from the embedded SAMPLE graph in .kg, not from your docs" in err
    assert "KEDA" in out and "SAMPLE" not in out, "in a pipe the rows stay rows; the label goes to stderr"
    assert store.exists(tmp_path / ".kg")
    # from then on the graph in ./.kg is the sample's, and says so in every format
    code, out, err = run("impact", "Redpanda", "--format", "json")
    assert code == 0 and "building" not in err
    assert json.loads(out)["graph"] == {"sample": True, "path": ".kg", "sources": [json.loads(out)["graph"]["sources"][0]]}
    assert json.loads(out)["graph"]["sources"][0].endswith("sample")
    for command in (["show", "KEDA"], ["stats"], ["deps", "KEDA"]):
        code, out, _ = run(*command, "--format", "json")
        assert code == 0 and json.loads(out)["graph"]["sample"] is True, command
    code, out, _ = run_in_terminal(["impact", "Redpanda"], cwd=tmp_path)
    assert code == 0 and out.splitlines()[0].startswith("Answer from the embedded SAMPLE graph in .kg")
    code, out, _ = run_in_terminal(["show", "KEDA"], cwd=tmp_path)
    assert code == 0 and out.splitlines()[0].startswith("Answer from the embedded SAMPLE graph")


@pytest.mark.parametrize("how", ["option", "environment"])
@pytest.mark.parametrize("state", ["missing", "empty", "cache only"])
def test_a_named_graph_directory_without_a_graph_is_an_error(tmp_path: Path, monkeypatch, how: str,
                                                             state: str) -> None:
    monkeypatch.chdir(tmp_path)
    directory = tmp_path / "new-graph"
    if state != "missing":
        directory.mkdir()
    if state == "cache only":  # what a build that failed half-way may leave
        (directory / "cache").mkdir()
    args = ["impact", "redpanda"] + (["--graph-dir", str(directory)] if how == "option" else [])
    if how == "environment":
        monkeypatch.setenv("KG_GRAPH_DIR", str(directory))
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert err.strip() == f"kg: no graph in {directory}: build one with `kg build PATH --graph-dir {directory}`"
    assert not store.exists(directory) and not (tmp_path / ".kg").exists(), "no sample was built anywhere"
    with pytest.raises(GraphNotFound):
        api.open(directory)


def test_a_failed_build_never_leaves_the_impression_of_a_graph(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "no-docs").mkdir()
    (tmp_path / "no-docs" / "notes.txt").write_text("not markdown")
    code, out, err = run("build", "no-docs", "--graph-dir", "new-graph")
    assert code == 2 and out == ""
    assert err.strip() == "kg: no Markdown files or manifests under no-docs (no graph was built; new-graph holds no graph)"
    code, out, err = run("impact", "redpanda", "--graph-dir", "new-graph")
    assert code == 2 and out == "" and "no graph in new-graph" in err


def test_answers_from_built_docs_are_not_labelled_sample(corpus_graph_dir: Path, corpus_kg: api.KnowledgeGraph) -> None:
    code, out, err = run("impact", "MinIO", "--format", "json", graph_dir=corpus_graph_dir)
    assert code == 0 and json.loads(out)["graph"]["sample"] is False and "SAMPLE" not in err
    assert json.loads(out)["graph"]["path"] == str(corpus_graph_dir)
    code, out, _ = run_in_terminal(["impact", "MinIO", "--graph-dir", str(corpus_graph_dir)])
    n = len(corpus_kg.impact("MinIO").results)
    assert code == 0 and "SAMPLE" not in out and out.startswith(f"{n} entities depend on MinIO (Component)")


def test_impact_json_shape(sample_graph_dir: Path) -> None:
    code, out, _ = run("impact", "redpanda", "--format", "json", graph_dir=sample_graph_dir)
    assert code == 0
    data = json.loads(out)
    assert data["target"] == {"id": "component/redpanda", "label": "Redpanda", "type": "Component"}
    assert data["direction"] == "dependents"
    keda = next(r for r in data["results"] if r["label"] == "KEDA")
    assert set(keda) >= {"id", "label", "type", "depth", "path", "evidence"}
    assert keda["path"][0] == "KEDA" and keda["path"][-1] == "Redpanda"
    assert keda["evidence"] and set(keda["evidence"][0]) >= {"document", "line", "text", "method"}
    code, out, _ = run("deps", "Redpanda", "--format", "json", graph_dir=sample_graph_dir)
    assert json.loads(out)["direction"] == "dependencies"
    assert any(r["label"] == "MinIO" for r in json.loads(out)["results"])


def test_impact_depth_and_relation_filters(sample_graph_dir: Path) -> None:
    _, out, _ = run("impact", "MinIO", "--depth", "1", "--format", "json", graph_dir=sample_graph_dir)
    assert {r["depth"] for r in json.loads(out)["results"]} == {1}
    _, out, _ = run("impact", "MinIO", "--relation", "storesDataIn", "--format", "json", graph_dir=sample_graph_dir)
    assert all(h["relation"] == "storesDataIn" for r in json.loads(out)["results"] for h in r["hops"])
    code, _, err = run("impact", "MinIO", "--relation", "eats", graph_dir=sample_graph_dir)
    assert code == 2 and "unknown relation eats" in err


@pytest.mark.parametrize("fmt", ["csv", "markdown", "table"])
def test_impact_formats(sample_graph_dir: Path, fmt: str) -> None:
    code, out, _ = run("impact", "Redpanda", "--format", fmt, graph_dir=sample_graph_dir)
    assert code == 0 and "KEDA" in out


def test_unknown_name_exits_2_with_closest_names(sample_graph_dir: Path) -> None:
    code, out, err = run("impact", "Redpand", graph_dir=sample_graph_dir)
    assert code == 2
    assert err.startswith("kg: no entity named Redpand; closest: Redpanda")
    assert out == ""


@pytest.mark.parametrize("name", ["ADR-26", "ADR-026", "ADR-0026", "adr-26"])
def test_adr_ids_in_any_width(sample_graph_dir: Path, name: str) -> None:
    code, out, _ = run("show", name, "--format", "json", graph_dir=sample_graph_dir)
    assert code == 0
    assert json.loads(out)["id"] == "adr/ADR-026"


def test_show_card(sample_graph_dir: Path) -> None:
    code, out, _ = run("show", "CNPG", "--format", "json", graph_dir=sample_graph_dir)
    card = json.loads(out)
    assert code == 0 and card["label"] == "CloudNativePG" and card["type"] == "Component"
    assert {"id", "label", "type", "aliases", "status", "relations", "documents"} <= set(card)
    assert any(r["relation"] == "decides" and r["direction"] == "in" for r in card["relations"])
    code, out, _ = run("show", "KEDA", graph_dir=sample_graph_dir)
    assert code == 0 and "consumesFrom → Redpanda" in out


def test_stats(sample_graph_dir: Path) -> None:
    code, out, _ = run("stats", "--format", "json", graph_dir=sample_graph_dir)
    s = json.loads(out)
    assert code == 0 and s["entities"]["Component"] > 10 and s["unresolved_references"] > 0


def test_build_bad_paths(tmp_path: Path) -> None:
    code, _, err = run("build", str(tmp_path / "nope"), graph_dir=tmp_path / ".kg")
    assert code == 2
    assert err.strip() == f"kg: {tmp_path / 'nope'}: no such file or folder (no graph was built; {tmp_path / '.kg'} holds no graph)"
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "sub" / "notes.txt").write_text("not markdown")
    code, _, err = run("build", str(empty), graph_dir=tmp_path / ".kg")
    assert code == 2 and "no Markdown files" in err


def test_bad_files_are_skipped_not_fatal(make_workspace, tmp_path: Path) -> None:
    ws = make_workspace({
        "docs/README.md": "# Docs\n\n| Category | Technology | Purpose |\n|---|---|---|\n| Events | Redpanda | x |\n",
        "docs/latin1.md": "# Caf\xe9\n".encode("latin-1"),
        "docs/empty.md": "",
        "docs/broken.md": "# Broken\n\n```mermaid\nflowchart LR\n  a -->\n  b[unclosed\n```\n\nRedpanda is here.\n",
    })
    code, out, err = run("build", str(ws / "docs"), "--format", "json", graph_dir=tmp_path / ".kg")
    assert code == 0, err
    meta = json.loads(out)
    assert meta["stats"]["documents"] == 3
    assert "kg: warning: docs/latin1.md: not UTF-8 (byte 5), skipped" in err.splitlines()
    assert "kg: warning: docs/broken.md:5: mermaid: cannot parse 'a -->' (dangling arrow)" in err.splitlines()
    code, out, _ = run("stats", "--format", "json", "--warnings", graph_dir=tmp_path / ".kg")
    warnings = json.loads(out)["warning_list"]
    assert any(w.startswith("docs/latin1.md: not UTF-8") for w in warnings)
    assert any(w.startswith("docs/empty.md") for w in warnings)
    assert any(w.startswith("docs/broken.md:") and "mermaid" in w for w in warnings)


def test_failed_build_leaves_previous_graph_usable(sample_graph_dir: Path, tmp_path: Path, monkeypatch) -> None:
    directory = tmp_path / ".kg"
    assert run("build", graph_dir=directory)[0] == 0
    before = store.current_build(directory)

    def explode(*_a, **_k):
        raise RuntimeError("disk full")

    monkeypatch.setattr("kg.store.json.dumps", explode)
    with pytest.raises(RuntimeError):
        run("build", graph_dir=directory)
    monkeypatch.undo()
    assert store.current_build(directory) == before
    assert not [p for p in directory.iterdir() if p.name.startswith(".tmp-build")]
    code, out, _ = run("impact", "Redpanda", graph_dir=directory)
    assert code == 0 and "KEDA" in out


def test_every_command_has_help() -> None:
    for name, command in main.commands.items():
        assert command.help and len(command.help.strip()) > 20, name
        code, out, _ = run(name, "--help")
        assert code == 0 and "Usage:" in out


def test_rebuild_reuses_parsed_documents_and_gives_the_same_graph(make_workspace, tmp_path: Path) -> None:
    ws = make_workspace({
        "docs/README.md": "# Docs\n\n| Category | Technology | Purpose |\n|---|---|---|\n| Events | Redpanda | x |\n"
                          "| Objects | MinIO | y |\n",
        "docs/notes.md": "# Notes\n\nRedpanda offloads old segments to MinIO.\n",
    })
    directory = tmp_path / ".kg"
    first = json.loads(run("build", str(ws), "--format", "json", graph_dir=directory)[1])
    graph = store.ntriples_path(directory).read_bytes()
    second = json.loads(run("build", str(ws), "--format", "json", graph_dir=directory)[1])
    assert (first["parsed"], first["reused"]) == (2, 0)
    assert (second["parsed"], second["reused"]) == (0, 2)
    assert store.ntriples_path(directory).read_bytes() == graph
    (ws / "docs" / "notes.md").write_text("# Notes\n\nMinIO is fine on its own.\n")
    third = json.loads(run("build", str(ws), "--format", "json", graph_dir=directory)[1])
    assert (third["parsed"], third["reused"]) == (1, 1)
    code, out, _ = run("deps", "Redpanda", "--format", "json", graph_dir=directory)
    assert json.loads(out)["results"] == [], "the edited document no longer says it"
    with sqlite3.connect(directory / "cache" / "files.sqlite") as db:
        entries = db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
    assert entries == 6, "entries nobody uses are pruned: each document's parse, names and facts are left"


def test_a_damaged_cache_entry_is_a_miss_not_an_error(make_workspace, tmp_path: Path) -> None:
    ws = make_workspace({"docs/README.md": "# Docs\n\nHello.\n"})
    directory = tmp_path / ".kg"
    assert run("build", str(ws), graph_dir=directory)[0] == 0
    with sqlite3.connect(directory / "cache" / "files.sqlite") as db:
        db.execute("UPDATE entries SET data = ?", (b"not zlib",))
    code, out, err = run("build", str(ws), "--format", "json", graph_dir=directory)
    assert code == 0, err
    assert json.loads(out)["parsed"] == 1


def test_hostile_files_cannot_break_the_build(make_workspace, tmp_path: Path, monkeypatch) -> None:
    laughs = "---\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8)) + "---\n# Laughs\n"
    ws = make_workspace({
        "docs/README.md": "# Docs\n\n| Category | Technology | Purpose |\n|---|---|---|\n| Events | Redpanda | x |\n",
        "docs/laughs.md": laughs,
        "docs/deep.md": "# Deep\n\n" + "> " * 5000 + "quote\n\n" + "".join("  " * i + "- item\n" for i in range(300)),
        "docs/huge.md": "# Huge\n",
    })
    (ws / "docs" / "zero.md").symlink_to("/dev/zero")
    monkeypatch.setattr("kg.discover.MAX_BYTES", 150_000)
    (ws / "docs" / "huge.md").write_text("# Huge\n\n" + "word " * 40_000)
    code, out, err = run("build", str(ws / "docs"), "--format", "json", graph_dir=tmp_path / ".kg")
    assert code == 0, err
    code, out, _ = run("stats", "--format", "json", "--warnings", graph_dir=tmp_path / ".kg")
    warnings = json.loads(out)["warning_list"]
    assert any(w.startswith("docs/laughs.md:1: front matter is too large") for w in warnings)
    assert any(w.startswith("docs/huge.md: ") and "limit" in w for w in warnings)
    assert run("impact", "Redpanda", graph_dir=tmp_path / ".kg")[0] == 0


def test_what_a_folder_is(make_workspace, tmp_path: Path) -> None:
    """A repository, a plain folder of docs, or a folder that holds repositories side by side."""
    from kg.discover import discover

    ws = make_workspace({
        "side/alpha/README.md": "# Alpha\n", "side/alpha/docs/a.md": "# A\n",
        "side/beta/docs/b.md": "# B\n",
        "handbook/README.md": "# Handbook\n", "handbook/adrs/README.md": "# ADRs\n",
        "handbook/runbooks/README.md": "# Runbooks\n",
        "plain/notes.md": "# Notes\n",
        # adr-tools keeps records in doc/adr; a repository need not have a README at its top
        "logs/identity/doc/adr/0001-record-architecture-decisions.md": "# 1. Record architecture decisions\n",
        "logs/road/README.md": "# Road\n",
    })
    assert set(discover([str(ws / "side")]).repos) == {"alpha", "beta"}
    assert set(discover([str(ws / "logs")]).repos) == {"identity", "road"}
    assert set(discover([str(ws / "handbook")]).repos) == {"handbook"}, "a README at the top makes one repository"
    assert set(discover([str(ws / "plain")]).repos) == {"plain"}
    (ws / "handbook" / "adrs" / ".git").mkdir()
    assert "adrs" in discover([str(ws / "handbook")]).repos, "a git checkout inside is a repository of its own"


def test_build_progress_follows_every_stage_on_a_terminal_only(corpus_dir: Path, tmp_path: Path) -> None:
    code, shown, _ = run_in_terminal(["build", str(corpus_dir), "--graph-dir", str(tmp_path / "a")], stderr_too=True)
    assert code == 0
    stages = ["finding Markdown files", "parsing", "extracting and resolving", "building the RDF graph",
              "writing the graph"]
    assert [s for s in stages if s in shown] == stages, shown[:2000]
    assert shown.index("parsing") < shown.index("extracting and resolving") < shown.index("writing the graph")
    # a pipe, CI and --quiet show no progress; --verbose says how long each stage took
    code, out, err = run("build", str(corpus_dir), "--verbose", graph_dir=tmp_path / "b")
    assert code == 0 and "━" not in err
    for stage in stages:
        assert re.search(rf"^kg: {stage}( \(46 files\))?: \d+\.\d\d s$", err, re.M), stage
    code, shown, _ = run_in_terminal(["build", str(corpus_dir), "--graph-dir", str(tmp_path / "c")], stderr_too=True,
                                     env={"CI": "true"})
    assert code == 0 and "parsing" not in shown and shown.startswith("Built ")
    code, shown, _ = run_in_terminal(["build", str(corpus_dir), "-q", "--graph-dir", str(tmp_path / "d")],
                                     stderr_too=True)
    assert code == 0 and shown.strip() == ""


def test_help_names_only_the_formats_a_command_offers() -> None:
    code, out, _ = run("build", "--help")
    assert code == 0 and "csv" not in out and "json" in out
    code, out, _ = run("impact", "--help")
    assert "csv" in out and "--kind" in out and "--wide" in out


def test_common_words_suggest_what_the_docs_describe_with_them(make_workspace, tmp_path: Path,
                                                               corpus_graph_dir: Path) -> None:
    ws = make_workspace({"docs/README.md": """\
        # Platform

        | Category | Technology | Purpose |
        |---|---|---|
        | Events | Streamer | Zorblax-compatible event streaming |
        | Database | Keeper | Quuxdb operator |
        """})
    assert run("build", str(ws), "-q", graph_dir=tmp_path / ".kg")[0] == 0
    # (made-up products, so that no list of known technologies names them: the docs' own words must)
    code, _, err = run("impact", "zorblax", graph_dir=tmp_path / ".kg")
    assert code == 2 and err.strip() == "kg: no entity named zorblax; closest: Streamer (Zorblax-compatible event streaming)"
    code, _, err = run("show", "quuxdb", graph_dir=tmp_path / ".kg")
    assert code == 2 and "closest: Keeper (Quuxdb operator)" in err
    # on the real corpus neither word is a dead end: an entity of that name, or the closest names
    for word in ("kafka", "postgresql"):
        code, out, err = run("show", word, graph_dir=corpus_graph_dir)
        assert code == 0 or "closest: " in err, (word, err)


@pytest.mark.parametrize("command", [["impact", "MinIO"], ["deps", "Redpanda"], ["show", "MinIO"]], ids=" ".join)
def test_the_answer_path_stays_light(sample_graph_dir: Path, command: list[str]) -> None:
    """kg impact, deps and show, drawn as for a terminal, import no rdflib, networkx or pandas."""
    import subprocess
    import sys

    script = ("import sys, kg.cli._output as o, kg.cli.impact as i, kg.cli.show as s\n"
              "o.stdout_is_terminal = i.stdout_is_terminal = s.stdout_is_terminal = lambda: True\n"
              "from kg.cli import main\n"
              "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
              "print('HEAVY', sorted({m.split('.')[0] for m in sys.modules} & {'rdflib', 'networkx', 'pandas'}))")
    done = subprocess.run([sys.executable, "-c", script, *command, "--graph-dir", str(sample_graph_dir)],
                          capture_output=True, text=True, timeout=60)
    assert "ENTITY" in done.stdout or "relations:" in done.stdout, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == "HEAVY []"


def test_the_program_ends_with_its_output_whole_and_its_exit_code(sample_graph_dir: Path) -> None:
    """`kg` (kg.cli.run) leaves without tearing the interpreter down: what it printed still arrives whole
    through a pipe, usage errors still exit 2, and a reader that leaves early is no error."""
    import subprocess
    import sys

    program = [sys.executable, "-c", "from kg.cli import run; run()"]
    done = subprocess.run([*program, "impact", "Redpanda", "--format", "json", "--graph-dir", str(sample_graph_dir)],
                          capture_output=True, text=True, timeout=60)
    answer = json.loads(done.stdout)
    assert done.returncode == 0 and answer["results"], done.stderr
    whole = api.open(sample_graph_dir, build_if_missing=False).impact("Redpanda").to_dict()
    assert answer["results"] == json.loads(json.dumps(whole["results"]))
    done = subprocess.run([*program, "impact", "No Such Thing", "--graph-dir", str(sample_graph_dir)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.startswith("kg: ") and not done.stdout
    done = subprocess.run([*program, "impact", "--no-such-option"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "No such option" in done.stderr
    head = subprocess.Popen([*program, "query", "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "--format", "csv",
                             "--graph-dir", str(sample_graph_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert head.stdout is not None and head.stdout.readline()
    head.stdout.close()  # as `| head -1` does
    assert head.wait(timeout=60) == 0
    assert b"Traceback" not in (head.stderr.read() if head.stderr else b"")
