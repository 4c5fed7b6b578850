"""Sections: index headings that name repositories, component headings and bold-led component lists."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from ..links import parse_github
from ..model import Block, Document, Fact, Mention
from ..names import GENERIC_LINK_TEXT, clean_name, is_abbreviation_of, split_compound, split_parenthetical
from .state import (
    INVENTORY,
    STACK_ROLE,
    STORE_ROLE,
    Extraction,
    configuration_table,
    evidence_at,
    looks_like_a_name,
    numbered_step,
)

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


ASPECT_HEADING = re.compile(r"\b(?:order|sequence|dependencies|diagram|flow|requirements|prerequisites|"
                            r"troubleshooting|layout|topology|matrix|versions|ports|notes)$", re.I)


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
        if ASPECT_HEADING.search(name):
            continue  # "### Startup Order", "### Service Dependencies": an aspect of the components, not one
        props = {}
        aliases = []
        if paren:
            if is_abbreviation_of(paren, name) or is_abbreviation_of(name, paren):
                aliases.append(paren)
            else:
                props["category"] = paren
        out.mentions.append(Mention(name, "Component", evidence_at(doc, section.line, "heading"), props=props,
                                    aliases=aliases))


# "Sirius Service Runbook", "Payments API Playbook", "Make an LPA - Ops Manual": the page is the named service's own
RUNBOOK_TITLE = re.compile(r"^(?:live\s+|production\s+)?(?P<name>.{2,50}?)\s*(?:[-–—:|]\s*)?(?:service\s+)?"
                           r"(?:run\s?book|playbook|ops manual|operations manual|support (?:guide|manual))$", re.I)


def runbook_subjects(doc: Document, out: Extraction) -> None:
    """A runbook titled for one service ("Sirius Service Runbook") names that service: its sections on what the service
    consumes and what consumes it are that service's."""
    m = RUNBOOK_TITLE.match(clean_name(doc.title))
    if not m:
        return
    name = clean_name(m.group("name"))
    # "Talent Mesh Operations Runbook", "Incident Runbook": a runbook for a kind of work, not for one service
    if looks_like_a_name(name) and not re.match(r"(?:the|our|a|an|general|generic|common|team|platform)\b", name, re.I) \
            and not re.search(r"\b(?:operations|ops|incidents?|on-?call|support|maintenance|emergenc(?:y|ies)|"
                              r"deployments?|releases?|infrastructure|platform|disaster recovery|dr)$", name, re.I):
        line = doc.sections[0].line if doc.sections else 1
        out.mentions.append(Mention(name, "Component", evidence_at(doc, line, "heading")))


IS_DEFINITION = re.compile(r"^(?P<name>[^:–—(]{2,40}?)(?:\s*\((?P<paren>[^)]+)\))?\s+(?:is|acts as|serves as)\s+"
                           r"(?P<rest>(?:a|an|the|our)\s.*)$")


def _everyday_need(name: str, block: Block) -> bool:
    """'**Persistent Storage**: Required for the job history': everyday words, then what they are needed for, name a
    need, not a product (one the gazetteer knows or a code span stays a name)."""
    from .. import gazetteer
    from ..gazetteer import is_everyday_word

    rest = block.text[block.text.find(name) + len(name):] if name in block.text else ""
    return " " in name and all(is_everyday_word(w) for w in name.split()) and name not in block.code \
        and re.match(r"\W*(?:required|needed|necessary|mandatory|must|needs)\b", rest, re.I) is not None \
        and gazetteer.load().get(name) is None


# what a part of a system is called by its kind: "Order Service", "Admin UI" (a label ending so names a part)
PART_KIND = re.compile(r"(?i).*\b(?:service|services|api|app|application|worker|server|gateway|portal|ui|frontend|"
                       r"backend|bot|daemon|manager|engine|store|job)$")
# what follows a product's name when the item only names products: "Foo + Bar", "Foo with Bar", "Foo 2.1", "Foo (…)",
# "Foo Streams" (its name goes on)
NAMES_GO_ON = re.compile(r"\s*(?:$|[+,&(/]|\s(?:with|and|or|per|for|on|as|via)\b|\s+v?\d|\s[A-Z])")


def _role_label(name: str, rest: str) -> bool:
    """'**Messaging**: Acme Queue with Foo Streams', '**Container Platform**: Docker + Kubernetes': a category the item
    fills, not a part: the text after the label starts with a product the gazetteer knows, standing as a name (then
    another, a version, the end), and the label is none the gazetteer knows nor a part's name ("Order Service")."""
    from .. import gazetteer

    known = gazetteer.load()
    if known.get(name) is not None or PART_KIND.fullmatch(name):
        return False
    words = list(re.finditer(r"[\w.+#-]+", rest))
    for n in range(min(4, len(words)), 0, -1):
        end = words[n - 1].end()
        if words[0].start() == 0 and known.get(rest[:end]) is not None and NAMES_GO_ON.match(rest, end):
            return True
    return False


def component_lists(doc: Document, out: Extraction) -> None:
    """'- **Redpanda** – event streaming' in a components or stack section: a bold (or code) name leads the item."""
    if doc.kind in ("adr", "runbook", "index"):
        return
    for block in doc.blocks:
        if block.kind != "item" or not INVENTORY.search(" ".join(block.section[-2:])):
            continue
        m = re.match(r"^(?P<name>[^:–—(]{2,40}?)\s*(?:\((?P<paren>[^)]+)\))?\s*(?:[:–—]|\s-\s)\s*(?P<rest>.*)$", block.text)
        if m is None:
            # "**Trip Manager** is the service that keeps trips": the bold name, then what it is
            m = IS_DEFINITION.match(block.text)
            if m is not None and m.group("name").strip() not in block.strong[:1] + block.code[:1]:
                continue
        raw = doc.line_text(block.line)
        if not m or not re.match(r"^[-*+\d.)\s]*(\*\*|__|`)", raw) or numbered_step(raw):
            continue  # only a name set apart in bold or code makes the item a definition
        name = clean_name(m.group("name"))
        if not looks_like_a_name(name) or _everyday_need(name, block) or _role_label(name, m.group("rest") or ""):
            continue
        aliases = [m.group("paren")] if m.group("paren") else []
        props = {"purpose": clean_name(m.group("rest"))[:120]} if m.group("rest") else {}
        out.mentions.append(Mention(name, "Component", evidence_at(doc, block.line, "prose"), props=props,
                                    aliases=aliases))


# sections of a component's own document that list what it needs
DEPENDENCY_SECTION = re.compile(r"^(?:requirements|supporting services)$|"
                                # ("System requirements", "Resource requirements": the machine it needs, not a part)
                                r"^(?:(?:runtime|service|external|upstream|system|platform|infrastructure)\s+)?"
                                r"(?:dependencies|dependency|depends on|requires|requirements?\s+on|prerequisites|"
                                r"integrations|backing services|external services|uses|relies on|needs|"
                                # a runbook's "Services consumed by this service", "Downstream services"
                                r"(?:services|systems|apis) (?:consumed|used|called) by (?:this|the)(?: \w+){0,2}|"
                                r"consumed (?:services|apis)|third[- ]party (?:services|dependencies))$", re.I)


# a prerequisites list under these headings is what a developer installs to build and run the code on a laptop
# ("Getting Started > Prerequisites: .NET SDK, a code editor, Docker"), not what the running component needs
DEVELOPER_SETUP = re.compile(r"\b(?:getting started|get started|quick ?start|development|developing|local|locally|"
                             r"set ?up|install\w*|build\w*|contribut\w*|how to run|running the)\b", re.I)
TOOLS_SECTION = re.compile(r"^(?:prerequisites|requirements)$", re.I)
REQUIREMENTS = re.compile(r"^requirements$", re.I)


# a dependency's purpose that makes it a tool of the developer's, not of the running component
TOOLING_PURPOSE = re.compile(r"\bfor\s+(?:the\s+)?(?:unit\s+|integration\s+|end-to-end\s+|e2e\s+|load\s+)?(?:test\w*|"
                             r"lint\w*|static typ\w*|type[- ]?check\w*|format\w*|build\w*|bundl\w*|compil\w*|"
                             r"mock\w*|documentation|docs)\b|\b(?:dev(?:elopment)?|test)[- ]dependenc", re.I)


def _headed(section: tuple[str, ...] | list[str], heading: re.Pattern[str]) -> bool:
    """Whether a section's own heading (its last) is one of these."""
    return bool(section) and heading.match(clean_name(section[-1])) is not None


def tools_list(section: tuple[str, ...] | list[str]) -> bool:
    """Whether a section is a "Requirements" or "Prerequisites" list: the tools a developer installs as often as what
    the component needs to run ("- Go", "- Git", "- Kafka", "- Dataset API")."""
    return _headed(section, TOOLS_SECTION)


def requirements_list(section: tuple[str, ...] | list[str]) -> bool:
    """Whether a section is headed "Requirements": what to install to work on the code, more often than not."""
    return _headed(section, REQUIREMENTS)


def lists_dependencies(section: tuple[str, ...] | list[str]) -> bool:
    """Whether a section (its headings, outermost first) lists what the document's component depends on."""
    if not section:
        return False
    last = clean_name(section[-1])
    if DEPENDENCY_SECTION.match(last) is None:
        return False
    return not (TOOLS_SECTION.match(last) and any(DEVELOPER_SETUP.search(h) for h in section[:-1]))


# a paragraph that introduces a list of dependencies: "What depends on Rook-Ceph:", "What Prometheus depends on:",
# "Keycloak requires:"; the list that follows names the other ends
DEPENDENTS_INTRO = re.compile(r"^\W*(?:what|which\s+(?:\w+\s+){0,2}?)\s*(?:depends?|relies|rely)\s+on\s+(?P<x>.+?)\W*$"
                              r"|^\W*(?:dependents|consumers|users|clients)\s+of\s+(?P<y>.+?)\W*$", re.I)
DEPENDENCIES_INTRO = re.compile(r"^\W*(?:what\s+)?(?P<x>.+?)\s+(?:also\s+)?(?:depends\s+on|relies\s+on|requires|needs)"
                                r"(?:\s+(?:the\s+)?following(?:\s+\w+){0,2})?\W*$"
                                r"|^\W*(?:dependencies|requirements|prerequisites)\s+(?:of|for)\s+(?P<y>.+?)\W*$", re.I)
# the page's own component as an intro's subject: "This service depends on:", "The app requires the following:"
OWN_SUBJECT = re.compile(r"(?:it|(?:the|this|our)\s+(?:service|micro-?service|application|app|api|component|server|"
                         r"worker|module|backend|frontend|repository|repo|project|system|tool))", re.I)
# "These things depend upon this solution:", "The following services rely on us:": what needs the page's component
DEPEND_ON_US = re.compile(r"^\W*(?:these|the following)(?:\s+\w+){0,2}?\s+(?:depends?|relies|rely)\s+(?:up)?on\s+(?:us|"
                          r"(?:this|our)\s+(?:solution|service|system|api|application|app|component|platform|product))"
                          r"\W*$", re.I)
# a tag in front of a list item's name: "**CRITICAL:** MetalLB", "Optional: Grafana", "✅ **Nextcloud**"
ITEM_TAG = re.compile(r"^[^\w`]*(?:(?:[A-Z]{3,}|optional|required|hard|soft|critical|recommended)\s*:\s*)?", re.I)


# words in front of what an item needs: "Access to an instance of an Azure Service Bus", "A running PostgreSQL"
NEED_LEAD = re.compile(r"^(?:(?:access|credentials|connection|permissions?)\s+to\s+|"
                       # "A redis instance for storing magic links": the name before the kind of running thing
                       r"an?\s+(?=[\w.-]+\s+(?:instance|database|cluster|server|queue|bucket|cache)\b)|"
                       r"an?\s+(?:running\s+|valid\s+|working\s+|"
                       r"local\s+)?(?:instance|installation|account|subscription|copy)\s+of\s+|an?\s+(?:running|valid|"
                       r"working|local)\s+)(?:an?\s+|the\s+)?(?:(?:running\s+)?instance\s+of\s+(?:an?\s+|the\s+)?)?", re.I)


OWNER_PREFIX = re.compile(r"^[\w.-]+/(?=[\w.-]+$)")  # "prometheus-community/kube-state-metrics"


def item_lead(block: Block) -> str:
    """The name a list item leads with, tags, symbols and words of need in front left out."""
    text = NEED_LEAD.sub("", ITEM_TAG.sub("", block.text, count=1), count=1)
    # ("[Azure Service Bus](…)(ASB)": the bracket after a link's text, written without a space)
    return re.split(r"\s*[:–—]\s|\s-\s|\s\(|(?<=\w)\((?=[A-Z]{2,}\))", text, maxsplit=1)[0].strip()


# an item or cell that is one lower-case id ("postgres", "otel-collector"): a name only where the workspace knows it
SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
# sections of a component's own document that list what depends on it
DEPENDENTS_SECTION = re.compile(r"^(?:used by|consumers|consumed by|dependents|depended on by|required by|"
                                r"needed by|(?:consumers|users|clients) of (?:this|the)(?: \w+){0,2}|"
                                r"dependent (?:services|systems)|upstream consumers)$", re.I)


# a prerequisite to install ("[Terraform](https://www.terraform.io/downloads) (v1.5+)", "- [kubectl](…/tasks/tools/)",
# "Azure CLI"): what a person needs on a laptop to deploy the component, not what it needs to run
INSTALL_PAGE = re.compile(r"install|download|/releases?\b|getting[-_]started|/setup\b|/tools/?(?:$|#)", re.I)
CLIENT_TOOL = re.compile(r"\b(?:CLI|SDK|command[- ]line)\b|\bcli$", re.I)


class DependencyItem(NamedTuple):
    """A list item or first table cell that names one end of a dependency."""

    name: str
    line: int
    subject: str | None  # the other end as written ("What depends on X:"); None: the document's component
    dependent: bool  # the item depends on the subject, not the subject on it
    known_only: bool  # counts only where the workspace knows the name (a lower-case id, a "Used by" item)
    targets: tuple[str, ...] = ()  # workspace paths of the documents the item links to
    installed: bool = False  # a tool to install first: it links to an install or download page, or is a CLI
    tools: bool = False  # under "Requirements" or "Prerequisites": as often what a developer installs as what it runs on


def _dependency_items(doc: Document) -> list[DependencyItem]:
    """Each list item and first table cell that names a dependency.

    Under a dependencies section the subject is the document's component (None here) and the item is what it
    needs; under a "Used by" section, or after "What depends on X:", the item needs the subject (dependent=True);
    after "What X depends on:" X needs it. An item that is only a lower-case id ("| postgres | Workflow data |")
    is no name by its spelling: it counts (known_only) where it is the name of an entity the workspace knows,
    whatever its case; so does every item of a "Used by" section, which lists what the page does not define.
    """
    from .. import gazetteer
    from .phrases import names_in

    found: list[DependencyItem] = []
    lists: dict[tuple[str, ...], list[int]] = {}  # the list items of each section, by their place in found
    on_a_laptop = _laptop_prerequisites(doc)
    intro: tuple[str | None, bool] | None = None
    for block in doc.blocks:
        if block.kind != "item":
            m = DEPENDENTS_INTRO.match(block.text) if len(block.text) < 80 else None
            n = DEPENDENCIES_INTRO.match(block.text) if len(block.text) < 80 and block.text.rstrip().endswith(":") \
                else None
            intro = ((m.group("x") or m.group("y")).strip(), True) if m else \
                ((n.group("x") or n.group("y")).strip(), False) if n else None
            if n and intro and intro[0] and OWN_SUBJECT.fullmatch(intro[0]):
                intro = (None, False)  # "This service depends on:": what the page's component needs
            if intro is None and len(block.text) < 80 and DEPEND_ON_US.match(block.text):
                intro = (None, True)  # "These things depend upon this solution:": the page's own component
            continue
        if block.depth > 1:
            continue
        in_section = lists_dependencies(block.section)
        dependents = intro is None and not in_section and lists_dependents(block.section)
        if intro is None and not in_section and not dependents:
            continue
        if TOOLING_PURPOSE.search(block.text):
            continue  # "Jest and Supertest for testing": what builds and checks the code, not what it runs on
        if numbered_step(doc.line_text(block.line)):
            continue  # "2. **Enable KV engine**: …": a step to take, not a thing needed
        subject, dependent = intro if intro else (None, dependents)
        # "[grafana/grafana](…)", "[baz](../baz/README.md)": a link's text names the item whatever its case; an
        # owner in front of a chart or repository is not part of its name
        lead = OWNER_PREFIX.sub("", item_lead(block))
        here = [lk for lk in doc.links if block.line <= lk.line <= max(block.end_line, block.line)]
        linked = {OWNER_PREFIX.sub("", lk.text.strip()) for lk in here
                  if lk.text.strip() and not GENERIC_LINK_TEXT.match(clean_name(lk.text))}
        targets = tuple(lk.target for lk in here[:1] if lk.kind == "internal" and lk.target)
        names = names_in(lead, frozenset(block.code) | frozenset(linked))
        if names and names[0].start == 0:
            installed = any(INSTALL_PAGE.search(lk.href) for lk in here) or CLIENT_TOOL.search(names[0].text) \
                or block.section in on_a_laptop
            lists.setdefault(block.section, []).append(len(found))
            # "**Persistent Storage**: Required for data persistence": everyday words name a need, not a product; they
            # count only as a name the workspace already knows
            everyday = _everyday_need(names[0].text, block) and names[0].text not in linked
            # under "Requirements" a name counts only where the workspace or the gazetteer knows it ("- Clone the
            # repository", "- Modern x86 CPU")
            unknown = requirements_list(block.section) and gazetteer.load().get(names[0].text) is None
            found.append(DependencyItem(names[0].text, block.line, subject, dependent,
                                        dependents or everyday or unknown, targets, bool(installed),
                                        tools_list(block.section)))
        elif SLUG.match(lead) or targets:
            found.append(DependencyItem(lead, block.line, subject, dependent, True, targets,
                                        tools=tools_list(block.section)))
    # a list most of whose items are tools to install ("Prerequisites: Azure CLI, Terraform, kubectl, kubelogin")
    # is what a person installs to deploy; so is the rest of it
    for places in lists.values():
        if 2 * sum(found[i].installed for i in places) >= len(places) >= 2:
            for i in places:
                found[i] = found[i]._replace(installed=True)
    for table in doc.tables:
        dependents = lists_dependents(table.section)
        if not table.header or not (lists_dependencies(table.section) or dependents) \
                or configuration_table(table.header, table.rows) or requirements_list(table.section):
            continue  # (a "Requirements" table gives the versions of the tools that build the code: "| terraform | >= 1.5 |")
        first = table.header[0]
        for i, (row, line) in enumerate(zip(table.rows, table.row_lines)):
            if table.image_only(i, first):
                continue
            cell = clean_name(split_parenthetical(row.get(first, ""))[0])
            names = names_in(cell)
            if names and names[0].start == 0:
                found.append(DependencyItem(names[0].text, line, None, dependents, dependents))
            elif SLUG.match(cell):
                found.append(DependencyItem(cell, line, None, dependents, True))
    return found


# what says a prerequisites list is for a developer's machine: "The API must be running locally", "Docker for Mac"
ON_A_LAPTOP = re.compile(r"\blocal(?:ly| machine| development)\b|\byour (?:machine|laptop|computer)\b|\blaptop\b|"
                         r"[-\s]for[-\s](?:mac|windows)\b|\bmacos\b|\bmac64\b", re.I)


def _laptop_prerequisites(doc: Document) -> set[tuple[str, ...]]:
    """The "Prerequisites" (or "Requirements") lists one of whose items speaks of the developer's machine ("- Docker
    for Mac 18.03+", "- The API must be running locally"): what a developer installs, every item of them."""
    found = set()
    for block in doc.blocks:
        if block.kind == "item" and tools_list(block.section) and (
                ON_A_LAPTOP.search(block.text) or any(ON_A_LAPTOP.search(lk.href) for lk in doc.links
                                                      if block.line <= lk.line <= max(block.end_line, block.line))):
            found.add(block.section)
    return found


def lists_dependents(section: tuple[str, ...] | list[str]) -> bool:
    """Whether a section (its headings, outermost first) lists what depends on the document's component."""
    return bool(section) and DEPENDENTS_SECTION.match(clean_name(section[-1])) is not None


def dependency_section_names(doc: Document, out: Extraction) -> None:
    """What a '## Dependencies' (Requires, Prerequisites, Integrations) section or a "What depends on X:" list
    names is a component."""
    for item in _dependency_items(doc):
        if not item.known_only:
            out.mentions.append(Mention(item.name, "Component", evidence_at(doc, item.line, "prose")))


def folder_component(doc: Document, gaz: Gazetteer) -> str | None:
    """The component whose folder a document is the README (or index) of, or whose own page in a folder of
    service pages it is ('docs/services/cart.md' titled 'Cart Service'), or whose page is named after it
    ('cmd/relay/relay.md' titled 'relay Service')."""
    import posixpath

    from .mentions import service_page_title

    if posixpath.basename(doc.path).lower() in ("readme.md", "index.md", "readme.markdown"):
        return gaz.in_folder(posixpath.dirname(doc.path))
    title = service_page_title(doc) or titled_service(doc)
    return gaz.lookup(title, "Component") if title else None


# a page named after the service it documents: 'relay/relay.md' titled "# relay Service" or "# `relay` service"
NAMED_SERVICE_TITLE = re.compile(r"^`?(?P<name>[\w.-]{2,40})`?\s+service$", re.I)


def titled_service(doc: Document) -> str | None:
    """The service a page named after it is the own page of: <name> where the page's title is "<name> Service" and
    its file is named <name> ('cmd/relay/relay.md' titled "# relay Service"), else None."""
    import posixpath

    stem = posixpath.splitext(posixpath.basename(doc.path))[0]
    if doc.kind in ("adr", "runbook", "index") or re.fullmatch(r"readme|index", stem, re.I):
        return None
    m = NAMED_SERVICE_TITLE.match(clean_name(doc.title))
    if m is None or re.sub(r"[^a-z0-9]", "", m.group("name").lower()) != re.sub(r"[^a-z0-9]", "", stem.lower()):
        return None
    return m.group("name")


def service_title_pages(doc: Document, out: Extraction) -> None:
    """A service's page named after it ("# relay Service" in relay.md) names it: <name> is a component, however
    plain a word it is."""
    from .mentions import service_page_title

    name = titled_service(doc)
    if name is None or service_page_title(doc) is not None:
        return
    line = doc.sections[0].line if doc.sections and doc.sections[0].level == 1 else 1
    out.mentions.append(Mention(name, "Component", evidence_at(doc, line, "heading"), props={"own_page": True},
                                strength=2))


# a component's stack listed role by role: "- **Database**: MongoDB with Mongoose", "- Cache: Redis"; only roles that
# run beside the component (not its framework, language, tests or logging library)
ROLE_ITEM = re.compile(rf"^\W*(?:\*\*|__)?(?P<role>(?:primary\s+)?{STACK_ROLE}s?)(?:\*\*|__)?\s*[:\-–—]\s*(?:\*\*|__)?\s*"
                       r"(?P<rest>\S.*)$", re.I)


def role_items(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """A component's own page that lists its stack role by role ("- **Database**: MongoDB with Mongoose"): what fills
    a role that runs beside it is a need of it (where it stores its data, for a database or a store)."""
    own: str | None = None
    looked = False
    for block in doc.blocks:
        if block.kind != "item":
            continue
        m = ROLE_ITEM.match(doc.line_text(block.line))
        if m is None or m.group("rest").startswith("`"):
            continue  # ("- Database: `osdu` (owner: `osdu`)": the name of one database, not the product)
        if not looked:
            own, looked = document_component(doc, gaz), True
        if own is None:
            return
        hits = [h for h in gaz.scan(clean_name(m.group("rest"))) if gaz.type_of(h[2]) in ("Component", "Vendor")]
        if hits and hits[0][0] == 0 and hits[0][2] != own:
            relation = "storesDataIn" if STORE_ROLE.fullmatch(m.group("role").rstrip("s")) else "dependsOn"
            out.facts.append(Fact(own, relation, hits[0][2], evidence_at(doc, block.line, "prose", block.text, 0.7),
                                  subject_type="key", object_type="key"))


def document_component(doc: Document, gaz: Gazetteer) -> str | None:
    """The component a document is about: the one whose folder it is the README of, or the one its title names."""
    found = folder_component(doc, gaz)
    if found:
        return found
    if doc.kind == "adr":
        return None
    hits = [h for h in gaz.scan(doc.title) if gaz.type_of(h[2]) == "Component"]
    if len({h[2] for h in hits}) == 1 and hits[0][0] <= 2:
        return hits[0][2]
    return None


# the kinds of tool that install, build or package a component (the landscape's and the curated gazetteer's)
INSTALL_TOOLING = re.compile(r"image build|developer tooling|continuous integration|package manag|build tool", re.I)


# what a developer installs to write, build, test or deploy code: a language, its runtime, source control, an editor, a
# test tool, a provisioning or packaging tool ("- Terraform >= 1.5" under Requirements provisions, it does not run beside)
TOOLCHAIN = re.compile(r"language|runtime|developer tooling|source control|testing|ide\b|editor|automation|image build|"
                       r"continuous integration|installer|build tool|package manag", re.I)
# a stand-in run on a laptop in place of the real thing: "API Auth Stub", "Mock Payments", "S3 emulator"
TEST_DOUBLE = re.compile(r"\b(?:stubs?|mocks?|fakes?|emulators?|simulators?)\b", re.I)


def _runs_beside(gaz: Gazetteer, key: str) -> bool:
    """Whether a requirement is something the running component needs: a component of the workspace or a technology of
    a kind that runs (a database, a broker, a secrets store); not a toolchain's part, nor a test double."""
    ent = gaz.entities.get(key)
    if ent is None or TEST_DOUBLE.search(ent.label):
        return False
    return TOOLCHAIN.search(gaz.category_of(key)) is None


def dependency_sections(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """A component's own document lists what it depends on: '## Dependencies', '## Requires', '## Prerequisites';
    and what depends on it: '## Used by' (only on a page that is the component's own, by its folder or whole title)."""
    import posixpath

    items = _dependency_items(doc)
    if not items:
        return
    own = document_component(doc, gaz)
    own_page = _named_by_page(doc, gaz) if any(i.dependent and i.subject is None for i in items) else None
    for item in items:
        if item.subject is not None:
            subject = gaz.lookup_in(item.subject)
        else:
            subject = own_page if item.dependent else own
        obj = gaz.lookup(item.name, "Component") or (None if item.dependent else gaz.lookup(item.name, "Vendor"))
        if obj is None:
            # "[platform/auth/README.md](…)": a link to a component folder's own README names that component
            obj = next((gaz.in_folder(posixpath.dirname(t)) for t in item.targets
                        if posixpath.basename(t).lower() in ("readme.md", "index.md", "readme.markdown")
                        and gaz.in_folder(posixpath.dirname(t))), None)
        if subject is None or not obj or obj == subject:
            continue
        relation = "dependsOn"
        if not item.dependent:
            if item.installed:
                continue  # "- [Terraform](https://www.terraform.io/downloads) (v1.5+)": installed to deploy it
            if INSTALL_TOOLING.search(gaz.category_of(obj)):
                continue  # "- Helm 3+": what installs or builds the component, not what it needs to run
            if item.tools and not _runs_beside(gaz, obj):
                continue  # "Requirements: - Go - Git - Kafka": the language and the VCS are what a developer installs
            if gaz.hosts(obj) and gaz.type_of(obj) == "Component":
                relation = "runsOn"  # "- Kubernetes 1.16+": where it runs
        a, b = (obj, subject) if item.dependent else (subject, obj)
        out.facts.append(Fact(a, relation, b, evidence_at(doc, item.line, "prose"), subject_type="key",
                              object_type="key"))


# a two-column table of the page's own properties ("| **Category** | Identity |", "| **Depends on** | postgresql |"):
# its header is empty or says only that it holds properties and their values
PROPERTY_HEADER = re.compile(r"^(?:|propert(?:y|ies)|key|field|attribute|item|setting|name|info)$", re.I)
VALUE_HEADER = re.compile(r"^(?:|values?|details?|info|information|description)$", re.I)
# rows that name what the page's component needs, and what needs it
NEEDS_ROW = re.compile(r"^(?:depends on|dependencies|dependency|requires|required services|uses|relies on|needs)$",
                       re.I)
NEEDED_BY_ROW = re.compile(r"^(?:required by|used by|consumed by|needed by|depended on by|dependents|consumers)$", re.I)
NOTHING = re.compile(r"^(?:none|n/?a|nothing|-+|—|–|tbd|\(none\))$", re.I)


def _named_by_page(doc: Document, gaz: Gazetteer) -> str | None:
    """The document's component (`document_component`) where the page's title is its whole name: a title that only
    starts with a component's name ("OpenTelemetry Collector") is about something more particular."""
    found = document_component(doc, gaz)
    if found is None or found == folder_component(doc, gaz):
        return found
    title = clean_name(split_parenthetical(clean_name(doc.title))[0])
    runbook = RUNBOOK_TITLE.match(title)  # "Sirius Service Runbook": Sirius's own page
    return found if gaz.lookup(runbook.group("name") if runbook else title) == found else None


def property_tables(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """A page's table of its own properties: a 'Depends on' row names what the page's component (the component its
    section, else the page, is about) depends on; a 'Required by' row names what depends on it."""
    own: str | None = None
    looked = False
    for table in doc.tables:
        if len(table.header) != 2 or not PROPERTY_HEADER.match(clean_name(table.header[0])) \
                or not VALUE_HEADER.match(clean_name(table.header[1])):
            continue
        for row, line in zip(table.rows, table.row_lines):
            label, value = (clean_name(c) for c in list(row.values())[:2])
            label = label.rstrip(":").strip()
            needs, needed = NEEDS_ROW.match(label), NEEDED_BY_ROW.match(label)
            if not (needs or needed) or NOTHING.match(value):
                continue
            if not looked:
                own, looked = _named_by_page(doc, gaz), True
            subject = gaz.section_subject(table.section) or own
            if subject is None:
                continue
            ev = evidence_at(doc, line, "table")
            for part in split_compound(value):
                part = clean_name(split_parenthetical(part)[0])
                other = gaz.lookup(part, "Component") or (gaz.lookup(part, "Vendor") if needs else None)
                if not other or other == subject or NOTHING.match(part):
                    continue
                a, b = (subject, other) if needs else (other, subject)
                out.facts.append(Fact(a, "dependsOn", b, ev, subject_type="key", object_type="key"))
