"""Shared fixtures: the real corpus (skipped when absent), graphs built once per session, a workspace maker."""

from __future__ import annotations

import sqlite3
import textwrap
from pathlib import Path
from typing import Any

import pytest

from kg import api, store

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "openova-2026-01"
GOLD = SHARED / "gold" / "openova-2026-01.yaml"


def corpus_or_skip() -> Path:
    """The OpenOva corpus, or a skip that says why."""
    if not CORPUS.is_dir():
        pytest.skip(f"real corpus not present at {CORPUS} (../shared is absent on this checkout)")
    return CORPUS


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return corpus_or_skip()


@pytest.fixture(scope="session")
def corpus_graph_dir(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    """A graph of the real corpus, built once for the whole session."""
    directory = tmp_path_factory.mktemp("corpus") / ".kg"
    api.build_graph([str(corpus_dir)], directory)
    return directory


@pytest.fixture(scope="session")
def corpus_kg(corpus_graph_dir: Path) -> api.KnowledgeGraph:
    return api.open(corpus_graph_dir, build_if_missing=False)


@pytest.fixture(scope="session")
def sample_graph_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A graph of the embedded sample, built once for the whole session."""
    directory = tmp_path_factory.mktemp("sample") / ".kg"
    api.build_graph(None, directory)
    return directory


@pytest.fixture(scope="session")
def sample_kg(sample_graph_dir: Path) -> api.KnowledgeGraph:
    return api.open(sample_graph_dir, build_if_missing=False)


# Short names for the graphs above, as the query, export and notebook tests use them.
@pytest.fixture
def sample_dir(sample_graph_dir: Path) -> Path:
    return sample_graph_dir


@pytest.fixture
def sample(sample_kg: api.KnowledgeGraph) -> api.KnowledgeGraph:
    return sample_kg


@pytest.fixture
def corpus(corpus_kg: api.KnowledgeGraph) -> api.KnowledgeGraph:
    return corpus_kg


@pytest.fixture
def make_workspace(tmp_path: Path):
    """Write {relative path: markdown} into a fresh folder and return it."""

    def make(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / "ws"
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return root

    return make


def run_in_terminal(args: list[str], columns: int = 100, cwd: Path | None = None,
                    env: dict[str, str] | None = None, stderr_too: bool = False) -> tuple[int, str, str]:
    """Run `kg ARGS` (the program's own entry point) with stdout on a real pseudo-terminal `columns` wide (as a person would), stderr piped
    (or on the terminal too, with `stderr_too`).

    Returns the exit code, what the terminal showed (escape sequences and hyperlinks taken out) and stderr.
    """
    import fcntl
    import os
    import pty
    import re
    import struct
    import subprocess
    import sys
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    full_env = {k: v for k, v in os.environ.items() if k not in ("KG_GRAPH_DIR", "CI")}
    full_env.update({"COLUMNS": str(columns), "TERM": "xterm-256color", **(env or {})})
    proc = subprocess.Popen([sys.executable, "-c", "from kg.cli import run; run()", *args], stdin=subprocess.DEVNULL,
                            stdout=slave, stderr=slave if stderr_too else subprocess.PIPE, cwd=cwd, env=full_env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the other end closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    code = proc.wait()
    text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    text = re.sub(r"\x1b\]8;[^\x1b\x07]*(?:\x1b\\|\x07)", "", text)  # hyperlinks (OSC 8)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)  # colours and styles
    return code, text, err


def index_rows(directory: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of a build's question index, table by table, in order (a relation's without its row id)."""
    db = sqlite3.connect(store.current_build(directory) / store.INDEX_FILE)
    try:
        return {"entities": db.execute("SELECT * FROM entities ORDER BY key").fetchall(),
                "names": db.execute("SELECT * FROM names ORDER BY name, key").fetchall(),
                "relations": db.execute("SELECT subject, predicate, object, confidence, kind, record FROM relations "
                                        "ORDER BY subject, predicate, object").fetchall(),
                "info": db.execute("SELECT * FROM info ORDER BY name").fetchall()}
    finally:
        db.close()
