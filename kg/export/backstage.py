"""Backstage catalog entities (catalog-info.yaml) of a view, so a team can seed its catalog from its docs.

Components become Component entities, or Resource entities where their category is infrastructure a
component needs (a database, object storage, a cache, a queue); teams become Groups; the layers (or the
Backstage systems a catalog read earlier named) become Systems. Each entity carries the dependencies
between the exported entities as `spec.dependsOn`, its owner as `spec.owner`, its lifecycle from its status,
and links to the documents it was read from. Vendors, ADRs and documents have no Backstage kind and are left
out, as the file's header says. The same view gives the same bytes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..relations import DEPENDENCY_PREDICATES

if TYPE_CHECKING:
    from .view import View

API_VERSION = "backstage.io/v1alpha1"
# categories of infrastructure a component needs: Backstage's Resource kind, with the spec.type to give it
RESOURCE_TYPES = (("database", r"database|\bdb\b|postgres|sql|nosql"), ("storage", r"object stor|storage|bucket|s3"),
                  ("cache", r"cache|key.value|in.memory"), ("queue", r"queue|messag|stream|broker|event"),
                  ("dns", r"\bdns\b"), ("cdn", r"\bcdn\b"))
LIFECYCLE = {"in use": "production", "proposed": "experimental", "mentioned": "production", "replaced": "deprecated",
             "removed": "deprecated", "not used": "deprecated"}
UNASSIGNED = "unassigned"  # the Group that owns what the docs give no owner (Backstage requires one)
DEFAULT_SYSTEM = "platform"
_NAME_MAX = 63


def _name(text: str, used: dict[str, str], key: str) -> str:
    """A Backstage entity name: letters, digits and `-_.`, at most 63, starting and ending alphanumeric; unique."""
    if key in used:
        return used[key]
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", text.strip().lower())
    base = re.sub(r"[-_.]{2,}", "-", base).strip("-_.")[:_NAME_MAX].strip("-_.") or "entity"
    name, n = base, 1
    taken = set(used.values())
    while name in taken:
        n += 1
        suffix = f"-{n}"
        name = base[: _NAME_MAX - len(suffix)].strip("-_.") + suffix
    used[key] = name
    return name


def _tag(text: str) -> str:
    tag = re.sub(r"[^a-z0-9:+#]+", "-", text.lower()).strip("-")
    return tag[:_NAME_MAX].strip("-")


def _kind_of(ent: dict[str, Any]) -> tuple[str, str]:
    """(Backstage kind, spec.type) of a component, by its category and purpose."""
    props = ent["props"]
    category = str(props.get("category") or "")
    if category.lower() == "api":
        return "Component", "api"
    text = f"{category} {props.get('purpose') or ''}".lower()
    for rtype, pattern in RESOURCE_TYPES:
        if re.search(pattern, category.lower() or text):
            return "Resource", rtype
    return "Component", "service"


def _links(view: View, ent: dict[str, Any]) -> list[dict[str, str]]:
    """Links to the web pages of the documents an entity was read from (where the build knew a web address)."""
    kg = view.source
    if kg is None:
        return []
    out: dict[str, str] = {}
    for ev in ent.get("evidence", []):
        url = kg.locate(ev["document"], None)["url"]
        if url.startswith("https://") and url not in out:
            out[url] = ev["document"]
    return [{"url": u, "title": t} for u, t in sorted(out.items())][:10]


def _owners(kg: Any, key: str) -> list[str]:
    """The teams that own a component: directly, else through a repository that holds it (sorted)."""
    def teams(k: str) -> list[str]:
        return sorted(r["object"] for r in kg.out_edges.get(k, []) if r["predicate"] == "ownedBy"
                      and kg.entities[r["object"]]["type"] == "Team")

    direct = teams(key)
    if direct:
        return direct
    holders = [r["subject"] for r in kg.in_edges.get(key, []) if r["predicate"] == "describes"
               and kg.entities[r["subject"]]["type"] == "Repository"]
    return sorted({t for h in holders for t in teams(h)})


def render_backstage(view: View, title: str | None = None) -> str:
    """Backstage catalog entities of the view's components and teams, as one multi-document YAML file."""
    import yaml

    kg = view.source
    if kg is None:
        raise ValueError("a Backstage export needs the graph the view was built from")
    keys = [k for k in view.entity_keys if kg.entities[k]["type"] == "Component"]
    exported = set(keys)
    names: dict[str, str] = {}
    owners_of = {k: _owners(kg, k) for k in keys}
    teams = sorted({k for k in view.entity_keys if kg.entities[k]["type"] == "Team"}
                   | {t for owners in owners_of.values() for t in owners})
    for k in teams:
        _name(kg.entities[k]["label"], names, k)
    kinds = {k: _kind_of(kg.entities[k]) for k in keys}
    for k in keys:
        _name(kg.entities[k]["label"], names, k)

    def ref(key: str) -> str:
        kind = "group" if key in teams else kinds[key][0].lower()
        return f"{kind}:default/{names[key]}"

    def owner(key: str) -> str:
        owners = owners_of[key]
        return ref(owners[0]) if owners else f"group:default/{UNASSIGNED}"

    def system(key: str) -> str:
        props = kg.entities[key]["props"]
        return str(props.get("system") or props.get("layer") or DEFAULT_SYSTEM)

    entities: list[dict[str, Any]] = []
    systems: dict[str, list[str]] = {}
    for k in keys:
        systems.setdefault(system(k), []).append(k)
    system_names = {s: _name(s, names, f"system/{s}") for s in sorted(systems)}
    unowned = any(owner(k).endswith(f"/{UNASSIGNED}") for k in keys)
    for k in teams:
        ent = kg.entities[k]
        entities.append(_entity("Group", names[k], ent["label"], ent["props"].get("purpose") or "",
                                {"type": "team", "children": []}))
    if unowned:
        entities.append(_entity("Group", UNASSIGNED, "Unassigned", "What the docs name no owner for; assign one.",
                                {"type": "team", "children": []}))
    for s in sorted(systems):
        owners = sorted(owner(k) for k in systems[s])
        entities.append(_entity("System", system_names[s], s, f"{len(systems[s])} components of the docs' {s}",
                                {"owner": max(set(owners), key=lambda o: (owners.count(o), o))}))
    for k in sorted(keys, key=lambda k: names[k]):
        ent = kg.entities[k]
        kind, stype = kinds[k]
        props = ent["props"]
        depends = sorted({ref(r["object"]) for r in kg.out_edges.get(k, [])
                          if r["predicate"] in DEPENDENCY_PREDICATES and r["object"] in exported and r["object"] != k})
        spec: dict[str, Any] = {"type": stype}
        if kind == "Component":
            spec["lifecycle"] = str(props.get("lifecycle") or LIFECYCLE.get(str(props.get("status") or ""), "production"))
        spec["owner"] = owner(k)
        spec["system"] = f"system:default/{system_names[system(k)]}"
        if depends:
            spec["dependsOn"] = depends
        tags = [t for t in (_tag(str(props.get("category") or "")),) if t]
        entities.append(_entity(kind, names[k], ent["label"], str(props.get("purpose") or ""), spec,
                                links=_links(view, ent), tags=tags,
                                annotations={"kg.w3id.org/id": k,
                                             **({"kg.w3id.org/status": str(props["status"])} if props.get("status") else {})}))
    left_out = sorted({kg.entities[k]["type"] for k in view.entity_keys} - {"Component", "Team"})
    header = [f"# Backstage catalog entities written by kg: {title or view.title}",
              "# Components, Resources, Systems and Groups with dependsOn and owners, read from the docs."]
    if left_out:
        header.append(f"# Left out (no Backstage kind): {', '.join(t + 's' for t in left_out)}.")
    body = yaml.safe_dump_all(entities, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000,
                              explicit_start=True)
    return "\n".join(header) + "\n" + body


def _entity(kind: str, name: str, title: str, description: str, spec: dict[str, Any],
            links: list[dict[str, str]] | None = None, tags: list[str] | None = None,
            annotations: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if title and title != name:
        meta["title"] = title
    if description:
        meta["description"] = description
    if annotations:
        meta["annotations"] = annotations
    if tags:
        meta["tags"] = tags
    if links:
        meta["links"] = links
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": meta, "spec": spec}
