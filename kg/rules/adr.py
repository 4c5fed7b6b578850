"""ADRs: which documents are decision records, what each says about itself (number, title, status, date,
supersession, decision, options), the indexes and links that name records, and the ADR entities and
decides/rejects/supersedes relations all of that resolves to.

A record is recognised by what it contains (a title and a status or a decision section), its
file name (`ADR-026-…`, `ADR021-….html.md`, `0007-…`) or its title (`ADR-7: …`, `# 7. Title`), not
by the name of its folder alone; templates and other record series (`DR005-…`, `RFC-12`) are not ADRs.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..gazetteer import is_everyday_word, word_like
from ..model import Block, Document, Entity, Evidence, Fact, Mention, Relation
from ..names import (
    ADR_ID,
    ADR_REFERENCE,
    RECORD_STATUS_WORDS,
    adr_id,
    canonical_adr_number,
    clean_name,
    name_key,
    split_compound,
    split_parenthetical,
)
from ..resolve import GENERIC_TAIL, entity_key
from . import decisions
from .mentions import NOT_A_PRODUCT_SITE
from .phrases import KIND_WORDS, Name
from .state import (
    SENTENCE,
    UNSETTLED_STATUSES,
    AdrRecord,
    Choice,
    Extraction,
    column,
    evidence_at,
    sentence_line,
    set_aside_lines,
)

if TYPE_CHECKING:
    from ..resolve import Gazetteer

# a number in a title: "ADR-7: X", "ADR 007 - X", "ADR.7 X", "7. X", "ADR029: X" (and typos such as "ADD037: X")
# "Architecture Decision Record 11: Lifecycle Policy", "Architectural Decision Record: Using X": the series' name
RECORD_PREFIX = re.compile(r"^\s*(?:architectur(?:e|al)\s+decision\s+records?|decision\s+records?)\s*"
                           r"(?:(?=\d)|[:\-–—]\s*)", re.IGNORECASE)
TRAILING_ID = re.compile(r"\s*(?:[-–—:|]\s*|\(\s*)ADR[-_ ]?\d{1,5}\s*\)?\s*$", re.IGNORECASE)
TITLE_NUMBER = re.compile(r"^\s*(?:(?:ADR|AD|ADD|DR)[-_ .]?(?P<a>\d{1,5})|(?P<n>\d{1,5})\s*[.:)]|#(?P<h>\d{1,5})\.?)"
                          r"\s*[:.\-–—]?\s*(?P<rest>.*)$", re.IGNORECASE)


def title_number(title: str) -> tuple[int | None, str]:
    """The number a title starts with ('ADR-7: X', '7. X', '#7 X') and the rest of it; (None, title) without."""
    m = TITLE_NUMBER.match(title)
    if not m:
        return None, title
    return int(m.group("a") or m.group("n") or m.group("h")), m.group("rest")


FILE_ADR_NUMBER = re.compile(r"^ADR[-_ ]?(\d{1,5})(?!\d)", re.IGNORECASE)
FILE_NUMBER = re.compile(r"^(\d{1,5})(?:[-_. ]|$)")  # adr-tools, MADR: 0007-use-x.md (not 20210105-… dates)
# a file name that opens with the day it was written ("2025-04-25-app-runner.md", "2021_03_09-…"): a date, no number;
# the record is named by its file name, as log4brains' "20210105-use-x.md" is
FILE_DATE = re.compile(r"^(?:19|20)\d{2}([-_.])[01]\d\1[0-3]\d(?:[-_. ]|$)")
# adr-tools' and MADR's file names: a zero-padded number, a hyphen and a slug ("0007-use-x.md"); a docs site's
# ordering prefix ("09_ARCHITECTURE.md", "05-overview.md") numbers pages, not records
# the title of a decisions folder's own page: its index, its guide or its process, not a record
FOLDER_PAGE = re.compile(r"\b(?:decisions|decision\s+(?:records?|logs?|register|process)|ADRs|records|"
                         r"architectur(?:e|al)\s+decisions?)\b|^(?:how\b|about\b|guide|process|overview|introduction|"
                         r"set\s?up|getting\s+started|usage|conventions?|glossary|contributing|templates?|contents|"
                         r"table\s+of\s+contents)",
                         re.IGNORECASE)
ADR_STYLE_NUMBER = re.compile(r"^\d{3,5}(?:-[a-z0-9]|$)")
FILE_ADR_NAME = re.compile(r"^ADR[-_]([A-Za-z][A-Za-z0-9_-]*)$", re.IGNORECASE)
# DR005-…, RFC-12, PDR-3: other records (not "c4_model_for_services", "k8s-upgrade", "s3-buckets": a name with a digit)
OTHER_SERIES = re.compile(r"^(?!adr)[a-z]{2,6}[-_ ]?\d+(?:[-_. ]|$)", re.IGNORECASE)
# template.md, adr-template.md, 0000-template-madr.md, ADRXXX-…, nnnn-title.md (not 0010-django-templates.md: a
# numbered record about templates)
TEMPLATE = re.compile(r"^(?!(?:adr[-_ ]?)?0*[1-9]\d*[-_. ])(?:.*[-_. ])?template(?:$|[-_. ])|"
                      r"^(?:adr[-_ ]?)?(?:x+|n+)(?:[-_. ]|$)", re.IGNORECASE)
ZERO = re.compile(r"^(?:adr[-_ ]?)?0+(?:[-_. ]|$)", re.IGNORECASE)  # 0000-…: a template, or a record numbered 0
NOT_RECORDS = ("readme", "index", "_index", "summary", "toc", "contents", "changelog", "license", "contributing")
DECISION_FOLDER = re.compile(r"(?:^|/)(?:adrs?|decisions?|decision[-_ ]?records?|decision[-_ ]?logs?|adr[-_ ]?log|"
                             r"architecture[-_ ]decision[-_ ]records?|architectural[-_ ]decision[-_ ]records?|"
                             r"architecture[-_ ]decisions?|architectural[-_ ]decisions?)/", re.IGNORECASE)
STATUS_HEADINGS = ("status", "state", "decision status", "superseded", "superceded", "superseded by",
                   "superceded by", "deprecated")
DECISION_HEADINGS = ("decision", "decisions", "decision outcome", "decision drivers and outcome", "chosen option",
                     "resolution", "the decision", "outcome", "our decision", "decision and rationale")
CONTEXT_HEADINGS = re.compile(r"^(?:context|context and problem statement|problem|problem statement|background|"
                              r"consequences|considered options|options|options considered|decision drivers|"
                              r"rationale|summary|issue)\b", re.IGNORECASE)
# the section of what a decision brings with it: what it says "we will need to use" follows from the choice
CONSEQUENCES_HEADING = re.compile(r"^(?:consequences?|implications?|impacts?|trade-?offs?|outcomes? and consequences)\b",
                                  re.IGNORECASE)
OPTIONS_SECTION = re.compile(r"^(?:(?:other\s+)?(?:options?|alternatives?|candidates)(?:\s+(?:considered|evaluated|"
                             r"explored))?|considered\s+(?:options|alternatives|candidates)|pros and cons of the options)$",
                             re.IGNORECASE)
NOT_AN_OPTION = re.compile(r"^(?:advantages|disadvantages|pros|cons|positives?|negatives?|consequences|summary|"
                           r"comparison|documentation|good|bad|neutral|notes?|details|context|risks?|costs?)\b",
                           re.IGNORECASE)
STATUS_WORD = re.compile(rf"\b({RECORD_STATUS_WORDS})\b", re.IGNORECASE)
STATUS_EMOJI = {"✅": "Accepted", "✔": "Accepted", "❌": "Rejected", "✖": "Rejected", "⌛": "Superseded",
                "🤔": "Proposed", "♻": "Amended"}
# every spelling people use: superseded, superceded, superceeded; supersedes, supercedes, superseeds
SUPERSESSION = re.compile(r"\b(?P<by>super[sc]{1,2}e{1,2}de?d\s+by|replaced\s+by|obsoleted\s+by|"
                          r"super[sc]{1,2}e{1,2}ded)"
                          r"|\b(?P<of>super[sc]{1,2}e{1,2}de?s|replaces|obsoletes)\b", re.IGNORECASE)
# where a record speaks of itself: "this decision", "this ADR", or "This supersedes …" with no noun
THIS_RECORD = re.compile(r"\bthis\s+(?:(?:decision|adr|record|document)\b|super[sc]|obsolete|replace)", re.I)
# a section that lists a record's relations to others: MADR 2's "Links", log4brains' "Related Decision Records"
RELATED_SECTION = re.compile(r"^(?:links|related(?:\s+(?:decision\s+)?(?:records|decisions|adrs|links))?|relations|"
                             r"relationships|see also|references)$", re.I)
WE_SUPERSEDE = re.compile(r"\bwe\s+(?:have\s+)?(?:decided\s+to|decide\s+to|will|hereby|therefore)\s+"
                          r"(?:supersede|supercede|obsolete)\s+", re.I)
# a relation to a part of another record: "Supersedes: ADR-005 OpenSearch section (moved here)", "in part"
PART_OF = re.compile(r"\b(?:partially|partly|in part|sections?|parts? of|portions? of|paragraphs?)\b", re.I)
# a decision section that says no decision is made yet
UNDECIDED = re.compile(r"^\W*(?:to be (?:taken|decided|defined|determined|agreed|confirmed|made)|tbd|tbc|t\.b\.d|pending|"
                       r"undecided|open|todo|to ?do|not (?:yet )?decided|no decision(?: yet| has been)?|\?+|"
                       # a template's placeholder left in place ("Decision here...", adr-tools' and Nygard's own words)
                       r"decision here|(?:describe|state|write) (?:the|your) decision|the change that we're proposing or "
                       r"have agreed to implement)(?:\W|$)", re.IGNORECASE)
NOT_IN_FORCE = ("Rejected", "Deprecated", "Superseded", "Withdrawn", "Proposed", "Draft", "Retired", "Obsolete",
                "Abandoned", "On Hold", "Replaced", "Pending", "Deferred")


@dataclass
class Identity:
    """What makes a document an ADR: its id, its title without the number, and a warning when file and title disagree."""

    id: str
    title: str
    warning: str = ""


def _stem(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0]
    return re.sub(r"\.html?$", "", stem, flags=re.I)  # ADR021-use-x.html.md


def _headings(doc: Document) -> list[str]:
    return [clean_name(s.title).lower().rstrip(":") for s in doc.sections]


def _heading_status(doc: Document) -> tuple[str, int] | None:
    """A status written on its heading's own line ("## Status `APPROVED`", "## Status: Accepted") and that line."""
    for section in doc.sections[:12]:
        m = re.match(r"^(?:status|state)\s*[:\-–—]?\s*(\S.*)$", clean_name(section.title), re.I)
        if m and normalise_status(m.group(1)):
            return m.group(1), section.line
    return None


def _has_status(doc: Document) -> bool:
    if doc.front_matter.get("status"):
        return True
    if any(h in STATUS_HEADINGS for h in _headings(doc)) or _heading_status(doc):
        return True
    return any(re.match(r"^[*_\s>-]*status[*_\s]*:", doc.line_text(b.line), re.I) for b in doc.blocks[:12])


def _stated_status(doc: Document) -> str:
    """The status a document states, normalised ('' when it states none a record would)."""
    if normalise_status(str(doc.front_matter.get("status") or "")):
        return normalise_status(str(doc.front_matter["status"]))
    for b in doc.blocks[:20]:
        if b.section and clean_name(b.section[-1]).lower().rstrip(":") in STATUS_HEADINGS:
            return normalise_status(b.text)
        m = re.match(r"^[*_\s>-]*status[*_\s]*:\s*(.+)$", doc.line_text(b.line), re.I)
        if m:
            return normalise_status(m.group(1))
    on_heading = _heading_status(doc)
    return normalise_status(on_heading[0]) if on_heading else ""


def _looks_like_template(doc: Document, title: str) -> bool:
    """A template, whatever its number: placeholders in the title or a status that lists every choice."""
    if re.search(r"[\[{<]|\btitle\b|\bshort title\b|\bxxx\b|\bname of\b", title, re.I):
        return True
    raw = str(doc.front_matter.get("status") or "")
    if not raw:
        for b in doc.blocks[:20]:
            if b.section and clean_name(b.section[-1]).lower().rstrip(":") in STATUS_HEADINGS:
                raw = b.text
                break
    return bool(raw) and not normalise_status(raw) and len(STATUS_WORD.findall(raw)) >= 2


def _has_decision(doc: Document) -> bool:
    return any(h in DECISION_HEADINGS for h in _headings(doc))


def is_template(doc: Document) -> bool:
    """A record template ('template.md', 'ADRXXX-…', a '0000-…' full of placeholders): names nothing real."""
    stem = _stem(doc.path)
    title = clean_name(doc.title)
    # "# [RFC Template] Title" over forty paragraphs of a real proposal in 0001-mit-learn-data-ingest.md: the author
    # kept the template's title, not its placeholders
    return bool(TEMPLATE.search(stem) or re.search(r"\btemplate\b", title, re.I) and len(doc.blocks) < 12
                or ZERO.match(stem) and _looks_like_template(doc, title))


def recognise(doc: Document) -> Identity | None:
    """The ADR identity of a document, or None when it is not an architecture decision record."""
    stem = _stem(doc.path)
    low = stem.lower()
    if low in ("index", "_index", "readme"):
        # a record kept as a folder of its own (go-programming-language/index.md, as static sites keep pages):
        # named by its folder, when its title or its status and decision say it is a record
        parent = posixpath.basename(posixpath.dirname(doc.path))
        raw_title = clean_name(doc.title)
        prefixed = RECORD_PREFIX.match(raw_title) is not None and bool(RECORD_PREFIX.sub("", raw_title).strip())
        if not parent or DECISION_FOLDER.search(f"/{parent}/") or not (
                prefixed or _stated_status(doc) and _has_decision(doc)):
            return None
        stem, low = parent, parent.lower()
    if low in NOT_RECORDS or TEMPLATE.search(stem):
        return None
    if OTHER_SERIES.match(stem) and not FILE_ADR_NUMBER.match(stem):
        return None  # DR005-…, RFC-0012-…: another series of records, not ADRs
    # "Copy data from sftp to s3 - ADR 007": the id repeated at the end is no part of the title
    # (and "# TITLE: Agreement info in data model": a template's label left in front of it)
    title = TRAILING_ID.sub("", RECORD_PREFIX.sub("", re.sub(r"^title\s*:\s*(?=\S)", "", clean_name(doc.title),
                                                             flags=re.I))) or clean_name(doc.title)
    if re.search(r"\btemplate\b", title, re.I) or ZERO.match(stem) and _looks_like_template(doc, title):
        return None
    number_in_title, rest = title_number(title)
    title_is_adr = bool(re.match(r"^\s*ADR[-_ ]?\d", title, re.I))
    bare_title = clean_name(rest) if number_in_title is not None and rest else title
    file_number = None
    fm = FILE_ADR_NUMBER.match(stem)
    file_is_adr = fm is not None
    if fm:
        file_number = int(fm.group(1))
    elif not FILE_DATE.match(stem):
        fm = FILE_NUMBER.match(stem)
        if fm:
            file_number = int(fm.group(1))
    in_folder = bool(DECISION_FOLDER.search("/" + doc.path))
    if file_number is not None and not (file_is_adr or in_folder or number_in_title is not None
                                        or ADR_STYLE_NUMBER.match(stem) or _stated_status(doc)):
        file_number = None  # "09_ARCHITECTURE.md" with "type: adr, status: active": a page's place on the site
    status, decision = _has_status(doc), _has_decision(doc)
    # elsewhere, a record shows itself by a status a record states and a decision (or its context)
    shaped = bool(_stated_status(doc)) and (decision or any(CONTEXT_HEADINGS.match(h) for h in _headings(doc)))
    named_file = FILE_ADR_NAME.match(stem)
    is_adr = (file_is_adr or named_file is not None or title_is_adr
              or file_number is not None and (in_folder or number_in_title is not None or status or decision)
              or in_folder and (status or decision or _unnumbered_record(doc, title))
              or shaped)
    if not is_adr:
        return None
    warning = ""
    number = file_number if file_number is not None else number_in_title
    if number is None and doc.front_matter.get("id"):
        found = adr_id(str(doc.front_matter["id"]))
        if found:
            return Identity(found, bare_title)
    if file_number is not None and number_in_title is None:
        # "# 25 Domain names": the file's number written in front of the title without a dot; "# n. Login.gov":
        # the template's placeholder left where the number goes
        bare_title = re.sub(rf"^(?:0*{file_number}\s+(?=\S)|(?:n+|x+)\s*[.:)]\s+)", "", bare_title, flags=re.I)
    if file_number is not None and number_in_title is not None and file_number != number_in_title:
        warning = (f"{doc.path}:{doc.sections[0].line if doc.sections else 1}: ADR title says {number_in_title}, "
                   f"the file name says {file_number}; kept {file_number}")
    if number is not None:
        return Identity(canonical_adr_number(number), bare_title, warning)
    if named_file:
        return Identity("ADR-" + named_file.group(1).upper().replace("_", "-"),
                        re.sub(r"^ADR\s*:\s*", "", title, flags=re.I))
    # an unnumbered record: docs/decisions/use-postgres.md is ADR-USE-POSTGRES
    slug_id = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").upper()
    return Identity("ADR-" + slug_id, re.sub(r"^ADR\s*:\s*", "", title, flags=re.I)) if slug_id else None


def _unnumbered_record(doc: Document, title: str) -> bool:
    """A page of a decisions folder with neither number nor status nor decision heading ("adr/logging.md",
    "# Logging", then what was decided in prose): a record kept loosely, as some teams keep every one; not the
    folder's own index or guide ("# Architecture Decision Records", "How we write decisions")."""
    return bool(title) and not FOLDER_PAGE.search(title) and any(b.kind == "paragraph" for b in doc.blocks)


def adr_kinds(doc: Document, out: Extraction) -> None:
    """Decide, by content, which documents are ADRs (the parse stage's guess is by name only)."""
    ident = recognise(doc)
    if ident is not None:
        doc.kind = "adr"
    elif doc.kind == "adr":
        doc.kind = "doc"


MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
WRITTEN_DATES = (
    # 05/02/2018, 10/04/18, 05.02.2018: day first, as written outside the US, unless the month would pass 12
    re.compile(r"\b(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<year>\d{4}|\d{2})\b"),
    re.compile(r"\b(?P<a>\d{1,2})-(?P<b>\d{1,2})-(?P<year>\d{4})\b"),  # 14-02-2024
    re.compile(r"\b(?P<year>\d{4})/(?P<b>\d{1,2})/(?P<a>\d{1,2})\b"),  # 2018/02/05
    re.compile(rf"\b(?P<a>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>\d{{4}})\b", re.I),  # 5 February 2018
    re.compile(rf"\b{_MONTH}\s+(?P<a>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})\b", re.I),  # February 5, 2018
)


def iso_date(text: str, month_first: bool = False) -> str | None:
    """The first date in text as YYYY-MM-DD ('' when there is none, None when an ISO date is no real day:
    2026-13-45). Also read: 05/02/2018 and 10/04/18 (day first, unless the month would pass 12, or the document
    writes its dates month first: `month_first`), 2018/02/05, 5 February 2018 and February 5, 2018."""
    import datetime

    m = re.search(r"\d{4}-\d{2}-\d{2}", text)
    if m:
        try:
            return datetime.date.fromisoformat(m.group(0)).isoformat()
        except ValueError:
            return None
    for pattern in WRITTEN_DATES:
        w = pattern.search(text)
        if w is None:
            continue
        parts = w.groupdict()
        year = int(parts["year"]) + (2000 if len(parts["year"]) == 2 else 0)
        day = int(parts["a"])
        month = MONTHS.index(parts["month"][:3].lower()) + 1 if parts.get("month") else int(parts["b"])
        if not parts.get("month") and (month > 12 and day <= 12 or month_first and month <= 12 and day <= 12
                                       and pattern is WRITTEN_DATES[0]):
            day, month = month, day  # 02/25/2018: written month first
        try:
            return datetime.date(year, month, day).isoformat()
        except ValueError:
            continue
    return ""


def _writes_month_first(doc: Document) -> bool:
    """Whether the head of a record writes its dates month first: one of them reads 06/21/2023 (no 21st month), so
    its 07/05/2023 is the fifth of July."""
    head = " ".join(doc.line_text(n) for n in range(1, 41))
    return any(int(m.group("b")) > 12 >= int(m.group("a")) for m in WRITTEN_DATES[0].finditer(head))


# a catalogue's short codes for a status: "| 006 | Hybrid CI/CD Strategy | acc |"
STATUS_CODES = {"acc": "Accepted", "prop": "Proposed", "sup": "Superseded", "dep": "Deprecated", "rej": "Rejected",
                "wip": "Draft"}


def normalise_status(raw: str) -> str:
    """'✅ Accepted' -> Accepted; 'Superceded by [ADR-5](…)' -> Superseded; template text ('Accepted or Rejected') -> ''."""
    if raw.strip().lower().rstrip(".") in STATUS_CODES:
        return STATUS_CODES[raw.strip().lower().rstrip(".")]
    # "draft [ accepted | deprecated | superseded by [xxx](…) ]": the value typed in front of the template's choices
    typed = re.match(r"^([^\[\]|]*\w[^\[\]|]*?)\s*\[[^\]]*\|", raw)
    text = clean_name(typed.group(1) if typed and STATUS_WORD.search(typed.group(1)) else
                      re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", raw))
    words = [m.group(1).lower() for m in STATUS_WORD.finditer(text)]
    kinds = {("superseded" if w.startswith("super") else w) for w in words}
    if not kinds:
        for emoji, status in STATUS_EMOJI.items():
            if emoji in raw:
                return status
        return ""
    if len(kinds) > 1 and (re.search(r"\bor\b|\||\bvalid\b|\bone of\b|\[", text, re.I) and "superseded" not in kinds
                           or len(kinds) > 2 and re.search(r"\bor\b|\|", text)):
        return ""  # template text left in place: "Accepted or Rejected", "[proposed | accepted | …]"
    if "superseded" in kinds:
        return "Superseded"
    return words[0].title() if words[0] != "in progress" else "In Progress"


def adr_document(doc: Document, out: Extraction) -> None:
    """An ADR's own document: id, title, status, date, supersession, decision and the options it weighed."""
    if doc.kind != "adr":
        return
    ident = recognise(doc)
    if ident is None:
        return
    if ident.warning:
        doc.warnings.append(ident.warning)
    first = doc.sections[0].line if doc.sections else 1
    # "ADR: Where inference runs", "Decision - Use X": the kind of document in front of the title is no part of it
    title = re.sub(r"^(?:ADR|RFC|Decision|Architecture decision)\s*[:\-–—]\s*(?=[^\W\d_])", "", clean_name(ident.title), flags=re.I)
    rec = AdrRecord(id=ident.id, evidence=evidence_at(doc, first, "heading"), title=title,
                    document=doc.path, repository=doc.repo, misnumbered=bool(ident.warning))
    status_blocks = _status_and_date(doc, rec)
    _supersession(doc, rec, status_blocks)
    rec.status_text = clean_name(rec.status)[:120]
    rec.status = normalise_status(rec.status) or ("Superseded" if rec.superseded_by else "")
    if rec.status == "Superseded" and not rec.superseded_by:
        # "Superseded. We have now migrated … The rest is covered in ADR #12.": the one record the status names
        named = {canonical_adr_number(int(m.group(1))) for b in status_blocks for m in ADR_ID.finditer(b.text)} - {rec.id}
        if len(named) == 1:
            rec.superseded_by.append((named.pop(), evidence_at(doc, status_blocks[0].line, "heading")))
    day = iso_date(rec.date, _writes_month_first(doc))
    if day is None:
        doc.warnings.append(f"{doc.path}:{rec.evidence.line}: ADR date is not a real day, ignored")
    rec.date = day or ""
    _decision(doc, rec, out)
    out.adrs.append(rec)
    # an ADR named as superseding or superseded is an ADR of the workspace, with or without a document
    for other, ev in rec.supersedes + rec.superseded_by:
        if not other.startswith("doc:"):
            out.adrs.append(AdrRecord(id=other, evidence=ev))


def _status_and_date(doc: Document, rec: AdrRecord) -> list[Block]:
    """Status and date from front matter (MADR), a '## Status' section (Nygard) or 'Status:' lines; the status blocks."""
    fm = doc.front_matter
    # a front-matter status that is no decision status ("status: active", a docs site's lifecycle flag over a body
    # that says "- **Status:** Accepted") hides nothing: the body is read, and the flag kept only when it says none
    site_flag = str(fm.get("status") or "")
    if site_flag and normalise_status(site_flag):
        rec.status, site_flag = site_flag, ""
    if fm.get("date"):
        rec.date = str(fm["date"])
    status_blocks = [b for b in doc.blocks if b.section and
                     clean_name(b.section[-1]).lower().rstrip(":") in STATUS_HEADINGS][:3]
    if not rec.status and status_blocks:
        rec.status = " ".join(b.text for b in status_blocks[:2])
        rec.evidence = evidence_at(doc, status_blocks[0].line, "heading")
    on_heading = _heading_status(doc) if not rec.status else None
    if on_heading:
        rec.status, rec.evidence = on_heading[0], evidence_at(doc, on_heading[1], "heading")
    date_blocks = [b for b in doc.blocks if b.section and clean_name(b.section[-1]).lower().rstrip(":") in
                   ("date", "dates")]
    if not rec.date and date_blocks:
        rec.date = date_blocks[0].text
    # "### Date: 2021-02-09": the date written on a heading of its own
    for section in doc.sections[:6] if not rec.date else ():
        m = re.match(r"^(?:date|dated|decision date)\s*:\s*(\S.*)$", clean_name(section.title), re.I)
        if m:
            rec.date = m.group(1)
            break
    # "**Status:** Accepted" / "* Date: 2026-01-05" lines (adr-tools, Nygard variants, MADR 2 bullets), under the
    # title or in a footer after the record's last section
    for b in doc.blocks[:15] + (doc.blocks[-6:] if len(doc.blocks) > 15 else []):
        for line_no in range(b.line, max(b.end_line, b.line) + 1):
            line_text = doc.line_text(line_no)[:500]  # a bounded line: these patterns must stay linear
            m = re.match(r"^[*_>\s-]*(status|date|last updated)[*_]*\s*:\s*[*_]*\s*(\S.*)$", line_text, re.IGNORECASE)
            if not m:
                continue
            key, value = m.group(1).lower(), clean_name(m.group(2))
            if key == "status" and not rec.status:
                rec.status, rec.evidence = value, evidence_at(doc, line_no, "heading")
            elif key != "status" and not rec.date:
                rec.date = value
    # a metadata table under the title: "| Created | Status |" then "| 2020-05-17 | Accepted |"
    for table in doc.tables[:1]:
        if not table.rows or len(table.section) > 1 or table.line > 20:
            continue
        status_col = column(table.header, ("status", "state", "decision status"))
        # when it was decided before when it was last touched: "| CREATED DATE | LAST UPDATED |"
        date_col = column(table.header, ("date", "created", "created date", "date created", "creation date", "decided",
                                         "decision date")) or column(table.header, ("last updated", "updated"))
        if status_col and not rec.status and table.rows[0].get(status_col, "").strip():
            rec.status = table.rows[0][status_col]
            # the record's own header, as a status line is (an index's table rows are another record's words)
            rec.evidence = evidence_at(doc, table.row_lines[0], "heading")
        if date_col and not rec.date:
            rec.date = table.rows[0].get(date_col, "")
    if not rec.date:
        # "Date: 2020-02-27" written as a plain paragraph under the title (free-form ADRs)
        for b in doc.blocks[:4]:
            if re.match(r"^\W*date\W", b.text, re.I):
                rec.date = b.text
                break
    if not rec.status and site_flag:
        rec.status = site_flag
    return status_blocks


def _refs_in(doc: Document, block: Block, text: str, start: int) -> list[tuple[str, int]]:
    """The ADRs a supersession phrase names after `start`: ids, linked records, numbers in links. (ref, line)"""
    tail = text[start:]
    tail = re.split(r"(?<=[.!?])\s+(?=[A-Z])", tail, maxsplit=1)[0]
    refs: list[tuple[str, int]] = []
    lines = range(block.line, max(block.end_line, block.line) + 1)
    links = [lk for lk in doc.links if lk.line in lines and lk.text and lk.text in tail]
    linked_text = " ".join(lk.text for lk in links)
    for link in links:
        line = link.line
        if link.kind == "internal" and link.target:
            refs.append(("doc:" + link.target, line))
            continue
        name = link.href.split("#")[0].rsplit("/", 1)[-1]
        m = FILE_ADR_NUMBER.match(name) or FILE_NUMBER.match(name) or re.match(r"^\D{0,4}?0*(\d{1,5})\b", link.text)
        if m:
            refs.append((canonical_adr_number(int(m.group(1))), line))
    for m in ADR_ID.finditer(tail):
        if m.group(0) not in linked_text:
            refs.append((canonical_adr_number(int(m.group(1))), block.line))
    if not refs:
        m = re.match(r"^\W*(?:decision|adr|record)?\W*0*(\d{1,5})\b", tail, re.I)
        if m:
            refs.append((canonical_adr_number(int(m.group(1))), block.line))
    return refs


REVERTS = re.compile(r"^\W*(?:we\s+(?:will\s+)?)?revert(?:s|ing)?\s+(?:the\s+)?(?:decision|adr|record)\s+(?:#\s?)?(?:adr[-_ ]?)?"
                     r"0*(\d{1,5})\b", re.I)
METADATA_KEY = re.compile(r"\s(?=(?:date|status|supersedes|supercedes|superseded by|superceded by|replaces|"
                          r"replaced by|deciders|authors?|tags|technical story)\s*:)", re.I)


def _supersession(doc: Document, rec: AdrRecord, status_blocks: list[Block]) -> None:
    """'Supersedes ADR-013', 'Superseded by [ADR019 …](…)', '⌛️ Superseded [0019](…)', 'This decision has been
    superseded by decision: […]', front-matter keys; the other record by id, link target or number."""
    fm = doc.front_matter
    for fm_key in ("supersedes", "superseded_by", "superseded-by", "supercedes", "superseded"):
        fm_value = fm.get(fm_key)
        for v in fm_value if isinstance(fm_value, list) else [fm_value] if fm_value else []:
            found = adr_id(str(v)) or (canonical_adr_number(int(str(v))) if str(v).isdigit() else None)
            if found:
                target = rec.supersedes if fm_key in ("supersedes", "supercedes") else rec.superseded_by
                target.append((found, evidence_at(doc, 1, "front-matter", f"{fm_key}: {v}")))
    # where records say it: the status section, status lines, and the sentences under the title
    head = [b for b in doc.blocks[:8] if not b.section or len(b.section) == 1 or
            clean_name(b.section[-1]).lower().rstrip(":") in STATUS_HEADINGS]
    # and anywhere else, where the record says it of itself: "This document supersedes the [Release Process ADR]"
    # under "Context" (the sentence must speak of this record: see below)
    said = [b for b in doc.blocks if b not in status_blocks and b not in head and SUPERSESSION.search(b.text)
            and THIS_RECORD.search(b.text)]
    # and a line of a "Links" / "Related records" section that starts with the relation: "Supersedes [ADR-3](…)"
    # (MADR 2, log4brains); "Partially supersedes …", "Refined by …" keep the other record in force
    related = [b for b in doc.blocks if b not in status_blocks and b not in head and b not in said and b.section
               and RELATED_SECTION.match(clean_name(b.section[-1])) and SUPERSESSION.match(b.text.lstrip("-*+ "))
               and not PART_OF.search(b.text)]
    seen: set[str] = set()
    own = {"doc:" + doc.path, rec.id}
    # "Revert decision 0003 and auto-generate the OpenAPI specification": the record undoes the one it names
    reverted = REVERTS.match(rec.title) or next((REVERTS.match(b.text) for b in doc.blocks
                                                 if _is_decision_section(b.section) and REVERTS.match(b.text)), None)
    if reverted:
        ref = canonical_adr_number(int(reverted.group(1)))
        if ref not in own:
            seen.add((True, ref))  # type: ignore[arg-type]
            rec.supersedes.append((ref, rec.evidence))
    # "We decided to supersede [ADR-0011](…) and instead …": the record says it of itself in its own words
    for block in doc.blocks:
        for sentence in SENTENCE.split(block.text) if WE_SUPERSEDE.search(block.text) else ():
            for m in WE_SUPERSEDE.finditer(sentence):
                if PART_OF.search(sentence[m.end():m.end() + 40]):
                    continue
                ev = evidence_at(doc, sentence_line(doc, block.line, block.end_line, sentence), "prose")
                for ref, _line in _refs_in(doc, block, sentence, m.end())[:2]:
                    if ref not in own and (True, ref) not in seen:
                        seen.add((True, ref))  # type: ignore[arg-type]
                        rec.supersedes.append((ref, ev))
    for block in status_blocks + [b for b in head if b not in status_blocks] + said + related:
        # "**Date:** 2025-12-05 / **Status:** Accepted / **Supersedes:** ADR-007": one paragraph of labelled lines,
        # each a statement of its own
        for sentence in (part for s in SENTENCE.split(block.text) for part in METADATA_KEY.split(s) if part):
            if re.search(r"\b(?:if|when|whether|would|could|may)\b", sentence[:40], re.I):
                continue
            for m in SUPERSESSION.finditer(sentence):
                # only this record's own statement: "This decision supersedes …" or a status line
                if block not in status_blocks and not re.match(
                        r"^\W*(?:this\s+(?:decision|adr|record|document)|status|it)\b|^\W*(?:this\s+)?(?:super|obsolete|replace)",
                        sentence, re.I) and not re.search(r"\bthis\s+$", sentence[:m.start()], re.I):
                    continue  # (a list item may end in "… -> This superseeds adr0008.": the record of itself)
                target = rec.superseded_by if m.group("by") else rec.supersedes
                ev = evidence_at(doc, sentence_line(doc, block.line, block.end_line, sentence), "heading")
                for ref, _line in _refs_in(doc, block, sentence, m.end()):
                    if ref not in own and (target is rec.supersedes, ref) not in seen:
                        seen.add((target is rec.supersedes, ref))  # type: ignore[arg-type]
                        target.append((ref, ev))


# ---------------------------------------------------------------- decisions

def _known_phrases(doc: Document) -> frozenset[str]:
    """Phrases a document sets apart as names: code spans and the texts of links to other sites."""
    phrases = {c for b in doc.blocks for c in b.code} | {c for s in doc.sections for c in s.code}
    for link in doc.links:
        text = link.text.strip()
        # "[elasticsearch and kibana](…)": a link to two things names each, not one thing
        # (not "[value objects](https://martinfowler.com/bliki/ValueObject.html)", "[issue](…/issues/146)": words in
        # lower case that link to an article, an issue or a wiki name an idea)
        if text and link.kind == "external" and len(text.split()) <= 4 and not re.search(r"[#/,&]|^\d|\s(?:and|or)\s", text) \
                and text.split()[0].lower() not in decisions_stopwords() \
                and not (text.islower() and NOT_A_PRODUCT_SITE.search(link.href)):
            phrases.add(text)
    # "# 4. Use npm instead of yarn", "Use fluentbit, elasticsearch and kibana": a technology written in lower case
    # in the title, as its makers write it or not; a name that is also an everyday word ("flux", "vault") is not
    from .. import gazetteer

    known = gazetteer.load()
    # ("# 5. only use bash and ruby for scripting": what the title's verb takes is a name, an everyday word or not)
    chosen = {w for m in TITLE_CHOICE_LIST.finditer(doc.title) for w in re.findall(r"[\w.+-]+", m.group("list"))}
    for word in re.findall(r"\b[a-z][\w.+-]*[\w+]", doc.title):
        record = known.get(word)
        if record is not None and (not record.common_word or word in chosen) and len(word) > 2 \
                and word.lower() in {n.lower() for n in record.names}:
            phrases.add(word)
    return frozenset(p for p in phrases if 1 < len(p) <= 40 and not p.startswith(("$", "-", "<")))


# the lower-case words a title's verb takes, one or a list: "use bash and ruby for scripting", "adopt helm"
TITLE_CHOICE_LIST = re.compile(rf"\b(?i:{decisions.CHOOSE})\s+(?P<list>[a-z][\w.+-]*(?:(?:\s*,\s*|\s+(?:and|or)\s+)"
                               r"[a-z][\w.+-]*)*)(?=\s+(?:for|in|to|as|with|on|over|instead)\b|\s*[,;:.]?\s*$)")


@functools.cache
def decisions_stopwords() -> frozenset[str]:
    from .phrases import CAPITALISED_STOPWORDS, LEADING

    return CAPITALISED_STOPWORDS | LEADING | frozenset(("see", "here", "this", "link", "docs", "documentation"))


# a means a decision sets in bold: "Kubernetes Secrets are created via **External Secrets Operator**"
ROLE_LABEL = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\*\*|__)[^*_]{2,40}?:?(?:\*\*|__):?\s")
BOLD_MEANS = re.compile(r"\b(?:via|using|through|by means of)\s+(?:\*\*|__)(?P<name>[^*_]{2,60})(?:\*\*|__)", re.I)


def _bold_means(doc: Document, decision_blocks: list[Block], known: frozenset[str],
                note: Callable[[str, list[Name], Evidence], None]) -> None:
    """What a decision's point about one part of its design says is done through a name it sets in bold ("- **In-
    cluster hydration:** secrets are created via **External Secrets Operator**"): the record's emphasis marks the
    tool it chose for that part (not in its prose, "Expose Kong … using **X** to provision an NLB", where the
    means serves what was chosen)."""
    for block in decision_blocks[:15]:
        if block.kind != "item" or not ROLE_LABEL.match(doc.line_text(block.line)):
            continue
        for line in range(block.line, max(block.end_line, block.line) + 1):
            for m in BOLD_MEANS.finditer(doc.line_text(line)):
                found = decisions.names_in(m.group("name"), known | frozenset(block.code))
                if found and found[0].start == 0 and found[0].end >= len(m.group("name").rstrip()) \
                        and _plausible(found[0].text):
                    note("chosen", found[:1], evidence_at(doc, line, "prose", doc.line_text(line), 0.7))


# what joins two bold choices of one decision: "use **X for builds** with **Y for hot reload**"
BOLD_JOIN = re.compile(r"\s*(?:,\s*)?(?:(?:together\s+)?with|alongside|and|plus|\+)\s+", re.I)


def _bold_partners(sentence: str, block: Block, chosen: list[Name], known: frozenset[str]) -> list[Name]:
    """The bold spans a decision's sentence joins to the bold choice it read ("We will use **Docker Compose for
    infrastructure** with **Tilt for hot reload**"): each is chosen too, when it is led by a name that is known or is
    no everyday word (not "with **Row Level Security**", a feature of the choice)."""
    from .. import gazetteer

    chosen_keys = {k for n in chosen for k in _keys(n)}
    code = known | frozenset(block.code)
    out: list[Name] = []
    spans = [s for s in block.strong if s in sentence]
    for first, second in zip(spans, spans[1:]):
        at = sentence.find(first)
        lead = decisions.names_in(first, code)
        if not lead or lead[0].start != 0 or not _keys(lead[0]) & chosen_keys:
            continue
        join = BOLD_JOIN.match(sentence, at + len(first))
        if not join or not sentence.startswith(second, join.end()):
            continue
        found = decisions.names_in(second, code)
        if not found or found[0].start != 0 or not _plausible(found[0].text):
            continue
        name = found[0]
        if gazetteer.load().get(name.text) is not None or name.text in code \
                or not all(is_everyday_word(w) for w in name.text.split()):
            out.append(name)
            chosen_keys |= _keys(name)  # "use **A** with **B** and **C**": a chain of them
    return out


def _loose_lead(doc: Document) -> list[Block]:
    """The paragraphs under the title of a record kept as a plain page, with no heading of a record's parts
    ("# Logging", then "we use AWS Firelens to transport logs …"): they state its decision."""
    if any(CONTEXT_HEADINGS.match(clean_name(s.title)) or _in_options(s.path) for s in doc.sections[1:]):
        return []
    return [b for b in doc.blocks if len(b.section) <= 1 and b.kind == "paragraph"]


def _is_decision_section(section: tuple[str, ...]) -> bool:
    """A block under a decision heading, but not under its 'Future', 'Migration path' or 'Alternatives' parts."""
    inside = [clean_name(s).lower().rstrip(":") for s in section[1:] or section]
    for i, title in enumerate(inside):
        if title in DECISION_HEADINGS:
            return not any(re.search(r"future|migrat|later|alternative|option|consequence|risk|rollback|roadmap|"
                                     r"next step|open question|deferred", t) for t in inside[i + 1:])
    return False


def _in_options(section: tuple[str, ...]) -> bool:
    return any(OPTIONS_SECTION.match(clean_name(s)) for s in section)


def _cites_record(doc: Document, block: Block, sentence: str) -> bool:
    """Whether a sentence links to another decision record's document ("[decision to adopt X](./0022-use-x.md)",
    "In ADRs [0018](./0018-….md) and [0019](…) we decided …"): a file named as a record is (`0022-…`, `ADR-7…`)."""
    lines = range(block.line, max(block.end_line, block.line) + 1)
    for link in doc.links:
        if link.line not in lines or link.kind == "anchor" or not link.text or link.text not in sentence:
            continue
        path = link.target or link.href.split("#")[0].split("?")[0]
        if not path or path == doc.path or not re.search(r"\.(?:md|markdown|html?)$", path, re.I):
            continue
        name = _stem(path)
        # a record beside this one ("0022-….md", "./0022-….md"), or in a decisions folder
        beside = link.target is not None and posixpath.dirname(link.target) == posixpath.dirname(doc.path) or \
            re.fullmatch(r"(?:\./)?[^/]+", link.href.split("#")[0]) is not None
        if FILE_ADR_NUMBER.match(name) or FILE_NUMBER.match(name) and (beside or DECISION_FOLDER.search("/" + path)):
            return True
    return False


# a decision line that is a name and what it is for: "Bitwarden for user-oriented secrets.", "GitHub Actions"
NAMED_CHOICE = re.compile(r"^(?P<name>[^\s,;:.][^,;:.]{0,40}?)(?:\s+(?:for|as)\s+(?P<rest>[^.;]{0,80}))?\.?$")
ROLE_CHOICE = re.compile(r"^(?P<role>[\w][\w /&‑-]{1,40}):\s+(?P<rest>.+)$")


ROLE_LINE = re.compile(r"^[-*+\s]*(?P<role>[A-Za-z][\w /&‑-]{1,30}?)\s*:\s+(?P<rest>\S.{0,80})$")


def _role_lines(doc: Document, decision_blocks: list[Block], known: frozenset[str],
                note: Callable[[str, list[Name], Evidence], None]) -> set[str]:
    """Options weighed role by role ("- WAF: AWS WAF v2", "- WAF: Cloudflare WAF") and a decision that answers in the
    same form ("WAF: Cloudflare WAF"): each role's answer is chosen, the role's other options turned down. The roles
    answered, by their name keys."""
    options: dict[str, list[tuple[str, int]]] = {}
    answered: set[str] = set()
    for block in doc.blocks:
        if block.kind == "item" and _in_options(block.section) and block not in decision_blocks:
            m = ROLE_LINE.match(doc.line_text(block.line))
            if m:
                options.setdefault(m.group("role").lower(), []).append((m.group("rest"), block.line))
    if not options:
        return answered
    for block in decision_blocks[:15]:
        for line in range(block.line, max(block.end_line, block.line) + 1):
            m = ROLE_LINE.match(doc.line_text(line))
            weighed = options.get(m.group("role").lower()) if m else None
            if not m or not weighed or len(weighed) < 2:
                continue
            answer = clean_name(split_parenthetical(m.group("rest"))[0])
            chosen = decisions.names_in(answer, known)
            if not chosen or chosen[0].start != 0:
                continue
            ev = evidence_at(doc, line, "prose", doc.line_text(line), 0.7)
            note("chosen", chosen[:1], ev)
            answered.add(name_key(m.group("role")))
            for text, at in weighed:
                if name_key(clean_name(split_parenthetical(text)[0])) == name_key(answer):
                    continue
                other = decisions.names_in(clean_name(split_parenthetical(text)[0]), known)
                if other and other[0].start == 0:
                    note("rejected", other[:1], evidence_at(doc, at, "prose", doc.line_text(at), 0.65))
    return answered


def _title_cased_phrase(text: str, doc: Document) -> bool:
    """A phrase of everyday words that a title capitalises only because titles are written in Title Case: the
    record's own text writes it in lower case ("wrapper scripts") and never capitalised mid-sentence."""
    from .. import gazetteer

    words = text.split()
    # one word ("Flux", "Helm") is too often a product written as a plain word, and a product the gazetteer
    # knows stays one however the record writes it ("step functions")
    if len(words) < 2 or not is_everyday_word(words[-1]) or gazetteer.load().get(text) is not None:
        return False
    pattern = re.compile(r"(?<![\w-])" + r"\s+".join(re.escape(w) for w in words) + r"(?![\w-])", re.I)
    lower = capitalised = 0
    for block in doc.blocks:
        for m in pattern.finditer(block.text):
            found = m.group(0).split()
            if all(w[:1].islower() for w in found[1:]):
                lower += 1  # "wrapper scripts", or "Wrapper scripts" starting a sentence
            elif all(w[:1].isupper() for w in found):
                capitalised += 1
    return lower > 0 and capitalised == 0


def _title_only_plural(text: str, doc: Document) -> bool:
    """A Title Case plural of everyday words that only the title writes ("Replace X with Database Lookups"): the
    record's text never names it, and writes its last word in lower case ("the DB lookup"); a product it chooses
    ("Sealed Secrets") is named again in its text."""
    from .. import gazetteer

    words = text.split()
    if len(words) < 2 or not re.fullmatch(r"[A-Z][a-z]+[^su]s", words[-1]) or gazetteer.load().get(text) is not None \
            or not all(re.fullmatch(r"[A-Z][a-z]+", w) and word_like(w) for w in words[:-1]):
        return False
    body = " ".join(b.text for b in doc.blocks)
    if re.search(r"(?<![\w-])" + r"\s+".join(re.escape(w) for w in words) + r"(?![\w-])", body, re.I):
        return False
    head = words[-1].lower()
    return re.search(rf"(?<![\w-]){re.escape(head[:-1])}s?(?![\w-])", body) is not None


def _front_matter_title(doc: Document) -> Evidence | None:
    """The front matter's `title:` line, where a page whose heading is a template tag is titled."""
    if not doc.front_matter.get("title"):
        return None
    line = next((i for i, text in enumerate(doc.lines[:60], 1) if re.match(r"title\s*:", text, re.I)), None)
    return evidence_at(doc, line, "front-matter") if line else None


def _decision(doc: Document, rec: AdrRecord, out: Extraction) -> None:
    """What the record chose, turned down, retired and replaced: from its title, its sentences and its options."""
    known = _known_phrases(doc)
    title_code = frozenset(c for s in doc.sections[:1] for c in s.code) | known
    title_reading = decisions.read_title(rec.title, title_code)
    title_ev = evidence_at(doc, doc.sections[0].line, "heading") if doc.sections and doc.sections[0].title.strip() \
        else _front_matter_title(doc) or rec.evidence
    choices: list[tuple[str, Name, Evidence]] = []

    def note(kind: str, names: list[Name], ev: Evidence) -> None:
        for n in names:
            if not _plausible(n.text):
                continue
            choices.append((kind, n, ev))

    def take(r: decisions.Reading, ev: Evidence) -> None:
        note("chosen", r.chosen, ev)
        note("rejected", r.rejected, ev)
        note("removed", r.removed, ev)
        for old, new in r.replaced:
            if _plausible(old.text) and _plausible(new.text):
                rec.replaced.append((old.text, new.text, ev))

    # "Plan for Usage without Wrapper Scripts" over a body that writes "wrapper scripts": title case, no name
    for names in (title_reading.chosen, title_reading.rejected, title_reading.removed):
        names[:] = [n for n in names if not _title_cased_phrase(n.text, doc)]
    # (what a title retires or merges away may be a service its text names in other words: "Merge Integration Events
    # into …"; what it brings in is a choice the text would name)
    title_reading.chosen = [n for n in title_reading.chosen if not _title_only_plural(n.text, doc)]
    title_reading.replaced = [(old, new) for old, new in title_reading.replaced
                              if not _title_cased_phrase(old.text, doc) and not _title_cased_phrase(new.text, doc)
                              and not _title_only_plural(new.text, doc)]
    rec.title_read = bool(title_reading.chosen or title_reading.rejected or title_reading.removed)
    take(title_reading, title_ev)
    decision_blocks = [b for b in doc.blocks if _is_decision_section(b.section)]
    loose = [] if decision_blocks else _loose_lead(doc)
    decision_blocks = decision_blocks or loose
    set_aside = set_aside_lines(doc)
    considered: list[Name] = []
    records_listed = False
    for block in doc.blocks:
        in_decision = block in decision_blocks[:15]
        if block.kind != "item":
            # "Initial ADRs created:" then a list: other records' titles, not this record's decisions
            records_listed = bool(re.search(r"\b(?:ADRs?|decision records?|records|decisions)\b[^.]*:\s*$",
                                            block.text, re.I))
        elif records_listed:
            continue
        if _in_options(block.section) and not in_decision:
            # what an option would do is not what the record decided; what was weighed and not taken is turned down
            for sentence in SENTENCE.split(block.text):
                ev = evidence_at(doc, sentence_line(doc, block.line, block.end_line, sentence), "prose", sentence, 0.65)
                note("rejected", decisions.weighed_alternatives(sentence, known | frozenset(block.code)), ev)
            continue
        for sentence in SENTENCE.split(block.text):
            ev = evidence_at(doc, sentence_line(doc, block.line, block.end_line, sentence), "prose", sentence,
                             0.75 if in_decision else 0.65)
            r = decisions.read_sentence(sentence, known | frozenset(block.code), in_decision, block in loose)
            # (the clause that decides: "… to use X while preserving the specification established in ADR-013")
            main = re.split(r"\b(?:while|whilst|whereas|although|but)\b", sentence, maxsplit=1)[0]
            others = {canonical_adr_number(int(x.group(1))) for x in ADR_ID.finditer(main)} - {rec.id}
            if not in_decision and block.section and CONTEXT_HEADINGS.match(clean_name(block.section[-1])) \
                    and re.search(r"\b(?:was|were|had been)\s+(?:chosen|selected|adopted|picked)\b", sentence, re.I):
                r.chosen = []  # "[AWS Smithy] was chosen as an IDL" in the context: history, not this record's choice
            if others or _cites_record(doc, block, sentence):
                # "we decided to use SES as part of ADR019", "meshes well with our [decision to adopt Pkl](./0022-…)":
                # another record's decision
                r.chosen = []
            # "We considered X … We decided against them": the pronoun stands for what was considered; so does a
            # sentence that answers the consideration with an objection ("We also considered PyTorch. However, …")
            if re.search(r"\bdecided against (?:it|them|this|that|these|those)\b", sentence, re.I) \
                    or re.match(r"\W*(?:however|but|unfortunately|sadly)\b", sentence, re.I):
                r.rejected += considered
            m = re.search(r"\bconsider(?:ed|ing)\s+(?:using\s+|adopting\s+)?", sentence, re.I)
            considered = decisions.names_in(sentence[m.end():], known | frozenset(block.code)) if m else []
            if block.line in set_aside:
                r.removed, r.replaced = [], []  # "Out of scope: - replacing the API login": not what is done
            if not in_decision and not loose and any(CONSEQUENCES_HEADING.match(clean_name(t)) for t in block.section):
                r.chosen = []  # "We will need to use Terraform to deploy the functions": what the choice brings
            if in_decision and r.chosen:
                r.chosen += _bold_partners(sentence, block, r.chosen, known)
            take(r, ev)
    _implemented_as(doc, decision_blocks, known, note)
    _bold_means(doc, decision_blocks, known, note)
    _turned_down_headings(doc, known, note)
    from .. import gazetteer

    if _role_lines(doc, decision_blocks, known, note):
        # "DDoS protection, WAF and rate limiting" answered role by role: the title names the roles, and no name in
        # it is a choice of its own (as when its grammar said what the record decides)
        rec.title_read = True
    # "- Container registry: **GHCR** (GitHub Container Registry) by default.": a role, then its choice in bold
    for block in decision_blocks[:15]:
        m = ROLE_CHOICE.match(block.text)
        bold_value = re.match(r"^[-*+\d.)\s]*[^*_:]{2,40}:\s+(?:\*\*|__)", doc.line_text(block.line))
        if m and block.strong and bold_value and m.group("rest").startswith(block.strong[0]):
            found = decisions.names_in(split_parenthetical(block.strong[0])[0], known)
            # a known technology, not a setting's value ("Realm name: **atlas-erp**", "**atlas.<domain>.dlq.v1**")
            if found and found[0].start == 0 and not re.search(r"[<>{}$*]", found[0].text) \
                    and (gazetteer.load().get(found[0].text) or found[0].text in known):
                note("chosen", found[:1], evidence_at(doc, block.line, "prose", block.text, 0.7))
            continue
        # "GitHub Actions" alone, "- Bitwarden for user-oriented secrets": a decision line that opens with a known
        # technology and says no more than what it is for names the choice without a verb
        lead = NAMED_CHOICE.match(block.text.strip())
        if lead and not decisions.names_in(lead.group("rest") or "", known):
            found = decisions.names_in(lead.group("name"), known)
            if found and found[0].start == 0 and found[0].end == len(lead.group("name")) \
                    and gazetteer.load().get(found[0].text) is not None:
                note("chosen", found[:1], evidence_at(doc, block.line, "prose", block.text, 0.7))
    # a technology table under the decision heading lists what was chosen ("| Canary Controller | Flagger |")
    for table in doc.tables:
        # only a column that names the choice ("Tool", "Technology", "Choice"): "| Product | Protocol |" under
        # the decision may list what the decision is about, not what it chose
        tool = column(table.header, ("tool", "tools", "technology", "technologies", "solution", "choice", "chosen",
                                     "selected", "selection", "implementation", "technology/tool", "tool/technology")) \
            if _is_decision_section(table.section) else None
        if tool is None:
            continue
        for row, line in zip(table.rows, table.row_lines):
            for part in split_compound(row.get(tool, "")):
                found = decisions.names_in(split_parenthetical(part)[0], known)
                if found and found[0].start == 0:
                    note("chosen", found[:1], evidence_at(doc, line, "table"))
    kept = _options(doc, rec, known, choices)
    _weighed_in_context(doc, decision_blocks, known, choices)
    _instead_of_choice(doc, decision_blocks, known, choices)
    _replaced_by_choice(doc, rec, choices, kept, known, set_aside)
    # "Raw Kubernetes manifests for Keycloak": what the decision is for is its subject, which none of its options turns
    # down, nor a variant kg would read as the subject itself ("Keycloak Operator": how the subject is run; the
    # resolve stage would make it an alias of Keycloak). "RabbitMQ Cluster Operator" is another product, and stays.
    about = re.search(r"\bfor\s+(?P<subject>.+)$", rec.title, re.I)
    heading_code = frozenset(c for s in doc.sections[:1] for c in s.code)
    subjects = [n.text.lower() for n in decisions._first(about.group("subject"), heading_code)
                if n.start <= 4 and _plausible(n.text)] if about else []

    def the_subject(name: str) -> bool:
        low = name.lower()
        return any(low == t or low.startswith(t + " ") and GENERIC_TAIL.fullmatch(low[len(t) + 1:]) for t in subjects)

    choices = [c for c in choices if c[0] != "rejected" or not the_subject(c[1].text)]
    # "Retire Use of X", "Phase out X": what the title retires, no sentence of the record chooses (a title that
    # only prefers another, "Use X instead of Y", may still keep Y where its options say so)
    retired = {k for n in title_reading.removed for k in _keys(n)}
    # and what the record replaces ("Mongo Replacement by DocumentDB" … "apps that use MongoDB should move"): a
    # record never decides what it replaces
    retired |= {name_key(old) for old, new, _ev in rec.replaced if name_key(old) != name_key(new)}
    choices = [c for c in choices if c[0] != "chosen" or not _keys(c[1]) & retired]
    if rec.status in ("Rejected", "Withdrawn", "Abandoned"):
        # a rejected record decides nothing: what it proposed is what was turned down
        choices = [("rejected" if kind == "chosen" else kind, n, ev) for kind, n, ev in choices]
    if rec.status in UNSETTLED_STATUSES:
        # a proposal retires nothing yet: "deprecate GraphQL" in a Proposed record is a plan, not a change made
        choices = [c for c in choices if c[0] != "removed"]
        rec.replaced = []
    # the outcome, after a label that stands alone ("Chosen option:" then "To be determined …" below it)
    outcome = re.sub(r"^\W*chosen\s+option\s*:?\s*", "", " ".join(b.text for b in decision_blocks[:2]), flags=re.I)
    if decision_blocks and UNDECIDED.match(outcome):
        # "Decision Outcome: (( to be taken ))": the record has not chosen yet, whatever its title proposes
        rec.undecided = True
        choices = [c for c in choices if c[0] != "chosen"]
    choices = [(kind, _product_of_use(n, doc) if kind in ("chosen", "rejected") else n, ev) for kind, n, ev in choices]
    chosen = {k for kind, n, _ in choices if kind == "chosen" for k in _keys(n)}
    for kind, n, ev in choices:
        aliases = [n.abbreviation] if n.abbreviation else []
        # a decision names its subject even when it is a common word ("We will use Node")
        props: dict[str, object] = {"status": "removed"} if kind == "removed" else {"named_by_decision": True}
        out.mentions.append(Mention(n.text, "Component", ev, props=props, aliases=aliases))
        if kind == "chosen":
            rec.decided.append(Choice(n.text, ev, "decision"))
        elif kind == "rejected" and not _keys(n) & chosen:
            rec.rejected.append(Choice(n.text, ev, "decision"))
    for old_name, new_name, ev in rec.replaced:
        out.facts.append(Fact(old_name, "replacedBy", new_name, ev))


# what a record says it moves off: "we looked into alternatives to X", "We previously used X as …", a heading
# "Migration from X"
MOVED_OFF = re.compile(r"\b(?:alternatives?\s+to|a\s+replacement\s+for|replacing|move\s+away\s+from|"
                       r"migrate\s+away\s+from|moving\s+away\s+from|migration\s+from|migrating\s+(?:away\s+)?from|"
                       r"(?:previously|formerly|originally)\s+used|used\s+to\s+use|"
                       # "This replaces the previous updown.io checks": the record's choice replaces it
                       r"(?:this|it)\s+replaces(?:\s+(?:the|our))?(?:\s+(?:previous|old|former|existing|legacy))?)\s+",
                       re.I)


# what a sentence thinks of a move, not a move made: "migrating away from X feels like …", "… seems costly"
OPINION = re.compile(r"\b(?:feels?|seems?|appears?|sounds?|would|could|might|if|whether)\b", re.I)


def _product_key(name: str) -> str:
    """'Synology CSI Driver' and 'Synology CSI' are one product: the key without a kind of thing at its end."""
    words = name.split()
    while len(words) > 1 and GENERIC_TAIL.fullmatch(words[-1]):
        words.pop()
    return name_key(" ".join(words))


def _replaced_by_choice(doc: Document, rec: AdrRecord, choices: list[tuple[str, Name, Evidence]], kept: list[Name],
                        known: frozenset[str], set_aside: frozenset[int] | set[int]) -> None:
    """In a record that chose one product, what it says it moves off is replaced by that product: 'alternatives to
    X', 'We previously used X', a heading 'Migration from X', an option of keeping X ('Continue with X') that it turned
    down, and an option it turned down that its text retires ('We need to deprecate our X')."""
    chosen_names = [n for kind, n, _ in choices if kind == "chosen"]
    if len({_product_key(n.text) for n in chosen_names}) != 1:
        return
    new = chosen_names[0].text

    def moved_off(gone: Name, ev: Evidence) -> None:
        # ("Notify" of "GOV.UK Notify": one product, written short)
        old_words, new_words = gone.text.lower().split(), new.lower().split()
        shorter = min(len(old_words), len(new_words))
        if old_words[-shorter:] == new_words[-shorter:]:
            return
        if _plausible(gone.text) and _product_key(gone.text) != _product_key(new) \
                and not decisions.same_product(gone.text, new) \
                and (gone.text, new) not in {(old, by) for old, by, _ev in rec.replaced}:
            rec.replaced.append((gone.text, new, ev))
            choices.append(("removed", gone, ev))

    texts = [(b.text, b.line, frozenset(b.code)) for b in doc.blocks
             if b.line not in set_aside and not decisions.HEDGED_ASIDE.search(b.text)]
    texts += [(clean_name(sec.title), sec.line, frozenset(sec.code)) for sec in doc.sections[1:]]
    for text, line, code in texts:
        for m in MOVED_OFF.finditer(text):
            sentence = next((x for x in SENTENCE.split(text) if m.group(0) in x), text)
            if OPINION.search(sentence):
                continue  # "migrating away from InfluxDB feels like it adds more cost than benefits": no move made
            rest = text[m.end():]
            # "replacing Kubernetes API auth": one function of a product, which stays
            written = decisions.names_in(rest, known | code)
            # ("This replaces the previous updown.io checks": what did the job before, its checks or its alerts)
            gone = written if re.match(r"(?:this|it)\s", m.group(0), re.I) else decisions.removed_things(written, rest)
            # ("The migration from CircleCI to GitHub Actions": a move with its own destination, read as such)
            if gone and gone[0].start < 3 and not re.match(r"\s+(?:to|onto|into)\s", rest[gone[0].end:]):
                moved_off(gone[0], evidence_at(doc, line, "prose", text))
    for n in kept:
        moved_off(n, evidence_at(doc, rec.evidence.line, "prose"))
    # "We need to deprecate our NFS storage provider" of the option "NFS Storage Provider": that option retired
    turned_down = {n.text.lower(): n for kind, n, _ in choices if kind == "rejected" and " " in n.text}
    for text, line, _code in texts:
        if not turned_down or not decisions.REMOVE_VERB.search(text):
            continue
        for m in decisions.REMOVE_VERB.finditer(text):
            lead = re.match(r"(?:the\s+|our\s+|its\s+|their\s+)?(?P<name>[^,;.()]+)", text[m.end():], re.I)
            named = next((n for label, n in turned_down.items()
                          if lead and re.match(re.escape(label) + r"\b", lead.group("name"), re.I)), None)
            if named is not None and not re.search(r"\b(?:not|no|never|if|whether)\b", text[:m.start()], re.I):
                moved_off(named, evidence_at(doc, line, "prose", text))


# what a product is used as, at the end of a decision's name: "ElastiCache Session Store", "AWS Glue Job"
USE_WORDS = frozenset("""store stores storage cache database db queue queues bus broker job jobs instance instances
cluster clusters server servers""".split())


def _product_of_use(name: Name, doc: Document) -> Name:
    """'ElastiCache Session Store' over a record that writes 'the session store', 'a python based AWS Glue Job' over
    'the AWS Glue job': a known product and the everyday words of what it is used as, which the record also writes
    in lower case; the product is what was chosen or turned down (not 'GitHub Actions', a product of its own, nor
    'Thanos Receive', whose 'receive' the record never writes as a word)."""
    from .. import gazetteer

    words = name.text.split()
    known = gazetteer.load()
    if len(words) < 2 or known.get(name.text) is not None:
        return name
    for cut in range(len(words) - 1, 0, -1):
        head, tail = " ".join(words[:cut]), words[cut:]
        record = known.get(head)
        if record is None or record.common_word or not all(is_everyday_word(w) for w in tail) \
                or tail[-1].lower() not in USE_WORDS:
            continue  # (not "Kubernetes Secrets", "Nginx Plus", "GitHub Issues": a part or an edition of it)
        # the tail as plain words, in lower case ("the session store", "the AWS Glue job")
        plain = re.compile(r"(?<![\w-])" + r"\s+".join(
            re.escape(w.lower()) for w in tail) + r"(?![\w-])")
        if any(plain.search(b.text) for b in doc.blocks):
            return Name(head, name.abbreviation, name.start, name.start + len(head))
        return name
    return name


# words for a kind of thing, never the name of one ("Node" stays: it is Node.js as often as a server)
KINDS_OF_THING = frozenset("""api apis rest service services database databases platform queue queues storage server
servers application applications app apps backend frontend cluster infrastructure system systems tool tools library
framework sdk cli ui""".split())


def _plausible(name: str) -> bool:
    """A name a decision can be about: not an ADR reference, a number, a sentence, a pronoun or a kind of thing."""
    if not name or len(name) < 2 or len(name) > 60 or len(name.split()) > 6:
        return False  # "B was chosen": an option's letter
    if ADR_ID.search(name) or re.fullmatch(r"[\d\W]+", name):
        return False
    if re.fullmatch(r"[a-z]{2,}(?:[A-Z][a-z0-9]{2,})+", name) or re.search(r"/v\d+\b|\(\)$|^x-", name):
        return False  # code: a field or method ("apiVersion", "toLocaleString"), an API version ("example.io/v1")
    if _approach(name) or STYLE_OPTION.fullmatch(name):
        return False
    # "API keys / basic auth": a kind of thing ("API") is no product a record could choose or turn down
    return name.lower() not in decisions_stopwords() and name.lower() not in KINDS_OF_THING


# an option that is a way to lay things out or to leave them: "Mono Repo", "Leave As-Is", "Keep as is"
STYLE_OPTION = re.compile(r"(?:mono|multi|poly)[- ]?repo(?:sitory|s)?|monolith(?:ic)?|(?:leave|keep|stay)\s+(?:it\s+|them\s+)?"
                          r"as[- ]is|status quo|do nothing|nothing", re.I)
APPROACH_VERB = re.compile(r"^(?:improve|keep|refine|extend|enhance|add|remove|replace|write|build|create|adopt|"
                           r"migrate|move|switch|introduce|reduce|increase|handle|run|use)$", re.I)
APPROACH_ADJECTIVE = re.compile(r"^(?:manual|manually|custom|bespoke|automatic|automated|separate|single|shared|"
                                r"dedicated|existing|current|simple|hybrid|in-house|home-?grown|self-built|"
                                r"hand-?written|ad-hoc|ad hoc)$", re.I)


def _approach(name: str) -> bool:
    """'Manual Sorting', 'Shared Database', 'Custom Scripts', 'Improve Race Condition Handling': a way of working,
    named by an option's heading in title case; no product (each word after the adjective or verb an everyday word
    or a gerund)."""
    words = name.split()
    return len(words) >= 2 and (APPROACH_ADJECTIVE.match(words[0]) is not None or APPROACH_VERB.match(words[0])
                                is not None) and all(
        is_everyday_word(w) or re.fullmatch(r"[A-Za-z][a-z]+ing", w) for w in words[1:])


# "Why not KCL", "Why not use Go?": a heading that argues against a name
WHY_NOT = re.compile(r"^\W*why\s+not\s+(?:just\s+)?(?:use\s+|using\s+|adopt\s+|choose\s+)?(?P<rest>.+?)\W*$", re.I)
# "Reasons for dropping at the long list stage", "Reasons for not selecting …", "Rejected alternatives": the names
# under it (its sub-headings, its list items led by a bold name) were turned down
TURNED_DOWN_SECTION = re.compile(r"^\W*(?:reasons?\s+(?:for|why)\s+(?:we\s+)?(?:dropping|dropped|rejecting|rejected|"
                                 r"discarding|ruling out|not\s+(?:selecting|choosing|picking|using|adopting|"
                                 r"pursuing))|(?:rejected|discarded|dropped|ruled[- ]out)\s+(?:options?|alternatives?|"
                                 r"candidates|tools|approaches)|"
                                 # an RFC template's question: "What alternatives are we discarding?"
                                 r"(?:what|which)\s+(?:alternatives|options|approaches)\s+(?:are\s+we|we\s+are|did\s+we|"
                                 r"have\s+we|were)\s+(?:discarding|rejecting|ruling out|discarded|rejected|ruled out))\b",
                                 re.I)


def _turned_down_headings(doc: Document, known: frozenset[str],
                          note: Callable[[str, list[Name], Evidence], None]) -> None:
    """The names a record's headings say it turned down: 'Why not X', and each name under 'Reasons for dropping …'
    (a sub-heading, or a list item led by a bold name)."""
    turned_down = [s for s in doc.sections if TURNED_DOWN_SECTION.match(clean_name(s.title))]
    for sec in doc.sections:
        title = clean_name(sec.title)
        m = WHY_NOT.match(title)
        under = any(len(sec.path) == len(t.path) + 1 and sec.path[:-1] == t.path for t in turned_down) \
            and not TURNED_DOWN_SECTION.match(title)
        phrase = m.group("rest") if m else title if under else ""
        # read as an option's label: "Reasons for …" or "Summary of findings" names nothing
        names = decisions.option_names(phrase, [], known | frozenset(sec.code)) if phrase else []
        if names and names[0].start == 0:
            note("rejected", names, evidence_at(doc, sec.line, "prose", title, 0.65))
    for block in doc.blocks:
        if block.kind == "paragraph" and any(block.section == t.path for t in turned_down) \
                and len(block.text) <= 80 and not SENTENCE.search(block.text.rstrip(". ")):
            # "Switching immediately to Cloud Run.": a line of its own that names the option turned down
            label = re.sub(r"^\W*(?:switching|moving|migrating|changing)\b(?:\s+[a-z]+){0,3}?\s+(?:to|onto)\s+", "",
                           block.text.rstrip(". "), flags=re.I)
            names = decisions.option_names(label, [], known | frozenset(block.code))
            if names and names[0].start == 0:
                note("rejected", names, evidence_at(doc, block.line, "prose", block.text, 0.65))
            continue
        if block.kind == "item" and block.depth <= 1 and block.strong and block.text.startswith(block.strong[0]) \
                and any(block.section == t.path for t in turned_down):
            names = decisions.names_in(block.strong[0], known | frozenset(block.code))
            if names and names[0].start == 0:
                note("rejected", names, evidence_at(doc, block.line, "prose", block.text, 0.65))


# a decision paragraph that introduces the parts of its choice: "Chosen option: Option C, implemented as:"
PARTS_INTRO = re.compile(r"\b(?:implemented (?:as|with|by|using)|consist(?:s|ing)? of|compris(?:es|ing)|made up of|"
                         r"built (?:from|with)|(?:the )?following (?:tools|components|technologies|services|products)|"
                         r"(?:tools|stack|tooling) (?:is|are))\b[^.]*:\s*$", re.IGNORECASE)


def _implemented_as(doc: Document, decision_blocks: list[Block], known: frozenset[str],
                    note: Callable[[str, list[Name], Evidence], None]) -> None:
    """The tools a decision lists as its parts ("implemented as: 1. **gitleaks** - … 2. **Trivy workflow**: …"):
    the name each item leads with, when it is marked as a name (a known technology, a code span, bold
    lower case, capitals inside, a digit or a hyphen); "**Weekly secret scan**" names a task, not a tool."""
    from .. import gazetteer

    technologies = gazetteer.load()
    listing = False
    for block in decision_blocks:
        if block.kind != "item":
            listing = bool(PARTS_INTRO.search(block.text))
            continue
        if not listing or block.depth > 1:
            continue
        lead = block.strong[0] if block.strong and block.text.startswith(block.strong[0]) else \
            (block.code[0] if block.code and block.text.startswith(block.code[0]) else "")
        if not lead:
            continue
        found = decisions.names_in(lead, known | {lead.split()[0]})
        if not found or found[0].start != 0:
            continue
        name = found[0]
        marked = technologies.get(name.text) is not None or name.text in known or name.text.islower() \
            or re.search(r"[A-Z].*[A-Z]|\d|[-.+#]", name.text) is not None and len(name.text) > 2
        if marked and _plausible(name.text):
            note("chosen", [name], evidence_at(doc, block.line, "prose", block.text, 0.7))


# "Research was done on the following tools: Structurizr and PlantUML", "both CircleCI and GitHub Actions were
# considered": the candidates a record's context names
CANDIDATES_INTRO = re.compile(r"\bresearch\s+(?:was\s+)?(?:done|carried\s+out)\s+(?:on|into)\s+(?:the\s+following"
                              r"(?:\s+\w+)?\s*)?:?\s*", re.I)


# a list offered as the things to pick from: "AWS offers 2 hosting platforms for containers: A and B", "Options
# include A, B and C", "we could use A or B" (not a passing mention of products)
OFFERED_CHOICES = re.compile(r"\b(?:offers?|provides?|there\s+(?:are|were))\s+(?:two|three|four|five|[2-9]|several|"
                             r"a\s+few|a\s+number\s+of|multiple)\s+(?:[\w-]+\s+){0,6}?(?:options|choices|platforms|"
                             r"products|offerings|services|tools|alternatives|candidates)\b[^:.;]{0,60}:\s*|"
                             r"\b(?:the\s+)?(?:options|choices|candidates)\s+(?:include|are|were)\s*:?\s+|"
                             r"\bwe\s+could\s+(?:use|choose|adopt|pick)\s+(?=[^.;]*\bor\b)", re.I)
BOTH_WEIGHED = re.compile(rf"\bboth\s+(?P<names>.+?)\s+(?:were|have\s+been)\s+(?:also\s+)?{decisions.WEIGHED}\b", re.I)


def _weighed_in_context(doc: Document, decision_blocks: list[Block], known: frozenset[str],
                        choices: list[tuple[str, Name, Evidence]]) -> None:
    """Candidates the context names ('both X and Y were considered'), once the record chose one of them: the
    others were turned down."""
    chosen = {k for kind, n, _ev in choices if kind == "chosen" for k in _keys(n)}
    if not chosen:
        return
    candidates: list[tuple[Name, Evidence]] = []
    alternatives: list[tuple[Name, Evidence]] = []  # "Alternatives considered were X": never the choice
    for block in doc.blocks:
        if block in decision_blocks or _in_options(block.section):
            continue
        code = known | frozenset(block.code) | frozenset(lk.text for lk in doc.links if lk.line == block.line)
        for sentence in SENTENCE.split(block.text):
            m = CANDIDATES_INTRO.search(sentence) or OFFERED_CHOICES.search(sentence)
            both = BOTH_WEIGHED.search(sentence)
            names = decisions.split_slashes(decisions.names_in(sentence[m.end():], code)) if m else \
                decisions.split_slashes(decisions.names_in(both.group("names"), code)) if both else \
                decisions.weighed_alternatives(sentence, code)
            ev = evidence_at(doc, sentence_line(doc, block.line, block.end_line, sentence), "prose", sentence, 0.6)
            candidates += [(n, ev) for n in names if _plausible(n.text)]
            # ("The alternatives considered were …", not "… for which alternatives considered were …")
            listed = decisions.WEIGHED_LIST.search(sentence.strip())
            if listed and len(sentence.strip()[:listed.start()].split()) <= 2:
                alternatives += [(n, ev) for n in decisions.split_slashes(decisions.names_in(
                    sentence.strip()[listed.end():], code)) if _plausible(n.text)]
    for n, ev in alternatives:
        if not _keys(n) & chosen:
            choices.append(("rejected", n, ev))
    if not any(_keys(n) & chosen for n, _ev in candidates):
        return  # the record chose something the context did not weigh: its candidates say nothing of it
    for n, ev in candidates:
        if not _keys(n) & chosen:
            choices.append(("rejected", n, ev))


def _instead_of_choice(doc: Document, decision_blocks: list[Block], known: frozenset[str],
                       choices: list[tuple[str, Name, Evidence]]) -> None:
    """Outside its decision, a record that says its choice is used in place of another product ("Consequences: …
    refactored to use MongoDB instead of Postgres") turned that product down, read as a decision's sentence is; a
    choice it did not make says nothing (a sentence of the context may tell what others did)."""
    chosen = {k for kind, n, _ev in choices if kind == "chosen" for k in _keys(n)}
    if not chosen:
        return
    for block in doc.blocks:
        if block in decision_blocks or not re.search(r"\binstead\b|\brather than\b|\bin place of\b", block.text):
            continue
        for sentence in SENTENCE.split(block.text):
            r = decisions.read_sentence(sentence, known | frozenset(block.code), in_decision=True)
            if not any(_keys(n) & chosen for n in r.chosen):
                continue
            ev = evidence_at(doc, sentence_line(doc, block.line, block.end_line, sentence), "prose", sentence, 0.65)
            choices.extend(("rejected", n, ev) for n in r.rejected if not _keys(n) & chosen and _plausible(n.text))


def _options(doc: Document, rec: AdrRecord, known: frozenset[str],
             choices: list[tuple[str, Name, Evidence]]) -> list[Name]:
    """The options the record weighed, which one it chose and which it turned down; returns the names of the options
    turned down that would have kept what is there ("Continue with Rook-Ceph")."""
    from .. import gazetteer

    every_option = weighed_options(doc, known, nameless=True)
    options = [o for o in every_option if o.names]
    decision_blocks = [b for b in doc.blocks if _is_decision_section(b.section)]
    decision_text = " ".join(b.text for b in decision_blocks)
    # the option a decision names, read a block at a time: "Chosen Alternative: MADR" ends with its list item
    named = next(((b, ref) for b, ref in ((b, decisions.chosen_option_reference(b.text)) for b in decision_blocks)
                  if ref != ("", "")), None)
    number, label = named[1] if named else decisions.chosen_option_reference(decision_text)
    # the option the label names, among all weighed (one that names no technology is still the choice)
    labelled = _options_named(label, every_option) if label else []
    if label and named and not labelled and not decisions.ACTION_OPTION.match(label.strip("\"“” ")):
        # 'Chosen option: "Reuse the dfe-analytics pattern"' matching no option read here: the name it holds
        found = decisions.names_in(decisions.LEADING_VERB.sub("", label.strip("\"“” ")), known)
        if found and _plausible(found[0].text) and not (" " not in found[0].text and found[0].text[:1].isupper()
                                                         and is_everyday_word(found[0].text)):
            choices.append(("chosen", found[0], evidence_at(doc, named[0].line, "prose", named[0].text)))
    if number and not any(o.number == number for o in options):
        # "We chose option 1, Spring Boot, since …" for an option listed as a bare link: the name the decision gives it
        for block in decision_blocks:
            after = re.search(decisions.NAMED_AFTER_NUMBER.format(re.escape(number)), block.text, re.I)
            rest = block.text[after.end():] if after else ""
            found = decisions.names_in(rest, known)
            # the name stands alone as the option's label ("option 1, Spring Boot, since"), not the start of a phrase
            # ("Option 4: Extending our use of …")
            if found and found[0].start == 0 and _plausible(found[0].text) \
                    and (rest[found[0].end - 1] in ",;.)" or re.match(r"\s*(?:[,;.)(]|$)", rest[found[0].end:])) \
                    and not (" " not in found[0].text and is_everyday_word(found[0].text)):
                choices.append(("chosen", found[0], evidence_at(doc, block.line, "prose", block.text)))
                break
    if not options:
        return []
    for opt in options:
        for n in opt.names:
            rec.options.append((n.text, evidence_at(doc, opt.line, "prose")))
    picked: list[decisions.Option] = []
    if number:
        picked = [o for o in options if o.number == number]
    if not picked and label:
        picked = labelled
    picked += [o for o in options if o.chosen_here and o not in picked]
    # "#### Option B: set a TTL (chosen)", "(#2) Use …" for an option whose label names nothing read here: an option
    # that names no technology may still be the one chosen
    # (an option picked only by its number, whose label names nothing: the others' labels are ways of doing it as often
    # as products, and only a known technology among them was turned down)
    by_number_only = bool(number) and not picked and any(not o.names and o.number == number and not o.chosen_here
                                                         for o in every_option)
    nameless_chosen = by_number_only or any(not o.names and o.chosen_here for o in every_option)
    chosen_keys = {k for kind, n, _ in choices if kind == "chosen" for k in _keys(n)}
    for o in picked:  # the option the record names as its choice: everything in it is chosen
        ev = evidence_at(doc, o.line, "prose")
        for n in o.names:
            if not _keys(n) & chosen_keys and _plausible(n.text):
                choices.append(("chosen", n, ev))
                chosen_keys |= _keys(n)
    known_choice = bool(picked) or nameless_chosen or any(_keys(n) & chosen_keys for o in options for n in o.names)
    # 'Chosen option: "sfs"' names the choice even when it matches no option read here: never guess another by counting
    named_choice = bool(number or label)
    # alternatives to a decision that chose something else were each turned down
    only_alternatives = all(o.alternative for o in options)
    known_choice = known_choice or bool(chosen_keys) and only_alternatives
    # alternatives to the decision ("Alternatives considered") are what it did not choose: counting their names in
    # it would read "they never call Stripe" as choosing to call Stripe
    if not known_choice and decision_text and not only_alternatives and not named_choice:
        # a decision that names one of the options more often than any other has chosen it
        # an option whose own text turns it down ("Option A: … (rejected)") is never the one counted in
        counts = sorted(((sum(len(re.findall(r"(?<![\w-])" + re.escape(n.text) + r"(?![\w-])", decision_text, re.I))
                              for n in o.names), i) for i, o in enumerate(options) if not o.rejected_here),
                        reverse=True)
        if counts and counts[0][0] > 0 and (len(counts) == 1 or counts[0][0] > counts[1][0]):
            winner = options[counts[0][1]]
            for n in winner.names:
                if _plausible(n.text):
                    choices.append(("chosen", n, evidence_at(doc, winner.line, "prose")))
                    chosen_keys |= _keys(n)
            known_choice = True
    # once the choice is known, every other option's name was turned down; an option that says
    # "Rejected due to cost" was turned down whatever was chosen
    kept: list[Name] = []
    # "**Docker Compose + Tilt**" when the record chose Docker Compose: the one option holding the choice is the option
    # taken, none of it turned down (not "Open source catalogues (Findlane, Shelfwise)", examples of which the record
    # chose one; nor "Harbor + Trivy" beside "Trivy in CI/CD" and "Trivy Operator", all holding the choice)
    chosen_texts = [n.text for kind, n, _ in choices if kind == "chosen"]
    holding = [o for o in every_option if any(_keys(n) & chosen_keys for n in o.names)
               or any(re.search(r"(?<![\w-])" + re.escape(t) + r"(?![\w-])", o.label, re.I) for t in chosen_texts)]
    combination_taken = holding[0] if len(holding) == 1 and not holding[0].rejected_here \
        and COMBINED_OPTION.search(holding[0].label) else None
    for o in options:
        if not known_choice and not o.rejected_here:
            continue
        if o is combination_taken:
            continue
        if decisions.only_variant(o.label) and any(decisions.same_product(n.text, c.text)
                                                    or n.text.lower().endswith(" " + c.text.lower())
                                                    for n in o.names for kind, c, _ev in choices if kind == "chosen"):
            # "### 1. Dapr Only", "### 2. Direct Redis Streams Only" when the record chose Dapr Pub/Sub and Redis
            # Streams together: a variant of its decision, no product turned down
            continue
        ev = evidence_at(doc, o.line, "prose")
        for n in o.names:
            if by_number_only and not o.rejected_here and (n.text not in known and gazetteer.load().get(n.text) is None
                                                           or n.text not in o.label):
                continue  # "(#2) …" over "### 1. Internal Django app", "### 3. Microservice": a way, no product
            if not _keys(n) & chosen_keys and _plausible(n.text) and not _qualifies(n, o.label):
                choices.append(("rejected", n, ev))
                label = decisions.OPTION_LABEL.sub(r"\g<rest>\g<rest2>", o.label)
                keep = KEEP_OPTION.match(label)
                # what the verb keeps is the name ("Continue to use Backbone"; not "Keep current GitHub flow. See the
                # [Step-by-step guide](…)")
                if keep and re.match(r"(?:the\s+|our\s+|current\s+|existing\s+)*" + re.escape(n.text), label[keep.end():],
                                     re.I):
                    kept.append(n)
    return kept


# an option that combines products: "Docker Compose + Tilt", "Redis and Sentinel", "Vault with Consul storage"
COMBINED_OPTION = re.compile(r"^[^(:]*?\s(?:\+|&|and|with|plus|alongside)\s", re.I)
# an option of keeping what is there: "Continue with Rook-Ceph", "Continuing to use Smithy", "Keep X", "Stay on X"
KEEP_OPTION = re.compile(r"^\W*(?:continue|continuing|keep|keeping|stay|staying|remain|remaining|stick|sticking)\s+"
                         r"(?:with\s+|on\s+|using\s+|to\s+use\s+)?", re.I)


def _qualifies(name: Name, label: str) -> bool:
    """Whether an option's label uses the name to qualify what the option is ("ECR enhanced scanning only"): turning
    the option down turns down that use of it, not the product."""
    at = label.find(name.text)
    if at < 0 or re.match(r"\s+(?:only|alone|[a-z]+ed\s+(?:in|on|by|with|at|into|inside|within|as|for|to|from))\b", label[at + len(name.text):], re.I):
        return False  # "EBS only (rejected)", "Spring Authorization Server embedded in …": the product itself
    return not decisions.name_heads([Name(name.text, None, at, at + len(name.text))], label)


# where an option's label stops naming it: a trailing note in brackets, a clause after a comma, "… now", "… with …"
OPTION_CORE_END = re.compile(r"\s*\(|,|;|\s+[-–—]\s|\s+(?:now|today|first|initially|with|plus)\b", re.I)


def _option_core(text: str) -> str:
    """'Selective sidecar injection now, with ambient mode later' -> 'selective sidecar injection'."""
    text = text.strip("\"“”' ")
    m = OPTION_CORE_END.search(text)
    return re.sub(r"\W+", " ", text[:m.start()] if m and m.start() > 0 else text).strip().lower()


def _options_named(label: str, options: list[decisions.Option]) -> list[decisions.Option]:
    """The option a decision's label names: the options it names exactly, else the one option whose label and the
    decision's agree once trailing notes are dropped (one the prefix of the other, whole words), or share most
    words ('Chosen option: "Enable X self-signed TLS"' for '- Enable X self-signed TLS (default behaviour)')."""
    exact = [o for o in options if _names_option(label, o)]
    if exact:
        return exact
    core = _option_core(label)
    if len(core) < 8 or len(core.split()) < 2:
        return []
    cores = [(o, _option_core(o.label.split("\n")[0])) for o in options]
    prefix = [o for o, c in cores if len(c) >= 8 and (c == core or c.startswith(core + " ") or core.startswith(c + " "))]
    if len(prefix) == 1:
        return prefix
    if prefix:
        return []
    words = set(core.split()) - {"the", "a", "an", "of", "for", "to", "and", "or", "in", "on"}
    overlap = [o for o, c in cores
               if words and len(words & set(c.split())) >= max(2, 0.75 * max(len(words), len(set(c.split()))))]
    return overlap if len(overlap) == 1 else []


def _names_option(label: str, option: decisions.Option) -> bool:
    """Whether the label a decision gives its choice ('Chosen option: "Option 2 - Kafka"') is this option's."""
    key = re.sub(r"\W+", " ", label).strip().lower()
    return re.sub(r"\W+", " ", option.label).strip().lower().endswith(key) or key in {n.text.lower() for n in option.names}


def _keys(n: Name) -> set[str]:
    return {k for k in (name_key(n.text), name_key(n.abbreviation or "")) if k}


def weighed_options(doc: Document, known: frozenset[str] = frozenset(), nameless: bool = False) -> list[decisions.Option]:
    """Options from 'Options considered' sections (their sub-headings or list items), 'Option N' headings,
    and lists introduced as options ('Some options … were considered:'); with `nameless`, also the options whose
    labels name no technology ('Selective sidecar injection'), which a decision may still choose."""
    options: list[decisions.Option] = []
    option_sections = [s for s in doc.sections if OPTIONS_SECTION.match(clean_name(s.title))]
    # "Three main options were considered:" then "### 1. External Secrets Operator (ESO)", "### 2. …": the numbered
    # headings under a section that says it weighs options are its options
    introduced = {b.section for b in doc.blocks if b.kind == "paragraph" and b.section and len(b.text) < 200
                  and OPTIONS_INTRO.search(b.text)}
    for sec in doc.sections:
        title = clean_name(sec.title)
        parent = sec.path[-2] if len(sec.path) >= 2 else ""
        under = any(parent == o.title for o in option_sections) or sec.path[:-1] in introduced \
            and re.match(r"^\d{1,2}[.)]\s+\S", title) is not None
        numbered = decisions.OPTION_LABEL.match(title) is not None and re.match(r"^\s*(option|alternative)", title, re.I)
        if not (under or numbered) or NOT_AN_OPTION.match(title):
            continue
        links = [lk.text for lk in doc.links if lk.line == sec.line and lk.text]
        names = decisions.option_names(title, links, known | frozenset(sec.code))
        body = [b for b in doc.blocks if b.section[:len(sec.path)] == sec.path]
        rejected_here = any(re.match(r"^\W*(?:rejected|not chosen|ruled out|discarded|dismissed)\b", b.text, re.I)
                            for b in body[:3]) or bool(REJECTED_MARK.search(title))
        chosen_here = bool(CHOSEN_MARK.search(title))
        if names or nameless:
            options.append(decisions.Option(decisions.option_number(title), title, names, sec.line, rejected_here,
                                            chosen_here, under and _alternatives(sec.path[-2])))
    # a list under one option's own heading gives that option's details, not more options
    option_titles = {o.title for o in option_sections}
    listed = [b for b in _option_level(option_items(doc))
              if not (len(b.section) >= 2 and b.section[-2] in option_titles)]
    for i, b in enumerate(listed, 1):
        links = [lk.text for lk in doc.links if b.line <= lk.line <= max(b.end_line, b.line) and lk.text
                 and b.text.find(lk.text) < 60]
        label = b.strong[0] if b.strong and b.text.startswith(b.strong[0]) else b.text
        rest = b.text[len(label):] if b.text.startswith(label) else b.text
        named_by = re.split(r"\s[-–—]\s|:\s", label)[0]
        bare = decisions.OPTION_LABEL.match(named_by)
        if bare and not (bare.group("rest") or bare.group("rest2") or "").strip():
            # "**Option A**: Single tool (gitleaks only)": the label is a number, the text after it names the option
            named_by += " " + re.split(r"\s[-–—]\s|:\s", rest.lstrip(" :*_–—-"))[0]
        names = decisions.option_names(named_by, links[:2], known | frozenset(b.code))
        if not names:
            # "* *sfs* - SQLite with a custom filesystem store": a lower-case name set apart in italics or bold
            lead = re.match(r"^[-*+\d.)\s]*(\*\*|__|\*|_|`)(?P<word>[a-z][\w.+-]{1,29})\1(?=\s|$)", doc.line_text(b.line)) \
                or VERSIONED_LEAD.match(doc.line_text(b.line))
            if lead and not is_everyday_word(lead.group("word")):
                names = [Name(lead.group("word"))]
        chosen_here, rejected_here = decisions.option_verdict(rest)
        chosen_here = chosen_here or bool(CHOSEN_MARK.search(label))  # "**Apache Flink (chosen)** — …"
        rejected_here = rejected_here or bool(REJECTED_MARK.search(label))  # "Option A: … (rejected)"
        if names or nameless:
            options.append(decisions.Option(decisions.option_number(b.text) or str(i), label[:80], names, b.line,
                                            rejected_here, chosen_here,
                                            bool(b.section) and _alternatives(b.section[-1])))
    return _each_once(options)


# "- orjson 3.5.2": a lower-case package with its version leads the item
VERSIONED_LEAD = re.compile(r"^[-*+\d.)\s]*(?P<word>[a-z][\w.+-]{1,29}[a-z0-9])\s+v?\d+(?:\.\d+)+\b")


def _option_level(items: list[Block]) -> list[Block]:
    """The items that are options: the top-level ones, and those under a top-level item that only asks a question
    of several the record decides ("* Migration tool:" then "* Flyway", "* Liquibase"), not its sub-points."""
    out: list[Block] = []
    question = False
    for b in items:
        if b.depth <= 1:
            question = b.text.rstrip().endswith(":") and len(b.text) <= 60
            if not question:
                out.append(b)
        elif b.depth == 2 and question:
            out.append(b)
    return out


def _each_once(options: list[decisions.Option]) -> list[decisions.Option]:
    """Each option once: MADR lists the options under "Considered Options" and weighs each again under a heading
    of its own ("Pros and Cons of the Options"); counted twice, an outcome that names one of them ties."""
    by_label: dict[str, decisions.Option] = {}
    for option in options:
        label = re.sub(r"\W+", " ", option.label.split("\n")[0]).strip().lower()
        first = by_label.setdefault(label, option)
        if first is not option:  # what either place says of it holds, and its number ("Chosen option: 2")
            first.number = first.number or option.number
            first.rejected_here = first.rejected_here or option.rejected_here
            first.chosen_here = first.chosen_here or option.chosen_here
            first.alternative = first.alternative and option.alternative
            first.names = first.names or option.names
    return list(by_label.values())


# an option marked as the one taken: "Apache Flink (chosen)", "### Option 2 - selected"
REJECTED_MARK = re.compile(r"\((?:rejected|not chosen|discarded|ruled out|dropped)\)|[-–—:]\s*(?:rejected|not chosen)\s*$",
                           re.I)
CHOSEN_MARK = re.compile(r"\((?:chosen|selected|recommended|preferred)\)|[-–—:]\s*(?:chosen|selected)\s*$", re.I)


def _alternatives(section_title: str) -> bool:
    """A section of alternatives to the decision ("Alternatives considered"), not of every option weighed."""
    return re.match(r"^(?:other\s+)?alternatives?\b", clean_name(section_title), re.I) is not None


# a paragraph that introduces a list of options: "Options considered:", "We looked at 3 options for …:"
LAST_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
OPTIONS_INTRO = re.compile(r"\b(options?|alternatives?|choices|approaches|candidates)\b.*\b(considered|evaluated|"
                           r"were|are)\b|considered options|\b(?:two|three|four|five|several|many|\d+) (?:main )?"
                           r"(?:choices|options|alternatives|approaches|candidates)\b|\b(?:looked at|looking at|"
                           r"consider(?:ed|ing)|evaluat(?:ed|ing)|compar(?:ed|ing)|investigat(?:ed|ing)|explor(?:ed|ing)|"
                           r"weigh(?:ed|ing)|assess(?:ed|ing)|trial(?:l?ed|l?ing))\b[^.]{0,40}\b(?:options|alternatives|"
                           r"choices|approaches|tools|solutions|candidates|ways|methods|possibilities)\b|"
                           # "There are two main methods we explored:": the verb after the noun
                           r"\b(?:ways|methods|possibilities|solutions|approaches|options)\b[^.:]{0,20}?\b(?:we|were|was|"
                           r"to be)\s+(?:looked at|considered|evaluated|compared|investigated|explored|weighed)\b", re.I)


def option_items(doc: Document) -> list[Block]:
    """List items that name the options a decision weighed ('Options considered:' lists, 'Considered Options')."""
    items, in_options = [], False
    labelled: set[tuple[str, ...]] = set()  # sections whose options are paragraphs with a label of their own
    for b in doc.blocks:
        sec = clean_name(b.section[-1]) if b.section else ""
        if b.kind == "paragraph" and OPTIONS_SECTION.match(sec) and b.strong and b.text.startswith(b.strong[0]) \
                and re.match(r"^\s*(?:option|alternative)\s*\w{1,3}\b", b.strong[0], re.I):
            # "**Option 3a:** Feature flags with Waffle" and its description below: a paragraph of its own per
            # option, whose first line is the option; the lists after it are its pros and cons
            first = re.sub(r"[*_`]", "", doc.line_text(b.line)).strip()
            items.append(replace(b, text=first, end_line=b.line) if b.text.startswith(first) else b)
            labelled.add(b.section)
        elif b.kind == "paragraph" and OPTIONS_SECTION.match(sec) and b.strong \
                and b.text.strip().rstrip(":") == b.strong[0].strip().rstrip(":"):
            # "**Sealed Secrets + Git Storage:**" then "- **Rejected**: …": a bold label per alternative, its verdict
            # the first of the points below it
            at = doc.blocks.index(b)
            after = doc.blocks[at + 1] if at + 1 < len(doc.blocks) else None
            verdict = " (rejected)" if after is not None and after.kind == "item" \
                and re.match(r"^\W*(?:rejected|not chosen|discarded|ruled out)\b", after.text, re.I) else ""
            items.append(replace(b, text=b.text.strip().rstrip(":") + verdict, end_line=b.line))
            labelled.add(b.section)
        elif b.section in labelled:
            continue
        elif b.kind == "paragraph":
            # the cheap tests first: the pattern is slow on a long paragraph, and only a short one or one that
            # ends in a colon introduces options; and only its last sentence does ("… the best option for our
            # needs. Our reasons for choosing it are as follows:" introduces reasons)
            in_options = (b.text.rstrip().endswith(":") or len(b.text) < 200) \
                and bool(OPTIONS_INTRO.search(LAST_SENTENCE.split(b.text.strip())[-1]))
        elif in_options or OPTIONS_SECTION.match(sec):
            items.append(b)
    return items


# ---------------------------------------------------------------- references from indexes and links

def adr_references(doc: Document, out: Extraction) -> None:
    """ADRs named in tables and links (an index, a 'Related ADRs' list), with their titles."""
    if is_template(doc):
        return  # "superseded by [ADR-0005](…)" in a template is an example
    for table in doc.tables:
        title_col = column(table.header, ("title", "name", "decision", "description", "summary"))
        status_col = column(table.header, ("status", "state"))
        repo_col = column(table.header, ("repository", "repo", "location"))
        for row, links, line in zip(table.rows, table.row_links, table.row_lines):
            cells = list(row.values())
            if not cells:
                continue
            found = adr_id(cells[0])
            if not found or not re.fullmatch(rf"\s*{ADR_REFERENCE}\s*", cells[0], re.I):
                # "| 006 | Hybrid CI/CD Strategy | acc | [ADR-006](006-….md) |": a bare number, the record linked further on
                linked = [adr_id(text) for text, _href in links if re.fullmatch(rf"\s*{ADR_REFERENCE}\s*", text, re.I)]
                found = linked[0] if linked and re.fullmatch(r"\s*\d{1,5}\s*", cells[0]) \
                    and canonical_adr_number(int(cells[0])) == linked[0] else None
                if not found:
                    continue
            title = row.get(title_col, "") if title_col else (cells[1] if len(cells) > 1 else "")
            if title_col and title_col == table.header[0]:
                title = cells[1] if len(cells) > 1 else ""
            rec = AdrRecord(id=found, evidence=evidence_at(doc, line, "index" if doc.kind == "index" else "table"),
                            title=clean_name(title), status=row.get(status_col, "") if status_col else "",
                            repository=row.get(repo_col, "") if repo_col else "")
            # an index row's title alone can state a replacement: "Remove Kong, Use Istio"
            for gone, new in decisions.read_title(rec.title).replaced:
                out.mentions.append(Mention(gone.text, "Component", rec.evidence, props={"status": "removed"}))
                out.facts.append(Fact(gone.text, "replacedBy", new.text, rec.evidence))
            for text, href in links:
                if adr_id(text) == found:
                    link = next((lk for lk in doc.links if lk.href == href and lk.line == line), None)
                    if link is not None and link.kind == "internal":
                        rec.document = link.target
            out.adrs.append(rec)
    # an index line that says one record is superseded by another: "[ADR #006 …](…) [superseded by [ADR #023 …](…)]"
    if doc.kind != "adr":
        for block in doc.blocks:
            if block.kind != "item" or "supers" not in block.text.lower() and "superc" not in block.text.lower():
                continue
            first = ADR_ID.search(block.text)
            said = SUPERSESSION.search(block.text, first.end()) if first else None
            second = ADR_ID.search(block.text, said.end()) if said else None
            if first and said and second and said.group("by"):
                ev = evidence_at(doc, block.line, "index" if doc.kind == "index" else "link")
                rec = AdrRecord(id=canonical_adr_number(int(first.group(1))), evidence=ev, status="Superseded")
                rec.superseded_by.append((canonical_adr_number(int(second.group(1))), ev))
                out.adrs.append(rec)
    table_lines = {ln for t in doc.tables for ln in t.row_lines}
    for link in doc.links:
        if link.line in table_lines:
            continue
        found = adr_id(link.text) or (adr_id(link.href.rsplit("/", 1)[-1]) if link.kind != "external" else None)
        if not found or not re.match(r"\s*ADR", link.text, re.I):
            continue
        m = re.match(rf"\s*{ADR_REFERENCE}\s*[:\-–—]?\s*(?P<title>.*)$", link.text, re.I)
        rec = AdrRecord(id=found, evidence=evidence_at(doc, link.line, "link"),
                        title=clean_name(m.group("title")) if m else "")
        rec.document = link.target if link.kind == "internal" else None
        out.adrs.append(rec)


# a record's file written as a code span where a link would be: "**Related:** `docs/adrs/ADR-0037-tagging-policy.md`"
RECORD_PATH = re.compile(r"^(?:[\w.-]+/)*(?P<stem>[^/\s]+)\.md$", re.I)
# front-matter keys that list related records: "relates_to: [ADR-0037, ADR-0037-platform-tagging-policy]"
RELATED_KEYS = ("relates_to", "related", "related_adrs", "related_decisions", "see_also")
RELATED_RECORD = re.compile(r"^ADR[-_ ]?0*(\d{1,5})(?:-[\w-]+)?$", re.I)


def adr_path_references(doc: Document, out: Extraction) -> None:
    """ADRs a document names by their file's path in a code span, or by id in a front-matter list of related
    records: references as a link to them is, present or not."""
    if is_template(doc):
        return
    for block in doc.blocks:
        for span in block.code:
            m = RECORD_PATH.match(span.strip())
            if not m:
                continue
            number = FILE_ADR_NUMBER.match(m.group("stem")) or \
                (FILE_NUMBER.match(m.group("stem")) if DECISION_FOLDER.search("/" + span.strip()) else None)
            if number is None:
                continue
            line = next((n for n in range(block.line, max(block.end_line, block.line) + 1) if span in doc.line_text(n)),
                        block.line)
            out.adrs.append(AdrRecord(id=canonical_adr_number(int(number.group(1))), evidence=evidence_at(doc, line, "link")))
    for key in RELATED_KEYS:
        listed = doc.front_matter.get(key)
        for item in listed if isinstance(listed, list) else ():
            m = RELATED_RECORD.match(str(item).strip())
            if m:
                line = next((n for n, text in enumerate(doc.lines[:200], 1) if re.match(
                    rf"^\s*-\s*['\"]?{re.escape(str(item).strip())}['\"]?\s*$", text)), 1)
                out.adrs.append(AdrRecord(id=canonical_adr_number(int(m.group(1))),
                                          evidence=evidence_at(doc, line, "link")))


def adr_subject(doc: Document, out: Extraction, gaz: Gazetteer) -> str | None:
    """The one component an ADR document decides on (its choice, else its title), if there is one."""
    if doc.kind != "adr":
        return None
    chosen = {gaz.lookup(c.name, "Component") for rec in out.adrs if rec.document == doc.path
              for c in rec.decided} - {None}
    if not chosen:
        chosen = {h[2] for h in gaz.scan(doc.title) if gaz.type_of(h[2]) == "Component"}
    return next(iter(chosen)) if len(chosen) == 1 else None


# ---------------------------------------------------------------- entities and relations

def _two_repositories_logs(a: str, b: str) -> bool:
    """Whether two logs are decision folders of two repositories."""
    return a.split("/", 1)[0] != b.split("/", 1)[0] and all(DECISION_FOLDER.search(f"/{log}/") for log in (a, b))


def scope_to_logs(records: list[AdrRecord]) -> None:
    """ADR numbers are unique within one log (the folder a series of records is kept in), not across a workspace:
    two repositories, or two logs of one repository, may each have an ADR-001. Where a number is taken in several
    logs by different records (the same title and date is one record published twice), the largest log keeps the
    plain id (what the workspace's people say "ADR-001" for) and every record of the others takes its log's path
    in front ("records/guardian/ADR-001"). A reference without a document of its own (a citation, "supersedes ADR-3")
    in such a log means a record of that log, present or not; elsewhere, the record of its repository's one log
    with the number, else the plain id. A workspace whose numbers are not taken twice is left as it is, and so is a
    log that does not count from 1: one series kept in several repositories' folders."""
    size: Counter[str] = Counter()  # records per log
    logs_of: dict[str, set[str]] = defaultdict(set)
    titles: dict[tuple[str, str], tuple[str, str]] = {}  # (log, id) -> (title, date)
    for rec in records:
        if rec.document and rec.evidence.method in ("heading", "front-matter"):
            log = posixpath.dirname(rec.document)
            size[log] += 1
            logs_of[rec.id].add(log)
            titles.setdefault((log, rec.id), (name_key(rec.title), iso_date(rec.date) or ""))
    rank = {log: n for n, log in enumerate(sorted(size, key=lambda log: (-size[log], log)))}
    # a log that counts on its own starts at 1 (or 0); one series kept in several repositories' folders does
    # not, and a number taken twice in it is a mistake kg check reports, not two records
    counting = {log for ident in ("ADR-000", "ADR-001") for log in logs_of.get(ident, ())}
    # two logs that give several numbers to records of other titles are two series, wherever each starts (a log
    # published in part, or one that starts at 100); one series spread over several folders shares no numbers
    clashes: Counter[tuple[str, str]] = Counter()
    for ident, logs in logs_of.items():
        ordered = sorted(logs)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                if titles[(a, ident)][0] != titles[(b, ident)][0]:
                    clashes[(a, b)] += 1
    counting |= {log for pair, n in clashes.items() if n >= 2 for log in pair}
    # two repositories' decision folders ("dp/decision-log/0010.md", "runner/doc/architecture/decisions/0010-cookies.md")
    # that give one number to records of other titles are two series: a series kept across repositories is kept in
    # folders of no decision name ("ops/docs/ADR-005-…"), and a record published in both carries one title
    counting |= {log for pair in clashes if _two_repositories_logs(*pair) for log in pair}
    scoped: dict[tuple[str, str], str] = {}
    shared: set[tuple[str, str]] = set()
    in_repository: dict[tuple[str, str], set[str]] = defaultdict(set)
    for ident, logs in logs_of.items():
        if len(logs) < 2:
            continue
        # the same record published in two repositories (the same title, and the same date where both give one)
        # is one record; "Record architecture decisions" of two logs, written on two days, is two
        groups: list[list[str]] = []
        for log in sorted(logs, key=rank.__getitem__):
            in_repository[(log.split("/", 1)[0], ident)].add(log)
            title, date = titles[(log, ident)]
            group = next((g for g in groups if titles[(g[0], ident)][0] == title
                          and (not date or not titles[(g[0], ident)][1] or titles[(g[0], ident)][1] == date)), None)
            if group is None:
                groups.append([log])
            else:
                group.append(log)
        shared.update((log, ident) for log in groups[0][1:])  # the largest log's record, published again
        for group in groups[1:]:  # the first is the record of the largest log
            for log in group if group[0] in counting else ():
                scoped[(log, ident)] = f"{group[0]}/{ident}"
    if not scoped:
        return
    # a log that shares its numbers is named whole: all its records carry its path, not only those taken twice
    scoped_logs = {log for log, _ident in scoped}
    for ident, logs in logs_of.items():
        for log in logs & scoped_logs:
            if (log, ident) not in shared:
                scoped.setdefault((log, ident), f"{log}/{ident}")

    def resolve(ident: str, document: str | None, context: str) -> str:
        if document:
            return scoped.get((posixpath.dirname(document), ident), ident)
        here = posixpath.dirname(context)
        if here in scoped_logs:
            # a record of a log that shares its numbers speaks of its own log's records, present or not (one
            # published in the largest log too is that log's)
            return ident if (here, ident) in shared else scoped.get((here, ident), f"{here}/{ident}")
        logs = in_repository.get((context.split("/", 1)[0], ident), set())
        return scoped.get((next(iter(logs)), ident), ident) if len(logs) == 1 else ident

    for rec in records:
        where = rec.document or rec.evidence.document
        rec.id = resolve(rec.id, rec.document, rec.evidence.document)
        rec.supersedes = [(o if o.startswith("doc:") else resolve(o, None, where), ev) for o, ev in rec.supersedes]
        rec.superseded_by = [(o if o.startswith("doc:") else resolve(o, None, where), ev) for o, ev in rec.superseded_by]


def adr_entities(entities: dict[str, Entity], records: list[AdrRecord]) -> dict[str, list[AdrRecord]]:
    """One ADR entity per id, from every record that names it (its own documents first)."""
    grouped: dict[str, list[AdrRecord]] = defaultdict(list)
    for rec in records:
        grouped[rec.id].append(rec)
    for adr, recs in sorted(grouped.items()):
        own = [r for r in recs if r.document and r.evidence.method in ("heading", "front-matter")]
        docs = sorted({r.document for r in recs if r.document and entities.get(f"document/{r.document}")
                       and entities[f"document/{r.document}"].props.get("kind") == "adr"})
        indexed = [r for r in recs if r.evidence.method == "index"]
        title = next((r.title for r in own + indexed + recs if r.title), "")
        status = next((r.status for r in own if r.status), "") or \
            next((normalise_status(r.status) for r in recs if r.status and normalise_status(r.status)), "")
        status_text = next((r.status_text for r in own if r.status_text), "")
        date = next((r.date for r in own if r.date), "")
        key = entity_key("ADR", adr)
        ent = Entity(key=key, type="ADR", label=adr)
        m = re.fullmatch(r"ADR-(\d+)", adr)
        if m:
            n = int(m.group(1))
            ent.aliases |= {f"ADR-{n}", f"ADR-{n:04d}", f"ADR {n}"}
        elif title and not re.fullmatch(r"ADR-\d+", adr.rsplit("/", 1)[-1]):
            # a record with no number (adr/logging.md, ADR-use-kafka.md) is known by its title, as a numbered
            # one is by its number: "kg show 'Logging decisions'" is the record, not only its page
            ent.aliases.add(title)
        ent.props.update({"adr_id": adr, "title": title, "status": status or "Unknown", "date": date,
                          "documents": docs, "unresolved": not docs})
        if status_text and status_text.lower() != (status or "").lower():
            ent.props["status_text"] = status_text
        repos = sorted({r.repository for r in recs if r.repository} | {d.split("/", 1)[0] for d in docs})
        ent.props["repositories"] = repos
        ent.evidence = [r.evidence for r in recs]
        entities[key] = ent
    return grouped


def adr_relations(grouped: dict[str, list[AdrRecord]], gaz: Gazetteer, documents: list[Document]) -> list[Relation]:
    """decides, rejects, supersedes and documentedIn, from the ADR's title, decision text and options."""
    out: list[Relation] = []
    # a record may name another by its file: "doc:<path>" -> the ADR documented there
    by_document = {"doc:" + r.document: adr for adr, recs in grouped.items() for r in recs
                   if r.document and r.evidence.method in ("heading", "front-matter")}
    docs_by_path = {d.path: d for d in documents}
    # "# 26. Django Waffle library" atop 0027-ajax-for-dynamic-content.md: a title copied from another record, with
    # its number, says nothing of this one
    titles = Counter(r.title.lower() for recs in grouped.values() for r in recs if r.document and r.title)
    for adr, recs in grouped.items():
        key = entity_key("ADR", adr)
        ent = gaz.entities[key]
        copied = {id(r) for r in recs if r.misnumbered and titles[r.title.lower()] > 1}
        for d in ent.props["documents"]:
            rec = next((r for r in recs if r.document == d), recs[0])
            out.append(Relation(key, "documentedIn", f"document/{d}", [rec.evidence]))
        decided: dict[str, Evidence] = {}
        rejected: dict[str, Evidence] = {}
        for rec in recs:
            for c in rec.decided:
                if id(rec) in copied and c.evidence.line == rec.evidence.line:
                    continue
                found = gaz.lookup(c.name, "Component") or gaz.lookup(c.name, "Vendor")
                if found:
                    decided.setdefault(found, c.evidence)
            for c in rec.rejected:
                found = gaz.lookup(c.name, "Component") or gaz.lookup(c.name, "Vendor")
                if found:
                    rejected.setdefault(found, c.evidence)
        own = [r for r in recs if r.document in ent.props["documents"] and r.evidence.method == "heading"]
        for rec in own or [r for r in recs if r.evidence.method == "index"] or recs:
            if rec.title_read or rec.undecided or id(rec) in copied:
                continue  # the title's own grammar said what it decides ("Use X", "Replace X with Y"), or nothing is
            # titles with no verb ("Event Streaming with Redpanda"): the known names they carry
            for hit, negated in _title_names(rec.title, gaz, docs_by_path.get(rec.document or "")):
                (rejected if negated else decided).setdefault(hit, rec.evidence)
        if ent.props.get("status") in ("Rejected", "Withdrawn", "Abandoned"):
            for hit, ev in decided.items():
                rejected.setdefault(hit, ev)
            decided = {}
        for hit, ev in decided.items():
            out.append(Relation(key, "decides", hit, [ev]))
        for hit, ev in rejected.items():
            if hit not in decided:
                out.append(Relation(key, "rejects", hit, [ev]))
        for rec in recs:
            for other, ev in rec.supersedes:
                out.append(Relation(key, "supersedes", entity_key("ADR", by_document.get(other, other)), [ev]))
            for other, ev in rec.superseded_by:
                out.append(Relation(entity_key("ADR", by_document.get(other, other)), "supersedes", key, [ev]))
    return [r for r in out if gaz.has(r.subject) and gaz.has(r.object) and r.subject != r.object]


# a title's separators: what follows names the choice ("Event Streaming with Redpanda", "Operators - CNPG")
TITLE_PART = re.compile(r"\s[-–—]\s|:\s|[()+&,/]|\s(?:and|or|with|using|via)\s", re.I)
# a preposition in front of a name makes it the setting of the decision, not its choice ("Rails access in Kubernetes")
SETTING = re.compile(r"\b(?:in|on|to|for|from|of|at|as|within|across|into|through|about|by|under|between|per|behind)\b",
                     re.I)
# words after a name that say what it is ("Kyverno Policy Engine", "Contabo VPS Infrastructure"); any other word
# makes the name a modifier of the title's real subject ("EKS cluster management", "Keycloak Email Provider")
# ("TDR frontend framework" is about a framework for TDR, not TDR)
WHAT_IT_IS = KIND_WORDS - {"framework", "frameworks", "application", "applications", "app", "apps"}


QUESTION_TITLE = re.compile(r"^\W*(?:what|which|how|where|when|why|should|shall|do|does|can|choosing|choose a|"
                            r"selecting|select a|evaluat\w*|compar\w*)\b|\?\s*$", re.I)


def _title_names(title: str, gaz: Gazetteer, doc: Document | None = None) -> list[tuple[str, bool]]:
    """The names a title without a verb decides: those that stand as its subject or after a separator.

    "Event Streaming with Redpanda" and "Kyverno Policy Engine" decide their name; in "EKS cluster
    management", "Rails access in Kubernetes" or "Local Development Stack for GovUK Notify" the name is
    the setting of the decision, which the record's text has to name. Nor is a phrase the record's `doc`
    writes in lower case ("Plan for Usage without Wrapper Scripts" over "wrapper scripts") a name.
    """
    if QUESTION_TITLE.match(title):
        return []  # "What API Management tool to consider", "Which CMS should we use?": the question, no answer
    hits = gaz.scan(title)
    gaps = [title[a[1]:b[0]] for a, b in zip(hits, hits[1:])]
    if len(hits) >= 2 and all(LIST_GAP.fullmatch(g) for g in gaps) and any(re.search(r",|\bor\b", g) for g in gaps) \
            and not title[:hits[0][0]].strip() and not title[hits[-1][1]:].strip(" .?"):
        return []  # "simplejson, orjson, python-rapidjson": the candidates a record compares, no choice yet
    out = []
    for start, end, key, surface in hits:
        if gaz.type_of(key) not in ("Component", "Vendor") or doc is not None and _title_cased_phrase(surface, doc):
            continue
        before = title[:start]
        negated = bool(re.search(r"\b(no|not|without|remove|removing|drop|replace|instead of|over|vs\.?)\s*$", before, re.I))
        part_start = max((m.end() for m in TITLE_PART.finditer(title, 0, start)), default=0)
        if not negated and SETTING.search(title[part_start:start]):
            continue
        stop = TITLE_PART.search(title, end)
        setting = SETTING.search(title, end)
        tail_end = min(x.start() for x in (stop, setting) if x) if stop or setting else len(title)
        tail = re.findall(r"[A-Za-z][\w.-]*", title[end:tail_end])
        if tail and tail[-1].lower() not in WHAT_IT_IS and tail[-1].lower().removesuffix("s") not in WHAT_IT_IS:
            continue
        out.append((key, negated))
    return out


# what stands between the names of a title that only lists them ("A, B or C", "A vs B")
LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or|vs\.?|versus)\s+|/)\s*", re.I)
# a title that opens with a verb of doing: "Authenticate users with OIDC", "Secure secrets with Vault"
TOPIC_VERB = re.compile(r"^\s*(?:authenticate|secure|manage|handle|serve|store|send|run|test|monitor|log|build|ship|"
                        r"scale|cache|deliver|publish|process|validate|encrypt|sign|schedule|render)\b", re.I)
ADR_TOPIC = re.compile(r"^(?P<topic>[^:()]{3,40}?)\s+(?:-|–|—|with|using|via|:)\s+(?P<name>.+)$", re.IGNORECASE)


def categories_from_adr_titles(entities: dict[str, Entity], relations: list[Relation]) -> None:
    """A component no table categorises takes its ADR's topic: "Caching Layer - Dragonfly" -> Caching Layer."""
    for rel in relations:
        if rel.predicate != "decides":
            continue
        component = entities[rel.object]
        if component.type != "Component" or component.props.get("category"):
            continue
        m = ADR_TOPIC.match(str(entities[rel.subject].props.get("title", "")))
        names = {component.label.lower(), *(a.lower() for a in component.aliases)}
        # "Use typeorm with postgres", "Authenticate users with OIDC": a verb phrase is what the record does, no topic
        if m and m.group("name").strip().lower() in names and len(m.group("topic").split()) <= 4 \
                and not decisions.IMPERATIVE.match(m.group("topic")) and not TOPIC_VERB.match(m.group("topic")):
            component.props["category"] = m.group("topic").strip()
