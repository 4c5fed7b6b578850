"""Where a document of the graph lives: its file on disk, and its web page at the pinned commit when known.

A build records, per repository, the folder it was read from and, for a git checkout with a remote, the
web URL of the remote and the commit checked out (read with the local `git`; nothing is fetched). Evidence
then links to `https://github.com/ORG/REPO/blob/COMMIT/PATH#L41` where that is known, else to the file.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import urllib.parse
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
    """What a local git command prints, "" when it fails (no git, not a checkout)."""
    code, out, _ = _run_git(["-C", str(folder), *args], timeout=10)
    return out if code == 0 else ""


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
    file, uri = _file_of(folder, rel) if folder and rel else ("", "")
    url = blob_url(remote[repo], rel, line) if repo in remote and rel else uri
    return {"document": document, "line": line, "file": file, "url": url}


# An answer of a large graph locates thousands of pieces of evidence in a few hundred files: paths are
# worked out once per file (pathlib's parsing and resolve() were half of `kg impact`'s time there).
@functools.lru_cache(maxsize=8192)
def _file_of(folder: str, rel: str) -> tuple[str, str]:
    if os.name != "posix":
        file = str(Path(folder) / rel)
        return file, Path(file).as_uri()
    # what pathlib gives for a resolved folder and a clean relative path (all the build records), without
    # its parsing: a large answer locates thousands of pieces of evidence
    file = os.path.join(folder, rel)
    return file, "file://" + urllib.parse.quote_from_bytes(os.fsencode(file))


def shown_path(document: str, file: str, cwd: str | None = None) -> str:
    """The path to print: relative to the working directory when the file is under it (so editors and
    terminals open it from here), else the document's path in the workspace."""
    return (_relative_to(file, cwd or os.getcwd()) if file else None) or document


@functools.lru_cache(maxsize=8192)
def _relative_to(file: str, cwd: str) -> str | None:
    # the build records resolved repository folders, so a file's path needs no resolving of its own (a
    # large answer prints thousands); the working directory may be a symlink, so it is tried both ways
    path = os.path.abspath(file)
    for here in dict.fromkeys((os.path.abspath(cwd), _real(cwd))):
        prefix = here.rstrip(os.sep) + os.sep
        if path.startswith(prefix):  # both absolute and normalised: the rest is the relative path
            return path[len(prefix):].replace(os.sep, "/")
    return None


@functools.lru_cache(maxsize=64)
def _real(folder: str) -> str:
    return os.path.realpath(folder)


# ---------------------------------------------------------------- git sources of a workspace (kg.toml)
# Plain `git` in a cache folder, never a hosting API: one bare mirror per URL, fetched when a revision may
# have moved, and one extracted tree per commit (a commit never changes, so a tree once extracted is kept).

GIT_TIMEOUT = 600  # seconds one clone or fetch may take
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


def default_cache_dir() -> Path:
    """Where git sources are cached: $KG_CACHE_DIR, else $XDG_CACHE_HOME/kg, else ~/.cache/kg."""
    if os.environ.get("KG_CACHE_DIR"):
        return Path(os.environ["KG_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "kg"


def _cache_key(url: str) -> str:
    import hashlib

    tail = re.sub(r"[^A-Za-z0-9._-]+", "-", url.rstrip("/").removesuffix(".git").rsplit("/", 1)[-1])[:40] or "repo"
    return f"{tail}-{hashlib.sha256(url.encode('utf-8')).hexdigest()[:12]}"


def _run_git(args: list[str], cwd: Path | None = None, timeout: int = GIT_TIMEOUT) -> tuple[int, str, str]:
    """Run git without prompting for credentials; (exit code, stdout, stderr)."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "echo", "GIT_SSH_COMMAND":
           os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")}
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False,
                              env=env, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        return 127, "", "git is not installed"
    except subprocess.TimeoutExpired:
        return 124, "", f"git {args[0]} took longer than {timeout} s"
    except OSError as exc:
        return 126, "", f"git cannot run ({exc.strerror or exc})"
    return done.returncode, done.stdout.strip(), done.stderr.strip()


def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("hint:")]
    return lines[-1][:300] if lines else "no reason given"


def _resolve(mirror: Path, rev: str) -> str:
    code, out, _ = _run_git(["--git-dir", str(mirror), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"])
    return out if code == 0 and _COMMIT.match(out) else ""


class GitSourceError(Exception):
    """A git source that cannot be had (not cloned, revision unknown, no such folder): the message says which."""


def fetch_tree(url: str, rev: str, cache: Path, offline: bool = False) -> tuple[Path, str, list[str]]:
    """The folder holding the files of `url` at `rev` (a branch, tag or commit), its commit and any warnings.

    Clones a bare mirror into the cache on first use and fetches when `rev` may have moved (a branch or a tag,
    or a commit not fetched yet); `offline` uses the cache only. A fetch that fails with the revision in the
    cache is a warning, and the cached revision is used.
    """
    if url.startswith("-"):
        raise GitSourceError(f"{url}: not a git URL")
    rev = rev or "HEAD"
    key = _cache_key(url)
    mirror = cache / "git" / f"{key}.git"
    warnings: list[str] = []
    cloned = False
    if not (mirror / "HEAD").exists():
        if offline:
            raise GitSourceError(f"{url} is not in the cache {cache}; run `kg build` once without --offline")
        mirror.parent.mkdir(parents=True, exist_ok=True)
        tmp = mirror.with_name(f".{mirror.name}.{os.getpid()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        code, _, err = _run_git(["clone", "--bare", "--quiet", "--", url, str(tmp)])
        if code != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            raise GitSourceError(f"cannot clone {url}: {_first_line(err)}")
        try:
            os.replace(tmp, mirror)
        except OSError:  # another build cloned it meanwhile
            shutil.rmtree(tmp, ignore_errors=True)
        cloned = True
    # a commit named in full never moves: the cache answers if it has it; a branch or tag may have moved
    fetched = cloned
    commit = _resolve(mirror, rev) if cloned or offline or _COMMIT.match(rev) else ""
    if not commit and not offline and not cloned:
        code, _, err = _run_git(["--git-dir", str(mirror), "fetch", "--quiet", "--prune", "--force", "--", url,
                                 "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"])
        fetched = code == 0
        if code != 0:
            warnings.append(f"{url}: cannot fetch ({_first_line(err)}); using the cached revisions")
        commit = _resolve(mirror, rev)
    if not commit and fetched and _COMMIT.match(rev):
        # a commit no branch or tag reaches: ask for it by name
        _run_git(["--git-dir", str(mirror), "fetch", "--quiet", "--", url, rev])
        commit = _resolve(mirror, rev)
    if not commit:
        where = "in the cache" if offline or not fetched else "in the repository"
        raise GitSourceError(f"{url}: no revision {rev} {where}")
    tree = cache / "trees" / key / commit
    if not tree.is_dir():
        _extract(mirror, commit, tree)
    return tree, commit, warnings


def _extract(mirror: Path, commit: str, tree: Path) -> None:
    """Write the files of a commit into `tree`: regular files and folders only, never a path that leaves it."""
    import tarfile
    import tempfile

    tree.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{commit[:12]}.", dir=tree.parent))
    try:
        with tempfile.TemporaryFile() as archive:
            try:
                done = subprocess.run(["git", "--git-dir", str(mirror), "archive", "--format=tar", commit],
                                      stdout=archive, stderr=subprocess.PIPE, timeout=GIT_TIMEOUT, check=False,
                                      stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                raise GitSourceError(f"git archive of {commit} took longer than {GIT_TIMEOUT} s") from None
            if done.returncode != 0:
                raise GitSourceError(f"cannot read commit {commit}: {_first_line(done.stderr.decode('utf-8', 'replace'))}")
            archive.seek(0)
            with tarfile.open(fileobj=archive, mode="r:") as tar:
                members = [m for m in tar.getmembers() if _safe_member(m)]
                for m in members:
                    m.mode = 0o755 if m.isdir() else 0o644
                tar.extractall(tmp, members=members)  # noqa: S202 - members are filtered above
        try:
            os.replace(tmp, tree)
        except OSError:  # another build extracted the same commit meanwhile
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _safe_member(member: Any) -> bool:
    """A regular file or folder whose path stays inside the tree (symlinks, devices and `..` are left out)."""
    name = member.name
    if not (member.isfile() or member.isdir()) or name.startswith("/") or "\\" in name:
        return False
    return ".." not in Path(name).parts
