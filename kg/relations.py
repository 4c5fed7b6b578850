"""The relation vocabulary: one table, from which every other list of relation kinds is derived.

The graph's dependency predicates, the names `kg impact --relation` accepts, the
export styles and the relations a diagram draws by default all read this table;
`tests/test_relations.py` checks that `ontology.ttl` declares exactly these
relations, with `dependsOn` above every dependency kind.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RelationKind:
    """One relation kind: its name, the family it is drawn as, whether it is a dependency, whether views draw it."""

    name: str
    family: str  # dependency, decision, rejection, lifecycle, operation, ownership, other
    dependency: bool  # a kind of kg:dependsOn: `kg impact` follows it
    drawn: bool  # drawn by default in diagrams


RELATIONS: tuple[RelationKind, ...] = (
    RelationKind("dependsOn", "dependency", True, True),
    RelationKind("storesDataIn", "dependency", True, True),
    RelationKind("backsUpTo", "dependency", True, True),
    RelationKind("consumesFrom", "dependency", True, True),
    RelationKind("publishesTo", "dependency", True, True),
    RelationKind("runsOn", "dependency", True, True),
    # a product depends on the vendor that provides it (if Cloudflare is down, so is R2);
    # drawn in the muted style of operations, so vendor edges do not crowd the dependencies
    RelationKind("providedBy", "operation", True, True),
    RelationKind("relatedTo", "other", False, False),
    RelationKind("deploys", "operation", False, True),
    RelationKind("monitors", "operation", False, True),
    RelationKind("scales", "operation", False, True),
    RelationKind("provisions", "operation", False, True),
    RelationKind("replacedBy", "lifecycle", False, True),
    RelationKind("decides", "decision", False, True),
    RelationKind("rejects", "rejection", False, True),
    RelationKind("supersedes", "lifecycle", False, True),
    RelationKind("ownedBy", "ownership", False, True),
    RelationKind("describes", "other", False, False),
    RelationKind("documentedIn", "other", False, False),
    RelationKind("mentions", "other", False, False),
    RelationKind("linksTo", "other", False, False),
    RelationKind("inRepository", "other", False, False),
)

BY_NAME: dict[str, RelationKind] = {r.name: r for r in RELATIONS}
RELATION_PREDICATES: tuple[str, ...] = tuple(r.name for r in RELATIONS)
DEPENDENCY_PREDICATES: tuple[str, ...] = tuple(r.name for r in RELATIONS if r.dependency)
DRAWN_BY_DEFAULT: tuple[str, ...] = tuple(r.name for r in RELATIONS if r.drawn)


def family(name: str) -> str:
    """The family a relation kind is drawn as ("other" for a name that is no relation)."""
    kind = BY_NAME.get(name)
    return kind.family if kind else "other"
