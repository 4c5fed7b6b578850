"""Where a document of the graph lives: its file on disk, and its web page at the pinned commit when known.

A build records, per repository, the folder it was read from and, for a git checkout with a remote, the
web URL of the remote and the commit checked out (read with the local `git`; nothing is fetched). Evidence
then links to `https://github.com/ORG/REPO/blob/COMMIT/PATH#L41` where that is known, else to the file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

_SCP = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>(?!/)[^\s]+)$")  # git@github.com:org/repo.git


def web_url(remote: str) -> str:
    """The web page of a git remote (https or scp-like ssh form), or "" for a local or unknown one."""
    remote = remote.strip()
    m = _SCP.match(remote)
    if m and "://" not in remote:
        host, path = m.group("host"), m.group("path")
    else:
        m2 = re.match(r"^(?:https?|ssh|git)://(?:[^@/]+@)?(?P<host>[^/:]+)(?::\d+)?/(?P<path>.+)$", remote)
        if not m2:
            return ""
        host, path = m2.group("host"), m2.group("path")
    path = path.removesuffix("/").removesuffix(".git")
    return f"https://{host}/{path}" if "/" in path else ""


def _git(folder: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=10,
                              check=False, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _in_git(path: Path) -> bool:
    """Whether a folder is inside a git checkout (a .git folder or file above it): asking git about each of a
    thousand plain folders costs seconds."""
    if os.environ.get("GIT_DIR"):
        return True
    return any((p / ".git").exists() for p in (path.resolve(), *path.resolve().parents))


def repository_origin(folder: str | os.PathLike[str]) -> dict[str, str]:
    """The web URL, commit and path inside the checkout of a repository folder that is in git; {} otherwise."""
    path = Path(folder)
    if shutil.which("git") is None or not path.is_dir() or not _in_git(path):
        return {}
    top = _git(path, "rev-parse", "--show-toplevel")
    commit = _git(path, "rev-parse", "HEAD") if top else ""
    web = web_url(_git(path, "config", "--get", "remote.origin.url")) if top else ""
    if not (top and commit and web):
        return {}
    inner = os.path.relpath(path.resolve(), Path(top).resolve())
    return {"web": web, "commit": commit, "prefix": "" if inner == "." else Path(inner).as_posix() + "/"}


def origins(repositories: dict[str, str]) -> dict[str, dict[str, str]]:
    """`repository_origin` of every repository folder that has one."""
    out = {}
    for name, folder in sorted(repositories.items()):
        found = repository_origin(folder)
        if found:
            out[name] = found
    return out


def blob_url(origin: dict[str, str], rel: str, line: int | None) -> str:
    """The web page of a file at the pinned commit, at the line (GitHub, GitLab and Bitbucket spell it apart)."""
    web, commit, path = origin["web"], origin["commit"], origin.get("prefix", "") + rel
    if "bitbucket" in web:
        return f"{web}/src/{commit}/{path}" + (f"#lines-{line}" if line else "")
    middle = "/-/blob/" if "gitlab" in web else "/blob/"
    return f"{web}{middle}{commit}/{path}" + (f"#L{line}" if line else "")


def locate(document: str, line: int | None, repositories: dict[str, str],
           remote: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Where a document path of the graph (`repo/rel/path.md`) is: the file on disk and the URL to open."""
    repo, _, rel = document.partition("/")
    folder = repositories.get(repo)
    file = str(Path(folder) / rel) if folder and rel else ""
    url = blob_url(remote[repo], rel, line) if repo in remote and rel else (Path(file).as_uri() if file else "")
    return {"document": document, "line": line, "file": file, "url": url}


def shown_path(document: str, file: str, cwd: str | None = None) -> str:
    """The path to print: relative to the working directory when the file is under it (so editors and
    terminals open it from here), else the document's path in the workspace."""
    if file:
        here = Path(cwd or os.getcwd()).resolve()
        try:
            return Path(file).resolve().relative_to(here).as_posix()
        except ValueError:
            pass
    return document
