"""The relation vocabulary: one table, from which every other list of relation kinds is derived.

The graph's dependency predicates, the names `kg impact --relation` accepts, the
kinds of dependency `kg impact --kind` follows, the export styles and the relations
a diagram draws by default all read this table;
`tests/test_relations.py` checks that `ontology.ttl` declares exactly these
relations, with `dependsOn` above every dependency kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# What a hop of an impact walk is, from the strongest tie to the weakest: an outage of the target stops a
# runtime or hosting dependent, stops a build/deploy dependent from being deployed or provisioned again,
# and leaves a backup dependent without its backups.
IMPACT_KINDS: tuple[str, ...] = ("runtime", "hosting", "build", "backup")
DEFAULT_IMPACT_KINDS: tuple[str, ...] = ("runtime", "hosting")  # what `kg impact` follows unless --kind says
# what `kg deps` follows unless --kind says: what a component needs includes where its backups go; a tool that
# only deploys or provisions it is no dependency of it
DEFAULT_DEPENDENCY_KINDS: tuple[str, ...] = ("runtime", "hosting", "backup")
KIND_LABELS = {"runtime": "runtime", "hosting": "hosting", "build": "build/deploy", "backup": "backup"}
# `runsOn` a cluster or a provider is hosting; runsOn anything else (a runtime, a database) stays runtime
HOSTING_CATEGORY_WORDS: tuple[str, ...] = ("cluster", "kubernetes", "k8s", "orchestration", "compute",
                                           "infrastructure", "hosting", "cloud", "server", "vps")


def hosting_category(category: str) -> bool:
    """Whether a category says its entity is where things run: a cluster, a Kubernetes, a cloud, a server."""
    words = category.lower()
    return any(w in words for w in HOSTING_CATEGORY_WORDS)


@dataclass(frozen=True)
class RelationKind:
    """One relation kind: its name, the family it is drawn as, whether it is a dependency, whether views draw it,
    and the kind of dependency it is for `kg impact` (with which end is the dependent)."""

    name: str
    family: str  # dependency, decision, rejection, lifecycle, operation, ownership, other
    dependency: bool  # a sub-property of kg:dependsOn in the ontology
    drawn: bool  # drawn by default in diagrams
    impact: str = ""  # one of IMPACT_KINDS: the walk `kg impact` follows it as; "" never
    reverse: bool = False  # the object depends on the subject (Flux deploys X: X needs Flux to be deployed)


RELATIONS: tuple[RelationKind, ...] = (
    RelationKind("dependsOn", "dependency", True, True, "runtime"),
    RelationKind("storesDataIn", "dependency", True, True, "runtime"),
    RelationKind("backsUpTo", "dependency", True, True, "backup"),
    RelationKind("consumesFrom", "dependency", True, True, "runtime"),
    RelationKind("publishesTo", "dependency", True, True, "runtime"),
    RelationKind("runsOn", "dependency", True, True, "runtime"),  # hosting on a cluster or provider: hop_kind
    # a product depends on the vendor that provides it (if Cloudflare is down, so is R2);
    # drawn in the muted style of operations, so vendor edges do not crowd the dependencies
    RelationKind("providedBy", "operation", True, True, "hosting"),
    RelationKind("relatedTo", "other", False, False),
    RelationKind("deploys", "operation", False, True, "build", reverse=True),
    RelationKind("monitors", "operation", False, True),
    RelationKind("scales", "operation", False, True),
    RelationKind("provisions", "operation", False, True, "build", reverse=True),
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
IMPACT_PREDICATES: tuple[str, ...] = tuple(r.name for r in RELATIONS if r.impact)
REVERSED_PREDICATES: frozenset[str] = frozenset(r.name for r in RELATIONS if r.reverse)


def family(name: str) -> str:
    """The family a relation kind is drawn as ("other" for a name that is no relation)."""
    kind = BY_NAME.get(name)
    return kind.family if kind else "other"


# the relations whose impact kind depends on what they point at (see hop_kind)
KIND_BY_TARGET: frozenset[str] = frozenset({"runsOn"})


def hop_kind(name: str, target_type: str = "", target_category: str = "") -> str:
    """The impact kind of one hop: the relation's, except that runsOn a provider or a cluster is hosting.

    `target_*` describe what the dependent relies on (the object, or the subject of a reversed relation).
    """
    kind = BY_NAME[name].impact if name in BY_NAME else ""
    if name in KIND_BY_TARGET:
        if target_type == "Vendor" or hosting_category(target_category):
            return "hosting"
    return kind


def relation_kind(rel: Mapping[str, Any], entity: Callable[[str], Mapping[str, Any]]) -> str:
    """The impact kind of a relation record, reading what it points at (`entity(key)`) only when that decides."""
    predicate = rel["predicate"]
    if predicate not in KIND_BY_TARGET:
        return hop_kind(predicate)
    relied_on = entity(rel["subject"] if predicate in REVERSED_PREDICATES else rel["object"])
    return hop_kind(predicate, relied_on["type"], str(relied_on["props"].get("category") or ""))


def _chosen(names: list[str] | tuple[str, ...], known: tuple[str, ...], groups: dict[str, tuple[str, ...]],
            what: str) -> set[str]:
    """The names a user gave (repeated or comma-separated), with `groups` standing for several; UsageError for one
    that is not `known`."""
    from .errors import UsageError

    chosen: set[str] = set()
    for item in names:
        for raw in (p.strip() for p in item.split(",")):
            if raw in groups:
                chosen.update(groups[raw])
            elif raw in known:
                chosen.add(raw)
            elif raw:
                raise UsageError(f"unknown {what} {raw}; one of: {', '.join((*groups, *known))}")
    if not chosen:
        raise UsageError(f"no {what} given")
    return chosen


def parse_kinds(names: str | list[str] | tuple[str, ...] | None,
                default: tuple[str, ...] = DEFAULT_IMPACT_KINDS) -> tuple[str, ...]:
    """Impact kinds a user named (runtime, hosting, build or deploy, backup, all; comma-separated or repeated),
    in their canonical order; `default` for none; UsageError for a name that is no kind."""
    if not names:
        return default
    if isinstance(names, str):
        names = [names]
    # spellings people use for a kind
    lowered = [n.lower().replace("build/deploy", "build").replace("backups", "backup") for n in names]
    lowered = [re.sub(r"\bdeploy\b", "build", re.sub(r"\bhost\b", "hosting", n)) for n in lowered]
    chosen = _chosen(lowered, IMPACT_KINDS, {"all": IMPACT_KINDS}, "kind")
    return tuple(k for k in IMPACT_KINDS if k in chosen)


def expand_relations(names: list[str] | tuple[str, ...]) -> list[str]:
    """Relation kinds a user named ("storesDataIn", "dependsOn" for every kind of dependency, "all", or
    comma-separated), in the canonical order; UsageError for a name that is no relation."""
    chosen = _chosen(names, RELATION_PREDICATES, {"dependsOn": DEPENDENCY_PREDICATES, "all": RELATION_PREDICATES},
                     "relation")
    return [r for r in RELATION_PREDICATES if r in chosen]
