"""Resolve stage: names -> entities. Builds the alias table and the Gazetteer that finds known names in text.

Alias resolution is read off the docs themselves: a name and its abbreviation
written together ("External Secrets Operator (ESO)"), a product written with
its maker's name ("Grafana Loki" beside "Loki", "Cloudflare R2" beside "R2"),
vendor profiles ("Hetzner Online GmbH" -> Hetzner), plus a small curated alias
file that users extend for their own workspace.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .model import Entity, Fact, Mention

if TYPE_CHECKING:
    from . import gazetteer as gazetteer_module
from .names import (
    ADR_ID,
    API_WORDS,
    INSTANCE_SUFFIX,
    ORDERING_PREFIX,
    RECORD_STATUS,
    ROLE_NAME,
    ROLE_OF_A_THING,
    canonical_adr_number,
    is_abbreviation_of,
    name_key,
    slug,
    takes_capitals,
)
from .relations import hosting_category

TYPE_PREFIX = {"Component": "component", "Vendor": "vendor", "Team": "team", "Repository": "repository",
               "ADR": "adr", "Document": "document"}
SCANNED_TYPES = ("Component", "Vendor", "Team")
SCAN_MEMORY = 200_000  # how many texts the alias table remembers the hits of
# Words too common to find as names in prose, even when a table used them as one.
GENERIC = {"metrics", "events", "cache", "registry", "logging", "tracing", "backup", "email", "objects", "collector",
           "orchestration", "storage", "gateway", "operator", "controller", "platform", "service", "services", "api",
           "database", "queue", "security", "monitoring", "network", "networking", "tls", "dns", "cni", "gitops",
           "secrets", "policy", "mesh", "scanning", "visualization", "total", "none", "other", "yes", "no", "docs",
           "documentation", "handbook", "infrastructure", "core", "data", "cluster", "node", "nodes", "apps",
           "logs", "traces", "alerts", "dashboards", "ingress", "egress", "compute", "memory", "cpu"}


# a name and a version number written as one word: "Python3", "Angular2", "Python3.11" (not "S3", "EC2":
# the name before the number is a known name of three letters or more)
_JOINED_VERSION = re.compile(r"([A-Za-z][A-Za-z+#]{2,})v?(\d{1,2}(?:\.\d+)*)")
# words after a known name that say what kind of thing it is, not another thing: "Redpanda Queue", "Keycloak server"
_WORD_START = re.compile(r"(?<![\w\-.])\w[\w.+#&-]*")
_ALIAS_WORD = re.compile(r"\w[\w.+#&-]*")
GENERIC_TAIL = re.compile(r"(?i)(v\d+(\.\d+)*|\d+(\.\d+)*|mail server|server|servers|community|community edition|"
                         r"oss|cloud|cluster|clusters|stack|platform|queue|queues|service|services|instance|"
                         r"instances|app|application|database|db|bucket|buckets|broker|brokers|api|ui|web ui|"
                         r"console|operator|controller|agent|agents|gateway|proxy|node|nodes|pods?|deployment|"
                         r"store|storage|engine|backend|frontend|module|chart|helm chart|image|library|gem|ci|idp|daemonsets?|statefulsets?|"
                         # what a cluster runs a tool as: "Traefik IngressRoutes", "Flux CRDs", "Synology CSI Driver"
                         r"ingressroutes?|helmreleases?|helm release|crds?|custom resources?|drivers?|cni|"
                         r"\w+ mode|\w+ edition|\w+ tier|free tier)")


# a capitalised word just before a name ("we use AWS Pinpoint to …", "the Django Waffle library"), and a kind
# written just after one ("managed by Flux CD", "Talos OS nodes")
WORD_BEFORE = re.compile(r"(?<![\w.-])([A-Z][\w.]*[A-Za-z0-9]) $")
KIND_AFTER = re.compile(r" (CMS|CD|OS)\b(?![-.]\w)")
NAME_GOES_ON = re.compile(r" [A-Z0-9]")


@dataclass
class CuratedAliases:
    """Alias groups and known vendor names from `data/aliases.toml` and user files."""

    groups: list[tuple[str, list[str], str]] = field(default_factory=list)  # (canonical, aliases, type)

    @classmethod
    def load(cls, paths: list[Path]) -> CuratedAliases:
        """Read alias files; sections [components], [vendors], [teams] map a canonical name to its aliases."""
        from .errors import UsageError

        out = cls()
        for path in paths:
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise UsageError(f"{path}: cannot read alias file: {exc}") from exc
            for section, etype in (("components", "Component"), ("vendors", "Vendor"), ("teams", "Team")):
                for canonical, aliases in (data.get(section) or {}).items():
                    if isinstance(aliases, str):
                        aliases = [aliases]
                    out.groups.append((canonical, [str(a) for a in aliases or []], etype))
        return out


class _UnionFind:
    def __init__(self, repositories: dict[str, str] | None = None) -> None:
        self.parent: dict[str, str] = {}
        # the workspace repository whose own component a name is, by the group's root: two repositories'
        # components stay two ("Data Export Service" and the "Data Export Service API" of a repository of its own)
        self.repository: dict[str, str] = dict(repositories or {})

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        mine, theirs = self.repository.get(ra), self.repository.get(rb)
        if mine and theirs and mine != theirs:
            return
        root, child = min(ra, rb), max(ra, rb)
        self.parent[child] = root
        if mine or theirs:
            self.repository[root] = mine or theirs or ""


class Gazetteer:
    """The alias table: finds entities by name, and known names in free text."""

    def __init__(self, entities: dict[str, Entity]):
        self.entities = entities
        self.by_name: dict[str, list[str]] = defaultdict(list)
        for key, ent in sorted(entities.items()):
            for alias in {ent.label, *ent.aliases}:
                k = name_key(alias)
                if k and key not in self.by_name[k]:
                    self.by_name[k].append(key)
        self.surface: dict[str, Counter[str]] = defaultdict(Counter)
        self._by_first: dict[str, list[str]] | None = None
        self._alias_owner: dict[str, str] = {}
        self._capitalised_only: set[str] = set()
        self._folders: dict[str, str] | None = None
        self._scanned: dict[str, tuple[tuple[int, int, str, str], ...]] = {}
        # a name written with a capitalised word before or after it: "AWS Pinpoint", "Flux CD" (see written_aliases)
        self.written_with: dict[str, set[tuple[str, str, str]]] = defaultdict(set)

    # -- lookups
    def has(self, key: str) -> bool:
        return key in self.entities

    def type_of(self, key: str) -> str:
        ent = self.entities.get(key)
        return ent.type if ent else ""

    def category_of(self, key: str) -> str:
        """What an entity is, in words: the category the docs give it, else the landscape's (set while extracting,
        before the build makes it the category, or read from the shipped gazetteer by the entity's label)."""
        ent = self.entities.get(key)
        if ent is None:
            return ""
        found = ent.props.get("category") or ent.props.get("landscape")
        if not found and ent.type in ("Component", "Vendor"):
            # named only where nothing read its kind (a diagram's participant): the shipped gazetteer's
            from . import gazetteer

            record = gazetteer.load().get(ent.label)
            found = (record.subcategory or record.category) if record else ""
        return str(found or "")

    def hosts(self, key: str) -> bool:
        """Whether an entity is, by its kind, where things run (a cluster, a Kubernetes, a cloud)."""
        return hosting_category(self.category_of(key))

    def lookup(self, name: str, etype: str | None = None) -> str | None:
        """The entity whose label or alias is `name` (case and punctuation folded)."""
        keys = self.by_name.get(name_key(name), [])
        if etype:
            keys = [k for k in keys if self.entities[k].type == etype]
        order = {"Component": 0, "Vendor": 1, "Team": 2, "ADR": 3, "Repository": 4, "Document": 5}
        keys = sorted(keys, key=lambda k: order.get(self.entities[k].type, 9))
        return keys[0] if keys else None

    def lookup_in(self, text: str) -> str | None:
        """An exact name, else the first known name inside the text."""
        found = self.lookup(text)
        if found and self.type_of(found) in SCANNED_TYPES:
            return found
        hits = self.scan(text)
        return hits[0][2] if hits else None

    # -- scanning
    def _index(self) -> dict[str, list[str]]:
        """Scannable aliases (lower case) by their first word, longest first; built on first use."""
        if self._by_first is None:
            aliases: dict[str, str] = {}
            for key, ent in sorted(self.entities.items()):
                if ent.type not in SCANNED_TYPES:
                    continue
                for alias in sorted({ent.label, *ent.aliases}):
                    k = name_key(alias)
                    if len(k) < 2 or k in GENERIC or len(self.by_name.get(k, [])) > 1 and ent.type != "Component":
                        continue
                    aliases.setdefault(re.sub(r"\s+", " ", alias.lower()).strip(), key)
            self._alias_owner = aliases
            # a plain capitalised word ("Bucket", "Manual", "Flux") is the product only when written capitalised;
            # a one-word name the gazetteer knows as no English word ("Redpanda") counts in any case
            from . import gazetteer

            known = gazetteer.load()
            self._capitalised_only = {
                a for a in aliases
                if re.fullmatch(r"[a-z]+", a) and any(re.fullmatch(r"[A-Z][a-z]+", x) for x in self._spellings(a))
                and (known.is_common_word(a) or known.get(a) is None and gazetteer.is_everyday_word(a))}
            by_first: dict[str, list[str]] = defaultdict(list)
            for alias in aliases:
                first = _ALIAS_WORD.match(alias)
                if first:
                    by_first[first.group(0).rstrip(".")].append(alias)
            self._by_first = {k: sorted(v, key=len, reverse=True) for k, v in by_first.items()}
        return self._by_first

    def _spellings(self, folded: str) -> list[str]:
        """How the entities write an alias that folds to `folded`."""
        key = self._alias_owner.get(folded)
        ent = self.entities.get(key) if key else None
        return [a for a in ({ent.label, *ent.aliases} if ent else set()) if a.lower() == folded]

    def scan(self, text: str) -> list[tuple[int, int, str, str]]:
        """Known names in text, longest first, as (start, end, entity key, surface form)."""
        # several rules read the same sentence: scan it once (and count its surface forms once)
        cached = self._scanned.get(text)
        if cached is not None:
            return list(cached)
        hits = self._scan(text)
        self.record(text, hits)
        return hits

    def record(self, text: str, hits: list[tuple[int, int, str, str]] | tuple[tuple[int, int, str, str], ...]) -> None:
        """A text scanned for the first time: count the names it holds as they are written (ADR numbers are
        found, never counted as names), and remember its hits while there is room. A reused document's
        scans come back through here too (kg.incremental.replay_scans)."""
        for start, end, found, surface in hits:
            if not found.startswith("adr/"):
                self.surface[found][surface] += 1
                self._record_neighbours(text, start, end, found)
        if len(self._scanned) < SCAN_MEMORY:
            self._scanned[text] = tuple(hits)

    def _record_neighbours(self, text: str, start: int, end: int, found: str) -> None:
        """The capitalised word just before a component's name, and the kind word just after it, with the name."""
        if self.entities[found].type != "Component":
            return
        before = WORD_BEFORE.search(text, max(0, start - 40), start)
        # ("AWS Java SDK" is no name of Java: the name goes on after it)
        if before and not NAME_GOES_ON.match(text, end):
            self.written_with[found].add(("before", before.group(1), text[before.start(1):end]))
        after = KIND_AFTER.match(text, end)
        if after:
            self.written_with[found].add(("after", after.group(1), text[start:after.end(1)]))

    def _scan(self, text: str) -> list[tuple[int, int, str, str]]:
        # a known name starts where a word starts (not after a letter, a hyphen or a dot) and ends before
        # a letter or a hyphen; the longest name that starts at a word wins
        by_first = self._index()
        low = text.lower()
        hits = []
        last_end = 0
        for m in _WORD_START.finditer(low):
            if m.start() < last_end:
                continue
            run = m.group(0).rstrip(".")
            # a dotted run ("node.js-based") may start with a shorter name: its prefixes at each dot too
            keys = [run, *(run[:i] for i, c in enumerate(run) if c == "." and i > 0)] if "." in run else (run,)
            found = None
            starts_a_name = False
            for first in keys:
                for alias in by_first.get(first, ()):
                    starts_a_name = True
                    end = m.start() + len(alias)
                    if low.startswith(alias, m.start()) and (end == len(low) or not (low[end].isalnum()
                                                                                     or low[end] in "_-")):
                        found = (alias, end)
                        break
                if found:
                    break
            if found is None and (starts_a_name or run.endswith("s") and run[:-1] in by_first):
                found = self._plural(low, text, m.start(), run, keys)
            if found is None:
                continue
            alias, end = found
            surface = text[m.start():end]
            if alias in self._capitalised_only and not surface[:1].isupper():
                continue
            key = self._alias_owner[alias]
            hits.append((m.start(), end, key, surface))
            last_end = end
        for m in ADR_ID.finditer(text):
            key = f"adr/{canonical_adr_number(int(m.group(1)))}"
            if key in self.entities:
                hits.append((m.start(), m.end(), key, m.group(0)))
        hits.sort()
        return hits

    def _plural(self, low: str, text: str, start: int, run: str, keys: Sequence[str]) -> tuple[str, int] | None:
        """A known name written in the plural ("all three of the Alertmanagers", "the ELBs"): the name with one
        "s" after it, when the name is written as one (a capital in it) and has a word that is no everyday word
        ("Nodes", "Data Products" are not). The hit ends after the "s", so its surface, no spelling of the
        name, never counts towards the entity's label."""
        by_first = self._by_first or {}
        # (most words start no name: two lookups, and nothing more, for them; a scan meets every word)
        firsts = [k for k in (*keys, run[:-1] if run.endswith("s") else "") if k in by_first]
        if not firsts:
            return None
        from .gazetteer import is_everyday_word

        for first in firsts:
            for alias in by_first[first]:
                end = start + len(alias)
                if (low.startswith(alias, start) and low.startswith("s", end) and len(alias) > 2
                        and alias[-1].isalpha() and alias[-1] != "s" and alias not in self._capitalised_only
                        and (end + 1 == len(low) or not (low[end + 1].isalnum() or low[end + 1] in "_-"))
                        and any(c.isupper() for c in text[start:end])
                        and not all(is_everyday_word(w) for w in alias.split())):
                    return alias, end + 1
        return None

    def node_entity(self, label: str, node_id: str) -> str | None:
        """The component or vendor a diagram node stands for: its label, its id, or the first name in its label."""
        # "ffc-pay-enrichment(Kubernetes - ffc-pay-enrichment)": the part of the label that is the node's id names
        # it; the part before says where it runs
        label = INSTANCE_SUFFIX.sub("", label)  # "API Gateway Pod 2": one of the gateway's instances
        parts = re.split(r"\s[-–—]\s", label)
        if len(parts) == 2 and name_key(parts[1]) == name_key(node_id):
            key = self.lookup(parts[1])
            if key and self.type_of(key) in ("Component", "Vendor"):
                return key
        for candidate in (label, re.split(r"\s[(~]|\s-\s", label)[0]):
            key = self.lookup(candidate)
            if key and self.type_of(key) in ("Component", "Vendor"):
                return key
        hits = [h for h in self.scan(label) if self.type_of(h[2]) in ("Component", "Vendor")]
        # "Ceph[Rook-Ceph<br/>storage]": the name the label starts with wins over a short id
        if hits and hits[0][0] == 0:
            return hits[0][2]
        key = self.lookup(node_id)
        if key and self.type_of(key) in ("Component", "Vendor"):
            return key
        if hits:
            return hits[0][2]
        hits = [h for h in self.scan(node_id.replace("_", " ")) if self.type_of(h[2]) in ("Component", "Vendor")]
        return hits[0][2] if hits else None

    def in_folder(self, folder: str) -> str | None:
        """The component whose own folder (with its README) is `folder`, a workspace path."""
        if self._folders is None:
            self._folders = {str(e.props["folder"]): k for k, e in sorted(self.entities.items())
                             if e.type == "Component" and e.props.get("folder")}
        return self._folders.get(folder.rstrip("/"))

    def section_subject(self, section: tuple[str, ...]) -> str | None:
        """The component a section is about: the first component its nearest named heading (below the title) names."""
        for title in reversed(section[1:]):
            hits = [h for h in self.scan(title) if self.type_of(h[2]) == "Component"]
            if hits:
                return hits[0][2]
        return None


def entity_key(etype: str, name: str) -> str:
    """The stable key (and IRI tail) of an entity."""
    if etype == "ADR":
        return f"adr/{name}"
    if etype == "Document":
        return f"document/{name}"
    return f"{TYPE_PREFIX[etype]}/{slug(name)}"


# a commit's hash (hex with a digit and a letter), RFC 2119's keywords written in capitals, a URL's path
NEVER_A_NAME = re.compile(r"(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}|MUST(?: NOT)?|SHOULD(?: NOT)?|SHALL(?: NOT)?|"
                          # ("consumers moved from using /upload to using /upload-new": an endpoint, never a product)
                          r"MAY|REQUIRED|RECOMMENDED|OPTIONAL|/[\w{}:.-]+(?:/[\w{}:.-]+)*/?")


def build_entities(mentions: list[Mention], curated: CuratedAliases, texts: Sequence[str] = ()
                   ) -> tuple[dict[str, Entity], list[Fact]]:
    """Group mentions into entities by alias; returns the entities and the facts the grouping itself implies. `texts`
    are the workspace's paragraphs, read for the words that package a product (`_packaging_words`)."""
    from . import gazetteer

    shipped = gazetteer.load()
    facts: list[Fact] = []
    by_type: dict[str, dict[str, list[Mention]]] = {t: defaultdict(list) for t in ("Component", "Vendor", "Team",
                                                                                  "Repository")}
    # a name a decision or a C4 element declares is a part even when it is a generic word ("Node", "Events")
    decided = {name_key(m.name) for m in mentions if m.props.get("named_by_decision") or m.props.get("declared")}
    for m in mentions:
        k = name_key(m.name)
        if m.type != "ADR" and (RECORD_STATUS.fullmatch(m.name.strip(" *_"))
                                or re.fullmatch(r"(?:these\s+|the\s+)?ADRs?", m.name.strip(" *_"), re.I)):
            continue  # "this ADR will move to *Accepted*", "These ADRs were rejected": records, never a product
        if NEVER_A_NAME.fullmatch(m.name.strip(" *_`")):
            continue  # "commits cabe36f → ca44f97", "MUST run on our cluster": a commit, a requirement's keyword
        if m.type == "Component" and API_WORDS.fullmatch(m.name.strip(" *_`")):
            continue  # "no order DELETE API", "Prototype REST API": HTTP's words, never a product
        if m.type == "Component" and ROLE_NAME.match(m.name.strip(" *_`")) and m.strength < 2 \
                and not m.props.get("manifest_name") and shipped.get(m.name) is None and not (k in decided and _product_part(m.name)):
            continue  # "Platform Administrator", "Application Developers": people's roles (a product the shipped
            # gazetteer knows by such a name stays, and so does a product's part a decision chooses: "Use Django
            # Admin for …")
        if k and (k not in GENERIC or k in decided and m.name[:1].isupper() or m.props.get("manifest_name")):
            by_type.setdefault(m.type, defaultdict(list))[k].append(m)
    _drop_roles(by_type["Component"], shipped)
    _keep_repository_links(by_type["Component"])
    _sibling_repository_names(by_type["Component"])
    _written_both_ways(by_type["Component"], texts, shipped)
    for names in by_type.values():
        _drop_lone_candidates(names)
    curated_vendors = {name_key(n) for c, al, t in curated.groups if t == "Vendor" for n in (c, *al)}
    _settle_vendors(by_type, curated_vendors)
    _redirect_parentheticals(by_type["Component"])
    _redirect_cut_names(by_type["Component"], shipped)

    entities: dict[str, Entity] = {}
    for etype, names in by_type.items():
        uf, display = _alias_groups(etype, names, by_type, curated, curated_vendors, facts, texts)
        groups: dict[str, list[str]] = defaultdict(list)
        for k in uf.parent:
            groups[uf.find(k)].append(k)
        for _root, members in sorted(groups.items()):
            ms = [m for x in members for m in names.get(x, [])]
            if not ms:
                continue  # a group of curated names the docs never use
            canonical = _canonical_name(members, ms, curated, etype, display)
            key = entity_key(etype, canonical)
            ent = entities.get(key) or Entity(key=key, type=etype, label=canonical)
            ent.aliases.update(display.get(x, x) for x in members)
            # properties from the source that defines things best: a table row, then a heading, then prose
            rank = {"table": 0, "heading": 1, "index": 2}
            own = set(members)
            for m in sorted(ms, key=lambda m: (-m.strength, rank.get(m.evidence.method, 3))):
                ent.aliases.add(m.name)
                # each way the docs spell one of its names, not one per folded name: the repository
                # "dp-upload-service" of a README titled "DP Upload Service" answers to both as written
                ent.aliases.update(a for a in m.aliases if name_key(a) in own)
                ent.evidence.append(m.evidence)
                for pk, pv in m.props.items():
                    if pk in ("named_by_decision", "alias_of_node", "declared", "manifest_name", "apart_from", "own_page",
                              "repository_link", "joins_only"):
                        continue
                    if pk == "status":
                        ent.props.setdefault("stated_status", []).append(pv)
                    else:
                        ent.props.setdefault(pk, pv)
            ent.props["strength"] = max([m.strength for m in ms] + [ent.props.get("strength", 0)])
            entities[key] = ent
    _service_stems(entities)
    _known_names(entities, shipped, curated_vendors)
    for ent in entities.values():
        ent.aliases.discard(ent.label)
    return entities, facts


def _product_part(name: str) -> bool:
    """A name whose words before its last are no everyday words: a product's part ("Django Admin"), not a role."""
    from .gazetteer import is_everyday_word

    words = name.split()
    return len(words) >= 2 and not any(is_everyday_word(w) for w in words[:-1])


def _drop_roles(names: dict[str, list[Mention]], shipped: gazetteer_module.Gazetteer) -> None:
    """Names only ever written as the role a thing plays are no components: "Rely on Infrastructure Provider for
    encryption-at-rest", "each Security Zone" (but "Image Provider" stays where the docs also write "image-provider")."""
    for k in [k for k, ms in names.items() if all(_role_of_a_thing(m, shipped) for m in ms)]:
        del names[k]


def _role_of_a_thing(m: Mention, shipped: gazetteer_module.Gazetteer) -> bool:
    """A name in everyday words for the role a thing plays ("Infrastructure Provider", "Client Application"), with no
    abbreviation beside it, not from a manifest, and no product the shipped gazetteer knows by that name."""
    from .gazetteer import is_everyday_word

    name = m.name.strip(" *_`")
    return ROLE_OF_A_THING.match(name) is not None and not m.aliases and not m.props.get("manifest_name") \
        and shipped.get(name) is None and all(is_everyday_word(w) for w in name.split())


def written_aliases(entities: dict[str, Entity], gaz: Gazetteer) -> None:
    """A component the docs write behind its maker's name (a vendor's: "AWS Pinpoint" of Pinpoint) or with its kind
    after it ("Flux CD", "Talos OS") answers to that name too, where
    no entity goes by it: the longer name is one the reader may look it up by."""
    taken = {name_key(n) for e in entities.values() for n in (e.label, *e.aliases)}
    makers = {name_key(n) for e in entities.values() if e.type == "Vendor" for n in (e.label, *e.aliases)}
    for key, forms in sorted(gaz.written_with.items()):
        ent = entities[key]
        prefixed = [form for side, word, form in forms if side == "before" and name_key(word) in makers]
        # a name written behind two makers' names is a kind of product ("AWS Staging", "GCP Staging"); one the
        # gazetteer knows as a product of its own is deployed there, no maker's ("AWS Kibana"); one that starts
        # with a maker's name is that maker's ("Azure AWS SSO")
        if len({name_key(f.split()[0]) for f in prefixed}) > 1 or not _maker_less(ent, makers):
            prefixed = []
        for form in sorted(prefixed + [form for side, _word, form in forms if side == "after"]):
            if name_key(form) not in taken:
                ent.aliases.add(form)
                taken.add(name_key(form))


# capitalised words written after "the", as many as run on: "The Login UI handles", "the Platform Console."
AFTER_THE = re.compile(r"\b[Tt]he ([A-Z0-9][\w.+-]*[\w+](?: [A-Z0-9][\w.+-]*[\w+])+)(?![\w-])")


def trailing_names(entities: dict[str, Entity], texts: Sequence[tuple[str, str]]) -> None:
    """A component of three words or more goes by its last two or more words where a repository that writes its whole
    name writes them after "the" ("… redirects to Identity Platform Console. The Platform Console shows …"), written
    with its capitals, when no other entity goes by them and no other component's name ends so. `texts` are
    (repository, paragraph) pairs."""
    taken = {name_key(n) for e in entities.values() for n in (e.label, *e.aliases)}
    endings: dict[str, list[tuple[str, str]]] = defaultdict(list)  # folded ending -> (entity key, ending as written)
    for key, ent in sorted(entities.items()):
        words = ent.label.split()
        if ent.type != "Component" or len(words) < 3 or not all(w[:1].isupper() or w[:1].isdigit() for w in words):
            continue
        for cut in range(1, len(words) - 1):
            ending = " ".join(words[cut:])
            # ("UDM REST API": "the REST API" is any REST API; "Acme Web UI": "the Web UI" a kind of part)
            if not API_WORDS.fullmatch(ending) and not GENERIC_TAIL.fullmatch(ending):
                endings[name_key(ending)].append((key, ending))
    if not endings:
        return  # (no name of three capitalised words: the workspace's text is not read again)
    by_repo: dict[str, list[str]] = defaultdict(list)
    after_the: dict[str, set[str]] = defaultdict(set)  # the capitalised names each repository writes after "the"
    for repo, text in texts:
        by_repo[repo].append(text)
        after_the[repo].update(m.group(1) for m in AFTER_THE.finditer(text))
    for folded, owners in sorted(endings.items()):
        if len({k for k, _e in owners}) != 1 or folded in taken:
            continue
        key, ending = owners[0]
        label = entities[key].label
        if any(ending in after_the[repo] and any(label in t for t in repo_texts) for repo, repo_texts in by_repo.items()):
            entities[key].aliases.add(ending)
            taken.add(folded)


def _maker_less(ent: Entity, makers: set[str]) -> bool:
    """Whether a component's name is capitalised, starts with no maker's name and is no product the gazetteer knows
    (but as an everyday word)."""
    from . import gazetteer

    record = gazetteer.load().get(ent.label)
    return ent.label[:1].isupper() and name_key(ent.label.split()[0]) not in makers \
        and (record is None or record.common_word)


def _known_names(entities: dict[str, Entity], shipped: gazetteer_module.Gazetteer, curated_vendors: set[str]) -> None:
    """A component the docs write by one of the gazetteer's names answers to its others ("S3" is also "Amazon S3" and
    "Amazon Simple Storage Service"), where no other entity goes by them."""
    taken = Counter(name_key(n) for e in entities.values() for n in {e.label, *e.aliases})
    makers = curated_vendors | {name_key(n) for e in entities.values() if e.type == "Vendor" for n in (e.label, *e.aliases)}
    for ent in entities.values():
        if ent.type != "Component":
            continue
        record = shipped.get(ent.label)
        if record is None or record.common_word:
            continue
        own = {name_key(n) for n in (ent.label, *ent.aliases)}
        # "Amazon Elastic Container Service" goes by "Elastic Container Service" too: its words after the maker's
        names = [*record.names, *(n.split(" ", 1)[1] for n in record.names
                                  if len(n.split()) >= 3 and name_key(n.split()[0]) in makers)]
        for name in names:
            if name_key(name) not in own and not taken[name_key(name)]:
                ent.aliases.add(name)
                taken[name_key(name)] += 1


# a stem of five letters or more: "auth-server" is not every "Auth" of the docs
SERVICE_ID = re.compile(r"^(?P<stem>[a-z][a-z0-9]{4,})-(?:service|svc|api|app|server|worker)$")


def _service_stems(entities: dict[str, Entity]) -> None:
    """'makeline-service' is 'makeline' in prose ("Only makeline connects to DocumentDB"): a service named by an id
    with a kind after it answers to the id's stem, where the stem is no everyday word and names nothing else."""
    from .gazetteer import is_everyday_word

    taken = {name_key(n) for e in entities.values() for n in (e.label, *e.aliases)}
    for ent in entities.values():
        if ent.type != "Component":
            continue
        m = SERVICE_ID.match(ent.label)
        stem = m.group("stem") if m else None
        if stem and name_key(stem) not in taken and not is_everyday_word(stem):
            ent.aliases.add(stem)
            taken.add(name_key(stem))


def _settle_vendors(by_type: dict[str, dict[str, list[Mention]]], curated_vendors: set[str]) -> None:
    """A name a provider table (or the curated list) calls a vendor is a vendor, unless a tech table says otherwise;
    a vendor's name with a generic tail ("Contabo API", "Hetzner Cloud") is the vendor too."""
    vendor_keys = set(by_type["Vendor"]) | curated_vendors
    for k, ms in list(by_type["Component"].items()):
        words = ms[0].name.split()
        if len(words) >= 2 and (GENERIC_TAIL.fullmatch(words[-1]) or words[-1].lower() in ("vps", "vms", "hosting")) \
                and name_key(" ".join(words[:-1])) in vendor_keys \
                and all(m.strength < 2 for m in ms):
            head = name_key(" ".join(words[:-1]))
            by_type["Vendor"][head].extend(Mention(m.name, "Vendor", m.evidence, strength=1) for m in ms)
            del by_type["Component"][k]
    for k in list(by_type["Component"]):
        if k not in by_type["Vendor"] and k not in curated_vendors:
            continue
        moved = by_type["Component"].pop(k)
        strong_component = any(m.strength >= 2 for m in moved) and k not in curated_vendors
        if strong_component and not any(m.strength >= 2 for m in by_type["Vendor"].get(k, [])):
            by_type["Component"][k] = moved
            by_type["Vendor"].pop(k, None)
        else:
            for m in moved:
                by_type["Vendor"][k].append(Mention(m.name, "Vendor", m.evidence, aliases=m.aliases, strength=1))


def _drop_lone_candidates(names: dict[str, list[Mention]]) -> None:
    """A name only prose capitalisation supports (strength 0) counts where the workspace writes it more than once,
    in more than one document or three times in one."""
    for k, ms in list(names.items()):
        if all(m.strength <= 0 for m in ms):
            # strength -1 only ever joins a name that something else gives
            candidates = [m for m in ms if m.strength == 0]
            documents = {m.evidence.document for m in candidates}
            if len(documents) < 2 and len(candidates) < 3:
                del names[k]


def same_by_abbreviation(a: str, b: str) -> bool:
    """Two names for one thing, one abbreviating the other, also behind a maker's name: 'Amazon SES' and
    'Simple Email Service', 'ECS' and 'AWS Elastic Container Service'."""
    # (as written, or as the gazetteer spells the name: "Github Actions (GHA)" is GitHub Actions)
    from .gazetteer import abbreviates

    if abbreviates(a, b) or abbreviates(b, a):
        return True
    for short, long in ((a, b), (b, a)):
        words = short.split()
        if len(words) == 2 and re.fullmatch(r"[A-Z0-9]{2,6}", words[1]) and is_abbreviation_of(words[1], long):
            return True
    return False


def _makers(by_type: dict[str, dict[str, list[Mention]]], curated: CuratedAliases) -> set[str]:
    """Name keys of the companies whose names stand in front of their products (AWS, Amazon, Google, Microsoft)."""
    makers = set(by_type["Vendor"])
    for canonical, aliases, ctype in curated.groups:
        if ctype == "Vendor":
            for n in (canonical, *aliases):
                makers.add(name_key(n))
                makers.add(name_key(n.split()[0]))
    return {m for m in makers if m}


def _distinctive(name: str) -> bool:
    """A name that can stand alone as an alias: several words, or one with a capital inside, a digit or all capitals,
    or a capitalised word that is no everyday word ("Fargate" of "AWS Fargate"; not "Glue", "Config", "Flux")."""
    from .gazetteer import word_like

    words = name.split()
    if len(words) >= 2:
        return True
    w = words[0] if words else ""
    return len(w) >= 2 and name_key(w) not in GENERIC and (
        any(c.isupper() for c in w[1:]) or any(c.isdigit() for c in w) or (w.isupper() and len(w) >= 3)
        or re.fullmatch(r"[A-Z][a-z]{3,}", w) is not None and not OS_FAMILY.fullmatch(w)
        and (not word_like(w) or _known_product(w)))


def _known_product(word: str) -> bool:
    """A word the gazetteer knows as a technology's name, not as an everyday word too ("Firestore")."""
    from . import gazetteer

    record = gazetteer.load().get(word)
    return record is not None and not record.common_word


def _redirect_parentheticals(names: dict[str, list[Mention]]) -> None:
    """'Metrics (Mimir)': a name seen once whose parenthesis names another known thing stands for that thing."""
    for k, ms in list(names.items()):
        if len(ms) != 1:
            continue
        m = ms[0]
        if m.props.get("own_page") or m.props.get("folder"):
            continue  # a service page's title with its file's name beside it: the title is the name; a
            # repository's component keeps its own name beside its README's title
        for alias in m.aliases:
            ak = name_key(alias)
            if ak in names and ak != k and not is_abbreviation_of(alias, m.name) \
                    and not is_abbreviation_of(m.name, alias) and not _numbered_form(alias, k):
                names[ak].append(Mention(alias, m.type, m.evidence, props=m.props, strength=m.strength))
                del names[k]
                break


def _redirect_cut_names(names: dict[str, list[Mention]], shipped: gazetteer_module.Gazetteer) -> None:
    """An everyday word read as a name where each sentence it comes from writes it as the first word of a longer
    name the docs use ("retire Learning to Rank (LTR)" read as "Learning"): the mentions are that longer name's."""
    from .gazetteer import is_everyday_word

    for k, ms in list(names.items()):
        word = ms[0].name
        if not re.fullmatch(r"[A-Z][a-z]+", word) or not is_everyday_word(word) or shipped.get(word) is not None:
            continue
        longer = {_longer_name(word, m.evidence.text, names) for m in ms}
        if len(longer) == 1 and None not in longer:
            target = longer.pop()
            assert target is not None
            names[target].extend(replace(m, name=names[target][0].name) for m in ms)
            del names[k]


def _longer_name(word: str, text: str, names: dict[str, list[Mention]]) -> str | None:
    """The key of the one name of `names` the text writes starting with `word` wherever it writes the word (up to
    four words on), or None."""
    found = None
    for m in re.finditer(rf"\b{re.escape(word)}\b", text):
        tail = re.findall(r"[\w.+-]+", text[m.end():m.end() + 60])[:4]
        own = name_key(word)
        key = next((name_key(word + " " + " ".join(tail[:n])) for n in range(len(tail), 0, -1)
                    if name_key(word + " " + " ".join(tail[:n])) in names
                    and name_key(word + " " + " ".join(tail[:n])) != own), None)
        if key is None or found not in (None, key):
            return None  # the word on its own here, or the start of two names
        found = key
    return found


def _numbered_form(alias: str, key: str) -> bool:
    """Whether an alias is the name (by its key) behind a number that orders folders: "02.redis" of Redis."""
    return ORDERING_PREFIX.match(alias) is not None and name_key(ORDERING_PREFIX.sub("", alias)) == key


def _alias_groups(etype: str, names: dict[str, list[Mention]], by_type: dict[str, dict[str, list[Mention]]],
                  curated: CuratedAliases, curated_vendors: set[str], facts: list[Fact], texts: Sequence[str] = (),
                  ) -> tuple[_UnionFind, dict[str, str]]:
    """Union the names of one type that stand for one thing; returns the groups and a display form per name key."""
    uf = _UnionFind({k: str(m.props["folder"]) for k, ms in names.items() for m in ms
                     if etype == "Component" and m.strength >= 2 and "/" not in str(m.props.get("folder", "/"))})
    display: dict[str, str] = {}
    for k, ms in names.items():
        uf.find(k)
        display.setdefault(k, ms[0].name)
    from . import gazetteer

    known = gazetteer.load()
    # an abbreviation spelled out by a long form no list of technologies knows ("An Architectural Decision (AD)"),
    # joined once every other name is grouped (see _definitions_joined)
    definitions: list[tuple[str, str, str, str]] = []
    # aliases written beside a name: "External Secrets Operator (ESO)", a vendor's short name
    for k, ms in names.items():
        for m in ms:
            for alias in m.aliases:
                ak = name_key(alias)
                if ak and etype == "Component" and same_by_abbreviation(alias, m.name) and known.get(m.name) is None \
                        and known.get(alias) is None and not m.props.get("alias_of_node") \
                        and not PLURAL_ABBREVIATION.fullmatch(alias):
                    definitions.append((k, ak, alias, m.name))
                    continue
                # "02.redis", the folder of Redis: a number that orders folders is no part of the name
                # ("apps/Acme.PriceBook" of the README titled "Price Book": its own folder's name)
                if ak and (etype == "Vendor" or same_by_abbreviation(alias, m.name) or m.props.get("alias_of_node")
                           or _numbered_form(alias, k) or alias == str(m.props.get("folder", "")).rsplit("/", 1)[-1]):
                    uf.union(k, ak)
                    display.setdefault(ak, alias)
                    # "Elastic Load Balancers (ELBs)": the singulars are names of it too, ELB and Elastic Load Balancer
                    if etype == "Component" and PLURAL_ABBREVIATION.fullmatch(alias) and m.name.endswith("s"):
                        for single in (alias[:-1], m.name[:-1]):
                            uf.union(k, name_key(single))
                            display.setdefault(name_key(single), single)
    # curated alias groups join names the docs use
    for canonical, aliases, ctype in curated.groups:
        if ctype != etype:
            continue
        group = [canonical, *aliases]
        keys = [name_key(n) for n in group]
        present = [x for x in keys if x in uf.parent]
        if present:
            for x, n in zip(keys, group):
                uf.union(present[0], x)
                display.setdefault(x, n)
    # names the gazetteer knows as one technology are one entity: "Amazon ECS", "ECS" and
    # "Amazon Elastic Container Service"
    if etype == "Component":
        from . import gazetteer

        known = gazetteer.load()
        by_record: dict[str, str] = {}
        for k, ms in names.items():
            record = known.get(ms[0].name)
            if record is not None:
                first = by_record.setdefault(record.name, k)
                if first != k:
                    uf.union(first, k)
    if etype == "Component":
        _join_repository_links(names, uf)
    vendors = set(by_type["Vendor"]) | curated_vendors
    makers = _makers(by_type, curated)
    packaging = _packaging_words(texts, names, makers | vendors) if etype == "Component" else set()
    # a product name that several makers put their names in front of is a kind of product: "Object Storage"
    makers_of: dict[str, set[str]] = defaultdict(set)
    for ms in names.values():
        words = ms[0].name.split()
        if len(words) >= 2 and name_key(words[0]) in makers:
            makers_of[name_key(" ".join(words[1:]))].add(name_key(words[0]))
    versions = Counter(name_key(m.group(1)) for ms in names.values()
                       for m in [_JOINED_VERSION.fullmatch(ms[0].name)] if m)
    for k, ms in list(names.items()):
        words = ms[0].name.split()
        if etype == "Component" and len(words) >= 2:
            # a maker's product goes by its own name too: "AWS Image Builder" is "Image Builder", "Amazon SES" "SES"
            rest = " ".join(words[1:])
            if name_key(words[0]) in makers and _distinctive(rest) and len(makers_of[name_key(rest)]) == 1:
                uf.union(k, name_key(rest))
                display.setdefault(name_key(rest), rest)
        # "Alpine.js" is the Alpine the same docs write without its suffix
        js = re.fullmatch(r"(\w[\w-]*)\.js", ms[0].name, re.I) if etype == "Component" else None
        if js and name_key(js.group(1)) in names and name_key(js.group(1)) != k:
            uf.union(k, name_key(js.group(1)))
        # "ELBs", "AWS ALBs": the plural of an acronym is the acronym
        plural = re.fullmatch(r"(.*\b[A-Z]{2,})s", ms[0].name)
        if etype == "Component" and plural:
            uf.union(k, name_key(plural.group(1)))
            display.setdefault(name_key(plural.group(1)), plural.group(1))
            if len(words) >= 2 and name_key(words[0]) in makers:
                rest = " ".join(words[1:])[:-1]
                uf.union(k, name_key(rest))
                display.setdefault(name_key(rest), rest)
        # naming conventions are not part of the name: infra-redpanda, bp-cnpg, cnpg-operator, loki-chart
        if etype == "Component":
            stripped = re.sub(r"^(?:bp|infra|blueprint)[-_]|[-_](?:operator|chart|charts|helm|helm-chart)$", "",
                              ms[0].name, flags=re.I)
            if stripped != ms[0].name and name_key(stripped) in uf.parent and name_key(stripped) != k:
                uf.union(k, name_key(stripped))
        if etype == "Component" and len(words) >= 2:
            # "Reference Generator Service" is the Reference Generator
            if len(words) >= 3 and words[-1].lower() in ("service", "server", "instance", "cluster", "app",
                                                          "application", "system", "platform") \
                    and words[-2].lower() not in ("a", "an", "as", "of", "the", "for", "and") \
                    and not _set_apart(ms, " ".join(words[:-1])):
                head = " ".join(words[:-1])
                uf.union(k, name_key(head))
                display.setdefault(name_key(head), head)
            # "Wagtail CMS" is Wagtail, "Flux CD" Flux: a kind written after a name that stands alone ("Data CMS" is
            # no "Data")
            head = " ".join(words[:-1])
            if KIND_TAIL.fullmatch(words[-1]) and _distinctive(head) and not _set_apart(ms, head) \
                    and name_key(head) not in vendors and _kind_restated(words[-1], head, names):
                uf.union(k, name_key(head))
                display.setdefault(name_key(head), head)
        # "Grafana Loki" is Loki when Loki is known and Grafana is a known maker or product (but "RIS Caselaw
        # Frontend" is that system's own frontend, not the Frontend: a part's role word is no product's name)
        for cut in range(1, len(words)) if etype == "Component" else ():
            prefix, rest = " ".join(words[:cut]), " ".join(words[cut:])
            pk, rk = name_key(prefix), name_key(rest)
            if rk in names and rk != k and (pk in names or pk in vendors or pk in packaging or _known_maker(prefix, rest)) \
                    and not PART_ROLE.fullmatch(rest) and not _set_apart(ms, rest) and not OS_FAMILY.fullmatch(rest):
                uf.union(k, rk)
                if pk in vendors:
                    facts.append(Fact(rest, "providedBy", prefix, ms[0].evidence, object_type="Vendor"))
                break
        # "Python3" is Python and "Vue3" Vue, as "Python 3" is: a known name with its major version run on;
        # not where the docs name two of its versions ("Scala3 instead of Scala2", "pgbouncer1" and "pgbouncer2")
        versioned = _JOINED_VERSION.fullmatch(ms[0].name) if len(words) == 1 else None
        if versioned and name_key(versioned.group(1)) in names and name_key(versioned.group(1)) != k \
                and versions[name_key(versioned.group(1))] == 1:
            uf.union(k, name_key(versioned.group(1)))
        # "Oracle Cloud Always Free" is Oracle Cloud; "Flux v2" is Flux; "Stalwart Mail Server" is Stalwart
        for cut in range(len(words) - 1, 0, -1):
            head, tail = " ".join(words[:cut]), " ".join(words[cut:])
            hk = name_key(head)
            # "Terraform Cloud", "Grafana Cloud": a maker's hosted product is a product of its own
            product_cloud = tail.lower() == "cloud" and hk not in vendors
            if hk in names and hk != k and (etype == "Vendor" or GENERIC_TAIL.fullmatch(tail) and not product_cloud):
                # "Frontend" and "Frontend Proxy", two boxes of one diagram; "Acme.io Frontend" beside "Acme.io
                # Notify" and "Acme.io Pay": a part's role behind a family's name is a product of that family's
                if not _set_apart(ms, head) and not (etype == "Component" and PART_ROLE.fullmatch(tail)
                                                     and _family_name(head, names)):
                    uf.union(k, hk)
                break
    _definitions_joined(definitions, names, uf, display)
    if etype == "Component":
        _spelled_out_beside(names, uf)
    return uf, display


def _spells_otherwise(abbreviation: str, name: str) -> bool:
    """Whether a name holds words whose initials are the abbreviation: "Azure Active Directory" spells out AD."""
    words = re.findall(r"[A-Za-z0-9]+", name)
    size = len(abbreviation)
    return any("".join(w[0] for w in words[i:i + size]).upper() == abbreviation.upper()
               for i in range(len(words) - size + 1))


def _definitions_joined(definitions: list[tuple[str, str, str, str]], names: dict[str, list[Mention]], uf: _UnionFind,
                        display: dict[str, str]) -> None:
    """A long form joins the abbreviation it spells out, unless the abbreviation already stands for a technology the
    gazetteer knows that the long form is not: "An Architectural Decision (AD)" is no name of Azure AD, which the
    docs also call "AD"."""
    from . import gazetteer

    known = gazetteer.load()
    for k, ak, alias, spelled in definitions:
        long_form = re.compile(r"(?<![\w-])" + re.escape(spelled) + r"(?![\w-])", re.I)
        if ak in uf.parent:
            root = uf.find(ak)
            group = [x for x in list(uf.parent) if x != ak and uf.find(x) == root]
            records = [known.get(names[x][0].name if x in names else display.get(x, x)) for x in group]
            # ("Key Management Service (KMS)" beside "AWS KMS": AWS Key Management Service, which it does spell out;
            # "Elastic Kubernetes Service (EKS)" beside "Amazon EKS", whose names spell EKS out in no other way)
            if any(_spells_otherwise(alias, n) for r in records if r is not None for n in r.names
                   if not long_form.search(n)):
                continue
        uf.union(k, ak)
        display.setdefault(ak, alias)


# a capitalised word written mid-sentence before a name: "the Charmed Kratos", "deploy Charmed PostgreSQL"
QUALIFIED_NAME = re.compile(r"(?<![\w-])[a-z][\w-]* (?P<q>[A-Z][a-z]{2,}) (?P<name>[A-Z][\w.+-]*(?: [A-Z][\w.+-]*)?)")
PACKAGED_PRODUCTS = 3  # how many different known products a word must qualify to be a packaging word


def _packaging_words(texts: Sequence[str], names: dict[str, list[Mention]], makers: set[str]) -> set[str]:
    """Name keys of the words that package a product rather than name one: a capitalised word the docs write, mid
    sentence, before three or more different products the gazetteer knows and the docs name ("the Charmed Kratos",
    "uses Charmed PostgreSQL", "in Charmed Hydra"), that is no name of its own, no maker's and no sentence word.
    "Charmed Kratos" is Kratos."""
    from . import gazetteer
    from .rules.phrases import CAPITALISED_STOPWORDS

    known = gazetteer.load()
    qualified: dict[str, set[str]] = defaultdict(set)
    for text in texts:
        for m in QUALIFIED_NAME.finditer(text):
            words = m.group("name").split()
            for n in range(len(words), 0, -1):
                product = name_key(" ".join(words[:n]).rstrip(".,;:"))
                if product in names and known.lookup(" ".join(words[:n]).rstrip(".,;:")):
                    qualified[name_key(m.group("q"))].add(product)
                    break
    return {q for q, products in qualified.items() if len(products) >= PACKAGED_PRODUCTS and q not in names
            and q not in makers and not known.lookup(q) and q not in CAPITALISED_STOPWORDS}


def _known_maker(prefix: str, product: str) -> bool:
    """Whether the shipped gazetteer gives `prefix` as the maker of `product`: the owner of its repository
    ("HashiCorp Consul": github.com/hashicorp/consul), its homepage's domain ("Ory Hydra": ory.sh) or the word one of
    its names puts before another ("Apache Kafka" beside "Kafka")."""
    from . import gazetteer

    record = gazetteer.load().get(product)
    return record is not None and name_key(prefix) in _record_makers(record)


def _record_makers(record: gazetteer_module.Technology) -> set[str]:
    """Name keys of a known product's maker: its repository's owner, its homepage's domain, the first word of a name of
    it that goes on with another of its names; never the product's own name ("consul.io" is Consul's)."""
    from . import gazetteer

    found = set()
    for url in (record.repository, record.homepage):
        location = gazetteer.url_location(url) if url else None
        if location is None:
            continue
        host, segments = location
        if host in gazetteer.CODE_HOSTS:
            found.add(name_key(segments[0]))
        elif len(host.split(".")) >= 2:
            found.add(name_key(host.split(".")[-2]))
    own = {name_key(n) for n in record.names}
    for n in record.names:
        words = n.split()
        if len(words) >= 2 and name_key(" ".join(words[1:])) in own:
            found.add(name_key(words[0]))
    return found - own


# an abbreviation written as a name of its own, never defined: "let CAPI handle it" (the page says "Cluster API")
UNDEFINED_ABBREVIATION = re.compile(r"[A-Z][A-Z0-9]{2,5}")


def _initials(words: list[str]) -> set[str]:
    """The abbreviations a name's words may go by: their capitals ("Cluster API": CAPI) and first letters (CA)."""
    text = " ".join(words)
    return {"".join(ch for ch in text if ch.isupper() or ch.isdigit()), "".join(w[0].upper() for w in words)}


def _folder(m: Mention) -> str:
    return m.evidence.document.rpartition("/")[0]


def _spelled_out_beside(names: dict[str, list[Mention]], uf: _UnionFind) -> None:
    """An abbreviation the docs use without spelling it out is the one name in the same document it abbreviates,
    also behind a maker's name: "let CAPI handle it" where the page writes "Cluster API", "PCUI instances" in a
    README about "AWS ParallelCluster UI". Not one the gazetteer knows, nor one already joined to a name."""
    from . import gazetteer

    known = gazetteer.load()
    joined = Counter(uf.find(x) for x in uf.parent)
    by_initials: dict[str, set[str]] = defaultdict(set)
    for k, ms in names.items():
        words = ms[0].name.split()
        if 2 <= len(words) <= 6 and all(w[:1].isupper() or w[:1].isdigit() for w in words):
            for cut in range(len(words) - 1):  # the whole name, then the words behind a maker's name
                for form in _initials(words[cut:]):
                    by_initials[form].add(k)
    for k, ms in names.items():
        abbreviation = ms[0].name
        if not UNDEFINED_ABBREVIATION.fullmatch(abbreviation) or joined[uf.find(k)] > 1 or known.lookup(abbreviation):
            continue
        folders = {_folder(m) for m in ms}
        spelled = {uf.find(c) for c in by_initials.get(abbreviation, ()) if c != k
                   and is_abbreviation_of(abbreviation, names[c][0].name)
                   and folders & {_folder(m) for m in names[c]}}
        if len(spelled) == 1:
            uf.union(k, spelled.pop())


def _keep_repository_links(names: dict[str, list[Mention]]) -> None:
    """A name that only joins a repository's component ("[Import API](../dp-import-api)") is a name where that
    repository holds a component; elsewhere it makes nothing."""
    folders = {m.props["folder"] for ms in names.values() for m in ms if m.props.get("folder")}
    for ms in names.values():
        for i, m in enumerate(ms):
            if m.strength < 1 and m.props.get("repository_link") in folders and not m.props.get("joins_only"):
                ms[i] = replace(m, strength=1)


# two to four capitalised words in a row: where a name run together is written with its spaces too
CAPITALISED_RUN = re.compile(r"(?<![\w.-])[A-Z][A-Za-z0-9]*(?: [A-Z][A-Za-z0-9]*)+")


def _written_both_ways(names: dict[str, list[Mention]], texts: Sequence[str],
                       shipped: gazetteer_module.Gazetteer) -> None:
    """A name the docs write run together and with its spaces ("CentralKMS" in a table, "Central KMS" in prose) is
    one name: both spellings are the thing's (see mentions.joined_names); not a pair of everyday words ("HomePage")
    nor a product the gazetteer knows under its own spelling."""
    from .gazetteer import is_everyday_word

    if not any(m.props.get("spaced") for ms in names.values() for m in ms):
        return  # (no name written run together: the workspace's text is not read again)
    runs: set[str] = set()
    for text in texts:
        for m in CAPITALISED_RUN.finditer(text):
            words = m.group(0).split()
            runs.update(" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 2, min(len(words), i + 4) + 1))
    for ms in names.values():
        joined = [m for m in ms if m.props.get("spaced")]
        if not joined:
            continue
        if len(joined) < len(ms):
            ms[:] = [m for m in ms if not m.props.get("spaced")]  # a name given elsewhere keeps its own spellings
            continue
        spaced = str(joined[0].props["spaced"])
        *words, abbreviation = spaced.split()
        if spaced not in runs or all(is_everyday_word(w) for w in words) and (
                PART_ROLE.fullmatch(abbreviation) or name_key(abbreviation) in GENERIC) \
                or shipped.get(joined[0].name) is not None:
            continue
        first = joined[0]
        ms[:] = [replace(m, strength=1) if m.props.get("spaced") else m for m in ms]
        ms.append(Mention(spaced, "Component", first.evidence, strength=1))


FAMILY = 3  # how many names written behind one name make it a family's name ("Acme Pay", "Acme Notify", …)


def _family_name(head: str, names: dict[str, list[Mention]]) -> bool:
    """Whether the docs write several products behind a name: "Acme Pay", "Acme Notify" and "Acme Forms"."""
    from . import gazetteer

    if gazetteer.load().get(head) is not None:
        return False  # "Istio Gateway", "Istio Sidecar": a known product's own parts
    start = head.lower() + " "
    return len({name_key(ms[0].name) for ms in names.values() if ms[0].name.lower().startswith(start)}) >= FAMILY


SIBLINGS = 3  # how many repositories of the workspace share a prefix for it to be the product's, not part of a name


def _sibling_repository_names(names: dict[str, list[Mention]]) -> None:
    """Repositories that share a prefix ("acme-ledger-billing-api", "acme-ledger-invoice-store", "acme-ledger-
    reconciler") are one product's parts, and the docs call each by the rest of its name: `invoice-store` in a
    diagram or a code span is acme-ledger-invoice-store's component. The rest joins that component; a rest that is
    one everyday or generic word ("notifier" is none, "billing" is) only joins a name the docs give elsewhere."""
    from .gazetteer import is_everyday_word

    owners = {str(m.props["folder"]): m for ms in names.values() for m in ms
              if m.props.get("folder") and "/" not in str(m.props["folder"]) and m.strength >= 2}
    # how many repositories start with each dash-separated prefix, counted once (a workspace may hold hundreds)
    prefixes = Counter(p for repo in owners for p in _dash_prefixes(repo.lower()))
    for repo, m in sorted(owners.items()):
        rest = _sibling_rest(repo, prefixes)
        if rest is None:
            continue
        word = "-" not in rest
        loose = word and (is_everyday_word(rest) or name_key(rest) in GENERIC or PART_ROLE.fullmatch(rest) is not None)
        names[name_key(rest)].append(Mention(rest, "Component", m.evidence, props={"repository_link": repo},
                                             strength=-1 if loose else 1))


def _dash_prefixes(repo: str) -> set[str]:
    """The dash-ended prefixes of a repository's name: "acme-ledger-api" -> "acme-", "acme-ledger-"."""
    parts = repo.split("-")
    return {"-".join(parts[:cut]) + "-" for cut in range(1, len(parts))}


def _sibling_rest(repo: str, prefixes: Counter[str]) -> str | None:
    """What follows the longest dash-separated prefix `repo` shares with two other repositories at least."""
    parts = repo.split("-")
    for cut in range(len(parts) - 1, 0, -1):
        prefix = "-".join(parts[:cut]) + "-"
        if prefixes[prefix.lower()] >= SIBLINGS:
            rest = "-".join(parts[cut:])
            return rest if len(rest) > 2 and re.search(r"[a-z]", rest, re.I) else None
    return None


def _join_repository_links(names: dict[str, list[Mention]], uf: _UnionFind) -> None:
    """A link's text that names a repository of the workspace ("[Files API](…/dp-files-api)") is another name of the
    component whose folder that repository is."""
    by_folder = {str(m.props["folder"]): k for k, ms in names.items() for m in ms if m.props.get("folder")}
    for k, ms in names.items():
        for m in ms:
            owner = by_folder.get(str(m.props.get("repository_link", "")))
            if owner and owner != k:
                uf.union(k, owner)


# the kind of thing a product is, written after its name as part of it: "Wagtail CMS", "Flux CD", "Semantic Kernel
# SDK" (written so, in capitals or capitalised)
KIND_TAIL = re.compile(r"CMS|SDK|CD|Framework|Library")
# what a product's SDK is part of: the SDK of a framework is the framework ("Semantic Kernel SDK"), not of a project
# or a service ("OpenTelemetry SDK", "AWS X-Ray SDK")
LIBRARY_KIND = re.compile(r"(?i).*\b(?:framework|sdk|library|libraries)\b.*")


def _kind_restated(kind: str, head: str, names: dict[str, list[Mention]]) -> bool:
    """Whether "<head> <kind>" is the product the docs call <head> too: always where they never write <head> alone;
    for a CMS, a CD tool or a framework, also where they do; an SDK only of what the gazetteer knows as a framework
    or a library."""
    from . import gazetteer

    if name_key(head) not in names or kind.upper() in ("CMS", "CD") or kind == "Framework":
        return True
    record = gazetteer.load().get(head)
    return record is not None and LIBRARY_KIND.fullmatch(f"{record.category} {record.subcategory}") is not None


# an abbreviation in the plural: "ELBs", "VMs"
PLURAL_ABBREVIATION = re.compile(r"[A-Z][A-Z0-9]+s")
# a family of operating systems: "Amazon Linux", "Oracle Linux" are distributions of their own, not Linux
OS_FAMILY = re.compile(r"(?i)linux|unix|bsd|windows(?: server)?")
# the role of one part of a system: "X Frontend", "X API", "X Database" is X's own, one of many
PART_ROLE = re.compile(r"(?:web\s+)?(?:front-?end|back-?end|api|apis|ui|web|web app|app|database|db|worker|workers|"
                       r"service|server|client|cli|cache|queue|admin|portal|gateway|proxy|scheduler|importer|exporter)",
                       re.I)


def _set_apart(mentions: list[Mention], head: str) -> bool:
    """Whether a diagram drew the name and its `head` as two boxes ("Frontend Proxy" beside "Frontend"): then they
    are two things, however the one name extends the other."""
    return any(name_key(head) == name_key(b) for m in mentions for b in m.props.get("apart_from", ()))


def _canonical_name(members: list[str], ms: list[Mention], curated: CuratedAliases, etype: str,
                    display: dict[str, str]) -> str:
    member_set = set(members)
    for canonical, _aliases, ctype in curated.groups:
        if ctype == etype and name_key(canonical) in member_set:
            return canonical
    strong = [m for m in ms if m.strength >= 2] or ms
    if strong:
        # the longest strong name that is not an abbreviation of another: "External Secrets Operator", not "ESO"
        names = sorted({m.name for m in strong}, key=lambda n: (-int(any(c.islower() for c in n)), len(n), n))
        return names[0]
    return display.get(min(members), min(members))


def choose_label(ent: Entity, surface: Counter[str], makers: frozenset[str] = frozenset()) -> str:
    """The name the docs write most often for an entity.

    Full names beat their abbreviations when the docs write both ("External Secrets Operator", not
    "ESO"); a name beats its own extensions ("AWS", not "AWS Activate") and itself behind its maker's
    name ("R2", not "Cloudflare R2", when Cloudflare is a vendor); cased beats lower case.
    """
    if ent.type not in ("Component", "Vendor", "Team") or not surface:
        return ent.label
    names = {ent.label, *ent.aliases}
    lower = {n.lower() for n in names}
    seen = [s for s in surface if s.lower() in lower]
    # "AWS Activate" is a program of AWS's, "Flux v2" a version of Flux: the shorter name is the entity
    # (only a shorter name the docs capitalise: "product reviews" in prose is no name of "Product Reviews Service")
    # (but "Catalog Service" is no extension of the everyday word "Catalog" a diagram box writes: the kind of running
    # thing is part of its name, which the shorter only abbreviates)
    kind_named = ent.type == "Component"
    candidates = [s for s in seen if not any(s.lower().startswith(o.lower() + " ") and not o.islower()
                                             and not (kind_named and _named_by_kind(s, o)) for o in seen)
                  and not (kind_named and any(_named_by_kind(o, s) for o in seen))
                  and not any(s.lower().endswith(" " + o.lower()) and name_key(s[: -len(o)]) in makers for o in seen)]
    # "02.redis" is the numbered folder of Redis: the name without the number is the entity's
    plain = {name_key(n) for n in names if not ORDERING_PREFIX.match(n)}
    candidates = [s for s in candidates if not (ORDERING_PREFIX.match(s)
                                                and name_key(ORDERING_PREFIX.sub("", s)) in plain)]
    if not candidates:
        return ent.label

    def score(s: str) -> tuple[int, int, int, int, str]:
        # ("OTel" of OpenTelemetry: a short form in mixed case that takes the name's capitals)
        abbreviation = any(is_abbreviation_of(s, n) or _short_form(s, n) for n in seen if n != s)
        cased = any(c.isupper() for c in s) or "-" in s
        # "AMAZON WILL HAVE NO LIABILITY": a company's name shouted in a licence's capitals, beside its own spelling
        shouted = ent.type == "Vendor" and s.isupper() and len(s) > 3 and any(
            o.lower() == s.lower() and o[:1].isupper() and not o.isupper() for o in seen)
        return (int(abbreviation), int(shouted), -int(cased), -surface[s], s)

    best = min(candidates, key=score)
    # a defining name gives way only to one the docs write more often
    if name_key(best) == name_key(ent.label) or surface[best] > surface.get(ent.label, 0) \
            or kind_named and _named_by_kind(best, ent.label):
        return best
    return ent.label


def _short_form(short: str, name: str) -> bool:
    """A short form written in mixed case that takes the capitals of a name written as one word: "OTel" of
    "OpenTelemetry" (not "OAuth" of "Open Authorization": a name of its own)."""
    return sum(c.isupper() for c in short) >= 2 and any(c.islower() for c in short) and " " not in short + name \
        and len(short) + 4 <= len(name) and takes_capitals(short, name)


# the kind of running thing written after a name that is part of it: "Catalog Service", "Billing API"
RUNNING_KIND = frozenset("service api app application server portal ui gateway worker frontend backend".split())


def _named_by_kind(longer: str, shorter: str) -> bool:
    """Whether a name is one everyday word, no product the gazetteer knows, with a kind of running thing after it
    ("Catalog Service" of "Catalog"): the longer is the name, the one word only a way to write it ("Product Catalog"
    and "AWS" are names in their own right)."""
    from . import gazetteer

    return longer[len(shorter):].strip().lower() in RUNNING_KIND and shorter.isalpha() and not shorter.isupper() \
        and gazetteer.word_like(shorter) and gazetteer.load().get(shorter) is None


def default_alias_files() -> list[Path]:
    """The curated alias file shipped in data/."""
    from .resources import data_dir

    path = data_dir() / "aliases.toml"
    return [path] if path.exists() else []
