"""`kg check`: docs drift for CI."""

from __future__ import annotations

import sys

import click

from ._common import format_option, graph_dir_option, handle_errors, open_graph, say, say_sample, wide_option
from ._output import Column, Where, emit, stdout_is_terminal

COLUMNS = ["severity", "check", "document", "line", "message"]
TABLE = [Column("severity", fit="fixed"), Column("check", fit="fixed"), Column("where", fit="path", ratio=3),
         Column("message", ratio=5)]


@click.command("check")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default="error",
              show_default=True, help="Exit 1 when a finding is at least this severe (for CI).")
@click.option("--check", "only", multiple=True, metavar="NAME",
              help="Only this check (repeatable): unresolved-link, adr-without-document, "
                   "retired-but-depended-on, decision-not-in-force, build-warning.")
@format_option()
@wide_option
@graph_dir_option
@handle_errors
def check(fail_on: str, only: tuple[str, ...], fmt: str, wide: bool, graph_dir: str | None) -> None:
    """Docs drift: broken links, ADRs with no document, retired components still depended on,
    components whose deciding ADRs are no longer in force, files the build skipped.

    Exits 1 when a finding reaches --fail-on (default: error), so CI can guard the docs.
    """
    from ..check import SEVERITIES, check_names, run_checks
    from ..errors import UsageError
    from ._common import where

    unknown = sorted(set(only) - set(check_names()))
    if unknown:
        raise UsageError(f"unknown check {', '.join(unknown)}; one of: {', '.join(check_names())}")
    kg = open_graph(graph_dir)
    findings = run_checks(kg, list(only) or None)
    rows = [f.as_dict() for f in findings]
    if fmt != "json":
        say_sample(kg, fmt)
    if fmt == "table":
        counts = {s: sum(1 for f in findings if f.severity == s) for s in reversed(SEVERITIES)}
        say(", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items()))
        for row in rows:
            place = where(kg, {"document": row["document"], "line": row["line"]})
            row["where"] = place if isinstance(place, Where) else row["document"]
    # json stays the list of findings scripts already read; the sample is said on stderr
    if fmt == "json" and kg.is_sample:
        click.echo(f"kg: findings of the embedded sample graph in {kg.directory}, not of your docs", err=True)
    emit(rows, TABLE if fmt == "table" and stdout_is_terminal() and not wide else COLUMNS, fmt, rows, wide=wide,
         empty="")
    if fail_on != "never":
        threshold = SEVERITIES.index(fail_on)
        if any(SEVERITIES.index(f.severity) >= threshold for f in findings):
            sys.exit(1)
