"""The library's own exceptions; the CLI turns them into one-line messages and exit codes."""

from __future__ import annotations


class KgError(Exception):
    """Base of every error kg raises on purpose."""

    exit_code = 1


class UsageError(KgError):
    """The user asked for something that cannot be done as asked (bad path, bad option)."""

    exit_code = 2


class EntityNotFound(UsageError):
    """No entity has this name or alias."""

    def __init__(self, name: str, suggestions: list[str], described: dict[str, str] | None = None):
        self.name = name
        self.suggestions = suggestions
        # why a suggestion that does not look like the name is one ("Redpanda" for kafka: its purpose says so)
        why = described or {}
        named = [f"{s} ({why[s]})" if s in why else s for s in suggestions]
        hint = f"; closest: {', '.join(named)}" if suggestions else ""
        super().__init__(f"no entity named {name}{hint}")


class GraphNotFound(UsageError):
    """No built graph in the graph directory (a usage error: the directory named is not a graph)."""


class GraphCorrupt(KgError):
    """A graph directory whose files are damaged (empty, truncated, not what a build wrote): never read as empty."""


class GraphChanged(KgError):
    """The build a graph was opened from is gone: a newer build replaced it while a question was asked."""


class QueryError(UsageError):
    """A SPARQL query that is malformed, unsafe or failed."""


class BuildError(KgError):
    """A build that could not complete; the previous graph is left as it was."""
