"""A rebuild's graph.nt patched from the previous build's (kg.graph_delta) is the file a cold build writes: the
lines that went and came are exactly the difference of the two graphs, also where an unchanged part of the
model writes a line of a changed one (a shared kg:dependsOn, a shared evidence node, a reference's node)."""

from __future__ import annotations

import copy
import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import index_rows

from kg import api, store
from kg.graph import ntriple_set, ntriples_file, ontology_lines
from kg.graph_delta import GraphDelta, model_delta, patched_ntriples
from kg.resources import sample_workspace


@pytest.fixture(scope="module")
def sample_model(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    directory = tmp_path_factory.mktemp("kg")
    api.build_graph([str(sample_workspace())], directory)
    return json.loads((store.current_build(directory) / "model.json").read_text(encoding="utf-8"))


def lines_of(model: dict[str, Any]) -> set[str]:
    return ntriple_set(model, ontology_lines())


def assert_delta_is_the_difference(old: dict[str, Any], new: dict[str, Any]) -> GraphDelta:
    delta = model_delta(old, new)
    assert delta is not None
    before, after = lines_of(old), lines_of(new)
    assert delta.removed == sorted(line.encode() for line in before - after)
    assert delta.added == sorted(line.encode() for line in after - before)
    patched = patched_ntriples(bytes(ntriples_file(before)), delta)
    assert patched == ntriples_file(after), "the patched graph.nt is not the one a cold build writes"
    return delta


def dependency_pair(model: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A relation of the model, and a copy of it as another kind of dependency between the same two entities."""
    first = next(r for r in model["relations"] if r["predicate"] == "dependsOn" or r["predicate"] == "runsOn")
    twin = copy.deepcopy(first)
    twin["predicate"] = "storesDataIn" if first["predicate"] != "storesDataIn" else "runsOn"
    return first, twin


def test_a_line_an_unchanged_part_also_writes_stays(sample_model: dict[str, Any]) -> None:
    old = copy.deepcopy(sample_model)
    first, twin = dependency_pair(old)
    twin["evidence"] = [dict(first["evidence"][0])]  # one sentence read as both: one evidence node, two relations
    old["relations"].append(twin)
    new = copy.deepcopy(old)
    new["relations"].remove(twin)
    delta = assert_delta_is_the_difference(old, new)
    kept = b"<https://w3id.org/kg-arch/ns#dependsOn>"
    assert delta.removed and not any(kept in line for line in delta.removed), \
        "the kg:dependsOn the other relation writes too is kept"
    assert not any(b"/evidence/" in line.split(b" ")[0] for line in delta.removed), "the shared evidence node is kept"


def test_random_edits_of_a_real_model(sample_model: dict[str, Any]) -> None:
    rng = random.Random(11)
    for round_ in range(40):
        old = copy.deepcopy(sample_model)
        new = copy.deepcopy(old)
        for _ in range(rng.randint(1, 4)):
            edit = rng.choice(("drop-relation", "confidence", "evidence", "label", "drop-entity", "twin",
                               "reference", "drop-reference", "alias"))
            relations, entities, refs = new["relations"], new["entities"], new["unresolved"]
            if edit == "drop-relation" and relations:
                relations.pop(rng.randrange(len(relations)))
            elif edit == "confidence" and relations:
                rng.choice(relations)["confidence"] = round(rng.random(), 2)
            elif edit == "evidence" and relations:
                rel = rng.choice(relations)
                ev = dict(rng.choice(rel["evidence"]))
                ev["line"] += 1000
                rel["evidence"].append(ev)
            elif edit == "label" and entities:
                rng.choice(entities)["label"] += " (renamed)"
            elif edit == "alias" and entities:
                ent = rng.choice(entities)
                ent["aliases"] = sorted({*ent["aliases"], f"alias {round_}"})
            elif edit == "drop-entity" and entities:
                entities.pop(rng.randrange(len(entities)))
            elif edit == "twin":
                first, twin = dependency_pair(new)
                if not any((r["subject"], r["predicate"], r["object"]) ==
                           (twin["subject"], twin["predicate"], twin["object"]) for r in relations):
                    relations.append(twin)
            elif edit == "reference" and refs:
                twin_ref = dict(rng.choice(refs))
                twin_ref["text"] = "another link text"  # the same document, line and target: the same node
                refs.append(twin_ref)
            elif edit == "drop-reference" and refs:
                refs.pop(rng.randrange(len(refs)))
        assert_delta_is_the_difference(old, new)


def test_a_delta_that_does_not_fit_the_file_is_refused(sample_model: dict[str, Any]) -> None:
    text = bytes(ntriples_file(lines_of(sample_model)))
    present = text.split(b"\n")[5]
    assert patched_ntriples(text, GraphDelta(removed=[b"<urn:x> <urn:y> <urn:z> ."], added=[])) is None
    assert patched_ntriples(text, GraphDelta(removed=[], added=[present])) is None
    assert patched_ntriples(b"\n", GraphDelta(removed=[], added=[present])) is None
    assert patched_ntriples(text, GraphDelta(removed=[present], added=[present + b" "])) is not None


def test_a_model_with_a_relation_written_twice_is_not_compared(sample_model: dict[str, Any]) -> None:
    new = copy.deepcopy(sample_model)
    new["relations"].append(copy.deepcopy(new["relations"][0]))
    assert model_delta(sample_model, new) is None


def test_a_rebuild_patches_the_graph_and_the_store_follows(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(sample_workspace(), ws)
    directory = tmp_path / ".kg"
    first = api.build_graph([str(ws)], directory)
    assert "graph_delta" not in first, "a first build makes the whole graph"
    doc = sorted(ws.rglob("*.md"))[0]
    doc.write_text(doc.read_text(encoding="utf-8") + "\nThe Orders API stores its data in Wombat.\n", encoding="utf-8")
    second = api.build_graph([str(ws)], directory)
    assert second["graph_delta"]["added"] > 0
    cold = tmp_path / "cold"
    api.build_graph([str(ws)], cold, use_cache=False)
    assert (store.current_build(directory) / "graph.nt").read_bytes() == \
        (store.current_build(cold) / "graph.nt").read_bytes()
    assert second["triples"] == store.read_meta(store.current_build(cold))["triples"]
    assert index_rows(directory) == index_rows(cold), "the patched index holds other rows than a cold build's"
    kg = api.open(directory)
    assert not kg.query("SELECT ?s WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'Wombat')) }", engine="oxigraph").empty

    # other code made the previous graph's lines: the whole graph is made again
    meta_path = store.current_build(directory) / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["graph_code"] = "older code"
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    assert "graph_delta" not in api.build_graph([str(ws)], directory)


def test_another_workspace_built_into_the_same_directory_is_made_whole(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    (first / "shop").mkdir(parents=True)
    (first / "shop" / "README.md").write_text("# Shop\n\n| Service | Depends on |\n|---|---|\n| Orders API | Redpanda |\n",
                                              encoding="utf-8")
    shutil.copytree(sample_workspace(), second)
    directory = tmp_path / ".kg"
    api.build_graph([str(first)], directory)
    meta = api.build_graph([str(second)], directory)
    assert "graph_delta" not in meta, "almost everything changed: the graph is made whole, not patched"
    cold = tmp_path / "cold"
    api.build_graph([str(second)], cold, use_cache=False)
    assert (store.current_build(directory) / "graph.nt").read_bytes() == \
        (store.current_build(cold) / "graph.nt").read_bytes()
    assert index_rows(directory) == index_rows(cold)
