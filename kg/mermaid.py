"""Mermaid parser: the body of a ```mermaid block -> MermaidDiagram, and back.

Hand-written and regex/tokenizer based. Flowcharts (`graph`/`flowchart`) are
parsed in full: nodes with their shapes and labels, edges with their arrows and
labels, subgraphs with their members. Sequence diagrams give participants as
nodes and messages as edges. C4 diagrams (`C4Context`, `C4Container`,
`C4Component`, `C4Dynamic`, `C4Deployment`) are read into the same structures
as a flowchart, with the kind "c4": elements are nodes, boundaries and
deployment nodes are subgraphs, `Rel`s are edges (see `read_c4_statement`).
Architecture diagrams (`architecture-beta`) are read as a flowchart, kind and
all: services are nodes, groups subgraphs, edges edges. Every other diagram
kind is recognised by its first word and otherwise skipped.

The parser never raises on bad input: a statement it cannot read is dropped
whole and described in `diagram.errors` ("line 12: cannot parse 'A -->' ..."),
and every other statement still counts. Line numbers are absolute document
lines: `first_line` is the document line of the first body line.

Flowchart statements are read by a small scanner rather than one big regex:

    statement := group (link group)*
    group     := node ('&' node)*
    node      := id [':::'class] [shape | '@{' props '}'] [':::'class]
    link      := arrow ['|' label '|']  |  start-of-arrow text end-of-arrow

Node ids may contain '-' and '.', so `A-->B` is read by taking the longest
id-looking run (`A-->B`) and cutting it where an arrow starts (`--`, `-.`, `.-`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.entities import html5

from .model import MermaidDiagram, MermaidEdge, MermaidNode, MermaidSubgraph

__all__ = ["C4Statement", "clean_label", "parse_mermaid", "read_c4_statement", "to_mermaid"]

# ---------------------------------------------------------------- diagram kinds

_FLOWCHART_KINDS = {"graph", "flowchart", "flowchart-elk"}
# how many lines a statement may read on over (an arrow at a line's end, a shape's wrapped text): each line
# tries a join that is parsed again as it grows, so a diagram of dangling arrows costs this squared per line
MAX_CONTINUED_LINES = 8
_C4_KINDS = {"c4context", "c4container", "c4component", "c4dynamic", "c4deployment"}
_KNOWN_KINDS = {
    "graph", "flowchart", "flowchart-elk", "sequencediagram", "classdiagram", "classdiagram-v2",
    "statediagram", "statediagram-v2", "erdiagram", "journey", "gantt", "pie", "quadrantchart",
    "requirementdiagram", "gitgraph", "c4context", "c4container", "c4component", "c4dynamic",
    "c4deployment", "mindmap", "timeline", "zenuml", "sankey", "sankey-beta", "xychart",
    "xychart-beta", "block", "block-beta", "packet", "packet-beta", "kanban", "architecture",
    "architecture-beta", "radar", "radar-beta", "treemap", "treemap-beta", "info",
}
_DIRECTIONS = {"TB": "TB", "TD": "TD", "BT": "BT", "RL": "RL", "LR": "LR",
               # the old one-character directions
               ">": "LR", "<": "RL", "^": "BT", "v": "TB", "V": "TB"}

# ---------------------------------------------------------------- flowchart tokens

# An id-looking run; _trim_id() then cuts it where an arrow starts.
_ID_RE = re.compile(r"\w[\w.\-]*")
_ARROW_STARTS = ("--", "-.", ".-")
_CLASS_SUFFIX = re.compile(r":::[\w\-]+")
# v11 edge ids: `A e1@--> B`
_EDGE_ID = re.compile(r"\w+@(?=[-=.<ox~])")

# Complete arrows, Mermaid's own lexer rules: an optional left marker, a body of
# any length, a right end. `---` is body `--` plus open end `-`; note that
# `A---oB` really is a circle edge to B in Mermaid too.
_LINK_NORMAL = re.compile(r"([<ox]?)-{2,}([->ox])")
_LINK_THICK = re.compile(r"([<ox]?)={2,}([=>ox])")
_LINK_DOTTED = re.compile(r"([<ox]?)-?\.+-([>ox]?)")
_LINK_INVISIBLE = re.compile(r"~{3,}")
# The first half of an arrow that carries its label inline: `-- text -->`,
# `== text ==>`, `-. text .->`; the second half is found by _LINK_CLOSE.
_LINK_START = re.compile(r"([<ox]?)(--|==|-\.)")
_LINK_RES = (_LINK_NORMAL, _LINK_THICK, _LINK_DOTTED, _LINK_INVISIBLE, _LINK_START)
_LINK_CLOSE = {
    "--": ("normal", re.compile(r"-{2,}([->ox])")),
    "==": ("thick", re.compile(r"={2,}([=>ox])")),
    "-.": ("dotted", re.compile(r"(?<!\.)-?\.+-([>ox]?)")),  # (?<!.): linear on long dot runs
}

# Classic node shapes: opener -> possible (closer, shape). Longest openers
# first, so `((` wins over `(`; a special opener whose closer is missing falls
# back to the plain one (`A[(x]` is a rect labelled "(x").
_OPENERS: list[tuple[str, tuple[tuple[str, str], ...]]] = [
    ("(((", ((")))", "double-circle"),)),
    ("((", (("))", "circle"),)),
    ("([", (("])", "stadium"),)),
    ("(", ((")", "round"),)),
    ("[[", (("]]", "subroutine"),)),
    ("[(", ((")]", "cylinder"),)),
    ("[/", (("/]", "parallelogram"), ("\\]", "trapezoid"))),
    ("[\\", (("\\]", "parallelogram-alt"), ("/]", "trapezoid-alt"))),
    ("[", (("]", "rect"),)),
    ("{{", (("}}", "hexagon"),)),
    ("{", (("}", "rhombus"),)),
    (">", (("]", "asymmetric"),)),
]
# shape -> (opener, closer), for writing nodes back out
_SHAPE_BRACKETS: dict[str, tuple[str, str]] = {
    shape: (opener, closer) for opener, closers in _OPENERS for closer, shape in closers
}

# v11 `A@{ shape: cyl }` names (and their documented aliases) for the classic shapes;
# any other shape name is kept as written.
_SHAPE_NAMES = {
    "rect": "rect proc process rectangle squarerect",
    "round": "round rounded event roundedrect",
    "stadium": "stadium terminal pill",
    "subroutine": "subroutine fr-rect subprocess subproc framed-rectangle",
    "cylinder": "cylinder cyl db database",
    "circle": "circle circ",
    "double-circle": "double-circle dbl-circ doublecircle",
    "rhombus": "rhombus diam decision diamond question",
    "hexagon": "hexagon hex prepare",
    "parallelogram": "parallelogram lean-r lean-right in-out lean_right",
    "parallelogram-alt": "parallelogram-alt lean-l lean-left out-in lean_left",
    "trapezoid": "trapezoid trap-b priority trapezoid-bottom",
    "trapezoid-alt": "trapezoid-alt trap-t manual trapezoid-top inv-trapezoid inv_trapezoid",
    "asymmetric": "asymmetric odd",
}
_SHAPE_ALIASES = {name: shape for shape, names in _SHAPE_NAMES.items() for name in names.split()}
# (?<!\w): a key starts where a word starts, so a long run of word characters is scanned once, not once per start
_PROP = re.compile(r"""(?<!\w)(\w+)\s*:\s*("[^"]*"|'[^']*'|[^,\n}]*)""")

# Statements that carry no graph content.
_IGNORED = re.compile(r"(classDef|class|style|linkStyle|click)\s+\S")
_ACC = re.compile(r"acc(?:Title|Descr)\s*:")
_ACC_BLOCK = re.compile(r"accDescr\s*\{")
_DIRECTION_STMT = re.compile(r"direction\s+(?:TB|TD|BT|RL|LR)$")
_SUBGRAPH = re.compile(r"subgraph(?:\s+(.*))?$")
_SUBGRAPH_ID_TITLE = re.compile(r"([\w.\-]+)\s*\[(.*)\]$")

# ---------------------------------------------------------------- sequence tokens

_SEQ_PARTICIPANT = re.compile(r"(?:create\s+)?(participant|actor)\s+(.+)$", re.I)
# `participant A as Alice`: the first ` as ` after the id. (?<!\s) starts the search once per run of spaces,
# so a line of spaces costs linear time, not quadratic as a lazy id followed by `\s+as` did.
_SEQ_ALIAS = re.compile(r"(?<!\s)\s+as\s+(.+)$")
_SEQ_MESSAGE = re.compile(
    # src never ends in a space and tgt is greedy up to the first ':', with possessive spaces between: a
    # long run of spaces is read once (a lazy `[^:]*?` before `\s*` made such a line cost quadratic time)
    r"(?P<src>[^\s:;,+<>\-](?:\s*[^\s:;,<>])*?)\s*"
    r"(?P<arrow><<-->>|<<->>|-->>|->>|--x|--\)|-->|->|-x|-\))\s*+"
    r"(?P<act>[+-]?)\s*+(?P<tgt>[^\s:;,+<>\-](?:[^:]*[^\s:])?)\s*+(?::(?P<text>.*))?$"
)
# Block keywords, notes and settings: no participants or messages of their own.
# Mermaid's sequence lexer reads its keywords in any case (`Title …`, `Note over …`, `LOOP`)
_SEQ_IGNORED = re.compile(
    r"(?:loop|alt|else|opt|par|par_over|and|critical|option|break|rect|end|box|autonumber|"
    r"activate|deactivate|destroy|note|title|accTitle|accDescr|links?|properties|details)\b", re.I
)

# ---------------------------------------------------------------- architecture tokens

# Mermaid's architecture diagrams (`architecture-beta`, v11): `service db(database)[Orders DB] in api`,
# `group api(cloud)[API]`, `junction j1 in api`, and edges between the sides of two services or groups,
# `db:R --> L:server`, `api{group}:B <-[calls]- T:auth{group}`
_ARCH_BOX = re.compile(r"(group|service)\s+([\w-]+)\s*(?:\(([^()]*)\))?\s*(?:\[([^\]]*)\])?\s*"
                       r"(?:in\s+([\w-]+))?$", re.I)
_ARCH_JUNCTION = re.compile(r"junction\s+([\w-]+)\s*(?:in\s+([\w-]+))?$", re.I)
_ARCH_EDGE = re.compile(r"([\w-]+)(\{group\})?\s*(?::\s*[LRTB])?\s*(<)?-(?:\[([^\]]*)\])?-(>)?\s*"
                        r"(?:[LRTB]\s*:)?\s*([\w-]+)(\{group\})?$", re.I)
# the icons that draw a store (the flowchart's cylinder, which the rules read as storage)
_ARCH_STORE_ICONS = {"database", "disk"}

# ---------------------------------------------------------------- C4 tokens

# Mermaid's C4 macros (its c4Diagram.jison lexer, which follows C4-PlantUML), lower-cased: macro -> (kind, shape).
# A person is an "actor" (the rules' people shape), a *Db a "cylinder" (the parser's one name for a drum, as
# `[(x)]` and `@{ shape: db }` give), a *Queue a "queue". Deployment nodes are boxes things run in: subgraphs.
_C4_MACROS: dict[str, tuple[str, str]] = {
    **{name: ("element", "actor") for name in ("person", "person_ext")},
    **{f"{base}{ext}": ("element", "rect") for base in ("system", "container", "component") for ext in ("", "_ext")},
    **{f"{base}{kind}{ext}": ("element", shape) for base in ("system", "container", "component")
       for kind, shape in (("db", "cylinder"), ("queue", "queue")) for ext in ("", "_ext")},
    **{name: ("boundary", "") for name in ("boundary", "enterprise_boundary", "system_boundary", "container_boundary")},
    **{name: ("node", "") for name in ("deployment_node", "node", "node_l", "node_r")},
    **{name: ("relation", "") for name in ("rel", "birel", "rel_u", "rel_up", "rel_d", "rel_down", "rel_l", "rel_left",
                                           "rel_r", "rel_right", "rel_back", "relindex")},
}
# Styling and layout: no graph content. (`Lay_*` and the legend macros are C4-PlantUML's, often carried over.)
_C4_IGNORED = re.compile(r"(?:update\w*|add\w*tag|lay_\w+|show_\w+|hide_\w+|layout_\w+)$", re.I)
_C4_TEXT_STMT = re.compile(r"(?:title|accDescription)(?:\s|$)|direction\s", re.I)
_C4_MACRO = re.compile(r"([A-Za-z_]\w*)\s*(?=\()")
_C4_ARG_TOKEN = re.compile(r'"[^"]*"?|[(),]')
_C4_PAREN_TOKEN = re.compile(r'"[^"]*"?|[()]')
_C4_QUOTED = re.compile(r'"[^"]*"')
_C4_NAMED = re.compile(r"\$(\w+)\s*=\s*(.*)$", re.S)

# ---------------------------------------------------------------- labels

_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_ICON = re.compile(r"\bfa[bklrs]?:fa-[\w-]+")
# (spans are bounded so a label full of stray markers stays linear to scan)
_BOLD = re.compile(r"\*\*(?=\S)(.{1,300}?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*]{1,300}?)(?<=[^\s*])\*(?![\w*])")
_STRIKE = re.compile(r"~~(?=\S)(.{1,300}?)(?<=\S)~~")
# Mermaid escapes as `#quot;` / `#35;`; HTML as `&amp;` / `&#35;`. One pass,
# so a decoded character is never decoded again. Browsers also read a decimal
# reference without its semicolon (`&#40redis&#41`), and so do writers who test there.
_ENTITY = re.compile(r"#(\w+);|&(#?\w+);|&(#\d+)")


def _decode_entity(m: re.Match[str]) -> str:
    name = next(g for g in m.groups() if g is not None)
    if name.isdigit():
        name = "#" + name  # Mermaid's `#35;` is HTML's `&#35;`
    if name.startswith("#"):
        try:
            code = int("0" + name[1:], 0) if name[1:2] in "xX" else int(name[1:])
            ok = 0 < code < 0x110000 and not 0xD800 <= code <= 0xDFFF  # no lone surrogates
            return chr(code) if ok else m.group(0)
        except ValueError:
            return m.group(0)
    return html5.get(name + ";", m.group(0))


_CAPTION = re.compile(r"<(font|small|sub|sup)\b[^>]*>.*?</\1\s*>", re.I | re.S)


def clean_label(text: str) -> str:
    """Plain text of a Mermaid label: quotes, <br/>, HTML tags, markdown and entities resolved."""
    s = text.strip()
    if len(s) >= 2 and s[0] == s[-1] == '"':
        s = s[1:-1].strip()
    if len(s) >= 2 and s[0] == s[-1] == "`":  # markdown string: "`**x**`"
        s = s[1:-1]
    # a caption in small or coloured type under the name (`GOV.UK<br><font size=2>The best place…</font>`) is
    # no part of the name; a label that is nothing but such a span keeps its text (`<font color=red>Redis</font>`)
    uncaptioned = _CAPTION.sub(" ", s)
    if _TAG.sub("", _BR.sub(" ", uncaptioned)).strip():
        s = uncaptioned
    s = _BR.sub(" ", s).replace("\\n", " ")  # "Nessie Catalog\n(REST)": a line break written as "\n"
    s = _TAG.sub("", s)
    s = _ICON.sub("", s)
    s = _BOLD.sub(r"\1", s)
    s = _ITALIC.sub(r"\1", s)
    s = _STRIKE.sub(r"\1", s)
    s = s.replace("`", "")
    s = _ENTITY.sub(_decode_entity, s)
    return " ".join(s.split())


# Characters escaped as `#NN;` when a label would not survive a plain quoting.
_SPECIAL = set('"#&<>*`~|[](){};:\\')


def _quote(label: str) -> str:
    """A label as a quoted Mermaid string that clean_label() reads back unchanged."""
    simple = label.replace('"', "#quot;")
    if clean_label(f'"{simple}"') == label:
        return f'"{simple}"'
    full = "".join(f"#{ord(c)};" if c in _SPECIAL else c for c in label)
    return f'"{full}"'


# ---------------------------------------------------------------- scanner


class _Fail(Exception):
    """A statement the scanner cannot read; the message says why."""


@dataclass
class _NodeRef:
    id: str
    label: str | None = None  # None: referenced without a label
    shape: str | None = None


@dataclass
class _Link:
    arrow: str
    label: str = ""


def _skip_ws(s: str, pos: int) -> int:
    while pos < len(s) and s[pos].isspace():
        pos += 1
    return pos


def _trim_id(raw: str) -> str:
    cut = len(raw)
    for start in _ARROW_STARTS:
        k = raw.find(start)
        if k != -1:
            cut = min(cut, k)
    return raw[:cut] or raw[:1]


def _is_id(text: str) -> bool:
    return bool(_ID_RE.fullmatch(text)) and _trim_id(text) == text and text != "end"


def _find_close(s: str, start: int, closers: tuple[tuple[str, str], ...]) -> tuple[str, str, int] | None:
    """(raw label, shape, end) of a bracketed label starting at `start`, or None."""
    q = _skip_ws(s, start)
    if q < len(s) and s[q] == '"':
        # quoted: brackets inside the quotes are text; the closer must follow the quote
        end_quote = s.find('"', q + 1)
        if end_quote != -1:
            r = _skip_ws(s, end_quote + 1)
            for closer, shape in closers:
                if s.startswith(closer, r):
                    return s[q:end_quote + 1], shape, r + len(closer)
    best: tuple[int, str, str] | None = None
    for closer, shape in closers:
        k = s.find(closer, start)
        if k != -1 and (best is None or k < best[0]):
            best = (k, closer, shape)
    if best is None:
        return None
    return s[start:best[0]], best[2], best[0] + len(best[1])


def _scan_props(s: str, pos: int) -> tuple[str | None, str | None, int]:
    """Read `{ shape: cyl, label: "x" }` at s[pos] == '{'."""
    k, in_quote = pos + 1, False
    while k < len(s):
        if s[k] == '"':
            in_quote = not in_quote
        elif s[k] == "}" and not in_quote:
            break
        k += 1
    else:
        raise _Fail("unclosed '@{'")
    props = {m.group(1).lower(): m.group(2).strip() for m in _PROP.finditer(s[pos + 1:k])}
    shape = props.get("shape", "").strip("\"'").strip() or None
    if shape:
        shape = _SHAPE_ALIASES.get(shape.lower(), shape)
    label = props.get("label")
    if label is not None:
        if len(label) >= 2 and label[0] == label[-1] == "'":
            label = label[1:-1]
        label = clean_label(label)
    return label, shape, k + 1


def _scan_shape(s: str, pos: int) -> tuple[str, str, int] | None:
    """(clean label, shape, end) of a bracketed shape right after a node id, or None."""
    p = pos
    q = _skip_ws(s, pos)
    if q < len(s) and s[q] in "[({":  # tolerate `A [label]`
        p = q
    if p >= len(s):
        return None
    for opener, closers in _OPENERS:
        if s.startswith(opener, p):
            found = _find_close(s, p + len(opener), closers)
            if found is not None:
                raw, shape, end = found
                return clean_label(raw), shape, end
    if s[p] in "[({" or (s[p] == ">" and p == pos):
        raise _Fail(f"unclosed '{s[p]}'")
    return None


def _scan_node(s: str, pos: int) -> tuple[_NodeRef, int]:
    pos = _skip_ws(s, pos)
    m = _ID_RE.match(s, pos)
    if not m:
        raise _Fail("expected a node" if pos >= len(s) else f"unexpected {s[pos]!r}")
    node = _NodeRef(_trim_id(m.group()))
    pos += len(node.id)
    if c := _CLASS_SUFFIX.match(s, pos):
        pos = c.end()
    if s.startswith("@{", pos):
        node.label, node.shape, pos = _scan_props(s, pos + 1)
    else:
        found = _scan_shape(s, pos)
        if found is not None:
            node.label, node.shape, pos = found
    if c := _CLASS_SUFFIX.match(s, pos):
        pos = c.end()
    if node.label == "":
        node.label = None  # `A[""]`: nothing to show but the id
    return node, pos


def _scan_group(s: str, pos: int) -> tuple[list[_NodeRef], int]:
    node, pos = _scan_node(s, pos)
    group = [node]
    while True:
        q = _skip_ws(s, pos)
        if q < len(s) and s[q] == "&":
            node, pos = _scan_node(s, q + 1)
            group.append(node)
        else:
            return group, pos


def _arrow(family: str, left: str, right: str) -> str:
    """The short form of an arrow: `--->` -> `-->`, `-..->` -> `-.->`, `====` -> `===`."""
    if family == "invisible":
        return "~~~"
    if family == "thick":
        return left + "==" + (right if right and right in ">ox" else "=")
    if family == "dotted":
        return left + "-.-" + right
    return left + "--" + (right if right and right in ">ox" else "-")


def _scan_pipe_label(s: str, pos: int) -> tuple[str | None, int]:
    q = _skip_ws(s, pos)
    if q >= len(s) or s[q] != "|":
        return None, pos
    r = _skip_ws(s, q + 1)
    if r < len(s) and s[r] == '"':  # quoted: a '|' inside the quotes is text
        end_quote = s.find('"', r + 1)
        if end_quote != -1:
            t = _skip_ws(s, end_quote + 1)
            if t < len(s) and s[t] == "|":
                return clean_label(s[r:end_quote + 1]), t + 1
    k = s.find("|", q + 1)
    if k == -1:
        raise _Fail("unclosed '|' label")
    return clean_label(s[q + 1:k]), k + 1


def _scan_link(s: str, pos: int) -> tuple[_Link, int]:
    pos = _skip_ws(s, pos)
    if m := _EDGE_ID.match(s, pos):
        pos = m.end()
    link: _Link | None = None
    for family, rx in (("normal", _LINK_NORMAL), ("thick", _LINK_THICK), ("dotted", _LINK_DOTTED)):
        if m := rx.match(s, pos):
            link, pos = _Link(_arrow(family, m.group(1), m.group(2))), m.end()
            break
    else:
        if m := _LINK_INVISIBLE.match(s, pos):
            link, pos = _Link("~~~"), m.end()
        elif m := _LINK_START.match(s, pos):
            # `-- text -->`: the label runs up to the first complete closing arrow
            family, close_rx = _LINK_CLOSE[m.group(2)]
            close = close_rx.search(s, m.end())
            if close is None:
                raise _Fail(f"arrow '{m.group(0)}' has no end")
            link = _Link(_arrow(family, m.group(1), close.group(1)), clean_label(s[m.end():close.start()]))
            pos = close.end()
    if link is None:
        raise _Fail("expected an arrow" if pos < len(s) else "expected a node")
    label, pos = _scan_pipe_label(s, pos)
    if label is not None:
        link.label = label
    return link, pos


def _parse_statement(s: str) -> tuple[list[list[_NodeRef]], list[_Link]]:
    """Groups of nodes and the links between consecutive groups; raises _Fail."""
    groups: list[list[_NodeRef]] = []
    links: list[_Link] = []
    group, pos = _scan_group(s, 0)
    groups.append(group)
    while (pos := _skip_ws(s, pos)) < len(s):
        link, pos = _scan_link(s, pos)
        if _skip_ws(s, pos) >= len(s):
            raise _Fail("dangling arrow")
        group, pos = _scan_group(s, pos)
        links.append(link)
        groups.append(group)
    return groups, links


def _is_entity_before(text: str) -> bool:
    """Does `text` end in `#quot` / `&amp` / `#35`, so that a following ';' closes an entity?"""
    m = re.search(r"(?:#|&#?)(\w+)$", text)
    if not m:
        return False
    name = m.group(1)
    return name.isdigit() or (name[:1] in "xX" and m.group(0).startswith("&#")) or (name + ";") in html5


def _split_statements(line: str) -> list[str]:
    """Split a line at ';' and drop a trailing %% comment, outside quotes, brackets and |labels|."""
    parts: list[str] = []
    start, depth, in_quote, in_pipe = 0, 0, False, False
    k = 0
    while k < len(line):
        c = line[k]
        if c == '"':
            in_quote = not in_quote
        elif in_quote:
            pass
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and c == "|":
            in_pipe = not in_pipe
        elif depth == 0 and not in_pipe and line.startswith("%%", k) and not line.startswith("%%{", k):
            break
        elif depth == 0 and not in_pipe and c == ";" and not _is_entity_before(line[max(start, k - 40):k]):
            parts.append(line[start:k])
            start = k + 1
        k += 1
    parts.append(line[start:k])
    return [p.strip() for p in parts if p.strip()]


def _needs_more(text: str) -> bool:
    """An odd quote or an open `@{` continues the statement on the next line."""
    if text.count('"') % 2:
        return True
    k = text.rfind("@{")
    return k != -1 and "}" not in text[k:]


def _snip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---------------------------------------------------------------- C4 statements


@dataclass
class C4Statement:
    """One C4 macro, `Container(web, "Web App", "React", "The shop")`, read.

    `kind` is "element", "boundary", "node" (a deployment node) or "relation". `technology` is a
    container's, component's or relation's technology and a deployment node's type; `description` the
    description. A relation is given in the direction it points: `Rel_Back(a, b)` is b -> a, and
    `RelIndex`'s index is dropped. Named arguments (`$tags="…"`) are kept apart in `named`.
    """

    macro: str  # as written: "ContainerDb_Ext"
    kind: str
    shape: str = "rect"  # an element's node shape
    alias: str = ""  # an element's or a boundary's id
    label: str = ""  # its label (the alias when none is given), a relation's label
    technology: str = ""
    description: str = ""
    source: str = ""  # a relation's ends
    target: str = ""
    arrow: str = "-->"  # "<-->" for BiRel
    block: str = ""  # what follows the ')': "{" opens a boundary's block, "{}" an empty one, "" nothing
    named: dict[str, str] = field(default_factory=dict)

    @property
    def opens(self) -> bool:
        return self.block == "{"


def _c4_args(s: str, start: int) -> tuple[list[str], int]:
    """The raw arguments of the `(…)` at s[start] and the index after its `)`; commas and parentheses
    inside quotes are text. Raises _Fail when the `(` or a quote is not closed."""
    args: list[str] = []
    depth, begin = 0, start + 1
    for m in _C4_ARG_TOKEN.finditer(s, start + 1):  # a quoted string is one token: scanned at C speed
        tok = m.group()
        if tok[0] == '"':
            if len(tok) == 1 or tok[-1] != '"':
                raise _Fail("unclosed '\"'")
        elif tok == "(":
            depth += 1
        elif tok == ")":
            if depth == 0:
                args.append(s[begin:m.start()])
                return args, m.end()
            depth -= 1
        elif depth == 0:  # ','
            args.append(s[begin:m.start()])
            begin = m.end()
    raise _Fail("unclosed '('")


def _c4_id(raw: str) -> str:
    return raw.strip().strip('"').strip()


def _c4_statement(stmt: str) -> C4Statement:
    """Read one C4 macro statement; raises _Fail."""
    m = _C4_MACRO.match(stmt)
    if not m:
        raise _Fail("expected a C4 statement like 'Container(alias, \"Label\")'")
    macro = m.group(1)
    if macro.lower() not in _C4_MACROS:
        raise _Fail(f"unknown C4 statement {_snip(macro, 30)!r}")
    kind, shape = _C4_MACROS[macro.lower()]
    raw, end = _c4_args(stmt, m.end())
    rest = stmt[end:].strip()
    if rest and rest not in ("{", "{}", "{ }"):
        raise _Fail(f"unexpected {_snip(rest, 20)!r} after ')'")
    if rest.startswith("{") and kind in ("element", "relation"):
        raise _Fail(f"{macro} cannot open a block; only a boundary or a deployment node can")
    named: dict[str, str] = {}
    args: list[str] = []
    for arg in raw:
        if arg.strip().startswith("$"):
            if nm := _C4_NAMED.match(arg.strip()):
                named[nm.group(1).lower()] = clean_label(nm.group(2))
            continue
        if arg.strip().startswith('"') and not _C4_QUOTED.fullmatch(arg.strip()):
            raise _Fail(f"text after the quoted argument {_snip(arg.strip(), 30)!r}")
        args.append(arg)
    args += [""] * (5 - len(args))
    st = C4Statement(macro, kind, shape if kind == "element" else "", named=named, block="{}" if rest == "{ }" else rest)
    low = macro.lower()
    if kind == "relation":
        if low == "relindex":
            args = args[1:] + [""]
        st.source, st.target = _c4_id(args[0]), _c4_id(args[1])
        if not st.source or not st.target:
            raise _Fail(f"{macro} needs two ends")
        if low == "rel_back":
            st.source, st.target = st.target, st.source
        st.arrow = "<-->" if low == "birel" else "-->"
        st.label, st.technology, st.description = (clean_label(a) for a in args[2:5])
        return st
    st.alias = _c4_id(args[0])
    if not st.alias:
        raise _Fail(f"{macro} without an alias")
    st.label = clean_label(args[1]) or st.alias
    if kind == "node" or low.startswith(("container", "component")):
        st.technology, st.description = clean_label(args[2]), clean_label(args[3])
    elif kind == "element":  # Person, System: (alias, label, descr)
        st.description = clean_label(args[2])
    return st


def read_c4_statement(text: str) -> C4Statement | None:
    """The C4 macro a line holds (`Container(web, "Web App", "React")`), or None.

    For the rules: a C4 element's node keeps its label as the name, and its technology stays on its
    source line (`doc.line_text(node.line)`), read back with this, as a flowchart label's second
    line stays there behind a `<br/>`.
    """
    try:
        return _c4_statement(_strip_c4_comment(text.strip()))
    except Exception:  # noqa: BLE001 -- a helper for the rules: no C4 statement here
        return None


def _strip_c4_comment(text: str) -> str:
    """The text before a `%%` comment outside quotes."""
    in_quote = False
    for k, c in enumerate(text):
        if c == '"':
            in_quote = not in_quote
        elif not in_quote and text.startswith("%%", k):
            return text[:k].rstrip()
    return text


def _c4_transfer(text: str, pos: int, in_quote: bool) -> tuple[bool, int, int]:
    """Scan `text` from `pos`, entered inside a quote or not: (inside a quote at its end, the change in
    parenthesis depth, the lowest depth reached). A macro's `)` is on the line where its depth first goes
    below zero. Each line is scanned once per entry state, so joining lines stays linear."""
    depth = low = 0
    if in_quote:
        k = text.find('"', pos)
        if k == -1:
            return True, 0, 0
        pos = k + 1
    for m in _C4_PAREN_TOKEN.finditer(text, pos):
        tok = m.group()
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
            low = min(low, depth)
        elif len(tok) == 1 or tok[-1] != '"':
            return True, depth, low  # a quote still open at the end of the line
    return False, depth, low


# ---------------------------------------------------------------- limits

# What one diagram may cost. Real diagrams stay far below (the corpora: at most 9 edges from one statement,
# 18 nodes and 52 edges in one diagram); a fan-out `A0 & … & A999 --> B0 & … & B999` would otherwise turn a
# few kilobytes of text into a million edges and gigabytes of memory.
MAX_EDGES_PER_STATEMENT = 500
MAX_NODES_PER_DIAGRAM = 1_000
MAX_EDGES_PER_DIAGRAM = 5_000


# ---------------------------------------------------------------- parser


class _Parser:
    def __init__(self, text: str, first_line: int) -> None:
        self.lines = [ln.rstrip("\r") for ln in text.split("\n")]
        self.first = first_line
        self.d = MermaidDiagram(kind="", line=first_line)
        self.stack: list[str] = []  # open subgraph ids, innermost last
        self.labeled: set[str] = set()  # node ids that have had a label declared
        self.auto_ids = 0
        self.full = False  # a limit was reached: the rest of the diagram is skipped

    # -- helpers

    def error(self, index: int, message: str) -> None:
        self.d.errors.append(f"line {self.first + index}: {message}")

    def has_room(self, index: int, new_nodes: int, new_edges: int) -> bool:
        """False (said once, as an error on this line) when adding these would pass a diagram limit."""
        if self.full:
            return False
        for count, more, limit, what in ((len(self.d.nodes), new_nodes, MAX_NODES_PER_DIAGRAM, "nodes"),
                                         (len(self.d.edges), new_edges, MAX_EDGES_PER_DIAGRAM, "edges")):
            if count + more > limit:
                self.full = True
                self.error(index, f"diagram has more than {limit:,} {what} (the limit); the rest of it is skipped")
                return False
        return True

    def skip_comment(self, i: int) -> int:
        """Index after a `%%` comment or a (possibly multi-line) `%%{init}%%` directive."""
        s = self.lines[i].strip()
        if s.startswith("%%{") and "}%%" not in s:
            for j in range(i + 1, len(self.lines)):
                if "}%%" in self.lines[j]:
                    return j + 1
            self.error(i, "directive '%%{' is not closed")
        return i + 1

    def skip_noise(self, i: int, s: str) -> int | None:
        """Where to read on when line i (`s`, stripped) holds no statement: a blank line, a `%%` comment or
        directive, an `accDescr { … }` block; None when it holds one."""
        if not s:
            return i + 1
        if s.startswith("%%"):
            return self.skip_comment(i)
        if _ACC_BLOCK.match(s):
            return self.skip_block(i)
        return None

    def skip_block(self, i: int) -> int:
        """Index after an `accDescr { ... }` block."""
        if "}" in self.lines[i]:
            return i + 1
        for j in range(i + 1, len(self.lines)):
            if "}" in self.lines[j]:
                return j + 1
        self.error(i, "'accDescr {' is not closed")
        return len(self.lines)

    # -- header

    def run(self) -> MermaidDiagram:
        i, n = 0, len(self.lines)
        front_matter_seen = False
        while i < n:
            s = self.lines[i].strip()
            if not s:
                i += 1
            elif s.startswith("%%"):
                i = self.skip_comment(i)
            elif s == "---" and not front_matter_seen:
                front_matter_seen = True
                j = i + 1
                while j < n and self.lines[j].strip() != "---":
                    j += 1
                if j >= n:
                    self.error(i, "front matter is not closed")
                    return self.d
                i = j + 1
            else:
                break
        if i >= n:
            self.error(0, "empty diagram")
            return self.d

        self.d.line = self.first + i
        header = self.lines[i].strip()
        m = re.match(r"[A-Za-z][\w-]*", header)
        word = m.group() if m else ""
        kind = word.lower()
        if kind not in _KNOWN_KINDS and (not m or re.search(r"-->|--|==|[\[\](){}|;&]", header)):
            # `A --> B` with no header line: Mermaid cannot draw it either
            self.d.kind = ""
            self.error(i, f"missing diagram type, found {_snip(header)!r}")
            return self.d
        if kind in _FLOWCHART_KINDS:
            self.d.kind = "flowchart"
            rest = re.sub(r"%%(?!\{).*$", "", header[len(word):])  # `flowchart LR %% note`
            head, _, tail = rest.partition(";")
            direction = head.strip()
            if direction:
                if direction in _DIRECTIONS:
                    self.d.direction = _DIRECTIONS[direction]
                else:
                    self.error(i, f"unknown direction {_snip(direction)!r}")
            self.flowchart(i, tail)
        elif kind == "sequencediagram":
            self.d.kind = "sequence"
            self.sequence(i + 1)
        elif kind in _C4_KINDS:
            self.d.kind = "c4"  # the same nodes, edges and boxes as a flowchart: its rules read them too
            self.c4(i + 1)
        elif kind in ("architecture", "architecture-beta"):
            # services, groups and edges are a flowchart's nodes, subgraphs and edges: its rules read them
            self.d.kind = "flowchart"
            self.architecture(i + 1)
        else:
            self.d.kind = kind
        return self.d

    # -- flowchart

    def flowchart(self, header_index: int, header_tail: str) -> None:
        if header_tail.strip():  # `graph LR; A --> B`
            self.statements(header_tail, header_index)
        i, n = header_index + 1, len(self.lines)
        while i < n:
            s = self.lines[i].strip()
            if (after := self.skip_noise(i, s)) is not None:
                i = after
                continue
            consumed = 1
            if _needs_more(s):
                # a quoted label or an `@{ ... }` spread over several lines: join them,
                # but only if the joined text reads cleanly (else the odd quote is just an error)
                joined, j = s, i + 1
                while j < n and j - i <= 20 and _needs_more(joined):
                    joined += "\n" + self.lines[j].strip()
                    j += 1
                if not _needs_more(joined) and self.reads_cleanly(joined):
                    s, consumed = joined, j - i
            s, consumed = self.continued(s, i, consumed)
            self.statements(s, i)
            i += consumed
        for sid in reversed(self.stack):
            self.error(self.d.subgraphs[sid].line - self.first, f"subgraph '{sid}' has no 'end'")
        self.stack.clear()
        self.finish()

    def continued(self, s: str, i: int, consumed: int) -> tuple[str, int]:
        """A statement Mermaid reads on over the next lines (blank ones between skipped): one that ends in an
        arrow (`A -->` / `B`), leaves a shape open (`gov[GOV.UK` / `and information]`), or whose next line
        starts with an arrow (`start([Visit])` / `--> Auth0`). Joined only if the whole then reads cleanly."""
        joined, j = s, i + consumed
        while j < len(self.lines) and j - i <= MAX_CONTINUED_LINES:
            nxt = j
            while nxt < len(self.lines) and not self.lines[nxt].strip():
                nxt += 1
            if nxt >= len(self.lines):
                break
            following = self.lines[nxt].strip()
            first = _split_statements(following)
            if not first or first[0].startswith("%%") or self.keyword(first[0]) is not None:
                break  # `end`, a subgraph, a style or a comment never finishes a statement
            last = (_split_statements(joined) or [""])[-1]
            arrow_next = any(rx.match(following) for rx in _LINK_RES) and self.keyword(last) is None
            if not (arrow_next or self.open_ended(joined)):
                break
            joined, j = joined + "\n" + following, nxt + 1
        if j > i + consumed and self.reads_cleanly(joined):
            return joined, j - i
        return s, consumed

    def open_ended(self, text: str) -> bool:
        """Whether a statement stops at an arrow or inside a shape's brackets: the next line finishes it."""
        parts = _split_statements(text)
        if not parts or self.keyword(parts[-1]) is not None:
            return False
        try:
            _parse_statement(parts[-1])
        except _Fail as exc:
            return str(exc) == "dangling arrow" or str(exc) in ("unclosed '['", "unclosed '('", "unclosed '{'")
        return False

    def statements(self, text: str, index: int) -> None:
        for stmt in _split_statements(text):
            if self.full:
                return
            try:
                self.statement(stmt, index)
            except Exception as exc:  # noqa: BLE001 -- one statement must never take the diagram down
                self.error(index, f"cannot parse {_snip(stmt)!r} ({type(exc).__name__})")

    def reads_cleanly(self, text: str) -> bool:
        for stmt in _split_statements(text):
            if self.keyword(stmt) is None:
                try:
                    _parse_statement(stmt)
                except _Fail:
                    return False
        return True

    def keyword(self, stmt: str) -> str | None:
        """The kind of a non-graph statement, or None for a node/edge statement."""
        if stmt == "end":
            return "end"
        if m := _SUBGRAPH.match(stmt):
            # `subgraph --> B` is an edge from a node called subgraph
            if not (m.group(1) and any(rx.match(m.group(1)) for rx in _LINK_RES)):
                return "subgraph"
        if _DIRECTION_STMT.match(stmt) or _ACC.match(stmt):
            return "ignore"
        if m := _IGNORED.match(stmt):
            # `style A fill:#f9f` is a style; `style --> B` is an edge from a node called style
            rest = _skip_ws(stmt, m.end(1))
            if not any(rx.match(stmt, rest) for rx in _LINK_RES):
                return "ignore"
        return None

    def statement(self, stmt: str, index: int) -> None:
        kind = self.keyword(stmt)
        if kind == "ignore":
            return
        if kind == "end":
            if self.stack:
                self.stack.pop()
            else:
                self.error(index, "'end' without an open subgraph")
            return
        if kind == "subgraph":
            self.open_subgraph(stmt, index)
            return
        try:
            groups, links = _parse_statement(stmt)
        except _Fail as exc:
            self.error(index, f"cannot parse {_snip(stmt)!r} ({exc})")
            return
        line = self.first + index
        fan_out = sum(len(groups[k]) * len(groups[k + 1]) for k in range(len(links)))
        if fan_out > MAX_EDGES_PER_STATEMENT:
            self.error(index, f"statement draws {fan_out:,} edges, over the limit of {MAX_EDGES_PER_STATEMENT:,} "
                              "per statement; skipped")
            return
        new_nodes = len({ref.id for group in groups for ref in group} - self.d.nodes.keys())
        if not self.has_room(index, new_nodes, fan_out):
            return
        for group in groups:
            for ref in group:
                self.touch(ref, line)
        for k, link in enumerate(links):
            for src in groups[k]:
                for dst in groups[k + 1]:
                    self.d.edges.append(MermaidEdge(src.id, dst.id, link.label, link.arrow, line))

    def open_subgraph(self, stmt: str, index: int) -> None:
        header = _SUBGRAPH.match(stmt)
        rest = (header.group(1) or "").strip() if header else ""
        if m := _SUBGRAPH_ID_TITLE.match(rest):
            sid, label = m.group(1), clean_label(m.group(2)) or m.group(1)
        else:
            # `subgraph "title"` / `subgraph title with spaces`: the id is the title
            sid = label = clean_label(rest)
            if re.search(r"\s", sid) and sid in self.d.subgraphs:
                # Mermaid gives each title with spaces an id of its own, so three
                # `subgraph "Data Namespace"` under three nodes are three subgraphs
                n = 2
                while f"{sid} ({n})" in self.d.subgraphs:
                    n += 1
                sid = f"{sid} ({n})"
        if not sid:
            self.auto_ids += 1
            sid, label = f"subGraph{self.auto_ids}", ""
            self.error(index, "subgraph without a title")
        if sid in self.stack:
            self.error(index, f"subgraph '{sid}' is nested in itself")
            self.stack.append(sid)  # its `end` still has to match
            return
        parent = self.stack[-1] if self.stack else None
        sub = self.d.subgraphs.get(sid)
        if sub is None:
            sub = MermaidSubgraph(id=sid, label=label, line=self.first + index, parent=parent)
            self.d.subgraphs[sid] = sub
            if parent is not None:
                self.d.subgraphs[parent].members.append(sid)
        elif label != sid:
            sub.label = label  # reopened with a title
        self.stack.append(sid)

    def touch(self, ref: _NodeRef, line: int) -> None:
        """Create or update the node `ref` names; subgraph ids never become nodes."""
        if ref.id in self.d.subgraphs:
            return
        current = self.stack[-1] if self.stack else None
        node = self.d.nodes.get(ref.id)
        if node is None:
            node = MermaidNode(ref.id, ref.id, "rect", line, current)
            self.d.nodes[ref.id] = node
            if current is not None:
                self.d.subgraphs[current].members.append(ref.id)
        elif node.subgraph is None and current is not None:
            # first seen outside any subgraph, then mentioned inside one: Mermaid
            # draws it inside, so it belongs there
            node.subgraph = current
            self.d.subgraphs[current].members.append(ref.id)
        if ref.label is not None:
            if ref.id not in self.labeled:
                self.labeled.add(ref.id)
                node.line = line  # the declaration is the better evidence
                if current is not None and node.subgraph != current:
                    # referenced bare in one box ("PR --> GHA" in Dev), declared with its label in another
                    # ("GHA[Build • Test]" in CI): the author drew it where they declared it
                    if node.subgraph is not None and ref.id in self.d.subgraphs[node.subgraph].members:
                        self.d.subgraphs[node.subgraph].members.remove(ref.id)
                    node.subgraph = current
                    self.d.subgraphs[current].members.append(ref.id)
            node.label = ref.label  # Mermaid: the last label given wins
        if ref.shape is not None:
            node.shape = ref.shape

    def finish(self) -> None:
        tidy_subgraphs(self.d)

    # -- architecture

    def architecture(self, start: int) -> None:
        """Architecture statements, one a line: services are nodes (a database or disk icon a cylinder),
        groups subgraphs, junctions unlabelled nodes, and edges run the way their arrow points (`<` at the
        left end: from the right to the left; none or both: an undirected link)."""
        i, n = start, len(self.lines)
        placed: list[tuple[str, str, int]] = []  # (id, parent, index): a parent may be declared after its child
        while i < n and not self.full:
            s = re.sub(r"%%(?!\{).*$", "", self.lines[i]).strip()
            line = self.first + i
            if (after := self.skip_noise(i, s)) is not None:
                i = after
                continue
            if _ACC.match(s) or re.match(r"title\s", s, re.I):
                i += 1
                continue
            if m := _ARCH_BOX.match(s):
                what, ident, icon, title, parent = m.groups()
                label = clean_label(title) if title else ident
                if what.lower() == "group":
                    self.d.subgraphs[ident] = MermaidSubgraph(ident, label, line)
                elif self.has_room(i, 0 if ident in self.d.nodes else 1, 0):
                    shape = "cylinder" if (icon or "").lower() in _ARCH_STORE_ICONS else "rect"
                    self.d.nodes[ident] = MermaidNode(ident, label, shape, line)
                if parent:
                    placed.append((ident, parent, i))
            elif m := _ARCH_JUNCTION.match(s):
                if self.has_room(i, 0 if m.group(1) in self.d.nodes else 1, 0):
                    self.d.nodes[m.group(1)] = MermaidNode(m.group(1), "", "junction", line)
                if m.group(2):
                    placed.append((m.group(1), m.group(2), i))
            elif m := _ARCH_EDGE.match(s):
                left, _, into_left, title, into_right, right, _ = m.groups()
                if self.has_room(i, 0, 1):
                    if into_left and not into_right:
                        left, right = right, left
                    arrow = "<-->" if into_left and into_right else "-->" if into_left or into_right else "---"
                    self.d.edges.append(MermaidEdge(left, right, clean_label(title or ""), arrow, line))
            else:
                self.error(i, f"cannot parse {_snip(s)!r}")
            i += 1
        for ident, parent, index in placed:
            if parent not in self.d.subgraphs:
                self.error(index, f"'{ident}' is in '{parent}', which is no group")
                continue
            if ident in self.d.subgraphs:
                self.d.subgraphs[ident].parent = parent
            elif ident in self.d.nodes:
                self.d.nodes[ident].subgraph = parent
            self.d.subgraphs[parent].members.append(ident)
        self.finish()

    # -- C4

    def c4(self, start: int) -> None:
        """C4 statements, one a line: elements are nodes, boundaries and deployment nodes subgraphs, Rels edges."""
        i, n = start, len(self.lines)
        transfers: dict[tuple[int, bool], tuple[str, bool, int, int]] = {}  # (line, in a quote) -> its scan
        while i < n and not self.full:
            s = _strip_c4_comment(self.lines[i].strip())
            if not s:
                i = self.skip_comment(i) if self.lines[i].strip().startswith("%%") else i + 1
                continue
            if _ACC_BLOCK.match(s):
                i = self.skip_block(i)
                continue
            consumed = 1
            if (m := _C4_MACRO.match(s)) is not None:
                in_quote, depth, low = _c4_transfer(s, m.end() + 1, False)
                if low >= 0:
                    # the macro's `)` is on a later line (a label over several lines): join up to it
                    parts, j = [s], i + 1
                    while j < n and j - i <= 20:
                        key = (j, in_quote)
                        if key not in transfers:
                            text = self.lines[j].strip()
                            text = text if in_quote else _strip_c4_comment(text)
                            transfers[key] = (text, *_c4_transfer(text, 0, in_quote))
                        text, in_quote, delta, line_low = transfers[key]
                        parts.append(text)
                        j += 1
                        if depth + line_low < 0:
                            if self.c4_reads("\n".join(parts)):  # else the odd quote or '(' is just an error
                                s, consumed = "\n".join(parts), j - i
                            break
                        depth += delta
            try:
                pending = self.c4_statement(s, i)
            except Exception as exc:  # noqa: BLE001 -- one statement must never take the diagram down
                self.error(i, f"cannot parse {_snip(s)!r} ({type(exc).__name__})")
                pending = None
            i += consumed
            if pending is not None:
                # `Boundary(b, "B")` with its `{` on the next line
                j = i
                while j < n and (not self.lines[j].strip() or self.lines[j].strip().startswith("%%")):
                    j += 1
                if j < n and _strip_c4_comment(self.lines[j].strip()) == "{":
                    self.stack.append(pending)
                    i = j + 1
        for sid in reversed(self.stack if not self.full else []):  # (when full, the rest was not read)
            self.error(self.d.subgraphs[sid].line - self.first, f"boundary '{sid}' has no '}}'")
        self.stack.clear()
        self.finish()

    @staticmethod
    def c4_reads(stmt: str) -> bool:
        try:
            _c4_statement(_strip_c4_comment(stmt))
        except _Fail:
            return False
        return True

    def c4_statement(self, stmt: str, index: int) -> str | None:
        """Read one C4 statement; the id of a boundary whose block may open on the next line, else None."""
        if not stmt.strip("} "):
            for _ in range(stmt.count("}")):
                if self.stack:
                    self.stack.pop()
                else:
                    self.error(index, "'}' without an open boundary")
            return None
        if stmt == "{":
            self.error(index, "'{' without a boundary")
            return None
        if _DIRECTION_STMT.match(stmt):
            self.d.direction = stmt.split()[1]
            return None
        if _C4_TEXT_STMT.match(stmt) or _ACC.match(stmt):
            return None
        m = _C4_MACRO.match(stmt)
        if m and _C4_IGNORED.match(m.group(1)):
            return None
        try:
            st = _c4_statement(stmt)
        except _Fail as exc:
            self.error(index, f"cannot parse {_snip(stmt)!r} ({exc})")
            return None
        line = self.first + index
        if st.kind == "relation":
            if self.has_room(index, 0, 1):
                self.d.edges.append(MermaidEdge(st.source, st.target, st.label, st.arrow, line))
            return None
        # boxes count with the nodes towards the diagram's limit
        is_new = st.alias not in self.d.nodes and st.alias not in self.d.subgraphs
        if not self.has_room(index, len(self.d.subgraphs) + is_new, 0):
            return None
        if st.kind == "element":
            self.touch(_NodeRef(st.alias, st.label, st.shape), line)
            return None
        return self.c4_boundary(st, index)

    def c4_boundary(self, st: C4Statement, index: int) -> str | None:
        """Add a boundary or deployment node as a subgraph; open it when its block starts here."""
        sid = st.alias
        if sid in self.stack:
            self.error(index, f"boundary '{sid}' is nested in itself")
            if st.opens:
                self.stack.append(sid)  # its `}` still has to match
            return None
        parent = self.stack[-1] if self.stack else None
        sub = self.d.subgraphs.get(sid)
        if sub is None:
            sub = MermaidSubgraph(id=sid, label=st.label, line=self.first + index, parent=parent)
            self.d.subgraphs[sid] = sub
            if parent is not None:
                self.d.subgraphs[parent].members.append(sid)
        else:
            sub.label = st.label
        if st.opens:
            self.stack.append(sid)
        return sid if not st.block else None

    # -- sequence

    def sequence(self, start: int) -> None:
        i, n = start, len(self.lines)
        while i < n:
            s = self.lines[i].strip().rstrip(";").strip()
            line = self.first + i
            if (after := self.skip_noise(i, s)) is not None:
                i = after
            else:
                i += 1
                if m := _SEQ_PARTICIPANT.match(s):
                    rest = m.group(2)
                    alias = _SEQ_ALIAS.search(rest)
                    ident = re.sub(r"@\{.*$", "", rest[:alias.start()] if alias else rest).strip()
                    label = clean_label(alias.group(1)) if alias else None
                    if self.has_room(i - 1, 0 if ident in self.d.nodes else 1, 0):
                        self.seq_node(ident, label, m.group(1).lower(), line)
                elif _SEQ_IGNORED.match(s):
                    continue
                elif m := _SEQ_MESSAGE.match(s):
                    src, dst = m.group("src").strip(), m.group("tgt").strip()
                    if not self.has_room(i - 1, len({src, dst} - self.d.nodes.keys()), 1):
                        continue
                    self.seq_node(src, None, None, line)
                    self.seq_node(dst, None, None, line)
                    self.d.edges.append(MermaidEdge(src, dst, clean_label(m.group("text") or ""), m.group("arrow"), line))
                else:
                    self.error(i - 1, f"cannot parse {_snip(s)!r}")

    def seq_node(self, ident: str, label: str | None, shape: str | None, line: int) -> None:
        node = self.d.nodes.get(ident)
        if node is None:
            node = self.d.nodes[ident] = MermaidNode(ident, ident, shape or "participant", line)
        elif shape is not None:
            node.shape = shape
        if label:
            node.label = label


# PlantUML's own lines around C4-PlantUML's macros: @startuml, !include, ' comments, styling, legends
_PUML_SKIP = re.compile(r"(?:@\w+|!|'|skinparam\b|(?:end\s*)?legend\b|caption\b|(?:end\s*)?(?:header|footer)\b|"
                        r"scale\b|hide\b|left to right direction|top to bottom direction)", re.I)


def tidy_subgraphs(d: MermaidDiagram) -> None:
    """Drop nodes that turned out to be subgraph ids; keep in each subgraph's members, once each, only the nodes
    and subgraphs that ended up inside it (a node may be moved by a later statement)."""
    for sid in d.subgraphs:
        d.nodes.pop(sid, None)
    for sub in d.subgraphs.values():
        members: list[str] = []
        for mid in sub.members:
            node, child = d.nodes.get(mid), d.subgraphs.get(mid)
            if mid not in members and ((node is not None and node.subgraph == sub.id)
                                       or (child is not None and child.parent == sub.id)):
                members.append(mid)
        sub.members = members


def parse_plantuml(text: str, first_line: int = 1) -> MermaidDiagram | None:
    """A PlantUML block drawn with C4-PlantUML's macros (`Container(api, "API", "Go")`, `Rel(api, db, …)`),
    read as the C4 diagram it is: Mermaid's C4 follows C4-PlantUML. Any other block is read by
    kg.plantuml as the component or deployment diagram it may be, a flowchart; None for other kinds."""
    lines = text.split("\n")
    if not any((m := _C4_MACRO.match(line.strip())) and m.group(1).lower() in _C4_MACROS for line in lines):
        from .plantuml import parse_plantuml_flowchart  # (imported here: kg.plantuml imports this module)

        return parse_plantuml_flowchart(text, first_line)
    kept, in_comment = [], False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("/'"):
            in_comment = "'/" not in stripped[2:]
            kept.append("")
        elif in_comment:
            in_comment = "'/" not in stripped
            kept.append("")
        else:
            kept.append("" if _PUML_SKIP.match(stripped) else line)
    # a header line of Mermaid's, one line before the body: every line keeps its number in the document
    diagram = parse_mermaid("C4Container\n" + "\n".join(kept), first_line - 1)
    diagram.line = first_line
    return diagram


def parse_mermaid(text: str, first_line: int = 1) -> MermaidDiagram:
    """Parse a Mermaid block body into a MermaidDiagram; problems go to `errors`, never raised."""
    if not isinstance(text, str):
        return MermaidDiagram(kind="", line=first_line, errors=[f"line {first_line}: not text"])
    parser = _Parser(text, first_line)
    try:
        return parser.run()
    except Exception as exc:  # noqa: BLE001 -- a bug here must not lose the document; keep what was read
        parser.d.errors.append(f"line {first_line}: mermaid parser failed ({type(exc).__name__}: {exc})")
        return parser.d


# ---------------------------------------------------------------- serialiser


def _node_text(node: MermaidNode) -> str:
    brackets = _SHAPE_BRACKETS.get(node.shape)
    if brackets is None:
        return f"{node.id}@{{ shape: {node.shape}, label: {_quote(node.label)} }}"
    return f"{node.id}{brackets[0]}{_quote(node.label)}{brackets[1]}"


def to_mermaid(diagram: MermaidDiagram) -> str:
    """Serialise a flowchart MermaidDiagram back to Mermaid text that parse_mermaid reads back."""
    out = [f"flowchart {diagram.direction}".rstrip()]
    nodes, subgraphs = diagram.nodes, diagram.subgraphs
    done_nodes: set[str] = set()
    done_subgraphs: set[str] = set()

    def emit_node(node: MermaidNode, depth: int) -> None:
        if node.id not in done_nodes and node.id not in subgraphs:
            done_nodes.add(node.id)
            out.append("    " * depth + _node_text(node))

    def emit_subgraph(sub: MermaidSubgraph, depth: int) -> None:
        if sub.id in done_subgraphs:
            return  # also guards against parent cycles
        done_subgraphs.add(sub.id)
        pad = "    " * depth
        if _is_id(sub.id):
            out.append(f"{pad}subgraph {sub.id}[{_quote(sub.label)}]")
        else:
            # the id was derived from the title (and numbered again when read back)
            out.append(f"{pad}subgraph {_quote(sub.label)}")
        children = list(sub.members)
        children += [n.id for n in nodes.values() if n.subgraph == sub.id]
        children += [c.id for c in subgraphs.values() if c.parent == sub.id]
        for cid in children:
            child = subgraphs.get(cid)
            if child is not None and child.parent == sub.id:
                emit_subgraph(child, depth + 1)
            elif cid in nodes and nodes[cid].subgraph == sub.id:
                emit_node(nodes[cid], depth + 1)
        out.append(f"{pad}end")

    def root(sub: MermaidSubgraph) -> MermaidSubgraph:
        seen = {sub.id}
        while sub.parent in subgraphs and sub.parent not in seen:
            sub = subgraphs[sub.parent]
            seen.add(sub.id)
        return sub

    # Walk the nodes in insertion order and emit a node's whole top-level subgraph
    # where its first node comes, so parsing the text back keeps the node order.
    for node in nodes.values():
        if node.subgraph in subgraphs:
            emit_subgraph(root(subgraphs[node.subgraph]), 1)
        else:
            emit_node(node, 1)
    for sub in subgraphs.values():  # subgraphs without nodes, and parent cycles
        emit_subgraph(root(sub), 1)
    for edge in diagram.edges:
        label = f"|{_quote(edge.label)}|" if edge.label else ""
        out.append(f"    {edge.source} {edge.arrow}{label} {edge.target}")
    return "\n".join(out) + "\n"
