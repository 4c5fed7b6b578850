"""Parse stage: Markdown text -> Document, from markdown-it-py's token stream.

Every block token carries `map` (its 0-based source lines); we keep it as
1-based lines on every section, table row, block, code block and link, so any
fact extracted later can point at its evidence.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from .mermaid import parse_mermaid, parse_plantuml
from .model import Block, CodeBlock, Document, Link, MermaidDiagram, Section, Table
from .names import strip_pictographs

# What one document may cost. The rules match patterns line by line; a line is cut here so that no
# pattern ever runs over a megabyte of spaces (hand-written lines are far shorter: 980 characters at
# most in the corpora). Mermaid edges are counted over the whole document, each diagram having its own
# limits in kg.mermaid.
MAX_LINE_CHARS = 5_000
MAX_DIAGRAM_EDGES_PER_DOCUMENT = 20_000

# the diagrams read from fenced blocks, by the block's language: (text, first document line) -> diagram or None
DIAGRAM_READERS = {"mermaid": parse_mermaid, "plantuml": parse_plantuml, "puml": parse_plantuml}
# languages a PlantUML block is also written under, where renderers that find `@startuml` draw it anyway
PLANTUML_UNMARKED = ("", "text", "uml")


def diagram_language(lang: str, content: str) -> str:
    """The language a code block's diagram is read as: its own, or "plantuml" for a block written with no
    language (or "text", "uml") whose first line is `@startuml`."""
    if lang in PLANTUML_UNMARKED:
        first = next((line.strip() for line in content.splitlines() if line.strip()), "")
        if first.lower().startswith("@startuml"):
            return "plantuml"
    return lang


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # commonmark + GFM tables + YAML front matter; linkify off (no bare-URL guessing)
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).use(front_matter_plugin)


def inline_text(tok: Token) -> str:
    """Plain text of an inline token: markup dropped, code spans and link texts kept."""
    parts: list[str] = []
    for child in tok.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "html_inline" and child.content.lower().startswith("<br"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content or "")
    return re.sub(r"\s+", " ", html.unescape("".join(parts))).strip()


def _undecorated(diagram: MermaidDiagram) -> None:
    """A diagram's boxes named without the emoji that lead or end their labels: `GW[🚪 API Gateway]` is the API
    Gateway (the parser keeps the label as written, so a diagram written back out is the one read)."""
    for node in diagram.nodes.values():
        node.label = strip_pictographs(node.label)
    for sub in diagram.subgraphs.values():
        sub.label = strip_pictographs(sub.label)


def _image_only(tok: Token) -> bool:
    """Whether an inline token holds images (linked or not) and nothing else: a badge or a logo."""
    children = tok.children or []
    return any(c.type == "image" for c in children) and all(
        c.type in ("image", "link_open", "link_close", "softbreak", "hardbreak")
        or c.type == "text" and not c.content.strip() for c in children)


def _strong_spans(tok: Token) -> list[str]:
    spans: list[str] = []
    current: list[str] | None = None
    for child in tok.children or []:
        if child.type == "strong_open":
            current = []
        elif child.type == "strong_close" and current is not None:
            text = re.sub(r"\s+", " ", "".join(current)).strip()
            if text:
                spans.append(text)
            current = None
        elif current is not None and child.type in ("text", "code_inline"):
            current.append(child.content)
        elif current is not None and child.type in ("softbreak", "hardbreak"):
            current.append(" ")
    return spans


def _code_spans(tok: Token) -> list[str]:
    return [c.content.strip() for c in tok.children or [] if c.type == "code_inline" and c.content.strip()]


def _links(tok: Token) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    href: str | None = None
    text: list[str] = []
    for child in tok.children or []:
        if child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            text = []
        elif child.type == "link_close" and href is not None:
            found.append(("".join(text).strip(), href))
            href = None
        elif href is not None and child.type in ("text", "code_inline"):
            text.append(child.content)
        elif href is not None and child.type in ("softbreak", "hardbreak"):
            text.append(" ")  # "[verify-infrastructure\nrepository](…)": a link text wrapped at 80 columns
    return [(re.sub(r"\s+", " ", t), h) for t, h in found]


ADR_FOLDER = re.compile(r"/(adrs?|decisions?|architecture[-_ ]decisions?|decision[-_ ]records?|adr[-_ ]log)/",
                        re.IGNORECASE)


def classify(path: str, title: str, front_matter: dict[str, Any], headings: tuple[str, ...] = ()) -> str:
    """Document kind from its path, title, front matter and headings (adr, runbook, index, readme…)."""
    name = path.rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0]
    lower_stem = stem.lower()
    lower_path = path.lower()
    lower_title = title.lower()
    if lower_stem in ("readme", "index", "_index", "summary", "toc", "contents"):
        return "readme" if lower_stem == "readme" else "index"  # an ADR folder's table of contents is no ADR
    if re.match(r"adr[-_ ]?(\d|[a-z])", lower_stem):
        return "adr"  # ADR-026-EVENTS.md, adr_0007.md, ADR-WEBRTC-GATEWAY.md
    numbered = re.match(r"\d{1,5}[-_][a-z0-9]", lower_stem) is not None  # adr-tools, MADR: 0007-use-x.md
    has_status = bool(front_matter.get("status")) or any(h.lower().strip(": ") == "status" for h in headings)
    if ADR_FOLDER.search("/" + lower_path) and (numbered or has_status):
        return "adr"
    if re.match(r"^adr[-_ ]?\d", lower_title) or (numbered and has_status and re.match(r"^\d+\.\s", lower_title)):
        return "adr"
    rules = [
        ("runbook", ("runbook", "playbook", "incident")),
        ("evaluation", ("evaluation", "comparison", "vendor")),
        ("security", ("security", "compliance")),
        ("operations", ("operations", "agreement", "sla")),
        ("architecture", ("architecture", "design", "ownership")),
        ("service", ("service",)),
        ("spec", ("spec", "technical", "stack", "setup", "guide")),
    ]
    haystack = lower_path + " " + lower_title
    for kind, words in rules:
        if any(w in haystack for w in words):
            return kind
    return "doc"


def parse_document(text: str, path: str, repo: str) -> Document:
    """Parse Markdown text into a Document (never raises on odd Markdown)."""
    if path.lower().endswith(".erb"):
        text = _without_template_tags(text)
    cut_warnings: list[str] = []
    if any(len(line) > MAX_LINE_CHARS for line in text.split("\n")):
        text, cut_warnings = _cut_long_lines(text, path)
    lines = text.splitlines()
    doc = Document(path=path, repo=repo, title="", kind="doc", lines=lines)
    doc.warnings.extend(cut_warnings)
    tokens = _markdown().parse(text)
    diagram_edges = 0

    heading_stack: list[Section] = []
    list_depth = 0
    in_item_first_para = False
    table: Table | None = None
    row: list[str] = []
    row_links: list[tuple[str, str]] = []
    row_images: list[bool] = []
    row_line = 0

    def section_path() -> tuple[str, ...]:
        return tuple(s.title for s in heading_stack)

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        t = tok.type
        if t == "front_matter":
            doc.front_matter = _front_matter(tok.content, doc)
        elif t == "heading_open":
            level = int(tok.tag[1])
            inline = tokens[i + 1]
            title = inline_text(inline)
            line = tok.map[0] + 1 if tok.map else 0
            while heading_stack and heading_stack[-1].level >= level:
                heading_stack.pop()
            section = Section(title=title, level=level, line=line, path=(), code=_code_spans(inline))
            heading_stack.append(section)
            section.path = section_path()
            doc.sections.append(section)
            _collect_links(doc, inline, line, section.path)
            i += 3
            continue
        elif t == "table_open":
            table = Table(header=[], rows=[], row_lines=[], line=tok.map[0] + 1 if tok.map else 0, section=section_path())
        elif t == "tr_open":
            row, row_links, row_images = [], [], []
            row_line = tok.map[0] + 1 if tok.map else 0
        elif t == "inline" and table is not None:
            row.append(inline_text(tok))
            row_images.append(_image_only(tok))
            row_links.extend(_links(tok))
            _collect_links(doc, tok, row_line, section_path())
        elif t == "tr_close" and table is not None:
            if not table.header:
                table.header = row
            else:
                header = table.header
                cells = row + [""] * (len(header) - len(row))
                table.image_cells.update((len(table.rows), k) for k, image in enumerate(row_images[:len(header)])
                                         if image)
                table.rows.append({header[k] or f"col{k}": cells[k] for k in range(len(header))})
                table.row_links.append(row_links)
                table.row_lines.append(row_line)
        elif t == "table_close" and table is not None:
            doc.tables.append(table)
            table = None
        elif t in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif t in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif t == "list_item_open":
            in_item_first_para = True
        elif t == "inline":
            line = tok.map[0] + 1 if tok.map else 0
            end = tok.map[1] if tok.map else line
            kind = "item" if list_depth and in_item_first_para else "paragraph"
            in_item_first_para = False
            doc.blocks.append(
                Block(kind=kind, text=inline_text(tok), line=line, end_line=end, section=section_path(),
                      strong=_strong_spans(tok), code=_code_spans(tok), depth=list_depth)
            )
            _collect_links(doc, tok, line, section_path())
        elif t in ("fence", "code_block"):
            lang = (tok.info or "").strip().split(" ")[0].lower()
            line = tok.map[0] + 1 if tok.map else 0
            if line == 1 and not doc.front_matter:
                doc.front_matter = _fenced_head(tok.content, lang)
            code = CodeBlock(lang=lang, text=tok.content, line=line, section=section_path())
            doc.code_blocks.append(code)
            drawn_as = diagram_language(lang, tok.content) if t == "fence" else lang
            reader = DIAGRAM_READERS.get(drawn_as)
            if reader is not None and diagram_edges >= MAX_DIAGRAM_EDGES_PER_DOCUMENT:
                doc.warnings.append(f"{path}:{line}: {drawn_as} block skipped: the document's diagrams already have "
                                    f"{diagram_edges:,} edges (the limit is {MAX_DIAGRAM_EDGES_PER_DOCUMENT:,})")
            elif reader is not None:
                try:
                    diagram = reader(tok.content, line + 1)
                except Exception as exc:  # a broken diagram must never stop the document
                    doc.warnings.append(f"{path}:{line}: {drawn_as} block skipped: {exc}")
                else:
                    if diagram is not None:  # (a PlantUML diagram of a kind kg does not read)
                        _undecorated(diagram)
                        diagram.section = section_path()
                        for err in diagram.errors:
                            # the parser says "line N: …" with N a document line already
                            m = re.match(r"line (\d+): (.*)", err)
                            where, what = (m.group(1), m.group(2)) if m else (str(line), err)
                            doc.warnings.append(f"{path}:{where}: {drawn_as}: {what}")
                        doc.diagrams.append(diagram)
                        diagram_edges += len(diagram.edges)
        i += 1

    doc.title = strip_pictographs(_title(doc))  # "# 🏗️ Data Architecture": the emoji is no part of the title
    doc.kind = classify(path, doc.title, doc.front_matter, tuple(sec.title for sec in doc.sections))
    return doc


TEMPLATE_TAG = re.compile(r"<%.*?%>", re.S)


def _without_template_tags(text: str) -> str:
    """An ERB page's Markdown: each `<%= … %>` / `<% … %>` tag taken out, its line breaks kept, so every line is
    where the file has it ("# <%= current_page.data.title %>" is an empty heading: the front matter's title
    names the page)."""
    return TEMPLATE_TAG.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def _cut_long_lines(text: str, path: str) -> tuple[str, list[str]]:
    """The text with every line cut to MAX_LINE_CHARS, and a warning for each line cut (at most ten)."""
    lines = text.split("\n")
    cut = [n for n, line in enumerate(lines, 1) if len(line) > MAX_LINE_CHARS]
    warnings = [f"{path}:{n}: line is {len(lines[n - 1]):,} characters long; only the first {MAX_LINE_CHARS:,} are read"
                for n in cut[:10]]
    if len(cut) > 10:
        warnings.append(f"{path}:{cut[10]}: … and {len(cut) - 10} more lines over {MAX_LINE_CHARS:,} characters, cut")
    return "\n".join(line[:MAX_LINE_CHARS] for line in lines), warnings


def _collect_links(doc: Document, tok: Token, line: int, section: tuple[str, ...]) -> None:
    for text, href in _links(tok):
        doc.links.append(Link(text=text, href=href, line=line, section=section))


def _front_matter(content: str, doc: Document) -> dict[str, Any]:
    import yaml  # only documents with front matter pay for the import

    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 2}" if mark is not None else ""
        # "title: ADR004: Module Export Structure": docs sites take such lines as written; so does kg
        data = _plain_lines(content)
        doc.warnings.append(f"{doc.path}{where}: front matter is not valid YAML; "
                            + ("its top-level 'key: value' lines were read as written" if data else "ignored"))
        return data
    if not isinstance(data, dict):
        return {}
    if _too_big(data, budget=[5000]):
        # YAML aliases can make a few lines stand for a billion nodes ("billion laughs")
        doc.warnings.append(f"{doc.path}:1: front matter is too large or too deeply aliased, ignored")
        return {}
    return data


FRONT_MATTER_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s+(?P<value>\S.*?)\s*$")


# "Title: Use X", "Status: Approved", "Created on: 2025-04-25" in a plain fence that opens the file: a record's head
# written as a block of labelled lines, read as its front matter
FENCED_HEAD_LINE = re.compile(r"^(?P<key>[A-Za-z][\w()-]*(?: [\w()-]+){0,2})\s*:\s*(?P<value>\S.*?)?\s*$")


def _fenced_head(content: str, lang: str) -> dict[str, Any]:
    """The labelled lines of a fence that opens a document, when each of its lines is one and they give a title or a
    status (keys in lower case); {} otherwise."""
    lines = [x for x in content.splitlines() if x.strip()]
    found = [FENCED_HEAD_LINE.match(x) for x in lines]
    if lang not in ("", "text", "txt", "yaml", "yml") or not lines or len(lines) > 30 or not all(found):
        return {}
    head = {m.group("key").lower(): m.group("value") or "" for m in found if m}
    return head if head.get("title") or head.get("status") else {}


def _plain_lines(content: str) -> dict[str, Any]:
    """The top-level `key: value` lines of front matter YAML cannot read, each value as written (quotes off)."""
    found: dict[str, Any] = {}
    for line in content.splitlines()[:200]:
        m = FRONT_MATTER_LINE.match(line)
        if m and m.group("key") not in found:
            value = m.group("value")
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            found[m.group("key")] = value
    return found


def _too_big(value: Any, budget: list[int], depth: int = 0) -> bool:
    budget[0] -= 1
    if budget[0] < 0 or depth > 20:
        return True
    if isinstance(value, dict):
        return any(_too_big(k, budget, depth + 1) or _too_big(v, budget, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_too_big(v, budget, depth + 1) for v in value)
    return False


# a record template's section heading, which names no document ("# Context and Problem Statement" first in a file)
TEMPLATE_HEADING = re.compile(r"^(?:context(?: and problem statement)?|problem statement|status|decision(?: outcome| drivers)?|"
                              r"consequences|considered options|background)$", re.I)


# what opens a page that starts by saying what it is: a paragraph of a dozen words or more ended as a sentence,
# not badges, a link or a tagline, nor metadata lines ("Status: accepted. Date: …")
PROSE_WORD = re.compile(r"\w+")
METADATA_LINE = re.compile(r"^\s*\w[\w ]{0,25}:\s")


def _opens_with_prose(doc: Document, line: int) -> bool:
    """Whether a paragraph of sentences comes before the line, outside every section."""
    for block in doc.blocks:
        if block.line >= line:
            return False
        text = block.text.strip()
        if block.kind == "paragraph" and not block.section and text[-1:] in ".!?" \
                and len(PROSE_WORD.findall(text)) >= 12 and not METADATA_LINE.match(text):
            return True
    return False


def _title(doc: Document) -> str:
    if isinstance(doc.front_matter.get("title"), str):
        title = doc.front_matter["title"].strip()
        # "title: ADR005 ✅" over "description: Use AWS Secrets Manager for Secrets": the title is only the record's
        # id (and a status mark); what the record is about is its description
        bare = re.fullmatch(r"((?:ADR|AD|ADD|DR|RFC)[-_ ]?\d{1,5})\W*", title, re.I)
        description = doc.front_matter.get("description")
        if bare and isinstance(description, str) and description.strip():
            return f"{bare.group(1)}: {description.strip()}"
        return title
    # a page that opens with sentences has no heading for a title: its first heading comes after what it says
    # (an exported wiki page ending in "# Navigation", one whose first heading is "## Project and community")
    headings = [sec for sec in doc.sections if not _opens_with_prose(doc, sec.line)]
    for section in headings:
        if section.level == 1 and not TEMPLATE_HEADING.match(section.title.strip(" :")):
            return section.title
    if headings and headings[0] is doc.sections[0] and not TEMPLATE_HEADING.match(headings[0].title.strip(" :")):
        return headings[0].title
    stem = doc.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return stem.replace("_", " ").replace("-", " ")
