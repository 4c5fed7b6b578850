"""`kg build`: a workspace of Markdown docs into the graph directory."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ._common import format_option, graph_dir_option, handle_errors


@click.command("build")
@click.argument("paths", nargs=-1, type=click.Path())
@graph_dir_option
@click.option("--aliases", "alias_files", multiple=True, type=click.Path(dir_okay=False),
              help="Extra alias file (TOML, like data/aliases.toml); repeatable.")
@format_option(["table", "json"])
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--no-cache", is_flag=True, help="Parse every file again instead of reusing unchanged ones.")
@handle_errors
def build(paths: tuple[str, ...], graph_dir: str | None, alias_files: tuple[str, ...], fmt: str, quiet: bool,
          no_cache: bool) -> None:
    """Build the graph from PATHS (folders of docs, repositories, or a workspace of repositories).

    With no PATHS, builds the embedded sample workspace. The previous graph stays
    usable until the new one is complete.
    """
    from .. import api, store
    from ..errors import UsageError

    for p in alias_files:
        if not Path(p).is_file():
            raise UsageError(f"{p}: no such alias file")
    progress = _progress_bar() if sys.stderr.isatty() and not quiet else None
    try:
        meta = api.build_graph(list(paths) or None, graph_dir, [Path(p) for p in alias_files], progress=progress,
                               use_cache=not no_cache)
    finally:
        if progress:
            progress.close()
    stats = meta["stats"]
    if quiet:
        return
    shown = 10
    for warning in meta["warnings"][:shown]:  # a skipped file is said at once, naming the file
        click.echo(f"kg: warning: {warning}", err=True)
    if len(meta["warnings"]) > shown:
        click.echo(f"kg: … and {len(meta['warnings']) - shown} more warnings (kg stats --warnings)", err=True)
    if fmt == "json":
        click.echo(json.dumps(meta, indent=2))
        return
    ents = stats["entities"]
    what = "the embedded sample" if meta["sample"] else ", ".join(meta["sources"])
    click.echo(f"Built {store.graph_dir(graph_dir)} from {what} in {meta['seconds']:.2f} s")
    click.echo(f"  documents    {stats['documents']} in {stats['repositories']} repositories"
               f" ({meta['parsed']} parsed, {meta['reused']} unchanged)")
    for t, plural in (("Component", "components"), ("ADR", "ADRs"), ("Vendor", "vendors"), ("Team", "teams"),
                      ("Repository", "repositories")):
        click.echo(f"  {plural:<12} {ents.get(t, 0)}")
    click.echo(f"  relations    {stats['relations_total']}")
    click.echo(f"  unresolved   {stats['unresolved_references']} references ({stats['unresolved_adrs']} ADRs without a document)")
    if stats["warnings"]:
        click.echo(f"  warnings     {stats['warnings']} (kg stats --warnings lists them)")


class _progress_bar:
    """A progress bar on stderr for long builds (terminal only)."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < 50:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=f"{stage}", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
