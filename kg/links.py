"""Resolve stage, links: every Link gets a target document or is kept as unresolved.

Handles relative links, root-relative links (`/docs/x.md`, relative to the
repository), and GitHub and GitLab blob/tree URLs into a repository present in
the workspace (whatever branch the URL names, it reaches the document the
workspace holds: a workspace file pins each repository to one revision). A GitHub URL into a repository of the workspace's own organisation
that is not present is an unresolved reference; one into another organisation
is simply external.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from .model import Document, Link, UnresolvedReference

GITHUB = re.compile(r"^https?://(?:www\.)?github\.com/([^/]+)/([^/#?]+)(?:/(blob|tree|raw)/([^/]+)/([^#?]*))?")
DOC_SUFFIXES = (".md", ".markdown", ".mdown")


# GitLab (gitlab.com or a host named gitlab…): groups nest, and blob/tree/raw follow a `/-/`
GITLAB = re.compile(r"^https?://(?:www\.)?[\w.-]*gitlab[\w.-]*/(?P<group>[^#?]+?)/(?P<repo>[^/#?]+?)"
                    r"(?:\.git)?(?:/-/(?P<kind>blob|tree|raw)/(?P<ref>[^/#?]+)/?(?P<path>[^#?]*))?/?(?:[#?].*)?$")


def parse_github(href: str) -> tuple[str, str, str, str] | None:
    """(org, repo, kind, path) of a GitHub URL, kind '' for a bare repository URL."""
    m = GITHUB.match(href)
    if not m:
        return None
    org, repo, kind, _ref, path = m.groups()
    repo = repo.removesuffix(".git")
    return org, repo, kind or "", unquote(path or "").strip("/")


def parse_repository_link(href: str) -> tuple[str, str, str, str] | None:
    """(org or group, repo, kind, path) of a GitHub or GitLab URL into a repository; kind '' for the repository."""
    found = parse_github(href)
    if found:
        return found
    m = GITLAB.match(href)
    if not m or "/-/" in m.group("group"):
        return None
    return m.group("group"), m.group("repo"), m.group("kind") or "", unquote(m.group("path") or "").strip("/")


# where a static site keeps its pages under the repository: a root-relative link starts there
SITE_ROOTS = ("source", "docs", "content", "site", "src")


def _page_folder(path: str) -> str:
    """The folder a static site serves a page as: docs/adrs/adr-008.html.md is served at docs/adrs/adr-008/."""
    name = posixpath.basename(path)
    stem = re.sub(r"(?:\.html)?\.(?:md|markdown|mdown)(?:\.erb)?$", "", name, flags=re.I)
    return posixpath.join(posixpath.dirname(path), stem)


class LinkResolver:
    """Resolves links against the set of documents and repositories of one workspace."""

    def __init__(self, doc_paths: Iterable[str], repos: Iterable[str]):
        self.docs = set(doc_paths)
        self.repos = set(repos)
        self.folders: set[str] = set()
        for p in self.docs:
            parts = p.split("/")
            for k in range(1, len(parts)):
                self.folders.add("/".join(parts[:k]))
        self.lower_repos = {r.lower(): r for r in self.repos}
        self.orgs: set[str] = set()

    def learn_orgs(self, documents: Iterable[Document]) -> None:
        """The organisations whose repositories this workspace holds, read off its own GitHub links."""
        for doc in documents:
            for link in doc.links:
                gh = parse_repository_link(link.href)
                if gh and gh[1].lower() in self.lower_repos:
                    self.orgs.add(gh[0].lower())

    def _existing(self, path: str) -> str | None:
        path = posixpath.normpath(path)
        if path in self.docs:
            return path
        if path in self.folders or path in self.repos:
            for name in ("README.md", "readme.md", "index.md", "INDEX.md"):
                if f"{path}/{name}" in self.docs:
                    return f"{path}/{name}"
            return path
        return None

    def _site_page(self, doc: Document, path: str, candidate: str) -> str | None:
        """The page a static site's link means (MkDocs, Middleman's tech-docs, Hugo, Jekyll): `use` or `use.html` is
        use.md or use.html.md(.erb); a page is served as a folder, so `../sibling` from it is a sibling page; a
        root-relative link starts at the site's source folder (source/, docs/, content/)."""
        bases = [candidate]
        if not path.startswith("/"):
            bases.append(posixpath.join(_page_folder(doc.path), path))  # "../ADR012-…" from a page served as a folder
        else:
            bases += [f"{doc.repo}/{root}/{path.lstrip('/')}" for root in SITE_ROOTS]
        for base in bases:
            base = posixpath.normpath(base).rstrip("/")
            stem = base[: -len(".html")] if base.lower().endswith(".html") else base
            for name in (f"{stem}.md", f"{stem}.html.md", f"{stem}.html.md.erb", f"{stem}.md.erb",
                         f"{stem}/index.md", f"{stem}/index.html.md", f"{stem}/index.html.md.erb", f"{stem}/README.md"):
                if name in self.docs:
                    return name
        return None

    def resolve(self, doc: Document, link: Link) -> UnresolvedReference | None:
        """Fill link.target and link.kind; return an UnresolvedReference when it points nowhere."""
        href = link.href.strip()
        if not href or href.startswith("#"):
            link.kind = "anchor"
            link.target = doc.path
            return None
        gh = parse_repository_link(href)
        if gh:
            return self._resolve_github(doc, link, *gh)
        scheme = urlsplit(href).scheme
        if scheme or href.startswith("//"):
            link.kind = "external"
            return None
        path = unquote(href.split("#", 1)[0].split("?", 1)[0])
        if not path:
            link.kind = "anchor"
            return None
        if path.startswith("/"):
            candidate = f"{doc.repo}/{path.lstrip('/')}"
        else:
            candidate = posixpath.join(posixpath.dirname(doc.path), path)
        found = self._existing(candidate) or self._site_page(doc, path, candidate)
        if found:
            link.kind, link.target = "internal", found
            return None
        if not candidate.lower().endswith(DOC_SUFFIXES) and "." in posixpath.basename(candidate):
            link.kind = "asset"  # images, manifests: not documents, not checked here
            return None
        link.kind = "unresolved"
        return UnresolvedReference(doc.path, link.line, href, link.text, f"no document at {posixpath.normpath(candidate)}")

    def _resolve_github(self, doc: Document, link: Link, org: str, repo: str, kind: str, path: str) -> UnresolvedReference | None:
        local = self.lower_repos.get(repo.lower())
        if local is None:
            if kind and org.lower() in self.orgs:
                link.kind = "unresolved"
                return UnresolvedReference(doc.path, link.line, link.href, link.text,
                                           f"repository {org}/{repo} is not in the workspace")
            link.kind = "external"
            return None
        if not kind:
            link.kind, link.target = "repository", local
            return None
        found = self._existing(f"{local}/{path}" if path else local)
        if found:
            link.kind, link.target = "internal", found
            return None
        if kind == "blob" and not path.lower().endswith(DOC_SUFFIXES):
            link.kind = "asset"
            return None
        link.kind = "unresolved"
        return UnresolvedReference(doc.path, link.line, link.href, link.text, f"no document {path} in repository {local}")


def resolve_links(documents: list[Document], repos: Iterable[str]) -> list[UnresolvedReference]:
    """Resolve every link of every document; return the references that point nowhere."""
    resolver = LinkResolver((d.path for d in documents), repos)
    resolver.learn_orgs(documents)
    unresolved: list[UnresolvedReference] = []
    for doc in documents:
        for link in doc.links:
            ref = resolver.resolve(doc, link)
            if ref:
                unresolved.append(ref)
    return unresolved
