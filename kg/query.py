"""SPARQL over the built graph: named queries from queries/, parameters bound as values, run safely.

A query is a named query (`dependents`), a path to an `.rq` file or inline SPARQL. Its header
comment declares what it answers and the parameters it takes:

    # name: dependents
    # description: What depends on a component, transitively, with the depth of each.
    # param: component (entity) - the component whose dependents to list
    # param: max_depth (integer, optional) - only dependents at most this many hops away

A parameter is bound to the query variable of the same name as a value (rdflib initBindings), never
pasted into the text: an `entity` parameter is resolved like `kg impact` resolves names and bound as
the entity's IRI, the other kinds as typed literals. A bound variable is bound everywhere in the
query, OPTIONAL blocks included, so a query uses a parameter in a required pattern or in a FILTER.
(rdflib cannot ORDER BY an expression that fails on some rows, LCASE of an unbound variable say:
named queries wrap such keys in COALESCE.)

Safety: the text is parsed before anything runs (a syntax error is a QueryError with line and
column); SPARQL Update is refused unless asked for and then only changes the graph in memory; SERVICE,
FROM/FROM NAMED, USING and LOAD, the ways a query could make rdflib fetch a URL or read a file, are
refused before evaluation; evaluation runs in a forked worker process (a thread where fork is not
available) that is stopped when the time limit passes.
"""

from __future__ import annotations

import datetime
import functools
import gc
import itertools
import json
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import KgError, QueryError, UsageError
from .graph import ID, NS, RELATION_PREDICATES, _lit, key_of
from .graph import iri as entity_iri
from .resources import queries_dir

if TYPE_CHECKING:
    import pandas as pd
    from rdflib import Graph
    from rdflib.query import Result

    from .api import KnowledgeGraph

DEFAULT_TIMEOUT = 30.0
PARAM_KINDS = ("entity", "string", "integer", "date", "relation")
RESULT_FORMATS = ("table", "json", "csv", "tsv", "markdown")
QUERY_SUFFIXES = (".rq", ".sparql")
DEFAULT_MEMORY_MB = 2048  # what one query may allocate on top of the graph it reads

# Declared for inline queries (named queries declare their own, so other SPARQL tools can run them).
PREFIXES = {
    "kg": NS,
    "kgid": ID,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
}

_HEADER_FIELD = re.compile(r"^#\s*(name|description|param)\s*:\s*(.*?)\s*$", re.IGNORECASE)
_PARAM = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<spec>[^)]*)\)\s*(?:[-\u2013\u2014:]\s*)?(?P<desc>.*)$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class QueryTimeout(KgError):
    """A query that ran past its time limit and was stopped."""


class QueryMemoryError(KgError):
    """A query that needed more memory than its limit and was stopped."""


# ---------------------------------------------------------------- the query library


@dataclass(frozen=True)
class Param:
    """A declared query parameter: the variable it binds, its kind and what it means."""

    name: str
    kind: str = "entity"
    required: bool = True
    description: str = ""

    def describe(self) -> str:
        return f"{self.name} ({self.kind}{'' if self.required else ', optional'})"


@dataclass
class NamedQuery:
    """A query with its header: a named one from queries/, an .rq file, or inline text."""

    name: str
    text: str
    description: str = ""
    params: list[Param] = field(default_factory=list)
    path: Path | None = None
    declared: bool = False  # True when the header declares the parameters (then no others are accepted)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `kg query --list --format json`."""
        return {"name": self.name, "description": self.description,
                "params": [{"name": p.name, "kind": p.kind, "required": p.required, "description": p.description}
                           for p in self.params],
                "path": str(self.path) if self.path else None}


def parse_header(text: str, name: str = "") -> NamedQuery:
    """Read the header comment of a query (`# name:`, `# description:`, `# param:` lines) into a NamedQuery."""
    description = ""
    params: list[Param] = []
    declared = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            break
        m = _HEADER_FIELD.match(line)
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2)
        if key == "name":
            name = name or value
        elif key == "description":
            description = value
        else:
            declared = True
            params.append(_parse_param(value, name))
    return NamedQuery(name=name, text=text, description=description, params=params, declared=declared)


def _parse_param(value: str, query: str) -> Param:
    m = _PARAM.match(value)
    if not m:
        raise QueryError(f"query {query or '(inline)'}: cannot read `# param: {value}`; "
                         "write `# param: NAME (KIND[, optional]) - what it means`")
    words = [w.strip().lower() for w in m.group("spec").split(",") if w.strip()]
    kinds = [w for w in words if w in PARAM_KINDS]
    unknown = [w for w in words if w not in PARAM_KINDS and w not in ("optional", "required")]
    if unknown or len(kinds) > 1:
        raise QueryError(f"query {query or '(inline)'}: parameter {m.group('name')}: unknown kind "
                         f"{', '.join(unknown or kinds)}; one of: {', '.join(PARAM_KINDS)}")
    return Param(m.group("name"), kinds[0] if kinds else "entity", "optional" not in words, m.group("desc").strip())


def named_queries() -> dict[str, NamedQuery]:
    """The named queries shipped in queries/, by name (the file name without .rq)."""
    out: dict[str, NamedQuery] = {}
    directory = queries_dir()
    for path in sorted(directory.glob("*.rq")) if directory.is_dir() else []:
        q = parse_header(path.read_text(encoding="utf-8"), path.stem)
        q.name, q.path = path.stem, path
        out[path.stem] = q
    return out


def load_query(q: str) -> NamedQuery:
    """The query `q` names: a named query, a path to a .rq file, or inline SPARQL."""
    if not q or not q.strip():
        raise UsageError("a query is required: a named query (kg query --list), a path to an .rq file, or SPARQL")
    library = named_queries()
    if q in library:
        return library[q]
    text = q.strip()
    looks_like_sparql = any(c.isspace() for c in text) or "{" in text
    if not looks_like_sparql:
        path = Path(q).expanduser()
        if path.is_file() and path.suffix.lower() not in QUERY_SUFFIXES:
            # never read (and so never quote in an error) a file that is no query: `kg query /etc/shadow`
            raise UsageError(f"{q}: not a query file (a SPARQL query file ends in {' or '.join(QUERY_SUFFIXES)})")
        if path.is_file():
            try:
                return _from_file(path)
            except OSError as exc:
                raise UsageError(f"{q}: cannot read: {exc.strerror or exc}") from exc
        if q.endswith(".rq") or os.sep in q:
            raise UsageError(f"{q}: no such query file")
        import difflib

        close = difflib.get_close_matches(q, list(library), n=3, cutoff=0.5)
        hint = f"; closest: {', '.join(close)}" if close else "; kg query --list shows them"
        raise UsageError(f"no named query {q}{hint}")
    return parse_header(q, "")


def _from_file(path: Path) -> NamedQuery:
    found = parse_header(path.read_text(encoding="utf-8"), "")
    found.name, found.path = found.name or path.stem, path
    return found


# ---------------------------------------------------------------- parsing and safety


@dataclass
class Prepared:
    """A parsed, checked query or update: the rdflib object, its form and the variables it uses."""

    kind: str  # SELECT, ASK, CONSTRUCT, DESCRIBE or UPDATE
    parsed: Any
    variables: frozenset[str]
    star_order: tuple[str, ...] = ()  # for SELECT *: the variables in the order the text first uses them


def prepare(text: str, allow_update: bool = False) -> Prepared:
    """Parse SPARQL and check it is safe to run; syntax errors and refusals are QueryErrors."""
    found = _prepare_cached(text)
    if found.kind == "UPDATE" and not allow_update:
        raise QueryError("SPARQL Update is refused: queries run read-only "
                         "(--allow-update changes the graph in memory, never the stored graph)")
    return found


@functools.lru_cache(maxsize=64)
def _prepare_cached(text: str) -> Prepared:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        parsed_query = parseQuery(text)
    except ParseBaseException as query_error:
        try:
            parsed_update = parseUpdate(text)
        except ParseBaseException as update_error:
            # report the reading that got further into the text: it is the one the author meant
            raise _syntax_error(update_error if update_error.loc > query_error.loc else query_error) from None
        try:
            update = translateUpdate(parsed_update, initNs=PREFIXES)
        except Exception as exc:  # rdflib raises plain Exceptions (unknown prefix…)
            raise QueryError(f"cannot read the update: {exc}") from None
        _check_update(update)
        return Prepared("UPDATE", update, frozenset(_variables(update.algebra)))
    try:
        query = translateQuery(parsed_query, initNs=PREFIXES)
    except Exception as exc:
        raise QueryError(f"cannot read the query: {exc}") from None
    _check_query(query)
    kind = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
            "DescribeQuery": "DESCRIBE"}[query.algebra.name]
    variables = frozenset(_variables(query.algebra))
    star: tuple[str, ...] = ()
    if kind == "SELECT" and "projection" not in parsed_query[1]:
        # rdflib projects SELECT * from a set, in no stable order; use the order of the text
        first = {v: m.start() for v in variables if (m := re.search(r"[?$]" + re.escape(v) + r"\b", text))}
        star = tuple(sorted(variables, key=lambda v: (first.get(v, len(text)), v)))
    return Prepared(kind, query, variables, star)


def _syntax_error(exc: Any) -> QueryError:
    msg = re.sub(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)\s*$", "", str(exc.msg if hasattr(exc, "msg") else exc))
    near = exc.line.strip()
    near = near if len(near) <= 60 else near[:59] + "…"
    return QueryError(f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {msg} (in: {near})")


def _walk(node: Any) -> Iterable[Any]:
    """Every CompValue (algebra node) under node, depth first."""
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    seen: set[int] = set()
    while stack:
        cur = stack.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        if isinstance(cur, CompValue):
            yield cur
            stack.extend(cur.values())
        elif isinstance(cur, Mapping):
            stack.extend(cur.values())
        elif isinstance(cur, (list, tuple, set, frozenset)):
            stack.extend(cur)


def _variables(node: Any) -> set[str]:
    from rdflib.term import Variable

    out: set[str] = set()
    stack = [node]
    seen: set[int] = set()
    while stack:
        cur = stack.pop()
        if isinstance(cur, Variable):
            if not str(cur).startswith("__"):  # rdflib's own (__agg_1__…)
                out.add(str(cur))
            continue
        if id(cur) in seen or isinstance(cur, str):
            continue
        seen.add(id(cur))
        if isinstance(cur, Mapping):
            stack.extend(cur.keys())
            stack.extend(cur.values())
        elif isinstance(cur, (list, tuple, set, frozenset)):
            stack.extend(cur)
    return out


def _field(node: Any, name: str) -> Any:
    # CompValue.get(name) answers the name itself when the field is absent
    return node[name] if name in node else None


def _refuse_network(nodes: Iterable[Any]) -> None:
    for node in nodes:
        if node.name == "ServiceGraphPattern":
            raise QueryError(f"SERVICE <{_field(node, 'term')}> is refused: kg queries never reach the network; "
                             "query the local graph only")


def _check_query(query: Any) -> None:
    if _field(query.algebra, "datasetClause"):
        raise QueryError("FROM / FROM NAMED is refused: a query reads the built graph only, "
                         "and rdflib would fetch or read the named source")
    _refuse_network(_walk(query.algebra))


def _check_update(update: Any) -> None:
    for op in update.algebra:
        if op.name == "Load":
            raise QueryError(f"LOAD <{_field(op, 'iri')}> is refused: kg never fetches data from a query")
        if _field(op, "using"):
            raise QueryError("USING / USING NAMED is refused: an update reads the built graph only")
    _refuse_network(_walk(update.algebra))


# ---------------------------------------------------------------- parameters


XSD_NS = "http://www.w3.org/2001/XMLSchema#"

# A bound value, before it is an engine's term: ("iri", text) or ("lit", lexical form, datatype IRI or "", language)
Term = tuple[str, ...]


def bind_params(kg: KnowledgeGraph, query: NamedQuery, prepared: Prepared,
                params: Mapping[str, Any] | None, neutral: bool = False) -> dict[str, Any]:
    """Resolve parameter values to RDF terms, keyed by variable name; unknown or missing ones are UsageErrors.

    The terms are rdflib's, or with `neutral` kg's own tuples (see Term) that every engine turns into its
    terms, so that answering from the store needs no rdflib.
    """
    given = {str(k).replace("-", "_"): v for k, v in (params or {}).items() if v is not None}
    bindings: dict[str, Term] = {}
    for name, value in sorted(given.items()):
        spec = query.param(name)
        if spec is None:
            if query.declared:
                known = ", ".join(p.describe() for p in query.params) or "none"
                raise UsageError(f"query {query.name or '(inline)'} has no parameter {name}; its parameters: {known}")
            if not _NAME.match(name) or name not in prepared.variables:
                raise UsageError(f"parameter {name} is not a variable of the query "
                                 f"(its variables: {', '.join(sorted(prepared.variables)) or 'none'})")
            bindings[name] = _from_rdflib(value) or _infer(kg, name, value)
        else:
            bindings[name] = _from_rdflib(value) or _coerce(kg, spec, value)
    missing = [p for p in query.params if p.required and p.name not in bindings]
    if missing:
        need = " ".join(f"--param {p.name}=…" for p in missing)
        what = "; ".join(f"{p.describe()}: {p.description}" if p.description else p.describe() for p in missing)
        raise UsageError(f"query {query.name} needs {need} ({what})")
    return bindings if neutral else {k: to_rdflib_term(v) for k, v in bindings.items()}


def _from_rdflib(value: Any) -> Term | None:
    """An rdflib term a notebook passed as a value, as a Term (None for any other value)."""
    if "rdflib" not in sys.modules or not type(value).__module__.startswith("rdflib"):
        return None
    from rdflib import Literal, URIRef

    if isinstance(value, URIRef):
        return ("iri", str(value))
    if isinstance(value, Literal):
        return ("lit", str(value), str(value.datatype or ""), value.language or "")
    return None


def to_rdflib_term(term: Term) -> Any:
    """A Term as rdflib's."""
    from rdflib import Literal, URIRef

    if term[0] == "iri":
        return URIRef(term[1])
    _, text, datatype, lang = term
    if lang:
        return Literal(text, lang=lang)
    if datatype == XSD_NS + "integer":
        return Literal(int(text))  # as rdflib writes an int: the same term, normalised
    return Literal(text, datatype=URIRef(datatype) if datatype else None)


def ntriples_term(term: Term) -> str:
    """A Term written as N-Triples (escaped by kg, never the user's text as it came)."""
    if term[0] == "iri":
        return f"<{term[1]}>"
    _, text, datatype, lang = term
    return _lit(text) + f"@{lang}" if lang else _lit(text, datatype or "")


def bound_text(text: str, bindings: Mapping[str, Term]) -> str:
    """The query with each parameter written in as a term kg escapes (kg.sparql.substitute), for the
    engines that take text: the build's store and an endpoint."""
    from .sparql import substitute

    return substitute(text, {k: ntriples_term(v) for k, v in bindings.items()}) if bindings else text


def _iri(text: str) -> Term:
    return ("iri", text)


def _literal(value: Any) -> Term:
    """A Python value as the literal rdflib would make of it."""
    if isinstance(value, bool):
        return ("lit", "true" if value else "false", XSD_NS + "boolean", "")
    if isinstance(value, int):
        return ("lit", str(value), XSD_NS + "integer", "")
    if isinstance(value, float):
        return ("lit", repr(value), XSD_NS + "double", "")
    if isinstance(value, datetime.date):
        return ("lit", value.isoformat(), XSD_NS + "date", "")
    return ("lit", str(value), "", "")


def _coerce(kg: KnowledgeGraph, spec: Param, value: Any) -> Term:
    text = str(value).strip()
    if spec.kind == "entity":
        if isinstance(value, Mapping) and "key" in value:
            return _iri(entity_iri(value["key"]))
        return _iri(entity_iri(kg.find(str(value))["key"]))
    if spec.kind == "integer":
        if isinstance(value, bool) or not re.fullmatch(r"[+-]?\d+", text):
            raise UsageError(f"parameter {spec.name} must be a whole number, not {_shown(value)}")
        return _literal(_whole_number(spec.name, text))
    if spec.kind == "date":
        if isinstance(value, datetime.date):
            return _literal(value)
        try:
            day = datetime.date.fromisoformat(text)
        except ValueError:
            raise UsageError(f"parameter {spec.name} must be a date (YYYY-MM-DD), not {value!r}") from None
        return _literal(day)
    if spec.kind == "relation":
        return _iri(NS + _relation_name(spec.name, text))
    return _literal(str(value))


def _relation_name(param: str, text: str) -> str:
    bare = text[len(NS):] if text.startswith(NS) else text.removeprefix("kg:")
    for name in RELATION_PREDICATES:
        if name.lower() == bare.lower():
            return name
    raise UsageError(f"parameter {param}: unknown relation {text}; one of: {', '.join(RELATION_PREDICATES)}")


def _infer(kg: KnowledgeGraph, name: str, value: Any) -> Term:
    """A value for an undeclared parameter: "quoted" text, <iri>, a number, or else an entity name."""
    if isinstance(value, bool | int | float | datetime.date):
        return _literal(value)
    text = str(value)
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return _literal(text[1:-1])
    if text.startswith("<") and text.endswith(">"):
        inner = text[1:-1]
        if not re.fullmatch(r"[^\s<>\"{}|\\^`]+", inner):
            raise UsageError(f"parameter {name}: {text} is not an IRI")
        return _iri(inner)
    if re.fullmatch(r"[+-]?\d+", text):
        return _literal(_whole_number(name, text))
    return _iri(entity_iri(kg.find(text)["key"]))


MAX_DIGITS = 18  # a parameter is a depth or a count: nothing needs more, and int() refuses past 4,300 digits


def _whole_number(name: str, text: str) -> int:
    if len(text.lstrip("+-")) > MAX_DIGITS:
        raise UsageError(f"parameter {name}: a number of {len(text.lstrip('+-')):,} digits is out of range "
                         f"(at most {MAX_DIGITS} digits)")
    return int(text)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


# ---------------------------------------------------------------- running


@dataclass
class QueryResult:
    """What a query returned: rows (SELECT), a boolean (ASK), triples (CONSTRUCT, DESCRIBE) or a change (UPDATE)."""

    kind: str
    vars: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Any, Any, Any]] = field(default_factory=list)
    truncated: bool = False
    added: int = 0
    removed: int = 0
    name: str = ""
    output: Any = None  # what `render` made of the result in the worker, when run_query was given one

    def to_rdflib(self) -> Result:
        """The rdflib Result (for its W3C serializers)."""
        from rdflib import Graph
        from rdflib.query import Result
        from rdflib.term import Variable

        if self.kind == "UPDATE":
            raise QueryError("an update has no result to serialize")
        res = Result(self.kind)
        if self.kind == "SELECT":
            res.vars = [Variable(v) for v in self.vars]
            res.bindings = [{Variable(v): t for v, t in zip(self.vars, row) if t is not None} for row in self.rows]
        elif self.kind == "ASK":
            res.askAnswer = bool(self.boolean)
        else:
            g = Graph()
            for prefix, ns in PREFIXES.items():
                g.bind(prefix, ns)
            for t in self.triples:
                g.add(t)
            res.graph = g
        return res


ENGINES = ("auto", "oxigraph", "rdflib")


def choose_engine(kg: KnowledgeGraph, engine: str = "auto", allow_update: bool = False) -> str:
    """The engine a query runs on: an endpoint's when the graph lives there; else the build's on-disk
    Oxigraph store, unless the rdflib graph is already in memory (a notebook changed it) or an update
    asks to change the graph in memory; rdflib for a build without a store."""
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine}; one of: {', '.join(ENGINES)}")
    if getattr(kg.source, "endpoint", None):
        return "endpoint"
    if engine != "auto":
        if engine == "oxigraph" and kg.store_path() is None:
            raise UsageError("this graph has no Oxigraph store (built by an older kg, or in memory); "
                             "run `kg build` again or use --engine rdflib")
        return engine
    if allow_update or "graph" in kg.__dict__ or kg.store_path() is None:
        return "rdflib"
    return "oxigraph"


def run_query(kg: KnowledgeGraph, q: str | NamedQuery, params: Mapping[str, Any] | None = None,
              timeout: float | None = DEFAULT_TIMEOUT, allow_update: bool = False,
              limit: int | None = None, memory_mb: int | None = DEFAULT_MEMORY_MB,
              render: Callable[[QueryResult], Any] | None = None, engine: str = "auto") -> QueryResult:
    """Run a named query, an .rq file or inline SPARQL on the graph, with parameters bound as values.

    The worker that evaluates the query is limited in time and in memory (`memory_mb` of address space
    beyond the graph); `render`, when given, turns the result into its output in the worker too, so the
    time limit covers the output as well (the rows are then dropped and the output is in `result.output`).
    `engine` is auto (see choose_engine), oxigraph or rdflib: every engine gives the same rows.
    """
    query = q if isinstance(q, NamedQuery) else load_query(q)
    chosen = choose_engine(kg, engine, allow_update)
    if chosen == "rdflib":
        prepared = prepare(query.text, allow_update=allow_update)
    else:
        from .sparql import check

        checked = check(query.text, allow_update=False)
        prepared = Prepared(checked.kind, None, frozenset(checked.variables), checked.variables)
    bindings = bind_params(kg, query, prepared, params, neutral=chosen != "rdflib")
    if limit is not None and limit < 0:
        raise UsageError("--limit must be 0 or more")
    if timeout is not None and timeout <= 0:
        raise UsageError("--timeout must be more than 0 seconds")
    if memory_mb is not None and memory_mb <= 0:
        raise UsageError("--max-memory must be more than 0 MB")
    use_fork = _worker_mode() == "fork"

    def finished(found: QueryResult) -> QueryResult:  # in the worker: named, and rendered when asked
        found.name = query.name
        if render is not None:
            found.output = render(found)
            found.rows, found.triples = [], []  # only the output crosses back to the caller
        return found

    if chosen != "rdflib":
        from . import engines

        if chosen == "endpoint":
            run = engines.endpoint_runner(kg.source, query.text, prepared, bindings, limit)
        else:
            run = engines.store_runner(kg.store_path(), query.text, prepared, bindings, limit)

        def remote() -> QueryResult:
            return finished(run())

        allowed = engines.endpoint_address(kg.source) if chosen == "endpoint" else None
        answer: QueryResult = _in_worker(remote, timeout, use_fork, memory_mb, allowed)
        return answer
    graph = kg.graph
    if prepared.kind == "UPDATE":
        # the worker changes a copy (the forked process's, or an explicit one) and hands back the difference
        target = graph if use_fork else _copy(graph)
        added, removed = _in_worker(lambda: _update(target, prepared, bindings), timeout, use_fork, memory_mb)
        for t in removed:
            graph.remove(t)
        for t in added:
            graph.add(t)
        return QueryResult("UPDATE", added=len(added), removed=len(removed), name=query.name)

    def evaluate() -> QueryResult:
        return finished(_evaluate(graph, prepared, bindings, limit))

    result: QueryResult = _in_worker(evaluate, timeout, use_fork, memory_mb)
    return result


def _evaluate(graph: Graph, prepared: Prepared, bindings: dict[str, Any], limit: int | None) -> QueryResult:
    res = graph.query(prepared.parsed, initBindings=bindings)
    if prepared.kind == "ASK":
        return QueryResult("ASK", boolean=bool(res.askAnswer))
    if prepared.kind == "SELECT":
        names = [str(v) for v in res.vars or []]
        rows = [tuple(r) for r in itertools.islice(res, None if limit is None else limit + 1)]  # type: ignore[arg-type]
        if prepared.star_order and set(prepared.star_order) >= set(names):
            order = sorted(range(len(names)), key=lambda i: prepared.star_order.index(names[i]))
            names = [names[i] for i in order]
            rows = [tuple(row[i] for i in order) for row in rows]
        cut = limit is not None and len(rows) > limit
        return QueryResult("SELECT", vars=names, rows=rows[:limit] if cut else rows, truncated=cut)
    triples = sorted(res.graph or (), key=lambda t: tuple(x.n3() for x in t))
    cut = limit is not None and len(triples) > limit
    return QueryResult(prepared.kind, triples=triples[:limit] if cut else triples, truncated=cut)


def _update(graph: Graph, prepared: Prepared, bindings: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    from rdflib.plugins.sparql.update import evalUpdate

    before = set(graph)
    evalUpdate(graph, prepared.parsed, initBindings=bindings)
    after = set(graph)
    return list(after - before), list(before - after)


def _copy(graph: Graph) -> Graph:
    from rdflib import Graph

    g = Graph()
    for t in graph:
        g.add(t)
    return g


def _worker_mode() -> str:
    """fork on Linux (a forked process can be stopped however it is stuck); a thread elsewhere or when asked."""
    import multiprocessing

    mode = os.environ.get("KG_QUERY_WORKER", "").strip().lower()
    if mode in ("fork", "thread"):
        return mode if mode == "thread" or "fork" in multiprocessing.get_all_start_methods() else "thread"
    return "fork" if sys.platform.startswith("linux") else "thread"


def _in_worker(fn: Callable[[], Any], timeout: float | None, use_fork: bool, memory_mb: int | None = None,
               allowed: tuple[str, int] | None = None) -> Any:
    # a thread cannot be limited in memory on its own: only the forked worker is
    return _in_fork(fn, timeout, memory_mb, allowed) if use_fork else _in_thread(fn, timeout)


def _timeout_error(timeout: float | None) -> QueryTimeout:
    return QueryTimeout(f"query stopped after {timeout:g} s (the time limit; --timeout sets it)")


def _failure(kind: str, message: str) -> QueryError:
    hint = ""
    if kind == "TypeError" and "not supported between" in message:
        hint = (" (rdflib cannot ORDER BY an expression that fails on some rows, such as LCASE of an unbound "
                "variable; wrap it in COALESCE)")
    return QueryError(f"the query failed: {kind}: {message}{hint}")


def _limit_memory(memory_mb: int | None) -> None:
    """In the worker process only: its address space may grow by memory_mb beyond what it has now."""
    if memory_mb is None:
        return
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            now = int(statm.read().split()[0]) * resource.getpagesize()
        limit = now + memory_mb * 2**20
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError):
        pass  # no /proc or no RLIMIT_AS here: the time limit still holds


def _memory_error(memory_mb: int | None) -> QueryMemoryError:
    return QueryMemoryError(f"the query ran out of memory (the limit is {memory_mb or 0:,} MB beyond the graph; "
                      "--max-memory sets it)")


def _in_fork(fn: Callable[[], Any], timeout: float | None, memory_mb: int | None = None,
             allowed: tuple[str, int] | None = None) -> Any:
    """Run fn in a forked process limited in memory; stop the process when the time limit passes."""
    import multiprocessing
    import warnings

    ctx = multiprocessing.get_context("fork")
    reader, writer = ctx.Pipe(duplex=False)

    def child() -> None:
        reader.close()
        # generators that die of MemoryError are finalised with "Exception ignored" noise on stderr
        sys.unraisablehook = lambda _hook_args: None
        # the store's engine (Rust) aborts with a message of its own when the memory limit stops an allocation:
        # the parent says it in one line, so the worker writes nothing to the terminal
        _quiet_stderr()
        _block_network(allowed)
        _limit_memory(memory_mb)
        # a user's query may make cycles as it evaluates, under a memory limit: the collector runs here
        # (the `kg` program turns it off for kg's own work: kg.memory)
        gc.enable()
        try:
            payload: tuple[str, Any] = ("ok", fn())
        except MemoryError:
            payload = ("memory", None)
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent as a message
            payload = ("error", (type(exc).__name__, str(exc), isinstance(exc, UsageError)))
        try:
            writer.send(payload)
        except MemoryError:
            writer.send(("memory", None))
        except Exception as exc:  # an unpicklable value
            writer.send(("error", (type(exc).__name__, f"cannot return the result: {exc}", False)))
        writer.close()

    proc = ctx.Process(target=child, name="kg-query", daemon=True)
    with warnings.catch_warnings():  # Python ≥ 3.12 warns about fork in a threaded process; the child only evaluates
        warnings.simplefilter("ignore", DeprecationWarning)
        proc.start()
    writer.close()
    try:
        if not reader.poll(timeout):
            raise _timeout_error(timeout)
        status, value = reader.recv()
    except EOFError:
        proc.join(2)
        if memory_mb is not None and proc.exitcode is not None and proc.exitcode < 0:
            raise _memory_error(memory_mb) from None  # killed while allocating, most likely past its limit
        raise KgError(f"the query worker stopped without an answer (exit code {proc.exitcode})") from None
    finally:
        reader.close()
        if proc.is_alive():
            proc.terminate()
            proc.join(2)
            if proc.is_alive():
                proc.kill()
        proc.join()
    if status == "ok":
        return value
    if status == "memory":
        raise _memory_error(memory_mb)
    kind, message, usage = value
    raise QueryError(message) if usage else _failure(kind, message)


def _quiet_stderr() -> None:
    """In the worker process only: stderr goes nowhere (every outcome returns through the pipe)."""
    import faulthandler

    faulthandler.disable()
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        pass


def _block_network(allowed: tuple[str, int] | None = None) -> None:
    """In the worker process only: any attempt to reach the network raises (audit hooks cannot be removed),
    but for the one endpoint the user named (`allowed`: its host and port)."""
    blocked = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto", "urllib.Request",
               "http.client.connect"}

    def to_endpoint(event: str, args: tuple[Any, ...]) -> bool:
        if allowed is None:
            return False
        host, port = allowed
        if event == "urllib.Request":
            from urllib.parse import urlsplit

            url = urlsplit(str(args[0]))
            return url.hostname == host and (url.port or (443 if url.scheme == "https" else 80)) == port
        if event == "http.client.connect":  # (connection, host, port)
            return str(args[1]) == host and args[2] in (port, str(port), None)
        if event == "socket.getaddrinfo":  # (host, port, …)
            return str(args[0]) == host and args[1] in (port, str(port), None)
        if event == "socket.gethostbyname":
            return str(args[0]) == host
        if event == "socket.connect":
            address = args[1]
            return isinstance(address, tuple) and len(address) >= 2 and address[1] == port
        return False

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in blocked and not to_endpoint(event, args):
            raise PermissionError(f"kg queries never reach the network ({event})")

    sys.addaudithook(hook)


class _Stopped(BaseException):
    """Raised inside a timed-out worker thread to stop it."""


def _in_thread(fn: Callable[[], Any], timeout: float | None) -> Any:
    """Run fn in a thread; when the time limit passes, raise an exception in it and stop waiting."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except _Stopped:
            pass
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            box["error"] = exc

    worker = threading.Thread(target=target, name="kg-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        # evaluation is pure Python, so the exception lands at its next bytecode (a long C call ends first)
        import ctypes

        if worker.ident is not None:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident), ctypes.py_object(_Stopped))
        raise _timeout_error(timeout)
    if "error" in box:
        exc = box["error"]
        if isinstance(exc, KgError):
            raise exc
        raise _failure(type(exc).__name__, str(exc)) from exc
    return box["value"]


# ---------------------------------------------------------------- labels and output


def term_label(kg: KnowledgeGraph, term: Any) -> str:
    """How a term reads to a person: an entity's label, kg:terms by local name, literals by value."""
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import RDFS

    if term is None:
        return ""
    if isinstance(term, Literal):
        return str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    text = str(term)
    if isinstance(term, URIRef) and text.startswith(ID):
        ent = kg.entities.get(key_of(text))
        if ent is not None:
            return str(ent["label"])
        label = kg.graph.value(term, RDFS.label)
        return str(label) if label is not None else "kgid:" + text[len(ID):]
    if text.startswith(NS):
        return text[len(NS):]
    for prefix, ns in sorted(PREFIXES.items(), key=lambda p: -len(p[1])):
        if text.startswith(ns) and re.fullmatch(r"[A-Za-z_][\w.-]*", text[len(ns):]):
            return f"{prefix}:{text[len(ns):]}"
    return text


def _python_value(term: Any) -> Any:
    from rdflib import Literal

    if isinstance(term, Literal):
        value = term.toPython()
        return str(term) if isinstance(value, Literal) else value
    return term


def display_rows(kg: KnowledgeGraph, result: QueryResult) -> tuple[list[dict[str, Any]], list[str]]:
    """SELECT rows (or CONSTRUCT triples) as label strings, for tables."""
    if result.kind == "SELECT":
        columns = list(result.vars)
        return [{c: term_label(kg, t) for c, t in zip(columns, row)} for row in result.rows], columns
    columns = ["subject", "predicate", "object"]
    return [{c: term_label(kg, t) for c, t in zip(columns, triple)} for triple in result.triples], columns


def query_frame(kg: KnowledgeGraph, q: str, params: Mapping[str, Any] | None = None, *,
                timeout: float | None = DEFAULT_TIMEOUT, limit: int | None = None,
                memory_mb: int | None = DEFAULT_MEMORY_MB, engine: str = "auto") -> pd.DataFrame:
    """Run a query read-only into a DataFrame: IRIs become labels, each such column keeps its IRIs in `<col>_iri`."""
    import pandas as pd

    result = run_query(kg, q, params, timeout=timeout, limit=limit, memory_mb=memory_mb, engine=engine,
                       render=lambda found: _frame_columns(kg, found))  # labelled in the worker, within the limit
    if result.kind == "ASK":
        return pd.DataFrame({"boolean": [bool(result.boolean)]})
    data, iris = result.output
    frame = pd.DataFrame({**data, **{k: v for k, v in iris.items() if k not in data}},
                         columns=[*data, *(k for k in iris if k not in data)])
    frame.attrs["query"] = result.name
    frame.attrs["truncated"] = result.truncated
    return frame


def _frame_columns(kg: KnowledgeGraph, result: QueryResult) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    from rdflib import URIRef

    columns = list(result.vars) if result.kind == "SELECT" else ["subject", "predicate", "object"]
    rows = result.rows if result.kind == "SELECT" else result.triples
    data: dict[str, list[Any]] = {}
    iris: dict[str, list[Any]] = {}
    for i, col in enumerate(columns):
        terms = [row[i] for row in rows]
        if any(isinstance(t, URIRef) for t in terms):
            data[col] = [term_label(kg, t) if isinstance(t, URIRef) else _python_value(t) for t in terms]
            iris[f"{col}_iri"] = [str(t) if isinstance(t, URIRef) else None for t in terms]
        else:
            data[col] = [_python_value(t) for t in terms]
    return data, iris


def serialize(result: QueryResult, fmt: str) -> str:
    """A result in a W3C SPARQL 1.1 results format (json, csv, tsv); CONSTRUCT/DESCRIBE as Turtle or JSON-LD."""
    if result.kind in ("CONSTRUCT", "DESCRIBE"):
        graph = result.to_rdflib().graph
        assert graph is not None
        return graph.serialize(format="json-ld" if fmt == "json" else "turtle").rstrip("\n")
    if result.kind == "ASK":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": bool(result.boolean)}, indent=2)
        return "true" if result.boolean else "false"
    if fmt == "json":
        data = json.loads(result.to_rdflib().serialize(format="json") or b"{}")
        return json.dumps({"head": data["head"], "results": data["results"]}, indent=2, ensure_ascii=False)
    if fmt == "csv":
        return _neutralised_csv((result.to_rdflib().serialize(format="csv") or b"").decode("utf-8")).rstrip("\r\n")
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in result.vars)]
        lines += ["\t".join(_tsv_term(t) for t in row) for row in result.rows]
        return "\n".join(lines)
    raise UsageError(f"unknown result format {fmt}; one of: json, csv, tsv")


def _neutralised_csv(text: str) -> str:
    """The W3C CSV results with every cell a spreadsheet would run as a formula neutralised (kg.escape)."""
    import csv
    import io

    from .escape import csv_cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in csv.reader(io.StringIO(text, newline="")):
        writer.writerow([csv_cell(cell) for cell in row])
    return out.getvalue()


def _tsv_term(term: Any) -> str:
    """A term as the W3C TSV results format writes it: Turtle syntax, on one line."""
    from rdflib import BNode, Literal
    from rdflib.namespace import XSD

    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    if not isinstance(term, Literal):
        return f"<{term}>"
    text = str(term)
    if term.datatype == XSD.integer and re.fullmatch(r"[+-]?\d+", text):
        return text
    if term.datatype == XSD.boolean and text in ("true", "false"):
        return text
    quoted = '"' + (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                    .replace("\r", "\\r").replace("\t", "\\t")) + '"'
    if term.language:
        return f"{quoted}@{term.language}"
    if term.datatype is not None and term.datatype != XSD.string:
        return f"{quoted}^^<{term.datatype}>"
    return quoted


__all__ = ["DEFAULT_MEMORY_MB", "DEFAULT_TIMEOUT", "NamedQuery", "Param", "Prepared", "QueryMemoryError",
           "QueryResult", "QueryTimeout",
           "bind_params", "display_rows", "load_query", "named_queries", "parse_header", "prepare", "query_frame",
           "run_query", "serialize", "term_label"]
