"""Drift between the docs and the manifests: dependencies one side states and the other does not.

A dependency is compared per pair of components, whatever its kind: a README that says Gitea stores its data
in CNPG agrees with a Chart.yaml that lists cnpg. Two directions:

- a dependency a manifest declares that no document states (the docs are behind the configuration);
- a runtime dependency the docs state for a component that a manifest describes, which no manifest declares
  (the manifest is behind the docs, or the docs are wrong). Hosting, backups and vendors are left out: a
  chart does not say which cluster it runs on.

The named query `queries/drift.rq` lists the same pairs from the RDF graph.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..relations import DEPENDENCY_PREDICATES
from . import Finding, Place, PythonRule, Rule

if TYPE_CHECKING:
    from ..api import KnowledgeGraph

DRIFT = Rule(
    "docs-manifest-drift", "warning", "model", "A dependency the docs and the manifests disagree on",
    "A manifest beside the docs (Chart.yaml, a Flux Kustomization or HelmRelease, a Backstage catalog-info.yaml, "
    "a depends list) declares a dependency that no document states, or the docs state a runtime dependency of a "
    "component that its manifest does not declare. One of the two is out of date.")

# what the docs may state that a manifest should declare too: runtime needs, not hosting, backups or vendors
COMPARED = ("dependsOn", "storesDataIn", "consumesFrom", "publishesTo")
MANIFEST = "manifest"


def _manifests_of(kg: KnowledgeGraph) -> dict[str, list[tuple[str, int]]]:
    """Entity key -> (manifest path, line) of each manifest that describes it."""
    manifests = {d["path"] for d in kg.model["documents"] if d.get("kind") == MANIFEST}
    out: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for rel in kg.model["relations"]:
        if rel["predicate"] == "describes" and rel["subject"].removeprefix("document/") in manifests:
            ev = rel["evidence"][0] if rel["evidence"] else {"line": 1}
            out[rel["object"]].append((rel["subject"].removeprefix("document/"), int(ev["line"])))
    return out


def _own_documents(kg: KnowledgeGraph, key: str) -> set[str]:
    """The documents about a component: the README of its folder and those its title names."""
    own = {r["object"] for r in kg.out_edges.get(key, []) if r["predicate"] == "documentedIn"}
    folder = kg.entities[key]["props"].get("folder")
    if folder:
        own.update(f"document/{d['path']}" for d in kg.model["documents"]
                   if posixpath.dirname(d["path"]) == folder and d.get("kind") != MANIFEST)
    return own


def _names(kg: KnowledgeGraph, document_keys: set[str], target: str) -> list[str]:
    """Which of the documents mention `target` in their text."""
    return sorted(k.removeprefix("document/") for k in document_keys
                  if any(r["object"] == target and r["predicate"] == "mentions" for r in kg.out_edges.get(k, [])))


def drift(kg: KnowledgeGraph) -> Iterator[Finding]:
    """Dependencies declared only in manifests, and runtime dependencies stated only in docs of a described component."""
    components = {k for k, e in kg.entities.items() if e["type"] == "Component"}
    manifests_of = _manifests_of(kg)
    declared: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    stated: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    compared: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for rel in kg.model["relations"]:
        pair = (rel["subject"], rel["object"])
        if rel["predicate"] not in DEPENDENCY_PREDICATES or not set(pair) <= components:
            continue
        for ev in rel["evidence"]:
            if ev.get("method") == MANIFEST:
                declared[pair].append(ev)
            else:
                stated[pair].append(ev)
                if rel["predicate"] in COMPARED:
                    compared[pair].append(ev)
    label = {k: kg.entities[k]["label"] for k in components}
    for (s, o), evidence in sorted(declared.items()):
        if stated.get((s, o)):
            continue
        naming = _names(kg, _own_documents(kg, s), o)
        said = f"; {naming[0]} names {label[o]} but states no dependency on it" if naming else \
            "; no document states it"
        for ev in sorted(evidence, key=lambda e: (e["document"], e["line"])):
            yield Finding(DRIFT.id, DRIFT.severity, ev["document"], int(ev["line"]),
                          f"{ev['document']} declares that {label[s]} depends on {label[o]}{said}",
                          f"state the dependency in {label[s]}'s docs, or remove it from the manifest if it is gone")
    for (s, o), evidence in sorted(compared.items()):
        if s not in manifests_of or declared.get((s, o)):
            continue
        where = manifests_of[s]
        related = tuple(Place(path, line, f"{label[s]}'s manifest") for path, line in sorted(where))
        names = ", ".join(sorted({path for path, _ in where}))
        for ev in sorted(evidence, key=lambda e: (e["document"], e["line"])):
            yield Finding(DRIFT.id, DRIFT.severity, ev["document"], int(ev["line"]),
                          f"the docs say {label[s]} depends on {label[o]}, but its manifest ({names}) does not declare it",
                          f"declare {label[o]} in {names}, or correct the docs", related)


RULES = [PythonRule(DRIFT, drift)]

__all__ = ["DRIFT", "RULES", "drift"]
