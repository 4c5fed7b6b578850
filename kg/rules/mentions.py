"""Names read off how prose sets them apart: 'Full Name (ABBR)', a link to a product's own site, a component
folder with a README of its own, and proper nouns the docs keep writing ("our Transit Gateway").

None of these rules needs a name to be known beforehand: the structure of the text says that it is a
name. Candidates that only prose capitalisation supports (strength 0) become entities only when the
workspace writes them more than once (see `resolve.build_entities`).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from ..gazetteer import PHRASE_WORD, is_everyday_word
from ..model import Block, Document, Link, Mention
from ..names import (
    GENERIC_LINK_TEXT,
    ORDERING_PREFIX,
    clean_name,
    is_abbreviation_of,
    split_parenthetical,
    takes_capitals,
)
from .phrases import ADJECTIVE_OF_NAME, CAPITALISED_STOPWORDS, NOT_A_TECHNOLOGY_HEAD, is_name_token, names_in
from .state import Extraction, configuration_table, evidence_at, looks_like_a_name

# "Amazon Simple Email Service (SES)", "Access Your Records (AYR)", "AWS Key Management Service (KMS)"
ABBREVIATION_FULL_NAME = re.compile(r"\b([A-Z][A-Z0-9]{1,8})\s+\(((?:[A-Z][\w.&+-]*(?:\s+(?:of|for|and|the|on|in|de|&))?\s*)"
                                    r"{2,7})\)")
FULL_NAME_ABBREVIATION = re.compile(r"((?:[A-Z][\w.&+-]*\s+(?:(?:of|for|and|the|de|&|as(?:\s+an?)?)\s+)?){1,7})"
                                    r"\(([A-Z][A-Za-z0-9]{1,9})\)")
# "Acme Platform as a Service (APaaS)": a product offered as a kind of service, named by what goes before it (the
# kind alone, "Software as a Service (SaaS)", is no product)
AS_A_SERVICE = re.compile(r"^(?P<owner>(?:[A-Z][\w.&+-]*\s+){1,3})[A-Z][\w-]*\s+as\s+(?:an?\s+)?[A-Z][\w-]*$")
# organisations and people are not technologies
ORGANISATION = re.compile(r"\b(?:centre|center|ministry|department|office|agency|council|authority|institute|archives?|"
                          r"organi[sz]ation|government|commission|foundation|association|university|team|group|board|"
                          r"committee|programme|program|unit|division|directorate|society|company|partners?|"
                          r"limited|ltd|inc|gmbh|llc|plc|corporation|consortium|community|network of)\b", re.I)
# sites that talk about things rather than being them
NOT_A_PRODUCT_SITE = re.compile(r"wikipedia\.org|/(?:issues|pull|pulls|discussions|commit|compare|wiki)(?:/|$)|"
                                r"\.(?:md|markdown|pdf|png|jpe?g|svg|gif)(?:$|[?#])|medium\.com|youtube\.com|"
                                r"twitter\.com|x\.com|stackoverflow\.com|linkedin\.com|google\.com/(?:document|"
                                r"spreadsheets|presentation)|atlassian\.net|slack\.com|/blog/|blog\.|"
                                # an article on an idea: "/bliki/WalkingSkeleton", "/Walking+skeleton", "/articles/…"
                                r"/bliki/|/articles?/|/posts?/|/[A-Za-z]+\+[A-Za-z+]+/?(?:$|[?#])", re.I)
COMPONENT_FOLDERS = re.compile(r"^(?:modules?|components?|services?|apps?|applications?|packages?|charts?|"
                               r"platform|infra|infrastructure|terraform|helm|systems?|blueprints?|stacks?|"
                               r"tools|plugins?|operators?|controllers?|libs?|crates|functions|lambdas?|"
                               r"microservices|backends?|frontends?|workloads?|addons?|add-ons)$", re.I)
DOC_FOLDERS = re.compile(r"^(?:docs?|documentation|adrs?|decisions?|architecture[-_ ].*|runbooks?|guides?|"
                         r"handbook|manual|notes|meeting[-_ ]notes|research|design|diagrams|images|assets|"
                         r"\.github|examples?|tests?|scripts?|templates?|environments?)$", re.I)


# an indefinite article before a long form: what follows is a kind of thing being defined, not a product
KIND_DEFINED = re.compile(r"(?:^|\s)(?:a|an)\s*$", re.I)


def abbreviations(doc: Document, out: Extraction) -> None:
    """'Full Name (ABBR)' in prose: a name and its abbreviation, written together."""
    from .. import gazetteer

    known = gazetteer.load()
    texts = [(b.text, b.line) for b in doc.blocks] + [(s.title, s.line) for s in doc.sections]
    for text, line in texts:
        for m in FULL_NAME_ABBREVIATION.finditer(text[:2000]):
            words, abbr = m.group(1).split(), m.group(2)
            # the words the abbreviation covers, and a maker's name in front of them ("AWS Key Management Service")
            for cut in range(len(words) - 1, -1, -1):
                name = " ".join(words[cut:])
                if gazetteer.abbreviates(abbr, name):  # as written, or as its makers spell it ("Github Actions (GHA)")
                    if cut > 0 and words[cut - 1][0].isupper() and words[cut - 1].lower() not in CAPITALISED_STOPWORDS \
                            and re.fullmatch(r"[A-Z][A-Za-z0-9]{1,9}", words[cut - 1]) and len(words[cut - 1]) <= 6:
                        name = words[cut - 1] + " " + name  # AWS, Amazon, Google: the maker stays
                    break
            else:
                continue
            name = clean_name(name)
            if " as " in name and not AS_A_SERVICE.match(name):
                continue
            if len(name.split()) < 2 or ORGANISATION.search(name) and not AS_A_SERVICE.match(name) \
                    or name.split()[0].lower() in CAPITALISED_STOPWORDS:
                continue
            if KIND_DEFINED.search(text[:m.start()] + " " + " ".join(words[:cut])) and known.get(name) is None:
                continue  # "An Architectural Decision (AD) is …", "a Policy Decision Point (PDP)": a kind defined
            if re.fullmatch(r"[A-Z0-9]{2,}s", abbr) and known.get(abbr[:-1]) is None and known.get(name[:-1]) is None:
                # "Architecture Decision Records (ADRs)", "virtual machines (VMs)": kinds of things; a plural counts
                # where its singular is a technology the gazetteer knows ("Elastic Load Balancers (ELBs)": ELB)
                continue
            out.mentions.append(Mention(name, "Component", evidence_at(doc, line, "prose", text[:300]),
                                        aliases=[abbr]))
        # "ECK (Elastic Cloud on Kubernetes) operator": the abbreviation first, the name it stands for in brackets
        for m in ABBREVIATION_FULL_NAME.finditer(text[:2000]):
            abbr, name = m.group(1), clean_name(m.group(2))
            if len(name.split()) >= 2 and is_abbreviation_of(abbr, name) and not ORGANISATION.search(name):
                out.mentions.append(Mention(name, "Component", evidence_at(doc, line, "prose", text[:300]),
                                            aliases=[abbr]))
    _linked_abbreviations(doc, out)


# "[Acme Wire Format](https://…/awf/) (AWFT)": a link's text and the abbreviation in brackets right after it
LINK_THEN_ABBREVIATION = r"\[{text}\]\([^)\s]*\)\s*\(([A-Z][A-Za-z0-9]{{1,9}})\)"


def _linked_abbreviations(doc: Document, out: Extraction) -> None:
    """A link whose text the abbreviation after it takes the capitals of: the link names a thing and the
    abbreviation is another name of it, also where the abbreviation takes a letter from inside a word (OTLP of the
    "OpenTelemetry Protocol"); the link's brackets mark where the name starts."""
    for link in doc.links:
        text = clean_name(link.text)
        if not text or not text[:1].isupper() or NOT_A_PRODUCT_SITE.search(link.href) or ORGANISATION.search(text):
            continue
        m = re.search(LINK_THEN_ABBREVIATION.format(text=re.escape(link.text)), doc.line_text(link.line))
        if m and m.group(1) != text and takes_capitals(m.group(1), text) and not is_everyday_word(text):
            out.mentions.append(Mention(text, "Component", evidence_at(doc, link.line, "link"), aliases=[m.group(1)],
                                        props={"alias_of_node": True}))


DOC_PAGE = re.compile(r"\b(?:documentation|docs|pricing|prices|guide|guides|setup|tutorial|reference|blog|overview|"
                      r"deployment|installation|install|release notes|changelog|website|homepage|page|benchmarks?|"
                      r"comparison|calculator|console|dashboard|status|specification|spec|readme|getting started|"
                      r"quickstart|quick start|best practices|examples?|architecture|faq|announcement|article|"
                      r"paper|report|issue|pull request|discussion|forum|slides|video|talk|notes|card|"
                      # what a reading list links to: "Ten Caching Patterns", "the Design Handbook", "Cheat Sheet"
                      r"handbook|principles|patterns|cheat ?sheets?|primer|whitepaper|white paper|checklist)\b", re.I)


def _product_href(href: str) -> bool:
    """A link to a product's own site (a short path) or to a repository's root, not to a page deep inside."""
    from urllib.parse import urlparse

    url = urlparse(href)
    segments = [s for s in url.path.split("/") if s and s not in ("index.html", "en", "en-us", "en-gb")]
    return len(segments) <= 2


def _names_the_site(text: str, href: str) -> bool:
    """Whether a one-word link text is the name its site's domain bears ('gevent' for www.gevent.org)."""
    from urllib.parse import urlparse

    host = (urlparse(href).hostname or "").lower()
    labels = [p for p in host.split(".") if p not in ("www", "docs")]
    return bool(re.fullmatch(r"[a-z][a-z0-9-]{2,30}", text)) and len(labels) >= 2 and labels[-2] == text.lower()


# a maker's product named with a possessive: "[FRED's epplib](https://gitlab.nic.cz/fred/utils/epplib)",
# "Django's [Admin](https://docs.djangoproject.com/…/contrib/admin/)"
POSSESSIVE = re.compile(r"^(?P<owner>[A-Z][\w.-]*[A-Za-z0-9])['’]s\s+(?P<rest>.+)$")


def owned_product(link: Link, line: str) -> tuple[str, str | None] | None:
    """The product a link names as its maker's, and the link's text when that is written another way: the owner is the
    site's organisation or domain, and the last part of the address one word of the text ("[TensorFlow's ranking
    library](https://github.com/tensorflow/ranking)": TensorFlow Ranking), or the link's one word follows the owner's
    possessive ("Django's [Admin](https://docs.djangoproject.com/en/4.2/ref/contrib/admin/)": Django Admin)."""
    from urllib.parse import urlparse

    url = urlparse(link.href)
    segments = [p for p in url.path.lower().split("/") if p]
    host = (url.hostname or "").lower()
    text = clean_name(link.text)
    m = POSSESSIVE.match(text)
    if m:
        owner, words = m.group("owner"), m.group("rest").split()
        text_of = text
    else:
        before = re.search(r"(?P<owner>[A-Z][\w.-]*[A-Za-z0-9])['’]s\s+\[" + re.escape(link.text) + r"\]", line)
        if before is None or not re.fullmatch(r"[A-Z][\w-]*", text):
            return None
        owner, words, text_of = before.group("owner"), [text], None
    own = re.sub(r"[^a-z0-9]", "", owner.lower())
    if not segments or not (segments[0] == own or own in host.split(".") or any(own in label for label in host.split("."))):
        return None
    last = segments[-1]
    word = next((w for w in words if w.lower() == last), None)
    if word is None:
        return None
    # (an everyday word in lower case is the product's name written as a word: "ranking" of TensorFlow Ranking)
    if word.islower() and (is_everyday_word(word) or word.endswith("ing") and is_everyday_word(word[:-3])):
        word = word.capitalize()
    return f"{owner} {word}", text_of


NAVIGATION_LINKS = 3  # how many links to one site a table holds to be a site's navigation


def navigation_lines(doc: Document) -> set[int]:
    """The lines of tables that are a site's navigation: three or more links to one site's pages (or all relative),
    most of them labelled with everyday words ("| 2 | actions | [Actions](https://docs.example.org/tool/actions) |",
    "[Configurations](…)", "[Tutorial](/t/101)"). Nothing in them is a product. A table is read by its lines that
    start with a bar, so one whose rows do not parse as a table counts too."""
    from urllib.parse import urlparse

    rows: dict[int, list[Link]] = {}
    for link in doc.links:
        if doc.line_text(link.line).startswith("|"):
            rows.setdefault(link.line, []).append(link)
    lines: set[int] = set()
    for table in _runs(sorted(rows)):
        links = [link for line in table for link in rows[line] if link.href]
        sites = {(urlparse(link.href).hostname or "").removeprefix("www.") for link in links}
        sites.discard("")  # a relative link is a page of the docs' own site
        everyday = sum(bool(words) and all(is_everyday_word(w) for w in words)
                       for words in (re.findall(r"[A-Za-z]+", link.text) for link in links))
        if len(links) >= NAVIGATION_LINKS and len(sites) <= 1 and everyday * 2 > len(links):
            lines.update(table)
    return lines


def _runs(lines: list[int]) -> list[list[int]]:
    """Sorted line numbers in runs of neighbours, a gap of one line (a row without a link, a table's rule) allowed."""
    runs: list[list[int]] = []
    for line in lines:
        if runs and line - runs[-1][-1] <= 2:
            runs[-1].append(line)
        else:
            runs.append([line])
    return runs


def linked_names(doc: Document, out: Extraction) -> None:
    """A link to a product's own site or repository whose text is a name: '[Packer](https://www.packer.io/)'; not one
    in a site's navigation table (`navigation_lines`)."""
    navigation = navigation_lines(doc)
    for link in doc.links:
        if link.kind != "external" or not link.href.startswith(("http://", "https://")) or link.line in navigation:
            continue
        if NOT_A_PRODUCT_SITE.search(link.href):
            continue
        owned = owned_product(link, doc.line_text(link.line))
        if owned:
            out.mentions.append(Mention(owned[0], "Component", evidence_at(doc, link.line, "link"),
                                        aliases=[owned[1]] if owned[1] else [], props={"alias_of_node": True}))
            continue
        # "SOPS GitHub Repository", "Trivy repo": the product whose repository it is
        text = re.sub(r"(?<=\S)\s+(?:on\s+)?(?:(?:github|gitlab|bitbucket)\s*)?(?:repository|repo|project|"
                      r"source code|sources?)$|(?<=\S)\s+on\s+(?:github|gitlab|bitbucket)$", "",
                      clean_name(link.text), flags=re.I)
        if DOC_PAGE.search(text) or GENERIC_LINK_TEXT.match(text) or not _product_href(link.href):
            continue  # "Istio Documentation", "AWS S3 Pricing", a page deep in a manual
        fragment = link.href.partition("#")[2]
        if fragment and re.sub(r"[^a-z0-9]", "", fragment.lower()) == re.sub(r"[^a-z0-9]", "", text.lower()):
            continue  # "[Flags](https://github.com/…#flags)": a section of a page, named as the section is
        names = names_in(text)
        if not names and _names_the_site(text, link.href):
            # "[gevent](http://www.gevent.org/)", "[htmx](https://htmx.org/)": a product written in lower case,
            # linked to the site that bears its name
            names = names_in(text, frozenset({text}))
        if len(names) != 1 or names[0].start != 0 or names[0].end < len(text.rstrip(")")) - 1:
            continue  # only a link whose whole text is one name
        name = names[0].text
        if ORGANISATION.search(name) or re.search(r"\d{3,}|^v?\d", name) or len(name) < 2:
            continue
        out.mentions.append(Mention(name, "Component", evidence_at(doc, link.line, "link"),
                                    aliases=[names[0].abbreviation] if names[0].abbreviation else [],
                                    props={"homepage": link.href}))


def component_folders(doc: Document, out: Extraction) -> None:
    """A component folder with a README of its own: 'terraform/modules/vpc-inspection/README.md' titled
    'VPC Inspection' is the VPC Inspection component; its folder name is an alias."""
    parts = PurePosixPath(doc.path).parts
    if len(parts) == 2 and parts[-1].lower() in ("readme.md", "readme.markdown"):
        _service_repository(doc, out)
        return
    if len(parts) >= 3 and SERVICE_PAGES.match(parts[-2]) and not INDEX_PAGE.match(parts[-1]):
        _service_page(doc, out)
        return
    if len(parts) < 4 or parts[-1].lower() not in ("readme.md", "readme.markdown", "index.md"):
        return  # repository/…/folder/README.md, not the repository's own README
    folder, parent = parts[-2], parts[-3]
    if any(DOC_FOLDERS.match(p) or p.startswith(".") for p in parts[1:-1]):
        return  # docs/features/README.md describes a topic, not a component
    # "platform/02.redis": a number in front that orders the folders is no part of the component's name
    named = ORDERING_PREFIX.sub("", folder) or folder
    folder_words = [w for w in re.split(r"[-_. ]+", named.lower()) if w]
    title = clean_name(re.sub(r"^#+\s*", "", doc.title))
    # the part of the title that names the folder: "Modernisation Platform - PagerDuty" -> PagerDuty
    # "Checkout Service (Java)": a bracketed qualifier after the name is not part of it
    candidates = [split_parenthetical(p)[0] for p in re.split(r"\s+[-–—:|]\s+", title)]
    flat_folder = "".join(folder_words)
    name = next((c for c in candidates if re.sub(r"[^a-z0-9]", "", c.lower()) == flat_folder), None)
    if name is None:
        # "apps/Altinn.ResourceRegistry" titled "Resource Registry": the title names the folder without the
        # organisation's prefix in front of it (one dotted or dashed part)
        name = next((c for c in candidates if len(c) > 3 and re.fullmatch(
            r"[a-z0-9]+" + re.escape(re.sub(r"[^a-z0-9]", "", c.lower())), flat_folder)
            and re.match(r"[A-Za-z0-9]+[._-]", named)), None)
    if name is None and not COMPONENT_FOLDERS.match(parent):
        return  # a folder that is not in a components folder and whose README does not name it
    title_words = re.findall(r"[a-z0-9]+", title.lower())
    if name is None and len(folder_words) >= 2 and all(w in title_words for w in folder_words) \
            and " ".join(folder_words) not in " ".join(title_words):
        return  # "vsphere_talos" titled "… deploying Talos on vSphere": a module joining two things, not a third
    if name is None:
        name = " ".join(w.capitalize() if not w.isupper() else w for w in re.split(r"[-_]+", named))
    ev = evidence_at(doc, doc.sections[0].line if doc.sections else 1, "heading")
    folder_path = "/".join(parts[:-1])
    aliases = [folder] if folder.lower() != name.lower() else []
    out.mentions.append(Mention(name, "Component", ev, aliases=aliases, props={"folder": folder_path}, strength=2))


# a repository named for what it runs: cart-service, payments-api, notification-worker
SERVICE_NAME = re.compile(r"(?:^|[-_. ])(?:service|svc|api|ui|portal|worker|gateway|server|backend|frontend|daemon|bot|"
                          r"proxy|microservice|processor|handler|consumer|producer|scheduler|listener|router|web|app)$",
                          re.I)
# a README that speaks of its repository as something that runs: "The service stores carts in Redis"
SPEAKS_AS_SERVICE = re.compile(r"\b(?:the|this)\s+(?:micro-?)?(?:service|api|application|app|worker|daemon|server)\b"
                               r"(?!\s+(?:of|for|that|which|to)\b)", re.I)


# a manual's folder of one page per service: docs/services/cart.md, docs/components/product-reviews.md
SERVICE_PAGES = re.compile(r"^(?:(?:micro)?services?|components?|apps?|applications?|systems?)$", re.I)
INDEX_PAGE = re.compile(r"^(?:_?index|readme|overview|summary|introduction)\.\w+$", re.I)


def service_page_title(doc: Document) -> str | None:
    """The service a page in a folder of service pages is the own page of: its title, where the title names the
    page's file ('product-reviews.md' titled 'Product Reviews Service', 'cart.md' titled 'Cart'), else None."""
    parts = PurePosixPath(doc.path).parts
    if len(parts) < 3 or not SERVICE_PAGES.match(parts[-2]) or INDEX_PAGE.match(parts[-1]):
        return None
    stem = ORDERING_PREFIX.sub("", PurePosixPath(doc.path).stem)
    title = split_parenthetical(clean_name(re.sub(r"^#+\s*", "", doc.title)))[0]
    flat_stem = re.sub(r"[^a-z0-9]", "", stem.lower())
    # (not "Setting up the cart" for cart.md)
    bare = SERVICE_NAME.sub("", title) if not SERVICE_NAME.search(stem) else title
    if not flat_stem or re.sub(r"[^a-z0-9]", "", bare.lower()) != flat_stem or not title[:1].isupper():
        return None
    return title


def _service_page(doc: Document, out: Extraction) -> None:
    """A service's own page names it: the title is a component, the file's name another name of it."""
    title = service_page_title(doc)
    if title is None:
        return
    stem = ORDERING_PREFIX.sub("", PurePosixPath(doc.path).stem)
    ev = evidence_at(doc, _title_line(doc), "heading")
    aliases = [stem] if stem.lower() != title.lower() else []
    out.mentions.append(Mention(title, "Component", ev, aliases=aliases, props={"own_page": True}, strength=2))


def _title_line(doc: Document) -> int:
    """The line that gives a document its title: its top heading, else line 1 (front matter's `title:`)."""
    first = doc.sections[0] if doc.sections else None
    return first.line if first is not None and first.level == 1 and first.title == doc.title else 1


# a README's heading for the endpoint that says the process is up: "### Healthcheck", "## Health checks"
HEALTH_SECTION = re.compile(r"^health[\s-]?checks?(?:\s+endpoints?)?$|^health(?:\s+endpoints?)?$", re.I)
# settings of a process that serves or consumes: where it listens ("BIND_ADDR", "HTTP_PORT"), what it reads or writes
# ("INPUT_FILE_AVAILABLE_TOPIC", "…_CONSUMER_GROUP", "ORDERS_QUEUE")
SERVING_SETTING = re.compile(r"^\$?(?:[A-Z0-9]+_)*(?:BIND_ADDR(?:ESS)?|PORT|LISTEN_[A-Z]+|TOPIC|TOPIC_NAME|CONSUMER_GROUP|"
                             r"QUEUE|QUEUE_NAME)$")


def _runs_as_configured(doc: Document) -> bool:
    """Whether a README configures a process that runs: a settings table with where it listens or the topics it
    consumes ("| BIND_ADDR | :21300 | address to listen on |"), or a Healthcheck section."""
    if any(HEALTH_SECTION.match(clean_name(sec.title)) for sec in doc.sections):
        return True
    for table in doc.tables:
        if table.header and configuration_table(table.header, table.rows):
            settings = (clean_name(r.get(table.header[0], "")).strip("`") for r in table.rows)
            if any(SERVING_SETTING.match(x) for x in settings):
                return True
    return False


def _service_repository(doc: Document, out: Extraction) -> None:
    """A repository that is one service: its name or its README says it is something that runs ('cart-service',
    'The service stores carts in Redis', a Dependencies section). The service is a component named as the README's
    title writes the repository's name ('Cart Service' in cart-service), else by the repository's name with the
    title as another name ('Payment Batch Processor' in pay-batch-processor); its folder is the repository, so
    what its README says it uses is what the service uses."""
    from .sections import lists_dependencies, requirements_list

    def needs(section: tuple[str, ...]) -> bool:  # "## Requirements" lists what a developer installs as often
        return lists_dependencies(section) and not requirements_list(section)

    repo = doc.repo
    title = clean_name(re.sub(r"^#+\s*", "", doc.title))
    flat = re.sub(r"[^a-z0-9]", "", repo.lower())
    name = next((c for c in (split_parenthetical(p)[0] for p in re.split(r"\s+[-–—:|]\s+", title))
                 if flat and re.sub(r"[^a-z0-9]", "", c.lower()) == flat), None)
    if name is not None and "/" in name:
        return
    runs = SERVICE_NAME.search(repo) or any(SPEAKS_AS_SERVICE.search(b.text) for b in doc.blocks[:40]) or \
        any(needs(b.section) for b in doc.blocks) or any(needs(t.section) for t in doc.tables) or \
        _runs_as_configured(doc)
    # a repository named by the abbreviation of what its README spells out holds that thing ("usnotify-ssb")
    spelled = _abbreviation_spelled_out(doc, repo)
    if not runs and not spelled:
        return
    aliases = []
    if name is None:
        name = _title_after_prefix(title, repo)
    if name is None:
        # "# FFC Payment Batch Processor" in ffc-pay-batch-processor: the repository's name is the service's,
        # and a short title that is a name too is another name of it
        name = repo
        if title and len(title.split()) <= 6 and names_in(title) and names_in(title)[0].text == title:
            aliases.append(title)
    ev = evidence_at(doc, doc.sections[0].line if doc.sections else 1, "heading")
    aliases += [repo] if repo.lower() != name.lower() else []
    out.mentions.append(Mention(name, "Component", ev, aliases=aliases, props={"folder": repo}, strength=2))
    for alias in aliases[:-1] if aliases and aliases[-1] == repo else aliases:
        # the title is a name of the repository's component wherever the docs write it
        out.mentions.append(Mention(alias, "Component", ev, props={"repository_link": repo}, strength=-1))
    if spelled:
        out.mentions.append(Mention(spelled[0], "Component", evidence_at(doc, spelled[1], "prose"), aliases=[repo],
                                    props={"alias_of_node": True}))
    unprefixed = _unprefixed(name, repo)
    bare_repository = None if unprefixed else _unprefixed_repository(title, repo)
    if unprefixed:
        out.mentions.append(Mention(unprefixed, "Component", ev, props={"repository_link": repo}, strength=-1))
    elif bare_repository:
        # only where the docs write it: a name that no text gives stays no name of it
        out.mentions.append(Mention(bare_repository, "Component", ev,
                                    props={"repository_link": repo, "joins_only": True}, strength=-1))


def _title_after_prefix(title: str, repo: str) -> str | None:
    """The name a README's title gives after the product's name its repository's name starts with: "# Acme Ledger -
    Invoice Builder" in acme-ledger-invoices is the Invoice Builder (the name holds a word of the rest)."""
    parts = [clean_name(p) for p in re.split(r"\s+[-–—:|]\s+", title)]
    if len(parts) != 2 or not parts[1][:1].isupper():
        return None
    flat = re.sub(r"[^a-z0-9]", "", parts[0].lower())
    pieces = repo.lower().split("-")
    for cut in range(1, len(pieces)):
        if "".join(pieces[:cut]) == flat:
            words = {w.lower() for w in re.findall(r"[A-Za-z0-9]+", parts[1])}
            return parts[1] if words & set(pieces[cut:]) else None
    return None


# a repository named for what it is by the abbreviation its README spells out: "usnotify-ssb" / "The Supplementary
# Service Broker (SSB) manages …"
REPOSITORY_ABBREVIATION = re.compile(r"[-_](?P<abbr>[a-z][a-z0-9]{1,5})$")


def _abbreviation_spelled_out(doc: Document, repo: str) -> tuple[str, int] | None:
    """The full name, and its line, that the README of a repository named `<prefix>-<abbr>` gives its abbreviation."""
    end = REPOSITORY_ABBREVIATION.search(repo)
    if end is None:
        return None
    for block in doc.blocks[:20]:
        for m in FULL_NAME_ABBREVIATION.finditer(block.text[:2000]):
            if m.group(2).lower() != end.group("abbr"):
                continue
            words = m.group(1).split()
            for cut in range(len(words) - 1):
                name = clean_name(" ".join(words[cut:]))
                if words[cut].lower() not in CAPITALISED_STOPWORDS and is_abbreviation_of(m.group(2), name):
                    return name, block.line
    return None


def _unprefixed(title: str, repo: str) -> str | None:
    """The name a README's title gives without the prefix all the organisation's repositories share: "DP Files API"
    in dp-files-api is also the "Files API" (two words at least, or one that is no everyday word)."""
    words = title.split()
    prefix, _, rest = repo.partition("-")
    if len(words) < 2 or not rest or re.sub(r"[^a-z0-9]", "", words[0].lower()) != prefix.lower():
        return None
    name = " ".join(words[1:])
    if re.sub(r"[^a-z0-9]", "", name.lower()) != re.sub(r"[^a-z0-9]", "", rest.lower()):
        return None
    return name if len(words) > 2 or not is_everyday_word(name) else None


def _unprefixed_repository(title: str, repo: str) -> str | None:
    """The repository's own name without the organisation's prefix its README's title starts with: "# HMPPS External
    API" in hmpps-integration-api is also integration-api, the "Integration API" the docs write (two words at least;
    a name that only joins one written elsewhere)."""
    prefix, _, rest = repo.partition("-")
    words = title.split()
    if len(words) < 2 or re.sub(r"[^a-z0-9]", "", words[0].lower()) != prefix.lower() or "-" not in rest:
        return None
    return rest


def _repository_linked(link: Link) -> str | None:
    """The workspace repository a link points at as a whole: its GitHub root ("https://github.com/org/files-api"),
    its root README, or its folder ("../files-api"); None for a page or a file inside it."""
    if link.kind == "repository" and link.target:
        return str(link.target)
    parts = PurePosixPath(link.target or "").parts
    if link.kind == "internal" and len(parts) == 2 and parts[1].lower() in ("readme.md", "readme.markdown"):
        return parts[0]
    return None


def repository_links(doc: Document, out: Extraction) -> None:
    """A link to a repository of the workspace names the component that repository holds: "uses the [Files
    API](https://github.com/org/dp-files-api)" is dp-files-api's component, where the link's words are all words of
    the repository's name. The name only joins that component (`resolve`); a repository that holds none makes none,
    and a name the gazetteer knows as a technology is that technology, not a repository's own name."""
    from .. import gazetteer

    known = gazetteer.load()
    for link in doc.links:
        repo = _repository_linked(link)
        text = clean_name(link.text)
        if repo is None or not text or GENERIC_LINK_TEXT.match(text) or known.get(text) is not None:
            continue
        words = re.findall(r"[a-z0-9]+", text.lower())
        if not words or not set(words) <= set(re.split(r"[-_.]+", repo.lower())):
            continue  # "[Zebedee Publisher](…/zebedee)": more than the repository's name
        out.mentions.append(Mention(text, "Component", evidence_at(doc, link.line, "link"),
                                    props={"repository_link": repo}, strength=-1))


# a name written as one word of capitalised words and an abbreviation after them: "NorthLDX", "CentralKMS" (as the
# docs may write "Central KMS"); "LoadBalancer" or "GetOrders" is a code's identifier, no name run together
JOINED_NAME = re.compile(r"(?<![\w./-])[A-Z][a-z]+(?:[A-Z][a-z]+)*[A-Z]{2,}(?![\w/-])")
JOINED_PART = re.compile(r"[A-Z][a-z]+|[A-Z]{2,}")


def joined_names(doc: Document, out: Extraction) -> None:
    """A name run together from capitalised words and an abbreviation ("CentralKMS"): a name where the workspace
    writes it with its spaces too ("Central KMS", see resolve._written_both_ways)."""
    cells = [(cell, line) for t in doc.tables for row, line in zip(t.rows, t.row_lines) for cell in row.values()]
    for text, line in [(b.text, b.line) for b in doc.blocks] + cells:
        for m in JOINED_NAME.finditer(text[:2000]):
            spaced = " ".join(JOINED_PART.findall(m.group(0)))
            out.mentions.append(Mention(m.group(0), "Component", evidence_at(doc, line, "prose", text[:300]),
                                        props={"spaced": spaced}, strength=-1))


# sections that define a document's own vocabulary or thank people: their capitalised phrases are no products
TERMS_SECTION = re.compile(r"^(?:definitions?|glossary|terminology|terms(?: and definitions)?|vocabulary|"
                           r"acknowledg\w*|credits|thanks|authors?|contributors?|licen[cs]e)$", re.I)


def proper_nouns(doc: Document, out: Extraction) -> None:
    """'our Transit Gateway', 'the External Event Handler': a capitalised phrase behind a determiner, mid-sentence.

    Only a candidate: it becomes an entity where the workspace writes it more than once.
    """
    terms: dict[tuple[str, ...], bool] = {}
    for block in doc.blocks:
        if block.section not in terms:
            terms[block.section] = any(TERMS_SECTION.match(clean_name(h)) for h in block.section)
        if terms[block.section]:
            continue  # "- Release: … accompanied by a Release Statement": the document's own terms, no products
        for m in re.finditer(r"\b(?:our|the|their|its|a|an)\s+([A-Z][\w.+-]*(?:\s+[A-Z][\w.+-]*){0,3})", block.text[:3000]):
            phrase = m.group(1).strip()
            names = names_in(phrase)
            if not names or names[0].start != 0:
                continue
            name = names[0].text
            words = name.split()
            if len(words) < 2 or ORGANISATION.search(name) or any(w.lower() in CAPITALISED_STOPWORDS for w in words) \
                    or words[-1] == "ID":
                continue  # (behind an article, "the Cognito ID" is one identifier, not a product)
            out.mentions.append(Mention(name, "Component", evidence_at(doc, block.line, "prose", block.text[:300]),
                                        strength=0))


# what a runbook says of something that can fail: "If Sirius is down, …", "downtime to Sirius has an impact on …"
OUTAGE = re.compile(r"\b(?i:if|when|whenever|while|should)\s+(?:the\s+)?(?P<a>[A-Z][\w.+-]*(?:\s+[A-Z][\w.+-]*){0,3})\s+"
                    r"(?:is|are|goes|go|becomes|become|fails?|has failed)\s+(?:down|unavailable|offline|unreachable|"
                    r"degraded|not available|out of service)?"
                    r"|\b(?i:downtime|outages?|unavailability|failure)\s+(?:to|of|for|in)\s+(?:the\s+)?"
                    r"(?P<b>[A-Z][\w.+-]*(?:\s+[A-Z][\w.+-]*){0,3})")


def outage_subjects(doc: Document, out: Extraction) -> None:
    """What a runbook says can go down is a thing that runs: "If Sirius is down, staff cannot …", "downtime to
    Sirius has an impact on connected services" name Sirius, however plain its name."""
    for block in doc.blocks:
        for m in OUTAGE.finditer(block.text[:3000]):
            phrase = m.group("a") or m.group("b")
            if m.group("a") and not re.search(r"(?:down|unavailable|offline|unreachable|degraded|available|service)$",
                                              m.group(0)) and not re.search(r"fails?|failed", m.group(0)):
                continue
            names = names_in(phrase)
            if not names or names[0].start != 0 or names[0].end < len(phrase.rstrip(".,;:")) \
                    or any(w.lower() in CAPITALISED_STOPWORDS for w in names[0].text.split()):
                continue
            # "downtime for Complete the Deputy Report": a service named in a phrase that goes on in lower case
            if re.match(r"\s+(?:the|a|an|of|for|to|my|your|our)\s", block.text[m.end():m.end() + 8]) \
                    or len(names[0].text.split()) == 1 and is_everyday_word(names[0].text):
                continue
            out.mentions.append(Mention(names[0].text, "Component",
                                        evidence_at(doc, block.line, "prose", block.text[:300]), strength=1))


# "the router-backend cluster", "whitehall-backend instances", "the api-mongo machines": an identifier in front of
# what runs it names a component
RUNTIME_ID = re.compile(r"(?<![\w/.-])(?P<name>[a-z][a-z0-9]*(?:-[a-z0-9]+)+)\s+(?:cluster|clusters|instances?|machines?|"
                        r"hosts?|servers?|nodes?|database|databases|db|bucket|buckets|queues?|replicas?|vms?)\b")


def runtime_identifiers(doc: Document, out: Extraction) -> None:
    """A lower-case identifier written in front of what runs it ("the router-backend cluster") is a component."""
    for block in doc.blocks:
        for m in RUNTIME_ID.finditer(block.text[:3000]):
            name = m.group("name")
            # "least-privilege", "widely-used", "control-plane": everyday words joined are a description; and only
            # a candidate, a name where the workspace writes it more than once
            if is_name_token(name) and not all(is_everyday_word(w) or len(w) <= 3 for w in name.split("-")):
                out.mentions.append(Mention(name, "Component", evidence_at(doc, block.line, "prose", block.text[:300]),
                                            strength=0))


# a list of names: "Dagster, Superset, Airbyte, and StarRocks", "AWS, Azure, GCP and CityCloud"
_ITEM = r"[A-Z][\w.+-]*(?:\s[A-Z][\w.+-]*)?"
NAME_LIST = re.compile(rf"(?<![\w-]){_ITEM}(?:\s*,\s*(?:and\s+|or\s+)?{_ITEM}){{1,}}\s*,?\s+(?:and|or)\s+{_ITEM}"
                       rf"|(?<![\w-]){_ITEM}(?:\s*,\s*{_ITEM}){{2,}}")


def list_items(listed: str) -> list[str]:
    """The items of a list NAME_LIST found ("X, Y, and Z", "X, Y or Z")."""
    return [i.strip() for i in re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", listed) if i.strip()]


def listed_with_known(doc: Document, out: Extraction) -> None:
    """A name listed among technologies the gazetteer knows is a candidate too ("runs Dagster, Superset, Airbyte, and
    StarRocks": Dagster), when two or more of the list are known and it is no everyday word."""
    from .. import gazetteer

    known = gazetteer.load()
    for block in doc.blocks:
        for m in NAME_LIST.finditer(block.text[:3000]):
            # ("… OpenFGA and Traefik Labs. It makes": the sentence's full stop is no part of the last name)
            items = [clean_name(i) for i in list_items(m.group(0))]
            if len(items) < 3 or sum(known.get(i) is not None for i in items) < 2:
                continue
            for item in items:
                if known.get(item) is None and not any(w.lower() in CAPITALISED_STOPWORDS or is_everyday_word(w)
                                                       for w in item.split()):
                    # a candidate: a name where the workspace writes it twice ("Customers include GitHub, Netflix,
                    # Uber" names companies once, in passing)
                    out.mentions.append(Mention(item, "Component",
                                                evidence_at(doc, block.line, "prose", block.text[:300]), strength=0))


_WORD = re.compile(PHRASE_WORD.pattern, re.I)  # split as the gazetteer split its names, or they never meet


def known_technologies(doc: Document, out: Extraction) -> None:
    """Technologies the shipped gazetteer knows, named in prose, tables and headings.

    Evidence, never a requirement. A name that is also a common word ("Flux", "Harbor") counts only
    capitalised and not at the start of a sentence; other one-word names count in any case.
    """
    from .. import gazetteer

    known = gazetteer.load()
    first_words = known.first_words
    texts = [(b.text, b.line, b.kind == "item") for b in doc.blocks] + [(s.title, s.line, False) for s in doc.sections]
    texts += [(cell, line, False) for t in doc.tables for r, line in zip(t.rows, t.row_lines) for cell in r.values()]
    seen: set[str] = set()
    for text, line, item in texts:
        words = list(_WORD.finditer(text[:5000]))
        i = 0
        while i < len(words):
            longest = first_words.get(words[i].group(0).lower(), 0)
            if not longest:
                i += 1
                continue  # no known name starts with this word
            for n in range(min(longest, 4), 0, -1):
                if i + n > len(words):
                    continue
                start, end = words[i].start(), words[i + n - 1].end()
                if start and text[start - 1] == "." and (start == 1 or not text[start - 2].isalnum()) \
                        and any(name.startswith(".") for name in getattr(known.get(text[start - 1:end]), "names", ())):
                    start -= 1  # ".NET": the dot in front is the name's own
                surface = text[start:end]
                if n > 1 and (not re.fullmatch(r"[\w.+#-]+(?: [\w.+#-]+)*", surface) or ". " in surface):
                    continue  # the words of a name stand next to each other, one space apart, in one sentence
                record = known.get(surface)
                # "- Prometheus", "- Flux – GitOps": a list item that is the name, capitalised, is the product
                listed = item and start == 0 and surface[:1].isupper() and len(surface) > 1 and LISTED_NAME_END.match(text, end) is not None
                if record is None or not (listed or _counts(surface, record.common_word, text, start)):
                    continue
                if surface.islower() and not any(f.islower() for f in record.names) and (
                        n > 1 or ADJECTIVE_ENDING.search(surface)):
                    # "aws rds describe-db-instances": a command line; "unstructured data", "serverless": a word
                    # that is also a product's name, written as the word
                    continue
                longer = LONGER_NAME.match(text, end) if n == 1 else None
                if longer and is_abbreviation_of(longer.group(2), text[start:longer.end(1)]):
                    continue  # "Elastic Kubernetes Service (EKS)": the first word of a longer name
                if surface.isupper() and re.search(r"[A-Z]{2}", surface) and _shouted(text, start, end) and not any(
                        f.isupper() and f.lower() == surface.lower() for f in record.names):
                    continue  # "OF ANY KIND": shouted text, not kind, whose name is not written in capitals
                if surface.lower() not in seen:
                    seen.add(surface.lower())
                    out.mentions.append(Mention(surface, "Component", evidence_at(doc, line, "gazetteer", text[:300]),
                                                props={"landscape": record.subcategory or record.category}))
                i += n - 1
                break
            i += 1


def _shouted(text: str, start: int, end: int) -> bool:
    """Whether the words around a hit are in capitals too ("WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND"), not
    one name written in capitals among ordinary words ("we publish with NPM")."""
    before = re.findall(r"[A-Za-z]+", text[max(0, start - 30):start])[-1:]
    after = re.findall(r"[A-Za-z]+", text[end:end + 30])[:1]
    return any(len(w) >= 2 and w.isupper() for w in before + after)


ADJECTIVE_ENDING = re.compile(r"(?:ed|less|able|ible|ful|ous|ive)$")
# capitalised words after a name, then an abbreviation in brackets: "Elastic Kubernetes Service (EKS)"
LONGER_NAME = re.compile(r"((?:\s+[A-Z][\w-]*){1,5})\s+\(([A-Z][A-Za-z]{1,9})\)")


LISTED_NAME_END = re.compile(r"\s*(?:$|[:–—(,]|\s-\s|\s+for\b)")


def _counts(surface: str, common: bool, text: str, start: int) -> bool:
    """Whether a gazetteer hit in running text is the product, not a word that happens to be its name."""
    if len(re.sub(r"\W", "", surface)) < 3:
        return False  # "C", "Go", "R": too short to find in prose
    marked = bool(re.search(r"[A-Z].*[A-Z]|\d|[-.+#]", surface)) or " " in surface
    if marked:
        return True
    # only the words just before the hit matter: the whole text before it, read for every hit, made a long
    # block's scan quadratic
    lead = text[max(0, start - 60):start]
    sentence_start = (start <= 60 and re.search(r"\w", lead) is None) or re.search(r"[.!?:]\s*$", lead) is not None
    if common:
        # "Azure Key Vault", "Safe Harbor": an everyday word after another capitalised word ends a longer name
        inside_name = re.search(r"(?<![.!?:]\s)\b[A-Z][\w-]*\s$", lead) is not None and not sentence_start
        return surface[:1].isupper() and not sentence_start and not inside_name
    return len(surface) >= 4


SELF_INTRODUCED = re.compile(r"\s+(?:is|was)\s+(?:a|an|the|our)\s+(?:[\w.+-]+\s+){0,4}?(?:service|micro-?service|app|"
                             r"application|datastore|data store|database|store|frontend|front-end|backend|back-end|api|"
                             r"server|proxy|gateway|queue|broker|worker|daemon|job|dashboard|cli|tool|library|"
                             r"framework|platform|component|module|bot|scheduler|pipeline)\b", re.I)


def introduced_component(doc: Document, title: str) -> str | None:
    """'## Reference Generator Service' opening with 'The reference generator is…': the section introduces a
    component, named as the heading writes it."""
    first = next((b for b in doc.blocks if b.section and b.section[-1] == title and b.kind == "paragraph"), None)
    if first is None:
        return None
    heading = [w for w in re.findall(r"[\w.+-]+", title)]
    # "### Backdrop" / "Backdrop is a datastore for …": the heading's own words, then what kind of running thing it is
    plain = clean_name(title)
    if 0 < len(plain) <= 40 and first.text.startswith(plain + " ") and SELF_INTRODUCED.match(first.text[len(plain):]) \
            and looks_like_a_name(plain):  # (not "## The API" / "The API is the public API of …")
        return plain
    m = re.match(r"^(?:The|Our)\s+((?:[\w.+-]+\s+){0,3}[\w.+-]+?)\s+(?:is|are|allows|provides|handles|receives|"
                 r"generates|stores|runs|manages|sends|processes|exposes|will|was|acts|serves|lets|consists?)\b",
                 first.text)
    if not m or len(heading) < 2 or len(heading) > 6:
        return None
    words = m.group(1).split()
    if len(words) < 2 or len(words) > len(heading):
        return None
    for w, h in zip(words, heading):
        if not (w.lower() == h.lower() or (len(w) >= 5 and w[:5].lower() == h[:5].lower())):
            return None
    # the heading's spelling, the sentence's word for the last part ("Handling" -> "Handler")
    name_words = heading[:len(words) - 1] + [words[-1][:1].upper() + words[-1][1:]]
    return " ".join(name_words)


# a page or section that opens by saying what kind of running thing its heading is, the name left out: "# Heartbeat"
# then "A service developed by the API team."
KIND_DESCRIBED = re.compile(r"^(?:A|An)\s+(?:[\w-]+\s+){0,2}?(?:service|micro-?service|app|application|api|worker|job|"
                            r"lambda|function|tool|bot|daemon|scheduler|pipeline|container|dashboard|cli|library)\s+"
                            r"(?:developed|built|written|run|maintained|owned|operated|created|that|which|used|"
                            r"responsible)\b")
# headings that name a part of a document, never what it describes
DOCUMENT_PART = re.compile(r"^(?:introduction|about|background|overview|summary|purpose|description|context|motivation|"
                           r"details|usage|runbook|readme|index|home|welcome|getting started|architecture|design)$", re.I)


def kind_described(doc: Document, title: str) -> str | None:
    """'# Heartbeat' opening with 'A service developed by …': the heading names a component."""
    first = next((b for b in doc.blocks if b.section and b.section[-1] == title and b.kind == "paragraph"), None)
    plain = clean_name(title)
    if first is None or not KIND_DESCRIBED.match(first.text) or not 0 < len(plain) <= 40 \
            or DOCUMENT_PART.match(plain) or not looks_like_a_name(plain):
        return None
    return plain


# a list item that is a link to something's image or code, then what it is: "- [s3sync](https://quay.io/…/s3sync):"
LINKED_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[(?P<name>[^\]]{2,40})\]\((?P<url>[^)\s]+)\)\s*(?P<mark>:|\s[-–—])\s*")
# where images live: a link there names what runs from it, whatever follows it; a link to code does with a colon
# ("- [s3sync](https://github.com/…): A sidecar …"), not in a list of repositories ("- [tdr-dev-documentation](…) - For …")
IMAGE = re.compile(r"^(?:https?://)?(?:www\.)?(?:quay\.io|hub\.docker\.com|docker\.io|ghcr\.io|gcr\.io|[\w.-]*\.?pkg\.dev|"
                   r"registry\.[\w.-]+|[\w.-]+\.azurecr\.io|public\.ecr\.aws)/", re.I)
CODE = re.compile(r"^(?:https?://)?(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org)/|^\.\.?/", re.I)


def linked_item_name(doc: Document, block: Block) -> str | None:
    """The name a list item opens with as a link to its image or code, then says what it is: "- [JupyterLab](https://
    quay.io/…): Launched by users …"; not an everyday word ("[metrics](…)") nor a phrase ("[Main application](…)")."""
    if block.kind != "item":
        return None
    m = LINKED_ITEM.match(doc.line_text(block.line))
    if not m or not (IMAGE.match(m.group("url")) or CODE.match(m.group("url")) and m.group("mark") == ":"):
        return None
    name = clean_name(m.group("name"))
    if " " in name or is_everyday_word(name) or re.search(r"\.(?:ya?ml|json|hcl|tf|md|toml|txt|sh|py|js|ts)$", name, re.I) or not (looks_like_a_name(name) or re.fullmatch(r"[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*",
                                                                                             name)):
        return None
    return name


def linked_items(doc: Document, out: Extraction) -> None:
    """Each item of a list that links a name to its image or code and says what it is names a component."""
    for block in doc.blocks:
        name = linked_item_name(doc, block)
        if name:
            out.mentions.append(Mention(name, "Component", evidence_at(doc, block.line, "prose", block.text[:300])))


def introduced_sections(doc: Document, out: Extraction) -> None:
    """A section that opens by introducing its subject ('## Reference Generator Service' / 'The reference
    generator is a standalone service…') names a component."""
    for section in doc.sections:
        name = (introduced_component(doc, section.title) if section.level >= 2 else None) \
            or (kind_described(doc, section.title) if doc.kind != "adr" else None)
        if name and not ORGANISATION.search(name):
            out.mentions.append(Mention(name, "Component", evidence_at(doc, section.line, "heading")))


# nouns that say "this name is a running piece of technology": EC2 instances, an S3 bucket, an SQS queue
TECHNOLOGY_HEAD = re.compile(r"\b([A-Z][\w.+-]*[A-Z0-9][\w.+-]*|[A-Z][a-z]+[A-Z][\w.+-]*)\s+(?:instances?|buckets?|"
                             r"queues?|clusters?|tables?|functions?|topics?|databases?|dbs?|nodes?|pods?|"
                             r"containers?|images?|volumes?|endpoints?|APIs?|gateways?|brokers?|streams?|"
                             r"distributions?|workers?|jobs?|services?)\b")


def technology_heads(doc: Document, out: Extraction) -> None:
    """A marked name before a noun for a running thing ('EC2 instances', 'the S3 upload bucket' reads as 'S3
    bucket' only when adjacent, 'SQS queue', 'DynamoDB table') is a technology."""
    for block in doc.blocks:
        for m in TECHNOLOGY_HEAD.finditer(block.text[:3000]):
            name = m.group(1).rstrip(".,")
            if len(name) < 2 or re.fullmatch(r"[A-Z]{2}s?", name) or name.lower() in CAPITALISED_STOPWORDS \
                    or ADJECTIVE_OF_NAME.search(name):
                continue  # "a JSON-only API": an adjective made of a name, not the name
            out.mentions.append(Mention(name, "Component", evidence_at(doc, block.line, "prose", block.text[:300])))


# the role a technology plays, said of it: "The core framework is Dagster", "PostgreSQL is our primary database"
_ROLE_KIND = (r"(?:framework|database|datastore|data store|data warehouse|warehouse|orchestrator|scheduler|"
              r"(?:message |event )?broker|message bus|event bus|queue|job queue|cache|search engine|web server|"
              r"reverse proxy|load balancer|service mesh|api gateway|identity provider|container registry|"
              r"object store|object storage|secrets? (?:manager|store)|ci (?:system|server|platform)|"
              r"build (?:system|tool)|orm|cdn|dns provider)")
_ROLE_NAME = r"(?P<name>[A-Z][\w.+#-]*(?:\s+[A-Z][\w.+#-]*){0,2})"
ROLE_STATEMENT = re.compile(
    r"\b(?i:the|our|its|their)\s+(?:[a-z][\w-]*\s+){0,2}" + f"(?i:{_ROLE_KIND})" +
    r"\s+(?:is|was|will be|remains)\s+(?:(?i:the|an?)\s+)?" + _ROLE_NAME + r"(?=[\s.,;:)]|$)"
    r"|" + _ROLE_NAME.replace("name", "subject") + r"\s+(?:is|was|will be|remains)\s+(?i:our|the)\s+"
    r"(?:[a-z][\w-]*\s+){0,2}" + f"(?i:{_ROLE_KIND})" + r"\b")


def role_statements(doc: Document, out: Extraction) -> None:
    """A name said to be the framework, database, broker, scheduler… of what the docs describe is a technology:
    'The core framework is Dagster', 'PostgreSQL is our primary database'."""
    for block in doc.blocks:
        if block.kind == "code":
            continue
        for m in ROLE_STATEMENT.finditer(block.text[:3000]):
            name = (m.group("name") or m.group("subject")).rstrip(".,;:")
            words = name.split()
            if any(w.lower() in CAPITALISED_STOPWORDS for w in words) or ORGANISATION.search(name):
                continue
            out.mentions.append(Mention(name, "Component", evidence_at(doc, block.line, "prose", block.text[:300])))


# a system named after what it does: "the payroll system (Ledgerly)", "the Ledgerly system is being replaced with
# Paystream"; the name one capitalised word (an abbreviation, "the LDAP system", may be a kind of thing)
_SYSTEM_NAME = r"[A-Z][a-z][\w+]*"
DESCRIBED_SYSTEM = re.compile(rf"\b[Tt]he\s+(?:[\w-]+\s+){{0,3}}?system\s+\((?P<name>{_SYSTEM_NAME})\)")
NAMED_SYSTEM = re.compile(rf"\b[Tt]he\s+(?:[a-z]+\s+){{0,2}}(?P<name>{_SYSTEM_NAME})\s+system\b(?![-\w])"
                          r"(?:\s+(?:is|was|will\s+be|has\s+been)\s+(?:being\s+)?replaced\s+(?:with|by)\s+"
                          rf"(?P<next>{_SYSTEM_NAME})\b(?![-\w]))?")


def named_systems(doc: Document, out: Extraction) -> None:
    """A name the docs call a system is a component: "the finance system (Ledgerly)", "the Ledgerly system", and
    the system that is replacing it ("the Ledgerly system is being replaced with Paystream"); not an everyday
    word ("the Design system")."""
    for block in doc.blocks:
        for pattern in (DESCRIBED_SYSTEM, NAMED_SYSTEM):
            for m in pattern.finditer(block.text[:3000]):
                for name in (m.group("name"), m.groupdict().get("next")):
                    if name and not is_everyday_word(name) and name.lower() not in CAPITALISED_STOPWORDS \
                            and not ORGANISATION.search(name):
                        out.mentions.append(Mention(name, "Component",
                                                    evidence_at(doc, block.line, "prose", block.text[:300])))


# another name a thing went by: "Search API (previously known as "rummager")", "Entra ID (formerly Azure AD)"
FORMER_NAME = re.compile(r"(?P<name>[A-Z][\w.+-]*(?:\s+[A-Z][\w.+-]*){0,3})\s*\(\s*(?:previously|formerly|"
                         r"originally|once)\s+(?:known\s+as\s+|called\s+|named\s+)?[\"“'‘`]?"
                         r"(?P<alias>[\w][\w.+ -]{1,38}?)[\"”'’`]?\s*\)")


# 'Formerly named the "HMPPS Integration API", it was renamed to "HMPPS External API"', 'X was renamed to Y',
# 'renamed from X to Y': one thing under two names
_NAMED = r"(?:the\s+)?(?:[\"“](?P<{0}q>[^\"”]{{2,50}})[\"”]|(?P<{0}>[A-Z][\w.&/-]*(?:\s+[A-Z][\w.&/-]*){{0,4}}))"
RENAMED = [
    re.compile(r"\b(?i:formerly|previously)\s+(?i:named|known\s+as|called)\s+" + _NAMED.format("old") +
               r"\s*,?\s+(?i:it|this|the\s+\w+)\s+(?:was|has\s+been)\s+renamed\s+(?:to\s+|as\s+)?" + _NAMED.format("new")),
    re.compile(r"\brenamed\s+from\s+" + _NAMED.format("old") + r"\s+to\s+" + _NAMED.format("new")),
    # "The natural choice was Spatial Mapper, now known as Apache Atlas": the old name, then the one it goes by now
    re.compile(_NAMED.format("old") + r"\s*(?:,\s*|\(\s*)(?:which\s+is\s+|since\s+renamed\s+)?(?i:now)\s+"
               r"(?:(?i:known|better\s+known)\s+as|called|named|renamed(?:\s+to)?)\s+" + _NAMED.format("new")),
]


def _without_leading_stopwords(name: str) -> str:
    """A name without the capitalised words that open a sentence in front of it ("Choose Spatial Mapper")."""
    words = name.split()
    while len(words) > 1 and words[0].lower() in CAPITALISED_STOPWORDS:
        words = words[1:]
    return " ".join(words)


def former_names(doc: Document, out: Extraction) -> None:
    """A name and the one it went by before, in brackets: one thing ("Search API (previously known as "rummager")"),
    and one renamed in so many words ('Formerly named "X", it was renamed to "Y"', 'renamed from X to Y')."""
    for block in doc.blocks:
        for pattern in RENAMED:
            for m in pattern.finditer(block.text[:3000]):
                new_name = clean_name(m.group("newq") or m.group("new") or "").rstrip(".")
                old_name = _without_leading_stopwords(clean_name(m.group("oldq") or m.group("old") or "").rstrip("."))
                if new_name.lower() != old_name.lower() and len(new_name.split()) <= 5 \
                        and old_name.lower() not in CAPITALISED_STOPWORDS:
                    out.mentions.append(Mention(new_name, "Component", evidence_at(doc, block.line, "prose",
                                                block.text[:300]), aliases=[old_name], props={"alias_of_node": True}))
        for m in FORMER_NAME.finditer(block.text[:3000]):
            name, alias = m.group("name"), m.group("alias").strip()
            if any(w.lower() in CAPITALISED_STOPWORDS for w in name.split()[:1]):
                continue
            out.mentions.append(Mention(name, "Component", evidence_at(doc, block.line, "prose", block.text[:300]),
                                        aliases=[alias], props={"alias_of_node": True}))


# "- prometheus-service-broker: a Sinatra app that listens to …": an id, then what kind of running thing it is
DESCRIBED_ID = re.compile(r"^`?(?P<id>[a-z][a-z0-9]*(?:-[a-z0-9]+)+)`?\s*(?::|\s[-–—])\s+(?:a|an|the)\s+(?:[\w.+-]+\s+){0,4}?"
                          r"(?:service|micro-?service|app|application|datastore|database|store|frontend|backend|api|"
                          r"server|proxy|gateway|queue|broker|worker|daemon|cron ?job|job|dashboard|cli|tool|library|"
                          r"bot|scheduler|pipeline|lambda|function|exporter|operator|controller)\b", re.I)


def described_ids(doc: Document, out: Extraction) -> None:
    """A list item that names an id and says what kind of running thing it is ('- paas-proxy: a forward proxy
    for …') names a component."""
    for block in doc.blocks:
        if block.kind != "item":
            continue
        m = DESCRIBED_ID.match(block.text)
        if m:
            out.mentions.append(Mention(m.group("id"), "Component", evidence_at(doc, block.line, "prose", block.text)))


def item_part(item: Block) -> tuple[str, bool]:
    """What a list item of parts names, and whether that is a code span: the text before its ':' or ' - ', or the
    code span after it ("- Frontend: `mico-admin`": a role, then the part's own name)."""
    lead, _sep, rest = (re.split(r"(\s*[:–—]\s|\s-\s)", item.text, maxsplit=1) + ["", ""])[:3]
    if rest.strip().strip("`") in item.code:
        return rest.strip().strip("`"), True
    return lead, False


def listed_parts(doc: Document, out: Extraction) -> None:
    """'The service consists of 3 main components:' and the list after it: each item's leading name is a part."""
    consists = re.compile(r"\b(?:consists? of|is made up of|is composed of|comprises|has (?:\d+|two|three|four|five) "
                          r"(?:main |key )?(?:components|parts))\b", re.I)
    blocks = doc.blocks
    for index, block in enumerate(blocks):
        if block.kind != "paragraph" or not consists.search(block.text):
            continue
        for item in blocks[index + 1: index + 12]:
            if item.kind != "item":
                break
            lead, coded = item_part(item)
            lead = lead.strip()
            if coded:
                out.mentions.append(Mention(lead, "Component", evidence_at(doc, item.line, "prose")))
                continue
            if re.fullmatch(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*", lead) and len(lead) >= 3 and not is_everyday_word(lead):
                # "consists of a number of microservices: - backdrop - stagecraft": the parts' own ids
                out.mentions.append(Mention(lead, "Component", evidence_at(doc, item.line, "prose")))
                continue
            names = names_in(lead)
            if names and names[0].start == 0 and len(lead.split()) <= 4:
                out.mentions.append(Mention(names[0].text, "Component", evidence_at(doc, item.line, "prose")))


CONVENTION = re.compile(r"^(?:bp|infra|blueprint)[-_][a-z0-9-]+$|^[a-z0-9-]+[-_](?:operator|chart|charts|helm|image|"
                        r"blueprint|controller)$", re.I)
# a span the sentence calls a namespace names where things run, not a thing that runs: "the `ops` namespace",
# "namespace: ops", "kubectl -n ops", "installs it in `ops-system`; the policy assumes that namespace"
NAMESPACE_AFTER = re.compile(r"[`*]*\s*namespaces?\b", re.I)
NAMESPACE_BEFORE = re.compile(r"(?:\bnamespace\s*[:=]?|\s-n|--namespace[= ])\s*[`*]*$", re.I)
NAMESPACE_RESTATED = re.compile(r"[`*]*[;,]?\s+[^.]{0,60}?\b(?:that|this|the same)\s+namespace\b", re.I)


def _named_namespace(text: str, start: int, end: int) -> bool:
    """Whether the sentence calls the span at start:end a namespace."""
    before = text[max(0, start - 25):start]
    after = text[end:end + 80]
    return NAMESPACE_AFTER.match(after) is not None or NAMESPACE_BEFORE.search(before) is not None or \
        re.search(r"\b(?:in|into)\s+[`*]*$", before) is not None and NAMESPACE_RESTATED.match(after) is not None
CODE_CONTEXT = re.compile(r"\b(?:chart|charts|image|images|blueprint|blueprints|module|modules|package|operator|helm|"
                          r"container|crate|gem|library|plugin|release)\b", re.I)


def code_names(doc: Document, out: Extraction) -> None:
    """A code span that names a chart, an image or a blueprint: '`bp-cnpg` is the blueprint', '`gorouter-chart`'."""
    for block in doc.blocks:
        # plain words that follow a naming convention count too: "installs the cnpg-operator"
        conventional = [w.strip(".,;:()") for w in block.text.split() if CONVENTION.match(w.strip(".,;:()"))]
        for span in list(dict.fromkeys(block.code + conventional)):
            if not re.fullmatch(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)+", span):
                continue  # an identifier, not a command, a path or a file name
            at = block.text.find(span)
            around = block.text[max(0, at - 40): at + len(span) + 40]
            after = block.text[at + len(span):].split()
            if after and after[0].strip(".,;:").lower() in NOT_A_TECHNOLOGY_HEAD:
                continue  # "`core-network-services` account"
            if _named_namespace(block.text, at, at + len(span)):
                continue  # "the chart installs the operator in `ops-system`; the policy assumes that namespace"
            if CONVENTION.match(span) or CODE_CONTEXT.search(around):
                out.mentions.append(Mention(span, "Component", evidence_at(doc, block.line, "prose", block.text)))


# verbs that say outright that one thing needs another: their subject and object are technologies
NEEDS = re.compile(r"\b(?:stores?|keeps?|persists?) (?:its |their )?(?:data|state|files|objects|records|metadata|"
                   r"messages|events|logs|metrics|traces|backups|sessions)? ?(?:in|into|on)\b|\bdepends? on\b|"
                   r"\brel(?:y|ies) on\b|\bruns? on\b|\bis hosted (?:on|by)\b|\brequires\b|\breads? (?:\w+ )?from\b|"
                   r"\bconsumes? (?:\w+ )?from\b|\bpublish(?:es)? (?:\w+ )?to\b|\bbacks? up (?:\w+ )?to\b|"
                   r"\bwrites? (?:\w+ )?to\b|\bis backed by\b", re.I)


def dependency_arguments(doc: Document, out: Extraction) -> None:
    """'Quokka stores data in Wombat': the names on either side of a verb of need are technologies."""
    from .. import gazetteer
    from ..names import ADR_ID
    from .decisions import last_name_before

    for block in doc.blocks:
        code = frozenset(block.code)
        for m in NEEDS.finditer(block.text[:4000]):
            before = block.text[max(0, m.start() - 80): m.start()]
            start = max(before.rfind(". "), before.rfind("; "), before.rfind(": "))
            clause = before[start + 1:] if start >= 0 else before
            subject = last_name_before(clause, code)
            objects = names_in(block.text[m.end(): m.end() + 80], code)
            if subject is None or not objects or objects[0].start > 12:
                continue
            if not clause[:subject.start].strip(" -*•") and _sentence_case_word(subject.text, code, gazetteer.load()):
                subject = None  # "Reliability depends on the outbox": capitalised only because the sentence starts
            ev = evidence_at(doc, block.line, "prose", block.text)
            for name in (subject, objects[0]):
                if name is not None and len(name.text) >= 2 and not ORGANISATION.search(name.text) \
                        and name.text.lower() not in CAPITALISED_STOPWORDS and not ADR_ID.fullmatch(name.text):
                    out.mentions.append(Mention(name.text, "Component", ev))


def _sentence_case_word(name: str, code: frozenset[str], known: Any) -> bool:
    """A single capitalised everyday word the gazetteer knows as no technology ("Reliability", "Security")."""
    from ..gazetteer import is_everyday_word

    return re.fullmatch(r"[A-Z][a-z]+", name) is not None and name not in code and is_everyday_word(name) \
        and known.get(name) is None
