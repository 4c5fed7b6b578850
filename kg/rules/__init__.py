"""Extract stage: Documents -> Mentions (names of things) and Facts (relations between names).

Rules are named functions in ordered lists, as in markdown-it's core ruler, one
module per source of facts. Extraction runs two passes: the *names* rules read
the places that define things (ADR headers, indexes, tech-stack tables,
ownership and vendor tables); the resolve stage turns those names into
entities and an alias table; the *facts* rules then read diagrams, prose and
tables for relations between names the workspace knows. A new source of facts
is one more `(name, function)` pair in one of the two lists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Document
from . import adr, config, diagrams, lifecycle, manifests, mentions, ownership, prose, sections, tables, vendors
from .state import AdrRecord, Extraction, FactRule, NameRule

if TYPE_CHECKING:
    from ..resolve import Gazetteer

__all__ = ["FACT_RULES", "NAME_RULES", "AdrRecord", "Extraction", "extract_facts", "extract_names"]

NAME_RULES: list[tuple[str, NameRule]] = [
    ("adr_kinds", adr.adr_kinds),
    ("adr_document", adr.adr_document),
    ("adr_references", adr.adr_references),
    ("adr_path_references", adr.adr_path_references),
    ("technology_tables", tables.technology_tables),
    ("component_lists", sections.component_lists),
    ("dependency_tables", tables.dependency_tables),
    ("component_headings", sections.component_headings),
    ("runbook_subjects", sections.runbook_subjects),
    ("service_title_pages", sections.service_title_pages),
    ("decision_tables", lifecycle.decision_tables),
    ("lifecycle_statements", lifecycle.lifecycle_statements),
    ("stated_choices", lifecycle.stated_choices),
    ("deprecated_headings", lifecycle.deprecated_headings),
    ("diagram_nodes", diagrams.diagram_nodes),
    ("abbreviations", mentions.abbreviations),
    ("linked_names", mentions.linked_names),
    ("repository_links", mentions.repository_links),
    ("component_folders", mentions.component_folders),
    ("proper_nouns", mentions.proper_nouns),
    ("joined_names", mentions.joined_names),
    ("outage_subjects", mentions.outage_subjects),
    ("runtime_identifiers", mentions.runtime_identifiers),
    ("listed_with_known", mentions.listed_with_known),
    ("known_technologies", mentions.known_technologies),
    ("introduced_sections", mentions.introduced_sections),
    ("linked_items", mentions.linked_items),
    ("technology_heads", mentions.technology_heads),
    ("role_statements", mentions.role_statements),
    ("named_systems", mentions.named_systems),
    ("former_names", mentions.former_names),
    ("listed_parts", mentions.listed_parts),
    ("described_ids", mentions.described_ids),
    ("code_names", mentions.code_names),
    ("dependency_arguments", mentions.dependency_arguments),
    ("dependency_section_names", sections.dependency_section_names),
    ("compose_snippet_names", config.compose_snippet_names),
    ("addressed_names", config.addressed_names),
    ("repository_headings", sections.repository_headings),
    ("ownership_tables", ownership.ownership_tables),
    ("document_owner", ownership.document_owner),
    ("team_sentences", ownership.team_sentences),
    ("team_headings", ownership.team_headings),
    ("vendor_sources", vendors.vendor_sources),
    ("named_providers", vendors.named_providers),
    ("company_names", vendors.company_names),
    ("product_makers", vendors.product_makers),
    ("manifest_names", manifests.manifest_names),
]

FACT_RULES: list[tuple[str, FactRule]] = [
    ("mermaid_edges", diagrams.mermaid_edges),
    ("arrow_lines", diagrams.arrow_lines),
    ("hosting_subgraphs", diagrams.hosting_subgraphs),
    ("c4_technologies", diagrams.c4_technologies),
    ("hosting_phrases", prose.hosting_phrases),
    ("hosting_lists", prose.hosting_lists),
    ("watched_systems", prose.watched_systems),
    ("own_hosting", prose.own_hosting),
    ("prose_relations", prose.prose_relations),
    ("health_checks", prose.health_checks),
    ("transposed_tables", tables.transposed_tables),
    ("event_tables", tables.event_tables),
    ("module_sources", tables.module_sources),
    ("dependency_sections", sections.dependency_sections),
    ("property_tables", sections.property_tables),
    ("role_items", sections.role_items),
    ("config_snippets", config.config_snippets),
    ("settings_tables", config.settings_tables),
    ("compose_snippets", config.compose_snippets),
    ("configured_stores", config.configured_stores),
    ("vendor_standing", vendors.vendor_standing),
    ("team_operates", ownership.team_operates),
    ("replacements", lifecycle.replacements),
    ("vendor_products", vendors.vendor_products),
    ("mentions", prose.mentions),
    ("links", prose.links),
    ("manifest_relations", manifests.manifest_relations),
]

# rules that read manifests (Chart.yaml, Flux, Backstage, depends lists); the others read Markdown only
MANIFEST_RULES = frozenset({"manifest_names", "manifest_relations"})


def _applies(name: str, doc: Document, template: bool = False) -> bool:
    if template:
        return name == "adr_kinds"  # a record template's examples ("ADR 9: LDAP …") name nothing real
    return (name in MANIFEST_RULES) == (doc.kind == "manifest")


def extract_names(documents: list[Document], rules: list[tuple[str, NameRule]] | None = None) -> Extraction:
    """Run the names pass over every document; a rule that fails on one document is reported, not fatal."""
    out = Extraction()
    for doc in documents:
        template = doc.kind != "manifest" and adr.is_template(doc)
        for name, rule in rules or NAME_RULES:
            if not _applies(name, doc, template):
                continue
            try:
                rule(doc, out)
            except Exception as exc:  # one odd document must not stop the workspace
                doc.warnings.append(f"{doc.path}: rule {name} failed: {exc!r}")
    return out


def extract_facts(documents: list[Document], out: Extraction, gaz: Gazetteer,
                  rules: list[tuple[str, FactRule]] | None = None) -> Extraction:
    """Run the facts pass, with the alias table the names pass produced."""
    for doc in documents:
        template = doc.kind != "manifest" and adr.is_template(doc)
        for name, rule in rules or FACT_RULES:
            if not _applies(name, doc, template):
                continue
            try:
                rule(doc, out, gaz)
            except Exception as exc:
                doc.warnings.append(f"{doc.path}: rule {name} failed: {exc!r}")
    return out
