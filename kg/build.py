"""The pipeline: discover -> parse -> resolve links -> extract names -> entities -> extract facts -> relations."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from .discover import discover
from .errors import UsageError
from .incremental import (
    FileCache,
    cached_map,
    code_fingerprint,
    facts_of,
    key,
    links_fingerprint,
    names_fingerprint,
    names_of,
    parallel_map,
    parse_source,
    read_and_parse,
    replay_scans,
)
from .links import parse_github, resolve_links
from .manifests import is_manifest_path
from .model import BuildResult, Document, Entity, Evidence, Fact, Relation, SourceFile, Workspace
from .names import name_key
from .resolve import (
    CuratedAliases,
    Gazetteer,
    build_entities,
    choose_label,
    default_alias_files,
    entity_key,
    trailing_names,
    written_aliases,
)
from .rules import Extraction
from .rules.adr import adr_entities, adr_relations, categories_from_adr_titles, scope_to_logs
from .rules.lifecycle import apply_statuses
from .rules.vendors import curated_vendor_mentions

Progress = Callable[[str, int, int], None]


def _parse_files(ws: Workspace, paths: list[str], progress: Progress | None, cache: FileCache | None,
                 ) -> tuple[list[Document], dict[str, str], list[str], list[str]]:
    """Every file read here (reading is cheap), parsed on every core unless its parse is cached; with each
    document its parse key, which the later per-file stages build their keys on."""
    if not ws.files:
        raise UsageError(f"no Markdown files or manifests under {', '.join(paths)}")
    fingerprint = code_fingerprint()
    folders: dict[str, str] = {}
    if progress:  # reading every file is part of parsing, not of finding them
        progress("parse", 0, len(ws.files))
    read = [read_and_parse(source, fingerprint, folders) for source in ws.files]
    keys = [k for k, _text, _warning in read if k]
    cached = cache.get_many(keys) if cache else {}
    todo = [(source, text) for source, (k, text, _w) in zip(ws.files, read) if k and k not in cached]

    def parse_one(item: tuple[SourceFile, str]) -> Document | str | None:
        source, text = item
        try:
            return parse_source(source, text)
        except Exception as exc:  # a parser bug on one file must not stop the workspace
            return f"{source.path}: cannot parse ({exc!r}), skipped"

    done = len(ws.files) - len(todo)
    parsed = parallel_map(parse_one, todo, progress=(lambda n: progress("parse", done + n, len(ws.files)))
                          if progress else None)
    if cache:  # a YAML file that is no manifest is no source: neither parsed nor reused
        cache.stats.update(parsed=sum(1 for found in parsed if found is not None), reused=len(cached))
    fresh = {source.path: doc for (source, _text), doc in zip(todo, parsed)}
    documents: list[Document] = []
    doc_keys: list[str] = []
    warnings: list[str] = []
    for source, (k, _text, warning) in zip(ws.files, read):
        if warning:
            warnings.append(warning)
            continue
        found: Document | str | None = cached[k] if k in cached else fresh[source.path]
        if found is None:
            continue  # YAML that is no manifest kg reads: not a source
        if isinstance(found, str):
            warnings.append(found)
            continue
        if cache and k not in cached:
            cache.put(k, found)
        documents.append(found)
        doc_keys.append(k)
    if not documents and all(is_manifest_path(f.path) for f in ws.files):
        raise UsageError(f"no Markdown files or manifests under {', '.join(paths)}")
    if progress and not todo:  # else the last parsed file said the stage is done
        progress("parse", len(ws.files), len(ws.files))
    return documents, ws.repos, warnings, doc_keys


def _names(documents: list[Document], doc_keys: list[str], cache: FileCache | None) -> Extraction:
    """The names pass, one document at a time on every core, reused for a document whose text and links
    are unchanged; the results joined in document order, as one pass over the workspace gives them."""
    keys = [key("names", k, links_fingerprint(doc)) for doc, k in zip(documents, doc_keys)]
    results, _reused = cached_map(keys, lambda i: names_of(documents[i]), cache)
    out = Extraction()
    for doc, (part, warnings, fields) in zip(documents, results):
        _join(doc, part, warnings, fields, out)
    return out


def _facts(documents: list[Document], doc_keys: list[str], extraction: Extraction, gaz: Gazetteer,
           cache: FileCache | None) -> None:
    """The facts pass, one document at a time on every core, joined in document order; reused for a document
    whose text and links are unchanged while the workspace's names are the same (kg.incremental.names_fingerprint).

    A rule reads its document, the names pass's results and the alias table, never another document's facts,
    so documents can be read in any order and joined in theirs. A fact rule also counts how the docs write
    each name (the alias table's scans, which choose labels), a sentence once however many rules and
    documents read it: every document's scans are replayed here in document order, so the counts come out
    the same from one core, several or the cache.
    """
    fingerprint = names_fingerprint(gaz.entities, extraction.adrs) if cache else ""
    keys = [key("facts", k, links_fingerprint(doc), fingerprint) for doc, k in zip(documents, doc_keys)]
    results, reused = cached_map(keys, lambda i: facts_of(documents[i], extraction, gaz), cache)
    if cache:
        cache.stats["facts reused"] = reused
    for doc, (part, warnings, fields, scans) in zip(documents, results):
        replay_scans(gaz, scans)
        _join(doc, part, warnings, fields, extraction)


def _join(doc: Document, part: Extraction, warnings: list[str], fields: dict[str, object], into: Extraction) -> None:
    """One document's pass result joined into the workspace's: what it extracted, its warnings and fields."""
    into.mentions.extend(part.mentions)
    into.facts.extend(part.facts)
    into.adrs.extend(part.adrs)
    doc.warnings.extend(warnings)
    for name, value in fields.items():
        setattr(doc, name, value)


def build(paths: list[str], alias_files: list[Path] | None = None, progress: Progress | None = None,
          cache: FileCache | None = None, workspace: Workspace | None = None) -> BuildResult:
    """Build the knowledge of a workspace from its folders (the library's main entry point); `workspace`, when
    given, is what discovery found already (a kg.toml's sources)."""
    def stage(name: str) -> None:
        if progress:
            progress(name, 0, 0)

    documents, repos, warnings, doc_keys = _parse_files(workspace or discover(paths), paths, progress, cache)
    stage("links")
    unresolved = resolve_links(documents, repos)
    stage("names")
    extraction = _names(documents, doc_keys, cache)
    stage("resolve")

    files = default_alias_files() + [p for root in paths for p in _workspace_alias_files(Path(root))]
    curated = CuratedAliases.load(files + list(alias_files or []))
    curated_vendor_mentions(extraction, curated, documents)
    entities, implied = build_entities(extraction.mentions, curated, [b.text for d in documents for b in d.blocks])
    trailing_names(entities, [(d.repo, b.text) for d in documents for b in d.blocks])
    _add_repositories(entities, repos, documents)
    _add_documents(entities, documents)
    scope_to_logs(extraction.adrs)
    adr_records = adr_entities(entities, extraction.adrs)

    gaz = Gazetteer(entities)
    stage("facts")
    _facts(documents, doc_keys, extraction, gaz, cache)
    stage("relations")
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
    written_aliases(entities, gaz)
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
    held: dict[tuple[str, str, str], set[Evidence]] = {}  # each relation's evidence as a set: no list scans
    for r in relations:
        k = (r.subject, r.predicate, r.object)
        if k in merged:
            for ev in r.evidence:
                if ev not in held[k]:
                    held[k].add(ev)
                    merged[k].evidence.append(ev)
        else:
            merged[k] = Relation(r.subject, r.predicate, r.object, list(r.evidence))
            held[k] = set(r.evidence)
    # a typed edge makes a vaguer one between the same pair redundant
    typed = {(r.subject, r.object) for r in merged.values() if r.predicate != "relatedTo"}
    out = [r for k, r in merged.items() if not (r.predicate == "relatedTo" and ((k[0], k[2]) in typed or (k[2], k[0]) in typed))]
    for r in out:
        r.evidence.sort(key=lambda e: (e.document, e.line, e.method))
    return sorted(out, key=lambda r: (r.subject, r.predicate, r.object))


