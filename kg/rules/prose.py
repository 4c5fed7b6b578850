"""Prose: relations stated in sentences, the names a document mentions, and its links to other documents."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..gazetteer import is_everyday_word
from ..model import Block, Document, Fact
from ..names import clean_name, split_parenthetical
from .adr import adr_subject, option_items
from .mentions import introduced_component, item_part, linked_item_name
from .sections import document_component, folder_component, titled_service
from .state import SENTENCE, STACK_ROLE, STORE_ROLE, Extraction, evidence_at, sentence_line

if TYPE_CHECKING:
    from ..resolve import Gazetteer


# "SUBJECT verb … OBJECT": the dependent is named before the verb (or is what the section is about)
FORWARD: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bback(?:s|ed)?[ -]?ups?\b[^.;]*?\b(?:to|in|into|on)\b", re.I), "backsUpTo"),
    (re.compile(r"\b(?:tiered storage|stores?|storing|persists?|persisted|offloads?|archives?|"
                r"chunks?|uploads?|keeps? (?:its |their )?(?!alive\b|up\b|in\b|\w+ing\b)\w+)\b[^.;]*?\b(?:to|in|into|on)\b|"
                # "writes audit events to S3"; not "written in Java (…), but we were not able to …"
                r"\b(?:writes?|written)\b(?!\s+in\b)[^.;()]{0,50}?\b(?:to|into)\b", re.I), "storesDataIn"),
    (re.compile(r"\b(?:consumes?|subscribes?|reads?|pulls?|polls?|receives?|fetch(?:es)?|syncs?|clones?|mirrors?|"
                r"deploys?)\b[^.;]{0,50}?\b(?:from)\b|\bsubscribes\s+to\b", re.I),
     "consumesFrom"),
    # "makes HTTP requests to the Zone Lookup endpoint", "sends requests to X", "proxies downloads to X": the one that
    # asks needs the one asked (a request is not a message published to it)
    (re.compile(r"\b(?:makes?|making|sends?|issues?)\s+(?:[\w-]+\s+){0,3}?(?:requests?|calls|queries)\s+"
                r"to\b|\bproxies\b(?:\s+(?!to\b)[\w-]+){0,3}?\s+to\b", re.I), "dependsOn"),
    (re.compile(r"\b(?:publish(?:es)?|produces?|emits?|sends?|pushes|ships?|forwards?)\b"
                r"(?!\s+(?:[\w-]+\s+){0,3}?(?:requests?|calls|queries)\s+to\b)[^.;]*?\b(?:to|into)\b", re.I),
     "publishesTo"),
    (re.compile(r"\b(?:runs? on|deployed on|hosted on|runs? inside|runs? in|is hosted by|lives on)\b", re.I), "runsOn"),
    (re.compile(r"\b(?:depends? on|relies on|rely on|is based on(?: the use of)?|built on top of|built on|requires|"
                r"is backed by|backed by|makes use of|leverages|leveraging|is configured to use|configured to use|delegates to|"
                r"(?:is|are) powered by)\b|"
                # "Must maintain the X controller as a core dependency": what is kept for the component to work
                r"\b(?:maintain|maintaining|run|running|operate|operating|keep|keeping)\b(?=[^.;]{1,80}?\bas\s+(?:a|an)\s+"
                r"(?:(?:core|hard|critical|required|runtime|key|mandatory|direct)\s+)?dependency\b)",
                re.I), "dependsOn"),
    # "Kratos and Hydra use CloudSQL as the data backend": a store used as one keeps its users' data (with the users
    # written in the clause, as for a bare "uses")
    (re.compile(r"\b(?:use|uses)\b(?=[^.;:]{1,60}?\bas\s+(?:the|a|an|its|their|our)\s+(?:[\w-]+\s+){0,2}?"
                r"(?:database|datastore|data store|data backend|storage backend|storage|persistence layer)\b)", re.I),
     "storesDataIn?"),
    # a bare "uses"/"calls" says little: it counts only with its subject named in the same clause
    # ("we use X" has a person for a subject, so plain "use" and "using" are not here)
    # ("calls to"/"queries to" are nouns: in "use Thrift calls to the Ledger" Thrift is the means, not the caller)
    (re.compile(r"\b(?:uses|calls(?!\s+to\b)|connects to|talks to|queries(?!\s+to\b)|authenticates (?:users )?(?:with|against|via)|"
                r"(?:can|could|may|will) (?:connect|talk) to(?: either)?|can access|"
                # "The Control Panel has an Application in Auth0": registered with an identity provider
                r"(?:has|have) (?:an? |its own )?(?:application|client|app|tenant|account) (?:registered )?(?:in|with))\b",
                re.I), "dependsOn?"),
    # "the service gets the encryption key for the file from Vault": what it takes things from, with its subject named
    # (not an infinitive: in "an external ID to retrieve forms from the API" the ID is no subject)
    (re.compile(r"(?<!\bto\s)\b(?:gets?|retrieves|obtains|looks up)\b[^.;]{0,60}?\bfrom\b", re.I), "dependsOn?"),
    (re.compile(r"\b(?:deploys|installs|reconciles)\b", re.I), "deploys"),
    (re.compile(r"\b(?:scrapes|monitors)\b", re.I), "monitors"),
    (re.compile(r"\b(?:autoscales|scales)\b", re.I), "scales"),
    (re.compile(r"\b(?:provisions|creates the)\b", re.I), "provisions"),
]
# roles that stand in front of what they serve: a proxy for X needs X, not the other way round
FRONT_ROLE = re.compile(r"\b(?:proxy|proxies|gateway|load[- ]balancer|ingress|router|front[- ]?end for|reverse proxy)\b",
                        re.I)
# "OBJECT verb … SUBJECT": the dependent comes last
REVERSE: list[tuple[re.Pattern[str], str]] = [
    # "GovUK Notify is used as the email provider for Keycloak", "X is used by Y"
    (re.compile(r"\b(?:is|are) used (?:as (?:the |a |an |our )?[\w -]{1,40}? )?(?:by|for|in)\b", re.I), "dependsOn"),
    # "configure Let's Encrypt as an issuer for cert-manager", "Kafka as the event bus for payments": the role's
    # holder serves what comes after "for"
    (re.compile(r"\bas\s+(?:a|an|the|our|its)\s+(?:[\w-]+\s+){0,3}?(?:issuers?|providers?|backends?|stores?|"
                r"brokers?|bus|database|cache|queue|registry|source|sink|proxy|gateway|idp|identity provider)\s+"
                r"(?:for|of|to)\b", re.I), "dependsOn"),
    # "an additional dependency on PostgreSQL for Forms Runner"
    (re.compile(r"\bdependency on\b(?=.{1,60}?\bfor\b)", re.I), "dependsOn:for"),
    # "Auth0 passes an authentication token to the Control Panel": the token's receiver signs its users in with it
    (re.compile(r"\b(?:passes|issues|sends|provides|hands)\s+(?:an?\s+|the\s+)?(?:authentication\s+|auth\s+|access\s+|"
                r"id\s+|identity\s+|session\s+)?tokens?\s+to\b", re.I), "dependsOn"),
    # "EC2 instances that will run Microsoft Active Directory", "the cluster that hosts X"
    (re.compile(r"\b(?:instances?|servers?|hosts?|nodes?|vms?|machines?|clusters?)\s+(?:that|which)\s+(?:will\s+)?"
                r"(?:run|runs|host|hosts)\b", re.I), "runsOn"),
    # "Y provides hosted X", "X is provided by Y" (handled forward), "Y hosts X"
    (re.compile(r"\bprovides? (?:a |an |the )?(?:hosted|managed)\b", re.I), "runsOn"),
    # "AWS will be the hosting platform for the Records Service": what is hosted runs on the platform
    (re.compile(r"\b(?:is|are|was|will be|becomes?)\s+(?:the|our|its)\s+(?:hosting|cloud|runtime)\s+"
                r"(?:platform|provider|environment)\s+(?:for|of)\b", re.I), "runsOn"),
    # "a queue which in turn triggers the lambda"
    (re.compile(r"\b(?:in turn )?triggers\b", re.I), "consumesFrom"),
]
# passive voice with the section's component as the hidden subject: "Events are received into SQS"
IMPLICIT: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:is|are) (?:received|read|consumed|pulled) (?:into|from|via)\b", re.I), "consumesFrom"),
    # ("is written in Erlang": the language it is made in)
    (re.compile(r"\b(?:is|are) (?:(?:stored|persisted|kept|saved) (?:in|into|to)|written (?:into|to))\b", re.I),
     "storesDataIn"),
    (re.compile(r"\b(?:is|are) (?:sent|published|pushed|emitted) (?:to|into)\b", re.I), "publishesTo"),
]
# a subject that is the page's own component spoken of by its kind: "The service uses Redis", "This API calls X"
SELF_NAME = (r"(?:the|this|our)\s+(?:service|micro-?service|application|app|api|component|server|worker|module|"
             r"backend|frontend)")
SELF_REFERENCE = re.compile(rf"\s*{SELF_NAME}\s*", re.I)
IT = re.compile(r"\s*it\s+(?:also\s+)?", re.I)  # the pronoun for what a section is about
# a kind of thing right after a name: the name says what the thing is made in or with ("a Python package")
# ("the forms-runner app", "each OSDU service" are the app and the service themselves)
MODIFIER_KIND = re.compile(r"\s+(?:[a-z][\w-]*\s+){0,2}?(?P<kind>package|library|module|script|scripts|wrapper|plugin|"
                           r"client|sdk|cli|listener|consumer|producer|driver|adapter|connector|cache layer)\b", re.I)
# what a part of a component named by what it works with does with it: "the Kafka permission-update listener" reads
# from Kafka, "the SQS producer" writes to SQS, "the Redis driver" needs Redis
PART_RELATION = {"listener": "consumesFrom", "consumer": "consumesFrom", "producer": "publishesTo",
                 "client": "dependsOn", "driver": "dependsOn", "adapter": "dependsOn", "connector": "dependsOn",
                 "cache layer": "dependsOn"}
# a clause whose subject is a pronoun or the page's own service, then its verb: "It calls the …", "We run …",
# "The service uses …"; a name after it is that verb's object, never the subject of a later one (but after
# "is" it is what the subject is: "It is a rails app that runs on EC2")
OBJECT_FIRST = re.compile(rf"\s*(?:it|they|we|i|you|he|she|our team|the team|{SELF_NAME})\s+(?:also\s+|then\s+|only\s+)?"
                          r"(?!(?:is|are|was|were|will be|has been|have been|be)\b)[a-z]+\b", re.I)
PARTICIPLE = re.compile(r"(?:backed|built|hosted|deployed|based|configured|written|stored|persisted|kept|managed|"
                        r"powered|run)\b", re.I)
USE_VERB = re.compile(r"\b(?:uses?|using|leverages?|employs?|with|via)\s+(?:the\s+|a\s+|an\s+|its\s+|our\s+)?$", re.I)
# a second verb joined by "and" inside what one verb's pattern spans ("stores carts and publishes events to")
JOINED_VERB = re.compile(r"\b(?:and|or|then)\s+(?:also\s+)?(?:publish|produce|emit|send|push|ship|forward|consume|"
                         r"subscribe|read|pull|poll|receive|fetch|call|use|run|deploy|expose|serve|store|persist|write|"
                         r"quer|connect|talk|depend|reli|require|upload|keep|cache|notif|handle)\w*\b", re.I)
# the parts a component consists of: "The service consist of 3 main components:" then a list
# "It requires the third-party components:", "It also depends on:": a list of what the whole just described needs
REQUIRES_LIST = re.compile(r"^\W*(?:it|this|the (?:service|system|platform|application))\s+(?:also\s+)?"
                           r"(?:requires|needs|depends on|relies on)\b[^.]{0,60}:\s*$", re.I)
CONSISTS = re.compile(r"\b(?:consists? of|is made up of|is composed of|comprises|is built from|has (?:\d+|two|three|four|"
                      r"five) (?:main |key )?(?:components|parts|pieces))\b", re.I)
HYPOTHETICAL = re.compile(r"\b(options?|alternatives?|considered|comparison|compared|rejected|pros|cons|"
                          r"why not|vs\.?|versus)\b", re.I)
# a file path or an address: "requires writable /opt/keycloak/data/" names a folder, not the product in it
PATH = re.compile(r"(?<!\S)(?:[a-z][a-z0-9+.-]*://|~/|\.{1,2}/|/)\S+", re.I)
# what a negated need leaves: "does not rely on anything other than X", "needs nothing except X"
EXCEPTION = re.compile(r"\b(?:other than|except(?: for)?|apart from|besides|but)\s+(?:the\s+|an?\s+)?", re.I)
# the negation between a subject and its verb: "The app does not (rely on anything other than X)"
NOT_BEFORE_VERB = re.compile(r"\s+(?:(?:does|do|did|will|would|can|could|should|need)\s+(?:not|never)|doesn't|don't|"
                             r"won't|can't|never)\s+$", re.I)
# an argument for or against an option (MADR's "Good, because …", "Bad, because requires kubectl at apply time"):
# what the option would need, not what the platform runs
ARGUMENT = re.compile(r"^\W*(?:good|bad|neutral|pro|con|plus|minus|positive|negative)s?\W{0,3}(?:,|:)?\s*because\b", re.I)
NEGATION = re.compile(r"\b(?:not|no|never|without|instead of|rather than|doesn't|does not|don't|cannot|prevent|"
                      r"prevents|avoid|avoids)\b[^.;]{0,25}$", re.I)
CLAUSE_BREAK = re.compile(r"[,;:(]|\s[-–—]\s|\b(?:but|while|whereas|although|instead of|because|so that|"
                          r"however)\b", re.I)


CLAUSE_END = re.compile(r"[,;:(]|\s[-–—]\s|\b(?:which|who|when|if|because|where|while|but|although|unless|until|"
                        r"whereas|so that|in order to|rather than|instead of)\b", re.I)


def _clause_end(sentence: str, at: int) -> int:
    """Where the clause that runs on from position `at` ends. A bracket right after the verb's object in lower
    case goes on with it: "relies on central authentication (Keycloak)" names what the words describe."""
    m = CLAUSE_END.search(sentence, at)
    while m and m.group(0) == "(" and re.fullmatch(r"\s*(?:[a-z][\w-]*\s+){1,4}", sentence[at:m.start()]) \
            and re.match(r"\(\s*[A-Z][\w.+ -]{0,38}\)", sentence[m.start():]):  # one name in the bracket
        m = CLAUSE_END.search(sentence, sentence.index(")", m.start()) + 1)
    return m.start() if m else len(sentence)


def _section_subject(doc: Document, section: tuple[str, ...], doc_subject: str | None, gaz: Gazetteer,
                     ) -> tuple[str | None, bool]:
    """The component a section speaks of without naming it, and whether that is only the page's own one.

    The page's own component stands in only for a verb that says what it does ("Publishes events to
    Kafka"), not for an instruction ("Store the key in 1Password") or a passive ("The state is stored in S3").
    """
    subject = section_component(doc, section, gaz)
    if subject is None and not any(BACKGROUND_SECTION.search(s) for s in section):
        return doc_subject, doc.kind != "adr"
    return subject, False


# a noun after a name that makes it a kind of resource, type or file of something: "ClusterSecretStore CRD"
PART_OF_A_THING = re.compile(r"\s+(?:crds?|custom resources?|resources?|objects?|kinds?|types?|enums?|class(?:es)?|"
                             r"fields?|files?|annotations?|labels?|schemas?|structs?)\b", re.I)
# a sentence about the page's component that opens with how it is made: "Built with Go, leveraging X for Y"
MADE_WITH = re.compile(r"^\W*(?:built|written|developed|implemented|made)\s+(?:with|in|on|using)\b", re.I)
# nothing but markup before a sentence's verb, or an item's label ("**Caching**: Uses Valkey for …")
VERB_FIRST = re.compile(r"[\s*_]*(?:[A-Z][\w /&-]{0,40}:\s+)?")
BACKGROUND_SECTION = re.compile(r"context|problem|background", re.I)
RELATIVE_PRONOUN = re.compile(r"\s*(?:which|that|who)\b")
CLOSED_BRACKET = re.compile(r"\((?:[^()A-Z]*)\)")  # a bracket with no capitalised word: no name
VERB_AFTER_ASIDE = re.compile(r"\s*(?:(?:is|are|was|were|will|be|been|has|have|also|only|both)\s+)*")


def _subject_span(sentence: str, at: int) -> tuple[int, int]:
    """The stretch of a sentence before position `at` where the verb's subject is written.

    Usually the clause the verb is in; a relative clause reaches back to the name before its comma
    ("Redpanda, which runs on X": Redpanda); a relative clause in between is skipped ("Redpanda, which
    runs on the cluster, requires MinIO": the subject of "requires" is Redpanda, not the cluster)."""
    # a bracket of lower-case words closed right before the verb is an aside inside the clause, not its end
    # ("a Postgres database (small-9.5) is deployed on PaaS": the subject is before the bracket)
    head = sentence[:at]
    aside = CLOSED_BRACKET.search(head)
    while aside:
        if VERB_AFTER_ASIDE.fullmatch(head, aside.end()):
            head = head[:aside.start()] + " " * (aside.end() - aside.start()) + head[aside.end():]
        aside = CLOSED_BRACKET.search(head, aside.end())
    breaks = list(CLAUSE_BREAK.finditer(head))
    if not breaks:
        return 0, at
    last = breaks[-1]
    if RELATIVE_PRONOUN.match(sentence[last.end():at]):
        return (breaks[-2].end() if len(breaks) >= 2 else 0), last.start()
    current = sentence[last.end():at].split()
    if len(current) > 2 or any(w[:1].isupper() for w in current):
        return last.end(), at  # the verb's clause has a subject of its own
    i = len(breaks) - 1
    end = at
    while i >= 1 and RELATIVE_PRONOUN.match(sentence[breaks[i - 1].end():breaks[i].start()]):
        end = breaks[i - 1].start()
        i -= 2
        if i < 0:
            return 0, end
    if end != at:
        return (breaks[i].end() if i >= 0 else 0), end
    return last.end(), at


# what joins two subjects of one verb: "Grafana and a Postgres database are deployed on PaaS"
SUBJECT_JOIN = re.compile(r"\s*(?:,|and|&|,\s*and)\s+(?:(?:the|a|an|our|its)\s+)?", re.I)


def _joined_subjects(before: list[tuple[int, int, str, str]], sentence: str) -> list[str]:
    """The last name before a verb and those joined to it by "and" or a comma: "One instance of Grafana and a
    Postgres database is deployed on GOV.UK PaaS" deploys both."""
    i = len(before) - 1
    while i > 0 and SUBJECT_JOIN.fullmatch(sentence[before[i - 1][1]:before[i][0]]):
        i -= 1
    return [h[2] for h in before[i:]] if i < len(before) - 1 else []


PLACE_PHRASE = re.compile(r"\s+(?:in|inside|within|of|from|on)\s+(?:the|an?|our|its|their)\s+(?:[\w-]+\s+)*?", re.I)


def _before_place(before: list[tuple[int, int, str, str]], sentence: str) -> list[tuple[int, int, str, str]]:
    """The names before a verb up to a phrase that says where those joined by "and" sit: in "Kratos and Hydra in the
    Identity Platform bundle use X" the subjects are Kratos and Hydra, not the bundle."""
    for k in range(2, len(before)):
        if PLACE_PHRASE.fullmatch(sentence[before[k - 1][1]:before[k][0]]) and _joined_subjects(before[:k], sentence):
            return before[:k]
    return before


def _clause_start(sentence: str, at: int) -> int:
    """Where the stretch that holds a verb's subject begins (see `_subject_span`)."""
    return _subject_span(sentence, at)[0]


def prose_relations(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """Relations stated in sentences, read the way the sentence runs: 'Redpanda offloads old segments to MinIO',
    'GovUK Notify is used as the email provider for Keycloak', 'EC2 instances that run Active Directory',
    and, under a section about a component, 'Tiered storage to MinIO' or 'Events are received into SQS'."""
    options = {id(b) for b in option_items(doc)}
    # an ADR about one component speaks of it without naming it: "Scheduled backups to Cloudflare R2"
    # so does a component's own page: "Publishes user lifecycle events to Kafka" in user-service's README
    doc_subject = adr_subject(doc, out, gaz) if doc.kind == "adr" else document_component(doc, gaz)
    blocks = doc.blocks
    # in a component's own README, "This service …" is that component under any heading
    own = folder_component(doc, gaz) or _repository_component(doc, gaz)
    own_word = _own_word(doc, own)
    by_section: dict[tuple[str, ...], tuple[str | None, bool]] = {}  # a section's subject, found once
    titled: dict[tuple[str, ...], bool] = {}
    whole: tuple[tuple[str, ...], str] | None = None  # the section and the whole whose parts a list last gave
    for index, block in enumerate(blocks):
        weighing = id(block) in options or bool(block.section and HYPOTHETICAL.search(block.section[-1])) \
            or bool(ARGUMENT.match(block.text))
        if block.section not in by_section:
            by_section[block.section] = _section_subject(doc, block.section, doc_subject, gaz)
            # "### Superset": a heading that is the component's name and nothing more
            titled[block.section] = bool(block.section) and by_section[block.section][0] is not None \
                and gaz.lookup(clean_name(block.section[-1]), "Component") == by_section[block.section][0]
        subject_of_section, page_only = by_section[block.section]
        lead = _bold_lead(block, gaz, doc)
        led = False  # the item's subject is named by a lead-in or a heading, not only by the page
        if lead:
            # "4. **Traefik** (depends on MetalLB)", "- **External Secrets Operator** - Syncs secrets from Vault": the
            # item's own bold name is what its words are about, not the section's
            subject_of_section, page_only = lead, False
        elif block.kind == "item" and not weighing:
            lead_in = _lead_in(blocks, index, gaz)
            if lead_in:
                subject_of_section, page_only, led = lead_in, False, True
            else:
                led = subject_of_section is not None and not page_only \
                    and _heading_opens_with(block.section, subject_of_section, gaz)
        if block.kind == "paragraph" and CONSISTS.search(block.text):
            # "MICO consists of" then its parts: the whole is the name the sentence opens with, else the section's
            opening = [h for h in gaz.scan(block.text) if h[0] <= 4 and gaz.type_of(h[2]) == "Component"]
            named = opening[0][2] if opening else subject_of_section
            whole = (block.section, named) if named else None
            if named:
                _parts(doc, blocks, index, named, out, gaz)
        elif block.kind == "paragraph" and whole and whole[0] == block.section and REQUIRES_LIST.match(block.text):
            # "It requires the third-party components:" and a list, in the same section as the whole's parts
            _parts(doc, blocks, index, whole[1], out, gaz)
        if block.kind == "item" and not weighing:
            _capability_item(doc, blocks, index, subject_of_section, out, gaz)
            _role_for_item(doc, block, out, gaz)
        for sentence in SENTENCE.split(block.text):
            if PAST_STATE.match(sentence):
                continue  # "Previously, demos were run on Heroku": how things were, not how they are
            hits = [h for h in gaz.scan(sentence) if gaz.type_of(h[2]) in ("Component", "Vendor")]
            if own_word and own and not any(h[2] == own for h in hits):
                hits = sorted(hits + [(m.start(), m.end(), own, m.group(0)) for m in own_word.finditer(sentence)])
            if hits and "/" in sentence:
                paths = [m.span() for m in PATH.finditer(sentence)]
                hits = [h for h in hits if not any(a <= h[0] < b for a, b in paths)]
            if not hits:
                continue
            line = sentence_line(doc, block.line, block.end_line, sentence)
            for subj, relation, obj, sure in _read(sentence, hits, None if weighing else subject_of_section,
                                                   weighing, page_only, own, titled[block.section], led):
                if subj != obj and gaz.type_of(subj) == "Component":
                    out.facts.append(Fact(subj, relation, obj, evidence_at(doc, line, "prose", sentence, sure),
                                          subject_type="key", object_type="key"))


# a sentence about how things were: "Previously, demos were run on Heroku", "In the past we used X"
PAST_STATE = re.compile(r"^\W*(?:previously|formerly|originally|historically|in the past|until (?:recently|now|\w+ \d{4}|\d{4}))\b",
                        re.I)
# a list item that says how a component gets one capability: "- secrets via External Secrets", "- ingress through Kong"
CAPABILITY_VIA = re.compile(r"^\W*(?:(?:its|the|all)\s+)?(?:secrets?|ingress|egress|auth(?:entication|orisation|orization)?|"
                            r"tls|certificates?|dns|logs|logging|metrics|tracing|traces|storage|caching|cache|messaging|"
                            r"queues?|queueing|events|e-?mails?|notifications|identity|sso|sign-?in|search|backups?)\s+"
                            r"(?:via|through|using|by|from)\s+(?:the\s+|an?\s+)?", re.I)


def _own_word(doc: Document, own: str | None) -> re.Pattern[str] | None:
    """The plain word a service's page named after it calls it by ("sync" on 'sync/sync.md' titled "# sync Service",
    in "When running, sync reads messages from the RabbitMQ queue"), which the workspace's names do not find in lower
    case; None on other pages."""
    word = titled_service(doc) if own else None
    return re.compile(rf"(?<![\w.`-])`?{re.escape(word)}`?(?![\w.`-])", re.I) if word else None


def _repository_component(doc: Document, gaz: Gazetteer) -> str | None:
    """The component whose repository a page sits in, when the page's title names it ("Security Overview in the
    Ledger UI" in the ledger-ui repository): "The service" on that page is that component."""
    key = gaz.in_folder(doc.repo)
    return key if key and any(h[2] == key for h in gaz.scan(doc.title)) else None


def _lead_in(blocks: list[Block], index: int, gaz: Gazetteer) -> str | None:
    """The component a bold lead-in above a list names ("**Checkout Service:**" then "- Calls the Ledger …"): the
    paragraph right before the item's list, in the same section, that is one bold name and nothing more."""
    for earlier in reversed(blocks[:index]):
        if earlier.section != blocks[index].section:
            return None
        if earlier.kind == "item":
            continue
        text = clean_name(earlier.text)
        if not earlier.text.rstrip(" *_").endswith(":"):
            return None
        if earlier.strong and clean_name(earlier.strong[0]) == text:
            return gaz.lookup(clean_name(split_parenthetical(text)[0]), "Component")
        # "The Ledger Service (codename ledger) is designed to provide:": a sentence whose subject is the component
        opening = re.match(r"(?:the\s+)?", earlier.text, re.I)
        hits = [h for h in gaz.scan(earlier.text) if h[0] == opening.end()] if opening else []  # type: ignore[union-attr]
        if hits and gaz.type_of(hits[0][2]) == "Component" and LEAD_IN_VERB.match(earlier.text[hits[0][1]:]):
            return hits[0][2]
        return None
    return None


LEAD_IN_VERB = re.compile(r"\s+(?:\([^()]*\)\s+)?(?:is|are|will|provides?|offers?|does|has|handles?|supports?|"
                          r"exposes?|is responsible for)\b[^.]*:\s*$", re.I)


NUMBERING = re.compile(r"^\W*(?:\d+(?:\.\d+)*[.)]?\s+)?\W*")  # "1. ", "2.3 " in front of a heading


def _heading_opens_with(section: tuple[str, ...], subject: str, gaz: Gazetteer) -> bool:
    """Whether the nearest heading opens with the subject's name ("### 1. Rewards Service is the Offer Authority"):
    the items under it are what that component does."""
    if len(section) < 2:
        return False
    if any(HYPOTHETICAL.search(title) for title in section):
        return False  # "## Considered Options" / "### 2. Viewflow": an option's heading, not what is done
    title = section[-1]
    hits = gaz.scan(title)
    return bool(hits) and hits[0][0] == NUMBERING.match(title).end() and hits[0][2] == subject  # type: ignore[union-attr]


# what an item of a components list says its component is for: "- [CloudSQL](…) - a database provider for Keycloak and
# Grafana", "- Redis: the cache for the API" (the names right after "for" are what it serves)
ROLE_FOR = re.compile(rf"\s*(?:\([^()]*\)\s*)?(?:[-–—:]\s*)(?:an?|the|our|its)\s+(?:[\w-]+\s+){{0,3}}?"
                      rf"(?P<role>{STACK_ROLE}|backend|provider)s?\s+(?:(?:provider|backend|server|service)s?\s+)?"
                      r"for\s+(?:the\s+|both\s+)?", re.I)


def _role_for_item(doc: Document, block: Block, out: Extraction, gaz: Gazetteer) -> None:
    """"- [CloudSQL](…) - a database provider for Keycloak and Grafana": each name the item's role serves depends on
    the item's component (keeps its data there, for a store)."""
    named = linked_item_name(doc, block)
    hits = [h for h in gaz.scan(block.text) if gaz.type_of(h[2]) in ("Component", "Vendor")]
    first = [h for h in hits if h[0] <= 2 and (named is None or gaz.lookup(named, "Component") == h[2])]
    if not first or gaz.type_of(first[0][2]) != "Component":
        return
    at = _run_end(hits, hits.index(first[0]), block.text)
    m = ROLE_FOR.match(block.text, hits[at][1])
    served = [i for i, h in enumerate(hits) if m and h[0] == m.end()]
    if not m or not served:
        return
    relation = "storesDataIn" if STORE_ROLE.fullmatch(m.group("role")) else "dependsOn"
    provider = hits[at][2]
    for each in [hits[_run_end(hits, served[0], block.text)][2], *_coordinated(hits, served[0], block.text)]:
        if each != provider and gaz.type_of(each) == "Component":
            out.facts.append(Fact(each, relation, provider, evidence_at(doc, block.line, "prose", block.text, 0.6),
                                  subject_type="key", object_type="key"))


def _capability_item(doc: Document, blocks: list[Block], index: int, section_subject: str | None, out: Extraction,
                     gaz: Gazetteer) -> None:
    """"- Backstage deployment must follow:" then "- ingress via Kong": the component the list is about (the item it
    hangs from, else the section's) depends on what gives it the capability."""
    block = blocks[index]
    m = CAPABILITY_VIA.match(block.text)
    if not m:
        return
    found = [h for h in gaz.scan(block.text) if h[0] == m.end() and gaz.type_of(h[2]) in ("Component", "Vendor")]
    if not found:
        return
    subject = section_subject
    for earlier in reversed(blocks[:index]):  # the item this one hangs from, in the same section
        if earlier.section != block.section or earlier.kind != "item":
            break
        if earlier.depth < block.depth:
            opening = [h for h in gaz.scan(earlier.text) if h[0] <= 4 and gaz.type_of(h[2]) == "Component"]
            subject = opening[0][2] if opening else subject
            break
    if subject and subject != found[0][2] and gaz.type_of(subject) == "Component":
        out.facts.append(Fact(subject, "dependsOn", found[0][2], evidence_at(doc, block.line, "prose", block.text, 0.6),
                              subject_type="key", object_type="key"))


def _bold_lead(block: Block, gaz: Gazetteer, doc: Document | None = None) -> str | None:
    """The component a list item opens with in bold ("**Traefik** (depends on …)", "**ESO** - Syncs …") or as a
    link to its image or code ("[s3sync](https://quay.io/…): A sidecar that syncs … using mobius3")."""
    linked = linked_item_name(doc, block) if doc is not None else None
    if linked:
        return gaz.lookup(linked, "Component")
    if block.kind != "item" or not block.strong or not block.text.lstrip().startswith(block.strong[0]):
        return None
    name = clean_name(split_parenthetical(block.strong[0].rstrip(" :-–—"))[0])
    return gaz.lookup(name, "Component") if name else None


def _coordinated(hits: list[tuple[int, int, str, str]], i: int, sentence: str) -> list[str]:
    """The names joined to the one at `i` as objects of the same verb: "relies on Kubernetes and Longhorn",
    "publishes to Kafka, NATS and SQS" (not "…in PostgreSQL and backs up to S3": that is another verb's)."""
    out: list[str] = []
    i = _run_end(hits, i, sentence)  # the run of names the first object ends on ("the TDR Keycloak instance")
    # "relies on X, Y, and optionally the Z", "can connect to either X or Y" (each one a dependency)
    while i + 1 < len(hits):
        if re.fullmatch(r"\s*(?:,|and|&|or|,\s*and|,\s*or|as well as)\s*(?:(?:optionally|also|possibly|additionally)\s+)?"
                        r"(?:the\s+)?", sentence[hits[i][1]:hits[i + 1][0]], re.I):
            i = _run_end(hits, i + 1, sentence)
        else:
            # "leverages Hydra for sign-in and Kratos for identities", "X for caching, and Y for its queue": each
            # name with the purpose it serves (a name inside a purpose, "for OAuth2-based sign-in", is no item)
            # ("uses ESLint for linting JavaScript, TypeScript and Vue files": the names are what is linted)
            nxt = next((k for k in range(i + 1, len(hits)) if PURPOSE_JOIN.fullmatch(sentence[hits[i][1]:hits[k][0]])
                        and re.match(r"\s+for\b", sentence[hits[_run_end(hits, k, sentence)][1]:])), None)
            if nxt is None:
                break
            i = _run_end(hits, nxt, sentence)
        out.append(hits[i][2])
    return out


# what joins one "X for <purpose>" to the next name of a list: " for identity management and ", " for caching, and "
PURPOSE_JOIN = re.compile(r"\s+for\s+(?:(?!\b(?:and|or|but|which|that|while)\b)[^,;:.()])+?(?:,\s*(?:and\s+)?|\s+and\s+)"
                          r"(?:the\s+)?", re.I)
# a purpose that is keeping data: "PostgreSQL for persistent queue-based operations", "S3 for long-term storage"
KEEPING_DATA = re.compile(r"^\s+for\s+(?:[\w-]+\s+){0,3}?(?:persisten\w*|persist\w*|storage|storing|durab\w*|data store|"
                          r"database|archiv\w*)\b", re.I)


def _run_end(hits: list[tuple[int, int, str, str]], i: int, sentence: str) -> int:
    """The last of a run of names written together from the one at `i`."""
    while i + 1 < len(hits) and not sentence[hits[i][1]:hits[i + 1][0]].strip():
        i += 1
    return i


def _head(hits: list[tuple[int, int, str, str]], i: int, sentence: str) -> tuple[int, int, str, str]:
    """The head of a run of names written together: "the TDR Keycloak instance" is Keycloak. A last name that is an
    everyday word is the kind of thing the names before it make ("the OpenTelemetry Java Agent" is no component
    called agent, though one is), so the head is the last name before such words."""
    end = _run_end(hits, i, sentence)
    if end > i and SERVICE_NAME.search(hits[i][3]) and INTERFACE.match(sentence[hits[end][1]:]):
        return hits[i]  # "the Ledger Service Thrift API": the service's API, Thrift only the way it is called
    while end > i and is_everyday_word(hits[end][3]):
        end -= 1
    return hits[end]


# a name that says it is a service ("Ledger Service", "Rates API"), and what follows a run of names to make it the
# way that service is called
SERVICE_NAME = re.compile(r"\b(?:service|api|server|backend)$", re.I)
INTERFACE = re.compile(r"\s+(?:apis?|endpoints?|interfaces?|calls?|clients?|stubs?)\b", re.I)


def _owner_of_kind(sentence: str, before: list[tuple[int, int, str, str]], speaker: str | None,
                   found: list[tuple[str, str, str, float]]) -> str | None:
    """The subject of a verb whose written subject is a name that only qualifies a kind of thing ("a shared Python
    package", "the Kafka permission-update listener"): the name the sentence says is that thing ("elt-common is a …
    package"), else, for a part that works with what names it (a listener, a client), the page's component, which then
    works with that name too ("Starts the Kafka listener which … persists them into PostgreSQL" on the service's
    page: the service reads from Kafka and stores in PostgreSQL). None when neither is written."""
    modifier = before[-1]
    owner = [h for h in before[:-1] if re.fullmatch(
        r"\s+(?:is|are)\s+(?:a|an|the|our)\s+(?:[a-z][\w-]*\s+)*", sentence[h[1]:modifier[0]])]
    if owner:
        return owner[-1][2]
    kind = MODIFIER_KIND.match(sentence[modifier[1]:])
    part = PART_RELATION.get(kind.group("kind").lower()) if kind else None
    if part is None or speaker is None or speaker == modifier[2]:
        return None
    found.append((speaker, part, modifier[2], 0.5))
    return speaker


# what a name before it says is a body of work or people, not a system: "the Aurora project", "the Nova consortium"
NOT_A_SYSTEM = re.compile(r"\s+(?:project|programme|program|initiative|consortium|community)\b", re.I)
NOUN_BEFORE = re.compile(r"\b(?:the|a|an)\s+[\"']?$", re.I)


def _verbs(pattern: re.Pattern[str], sentence: str, hits: list[tuple[int, int, str, str]],
           storing: bool = False) -> Iterator[re.Match[str]]:
    """The matches of a verb pattern in a sentence, past a name the verb's word also spells ("sync reads messages
    from RabbitMQ" where sync is a service: the verb is "reads", not "sync") and, for a verb of storing, past the
    noun it also spells ('access to the "archive" storage')."""
    names = {h[0]: h[1] for h in hits}
    pos = 0
    while (m := pattern.search(sentence, pos)) is not None:
        if m.start() in names:
            pos = names[m.start()]
            continue
        if storing and NOUN_BEFORE.search(sentence, 0, m.start()):
            pos = m.start() + 1  # 'access to the "archive" storage', "the uploads to S3": a noun, not the verb
            continue
        yield m
        pos = max(m.end(), pos + 1)


def _read(sentence: str, hits: list[tuple[int, int, str, str]], implicit: str | None,
          weighing: bool, page_only: bool = False, own: str | None = None,
          titled: bool = False, named: bool = False) -> list[tuple[str, str, str, float]]:
    """(subject, relation, object, confidence) of what one sentence states: a subject written in the sentence
    is surer than one taken from the section, a plain verb ("uses") less sure than one of need. `titled`: the
    section's heading is the `implicit` component's name and nothing more, so "it" is that component. `named`: the
    sentence is a list item under a lead-in or heading that names the `implicit` component, so a verb that opens
    it ("- Queries the Ledger Service for balances") has that component for subject."""
    found: list[tuple[str, str, str, float]] = []
    speaker = own or implicit  # who "This service" is: the README's component, else the section's
    for pattern, relation in FORWARD:
        for m in _verbs(pattern, sentence, hits, relation == "storesDataIn"):
            floor = m.end() - 1
            negated = False
            if NEGATION.search(sentence[_clause_start(sentence, m.start()): m.start()]):
                # "does not rely on any other services other than OpenAI": the exception is what it needs
                other = EXCEPTION.search(sentence, m.end(), m.end() + 60)
                if other is None:
                    continue
                floor, negated = other.end(), True
            end = _clause_end(sentence, floor + 1)
            # not a name the sentence sets aside ("as a Kubernetes Secret (not in Git)") nor, after a verb that sends
            # or stores, the means it goes by ("sends logs to the Collector using gRPC calls")
            after = [i for i, h in enumerate(hits) if floor <= h[0] < end and h[0] - m.end() < 80
                     and not re.search(r"\bnot\s+(?:in|on|to|into|from|with|via)\s+(?:the\s+|a\s+)?$", sentence[:h[0]], re.I)
                     and not (relation in ("publishesTo", "storesDataIn")
                              and re.search(r"\b(?:using|via|over)\s+(?:the\s+|a\s+)?$", sentence[m.end():h[0]], re.I))]
            inside = [i for i, h in enumerate(hits) if m.start() <= h[0] < m.end() and relation != "dependsOn"]
            targets = after or inside
            if not targets:
                continue
            if relation != "consumesFrom" and re.search(r"\bfrom\b", sentence[m.end():hits[targets[0]][0]]):
                continue  # "deploys applications from Git": Git is where they come from, not what is deployed
            if re.search(r"\b(?:and|or|then)\s+[a-z]", sentence[m.end():hits[targets[0]][0]]) or \
                    JOINED_VERB.search(m.group(0), len(m.group(0).split(None, 1)[0])):
                # "runs on each instance and pools connections to PostgreSQL", "stores carts and publishes events
                # to Kafka": the name is another verb's object
                continue
            if re.match(r"[\s-]*(?:access|rights|permissions?|privileges|role)\b", sentence[hits[targets[0]][1]:], re.I):
                continue  # "requires super-user access", "needs Owner permissions": a permission, not a component
            if re.search(r"\b(?:per|each|every)\s+$", sentence[m.end():hits[targets[0]][0]], re.I):
                continue  # "creates the following resources per VPC": where each goes, not what is made
            if re.search(r"\b(?:practice|principle|approach|pattern|methodology|idea|concept)s?\s+of\b",
                         sentence[m.end():hits[targets[0]][0]], re.I):
                continue  # "uses the practice of Continuous Integration": a way of working, not a thing it needs
            if re.match(r"\s+(?!(?:any|no|some|every)thing\b)[a-z]+ing\b", sentence[m.end():]) and relation in ("dependsOn", "dependsOn?"):
                continue  # "relies on creating the AWS resources": the need is an action, not a component
            if named and PART_OF_A_THING.match(sentence[_head(hits, targets[0], sentence)[1]:]):
                continue  # "- Uses ClusterSecretStore CRDs", "Uses Python enums": a resource or a type, not a need
            obj = _head(hits, targets[0], sentence)[2]
            subjects: list[str] = []  # the names joined by "and" as the verb's subject
            start, stop = _subject_span(sentence, m.start())
            before = [h for h in hits if start <= h[0] and h[1] <= stop]
            clause_head = sentence[start:m.start()]
            if negated:
                clause_head = NOT_BEFORE_VERB.sub(" ", clause_head)  # "The app does not rely on … other than X"
            if before and re.fullmatch(r"\s*(?:the|a|an|this|our|its|their)\s+(?:[a-z][\w-]*\s+)*?"
                                       r"(?:of|in|for|with|from|on|at|by)\s+(?:[a-z][\w-]*\s+)*",
                                       sentence[start:before[-1][0]], re.I):
                continue  # "The current method of updating … in S3 requires …": the subject is the method
            lead = sentence[start:before[0][0]] if before else ""
            # "ActiveJob backed by Solid Queue": a participle's subject is the name before it, whatever the clause's
            # is; so is an infinitive's after a verb that is not one of use ("change forms-runner to read from X",
            # but in "uses Redis to store carts" Redis is the means, not what stores)
            infinitive = before and re.fullmatch(r"\s+to\s+", sentence[before[-1][1]:m.start()])
            named_first = before and (PARTICIPLE.match(m.group(0)) or infinitive and not USE_VERB.search(lead)
                                      or not OBJECT_FIRST.match(lead))
            if before and not named_first:
                # "It calls the Cart Service and stores orders in MongoDB", "The service uses Redis and publishes
                # events to Kafka": the clause's subject is a pronoun or the page's own service, and the names
                # before this verb are another verb's objects
                if not (speaker and not weighing and SELF_REFERENCE.match(sentence[start:before[0][0]])):
                    continue
                subj = speaker
                before = []
            elif before and re.search(r"\b(?:and|then|but also)\s+(?:\w+ly\s+)?$", sentence[:m.start()]):
                # "Debezium reads the WAL of CNPG and publishes changes to Redpanda": a verb joined by "and"
                # shares the clause's subject, not the object of the verb before it
                subj = before[0][2]
                if MODIFIER_KIND.match(sentence[before[0][1]:]):
                    owner = _owner_of_kind(sentence, before[:1], None if weighing else speaker, found)
                    if owner is None:
                        continue
                    subj = owner
            elif before:
                subj = before[-1][2]
                if MODIFIER_KIND.match(sentence[before[-1][1]:]):
                    # "elt-common is a shared Python package built on dlt": the name before the kind of thing only
                    # says what it is made in; the subject is what the sentence says is that thing, if anything
                    owner = _owner_of_kind(sentence, before, None if weighing else speaker, found)
                    if owner is None:
                        continue
                    subj = owner
                else:
                    subjects = _joined_subjects(_before_place(before, sentence), sentence)
            elif speaker and not weighing and SELF_REFERENCE.fullmatch(clause_head):
                # "The service stores its state in PostgreSQL" in the service's own README: the page's component,
                # also under a heading about something else ("### Azure Service Bus": "This service depends on …")
                subj = speaker
            elif titled and implicit and not weighing and IT.fullmatch(clause_head):
                subj = implicit  # "### Superset … It connects to Trino": under a heading that names it, "it" is it
            elif implicit and not weighing and not re.search(r"\b(?:we|the|our|a|an|this|it|they|users?|which|who|"
                                                             r"whose)\b", clause_head, re.I) \
                    and not (page_only and (clause_head.strip() or not re.match(r"[a-z]+s\b", m.group(0), re.I))
                             and not (MADE_WITH.match(sentence) and re.match(r"[a-z]+ing\b", m.group(0), re.I))) \
                    and not (re.match(r"[a-z]+ing\b", m.group(0), re.I) and not MADE_WITH.match(sentence)):
                # ("…is handled internally, leveraging data added to JWTs": an -ing verb's subject is the sentence's,
                # which only a "Built with …, leveraging X" line about the page's component leaves unwritten)
                # "Tiered storage to MinIO" under the Redpanda heading; not "make applications which read from
                # search use search-api": a relative clause says the subject is a noun of its own
                subj = implicit
            else:
                continue
            if relation.endswith("?") and not before and not SELF_REFERENCE.fullmatch(clause_head) \
                    and not (titled and subj == implicit and IT.fullmatch(clause_head)) \
                    and not (named and subj == implicit and VERB_FIRST.fullmatch(sentence[:m.start()])
                             and re.match(r"[a-z]+s\b", m.group(0), re.I)):
                # a bare "uses" counts with a subject written in the clause, "The service" and "It" too, or an
                # item that opens with it under a lead-in naming its subject ("**Checkout Service:**", "- Calls X")
                continue
            sure = 0.5 if not before else 0.6 if relation.endswith("?") else 0.7
            for each in [obj, *_coordinated(hits, targets[0], sentence)]:
                how = relation.rstrip("?")
                if how == "dependsOn" and any(KEEPING_DATA.match(sentence[h[1]:]) for h in hits if h[2] == each):
                    how = "storesDataIn"  # "leveraging PostgreSQL for persistent queues": where it keeps data
                for one in subjects or [subj]:
                    found.append((one, how, each, sure))
            break
    for pattern, relation in REVERSE:
        for r in pattern.finditer(sentence):
            clause_start = _clause_start(sentence, r.start())
            left = [i for i, h in enumerate(hits) if h[1] <= r.start() and h[0] >= clause_start]
            right = [i for i, h in enumerate(hits) if h[0] >= r.end()]
            if not right or not left and relation != "dependsOn:for":
                continue
            if NEGATION.search(sentence[: r.start()]):
                continue
            if relation == "dependsOn:for":
                # "dependency on X for Y": X after the verb, Y after "for"
                rest = sentence[r.end():]
                f = re.search(r"\bfor\b", rest)
                objs = [i for i in right if hits[i][0] < r.end() + (f.start() if f else 0)]
                # the dependent right after "for" ("for Forms Runner"), not one further on ("for dynamic demo
                # deployments …, supplemented by Heroku Review Apps": a purpose, not a dependent)
                subs = [i for i in right if f and hits[i][0] >= r.end() + f.end()
                        and re.fullmatch(r"\s*(?:the\s+|our\s+|an?\s+)?", sentence[r.end() + f.end():hits[i][0]], re.I)]
                if objs and subs:
                    found.append((_head(hits, subs[0], sentence)[2], "dependsOn", hits[objs[0]][2], 0.7))
                continue
            if "provide" in r.group(0).lower() and hits[right[0]][0] - r.end() > 25:
                continue  # "provides hosted checkout pages for the storefront": what is hosted is not named
            if re.match(r"\s+[a-z]+ing\b", sentence[r.end():]) or re.search(
                    r"\band\s+(?:the\s+)?\S+(?:\s+\S+)?\s+(?:is|are)\b", sentence[r.end():hits[right[0]][0] + 1]):
                # "Zendesk is used for receiving alerts and PagerDuty is used to …": a purpose, then another clause
                continue
            if re.search(r"\bto\s+(?!the\b|a\b|an\b)[a-z]+\b", sentence[r.end():hits[right[0]][0]]):
                continue  # "is used by several services to route alerts to PagerDuty": where alerts go, not who uses
            if relation == "dependsOn" and FRONT_ROLE.search(r.group(0)):
                # "Envoy is used as a reverse proxy for the frontend, Jaeger and Grafana": the proxy needs them
                for i in right:
                    found.append((hits[left[-1]][2], "dependsOn", hits[i][2], 0.6))
                continue
            if NOT_A_SYSTEM.match(sentence[_head(hits, right[0], sentence)[1]:]):
                continue  # "The relay service is used in the Aurora project": a project uses it, no system needs it
            provider = _head(hits, left[-1], sentence)[2] if relation != "consumesFrom" else hits[left[-1]][2]
            dependent = _head(hits, right[0], sentence)[2]
            found.append((dependent, relation, provider, 0.65))
    if implicit and not weighing and page_only:
        kept = _own_data_stored(sentence, implicit, hits)
        if kept:
            found.append((implicit, "storesDataIn", kept, 0.5))
    if implicit and not weighing:
        role = ROLE_IS.match(sentence)
        filled = [h for h in hits if role and h[0] == role.end()]
        if role and filled:  # "The database when running on the PaaS is PostgreSQL" under the component's heading
            stores = STORE_ROLE.fullmatch(role.group("role")) is not None
            found.append((implicit, "storesDataIn" if stores else "dependsOn", filled[0][2], 0.6))
    if implicit and not weighing and not page_only:
        for pattern, relation in IMPLICIT:
            passive = pattern.search(sentence)
            if passive:
                ahead = [i for i, h in enumerate(hits) if h[0] >= passive.end() and h[0] - passive.end() < 60]
                if ahead:
                    found.append((implicit, relation, _head(hits, ahead[0], sentence)[2], 0.5))
    return found


# a sentence that names what fills one role of the section's component: "The database when running on the PaaS is
# PostgreSQL", "Its message broker is RabbitMQ", "The cache is Redis"
ROLE_IS = re.compile(rf"^\W*(?:the|its|our|their)\s+(?:(?:primary|main|backing|underlying)\s+)?(?P<role>{STACK_ROLE})\b"
                     r"(?:\s+(?:when|while|in|on|for|used|of)\b[^.;:]{0,60}?)?\s+(?:is|are|will be)\s+(?:an?\s+|the\s+)?",
                     re.I)


# what a page may say is stored somewhere without it being its component's data: the state of the code that deploys
# it, its secrets, its build outputs, its logs ("The Terraform state is stored in S3")
OWN_STORED = re.compile(r"^\W*(?:the|each|every|all|its)\s[^,;:]{1,60}?\b(?P<verb>(?:is|are|will be) (?:stored|persisted|kept|"
                        r"saved) (?:in|into))\b", re.I)
NOT_OWN_DATA = re.compile(r"\b(?:state|secrets?|credentials?|keys?|passwords?|tokens?|certificates?|images?|artifacts?|"
                          r"artefacts?|logs?|backups?|config\w*|settings|terraform|code|docs?|documentation|metrics|"
                          r"traces?|packages?|binaries|charts?|templates?|snapshots?)\b", re.I)


def _own_data_stored(sentence: str, component: str, hits: list[tuple[int, int, str, str]]) -> str | None:
    """On a component's own page, where a passive says the component keeps its things ("The file will be stored in
    AWS S3", "The product reviews are stored in the database (PostgreSQL)"): a thing stored that is named by no
    other known name and is not the deploying code's state, secrets or outputs."""
    passive = OWN_STORED.search(sentence)
    if passive is None:
        return None
    subject = sentence[:passive.start("verb")]
    if NOT_OWN_DATA.search(subject) or any(h[0] < passive.start("verb") and h[2] != component for h in hits):
        return None
    ahead = [i for i, h in enumerate(hits) if h[0] >= passive.end() and h[0] - passive.end() < 40]
    return _head(hits, ahead[0], sentence)[2] if ahead else None


DEPLOYED = re.compile(r"\b(?:deploy|deploys|deployed|deploying|deployment of|install|installs|installing|"
                      r"installation of)\s+(?:the\s+|a\s+|an\s+)?$", re.I)
ON_HOST = re.compile(r"^\s+(?:cluster\s+|nodes?\s+|servers?\s+|instances?\s+|workloads?\s+)?(?:on|at)\s+(?:the\s+)?$", re.I)


def hosting_phrases(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """'K3s on Contabo VPS', 'a K3s cluster on Contabo': a component written on a provider runs on it."""
    texts = [(s.title, s.line) for s in doc.sections] + [(b.text, b.line) for b in doc.blocks]
    for text, line in texts:
        hits = gaz.scan(text)
        for a, b in zip(hits, hits[1:]):
            if gaz.type_of(a[2]) == "Component" and gaz.type_of(b[2]) == "Vendor" and ON_HOST.match(text[a[1]:b[0]]):
                out.facts.append(Fact(a[2], "runsOn", b[2], evidence_at(doc, line, "prose", text),
                                      subject_type="key", object_type="key"))
            # "Terraform module for deploying Talos on vSphere": what is deployed on a platform runs on it
            elif gaz.type_of(a[2]) == "Component" and gaz.type_of(b[2]) in ("Component", "Vendor") and a[2] != b[2] \
                    and DEPLOYED.search(text[:a[0]]) and re.fullmatch(r"\s+on(?:to)?\s+(?:an?\s+|the\s+)?", text[a[1]:b[0]]):
                out.facts.append(Fact(a[2], "runsOn", b[2], evidence_at(doc, line, "prose", text),
                                      subject_type="key", object_type="key"))


# what a metrics exporter or collector watches: "Prometheus exporter for Redis metrics", "collects metrics from X"
WATCHES = re.compile(r"\bexporters?\s+for\s+(?:the\s+)?|\b(?:collects?|scrapes?|gathers?|exposes?)\s+(?:\w+\s+)?"
                     r"(?:metrics|statistics|stats)\s+(?:from|of|about)\s+(?:the\s+|an?\s+)?", re.I)


def watched_systems(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """In a component's own README, "Prometheus exporter for Redis metrics" or "collects metrics from RabbitMQ":
    the component monitors what it exports or collects the metrics of."""
    own = folder_component(doc, gaz)
    if own is None:
        return
    for block in doc.blocks[:20]:
        for m in WATCHES.finditer(block.text):
            rest = block.text[m.end():m.end() + 80]
            hits = [h for h in gaz.scan(rest) if h[0] == 0 and gaz.type_of(h[2]) == "Component" and h[2] != own]
            # "exporter for Redis metrics" watches Redis; "exporter for Prometheus" serves Prometheus
            if hits and (not m.group(0).lower().startswith("exporter")
                         or re.match(r"[\w\s.-]{0,20}?\b(?:metrics|statistics|stats)\b",
                                     rest[_head(hits, 0, rest)[1]:])):
                out.facts.append(Fact(own, "monitors", _head(hits, 0, block.text[m.end():])[2],
                                      evidence_at(doc, block.line, "prose", block.text, 0.6),
                                      subject_type="key", object_type="key"))


# where a component's own README says it runs: "When deployed into an appropriately configured AKS cluster",
# "using Docker Compose in development and Kubernetes in production"
RUNS_WHERE = re.compile(r"\b(?:deployed|deploy|runs?|running|hosted|hosting)\s+(?:in|on|into|to|onto)\s+(?:an?\s+|the\s+|"
                        r"our\s+)?(?:\w+\s+){0,3}?|\b(?:and|or|with|using|uses?)\s+(?=[A-Z][\w.-]*(?:\s[A-Z][\w.-]*)?"
                        r"\s+in\s+production\b)", re.I)


def own_hosting(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """In a component's own README, where it says it is deployed or runs in production: a cluster, a Kubernetes
    or a cloud named there is where the component runs (a tool it is built or run with in development is not)."""
    own = folder_component(doc, gaz)
    if own is None:
        return
    for block in doc.blocks:
        for sentence in SENTENCE.split(block.text[:2000]):
            # only where the sentence speaks of the component itself: "The application is designed to run in …",
            # "When deployed into …", "… in production"; not "each microservice hosted in Kubernetes"
            if not (re.search(rf"\b{SELF_NAME}\b", sentence, re.I) or re.match(r"\W*(?:when|once|if)?\s*deployed\b",
                                                                              sentence, re.I)
                    or re.search(r"\bin production\b", sentence, re.I)):
                continue
            for m in RUNS_WHERE.finditer(sentence):
                hits = [h for h in gaz.scan(sentence[m.end():m.end() + 40]) if h[0] == 0 and h[2] != own]
                if not hits:
                    continue
                key = _head(hits, 0, sentence[m.end():])[2]
                if gaz.type_of(key) == "Component" and gaz.hosts(key):
                    line = sentence_line(doc, block.line, block.end_line, sentence)
                    out.facts.append(Fact(own, "runsOn", key, evidence_at(doc, line, "prose", sentence, 0.6),
                                          subject_type="key", object_type="key"))


# a paragraph that says where the list after it runs: "On the management cluster we run:", "The following
# services run on Kubernetes:", "The EKS cluster hosts:"
HOSTING_INTRO = re.compile(
    r"^(?:(?:on|in)\s+(?P<a>.+?),?\s+(?:we|they|you|the team)\s+(?:also\s+)?(?:run|host|deploy|operate)"
    r"|(?:the\s+following|these)\s+(?:[\w-]+\s+){0,3}?(?:run|runs|are\s+(?:deployed|hosted|running))\s+(?:on|in)\s+"
    r"(?P<b>.+?)"
    r"|(?P<c>.+?)\s+(?:runs|hosts)(?:\s+the\s+following)?(?:\s+[\w-]+)?)\s*:$", re.I)


def hosting_lists(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """"On the management cluster (EKS) we run:" and the list after it: each item runs on the host named."""
    from .sections import item_lead

    host: str | None = None
    for block in doc.blocks:
        if block.kind != "item":
            m = HOSTING_INTRO.match(block.text.strip()) if len(block.text) < 120 else None
            hits = [h for h in gaz.scan(next(g for g in m.groups() if g)) if gaz.type_of(h[2]) in ("Component", "Vendor")] \
                if m else []
            host = _head(hits, 0, block.text)[2] if hits else None
            continue
        if host is None or block.depth > 1:
            continue
        lead = item_lead(block)
        hits = [h for h in gaz.scan(lead) if gaz.type_of(h[2]) == "Component" and h[0] == 0]
        if hits and hits[0][2] != host:
            out.facts.append(Fact(hits[0][2], "runsOn", host, evidence_at(doc, block.line, "prose", block.text),
                                  subject_type="key", object_type="key"))


def _parts(doc: Document, blocks: list, index: int, subject: str, out: Extraction, gaz: Gazetteer) -> None:
    """'The service consists of 3 main components:' and the list after it: the subject depends on each part."""
    for block in blocks[index + 1: index + 12]:
        if block.kind != "item":
            break
        lead, _coded = item_part(block)
        # the part is the name the item opens with ("- Neo4j", "- Frontend: `orbit-admin`"), not one in its sentence
        hits = [h for h in gaz.scan(lead) if gaz.type_of(h[2]) == "Component" and h[0] <= 4]
        if hits and hits[0][2] != subject:
            out.facts.append(Fact(subject, "dependsOn", hits[0][2], evidence_at(doc, block.line, "prose", block.text),
                                  subject_type="key", object_type="key"))


WHERE_TO_RUN = re.compile(r"^\W*(?:run|running|deploy|deploying|deployment|install|installing|host|hosting|set ?up|"
                          r"setting up|get started|getting started|try|quick ?start)\b.*\b(?:on|to|in|with|using|into)\b",
                          re.I)


def section_component(doc: Document, section: tuple[str, ...], gaz: Gazetteer) -> str | None:
    """The component a section is about: one its headings name, or the one its opening sentence introduces."""
    # "## Run on any Kubernetes", "## Deploy to Azure": a heading that says where to run the page's component
    # names the platform, not what the section speaks of
    found = gaz.section_subject(tuple(t for i, t in enumerate(section) if i == 0 or not WHERE_TO_RUN.match(t)))
    if found:
        return found
    for title in reversed(section[1:]):
        name = introduced_component(doc, title)
        if name:
            key = gaz.lookup(name, "Component")
            if key:
                return key
    return None


def mentions(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """Document mentions each known entity it names; documentedIn where its title names it."""
    seen: set[str] = set()
    # "Checkout Service (Java)": the page documents what its title names, not the qualifier in brackets
    title_hits = {h[2] for h in gaz.scan(split_parenthetical(doc.title)[0])} or {h[2] for h in gaz.scan(doc.title)}
    doc_key = f"document/{doc.path}"
    for block in doc.blocks:
        for hit in gaz.scan(block.text):
            key = hit[2]
            if key in seen:
                continue
            seen.add(key)
            ev = evidence_at(doc, block.line, "prose")
            out.facts.append(Fact(doc_key, "mentions", key, ev, subject_type="key", object_type="key"))
    for key in sorted(title_hits):
        if gaz.type_of(key) in ("Component", "Vendor"):
            first = doc.sections[0].line if doc.sections else 1
            out.facts.append(Fact(key, "documentedIn", doc_key, evidence_at(doc, first, "heading"),
                                  subject_type="key", object_type="key"))


def links(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """Document linksTo Document for every resolved link."""
    doc_key = f"document/{doc.path}"
    for link in doc.links:
        if link.kind == "internal" and link.target and link.target != doc.path and gaz.has(f"document/{link.target}"):
            out.facts.append(Fact(doc_key, "linksTo", f"document/{link.target}", evidence_at(doc, link.line, "link"),
                                  subject_type="key", object_type="key"))


# "The endpoint `/healthcheck` checks the health of vault and the dataset api", "/health checks the connection to
# MongoDB": an endpoint that reports the component healthy only when what it checks answers
HEALTH_CHECKS = re.compile(r"(?:endpoint|health\s?check|/health\w*|health)\S*\s+(?:\w+\s+){0,2}?checks\s+(?:the\s+)?"
                           r"(?:health|connections?|connectivity|availability)\s+(?:of|to|with)\s+"
                           r"(?P<objects>[^.;:()]{1,160})", re.I)
LIST_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|as well as)\s+", re.I)


def health_checks(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """What a component's health check checks is what it depends on: each item of the list after "checks the health
    of" that is the whole of a known name ("vault", "the dataset api"; "returns one of" ends the list)."""
    own: str | None = None
    looked = False
    for block in doc.blocks:
        for m in HEALTH_CHECKS.finditer(block.text[:3000]):
            if not looked:
                own, looked = document_component(doc, gaz), True
            if own is None:
                return
            line = sentence_line(doc, block.line, block.end_line, m.group(0))
            for part in LIST_SEPARATOR.split(m.group("objects")):
                name = re.sub(r"^(?:the|a|an|its|our)\s+", "", part.strip().strip("`"), flags=re.I)
                obj = gaz.lookup(name, "Component") or gaz.lookup(name, "Vendor")
                if obj and obj != own:
                    out.facts.append(Fact(own, "dependsOn", obj, evidence_at(doc, line, "prose", block.text[:300]),
                                          subject_type="key", object_type="key"))
