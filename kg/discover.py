"""Discover stage: folders on disk -> Workspace (repositories and their Markdown files and manifests).

One of only two modules that touch the file system (the other is the store).
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .model import SourceFile, Workspace

MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown"}
# YAML beside the docs may be a manifest (Chart.yaml, Flux, Backstage, a depends list); the parse stage decides
SOURCE_SUFFIXES = MARKDOWN_SUFFIXES | {".yaml", ".yml"}
# Markdown a static site renders through a template engine first: GOV.UK's tech-docs template keeps every page as
# name.html.md.erb (kg.parse takes the template tags out)
TEMPLATED_MARKDOWN = (".md.erb", ".markdown.erb")


def is_source_name(name: str) -> bool:
    """Whether a file of this name is one kg reads: Markdown (templated too) or YAML."""
    lower = name.lower()
    return Path(lower).suffix in SOURCE_SUFFIXES or lower.endswith(TEMPLATED_MARKDOWN)
# folders that never hold a team's own docs
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".kg",
             "site-packages", ".mypy_cache", ".pytest_cache", ".ruff_cache", "_build", "dist", "build"}
ROOT_DOC_NAMES = {"readme.md", "index.md", "summary.md", "mkdocs.yml", "docusaurus.config.js"}


def _is_git_toplevel(path: Path) -> bool:
    return (path / ".git").exists()


def _looks_like_repository(path: Path) -> bool:
    """A folder that is a repository of its own: a git toplevel, or docs with a README/INDEX at the top."""
    if _is_git_toplevel(path):
        return True
    try:
        names = {p.name.lower() for p in path.iterdir() if p.is_file()}
    except OSError:
        return False
    return bool(names & ROOT_DOC_NAMES)


# folders a repository keeps its docs or decision records in (adr-tools writes doc/adr)
DOCS_FOLDERS = ("docs", "doc", "adr", "adrs", "decisions")


def _holds_docs(path: Path) -> bool:
    """A folder with a docs or decision-record folder at its top: a repository without a README of its own."""
    try:
        return any(p.is_dir() and p.name.lower() in DOCS_FOLDERS for p in path.iterdir())
    except OSError:
        return False


@dataclass(frozen=True)
class GuardedFile(SourceFile):
    """A source file with the folders it may be read from; `refused` says why it will not be read at all."""

    allowed: tuple[str, ...] = ()
    refused: str = ""


class OutsideWorkspace(OSError):
    """A symlink that leaves the given paths: never read, a warning instead."""

    def __init__(self, what: str) -> None:
        super().__init__(errno.EACCES, f"{what} outside the given paths")


def _inside(path: str, allowed: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in allowed)


def _leaves(path: Path, allowed: tuple[str, ...]) -> bool:
    """A symlink whose target is not inside the allowed folders."""
    return path.is_symlink() and not _inside(os.path.realpath(path), allowed)


def _markdown_files(folder: Path, allowed: tuple[str, ...]) -> list[tuple[Path, str]]:
    """(path, why it is refused or '') of every Markdown file under folder, and of symlinks that leave `allowed`."""
    found: list[tuple[Path, str]] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        # sorted in place so the walk, and so every build, is deterministic
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in dirnames:
            # os.walk does not enter symlinked folders; one that leads out of the given paths is said
            if _leaves(Path(dirpath) / name, allowed):
                found.append((Path(dirpath) / name, "a symlink to a folder"))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if not is_source_name(name):
                continue
            if _leaves(path, allowed):
                found.append((path, "a symlink to a file"))
            # only regular files: a symlink to /dev/zero or a FIFO named x.md must not hang the build
            elif path.is_file():
                found.append((path, ""))
    return found


def discover(paths: list[str]) -> Workspace:
    """Find repositories, Markdown files and YAML files (possible manifests) under the given folders (or files).

    Files and folders are read only inside the given paths: a symlink that leads out of them is listed as
    a file that read_text refuses (so the build warns about it), never followed.
    """
    repos: dict[str, str] = {}
    files: list[SourceFile] = []
    roots: list[str] = []
    missing = [raw for raw in paths if not Path(raw).expanduser().exists()]
    if missing:
        raise UsageError(f"{missing[0]}: no such file or folder")
    allowed = tuple(str(Path(raw).expanduser().resolve()) for raw in paths)

    def add_repo(name: str, folder: Path) -> None:
        base = name
        n = 2
        while name in repos and repos[name] != str(folder):
            name = f"{base}-{n}"
            n += 1
        repos[name] = str(folder)
        for f, refused in _markdown_files(folder, allowed):
            rel = f.relative_to(folder).as_posix()
            files.append(GuardedFile(abspath=str(f), path=f"{name}/{rel}", repo=name, allowed=allowed,
                                     refused=refused))

    for raw in paths:
        path = Path(raw).expanduser().resolve()
        roots.append(str(path))
        if path.is_file():
            if not is_source_name(path.name):
                raise UsageError(f"{raw}: not a Markdown file or manifest")
            name = path.parent.name or "workspace"
            repos.setdefault(name, str(path.parent))
            files.append(SourceFile(abspath=str(path), path=f"{name}/{path.name}", repo=name))
            continue
        entries = sorted(p for p in path.iterdir() if p.name not in SKIP_DIRS and not p.name.startswith("."))
        children = [p for p in entries if p.is_dir() and not _leaves(p, allowed)]
        # a folder holding repositories: some child is a git checkout, or, with no README of its own,
        # at least two children look like repositories (a README, an index or a docs/ folder)
        holds_checkouts = any(_is_git_toplevel(c) for c in children)
        repo_like = [c for c in children if _looks_like_repository(c) or _holds_docs(c)]
        if _is_git_toplevel(path) or not holds_checkouts and (_looks_like_repository(path) or len(repo_like) < 2):
            add_repo(path.name, path)
            continue
        # a workspace root: each first-level folder is a repository; loose files belong to the root
        for p in entries:
            if p.is_dir() and _leaves(p, allowed):
                files.append(GuardedFile(abspath=str(p), path=f"{path.name}/{p.name}", repo=path.name,
                                         refused="a symlink to a folder"))
        for child in children:
            add_repo(child.name, child)
        for f in sorted(path.iterdir()):
            if is_source_name(f.name) and (f.is_file() or _leaves(f, allowed)):
                name = path.name
                repos.setdefault(name, str(path))
                files.append(GuardedFile(abspath=str(f), path=f"{name}/{f.name}", repo=name, allowed=allowed,
                                         refused="a symlink to a file" if _leaves(f, allowed) else ""))

    files.sort(key=lambda s: s.path)
    return Workspace(roots=roots, repos=repos, files=files)


def discover_repository(name: str, folder: Path, subdir: str = "") -> list[SourceFile]:
    """The files of one repository, read only under `subdir` when given; paths stay relative to the repository,
    so links into it resolve whichever part of it is read."""
    root = folder.resolve()
    allowed = (str(root),)
    return [GuardedFile(abspath=str(f), path=f"{name}/{f.relative_to(root).as_posix()}", repo=name, allowed=allowed,
                        refused=refused)
            for f, refused in _markdown_files(root / subdir if subdir else root, allowed)]


MAX_BYTES = 8 * 2**20  # no hand-written doc is this large; a generated dump would only drown the graph


class TooLarge(OSError):
    """A file over MAX_BYTES, skipped."""


def read_text(source: SourceFile) -> str:
    """The file's text; raises UnicodeDecodeError for files that are not UTF-8, TooLarge past MAX_BYTES."""
    if isinstance(source, GuardedFile):
        if source.refused:
            raise OutsideWorkspace(source.refused)
        real = os.path.realpath(source.abspath)  # checked again here: the file may have changed since discovery
        if source.allowed and not _inside(real, source.allowed):
            raise OutsideWorkspace("a symlink to a file")
        source = SourceFile(abspath=real, path=source.path, repo=source.repo)
    path = Path(source.abspath)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise TooLarge(f"{size:,} bytes, over the {MAX_BYTES:,}-byte limit")
    return path.read_bytes().decode("utf-8-sig")
