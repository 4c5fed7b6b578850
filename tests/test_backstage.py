"""The Backstage export: catalog-info.yaml entities that validate against Backstage's own entity schemas
(vendored from @backstage/catalog-model in tests/schemas/backstage) and read back into the same dependencies."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from kg import api
from kg.export import build_view, render

SCHEMAS = Path(__file__).parent / "schemas" / "backstage"
FIXTURES = Path(__file__).parent / "fixtures" / "manifests"
KIND_SCHEMAS = {"Component": "Component.v1alpha1", "Resource": "Resource.v1alpha1", "System": "System.v1alpha1",
                "Group": "Group.v1alpha1", "API": "API.v1alpha1"}
# Backstage's own name, tag and annotation-key rules (KubernetesValidatorFunctions and makeValidator in
# @backstage/catalog-model), which its JSON schemas leave to code
OBJECT_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
TAG = re.compile(r"^[a-z0-9:+#]+(\-[a-z0-9:+#]+)*$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def validators() -> dict[str, object]:
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    schemas = {p.name.removesuffix(".schema.json"): json.loads(p.read_text()) for p in SCHEMAS.glob("*.schema.json")}
    registry = Registry().with_resources((s["$id"], Resource.from_contents(s, DRAFT7)) for s in schemas.values())
    return {kind: Draft7Validator(schemas[name], registry=registry) for kind, name in KIND_SCHEMAS.items()}


def check_entities(text: str) -> list[dict]:
    """Every entity of an export, validated; returns them."""
    entities = [e for e in yaml.safe_load_all(text) if e is not None]
    by_kind = validators()
    refs = {f"{e['kind'].lower()}:default/{e['metadata']['name']}" for e in entities}
    assert len(refs) == len(entities), "names are unique per kind"
    for e in entities:
        errors = [f"{'/'.join(map(str, err.absolute_path))}: {err.message}" for err in by_kind[e["kind"]].iter_errors(e)]
        assert not errors, (e["metadata"]["name"], errors)
        name = e["metadata"]["name"]
        assert len(name) <= 63 and OBJECT_NAME.match(name), name
        assert all(len(t) <= 63 and TAG.match(t) for t in e["metadata"].get("tags", [])), e["metadata"]
        for key in e["metadata"].get("annotations", {}):
            prefix, _, suffix = key.rpartition("/")
            assert DNS_SUBDOMAIN.match(prefix) and OBJECT_NAME.match(suffix), key
        spec = e["spec"]
        # every reference names an entity of the same file
        for ref in [*spec.get("dependsOn", []), spec.get("owner"), spec.get("system")]:
            assert ref is None or ref in refs, (name, ref)
    return entities


def export(kg: api.KnowledgeGraph, **options: object) -> str:
    text = render(build_view(kg, **options), "backstage")  # type: ignore[arg-type]
    assert isinstance(text, str)
    return text


def test_the_export_of_the_sample_validates(sample: api.KnowledgeGraph) -> None:
    entities = check_entities(export(sample))
    kinds = {e["kind"] for e in entities}
    assert {"Component", "Resource", "System", "Group"} <= kinds
    # teams the docs name own what they own
    owned = [e for e in entities if e["kind"] in ("Component", "Resource") and e["spec"]["owner"] != "group:default/unassigned"]
    assert owned, "the sample's ownership table gives owners"
    assert any(e["spec"].get("dependsOn") for e in entities)


def test_the_export_of_the_real_corpus_validates(corpus: api.KnowledgeGraph) -> None:
    entities = check_entities(export(corpus))
    assert len([e for e in entities if e["kind"] in ("Component", "Resource")]) >= 20


def test_the_export_of_a_neighbourhood_validates(sample: api.KnowledgeGraph) -> None:
    entities = check_entities(export(sample, focus=["Redpanda"], depth=1))
    assert "redpanda" in {e["metadata"]["name"] for e in entities}


def test_an_export_reads_back_into_the_same_dependencies(tmp_path: Path) -> None:
    api.build_graph([str(FIXTURES / "monorepo")], tmp_path / "a")
    kg = api.open(tmp_path / "a", build_if_missing=False)
    text = export(kg)
    entities = check_entities(text)
    (tmp_path / "seed").mkdir()
    (tmp_path / "seed" / "catalog-info.yaml").write_text(text, encoding="utf-8")
    api.build_graph([str(tmp_path / "seed")], tmp_path / "b")
    seeded = api.open(tmp_path / "b", build_if_missing=False)

    def pairs(g: api.KnowledgeGraph, names: dict[str, str]) -> set[tuple[str, str]]:
        dependency = {"dependsOn", "storesDataIn", "consumesFrom", "publishesTo", "runsOn", "backsUpTo", "providedBy"}
        return {(names[r["subject"]], names[r["object"]]) for r in g.model["relations"]
                if r["predicate"] in dependency and r["subject"] in names and r["object"] in names}

    exported = {e["metadata"]["annotations"]["kg.w3id.org/id"]: e["metadata"]["name"]
                for e in entities if e["kind"] in ("Component", "Resource")}
    read_back = {seeded.find(name)["key"]: name for name in exported.values()}
    assert len(read_back) == len(exported) == len([e for e in seeded.entities.values() if e["type"] == "Component"])
    assert pairs(seeded, read_back) == pairs(kg, exported)
    assert len(pairs(kg, exported)) >= 15


def test_the_export_is_byte_stable(sample: api.KnowledgeGraph) -> None:
    assert export(sample) == export(sample)


def test_kg_export_writes_catalog_info_yaml(sample_dir: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import main

    out = tmp_path / "catalog-info.yaml"
    result = CliRunner().invoke(main, ["export", "-o", str(out), "--graph-dir", str(sample_dir)])
    assert result.exit_code == 0, result.output
    assert check_entities(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("label", ["Grafana Loki", "ArgoCD v2.9 (GitOps)", "x" * 80, "--weird--name--", "Ünïcode DB"])
def test_names_of_any_label_are_valid_backstage_names(label: str) -> None:
    from kg.export.backstage import _name

    used: dict[str, str] = {}
    first, second = _name(label, used, "a"), _name(label, used, "b")
    assert OBJECT_NAME.match(first) and OBJECT_NAME.match(second) and first != second
    assert len(first) <= 63 and len(second) <= 63
