"""Escaping for what kg prints: names and texts come from documents anyone can edit.

- terminal: control characters (ESC starts the sequences that retitle or rewrite a terminal; a newline in a
  file name would forge a line of output) become visible escapes such as `\\x1b`;
- csv: a cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first) gets a
  leading `'`, as OWASP recommends; numbers stay numbers;
- markdown: a table cell cannot open HTML (`<script>`), split the row (`|`) or end it (a newline).
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls but tab and newline, DEL, C1 controls (0x9b is a one-byte CSI), and the bidirectional
# overrides and isolates that make text read in another order than it is stored
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("[\n\r\u2028\u2029\x85\x0b\x0c]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: Any, keep_newlines: bool = False) -> str:
    """Text safe to print on a terminal: control characters shown as escapes, line breaks too unless kept."""
    s = "" if text is None else str(text)
    if not keep_newlines:
        s = _LINE_BREAKS.sub(_visible, s)
    return _CONTROL.sub(_visible, s)


def csv_cell(value: Any) -> Any:
    """A CSV cell no spreadsheet runs as a formula, its control characters escaped (numbers unchanged)."""
    if not isinstance(value, str):
        return value
    value = terminal(value, keep_newlines=True)
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def markdown_cell(value: Any) -> str:
    """A GitHub-flavoured Markdown table cell: no raw HTML, no row split, one line."""
    s = terminal("" if value is None else value, keep_newlines=True)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = s.replace("\\", "\\\\").replace("|", "\\|")
    return _LINE_BREAKS.sub(" ", s)
