"""The `kg` command line: a thin layer over kg.api. Library errors become one-line messages here, in one place."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .errors import KgError
from .escape import csv_cell, markdown_cell, terminal

FORMATS = ["table", "json", "csv", "markdown"]


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn kg's own exceptions into `kg: message` on stderr with their exit code (2 for usage errors)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KgError as exc:
            click.echo(f"kg: {terminal(exc)}", err=True)
            sys.exit(exc.exit_code)
        except BrokenPipeError:  # `kg … | head` is fine
            sys.exit(0)

    return wrapper


def graph_dir_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--graph-dir, shared by every command that reads or writes the graph."""
    return click.option("--graph-dir", type=click.Path(file_okay=False), envvar="KG_GRAPH_DIR", default=None,
                        help="Graph directory (default ./.kg; environment KG_GRAPH_DIR).")(fn)


def format_option(choices: list[str] = FORMATS, default: str = "table") -> Callable[..., Any]:
    """--format, shared by the commands that print results."""
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format: tables for people, json/csv for scripts.")


def open_graph(graph_dir: str | None):  # noqa: ANN201
    """Open the graph, building the embedded sample first (with a note on stderr) when there is none."""
    from . import api, store

    directory = store.graph_dir(graph_dir)
    if not store.exists(directory):
        click.echo(f"kg: no graph in {directory}; building the embedded sample first", err=True)
        api.build_graph(None, directory)
    return api.open(directory, build_if_missing=False)


def render_table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A plain aligned text table (cells cut at 70 characters)."""
    if not rows:
        return "(no results)"
    cells = [[_cut(terminal(r.get(c, "") if r.get(c) is not None else "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


def render_markdown(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A GitHub-flavoured Markdown table."""
    out = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    out += ["| " + " | ".join(markdown_cell(r.get(c, "")) for c in columns) + " |" for r in rows]
    return "\n".join(out)


def render_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows({c: csv_cell(r.get(c)) for c in columns} for r in rows)
    return buf.getvalue().rstrip("\n")


def _cut(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def emit(rows: list[dict[str, Any]], columns: list[str], fmt: str, payload: Any = None) -> None:
    """Print rows in the chosen format; json prints `payload` when given."""
    if fmt == "json":
        click.echo(json.dumps(payload if payload is not None else rows, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(render_csv(rows, columns))
    elif fmt == "markdown":
        click.echo(render_markdown(rows, columns))
    else:
        click.echo(render_table(rows, columns))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="kg", prog_name="kg")
def main() -> None:
    """kg: a knowledge graph of your platform's architecture docs.

    Build once from Markdown (indexes, ADRs, tech-stack tables, Mermaid diagrams),
    then ask what depends on what, with the file and line behind every answer.
    With no graph built yet, query commands build the embedded sample first.
    """


@main.command()
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
    from . import api, store
    from .errors import UsageError

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
        click.echo(f"kg: warning: {terminal(warning)}", err=True)
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


def _impact_command(direction: str) -> Callable[..., Any]:
    def command(name: str, depth: int | None, relations: tuple[str, ...], fmt: str, graph_dir: str | None) -> None:
        kg = open_graph(graph_dir)
        method = kg.impact if direction == "dependents" else kg.deps
        result = method(name, depth=depth, relations=list(relations) or None)
        rows = []
        for r in result.results:
            ev = r.evidence[0] if r.evidence else {}
            rows.append({"depth": r.depth, "label": r.label, "type": r.type, "status": r.status,
                         "relation": r.hops[0].relation if r.hops else "", "path": " → ".join(r.path),
                         "evidence": f"{ev.get('document', '')}:{ev.get('line', '')}" if ev else "",
                         "text": ev.get("text", "")})
        if fmt == "table":
            t = result.target
            n = len(rows)
            head = (f"{n} {'entity depends' if n == 1 else 'entities depend'} on {t['label']} ({t['type']})"
                    if direction == "dependents" else
                    f"{t['label']} ({t['type']}) depends on {n} {'entity' if n == 1 else 'entities'}")
            click.echo(terminal(head))
            if direction == "dependencies":  # read the path the way the dependency runs
                for row, r in zip(rows, result.results):
                    row["path"] = " → ".join(reversed(r.path))
        emit(rows, ["depth", "label", "type", "relation", "path", "evidence", "text"], fmt, result.to_dict())

    return command


_IMPACT_OPTIONS = [
    click.argument("name"),
    click.option("--depth", type=click.IntRange(min=1), default=None, help="Follow at most N hops (default: all)."),
    click.option("--relation", "relations", multiple=True, metavar="R",
                 help="Only these relation kinds (repeatable), e.g. storesDataIn; default: every kind of dependsOn."),
    format_option(),
    graph_dir_option,
]


def _with(options: list[Callable[..., Any]], fn: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed(options):
        fn = opt(fn)
    return fn


main.command("impact", help="""What depends on NAME, transitively: the blast radius if NAME goes down.

Each result has its depth, one path to NAME and the evidence (file:line) of each hop.
NAME matches labels and aliases case-insensitively (Redpanda, cnpg, ADR-7).""")(
    _with(_IMPACT_OPTIONS, handle_errors(_impact_command("dependents"))))

main.command("deps", help="""What NAME depends on, transitively (the other direction of `kg impact`).""")(
    _with(_IMPACT_OPTIONS, handle_errors(_impact_command("dependencies"))))


@main.command()
@click.argument("name")
@format_option(["table", "json"])
@graph_dir_option
@click.option("--all", "show_all", is_flag=True, help="Also list every document that mentions it.")
@handle_errors
def show(name: str, fmt: str, graph_dir: str | None, show_all: bool) -> None:
    """The entity card of NAME: type, aliases, status, properties, relations with evidence, documents."""
    kg = open_graph(graph_dir)
    card = kg.show(name)
    if fmt == "json":
        click.echo(json.dumps(card, indent=2, ensure_ascii=False))
        return
    def label(value: object) -> str:
        return kg.entities[value]["label"] if isinstance(value, str) and value in kg.entities else str(value)

    status = card["status"]
    if card["properties"].get("superseded_by"):
        status += ", superseded by " + ", ".join(map(label, card["properties"]["superseded_by"]))
    click.echo(terminal(f"{card['label']}  ({card['type']}{', ' + status if status else ''})"))
    click.echo(terminal(f"  id: {card['id']}"))
    if card["aliases"]:
        click.echo(terminal(f"  aliases: {', '.join(card['aliases'])}"))
    for k, v in card["properties"].items():
        if v not in ("", [], None):
            click.echo(terminal(f"  {k}: {', '.join(map(label, v)) if isinstance(v, list) else label(v)}"))
    rels = [r for r in card["relations"] if show_all or r["relation"] != "mentions"]
    if rels:
        click.echo("  relations:")
        for r in rels:
            arrow = f"{r['relation']} → {r['other']['label']}" if r["direction"] == "out" else \
                f"← {r['relation']} {r['other']['label']}"
            ev = r["evidence"][0] if r["evidence"] else None
            where = f"  [{ev['document']}:{ev['line']} {ev['method']}]" if ev else ""
            click.echo(terminal(f"    {arrow}{where}"))
    mentioned = sum(1 for r in card["relations"] if r["relation"] == "mentions")
    if mentioned and not show_all:
        click.echo(f"  mentioned in {mentioned} documents (--all lists them)")


@main.command()
@format_option(["table", "json"])
@graph_dir_option
@click.option("--warnings", "list_warnings", is_flag=True, help="List the build's warnings.")
@click.option("--unresolved", "list_unresolved", is_flag=True, help="List the unresolved references.")
@handle_errors
def stats(fmt: str, graph_dir: str | None, list_warnings: bool, list_unresolved: bool) -> None:
    """Counts per entity type and relation type, documents, unresolved references."""
    kg = open_graph(graph_dir)
    s = kg.stats()
    meta = kg.meta  # the meta of the build the model came from, not whatever CURRENT says by now
    s["build"] = {k: meta.get(k) for k in ("sources", "built_at", "seconds", "triples")}
    if fmt == "json":
        if list_warnings:
            s["warning_list"] = kg.model["warnings"]
        if list_unresolved:
            s["unresolved_list"] = kg.model["unresolved"]
        click.echo(json.dumps(s, indent=2))
        return
    if meta:
        click.echo(f"graph {kg.directory}: built {meta['built_at']} from {', '.join(meta['sources'])} "
                   f"in {meta['seconds']:.2f} s")
    click.echo(f"documents {s['documents']}  repositories {s['repositories']}  "
               f"unresolved references {s['unresolved_references']}  warnings {s['warnings']}")
    click.echo(render_table([{"entity type": k, "count": v} for k, v in s["entities"].items()], ["entity type", "count"]))
    click.echo()
    click.echo(render_table([{"relation": k, "count": v} for k, v in s["relations"].items()], ["relation", "count"]))
    if list_warnings:
        click.echo()
        for w in kg.model["warnings"]:
            click.echo(f"warning: {terminal(w)}")
    if list_unresolved:
        click.echo()
        click.echo(render_table(kg.model["unresolved"], ["document", "line", "target", "reason"]))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "markdown", "csv"]), default="text",
              show_default=True, help="text for people and CI logs, sarif for code-scanning views, json/csv for scripts.")
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
@graph_dir_option
@handle_errors
def check(paths: tuple[str, ...], fmt: str, fail_on: str, only: tuple[str, ...], shapes: tuple[str, ...],
          list_rules: bool, output: str | None, graph_dir: str | None) -> None:
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
    from . import api
    from .check import catalogue, fails, run_checks
    from .errors import UsageError

    shape_files = [Path(p) for p in shapes] + [p for root in paths if (p := Path(root) / "kg-shapes.ttl").is_file()]
    if list_rules:
        _emit_report(_rule_list(catalogue(shape_files), fmt), output)
        return
    known = {r.id for r in catalogue(shape_files)}
    unknown = sorted(set(only) - known)
    if unknown:
        raise UsageError(f"unknown rule {', '.join(unknown)}; kg check --list names them")
    if paths:
        api.build_graph(list(paths), graph_dir)
        kg = api.open(graph_dir, build_if_missing=False)
    else:
        kg = open_graph(graph_dir)
    findings = run_checks(kg, list(only) or None, shape_files)
    _emit_report(_check_report(findings, fmt, kg, shape_files), output)
    if fails(findings, fail_on):
        sys.exit(1)


def _emit_report(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text)
        return
    try:
        Path(output).write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        from .errors import UsageError

        raise UsageError(f"{output}: cannot write ({exc.strerror or exc})") from None


def _check_report(findings: list[Any], fmt: str, kg: Any, shapes: list[Path]) -> str:
    from .check import SEVERITIES

    if fmt == "sarif":
        from .check.sarif import to_sarif

        return json.dumps(to_sarif(findings, kg, shapes), indent=2, ensure_ascii=False)
    if fmt == "json":
        return json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False)
    rows = [{"severity": f.severity, "rule": f.rule, "document": f.document, "line": f.line,
             "message": f.message, "suggestion": f.suggestion} for f in findings]
    if fmt == "csv":
        return render_csv(rows, ["severity", "rule", "document", "line", "message", "suggestion"])
    if fmt == "markdown":
        return render_markdown(rows, ["severity", "rule", "document", "line", "message", "suggestion"])
    counts = {s: sum(1 for f in findings if f.severity == s) for s in reversed(SEVERITIES)}
    lines = [", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items())]
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
        return render_csv(rows, list(rows[0]) if rows else [])
    if fmt == "markdown":
        return render_markdown(rows, ["rule", "severity", "level", "summary", "description"])
    lines = []
    for r in rules:
        origin = "" if r.source == "kg" else f" (from {r.source})"
        lines.append(terminal(f"{r.id}  [{r.severity}, {r.level}{origin}]  {r.summary}"))
        lines.append(terminal(f"    {r.description}"))
    return "\n".join(lines)


# Commands that live in their own modules register here, one import each.
from .cli_export import export as _export_cmd  # noqa: E402
from .cli_query import query as _query_cmd  # noqa: E402

main.add_command(_query_cmd)
main.add_command(_export_cmd)
