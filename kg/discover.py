"""Discover stage: folders on disk -> Workspace (repositories and their Markdown files and manifests).

One of only two modules that touch the file system (the other is the store).
"""

from __future__ import annotations

import errno
import os
import stat
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


def _markdown_files(folder: Path, allowed: tuple[str, ...]) -> list[tuple[str, str]]:
    """(path, why it is refused or '') of every Markdown file under folder, and of symlinks that leave `allowed`.

    Walked as os.walk walks (top down, never into a symlinked folder), with each entry's type from the directory
    listing itself: a stat per file and a Path per name were most of discovering 10,000 files."""
    found: list[tuple[str, str]] = []

    def leaves(entry: os.DirEntry[str]) -> bool:
        return entry.is_symlink() and not _inside(os.path.realpath(entry.path), allowed)

    def walk(top: str) -> None:
        try:
            with os.scandir(top) as listing:
                entries = sorted(listing, key=lambda e: e.name)  # sorted: the walk, and every build, is deterministic
        except OSError:
            return  # a folder that cannot be listed is left out, as os.walk leaves it
        folders: list[os.DirEntry[str]] = []
        files: list[os.DirEntry[str]] = []
        for entry in entries:
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            (folders if is_folder else files).append(entry)
        folders = [e for e in folders if e.name not in SKIP_DIRS and not e.name.startswith(".")]
        for entry in folders:  # not entered; one that leads out of the given paths is said
            if leaves(entry):
                found.append((entry.path, "a symlink to a folder"))
        for entry in files:
            if not is_source_name(entry.name):
                continue
            if leaves(entry):
                found.append((entry.path, "a symlink to a file"))
            # only regular files: a symlink to /dev/zero or a FIFO named x.md must not hang the build
            elif entry.is_file():
                found.append((entry.path, ""))
        for entry in folders:
            if not entry.is_symlink():
                walk(entry.path)

    walk(str(folder))
    return found


def _relative(path: str, folder: Path) -> str:
    """A path found under `folder`, relative to it, with forward slashes."""
    return Path(path).relative_to(folder).as_posix() if os.sep != "/" else path[len(str(folder)):].lstrip("/")


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
            files.append(GuardedFile(abspath=f, path=f"{name}/{_relative(f, folder)}", repo=name, allowed=allowed,
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
    return [GuardedFile(abspath=f, path=f"{name}/{_relative(f, root)}", repo=name, allowed=allowed,
                        refused=refused)
            for f, refused in _markdown_files(root / subdir if subdir else root, allowed)]


MAX_BYTES = 8 * 2**20  # no hand-written doc is this large; a generated dump would only drown the graph


class TooLarge(OSError):
    """A file over MAX_BYTES, skipped."""


def read_text(source: SourceFile, folders: dict[str, str] | None = None) -> str:
    """The file's text; raises UnicodeDecodeError for files that are not UTF-8, TooLarge past MAX_BYTES.

    `folders`: where each folder really is, kept by the caller for one pass over a workspace (resolving every
    file's path from the root again was a quarter of a rebuild's reading)."""
    path = source.abspath
    if isinstance(source, GuardedFile):
        if source.refused:
            raise OutsideWorkspace(source.refused)
        # checked again here: the file may have changed since discovery
        path = _real_path(path, folders if folders is not None else {})
        if source.allowed and not _inside(path, source.allowed):
            raise OutsideWorkspace("a symlink to a file")
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size > MAX_BYTES:
            raise TooLarge(f"{size:,} bytes, over the {MAX_BYTES:,}-byte limit")
        return f.read().decode("utf-8-sig")


def _real_path(path: str, folders: dict[str, str]) -> str:
    """os.path.realpath of a file, its folder's looked up in `folders` (and kept there)."""
    if stat.S_ISLNK(os.lstat(path).st_mode):
        return os.path.realpath(path)
    folder, name = os.path.split(path)
    real = folders.get(folder)
    if real is None:
        real = folders[folder] = os.path.realpath(folder)
    return os.path.join(real, name)
