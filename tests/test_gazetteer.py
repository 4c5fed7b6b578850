"""The technology gazetteer: the shipped file is what the script derives, and its lookups find what they should."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg import gazetteer
from kg.names import is_abbreviation_of, name_key

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "derive_gazetteer.py"
LANDSCAPE = ROOT.parent / "shared" / "vocab" / "cncf-landscape.yml"
SHIPPED = ROOT / "data" / "gazetteer" / "technologies.tsv"


@pytest.fixture(scope="module")
def gz() -> gazetteer.Gazetteer:
    return gazetteer.load()


def test_shipped_file_is_what_the_script_derives(tmp_path: Path) -> None:
    if not LANDSCAPE.is_file():
        pytest.skip(f"CNCF landscape not present at {LANDSCAPE} (../shared is absent on this checkout)")
    pytest.importorskip("wordfreq", reason="wordfreq is not installed (pip install -e '.[gazetteer]')")
    pytest.importorskip("english_words", reason="english-words is not installed (pip install -e '.[gazetteer]')")
    out = tmp_path / "technologies.tsv"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(LANDSCAPE), "--output", str(out)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == SHIPPED.read_bytes(), "stale: run python scripts/derive_gazetteer.py and commit"


def test_common_word_flags_were_decided_on_one_word_forms_only() -> None:
    """is_common_word() trusts that every one-word form of a flagged row is an ordinary word; check it."""
    pytest.importorskip("wordfreq", reason="wordfreq is not installed (pip install -e '.[gazetteer]')")
    pytest.importorskip("english_words", reason="english-words is not installed (pip install -e '.[gazetteer]')")
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import derive_gazetteer
    finally:
        sys.path.remove(str(SCRIPT.parent))
    words = derive_gazetteer.Words()
    wrong = [
        (r.name, form)
        for r in gazetteer.load().records
        if r.common_word
        for form in r.names
        if re.fullmatch(r"[A-Za-z]+", form) and not words.is_common(form)
    ]
    assert wrong == []


def test_file_shape() -> None:
    lines = SHIPPED.read_text(encoding="utf-8").split("\n")
    assert lines[0].split("\t") == list(gazetteer.COLUMNS)
    assert lines[-1] == "", "ends with a newline"
    body = lines[1:-1]
    assert all(line.count("\t") == len(gazetteer.COLUMNS) - 1 for line in body)
    keys = [name_key(line.split("\t")[0]) for line in body]
    assert keys == sorted(keys), "rows sorted by folded name"
    assert len(set(keys)) == len(keys), "one row per product"
    assert all(len(line.split("\t")[-1]) <= 160 for line in body)


@pytest.mark.parametrize(
    ("name", "category", "subcategory"),
    [
        ("Keycloak", "Provisioning", "Security & Compliance"),
        ("Helm", "App Definition and Development", "Application Definition & Image Build"),
        ("PostgreSQL", "App Definition and Development", "Database"),
        ("Jenkins", "App Definition and Development", "Continuous Integration & Delivery"),
        ("Kubernetes", "Orchestration & Management", "Scheduling & Orchestration"),
        ("Harbor", "Provisioning", "Container Registry"),  # the first listing wins over "Harbor (Wasm)"
    ],
)
def test_known_rows(gz: gazetteer.Gazetteer, name: str, category: str, subcategory: str) -> None:
    record = gz.get(name)
    assert record is not None and record.name == name
    assert (record.category, record.subcategory) == (category, subcategory)
    assert gz.category_of(name.lower()) == category


def test_lookup_folds_case_and_punctuation(gz: gazetteer.Gazetteer) -> None:
    assert gz.get("cert manager") is gz.get("cert-manager") is gz.get("Cert-Manager")
    assert gz.get("cert-manager") is not None
    assert "KEYCLOAK" in gz and "No Such Product 42" not in gz
    assert gz.get("No Such Product 42") is None and gz.category_of("No Such Product 42") is None


def test_parenthesised_abbreviations_become_aliases(gz: gazetteer.Gazetteer) -> None:
    ecs = gz.get("Amazon Elastic Container Service")
    assert ecs is not None
    assert {"ECS", "Amazon ECS", "AWS ECS"} <= set(ecs.aliases)
    assert gz.get("ECS") is ecs and gz.get("aws ecs") is ecs
    assert gz.get("OPA") is gz.get("Open Policy Agent") is not None
    assert gz.get("TGI") is gz.get("text-generation-inference") is not None


def test_variant_parentheses_are_merged_not_aliased(gz: gazetteer.Gazetteer) -> None:
    names = {r.name for r in gz.records}
    assert not any("(" in n for n in names), "no '(Wasm)', '(ECS)', '(member)' left in names"
    harbor = gz.get("Harbor")
    assert harbor is not None and "Wasm" not in " ".join(harbor.aliases)


def test_maker_prefix_rules(gz: gazetteer.Gazetteer) -> None:
    loki = gz.get("Grafana Loki")
    assert loki is not None and "Loki" in loki.aliases
    assert gz.get("Loki") is loki
    # "Kafka" is listed on kafka.apache.org, where the other names say "Apache ...".
    kafka = gz.get("Kafka")
    assert kafka is not None and "Apache Kafka" in kafka.aliases
    # "Apache Flink" and "Flink" are one product, listed twice.
    assert gz.get("Apache Flink") is gz.get("Flink") is not None
    # a generic rest of a name is no alias: "Kubernetes Dashboard" gives no "Dashboard" and so on.
    for generic in ("Dashboard", "Linux", "Runtime", "Gateway", "Functions", "Kubernetes Service"):
        assert gz.get(generic) is None, generic


def test_repository_names_that_differ_by_punctuation_are_aliases(gz: gazetteer.Gazetteer) -> None:
    crew = gz.get("Crew AI")
    assert crew is not None and "crewAI" in crew.aliases
    # a case-only spelling would defeat the capitalisation test of common words
    harbor = gz.get("Harbor")
    assert harbor is not None and "harbor" not in harbor.aliases


def test_a_repository_name_that_shortens_a_one_word_name_is_an_alias(gz: gazetteer.Gazetteer) -> None:
    # github.com/postgres/postgres: "Postgres", as people write PostgreSQL; not an ordinary word ("Mongo" of
    # mongodb/mongo would make MongoDB's every form a common word), nor a phrase's first word ("Selenium Grid")
    assert gz.get("Postgres").name == "PostgreSQL"
    assert gz.get("Mongo") is None
    assert gz.get("Selenium") is None or gz.get("Selenium").name != "Selenium Grid"


def test_ambiguous_abbreviations_are_dropped_but_keep_their_maker_forms(gz: gazetteer.Gazetteer) -> None:
    # EKS abbreviates Amazon's and EasyStack's Kubernetes services
    assert gz.lookup("EKS") == ()
    amazon = gz.get("Amazon EKS")
    assert amazon is not None and amazon.name.startswith("Amazon Elastic")


def test_members_and_service_providers_are_absent(gz: gazetteer.Gazetteer) -> None:
    categories = {r.category for r in gz.records}
    assert "CNCF Members" not in categories and "Special" not in categories
    assert not any(r.name.lower().endswith("(member)") for r in gz.records)
    for company in ("Upbound", "Omnistrate", "Kloudfuse", "Amazon Web Services"):
        assert gz.get(company) is None, company


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://www.keycloak.org", "Keycloak"),
        ("https://www.keycloak.org/docs/latest/server_admin/", "Keycloak"),
        ("https://github.com/helm/helm/tree/main", "Helm"),
        ("https://github.com/Helm/helm.git", "Helm"),
        ("http://helm.sh", "Helm"),
        ("https://github.com/grafana/loki/blob/main/README.md", "Grafana Loki"),
        ("https://aws.amazon.com/ecs/?nc=sn#top", "Amazon Elastic Container Service"),
        ("https://kubernetes.io/docs/home/", "Kubernetes"),
    ],
)
def test_by_url(gz: gazetteer.Gazetteer, url: str, name: str) -> None:
    record = gz.by_url(url)
    assert record is not None and record.name == name


def test_by_url_misses(gz: gazetteer.Gazetteer) -> None:
    assert gz.by_url("https://example.org/") is None
    assert gz.by_url("https://github.com/") is None
    assert gz.by_url("https://github.com/helm") is None, "an org is not its repositories"
    assert gz.by_url("https://aws.amazon.com/ecsx") is None, "path prefixes match whole segments"
    assert gz.by_url("mailto:someone@keycloak.org") is None
    assert gz.by_url("../docs/architecture.md") is None
    # one homepage for three products, none named by it: ambiguous, so no answer (but all candidates are there)
    assert gz.by_url("https://quantumcns.ai/") is None
    assert len(gz.all_by_url("https://quantumcns.ai/pricing")) == 3


def test_by_url_prefers_the_product_a_shared_place_is_named_after(gz: gazetteer.Gazetteer) -> None:
    assert {r.name for r in gz.all_by_url("https://github.com/apache/hadoop")} == {"Apache Hadoop", "Hadoop HDFS"}
    hadoop = gz.by_url("https://github.com/apache/hadoop")
    assert hadoop is not None and hadoop.name == "Apache Hadoop"
    compose = gz.by_url("https://github.com/docker/compose")
    assert compose is not None and compose.name == "Docker Compose"
    volcano = gz.by_url("https://volcano.sh/en/docs/")
    assert volcano is not None and volcano.name == "Volcano"


def test_homepage_hosts(gz: gazetteer.Gazetteer) -> None:
    hosts = gz.homepage_hosts()
    assert {"keycloak.org", "helm.sh", "kubernetes.io"} <= hosts
    assert not any(h.startswith("www.") for h in hosts)


@pytest.mark.parametrize("name", ["Flux", "Harbor", "Temporal", "Apollo", "Bub", "Helm", "flux", "Tempo", "Spark"])
def test_common_words(gz: gazetteer.Gazetteer, name: str) -> None:
    assert gz.is_common_word(name)


@pytest.mark.parametrize(
    "name", ["Kubernetes", "PostgreSQL", "Keycloak", "Jenkins", "Grafana Tempo", "Grafana Loki", "Loki", "Nothing Here"]
)
def test_not_common_words(gz: gazetteer.Gazetteer, name: str) -> None:
    assert not gz.is_common_word(name)


def test_parse_rejects_a_wrong_file() -> None:
    with pytest.raises(gazetteer.GazetteerError, match="header"):
        gazetteer.parse("name\tcategory\n")
    header = "\t".join(gazetteer.COLUMNS)
    with pytest.raises(gazetteer.GazetteerError, match=":2: 2 fields"):
        gazetteer.parse(f"{header}\nX\tY\n")
    with pytest.raises(gazetteer.GazetteerError, match="cannot read"):
        gazetteer.read(Path("/nonexistent/technologies.tsv"))


def test_load_is_cached_and_fast() -> None:
    gazetteer.load.cache_clear()
    start = time.perf_counter()
    gz = gazetteer.load()
    gz.get("Helm"), gz.by_url("https://helm.sh"), gz.homepage_hosts()  # build every index
    elapsed = time.perf_counter() - start
    assert gazetteer.load() is gz
    assert len(gz) > 1000
    # measured at about 10 ms; the bound is loose so a busy CI machine does not fail it
    assert elapsed < 0.5, f"loading the gazetteer took {elapsed * 1000:.0f} ms"


def test_shipped_word_list_is_what_the_script_derives(tmp_path: Path) -> None:
    pytest.importorskip("wordfreq", reason="wordfreq is not installed (pip install -e '.[gazetteer]')")
    pytest.importorskip("english_words", reason="english-words is not installed (pip install -e '.[gazetteer]')")
    out = tmp_path / "common-english.txt"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "derive_common_words.py"), str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    shipped = ROOT / "data" / "words" / "common-english.txt"
    assert out.read_bytes() == shipped.read_bytes(), "stale: run python scripts/derive_common_words.py and commit"


def test_everyday_words_are_not_product_names() -> None:
    assert all(gazetteer.is_everyday_word(w) for w in ("Primary", "Sessions", "Manual", "replica", "Bucket"))
    assert not any(gazetteer.is_everyday_word(w) for w in ("Gitea", "Debezium", "Keycloak", "MinIO", "K3s", "Redpanda"))


@pytest.mark.parametrize(("short", "long", "abbreviates"), [
    ("KMS", "AWS Key Management Service", True),
    ("PRSDB", "Private Rented Sector Database", True),  # a compound word gives two letters: Database, DB
    ("RDS", "Relational Database Service", True),
    ("PRSD", "Private Rented Sector Database", True),
    ("PCUI", "AWS ParallelCluster UI", True),  # the capitals of the words after a maker's name
    ("MVC", "Play MVC", False),  # a word of the name is no abbreviation of it
    ("PRSDBX", "Private Rented Sector Database", False),
    ("DBS", "Database", False),
])
def test_abbreviations_by_initials(short: str, long: str, abbreviates: bool) -> None:
    assert is_abbreviation_of(short, long) is abbreviates
