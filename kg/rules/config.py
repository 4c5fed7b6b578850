"""Configuration in a component's document: fenced YAML, JSON, HCL or TOML that points at other components.

Service addresses (`redpanda.databases.svc:9092`, `postgres-rw.db:5432`), `host:`/`endpoint:`/`url:`
values, cert-manager issuer annotations and Helm values that name another component are what the
component is configured to reach: dependencies, with the method `config`. Only names the workspace
already knows count: a config value never invents a component.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..model import Document, Evidence, Fact, ManifestEntry, Mention
from ..names import ADDRESS_PREFIX, clean_name
from .sections import document_component
from .state import SETTING_NAME, Extraction, configuration_table, evidence_at

if TYPE_CHECKING:
    from ..resolve import Gazetteer

CONFIG_LANGS = ("yaml", "yml", "json", "hcl", "terraform", "tf", "toml", "ini", "properties", "env", "dotenv", "conf",
                "helm", "jsonc", "json5", "")
# keys whose value is where the component connects to
ADDRESS_KEY = re.compile(r"^\s*[-\"']?\s*(?:[\w.-]*?(?:host|hostname|endpoint|url|uri|address|addr|server|servers|"
                         r"brokers?|dsn|connection[_-]?string|upstream))\"?\s*[:=]\s*(?P<value>.+)$", re.I)
# manifests that route, police or watch traffic to services: they name services without needing them
NOT_A_CLIENT = re.compile(r"^\s*kind:\s*(?:DestinationRule|VirtualService|Gateway|HTTPRoute|GRPCRoute|ServiceEntry|"
                          r"NetworkPolicy|CiliumNetworkPolicy|AuthorizationPolicy|PeerAuthentication|ServiceMonitor|"
                          r"PodMonitor|PrometheusRule|Probe|HelmRepository|GitRepository|OCIRepository|Ingress|"
                          r"Certificate|ClusterIssuer|Issuer)\b", re.M)
# top-level domains: a host under one is somewhere on the internet, not a component of this platform
PUBLIC_SUFFIX = re.compile(r"\.(?:[a-z]{2}|com|org|net|io|dev|cloud|app|ai|gov|edu|info|tech|biz|co|site|online)$", re.I)
# "cert-manager.io/cluster-issuer: letsencrypt-prod": an annotation read by another component
# (labels such as "cnpg.io/cluster: pg" only select; an issuer annotation asks the issuer's controller for a certificate)
ANNOTATION = re.compile(r"^\s*[\"']?(?P<owner>[a-z0-9][a-z0-9.-]*\.[a-z]{2,})/[\w.-]*issuer[\w.-]*[\"']?\s*:", re.I)
HOST = re.compile(ADDRESS_PREFIX + r"(?P<host>[a-z0-9][a-z0-9.-]*[a-z0-9])(?::\d+)?", re.I)
# parts of a host name that say where it runs, not what it is
HOST_NOISE = re.compile(r"[-_.](?:rw|ro|r|primary|replica|master|leader|headless|svc|service|internal|cluster|"
                        r"local|default|prod|production|staging|dev|\d+)$", re.I)


def _candidates(host: str) -> list[str]:
    """Names a host may stand for, most specific first: 'cnpg-cluster-rw.db.svc' -> cnpg-cluster-rw, cnpg-cluster, cnpg."""
    first = host.split(".")[0]
    out = [first]
    name = first
    while True:
        shorter = HOST_NOISE.sub("", name)
        if shorter == name or not shorter:
            break
        out.append(shorter)
        name = shorter
    parts = first.split("-")
    out += ["-".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]
    return list(dict.fromkeys(x for x in out if len(x) >= 3))


def _targets(line_text: str) -> list[str]:
    """The names one line of configuration points at: an issuer annotation's owner, an address's host."""
    targets: list[str] = []
    a = ANNOTATION.match(line_text)
    if a:
        targets.append(a.group("owner").split(".")[0])
    m = ADDRESS_KEY.match(line_text)
    if m:
        value = m.group("value").strip().strip("\"',`")
        h = HOST.match(value)
        if h and not (PUBLIC_SUFFIX.search(h.group("host")) and "." in h.group("host")):
            targets += _candidates(h.group("host"))
    return targets


def _settings_in_prose(doc: Document) -> list[tuple[str, int, tuple[str, ...]]]:
    """Settings written in running text: "`KAFKA_BROKER=kafka:9092`", "`KAFKA_BROKER` (e.g., `kafka:9092`)"."""
    found = []
    for block in doc.blocks:
        spans = [c for c in block.code if len(c) < 200]
        for span in spans:
            if "=" in span or ": " in span:
                found.append((span, block.line, block.section))
        if len(spans) >= 2 and re.fullmatch(r"[A-Za-z_][\w.-]*", spans[0]) and block.text.startswith(spans[0]):
            for other in spans[1:]:
                if re.fullmatch(r"(?:[a-z][a-z0-9+.-]*://)?[\w.-]+:\d{2,5}(?:/\S*)?|[a-z][a-z0-9+.-]*://\S+", other):
                    found.append((f"{spans[0]}={other}", block.line, block.section))
    return found


def config_snippets(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """Addresses, endpoints and annotations in a component's configuration snippets and settings in its text."""
    whole = document_component(doc, gaz)
    lines: list[tuple[str, int, tuple[str, ...]]] = []
    # a Compose file's settings belong to its services (compose_snippets), not to the heading it is under
    # ("### Docker Compose" and "- ELASTICSEARCH_URL=http://elasticsearch:9200" under `services: search:`)
    compose = {first for _entry, first in _compose_services(doc)}
    for code in doc.code_blocks:
        if code.lang not in CONFIG_LANGS or NOT_A_CLIENT.search(code.text[:20000]) or code.line in compose:
            continue
        for offset, line_text in enumerate(code.text.splitlines()[:400]):
            # bounded: the patterns must stay linear on hostile input
            lines.append((line_text[:300], code.line + 1 + offset, code.section))
    lines += _settings_in_prose(doc)
    for line_text, line, section in lines:
        # the component the snippet's section is about, else the document's
        subject = gaz.section_subject(section) or whole
        if subject is None:
            continue
        for name in _targets(line_text):
            obj = gaz.lookup(name, "Component") or gaz.lookup(name, "Vendor")
            if obj and obj != subject:
                ev = Evidence(doc.path, line, line_text.strip(), "config")
                out.facts.append(Fact(subject, "dependsOn", obj, ev, subject_type="key", object_type="key"))
                break


# a Compose file written out in a document: top-level `services:` whose services run an image or are built
COMPOSE_SNIPPET = re.compile(r"^services:[ \t]*(?:#.*)?$(?=[\s\S]*^[ \t]+(?:image|build|depends_on):)", re.M)


def _compose_services(doc: Document) -> list[tuple[ManifestEntry, int]]:
    """The services of each Compose file a document writes out in a code block, with the line of the block's
    first line of YAML (a snippet that is not valid YAML is an example left half-written: nothing)."""
    from ..manifests import ManifestError, read_entries

    found = []
    for code in doc.code_blocks:
        if code.lang not in CONFIG_LANGS or len(code.text) > 50_000 or not COMPOSE_SNIPPET.search(code.text):
            continue
        try:
            entries = read_entries(code.text, doc.path, "compose")
        except ManifestError:
            continue
        found += [(entry, code.line) for entry in entries]
    return found


def compose_snippet_names(doc: Document, out: Extraction) -> None:
    """Each service of a Compose file in a document is a component: the image it runs when that has a name of its
    own ("queue" running rabbitmq:3 is RabbitMQ; the service's key is only its role in this file), else the
    service's name."""
    for entry, first in _compose_services(doc):
        out.mentions.append(Mention((entry.aliases or [entry.name])[0], "Component",
                                    evidence_at(doc, first + entry.line, "config"), strength=1))


def compose_snippets(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """A Compose file in a document: each service depends on what its `depends_on`, links and address settings
    name. A service built from source rather than run from an image, in a component's own document, is that
    component (`app: {build: .}` in a service's README)."""
    services = _compose_services(doc)
    if not services:
        return
    own = document_component(doc, gaz)

    def resolve(entry: ManifestEntry) -> str | None:
        if own and not entry.props.get("image"):
            return own
        for name in (*entry.aliases, entry.name):
            found = gaz.lookup(name, "Component") or gaz.lookup(name, "Vendor")
            if found:
                return found
        return None

    by_name = {entry.name: resolve(entry) for entry, _first in services}
    for entry, first in services:
        subject = by_name[entry.name]
        for link in entry.links:
            obj = by_name.get(link.target) or gaz.lookup(link.target, "Component")
            if subject and obj and obj != subject:
                out.facts.append(Fact(subject, "dependsOn", obj, evidence_at(doc, first + link.line, "config"),
                                      subject_type="key", object_type="key"))


# a setting that holds where another component is reached: "DATASET_API_URL", "KAFKA_ADDR", "VAULT_ADDR"
# (the part in front names it: DATASET_API -> "Dataset API")
ADDRESS_SETTING = re.compile(r"^\$?(?P<x>[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*?)_(?:BASE_)?(?:URL|URI|ADDR|ADDRESS|HOST|"
                             r"HOSTNAME|ENDPOINT|BROKERS|DSN)S?$")
# the words after a component's name in a setting that say which of its endpoints it is: KRATOS_ADMIN_URL, X_PUBLIC_URL
ENDPOINT_ROLE = re.compile(r"(?:_(?:ADMIN|PUBLIC|PRIVATE|INTERNAL|EXTERNAL|API|GRPC|HTTP|HTTPS|REST|SERVER|SERVICE|"
                           r"READ|WRITE|READER|WRITER))+$")
# a setting's description that says whose address it holds: "The URL of the babbage instance to use",
# "The host name for Zebedee", "Address of MongoDB"; or that leads with the name: "The Amazon DynamoDB endpoint to use"
ADDRESS_OF = re.compile(r"^(?:the\s+)?(?:base\s+)?(?:url|uri|address|host\s?name|host|endpoint)s?\s+(?:of|for)\s+"
                        r"(?:the\s+|an?\s+)?(?P<x>.+)$", re.I)
NAMED_ADDRESS = re.compile(r"^(?:the\s+)?(?P<x>[^,.;:()]{1,60}?)\s+(?:base\s+)?(?:url|uri|address|host\s?name|"
                           r"endpoint)s?\b", re.I)
# the component's own address, not another's: "BIND_ADDR", "HTTP_BIND_ADDR" (the bind address, whatever the
# prefix), "address to listen on"; its description alone may still say whose address it is ("| MONGODB_BIND_ADDR |
# Address of MongoDB |")
OWN_SETTING = re.compile(r"(?:^|_)(?:BIND|LISTEN)(?:_|$)")
# the telemetry it exports ("OTEL_EXPORTER_OTLP_ENDPOINT")
TELEMETRY_SETTING = re.compile(r"(?:^|_)(?:EXPORTER|TELEMETRY|TRACING|METRICS)(?:_|$)")
# a description of its own address, of telemetry, or of what only tests reach ("The hostname of the … server used for
# integration testing")
OWN_OR_TEST_ROW = re.compile(r"\b(?:bind|binds|listen|listens|to listen)\b|telemetry|\btrac(?:es|ing)\b|\bmetrics\b|"
                             r"\btest(?:s|ing)?\b|\bmock|\bstub|\bemulat", re.I)
DESCRIPTION_COLUMNS = ("description", "purpose", "meaning", "notes", "comment", "details")


# what may follow the known name a description leads with: "the dataset API instance to use", "the MySQL database
# writer endpoint", "Kafka brokers"; not more of a longer name ("the Dataset controller" is not the Dataset API)
NAME_TAIL = re.compile(r"^(?:\s*$|\s*[,(]|\s+(?:instances?|servers?|clusters?|database|db|brokers?|hosts?|nodes?|"
                       r"service|api|endpoints?|writer|reader|to use|that|which|used|in use|base)\b)", re.I)


def _addressed(gaz: Gazetteer, setting: str, description: str) -> str | None:
    """The component (or vendor) a settings row says is reached: the name in front of the setting's address
    suffix, else the name its description says the address is of."""
    m = ADDRESS_SETTING.match(setting)
    if m and not OWN_SETTING.search(setting):
        # DATASET_API_URL: "Dataset API"; KRATOS_ADMIN_URL: one of Kratos's endpoints
        for x in (m.group("x"), ENDPOINT_ROLE.sub("", m.group("x"))):
            key = gaz.lookup(x, "Component") or gaz.lookup(x, "Vendor")
            if key:
                return key
    for pattern in (ADDRESS_OF, NAMED_ADDRESS):
        d = pattern.match(description)
        if d is None:
            continue
        x = d.group("x")
        key = gaz.lookup(x, "Component") or gaz.lookup(x, "Vendor")
        if key:
            return key
        hits = [h for h in gaz.scan(x) if h[0] == 0 and gaz.type_of(h[2]) in ("Component", "Vendor")]
        if hits and NAME_TAIL.match(x[hits[0][1]:]):
            return hits[0][2]
    return None


# the name a description gives, up to what it says of it: "Zebedee", "the babbage instance to use" -> babbage
DESCRIBED_NAME = re.compile(r"^(?P<name>[A-Za-z][\w.-]*(?:\s+[A-Z][\w.-]*){0,3})(?=$|\s*[,(]|\s+(?:instances?|servers?|"
                            r"clusters?|service|api|to use|that|which|used|in use)\b)")


def _described_settings(doc: Document) -> list[tuple[str, str, int]]:
    """(setting, description, line) of each row of the document's settings tables that has a description."""
    rows = []
    for table in doc.tables:
        if not table.header or not configuration_table(table.header, table.rows):
            continue
        first = table.header[0]
        described = next((h for h in table.header[1:] if clean_name(h).lower() in DESCRIPTION_COLUMNS), None)
        if described is None:
            continue
        for row, line in zip(table.rows, table.row_lines):
            rows.append((clean_name(row.get(first, "")).strip("`"), clean_name(row.get(described, "")), line))
    return rows


def addressed_names(doc: Document, out: Extraction) -> None:
    """A setting that holds another's address, whose description names it as the setting does ("| ZEBEDEE_URL |
    http://localhost:8082 | The host name for Zebedee |"): that name is a component, written two ways by the one
    row. A name the setting alone gives ("FOO_URL") or the description alone ("The URL of the API") is not."""
    from ..gazetteer import is_everyday_word
    from ..names import name_key

    for setting, description, line in _described_settings(doc):
        m = ADDRESS_SETTING.match(setting)
        if m is None or OWN_SETTING.search(setting) or TELEMETRY_SETTING.search(setting) \
                or OWN_OR_TEST_ROW.search(description):
            continue
        for pattern in (ADDRESS_OF, NAMED_ADDRESS):
            d = pattern.match(description)
            named = DESCRIBED_NAME.match(d.group("x").strip()) if d else None
            if d is None or named is None:
                continue
            name = named.group("name")
            # a word in lower case is a name when a kind follows it ("the babbage instance"), not alone ("the
            # website") nor an everyday word
            kind_follows = re.match(r"\s+(?:instances?|servers?|clusters?|service|api)\b", d.group("x").strip()[len(name):],
                                    re.I) is not None
            if name_key(name) == name_key(m.group("x").replace("_", " ")) and len(name) > 2 \
                    and not (name.islower() and (is_everyday_word(name) or not kind_follows)):
                out.mentions.append(Mention(name, "Component", evidence_at(doc, line, "config")))
            break


def _settings(doc: Document) -> list[tuple[str, str, int]]:
    """(setting, description, line) of each row of the document's settings tables and of each item of a list of
    settings ("- `KRATOS_ADMIN_URL`: Kratos admin endpoints address")."""
    found = []
    for table in doc.tables:
        if not table.header or not configuration_table(table.header, table.rows):
            continue
        first = table.header[0]
        described = next((h for h in table.header[1:] if clean_name(h).lower() in DESCRIPTION_COLUMNS), None)
        for row, line in zip(table.rows, table.row_lines):
            found.append((clean_name(row.get(first, "")).strip("`"),
                          clean_name(row.get(described, "")) if described else "", line))
    for block in doc.blocks:
        m = SETTING_ITEM.match(block.text) if block.kind == "item" and block.code else None
        if m and m.group("setting") == block.code[0]:
            found.append((m.group("setting"), clean_name(m.group("description")), block.line))
    return found


# an item of a list of settings: the setting in code, then what it holds ("`HYDRA_ADMIN_URL`: Hydra admin address")
SETTING_ITEM = re.compile(r"^\s*(?P<setting>\$?[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\s*(?::|\s[-–—])\s*(?P<description>.+)$", re.S)


def settings_tables(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """A component's table or list of settings names what the component reaches: a row whose setting holds
    another's address ("| KAFKA_ADDR | localhost:9092 | A list of kafka brokers |", "| FILTER_API_URL | … | The URL
    of the filter API |", "- `OPENFGA_API_HOST`: host of the OpenFGA server") is a dependency of the document's
    component. Only names the workspace knows count."""
    own: str | None = None
    looked = False
    for setting, description, line in _settings(doc):
        if not SETTING_NAME.match(setting) or TELEMETRY_SETTING.search(setting) \
                or OWN_OR_TEST_ROW.search(description):
            continue
        if not looked:
            own, looked = document_component(doc, gaz), True
        if own is None:
            return
        obj = _addressed(gaz, setting, description)
        if obj and obj != own:
            out.facts.append(Fact(own, "dependsOn", obj, evidence_at(doc, line, "config"), subject_type="key",
                                  object_type="key"))


# keys of a component's configuration whose value is what keeps its data, or what it needs for one role: "database:
# PostgreSQL", "storage: {type: elasticsearch}", "cache: redis"
YAML_KEY = re.compile(r"^(?P<indent>\s*)(?:-\s+)?(?P<key>[\w.-]+)\s*:\s*(?P<value>[^#]*?)\s*(?:#.*)?$")
STORE_KEYS = {"database": "storesDataIn", "db": "storesDataIn", "datastore": "storesDataIn", "storage": "storesDataIn",
              "store": "storesDataIn", "persistence": "storesDataIn", "cache": "dependsOn", "broker": "dependsOn"}
KIND_KEYS = ("type", "backend", "engine", "provider", "kind", "vendor")  # "storage: {type: elasticsearch}"


def _yaml_lines(text: str) -> list[tuple[int, list[str], str, str]]:
    """(line offset, the keys above, key, value) of each `key: value` line of a YAML block, read by indentation."""
    stack: list[tuple[int, str]] = []
    out = []
    for offset, line in enumerate(text.splitlines()[:400]):
        m = YAML_KEY.match(line[:300])
        if m is None:
            continue
        indent = len(m.group("indent"))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        out.append((offset, [k for _i, k in stack], m.group("key"), m.group("value").strip("\"' ")))
        stack.append((indent, m.group("key")))
    return out


def configured_stores(doc: Document, out: Extraction, gaz: Gazetteer) -> None:
    """A YAML block that configures a component under its name ("grafana:" … "database: PostgreSQL", "jaeger:" …
    "storage: {type: elasticsearch}"): the component keeps its data in the store named (needs the cache or broker
    named). Only names the workspace knows count, for the value and for the key above."""
    for code in doc.code_blocks:
        if code.lang not in ("yaml", "yml") or NOT_A_CLIENT.search(code.text[:20000]):
            continue
        for offset, above, key, value in _yaml_lines(code.text):
            role = key.lower()
            if role in KIND_KEYS and above:
                role = above[-1].lower()
                above = above[:-1]
            relation = STORE_KEYS.get(role)
            if relation is None or not value:
                continue
            store = gaz.lookup(value, "Component")
            owner = next((found for found in (gaz.lookup(k, "Component") for k in reversed(above)) if found), None)
            if store and owner and store != owner:
                line = code.line + 1 + offset
                out.facts.append(Fact(owner, relation, store, evidence_at(doc, line, "config"), subject_type="key",
                                      object_type="key"))
