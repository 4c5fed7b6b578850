"""The state every rule shares: what extraction has found so far, and the helpers rules read documents with."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..model import Block, Document, Evidence, Fact, Mention
from ..names import clean_name

if TYPE_CHECKING:
    from ..resolve import Gazetteer


@dataclass
class Choice:
    """A name an ADR chose or turned down, as written, with where it says so."""

    name: str
    evidence: Evidence
    how: str  # decision, option, title


@dataclass
class AdrRecord:
    """What one document or index row says about an ADR."""

    id: str
    evidence: Evidence
    title: str = ""
    status: str = ""
    date: str = ""
    document: str | None = None  # workspace path of the ADR's own document
    repository: str = ""
    status_text: str = ""  # the status as written ("⌛️ Superseded [0019](…)"), beside the normalised one
    supersedes: list[tuple[str, Evidence]] = field(default_factory=list)
    superseded_by: list[tuple[str, Evidence]] = field(default_factory=list)
    decided: list[Choice] = field(default_factory=list)
    rejected: list[Choice] = field(default_factory=list)
    replaced: list[tuple[str, str, Evidence]] = field(default_factory=list)  # (old, new) as written
    options: list[tuple[str, Evidence]] = field(default_factory=list)
    title_read: bool = False  # the title's grammar said what the record decides
    undecided: bool = False  # the decision section says no choice is made yet ("to be taken", "TBD")
    misnumbered: bool = False  # the title's number is not the file's (a renumbered record, or a title copied)


@dataclass
class Extraction:
    mentions: list[Mention] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    adrs: list[AdrRecord] = field(default_factory=list)


NameRule = Callable[[Document, Extraction], None]


FactRule = Callable[[Document, Extraction, "Gazetteer"], None]


NAME_COLUMNS = ("technology", "component", "tool", "tools", "software", "product", "solution", "technology/tool")
# headers that name the tool itself; beside one of them, a "Component" or "Role" column names a role
# ("| Canary Controller | Flagger |": Flagger is the technology, canary controller what it does)
TOOL_COLUMNS = ("technology", "tool", "tools", "software", "product", "solution", "technology/tool",
                "tool/technology", "implementation", "choice", "selected", "selection", "chosen", "project",
                "technologies", "products")
ROLE_COLUMNS = ("component", "role", "capability", "function", "concern", "area", "category", "layer", "type",
                "purpose")


DESCRIBING_COLUMNS = ("category", "layer", "purpose", "version", "role", "description", "function", "type", "use")


TEAM_WORD = re.compile(r"\b(team|squad|guild|group|crew|chapter|department|dept|tribe|org|sre|ops|engineering)\b", re.I)


OWNER_COLUMNS = ("owner", "owners", "team", "owning team", "maintainer", "maintainers")


VENDOR_COLUMNS = ("provider", "vendor", "cloud provider", "supplier", "partner", "technology partner", "third party",
                  "third-party")


NOT_USED = re.compile(r"\b(not used|unused|removed|deprecated|rejected|replaced|dropped|disabled|retired|decommissioned)\b", re.I)


STATUS_WORDS = {"not used": "not used", "unused": "not used", "rejected": "not used", "disabled": "not used",
                "removed": "removed", "deprecated": "removed", "dropped": "removed", "retired": "removed",
                "decommissioned": "removed", "replaced": "replaced"}


INVENTORY = re.compile(r"\b(components?|services|technolog(?:y|ies)|stack|inventory|catalog(?:ue)?|systems|"
                       r"dependencies|building blocks)\b", re.I)


# what a document sets aside: "## Non-goals", "Out of scope (initially):" then a list, "Future work: replace X".
# What it lists there is not done ("- replacing Kubernetes API auth entirely"), so it retires and replaces nothing
SET_ASIDE = re.compile(r"^\W*(?:out[- ]of[- ]scope|not in scope|outside (?:of )?(?:the )?scope|non[- ]?goals?|not goals?|"
                       r"future work|future (?:considerations|improvements|enhancements|phases?|options)|"
                       r"later phases?)\b", re.I)


def set_aside_lines(doc: Document) -> frozenset[int]:
    """The lines of the blocks a document sets aside: under a heading of its own ("## Out of scope"), after a
    lead-in that ends with a colon ("- Out of scope (initially):" and the items after it), or on its own line
    ("Non-goals: replacing the login flow")."""
    lines: set[int] = set()
    lead: Block | None = None  # the lead-in the list at hand follows
    for block in doc.blocks:
        text, leads = clean_name(block.text), block.text.rstrip(" *_").endswith(":")
        if lead is not None and (block.kind != "item" or block.depth < lead.depth or block.depth == lead.depth and leads):
            lead = None  # the list ended, or another lead-in starts
        if any(SET_ASIDE.match(clean_name(title)) for title in block.section):
            lines.add(block.line)
        elif SET_ASIDE.match(text):
            lines.add(block.line)
            if leads:
                lead = block
        elif lead is not None:
            lines.add(block.line)
    return frozenset(lines)


# the statuses of a record not yet decided: what it turns down is not thereby out of use, and what it would retire
# is still in use
UNSETTLED_STATUSES = ("Proposed", "Draft", "On Hold", "In Progress", "Under Review", "Pending", "Deferred")


def evidence_at(doc: Document, line: int, method: str, text: str | None = None, confidence: float = 0.0) -> Evidence:
    """Evidence at a line of a document: its text (the line's, unless given), the method, the rule's confidence."""
    return Evidence(doc.path, line, (text if text is not None else doc.line_text(line))[:300], method, confidence)


def column(header: list[str], names: tuple[str, ...]) -> str | None:
    """The first header (left to right) that is one of `names`."""
    for h in header:
        if clean_name(h).lower() in names:
            return h
    return None


def name_column(header: list[str]) -> str | None:
    """The column that names technologies: a tool/technology column before a component one."""
    return column(header, TOOL_COLUMNS) or column(header, NAME_COLUMNS)


# a column of a configuration table: what each setting defaults to, whether it must be set, which variable sets it
CONFIG_COLUMN = re.compile(r"^(?:default(?:\s+value)?s?|required|env(?:ironment)?(?:\s*var(?:iable)?s?)?)$", re.I)
# a setting's name in capitals: "DB_ENDPOINT", "PORT", "$LOG_LEVEL"
# the roles a component's stack fills beside it, by their everyday names ("Database", "Its message broker"), and those
# of them that keep its data; one vocabulary for a stack listed role by role and a sentence that names a role's filler
STACK_ROLE = (r"(?:database|datastore|data store|db|object storage|object store|file storage|storage backend|storage|"
              r"cache|caching|message queue|message broker|messaging|queueing|queuing|queue|broker|event bus|"
              r"search engine|search index|search|email|mail)")
STORE_ROLE = re.compile(r"database|datastore|data store|db|object storage|object store|file storage|storage backend|"
                        r"storage|search index|search", re.I)
SETTING_NAME = re.compile(r"^\$?[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")


def configuration_table(header: list[str], rows: list[dict[str, str]]) -> bool:
    """A table of settings ("| Name | Description | Default |", "| DB_ENDPOINT | … |"): its first column holds the
    names of environment variables or options, never of things. A first column headed for things ("| Service |
    Env Var | Default |") keeps them."""
    if not header:
        return False
    first = clean_name(header[0]).lower()
    if first in TOOL_COLUMNS + NAME_COLUMNS + ("service", "services", "system", "systems", "application", "app"):
        return False
    if CONFIG_COLUMN.match(first) or any(CONFIG_COLUMN.match(clean_name(h)) for h in header[1:]):
        return True
    names = [clean_name(r.get(header[0] or "col0", "")).strip("`") for r in rows]
    names = [n for n in names if n]
    return bool(names) and all(SETTING_NAME.match(n) for n in names) and 2 * sum("_" in n for n in names) >= len(names)


# "2. **Enable KV engine**:", "3. **Set up AppRole**": a numbered step led by a bold instruction, not a name
NUMBERED_STEP = re.compile(r"^\s*\d{1,3}[.)]\s+(?:\*\*|__)(?:enable|disable|set ?up|create|install|configure|run|"
                           r"add|deploy|start|stop|restart|build|init|initiali[sz]e|apply|update|upgrade|verify|check|"
                           r"ensure|generate|register|connect|copy|clone|download|log ?in|sign ?in|wait|push|pull|"
                           r"remove|delete|mount|export|import|provision|migrate|seed|grant|assign|rotate|define|"
                           r"write|edit|select|choose|open|make|prepare|bootstrap|test|validate|confirm|get|fetch|"
                           r"point|switch|turn|allow|attach|upload|store|save|reload|sync|trigger)\b", re.I)


def numbered_step(line: str) -> bool:
    """Whether a Markdown line is a numbered step whose bold lead is an instruction ("2. **Enable KV engine**:")."""
    return NUMBERED_STEP.match(line) is not None


# settings, file patterns, variables and function names written where a name could stand
CODE_IDENTIFIER = re.compile(r"\w=\w|^\*|\*[.-]|[{}$\\]|^[a-z]{4,}[A-Z]|^(?:Get|Set|Add|Create|Delete|Update|List|Remove|Put|Post|"
                             r"Fetch|Find|Handle|Process|Send|Check|Validate|Load|Save)[A-Z][a-z]")


def looks_like_a_name(text: str) -> bool:
    """A product name: at most four words, each capitalised or with a capital inside ('Grafana Loki', 'MinIO', 'cert-manager')."""
    from ..gazetteer import is_everyday_word
    from .phrases import CAPITALISED_STOPWORDS

    words = text.split()
    if not 0 < len(words) <= 4 or len(text) > 40 or words[0].lower() in CAPITALISED_STOPWORDS:
        return False  # "CRITICAL: MetalLB", "Note: …": a tag, not a name
    if CODE_IDENTIFIER.search(text):
        return False  # "KAFKA_BROKER=kafka", "*-values.yaml", "installCRDs", "GetCart": code, not a product
    if re.search(r"\b(mode|layer|strategy|approach|pattern|architecture|overhead|dashboard|pipeline|only|manual|"
                 r"per|no|none|self-hosted|managed|plain|direct|saas|selection|configuration|location|workflow|discovery|setup|"
                 r"overview|management|requirement|guide|structure|policy|policies|process|naming|limit|resource|"
                 r"summary|example|usage|installation|deployment|integration|analysis|flags?|shifting)s?\b", text, re.I):
        return False
    if re.fullmatch(r"(?i)operators|tools|services|controllers|servers|databases|clusters|providers|solutions|"
                    r"platforms|systems|agents|plugins|apis", words[-1]):
        return False  # "Kubernetes Operators" is a kind of thing, not a product
    if text.isupper() and len(words) > 1 and all(is_everyday_word(w) or w.lower() in CAPITALISED_STOPWORDS
                                                 for w in re.findall(r"[A-Za-z]+", text)):
        return False  # "CLOUD HOSTING", "MONITORING AND ALERTING": a capability in capitals, not a product
    if len(words) == 1:
        return any(ch.isupper() or ch.isdigit() for ch in text) or "-" in text
    return all(w[0].isupper() or w[0].isdigit() or any(c.isupper() for c in w) for w in words)


SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z*`])")


def sentence_line(doc: Document, block_line: int, end_line: int, sentence: str) -> int:
    probe = sentence[:25].strip()
    for ln in range(block_line, max(end_line, block_line) + 1):
        if probe and probe[:12] in doc.line_text(ln):
            return ln
    return block_line
