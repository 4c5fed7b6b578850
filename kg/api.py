"""The Python API that the CLI and notebooks share: build, open, impact, deps, show, stats, query."""

from __future__ import annotations

import difflib
import os
import time
import warnings
from collections import deque
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import store
from .errors import EntityNotFound, GraphCorrupt, UsageError
from .graph import DEPENDENCY_PREDICATES, expand_relations
from .names import name_key, normalise_adr_query

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd
    from rdflib import Graph

TYPE_ORDER = {"Component": 0, "Vendor": 1, "ADR": 2, "Team": 3, "Repository": 4, "Document": 5}


def build_graph(paths: list[str] | None = None, graph_dir: str | os.PathLike[str] | None = None,
                alias_files: list[Path] | None = None, progress: Any = None, use_cache: bool = True) -> dict[str, Any]:
    """Build a workspace (the embedded sample when no path) into the graph directory; returns its stats.

    Parsed documents are cached in the graph directory by content, so a rebuild re-parses only the
    files that changed (`use_cache=False` parses everything).
    """
    from .build import build
    from .graph import to_rdf
    from .resources import sample_workspace

    started = time.perf_counter()
    sources = [str(p) for p in paths] if paths else [str(sample_workspace())]
    directory = store.graph_dir(graph_dir)
    cache = store.ParseCache(directory / "cache") if use_cache else None
    result = build(sources, alias_files=alias_files, progress=progress, cache=cache)
    model = store.model_of(result)
    graph = to_rdf(model)
    # split on \n only: splitlines() would also cut at U+2028 and the like, which N-Triples leaves unescaped
    lines = sorted(line for line in graph.serialize(format="nt").split("\n") if line.strip())
    elapsed = time.perf_counter() - started
    kg = KnowledgeGraph(model)
    meta = {"sources": sources, "sample": not paths, "seconds": round(elapsed, 3), "triples": len(lines),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "stats": kg.stats(),
            "parsed": cache.misses if cache else len(result.documents), "reused": cache.hits if cache else 0,
            "warnings": list(result.warnings)}
    from .check import document_findings

    findings = document_findings(result.documents, kg)  # they need the parsed documents: found now, kept
    store.save(model, "\n".join(lines) + "\n", meta, directory, extra={"findings.json": findings})
    if cache:
        cache.prune()  # only once the new graph is live: a failed build keeps the old entries
    return meta


def open(graph_dir: str | os.PathLike[str] | None = None, build_if_missing: bool = True) -> KnowledgeGraph:  # noqa: A001
    """Open the built graph (building the embedded sample first when there is none and that is allowed).

    CURRENT is read once: every answer of the opened graph comes from that one build, and `stale` says
    when a newer build has replaced it. A damaged graph directory is GraphCorrupt, never rebuilt silently.
    """
    directory = store.graph_dir(graph_dir)
    if not store.exists(directory) and build_if_missing:
        build_graph(None, directory)
    build = store.current_build(directory)
    meta = store.read_meta(build)
    return KnowledgeGraph(store.read_model(build, meta), directory, build=build, meta=meta)


class StaleGraphWarning(UserWarning):
    """The graph a KnowledgeGraph answers from has been replaced by a newer build."""


@dataclass
class Hop:
    source: dict[str, str]
    relation: str
    target: dict[str, str]
    evidence: list[dict[str, Any]]


@dataclass
class ImpactRow:
    id: str
    label: str
    type: str
    depth: int
    path: list[str]
    evidence: list[dict[str, Any]]
    hops: list[Hop] = field(default_factory=list)
    status: str = ""


@dataclass
class ImpactResult:
    """What depends on a target (dependents) or what it depends on (dependencies), transitively."""

    target: dict[str, str]
    direction: str
    results: list[ImpactRow]

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape of `kg impact --format json`."""
        return {"target": self.target, "direction": self.direction, "results": [
            {"id": r.id, "label": r.label, "type": r.type, "depth": r.depth, "path": r.path, "status": r.status,
             "evidence": r.evidence,
             "hops": [{"from": h.source["label"], "relation": h.relation, "to": h.target["label"],
                       "evidence": h.evidence} for h in r.hops]} for r in self.results]}

    def to_frame(self) -> pd.DataFrame:
        """One row per result, with the first piece of evidence of its first hop."""
        import pandas as pd

        rows = []
        for r in self.results:
            first = r.evidence[0] if r.evidence else {}
            rows.append({"label": r.label, "type": r.type, "depth": r.depth, "status": r.status,
                         "relation": r.hops[0].relation if r.hops else "", "path": " → ".join(r.path),
                         "document": first.get("document", ""), "line": first.get("line", None),
                         "evidence": first.get("text", ""), "id": r.id})
        return pd.DataFrame(rows, columns=["label", "type", "depth", "status", "relation", "path", "document",
                                           "line", "evidence", "id"])

    def _repr_html_(self) -> str:
        from .display import impact_html

        return impact_html(self)


class KnowledgeGraph:
    """A built graph, opened for questions."""

    def __init__(self, model: dict[str, Any], directory: Path | None = None, *, build: Path | None = None,
                 meta: dict[str, Any] | None = None):
        self.model = model
        self.directory = directory
        self.build = build  # the one build folder every answer comes from (None: a model in memory)
        self.meta = meta or {}
        self._warned_stale = False
        try:
            self.entities: dict[str, dict[str, Any]] = {e["key"]: e for e in model["entities"]}
            self._names: dict[str, list[str]] = {}
            for key, ent in self.entities.items():
                for alias in {ent["label"], *ent["aliases"]}:
                    self._names.setdefault(name_key(alias), []).append(key)
                if ent["type"] == "Document":
                    self._names.setdefault(name_key(ent["props"]["path"]), []).append(key)
            self.out_edges: dict[str, list[dict[str, Any]]] = {}
            self.in_edges: dict[str, list[dict[str, Any]]] = {}
            for rel in model["relations"]:
                self.out_edges.setdefault(rel["subject"], []).append(rel)
                self.in_edges.setdefault(rel["object"], []).append(rel)
        except (KeyError, TypeError, AttributeError) as exc:
            if build is None:
                raise
            raise GraphCorrupt(f"{build / 'model.json'} is damaged ({type(exc).__name__}: {exc}); "
                               "run `kg build` again to rebuild the graph") from None

    def stored_findings(self) -> list[dict[str, Any]]:
        """What the document-level checks found when this graph was built ([] for a graph built without them)."""
        if self.build is None:
            return []
        if "_findings" not in self.__dict__:
            self.__dict__["_findings"] = store.read_findings(self.build, self.meta) or []
        return list(self.__dict__["_findings"])

    def check(self, rules: list[str] | None = None, shapes: list[Path] | None = None) -> list[Any]:
        """The findings of `kg check` on this graph (or of the named rules), most severe first."""
        from .check import run_checks

        return run_checks(self, rules, shapes or [])

    @property
    def stale(self) -> bool:
        """True when a newer build has replaced the one this graph was opened from (open it again)."""
        return self.build is not None and not store.is_current(self.build)

    def _note_stale(self) -> None:
        if not self._warned_stale and self.stale:
            self._warned_stale = True
            warnings.warn(StaleGraphWarning(f"{self.directory} has been rebuilt since this graph was opened; "
                                            "answers come from the older build (kg.open() again)"), stacklevel=3)

    # ------------------------------------------------------------ views
    @cached_property
    def nx(self) -> nx.MultiDiGraph:
        """The networkx projection (built on first use)."""
        from .graph import to_networkx

        return to_networkx(self.model)

    @cached_property
    def graph(self) -> Graph:
        """The rdflib graph (parsed from the stored N-Triples on first use)."""
        from rdflib import Graph

        g = Graph()
        if self.build is not None:
            data = store.read_ntriples(self.build, self.meta)
            try:
                g.parse(data=data.decode("utf-8"), format="nt")
            except Exception as exc:  # rdflib's parse errors have no common base class
                raise GraphCorrupt(f"{self.build / 'graph.nt'} is damaged ({type(exc).__name__}); "
                                   "run `kg build` again to rebuild the graph") from None
        elif self.directory is not None:
            g.parse(store.ntriples_path(self.directory), format="nt")
        else:
            from .graph import to_rdf

            g = to_rdf(self.model)
        from .graph import ID, kg_namespace

        g.bind("kg", kg_namespace())
        g.bind("kgid", ID)
        return g

    # ------------------------------------------------------------ lookups
    def ref(self, key: str) -> dict[str, str]:
        ent = self.entities[key]
        return {"id": key, "label": ent["label"], "type": ent["type"]}

    def lookup(self, name: str, types: tuple[str, ...] | None = None) -> dict[str, Any] | None:
        """The entity `name` means, as `find` resolves it, or None (without looking for close names)."""
        try:
            return self.find(name, types, suggest=False)
        except UsageError:
            return None

    def find(self, name: str, types: tuple[str, ...] | None = None, suggest: bool = True) -> dict[str, Any]:
        """The entity a user means by `name` (label, alias, ADR-7/ADR-0007, document path), or EntityNotFound."""
        if not name or not name.strip():
            raise UsageError("an entity name is required")
        if name in self.entities:
            return self.entities[name]
        adr = normalise_adr_query(name)
        if adr and f"adr/{adr}" in self.entities:
            return self.entities[f"adr/{adr}"]
        keys = [k for k in self._names.get(name_key(name), []) if not types or self.entities[k]["type"] in types]
        if keys:
            keys.sort(key=lambda k: (TYPE_ORDER.get(self.entities[k]["type"], 9), k))
            return self.entities[keys[0]]
        raise EntityNotFound(name, self.suggest(name, types) if suggest else [])

    def suggest(self, name: str, types: tuple[str, ...] | None = None, n: int = 5) -> list[str]:
        """Closest known names to a name that matched nothing."""
        labels: dict[str, str] = {}
        for ent in self.entities.values():
            if ent["type"] == "Document" or (types and ent["type"] not in types):
                continue
            for alias in {ent["label"], *ent["aliases"]}:
                labels.setdefault(alias.lower(), ent["label"])
        close = difflib.get_close_matches(name.lower(), list(labels), n=n * 2, cutoff=0.6)
        contains = [a for a in labels if len(name) >= 3 and name.lower() in a]
        out: list[str] = []
        for a in close + contains:
            if labels[a] not in out:
                out.append(labels[a])
        return out[:n]

    # ------------------------------------------------------------ impact
    def _relations(self, relations: list[str] | tuple[str, ...] | None) -> set[str]:
        return set(expand_relations(relations)) if relations else set(DEPENDENCY_PREDICATES)

    def impact(self, name: str, depth: int | None = None, relations: list[str] | None = None) -> ImpactResult:
        """What depends on `name`, transitively: each result with its depth, a path to the target and evidence."""
        self._note_stale()
        return self._walk(name, depth, relations, "dependents")

    def deps(self, name: str, depth: int | None = None, relations: list[str] | None = None) -> ImpactResult:
        """What `name` depends on, transitively."""
        self._note_stale()
        return self._walk(name, depth, relations, "dependencies")

    def reach(self, starts: list[str], kinds: set[str], direction: str, depth: int | None = None,
              types: set[str] | None = None) -> tuple[dict[str, int], dict[str, tuple[str, list[dict[str, Any]]]]]:
        """Breadth-first walk from entity keys along relations of `kinds`, against them ("dependents") or with
        them ("dependencies"), at most `depth` hops, through entities of `types` only.

        Returns each reached key's depth, and for each one but the starts the key it was reached from with
        the relations of that hop. Breadth-first, so each is reached by a shortest path; ties broken by
        sorted keys.
        """
        parent: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        level = {start: 0 for start in starts}
        queue = deque(starts)
        while queue:
            node = queue.popleft()
            if depth is not None and level[node] >= depth:
                continue
            edges = self.in_edges.get(node, []) if direction == "dependents" else self.out_edges.get(node, [])
            for rel in sorted(edges, key=lambda r: (r["subject"], r["predicate"], r["object"])):
                if rel["predicate"] not in kinds:
                    continue
                nxt = rel["subject"] if direction == "dependents" else rel["object"]
                if types is not None and self.entities[nxt]["type"] not in types:
                    continue
                if nxt in level:
                    if nxt in parent and parent[nxt][0] == node:
                        parent[nxt][1].append(rel)  # another kind of dependency on the same hop
                    continue
                level[nxt] = level[node] + 1
                parent[nxt] = (node, [rel])
                queue.append(nxt)
        return level, parent

    def _walk(self, name: str, depth: int | None, relations: list[str] | None, direction: str) -> ImpactResult:
        if depth is not None and depth < 1:
            raise UsageError("--depth must be 1 or more")
        start = self.find(name)["key"]
        level, parent = self.reach([start], self._relations(relations), direction, depth)
        rows = []
        for key in sorted(parent, key=lambda k: (level[k], self.entities[k]["label"].lower())):
            hops: list[Hop] = []
            path = [self.entities[key]["label"]]
            node = key
            while node != start:
                prev, rels = parent[node]
                # the hop is named by its best-attested relation; its evidence is that of every relation on it
                rels = sorted(rels, key=lambda r: (-len(r["evidence"]), r["predicate"]))
                evidence = [dict(ev, relation=r["predicate"]) for r in rels for ev in r["evidence"]]
                main = rels[0]
                hops.append(Hop(self.ref(main["subject"]), main["predicate"], self.ref(main["object"]), evidence))
                path.append(self.entities[prev]["label"])
                node = prev
            evidence = [ev for h in hops for ev in h.evidence]
            ent = self.entities[key]
            rows.append(ImpactRow(key, ent["label"], ent["type"], level[key], path, evidence, hops,
                                  ent["props"].get("status", "")))
        return ImpactResult(self.ref(start), direction, rows)

    # ------------------------------------------------------------ SPARQL
    def query(self, q: str, *, timeout: float = 30.0, limit: int | None = None, memory_mb: int | None = 2048,
              **params: Any) -> pd.DataFrame:
        """Run a named query, an .rq file or inline SPARQL read-only, limited in time and memory; parameters
        bound as values."""
        from .query import query_frame

        self._note_stale()
        return query_frame(self, q, params, timeout=timeout, limit=limit, memory_mb=memory_mb)

    # ------------------------------------------------------------ show / stats
    def show(self, name: str) -> EntityCard:
        """The entity card: type, label, aliases, status, properties, relations in and out with evidence, documents."""
        self._note_stale()
        ent = self.find(name)
        key = ent["key"]
        relations = []
        for rel in self.out_edges.get(key, []):
            relations.append({"relation": rel["predicate"], "direction": "out", "other": self.ref(rel["object"]),
                              "evidence": rel["evidence"]})
        for rel in self.in_edges.get(key, []):
            relations.append({"relation": rel["predicate"], "direction": "in", "other": self.ref(rel["subject"]),
                              "evidence": rel["evidence"]})
        relations.sort(key=lambda r: (r["relation"] == "mentions", r["direction"], r["relation"], r["other"]["label"].lower()))
        documents = set(ent["props"].get("documents", []))
        for r in relations:
            if r["other"]["type"] == "Document" and r["relation"] in ("documentedIn", "mentions"):
                documents.add(self.entities[r["other"]["id"]]["props"]["path"])
        props = {k: v for k, v in ent["props"].items() if k not in ("status", "documents")}
        return EntityCard({"id": key, "label": ent["label"], "type": ent["type"], "aliases": ent["aliases"],
                           # a vendor's standing is its status
                           "status": ent["props"].get("status") or ent["props"].get("standing", ""),
                           "properties": props, "relations": relations,
                           "documents": sorted(documents), "evidence": ent["evidence"]})

    def stats(self) -> dict[str, Any]:
        """Counts per entity type and relation type, documents, unresolved references, warnings."""
        types: dict[str, int] = {}
        for ent in self.entities.values():
            types[ent["type"]] = types.get(ent["type"], 0) + 1
        rels: dict[str, int] = {}
        for rel in self.model["relations"]:
            rels[rel["predicate"]] = rels.get(rel["predicate"], 0) + 1
        adrs = [e for e in self.entities.values() if e["type"] == "ADR"]
        return {"documents": len(self.model["documents"]), "repositories": len(self.model["repositories"]),
                "entities": dict(sorted(types.items())), "relations": dict(sorted(rels.items())),
                "relations_total": len(self.model["relations"]),
                "unresolved_references": len(self.model["unresolved"]),
                "unresolved_adrs": sum(1 for a in adrs if a["props"].get("unresolved")),
                "warnings": len(self.model["warnings"])}

    def frame(self, etype: str | None = None) -> pd.DataFrame:
        """Entities as a DataFrame (optionally of one type), with their main properties."""
        import pandas as pd

        rows = []
        for ent in self.entities.values():
            if etype and ent["type"] != etype:
                continue
            p = ent["props"]
            rows.append({"label": ent["label"], "type": ent["type"], "status": p.get("status", p.get("standing", "")),
                         "category": p.get("category", ""), "aliases": ", ".join(ent["aliases"]), "id": ent["key"]})
        return pd.DataFrame(rows, columns=["label", "type", "status", "category", "aliases", "id"]).sort_values(
            ["type", "label"], key=lambda s: s.str.lower()).reset_index(drop=True)


class EntityCard(dict):
    """An entity card: a dict (the JSON of `kg show`) that renders itself in Jupyter."""

    def _repr_html_(self) -> str:
        from .display import card_html

        return card_html(self)
