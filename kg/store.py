"""The graph directory: a built graph persisted so queries never re-parse.

Layout (default `./.kg`, or `--graph-dir`, or `$KG_GRAPH_DIR`):

    .kg/CURRENT            name of the live build folder (replaced atomically)
    .kg/build-<stamp>/model.json   entities, relations, evidence, unresolved refs, warnings
    .kg/build-<stamp>/graph.nt     the RDF graph, sorted N-Triples (diffs cleanly)
    .kg/build-<stamp>/meta.json    sources, time taken, counts, kg version

A build writes a new folder and only then points CURRENT at it, so a build
that fails or is interrupted leaves the previous graph as it was.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .errors import GraphNotFound
from .model import BuildResult, Document, document_from_plain, document_to_plain

DEFAULT_GRAPH_DIR = ".kg"
FORMAT_VERSION = 1


class ParseCache:
    """Parsed documents by content, in the graph directory, so a rebuild re-parses only what changed."""

    VERSION = "3"  # bump when the parser's output changes shape or meaning

    def __init__(self, directory: Path):
        self.directory = directory
        self.used: set[str] = set()
        self.hits = 0
        self.misses = 0

    def key(self, path: str, repo: str, text: str) -> str:
        """The cache key of a document: its place and its exact text, with the kg and cache versions."""
        import hashlib

        from . import __version__

        digest = hashlib.sha256("\x00".join((self.VERSION, __version__, path, repo, text)).encode("utf-8"))
        return digest.hexdigest()

    def get(self, key: str) -> Document | None:
        """The cached Document, or None (a missing or unreadable entry is simply a miss)."""
        self.used.add(key)
        try:
            data = json.loads(gzip.decompress((self.directory / f"{key}.json.gz").read_bytes()))
            doc = document_from_plain(data)
        except (OSError, EOFError, ValueError, KeyError, TypeError):
            self.misses += 1
            return None
        self.hits += 1
        return doc

    def put(self, key: str, doc: Document) -> None:
        """Store a freshly parsed Document (best effort: a cache that cannot be written is no error)."""
        self.used.add(key)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = self.directory / f".{key}.{os.getpid()}.tmp"
            data = json.dumps(document_to_plain(doc), ensure_ascii=False, default=str).encode("utf-8")
            tmp.write_bytes(gzip.compress(data, compresslevel=3))
            os.replace(tmp, self.directory / f"{key}.json.gz")
        except OSError:
            pass

    def prune(self) -> None:
        """Forget entries this build did not use, so the cache tracks the workspace instead of growing."""
        if not self.directory.is_dir():
            return
        for entry in self.directory.iterdir():
            if entry.name.endswith(".json.gz") and entry.name.removesuffix(".json.gz") not in self.used:
                entry.unlink(missing_ok=True)


def graph_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The graph directory: the argument, else $KG_GRAPH_DIR, else ./.kg."""
    return Path(path or os.environ.get("KG_GRAPH_DIR") or DEFAULT_GRAPH_DIR)


def model_of(result: BuildResult) -> dict[str, Any]:
    """The JSON-ready, deterministic form of a build result."""
    entities = []
    for key in sorted(result.entities):
        ent = result.entities[key]
        entities.append({"key": ent.key, "type": ent.type, "label": ent.label, "aliases": sorted(ent.aliases),
                         "props": _plain(ent.props), "evidence": [e.as_dict() for e in _unique(ent.evidence)]})
    relations = [{"subject": r.subject, "predicate": r.predicate, "object": r.object,
                  "evidence": [e.as_dict() for e in r.evidence]} for r in result.relations]
    unresolved = sorted((asdict(u) for u in result.unresolved), key=lambda u: (u["document"], u["line"], u["target"]))
    documents = sorted(({"path": d.path, "repository": d.repo, "title": d.title, "kind": d.kind,
                         "lines": len(d.lines)} for d in result.documents), key=lambda d: str(d["path"]))
    return {"format": FORMAT_VERSION, "entities": entities, "relations": relations, "unresolved": unresolved,
            "documents": documents, "repositories": dict(sorted(result.repos.items())),
            "warnings": list(result.warnings)}


def _unique(evidence: list[Any]) -> list[Any]:
    seen, out = set(), []
    for e in evidence:
        k = (e.document, e.line, e.method)
        if k not in seen:
            seen.add(k)
            out.append(e)
    return sorted(out, key=lambda e: (e.document, e.line, e.method))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple, set)):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set) else items
    return value


def save(model: dict[str, Any], ntriples: str, meta: dict[str, Any], directory: Path) -> Path:
    """Write a build into a new folder of the graph directory, then make it current atomically."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 1_000_000}"
    tmp = directory / f".tmp-build-{stamp}"
    final = directory / f"build-{stamp}"
    tmp.mkdir()
    try:
        (tmp / "model.json").write_text(json.dumps(model, ensure_ascii=False, indent=1), encoding="utf-8")
        (tmp / "graph.nt").write_text(ntriples, encoding="utf-8")
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, final)
        pointer = directory / f".CURRENT.{stamp}"
        pointer.write_text(final.name + "\n", encoding="utf-8")
        os.replace(pointer, directory / "CURRENT")  # the one atomic step that publishes the build
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _prune(directory, keep=final.name)
    return final


def _prune(directory: Path, keep: str) -> None:
    for old in directory.iterdir():
        if old.is_dir() and old.name != keep and (old.name.startswith("build-") or old.name.startswith(".tmp-build-")):
            # a concurrent reader may still hold an old build open; failing to delete it is harmless
            shutil.rmtree(old, ignore_errors=True)


def current_build(directory: Path) -> Path:
    """The folder of the live build; GraphNotFound when there is none."""
    pointer = directory / "CURRENT"
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        raise GraphNotFound(f"no graph in {directory} (run `kg build PATH`)") from None
    build = directory / name
    if not (build / "model.json").is_file():
        raise GraphNotFound(f"{directory}: CURRENT points at a missing build {name}")
    return build


def exists(directory: Path) -> bool:
    """True when the graph directory holds a usable build."""
    try:
        current_build(directory)
    except GraphNotFound:
        return False
    return True


def load_model(directory: Path) -> dict[str, Any]:
    """The stored model of the live build."""
    return json.loads((current_build(directory) / "model.json").read_text(encoding="utf-8"))


def load_meta(directory: Path) -> dict[str, Any]:
    """Build information: sources, duration, counts."""
    return json.loads((current_build(directory) / "meta.json").read_text(encoding="utf-8"))


def ntriples_path(directory: Path) -> Path:
    """The N-Triples file of the live build."""
    return current_build(directory) / "graph.nt"
