"""SPARQL read lexically: the query form, its variables and what it may not do, without a full parser.

The rdflib engine parses every query into its algebra before it runs (kg.query.prepare), but importing
rdflib's SPARQL parser alone takes longer than answering from the on-disk store. The store and endpoint
engines check the query here instead, token by token (strings, IRIs and comments skipped, so a keyword
inside them never counts), and leave the grammar to the engine's own parser: SERVICE, FROM, LOAD and
USING are refused wherever they stand, and updates unless allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import QueryError

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<word>[A-Za-z_\u00C0-\uFFFF][\w\u00B7\u00C0-\uFFFF.-]*(?::[\w\u00B7\u00C0-\uFFFF.%\\-]*)?|:[\w\u00B7\u00C0-\uFFFF.%\\-]*)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)

QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATE_FORMS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


def tokens(text: str) -> Iterator[Token]:
    """The tokens of a SPARQL text, whitespace and comments left out."""
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind not in ("space", "comment"):
            yield Token(kind, m.group(), m.start())


@dataclass(frozen=True)
class Checked:
    """What a lexical reading of a query found: its form and the variables it names, in order of first use."""

    kind: str  # SELECT, ASK, CONSTRUCT, DESCRIBE or UPDATE
    variables: tuple[str, ...]


def check(text: str, allow_update: bool = False) -> Checked:
    """The form and variables of a query; QueryError for what kg refuses (the same words as kg.query.prepare)."""
    toks = list(tokens(text))
    kind = ""
    variables: dict[str, None] = {}
    for i, tok in enumerate(toks):
        if tok.kind == "var":
            variables.setdefault(tok.text[1:], None)
            continue
        if tok.kind != "word" or ":" in tok.text:
            continue
        word = tok.text.upper()
        following = toks[i + 1].text if i + 1 < len(toks) else ""
        if not kind and word in QUERY_FORMS:
            kind = word
        elif not kind and word in UPDATE_FORMS:
            kind = "UPDATE"
        if word == "SERVICE":
            target = toks[i + 2].text if following.upper() == "SILENT" and i + 2 < len(toks) else following
            raise QueryError(f"SERVICE {target} is refused: kg queries never reach the network; "
                             "query the local graph only")
        if word == "LOAD":
            target = toks[i + 2].text if following.upper() == "SILENT" and i + 2 < len(toks) else following
            raise QueryError(f"LOAD {target} is refused: kg never fetches data from a query")
        if word == "FROM":
            raise QueryError("FROM / FROM NAMED is refused: a query reads the built graph only, "
                             "and the engine would fetch or read the named source")
        if word == "USING":
            raise QueryError("USING / USING NAMED is refused: an update reads the built graph only")
    if not kind:
        raise QueryError("SPARQL syntax error at line 1, column 1: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    if kind == "UPDATE" and not allow_update:
        raise QueryError("SPARQL Update is refused: queries run read-only "
                         "(--allow-update changes the graph in memory, never the stored graph)")
    return Checked(kind, tuple(variables))


def syntax_error(message: str, text: str) -> QueryError:
    """An engine's syntax error ("error at 3:5: expected …") in kg's words, with line, column and the line."""
    m = re.match(r"error at (\d+):(\d+): (.*)", message, re.DOTALL)
    if not m:
        return QueryError(f"SPARQL syntax error: {message.splitlines()[0] if message else 'unreadable query'}")
    line, col, what = int(m.group(1)), int(m.group(2)), m.group(3)
    if "Prefix not found" in what:
        what = "Unknown namespace prefix"
    else:
        what = re.split(r",\s*\[|\n", what)[0].strip()
    lines = text.split("\n")
    near = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    near = near if len(near) <= 60 else near[:59] + "…"
    return QueryError(f"SPARQL syntax error at line {line}, column {col}: {what} (in: {near})")


def substitute(text: str, values: dict[str, str]) -> str:
    """The query with each bound variable replaced by its value (an N-Triples term), for an endpoint.

    A SPARQL endpoint takes text, so a parameter becomes a term written by kg (escaped as N-Triples, never
    the user's text): where the variable is selected it is kept as `(term AS ?v)`, `BOUND(?v)` is `true`,
    and in ORDER BY and GROUP BY the term is parenthesised, so the query reads as if the variable were
    bound everywhere, as rdflib's initBindings and Oxigraph's substitutions do.
    """
    toks = list(tokens(text))
    out: list[str] = []
    last = 0
    clause = ""  # the clause a token stands in: "select" (projection), "order" (ORDER/GROUP BY) or ""
    i = 0
    while i < len(toks):
        tok = toks[i]
        word = tok.text.upper() if tok.kind == "word" and ":" not in tok.text else ""
        if word == "SELECT":
            clause = "select"
        elif word in ("WHERE",) or tok.text == "{":
            clause = ""
        elif word in ("ORDER", "GROUP"):
            clause = "order"
        elif word in ("LIMIT", "OFFSET", "HAVING", "VALUES") or tok.text == "}":
            clause = ""
        replacement = None
        span_end = tok.start + len(tok.text)
        if word == "BOUND" and i + 3 < len(toks) and toks[i + 1].text == "(" and toks[i + 2].kind == "var" \
                and toks[i + 2].text[1:] in values and toks[i + 3].text == ")":
            replacement = "true"
            span_end = toks[i + 3].start + 1
            i += 3
        elif tok.kind == "var" and tok.text[1:] in values:
            term = values[tok.text[1:]]
            depth_in_expr = _open_parens(toks, i)
            if clause == "select" and not depth_in_expr:
                replacement = f"({term} AS {tok.text})"
            elif clause == "order":
                replacement = f"({term})"
            else:
                replacement = term
        if replacement is not None:
            out.append(text[last:tok.start])
            out.append(replacement)
            last = span_end
        i += 1
    out.append(text[last:])
    return "".join(out)


def _open_parens(toks: list[Token], i: int) -> int:
    """How many parentheses are open at token i, counted back to the clause's keyword."""
    depth = 0
    for tok in reversed(toks[:i]):
        if tok.text == ")":
            depth -= 1
        elif tok.text == "(":
            depth += 1
        elif tok.kind == "word" and tok.text.upper() == "SELECT":
            break
    return max(depth, 0)
