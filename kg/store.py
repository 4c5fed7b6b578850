"""The graph directory: a built graph persisted so queries never re-parse.

Layout (default `./.kg`, or `--graph-dir`, or `$KG_GRAPH_DIR`):

    .kg/CURRENT            name of the live build folder (replaced atomically)
    .kg/.lock              held while a build publishes itself (concurrent builds take turns)
    .kg/build-<stamp>/model.json   entities, relations, evidence, unresolved refs, warnings
    .kg/build-<stamp>/graph.nt     the RDF graph, sorted N-Triples (diffs cleanly)
    .kg/build-<stamp>/index.sqlite entities, names and relations, read a row at a time (kg.index)
    .kg/build-<stamp>/oxigraph/    the graph in an on-disk Oxigraph store, for SPARQL (kg.engines)
    .kg/build-<stamp>/findings.json what the document-level checks of `kg check` found in the parsed documents
    .kg/build-<stamp>/meta.json    sources, time taken, counts, kg version, size and sha256 of the others
    .kg/cache/files.sqlite         per-file results (parse, names, facts) by content (kg.incremental)

A build writes a new folder and only then points CURRENT at it, so a build
that fails or is interrupted leaves the previous graph as it was. A reader
reads CURRENT once and then only that folder, so it never mixes two builds;
files that do not match their recorded checksum are GraphCorrupt, never an
empty graph.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

from .errors import BuildError, GraphChanged, GraphCorrupt, GraphNotFound
from .model import BuildResult, UnresolvedReference, combined_confidence

DEFAULT_GRAPH_DIR = ".kg"
INDEX_FILE = "index.sqlite"  # kg.index: entities, names and relations, read a row at a time
STORE_FOLDER = "oxigraph"  # kg.engines: the graph in an on-disk SPARQL store
FORMAT_VERSION = 1


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
                  "confidence": combined_confidence([e.weight for e in r.evidence]),
                  "evidence": [e.as_dict() for e in r.evidence]}
                 # by their triple: the order the index reads them in (kg.index), whatever a rule appended
                 for r in sorted(result.relations, key=lambda r: (r.subject, r.predicate, r.object))]
    names = [f.name for f in fields(UnresolvedReference)]  # as asdict would, without its deep copy of each
    unresolved = [{name: getattr(u, name) for name in names}
                  for u in sorted(result.unresolved, key=lambda u: (u.document, u.line, u.target))]
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


def save(files: dict[str, bytes | bytearray], meta: dict[str, Any], directory: Path,
         writers: dict[str, Callable[[Path], None]] | None = None) -> Path:
    """Write a build into a new folder of the graph directory, then make it current atomically.

    `files` are written as they are (graph.nt); `writers` write the others (model.json, the question index,
    the SPARQL store's folder) into the new build folder. A file is recorded with its size and checksum, a
    folder with the size of each file. A disk that is full or a directory that cannot be written is a
    BuildError (one line, the previous graph unchanged). Concurrent builds into one directory take turns at
    publishing under a lock; each removes only its own temporary folder, and the build that was current
    until now is kept for readers that opened it.
    """
    stamp = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 1_000_000}"
    tmp = directory / f".tmp-build-{stamp}"
    final = directory / f"build-{stamp}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        records: dict[str, Any] = {name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                                   for name, data in files.items()}
        for name, data in files.items():
            (tmp / name).write_bytes(data)
        for name, write in (writers or {}).items():
            write(tmp / name)
            records[name] = _record(tmp / name)
        (tmp / "meta.json").write_bytes(json.dumps({**meta, "files": records}, ensure_ascii=False, indent=1).encode("utf-8"))
        with _lock(directory):
            previous = _current_name(directory)
            os.replace(tmp, final)
            pointer = directory / f".CURRENT.{stamp}"
            pointer.write_text(final.name + "\n", encoding="utf-8")
            os.replace(pointer, directory / "CURRENT")  # the one atomic step that publishes the build
            _prune(directory, keep={final.name, previous or ""})
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        with contextlib.suppress(OSError):
            (directory / f".CURRENT.{stamp}").unlink(missing_ok=True)
        raise BuildError(f"cannot write the graph to {directory}: {_why(exc)}; the previous graph is unchanged"
                         f"{_hint(exc)}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def json_writer(value: Any) -> Callable[[Path], None]:
    """A writer of `value` as compact JSON (with an indent, json encodes in Python, several times slower on a
    large model)."""
    def write(path: Path) -> None:
        path.write_bytes(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    return write


def scratch_folder(directory: Path, what: str, owner: object) -> Path:
    """A temporary folder of the graph directory for one part of a build (`what`: store, files), named like a build's
    temporary (`.tmp-build-<what><time>-<pid>-<n>`), so one that a killed build left behind is pruned the same way."""
    return directory / f".tmp-build-{what}{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{id(owner) % 10**6}"


class WrittenBeside:
    """Files of a build written by a forked process while this one goes on (the model, the index and the
    findings beside the N-Triples: a second of a 10,000-document build each way, on a machine with a core
    to spare). `writers()` gives save() writers that wait for that process and move its file into the build;
    a file it did not write (it failed, was killed, or there was no fork) is written here instead, so its
    error is the build's one-line error, as if nothing had been written beside."""

    def __init__(self, directory: Path, writers: dict[str, Callable[[Path], None]]) -> None:
        import multiprocessing

        from .incremental import jobs

        self.writers = writers
        self.folder = scratch_folder(directory, "files", self)
        self.proc: Any = None
        if jobs() <= 1 or "fork" not in multiprocessing.get_all_start_methods() \
                or multiprocessing.current_process().daemon:
            return  # one core: writing beside only adds a process
        try:
            self.folder.mkdir(parents=True)
        except OSError:
            return  # save() meets the same error and says it in one line
        self.proc = multiprocessing.get_context("fork").Process(target=self._write_all, daemon=True)
        self.proc.start()

    def _write_all(self) -> None:  # in the forked process: a file at a time, renamed in place once whole
        for name, write in self.writers.items():
            partial = self.folder / f"{name}.partial"
            try:
                write(partial)
                partial.rename(self.folder / name)
            except BaseException:  # noqa: BLE001 -- the build writes it again and says why
                os._exit(1)
        os._exit(0)

    def _wait(self) -> None:
        if self.proc is not None:
            self.proc.join()
            self.proc = None

    def writers_for_save(self) -> dict[str, Callable[[Path], None]]:
        def move_or_write(name: str) -> Callable[[Path], None]:
            def write(path: Path) -> None:
                self._wait()
                try:
                    os.replace(self.folder / name, path)
                except OSError:
                    self.writers[name](path)
            return write
        return {name: move_or_write(name) for name in self.writers}

    def discard(self) -> None:
        """Stop the process if it still runs and remove what it left."""
        if self.proc is not None and self.proc.is_alive():
            self.proc.kill()
        self._wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _record(path: Path) -> dict[str, Any]:
    """What meta.json says of a file a writer made (size and sha256) or a folder (the size of each file in it)."""
    if path.is_dir():
        return {"folder": {p.relative_to(path).as_posix(): p.stat().st_size
                           for p in sorted(path.rglob("*")) if p.is_file()}}
    data = path.read_bytes()
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def check_folder(build: Path, name: str, meta: dict[str, Any] | None) -> Path:
    """A folder of a build (the SPARQL store), checked against the files and sizes its meta.json recorded."""
    path = build / name
    recorded = (meta or {}).get("files", {}).get(name, {}).get("folder")
    if not path.is_dir():
        if not build.is_dir():
            raise GraphChanged(f"{path} is gone: the graph was rebuilt meanwhile; ask again")
        raise GraphCorrupt(f"{path} is missing; run `kg build` again to rebuild the graph")
    if isinstance(recorded, dict):
        for rel, size in recorded.items():
            try:
                if (path / rel).stat().st_size != size:
                    raise GraphCorrupt(f"{path / rel} is damaged (it does not match its build record); "
                                       "run `kg build` again to rebuild the graph")
            except FileNotFoundError:
                raise GraphCorrupt(f"{path / rel} is missing; run `kg build` again to rebuild the graph") from None
    return path


def read_index(build: Path, meta: dict[str, Any] | None) -> Path:
    """The question index of a build, checked against its recorded size; GraphCorrupt when damaged.

    Not its sha256, as files read whole are: hashing 50 MB took a quarter of a question's time on a
    10,000-document graph, and a question reads a few pages of it. Damage within the file is SQLite's to
    find (the index's reads turn it into GraphCorrupt), as the store's is Oxigraph's."""
    path = build / INDEX_FILE
    recorded = (meta or {}).get("files", {}).get(INDEX_FILE)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise GraphChanged(f"{path} is gone: the graph was rebuilt meanwhile; ask again") from None
    except OSError as exc:
        raise GraphCorrupt(f"{path}: cannot read ({_why(exc)}); run `kg build` again") from None
    if isinstance(recorded, dict) and size != recorded.get("bytes"):
        what = "empty" if not size else "truncated" if size < recorded.get("bytes", 0) else "damaged"
        raise GraphCorrupt(f"{path} is {what} (it does not match its build record); "
                           "run `kg build` again to rebuild the graph")
    return path


def has_file(name: str, meta: dict[str, Any] | None) -> bool:
    """Whether a build recorded a file or folder of this name (older builds have no index and no store)."""
    return name in (meta or {}).get("files", {})


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _hint(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return " (free some space, then run `kg build` again)"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return " (choose a writable folder with --graph-dir or $KG_GRAPH_DIR, then run `kg build` again)"
    return " (run `kg build` again)"


@contextlib.contextmanager
def _lock(directory: Path) -> Iterator[None]:
    """An exclusive lock on the graph directory while a build publishes itself and prunes."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): publishing is still one atomic rename
        yield
        return
    with open(directory / ".lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive, but someone else's
    return True


def _abandoned(name: str) -> bool:
    """A temporary of a build whose process is gone (killed mid-build): `.tmp-build-<time>-<pid>-<n>`."""
    parts = name.split("-")
    pid = parts[-2] if len(parts) >= 3 else ""
    return pid.isdigit() and not _pid_alive(int(pid))


def _prune(directory: Path, keep: set[str]) -> None:
    for old in directory.iterdir():
        if old.name in keep:
            continue
        if old.is_dir() and old.name.startswith("build-"):
            # a reader may still hold this build open; failing to delete it is harmless
            shutil.rmtree(old, ignore_errors=True)
        elif old.name.startswith((".tmp-build-", ".CURRENT.")) and _abandoned(old.name):
            # another build's temporary is its own business while that build runs
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink(missing_ok=True)


def _current_name(directory: Path) -> str | None:
    """The name CURRENT holds, None when there is no CURRENT; GraphCorrupt when it holds no build name."""
    pointer = directory / "CURRENT"
    try:
        raw = pointer.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise GraphCorrupt(f"{pointer}: cannot read ({_why(exc)}); run `kg build` again") from None
    try:
        name = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        name = "\x00"
    if not name:
        raise GraphCorrupt(f"{pointer} is empty; run `kg build` again to rebuild the graph")
    if not name.startswith("build-") or "/" in name or "\\" in name or not name.isprintable():
        raise GraphCorrupt(f"{pointer} is damaged (it names no build); run `kg build` again to rebuild the graph")
    return name


def current_build(directory: Path) -> Path:
    """The folder of the live build (CURRENT read once); GraphNotFound when there is none, GraphCorrupt when
    CURRENT is damaged or names a build that is not there."""
    name = _current_name(directory)
    if name is None:
        raise GraphNotFound(f"no graph in {directory} (run `kg build PATH`)")
    build = directory / name
    if not (build / "model.json").is_file():
        raise GraphCorrupt(f"{directory}: CURRENT names {name}, which is not there; run `kg build` again")
    return build


def is_current(build: Path) -> bool:
    """Whether `build` is still the live build of its graph directory (False once a newer build is live)."""
    try:
        return _current_name(build.parent) == build.name
    except GraphCorrupt:
        return False


def exists(directory: Path) -> bool:
    """True when the graph directory holds a usable build; False when it holds none.

    A damaged graph directory is neither: GraphCorrupt, so that nothing mistakes it for an empty one
    (and builds the sample over it).
    """
    try:
        current_build(directory)
    except GraphNotFound:
        return False
    return True


def _read_checked(build: Path, name: str, meta: dict[str, Any] | None) -> bytes:
    """A file of a build, checked against the size and checksum its meta.json recorded."""
    path = build / name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise GraphChanged(f"{path} is gone: the graph was rebuilt meanwhile; ask again") from None
    except OSError as exc:
        raise GraphCorrupt(f"{path}: cannot read ({_why(exc)}); run `kg build` again") from None
    recorded = (meta or {}).get("files", {}).get(name)
    if isinstance(recorded, dict):
        if len(data) != recorded.get("bytes") or hashlib.sha256(data).hexdigest() != recorded.get("sha256"):
            what = "empty" if not data else "truncated" if len(data) < recorded.get("bytes", 0) else "damaged"
            raise GraphCorrupt(f"{path} is {what} (it does not match its build record); "
                               "run `kg build` again to rebuild the graph")
    return data


def _json(build: Path, name: str, meta: dict[str, Any] | None) -> Any:
    data = _read_checked(build, name, meta)
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        what = "empty" if not data.strip() else "not valid JSON" if isinstance(exc, ValueError) else "not text"
        raise GraphCorrupt(f"{build / name} is {what}; run `kg build` again to rebuild the graph") from None


MODEL_KEYS = {"entities": list, "relations": list, "unresolved": list, "documents": list, "repositories": dict,
              "warnings": list}


def read_meta(build: Path) -> dict[str, Any]:
    """meta.json of one build folder; GraphCorrupt when it is damaged."""
    meta = _json(build, "meta.json", None)
    if not isinstance(meta, dict):
        raise GraphCorrupt(f"{build / 'meta.json'} is damaged; run `kg build` again to rebuild the graph")
    return meta


def read_model(build: Path, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """model.json of one build folder, checked against its meta; GraphCorrupt when it is damaged."""
    model = _json(build, "model.json", meta)
    if not isinstance(model, dict) or any(not isinstance(model.get(k), t) for k, t in MODEL_KEYS.items()):
        raise GraphCorrupt(f"{build / 'model.json'} is damaged (not a kg model); "
                           "run `kg build` again to rebuild the graph")
    return model


def read_index_file(build: Path, meta: dict[str, Any] | None = None) -> bytes:
    """The question index of a build as bytes (to patch a copy of it), checked against its meta like graph.nt."""
    return _read_checked(build, INDEX_FILE, meta)


def read_ntriples(build: Path, meta: dict[str, Any] | None = None) -> bytes:
    """graph.nt of one build folder, checked against its meta; GraphCorrupt when it is damaged."""
    return _read_checked(build, "graph.nt", meta)


def read_findings(build: Path, meta: dict[str, Any] | None = None) -> list[dict[str, Any]] | None:
    """findings.json of one build folder (the document-level checks), None for a build without one."""
    if not (build / "findings.json").exists() and "findings.json" not in (meta or {}).get("files", {}):
        return None
    findings = _json(build, "findings.json", meta)
    if not isinstance(findings, list):
        raise GraphCorrupt(f"{build / 'findings.json'} is damaged; run `kg build` again to rebuild the graph")
    return findings


def load_model(directory: Path) -> dict[str, Any]:
    """The stored model of the live build."""
    build = current_build(directory)
    return read_model(build, _meta_or_none(build))


def load_meta(directory: Path) -> dict[str, Any]:
    """Build information: sources, duration, counts."""
    return read_meta(current_build(directory))


def _meta_or_none(build: Path) -> dict[str, Any] | None:
    """meta.json when readable: a build written before checksums existed is read unchecked."""
    try:
        return read_meta(build)
    except (GraphCorrupt, GraphChanged):
        return None


def ntriples_path(directory: Path) -> Path:
    """The N-Triples file of the live build."""
    return current_build(directory) / "graph.nt"
