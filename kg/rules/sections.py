"""Sections: index headings that name repositories, component headings and bold-led component lists."""

from __future__ import annotations

import re

from ..links import parse_github
from ..model import Document, Fact, Mention
from ..names import clean_name, is_abbreviation_of, split_parenthetical
from .state import INVENTORY, Extraction, evidence_at, looks_like_a_name


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
