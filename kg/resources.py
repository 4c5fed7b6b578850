"""Where the files shipped with kg live: data/ (sample workspace, aliases), queries/, the ontology."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _first_existing(*candidates: Path) -> Path:
    for c in candidates:
        if c.exists():
            return c
    return candidates[0]


def data_dir() -> Path:
    """data/: in a wheel it is packaged as kg/_data; in a checkout it is the top-level folder."""
    return _first_existing(_PACKAGE / "_data", _PACKAGE.parent / "data")


def queries_dir() -> Path:
    """queries/: the named SPARQL queries."""
    return _first_existing(_PACKAGE / "_queries", _PACKAGE.parent / "queries")


def sample_workspace() -> Path:
    """The embedded sample workspace that `kg build` uses when given no path."""
    return data_dir() / "sample"


def ontology_path() -> Path:
    """The ontology, one Turtle file."""
    return _PACKAGE / "ontology.ttl"
