"""The technology gazetteer: known technologies' names, aliases, categories and URLs, as evidence for extraction.

The data is data/gazetteer/technologies.tsv, derived from the CNCF landscape by
scripts/derive_gazetteer.py, and data/gazetteer/curated.tsv, written by hand for what the landscape lacks
(cloud providers' managed services, SaaS and developer tools, languages, frameworks); see
data/gazetteer/README.md. Nothing requires a name to be in it: a hit is evidence that a name is a
technology, never the only way to become one.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from kg.errors import KgError
from kg.names import name_key
from kg.resources import data_dir

COLUMNS = ("name", "aliases", "category", "subcategory", "homepage", "repository", "common_word", "description")
# Hosts whose first two path segments name a repository (org/repo) rather than a page of one site.
CODE_HOSTS = frozenset({"github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "gitcode.com", "opendev.org"})
_ONE_WORD = re.compile(r"[A-Za-z]+")
PHRASE_WORD = re.compile(r"[a-z0-9][\w.+#-]*[a-z0-9+#]|[a-z0-9]")  # the words of a name, as kg.rules.mentions reads text


class GazetteerError(KgError):
    """The gazetteer file is missing or not in the expected shape."""


@dataclass(frozen=True, slots=True)
class Technology:
    """One known technology: a row of the gazetteer."""

    name: str
    aliases: tuple[str, ...]
    category: str
    subcategory: str
    homepage: str
    repository: str
    common_word: bool  # the name or a one-word alias is an ordinary English word ("Flux", "Tempo")
    description: str

    @property
    def names(self) -> tuple[str, ...]:
        """The name, then the aliases."""
        return (self.name, *self.aliases)


def gazetteer_path() -> Path:
    """The shipped gazetteer file (data/gazetteer/technologies.tsv, kg/_data/... in a wheel)."""
    return data_dir() / "gazetteer" / "technologies.tsv"


def curated_path() -> Path:
    """The shipped hand-written supplement (data/gazetteer/curated.tsv, kg/_data/... in a wheel)."""
    return data_dir() / "gazetteer" / "curated.tsv"


def url_location(url: str) -> tuple[str, tuple[str, ...]] | None:
    """(host, path segments) of a URL, folded for matching: lower case, no www., no query, org/repo on code hosts."""
    # Split by hand: urllib.parse.urlsplit alone takes twice as long over the ~2,400 URLs indexed on load.
    rest = url.strip()
    scheme, sep, after = rest.partition("://")
    if sep:
        rest = after
    elif ":" in rest.split("/", 1)[0] and "." not in rest.split(":", 1)[0]:
        return None  # mailto:, tel:, urn: - no host to match
    else:
        rest = rest.removeprefix("//")
    rest = rest.split("#", 1)[0].split("?", 1)[0]
    netloc, _, path = rest.partition("/")
    host = netloc.lower().rsplit("@", 1)[-1].split(":", 1)[0].removeprefix("www.").rstrip(".")
    if not host:
        return None
    segments = tuple(s for s in path.lower().split("/") if s)
    if host in CODE_HOSTS:
        if not segments:
            return None  # the code host itself names no product
        segments = segments[:2]
        if len(segments) == 2:
            segments = (segments[0], segments[1].removesuffix(".git"))
    return host, segments


class Gazetteer:
    """The gazetteer's records with lookups by name, URL and category; indexes are built on first use."""

    def __init__(self, records: tuple[Technology, ...]) -> None:
        self.records = records

    def __len__(self) -> int:
        return len(self.records)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and bool(self.lookup(name))

    @functools.cached_property
    def _by_key(self) -> dict[str, tuple[Technology, ...]]:
        index: dict[str, list[Technology]] = defaultdict(list)
        for record in self.records:
            for form in record.names:
                key = name_key(form)
                if key and record not in index[key]:
                    index[key].append(record)
        return {k: tuple(v) for k, v in index.items()}

    @functools.cached_property
    def _by_location(self) -> dict[tuple[str, tuple[str, ...]], tuple[Technology, ...]]:
        index: dict[tuple[str, tuple[str, ...]], list[Technology]] = defaultdict(list)
        for record in self.records:
            for url in (record.homepage, record.repository):
                location = url_location(url) if url else None
                if location and record not in index[location]:
                    index[location].append(record)
        return {k: tuple(v) for k, v in index.items()}

    @functools.cached_property
    def _homepage_hosts(self) -> frozenset[str]:
        return frozenset(loc[0] for r in self.records if r.homepage and (loc := url_location(r.homepage)))

    @functools.cached_property
    def first_words(self) -> dict[str, int]:
        """Each name's first word (lower case) and the most words a name starting with it has: a fast way to
        skip the words of running text that start no known name."""
        index: dict[str, int] = {}
        for record in self.records:
            for form in record.names:
                words = PHRASE_WORD.findall(form.lower())
                if words:
                    index[words[0]] = max(index.get(words[0], 0), len(words))
        return index

    @functools.cached_property
    def dotted_stems(self) -> frozenset[str]:
        """The words (lower case) that start a name before a dot: "node" of Node.js, "socket" of Socket.IO."""
        return frozenset(w.split(".", 1)[0] for w in self.first_words if "." in w.strip("."))

    def lookup(self, name: str) -> tuple[Technology, ...]:
        """Every record with this name or alias, compared by `name_key` (case, spaces, punctuation folded)."""
        return self._by_key.get(name_key(name), ())

    def get(self, name: str) -> Technology | None:
        """The one record with this name or alias, or None when there is none or more than one."""
        found = self.lookup(name)
        return found[0] if len(found) == 1 else None

    def category_of(self, name: str) -> str | None:
        """The landscape category of the technology with this name or alias, or None."""
        record = self.get(name)
        return record.category if record else None

    def is_common_word(self, name: str) -> bool:
        """True when `name` is a one-word name or alias of a record flagged as an ordinary English word."""
        # The flag is per row; only the row's one-word forms were tested, so "Grafana Tempo" is not common.
        text = name.strip()
        return bool(_ONE_WORD.fullmatch(text)) and any(r.common_word for r in self.lookup(text))

    def homepage_hosts(self) -> frozenset[str]:
        """Hosts (without www.) of every homepage; repositories may sit elsewhere, which by_url also checks."""
        return self._homepage_hosts

    def _at(self, location: tuple[str, tuple[str, ...]]) -> tuple[tuple[str, ...], tuple[Technology, ...]]:
        """The longest listed prefix of a location (its path segments) and the records listed there."""
        host, segments = location
        for n in range(len(segments), -1, -1):
            found = self._by_location.get((host, segments[:n]))
            if found:
                return segments[:n], found
        return (), ()

    def all_by_url(self, url: str) -> tuple[Technology, ...]:
        """The records whose homepage or repository is the longest prefix of `url` (several when they share it)."""
        location = url_location(url)
        return self._at(location)[1] if location else ()

    def by_url(self, url: str) -> Technology | None:
        """The product a link points at: its homepage (host + path prefix) or repository (org/repo), if unique."""
        location = url_location(url)
        if location is None:
            return None
        prefix, found = self._at(location)
        if len(found) > 1:
            # Several products listed at one place (hadoop.apache.org: Apache Hadoop, Hadoop HDFS): the one
            # named by the place itself wins (its alias "Hadoop"; "Compose" for github.com/docker/compose).
            labels = [prefix[-1]] if prefix else location[0].split(".")[:-1]
            words = {name_key(label) for label in labels}
            found = tuple(r for r in found if words & {name_key(n) for n in r.names})
        return found[0] if len(found) == 1 else None


def parse(text: str, source: str = "gazetteer") -> Gazetteer:
    """A gazetteer from the text of a technologies.tsv."""
    lines = text.split("\n")
    if tuple(lines[0].split("\t")) != COLUMNS:
        raise GazetteerError(f"{source}: header is not {' '.join(COLUMNS)}")
    records = []
    for number, line in enumerate(lines[1:], start=2):
        if not line:
            continue
        fields = line.split("\t")
        if len(fields) != len(COLUMNS):
            raise GazetteerError(f"{source}:{number}: {len(fields)} fields, expected {len(COLUMNS)}")
        name, aliases, category, subcategory, homepage, repository, common, description = fields
        records.append(
            Technology(
                name=name,
                aliases=tuple(aliases.split("|")) if aliases else (),
                category=category,
                subcategory=subcategory,
                homepage=homepage,
                repository=repository,
                common_word=common == "1",
                description=description,
            )
        )
    return Gazetteer(tuple(records))


def read(path: Path) -> Gazetteer:
    """A gazetteer from a technologies.tsv file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GazetteerError(f"cannot read the gazetteer at {path}: {exc.strerror}") from exc
    return parse(text, str(path))


def merge(base: Gazetteer, supplement: Gazetteer) -> Gazetteer:
    """One gazetteer of `base`'s records, then `supplement`'s; on a clash `base` wins: a supplement row whose
    name is a name or alias of `base` is left out, and so is any of its aliases that is one."""
    taken = {name_key(form) for record in base.records for form in record.names}
    added = []
    for record in supplement.records:
        if name_key(record.name) in taken:
            continue
        aliases = tuple(a for a in record.aliases if name_key(a) not in taken)
        added.append(record if len(aliases) == len(record.aliases) else replace(record, aliases=aliases))
    return Gazetteer(base.records + tuple(added))


@functools.cache
def load() -> Gazetteer:
    """The shipped gazetteer - technologies.tsv, then curated.tsv - read on first call and kept for the life of
    the process."""
    return merge(read(gazetteer_path()), read(curated_path()))


@functools.cache
def common_words() -> frozenset[str]:
    """Ordinary English words, lower case (data/words/common-english.txt), read on first call."""
    path = data_dir() / "words" / "common-english.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GazetteerError(f"cannot read the word list at {path}: {exc.strerror}") from exc
    return frozenset(line for line in text.split("\n") if line and not line.startswith("#"))


@functools.cache
def _sorted_common_words() -> list[str]:
    return sorted(common_words())


def begins_a_common_word(low: str) -> bool:
    """Whether some everyday word starts with these lower-case letters ("config" of configuration), found by
    bisection of the sorted word list."""
    import bisect

    words = _sorted_common_words()
    at = bisect.bisect_left(words, low)
    return at < len(words) and words[at].startswith(low)


def is_everyday_word(word: str) -> bool:
    """True for one ordinary English word in any case ("Primary", "sessions"); False for "Gitea", "MinIO", "K3s"."""
    if not word.isalpha():
        return False
    low, words = word.lower(), common_words()
    # plurals and verb forms of a listed word ("flags", "replicas", "policies")
    return low in words or low.endswith("s") and (low[:-1] in words or low.endswith("es") and low[:-2] in words
                                                  or low.endswith("ies") and low[:-3] + "y" in words)


def known_spelling(name: str) -> str | None:
    """How the shipped gazetteer spells a name written with other capitals ("Github Actions" -> "GitHub Actions")."""
    record = load().get(name)
    return next((n for n in record.names if n.lower() == name.lower()), None) if record else None


def abbreviates(abbr: str, name: str) -> bool:
    """Whether `abbr` abbreviates `name` as written or as the gazetteer spells it ("GHA" of "Github Actions")."""
    from .names import is_abbreviation_of

    if is_abbreviation_of(abbr, name):
        return True
    spelled = known_spelling(name)
    return spelled is not None and spelled != name and is_abbreviation_of(abbr, spelled)


@functools.lru_cache(maxsize=65536)
def word_like(word: str) -> bool:
    """An everyday word, one clipped ("Config" of configuration), run together of two ("Workspace") or made a verb's
    -ing form ("Archiving"), or a name the gazetteer flags as one (remembered: a workspace asks of a word often)."""
    low, words = word.lower(), common_words()
    return is_everyday_word(word) or load().is_common_word(word) \
        or begins_a_common_word(low) \
        or low.endswith("ing") and (low[:-3] in words or low[:-3] + "e" in words) \
        or any(low[:i] in words and low[i:] in words for i in range(3, len(low) - 2))
