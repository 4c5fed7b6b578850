"""The N-Triples of a rebuild from the previous build's: the lines that went and came, found from the parts of
the model that changed, and graph.nt patched with them.

A rebuild after a few changed documents changes a few parts of the model (an entity, the relations read from
those documents, their evidence). Making every line of the graph again, sorting and encoding a million of
them, took a third of a 10,000-document rebuild; the lines of the parts that changed are a few hundred.

A line is a triple, and the graph a set: two parts can write the same line (two kinds of dependency between
the same two entities both write `s kg:dependsOn o`; two relations read from one sentence share its evidence
node). So a line of a changed part goes or comes only when no unchanged part writes it too; the unchanged
parts that could are found by what such a line is about (`_sharing`). tests/test_graph_delta.py checks the
patched file against a cold build's, byte for byte, on edited, added and deleted documents.
"""

from __future__ import annotations

import hashlib
import operator
from collections import Counter
from dataclasses import dataclass
from typing import Any

from .graph import entity_lines, relation_lines, unresolved_lines
from .relations import DEPENDENCY_PREDICATES


@dataclass
class GraphDelta:
    """The lines a rebuild's graph lost and gained against the previous build's."""

    removed: list[bytes]  # sorted, UTF-8
    added: list[bytes]  # sorted, UTF-8

    def __len__(self) -> int:
        return len(self.removed) + len(self.added)


def graph_fingerprint(extension_lines: list[str] | None = None) -> str:
    """A hash of what makes a model's lines and index rows (the code that writes them, the ontology, a
    workspace's ontology extensions): a build is patched only from a previous build made the same way."""
    from pathlib import Path

    from . import __version__
    from .resources import ontology_path

    root = Path(__file__).parent
    h = hashlib.sha256(__version__.encode())
    for path in (root / "graph.py", root / "graph_delta.py", root / "relations.py", root / "index.py",
                 root / "names.py", ontology_path()):
        h.update(path.read_bytes())
    for line in sorted(extension_lines or []):
        h.update(line.encode("utf-8") + b"\n")
    return h.hexdigest()


_entity_key = operator.itemgetter("key")
_relation_key = operator.itemgetter("subject", "predicate", "object")  # (in C: a model has 70,000 relations)


def _ref_key(ref: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(sorted(ref.items()))


def _evidence_key(ev: dict[str, Any]) -> tuple[Any, ...]:
    return ev["document"], ev["line"], ev["method"], ev["text"]  # what names its node (graph.relation_lines)


@dataclass
class ModelChanges:
    """The parts of a model that differ from the previous build's: entities and relations by key, unresolved
    references as a multiset. Found once, read by the graph's delta and the index's patch."""

    old_entities: dict[str, dict[str, Any]]
    new_entities: dict[str, dict[str, Any]]
    old_relations: dict[tuple[str, str, str], dict[str, Any]]
    new_relations: dict[tuple[str, str, str], dict[str, Any]]
    old_refs: Counter[tuple[Any, ...]]
    new_refs: Counter[tuple[Any, ...]]
    entity_keys: set[str]  # the keys of the entities that went, came or changed
    relation_keys: set[tuple[str, str, str]]  # the triples of the relations that went, came or changed


def model_changes(old: dict[str, Any], new: dict[str, Any]) -> ModelChanges | None:
    """What changed from `old` to `new` (both made by kg.store.model_of), or None when the models cannot be
    compared part by part (an entity key or a relation written twice)."""
    old_entities = dict(zip(map(_entity_key, old["entities"]), old["entities"]))
    new_entities = dict(zip(map(_entity_key, new["entities"]), new["entities"]))
    old_relations = dict(zip(map(_relation_key, old["relations"]), old["relations"]))
    new_relations = dict(zip(map(_relation_key, new["relations"]), new["relations"]))
    if len(old_entities) != len(old["entities"]) or len(new_entities) != len(new["entities"]) or \
            len(old_relations) != len(old["relations"]) or len(new_relations) != len(new["relations"]):
        return None
    return ModelChanges(
        old_entities, new_entities, old_relations, new_relations,
        Counter(_ref_key(r) for r in old["unresolved"]), Counter(_ref_key(r) for r in new["unresolved"]),
        {k for k, e in new_entities.items() if old_entities.get(k) != e} | (old_entities.keys() - new_entities.keys()),
        {k for k, r in new_relations.items() if old_relations.get(k) != r} |
        (old_relations.keys() - new_relations.keys()))


def model_delta(old: dict[str, Any], new: dict[str, Any]) -> GraphDelta | None:
    """The lines `new`'s graph lost and gained against `old`'s, or None when they cannot be compared."""
    changes = model_changes(old, new)
    return graph_delta(changes, new) if changes is not None else None


def graph_delta(changes: ModelChanges, new: dict[str, Any]) -> GraphDelta:
    """The lines the `new` model's graph lost and gained against the previous one's."""
    c = changes
    gone_entities = [c.old_entities[k] for k in sorted(c.entity_keys) if k in c.old_entities]
    came_entities = [c.new_entities[k] for k in sorted(c.entity_keys) if k in c.new_entities]
    gone_relations = [c.old_relations[k] for k in sorted(c.relation_keys) if k in c.old_relations]
    came_relations = [c.new_relations[k] for k in sorted(c.relation_keys) if k in c.new_relations]
    gone_refs = [dict(k) for k in (c.old_refs - c.new_refs)]
    came_refs = [dict(k) for k in (c.new_refs - c.old_refs)]

    gone: set[str] = set()
    came: set[str] = set()
    for lines, entities, relations, refs in ((gone, gone_entities, gone_relations, gone_refs),
                                             (came, came_entities, came_relations, came_refs)):
        for ent in entities:
            entity_lines(ent, lines)
        for rel in relations:
            relation_lines(rel, lines)
        for ref in refs:
            unresolved_lines(ref, lines)
    gone, came = gone - came, came - gone
    if gone or came:
        kept = _sharing(new, c.new_entities, c.old_entities, c.old_relations,
                        gone_entities + came_entities, gone_relations + came_relations,
                        gone_refs + came_refs, c.old_refs)
        gone -= kept
        came -= kept
    return GraphDelta(sorted(line.encode("utf-8") for line in gone), sorted(line.encode("utf-8") for line in came))


def _sharing(new: dict[str, Any], new_entities: dict[str, Any], old_entities: dict[str, Any],
             old_relations: dict[tuple[str, str, str], Any], entities: list[dict[str, Any]],
             relations: list[dict[str, Any]], refs: list[dict[str, Any]], old_refs: Counter[Any]) -> set[str]:
    """The lines of the unchanged parts that could write a line of the changed ones: a changed part's line is
    about an entity (its own lines, and the triples of relations from it), a relation's statement (which only
    that relation writes), an evidence node (every relation with that evidence writes it) or an unresolved
    reference's node (every reference of that document, line and target writes it).

    Unchanged: the same in both models, so its lines are in both graphs."""
    about_entities = {e["key"] for e in entities}
    pairs: set[tuple[str, str]] = set()
    evidence: set[tuple[Any, ...]] = set()
    for rel in relations:
        about_entities.add(rel["subject"])
        if rel["predicate"] in DEPENDENCY_PREDICATES:
            pairs.add((rel["subject"], rel["object"]))
        evidence.update(_evidence_key(ev) for ev in rel["evidence"])
    documents = {key[0] for key in evidence}
    ref_nodes = {(r["document"], r["line"], r["target"]) for r in refs}

    out: set[str] = set()
    for key in about_entities:
        ent = new_entities.get(key)
        if ent is not None and old_entities.get(key) == ent:
            entity_lines(ent, out)
    for rel in new["relations"]:
        # a relation's lines about its subject are the triple and its kg:dependsOn: only the latter can be
        # another relation's (same subject and object, another kind of dependency); its evidence nodes
        # anyone's with the same evidence
        shares = (rel["subject"], rel["object"]) in pairs and rel["predicate"] in DEPENDENCY_PREDICATES or \
            any(ev["document"] in documents and _evidence_key(ev) in evidence for ev in rel["evidence"])
        if shares and old_relations.get(_relation_key(rel)) == rel:
            relation_lines(rel, out)
    if ref_nodes:
        for ref in new["unresolved"]:
            if (ref["document"], ref["line"], ref["target"]) in ref_nodes and old_refs[_ref_key(ref)]:
                unresolved_lines(ref, out)
    return out


def patched_ntriples(old: bytes, delta: GraphDelta) -> bytearray | None:
    """graph.nt with the delta applied: `old` is a graph.nt (sorted lines, kg.graph.ntriples_file), the result
    the file a cold build writes for the new graph. None when the delta does not fit `old` (a removed line
    that is not there, an added one that already is): the caller makes the whole file instead."""
    if old == b"\n":
        return None  # the empty graph's file: nothing to patch
    edits: list[tuple[int, int, bytes]] = []  # (where, how many bytes go, what comes)
    for line in delta.removed:
        at = _bisect(old, line)
        end = at + len(line)
        if old[at:end] != line or old[end:end + 1] != b"\n":
            return None
        edits.append((at, len(line) + 1, b""))
    for line in delta.added:
        at = _bisect(old, line)
        end = at + len(line)
        if old[at:end] == line and old[end:end + 1] == b"\n":
            return None
        edits.append((at, 0, line + b"\n"))
    # at one place, the added line (sorted before the one there) goes before the removal of that one
    edits.sort(key=lambda edit: (edit[0], edit[1]))
    out = bytearray()
    done = 0
    view = memoryview(old)
    for at, gone, came in edits:
        out += view[done:at]
        out += came
        done = at + gone
    out += view[done:]
    return out or bytearray(b"\n")


def _bisect(sorted_lines: bytes, line: bytes) -> int:
    """Where `line` is, or would go, in a text of lines sorted as bytes (each ending in a newline): the offset
    of the first line not less than it."""
    lo, hi = 0, len(sorted_lines)  # lo and hi are line starts (or the end); the answer lies between them
    while lo < hi:
        mid = (lo + hi) // 2
        start = max(sorted_lines.rfind(b"\n", lo, mid) + 1, lo)
        end = sorted_lines.find(b"\n", start)
        if end < 0:
            end = len(sorted_lines)
        if sorted_lines[start:end] < line:
            lo = end + 1
        else:
            hi = start
    return lo
