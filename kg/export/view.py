"""A view: the part of the graph one diagram draws (nodes, edges, groups), chosen and collapsed in one place.

Every exporter renders a View, so the choice of what to draw (a neighbourhood or
the whole platform, which relations, how to group, what to collapse when it is
too big) is made once, here, and every format draws the same picture.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..graph import expand_relations
from ..names import slug
from ..relations import DRAWN_BY_DEFAULT, IMPACT_PREDICATES

if TYPE_CHECKING:
    from ..api import KnowledgeGraph

# The architecture relations drawn by default; document plumbing (mentions,
# linksTo, documentedIn, describes, inRepository) and the vague relatedTo only when asked.
DEFAULT_RELATIONS: tuple[str, ...] = DRAWN_BY_DEFAULT
# the whole platform draws its dependencies only: operations (monitors, scales) and decisions would crowd it
PLATFORM_RELATIONS: tuple[str, ...] = tuple(r for r in DRAWN_BY_DEFAULT if r in IMPACT_PREDICATES)
ARCHITECTURE_TYPES = ("Component", "Vendor", "ADR", "Team")
DIRECTIONS = ("dependents", "dependencies", "both")
GROUP_BY = ("category", "repository", "none")
TYPE_ORDER = {"Component": 0, "Vendor": 1, "ADR": 2, "Team": 3, "Repository": 4, "Document": 5, "Group": 6}
_TYPE_GROUPS = {"Vendor": "Vendors", "ADR": "ADRs", "Team": "Teams", "Repository": "Repositories",
                "Document": "Documents"}
UNCATEGORISED = "other components"
NOT_IN_USE = ("not used", "removed", "replaced", "rejected", "retired", "deprecated", "superseded")
# a "category" that is a numbered step of a list ("0 - Bootstrap", "2. External") is no category
_NUMBERED = re.compile(r"^\s*\d+\s*[-–.):]\s*")
NO_REPOSITORY = "no repository"
MAX_EVIDENCE = 5  # per edge, so a collapsed edge does not carry hundreds


@dataclass
class ViewNode:
    """A drawn node: an entity, or a group of entities collapsed into one (type "Group")."""

    id: str  # entity key, or "group/<slug>" for a collapsed group
    label: str
    caption: str  # the text drawn in the node
    type: str
    status: str = ""
    category: str = ""
    layer: str = ""  # the index's part of the platform ("Data Layer"), where no category is known
    repository: str = ""
    group: str = ""  # id of the ViewGroup it is drawn in ("" when not grouped)
    focus: bool = False
    members: list[str] = field(default_factory=list)  # entity keys, for a collapsed group


@dataclass
class ViewEdge:
    """A drawn edge, subject -> object, with the evidence of the relation (or of every relation it stands for)."""

    source: str
    target: str
    relation: str
    evidence: list[dict[str, Any]] = field(default_factory=list)
    count: int = 1  # relations this edge stands for (more than 1 only between collapsed groups)

    @property
    def caption(self) -> str:
        return self.relation if self.count == 1 else f"{self.relation} ×{self.count}"


@dataclass
class ViewGroup:
    id: str
    label: str
    nodes: list[str] = field(default_factory=list)


@dataclass
class View:
    """What one diagram draws, in a deterministic order: nodes, edges, groups, and a note of what was collapsed."""

    title: str
    nodes: list[ViewNode]
    edges: list[ViewEdge]
    groups: list[ViewGroup]
    focus: list[str] = field(default_factory=list)  # entity keys
    depth: int | None = None
    direction: str = "both"
    relations: list[str] = field(default_factory=list)  # the relation kinds drawn
    group_by: str = "category"
    max_nodes: int = 150
    collapsed: str = ""  # what was collapsed, in words ("" when nothing was)
    # what the whole-platform view lists instead of drawing: (what, labels), e.g. ("alternatives not in use", [...])
    parked: list[tuple[str, list[str]]] = field(default_factory=list)
    source: KnowledgeGraph | None = field(default=None, repr=False, compare=False)

    def node(self, node_id: str) -> ViewNode:
        """The node with this id."""
        return self._index()[node_id]

    def _index(self) -> dict[str, ViewNode]:
        return {n.id: n for n in self.nodes}

    def to_dict(self) -> dict[str, Any]:
        """The view as plain JSON-ready data (without the graph it was built from)."""
        from dataclasses import asdict

        out = {f: getattr(self, f) for f in ("title", "focus", "depth", "direction", "relations", "group_by",
                                             "max_nodes", "collapsed", "parked")}
        out.update(nodes=[asdict(n) for n in self.nodes], edges=[asdict(e) for e in self.edges],
                   groups=[asdict(g) for g in self.groups])
        return out

    @property
    def entity_keys(self) -> list[str]:
        """Every entity the view stands for, collapsed members included, sorted."""
        keys: set[str] = set()
        for n in self.nodes:
            keys.update(n.members if n.type == "Group" else [n.id])
        return sorted(keys)


def safe_ids(view: View) -> dict[str, str]:
    """An id per node and group that is safe in Mermaid and XML: the key's slug (`component/redpanda` -> `component_redpanda`)."""
    return unique_ids([n.id for n in view.nodes] + [g.id for g in view.groups])


def unique_ids(keys: list[str]) -> dict[str, str]:
    """An id per key, safe in Mermaid and XML and unique among them: the key's slug, numbered when taken."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for key in keys:
        base = re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_") or "n"
        mid, n = base, 1
        while mid in used:
            n += 1
            mid = f"{base}_{n}"
        used.add(mid)
        out[key] = mid
    return out


# ---------------------------------------------------------------- choosing


def parse_relations(relations: list[str] | tuple[str, ...] | None) -> list[str]:
    """The relation kinds to draw: the default set, or the named ones (dependsOn = every dependency kind, all = all)."""
    if not relations:
        return list(DEFAULT_RELATIONS)
    return expand_relations(relations)


def build_view(kg: KnowledgeGraph, focus: list[str] | None = None, depth: int | None = None, direction: str = "both",
               relations: list[str] | None = None, group_by: str = "category", max_nodes: int = 150,
               min_confidence: float = 0.0) -> View:
    """The view of a neighbourhood (focus, depth, direction) or of the whole platform, grouped and collapsed;
    relations read with less than `min_confidence` are left out."""
    kg = kg.with_min_confidence(min_confidence)
    if direction not in DIRECTIONS:
        raise UsageError(f"unknown direction {direction}; one of: {', '.join(DIRECTIONS)}")
    if group_by not in GROUP_BY:
        raise UsageError(f"unknown grouping {group_by}; one of: {', '.join(GROUP_BY)}")
    if depth is not None and depth < 1:
        raise UsageError("--depth must be 1 or more")
    if max_nodes < 2:
        raise UsageError("--max-nodes must be 2 or more")
    if not focus and (depth is not None or direction != "both"):
        raise UsageError("--depth and --direction need --focus (without it the view is the whole platform)")
    if isinstance(focus, str):
        focus = [focus]
    kinds = parse_relations(relations)
    chosen = set(kinds)
    # with the default relations only the architecture entities are drawn; relations asked for by name
    # (documentedIn, linksTo…) bring in the documents and repositories they connect
    types = set(ARCHITECTURE_TYPES) if not relations else set(TYPE_ORDER)

    focus_keys: list[str] = []
    for name in focus or []:
        key = kg.find(name)["key"]
        if key not in focus_keys:
            focus_keys.append(key)

    if not focus_keys and not relations:
        kinds = list(PLATFORM_RELATIONS)  # the others are a --relation away
        chosen = set(kinds)
    if focus_keys:
        keys = _neighbourhood(kg, focus_keys, depth, direction, chosen, types)
        what = "dependents and dependencies" if direction == "both" else direction
        title = (f"{', '.join(kg.entities[k]['label'] for k in focus_keys)}: {what}"
                 f"{'' if depth is None else f', depth {depth}'}")
    else:
        keys, parked = _platform(kg, chosen, types, explicit=bool(relations))
        title = "Platform" + ("" if group_by == "none" else f" by {group_by}")

    repos = _repositories(kg) if group_by == "repository" else {}
    nodes = {k: _node(kg, k, k in focus_keys, repos) for k in keys}
    edges = [ViewEdge(r["subject"], r["object"], r["predicate"], [dict(e) for e in r["evidence"][:MAX_EVIDENCE]])
             for r in kg.model["relations"]
             if r["predicate"] in chosen and r["subject"] in nodes and r["object"] in nodes
             and r["subject"] != r["object"]]

    view = View(title=title, nodes=[], edges=[], groups=[], focus=focus_keys, depth=depth, direction=direction,
                relations=kinds, group_by=group_by, max_nodes=max_nodes, source=kg,
                parked=[] if focus_keys else parked)
    collapse_by = group_by if group_by != "none" else "category"
    if len(nodes) > max_nodes:
        if collapse_by == "repository" and not repos:
            repos = _repositories(kg)
        for n in nodes.values():
            n.group = _group_label(n, collapse_by, repos)
        nodes, edges, view.collapsed = _collapse(nodes, edges, max_nodes, collapse_by)
    edges = _merge_edges(edges)

    if group_by != "none":
        by_group: dict[str, list[str]] = {}
        for n in nodes.values():
            label = n.group if n.type == "Group" else _group_label(n, group_by, repos)
            by_group.setdefault(label, []).append(n.id)
        used: set[str] = set()
        for label in sorted(by_group, key=_group_sort_key):
            if not focus_keys and not relations and (len(by_group[label]) == 1 or label in _TYPE_GROUPS.values()):
                # in the whole platform a box round one component is only padding: its category goes in its
                # caption; vendors need no box, their shape says what they are
                only = nodes[by_group[label][0]]
                if len(by_group[label]) == 1 and only.type == "Component" and label != UNCATEGORISED:
                    only.caption = f"{only.caption} ({label})"
                continue
            gid = _unique_id("cluster/" + slug(label), used)
            members = sorted(by_group[label], key=lambda k: _node_sort_key(nodes[k]))
            view.groups.append(ViewGroup(gid, label, members))
            for k in members:
                nodes[k].group = gid
    for n in nodes.values():
        if n.group and not n.group.startswith("cluster/"):
            n.group = ""

    grouped = [k for g in view.groups for k in g.nodes]
    in_groups = set(grouped)
    order = grouped + sorted((k for k in nodes if k not in in_groups), key=lambda k: _node_sort_key(nodes[k]))
    view.nodes = [nodes[k] for k in order]
    view.edges = sorted(edges, key=lambda e: (e.source, e.target, e.relation))
    return view


def _neighbourhood(kg: KnowledgeGraph, start: list[str], depth: int | None, direction: str, kinds: set[str],
                   types: set[str]) -> list[str]:
    """The focus entities and what they reach: upstream (dependents), downstream (dependencies) or both walks."""
    found = set(start)
    for walk in ("dependents", "dependencies") if direction == "both" else (direction,):
        level, _parents = kg.reach(start, kinds, walk, depth, types)
        found.update(level)
    return sorted(found)


def _platform(kg: KnowledgeGraph, kinds: set[str], types: set[str],
              explicit: bool) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The whole platform: with the default relations, the components in use and the vendors related to them,
    with the unused alternatives and the vendors without relations set aside as lists; with relations asked
    for by name, every component and vendor and what those relations connect them to."""
    if explicit:
        base = {k for k, e in kg.entities.items() if e["type"] in ("Component", "Vendor")}
        keys = set(base)
        for rel in kg.model["relations"]:
            if rel["predicate"] not in kinds:
                continue
            for this, other in ((rel["subject"], rel["object"]), (rel["object"], rel["subject"])):
                if this in base and kg.entities[other]["type"] in types:
                    keys.add(other)
        return sorted(keys), []
    in_use = {k for k, e in kg.entities.items() if e["type"] == "Component"
              and str(e["props"].get("status") or "").lower() not in NOT_IN_USE}
    vendors = {k for k, e in kg.entities.items() if e["type"] == "Vendor"}
    related: set[str] = set()
    for rel in kg.model["relations"]:
        if rel["predicate"] in kinds:
            for this, other in ((rel["subject"], rel["object"]), (rel["object"], rel["subject"])):
                if this in vendors and other in in_use:
                    related.add(this)
    linked: set[str] = set()
    for rel in kg.model["relations"]:
        if rel["predicate"] in kinds and rel["subject"] != rel["object"]:
            if {rel["subject"], rel["object"]} <= in_use | related:
                linked.update((rel["subject"], rel["object"]))
    unused = sorted((kg.entities[k]["label"] for k, e in kg.entities.items()
                     if e["type"] == "Component" and k not in in_use), key=str.lower)
    idle = sorted((kg.entities[k]["label"] for k in vendors - related), key=str.lower)
    alone = sorted((kg.entities[k]["label"] for k in in_use - linked), key=str.lower)
    # the picture is the platform's dependencies; what has none in the docs is named, not drawn
    parked = [(f"in use, no dependency in the docs ({len(alone)})", alone)] if alone else []
    parked += [(f"alternatives not in use ({len(unused)})", unused)] if unused else []
    parked += [(f"vendors without relations ({len(idle)})", idle)] if idle else []
    return sorted(linked), parked


def _caption(ent: dict[str, Any]) -> str:
    if ent["type"] == "ADR" and ent["props"].get("title"):
        title = ent["props"]["title"]
        if len(title) > 48:  # cut at a word, so "(VPA/KEDA/PDB/…" does not end mid-name
            title = (title[:47].rsplit(" ", 1)[0] if " " in title[:47] else title[:47]).rstrip(" -:,(") + "…"
        return f"{ent['label']}: {title}"
    return ent["label"]


def _node(kg: KnowledgeGraph, key: str, focus: bool, repos: dict[str, str]) -> ViewNode:
    ent = kg.entities[key]
    props = ent["props"]
    status = str(props.get("status") or props.get("standing") or "")
    return ViewNode(id=key, label=ent["label"], caption=_caption(ent), type=ent["type"], status=status,
                    category=str(props.get("category") or ""), layer=str(props.get("layer") or ""),
                    repository=repos.get(key, ""), focus=focus)


def _repositories(kg: KnowledgeGraph) -> dict[str, str]:
    """The repository each entity belongs to: the one that describes it, else where most of its evidence is."""
    described: dict[str, list[str]] = {}
    for rel in kg.model["relations"]:
        if rel["predicate"] == "describes" and kg.entities[rel["subject"]]["type"] == "Repository":
            described.setdefault(rel["object"], []).append(kg.entities[rel["subject"]]["label"])
    out: dict[str, str] = {}
    for key, ent in kg.entities.items():
        props = ent["props"]
        if key in described:
            out[key] = sorted(described[key])[0]
        elif ent["type"] == "Repository":
            out[key] = ent["label"]
        elif props.get("repository"):
            out[key] = str(props["repository"])
        elif props.get("repositories"):
            out[key] = sorted(props["repositories"])[0]
        else:
            counts = Counter(ev["document"].split("/", 1)[0] for ev in ent["evidence"] if ev.get("document"))
            if counts:
                out[key] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return out


def _category(text: str) -> str:
    return "" if _NUMBERED.match(text) else text


def _group_label(node: ViewNode, group_by: str, repos: dict[str, str]) -> str:
    if group_by == "repository":
        return repos.get(node.id) or node.repository or NO_REPOSITORY
    if node.type == "Component":
        return _category(node.category) or node.layer or UNCATEGORISED
    return _TYPE_GROUPS.get(node.type, node.type)


def _group_sort_key(label: str) -> tuple[int, str]:
    # categories first (alphabetically), then the catch-all, then the groups of other entity types
    if label in (UNCATEGORISED, NO_REPOSITORY):
        return (1, label)
    if label in _TYPE_GROUPS.values():
        return (2, f"{list(_TYPE_GROUPS.values()).index(label):02d}")
    return (0, label.lower())


def _node_sort_key(node: ViewNode) -> tuple[int, int, str, str]:
    return (0 if node.focus else 1, TYPE_ORDER.get(node.type, 9), node.label.lower(), node.id)


def _collapse(nodes: dict[str, ViewNode], edges: list[ViewEdge], max_nodes: int,
              group_by: str) -> tuple[dict[str, ViewNode], list[ViewEdge], str]:
    """Collapse the biggest groups (never a focus node) into one node each until the view fits in max_nodes."""
    total = len(nodes)
    groups: dict[str, list[str]] = {}
    for n in nodes.values():
        if not n.focus:
            groups.setdefault(n.group, []).append(n.id)
    count = total
    into: dict[str, str] = {}
    done: list[tuple[str, int]] = []
    for label, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if count <= max_nodes:
            break
        if len(members) < 2:
            continue
        gid = _unique_id("group/" + slug(label), set(nodes))
        members.sort()
        kinds = Counter(nodes[k].type for k in members)
        what = ", ".join(f"{n} {t}" for t, n in sorted(kinds.items(), key=lambda kv: TYPE_ORDER.get(kv[0], 9)))
        into.update((k, gid) for k in members)
        done.append((label, len(members)))
        group_node = ViewNode(id=gid, label=label, caption=f"{label} ({len(members)}: {what})", type="Group",
                              group=label, members=members)
        for k in members:
            del nodes[k]
        nodes[gid] = group_node
        count -= len(members) - 1
    rest = sorted(k for k, n in nodes.items() if n.type != "Group" and not n.focus)
    if count > max_nodes and len(rest) >= 2:
        # many groups of one (a category per component): what is left goes in one node of its own
        label = "smaller groups"
        gid = _unique_id("group/" + slug(label), set(nodes))
        into.update((k, gid) for k in rest)
        done.append((label, len(rest)))
        nodes[gid] = ViewNode(id=gid, label=label, caption=f"{label} ({len(rest)} entities)", type="Group",
                              group=label, members=rest)
        for k in rest:
            del nodes[k]
    moved = [ViewEdge(into.get(e.source, e.source), into.get(e.target, e.target), e.relation, e.evidence)
             for e in edges]
    moved = [e for e in moved if e.source != e.target]  # relations inside one collapsed group
    note = (f"{total} nodes are more than {max_nodes}: collapsed {sum(n for _, n in done)} nodes into "
            f"{len(done)} group node{'s' if len(done) != 1 else ''} by {group_by} ("
            + ", ".join(f"{label}: {n}" for label, n in done) + ")") if done else \
        f"{total} nodes are more than {max_nodes}, and no group could be collapsed"
    return nodes, moved, note


def _unique_id(base: str, used: set[str]) -> str:
    """`base`, or `base-2`, `base-3`… when two labels slug alike; remembered in `used`."""
    out, n = base, 1
    while out in used:
        n += 1
        out = f"{base}-{n}"
    used.add(out)
    return out


def _merge_edges(edges: list[ViewEdge]) -> list[ViewEdge]:
    """One edge per (source, target, relation), counting the relations it stands for."""
    merged: dict[tuple[str, str, str], ViewEdge] = {}
    for e in edges:
        k = (e.source, e.target, e.relation)
        if k in merged:
            m = merged[k]
            m.count += e.count
            m.evidence = (m.evidence + e.evidence)[:MAX_EVIDENCE]
        else:
            merged[k] = ViewEdge(e.source, e.target, e.relation, list(e.evidence), e.count)
    return list(merged.values())
