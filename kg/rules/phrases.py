"""Names in phrases: the technology a decision, a title or a sentence names, read off how people write names.

A name is a run of tokens that look like names — capitalised or with a capital
inside ("GOV.UK Notify", "MinIO"), with a digit ("EC2", "K3s"), an identifier
with a hyphen or a dot ("forms-admin", "Next.js"), or a code span — that stops
at a word that ends a phrase ("for", "to", "with", a comma…). Lower-case words
in front of it are determiners and adjectives ("our managed Grafana instance");
a lower-case noun after it says what kind of thing it is: an instance, an app or
a queue is the technology itself; an account, a team or a page is not one.
Everything here is plain text in, plain data out, so it is tested on strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..gazetteer import is_everyday_word
from ..names import clean_name, is_abbreviation_of

# words that end the phrase a name is read from
BOUNDARY = frozenset("""
for to with as in on onto into over from via using by at because so which that where when while since than
instead rather whose who whom if unless until after before between across within without per through
is are was were be been being will would should could can may might must has have had do does did
this these those it its they them their there here
""".split())
# nouns after a name that say what kind of thing it is ("the gitops-bridge tooling", "Kyverno Policy Engine"): the
# phrase still names the product; any other noun makes the name a modifier ("the Keycloak realm", "a UNIX socket")
KIND_WORDS = frozenset("""
engine gateway infrastructure platform database databases db store storage cache broker registry server servers
proxy mesh controller operator operators scanner stack cloud hosting vps cdn orchestrator runtime queue bus firewall
service services tool tools tooling library libraries sdk cli agent agents community edition enterprise oss
framework frameworks application applications app apps instance instances cluster clusters plugin plugins
""".split())
# lower-case words that may stand in front of a name and are skipped ("the", "our managed", "a new custom")
LEADING = frozenset("""
a an the our their its his her my your this that these those new existing current custom own managed hosted
self-hosted dedicated separate shared single central centralised centralized single-tenant multi-tenant
open-source open source native official standard default dedicated additional simple small lightweight
some any each every both all also just only directly local remote
""".split())
# a noun after a name that makes the phrase something other than a technology
NOT_A_TECHNOLOGY_HEAD = frozenset("""
account accounts team teams repository repositories repo repos page pages file files folder folders directory
directories document documents channel channels project projects process processes meeting meetings issue issues
ticket tickets role roles user users group groups strategy strategies approach approaches decision decisions record
records website websites site sites organisation organization department departments programme program license
licence language languages style guide guidance standard standards format formats template templates
""".split())
# a noun after a name that is the technology itself ("the forms-api app", "a dedicated SQS queue")
SAME_THING_HEAD = frozenset("""
app apps application applications service services instance instances cluster clusters queue queues bucket buckets
table tables database databases server servers api apis gem gems library libraries package packages module modules
plugin plugins image images chart charts function functions lambda lambdas endpoint endpoints tool tools
framework frameworks platform platforms stack stacks agent agents operator operators controller controllers
provider providers component components solution solutions system systems engine engines backend backends
""".split())
# capitalised words that begin sentences and clauses, never names on their own
CAPITALISED_STOPWORDS = frozenset("""
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
we i you he she it they our us this that these those there here the a an in on at for to of and or but if when
as by with from after before since while then also however therefore thus so yes no not all any each every some
both either neither one two three four five six seven eight nine ten first second third option options note
use using used adopt implement implementing implemented move migrate replace remove retire decide decided
decision status context consequences pros cons advantages disadvantages good bad neutral chosen because
what which who whom whose why how where whether nothing none everything anything
critical important warning caution todo tip info required optional recommended mandatory blocker
another other others such many most more few several various
is are was were be been do does did can could should would will shall has have had
""".split())

_TOKEN = re.compile(r"\S+")
_NAME_NUMBER = re.compile(r"\d{1,3}(?:\.\d+)?")  # "Route 53", "Python 3": a number that ends a name
_TRAIL = " \t,;:.!?)]}\"'“”’"
_LEAD = " \t([{\"'“‘"


JOINED_NAME = re.compile(r"\s+(?:for|of|on|in|and)\s+(?P<tail>[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){0,4})\s*"
                         r"\((?P<abbr>[A-Z][A-Za-z0-9]{1,10})\)")


@dataclass(frozen=True)
class Name:
    """A name read from a phrase, with the abbreviation written beside it ("Amazon Simple Email Service (SES)")."""

    text: str
    abbreviation: str | None = None
    start: int = 0  # character offsets of the name in the phrase
    end: int = 0


def is_name_token(token: str, code: frozenset[str] = frozenset()) -> bool:
    """True for a token that looks like part of a name: capitals, digits with letters, hyphen/dot identifiers, code."""
    word = token.strip(_TRAIL + _LEAD)
    if not word or not re.search(r"[A-Za-z]", word):
        return False
    if word in code or word.lower() in code:
        return True
    if not word[0].isalpha() or token.lstrip()[:1] in "\"'“‘":
        return False  # "~250MB", "3-6", "#6" are sizes and numbers; a quoted phrase is a label, not a name
    if re.search(r"[_:@]|://|^www\.", word):
        return False  # snake_case, s3:ObjectCreated, URLs and addresses are code and places, not names
    if "/" in word:
        return all(is_name_token(part, code) for part in word.split("/") if part)
    if re.fullmatch(r"[A-Z]{2}s?", word):
        return False  # ID, PR, UI, IP: two capitals are too common to be a product
    if word.lower() in CAPITALISED_STOPWORDS:
        return False
    if any(c.isupper() for c in word):
        return True
    if re.search(r"\d", word) and re.fullmatch(r"[a-z0-9][\w.+-]*", word):
        return len(word) <= 20 and not re.fullmatch(r"\d+(st|nd|rd|th|s|x|k|m|gb|mb|ms)?", word)
    # lower-case identifiers: forms-admin, vite-rails, next.js (not "e.g." or "i.e.", not "well-known")
    if re.fullmatch(r"[a-z][a-z0-9]*(?:[-.][a-z0-9]+)+", word) and not re.fullmatch(r"([a-z]\.)+[a-z]?", word):
        # "well-known", "server-side", "event-driven" are adjectives, not identifiers
        return not re.fullmatch(r"(well|self|long|short|high|low|non|multi|cross|read|write|end|real|up|"
                                r"built|so|pre|post|co|re|sub|semi|full|half|open|one|two|three|four|five|six|single|double|dual|tri|"
                                r"zero|all|third|first|second|day|near|next|non|in|on|off|out)-[a-z]+", word) \
            and not re.search(r"-(side|based|driven|native|hosted|managed|level|wide|time|only|free|like|style|"
                              r"specific|facing|grade|ready|compatible|friendly|scale|term|party|source|first|"
                              r"made|owned|run|built|in|out|up|down|off|on)$", word)
    return False


def _tokens(phrase: str, known: frozenset[str]) -> list[tuple[str, int, int]]:
    """Whitespace tokens, with each known phrase (a code span, a link's text) kept as one token."""
    spans: list[tuple[int, int]] = []
    lower = phrase.lower()
    for k in sorted((k for k in known if " " in k and k.lower() in lower), key=len, reverse=True):
        for m in re.finditer(r"(?<![\w-])" + re.escape(k) + r"(?![\w-])", phrase, re.I):
            if not any(a < m.end() and m.start() < b for a, b in spans):
                spans.append((m.start(), m.end()))
    out: list[tuple[str, int, int]] = []
    for m in _TOKEN.finditer(phrase):
        inside = next(((a, b) for a, b in spans if a <= m.start() < b), None)
        if inside is None:
            out.append((m.group(0), m.start(), m.end()))
        elif not out or out[-1][1] != inside[0]:
            # the known phrase as one token, with the punctuation that follows it
            tail = re.match(r"\S*", phrase[inside[1]:])
            end = inside[1] + (tail.end() if tail else 0)
            out.append((phrase[inside[0]:end], inside[0], end))
    return out


# a name made an adjective by its last word's ending: HTMX-based, JSON-only, Kubernetes-native, Vault-backed
ADJECTIVE_OF_NAME = re.compile(r"-(?:based|driven|native|only|powered|backed|compatible|style|like|specific|enabled|"
                               r"aware|centric|oriented|friendly|ready)$", re.I)


# who runs a thing, written as an adjective in front of its name: "EKS-managed ArgoCD", "GitHub-hosted runners" (a
# self-managed product is an option of its own: "Self-Managed Argo CD")
MANAGED_BY = re.compile(r"(?!self-)[a-z0-9]+-(?:managed|hosted|operated|maintained|run)")

CONTRACTION = re.compile(r"(?:let|it|that|what|there|here|who|he|she)['’]s", re.I)  # "Let's Encrypt" goes on


def _known_name(text: str) -> bool:
    """Whether the gazetteer knows these words as one name (not as an everyday word)."""
    from ..gazetteer import load

    record = load().get(text.lower())
    return record is not None and not record.common_word


def _starts_known_name(tokens: list[tuple[str, int, int]], i: int) -> bool:
    """Whether a capitalised word that usually only leads a name ("New", "Native") is the first word of one the
    gazetteer knows: "New Relic" is that product, not "Relic"."""
    word = tokens[i][0]
    if not word[:1].isupper():
        return False
    words = [word]
    for later, _start, _end in tokens[i + 1:i + 4]:
        words.append(later.strip(_TRAIL + _LEAD))
        if _known_name(" ".join(words)):
            return True
        if later != words[-1]:
            break  # punctuation ends the name
    return False


# two capitals too common to open a name: "the UK Government", "an IT Service", "the ID Token"
COMMON_PAIR = re.compile(r"IP|UI|PR|IT|OK|US|UK|EU|AM|PM|DB|VM|ID|QA|HR|AI|ML|OR|IF|IN|ON|AT|TO|NO|SO|DO|GO|BE|BY|MY|UP")


def _leads_a_name(tokens: list[tuple[str, int, int]], i: int, code: frozenset[str]) -> bool:
    """Two capitals in front of a capitalised name are the maker's or organisation's part of it: "OS Places API",
    "EF Core" (not a common pair: "UK Government", "ID Token"; nor a plural: "CI Jobs")."""
    word = tokens[i][0]
    if not re.fullmatch(r"[A-Z]{2}", word) or COMMON_PAIR.fullmatch(word) or i + 1 >= len(tokens):
        return False
    after = tokens[i + 1][0]
    bare = after.strip(_TRAIL + _LEAD)
    last = after != bare or not (i + 2 < len(tokens) and is_name_token(tokens[i + 2][0], code))
    if last and re.fullmatch(r"[A-Z][a-z]+s", bare) and is_everyday_word(bare):
        return False  # "CI Jobs", "ES Modules": a kind of thing, in the plural (not "OS Places API")
    return after[:1].isupper() and not re.fullmatch(r"[A-Z]{2}s?\W*", after) and is_name_token(after, code)


LIST_JOIN = frozenset({"and", "or", "&", "+", "/"})
# how an everyday word's forms end: "putting", "named", "quickly", "replication"
EVERYDAY_ENDING = re.compile(r"(?:ing|ed|ly|tion|sion|ness|ment|able|ible|ous|ive|ful|less|ise|ize|er|est)$")


# what ends a list without being one of its items: "(e.g. Okta, Auth0, etc.)"
LIST_ENDINGS = frozenset(("etc", "etcetera", "etcaetera"))


def lower_case_name(token: str) -> bool:
    """A word in lower case that is no everyday word, nor one's -ing form, nor two run together ("htmx", not
    "caching", "serverless", "autoscaling"), nor the "etc" that ends a list."""
    from ..gazetteer import word_like

    word = token.strip(_TRAIL + _LEAD)
    return re.fullmatch(r"[a-z][a-z0-9]{2,15}", word) is not None and word not in BOUNDARY and word not in LEADING \
        and word not in LIST_ENDINGS \
        and not EVERYDAY_ENDING.search(word) and not word_like(word)


def _listed_lower_case(tokens: list[tuple[str, int, int]], i: int, code: frozenset[str]) -> bool:
    """A lower-case name listed with a name: "Adopt htmx and Alpine.js", "htmx + Alpine.js" (see `lower_case_name`)."""
    word = tokens[i][0]
    if not lower_case_name(word):
        return False
    k = i + 1
    if not word.endswith(",") and not (k < len(tokens) and tokens[k][0] in LIST_JOIN):
        return False
    k += 0 if word.endswith(",") else 1
    return k < len(tokens) and is_name_token(tokens[k][0], code)


def names_in(phrase: str, code: frozenset[str] = frozenset(), max_words: int = 6) -> list[Name]:
    """The names a phrase starts with: one, or a list ("Terratest, OPA and Go"), read up to the phrase's end.

    Lower-case determiners and adjectives in front are skipped; the first boundary word or a
    non-name word after a name ends the phrase, unless a list goes on ("X, Y and Z"). `code`
    holds phrases known to be names here (code spans, link texts), matched case-insensitively.
    """
    code = frozenset(code) | frozenset(c.lower() for c in code)
    tokens = _tokens(phrase, code)
    out: list[Name] = []
    i = 0
    skipped = 0
    listed = False  # in a list that goes on after a name: "Alpine.js and htmx"
    while i < len(tokens):
        word, start, end = tokens[i]
        bare = word.strip(_TRAIL + _LEAD).lower()
        if not out and (bare in LEADING or MANAGED_BY.fullmatch(bare)) and i + 1 < len(tokens) \
                and not _starts_known_name(tokens, i):
            i += 1  # "Self-hosted Keycloak", "Managed Grafana": an adjective in front, capitalised or not
            continue
        if not is_name_token(word, code) and not _leads_a_name(tokens, i, code) \
                and not _listed_lower_case(tokens, i, code) and not (listed and lower_case_name(word)):
            if out:
                break
            if bare in BOUNDARY or bare == "of" or skipped >= 2 or word[-1:] in ",;:." or \
                    not re.fullmatch(r"[a-z][\w-]*", bare):
                return out
            skipped += bare not in LEADING  # a determiner costs nothing; an unknown word costs one
            i += 1
            continue
        # a run of name tokens, ended by punctuation after a token or by a non-name token
        run = [(word, start, end)]
        j = i + 1
        # (a possessive ends the name: "Cloud Foundry's Python buildpack" is Cloud Foundry's)
        while j < len(tokens) and len(run) < max_words and word[-1:] not in ",;:.!?" \
                and not (word.endswith(("'s", "’s")) and not CONTRACTION.fullmatch(word)) \
                and not word.endswith(")") and not tokens[j][0].startswith("(") \
                and (is_name_token(tokens[j][0], code) or _NAME_NUMBER.fullmatch(tokens[j][0].rstrip(",;:.!?)"))
                     or re.fullmatch(r"(?!IP|UI|PR|IT|OK|US|UK|EU|AM|PM|DB|VM)[A-Z]{2}", tokens[j][0].rstrip(",;:.!?)"))
                     # "Argo CD", "Azure AD", "Entra ID"; not "the Cognito ID token", unless the two words are
                     # a known name ("Adopt Argo CD as the GitOps controller")
                     and (not (j + 1 < len(tokens) and re.fullmatch(r"[a-z][\w-]*", tokens[j + 1][0]))
                          or _known_name(phrase[run[0][1]:tokens[j][2]].rstrip(",;:.!?)"))))\
                and tokens[j][0].strip(_LEAD + _TRAIL).lower() not in BOUNDARY:
            word = tokens[j][0]
            run.append(tokens[j])
            j += 1
        # "JSON-only API": a word made an adjective ends the name
        cut_at = next((n for n, t in enumerate(run) if ADJECTIVE_OF_NAME.search(t[0].rstrip(_TRAIL))), None)
        if cut_at is not None:
            run = run[:cut_at + 1]
        # a leading dot is clean_name's to judge: ".NET" keeps it; "GitHub's" is GitHub
        text = clean_name(phrase[run[0][1]:run[-1][2]].rstrip(_TRAIL + _LEAD).lstrip((_TRAIL + _LEAD).replace(".", "")))
        text = re.sub(r"['’]s$", "", text)
        # "HTMX-based rendering", "DNS-based failover", "JSON-only API": an adjective made of a name, describing
        # something else that the phrase does not name; no name here
        if ADJECTIVE_OF_NAME.search(text):
            break
        abbreviation = None
        # "IAM Roles for Service Accounts (IRSA)": a small word inside a name whose abbreviation spells it all
        rest = phrase[run[-1][2]:]
        joined = JOINED_NAME.match(rest)
        longer = clean_name(phrase[run[0][1]:run[-1][2] + joined.end("tail")]) if joined else ""
        if joined and is_abbreviation_of(joined.group("abbr"), longer):
            text = longer
            end = run[-1][2] + joined.end("tail")
            while j < len(tokens) and tokens[j][1] < end:
                j += 1
            run = [*run, (joined.group("tail"), end - len(joined.group("tail")), end)]
            rest = phrase[end:]
        # "Amazon Simple Email Service (SES)": the abbreviation in brackets right after the name
        m = re.match(r"\s*\(([^()]{1,20})\)", rest)
        if m and (is_abbreviation_of(m.group(1), text) or re.fullmatch(r"[A-Z][A-Za-z0-9]{1,9}", m.group(1))):
            abbreviation = clean_name(m.group(1))
            while j < len(tokens) and tokens[j][1] < run[-1][2] + m.end():
                j += 1
        head = tokens[j][0].strip(_TRAIL + _LEAD).lower() if j < len(tokens) else ""
        if head in NOT_A_TECHNOLOGY_HEAD:
            return out
        if text and text.split()[0].lower() not in CAPITALISED_STOPWORDS:
            out.append(Name(text, abbreviation, run[0][1], run[-1][2]))
        if head in SAME_THING_HEAD:
            j += 1
        # a list goes on: ", Y", " and Y", ", and Y", " or Y", " & Y", " + Y", " / Y"
        k = j
        if k < len(tokens) and tokens[k][0].lower() in ("and", "or", "&", "+", "/"):
            k += 1
        elif phrase[run[-1][2]:run[-1][2] + 1] == "," or (k > 0 and tokens[k - 1][0].endswith(",")):
            if k < len(tokens) and tokens[k][0].lower() in ("and", "or"):
                k += 1
        else:
            break
        if k < len(tokens) and (is_name_token(tokens[k][0], code) or lower_case_name(tokens[k][0])):
            i = k
            skipped = 0
            listed = True
            continue
        break
    return out
