"""The pipeline: discover -> parse -> resolve links -> extract names -> entities -> extract facts -> relations."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from .discover import TooLarge, discover, read_text
from .errors import UsageError
from .links import parse_github, resolve_links
from .manifests import is_manifest_path, manifest_format, parse_manifest
from .model import BuildResult, Document, Entity, Fact, Relation, Workspace
from .names import name_key
from .parse import parse_document
from .resolve import CuratedAliases, Gazetteer, build_entities, choose_label, default_alias_files, entity_key
from .rules import extract_facts, extract_names
from .rules.adr import adr_entities, adr_relations, categories_from_adr_titles
from .rules.lifecycle import apply_statuses
from .rules.vendors import curated_vendor_mentions
from .store import ParseCache

Progress = Callable[[str, int, int], None]


def parse_workspace(paths: list[str], progress: Progress | None = None, cache: ParseCache | None = None,
                    ) -> tuple[list[Document], dict[str, str], list[str]]:
    """Discover and parse every Markdown file and manifest; unreadable files become warnings, never errors."""
    return parse_sources(discover(paths), paths, progress, cache)


def parse_sources(ws: Workspace, paths: list[str], progress: Progress | None = None, cache: ParseCache | None = None,
                  ) -> tuple[list[Document], dict[str, str], list[str]]:
    """Parse every file of a discovered workspace: Markdown into Documents, manifests into Documents of kind
    "manifest"; other YAML files are not sources and are left out."""
    if not ws.files:
        raise UsageError(f"no Markdown files or manifests under {', '.join(paths)}")
    documents: list[Document] = []
    warnings: list[str] = []
    for n, source in enumerate(ws.files, 1):
        if progress:
            progress("parse", n, len(ws.files))
        try:
            text = read_text(source)
        except UnicodeDecodeError as exc:
            warnings.append(f"{source.path}: not UTF-8 (byte {exc.start}), skipped")
            continue
        except TooLarge as exc:
            warnings.append(f"{source.path}: {exc}, skipped")
            continue
        except OSError as exc:
            warnings.append(f"{source.path}: cannot read ({exc.strerror}), skipped")
            continue
        if is_manifest_path(source.path) and not manifest_format(source.path, text):
            continue  # YAML that is no manifest kg reads (values, CI, kustomize's own): not a source
        key = cache.key(source.path, source.repo, text) if cache else ""
        doc = cache.get(key) if cache else None
        if doc is None:
            try:
                doc = parse_manifest(text, source.path, source.repo) if is_manifest_path(source.path) \
                    else parse_document(text, source.path, source.repo)
            except Exception as exc:  # a parser bug on one file must not stop the workspace
                warnings.append(f"{source.path}: cannot parse ({exc!r}), skipped")
                continue
            if doc is None:
                continue  # YAML that is no manifest kg reads
            if cache:
                cache.put(key, doc)
        if not text.strip():
            doc.warnings.append(f"{source.path}: empty file")
        documents.append(doc)
    if not documents and all(is_manifest_path(f.path) for f in ws.files):
        raise UsageError(f"no Markdown files or manifests under {', '.join(paths)}")
    return documents, ws.repos, warnings


def build(paths: list[str], alias_files: list[Path] | None = None, progress: Progress | None = None,
          cache: ParseCache | None = None, workspace: Workspace | None = None) -> BuildResult:
    """Build the knowledge of a workspace from its folders (the library's main entry point); `workspace`, when
    given, is what discovery found already (a kg.toml's sources)."""
    documents, repos, warnings = parse_sources(workspace, paths, progress, cache) if workspace \
        else parse_workspace(paths, progress, cache)
    unresolved = resolve_links(documents, repos)
    extraction = extract_names(documents)

    files = default_alias_files() + [p for root in paths for p in _workspace_alias_files(Path(root))]
    curated = CuratedAliases.load(files + list(alias_files or []))
    curated_vendor_mentions(extraction, curated, documents)
    entities, implied = build_entities(extraction.mentions, curated)
    _add_repositories(entities, repos, documents)
    _add_documents(entities, documents)
    adr_records = adr_entities(entities, extraction.adrs)

    gaz = Gazetteer(entities)
    extract_facts(documents, extraction, gaz)
    relations = _resolve_facts(extraction.facts + implied, gaz)
    relations += adr_relations(adr_records, gaz, documents)
    relations = _merge(relations)
    apply_statuses(entities, relations, extraction.facts, gaz)
    categories_from_adr_titles(entities, relations)
    _categories_from_landscape(entities)
    makers = frozenset(name_key(n) for e in entities.values() if e.type == "Vendor" for n in (e.label, *e.aliases))
    for ent in entities.values():
        label = choose_label(ent, gaz.surface.get(ent.key, Counter()), makers)
        if label != ent.label:
            ent.aliases.add(ent.label)
            ent.label = label
            ent.aliases.discard(label)
    for doc in documents:
        warnings.extend(doc.warnings)
    return BuildResult(documents=documents, entities=entities, relations=relations, unresolved=unresolved,
                       warnings=warnings, repos=repos)


def _categories_from_landscape(entities: dict[str, Entity]) -> None:
    """A component no table or ADR categorises takes its landscape subcategory (Database, Service Mesh…)."""
    for ent in entities.values():
        landscape = ent.props.pop("landscape", None)
        if ent.type == "Component" and landscape and not ent.props.get("category"):
            ent.props["category"] = landscape


def _workspace_alias_files(root: Path) -> list[Path]:
    return [p for p in (root / "kg-aliases.toml",) if p.is_file()]


def _add_repositories(entities: dict[str, Entity], repos: dict[str, str], documents: list[Document]) -> None:
    orgs: dict[str, set[str]] = defaultdict(set)
    for doc in documents:
        for link in doc.links:
            gh = parse_github(link.href)
            if gh:
                orgs[gh[1].lower()].add(gh[0])
    for ent in list(entities.values()):
        if ent.type == "Repository":
            ent.props["present"] = any(ent.label.lower() == r.lower() for r in repos)
    for name in sorted(repos):
        key = entity_key("Repository", name)
        ent = entities.setdefault(key, Entity(key=key, type="Repository", label=name))
        ent.props["present"] = True
    for ent in entities.values():
        if ent.type == "Repository":
            for org in sorted(orgs.get(ent.label.lower(), ())):
                ent.aliases.add(f"{org}/{ent.label}")


def _add_documents(entities: dict[str, Entity], documents: list[Document]) -> None:
    for doc in documents:
        key = entity_key("Document", doc.path)
        entities[key] = Entity(key=key, type="Document", label=doc.title or doc.path,
                               props={"path": doc.path, "kind": doc.kind, "repository": doc.repo})


def _resolve_name(name: str, etype: str, gaz: Gazetteer) -> str | None:
    if etype == "key":
        return name if gaz.has(name) else None
    found = gaz.lookup(name, etype)
    if found is None and etype == "Component":
        found = gaz.lookup(name, "Vendor") or gaz.lookup_in(name)
    return found


def _resolve_facts(facts: list[Fact], gaz: Gazetteer) -> list[Relation]:
    relations: list[Relation] = []
    for f in facts:
        if f.predicate == "standing":
            continue  # an attribute, applied with the statuses
        s = _resolve_name(f.subject, f.subject_type, gaz)
        o = _resolve_name(f.object, f.object_type, gaz)
        if s and o and s != o:
            relations.append(Relation(s, f.predicate, o, [f.evidence]))
    return relations


def _merge(relations: list[Relation]) -> list[Relation]:
    merged: dict[tuple[str, str, str], Relation] = {}
    for r in relations:
        k = (r.subject, r.predicate, r.object)
        if k in merged:
            for ev in r.evidence:
                if ev not in merged[k].evidence:
                    merged[k].evidence.append(ev)
        else:
            merged[k] = Relation(r.subject, r.predicate, r.object, list(r.evidence))
    # a typed edge makes a vaguer one between the same pair redundant
    typed = {(r.subject, r.object) for r in merged.values() if r.predicate != "relatedTo"}
    out = [r for k, r in merged.items() if not (r.predicate == "relatedTo" and ((k[0], k[2]) in typed or (k[2], k[0]) in typed))]
    for r in out:
        r.evidence.sort(key=lambda e: (e.document, e.line, e.method))
    return sorted(out, key=lambda r: (r.subject, r.predicate, r.object))


