"""`kg diff OLD NEW`: what changed between two graphs, workspace files, folders or revisions of a workspace."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import handle_errors


@click.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "mermaid"]), default="text", show_default=True,
              help="text for people; json for scripts; mermaid for a diagram marking what is new and what is gone.")
@click.option("--workspace", type=click.Path(dir_okay=False), default=None,
              help="The workspace file whose revisions OLD and NEW are (default ./kg.toml, else the git checkout here).")
@click.option("--source", default=None, metavar="NAME",
              help="The source of the workspace that OLD and NEW are revisions of (needed when it has several).")
@click.option("--all", "everything", is_flag=True,
              help="Also documents, repositories and their links, mentions and sections, not only the architecture.")
@click.option("--offline", is_flag=True, help="Fetch nothing: revisions come from the git cache only.")
@click.option("--exit-code", is_flag=True, help="Exit 1 when something changed (for CI), 0 when nothing did.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write to FILE instead of stdout.")
@handle_errors
def diff(old: str, new: str, fmt: str, workspace: str | None, source: str | None, everything: bool, offline: bool,
         exit_code: bool, output: str | None) -> None:
    """What changed from OLD to NEW: entities and relations added and removed, statuses changed, with evidence.

    OLD and NEW are graph directories (their live builds), workspace files or folders of docs (built in memory,
    nothing is written), or revisions (a branch, tag or commit) of the workspace's one git source, or of the
    source --source names.

    \b
    Examples:
      kg diff .kg-last-review .kg
      kg diff v1.4 main                     # in a folder with kg.toml, or in a docs repository
      kg diff v1.4 main --source redpanda --format mermaid -o changes.mmd
    """
    from ..diff import diff as compute
    from ..diff import render_json, render_mermaid, render_text
    from ..errors import UsageError

    found = compute(old, new, workspace, source, offline, everything)
    text = {"text": render_text, "json": render_json, "mermaid": render_mermaid}[fmt](found)
    if output is None:
        click.echo(text.rstrip("\n"))
    else:
        try:
            Path(output).write_text(text.rstrip("\n") + "\n", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{output}: cannot write ({exc.strerror or exc})") from None
    if exit_code and not found.empty:
        sys.exit(1)
