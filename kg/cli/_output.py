"""Output for people and for scripts: tables that fit the terminal, plain tab-separated text in pipes.

On a terminal a table is drawn by rich to the terminal's width (`$COLUMNS` when set): long messages wrap,
long paths lose their middle (never their end, so `file.md:41` stays readable), and a `path:line` is also
a hyperlink to the file where the terminal supports them. `--wide` prints every cell whole on one line. In
a pipe the same rows are tab-separated with a header line, whole, and what is said about the answer
(headings, notes) goes to stderr, so `cut`, `sort` and `awk` see rows only.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import click

from ..escape import csv_cell, markdown_cell, terminal

TABLE_FORMATS = ["table", "json", "csv", "markdown"]


@dataclass(frozen=True)
class Column:
    """A table column: the row key, its heading and how its cells give way when the table is too wide."""

    key: str
    header: str = ""
    # wrap: at spaces (never cut); path: a Where, its middle elided; evidence: (Where, text), the path over its
    # text; fixed: never narrower than it is
    fit: str = "wrap"
    ratio: int = 1  # the share of spare width a wrap or path column gets

    @property
    def title(self) -> str:
        return (self.header or self.key).upper()


@dataclass(frozen=True)
class Where:
    """A place in the docs: `path:line`, with the URL that opens it (a file URL or the repository's web URL)."""

    path: str
    line: int | None = None
    url: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


def stdout_is_terminal() -> bool:
    """True when stdout is a terminal (a person reads it), not a pipe or a file."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def terminal_width() -> int:
    """The width tables fit: $COLUMNS when set, else the terminal's, else 100."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 100


def elide_middle(text: str, width: int) -> str:
    """`text` in at most `width` characters, its middle replaced by an ellipsis (its end is what matters)."""
    if len(text) <= width:
        return text
    if width <= 1:
        return text[-width:] if width > 0 else ""
    first, sep, _ = text.partition("/")
    line = text.rsplit(":", 1)[1] if ":" in text and text.rsplit(":", 1)[1].isdigit() else ""
    # keep the repository, then as much of the end as fits: at least ten characters of the file's name
    if sep and width - len(first) - 2 >= 10 + (len(line) + 1 if line else 0):
        return first + "/…" + text[len(text) - (width - len(first) - 2):]
    head = (width - 1) // 3
    return text[:head] + "…" + text[len(text) - (width - 1 - head):]


class _Path:
    """A rich renderable for a path: as wide as it is when there is room, its middle elided when there is not."""

    MIN = 36  # enough for "repo/…/the-file-name.md:41"

    def __init__(self, text: str, url: str = "") -> None:
        self.text = text
        self.url = url

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        from rich.measure import Measurement

        return Measurement(min(len(self.text), self.MIN), len(self.text))

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.style import Style
        from rich.text import Text

        shown = elide_middle(self.text, max(1, options.max_width))
        yield Text(shown, style=Style(link=self.url) if self.url else "", no_wrap=True, overflow="ignore")


def _cell(value: Any) -> str:
    """A cell on one line, its control characters shown as escapes (names come from documents: kg.escape)."""
    if value is None:
        return ""
    if isinstance(value, tuple):  # an evidence cell, (where, text), on one line
        return "  ".join(cell for cell in map(_cell, value) if cell)
    if isinstance(value, list):
        return terminal(", ".join(str(v) for v in value))
    return terminal(" ".join(str(value).split()))


def render_rich(rows: Sequence[dict[str, Any]], columns: Sequence[Column], width: int | None,
                links: bool = False) -> str:
    """A rich table as text: fitted to `width`, or every cell whole on one line when `width` is None."""
    from rich import box
    from rich.console import Console, Group
    from rich.table import Table
    from rich.text import Text

    wide = width is None
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1), header_style="bold",
                  expand=False)
    for c in columns:
        if wide or c.fit == "fixed":
            table.add_column(c.title, no_wrap=True, overflow="ignore")
        else:
            table.add_column(c.title, ratio=c.ratio, overflow="fold")
    for row in rows:
        cells: list[Any] = []
        for c in columns:
            value = row.get(c.key)
            if c.fit == "evidence" and not wide:
                place, quote = value if isinstance(value, tuple) else (value, "")
                url = place.url if isinstance(place, Where) and links else ""
                cells.append(Group(_Path(_cell(place), url), Text(_cell(quote), style="dim")) if quote else
                             _Path(_cell(place), url))
            elif c.fit == "path" and not wide:
                url = value.url if isinstance(value, Where) and links else ""
                cells.append(_Path(_cell(value), url))
            else:
                cells.append(Text(_cell(value)))
        table.add_row(*cells)
    buf = io.StringIO()
    console = Console(file=buf, width=width or 10**6, force_terminal=links, color_system="standard" if links else None,
                      highlight=False, emoji=False, markup=False, soft_wrap=False, legacy_windows=False)
    console.print(table)
    return "\n".join(line.rstrip() for line in buf.getvalue().rstrip("\n").splitlines())


def render_tsv(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    """Tab-separated rows under a header line; tabs and newlines inside a cell become spaces."""
    lines = ["\t".join(c.key for c in columns)]
    lines += ["\t".join(_cell(r.get(c.key)).replace("\t", " ") for c in columns) for r in rows]
    return "\n".join(lines)


def render_csv(rows: Sequence[dict[str, Any]], columns: Iterable[str | Column], delimiter: str = ",") -> str:
    """CSV (RFC 4180) with a header line."""
    columns = columns_of(columns)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow([c.key for c in columns])
    writer.writerows([[csv_cell(str(r.get(c.key))) if r.get(c.key) is not None else "" for c in columns]
                      for r in rows])
    return buf.getvalue().rstrip("\n")


def render_markdown(rows: Sequence[dict[str, Any]], columns: Iterable[str | Column]) -> str:
    """A GitHub-flavoured Markdown table."""
    columns = columns_of(columns)
    def esc(v: Any) -> str:
        return markdown_cell(_cell(v))

    out = ["| " + " | ".join(c.key for c in columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    out += ["| " + " | ".join(esc(r.get(c.key)) for c in columns) + " |" for r in rows]
    return "\n".join(out)


def columns_of(names: Iterable[str | Column]) -> list[Column]:
    """Columns from names (wrapping text) or Column records."""
    return [c if isinstance(c, Column) else Column(c) for c in names]


def say(text: str = "", err: bool = False) -> None:
    """A line for the person reading: on stdout on a terminal, on stderr when stdout is a pipe (or when asked)."""
    click.echo(text, err=err or not stdout_is_terminal())


def emit(rows: Sequence[dict[str, Any]], columns: Iterable[str | Column], fmt: str, payload: Any = None, *,
         wide: bool = False, empty: str = "(no results)") -> None:
    """Print rows: a fitted table on a terminal (whole with `wide`), tab-separated in a pipe, or json, csv,
    markdown; json prints `payload` when given."""
    cols = columns_of(columns)
    if fmt == "json":
        click.echo(json.dumps(payload if payload is not None else list(rows), indent=2, ensure_ascii=False,
                              default=str))
    elif fmt == "csv":
        click.echo(render_csv(rows, cols))
    elif fmt == "tsv":
        click.echo(render_tsv(rows, cols))
    elif fmt == "markdown":
        click.echo(render_markdown(rows, cols))
    elif not rows:
        if not stdout_is_terminal() and not wide:
            click.echo(render_tsv(rows, cols))  # a script still reads the header
        if empty:
            say(empty)
    elif wide:
        click.echo(render_rich(rows, cols, None))
    elif stdout_is_terminal():
        click.echo(render_rich(rows, cols, terminal_width(), links=True))
    else:
        click.echo(render_tsv(rows, cols))


def lines_fitted(lines: Iterable[str], width: int | None = None) -> str:
    """Lines of prose wrapped at spaces to the terminal's width (a long word stays whole)."""
    import textwrap

    limit = width or (terminal_width() if stdout_is_terminal() else 0)
    out: list[str] = []
    for line in map(terminal, lines):  # one line each: a name with a newline or ESC cannot forge or drive one
        if not limit or len(line) <= limit:
            out.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        out += textwrap.wrap(line, limit, subsequent_indent=indent + "  ", break_long_words=False,
                             break_on_hyphens=False)
    return "\n".join(out)
