"""The workspace file `kg.toml`: which repositories to build, at which revisions, with which aliases and rules.

    aliases = ["kg-aliases.toml"]        # alias files (besides a kg-aliases.toml next to kg.toml)
    ontology = ["platform.ttl"]          # Turtle added to the graph: your own classes, labels, properties
    shapes = ["kg-shapes.ttl"]           # SHACL shapes `kg check` runs with kg's own
    cache = ".kg-cache"                  # where git sources are kept (default $KG_CACHE_DIR or ~/.cache/kg)

    [[source]]
    path = "../handbook"                 # a local folder: a repository, or a folder of repositories

    [[source]]
    git = "https://github.com/openova/redpanda.git"
    rev = "v2.1.0"                       # a branch, a tag or a commit (default: the remote's HEAD)
    subdir = "docs"                      # only this folder of it
    name = "redpanda"                    # its name in the graph (default: from the URL or the folder)

Paths are relative to the folder of kg.toml. Git sources are cloned and fetched with plain `git` into the
cache (kg.sources.fetch_tree); `offline` uses the cache only. Every repository records its URL and the
commit it was read at, and so does every document of it.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import BuildError, UsageError
from .model import SourceFile, Workspace

WORKSPACE_FILE = "kg.toml"
_TOP_KEYS = {"source", "aliases", "ontology", "shapes", "cache"}
_SOURCE_KEYS = {"path", "git", "rev", "subdir", "name"}


@dataclass(frozen=True)
class SourceSpec:
    """One source of a workspace file: a local folder, or a git URL at a revision; optionally one subfolder."""

    line: int  # of its [[source]] header in kg.toml, for messages
    path: Path | None = None
    git: str = ""
    rev: str = ""
    subdir: str = ""
    name: str = ""


@dataclass
class WorkspaceFile:
    """A parsed kg.toml."""

    file: Path
    sources: list[SourceSpec]
    aliases: list[Path] = field(default_factory=list)
    ontology: list[Path] = field(default_factory=list)
    shapes: list[Path] = field(default_factory=list)
    cache: Path | None = None


@dataclass
class Checkout:
    """A source made available on disk: its repository name, folder, the subfolder read, URL, revision, commit."""

    name: str
    folder: Path
    subdir: str = ""
    url: str = ""
    rev: str = ""
    commit: str = ""

    def origin(self) -> dict[str, str]:
        """What the graph records of where its documents were read: URL, revision and commit."""
        return {k: v for k, v in (("url", self.url), ("rev", self.rev), ("commit", self.commit)) if v}


def find_workspace_file(paths: list[str]) -> Path | None:
    """The workspace file a build means: ./kg.toml with no paths; a .toml file, or a folder holding kg.toml, as
    the only path. None when the paths are folders of docs."""
    if not paths:
        here = Path(WORKSPACE_FILE)
        return here if here.is_file() else None
    if len(paths) != 1:
        return None
    path = Path(paths[0]).expanduser()
    if path.is_file() and path.suffix == ".toml":
        return path
    if path.is_dir() and (path / WORKSPACE_FILE).is_file():
        return path / WORKSPACE_FILE
    return None


def _header_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if re.match(r"^\s*\[\[\s*source\s*\]\]", line)]


def _key_line(text: str, key: str) -> int:
    for n, line in enumerate(text.splitlines(), 1):
        if re.match(rf"^\s*{re.escape(key)}\s*=", line):
            return n
    return 1


def _paths(value: Any, base: Path, what: str, where: str) -> list[Path]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise UsageError(f"{where}: {what} must be a path or a list of paths")
    return [(base / Path(v).expanduser()).resolve() for v in items]


def load_workspace(file: Path) -> WorkspaceFile:
    """Read kg.toml; a UsageError naming the file and line for anything wrong in it."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{file}: cannot read the workspace file ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = m.group(1) if m else "1"
        problem = str(exc)[: m.start()].strip() if m else str(exc)
        raise UsageError(f"{file}:{line}: not valid TOML ({problem})") from None
    base = file.resolve().parent
    for key in data:
        if key not in _TOP_KEYS:
            raise UsageError(f"{file}:{_key_line(text, key)}: unknown key {key} (one of: {', '.join(sorted(_TOP_KEYS))})")
    raw_sources = data.get("source") or []
    if not isinstance(raw_sources, list) or not raw_sources:
        raise UsageError(f"{file}:1: no sources: add a [[source]] with a path or a git URL")
    headers = _header_lines(text)
    sources: list[SourceSpec] = []
    for n, raw in enumerate(raw_sources):
        line = headers[n] if n < len(headers) else 1
        where = f"{file}:{line}"
        unknown = sorted(set(raw) - _SOURCE_KEYS)
        if unknown:
            raise UsageError(f"{where}: unknown key {unknown[0]} in a source (one of: {', '.join(sorted(_SOURCE_KEYS))})")
        if not all(isinstance(v, str) for v in raw.values()):
            raise UsageError(f"{where}: every value of a source is text")
        if bool(raw.get("path")) == bool(raw.get("git")):
            raise UsageError(f"{where}: a source has either a path or a git URL")
        if raw.get("rev") and not raw.get("git"):
            raise UsageError(f"{where}: rev is for a git source; a local path is read as it is")
        subdir = raw.get("subdir", "").strip("/")
        if subdir and (Path(subdir).is_absolute() or ".." in Path(subdir).parts):
            raise UsageError(f"{where}: subdir must be a folder inside the source")
        name = raw.get("name", "")
        if name and not re.fullmatch(r"[\w.-]+", name):
            raise UsageError(f"{where}: name {name!r} may hold only letters, digits, '.', '_' and '-'")
        path = (base / Path(raw["path"]).expanduser()).resolve() if raw.get("path") else None
        sources.append(SourceSpec(line, path, raw.get("git", ""), raw.get("rev", ""), subdir, name))
    cache = data.get("cache")
    if cache is not None and not isinstance(cache, str):
        raise UsageError(f"{file}:{_key_line(text, 'cache')}: cache must be a path")
    return WorkspaceFile(
        file=file, sources=sources,
        aliases=_paths(data.get("aliases"), base, "aliases", f"{file}:{_key_line(text, 'aliases')}")
        + [p for p in (base / "kg-aliases.toml",) if p.is_file()],
        ontology=_paths(data.get("ontology"), base, "ontology", f"{file}:{_key_line(text, 'ontology')}"),
        shapes=_paths(data.get("shapes"), base, "shapes", f"{file}:{_key_line(text, 'shapes')}")
        + [p for p in (base / "kg-shapes.ttl",) if p.is_file()],
        cache=(base / Path(cache).expanduser()).resolve() if cache else None)


def _git_name(url: str) -> str:
    tail = url.rstrip("/").removesuffix(".git").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return re.sub(r"[^\w.-]+", "-", tail) or "repository"


def checkout(ws: WorkspaceFile, offline: bool = False, cache: Path | None = None) -> tuple[list[Checkout], list[str]]:
    """Every source on disk: local folders as they are, git sources at their revisions through the cache."""
    from .sources import GitSourceError, default_cache_dir, fetch_tree, repository_origin

    cache = cache or ws.cache or default_cache_dir()
    out: list[Checkout] = []
    warnings: list[str] = []
    for spec in ws.sources:
        where = f"{ws.file}:{spec.line}"
        if spec.path is not None:
            if not spec.path.is_dir():
                raise UsageError(f"{where}: {spec.path}: no such folder")
            origin = repository_origin(spec.path)
            out.append(Checkout(spec.name or spec.path.name, spec.path, spec.subdir, url=origin.get("web", ""),
                                commit=origin.get("commit", "")))
            continue
        try:
            tree, commit, said = fetch_tree(spec.git, spec.rev, cache, offline)
        except GitSourceError as exc:
            # a source kg.toml names is said with its line; the checkout `kg diff` moves speaks for itself
            raise BuildError(f"{where}: {exc}" if spec.line else str(exc)) from None
        warnings += [f"{where}: {w}" for w in said]
        out.append(Checkout(spec.name or _git_name(spec.git), tree, spec.subdir, spec.git, spec.rev or "HEAD", commit))
    for c in out:
        if c.subdir and not (c.folder / c.subdir).is_dir():
            raise UsageError(f"{ws.file}: source {c.name} has no folder {c.subdir}"
                             + (f" at {c.commit[:12]}" if c.commit else ""))
    return out, warnings


def discover_checkouts(checkouts: list[Checkout], file: Path) -> Workspace:
    """The files of every source: a named or git source is one repository (read only under its subdir); a local
    folder without a name is discovered as `kg build FOLDER` would (a repository, or a folder of them)."""
    from .discover import discover, discover_repository

    repos: dict[str, str] = {}
    files: list[SourceFile] = []
    for c in checkouts:
        if c.rev or c.subdir or c.name != c.folder.name:  # a git source, a subfolder or a name: one repository
            found = Workspace([str(c.folder)], {c.name: str(c.folder)}, discover_repository(c.name, c.folder, c.subdir))
        else:
            found = discover([str(c.folder)])
        for name, folder in found.repos.items():
            if name in repos and repos[name] != folder:
                raise UsageError(f"{file}: two sources are named {name}; give one of them a name = \"…\"")
            repos[name] = folder
        files += found.files
    files.sort(key=lambda s: s.path)
    return Workspace(roots=[str(c.folder) for c in checkouts], repos=repos, files=files)


@dataclass
class Prepared:
    """A workspace file made ready to build: its sources on disk and their files."""

    spec: WorkspaceFile
    checkouts: list[Checkout]
    workspace: Workspace
    warnings: list[str]

    @property
    def roots(self) -> list[str]:
        return [str(c.folder) for c in self.checkouts]

    def meta(self) -> dict[str, Any]:
        """What the build records of the workspace: its file, each source at its commit, the shapes to check."""
        return {"workspace": {"file": str(self.spec.file), "sources": [
            {"name": c.name, "folder": str(c.folder), "subdir": c.subdir, **c.origin()} for c in self.checkouts]},
            "shapes": [str(p) for p in self.spec.shapes]}

    def extend(self, graph: Any) -> None:
        """Add the workspace's ontology extensions (Turtle) to the RDF graph."""
        for path in self.spec.ontology:
            try:
                graph.parse(path, format="turtle")
            except OSError as exc:
                raise UsageError(f"{self.spec.file}: ontology {path}: cannot read ({exc.strerror or exc})") from None
            except Exception as exc:  # rdflib's Turtle errors have no common base class
                raise UsageError(f"{self.spec.file}: ontology {path} is not Turtle "
                                 f"({' '.join(str(exc).split())[:200]})") from None


def prepare(paths: list[str] | None, file: str | os.PathLike[str] | None = None,
            offline: bool = False) -> Prepared | None:
    """The workspace a build means (`file`, or the one `find_workspace_file` finds), with its sources on disk;
    None when the paths are folders of docs."""
    found = Path(file) if file else find_workspace_file(list(paths)) if paths else None
    if found is None:
        if offline and paths:
            raise UsageError("--offline is for a workspace file (kg.toml) with git sources")
        return None
    spec = load_workspace(found)
    checkouts, warnings = checkout(spec, offline)
    return Prepared(spec, checkouts, discover_checkouts(checkouts, found), warnings)


def record_origins(entities: dict[str, Any], repositories: dict[str, str],
                   prepared: Prepared | None) -> dict[str, dict[str, str]]:
    """Stamp every repository and document entity with the URL and commit it was read at; return the origins
    that evidence links use (web page and commit per repository)."""
    from .sources import origins, web_url

    remote = origins(repositories)  # local checkouts with a remote
    read_at = {name: {"url": o["web"], "commit": o["commit"]} for name, o in remote.items()}
    for c in prepared.checkouts if prepared else ():
        if c.rev:  # a git source: the URL as configured, at the commit its revision resolved to
            read_at[c.name] = c.origin()
            web = web_url(c.url)
            if web:
                remote[c.name] = {"web": web, "commit": c.commit, "prefix": ""}
            else:
                remote.pop(c.name, None)
    for ent in entities.values():
        repo = ent.props.get("repository") if ent.type == "Document" else ent.label if ent.type == "Repository" else None
        if repo in read_at:
            ent.props.update({k: v for k, v in read_at[repo].items() if k in ("url", "rev", "commit")})
    return remote
