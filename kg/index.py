"""The question index: entities, names and relations of one build in SQLite, read a row at a time.

`kg impact`, `kg deps` and `kg show` need a handful of entities and the relations around them, never the
whole model: loading `model.json` for every question cost seconds on a large workspace. The index keeps
each entity and relation as the JSON record the model holds (so answers are the same, byte for byte),
keyed so that a name, an entity or the relations into and out of it are one indexed lookup. A walk reads
less: each relation's ends, confidence and impact kind from covering indexes, the records of the hops it
shows, and an entity's mentions (its evidence, kept apart) only when something shows them.

The file is written once by a build (`write_index`) and then only read, opened immutable (no locks, no
journal); its size and sha256 are in the build's meta.json like every other file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from .errors import GraphCorrupt
from .names import name_key
from .relations import relation_kind

SCHEMA = """
CREATE TABLE entities (key TEXT PRIMARY KEY, type TEXT NOT NULL, record TEXT NOT NULL, evidence TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE names (name TEXT NOT NULL, key TEXT NOT NULL);
CREATE TABLE relations (id INTEGER PRIMARY KEY, subject TEXT NOT NULL, predicate TEXT NOT NULL, object TEXT NOT NULL,
                        confidence REAL, kind TEXT NOT NULL, record TEXT NOT NULL);
CREATE TABLE info (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
"""
# The indexes cover what a walk reads of a relation (its ends, confidence and impact kind): a level of a walk
# is read from them alone, and a relation's record (its evidence) only for the hops an answer shows.
INDEXES = """
CREATE INDEX names_by_name ON names (name);
CREATE INDEX relations_by_subject ON relations (subject, predicate, id, object, confidence, kind);
CREATE INDEX relations_by_object ON relations (object, predicate, id, subject, confidence, kind);
"""

FORMAT = 2  # recorded in the build's meta.json: an index of another format is not read (the model is)


def entity_names(ent: Mapping[str, Any]) -> set[str]:
    """The folded names an entity answers to: label, aliases and, for a document, its path."""
    names = {name_key(a) for a in {ent["label"], *ent["aliases"]}}
    if ent["type"] == "Document":
        names.add(name_key(ent["props"]["path"]))
    return names


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def write_index(model: dict[str, Any], path: Path) -> None:
    """Write the index of a model to `path` (a new file)."""
    db = sqlite3.connect(path)
    try:
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=8192;" + SCHEMA)
        _insert(db, model, {e["key"]: e for e in model["entities"]}, model["entities"], model["relations"])
        db.executescript(INDEXES)
        db.commit()
    finally:
        db.close()


def _insert(db: sqlite3.Connection, model: dict[str, Any], by_key: Mapping[str, dict[str, Any]],
            entities: list[dict[str, Any]], relations: list[dict[str, Any]]) -> None:
    """The rows of these entities and relations of a model (`by_key`: all its entities), and its repositories."""
    # an entity's evidence (every mention: most of its record) apart, read only by what shows it
    db.executemany("INSERT INTO entities VALUES (?, ?, ?, ?)",
                   ((e["key"], e["type"], _dumps({k: v for k, v in e.items() if k != "evidence"}),
                     _dumps(e["evidence"])) for e in entities))
    db.executemany("INSERT INTO names VALUES (?, ?)",
                   ((n, e["key"]) for e in entities for n in sorted(entity_names(e))))
    db.executemany("INSERT INTO relations (subject, predicate, object, confidence, kind, record) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   ((r["subject"], r["predicate"], r["object"], r.get("confidence"),
                     relation_kind(r, by_key.__getitem__), _dumps(r)) for r in relations))
    db.execute("DELETE FROM info WHERE name = 'repositories'")
    db.execute("INSERT INTO info VALUES (?, ?)", ("repositories", _dumps(model["repositories"])))


def patch_index(previous: bytes, model: dict[str, Any], entities: Mapping[str, dict[str, Any]],
                relations: Mapping[tuple[str, str, str], dict[str, Any]], changed_entities: set[str],
                changed_relations: set[tuple[str, str, str]], path: Path) -> None:
    """Write the index of `model` (its `entities` by key, `relations` by triple) to `path` from `previous`, the index
    of the previous build's model: only the rows of the entities and relations (triples) that went, came or changed
    are written, and those of the relations to and from such an entity (their impact kind reads its category). Its
    rows are the ones write_index writes; no answer depends on the order they were written in (each reads them in
    the model's order: names by key, relations by subject, predicate and object)."""
    changed_relations = changed_relations | {k for k in relations
                                             if k[0] in changed_entities or k[2] in changed_entities}
    path.write_bytes(previous)
    db = sqlite3.connect(path)
    try:
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
                         "CREATE TEMP TABLE changed (key TEXT PRIMARY KEY) WITHOUT ROWID;")
        db.executemany("INSERT INTO changed VALUES (?)", ((k,) for k in changed_entities))
        db.execute("DELETE FROM entities WHERE key IN changed")
        db.execute("DELETE FROM names WHERE key IN changed")  # one pass: names are indexed by name only
        db.executemany("DELETE FROM relations WHERE subject = ? AND predicate = ? AND object = ?", changed_relations)
        _insert(db, model, entities, [entities[k] for k in sorted(changed_entities) if k in entities],
                [relations[k] for k in sorted(changed_relations) if k in relations])
        db.commit()
    finally:
        db.close()


def _model_order(row: tuple[Any, ...]) -> tuple[str, str, str]:
    return row[1], row[2], row[3]  # (id, subject, predicate, object, ...): a model lists relations by their triple


BATCH = 500  # keys per statement: SQLite allows 32,766 variables; a few hundred keep each statement quick


class Source(Protocol):
    """Where a KnowledgeGraph reads entities and relations from one at a time (the index, an endpoint)."""

    def entity(self, key: str) -> dict[str, Any] | None: ...
    def keys_named(self, folded: str) -> list[str]: ...
    def out_edges(self, key: str) -> list[dict[str, Any]]: ...
    def in_edges(self, key: str) -> list[dict[str, Any]]: ...
    def all_entities(self) -> Iterator[dict[str, Any]]: ...
    def repositories(self) -> dict[str, str]: ...


class Index:
    """A read-only view of one build's index; every damage is GraphCorrupt naming the file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            # immutable: the file never changes once written, so SQLite takes no locks and reads no journal
            self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                                      check_same_thread=False)
        except sqlite3.Error as exc:
            raise self._damaged(exc) from None

    def _damaged(self, exc: Exception) -> GraphCorrupt:
        return GraphCorrupt(f"{self.path} is damaged ({exc}); run `kg build` again to rebuild the graph")

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        try:
            return self.db.execute(sql, args).fetchall()
        except (sqlite3.Error, ValueError) as exc:
            raise self._damaged(exc) from None

    def _json(self, text: str) -> Any:
        try:
            return json.loads(text)
        except ValueError as exc:
            raise self._damaged(exc) from None

    def entity(self, key: str) -> dict[str, Any] | None:
        """The entity record of a key, or None."""
        rows = self._rows("SELECT record, evidence FROM entities WHERE key = ?", (key,))
        return self._whole(*rows[0]) if rows else None

    def _whole(self, record: str, evidence: str) -> dict[str, Any]:
        found: dict[str, Any] = self._json(record)
        found["evidence"] = self._json(evidence)
        return found

    def _entity_evidence(self, key: str) -> list[dict[str, Any]]:
        rows = self._rows("SELECT evidence FROM entities WHERE key = ?", (key,))
        if not rows:
            raise self._damaged(ValueError(f"entity {key} is missing"))
        found: list[dict[str, Any]] = self._json(rows[0][0])
        return found

    def keys_named(self, folded: str) -> list[str]:
        """The keys of the entities that answer to a folded name, in the order the model lists them."""
        return [r[0] for r in self._rows("SELECT key FROM names WHERE name = ? ORDER BY key", (folded,))]

    def out_edges(self, key: str) -> list[dict[str, Any]]:
        """The relations from an entity, in the model's order."""
        return [self._json(r[0]) for r in self._rows("SELECT record FROM relations WHERE subject = ? "
                                                     "ORDER BY predicate, object",
                                                     (key,))]

    def in_edges(self, key: str) -> list[dict[str, Any]]:
        """The relations to an entity, in the model's order."""
        return [self._json(r[0]) for r in self._rows("SELECT record FROM relations WHERE object = ? "
                                                     "ORDER BY subject, predicate",
                                                     (key,))]

    def edges_with(self, key: str, end: str, predicates: frozenset[str]) -> list[dict[str, Any]]:
        """The relations with these predicates from (end "subject") or to (end "object") an entity, in the
        model's order: a walk along dependencies reads no mentions, however many documents name the entity."""
        return self.edges_with_many([key], end, predicates)[key]

    def edges_with_many(self, keys: list[str], end: str,
                        predicates: frozenset[str]) -> dict[str, list[dict[str, Any]]]:
        """`edges_with` of several entities in a few statements: a walk asks for a whole level of its
        breadth-first search at once (thousands of one-row statements were most of a large answer)."""
        column = "subject" if end == "subject" else "object"
        found: dict[str, list[dict[str, Any]]] = {key: [] for key in keys}
        wanted = sorted(predicates)
        for at in range(0, len(keys), BATCH):
            chunk = keys[at:at + BATCH]
            rows = self._rows(f"SELECT id, subject, predicate, object, confidence, kind FROM relations "
                              f"WHERE {column} IN ({','.join('?' * len(chunk))}) "
                              f"AND predicate IN ({','.join('?' * len(wanted))})", (*chunk, *wanted))
            # in the model's order (subject, predicate, object), sorted here: SQLite would sort on disk
            for i, s, p, o, c, kind in sorted(rows, key=_model_order):
                found[s if column == "subject" else o].append(LazyRecord(self, i, s, p, o, c, kind))
        return found

    def complete(self, records: Any) -> None:
        """Read the rest of these relation records (their evidence) together, for those read by a walk."""
        lazy = {r.id: r for r in records if isinstance(r, LazyRecord) and not r.read}
        ids = list(lazy)
        for at in range(0, len(ids), BATCH):
            chunk = ids[at:at + BATCH]
            for i, text in self._rows(f"SELECT id, record FROM relations WHERE id IN ({','.join('?' * len(chunk))})",
                                      tuple(chunk)):
                lazy[i].fill(self._json(text))

    def _record(self, relation_id: int) -> dict[str, Any]:
        rows = self._rows("SELECT record FROM relations WHERE id = ?", (relation_id,))
        if not rows:
            raise self._damaged(ValueError(f"relation {relation_id} is missing"))
        found: dict[str, Any] = self._json(rows[0][0])
        return found

    def entities_many(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The entity records of several keys in a few statements (those that exist), their evidence read
        only when asked for."""
        found: dict[str, dict[str, Any]] = {}
        for at in range(0, len(keys), BATCH):
            chunk = keys[at:at + BATCH]
            for key, text in self._rows(f"SELECT key, record FROM entities WHERE key IN "
                                        f"({','.join('?' * len(chunk))})", tuple(chunk)):
                found[key] = LazyEntity(self, key, self._json(text))
        return found

    def all_entities(self) -> Iterator[dict[str, Any]]:
        """Every entity record, by key (for the rare question that needs them all: close names)."""
        for record, evidence in self._rows("SELECT record, evidence FROM entities ORDER BY key"):
            yield self._whole(record, evidence)

    def repositories(self) -> dict[str, str]:
        """Repository name -> the folder it was read from."""
        rows = self._rows("SELECT value FROM info WHERE name = 'repositories'")
        return dict(self._json(rows[0][0])) if rows else {}


class LazyRecord(dict):  # type: ignore[type-arg]
    """A relation's record whose ends, predicate, confidence and impact kind are read at once (from the index's
    covering indexes) and the rest (its evidence) only when asked for: a walk passes many relations and shows
    the evidence of few."""

    __slots__ = ("_index", "id", "kind", "read")  # tens of thousands are made by one walk

    def __init__(self, index: Index, relation_id: int, subject: str, predicate: str, obj: str,
                 confidence: float | None, kind: str) -> None:
        super().__init__(subject=subject, predicate=predicate, object=obj)
        if confidence is not None:
            self["confidence"] = confidence
        self._index, self.id, self.kind, self.read = index, relation_id, kind, False

    def fill(self, record: dict[str, Any]) -> None:
        self.update(record)
        self.read = True

    def __missing__(self, key: str) -> Any:
        if self.read:
            raise KeyError(key)
        self.fill(self._index._record(self.id))
        return self[key]


class LazyEntity(dict):  # type: ignore[type-arg]
    """An entity's record whose evidence is read only when asked for: a walk's rows show an entity's name,
    type and status, and its mentions were most of the time a large answer took to read. Whatever looks at the
    whole record (iterating it, `get("evidence")`, `in`, comparing, copying, JSON) reads the evidence first, so
    the record is never seen without it."""

    def __init__(self, index: Index, key: str, record: dict[str, Any]) -> None:
        super().__init__(record)
        self._index, self._key = index, key

    def _whole(self) -> LazyEntity:
        if not dict.__contains__(self, "evidence"):
            dict.__setitem__(self, "evidence", self._index._entity_evidence(self._key))
        return self

    def __missing__(self, key: str) -> Any:
        if key != "evidence":
            raise KeyError(key)
        return dict.__getitem__(self._whole(), "evidence")

    def get(self, key: str, default: Any = None) -> Any:
        return dict.get(self._whole() if key == "evidence" else self, key, default)

    def __contains__(self, key: object) -> bool:
        return key == "evidence" or dict.__contains__(self, key)

    def __iter__(self) -> Iterator[str]:
        return dict.__iter__(self._whole())

    def __len__(self) -> int:
        return dict.__len__(self._whole())

    def keys(self) -> Any:
        return dict.keys(self._whole())

    def items(self) -> Any:
        return dict.items(self._whole())

    def values(self) -> Any:
        return dict.values(self._whole())

    def copy(self) -> dict[str, Any]:
        return dict(dict.items(self._whole()))

    def __eq__(self, other: object) -> bool:
        return dict.__eq__(self._whole(), other)

    __hash__ = None  # type: ignore[assignment]


class LazyMap(Mapping[str, Any]):
    """A mapping filled one key at a time from a source; iterating it reads everything once."""

    def __init__(self, one: Any, every: Any, many: Any = None) -> None:
        self._one = one  # key -> value or None
        self._every = every  # () -> iterable of (key, value)
        self._many = many  # [key] -> {key: value} of those that exist, when the source reads several at once
        self._cache: dict[str, Any] = {}
        self._complete = False

    def __getitem__(self, key: str) -> Any:
        if key in self._cache:
            return self._cache[key]
        if self._complete:
            raise KeyError(key)
        value = self._one(key)
        if value is None:
            raise KeyError(key)
        self._cache[key] = value
        return value

    def prefetch(self, keys: Any) -> None:
        """Read the values of these keys now, together, when the source can (a later lookup is then free)."""
        if self._many is None or self._complete:
            return
        missing = [k for k in dict.fromkeys(keys) if k not in self._cache]
        if missing:
            self._cache.update(self._many(missing))

    def _fill(self) -> None:
        if not self._complete:
            for key, value in self._every():
                self._cache.setdefault(key, value)
            self._complete = True

    def __iter__(self) -> Iterator[str]:
        self._fill()
        return iter(self._cache)

    def __len__(self) -> int:
        self._fill()
        return len(self._cache)
