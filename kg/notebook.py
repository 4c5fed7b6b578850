"""Helpers for the notebooks: build (or open) a workspace's graph in one call, pick a focus entity that exists,
blast radius per component, vendor reliance and concentration."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import api, store
from .errors import EntityNotFound
from .graph import DEPENDENCY_PREDICATES

if TYPE_CHECKING:
    import pandas as pd


def workspace_graph(workspace: str | os.PathLike[str] | list[str | os.PathLike[str]] | None = None,
                    graph_dir: str | os.PathLike[str] | None = None, quiet: bool = False) -> api.KnowledgeGraph:
    """Build `workspace` (None: the embedded sample; a path or a list of paths) and open it.

    With no `graph_dir` the graph goes to a fresh temporary folder. With a `graph_dir` that already holds a
    graph and no `workspace`, that graph is opened as it is (no rebuild), so a notebook can point at a graph
    that `kg build` made.
    """
    if graph_dir is not None and workspace is None and store.exists(Path(graph_dir).expanduser()):
        kg = api.open(Path(graph_dir).expanduser(), build_if_missing=False)
        if not quiet:
            print(f"Opened the graph in {kg.directory}: {_summary(kg)}")
        return kg
    directory = (Path(graph_dir).expanduser() if graph_dir is not None
                 else Path(tempfile.mkdtemp(prefix="kg-notebook-")) / ".kg")
    if workspace is None:
        paths = None
    elif isinstance(workspace, (list, tuple)):
        paths = [str(Path(p).expanduser()) for p in workspace]
    else:
        paths = [str(Path(workspace).expanduser())]
    meta = api.build_graph(paths, directory)
    kg = api.open(directory, build_if_missing=False)
    if not quiet:
        source = "the embedded sample" if meta["sample"] else ", ".join(meta["sources"])
        print(f"Built {source} into {directory} in {meta['seconds']:.2f} s: {_summary(kg)}")
    return kg


def _summary(kg: api.KnowledgeGraph) -> str:
    stats = kg.stats()
    counts = ", ".join(f"{n} {t}" for t, n in stats["entities"].items() if t not in ("Document", "Repository"))
    return f"{stats['documents']} documents, {counts}, {stats['relations_total']} relations"


def choose(kg: api.KnowledgeGraph, name: str | None, etype: str = "Component") -> str | None:
    """The label of the entity `name` names. When it names nothing (another workspace's docs) or is None: the
    `etype` entity with the most dependents (the most connected when none has any), said in one printed line,
    so a notebook runs on any docs; None when the graph has no entity of that type."""
    if name:
        try:
            return kg.find(name)["label"]
        except EntityNotFound:
            pass
    if etype == "Vendor":
        ranked = vendor_concentration(kg)
        ranked = ranked[ranked["relied_on_by"] > 0]["vendor"].tolist()
    else:
        ranked = blast_radius(kg, etype)["label"].tolist()
    why = f"the {etype} with the most dependents"
    if not ranked:
        candidates = [e for e in kg.entities.values() if e["type"] == etype]
        degree = {e["key"]: len(kg.in_edges.get(e["key"], [])) + len(kg.out_edges.get(e["key"], [])) for e in candidates}
        ranked = [e["label"] for e in sorted(candidates, key=lambda e: (-degree[e["key"]], e["label"].lower()))]
        why = f"the most connected {etype}"
    if not ranked:
        print(f"no {etype} in this graph")
        return None
    print(f"{name} is not in this graph; using {ranked[0]} ({why}) instead" if name else f"using {ranked[0]} ({why})")
    return ranked[0]


def blast_radius(kg: api.KnowledgeGraph, etype: str = "Component") -> pd.DataFrame:
    """Every entity of a type with how much depends on it: direct and transitive dependents and the longest
    chain; largest first."""
    import pandas as pd

    rows = []
    for ent in kg.entities.values():
        if ent["type"] != etype:
            continue
        results = kg.impact(ent["key"]).results
        if not results:
            continue
        rows.append({"label": ent["label"], "status": ent["props"].get("status", ""),
                     "category": ent["props"].get("category", ""), "dependents": len(results),
                     "direct": sum(1 for r in results if r.depth == 1), "deepest": max(r.depth for r in results),
                     "id": ent["key"]})
    frame = pd.DataFrame(rows, columns=["label", "status", "category", "dependents", "direct", "deepest", "id"])
    return frame.sort_values(["dependents", "direct", "label"], ascending=[False, False, True],
                             key=lambda s: s.str.lower() if pd.api.types.is_string_dtype(s) else s).reset_index(drop=True)


# ---------------------------------------------------------------- vendors

# A product relies on its vendor when it is providedBy the vendor, runs on it or depends on it in any way,
# or when the vendor provisions it; what depends on such a product relies on the vendor through it.
_PRODUCT_IN = DEPENDENCY_PREDICATES  # product --rel--> vendor (providedBy is one of them)
_PRODUCT_OUT = ("provisions",)  # vendor --rel--> product
STANDING_ORDER = {"selected": 0, "fallback": 1, "evaluated": 2, "removed": 3}


def vendor_reliance(kg: api.KnowledgeGraph) -> pd.DataFrame:
    """What relies on each vendor: its products, then (transitively) what depends on them, each with the path and
    the evidence of its first hop."""
    import pandas as pd

    rows: list[dict[str, Any]] = []
    for vendor in _vendors(kg):
        seen: set[str] = set()
        for rel, product in _products(kg, vendor["key"]):
            if product in seen:
                continue
            seen.add(product)
            ev = rel["evidence"][0] if rel["evidence"] else {}
            rows.append(_row(kg, vendor, product, 1, [kg.entities[product]["label"], vendor["label"]],
                             rel["predicate"], ev))
            for r in kg.impact(product).results:
                if r.id in seen or r.id == vendor["key"]:
                    continue
                seen.add(r.id)
                first = r.evidence[0] if r.evidence else {}
                rows.append(_row(kg, vendor, r.id, r.depth + 1, [*r.path, vendor["label"]],
                                 r.hops[0].relation if r.hops else "", first))
    columns = ["vendor", "standing", "entity", "type", "depth", "relation", "path", "document", "line", "evidence"]
    return pd.DataFrame(rows, columns=columns)


def vendor_concentration(kg: api.KnowledgeGraph) -> pd.DataFrame:
    """One row per vendor: standing, the ADRs that decide on it, its products, how many entities rely on it and
    their share of all that relies on any vendor, and how many documents name it."""
    import pandas as pd

    reliance = vendor_reliance(kg)
    relying = reliance.groupby("vendor")["entity"].nunique() if len(reliance) else pd.Series(dtype=int)
    total = reliance["entity"].nunique() if len(reliance) else 0
    rows = []
    for vendor in _vendors(kg):
        label = vendor["label"]
        products = reliance[(reliance["vendor"] == label) & (reliance["depth"] == 1)]["entity"]
        count = int(relying.get(label, 0))
        incoming = kg.in_edges.get(vendor["key"], [])
        documents = {r["subject"] for r in incoming if r["predicate"] == "mentions"}
        adrs = sorted({kg.entities[r["subject"]]["label"] for r in incoming if r["predicate"] == "decides"})
        rows.append({"vendor": label, "standing": vendor["props"].get("standing", ""), "decided_by": ", ".join(adrs),
                     "products": ", ".join(products), "relied_on_by": count,
                     "share": round(count / total, 3) if total else 0.0, "documents": len(documents)})
    frame = pd.DataFrame(rows, columns=["vendor", "standing", "decided_by", "products", "relied_on_by", "share",
                                        "documents"])
    order = frame["standing"].map(lambda s: STANDING_ORDER.get(s, 9))
    return (frame.assign(_order=order).sort_values(["relied_on_by", "_order", "documents", "vendor"],
                                                   ascending=[False, True, False, True])
            .drop(columns="_order").reset_index(drop=True))


def _vendors(kg: api.KnowledgeGraph) -> list[dict[str, Any]]:
    vendors = [e for e in kg.entities.values() if e["type"] == "Vendor"]
    return sorted(vendors, key=lambda e: (STANDING_ORDER.get(e["props"].get("standing", ""), 9), e["label"].lower()))


def _products(kg: api.KnowledgeGraph, vendor: str) -> list[tuple[dict[str, Any], str]]:
    found = [(r, r["subject"]) for r in kg.in_edges.get(vendor, []) if r["predicate"] in _PRODUCT_IN]
    found += [(r, r["object"]) for r in kg.out_edges.get(vendor, []) if r["predicate"] in _PRODUCT_OUT]
    return sorted(found, key=lambda x: (kg.entities[x[1]]["label"].lower(), x[0]["predicate"]))


def _row(kg: api.KnowledgeGraph, vendor: dict[str, Any], key: str, depth: int, path: list[str], relation: str,
         ev: dict[str, Any]) -> dict[str, Any]:
    ent = kg.entities[key]
    return {"vendor": vendor["label"], "standing": vendor["props"].get("standing", ""), "entity": ent["label"],
            "type": ent["type"], "depth": depth, "relation": relation, "path": " → ".join(path),
            "document": ev.get("document", ""), "line": ev.get("line"), "evidence": ev.get("text", "")}
