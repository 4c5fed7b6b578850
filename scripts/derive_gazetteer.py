"""Derive data/gazetteer/technologies.tsv, the technology gazetteer, from the CNCF landscape's landscape.yml.

Usage: python scripts/derive_gazetteer.py [LANDSCAPE_YML] [--output TSV]
(defaults: ../shared/vocab/cncf-landscape.yml beside the checkout, data/gazetteer/technologies.tsv).
Needs the `gazetteer` extra (pip install -e '.[gazetteer]'); kg itself never imports these packages.

What is kept. Every item of every category except "CNCF Members" and "Special" (certified service
providers, training partners, certified CNFs: organisations and their offers, not technologies), and
except items named "... (member)" wherever they are listed (company entries).

One row per product. A product listed twice (the same name in two subcategories, or a variant such as
"Harbor (Wasm)") is one row: the first listing in file order gives the category, subcategory, homepage
and repository; later listings only fill fields the first one left empty.

Names and parentheses. A trailing "(...)" is read, innermost last, as one of:
- a former name, "(formerly X)": X becomes an alias;
- an abbreviation: the Schwartz & Hearst test (BioNLP 2003) - every letter and digit of the short
  form appears in order in the long form, the first at the start of a word - on a short form of one
  token ("ECS", "wandb", "OneKS"), or of several tokens whose first is the name's first word
  ("Amazon EKS-D"); it becomes an alias, with the first word dropped in the second case ("EKS-D");
- the repository's name ("CDK for Kubernetes (CDK8s)", github.com/cdk8s-team/cdk8s): an alias;
- anything else ("(Wasm)", "(Kube Logging)", an all-caps tag that abbreviates nothing) is a variant
  qualifier: dropped from the name, never an alias. A qualifier equal to the category's name is never
  taken as an abbreviation ("wasmCloud (Wasm)").
"<product> by <Maker>" gives the alias "<product>". Trademark signs (®, ™) are dropped from names.

Makers. A name's leading one or two words are its maker when, folded, they equal a label of the
homepage's host or the repository's organisation ("Grafana Loki": grafana.com, github.com/grafana;
"Red Hat OpenShift": redhat.com; "AWS CloudFormation": aws.amazon.com), the name of another entry, or
the name of a CNCF member (or its initials when it has three words or more: "Amazon Web Services").
A site (the homepage's registrable domain; on a code host, the organisation) has as makers those of its
names' makers that name the site itself or a member - so "Apache" and "Amazon"/"AWS", not product
lines such as "Hadoop" (hadoop.apache.org) or "Gloo" - spelled as the product of that name if there is
one, else as most often written. Then:
- "Apache Flink" and "Flink" on the same site or repository are one product listed twice: one row
  (so are "Prisma Cloud by Palo Alto Networks" and "Prisma Cloud");
- the name without its maker is an alias when it is one word of three characters or more that is not
  generic ("Grafana Loki" -> "Loki", "Grafana Tempo" -> "Tempo"; "Kubernetes Dashboard" gives no
  "Dashboard"). Generic: the last word of two names or more (a kind of thing: "Gateway", "Linux"),
  a word of five names or more ("Kube"), an everyday word (Zipf frequency 4 or more: "Storm", "Hub"),
  or a word of two other descriptions with Zipf 2.5 or more ("Insights"; "OpenShift", Zipf 1.5, is not);
- an abbreviation also appears behind each maker of its site ("Amazon ECS", "AWS ECS");
- a name without a maker also appears behind each maker of its site ("Kafka" -> "Apache Kafka"),
  unless it holds a maker's word already.

Repository names. NAME of github.com/ORG/NAME (or any repository URL) is an alias when it differs from
the name by punctuation ("cert-manager" for "cert manager", "crewAI" for "Crew AI") - not by case alone:
lookups fold case anyway, and a lower-case alias ("harbor") would defeat the capitalisation test that
common words rely on. A one-word name that starts with its repository's NAME (five letters or more, not
generic, no ordinary word) also answers to NAME capitalised: "Postgres" for PostgreSQL (postgres/postgres);
not "Mongo" for MongoDB (an ordinary word would make the row's every form one).

Collisions. A derived alias that is another row's name, or that two rows would share, is dropped from
every row: it names nothing for sure ("EKS" is Amazon's and EasyStack's; "Kubernetes Service" is
anyone's). Its maker-prefixed forms stay.

Common words. `common_word` is 1 when the name or one of its aliases is a single alphabetic word that
is an ordinary English word, so the extractor trusts it only with a structural signal or in-context
capitalisation. Only one-word forms are tested (kg.gazetteer.is_common_word relies on it): a phrase of
ordinary words ("Chaos Mesh") is distinctive enough. A word is ordinary when it is in Webster's Second International word list (the `web2`
list of the english-words package, public domain, 1934: no product names of ours, though it has some
proper nouns such as Apollo) in any case, and its Zipf frequency in the wordfreq package (3.1, English,
"best" list) is at least 2.5 - the second test drops obsolete and technical dictionary words ("cilium",
"lacework") that nobody would read as prose. /usr/share/dict/words is absent on this machine, hence the
packages; both are pinned in the `gazetteer` extra because the output depends on their data.

Descriptions are one line (whitespace collapsed), cut at a word boundary to at most 160 characters.
Output: a header line, then rows sorted by folded name; columns are tab-separated and no field holds
a tab, a newline or (in aliases) a "|". Running twice gives the same bytes.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from kg.names import name_key, strip_legal_suffix

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "vocab" / "cncf-landscape.yml"
DEFAULT_OUTPUT = ROOT / "data" / "gazetteer" / "technologies.tsv"

COLUMNS = ("name", "aliases", "category", "subcategory", "homepage", "repository", "common_word", "description")
SKIP_CATEGORIES = frozenset({"CNCF Members", "Special"})
MEMBER = re.compile(r"\s*\(member\)\s*$", re.IGNORECASE)
TRAILING_PAREN = re.compile(r"^(?P<base>.*\S)\s*\((?P<inner>[^()]*)\)\s*$")
FORMERLY = re.compile(r"^(?:formerly|previously|was)\s+(?P<old>.+)$", re.IGNORECASE)
BY_MAKER = re.compile(r"^(?P<product>.+?)\s+by\s+(?P<maker>[A-Z].*)$")
WORD = re.compile(r"^[A-Za-z]+$")
TRADEMARK = re.compile(r"[®™©]")
DESCRIPTION_MAX = 160
COMMON_ZIPF = 2.5
# Hosts where the first path segment is an organisation rather than a product.
CODE_HOSTS = frozenset({"github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "gitcode.com", "opendev.org"})
# Second-level labels under a country code that are not a registrable name (example.co.uk, example.com.cn).
GENERIC_SLD = frozenset({"co", "com", "net", "org", "gov", "edu", "ac"})


@dataclass
class Entry:
    """One product: the first listing's fields plus what the derivation adds."""

    name: str
    category: str
    subcategory: str
    homepage: str
    repository: str
    description: str
    abbreviations: list[str] = field(default_factory=list)  # from "(ABBR)", maker-prefixed later
    aliases: list[str] = field(default_factory=list)
    maker: str = ""


def one_line(text: str, limit: int = DESCRIPTION_MAX) -> str:
    """Whitespace collapsed to single spaces, cut at a word boundary to at most `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + "…"


def url_parts(url: str) -> tuple[str, list[str]]:
    """Host (lower case, no www.) and non-empty path segments of a URL."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().split("@")[-1].split(":")[0]
    host = host.removeprefix("www.")
    return host, [s for s in parts.path.split("/") if s]


def site_of(url: str) -> str:
    """The registrable domain of a URL's host, or host/org on a code host."""
    host, segments = url_parts(url)
    if host in CODE_HOSTS and segments:
        return f"{host}/{segments[0].lower()}"
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in GENERIC_SLD:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def owner_keys(homepage: str, repository: str) -> set[str]:
    """Folded labels that name the owner of a product: host labels of its homepage, its repository's org."""
    keys: set[str] = set()
    host, segments = url_parts(homepage)
    if host in CODE_HOSTS:
        keys.update(name_key(s) for s in segments[:1])
    else:
        keys.update(name_key(label) for label in host.split(".")[:-1])
    if repository:
        _, repo_segments = url_parts(repository)
        keys.update(name_key(s) for s in repo_segments[:1])
    keys.discard("")
    return keys


def repository_name(repository: str) -> str:
    """NAME of https://host/ORG/NAME, or ''."""
    _, segments = url_parts(repository)
    return segments[1].removesuffix(".git") if len(segments) >= 2 else ""


def abbreviates(short: str, long: str) -> bool:
    """Schwartz & Hearst: the letters and digits of `short` appear in order in `long`, the first at a word start."""
    chars = [c.lower() for c in short if c.isalnum()]
    text = long.lower()
    if len(chars) < 2 or not any(c.isalpha() for c in chars) or len(chars) >= len(name_key(long)):
        return False
    li = len(text) - 1
    for si in range(len(chars) - 1, -1, -1):
        c = chars[si]
        # The first character of the short form must also start a word of the long form.
        while li >= 0 and (text[li] != c or (si == 0 and li > 0 and text[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return False
        li -= 1
    return True


def read_items(source: Path) -> Iterator[tuple[str, str, dict]]:
    """(category, subcategory, item) for every listed item, in file order."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    for category in data["landscape"]:
        for subcategory in category.get("subcategories") or []:
            for item in subcategory.get("items") or []:
                yield category["name"], subcategory["name"], item


def split_name(raw: str, category: str, repository: str) -> tuple[str, list[str], list[str]]:
    """A listed name as (base name, abbreviations, other aliases), its parentheses read as the docstring says."""
    name = " ".join(TRADEMARK.sub("", raw).split())
    abbreviations: list[str] = []
    aliases: list[str] = []
    repo = name_key(repository_name(repository)) if repository else ""
    while m := TRAILING_PAREN.match(name):
        base, inner = m.group("base"), m.group("inner").strip()
        if former := FORMERLY.match(inner):
            aliases.append(former.group("old"))
        elif name_key(inner) == name_key(category) or not inner:
            pass  # a category tag: "(Wasm)"
        elif repo and name_key(inner) == repo:
            aliases.append(inner)
        elif " " not in inner and len(inner) <= 10 and abbreviates(inner, base):
            abbreviations.append(inner)
        elif " " in inner and inner.split()[0] == base.split()[0] and abbreviates(inner, base):
            abbreviations.append(inner.split(" ", 1)[1])  # "Amazon EKS-D": EKS-D, the maker comes back later
        name = base
    if m := BY_MAKER.match(name):
        aliases.append(m.group("product"))
    return name, abbreviations, aliases


def initials(name: str) -> str:
    """First letters of a name's words, folded ("Amazon Web Services" -> "aws")."""
    return "".join(w[0] for w in re.findall(r"[A-Za-z0-9]+", name)).lower()


def collect(source: Path) -> tuple[list[Entry], set[str]]:
    """The kept products, merged by folded name, and the folded names (and initials) of CNCF members."""
    entries: dict[str, Entry] = {}
    members: set[str] = set()
    for category, subcategory, item in read_items(source):
        raw = " ".join(str(item.get("name") or "").split())
        if not raw:
            continue
        if category in SKIP_CATEGORIES or MEMBER.search(raw):
            # Members and service providers are companies: evidence of makers, never rows.
            if category == "CNCF Members" or MEMBER.search(raw):
                company = strip_legal_suffix(MEMBER.sub("", raw))
                members.add(name_key(company))
                if len(company.split()) >= 3:
                    members.add(initials(company))
            continue
        homepage = str(item.get("homepage_url") or "").strip()
        repository = str(item.get("repo_url") or "").strip()
        name, abbreviations, aliases = split_name(raw, category, repository)
        listing = Entry(name, category, subcategory, homepage, repository, one_line(str(item.get("description") or "")))
        entry = entries.setdefault(name_key(name), listing)
        if entry is not listing:
            absorb(entry, listing)
        entry.abbreviations.extend(a for a in abbreviations if a not in entry.abbreviations)
        entry.aliases.extend(a for a in aliases if a not in entry.aliases)
    members.discard("")
    return list(entries.values()), members


def absorb(entry: Entry, other: Entry) -> None:
    """Fill `entry`'s empty fields from a later listing of the same product, and take its aliases."""
    entry.homepage = entry.homepage or other.homepage
    entry.repository = entry.repository or other.repository
    entry.description = entry.description or other.description
    if other.name.lower() != entry.name.lower() and other.name not in entry.aliases:
        entry.aliases.append(other.name)
    entry.abbreviations.extend(a for a in other.abbreviations if a not in entry.abbreviations)
    entry.aliases.extend(a for a in other.aliases if a not in entry.aliases and a != entry.name)


def find_makers(entries: list[Entry], members: set[str]) -> None:
    """Set each entry's maker: its leading one or two words, when they name its owner (see the docstring)."""
    known = {name_key(e.name) for e in entries} | members
    for entry in entries:
        words = entry.name.split()
        owners = owner_keys(entry.homepage, entry.repository)
        for n in (2, 1):  # prefer "Red Hat" over "Red"
            if len(words) <= n:
                continue
            prefix = " ".join(words[:n])
            k = name_key(prefix)
            if k and (k in owners or k in known):
                entry.maker = prefix
                break


def merge_doubles(entries: list[Entry]) -> list[Entry]:
    """Merge a product listed with and without its maker into its first listing, if they share a site or repository."""
    # "Apache Flink" and "Flink"; "Prisma Cloud by Palo Alto Networks" and "Prisma Cloud".
    by_key = {name_key(e.name): e for e in entries}
    order = {id(e): i for i, e in enumerate(entries)}
    gone: set[int] = set()
    for entry in entries:
        bare_names = [entry.name[len(entry.maker) :]] if entry.maker else []
        if m := BY_MAKER.match(entry.name):
            bare_names.append(m.group("product"))
        for bare_name in bare_names:
            bare = by_key.get(name_key(bare_name))
            if bare is None or bare is entry or id(bare) in gone or id(entry) in gone:
                continue
            if site_of(bare.homepage) != site_of(entry.homepage) and bare.repository != entry.repository:
                continue
            first, second = sorted((entry, bare), key=lambda e: order[id(e)])
            absorb(first, second)
            gone.add(id(second))
    return [e for e in entries if id(e) not in gone]


def site_makers(entries: list[Entry], members: set[str]) -> dict[str, list[str]]:
    """Each site's makers: the makers (most common spelling) of its names that name the site or a member."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for entry in entries:
        if not entry.maker or not entry.homepage:
            continue
        site = site_of(entry.homepage)
        label = site.split("/")[-1] if "/" in site else site.split(".")[0]
        if name_key(entry.maker) in {name_key(label)} | members:
            spellings[site][entry.maker] += 1
    # A maker that is also a product's name is spelled as that product is ("PyTorch", not "Pytorch").
    named = {name_key(e.name): e.name for e in entries}
    makers: dict[str, list[str]] = {}
    for site, counts in spellings.items():
        best: dict[str, tuple[int, str]] = {}
        for spelling, n in counts.items():
            k = name_key(spelling)
            if k not in best or (-n, spelling) < (-best[k][0], best[k][1]):
                best[k] = (n, spelling)
        makers[site] = sorted(named.get(k, s) for k, (_, s) in best.items())
    return makers


class Words:
    """Ordinary English words: in Webster's Second (english-words, web2) and frequent enough (wordfreq)."""

    def __init__(self) -> None:
        try:
            from english_words import get_english_words_set
            from wordfreq import zipf_frequency
        except ImportError as exc:  # pragma: no cover - exercised by hand
            sys.exit(f"derive_gazetteer: {exc.name} is missing; pip install -e '.[gazetteer]'")
        self._dictionary = get_english_words_set(["web2"], lower=True)
        self.zipf = lambda word: zipf_frequency(word, "en")

    def is_common(self, form: str) -> bool:
        """True when `form` is one alphabetic word found in the dictionary and common in running text."""
        if not WORD.match(form):
            return False
        word = form.lower()
        return word in self._dictionary and self.zipf(word) >= COMMON_ZIPF


class Generic:
    """Words too generic to stand for one product: a type of thing in this landscape, or frequent English."""

    def __init__(self, entries: list[Entry], words: Words) -> None:
        self._heads: Counter[str] = Counter()  # last word of a name: "Gateway" in "Envoy Gateway"
        self._in_names: Counter[str] = Counter()
        self._in_descriptions: Counter[str] = Counter()
        for e in entries:
            tokens = re.findall(r"[a-z0-9]+", e.name.lower())
            self._heads[e.name.split()[-1].lower()] += 1
            self._in_names.update(set(tokens))
            self._in_descriptions.update(set(re.findall(r"[a-z0-9]+", e.description.lower())))
        self._words = words

    def __call__(self, word: str, entry: Entry) -> bool:
        """True when `word`, the rest of `entry`'s name after its maker, is a generic word."""
        w = word.lower()
        own = w in re.findall(r"[a-z0-9]+", entry.description.lower())
        zipf = self._words.zipf(w)
        return (
            self._heads[w] >= 2
            or self._in_names[w] >= 5
            or zipf >= 4.0
            or (self._in_descriptions[w] - own >= 2 and zipf >= 2.5)
        )


def derive_aliases(entries: list[Entry], makers: dict[str, list[str]], words: Words) -> None:
    """Fill each entry's aliases by the rules of the module docstring, then drop the colliding ones."""
    generic = Generic(entries, words)
    for entry in entries:
        site_makers = makers.get(site_of(entry.homepage), []) if entry.homepage else []
        candidates = list(entry.aliases)
        for abbreviation in entry.abbreviations:
            candidates.append(abbreviation)
            candidates.extend(f"{maker} {abbreviation}" for maker in site_makers)
        name_words = {name_key(w) for w in entry.name.split()}
        if entry.maker:
            rest = entry.name[len(entry.maker) :].strip()
            if " " not in rest and len(rest) >= 3 and not generic(rest, entry):
                candidates.append(rest)
        else:
            # "Kafka" -> "Apache Kafka", but never "Docker Docker" or "Azure Azure Service Fabric".
            candidates.extend(
                f"{maker} {entry.name}"
                for maker in site_makers
                if not (set(map(name_key, maker.split())) & name_words) and not name_key(entry.name).startswith(name_key(maker))
            )
        repo = repository_name(entry.repository) if entry.repository else ""
        # Only a spelling that case folding alone would not find: "cert-manager", not "harbor" for "Harbor"
        # (a lower-case alias would defeat the capitalisation test that common words rely on).
        if repo and repo.lower() != entry.name.lower() and name_key(repo) == name_key(entry.name):
            candidates.append(repo)
        elif repo and " " not in entry.name and len(name_key(repo)) >= 5 and name_key(repo) != name_key(entry.name) \
                and name_key(entry.name).startswith(name_key(repo)) and not generic(repo.capitalize(), entry) \
                and not words.is_common(repo):
            # the short name its makers use for the repository: "Postgres" (postgres/postgres) for PostgreSQL - one
            # word, no ordinary one (that would make the row a common word), capitalised like a name
            candidates.append(repo.capitalize())
        seen: set[str] = set()
        entry.aliases = []
        for alias in candidates:
            alias = " ".join(alias.split())
            if alias and alias != entry.name and alias not in seen:
                seen.add(alias)
                entry.aliases.append(alias)
    names = {name_key(e.name) for e in entries}
    owners: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        for alias in entry.aliases:
            owners[name_key(alias)].add(name_key(entry.name))
    for entry in entries:
        own = name_key(entry.name)
        entry.aliases = [
            a
            for a in entry.aliases
            if owners[name_key(a)] == {own} and (name_key(a) == own or name_key(a) not in names)
        ]


def rows(entries: Iterable[Entry], words: Words) -> list[list[str]]:
    """The TSV rows (without header), sorted by folded name, then name."""
    out = []
    for e in entries:
        common = any(words.is_common(form) for form in [e.name, *e.aliases])
        fields = [
            e.name,
            "|".join(sorted(e.aliases, key=lambda a: (name_key(a), a))),
            e.category,
            e.subcategory,
            e.homepage,
            e.repository,
            "1" if common else "0",
            e.description,
        ]
        for value in fields:
            if "\t" in value or "\n" in value:
                raise ValueError(f"field of {e.name!r} holds a tab or newline: {value!r}")
        if any("|" in a for a in e.aliases):
            raise ValueError(f"an alias of {e.name!r} holds '|': {e.aliases!r}")
        out.append(fields)
    out.sort(key=lambda r: (name_key(r[0]), r[0]))
    return out


def derive(source: Path) -> str:
    """The whole TSV text derived from a landscape.yml."""
    words = Words()
    entries, members = collect(source)
    find_makers(entries, members)
    entries = merge_doubles(entries)
    derive_aliases(entries, site_makers(entries, members), words)
    lines = ["\t".join(COLUMNS)] + ["\t".join(r) for r in rows(entries, words)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line: derive and write the gazetteer; print the row count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE, help="landscape.yml")
    parser.add_argument("--output", "-o", type=Path, default=DEFAULT_OUTPUT, help="TSV to write")
    args = parser.parse_args(argv)
    if not args.source.is_file():
        print(f"derive_gazetteer: no landscape file at {args.source}", file=sys.stderr)
        return 2
    text = derive(args.source)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(text.encode("utf-8"))
    print(f"{args.output}: {text.count(chr(10)) - 1} rows, {len(text.encode('utf-8'))} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
