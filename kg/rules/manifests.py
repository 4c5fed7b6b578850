"""Manifests: what Helm charts, Flux objects, Backstage entities and component manifests declare.

The parse stage (`kg.manifests`) has read each manifest into entries with the line of every name; these
rules turn them into the mentions and facts the Markdown rules make, with the method `manifest`. A manifest
is tied to the component it describes by its names: its own name (`bp-cnpg`, a chart, a Flux object), a
Backstage title or the chart a HelmRelease releases are aliases of it, and the resolver's naming conventions
(`bp-`, `infra-`, `-operator`, `-chart`) join it to the component the docs name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Document, Fact, ManifestEntry, Mention
from .state import Extraction, evidence_at

if TYPE_CHECKING:
    from ..resolve import Gazetteer

# Backstage kinds that are people, not components; a System or Domain is a grouping, kept as a property
TEAM_KINDS = ("Group",)
GROUPING_KINDS = ("System", "Domain")


def _type_of(entry: ManifestEntry) -> str:
    return "Team" if entry.format == "backstage" and entry.kind in TEAM_KINDS else "Component"


def _props(entry: ManifestEntry) -> dict[str, str]:
    """What an entry says of its component, as the properties the docs give components."""
    props: dict[str, str] = {}
    if entry.props.get("description"):
        props["purpose"] = entry.props["description"]
    if entry.kind == "API":
        props["category"] = "API"
    elif entry.kind == "Resource" and entry.props.get("type"):
        props["category"] = entry.props["type"]
    for key in ("lifecycle", "system"):
        if entry.props.get(key):
            props[key] = entry.props[key]
    return props


def manifest_names(doc: Document, out: Extraction) -> None:
    """Each manifest entry names a component (a Backstage Group a team), with its other names as aliases;
    each name it depends on or is owned by is a component or a team."""
    stock = {e.name for e in doc.manifests if _stock_image(e)}  # containers of stock images: named by what they run
    for entry in doc.manifests:
        if entry.format == "backstage" and entry.kind in GROUPING_KINDS:
            continue
        props: dict[str, object] = dict(_props(entry))
        if entry.name in stock:
            # `ffc-pay-web-redis: {image: redis:7}`: the container is an instance of the technology, not a component
            # of its own (nor another name of it: each repository's file names its own container)
            out.mentions.append(Mention(entry.aliases[0], "Component", evidence_at(doc, entry.line, "manifest")))
        else:
            if entry.aliases:
                props["alias_of_node"] = True  # a title or the chart it releases is this thing's other name
            # the name a manifest gives what it declares is a name, even an everyday word (a Compose service `api`)
            props["manifest_name"] = True
            out.mentions.append(Mention(entry.name, _type_of(entry), evidence_at(doc, entry.line, "manifest"),
                                        props=props, aliases=list(entry.aliases), strength=2))
        for link in entry.links:
            if link.target_kind == "address" or link.target in stock:
                continue  # a host name in a setting names nothing by itself: it may only reach a known component
            etype = "Team" if link.relation == "ownedBy" else "Component"
            props = {"category": "API"} if link.target_kind == "api" else {}
            out.mentions.append(Mention(link.target, etype, evidence_at(doc, link.line, "manifest"), props=props))


def _stock_image(entry: ManifestEntry) -> str | None:
    """The technology a Compose service runs from its stock image (`redis:7`, `postgres:16`), by the shipped
    gazetteer; None for the service's own image or one the gazetteer does not know."""
    if entry.format != "compose" or not entry.aliases:
        return None
    from .. import gazetteer

    record = gazetteer.load().get(entry.aliases[0])
    return entry.aliases[0] if record is not None else None


def _subject(entry: ManifestEntry, gaz: Gazetteer) -> str | None:
    """The entity a manifest entry describes, by its name or one of its aliases (a stock image's technology)."""
    etype = _type_of(entry)
    stock = _stock_image(entry)
    if stock:
        return gaz.lookup(stock, etype)
    for name in (entry.name, *entry.aliases):
        found = gaz.lookup(name, etype)
        if found:
            return found
    return None


def manifest_relations(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """What each entry declares: dependencies (a consumed API is one; an API depends on its provider), owners;
    and that the manifest describes the entry's component (what the drift check compares the docs with)."""
    doc_key = f"document/{doc.path}"
    # a Compose file's own services by their keys: `depends_on: [orders-redis]` reaches what that service is
    local = {e.name: _subject(e, gaz) for e in doc.manifests if e.format == "compose"}
    for entry in doc.manifests:
        if entry.format == "backstage" and entry.kind in GROUPING_KINDS:
            continue
        subject = _subject(entry, gaz)
        if subject is None:
            continue
        if not _stock_image(entry):  # a file that runs a stock image does not describe that technology
            out.facts.append(Fact(doc_key, "describes", subject, evidence_at(doc, entry.line, "manifest"),
                                  subject_type="key", object_type="key"))
        for link in entry.links:
            ev = evidence_at(doc, link.line, "manifest")
            target = local.get(link.target) or (gaz.lookup(link.target, "Component") if link.target_kind == "address"
                                                 else None)
            if link.relation in ("dependsOn", "consumesApi") and target:
                if target != subject:
                    out.facts.append(Fact(subject, "dependsOn", target, ev, subject_type="key", object_type="key"))
            elif link.target_kind == "address":
                continue  # an address that reaches no component the workspace knows
            elif link.relation in ("dependsOn", "consumesApi"):
                out.facts.append(Fact(subject, "dependsOn", link.target, ev, subject_type="key"))
            elif link.relation in ("providesApi", "dependencyOf"):
                # the API (or the named dependent) needs this component
                out.facts.append(Fact(link.target, "dependsOn", subject, ev, object_type="key"))
            elif link.relation == "ownedBy":
                out.facts.append(Fact(subject, "ownedBy", link.target, ev, subject_type="key", object_type="Team"))
