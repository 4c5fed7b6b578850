"""`kg build`: a workspace of Markdown docs into the graph directory, with progress on a terminal."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from ..errors import KgError
from ..escape import terminal
from ._common import format_option, graph_dir_option, handle_errors

# what each stage does, as the progress display says it; a stage kg does not know yet is shown by its name
STAGES = {"fetch": "fetching git sources", "discover": "finding Markdown files", "parse": "parsing",
          "extract": "extracting and resolving", "links": "resolving links", "names": "reading names",
          "resolve": "resolving names", "facts": "reading relations", "relations": "resolving relations",
          "graph": "building the RDF graph", "findings": "checking documents", "store": "writing the graph"}


@click.command("build")
@click.argument("paths", nargs=-1, type=click.Path())
@graph_dir_option
@click.option("--aliases", "alias_files", multiple=True, type=click.Path(dir_okay=False),
              help="Extra alias file (TOML, like data/aliases.toml); repeatable.")
@format_option(["table", "json"])
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--verbose", "-v", is_flag=True, help="Also say how long each stage took, and every warning.")
@click.option("--no-cache", is_flag=True, help="Parse every file again instead of reusing unchanged ones.")
@click.option("--offline", is_flag=True,
              help="Fetch nothing: build a workspace file's git sources from the cache only.")
@handle_errors
def build(paths: tuple[str, ...], graph_dir: str | None, alias_files: tuple[str, ...], fmt: str, quiet: bool,
          verbose: bool, no_cache: bool, offline: bool) -> None:
    """Build the graph from PATHS (folders of docs and manifests, repositories, or a workspace of repositories).

    A workspace file (kg.toml: sources as local folders or git URLs at pinned revisions) is built when it is
    the only PATH, or the only PATH holds one, or no PATH is given and ./kg.toml exists; otherwise, with no
    PATHS, builds the embedded sample workspace. The previous graph stays usable until the new one is
    complete; a build that fails writes no graph. On a terminal a progress display follows every stage (not
    in pipes or CI).
    """
    from .. import api, store
    from ..errors import UsageError
    from ..workspace import find_workspace_file

    for p in alias_files:
        if not Path(p).is_file():
            raise UsageError(f"{p}: no such alias file")
    directory = store.graph_dir(graph_dir)
    had_graph = store.exists(directory)
    show = not quiet and sys.stderr.isatty() and not os.environ.get("CI")
    progress = BuildProgress(live=show, verbose=verbose and not quiet)
    try:
        workspace = find_workspace_file(list(paths))
        if offline and workspace is None:
            raise UsageError("--offline builds a workspace file (kg.toml) from the cache; there is none here")
        meta = api.build_graph(list(paths) or None, graph_dir, [Path(p) for p in alias_files], progress=progress,
                               use_cache=not no_cache, workspace=workspace, offline=offline)
    except KgError as exc:
        progress.close()
        still = "the previous graph is unchanged" if had_graph else f"{directory} holds no graph"
        raise type(exc)(f"{exc} (no graph was built; {still})") from None
    progress.close()
    stats = meta["stats"]
    if quiet:
        return
    shown = len(meta["warnings"]) if verbose else 10
    for warning in meta["warnings"][:shown]:  # a skipped file is said at once, naming the file
        click.echo(f"kg: warning: {terminal(warning)}", err=True)
    if len(meta["warnings"]) > shown:
        click.echo(f"kg: … and {len(meta['warnings']) - shown} more warnings (kg stats --warnings)", err=True)
    if fmt == "json":
        click.echo(json.dumps(meta, indent=2))
        return
    ents = stats["entities"]
    what = "the embedded sample" if meta["sample"] else ", ".join(meta["sources"])
    click.echo(f"Built {directory} from {what} in {meta['seconds']:.2f} s")
    click.echo(f"  documents    {stats['documents']} in {stats['repositories']} repositories"
               f" ({meta['parsed']} parsed, {meta['reused']} unchanged)")
    for source in meta.get("workspace", {}).get("sources", []):
        if source.get("rev"):  # a git source: which revision was read, at which commit
            click.echo(terminal(f"  {source['name']:<12} {source['rev']} at {source['commit'][:12]} ({source['url']})"))
    for t, plural in (("Component", "components"), ("ADR", "ADRs"), ("Vendor", "vendors"), ("Team", "teams"),
                      ("Repository", "repositories")):
        click.echo(f"  {plural:<12} {ents.get(t, 0)}")
    click.echo(f"  relations    {stats['relations_total']}")
    click.echo(f"  unresolved   {stats['unresolved_references']} references ({stats['unresolved_adrs']} ADRs without a document)")
    if "graph_delta" in meta:  # made from the previous build: how much of the graph changed
        delta = meta["graph_delta"]
        click.echo(f"  triples      {meta['triples']} ({delta['removed']} removed, {delta['added']} added since the "
                   "previous build)")
    if stats["warnings"]:
        click.echo(f"  warnings     {stats['warnings']} (kg stats --warnings lists them)")


class BuildProgress:
    """The build's progress: `progress(stage, done, total)` from the library, drawn by rich on stderr.

    A stage with a total is a bar (parse: one step per file); one without is a spinner with its time. Once
    the last file is parsed, "extracting and resolving" runs until the library names its next stage, so
    the display never stands still. With `verbose`, each finished stage is said with its time.
    """

    def __init__(self, live: bool, verbose: bool = False) -> None:
        self.live = live
        self.verbose = verbose
        self.stage = ""
        self.started = time.perf_counter()
        self.count = 0
        self._progress: Any = None
        self._task: Any = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self._next(stage, total)
        self.count = done
        if self._progress is not None and total:
            self._progress.update(self._task, completed=done, total=total)
        if stage == "parse" and total and done >= total:
            self._next("extract", 0)  # the library's next stages come without steps of their own

    def _next(self, stage: str, total: int) -> None:
        self._finish()
        self.stage, self.started, self.count = stage, time.perf_counter(), 0
        if not self.live:
            return
        if self._progress is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description:<26}"), BarColumn(),
                                      MofNCompleteColumn(), TimeElapsedColumn(),
                                      console=Console(stderr=True), transient=True)
            self._progress.start()
        self._task = self._progress.add_task(STAGES.get(stage, stage), total=total or None)

    def _finish(self) -> None:
        if not self.stage:
            return
        if self._progress is not None and self._task is not None:
            self._progress.remove_task(self._task)
            self._task = None
        if self.verbose:
            steps = f" ({self.count} files)" if self.stage == "parse" else ""
            click.echo(f"kg: {STAGES.get(self.stage, self.stage)}{steps}: {time.perf_counter() - self.started:.2f} s",
                       err=True)

    def close(self) -> None:
        """Finish the last stage and take the display off the terminal."""
        self._finish()
        self.stage = ""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
