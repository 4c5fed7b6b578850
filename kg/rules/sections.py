"""Sections: index headings that name repositories, component headings and bold-led component lists."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..links import parse_github
from ..model import Document, Fact, Mention
from ..names import clean_name, is_abbreviation_of, split_parenthetical
from .state import INVENTORY, Extraction, evidence_at, looks_like_a_name

if TYPE_CHECKING:
    from ..resolve import Gazetteer


def repository_headings(doc: Document, out: Extraction) -> None:
    """Index headings 'cnpg - PostgreSQL (CloudNativePG)' whose first word is a linked repository."""
    if doc.kind not in ("index", "readme"):
        return

    linked_repos: dict[tuple[str, ...], set[str]] = {}
    for link in doc.links:
        gh = parse_github(link.href)
        if gh:
            linked_repos.setdefault(link.section, set()).add(gh[1].lower())
    for section in doc.sections:
        m = re.match(r"^`?([\w.\-]+)`?\s+[-–—:]\s+(.+)$", section.title)
        if not m:
            continue
        repo, description = m.group(1), clean_name(m.group(2))
        repos_here = linked_repos.get(section.path, set())
        if repo.lower() not in repos_here:
            continue
        ev = evidence_at(doc, section.line, "index")
        out.mentions.append(Mention(repo, "Repository", ev, props={"description": description}, strength=2))
        # the repository is named after the technology it holds: that technology is a component,
        # filed under the index's heading above it ("Data Layer", "Observability Stack")
        props = {"purpose": description}
        if len(section.path) >= 2 and not re.search(r"repositor|index|contents", section.path[-2], re.I):
            props["layer"] = clean_name(section.path[-2])
        comp = Mention(repo, "Component", ev, props=props, strength=2)
        _, paren = split_parenthetical(description)
        if paren:
            comp.aliases.append(paren)
        out.mentions.append(comp)
        out.facts.append(Fact(repo, "describes", repo, ev, subject_type="Repository"))


COMPONENT_PARENT = re.compile(r"\b(components?|technolog(?:y|ies)|stack|tools|tooling|operators|"
                              r"dependencies|building blocks)\b", re.I)


def component_headings(doc: Document, out: Extraction) -> None:
    """'### Redpanda (Event Streaming)' under a '## Components' or '## Database Operators' heading."""
    if doc.kind in ("adr", "runbook", "index"):
        return
    for section in doc.sections:
        if section.level < 3 or len(section.path) < 2 or not COMPONENT_PARENT.search(section.path[-2]):
            continue
        name, paren = split_parenthetical(clean_name(re.sub(r"^\d+(\.\d+)*\.?\s+", "", section.title)))
        if not looks_like_a_name(name) or re.search(r"\?|^(why|how|what|when|overview|summary|installation|"
                                                    r"configuration|setup|components?)\b", name, re.I):
            continue
        props = {}
        aliases = []
        if paren:
            if is_abbreviation_of(paren, name) or is_abbreviation_of(name, paren):
                aliases.append(paren)
            else:
                props["category"] = paren
        out.mentions.append(Mention(name, "Component", evidence_at(doc, section.line, "heading"), props=props,
                                    aliases=aliases))


def component_lists(doc: Document, out: Extraction) -> None:
    """'- **Redpanda** – event streaming' in a components or stack section: a bold (or code) name leads the item."""
    if doc.kind in ("adr", "runbook", "index"):
        return
    for block in doc.blocks:
        if block.kind != "item" or not INVENTORY.search(" ".join(block.section[-2:])):
            continue
        m = re.match(r"^(?P<name>[^:–—(]{2,40}?)\s*(?:\((?P<paren>[^)]+)\))?\s*(?:[:–—]|\s-\s)\s*(?P<rest>.*)$", block.text)
        raw = doc.line_text(block.line)
        if not m or not re.match(r"^[-*+\d.)\s]*(\*\*|__|`)", raw):
            continue  # only a name set apart in bold or code makes the item a definition
        name = clean_name(m.group("name"))
        if not looks_like_a_name(name):
            continue
        aliases = [m.group("paren")] if m.group("paren") else []
        props = {"purpose": clean_name(m.group("rest"))[:120]} if m.group("rest") else {}
        out.mentions.append(Mention(name, "Component", evidence_at(doc, block.line, "prose"), props=props,
                                    aliases=aliases))


# sections of a component's own document that list what it needs
DEPENDENCY_SECTION = re.compile(r"^(?:(?:runtime|service|external|upstream|system|platform|infrastructure)\s+)?"
                                r"(?:dependencies|dependency|depends on|requires|requirements?\s+on|prerequisites|"
                                r"integrations|backing services|external services|uses|relies on|needs)$", re.I)


def _dependency_items(doc: Document) -> list[tuple[str, int]]:
    """(leading name, line) of each list item and first table cell under a dependencies section."""
    from .phrases import names_in

    found: list[tuple[str, int]] = []
    for block in doc.blocks:
        if block.kind != "item" or block.depth > 1 or not block.section \
                or not DEPENDENCY_SECTION.match(clean_name(block.section[-1])):
            continue
        lead = re.split(r"\s*[:–—]\s|\s-\s|\s\(", block.text, maxsplit=1)[0].strip()
        names = names_in(lead, frozenset(block.code))
        if names and names[0].start == 0:
            found.append((names[0].text, block.line))
    for table in doc.tables:
        if not table.section or not DEPENDENCY_SECTION.match(clean_name(table.section[-1])) or not table.header:
            continue
        first = table.header[0]
        for row, line in zip(table.rows, table.row_lines):
            cell = clean_name(split_parenthetical(row.get(first, ""))[0])
            names = names_in(cell)
            if names and names[0].start == 0:
                found.append((names[0].text, line))
    return found


def dependency_section_names(doc: Document, out: Extraction) -> None:
    """What a '## Dependencies' (Requires, Prerequisites, Integrations) section lists is a component."""
    for name, line in _dependency_items(doc):
        out.mentions.append(Mention(name, "Component", evidence_at(doc, line, "prose")))


def document_component(doc: Document, gaz: Gazetteer) -> str | None:
    """The component a document is about: the one whose folder it is the README of, or the one its title names."""
    import posixpath

    if posixpath.basename(doc.path).lower() in ("readme.md", "index.md", "readme.markdown"):
        found = gaz.in_folder(posixpath.dirname(doc.path))
        if found:
            return found
    if doc.kind == "adr":
        return None
    hits = [h for h in gaz.scan(doc.title) if gaz.type_of(h[2]) == "Component"]
    if len({h[2] for h in hits}) == 1 and hits[0][0] <= 2:
        return hits[0][2]
    return None


def dependency_sections(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """A component's own document lists what it depends on: '## Dependencies', '## Requires', '## Prerequisites'."""
    items = _dependency_items(doc)
    if not items:
        return
    subject = document_component(doc, gaz)
    if subject is None:
        return
    for name, line in items:
        obj = gaz.lookup(name, "Component") or gaz.lookup(name, "Vendor")
        if obj and obj != subject:
            out.facts.append(Fact(subject, "dependsOn", obj, evidence_at(doc, line, "prose"),
                                  subject_type="key", object_type="key"))
