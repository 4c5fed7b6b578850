"""Per-file stages, cached and run on every core: what one source file gives, computed once per content.

A build has two kinds of stage. Per-file stages depend on one file (and on little else, named in their
key): reading and parsing it, and the *names* pass over its parsed document. Workspace-wide stages
(link resolution, the alias table, the *facts* pass that needs it, relations, the graph) see every file.
The per-file stages run in worker processes and keep their results in `cache/files.sqlite` of the graph
directory, keyed by a hash of exactly what they read:

    parse   the file's place and text, and the code of the parser
    names   the parse key, and where the document's links lead (link resolution sees the whole workspace)
    facts   the names key, and a fingerprint of the workspace's names (entities and ADR records): a facts
            rule reads the document and the alias table, so the document's facts are reused while the
            names of the workspace stay the same

so a rebuild parses and extracts only the files that changed, and a change to the workspace's names
re-runs the facts pass everywhere, as it must. A new kind of source joins by giving a Document for a
file (`parse_source`); its names and facts follow the same keys.

Results are pickled for speed, and read back by an unpickler that builds only kg's own plain data classes
and the builtin types, so a cache in a shared graph directory never runs code when it is loaded.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sqlite3
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

# What every forked worker runs is imported here, in the building process, before any worker forks: a
# module first imported inside a worker is imported again by each worker of each stage (markdown-it and
# kg's parser cost about 0.1 s of CPU per import on the real corpus, as much as parsing it).
from .manifests import is_manifest_path, manifest_format, parse_manifest
from .model import SourceFile
from .parse import parse_document

CACHE_VERSION = "1"  # bump when a cached result changes shape
T = TypeVar("T")
R = TypeVar("R")

_ALLOWED = {
    "kg.model": {"Document", "Section", "Table", "Block", "CodeBlock", "Link", "MermaidNode", "MermaidEdge",
                 "MermaidSubgraph", "MermaidDiagram", "Evidence", "Mention", "Fact", "ManifestEntry", "ManifestLink"},
    "kg.rules.state": {"AdrRecord", "Choice", "Extraction"},
    "datetime": {"date", "datetime", "time", "timedelta", "timezone"},
    "builtins": {"set", "frozenset"},
}


class _SafeUnpickler(pickle.Unpickler):
    """Builds kg's plain data classes and builtin values only: anything else is an unreadable entry."""

    def find_class(self, module: str, name: str) -> Any:
        if name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not kg data")


def dumps(value: Any) -> bytes:
    """A cached result as bytes (pickled, lightly compressed)."""
    return zlib.compress(pickle.dumps(value, protocol=5), 1)


def loads(data: bytes) -> Any:
    """A cached result back, building only kg data (pickle.UnpicklingError otherwise)."""
    return _SafeUnpickler(io.BytesIO(zlib.decompress(data))).load()


def code_fingerprint() -> str:
    """A hash of the code whose output the cache keeps (parser, Mermaid reader, rules, names), so a cache made
    by other code is never read."""
    from . import __version__

    root = Path(__file__).parent
    h = hashlib.sha256(f"{CACHE_VERSION}\x00{__version__}".encode())
    from .resources import data_dir

    data = [p for p in data_dir().rglob("*") if p.is_file()] if data_dir().is_dir() else []
    for path in sorted([root / "parse.py", root / "mermaid.py", root / "plantuml.py", root / "manifests.py", root / "model.py",
                        root / "names.py",
                        root / "resolve.py", root / "gazetteer.py", *(root / "rules").glob("*.py"), *data]):
        h.update(path.name.encode())
        try:
            h.update(path.read_bytes())
        except OSError:
            pass
    return h.hexdigest()


def key(*parts: str) -> str:
    """A cache key from the parts a result depends on."""
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


class FileCache:
    """Results of the per-file stages by key, in one SQLite file of the graph directory.

    Best effort throughout: a cache that cannot be opened, read or written makes the build slower, never
    wrong, and an entry that does not read back is a miss.
    """

    def __init__(self, directory: Path) -> None:
        self.path = directory / "files.sqlite"
        self.used: set[str] = set()
        self.misses = 0
        self.pending: list[tuple[str, bytes]] = []
        self.stats: dict[str, int] = {}  # per stage, how many results were computed and how many reused
        self.db: sqlite3.Connection | None = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, data BLOB NOT NULL)")
        except (sqlite3.Error, OSError):
            self.db = None

    def get_many(self, keys: Sequence[str]) -> dict[str, Any]:
        """The cached results of the keys that have one (misses are simply left out)."""
        self.used.update(keys)
        found: dict[str, Any] = {}
        if self.db is None or not keys:
            self.misses += len(keys)
            return found
        try:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start:start + 500])
                rows = self.db.execute(f"SELECT key, data FROM entries WHERE key IN ({','.join('?' * len(chunk))})",
                                       chunk).fetchall()
                for k, data in rows:
                    try:
                        found[k] = loads(data)
                    except Exception:  # noqa: BLE001 - a damaged or foreign entry is a miss
                        continue
        except sqlite3.Error:
            pass
        self.misses += len(keys) - len(found)
        return found

    def put(self, k: str, value: Any) -> None:
        """Keep a result, written with the others at `flush`."""
        self.used.add(k)
        if self.db is not None:
            self.pending.append((k, dumps(value)))

    def flush(self) -> None:
        """Write the results kept since the last flush."""
        if self.db is None or not self.pending:
            self.pending = []
            return
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)", self.pending)
        except sqlite3.Error:
            pass
        self.pending = []

    def prune(self) -> None:
        """Forget the entries this build did not use, so the cache tracks the workspace instead of growing."""
        for old in self.path.parent.glob("*.json.gz"):  # the parse cache of kg before files.sqlite
            old.unlink(missing_ok=True)
        if self.db is None:
            return
        try:
            with self.db:
                self.db.execute("CREATE TEMP TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY)")
                self.db.execute("DELETE FROM used")
                self.db.executemany("INSERT OR IGNORE INTO used VALUES (?)", ((k,) for k in self.used))
                self.db.execute("DELETE FROM entries WHERE key NOT IN (SELECT key FROM used)")
        except sqlite3.Error:
            pass

    def close(self) -> None:
        """Close the cache file."""
        if self.db is not None:
            self.db.close()
            self.db = None


# ---------------------------------------------------------------- running on every core


def jobs() -> int:
    """How many worker processes per-file stages use: $KG_JOBS, else one per core (1: no workers)."""
    raw = os.environ.get("KG_JOBS", "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


_TASK: Callable[[Any], Any] | None = None  # the function a forked worker runs (inherited, never pickled)


def _die_with_parent() -> None:
    """In a worker: end when the build that started it ends, even when it was killed (Linux; elsewhere a
    worker ends when it finds its queue closed)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _run_chunk(items: list[Any]) -> list[Any]:
    assert _TASK is not None
    return [_TASK(item) for item in items]


def parallel_map(fn: Callable[[T], R], items: Sequence[T], workers: int | None = None, chunk: int = 32,
                 progress: Callable[[int], None] | None = None) -> list[R]:
    """fn over items, in order, in forked worker processes (which inherit fn and what it reads, so nothing
    but the items and results is copied); in this process when there are few items, one core, no fork, or
    this process is itself a daemon (which may have no children). A worker that dies (killed, out of
    memory) costs its work being done again here, never a build that hangs."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    n = workers or jobs()
    chunk = max(1, min(chunk, len(items) // (4 * n)))  # small workspaces still use every core

    def here() -> list[R]:
        out = []
        for i, item in enumerate(items, 1):
            out.append(fn(item))
            if progress and i % chunk == 0:
                progress(i)
        return out

    if n <= 1 or len(items) < 8 or "fork" not in multiprocessing.get_all_start_methods() \
            or multiprocessing.current_process().daemon:
        return here()
    global _TASK
    _TASK = fn
    chunks = [list(items[i:i + chunk]) for i in range(0, len(items), chunk)]
    results: list[R] = []
    import warnings

    try:
        with warnings.catch_warnings():  # Python ≥ 3.12 warns about fork in a threaded process
            warnings.simplefilter("ignore", DeprecationWarning)
            with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork"),
                                     initializer=_die_with_parent) as pool:
                for part in pool.map(_run_chunk, chunks):
                    results.extend(part)
                    if progress:
                        progress(len(results))
    except (BrokenProcessPool, OSError):
        return here()
    finally:
        _TASK = None
    return results


# ---------------------------------------------------------------- the per-file stages


def read_and_parse(source: SourceFile, fingerprint: str, folders: dict[str, str] | None = None) -> tuple[str, Any, str]:
    """(parse key, Document or None, warning) of one file: read it, and parse it unless told it is cached
    (`folders`: kg.discover.read_text's, for one pass over a workspace)."""
    from .discover import TooLarge, read_text

    try:
        text = read_text(source, folders)
    except UnicodeDecodeError as exc:
        return "", None, f"{source.path}: not UTF-8 (byte {exc.start}), skipped"
    except TooLarge as exc:
        return "", None, f"{source.path}: {exc}, skipped"
    except OSError as exc:
        return "", None, f"{source.path}: cannot read ({exc.strerror}), skipped"
    return key("parse", fingerprint, source.path, source.repo, text), text, ""


def parse_source(source: SourceFile, text: str) -> Any:
    """The Document of one source file, None for a file that is no source (YAML that is no manifest): the one
    place a new kind of source gives its document."""
    if is_manifest_path(source.path):
        if not manifest_format(source.path, text):
            return None  # values, CI, kustomize's own: not a source
        doc = parse_manifest(text, source.path, source.repo)
        if doc is None:
            return None
    else:
        doc = parse_document(text, source.path, source.repo)
    if not text.strip():
        doc.warnings.append(f"{source.path}: empty file")
    return doc


# What the names pass may change on a document besides its warnings (adr_kinds decides by content which
# documents are ADRs). In a worker the document is a copy, so these come back with the results.
DOCUMENT_FIELDS = ("kind", "title")


def names_of(doc: Any) -> tuple[Any, list[str], dict[str, Any]]:
    """The names pass over one document: its Extraction (mentions, ADR records), the warnings it would add and
    the document fields it set (the warnings are taken off the document again: the caller adds them)."""
    from .rules import extract_names

    before = len(doc.warnings)
    out = extract_names([doc])
    added = doc.warnings[before:]
    del doc.warnings[before:]
    return out, added, {name: getattr(doc, name) for name in DOCUMENT_FIELDS}


def names_fingerprint(entities: dict[str, Any], adrs: list[Any]) -> str:
    """What a facts rule reads beyond its document: the workspace's entities (names, aliases, types,
    properties; not their evidence) and which components each ADR document decided."""
    import json

    h = hashlib.sha256()
    for k in sorted(entities):
        ent = entities[k]
        h.update(json.dumps([ent.key, ent.type, ent.label, sorted(ent.aliases), ent.props], sort_keys=True,
                            default=repr, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    for rec in adrs:
        h.update(f"\x00{rec.id}\x01{rec.document}\x01{[c.name for c in rec.decided]}".encode())
    return h.hexdigest()


def facts_of(doc: Any, out: Any, gaz: Any) -> tuple[Any, list[str], dict[str, Any], list[tuple[str, Any]]]:
    """The facts pass over one document with the workspace's alias table: what it added to the extraction,
    the warnings, the document fields, and every scan of the alias table in the order it was made."""
    from collections import Counter, defaultdict

    from .rules import extract_facts
    from .rules.state import Extraction

    scans: list[tuple[str, Any]] = []
    real = gaz.scan

    def recorded(text: str) -> Any:
        hits = real(text)
        scans.append((text, tuple(hits)))
        return hits

    counts = (len(out.facts), len(out.mentions), len(out.adrs), len(doc.warnings))
    # The document counts its names on a table of its own, which is thrown away: the caller replays the scans
    # (replay_scans) in document order, so a document read here, in a worker or from the cache counts alike.
    kept = gaz.surface, gaz._scanned
    gaz.surface, gaz._scanned = defaultdict(Counter), {}
    setattr(gaz, "scan", recorded)  # noqa: B010 - the alias table's own methods scan through this too
    try:
        extract_facts([doc], out, gaz)
    finally:
        delattr(gaz, "scan")
        gaz.surface, gaz._scanned = kept
    part = Extraction(mentions=out.mentions[counts[1]:], facts=out.facts[counts[0]:], adrs=out.adrs[counts[2]:])
    warnings = doc.warnings[counts[3]:]
    del out.facts[counts[0]:], out.mentions[counts[1]:], out.adrs[counts[2]:], doc.warnings[counts[3]:]
    return part, warnings, {name: getattr(doc, name) for name in DOCUMENT_FIELDS}, scans


def replay_scans(gaz: Any, scans: list[tuple[str, Any]]) -> None:
    """What scanning these texts again would do to the alias table (kg.resolve.Gazetteer.scan): a text seen for
    the first time counts the names it holds as written, and is remembered while there is room."""
    for text, hits in scans:
        if text not in gaz._scanned:
            gaz.record(text, hits)


def cached_map(keys: Sequence[str], compute: Callable[[int], R], cache: FileCache | None) -> tuple[list[R], int]:
    """The result for each key, in order: from the cache, else `compute(index)` on every core (and cached);
    with how many came from the cache."""
    cached = cache.get_many(keys) if cache else {}
    todo = [i for i, k in enumerate(keys) if k not in cached]
    fresh = dict(zip(todo, parallel_map(compute, todo)))
    results = []
    for i, k in enumerate(keys):
        if k in cached:
            results.append(cached[k])
        else:
            if cache:
                cache.put(k, fresh[i])
            results.append(fresh[i])
    return results, len(cached)


def links_fingerprint(doc: Any) -> str:
    """Where a document's links lead once resolved: the one thing its names pass reads beyond its text."""
    return key(*(f"{lk.href}\x01{lk.line}\x01{lk.target}\x01{lk.kind}" for lk in doc.links))


