"""The pipeline: discover -> parse -> resolve links -> extract names -> entities -> extract facts -> relations."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from .discover import TooLarge, discover, read_text
from .errors import UsageError
from .extract import AdrRecord, Extraction, extract_facts, extract_names
from .links import parse_github, resolve_links
from .model import BuildResult, Document, Entity, Evidence, Fact, Mention, Relation
from .parse import parse_document
from .resolve import CuratedAliases, Gazetteer, build_entities, choose_label, default_alias_files, entity_key
from .store import ParseCache

Progress = Callable[[str, int, int], None]


def parse_workspace(paths: list[str], progress: Progress | None = None, cache: ParseCache | None = None,
                    ) -> tuple[list[Document], dict[str, str], list[str]]:
    """Discover and parse every Markdown file; unreadable files become warnings, never errors."""
    ws = discover(paths)
    if not ws.files:
        raise UsageError(f"no Markdown files under {', '.join(paths)}")
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
        key = cache.key(source.path, source.repo, text) if cache else ""
        doc = cache.get(key) if cache else None
        if doc is None:
            try:
                doc = parse_document(text, source.path, source.repo)
            except Exception as exc:  # a parser bug on one file must not stop the workspace
                warnings.append(f"{source.path}: cannot parse ({exc!r}), skipped")
                continue
            if cache:
                cache.put(key, doc)
        if not text.strip():
            doc.warnings.append(f"{source.path}: empty file")
        documents.append(doc)
    return documents, ws.repos, warnings


def build(paths: list[str], alias_files: list[Path] | None = None, progress: Progress | None = None,
          cache: ParseCache | None = None) -> BuildResult:
    """Build the knowledge of a workspace from its folders (the library's main entry point)."""
    documents, repos, warnings = parse_workspace(paths, progress, cache)
    unresolved = resolve_links(documents, repos)
    extraction = extract_names(documents)

    files = default_alias_files() + [p for root in paths for p in _workspace_alias_files(Path(root))]
    curated = CuratedAliases.load(files + list(alias_files or []))
    _add_curated_vendor_mentions(extraction, curated, documents)
    entities, implied = build_entities(extraction.mentions, curated)
    _add_repositories(entities, repos, documents)
    _add_documents(entities, documents)
    adr_records = _add_adrs(entities, extraction.adrs)

    gaz = Gazetteer(entities)
    extract_facts(documents, extraction, gaz)
    relations = _resolve_facts(extraction.facts + implied, gaz)
    relations += _adr_relations(adr_records, gaz, documents)
    relations = _merge(relations)
    _apply_statuses(entities, relations, extraction.facts, gaz)
    _categories_from_adr_titles(entities, relations)
    for ent in entities.values():
        label = choose_label(ent, gaz.surface.get(ent.key, Counter()))
        if label != ent.label:
            ent.aliases.add(ent.label)
            ent.label = label
            ent.aliases.discard(label)
    for doc in documents:
        warnings.extend(doc.warnings)
    return BuildResult(documents=documents, entities=entities, relations=relations, unresolved=unresolved,
                       warnings=warnings, repos=repos)


def _workspace_alias_files(root: Path) -> list[Path]:
    return [p for p in (root / "kg-aliases.toml",) if p.is_file()]


def _add_curated_vendor_mentions(extraction: Extraction, curated: CuratedAliases, documents: list[Document]) -> None:
    """A well-known vendor from the curated file counts only where the docs name it."""
    names = [(c, [c, *a]) for c, a, t in curated.groups if t == "Vendor"]
    if not names:
        return
    pattern = re.compile(r"(?<![\w\-.])(" + "|".join(re.escape(n) for _c, al in names for n in al) + r")(?![\w\-])")
    canonical = {n.lower(): c for c, al in names for n in al}
    seen: set[str] = set()
    for doc in documents:
        texts = [(b.text, b.line) for b in doc.blocks]
        texts += [(" | ".join(r.values()), line) for t in doc.tables for r, line in zip(t.rows, t.row_lines)]
        for text, line in texts:
            for m in pattern.finditer(text):
                c = canonical[m.group(1).lower()]
                if c not in seen:
                    seen.add(c)
                    extraction.mentions.append(Mention(c, "Vendor", Evidence(doc.path, line, text[:300], "prose")))


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


def _add_adrs(entities: dict[str, Entity], records: list[AdrRecord]) -> dict[str, list[AdrRecord]]:
    grouped: dict[str, list[AdrRecord]] = defaultdict(list)
    for rec in records:
        grouped[rec.id].append(rec)
    for adr, recs in sorted(grouped.items()):
        own = [r for r in recs if r.document and r.status is not None and r.evidence.method in ("heading", "front-matter")]
        docs = sorted({r.document for r in recs if r.document and entities.get(f"document/{r.document}")
                       and entities[f"document/{r.document}"].props.get("kind") == "adr"})
        indexed = [r for r in recs if r.evidence.method == "index"]
        title = next((r.title for r in own + indexed + recs if r.title), "")
        status = next((r.status for r in own if r.status), "") or next((r.status for r in recs if r.status), "")
        date = next((r.date for r in own if r.date), "")
        key = entity_key("ADR", adr)
        ent = Entity(key=key, type="ADR", label=adr)
        m = re.fullmatch(r"ADR-(\d+)", adr)
        if m:
            n = int(m.group(1))
            ent.aliases |= {f"ADR-{n}", f"ADR-{n:04d}", f"ADR {n}"}
        ent.props.update({"adr_id": adr, "title": title, "status": status or "Unknown", "date": date,
                          "documents": docs, "unresolved": not docs})
        repos = sorted({r.repository for r in recs if r.repository} | {d.split("/", 1)[0] for d in docs})
        ent.props["repositories"] = repos
        ent.evidence = [r.evidence for r in recs]
        entities[key] = ent
    return grouped


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


def _adr_relations(grouped: dict[str, list[AdrRecord]], gaz: Gazetteer, documents: list[Document]) -> list[Relation]:
    """decides, rejects, supersedes and documentedIn, from the ADR's title, decision text and options."""
    out: list[Relation] = []
    # adr-tools names the other record by its file: "doc:<path>" -> the ADR documented there
    by_document = {"doc:" + r.document: adr for adr, recs in grouped.items() for r in recs
                   if r.document and r.evidence.method in ("heading", "front-matter")}
    for adr, recs in grouped.items():
        key = entity_key("ADR", adr)
        ent = gaz.entities[key]
        for d in ent.props["documents"]:
            rec = next((r for r in recs if r.document == d), recs[0])
            out.append(Relation(key, "documentedIn", f"document/{d}", [rec.evidence]))
        # titles: the ADR's own title when it has a document, else what indexes call it
        own = [r for r in recs if r.document in ent.props["documents"] and r.evidence.method == "heading"]
        title_sources = own or [r for r in recs if r.evidence.method == "index"] or recs
        decided: dict[str, Evidence] = {}
        rejected: dict[str, Evidence] = {}
        for rec in title_sources:
            for hit, negated in _title_names(rec.title, gaz):
                target = rejected if negated else decided
                target.setdefault(hit, rec.evidence)
        for rec in recs:
            for name, ev in rec.decided_names:
                chosen = gaz.lookup(name, "Component") or gaz.lookup(name, "Vendor")
                if chosen:
                    decided.setdefault(chosen, ev)
        if not decided:
            for text, ev in (t for r in recs for t in r.decision_text):
                for hit in _decision_names(text, gaz):
                    decided.setdefault(hit, ev)
                if decided:
                    break
        for rec in recs:
            for name, ev in rec.options:
                option = gaz.lookup(name, "Component")
                if option and option not in decided:
                    rejected.setdefault(option, ev)
        for hit, ev in decided.items():
            out.append(Relation(key, "decides", hit, [ev]))
        for hit, ev in rejected.items():
            if hit not in decided:
                out.append(Relation(key, "rejects", hit, [ev]))
        for rec in recs:
            for other, ev in rec.supersedes:
                out.append(Relation(key, "supersedes", entity_key("ADR", by_document.get(other, other)), [ev]))
            for other, ev in rec.superseded_by:
                out.append(Relation(entity_key("ADR", by_document.get(other, other)), "supersedes", key, [ev]))
    return [r for r in out if gaz.has(r.subject) and gaz.has(r.object)]


def _title_names(title: str, gaz: Gazetteer) -> list[tuple[str, bool]]:
    out = []
    for start, _end, key, _surface in gaz.scan(title):
        if gaz.type_of(key) not in ("Component", "Vendor"):
            continue
        before = title[:start]
        negated = bool(re.search(r"\b(no|not|without|remove|removing|drop|replace|instead of|over|vs\.?)\s*$", before, re.I))
        out.append((key, negated))
    return out


def _decision_names(text: str, gaz: Gazetteer) -> list[str]:
    from .extract import DECISION_VERB

    verb = DECISION_VERB.search(text)
    if not verb:
        return []
    return [h[2] for h in gaz.scan(text[verb.start():]) if gaz.type_of(h[2]) == "Component"][:3]


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


def _apply_statuses(entities: dict[str, Entity], relations: list[Relation], facts: list[Fact], gaz: Gazetteer) -> None:
    decided_by: dict[str, list[str]] = defaultdict(list)
    rejected: set[str] = set()
    replaced: set[str] = set()
    superseded: dict[str, list[str]] = defaultdict(list)
    for r in relations:
        if r.predicate == "decides":
            decided_by[r.object].append(r.subject)
        elif r.predicate == "rejects":
            rejected.add(r.object)
        elif r.predicate == "replacedBy":
            replaced.add(r.subject)
        elif r.predicate == "supersedes":
            superseded[r.object].append(r.subject)
    for ent in entities.values():
        if ent.type == "ADR":
            status = ent.props.get("status", "")
            ent.props["superseded_by"] = sorted(superseded.get(ent.key, []))
            ent.props["in_force"] = status in ("Accepted", "Approved", "Implemented") and not superseded.get(ent.key)
        elif ent.type == "Component":
            stated = ent.props.pop("stated_status", [])
            strength = ent.props.get("strength", 1)
            if ent.key in replaced:
                status = "replaced"
            elif "removed" in stated or "replaced" in stated:
                status = "removed"
            elif "not used" in stated:
                status = "not used"
            elif ent.key in decided_by:
                states = {entities[a].props.get("status") for a in decided_by[ent.key]}
                status = "proposed" if states <= {"Proposed", "Draft"} and strength < 2 else "in use"
            elif ent.key in rejected and strength < 2:
                status = "not used"
            else:
                status = "in use"
            ent.props["status"] = status
    # vendor standing: the strongest word the docs use near its name
    rank = {"selected": 3, "fallback": 2, "removed": 1}
    votes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for f in facts:
        if f.predicate == "standing" and gaz.has(f.subject):
            votes[f.subject][f.object] += 1
    for ent in entities.values():
        if ent.type == "Vendor":
            v = votes.get(ent.key)
            ent.props["standing"] = max(v, key=lambda s: (v[s], rank[s])) if v else "evaluated"
        ent.props.pop("strength", None)


ADR_TOPIC = re.compile(r"^(?P<topic>[^:()]{3,40}?)\s+(?:-|–|—|with|using|via|:)\s+(?P<name>.+)$", re.IGNORECASE)


def _categories_from_adr_titles(entities: dict[str, Entity], relations: list[Relation]) -> None:
    """A component no table categorises takes its ADR's topic: "Caching Layer - Dragonfly" -> Caching Layer."""
    for rel in relations:
        if rel.predicate != "decides":
            continue
        component = entities[rel.object]
        if component.type != "Component" or component.props.get("category"):
            continue
        m = ADR_TOPIC.match(str(entities[rel.subject].props.get("title", "")))
        names = {component.label.lower(), *(a.lower() for a in component.aliases)}
        if m and m.group("name").strip().lower() in names and len(m.group("topic").split()) <= 4:
            component.props["category"] = m.group("topic").strip()
