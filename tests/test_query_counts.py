"""Every named query agrees with `kg stats` and the Python API, on every corpus in ../shared/corpus, the embedded
sample and the drift estate: the same rows, counted the same way, from the same graph."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED

from kg import api
from kg.query import named_queries

NOT_IN_USE = ("not used", "removed", "replaced")
EVERY_DEPENDENCY = ["dependsOn"]  # what the named queries follow: kg:dependsOn, every kind of it
CORPORA = sorted(p.name for p in (SHARED / "corpus").iterdir() if p.is_dir()) if (SHARED / "corpus").is_dir() else []
ESTATES = ["sample", "drift", "manifests", *CORPORA]


@pytest.fixture(scope="module", params=ESTATES)
def estate(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> api.KnowledgeGraph:
    name = request.param
    directory = tmp_path_factory.mktemp(name) / ".kg"
    if name == "sample":
        api.build_graph(None, directory)
    elif name == "drift":
        api.build_graph([str(Path(__file__).parent / "fixtures" / "drift")], directory)
    elif name == "manifests":  # component READMEs beside Helm, Flux and depends-list manifests
        api.build_graph([str(Path(__file__).parent / "fixtures" / "manifests" / "monorepo")], directory)
    else:
        api.build_graph([str(SHARED / "corpus" / name)], directory)
    return api.open(directory, build_if_missing=False)


def rows(kg: api.KnowledgeGraph, name: str, **params: Any) -> list[dict[str, Any]]:
    return kg.query(name, timeout=120, **params).to_dict("records")


def of_type(kg: api.KnowledgeGraph, etype: str) -> list[dict[str, Any]]:
    return [e for e in kg.entities.values() if e["type"] == etype]


def in_rel(kg: api.KnowledgeGraph, key: str, predicate: str) -> list[str]:
    return [r["subject"] for r in kg.in_edges.get(key, []) if r["predicate"] == predicate]


def most_depended_on(kg: api.KnowledgeGraph, n: int = 4) -> list[str]:
    counts = Counter(r["object"] for r in kg.model["relations"] if r["predicate"] == "dependsOn")
    return [k for k, _ in counts.most_common(n) if kg.entities[k]["type"] == "Component"]


def test_every_named_query_is_counted_here() -> None:
    assert set(named_queries()) == set(CHECKED), "a new named query needs its count checked against the API"


def check_unresolved(kg: api.KnowledgeGraph) -> None:
    found = rows(kg, "unresolved")
    stats = kg.stats()
    assert sum(1 for r in found if r["kind"] == "link") == stats["unresolved_references"]
    expected = set()
    for adr in of_type(kg, "ADR"):
        if not adr["props"].get("unresolved"):
            continue
        for rel in kg.in_edges.get(adr["key"], []) + kg.out_edges.get(adr["key"], []):
            expected.update((adr["label"], ev["document"]) for ev in rel["evidence"])
    assert {(r["target"], r["path"]) for r in found if r["kind"] == "adr"} == expected
    assert sum(1 for r in found if r["kind"] == "adr") == len(expected), "one row per ADR and citing document"
    assert {r["target"] for r in found if r["kind"] == "adr"} <= {a["label"] for a in of_type(kg, "ADR")
                                                                  if a["props"].get("unresolved")}
    assert all(r["line"] is not None and r["line"] >= 1 for r in found)


def check_components_without_adr(kg: api.KnowledgeGraph) -> None:
    expected = {e["label"] for e in of_type(kg, "Component")
                if not in_rel(kg, e["key"], "decides") and e["props"].get("status") not in (*NOT_IN_USE, "mentioned")}
    found = [r["component"] for r in rows(kg, "components-without-adr")]
    assert len(found) == len(set(found)) and set(found) == expected


def check_vendors(kg: api.KnowledgeGraph) -> None:
    assert {r["vendor"] for r in rows(kg, "vendors")} == {v["label"] for v in of_type(kg, "Vendor")}


def check_superseded(kg: api.KnowledgeGraph) -> None:
    expected = {a["label"] for a in of_type(kg, "ADR")
                if in_rel(kg, a["key"], "supersedes") or str(a["props"].get("status", "")).lower().startswith("supersed")}
    found = rows(kg, "superseded")
    assert {r["adr"] for r in found} == expected
    assert len(found) == sum(max(1, len(in_rel(kg, kg.find(a)["key"], "supersedes"))) for a in expected)


def check_adr_timeline(kg: api.KnowledgeGraph) -> None:
    found = rows(kg, "adr-timeline")
    adrs = of_type(kg, "ADR")
    assert {r["adr"] for r in found} == {a["label"] for a in adrs}
    assert len(found) == sum(max(1, len(in_rel(kg, a["key"], "supersedes"))) for a in adrs)


def check_not_in_use(kg: api.KnowledgeGraph) -> None:
    expected = set()
    for e in kg.entities.values():
        if e["type"] == "ADR" or e["props"].get("status") in ("in use", "proposed"):
            continue
        if (e["props"].get("status") in NOT_IN_USE or in_rel(kg, e["key"], "rejects")
                or any(r["predicate"] == "replacedBy" for r in kg.out_edges.get(e["key"], []))):
            expected.add(e["label"])
    assert {r["technology"] for r in rows(kg, "not-in-use")} == expected


def check_owners(kg: api.KnowledgeGraph) -> None:
    expected = {(kg.entities[r["object"]]["label"], kg.entities[r["subject"]]["label"])
                for r in kg.model["relations"] if r["predicate"] == "ownedBy" and kg.entities[r["object"]]["type"] == "Team"
                and kg.entities[r["subject"]]["type"] in ("Repository", "Component")}
    found = {(r["team"], r["repository"] if isinstance(r["repository"], str) and r["repository"] else r["component"])
             for r in rows(kg, "owners")}
    assert found == expected


def check_evidence(kg: api.KnowledgeGraph) -> None:
    expected = sum(len({(e["document"], e["line"], e["method"], e["text"]) for e in r["evidence"]})
                   for r in kg.model["relations"])
    assert len(rows(kg, "evidence")) == expected


def check_walks(kg: api.KnowledgeGraph) -> None:
    leaves = [e["key"] for e in of_type(kg, "Component") if not in_rel(kg, e["key"], "dependsOn")][:1]
    for key in most_depended_on(kg) + leaves:  # a leaf: grouped subqueries over nothing must give nothing
        name = kg.entities[key]["label"]
        impact = {r.label: r.depth for r in kg.impact(key, relations=EVERY_DEPENDENCY).results}
        found = rows(kg, "dependents", component=key)
        assert {r["dependent"]: r["depth"] for r in found} == impact, name
        assert len(found) == len(impact), name
        near = rows(kg, "dependents", component=key, max_depth=1)
        assert {r["dependent"] for r in near} == {r.label for r in kg.impact(key, depth=1,
                                                                           relations=EVERY_DEPENDENCY).results}, name
        deps = {r.label: r.depth for r in kg.deps(key, relations=EVERY_DEPENDENCY).results}
        assert {r["dependency"]: r["depth"] for r in rows(kg, "dependencies", component=key)} == deps, name
        with_adrs = rows(kg, "impact-with-adrs", component=key)
        assert {r["dependent"] for r in with_adrs} == set(impact), name
        for dependent in {r["dependent"] for r in with_adrs}:
            deciders = {kg.entities[a]["label"] for a in in_rel(kg, kg.find(dependent)["key"], "decides")}
            listed = {r["adr"] for r in with_adrs if r["dependent"] == dependent and isinstance(r["adr"], str)}
            assert listed == deciders, (name, dependent)


def check_adrs_for(kg: api.KnowledgeGraph) -> None:
    for key in most_depended_on(kg) + [r["object"] for r in kg.model["relations"] if r["predicate"] == "decides"][:4]:
        direct = {(kg.entities[r["subject"]]["label"], r["predicate"]) for r in kg.in_edges.get(key, [])
                  if r["predicate"] in ("decides", "rejects")}
        found = {(r["adr"], r["relation"]) for r in rows(kg, "adrs-for", component=key)}
        assert {f for f in found if f[1] in ("decides", "rejects")} == direct, kg.entities[key]["label"]


def check_layer_vendors(kg: api.KnowledgeGraph) -> None:
    vendors = {v["label"] for v in of_type(kg, "Vendor")}
    layers = sorted({str(e["props"]["layer"]) for e in kg.entities.values() if e["props"].get("layer")})
    for layer in layers[:3]:
        found = rows(kg, "layer-vendors", layer=layer)
        assert {r["vendor"] for r in found} <= vendors and len(found) == len({tuple(r.values()) for r in found})


def check_drift(kg: api.KnowledgeGraph) -> None:
    found = sorted((r["path"], int(r["line"])) for r in rows(kg, "drift"))
    findings = sorted((f.document, f.line) for f in kg.check(["docs-manifest-drift"]))
    assert found == findings
    has_manifests = any(d["kind"] == "manifest" for d in kg.model["documents"])
    assert bool(found) == has_manifests, "drift needs manifests, and the test monorepo has some"


CHECKED = {"unresolved": check_unresolved, "components-without-adr": check_components_without_adr,
           "vendors": check_vendors, "superseded": check_superseded, "adr-timeline": check_adr_timeline,
           "not-in-use": check_not_in_use, "owners": check_owners, "evidence": check_evidence,
           "dependents": check_walks, "dependencies": check_walks, "impact-with-adrs": check_walks,
           "adrs-for": check_adrs_for, "layer-vendors": check_layer_vendors, "drift": check_drift}


@pytest.mark.parametrize("check", sorted(set(CHECKED.values()), key=lambda f: f.__name__), ids=lambda f: f.__name__)
def test_named_query_agrees_with_the_api(estate: api.KnowledgeGraph, check: Any) -> None:
    check(estate)
