"""Shared fixtures: the real corpus (skipped when absent), graphs built once per session, a workspace maker."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kg import api

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
