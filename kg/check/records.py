"""ADR records that do not say what they are: no status, no date. Read off the ADR's own document (an index that
calls it Accepted does not give the record a status), so these run at build time with the parsed documents."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..names import clean_name
from . import Finding, PythonRule, Rule

if TYPE_CHECKING:
    from ..api import KnowledgeGraph
    from ..model import Document

WITHOUT_STATUS = Rule(
    "adr-without-status", "warning", "document", "An ADR document that states no status",
    "Without a status (Proposed, Accepted, Superseded…) in the record itself, a reader cannot tell whether the "
    "decision holds; an index that lists it is no substitute.")
WITHOUT_DATE = Rule(
    "adr-without-date", "warning", "document", "An ADR document that states no date",
    "An undated decision cannot be placed in the history of the platform, nor weighed against a later one.")

HEAD_LINES = 40  # status and date sit under the title, not at the end of a long record
_FIELD = r"^[\s>*_|+-]*(?:{})[\s*_]*[:|]"
_STATUS_LINE = re.compile(_FIELD.format("status|state"), re.I)
_DATE_LINE = re.compile(_FIELD.format("date|dated|decided|decision date|last updated|updated"), re.I)
_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w* \d{4}\b",
                  re.I)


def _says(doc: Document, keys: tuple[str, ...], line: re.Pattern[str], loose: re.Pattern[str] | None = None) -> bool:
    if any(doc.front_matter.get(k) for k in keys):
        return True
    if any(clean_name(s.title).lower().rstrip(":") in keys for s in doc.sections):
        return True
    head = doc.lines[:HEAD_LINES]
    return any(line.search(text) for text in head) or bool(loose and any(loose.search(text) for text in head))


def records(documents: list[Document], kg: KnowledgeGraph) -> Iterator[Finding]:
    """ADR documents (as the build classified them) that state no status or no date."""
    for doc in documents:
        if doc.kind != "adr":
            continue
        line = doc.sections[0].line if doc.sections else 1
        if not _says(doc, ("status", "state"), _STATUS_LINE):
            yield Finding(WITHOUT_STATUS.id, WITHOUT_STATUS.severity, doc.path, line,
                          f"{doc.title or doc.path} states no status",
                          "add a Status section or a `Status:` line (Proposed, Accepted, Superseded by ADR-N…)")
        if not _says(doc, ("date", "dates", "dated"), _DATE_LINE, _DAY):
            yield Finding(WITHOUT_DATE.id, WITHOUT_DATE.severity, doc.path, line,
                          f"{doc.title or doc.path} states no date", "add a `Date: YYYY-MM-DD` line under the title")


RULES = [PythonRule(WITHOUT_STATUS, records, (WITHOUT_STATUS, WITHOUT_DATE))]
