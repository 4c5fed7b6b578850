"""Parse stage for structured sources: a manifest file (YAML) -> a Document of kind "manifest" with its entries.

A manifest is what a tool acts on, kept beside the docs: a Helm `Chart.yaml` (its `dependencies`), a Docker
Compose file (its services, their images and `depends_on`), a Flux
`Kustomization` or `HelmRelease` (`spec.dependsOn`), a Backstage entity (`catalog-info.yaml`: Component,
Resource, System, API, Group with `spec.dependsOn`, `spec.owner`, `providesApis`, `consumesApis`), or a
component manifest of the team's own with a `depends` list (`spec.depends: [{blueprint: bp-cnpg}]`, or a
plain list of names). Each becomes `ManifestEntry` records with the line of every name, so the rules in
`kg.rules.manifests` turn them into the same mentions and facts, with evidence, as the Markdown rules.

YAML is read with the safe loader only (no tags that build objects). What a hostile file may cost is
bounded: its size, the number of nodes an anchor may expand to, the depth of nesting and the number of
documents in one file. Any other YAML file is not a manifest and is left alone, without a warning.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from .model import Document, ManifestEntry, ManifestLink
from .names import ADDRESS_PREFIX

MANIFEST_SUFFIXES = (".yaml", ".yml")
MAX_MANIFEST_BYTES = 1 << 20  # a manifest is written by hand; a larger YAML file is generated (CRD bundles)
MAX_NODES = 50_000  # an anchor expanded over and over (a "billion laughs") stops here
MAX_DEPTH = 64
MAX_DOCUMENTS = 500

HELM_NAMES = ("chart.yaml", "chart.yml", "requirements.yaml", "requirements.yml")
# Docker Compose: `compose.yaml`, `docker-compose.yml`, `docker-compose.prod.yml`; or a YAML file whose top level
# has `services:` and that uses Compose's own `depends_on` (a Helm values file may have `services:` and `image:`)
_COMPOSE_NAME = re.compile(r"(?:docker-)?compose(?:[.-][\w-]+)*\.ya?ml$")
_COMPOSE = re.compile(r"^services:\s*(?:#.*)?$(?=[\s\S]*^\s+depends_on:)", re.M)
_BACKSTAGE = re.compile(r"^\s*apiVersion:\s*[\"']?backstage\.io/", re.M)
_FLUX = re.compile(r"^\s*kind:\s*[\"']?(?:Kustomization|HelmRelease)\b", re.M)
_FLUX_API = re.compile(r"toolkit\.fluxcd\.io/")
_DEPENDS = re.compile(r"^\s*(?:-\s+)?(?:depends|dependsOn)\s*:", re.M)
BACKSTAGE_KINDS = ("Component", "Resource", "System", "API", "Group", "Domain")
# the keys that name what a `depends` item points at: {blueprint: bp-cnpg}, {name: redis, version: 7}
TARGET_KEYS = ("blueprint", "component", "name", "chart", "service", "module", "app", "id", "ref")


class ManifestError(ValueError):
    """A file that looks like a manifest but cannot be read as one; the message names the line."""


class YStr(str):
    """A YAML scalar as text, with the 1-based line it starts on."""

    line: int = 0


class YMap(dict):  # type: ignore[type-arg]
    """A YAML mapping, with the line it starts on."""

    line: int = 0


class YList(list):  # type: ignore[type-arg]
    """A YAML sequence, with the line it starts on."""

    line: int = 0


def is_manifest_path(path: str) -> bool:
    """Whether a file may be a manifest by its name (only its content says whether it is one)."""
    return path.lower().endswith(MANIFEST_SUFFIXES)


def manifest_format(path: str, text: str) -> str:
    """helm, backstage, flux or generic when the text may hold that kind of manifest, "" when it holds none."""
    name = posixpath.basename(path).lower()
    if name in HELM_NAMES:
        return "helm"
    if _COMPOSE_NAME.fullmatch(name) or _COMPOSE.search(text):
        return "compose"
    if _BACKSTAGE.search(text):
        return "backstage"
    if _FLUX.search(text) and _FLUX_API.search(text):
        return "flux"
    if _DEPENDS.search(text):
        return "generic"
    return ""


def load_yaml(text: str) -> list[Any]:
    """The documents of a YAML text as YMap/YList/YStr, safely and within the limits; ManifestError otherwise."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    budget = [MAX_NODES]

    def convert(node: Any, depth: int) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise ManifestError(f"line {node.start_mark.line + 1}: more than {MAX_NODES:,} YAML nodes "
                                "(anchors expanded too often)")
        if depth > MAX_DEPTH:
            raise ManifestError(f"line {node.start_mark.line + 1}: nested deeper than {MAX_DEPTH} levels")
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out: Any = YMap()
            for key, value in node.value:
                k = convert(key, depth + 1)
                out[k if isinstance(k, str) else str(k)] = convert(value, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            out = YList(convert(item, depth + 1) for item in node.value)
        else:
            out = YStr(node.value if node.tag != "tag:yaml.org,2002:null" else "")
        out.line = line
        return out

    documents = []
    try:
        for n, node in enumerate(yaml.compose_all(text, Loader=loader)):
            if n >= MAX_DOCUMENTS:
                raise ManifestError(f"more than {MAX_DOCUMENTS} YAML documents in one file")
            if node is not None:
                documents.append(convert(node, 0))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
        raise ManifestError(f"{where}not valid YAML ({problem})") from None
    except RecursionError:
        raise ManifestError(f"nested deeper than {MAX_DEPTH} levels") from None
    return documents


def _text(value: Any) -> str:
    return str(value).strip() if isinstance(value, str) else ""


def _line(value: Any, default: int) -> int:
    return int(getattr(value, "line", 0) or default)


def _map(value: Any) -> YMap:
    return value if isinstance(value, YMap) else YMap()


def _items(value: Any) -> list[Any]:
    """A list value, or a single scalar as a list of one."""
    if isinstance(value, YList):
        return list(value)
    if isinstance(value, YStr) and value.strip():
        return [value]
    return []


def _props(**values: Any) -> dict[str, str]:
    return {k: _text(v)[:200] for k, v in values.items() if _text(v)}


def _helm(doc: YMap, line: int, path: str) -> list[ManifestEntry]:
    """Chart.yaml (and Helm 2's requirements.yaml): the chart and the charts it depends on."""
    # requirements.yaml names no chart: the chart is the one of its folder, named after it by convention
    name = _text(doc.get("name")) or posixpath.basename(posixpath.dirname(path))
    entry = ManifestEntry("helm", "Chart", name, _line(doc.get("name"), line),
                          props=_props(description=doc.get("description"), version=doc.get("appVersion")))
    for dep in _items(doc.get("dependencies")):
        dep = _map(dep)
        target = _text(dep.get("name"))
        if target:
            entry.links.append(ManifestLink("dependsOn", target, _line(dep.get("name"), dep.line), "chart"))
    return [entry] if name or entry.links else []


def _flux(doc: YMap, line: int) -> list[ManifestEntry]:
    """A Flux Kustomization or HelmRelease: its name, the chart it releases, and what it depends on."""
    meta, spec = _map(doc.get("metadata")), _map(doc.get("spec"))
    name = _text(meta.get("name"))
    if not name:
        return []
    chart = _text(_map(_map(spec.get("chart")).get("spec")).get("chart"))
    entry = ManifestEntry("flux", _text(doc.get("kind")), name, _line(meta.get("name"), line),
                          aliases=[chart] if chart and chart != name else [])
    for dep in _items(spec.get("dependsOn")):
        target = _text(_map(dep).get("name")) if isinstance(dep, YMap) else _text(dep)
        if target:
            entry.links.append(ManifestLink("dependsOn", target, _line(dep, line)))
    return [entry]


def _image_name(image: str) -> str:
    """What an image is called without its registry, owner, tag or digest: `bitnami/postgresql:16` -> postgresql."""
    return image.split("@")[0].rsplit("/", 1)[-1].split(":")[0].strip()


def _compose(doc: YMap, line: int) -> list[ManifestEntry]:
    """A Docker Compose file: each service, with the image it runs as another name of it (`db` running
    `postgres:16` is PostgreSQL here) unless other services run it too, and the services it depends on or
    links to."""
    services = _map(doc.get("services"))
    images = {key: _image_name(_text(_map(svc).get("image"))) for key, svc in services.items()}
    entries = []
    for key, svc in services.items():
        svc = _map(svc)
        image = images[key]
        shared = image and sum(1 for other in images.values() if other == image) > 1
        entry = ManifestEntry("compose", "Service", key, _line(key, line),
                              aliases=[image] if image and image != key and not shared else [],
                              props=_props(image=svc.get("image")))
        depends = svc.get("depends_on")
        targets = list(depends.keys()) if isinstance(depends, YMap) else _items(depends)
        for target in [*targets, *_items(svc.get("links"))]:
            name = _text(target).split(":")[0]  # a link may carry an alias: `search:es`
            if name and name != key:
                entry.links.append(ManifestLink("dependsOn", name, _line(target, svc.line), "service"))
        # `CART_SERVICE_ADDR=cartservice:7070`, `POSTGRES_HOST: ${POSTGRES_HOST:-orders-postgres}`: a setting that
        # holds another service's address; one outside this file (`PAYMENTS_ENDPOINT: http://payments:3008`) is
        # an address the rules resolve only to a component the workspace knows
        for setting, value in _environment(svc.get("environment")):
            m = ENV_ADDRESS.search(setting) and ENV_HOST.match(ENV_DEFAULT.sub(r"\1", _text(value)))
            name = m.group("host") if m else ""
            if name and name != key and not any(lk.target == name for lk in entry.links) \
                    and not re.fullmatch(r"localhost|\d+(?:\.\d+){3}|host\.docker\.internal", name):
                entry.links.append(ManifestLink("dependsOn", name, _line(value, svc.line),
                                                "service" if name in services else "address"))
        entries.append(entry)
    return entries


# settings whose value is where a service connects to, and the host such a value names
ENV_ADDRESS = re.compile(r"(?:ADDR|ADDRESS|URL|URI|HOST|HOSTNAME|ENDPOINT|DSN|BROKERS?|SERVERS?)$", re.I)
ENV_HOST = re.compile(ADDRESS_PREFIX + r"(?P<host>[a-zA-Z0-9][a-zA-Z0-9_.-]*?)(?::\d+|/|$)")


ENV_DEFAULT = re.compile(r"\$\{\w+:?-([^}]*)\}")  # `${POSTGRES_HOST:-orders-postgres}`: the default is the value


def _environment(value: Any) -> list[tuple[str, Any]]:
    """A Compose service's settings: `KEY=value` items of a list, or the pairs of a mapping."""
    if isinstance(value, YMap):
        return [(_text(k), v) for k, v in value.items()]
    out = []
    for item in _items(value):
        setting, _, rest = _text(item).partition("=")
        if rest:
            found = YStr(rest)
            found.line = _line(item, 0)
            out.append((setting, found))
    return out


def entity_ref(ref: str, default_kind: str = "") -> tuple[str, str]:
    """(kind, name) of a Backstage entity reference: `resource:default/orders-db` -> (resource, orders-db)."""
    kind, _, rest = ref.rpartition(":") if ":" in ref else ("", "", ref)
    name = rest.rpartition("/")[2]
    return (kind or default_kind).lower(), name


def _backstage(doc: YMap, line: int) -> list[ManifestEntry]:
    """A Backstage entity: Component, Resource, System, API, Group or Domain with its relations."""
    kind = _text(doc.get("kind"))
    meta, spec = _map(doc.get("metadata")), _map(doc.get("spec"))
    name = _text(meta.get("name"))
    if kind not in BACKSTAGE_KINDS or not name:
        return []
    title = _text(meta.get("title"))
    entry = ManifestEntry("backstage", kind, name, _line(meta.get("name"), line),
                          aliases=[title] if title and title != name else [],
                          props=_props(description=meta.get("description"), type=spec.get("type"),
                                       lifecycle=spec.get("lifecycle"), system=spec.get("system")))
    if spec.get("system"):
        entry.props["system"] = entity_ref(_text(spec["system"]), "system")[1]
    relations = (("dependsOn", "dependsOn", "component"), ("providesApis", "providesApi", "api"),
                 ("consumesApis", "consumesApi", "api"), ("dependencyOf", "dependencyOf", "component"))
    for key, relation, default_kind in relations:
        for ref in _items(spec.get(key)):
            target_kind, target = entity_ref(_text(ref), default_kind)
            if target:
                entry.links.append(ManifestLink(relation, target, _line(ref, line), target_kind))
    owner = _text(spec.get("owner"))
    if owner:
        target_kind, target = entity_ref(owner, "group")
        entry.links.append(ManifestLink("ownedBy", target, _line(spec.get("owner"), line), target_kind))
    return [entry]


def _depends_target(item: Any) -> str:
    """The name a `depends` item points at: a plain name, or the value of its naming key."""
    if isinstance(item, YMap):
        for key in TARGET_KEYS:
            if _text(item.get(key)):
                return _text(item[key])
        return next((_text(v) for v in item.values() if _text(v)), "")
    return _text(item)


def _generic(doc: YMap, line: int, path: str) -> list[ManifestEntry]:
    """A component manifest of the team's own: a name (metadata.name, name, else its folder) and a depends list."""
    meta, spec = _map(doc.get("metadata")), _map(doc.get("spec"))
    depends = next((v for holder in (spec, doc) for key in ("depends", "dependsOn")
                    if (v := holder.get(key)) is not None), None)
    items = _items(depends)
    if not items:
        return []
    named = meta.get("name") or doc.get("name") or doc.get("id")
    folder = posixpath.basename(posixpath.dirname(path))
    name = _text(named) or folder
    entry = ManifestEntry("generic", _text(doc.get("kind")) or "Manifest", name, _line(named, line),
                          props=_props(description=meta.get("description") or doc.get("description")))
    for item in items:
        target = _depends_target(item)
        if target:
            entry.links.append(ManifestLink("dependsOn", target, _line(item, line), _text(
                next((k for k in TARGET_KEYS if isinstance(item, YMap) and k in item), ""))))
    return [entry]


def read_entries(text: str, path: str, fmt: str) -> list[ManifestEntry]:
    """The entries of a manifest's text (fmt from `manifest_format`); ManifestError when it cannot be read."""
    entries: list[ManifestEntry] = []
    for doc in load_yaml(text):
        if not isinstance(doc, YMap):
            continue
        if fmt == "helm":
            entries += _helm(doc, doc.line, path)
        elif fmt == "compose":
            entries += _compose(doc, doc.line)
        elif fmt == "backstage" and _text(doc.get("apiVersion")).startswith("backstage.io/"):
            entries += _backstage(doc, doc.line)
        elif fmt in ("flux", "backstage", "generic") and "toolkit.fluxcd.io/" in _text(doc.get("apiVersion")) \
                and _text(doc.get("kind")) in ("Kustomization", "HelmRelease"):
            entries += _flux(doc, doc.line)
        elif not _text(doc.get("apiVersion")).startswith("backstage.io/"):
            entries += _generic(doc, doc.line, path)
    return entries


def parse_manifest(text: str, path: str, repo: str) -> Document | None:
    """A manifest file as a Document of kind "manifest", or None when the file is no manifest kg reads.

    A file that looks like a manifest but is not valid YAML, or is over the limits, is a Document without
    entries and with a warning naming the file and line, so the rest of the workspace still builds.
    """
    fmt = manifest_format(path, text)
    if not fmt:
        return None
    doc = Document(path=path, repo=repo, title=posixpath.basename(path), kind="manifest", lines=text.splitlines())
    if len(text.encode("utf-8")) > MAX_MANIFEST_BYTES:
        doc.warnings.append(f"{path}: over {MAX_MANIFEST_BYTES:,} bytes, not read as a manifest")
        return doc
    try:
        doc.manifests = read_entries(text, path, fmt)
    except ManifestError as exc:
        if "{{" in text:
            return None  # a Helm or Go template, not YAML until it is rendered
        line, message = _error_line(str(exc))
        doc.warnings.append(f"{path}:{line}: {message}; not read as a manifest")
        return doc
    if not doc.manifests:
        return None
    first = doc.manifests[0]
    doc.title = f"{first.kind} {first.name}" + (f" (+{len(doc.manifests) - 1})" if len(doc.manifests) > 1 else "")
    return doc


def _error_line(message: str) -> tuple[int, str]:
    """(line, rest of the message) of a ManifestError's text ('line 7: not valid YAML …')."""
    m = re.match(r"line (\d+): ", message)
    return (int(m.group(1)), message[m.end():]) if m else (1, message)
