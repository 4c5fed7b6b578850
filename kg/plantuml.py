"""PlantUML component and deployment diagrams, read as the flowcharts they draw.

A ```plantuml block not drawn with C4-PlantUML's macros (kg.mermaid.parse_plantuml reads those) is most often a
component or deployment diagram: boxes declared with a keyword (`component API`, `database "Orders DB" as db`,
`[Web App] as web`) or with an icon library's macro (`RDS(db, "Orders DB", "")`), boxes with a body drawn around
other boxes (`node "EKS" { … }`), and arrows between them (`web --> db : reads`). Those are a flowchart's nodes,
subgraphs and edges, so they are read into the same MermaidDiagram, kind "flowchart", for the flowchart rules.

PlantUML chooses a diagram's kind from its statements, and so does this reader: `a -> b` between names that
nothing declares is a sequence diagram to PlantUML, `class X {` a class diagram, `:step;` an activity. A block
holding a statement only another kind has (`participant`, `activate`, `class`, `:step;`, `[*]`), or nothing
that only a component or deployment diagram has (a box keyword a sequence diagram lacks, a `[bracketed]` name,
a box with a body, an icon macro, an arrow with a direction, of dots or without a head), gives None.

Like the Mermaid parser this one never raises on bad input: a statement it cannot read is described in
`errors` ("line 12: cannot parse …") and every other statement still counts. Lines are document lines:
`first_line` is the document line of the block's first line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# a macro's arguments are read as C4's are; a statement that cannot be read fails as a Mermaid one does
from .mermaid import MAX_EDGES_PER_DIAGRAM, MAX_NODES_PER_DIAGRAM, _Fail, _snip, clean_label, tidy_subgraphs
from .mermaid import _c4_args as _macro_args
from .model import MermaidDiagram, MermaidEdge, MermaidNode, MermaidSubgraph

__all__ = ["parse_plantuml_flowchart"]

# ---------------------------------------------------------------- elements

# The keywords PlantUML declares a box with, and the shape each is drawn as, in the Mermaid parser's names so
# the rules read them alike: a drum is a "cylinder" (a store), a person an "actor", an interface's lollipop a
# "circle", a use case's ellipse "round"; every other box is a "rect".
_SHAPES = {"database": "cylinder", "queue": "queue", "actor": "actor", "actor/": "actor", "person": "actor",
           "interface": "circle", "usecase": "round", "usecase/": "round"}
_KEYWORDS = frozenset(_SHAPES) | frozenset("""action agent artifact boundary card circle cloud collections component
control entity file folder frame hexagon label node package port portin portout process rectangle stack
storage""".split())
# the keywords a sequence diagram declares its participants with as well: boxes declared only with these, and
# plain arrows between them, make a sequence diagram to PlantUML
_SEQUENCE_KEYWORDS = frozenset("actor boundary control entity database collections queue".split())
_FORM_SHAPES = {"interface": "circle", "actor": "actor", "usecase": "round"}
_KEYWORD = re.compile(r"(actor/|usecase/|[A-Za-z]+)(?=\s|\{|$)")

# `Name(alias, "Label", …)`: a box from an icon library (AWS, Azure, GCP, Kubernetes) or any other macro
_MACRO = re.compile(r"([A-Za-z_]\w*)\s*(?=\()")
# macros that only lay the drawing out or style it (C4-PlantUML's and the icon libraries' own)
_LAYOUT_MACRO = re.compile(r"(?:lay_|layout_|show_|hide_|update|add\w*tag|skinparam)", re.I)
# `Rel(a, b, "label")`, `Rel_Serving(a, b)` (Archimate): an arrow, not a box; `BiRel` points both ways
_RELATION_MACRO = re.compile(r"(bi)?rel(?:_|$)", re.I)

# ---------------------------------------------------------------- arrows

# An arrow: an optional head at each end around a body of '-' or '.', in which a style (`[hidden]`, `[#red]`)
# and a direction (`-down->`, `.u.>`, `--d-->`) may stand. `<` / `<|` point left, `>` / `|>` right; PlantUML's
# other ends (`o`, `*`, `#`, `+`) mark the line's kind, not which way it runs.
_ARROW = re.compile(
    r"(?P<left><\|?|[*o#+x](?=[-.]))?"
    r"(?P<body>[-.]+)"
    r"(?:\[(?P<style>[^\]]*)\])?"
    r"(?P<dir>(?:up|down|left|right|do|le|ri|u|d|l|r)(?=[-.\[]))?"
    r"(?:\[(?P<style2>[^\]]*)\])?"
    r"(?P<tail>[-.]*)"
    r"(?P<right>\|?>>?|[*o#+x](?!\w))?"
)
_BARE = re.compile(r"\w+(?:\.\w+)*")

# ---------------------------------------------------------------- lines that draw nothing

# One-line statements: preprocessor, styling, layout, titles and captions
_SKIP = re.compile(r"(?:@(?:start|end)\w*|!|<style>|skinparam\b|skin\b|hide\b|show\b|remove\b|restore\b|"
                   r"scale\b|caption\b|title\b|header\b|footer\b|mainframe\b|allow_?mixing\b|sprite\b|"
                   r"set\s+\w*separator\b|url\s+(?:of|for)\b|newpage\b)", re.I)
_DIRECTION = re.compile(r"(left\s+to\s+right|top\s+to\s+bottom)\s+direction$", re.I)
# Blocks over several lines, by their first line -> the pattern of their last
_BLOCKS: list[tuple[re.Pattern[str], re.Pattern[str]]] = [
    (re.compile(r"(?:skinparam|sprite)\b.*\{$", re.I), re.compile(r"\}")),
    (re.compile(r"<style>(?!.*</style>)", re.I), re.compile(r".*</style>", re.I)),
    (re.compile(r"!(?:unquoted\s+)?(?:procedure|function|definelong)\b", re.I),
     re.compile(r"!end(?:procedure|function|definelong)\b", re.I)),
    (re.compile(r"title$", re.I), re.compile(r"end\s*title\b", re.I)),
    (re.compile(r"(?:header|footer)$", re.I), re.compile(r"end\s*(?:header|footer)\b", re.I)),
    (re.compile(r"legend\b", re.I), re.compile(r"end\s*legend\b", re.I)),
]
# `note left of x : text` and `note "text" as N` are one line; `note right of x` … `end note` a block
_NOTE = re.compile(r"(?:floating\s+)?note\b(?P<rest>.*)$", re.I)
_NOTE_END = re.compile(r"end\s*note\b", re.I)
_NOTE_ALIAS = re.compile(r"\bas\s+(\w+)\s*$", re.I)

# ---------------------------------------------------------------- other kinds of diagram

# Statements only another kind of PlantUML diagram has: sequence (participants, activations, fragments,
# dividers), class and object, activity (old and new), state, timing and Gantt. A component or deployment
# diagram never holds one, so a block that does is left alone.
_OTHER_KIND_WORD = re.compile(
    r"(?:participant|activate|deactivate|autonumber|return|alt|else|loop|opt|par|break|critical|group|"
    r"ref\s+over|note\s+over|[hr]note|box|end|create|destroy|delay|"
    r"class|abstract|enum|annotation|struct|exception|protocol|object|map|json|"
    r"start|stop|endif|endwhile|repeat|fork|split|partition|detach|kill|endswitch|"
    r"state|robust|concise|clock|binary|project\s+starts)(?:\s|$)"
    r"|(?:if|while|switch|case|elseif)\s*\("
    r"|(?:entity|interface)\b.*\{$"
    r"|==.*==$|\.\.\.+$|\|\|\|$|\|[^|]+\|$"
    r"|:[^:]*[;|<>/\]}]$", re.I)
_OTHER_KIND_SYMBOL = re.compile(r"\[\*\]|\(\*\)|\]\s+(?:lasts|starts|ends|happens|requires|displays)\b", re.I)


@dataclass
class _Ref:
    """A box named in a statement: its id, its label (None: named by its id only) and the shape its form draws."""

    id: str
    label: str | None = None
    shape: str | None = None
    form: str = "bare"  # bare, quoted, bracket ([Web App]), interface (() X), actor (:User:), usecase ((Login))


@dataclass
class _Box:
    """A declaration: `database "Orders DB" as db #pink`, `[Web App] as web`, `node "EKS" {`."""

    keyword: str  # "" for `[x]`, `() x`, `:x:`, `(x)`
    ref: _Ref
    body: str = ""  # "{": its body follows; "{}": it has an empty one; "": it has none
    description: bool = False  # a `[` long description opens and runs over the next lines


def _text(raw: str) -> str:
    """Plain text of a PlantUML label: `\\n` breaks, sprites (`<$EC2>`, `$LambdaIMG()`), icons and
    stereotype brackets dropped, then what Mermaid labels share (HTML tags, entities, bold)."""
    s = re.sub(r"\\[ntlr]", " ", raw)
    s = re.sub(r"<\$[^>]*>|<&[\w-]+>|<img:[^>]*>|\$\w+\(\)", " ", s)
    s = re.sub(r"<<([^<>]*)>>", r"\1", s)
    return clean_label(s)


def _skip_ws(s: str, pos: int) -> int:
    while pos < len(s) and s[pos].isspace():
        pos += 1
    return pos


def _scan_name(s: str, pos: int) -> tuple[_Ref, int] | None:
    """The box named at s[pos], in any of PlantUML's forms, and where its name ends; None when none starts here."""
    if pos >= len(s):
        return None
    closer = {'"': ('"', "quoted"), "[": ("]", "bracket"), ":": (":", "actor")}.get(s[pos])
    if s.startswith("()", pos):
        inner = _scan_name(s, _skip_ws(s, pos + 2))
        if inner is None or inner[0].form not in ("bare", "quoted"):
            return None
        return _Ref(inner[0].id, inner[0].label or inner[0].id, "circle", "interface"), inner[1]
    if s[pos] == "(":
        closer = (")", "usecase")
    if closer is not None:
        end = s.find(closer[0], pos + 1)
        raw = s[pos + 1:end].strip() if end != -1 else ""
        if not raw:
            return None
        return _Ref(raw, _text(raw) or raw, _FORM_SHAPES.get(closer[1]), closer[1]), end + 1
    if m := _BARE.match(s, pos):
        return _Ref(m.group()), m.end()
    return None


def _scan_multiplicity(s: str, pos: int) -> int:
    """Past a quoted multiplicity beside an arrow (`a "1" --> "*" b`), if one stands at s[pos]."""
    if pos < len(s) and s[pos] == '"':
        end = s.find('"', pos + 1)
        if end != -1:
            return _skip_ws(s, end + 1)
    return pos


@dataclass
class _Relation:
    left: _Ref
    right: _Ref
    arrow: re.Match[str]
    label: str


def _relation(s: str) -> _Relation | None:
    """A relation `left ARROW right [: label]`; None when s is no relation (no arrow after its first name).
    Raises _Fail when an arrow stands there but the rest cannot be read."""
    first = _scan_name(s, 0)
    if first is None:
        return None
    left, pos = first
    pos = _skip_ws(s, pos)
    if left.form != "quoted":
        pos = _scan_multiplicity(s, pos)
    arrow = _ARROW.match(s, pos)
    if arrow is None:
        return None
    pos = _skip_ws(s, arrow.end())
    after = _scan_multiplicity(s, pos)
    if after != pos and after < len(s) and s[after] != ":":
        pos = after  # `--> "many" b`: the quote was a multiplicity, b the box
    second = _scan_name(s, pos)
    if second is None:
        raise _Fail("expected a box after the arrow")
    right, pos = second
    pos = _skip_ws(s, pos)
    label = ""
    if pos < len(s):
        if s[pos] != ":":
            raise _Fail(f"unexpected {_snip(s[pos:], 20)!r}")
        label = _text(s[pos + 1:])
    return _Relation(left, right, arrow, label)


def _edge_ends(rel: _Relation) -> tuple[str, str, str]:
    """(source, target, arrow) of a relation, the arrow in Mermaid's spelling, which the rules read: `-->`
    (`-.->` dotted), `<-->` for two heads, `---` (`-.-`) for none, `~~~` for a hidden line; an arrow pointing
    left runs from its right end."""
    m = rel.arrow
    style = f"{m['style'] or ''},{m['style2'] or ''}".lower()
    if "hidden" in style:
        return rel.left.id, rel.right.id, "~~~"
    dotted = "." in m["body"] + m["tail"] or "dashed" in style or "dotted" in style
    line = "-.-" if dotted else "--"
    into_left, into_right = m["left"] in ("<", "<|"), m["right"] in (">", "|>", ">>")
    if into_left and into_right:
        return rel.left.id, rel.right.id, f"<{line}>"
    if into_left or into_right:
        source, target = (rel.right.id, rel.left.id) if into_left else (rel.left.id, rel.right.id)
        return source, target, f"{line}>"
    return rel.left.id, rel.right.id, "-.-" if dotted else "---"


def _only_component_arrow(m: re.Match[str]) -> bool:
    """An arrow a sequence diagram cannot draw: with a direction, a style, of dots, or with no head."""
    headless = not {"<", ">"} & set((m["left"] or "") + (m["right"] or ""))
    return bool(m["dir"] or m["style"] or m["style2"] or "." in m["body"] + m["tail"] or headless)


def _declaration(s: str) -> _Box:
    """A box's declaration: a keyword and a name (`node "EKS cluster" as eks {`), or a name in a form of its own
    (`[Web App] as web`, `() "HTTP" as http`, `:User:`, `(Login)`). Raises _Fail."""
    keyword, pos = "", 0
    if (m := _KEYWORD.match(s)) and m.group(1).lower() in _KEYWORDS:
        keyword, pos = m.group(1).lower(), _skip_ws(s, m.end())
    found = _scan_name(s, pos)
    if found is None:
        if keyword and (body := _body(s[pos:])):
            return _Box(keyword, _Ref(""), body=body)  # `cloud {`: a box with no name
        raise _Fail("expected a box's name")
    ref, pos = found
    if not keyword and ref.form in ("bare", "quoted"):
        raise _Fail("expected a box or an arrow")
    box = _Box(keyword, ref)
    while (pos := _skip_ws(s, pos)) < len(s):
        if s.startswith("<<", pos):  # a stereotype
            end = s.find(">>", pos + 2)
            if end == -1:
                raise _Fail("unclosed '<<'")
            pos = end + 2
        elif s[pos] in "#$":  # a colour (`#pink`, `#line.dashed;text:red`) or a tag (`$internal`)
            while pos < len(s) and not s[pos].isspace() and s[pos] != "{":
                pos += 1
        elif re.match(r"as\s", s[pos:pos + 3], re.I):
            alias = _scan_name(s, _skip_ws(s, pos + 2))
            if alias is None:
                raise _Fail("expected a name after 'as'")
            other, pos = alias
            if ref.form == "bare" and other.form in ("quoted", "bracket"):
                box.ref = _Ref(ref.id, other.label, ref.shape, other.form)  # `database db as "Orders DB"`
            else:
                box.ref = _Ref(other.id, ref.label or ref.id, ref.shape, ref.form)
        elif s[pos] == "[":  # a long description, on this line or over the next ones
            end = s.find("]", pos + 1)
            if end == -1:
                box.description = True
                return box
            pos = end + 1
        elif s[pos] == "{":
            box.body = _body(s[pos:]) or ""
            if not box.body:
                raise _Fail(f"unexpected {_snip(s[pos + 1:].strip(), 20)!r} after '{{'")
            return box
        else:
            raise _Fail(f"unexpected {_snip(s[pos:], 20)!r}")
    return box


def _body(rest: str) -> str | None:
    """What a box's declaration ends with: "{" (its body follows), "{}" (an empty one), "" (nothing); None
    for anything else."""
    rest = re.sub(r"\s+", "", rest)
    return rest if rest in ("", "{", "{}") else None


def _macro_words(name: str) -> str:
    """A group macro's name as words, for a box drawn without a label: `AWSCloudGroup` -> "AWS Cloud"."""
    base = re.sub(r"_?group$", "", name, flags=re.I) or name
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|_", " ", base).strip()


def _uncomment(lines: list[str]) -> list[str]:
    """The lines with `'` comments and `/' … '/` block comments blanked, each line keeping its place."""
    kept: list[str] = []
    in_block = False
    for line in lines:
        text, out = line, ""
        while text:
            if in_block:
                end = text.find("'/")
                if end == -1:
                    break
                text, in_block = text[end + 2:], False
            elif not out.strip() and text.lstrip().startswith("'"):
                break  # a line comment, whatever it holds ("' see /' below")
            else:
                start = text.find("/'")
                if start == -1:
                    out += text
                    break
                out, text, in_block = out + text[:start], text[start + 2:], True
        kept.append(out)
    return kept


class _Reader:
    def __init__(self, text: str, first_line: int) -> None:
        self.lines = _uncomment([ln.rstrip("\r") for ln in text.split("\n")])
        self.first = first_line
        self.d = MermaidDiagram(kind="flowchart", line=first_line)
        self.stack: list[str] = []  # open boxes, innermost last
        self.declared: set[str] = set()  # boxes declared, not only named in a relation
        self.notes: set[str] = set()  # `note "…" as N`: a note, which a relation may point at
        self.anonymous = 0
        self.drawn = False  # a statement only a component or deployment diagram has
        self.other = False  # a statement only another kind of diagram has
        self.full = False  # a limit was reached: the rest is skipped

    def error(self, index: int, message: str) -> None:
        self.d.errors.append(f"line {self.first + index}: {message}")

    def has_room(self, index: int, nodes: int, edges: int) -> bool:
        """False (said once, as an error) when more would pass the Mermaid parser's limits for one diagram."""
        if not self.full and (len(self.d.nodes) + nodes > MAX_NODES_PER_DIAGRAM
                              or len(self.d.edges) + edges > MAX_EDGES_PER_DIAGRAM):
            self.full = True
            self.error(index, "diagram has more boxes or arrows than the limit; the rest of it is skipped")
        return not self.full

    def run(self) -> MermaidDiagram | None:
        i, n = 0, len(self.lines)
        started = False
        while i < n and not self.full and not self.other:
            s = self.lines[i].strip()
            if not s:
                i += 1
                continue
            if not started:
                started, self.d.line = True, self.first + i
                kind = re.match(r"@start(\w+)", s, re.I)
                if kind and kind.group(1).lower() != "uml":
                    return None  # @startmindmap, @startgantt, @startjson …
            after = self.skip_block(i, s)
            if after is not None:
                i = after
                continue
            try:
                i = self.statement(s, i)
            except Exception as exc:  # noqa: BLE001 -- one statement must never take the diagram down
                self.error(i, f"cannot parse {_snip(s)!r} ({type(exc).__name__})")
                i += 1
        if self.other or not self.drawn:
            return None
        for sid in reversed(self.stack if not self.full else []):
            self.error(self.d.subgraphs[sid].line - self.first, f"box '{sid}' has no '}}'")
        self.finish()
        return self.d if self.d.nodes or self.d.edges else None

    def skip_block(self, i: int, s: str) -> int | None:
        """Where to read on after line i when it holds nothing drawn (a setting, a title, a note, a legend, a
        procedure's body); None when it may."""
        if _DIRECTION.match(s):
            self.d.direction = "LR" if s.lower().startswith("left") else "TB"
            self.drawn = True  # (a sequence diagram has no direction)
            return i + 1
        if (note := _NOTE.match(s)) and not re.match(r"\s+over\b", note.group("rest"), re.I):
            rest = note.group("rest")
            if alias := _NOTE_ALIAS.search(rest):
                self.notes.add(alias.group(1))
            if ":" in rest or rest.strip().startswith('"'):
                return i + 1
            return self.block_end(i, _NOTE_END)
        for start, end in _BLOCKS:
            if start.match(s):
                return self.block_end(i, end)
        return i + 1 if _SKIP.match(s) else None

    def block_end(self, i: int, end: re.Pattern[str]) -> int:
        """The index after the line that closes the block opened on line i."""
        for j in range(i + 1, len(self.lines)):
            if end.match(self.lines[j].strip()):
                return j + 1
        self.error(i, f"{_snip(self.lines[i].strip(), 30)!r} is not closed")
        return len(self.lines)

    def statement(self, s: str, i: int) -> int:
        """Read the statement on line i; the index of the next line to read."""
        if not s.strip("} "):
            for _ in range(s.count("}")):
                if self.stack:
                    self.stack.pop()
                else:
                    self.error(i, "'}' without an open box")
            return i + 1
        if _OTHER_KIND_SYMBOL.search(s):
            self.other = True
            return i + 1
        try:
            rel = _relation(s)
        except _Fail as exc:
            self.error(i, f"cannot parse {_snip(s)!r} ({exc})")
            return i + 1
        if rel is not None:
            self.relation(rel, i)
            return i + 1
        if _OTHER_KIND_WORD.match(s):
            self.other = True
            return i + 1
        try:
            if (m := _MACRO.match(s)) and m.group(1).lower() not in _KEYWORDS:  # (not `usecase (Login)`)
                self.macro(s, m, i)
                return i + 1
            box = _declaration(s)
        except _Fail as exc:
            self.error(i, f"cannot parse {_snip(s)!r} ({exc})")
            return i + 1
        self.box(box, i)
        if box.description:  # the long description runs to the line that ends in ']'
            j = i + 1
            while j < len(self.lines) and not self.lines[j].rstrip().endswith("]"):
                j += 1
            return j + 1
        return i + 1

    # -- what a statement adds

    def group(self) -> str | None:
        return self.stack[-1] if self.stack else None

    def node(self, ref: _Ref, index: int, declared: bool) -> None:
        """Create or update the node a box names; a box with a body is a subgraph, never a node too. A box
        belongs to the box its declaration stands in (or, undeclared, the one it is first named in)."""
        if ref.id in self.d.subgraphs or ref.id in self.notes:
            return
        line, group = self.first + index, self.group()
        node = self.d.nodes.get(ref.id)
        if node is None:
            if not self.has_room(index, 1, 0):
                return
            node = self.d.nodes[ref.id] = MermaidNode(ref.id, ref.label or ref.id, ref.shape or "rect", line, group)
            if group is not None:
                self.d.subgraphs[group].members.append(ref.id)
        elif declared and ref.id not in self.declared:
            # named in a relation first, declared after: the declaration is the better evidence, and places it
            node.line, node.label, node.shape = line, ref.label or node.label, ref.shape or node.shape
            if node.subgraph != group:
                if node.subgraph is not None and ref.id in self.d.subgraphs[node.subgraph].members:
                    self.d.subgraphs[node.subgraph].members.remove(ref.id)
                node.subgraph = group
                if group is not None:
                    self.d.subgraphs[group].members.append(ref.id)
        if declared:
            self.declared.add(ref.id)

    def open_box(self, ident: str, label: str, index: int, empty: bool = False) -> None:
        """Open a box with a body (and close it again when the body is `{}`): a subgraph, inside the box open
        around it."""
        if not ident:
            self.anonymous += 1
            ident = f"box{self.anonymous}"
        if ident in self.stack:
            self.error(index, f"box '{ident}' is nested in itself")
            self.stack.append(ident)  # its `}` still has to match
            return
        parent = self.group()
        sub = self.d.subgraphs.get(ident)
        if sub is None:
            self.d.subgraphs[ident] = MermaidSubgraph(ident, label, self.first + index, parent)
            if parent is not None:
                self.d.subgraphs[parent].members.append(ident)
        elif label:
            sub.label = label
        if not empty:
            self.stack.append(ident)

    def box(self, box: _Box, index: int) -> None:
        if box.keyword not in _SEQUENCE_KEYWORDS or box.ref.form not in ("bare", "quoted") or box.body:
            self.drawn = True
        shape = _SHAPES.get(box.keyword, box.ref.shape)
        if box.body:
            self.open_box(box.ref.id, box.ref.label or box.ref.id, index, empty=box.body == "{}")
        elif box.ref.id:
            self.node(_Ref(box.ref.id, box.ref.label, shape, box.ref.form), index, declared=True)

    def relation(self, rel: _Relation, index: int) -> None:
        # (a sequence diagram's messages run between bare or quoted names too)
        if {rel.left.form, rel.right.form} - {"bare", "quoted"} or _only_component_arrow(rel.arrow):
            self.drawn = True
        self.connect(rel.left, rel.right, _edge_ends(rel), rel.label, index)

    def connect(self, left: _Ref, right: _Ref, ends: tuple[str, str, str], label: str, index: int) -> None:
        """An edge (source, target, arrow) between two boxes, each a node from here on if it is none yet."""
        if left.id in self.notes or right.id in self.notes:
            return  # a note's dotted line to what it describes
        if not self.has_room(index, 0, 1):
            return
        self.node(left, index, declared=False)
        self.node(right, index, declared=False)
        source, target, arrow = ends
        self.d.edges.append(MermaidEdge(source, target, label, arrow, self.first + index))

    def macro(self, s: str, m: re.Match[str], index: int) -> None:
        """`EC2Instance(web, "Web", "t3.large")`: a box an icon library draws, labelled by its second argument;
        with a body (`VPCGroup(vpc) {`) a subgraph. `Rel…(a, b, "label")` is an arrow."""
        name = m.group(1)
        raw, end = _macro_args(s, m.end())
        rest = s[end:].strip()
        rest = re.sub(r"<<[^<>]*>>|[#$][^\s{]*", "", rest)  # a colour or a stereotype after the ')'
        body = _body(rest)
        if body is None:
            raise _Fail(f"unexpected {_snip(rest.strip(), 20)!r} after ')'")
        if _LAYOUT_MACRO.match(name):
            return
        args = [a.strip() for a in raw if not a.strip().startswith("$")]  # named arguments style it
        alias = args[0].strip('"').strip() if args else ""
        if not alias:
            return  # `SHOW_LEGEND()`: a procedure that draws no box
        label = _text(args[1]) if len(args) > 1 else ""
        self.drawn = True
        if (rm := _RELATION_MACRO.match(name)) and len(args) >= 2:
            target = args[1].strip('"').strip()
            ends = (alias, target, "<-->" if rm.group(1) else "-->")
            self.connect(_Ref(alias), _Ref(target), ends, _text(args[2]) if len(args) > 2 else "", index)
        elif body:
            self.open_box(alias, label or _macro_words(name), index, empty=body == "{}")
        else:
            self.node(_Ref(alias, label or alias, "rect"), index, declared=True)

    def finish(self) -> None:
        """Drop nodes that turned out to be boxes with a body; tidy member lists (as the Mermaid parser does)."""
        tidy_subgraphs(self.d)


def parse_plantuml_flowchart(text: str, first_line: int) -> MermaidDiagram | None:
    """A PlantUML component or deployment diagram as a flowchart MermaidDiagram: boxes are nodes, boxes with a
    body subgraphs, arrows edges. None for any other kind of PlantUML diagram, or one that draws nothing."""
    if not isinstance(text, str):
        return None
    return _Reader(text, first_line).run()
