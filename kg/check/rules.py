"""Document-level rules over the stored model: links, ADR references, superseded citations, ADR numbers and
the build's own warnings. Each is a function of an opened graph that yields Findings."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from ..links import parse_repository_link
from . import Finding, Place, PythonRule, Rule

if TYPE_CHECKING:
    from ..api import KnowledgeGraph

BROKEN_LINK = Rule(
    "broken-link", "error", "model", "A link into the workspace that points at no document",
    "A relative, root-relative or GitHub link into one of the workspace's own repositories whose target "
    "does not exist: a renamed or moved file, or a path written for another layout (`../09-adrs/`).")
ABSENT_REPOSITORY = Rule(
    "link-to-absent-repository", "warning", "model", "A link into a repository that is not in the workspace",
    "The link may be right, but its repository is not checked out beside the others (or is not published), "
    "so kg cannot tell. Add the repository to the build to check it.")
ADR_MISSING = Rule(
    "adr-missing", "error", "model", "A reference to an ADR that has no document",
    "A document cites an ADR number that no document of the workspace records. A warning instead of an "
    "error when the ADR is said to live in a repository that is not in the workspace.")
INDEX_ENTRY = Rule(
    "index-entry-without-document", "error", "model", "An index entry for an ADR that has no document",
    "An index or table of decisions lists an ADR that no document records. A warning instead of an error "
    "when the entry points into a repository that is not in the workspace.")
SUPERSEDED_CITED = Rule(
    "superseded-adr-cited", "warning", "model", "A superseded ADR cited as if it were in force",
    "A document links or names an ADR that a later ADR supersedes, without saying so on that line: readers "
    "follow a decision that no longer holds.")
NUMBER_MISMATCH = Rule(
    "adr-number-mismatch", "error", "model", "An ADR file whose number disagrees with its title",
    "The file name says one ADR number and the title another (a file ADR028… titled ADR029): links and "
    "indexes by number reach the wrong record.")
NUMBER_CONFLICT = Rule(
    "adr-number-conflict", "error", "model", "One ADR number carried by two records with different titles",
    "Two ADR documents claim one number for different decisions; every reference to that number is ambiguous.")
DUPLICATE = Rule(
    "adr-duplicate", "warning", "model", "One ADR kept in two files",
    "The same record (same number and title) lives in two documents; they will drift apart. Keep one and link it.")
BUILD_WARNING = Rule(
    "build-warning", "info", "model", "Something the build skipped or could not read",
    "Files that are not UTF-8, symlinks out of the workspace, broken Mermaid blocks, bad front matter and "
    "limits reached: what the graph does not know.")


# ---------------------------------------------------------------- links


def _link_scope(href: str, document: str, repo: str, repos: dict[str, str]) -> tuple[str, str]:
    """("absent", repository) for a link into a repository that is not in the workspace; ("own", path) else."""
    lower = {r.lower(): r for r in repos}
    gh = parse_repository_link(href)
    if gh:
        return ("own", f"{lower[gh[1].lower()]}/{gh[3]}") if gh[1].lower() in lower else ("absent", gh[1])
    path = unquote(href.split("#", 1)[0].split("?", 1)[0])
    candidate = posixpath.normpath(f"{repo}/{path.lstrip('/')}" if path.startswith("/")
                                   else posixpath.join(posixpath.dirname(document), path))
    first = candidate.split("/", 1)[0]
    if first == ".." or first.lower() not in lower:
        return "absent", first
    return "own", candidate


def _on_disk(path: str, repos: dict[str, str]) -> bool:
    repo, _, rel = path.partition("/")
    folder = repos.get(repo)
    return folder is not None and bool(rel) and (Path(folder) / rel).exists()


def _where_else(target: str, document: str, paths: list[str]) -> str:
    """A suggestion for a broken link: where a document of that file name is, as a link from `document`."""
    name = posixpath.basename(target).lower()
    if not name.endswith((".md", ".markdown", ".mdown")):
        return ""
    same = sorted(p for p in paths if posixpath.basename(p).lower() == name)
    if not same:
        return ""
    here_repo = document.split("/", 1)[0]
    best = next((p for p in same if p.split("/", 1)[0] == here_repo), same[0])
    if best.split("/", 1)[0] == here_repo:
        return f"{posixpath.basename(best)} is at {best}: link {posixpath.relpath(best, posixpath.dirname(document))}"
    return f"{posixpath.basename(best)} is at {best}, in repository {best.split('/', 1)[0]}"


def links(kg: KnowledgeGraph) -> Iterator[Finding]:
    """Broken links into the workspace (errors) and links into repositories that are not in it (warnings)."""
    repos = kg.model["repositories"]
    doc_repo = {d["path"]: d["repository"] for d in kg.model["documents"]}
    paths = list(doc_repo)
    for ref in kg.model["unresolved"]:
        scope, where = _link_scope(ref["target"], ref["document"], doc_repo.get(ref["document"], ""), repos)
        if scope == "own" and _on_disk(where, repos):
            continue  # a file that is there but is no Markdown document (LICENCE, a folder of images)
        if scope == "absent" and where == "..":
            yield Finding(ABSENT_REPOSITORY.id, ABSENT_REPOSITORY.severity, ref["document"], ref["line"],
                          f"link to {ref['target']} points outside the workspace",
                          "build the folder it points into together with this one to check the link")
        elif scope == "absent":
            yield Finding(ABSENT_REPOSITORY.id, ABSENT_REPOSITORY.severity, ref["document"], ref["line"],
                          f"link to {ref['target']} points into repository {where}, which is not in the workspace",
                          f"add {where} to the build (kg build … {where}) to check the link")
        else:
            yield Finding(BROKEN_LINK.id, BROKEN_LINK.severity, ref["document"], ref["line"],
                          f"broken link {ref['target']}: {ref['reason']}",
                          _where_else(where, ref["document"], paths))


# ---------------------------------------------------------------- ADR references


def _absent_repositories(kg: KnowledgeGraph, ent: dict[str, Any], doc_repo: dict[str, str],
                         present: set[str]) -> list[str]:
    """Repositories not in the workspace where an ADR may live: named in its index rows, or where a link
    that cites it points (`doc_repo`: each document's repository; `present`: the workspace's, lower case)."""
    found = [r for r in ent["props"].get("repositories", []) if r.lower() not in present]
    cited_at = {(ev["document"], int(ev["line"])) for ev in ent["evidence"]}
    for ref in kg.model["unresolved"]:
        if (ref["document"], int(ref["line"])) in cited_at:
            scope, where = _link_scope(ref["target"], ref["document"], doc_repo.get(ref["document"], ""),
                                       kg.model["repositories"])
            if scope == "absent" and where != ".." and where not in found:
                found.append(where)
    return found


def _numbered_documents(kg: KnowledgeGraph) -> set[int]:
    """ADR numbers some document carries in its file name or title, whether or not kg read it as an ADR."""
    found: set[int] = set()
    for doc in kg.model["documents"]:
        found.update(n for n in _numbers(doc["path"], str(doc.get("title", ""))) if n is not None)
    return found


def adr_references(kg: KnowledgeGraph) -> Iterator[Finding]:
    """ADRs cited or indexed that have no document: one finding per citing document, at its first line.

    A citation through a link that reaches a document, and an ADR whose number a document's file name or
    title carries, are not missing: the record is there, whatever kg made of it.
    """
    numbered = _numbered_documents(kg)
    broken = {(ref["document"], int(ref["line"])) for ref in kg.model["unresolved"]}
    doc_repo = {d["path"]: d["repository"] for d in kg.model["documents"]}
    present = {r.lower() for r in kg.model["repositories"]}
    for ent in kg.entities.values():
        if ent["type"] != "ADR" or not ent["props"].get("unresolved"):
            continue
        number = re.fullmatch(r"ADR-(\d+)", ent["label"])
        if number and int(number.group(1)) in numbered:
            continue
        absent = _absent_repositories(kg, ent, doc_repo, present)
        title = ent["props"].get("title") or ""
        named = f"{ent['label']}{' (' + title + ')' if title else ''}"
        hint = (f"{ent['label']} may be in repository {', '.join(absent)}, which is not in the workspace; add it "
                "to the build" if absent else f"add the document of {ent['label']}, or correct the number")
        seen: set[tuple[str, str]] = set()
        for ev in sorted(ent["evidence"], key=lambda e: (e["document"], e["line"])):
            if ev.get("method") == "link" and (ev["document"], int(ev["line"])) not in broken:
                continue  # the link reaches a document
            rule = INDEX_ENTRY if ev.get("method") in ("index", "table") else ADR_MISSING
            if (rule.id, ev["document"]) in seen and rule is ADR_MISSING:
                continue
            seen.add((rule.id, ev["document"]))
            what = "lists" if rule is INDEX_ENTRY else "cites"
            yield Finding(rule.id, "warning" if absent else rule.severity, ev["document"], int(ev["line"]),
                          f"{what} {named}, which has no document in the workspace", hint)


_SAYS_SUPERSEDED = re.compile(r"supersed|supercede|replaced|deprecat|obsolete|histor|formerly|previous|old\b", re.I)


def superseded_citations(kg: KnowledgeGraph) -> Iterator[Finding]:
    """Citations of a superseded ADR that do not say it is superseded."""
    for ent in kg.entities.values():
        if ent["type"] != "ADR":
            continue
        by = sorted({r["subject"] for r in kg.in_edges.get(ent["key"], []) if r["predicate"] == "supersedes"})
        if not by:
            continue
        newer = ", ".join(kg.entities[k]["label"] for k in by)
        own = set(ent["props"].get("documents", []))
        for key in by:
            own.update(kg.entities[key]["props"].get("documents", []))
        seen: set[str] = set()
        for ev in sorted(ent["evidence"], key=lambda e: (e["document"], e["line"])):
            if ev["document"] in own or ev["document"] in seen or _SAYS_SUPERSEDED.search(ev.get("text", "")):
                continue
            seen.add(ev["document"])
            what = "lists" if ev.get("method") == "index" else "cites"
            yield Finding(SUPERSEDED_CITED.id, SUPERSEDED_CITED.severity, ev["document"], int(ev["line"]),
                          f"{what} {ent['label']} as if in force, but {newer} supersedes it",
                          f"{ent['label']} is superseded by {newer}; cite {newer}"
                          + (" or say that it is superseded" if ev.get("method") == "index" else ""))


# ---------------------------------------------------------------- ADR numbers


def _numbers(path: str, title: str) -> tuple[int | None, int | None]:
    """(number in the file name, number in the title) of a document, as the ADR rules read them."""
    from ..rules.adr import FILE_ADR_NUMBER, FILE_NUMBER, title_number

    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    fm = FILE_ADR_NUMBER.match(stem) or FILE_NUMBER.match(stem)
    return (int(fm.group(1)) if fm else None), title_number(title)[0]


def _title_line(kg: KnowledgeGraph, path: str) -> int:
    """The line of an ADR document's heading evidence (its title or status line), else 1."""
    key = f"document/{path}"
    for rel in kg.in_edges.get(key, []):
        if rel["predicate"] == "documentedIn":
            for ev in rel["evidence"]:
                if ev["document"] == path:
                    return int(ev["line"])
    return 1


def _plain_title(title: str) -> str:
    from ..rules.adr import title_number

    rest = title_number(title)[1]
    return " ".join(re.sub(r"[^\w]+", " ", rest.lower()).split())


def adr_numbers(kg: KnowledgeGraph) -> Iterator[Finding]:
    """A file number that disagrees with its title; one number with two titles or two files."""
    documents = {d["path"]: d for d in kg.model["documents"]}
    for path, doc in sorted(documents.items()):
        if doc.get("kind") != "adr":
            continue
        in_file, in_title = _numbers(path, str(doc.get("title", "")))
        if in_file is not None and in_title is not None and in_file != in_title:
            yield Finding(NUMBER_MISMATCH.id, NUMBER_MISMATCH.severity, path, 1,
                          f"the file name says ADR {in_file} but the title says ADR {in_title} ({doc['title']})",
                          "rename the file or renumber the title so that both give one number")
    for ent in sorted(kg.entities.values(), key=lambda e: e["key"]):
        docs = [p for p in ent["props"].get("documents", []) if p in documents] if ent["type"] == "ADR" else []
        if len(docs) < 2:
            continue
        first = docs[0]
        titles = {p: _plain_title(str(documents[p].get("title", ""))) for p in docs}
        for other in docs[1:]:
            related = (Place(first, _title_line(kg, first), str(documents[first]["title"])),)
            if titles[other] != titles[first]:
                yield Finding(NUMBER_CONFLICT.id, NUMBER_CONFLICT.severity, other, _title_line(kg, other),
                              f"{ent['label']} is also {first}, with another title: "
                              f"\"{documents[other]['title']}\" and \"{documents[first]['title']}\"",
                              "give one of the two decisions the next free number", related)
            else:
                yield Finding(DUPLICATE.id, DUPLICATE.severity, other, _title_line(kg, other),
                              f"{ent['label']} is kept in two files: {other} and {first}",
                              f"keep one copy of {ent['label']} and link to it from the other repository", related)


# ---------------------------------------------------------------- the build's warnings


_WHERE = re.compile(r"^(?P<document>[^:\n]+?)(?::(?P<line>\d+))?: (?P<message>.*)$", re.S)


def build_warnings(kg: KnowledgeGraph) -> Iterator[Finding]:
    """What the build skipped or could not read, at the file and line the warning names."""
    for warning in kg.model["warnings"]:
        m = _WHERE.match(warning)
        document, line, message = (m.group("document"), int(m.group("line") or 0), m.group("message")) if m \
            else ("", 0, warning)
        yield Finding(BUILD_WARNING.id, BUILD_WARNING.severity, document, line, message)


RULES = [
    PythonRule(BROKEN_LINK, links, (BROKEN_LINK, ABSENT_REPOSITORY)),
    PythonRule(ADR_MISSING, adr_references, (ADR_MISSING, INDEX_ENTRY)),
    PythonRule(SUPERSEDED_CITED, superseded_citations),
    PythonRule(NUMBER_MISMATCH, adr_numbers, (NUMBER_MISMATCH, NUMBER_CONFLICT, DUPLICATE)),
    PythonRule(BUILD_WARNING, build_warnings),
]


__all__ = ["RULES", "adr_numbers", "adr_references", "build_warnings", "links", "superseded_citations"]
