"""Vendors: provider columns and company profiles, a vendor's standing, and the products it provides."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..model import Document, Evidence, Fact, Mention
from ..names import clean_name, split_parenthetical, strip_legal_suffix
from .state import SENTENCE, VENDOR_COLUMNS, Extraction, column, evidence_at, sentence_line

if TYPE_CHECKING:
    from ..resolve import CuratedAliases, Gazetteer


def vendor_sources(doc: Document, out: Extraction) -> None:
    """Vendors: provider columns of comparison tables and company profiles in vendor evaluations."""
    for table in doc.tables:
        vendor_col = column(table.header, VENDOR_COLUMNS)
        if not vendor_col:
            continue
        for row, line in zip(table.rows, table.row_lines):
            cell = clean_name(row.get(vendor_col, "")).split("/")[0]
            name = strip_legal_suffix(split_parenthetical(cell)[0])
            if name and len(name) <= 40 and not re.search(r"\d", name):
                out.mentions.append(Mention(name, "Vendor", evidence_at(doc, line, "table"), strength=2))
    vendor_doc = doc.kind == "evaluation" or re.search(r"vendor|provider", doc.title, re.I)
    if not vendor_doc:
        return
    for section in doc.sections:
        parents = " ".join(section.path[:-1]).lower()
        if section.level >= 3 and re.search(r"vendor|provider|profiles?", parents):
            m = re.match(r"^(.+?)\s+(?:GmbH|AG|Inc\.?|Ltd\.?|LLC|SAS|S\.A\.|plc|Corp\.?)\b(.*)$", section.title)
            if not m:
                continue  # only company-profile headings carry a legal form; others are topics
            name = strip_legal_suffix(clean_name(m.group(1)))
            ev = evidence_at(doc, section.line, "heading")
            words = name.split()
            aliases = [words[0]] if len(words) > 1 else []
            out.mentions.append(Mention(name, "Vendor", ev, aliases=aliases, strength=2))


# "legacy cloud providers (e.g. UKCloud and Carrenza)", "hosting providers such as Hetzner, OVH and Contabo"
PROVIDERS_SUCH_AS = re.compile(r"\b(?:(?:cloud|hosting|legacy|managed|third[- ]party|infrastructure|saas|iaas|paas)\s+)*"
                               r"(?:providers?|vendors?|suppliers?)\s*(?:\(\s*(?:e\.?g\.?|eg|such as|like|including)"
                               r"[\s,:]+|,?\s+(?:such as|like|including|e\.g\.?,?)\s+)(?P<list>[^).;:]{2,160})", re.I)


def named_providers(doc: Document, out: Extraction) -> None:
    """Names given as examples of providers ("legacy cloud providers (e.g. UKCloud and Carrenza)") are vendors."""
    from .phrases import names_in

    for block in doc.blocks:
        for m in PROVIDERS_SUCH_AS.finditer(block.text[:3000]):
            ev = evidence_at(doc, block.line, "prose", block.text[:300])
            items = m.group("list")
            for name in names_in(items):
                # each item a name of its own: not "SaaS password management tools", a kind of product
                if 1 < len(name.text) <= 40 and re.match(r"\s*(?:,|and\b|or\b|etc\b|\)|$)", items[name.end:], re.I):
                    out.mentions.append(Mention(strip_legal_suffix(name.text), "Vendor", ev, strength=1))


# "built on open source products from Acme, Globex and Initech", "a tool developed by Umbrella": the makers of what
# is used (not "a recommended tool by Umbrella": who recommends it)
PRODUCTS_FROM = re.compile(r"\b(?:products?|tools?|software|components?)\s+(?:from|(?:made|developed|built|published)\s+"
                           r"(?:from|by))\s+(?P<list>[A-Z][^.;:()]{1,160})")


def product_makers(doc: Document, out: Extraction) -> None:
    """The names given as where products come from ("open source products from Acme, Globex and Initech") are
    vendors: each a name of its own, not a product the gazetteer knows ("products from Acme and PostgreSQL": the
    PostgreSQL project is its own product), nor everyday words."""
    from .. import gazetteer
    from .mentions import NAME_LIST, list_items
    from .phrases import CAPITALISED_STOPWORDS

    known = gazetteer.load()
    for block in doc.blocks:
        for m in PRODUCTS_FROM.finditer(block.text[:3000]):
            listed = NAME_LIST.match(m.group("list"))
            items = list_items(listed.group(0)) if listed else re.findall(r"^[A-Z][\w.-]*[A-Za-z0-9]", m.group("list"))
            ev = evidence_at(doc, block.line, "prose", block.text[:300])
            for item in items:
                words = item.split()
                if len(words) > 2 or known.lookup(item) or any(
                        w.lower() in CAPITALISED_STOPWORDS or gazetteer.is_everyday_word(w) for w in words[:1]):
                    continue
                out.mentions.append(Mention(strip_legal_suffix(clean_name(item)), "Vendor", ev, strength=1))


# "Synadia, the company that hosts NGS", "Acme, a vendor of …", "Contoso, a start-up from Leeds"
COMPANY_APPOSITIVE = re.compile(r",\s+(?:the|a|an)\s+(?:[\w-]+\s+){0,2}?(?:company|vendor|firm|start-?up|corporation)\b",
                                re.I)


# what only a company has: "Galaxy-only (Starburst-proprietary) functions", "the Acme support portal", "a contract
# with Acme", "Acme (supplier)" (not "vendor lock-in: Traefik-specific CRDs": a product locks one in too)
COMPANY_CUE = re.compile(r"(?<![\w-])(?P<a>[A-Z][\w.]*[A-Za-z0-9])-proprietary\b"
                         r"|(?<![\w-])(?P<c>[A-Z][\w.]*[A-Za-z0-9])\s+support\s+(?:portal|desk|contract)s?\b"
                         r"|\b(?i:a|the|our|their)\s+contract\s+with\s+(?P<d>[A-Z][\w.]*[A-Za-z0-9](?:\s+[A-Z][\w.]*[A-Za-z0-9])?)"
                         r"|(?<![\w-])(?P<e>[A-Z][\w.]*[A-Za-z0-9](?:\s+[A-Z][\w.]*[A-Za-z0-9])?)\s+\((?i:supplier|vendor)\)")


def company_cues(text: str) -> list[str]:
    """The names a text says only a company can be: what is proprietary to it, its support portal, a contract with it,
    a name marked as the supplier."""
    from ..gazetteer import is_everyday_word
    from .phrases import CAPITALISED_STOPWORDS

    out = []
    for m in COMPANY_CUE.finditer(text):
        name = next(g for g in m.groups() if g)
        if name.lower() not in CAPITALISED_STOPWORDS and not is_everyday_word(name.split()[0]):
            out.append(name)
    return out


def company_names(doc: Document, out: Extraction) -> None:
    """A name the docs call a company ("[Synadia](…), the company that hosts NGS") or say something only a company
    has of (`company_cues`) is a vendor. ("Maintained by X" is not enough: a bot maintains repositories, a government
    service develops a feature.)"""
    from .phrases import names_in

    for block in doc.blocks:
        text = block.text[:3000]
        for name in company_cues(text):
            out.mentions.append(Mention(strip_legal_suffix(name), "Vendor",
                                        evidence_at(doc, block.line, "prose", text[:300]), strength=1))
        for m in COMPANY_APPOSITIVE.finditer(text):
            before = names_in(text[max(0, m.start() - 60):m.start()].split(".")[-1].split(",")[-1].strip())
            if len(before) == 1:
                out.mentions.append(Mention(strip_legal_suffix(before[0].text), "Vendor",
                                            evidence_at(doc, block.line, "prose", text[:300]), strength=1))


def vendor_standing(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """'Contabo selected as primary provider', 'Fallback: Hetzner': a vendor's standing, from its nearest keyword."""
    keywords = [
        (re.compile(r"\b(selected|chosen|primary|decision\W+finali[sz]ed|we use|in use)\b", re.I), "selected"),
        # "All our environments are hosted in AWS", "we run on Hetzner": where this platform runs is chosen
        (re.compile(r"\b(?:we|our\s+\w+(?:\s+\w+)?)\s+(?:are\s+|is\s+)?(?:hosted|run|running|deployed)\s+(?:in|on|at|to)\b",
                    re.I), "selected"),
        (re.compile(r"\b(fallback|secondary|backup provider|standby)\b", re.I), "fallback"),
        (re.compile(r"\b(deprecated|removed|migrated away|no longer)\b", re.I), "removed"),
    ]
    for block in doc.blocks:
        for sentence in SENTENCE.split(block.text):
            vendors = [h for h in gaz.scan(sentence) if gaz.type_of(h[2]) == "Vendor"]
            if not vendors:
                continue
            for pattern, standing in keywords:
                for m in pattern.finditer(sentence):
                    nearest = min(vendors, key=lambda h: min(abs(h[0] - m.end()), abs(h[1] - m.start())))
                    line = sentence_line(doc, block.line, block.end_line, sentence)
                    out.facts.append(Fact(nearest[2], "standing", standing, evidence_at(doc, line, "prose", sentence),
                                          subject_type="key", object_type="literal"))


def vendor_products(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """'Cloudflare R2': a vendor's name written right before a component's names the component's provider."""
    texts = [(b.text, b.line) for b in doc.blocks]
    texts += [(n.label, n.line) for d in doc.diagrams for n in d.nodes.values()]
    # cells joined with a bar: a vendor ending one cell does not make the next cell its product
    texts += [(" | ".join(r.values()), line) for t in doc.tables for r, line in zip(t.rows, t.row_lines)]
    for text, line in texts:
        hits = gaz.scan(text)
        for a, b in zip(hits, hits[1:]):
            if gaz.type_of(a[2]) == "Vendor" and gaz.type_of(b[2]) == "Component" and text[a[1]:b[0]] == " " \
                    and not re.match(r"\s+provider", text[b[1]:], re.I):  # "Contabo Terraform provider" is not Terraform
                out.facts.append(Fact(b[2], "providedBy", a[2], evidence_at(doc, line, "prose", text),
                                      subject_type="key", object_type="key"))


def curated_vendor_mentions(extraction: Extraction, curated: CuratedAliases, documents: list[Document]) -> None:
    """A well-known vendor from the curated file counts only where the docs name it."""
    names = [(c, [c, *a]) for c, a, t in curated.groups if t == "Vendor"]
    if not names:
        return
    pattern = re.compile(r"(?<![\w\-.])(" + "|".join(re.escape(n) for _c, al in names for n in al) + r")(?![\w\-])")
    canonical = {n.lower(): c for c, al in names for n in al}
    seen: set[str] = set()
    for doc in documents:
        texts = [(b.text, b.line) for b in doc.blocks]
        texts += [(" | ".join(r.values()), line) for t in doc.tables for r, line in zip(t.rows, t.row_lines)]
        for text, line in texts:
            hits = list(pattern.finditer(text))
            for m in hits:
                c = canonical[m.group(1).lower()]
                if c not in seen:
                    seen.add(c)
                    extraction.mentions.append(Mention(c, "Vendor", Evidence(doc.path, line, text[:300], "prose")))
            if len(hits) >= 2:
                _listed_with_vendors(text, Evidence(doc.path, line, text[:300], "prose"), canonical, extraction)


def _listed_with_vendors(text: str, ev: Evidence, vendors: dict[str, str], extraction: Extraction) -> None:
    """A name listed among two or more well-known vendors is a vendor too: "Service Type LoadBalancer is available
    on AWS, Azure, GCP and CityCloud" (not a technology the gazetteer knows, nor an everyday word)."""
    from .. import gazetteer
    from ..gazetteer import is_everyday_word
    from .mentions import NAME_LIST, list_items
    from .phrases import CAPITALISED_STOPWORDS

    known = gazetteer.load()
    for m in NAME_LIST.finditer(text[:3000]):
        # "… GCP and CityCloud. Elsewhere": the list ends with its sentence
        items = [re.split(r"[.!?](?:\s|$)", i)[0] for i in list_items(m.group(0))]
        if len(items) < 3 or sum(i.lower() in vendors for i in items) < 2:
            continue
        for item in items:
            words = item.split()
            if item.lower() in vendors or len(words) > 2 or not item[:1].isupper() or known.get(item) is not None \
                    or any(w.lower() in CAPITALISED_STOPWORDS or is_everyday_word(w) for w in words):
                continue
            extraction.mentions.append(Mention(strip_legal_suffix(item), "Vendor", ev))
