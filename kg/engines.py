"""SPARQL engines besides rdflib: the build's on-disk Oxigraph store, and a SPARQL 1.1 endpoint.

A build bulk-loads its N-Triples into an Oxigraph store in the build folder (`oxigraph/`); a query opens
it read-only in the query's worker (so the time and memory limits hold as for rdflib) and binds its
parameters through Oxigraph's substitutions, which bind a variable everywhere in the query, as rdflib's
initBindings do. Results come back as rdflib terms, so every engine prints the same rows the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import GraphCorrupt, QueryError

if TYPE_CHECKING:
    from .graph_delta import GraphDelta
    from .query import Prepared, QueryResult, Term

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def write_store(ntriples: bytes, path: Path) -> None:
    """A new Oxigraph store at `path` holding the N-Triples (bulk-loaded: no transaction log to replay)."""
    import pyoxigraph as ox

    store = ox.Store(str(path))
    store.bulk_load(ntriples, ox.RdfFormat.N_TRIPLES)
    store.flush()
    del store  # closes the store's files before the build folder is renamed into place


def update_store(ntriples: bytes, previous: Path, path: Path, delta: tuple[bytes, bytes] | None = None) -> bool:
    """A new store at `path` made from the `previous` build's: a checkpoint of it (hard links to its files, which
    Oxigraph never changes: instant) with the triples that went removed and the new ones added. A rebuild
    after a few changed documents edits a few hundred triples instead of loading every one again (3.3 s of a
    10,000-document rebuild). `delta`: the lines that went and came (N-Triples), when the build knows them
    (kg.graph_delta); else they are found by comparing both graphs. False, and nothing at `path`, when the
    previous build cannot serve: no store, a graph.nt that is not the one its meta.json recorded, or a count
    that does not add up before or after."""
    import shutil

    import pyoxigraph as ox

    from . import store

    try:
        meta = store.read_meta(previous)
        if not (store.has_file("graph.nt", meta) and store.has_file(store.STORE_FOLDER, meta)):
            return False  # a build that recorded neither: nothing vouches for them
        # checked as a question checks them: the store's files by their sizes, graph.nt by its sha256
        store.check_folder(previous, store.STORE_FOLDER, meta)
        if delta is not None:
            removed, added = _triple_lines(delta[0]), _triple_lines(delta[1])
            before = meta.get("triples")
            if not isinstance(before, int):
                return False
            after = before - len(removed) + len(added)
        else:
            old = store.read_ntriples(previous, meta)
            old_lines, new_lines = _triple_lines(old), _triple_lines(ntriples)
            del old
            before, after = len(old_lines), len(new_lines)
            removed, added = old_lines - new_lines, new_lines - old_lines
            del old_lines, new_lines
        source = ox.Store.read_only(str(previous / store.STORE_FOLDER))
        if len(source) != before:
            return False  # the store is not the graph it was built from: load it whole
        source.backup(str(path))
        del source
        target = ox.Store(str(path))
        for quad in ox.parse(b"\n".join(sorted(removed)) + b"\n", ox.RdfFormat.N_TRIPLES) if removed else ():
            target.remove(quad)
        if added:
            target.extend(ox.parse(b"\n".join(sorted(added)) + b"\n", ox.RdfFormat.N_TRIPLES))
        target.flush()
        whole = len(target) == after
        del target  # closes its files before the folder is moved or removed
        if not whole:
            shutil.rmtree(path, ignore_errors=True)
        return whole
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 -- whatever the previous store does (RocksDB's corruption is a
        # RuntimeError, a panic in Oxigraph a BaseException), the new store is loaded whole instead
        shutil.rmtree(path, ignore_errors=True)
        return False


def _triple_lines(ntriples: bytes) -> set[bytes]:
    """The triples of an N-Triples text, a line each (comments and blank lines left out)."""
    return {line for line in ntriples.split(b"\n") if line and not line.startswith(b"#")}


END_MARK = b"# kg: end of the graph\n"  # the loader loads nothing it did not get whole
DELTA_MARK = b"# kg: delta "  # then the sizes of the removed and the added lines, before the graph


class StoreLoader:
    """Loads the store in a process of its own, beside the rest of the build's writing, into a temporary
    folder of the graph directory that is moved into the build folder when done.

    A process, not a thread: Oxigraph's storage keeps threads of its own, and a process that has them must
    not fork (kg's query workers and per-file stages do): a child would wait forever on a lock that one of
    those threads held. So the building process never opens a store itself.
    """

    def __init__(self, directory: Path, previous: Path | None = None) -> None:
        import os
        import subprocess
        import sys

        from . import store

        self.tmp = store.scratch_folder(directory, "store", self)
        here = str(Path(__file__).resolve().parents[1])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p)}
        # `previous`: the live build, whose store the new one is made from when it can (update_store)
        self.proc = subprocess.Popen([sys.executable, "-c", "import sys; from kg.engines import load_main; "
                                      "sys.exit(load_main(*sys.argv[1:]))", str(self.tmp),
                                      str(previous or "")],
                                     stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     env=env)
        self.thread: Any = None

    def load(self, ntriples: bytes | bytearray, delta: GraphDelta | None = None) -> None:
        """Send the graph, in a thread (the loader is started before the build, so its start costs nothing);
        with the lines that went and came since the previous build when the build knows them."""
        import threading

        self.thread = threading.Thread(target=self._feed, args=(ntriples, delta), name="kg-store", daemon=True)
        self.thread.start()

    def _feed(self, ntriples: bytes | bytearray, delta: GraphDelta | None) -> None:
        try:
            assert self.proc.stdin is not None
            if delta is not None:
                removed, added = (b"".join(line + b"\n" for line in lines) for lines in (delta.removed, delta.added))
                self.proc.stdin.write(DELTA_MARK + b"%d %d\n" % (len(removed), len(added)))
                self.proc.stdin.write(removed)
                self.proc.stdin.write(added)
            self.proc.stdin.write(ntriples)
            self.proc.stdin.write(END_MARK)
            self.proc.stdin.close()
        except OSError:
            pass  # the loader stopped: its exit status says why

    def _wait(self) -> str:
        if self.thread is not None:
            self.thread.join()
        elif self.proc.stdin is not None:
            self.proc.stdin.close()  # nothing was sent: the loader sees a graph that is not whole and stops
        err = self.proc.stderr.read() if self.proc.stderr else b""
        self.proc.wait()
        return err.decode("utf-8", "replace").strip()

    def move_to(self, path: Path) -> None:
        """Wait for the load, then move the store to `path` (a writer for kg.store.save)."""
        import errno
        import os

        err = self._wait()
        if self.proc.returncode != 0:
            number, _, message = err.rpartition("\n")[2].partition("\t")
            raise OSError(int(number) if number.isdigit() else errno.EIO, message or err or "the store did not load")
        os.replace(self.tmp, path)

    def discard(self) -> None:
        """Wait for the load and remove what it wrote (a build that failed, or the temporary once moved)."""
        import shutil

        if self.proc.poll() is None and (self.thread is None or self.thread.is_alive()):
            self.proc.kill()
        self._wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def load_main(path: str, previous: str = "") -> int:
    """The loader process: N-Triples on stdin into a new store at `path`, made from the store of the
    `previous` build when it can (update_store); an error as `errno<TAB>message`."""
    import sys

    data = sys.stdin.buffer.read()
    if not data.endswith(END_MARK):
        return 2  # the build stopped before it sent the whole graph
    delta = None
    if data.startswith(DELTA_MARK):  # the lines that went and came, then the graph
        header, _, data = data.partition(b"\n")
        removed, added = (int(n) for n in header[len(DELTA_MARK):].split())
        delta = (data[:removed], data[removed:removed + added])
        data = data[removed + added:]
    try:
        # the graph directory may not exist yet: the loader starts with the build, before anything is written
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        if not (previous and update_store(data, Path(previous), Path(path), delta)):
            write_store(data, Path(path))
    except OSError as exc:
        print(f"{exc.errno or 0}\t{exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 -- the store's own errors, said in one line like any other
        print(f"0\tthe store could not be written ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})",
              file=sys.stderr)
        return 1
    return 0


def open_store(path: Path) -> Any:
    """The store of a build, read-only; GraphCorrupt when it cannot be read."""
    import pyoxigraph as ox

    try:
        return ox.Store.read_only(str(path))
    except OSError as exc:
        raise GraphCorrupt(f"{path} is damaged ({exc}); run `kg build` again to rebuild the graph") from None


def rdflib_term(term: Any) -> Any:
    """An Oxigraph term as rdflib's (a plain literal without its xsd:string, as rdflib reads N-Triples)."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype in (XSD_STRING, RDF_LANG_STRING) else URIRef(datatype))
    raise QueryError(f"the query returned a term kg cannot show ({type(term).__name__})")


def results(answer: Any, prepared: Prepared, limit: int | None) -> QueryResult:
    """Oxigraph's answer (solutions, a boolean or triples) as a QueryResult of rdflib terms."""
    import itertools

    import pyoxigraph as ox

    from .query import QueryResult

    if isinstance(answer, ox.QueryBoolean) or isinstance(answer, bool):
        return QueryResult("ASK", boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        names = [v.value for v in answer.variables]
        rows = [tuple(rdflib_term(solution[i]) for i in range(len(names)))
                for solution in itertools.islice(answer, None if limit is None else limit + 1)]
        cut = limit is not None and len(rows) > limit
        return QueryResult("SELECT", vars=names, rows=rows[:limit] if cut else rows, truncated=cut)
    triples = sorted(((rdflib_term(t.subject), rdflib_term(t.predicate), rdflib_term(t.object)) for t in answer),
                     key=lambda t: tuple(x.n3() for x in t))
    cut = limit is not None and len(triples) > limit
    return QueryResult(prepared.kind, triples=triples[:limit] if cut else triples, truncated=cut)


def store_runner(path: Path | None, text: str, prepared: Prepared, bindings: dict[str, Term],
                 limit: int | None) -> Callable[[], QueryResult]:
    """A function that runs the query on the build's store (called in the query's worker)."""
    from .query import PREFIXES, bound_text

    assert path is not None

    def run() -> QueryResult:

        from .sparql import syntax_error

        store = open_store(path)
        # Oxigraph's own substitutions bind only variables the query selects: the terms are written in instead
        bound = bound_text(text, bindings)
        try:
            answer = store.query(bound, prefixes=PREFIXES)
            return results(answer, prepared, limit)
        except SyntaxError as exc:
            raise syntax_error(str(exc), text) from None
        except OSError as exc:
            raise GraphCorrupt(f"{path} is damaged ({exc}); run `kg build` again to rebuild the graph") from None

    return run


def endpoint_runner(source: Any, text: str, prepared: Prepared, bindings: dict[str, Term],
                    limit: int | None) -> Callable[[], QueryResult]:
    """A function that runs the query on the endpoint the graph lives in (called in the query's worker)."""

    def run() -> QueryResult:
        return source.client.select(text, prepared, bindings, limit, graph=source.graph)

    return run


def endpoint_address(source: Any) -> tuple[str, int] | None:
    """The host and port the query's worker may connect to: the endpoint's, and no other."""
    client = getattr(source, "client", None)
    return client.address() if client is not None else None
