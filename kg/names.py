"""Name handling shared by the extract and resolve stages: cleaning, keys, ADR ids, slugs."""

from __future__ import annotations

import functools
import re
import unicodedata

# an ADR named by its number: ADR-7, ADR 007, ADR_12, ADR #006 (the number is the group)
ADR_REFERENCE = r"ADR[-_ ]?(?:#\s?)?0*(\d{1,5})"
ADR_ID = re.compile(rf"\b{ADR_REFERENCE}\b", re.IGNORECASE)
# a diagram box or a name that is one instance of a component: "API Gateway Pod 2", "PostgreSQL Replica 1"
# the words for one running copy of something: "Pod 2", "Replica 1", "Worker N"
INSTANCE_WORDS = r"pod|replica|instance|node|shard|broker|worker"
INSTANCE_SUFFIX = re.compile(rf"\s+(?:{INSTANCE_WORDS})\s*#?\d+$", re.I)
# the words a decision record's status is written in: "Accepted", "Superseded", "On hold"; never a name on their own
RECORD_STATUS_WORDS = (r"accepted|proposed|deprecated|superseded|superceded|superceeded|rejected|draft|approved|"
                       r"implemented|in progress|under review|in review|in discussion|under discussion|amended|withdrawn|agreed|adopted|retired|obsolete|"
                       r"replaced|on hold|abandoned|final|decided|pending|deferred")
RECORD_STATUS = re.compile(rf"(?:{RECORD_STATUS_WORDS})", re.IGNORECASE)
# a role people have, written in title case ("Platform Administrator", "Application Developers", "Data Owner"):
# never a component
ROLE_NAME = re.compile(r"^(?:[A-Za-z][\w-]*\s+){0,3}(?:administrators?|admins?|developers?|engineers?|owners?|users?|"
                       r"customers?|stakeholders?|maintainers?|contributors?|reviewers?|architects?|analysts?|"
                       r"approvers?|requesters?|on-?call)$", re.IGNORECASE)
# a thing named by the role it plays for the docs' system, not by what it is: "Infrastructure Provider", "Security
# Zone", "Client Application" (written in everyday words only: "NFS Storage Provider" is a product's name)
ROLE_OF_A_THING = re.compile(r"^(?:[A-Za-z][\w-]*\s+)?(?:providers?|vendors?|suppliers?|zones?|tenants?)$|"
                             r"^clients?\s+(?:applications?|apps?|systems?)$", re.IGNORECASE)
# HTTP's verbs and API styles: a name of these words alone ("DELETE", "a simple REST API", "RESTful") is no product;
# inside a longer name they stay ("MFA Delete")
API_WORDS = re.compile(r"(?=.*\b(?:get|post|put|patch|delete|rest|restful|crud|https?)\b)"
                       r"(?:(?:get|post|put|patch|delete|rest|restful|crud|api|apis|https?|endpoints?)(?:[\s/-]+|$))+",
                       re.IGNORECASE)
ADR_SLUG = re.compile(r"^ADR[-_]([A-Za-z][A-Za-z0-9_-]*)$", re.IGNORECASE)
# what comes before the host in an address: a scheme, compound ones too (jdbc:postgresql://, r2dbc:mysql://),
# and a user
ADDRESS_PREFIX = r"(?:[a-z][a-z0-9+.-]*(?::[a-z][a-z0-9+.-]*)*://)?(?:[^@/\s]+@)?"
# a box labelled with what it is and which one: "EKS Cluster: bedrock-prod", "S3 Bucket: assets", "Lambda: resize"
INSTANCE_OF = re.compile(r"^(?P<kind>[^:]{2,40}?):\s+(?P<name>\S.{0,60})$")
LEGAL_SUFFIX = re.compile(r"\s+(?:GmbH|AG|Inc\.?|Ltd\.?|LLC|S\.?A\.?|SAS|B\.?V\.?|plc|Corp\.?|Co\.?)$", re.IGNORECASE)
# what a link says when it only points somewhere: "[Link](…)", "[here](…)", "[read more](…)"; never a name
GENERIC_LINK_TEXT = re.compile(r"^(?:(?:click |see |go |read |learn |find out |view |more )?"
                               r"(?:here|this|there|more|it)|"
                               r"(?:this |the |a )?(?:link|url|page|site|source|details|info|download|demo)s?|"
                               r"more (?:info|information|details)|see also|open|view|go)$", re.IGNORECASE)
# a number that orders folders or files, no part of the name: "01.postgres", "10-auth", "3_billing"
ORDERING_PREFIX = re.compile(r"^\d{1,3}[._-](?=[A-Za-z])")
_SPACES = re.compile(r"\s+")
_EMOJI = re.compile(r"[\u2600-\u27bf\U0001f300-\U0001faff\u2b50\u2b55\u2705\u274c\u26a0\ufe0f]")


# what decorates a label or a heading at either end: pictographs (So), skin tones and other modifiers (Sk), the joiners
# and variation selectors of compound emoji (Cf, Mn, Me), and the spaces between them: "🚪 API Gateway", "👨‍💼 Admin"
_DECORATION = frozenset({"So", "Sk", "Cf", "Mn", "Me"})


def _decoration(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in _DECORATION


def strip_pictographs(text: str) -> str:
    """A label or heading without the emoji written before or after its words ("🗺️ Location Services" ->
    "Location Services"). A trailing run goes only where it holds a pictograph, so an accent written as its own mark
    stays; a text of nothing but pictographs is kept as it is."""
    if not text or text[0].isalnum() and text[-1].isalnum() or not (_decoration(text[0]) or _decoration(text[-1])):
        return text  # (most labels: nothing to strip, found in a look at either end)
    start, end = 0, len(text)
    while start < end and _decoration(text[start]):
        start += 1
    cut = end
    while cut > start and _decoration(text[cut - 1]):
        cut -= 1
    if any(unicodedata.category(ch) in ("So", "Sk") for ch in text[cut:end]):
        end = cut
    return text[start:end].rstrip() if start < end else text


# a dot before a letter at the start is part of the name: ".NET", not stray punctuation
_DOTTED_START = re.compile(r"^[ ,:;!?\"'*_\-–—]*\.[A-Za-z]")


def clean_name(text: str) -> str:
    """A name as written, minus markup, emoji, quotes and stray punctuation."""
    text = _EMOJI.sub("", text)
    text = text.replace("`", "").replace("**", "").replace("__", "")
    text = _SPACES.sub(" ", text).strip()
    if not text.isascii() or text[:1] in "^`" or text[-1:] in "^`":
        text = strip_pictographs(text)  # (an emoji is never ASCII, nor a mark but ^ and `: most names need no look)
    dotted = _DOTTED_START.match(text) is not None
    text = text.strip(" .,:;!?\"'*_-–—")
    return "." + text if dotted else text


_NOT_KEY = re.compile(r"[^a-z0-9+#]+")


@functools.lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """The matching key of a name: case, accents, spaces and punctuation folded away."""
    text = name if name.isascii() else unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return _NOT_KEY.sub("", text.lower())


def slug(name: str) -> str:
    """A stable IRI-safe slug of a name."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("+", " plus ").replace("#", " sharp ")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x"


def adr_id(text: str) -> str | None:
    """The canonical ADR id in text: ADR-7, ADR-0007, adr 007 all give ADR-007."""
    m = ADR_ID.search(text)
    if not m:
        return None
    return canonical_adr_number(int(m.group(1)))


def canonical_adr_number(n: int) -> str:
    """ADR-007 style id for an ADR number."""
    return f"ADR-{n:03d}"


def normalise_adr_query(text: str) -> str | None:
    """An ADR id typed by a user (ADR-7, adr-0007, ADR-WEBRTC-GATEWAY) in canonical form."""
    text = text.strip()
    m = re.fullmatch(ADR_REFERENCE, text, re.IGNORECASE)
    if m:
        return canonical_adr_number(int(m.group(1)))
    m = ADR_SLUG.fullmatch(text)
    if m:
        return "ADR-" + m.group(1).upper().replace("_", "-")
    return None


def is_abbreviation_of(short: str, long: str) -> bool:
    """True when `short` abbreviates `long` (ESO / External Secrets Operator, CNPG / CloudNativePG), also past a
    maker's name or small words (KMS / AWS Key Management Service, MoJ / Ministry of Justice)."""
    # "Elastic Load Balancers (ELBs)", "virtual machines (VMs)": a plural abbreviates the plural
    if re.fullmatch(r"[A-Z0-9]{2,}s", short.strip()) and re.search(r"[a-z]s$", long.strip()):
        short, long = short.strip()[:-1], long.strip()[:-1]
    # "Assess Risks and Needs (ARNS)": a plural's s written in capitals too
    if re.fullmatch(r"[A-Z0-9]{2,}S", short.strip()) and re.search(r"[a-z]s$", long.strip()) \
            and is_abbreviation_of(short.strip()[:-1], long.strip()[:-1]):
        return True
    s = name_key(short).upper()
    if len(s) < 2 or len(s) >= len(name_key(long)):
        return False
    words = re.findall(r"[A-Za-z0-9]+", long)
    firsts = "".join(w[0] for w in words).upper()
    caps = "".join(ch for ch in long if ch.isupper() or ch.isdigit())
    if s in (firsts, caps):
        return True
    # "PCUI" for "AWS ParallelCluster UI": the capitals of the words after a maker's name
    if s.lower() not in (w.lower() for w in words) and any(
            "".join(ch for ch in " ".join(words[k:]) if ch.isupper() or ch.isdigit()) == s for k in range(1, len(words) - 1)):
        return True
    significant = [w for w in words if w.lower() not in ("of", "and", "the", "for", "de", "in", "on")]
    if _initials_match(s, significant):
        return True
    # the words after a maker's name: KMS is (AWS) Key Management Service, SES (Amazon) Simple Email Service
    return any(_initials_match(s, significant[k:]) for k in range(1, len(significant) - 1))


def takes_capitals(short: str, long: str) -> bool:
    """Whether an abbreviation holds every capital of a name, in order, and its letters are the name's in order,
    starting with its first: OTLP of "OpenTelemetry Protocol", as a looser reading than `is_abbreviation_of` for a
    name whose bounds a link marks."""
    letters = re.sub(r"[^A-Za-z0-9]", "", long)
    if not short.isalnum() or len(short) < 2 or not letters or short[0].upper() != letters[0].upper():
        return False
    caps = [c for c in letters if c.isupper()]
    it = iter(short.upper())
    if not all(c in it for c in caps):
        return False
    rest = iter(letters.upper())
    return all(c in rest for c in short.upper())


# words written as one that abbreviate as two: "Private Rented Sector Database (PRSDB)", "Payment Gateway (PGW)"
COMPOUND_INITIALS = {"database": ("D", "DB"), "gateway": ("G", "GW"), "firewall": ("F", "FW"),
                     "dataset": ("D", "DS"), "keyvault": ("K", "KV"), "middleware": ("M", "MW")}


def _initials_match(short: str, words: list[str]) -> bool:
    """Whether `short` is the words' initials, a compound word giving one letter or two ("Database": D or DB)."""
    if not words:
        return not short
    if not short:
        return False
    for initials in COMPOUND_INITIALS.get(words[0].lower(), (words[0][0].upper(),)):
        if short.startswith(initials) and _initials_match(short[len(initials):], words[1:]):
            return True
    return False


def strip_legal_suffix(name: str) -> str:
    """'Contabo GmbH' -> 'Contabo'."""
    prev = None
    while prev != name:
        prev = name
        name = LEGAL_SUFFIX.sub("", name).strip()
    return name


def split_parenthetical(name: str) -> tuple[str, str | None]:
    """'Istio (Ambient)' -> ('Istio', 'Ambient'); names without brackets come back as they are."""
    m = re.fullmatch(r"(.+?)\s*\(([^()]+)\)\s*(.*)", name)
    if not m:
        return name, None
    head, inner, tail = m.groups()
    return clean_name(f"{head} {tail}".strip()), clean_name(inner)


HOST = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,6}", re.I)  # "mcr.microsoft.com", "ghcr.io"


def slash_parts(text: str) -> list[str] | None:
    """The names a slash joins ('Prometheus/Mimir', 'Secrets Manager/SSM', 'SQS/SNS'), or None when it joins parts
    of one name ('CI/CD', 'TCP/IP': a part of two letters) or of one identifier ('log/slog', 'net/http': a
    package's path, no capitalised name on either side); behind a host's name the last part alone names the thing
    ('mcr.microsoft.com/playwright')."""
    parts = text.split("/")
    if len(parts) > 1 and HOST.fullmatch(parts[0]) and " " not in text and parts[-1].strip():
        return [parts[-1]]  # "mcr.microsoft.com/playwright": an image or a page on a host, named by its last part
    if len(parts) == 2 and _joins_two_words(parts[0], parts[1]):
        return None
    if len(parts) > 1 and all(len(p.strip()) >= 3 and (any(c.islower() for c in p) or re.fullmatch(r"[A-Z]{3,}", p.strip()))
                              and any(c.isupper() for c in p) for p in parts):
        return parts
    return None


# the word on each side of a slash written with no space: "Dapr Pub/Sub" gives "Pub" and "Sub"
_WORD_BEFORE_SLASH = re.compile(r"(?:^|\s)([A-Za-z]+)$")
_WORD_AFTER_SLASH = re.compile(r"^([A-Za-z]+)$")


def _joins_two_words(left: str, right: str) -> bool:
    """Whether a slash joins two everyday words into one part of a name ("Dapr Pub/Sub", "Read/Write"), not two
    names: the part after it is one word, and neither word next to the slash, nor the part before it ("Azure
    Policy/Gatekeeper"), is a name on its own."""
    from .gazetteer import is_everyday_word

    before, after = _WORD_BEFORE_SLASH.search(left), _WORD_AFTER_SLASH.match(right.strip())
    if not before or not after or _known_word(left.strip()):
        return False
    return all(is_everyday_word(w) and not _known_word(w) for w in (before.group(1), after.group(1)))


def _known_word(word: str) -> bool:
    """Whether the gazetteer knows a word as a name, also as one written with a suffix after a dot ("Node" of
    "Node.js")."""
    from .gazetteer import load

    return bool(load().lookup(word)) or word.lower() in load().dotted_stems


def split_compound(cell: str) -> list[str]:
    """'CNPG + MongoDB' -> ['CNPG', 'MongoDB']; 'Velero & R2' likewise; commas too; 'Prometheus/Mimir' is two
    names, 'CI/CD' and 'TCP/IP' one."""
    parts = re.split(r"\s+(?:\+|&|and)\s+|,\s*|\s*/\s+", cell)
    out: list[str] = []
    for part in (clean_name(x) for x in parts):
        halves = slash_parts(part)
        if halves:
            out += [clean_name(h) for h in halves]
        elif part:
            out.append(part)
    return [p for p in out if p]
