"""Manifests beside the docs: Helm charts, Flux objects, Backstage entities and depends lists become relations
with evidence (file, line, method manifest), tied to the components the READMEs describe."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from kg.api import KnowledgeGraph
from kg.build import build
from kg.manifests import MAX_NODES, load_yaml, manifest_format, parse_manifest
from kg.store import model_of

FIXTURES = Path(__file__).parent / "fixtures" / "manifests"


def graph_of(*paths: Path) -> tuple[KnowledgeGraph, list[str]]:
    result = build([str(p) for p in paths])
    return KnowledgeGraph(model_of(result)), result.warnings


def _line_of(lines: list[str], start: int, name: str) -> int:
    """The first line at or after `start` (1-based) that holds `name`: where a reader finds the declaration."""
    for n in range(start, len(lines) + 1):
        if name in lines[n - 1]:
            return n
    raise AssertionError(f"{name} not found after line {start}")


def declared_dependencies(root: Path) -> list[tuple[str, str, str, int]]:
    """(manifest path in the graph, subject name, target name, line) of every dependency the monorepo's manifests
    declare, read with PyYAML here, independently of kg's own reader."""
    found = []
    for path in sorted(root.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        rel = f"{root.name}/{path.relative_to(root).as_posix()}"
        for doc in yaml.safe_load_all(text):
            if not isinstance(doc, dict):
                continue
            spec = doc.get("spec") or {}
            if path.name == "Chart.yaml":
                subject, targets = doc["name"], [d["name"] for d in doc.get("dependencies") or []]
            elif "fluxcd.io" in str(doc.get("apiVersion")):
                subject, targets = doc["metadata"]["name"], [d["name"] for d in spec.get("dependsOn") or []]
            elif spec.get("depends") or doc.get("depends"):
                subject = (doc.get("metadata") or {}).get("name") or doc.get("name")
                items = spec.get("depends") or doc.get("depends")
                targets = [i if isinstance(i, str) else next(iter(i.values())) for i in items]
            else:
                continue
            at = 1
            for target in targets:
                at = _line_of(lines, at, target)
                found.append((rel, subject, target, at))
                at += 1
    return found


@pytest.fixture(scope="module")
def monorepo() -> tuple[KnowledgeGraph, list[str]]:
    return graph_of(FIXTURES / "monorepo")


def test_every_dependency_the_manifests_declare_is_in_the_graph_with_its_evidence(monorepo) -> None:
    kg, _ = monorepo
    declared = declared_dependencies(FIXTURES / "monorepo")
    assert len(declared) == 15
    dependency = {"dependsOn", "storesDataIn", "consumesFrom", "publishesTo", "runsOn", "backsUpTo"}
    missing = []
    for document, subject, target, line in declared:
        s, o = kg.find(subject)["key"], kg.find(target)["key"]
        evidence = [ev for rel in kg.out_edges.get(s, []) if rel["object"] == o and rel["predicate"] in dependency
                    for ev in rel["evidence"]]
        if not any(ev["document"] == document and ev["line"] == line and ev["method"] == "manifest"
                   for ev in evidence):
            missing.append(f"{subject} -> {target} ({document}:{line})")
    assert not missing, missing


def test_a_manifest_is_tied_to_the_component_its_readme_describes(monorepo) -> None:
    kg, _ = monorepo
    # bp-cnpg (blueprint), cnpg (a Helm dependency) and the README's CloudNativePG (CNPG) are one component
    for name in ("bp-cnpg", "cnpg", "CNPG"):
        assert kg.find(name)["label"] == "CloudNativePG"
    assert kg.find("bp-kafka-connect")["label"] == "Kafka Connect"
    described = {rel["object"] for rel in kg.model["relations"] if rel["predicate"] == "describes"
                 and rel["subject"].startswith("document/") and rel["subject"].endswith("yaml")}
    assert described == {kg.find(n)["key"] for n in ("CloudNativePG", "MinIO", "cert-manager", "Valkey", "Gitea",
                                                     "Redpanda", "Debezium", "Kafka Connect", "Harbor")}
    gitea = kg.show("Gitea")
    assert gitea["status"] == "in use"


def test_yaml_that_is_no_manifest_is_left_out_without_a_warning(monorepo) -> None:
    kg, warnings = monorepo
    paths = {d["path"] for d in kg.model["documents"]}
    assert "monorepo/blueprints/keda/values.yaml" not in paths
    assert "monorepo/blueprints/gitea/Chart.yaml" in paths
    assert not any("values.yaml" in w for w in warnings)
    kinds = {d["path"]: d["kind"] for d in kg.model["documents"]}
    assert kinds["monorepo/blueprints/redpanda/helmrelease.yaml"] == "manifest"


def test_a_backstage_catalog_alone_builds(tmp_path: Path) -> None:
    kg, warnings = graph_of(FIXTURES / "catalog")
    assert not warnings
    orders = kg.find("orders-service")
    assert kg.find("Orders Service")["key"] == orders["key"]
    assert orders["props"]["system"] == "payments" and orders["props"]["lifecycle"] == "production"
    out = {(r["predicate"], kg.entities[r["object"]]["label"]) for r in kg.out_edges[orders["key"]]}
    # dependsOn, consumesApis and the owner; the API it provides depends on it
    assert {("dependsOn", "orders-db"), ("dependsOn", "payments-gateway"), ("dependsOn", "payments-api"),
            ("ownedBy", "team-payments")} <= out
    assert any(r["subject"] == kg.find("orders-api")["key"] and r["predicate"] == "dependsOn"
               for r in kg.in_edges[orders["key"]])
    assert kg.find("Payments Team")["type"] == "Team"
    assert kg.find("orders-api")["props"]["category"] == "API"
    assert kg.find("orders-db")["props"]["category"] == "database"
    # what fails with payments-gateway: the API it provides, and through it the orders service
    dependents = {r.label for r in kg.impact("payments-gateway").results}
    assert {"payments-api", "orders-service"} <= dependents


def test_a_broken_manifest_is_a_warning_naming_its_line_and_the_rest_still_builds(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(FIXTURES / "monorepo", root)
    (root / "blueprints" / "gitea" / "Chart.yaml").write_text(
        "apiVersion: v2\nname: gitea\ndependencies:\n  - name: cnpg\n   version: [1\n", encoding="utf-8")
    kg, warnings = graph_of(root)
    broken = [w for w in warnings if w.startswith("ws/blueprints/gitea/Chart.yaml:")]
    assert len(broken) == 1 and "not valid YAML" in broken[0] and ":5:" in broken[0], warnings
    assert kg.find("bp-cnpg")["label"] == "CloudNativePG"
    redpanda = kg.find("Redpanda")["key"]
    assert any(kg.entities[r["object"]]["label"] == "MinIO" for r in kg.out_edges[redpanda])


def test_the_formats_a_file_may_hold() -> None:
    assert manifest_format("x/Chart.yaml", "name: x") == "helm"
    assert manifest_format("x/catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component") == "backstage"
    assert manifest_format("x/apps.yaml", "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization") == "flux"
    assert manifest_format("x/bp.yaml", "spec:\n  depends:\n    - a") == "generic"
    assert manifest_format("x/values.yaml", "replicas: 2\nimage: nginx") == ""
    # a Kustomization that is not Flux's (kustomize's own kustomization.yaml) names no dependencies
    assert manifest_format("x/kustomization.yaml", "kind: Kustomization\nresources: [a.yaml]") == ""


def test_lines_are_kept_for_every_name() -> None:
    doc = parse_manifest("name: debezium\ndepends:\n  - cnpg\n  - {blueprint: bp-redpanda, version: 2}\n",
                         "ws/debezium/component.yaml", "ws")
    assert doc is not None and doc.kind == "manifest"
    [entry] = doc.manifests
    assert (entry.name, entry.line) == ("debezium", 1)
    assert [(lk.target, lk.line) for lk in entry.links] == [("cnpg", 3), ("bp-redpanda", 4)]


def test_a_depends_list_without_a_name_is_named_by_its_folder() -> None:
    doc = parse_manifest("spec:\n  depends: [minio]\n", "ws/platform/loki/blueprint.yaml", "ws")
    assert doc is not None and doc.manifests[0].name == "loki"
    # Helm 2's requirements.yaml names no chart either: its folder is the chart
    doc = parse_manifest("dependencies:\n  - name: redis\n    version: 17.0.0\n", "ws/charts/gitlab/requirements.yaml",
                         "ws")
    assert doc is not None and [(e.name, [lk.target for lk in e.links]) for e in doc.manifests] == [("gitlab", ["redis"])]


def test_anchors_that_expand_without_end_are_cut_off() -> None:
    # a "billion laughs": nine levels of ten aliases each would be 10^9 nodes
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 10):
        prev = f"*a{n - 1}"
        lines.append(f"a{n}: &a{n} [{', '.join([prev] * 10)}]")
    lines.append("depends: *a9")
    text = "\n".join(lines) + "\n"
    doc = parse_manifest(text, "ws/x/bomb.yaml", "ws")
    assert doc is not None and not doc.manifests
    assert len(doc.warnings) == 1 and f"more than {MAX_NODES:,} YAML nodes" in doc.warnings[0]


def test_deep_nesting_and_unsafe_tags_are_refused() -> None:
    for levels, said in ((100, "nested deeper than 64 levels"), (5000, "nesting depth")):
        deep = "depends: " + "[" * levels + "]" * levels + "\n"
        doc = parse_manifest(deep, "ws/x/deep.yaml", "ws")
        assert doc is not None and not doc.manifests and said in doc.warnings[0], doc.warnings
    # the safe loader builds no objects: a python tag is only text
    data = load_yaml("depends: [!!python/object/apply:os.system ['echo pwned']]\n")
    assert data[0]["depends"][0] == ["echo pwned"]


def test_a_helm_template_is_no_manifest() -> None:
    text = "name: {{ .Chart.Name }}\ndepends:\n  {{- range .Values.deps }}\n  - {{ . }}\n  {{- end }}\n"
    assert parse_manifest(text, "ws/chart/templates/deps.yaml", "ws") is None


# ---------------------------------------------------------------- drift


def test_drift_lists_what_the_manifests_declare_and_the_readmes_do_not_state(monorepo) -> None:
    from kg.check import run_checks

    kg, _ = monorepo
    findings = run_checks(kg, ["docs-manifest-drift"])
    declared = {(document, line): (subject, target)
                for document, subject, target, line in declared_dependencies(FIXTURES / "monorepo")}
    manifest_only = {declared[(f.document, f.line)] for f in findings if (f.document, f.line) in declared}
    docs_only = [f for f in findings if (f.document, f.line) not in declared]
    # what the READMEs state (written so): CNPG needs MinIO, Gitea CNPG and Valkey, Redpanda MinIO,
    # Debezium Redpanda, Harbor MinIO; every other declared dependency is drift
    stated = {("bp-cnpg", "bp-minio"), ("gitea", "cnpg"), ("gitea", "valkey"), ("redpanda", "minio"),
              ("debezium", "redpanda"), ("bp-harbor", "bp-minio")}
    assert manifest_only == {pair for pair in declared.values() if pair not in stated}
    assert len(manifest_only) == 9
    # the README names CNPG ("reads the WAL of CNPG") without a dependency kg reads: said in the message
    [debezium] = [f for f in findings if declared.get((f.document, f.line)) == ("debezium", "cnpg")]
    assert "README.md names CloudNativePG but states no dependency" in debezium.message
    # and the reverse: Harbor's README says it uses Valkey; its blueprint does not declare it
    assert [(f.document, f.line) for f in docs_only] == [("monorepo/blueprints/harbor/README.md", 3)]
    assert "Harbor depends on Valkey" in docs_only[0].message
    assert docs_only[0].related[0].document == "monorepo/blueprints/harbor/blueprint.yaml"


def test_the_drift_query_lists_the_same_as_the_check(tmp_path: Path) -> None:
    from kg import api

    directory = tmp_path / ".kg"
    api.build_graph([str(FIXTURES / "monorepo")], directory)
    kg = api.open(directory, build_if_missing=False)
    rows = kg.query("drift")
    from_query = sorted(zip(rows["path"], rows["line"].astype(int)))
    from_check = sorted((f.document, f.line) for f in kg.check(["docs-manifest-drift"]))
    assert from_query == from_check and len(from_query) == 10
    harbor = kg.query("drift", component="Harbor")
    assert set(harbor["side"]) == {"docs only", "manifest only"} and len(harbor) == 2


def test_docs_without_manifests_have_no_drift(sample) -> None:
    assert sample.check(["docs-manifest-drift"]) == []


def test_manifests_are_cached_like_documents_and_build_the_same_graph_twice(tmp_path: Path) -> None:
    from kg import api, store

    first = api.build_graph([str(FIXTURES / "monorepo")], tmp_path / ".kg")
    model = store.load_model(tmp_path / ".kg")
    graph = store.ntriples_path(tmp_path / ".kg").read_bytes()
    second = api.build_graph([str(FIXTURES / "monorepo")], tmp_path / ".kg")
    # 11 READMEs and 9 manifests; values.yaml is no source
    assert first["parsed"] == 20 and second["parsed"] == 0 and second["reused"] == 20
    assert store.load_model(tmp_path / ".kg") == model
    assert store.ntriples_path(tmp_path / ".kg").read_bytes() == graph


COMPOSE = """\
services:
  api:
    build: ./api
    depends_on:
      - db
      - cache
    links:
      - "search:es"
  worker:
    image: ghcr.io/acme/shop:1.4
    depends_on:
      db:
        condition: service_healthy
  web:
    image: ghcr.io/acme/shop:1.4
  db:
    image: postgres:16-alpine
  cache:
    image: docker.io/library/redis@sha256:abc
  search:
    image: docker.elastic.co/elasticsearch/elasticsearch:8.14.0
"""


def test_a_compose_file_declares_its_services_images_and_dependencies(tmp_path: Path) -> None:
    assert manifest_format("ops/docker-compose.prod.yml", "services: {}") == "compose"
    assert manifest_format("ops/stack.yaml", COMPOSE) == "compose"  # Compose's own depends_on says so
    assert manifest_format("chart/values.yaml", "services:\n  api:\n    image: nginx\n") == ""
    doc = parse_manifest(COMPOSE, "ws/compose.yaml", "ws")
    assert doc is not None
    got = {e.name: (e.line, e.aliases, [(lk.target, lk.line) for lk in e.links]) for e in doc.manifests}
    assert got["api"] == (2, [], [("db", 5), ("cache", 6), ("search", 8)])
    assert got["worker"] == (9, [], [("db", 12)])  # an image two services run names neither
    assert got["db"][1] == ["postgres"] and got["cache"][1] == ["redis"] and got["search"][1] == ["elasticsearch"]
    # built: the service that runs PostgreSQL is PostgreSQL here, so what needs it needs PostgreSQL
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "compose.yaml").write_text(COMPOSE, encoding="utf-8")
    (tmp_path / "ws" / "README.md").write_text("# Shop\n\nOrders are kept in PostgreSQL.\n", encoding="utf-8")
    kg, warnings = graph_of(tmp_path / "ws")
    assert not warnings
    assert {r.label for r in kg.impact("PostgreSQL").results} >= {"api", "worker"}
    assert "api" in {r.label for r in kg.impact("Redis").results}


def test_a_compose_setting_that_holds_another_service_s_address_is_a_dependency(tmp_path: Path) -> None:
    compose = ("services:\n  frontend:\n    image: frontend\n    environment:\n"
               "      - PRODUCT_CATALOG_SERVICE_ADDR=productcatalogservice:3550\n"
               "      - CART_SERVICE_ADDR=cartservice:7070\n      - ENABLE_PROFILER=0\n"
               "  cartservice:\n    image: cartservice\n    environment:\n      REDIS_ADDR: \"redis-cart:6379\"\n"
               "      UPSTREAM_URL: https://api.example.com/v1\n      LOG_LEVEL: cartservice\n"
               "  productcatalogservice:\n    image: productcatalogservice\n  redis-cart:\n    image: redis:alpine\n")
    doc = parse_manifest(compose, "ws/docker-compose.yml", "ws")
    assert doc is not None
    got = {e.name: [(lk.target, lk.line) for lk in e.links] for e in doc.manifests}
    assert got["frontend"] == [("productcatalogservice", 5), ("cartservice", 6)]
    # an address setting names a service; LOG_LEVEL does not; one outside the file is an address the rules
    # resolve only to a component the workspace knows
    assert got["cartservice"] == [("redis-cart", 11), ("api.example.com", 12)]
    kinds = {lk.target: lk.target_kind for e in doc.manifests for lk in e.links}
    assert kinds["redis-cart"] == "service" and kinds["api.example.com"] == "address"
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "docker-compose.yml").write_text(compose, encoding="utf-8")
    kg, _warnings = graph_of(tmp_path / "ws")
    assert {r.label for r in kg.impact("cartservice").results} == {"frontend"}


def test_a_compose_service_run_from_a_stock_image_is_that_technology(tmp_path: Path) -> None:
    """Each repository's Compose file names its own Redis container: the container is Redis, not a component of its
    own, and one repository's container is never another's alias. A setting's `${VAR:-default}` is its value, and an
    address outside the file reaches a service another repository runs."""
    ws = tmp_path / "ws"
    for repo, extra in (("pay-web", "      PAYMENTS_ENDPOINT: http://pay-processing:3008\n"), ("pay-hub", "")):
        (ws / repo).mkdir(parents=True)
        (ws / repo / "README.md").write_text(f"# {repo}\n\nThis service handles payments.\n", encoding="utf-8")
        (ws / repo / "docker-compose.yaml").write_text(
            f"services:\n  {repo}:\n    build: .\n    depends_on:\n      - {repo}-redis\n    environment:\n"
            f"      REDIS_HOST: ${{REDIS_HOST:-{repo}-redis}}\n{extra}  {repo}-redis:\n    image: redis:7\n",
            encoding="utf-8")
    (ws / "pay-processing").mkdir()
    (ws / "pay-processing" / "README.md").write_text("# pay-processing\n\nThis service processes payments.\n",
                                                     encoding="utf-8")
    kg, _warnings = graph_of(ws)
    assert {r.label for r in kg.impact("Redis").results} >= {"pay-web", "pay-hub"}
    assert not [e for e in kg.entities.values() if e["label"].endswith("-redis")], "a container is no component"
    assert "pay-web" in {r.label for r in kg.impact("pay-processing").results}, "an address another repo serves"
