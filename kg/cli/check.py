"""`kg check`: docs drift for CI, built and checked in one step when given paths."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..escape import terminal
from ._common import graph_dir_option, handle_errors, open_graph, say, say_sample, wide_option
from ._output import Column, Where, emit, render_csv, render_markdown, stdout_is_terminal, terminal_width

FORMATS = ["text", "json", "sarif", "markdown", "csv"]
COLUMNS = ["severity", "rule", "document", "line", "message", "suggestion"]
TABLE = [Column("severity", fit="fixed"), Column("rule", fit="fixed"), Column("where", fit="path", ratio=3),
         Column("message", ratio=5)]
SUGGESTION = Column("suggestion", ratio=3)
WIDE_ENOUGH = 140  # columns a terminal needs before suggestions get a column of their own


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: a table on a terminal, file:line lines in a pipe or CI log; sarif for code-scanning "
                   "views; json/csv for scripts; markdown for reviews.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default="error",
              show_default=True, help="Exit 1 when a finding is at least this severe (for CI).")
@click.option("--rule", "--check", "only", multiple=True, metavar="ID",
              help="Only this rule (repeatable); kg check --list names them.")
@click.option("--shapes", "shapes", multiple=True, type=click.Path(dir_okay=False),
              help="A Turtle file of SHACL shapes with rules of your own (repeatable); kg-shapes.ttl at the root "
                   "of a checked workspace is read too.")
@click.option("--list", "list_rules", is_flag=True, help="List the rules with what each checks, and exit.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the report to FILE instead of stdout (e.g. kg.sarif).")
@wide_option
@graph_dir_option
@handle_errors
def check(paths: tuple[str, ...], fmt: str, fail_on: str, only: tuple[str, ...], shapes: tuple[str, ...],
          list_rules: bool, output: str | None, wide: bool, graph_dir: str | None) -> None:
    """Docs drift for CI: broken links, missing and superseded ADRs, ADR numbering, contradictions between
    documents, dependency cycles, components with no ADR, and your own SHACL rules.

    With PATHS, builds them first (reusing unchanged parsed files) and checks the result in one step;
    without, checks the graph already built. Exits 1 when a finding reaches --fail-on (default: error),
    2 on a usage error.

    \b
    Examples:
      kg check ~/src/platform-docs
      kg check docs/ --format sarif -o kg.sarif --fail-on error
      kg check --list
    """
    from .. import api
    from ..check import catalogue, fails, run_checks
    from ..errors import UsageError

    shape_files = [Path(p) for p in shapes] + [p for root in paths if (p := Path(root) / "kg-shapes.ttl").is_file()]
    if list_rules:
        _write(_rule_list(catalogue(shape_files), fmt), output)
        return
    unknown = sorted(set(only) - {r.id for r in catalogue(shape_files)})
    if unknown:
        raise UsageError(f"unknown rule {', '.join(unknown)}; kg check --list names them")
    if paths:
        api.build_graph(list(paths), graph_dir)
        kg = api.open(graph_dir, build_if_missing=False)
    else:
        kg = open_graph(graph_dir)
    # the shapes a workspace file (kg.toml) names come with the graph built from it
    shape_files += [p for p in map(Path, kg.meta.get("shapes", [])) if p.is_file() and p not in shape_files]
    findings = run_checks(kg, list(only) or None, shape_files)
    table = fmt == "text" and output is None and (stdout_is_terminal() or wide)
    say_sample(kg, "table" if table else "json")
    if table:
        say(_counts(findings))
        rows = [dict(f.as_dict(), where=_where(kg, f)) for f in findings]
        roomy = wide or terminal_width() >= WIDE_ENOUGH
        emit(rows, [*TABLE, SUGGESTION] if roomy else TABLE, "table", wide=wide, empty="")
        if not roomy and any(f.suggestion for f in findings):
            say()
            say("suggestions: kg check --wide, or on a terminal of 140 columns; in a pipe each finding has its own")
    else:
        _write(_report(findings, fmt, kg, shape_files), output)
    if fails(findings, fail_on):
        sys.exit(1)


def _where(kg: Any, finding: Any) -> Where | str:
    from ._common import where

    place = where(kg, {"document": finding.document, "line": finding.line})
    return place if isinstance(place, Where) else finding.document


def _write(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text)
        return
    try:
        Path(output).write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        from ..errors import UsageError

        raise UsageError(f"{output}: cannot write ({exc.strerror or exc})") from None


def _counts(findings: list[Any]) -> str:
    from ..check import SEVERITIES

    counts = {s: sum(1 for f in findings if f.severity == s) for s in reversed(SEVERITIES)}
    return ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items())


def _report(findings: list[Any], fmt: str, kg: Any, shapes: list[Path]) -> str:
    if fmt == "sarif":
        from ..check.sarif import to_sarif

        return json.dumps(to_sarif(findings, kg, shapes), indent=2, ensure_ascii=False)
    if fmt == "json":
        return json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False)
    rows = [f.as_dict() for f in findings]
    if fmt == "csv":
        return render_csv(rows, COLUMNS)
    if fmt == "markdown":
        return render_markdown(rows, COLUMNS)
    lines = [_counts(findings)]
    for f in findings:  # file:line: severity: message, the form CI logs and editors link to; never cut
        where = f"{f.document}:{f.line}" if f.line else (f.document or "(workspace)")
        lines.append(terminal(f"{where}: {f.severity}: {f.message} [{f.rule}]"))
        if f.suggestion:
            lines.append(terminal(f"    suggestion: {f.suggestion}"))
        for place in f.related:
            lines.append(terminal(f"    see also: {place.document}:{place.line}: {place.message}"))
    return "\n".join(lines)


def _rule_list(rules: list[Any], fmt: str) -> str:
    rows = [{"rule": r.id, "severity": r.severity, "level": r.level, "summary": r.summary,
             "description": r.description, "source": r.source} for r in rules]
    if fmt in ("json", "sarif"):
        return json.dumps(rows, indent=2, ensure_ascii=False)
    if fmt == "csv":
        return render_csv(rows, ["rule", "severity", "level", "summary", "description", "source"])
    if fmt == "markdown":
        return render_markdown(rows, ["rule", "severity", "level", "summary", "description"])
    lines = []
    for r in rules:
        origin = "" if r.source == "kg" else f" (from {r.source})"
        lines.append(terminal(f"{r.id}  [{r.severity}, {r.level}{origin}]  {r.summary}"))
        lines.append(terminal(f"    {r.description}"))
    return "\n".join(lines)
