"""Incremental builds: a rebuild after a file is changed, added, deleted or renamed reuses what it can and gives
the graph a cold build gives (rdflib's isomorphism, and the same model); builds on several cores give the
same graph as on one; the per-file cache never runs code when it is read."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest
from conftest import index_rows
from rdflib import Graph
from rdflib.compare import isomorphic

from kg import api, store
from kg.incremental import FileCache, dumps, loads


def graph_of(directory: Path) -> tuple[Graph, dict, dict]:
    build = store.current_build(directory)
    g = Graph()
    g.parse(build / "graph.nt", format="nt")
    meta = json.loads((build / "meta.json").read_text())
    return g, json.loads((build / "model.json").read_text()), meta


def assert_same_as_cold(workspace: Path, incremental: Path, tmp_path: Path, label: str) -> dict:
    meta = api.build_graph([str(workspace)], incremental)
    cold = tmp_path / f"cold-{label}"
    shutil.rmtree(cold, ignore_errors=True)
    api.build_graph([str(workspace)], cold, use_cache=False)
    g1, m1, _ = graph_of(incremental)
    g2, m2, _ = graph_of(cold)
    assert isomorphic(g1, g2), f"{label}: the rebuilt graph differs from a cold build"
    assert m1 == m2, f"{label}: the rebuilt model differs from a cold build"
    assert (store.current_build(incremental) / "graph.nt").read_bytes() == \
        (store.current_build(cold) / "graph.nt").read_bytes()
    assert store_triples(incremental) == graph_nt_triples(incremental), f"{label}: the store is not the graph"
    assert index_rows(incremental) == index_rows(cold), f"{label}: the rebuilt index differs from a cold build's"
    return meta


def store_triples(directory: Path) -> set[bytes]:
    """Every triple of a build's Oxigraph store, as N-Triples lines."""
    import pyoxigraph as ox

    st = ox.Store.read_only(str(store.current_build(directory) / store.STORE_FOLDER))
    dump = st.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return {line for line in dump.split(b"\n") if line}


def graph_nt_triples(directory: Path) -> set[bytes]:
    text = (store.current_build(directory) / "graph.nt").read_bytes()
    return {line for line in text.split(b"\n") if line and not line.startswith(b"#")}


def inodes(folder: Path) -> set[int]:
    return {p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def test_a_rebuild_edits_the_previous_store_and_falls_back_to_loading_it_whole(tmp_path: Path,
                                                                               make_workspace) -> None:  # type: ignore[no-untyped-def]
    ws = make_workspace({"shop/README.md": "# Shop\n\n| Service | Depends on |\n|---|---|\n| Orders API | Redpanda |\n"})
    directory = tmp_path / ".kg"
    api.build_graph([str(ws)], directory)
    first = store.current_build(directory)
    # a dependency gone and another come: the store loses triples and gains others
    (ws / "shop" / "README.md").write_text("# Shop\n\n| Service | Depends on |\n|---|---|\n"
                                          "| Billing | PostgreSQL |\n", encoding="utf-8")
    api.build_graph([str(ws)], directory)
    second = store.current_build(directory)
    # made from the first build's store (a checkpoint shares its files), and holding exactly the new graph
    assert inodes(second / store.STORE_FOLDER) & inodes(first / store.STORE_FOLDER)
    assert store_triples(directory) == graph_nt_triples(directory)
    assert any(b"billing" in line for line in store_triples(directory))
    assert not any(b"redpanda" in line for line in store_triples(directory))
    assert api.open(directory).query("SELECT ?s WHERE { ?s ?p <https://w3id.org/kg-arch/id/component/postgresql> }",
                                     engine="oxigraph").shape[0] >= 1

    # a previous build whose graph.nt is not what its meta.json recorded: the store is loaded whole
    (second / "graph.nt").write_bytes((second / "graph.nt").read_bytes().replace(b"Billing", b"Bxlling"))
    (ws / "shop" / "README.md").write_text("# Shop\n\n| Service | Depends on |\n|---|---|\n| Orders API | MinIO |\n",
                                          encoding="utf-8")
    api.build_graph([str(ws)], directory)
    third = store.current_build(directory)
    assert not inodes(third / store.STORE_FOLDER) & inodes(second / store.STORE_FOLDER)
    assert store_triples(directory) == graph_nt_triples(directory)
    assert not any(b"billing" in line for line in store_triples(directory))


@pytest.mark.corpus
def test_a_rebuild_after_each_kind_of_change_equals_a_cold_build(corpus_dir: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_JOBS", "2")  # the workers' path, whatever the machine
    ws = tmp_path / "ws"
    shutil.copytree(corpus_dir, ws)
    directory = tmp_path / ".kg"
    first = api.build_graph([str(ws)], directory)
    assert first["reused"] == 0 and first["parsed"] == first["stats"]["documents"]

    readme = ws / "flux" / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nFlux keeps its artifacts in MinIO.\n", encoding="utf-8")
    meta = assert_same_as_cold(ws, directory, tmp_path, "changed")
    assert meta["parsed"] == 1 and meta["reused"] == first["parsed"] - 1, "only the changed file is parsed"

    # a new document that introduces a name the workspace never had: the facts of every document may change
    (ws / "handbook" / "docs" / "WOMBAT.md").parent.mkdir(parents=True, exist_ok=True)
    (ws / "handbook" / "docs" / "WOMBAT.md").write_text(
        "# Wombat\n\n| Component | Technology |\n|---|---|\n| Queue | Wombat |\n\nGrafana stores data in Wombat.\n",
        encoding="utf-8")
    meta = assert_same_as_cold(ws, directory, tmp_path, "added")
    assert meta["parsed"] == 1

    victim = sorted(p for p in ws.rglob("*.md") if "ADR" in p.name)[0]
    victim.unlink()
    meta = assert_same_as_cold(ws, directory, tmp_path, "deleted")
    assert meta["parsed"] == 0

    moved = sorted(ws.rglob("*.md"))[3]
    moved.rename(moved.with_name("renamed-" + moved.name))
    meta = assert_same_as_cold(ws, directory, tmp_path, "renamed")
    assert meta["parsed"] == 1, "a renamed file is a new place: its documents' paths change"


@pytest.mark.corpus
def test_one_core_and_two_give_the_same_bytes(corpus_dir: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = []
    for jobs in ("1", "2"):
        monkeypatch.setenv("KG_JOBS", jobs)
        directory = tmp_path / f".kg-{jobs}"
        api.build_graph([str(corpus_dir)], directory, use_cache=False)
        build = store.current_build(directory)
        outputs.append([(build / name).read_bytes() for name in ("graph.nt", "model.json", "findings.json")])
    assert outputs[0] == outputs[1]


class Boom:
    def __reduce__(self) -> tuple:
        return (shutil.rmtree, ("/nonexistent-kg-test",))


def test_the_cache_reads_kg_data_only(tmp_path: Path) -> None:
    from kg.model import Evidence

    ev = Evidence("a/b.md", 3, "text", "prose")
    assert loads(dumps({"x": [ev, {1, 2}]})) == {"x": [ev, {1, 2}]}
    import zlib

    hostile = zlib.compress(pickle.dumps(Boom()), 1)
    with pytest.raises(pickle.UnpicklingError, match="not kg data"):
        loads(hostile)
    cache = FileCache(tmp_path / "cache")
    assert cache.db is not None
    cache.db.execute("INSERT INTO entries VALUES (?, ?)", ("k", hostile))
    cache.db.commit()
    assert cache.get_many(["k"]) == {} and cache.misses == 1, "a foreign entry is a miss, never run"


def test_a_damaged_cache_file_only_costs_time(tmp_path: Path, make_workspace) -> None:  # type: ignore[no-untyped-def]
    ws = make_workspace({"shop/README.md": "# Shop\n\n| Service | Depends on |\n|---|---|\n| Orders API | Redpanda |\n"})
    directory = tmp_path / ".kg"
    api.build_graph([str(ws)], directory)
    (directory / "cache" / "files.sqlite").write_bytes(b"\x00garbage" * 100)
    meta = api.build_graph([str(ws)], directory)
    assert meta["stats"]["relations_total"] > 0


def test_a_build_without_a_cache_into_a_new_folder(tmp_path: Path) -> None:
    # the store's loader starts with the build and may be sent the graph before anything else has created
    # the graph directory: it must make the directory itself
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "README.md").write_text("# Shop\n\nThe shop stores data in PostgreSQL.\n", encoding="utf-8")
    for _ in range(3):
        directory = tmp_path / "new" / "nested" / ".kg"
        shutil.rmtree(tmp_path / "new", ignore_errors=True)
        api.build_graph([str(docs)], directory, use_cache=False)
        assert (store.current_build(directory) / "graph.nt").stat().st_size > 0


def test_a_damaged_previous_store_never_stops_the_next_build(tmp_path: Path, make_workspace) -> None:  # type: ignore[no-untyped-def]
    # the store a rebuild starts from is checked against its build's record, and whatever the store says when
    # opened, the new one is loaded whole: "run kg build again" must work
    ws = make_workspace({"shop/README.md": "# Shop\n\n| Service | Depends on |\n|---|---|\n| Orders API | Redpanda |\n"})
    directory = tmp_path / ".kg"
    api.build_graph([str(ws)], directory)
    first = store.current_build(directory)
    biggest = max((p for p in (first / store.STORE_FOLDER).rglob("*") if p.is_file()), key=lambda p: p.stat().st_size)
    biggest.write_bytes(biggest.read_bytes()[: biggest.stat().st_size // 2])
    (ws / "shop" / "README.md").write_text("# Shop\n\n| Service | Depends on |\n|---|---|\n| Orders API | MinIO |\n",
                                          encoding="utf-8")
    api.build_graph([str(ws)], directory)
    assert store_triples(directory) == graph_nt_triples(directory)
    assert not inodes(store.current_build(directory) / store.STORE_FOLDER) & inodes(first / store.STORE_FOLDER)


def test_a_store_that_opens_damaged_is_loaded_whole(tmp_path: Path) -> None:
    # sizes as recorded, contents not: the store's own error when opened sends the loader to a whole load
    from kg.engines import update_store

    previous = tmp_path / "build"
    (previous / "oxigraph").mkdir(parents=True)
    (previous / "oxigraph" / "CURRENT").write_bytes(b"not a RocksDB store\n")
    nt = b"<http://a/x> <http://a/p> <http://a/y> .\n"
    import hashlib

    (previous / "graph.nt").write_bytes(nt)
    (previous / "meta.json").write_text(json.dumps({"files": {
        "graph.nt": {"bytes": len(nt), "sha256": hashlib.sha256(nt).hexdigest()},
        "oxigraph": {"folder": {"CURRENT": 20}}}}), encoding="utf-8")
    target = tmp_path / "new-store"
    assert update_store(nt, previous, target) is False
    assert not target.exists()
