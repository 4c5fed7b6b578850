"""The Python API that the CLI and notebooks share: build, open, impact, deps, show, stats, query."""

from __future__ import annotations

import difflib
import os
import time
import warnings
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import memory, store
from .errors import EntityNotFound, GraphChanged, GraphCorrupt, GraphNotFound, UsageError
from .index import FORMAT as INDEX_FORMAT
from .index import Index, LazyMap, Source, entity_names
from .memory import no_cycle_collection
from .names import name_key, normalise_adr_query
from .relations import (
    DEFAULT_DEPENDENCY_KINDS,
    DEFAULT_IMPACT_KINDS,
    IMPACT_KINDS,
    IMPACT_PREDICATES,
    REVERSED_PREDICATES,
    expand_relations,
    parse_kinds,
    relation_kind,
)

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd
    from rdflib import Graph

    from .graph_delta import GraphDelta, ModelChanges

TYPE_ORDER = {"Component": 0, "Vendor": 1, "ADR": 2, "Team": 3, "Repository": 4, "Document": 5}


def build_graph(paths: list[str] | None = None, graph_dir: str | os.PathLike[str] | None = None,
                alias_files: list[Path] | None = None, progress: Any = None, use_cache: bool = True,
                workspace: str | os.PathLike[str] | None = None, offline: bool = False) -> dict[str, Any]:
    """Build a workspace (the embedded sample when no path) into the graph directory; returns its stats.

    A workspace file (`workspace`, or a kg.toml given as the only path) names the sources, git ones at
    pinned revisions fetched into a cache (`offline`: the cache only). Parsed documents are cached in the
    graph directory by content, so a rebuild re-parses only the files that changed (`use_cache=False`
    parses everything).
    """
    with no_cycle_collection():
        return _build_graph(paths, graph_dir, alias_files, progress, use_cache, workspace, offline)


def _build_graph(paths: list[str] | None, graph_dir: str | os.PathLike[str] | None,
                 alias_files: list[Path] | None, progress: Any, use_cache: bool,
                 workspace: str | os.PathLike[str] | None, offline: bool) -> dict[str, Any]:
    from .build import build
    from .engines import StoreLoader
    from .graph import ntriple_set, ntriples_file, ontology_lines
    from .graph_delta import graph_fingerprint
    from .incremental import FileCache
    from .resources import sample_workspace
    from .workspace import find_workspace_file, prepare, record_origins

    started = time.perf_counter()
    file = workspace or (find_workspace_file(list(paths)) if paths else None)
    if progress and file:
        progress("fetch", 0, 0)
    prepared = prepare(paths, file, offline)
    sources = [str(prepared.spec.file)] if prepared else [str(p) for p in paths] if paths else \
        [str(sample_workspace())]
    directory = store.graph_dir(graph_dir)
    cache = FileCache(directory / "cache") if use_cache else None

    def stage(name: str) -> None:  # the stages after build() that it cannot report itself
        if progress:
            progress(name, 0, 0)

    stage("discover")
    # the store's loader process starts now and waits for the graph: its start-up overlaps the build.
    # Started before the build's workers fork, they inherit its pipe, but they have all ended when it is fed.
    previous = _live_build(directory) if use_cache else None
    loader = StoreLoader(directory, previous)
    try:
        result = build(prepared.roots if prepared else sources,
                       alias_files=[*(prepared.spec.aliases if prepared else []), *(alias_files or [])],
                       progress=progress, cache=cache, workspace=prepared.workspace if prepared else None)
    except BaseException:
        loader.discard()
        if cache:
            cache.close()
        raise
    try:
        if cache:
            cache.flush()
        if prepared:
            result.warnings[:0] = prepared.warnings
        remote = record_origins(result.entities, result.repos, prepared)
        stage("graph")
        model = store.model_of(result)
        kg = KnowledgeGraph(model)
        from .check import document_findings

        extension = _extension_lines(prepared) if prepared and prepared.spec.ontology else []
        graph_code = graph_fingerprint(extension)
        # a rebuild: what changed since the previous build, whose graph.nt and index are patched with it
        source = _patch_source(previous, graph_code, model)
        patching = source is not None
        # the model's JSON and the index are written by a forked process while this one makes the N-Triples
        # and the loader loads them; the document findings (they need the parsed documents) too, unless this
        # one only patches the previous graph.nt and has the time to find them itself
        findings = {"findings.json": lambda path: store.json_writer(document_findings(result.documents, kg))(path)}
        beside = store.WrittenBeside(directory, {
            "model.json": store.json_writer(model), store.INDEX_FILE: _index_writer(source, model),
            **({} if patching else findings)})
    except BaseException:
        loader.discard()
        raise
    try:
        patched = _patched_graph(source, model) if source is not None else None
        changed: dict[str, int] = {}
        if patched is not None:  # a rebuild: the previous graph.nt with the lines that went and came
            ntriples, delta, triples = patched
            changed = {"removed": len(delta.removed), "added": len(delta.added)}
            loader.load(ntriples, delta)
        else:
            lines = ntriple_set(model, ontology_lines(directory / "cache" if use_cache else None))
            lines.update(extension)
            triples = len(lines)
            # emptied as it is encoded: a tenth of the build's memory on a large workspace
            ntriples = ntriples_file(lines)
            loader.load(ntriples)
        elapsed = time.perf_counter() - started
        meta = {"sources": sources, "sample": not paths and not prepared, "seconds": round(elapsed, 3),
                "triples": triples, "graph_code": graph_code, **({"graph_delta": changed} if patched else {}),
                "origins": remote, **(prepared.meta() if prepared else {}),
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "stats": kg.stats(), "index_format": INDEX_FORMAT,
                "parsed": cache.stats.get("parsed", 0) if cache else len(result.documents),
                "reused": cache.stats.get("reused", 0) if cache else 0,
                "warnings": list(result.warnings)}
        stage("store")
        store.save({"graph.nt": ntriples}, meta, directory,
                   writers={**(findings if patching else {}), **beside.writers_for_save(),
                            store.STORE_FOLDER: loader.move_to})
    finally:
        beside.discard()
        loader.discard()  # nothing left to remove once the store is in the build
    if cache:
        cache.prune()  # only once the new graph is live: a failed build keeps the old entries
        cache.close()
    memory.outlive(result, model, kg)
    # meta.json holds the time until the writing began; the build's answer, the whole of it
    return {**meta, "seconds": round(time.perf_counter() - started, 3)}


def _live_build(directory: Path) -> Path | None:
    """The build a new one replaces (its store is where the new store starts from), or None."""
    try:
        return store.current_build(directory)
    except (GraphNotFound, GraphCorrupt, OSError):
        return None


@dataclass
class _PatchSource:
    """The previous build a rebuild patches its graph.nt and index from: its folder, its meta.json, and what changed
    in the model since."""

    build: Path
    meta: dict[str, Any]
    changes: ModelChanges


def _patch_source(previous: Path | None, graph_code: str, model: dict[str, Any]) -> _PatchSource | None:
    """The previous build to patch from, or None: no previous build, one made another way (other code, another
    ontology: its `graph_code`), one that cannot be read, or so much of the model changed (a fifth of its parts or
    more: another workspace built into the same directory, say) that writing the files whole is quicker."""
    from .graph_delta import model_changes

    if previous is None:
        return None
    try:
        meta = store.read_meta(previous)
        if meta.get("graph_code") != graph_code or not isinstance(meta.get("triples"), int) or \
                not store.has_file("graph.nt", meta):
            return None
        old = store.read_model(previous, meta)
    except (GraphNotFound, GraphCorrupt, GraphChanged, OSError):
        return None
    memory.outlive(old)
    changes = model_changes(old, model)
    if changes is None or (len(changes.entity_keys) + len(changes.relation_keys)) * 5 > \
            len(changes.new_entities) + len(changes.new_relations):
        return None
    return _PatchSource(previous, meta, changes)


def _index_writer(source: _PatchSource | None, model: dict[str, Any]) -> Any:
    """A writer of the model's question index: patched from the previous build's (kg.index.patch_index) when there
    is one to patch from, else written whole."""
    from .index import patch_index, write_index

    def write(path: Path) -> None:
        if source is not None and source.meta.get("index_format") == INDEX_FORMAT \
                and store.has_file(store.INDEX_FILE, source.meta):
            try:
                changes = source.changes
                patch_index(store.read_index_file(source.build, source.meta), model, changes.new_entities,
                            changes.new_relations, changes.entity_keys, changes.relation_keys, path)
                return
            except Exception:  # noqa: BLE001 -- whatever stops the patch, the index is written whole instead
                path.unlink(missing_ok=True)
        write_index(model, path)
    return write


def _patched_graph(source: _PatchSource, model: dict[str, Any]) -> tuple[bytearray, GraphDelta, int] | None:
    """The new graph.nt patched from the previous build's with the lines that went and came (kg.graph_delta),
    the delta and the count of triples; None when the previous graph.nt does not fit: the graph is made whole."""
    from .graph_delta import graph_delta, patched_ntriples

    delta = graph_delta(source.changes, model)
    try:
        patched = patched_ntriples(store.read_ntriples(source.build, source.meta), delta)
    except (GraphNotFound, GraphCorrupt, GraphChanged, OSError):
        return None  # whatever is wrong with the previous build, the new one is made whole
    if patched is None:
        return None
    return patched, delta, source.meta["triples"] - len(delta.removed) + len(delta.added)


def _extension_lines(prepared: Any) -> list[str]:
    """The N-Triples lines of a workspace file's ontology extensions (Turtle, read by rdflib)."""
    from rdflib import Graph

    g = Graph()
    prepared.extend(g)
    # split on \n only: splitlines() would also cut at U+2028 and the like, which N-Triples leaves unescaped
    return [line for line in g.serialize(format="nt").split("\n") if line.strip()]


def named_graph_dir(graph_dir: str | os.PathLike[str] | None = None) -> bool:
    """True when the user named the graph directory (an argument or $KG_GRAPH_DIR), not the ./.kg default."""
    return graph_dir is not None or bool(os.environ.get("KG_GRAPH_DIR"))


def open(graph_dir: str | os.PathLike[str] | None = None, build_if_missing: bool = True,  # noqa: A001
         on_sample: Any = None) -> KnowledgeGraph:
    """Open the built graph.

    Only when no graph directory is named (no argument, no $KG_GRAPH_DIR) and ./.kg holds no graph is the
    embedded sample built there first (`on_sample(directory)` is called before, to say so); a named
    directory without a graph is a GraphNotFound that says how to build one. A graph of the sample says
    so in `KnowledgeGraph.info()`.

    CURRENT is read once: every answer of the opened graph comes from that one build, and `stale` says
    when a newer build has replaced it. A damaged graph directory is GraphCorrupt, never rebuilt silently.
    """
    directory = store.graph_dir(graph_dir)
    try:
        build = store.current_build(directory)
    except GraphNotFound:
        if named_graph_dir(graph_dir) or not build_if_missing:
            raise GraphNotFound(f"no graph in {directory}: build one with `kg build PATH --graph-dir {directory}`"
                                if named_graph_dir(graph_dir) else
                                f"no graph in {directory}: build one with `kg build PATH`") from None
        if on_sample is not None:
            on_sample(directory)
        build_graph(None, directory)
        build = store.current_build(directory)
    meta = store.read_meta(build)
    if store.has_file(store.INDEX_FILE, meta) and meta.get("index_format") == INDEX_FORMAT:
        # a question reads the entities and relations it needs from the index, not the whole model
        return KnowledgeGraph(None, directory, build=build, meta=meta,
                              source=Index(store.read_index(build, meta)))
    return KnowledgeGraph(store.read_model(build, meta), directory, build=build, meta=meta)


def open_endpoint(endpoint: str, graph: str | None = None, store_url: str | None = None) -> KnowledgeGraph:
    """Open a graph that `kg push` put into a SPARQL endpoint: impact, deps, show and query answer from it
    (a query at a time), with the same output as from the local build that was pushed."""
    from .endpoint import DEFAULT_GRAPH, Client, EndpointSource

    source = EndpointSource(Client(endpoint, store_url), graph or DEFAULT_GRAPH)
    return KnowledgeGraph(None, None, meta=source.build_record(), source=source)


class StaleGraphWarning(UserWarning):
    """The graph a KnowledgeGraph answers from has been replaced by a newer build."""


@dataclass
class Hop:
    """One relation on a path: as the docs state it (source relation target), and the kind of dependency it is."""

    source: dict[str, str]
    relation: str
    target: dict[str, str]
    evidence: list[dict[str, Any]]
    kind: str = ""  # runtime, hosting, build or backup ("" for a relation asked for by name that is none)
    confidence: float = 1.0  # how sure the reading of the relation is


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
    kind: str = ""  # the weakest kind of dependency on its path (backup if any hop is a backup)
    aliases: list[str] = field(default_factory=list)  # the other names it goes by, so scripts can match them


@dataclass
class ImpactResult:
    """What depends on a target (dependents) or what it depends on (dependencies), transitively."""

    target: dict[str, str]
    direction: str
    results: list[ImpactRow]
    kinds: list[str] = field(default_factory=list)  # the kinds of dependency followed
    left_out: dict[str, int] = field(default_factory=dict)  # kind not followed -> how many more it would reach
    graph: dict[str, Any] | None = None  # KnowledgeGraph.info() of the graph that answered

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape of `kg impact --format json`."""
        out: dict[str, Any] = {"graph": self.graph} if self.graph is not None else {}
        out.update({"target": self.target, "direction": self.direction, "kinds": self.kinds,
                    "left_out": self.left_out, "results": [
            {"id": r.id, "label": r.label, "aliases": r.aliases, "type": r.type, "depth": r.depth, "path": r.path,
             "status": r.status, "kind": r.kind, "evidence": r.evidence,
             "confidence": min((h.confidence for h in r.hops), default=1.0),
             "hops": [{"from": h.source["label"], "relation": h.relation, "to": h.target["label"], "kind": h.kind,
                       "confidence": h.confidence, "evidence": h.evidence} for h in r.hops]} for r in self.results]})
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per result, with the first piece of evidence of its first hop."""
        import pandas as pd

        rows = []
        for r in self.results:
            first = r.evidence[0] if r.evidence else {}
            rows.append({"label": r.label, "type": r.type, "depth": r.depth, "status": r.status, "kind": r.kind,
                         "relation": r.hops[0].relation if r.hops else "", "path": " → ".join(r.path),
                         "document": first.get("document", ""), "line": first.get("line", None),
                         "evidence": first.get("text", ""), "id": r.id})
        return pd.DataFrame(rows, columns=["label", "type", "depth", "status", "kind", "relation", "path", "document",
                                           "line", "evidence", "id"])

    def _repr_html_(self) -> str:
        from .display import impact_html

        return impact_html(self)


class KnowledgeGraph:
    """A built graph, opened for questions."""

    def __init__(self, model: dict[str, Any] | None, directory: Path | None = None, *, build: Path | None = None,
                 meta: dict[str, Any] | None = None, source: Source | None = None):
        self._model = model
        self.directory = directory
        self.build = build  # the one build folder every answer comes from (None: a model in memory)
        self._meta = meta  # what the build said of itself, read with the model (see `meta`)
        self._warned_stale = False
        # where entities and relations come from: the whole model in memory, or a source read a row at a time
        # (the build's index, an endpoint), so that a question reads only what it needs
        self.source = source
        self.entities: Mapping[str, dict[str, Any]]
        self.out_edges: Mapping[str, list[dict[str, Any]]]
        self.in_edges: Mapping[str, list[dict[str, Any]]]
        if source is not None:
            self.entities = LazyMap(source.entity, lambda: ((e["key"], e) for e in source.all_entities()),
                                    getattr(source, "entities_many", None))
            self.out_edges = LazyMap(source.out_edges, lambda: self._edges_by("subject").items())
            self.in_edges = LazyMap(source.in_edges, lambda: self._edges_by("object").items())
            return
        if model is None:
            raise ValueError("a KnowledgeGraph needs a model or a source")
        try:
            self.entities = {e["key"]: e for e in model["entities"]}
            self._names: dict[str, list[str]] = {}
            for key, ent in self.entities.items():
                for folded in entity_names(ent):
                    self._names.setdefault(folded, []).append(key)
            self.out_edges = self._edges_by("subject")
            self.in_edges = self._edges_by("object")
        except (KeyError, TypeError, AttributeError) as exc:
            if build is None:
                raise
            raise GraphCorrupt(f"{build / 'model.json'} is damaged ({type(exc).__name__}: {exc}); "
                               "run `kg build` again to rebuild the graph") from None

    @property
    def model(self) -> dict[str, Any]:
        """The whole stored model (read from model.json on first use when the graph was opened from its index)."""
        if self._model is None:
            if self.build is None:
                raise UsageError("this question needs the whole graph, which an endpoint does not hand over; "
                                 "ask it of a local graph (kg build) instead")
            self._model = store.read_model(self.build, self.meta)
        return self._model

    def _edges_by(self, end: str) -> dict[str, list[dict[str, Any]]]:
        edges: dict[str, list[dict[str, Any]]] = {}
        for rel in self.model["relations"]:
            edges.setdefault(rel[end], []).append(rel)
        return edges

    def _keys_named(self, folded: str) -> list[str]:
        if self.source is not None:
            return self.source.keys_named(folded)
        return self._names.get(folded, [])

    def store_path(self) -> Path | None:
        """The build's on-disk Oxigraph store (checked against its record), or None when it has none."""
        if self.build is None or not store.has_file(store.STORE_FOLDER, self.meta):
            return None
        return store.check_folder(self.build, store.STORE_FOLDER, self.meta)

    @cached_property
    def repositories(self) -> dict[str, str]:
        """Repository name -> the folder the build read it from."""
        if self.source is not None:
            return self.source.repositories()
        return dict(self.model.get("repositories", {}))

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

    # ------------------------------------------------------------ where the answers come from
    @cached_property
    def meta(self) -> dict[str, Any]:
        """What the stored build says about itself (sources, sample or not, when); {} for an unstored graph."""
        if self._meta is not None:
            return self._meta
        if self.directory is None:
            return {}
        try:
            return store.read_meta(self.build) if self.build is not None else store.load_meta(self.directory)
        except (OSError, ValueError, GraphNotFound):
            return {}

    def info(self) -> dict[str, Any]:
        """Which graph answers: `{"sample": bool, "path": graph directory, "sources": [...]}` (the JSON `graph`)."""
        if getattr(self.source, "endpoint", None):
            return {"sample": bool(self.meta.get("sample")), "path": getattr(self.source, "endpoint", None),
                    "sources": list(self.meta.get("sources", [])), "graph": getattr(self.source, "graph", None)}
        return {"sample": bool(self.meta.get("sample")), "path": str(self.directory) if self.directory else None,
                "sources": list(self.meta.get("sources", []))}

    def locate(self, document: str, line: int | None = None) -> dict[str, Any]:
        """Where a piece of evidence is: `{"document", "line", "file", "url"}`, the URL at the pinned commit
        of the repository's web page when the build saw a git remote, else the local file's URL."""
        from .sources import locate

        return locate(document, line, self.repositories, self.meta.get("origins", {}))

    @property
    def is_sample(self) -> bool:
        """True when this graph was built from the embedded sample, not from anyone's docs."""
        return bool(self.meta.get("sample"))

    def with_min_confidence(self, threshold: float) -> KnowledgeGraph:
        """The same graph without the relations read with less than `threshold` confidence (0 keeps them all)."""
        if threshold <= 0:
            return self
        if not 0.0 <= threshold <= 1.0:
            raise UsageError("--min-confidence must be between 0 and 1")
        model = dict(self.model, relations=[r for r in self.model["relations"] if confidence_of(r) >= threshold])
        return type(self)(model, self.directory, build=self.build, meta=self._meta)

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
        # the one record of that number, kept in a log that shares its numbers ("runner/doc/adr/ADR-011")
        in_logs = [k for k in self.entities if k.startswith("adr/") and k.endswith(f"/{adr}")] if adr else []
        if len(in_logs) == 1:
            return self.entities[in_logs[0]]
        keys = [k for k in self._keys_named(name_key(name)) if not types or self.entities[k]["type"] in types]
        if keys:
            keys.sort(key=lambda k: (TYPE_ORDER.get(self.entities[k]["type"], 9), k))
            return self.entities[keys[0]]
        raise EntityNotFound(name, self.suggest(name, types) if suggest else [],
                             self.described_as(name, types) if suggest else {})

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
        for label in self.described_as(name, types):
            if label not in out:
                out.append(label)
        return out[:n]

    def described_as(self, word: str, types: tuple[str, ...] | None = None) -> dict[str, str]:
        """Entities whose purpose, description or category names `word` as a word ("kafka" in Redpanda's
        "Kafka-compatible event streaming"), each with that text; a repository stands for what it describes."""
        import re

        if len(word.strip()) < 3:
            return {}
        pattern = re.compile(rf"(?<![\w-]){re.escape(word.strip())}(?![\w])", re.IGNORECASE)
        found: dict[str, str] = {}
        for key in sorted(self.entities, key=lambda k: (TYPE_ORDER.get(self.entities[k]["type"], 9), k)):
            ent = self.entities[key]
            if ent["type"] in ("Document", "ADR"):
                continue
            text = next((str(ent["props"][p]) for p in ("purpose", "description", "category")
                         if isinstance(ent["props"].get(p), str) and pattern.search(ent["props"][p])), "")
            if not text:
                continue
            if ent["type"] == "Repository":  # the component the repository is about, when it says
                about = [r["object"] for r in self.out_edges.get(key, []) if r["predicate"] == "describes"]
                ent = self.entities[sorted(about)[0]] if about else ent
            if types and ent["type"] not in types:
                continue
            found.setdefault(ent["label"], text)
        return found

    # ------------------------------------------------------------ impact
    def impact(self, name: str, depth: int | None = None, relations: list[str] | None = None,
               kinds: str | list[str] | tuple[str, ...] | None = None,
               min_confidence: float = 0.0) -> ImpactResult:
        """What depends on `name`, transitively: each result with its depth, a path to the target, the kind of
        each hop and evidence. `kinds` (default runtime and hosting; "all") chooses the kinds of dependency;
        the result says how many more the others would reach. Relations read with less than `min_confidence`
        are not followed."""
        self._note_stale()
        return self._walk(name, depth, relations, "dependents", kinds, min_confidence)

    def deps(self, name: str, depth: int | None = None, relations: list[str] | None = None,
             kinds: str | list[str] | tuple[str, ...] | None = None,
             min_confidence: float = 0.0) -> ImpactResult:
        """What `name` depends on, transitively: runtime, hosting and backup by default (`kinds` as in `impact`)."""
        self._note_stale()
        return self._walk(name, depth, relations, "dependencies", kinds, min_confidence)

    def reach(self, starts: list[str], kinds: set[str], direction: str, depth: int | None = None,
              types: set[str] | None = None, reverse: frozenset[str] = frozenset(),
              accept: Any = None) -> tuple[dict[str, int], dict[str, tuple[str, list[dict[str, Any]]]]]:
        """Breadth-first walk from entity keys along relations of `kinds`, against them ("dependents") or with
        them ("dependencies"), at most `depth` hops, through entities of `types` only.

        A relation in `reverse` is walked the other way (Flux deploys X: X depends on Flux); `accept(rel)`,
        when given, says whether one relation may be walked. Returns each reached key's depth, and for each
        one but the starts the key it was reached from with the relations of that hop. Breadth-first, so
        each is reached by a shortest path; ties broken by sorted keys.
        """
        parent: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        level = {start: 0 for start in starts}
        queue = deque(starts)
        read_level = -1
        while queue:
            node = queue.popleft()
            if depth is not None and level[node] >= depth:
                continue
            if level[node] > read_level:
                # the first of a level: the queue holds that whole level, so its relations are read at once
                read_level = level[node]
                self._read_edges([node, *queue], direction, kinds, reverse)
            for rel, nxt in self._steps(node, direction, kinds, reverse):
                if accept is not None and not accept(rel):
                    continue
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

    def _steps(self, node: str, direction: str, kinds: set[str],
               reverse: frozenset[str]) -> list[tuple[dict[str, Any], str]]:
        """The relations one step of a walk may take from `node`, each with the entity it leads to, sorted
        (remembered: an impact walks the same nodes once per kind of dependency it weighs)."""
        memo = self.__dict__.setdefault("_steps_memo", {})
        k = (node, direction, frozenset(kinds), reverse)
        if k not in memo:
            memo[k] = self._read_steps(node, direction, kinds, reverse)
        found: list[tuple[dict[str, Any], str]] = memo[k]
        return found

    def _read_steps(self, node: str, direction: str, kinds: set[str],
                    reverse: frozenset[str]) -> list[tuple[dict[str, Any], str]]:
        dependents = direction == "dependents"
        # sorted by (entity reached, predicate, subject, object) as plain tuples, compared natively: a relation's
        # triple is unique, so the record itself is never compared (a key function per step was a tenth of a walk)
        steps = [(rel["subject"] if dependents else rel["object"], rel["predicate"], rel["subject"], rel["object"], rel)
                 for rel in self._edges_of(node, "object" if dependents else "subject", kinds)
                 if rel["predicate"] not in reverse]
        steps += [(rel["object"] if dependents else rel["subject"], rel["predicate"], rel["subject"], rel["object"], rel)
                  for rel in self._edges_of(node, "subject" if dependents else "object", kinds & reverse)]
        steps.sort()
        return [(step[4], step[0]) for step in steps]

    def _read_edges(self, nodes: list[str], direction: str, kinds: set[str], reverse: frozenset[str]) -> None:
        """Read the relations `_steps` will ask for of these nodes in a few statements, when the source can."""
        many = getattr(self.source, "edges_with_many", None)
        if many is None:
            return
        cache = self.__dict__.setdefault("_edge_cache", {})
        dependents = direction == "dependents"
        for end, wanted in (("object" if dependents else "subject", frozenset(kinds)),
                            ("subject" if dependents else "object", frozenset(kinds) & reverse)):
            missing = [n for n in dict.fromkeys(nodes) if (n, end, wanted) not in cache]
            if wanted and missing:
                for node, rels in many(missing, end, wanted).items():
                    cache[(node, end, wanted)] = rels

    def _edges_of(self, node: str, end: str, predicates: set[str]) -> list[dict[str, Any]]:
        """The relations of these predicates whose `end` (subject or object) is the node: from the index only the
        rows that match, so a walk reads no mentions; from the model, its lists filtered."""
        if not predicates:
            return []
        edges_with = getattr(self.source, "edges_with", None)
        if edges_with is None:
            return [rel for rel in (self.out_edges if end == "subject" else self.in_edges).get(node, [])
                    if rel["predicate"] in predicates]
        cache = self.__dict__.setdefault("_edge_cache", {})
        k = (node, end, frozenset(predicates))
        if k not in cache:
            cache[k] = edges_with(node, end, k[2])
        found: list[dict[str, Any]] = cache[k]
        return found

    def hop_kind(self, rel: dict[str, Any]) -> str:
        """The kind of dependency one relation is (runtime, hosting, build, backup; "" for none)."""
        kind = getattr(rel, "kind", None)  # the index's records carry it, worked out by the build
        return kind if kind is not None else relation_kind(rel, self.entities.__getitem__)

    def _walk(self, name: str, depth: int | None, relations: list[str] | None, direction: str,
              kinds: str | list[str] | tuple[str, ...] | None = None, min_confidence: float = 0.0) -> ImpactResult:
        if depth is not None and depth < 1:
            raise UsageError("--depth must be 1 or more")
        if not 0.0 <= min_confidence <= 1.0:
            raise UsageError("--min-confidence must be between 0 and 1")
        start = self.find(name)["key"]
        predicates = set(expand_relations(relations)) if relations else set(IMPACT_PREDICATES)
        # relations named without --kind are followed whatever kind they are; otherwise the kinds decide
        default = DEFAULT_DEPENDENCY_KINDS if direction == "dependencies" else DEFAULT_IMPACT_KINDS
        chosen = tuple(IMPACT_KINDS) if relations and not kinds else parse_kinds(kinds, default)

        every = bool(relations and not kinds)
        dependents = direction == "dependents"
        # each relation's confidence and kind, worked out once for the several walks below (keyed by identity:
        # the walks see the same record objects, held by the edge cache or the model)
        weighed: dict[int, tuple[float, str]] = {}
        held_back: list[dict[str, Any]] = []  # relations the chosen kinds did not walk, for the left-out count

        def accepts(allowed: tuple[str, ...], hold: bool = False) -> Any:
            def accept(rel: dict[str, Any]) -> bool:
                known = weighed.get(id(rel))
                if known is None:
                    known = weighed[id(rel)] = (confidence_of(rel) if min_confidence else 1.0,
                                                "" if every else self.hop_kind(rel))
                if known[0] < min_confidence:
                    return False
                if every or known[1] in allowed:
                    return True
                if hold:
                    held_back.append(rel)
                return False
            return accept

        def far_end(rel: dict[str, Any]) -> str:
            return rel["subject"] if dependents != (rel["predicate"] in REVERSED_PREDICATES) else rel["object"]

        def beyond(allowed: tuple[str, ...], seeds: list[str], reached: dict[str, int]) -> int:
            """How many entities outside `reached` (closed under the chosen kinds) the seeds lead to."""
            accept, seen = accepts(allowed), set(reached)
            queue = deque(n for n in dict.fromkeys(seeds) if n not in seen)
            seen.update(queue)
            while queue:
                for rel, nxt in self._steps(queue.popleft(), direction, predicates, REVERSED_PREDICATES):
                    if nxt not in seen and accept(rel):
                        seen.add(nxt)
                        queue.append(nxt)
            return len(seen) - len(reached)

        level, parent = self.reach([start], predicates, direction, depth, reverse=REVERSED_PREDICATES,
                                   accept=accepts(chosen, hold=True))
        left_out: dict[str, int] = {}
        for kind in IMPACT_KINDS:
            if kind not in chosen and not relations:
                if depth is None:
                    # what the kind adds is what its held-back relations lead to: the rest was walked already
                    more = beyond((*chosen, kind), [far_end(r) for r in held_back if weighed[id(r)][1] == kind],
                                  level)
                else:  # within a depth, a new kind may also shorten paths: walk again
                    more = len(set(self.reach([start], predicates, direction, depth, reverse=REVERSED_PREDICATES,
                                              accept=accepts((*chosen, kind)))[1]) - set(parent))
                if more:
                    left_out[kind] = more
        made: dict[str, Hop] = {}

        def hop_from(node: str) -> Hop:
            """The hop from a reached entity towards the start: the same for every row whose path passes it."""
            if node not in made:
                rels = parent[node][1]
                # the hop is named by its best-attested relation; its evidence is that of every relation on it
                rels = sorted(rels, key=lambda r: (-len(r["evidence"]), r["predicate"]))
                evidence = [dict(ev, relation=r["predicate"], url=self.locate(ev["document"], ev.get("line"))["url"])
                            for r in rels for ev in r["evidence"]]
                main = rels[0]
                made[node] = Hop(self.ref(main["subject"]), main["predicate"], self.ref(main["object"]), evidence,
                                 self.hop_kind(main), max(confidence_of(r) for r in rels))
            return made[node]

        if isinstance(self.entities, LazyMap):
            self.entities.prefetch([start, *parent])  # every row's entity, read together
        complete = getattr(self.source, "complete", None)
        if complete is not None:  # the evidence of every hop shown, read together
            complete(r for _node, rels in parent.values() for r in rels)
        rows = []
        for key in sorted(parent, key=lambda k: (level[k], self.entities[k]["label"].lower())):
            hops: list[Hop] = []
            path = [self.entities[key]["label"]]
            node = key
            while node != start:
                prev = parent[node][0]
                hops.append(hop_from(node))
                path.append(self.entities[prev]["label"])
                node = prev
            evidence = [ev for h in hops for ev in h.evidence]
            ent = self.entities[key]
            weakest = max((h.kind for h in hops if h.kind), key=IMPACT_KINDS.index, default="")
            rows.append(ImpactRow(key, ent["label"], ent["type"], level[key], path, evidence, hops,
                                  ent["props"].get("status", ""), weakest, sorted(ent["aliases"])))
        stored = self.directory is not None or getattr(self.source, "endpoint", None)
        return ImpactResult(self.ref(start), direction, rows, list(chosen), left_out,
                            self.info() if stored else None)

    # ------------------------------------------------------------ SPARQL
    def query(self, q: str, *, timeout: float = 30.0, limit: int | None = None, memory_mb: int | None = 2048,
              engine: str = "auto", **params: Any) -> pd.DataFrame:
        """Run a named query, an .rq file or inline SPARQL read-only, limited in time and memory; parameters
        bound as values. `engine`: auto (the on-disk store, or the endpoint), oxigraph or rdflib."""
        from .query import query_frame

        self._note_stale()
        return query_frame(self, q, params, timeout=timeout, limit=limit, memory_mb=memory_mb, engine=engine)

    # ------------------------------------------------------------ show / stats
    def show(self, name: str) -> EntityCard:
        """The entity card: type, label, aliases, status, properties, relations in and out with evidence, documents."""
        self._note_stale()
        ent = self.find(name)
        key = ent["key"]
        relations = []
        def linked(evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [dict(ev, url=self.locate(ev["document"], ev.get("line"))["url"]) for ev in evidence]

        for rel in self.out_edges.get(key, []):
            relations.append({"relation": rel["predicate"], "direction": "out", "other": self.ref(rel["object"]),
                              "confidence": confidence_of(rel), "evidence": linked(rel["evidence"])})
        for rel in self.in_edges.get(key, []):
            relations.append({"relation": rel["predicate"], "direction": "in", "other": self.ref(rel["subject"]),
                              "confidence": confidence_of(rel), "evidence": linked(rel["evidence"])})
        relations.sort(key=lambda r: (r["relation"] == "mentions", r["direction"], r["relation"], r["other"]["label"].lower()))
        documents = set(ent["props"].get("documents", []))
        for r in relations:
            if r["other"]["type"] == "Document" and r["relation"] in ("documentedIn", "mentions"):
                documents.add(self.entities[r["other"]["id"]]["props"]["path"])
        props = {k: v for k, v in ent["props"].items() if k not in ("status", "documents")}
        # a vendor's standing is its status; a record another one supersedes says so beside what it states
        status = ent["props"].get("status") or ent["props"].get("standing", "")
        if ent["type"] == "ADR" and ent["props"].get("superseded_by"):
            successors = ", ".join(self.entities[k]["label"] if k in self.entities else k
                                   for k in ent["props"]["superseded_by"])
            stated = "" if status.lower().startswith("superseded") else status
            status = f"{stated}, superseded by {successors}" if stated else f"Superseded by {successors}"
        return EntityCard({"id": key, "label": ent["label"], "type": ent["type"], "aliases": ent["aliases"],
                           "status": status,
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


def confidence_of(rel: dict[str, Any]) -> float:
    """A stored relation's confidence (a graph built before confidences were kept counts as sure)."""
    return float(rel.get("confidence", 1.0))


class EntityCard(dict):
    """An entity card: a dict (the JSON of `kg show`) that renders itself in Jupyter."""

    def _repr_html_(self) -> str:
        from .display import card_html

        return card_html(self)
