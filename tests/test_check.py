"""kg check: docs drift found on real and written workspaces, severities and exit codes for CI."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kg import api
from kg.check import run_checks
from kg.cli import main

DRIFT = {
    "shop/README.md": """\
        # Shop

        | Category | Technology | Purpose |
        |----------|------------|---------|
        | Apps | Orders API | takes orders |
        | Queue | Legacy Queue | old broker |

        | Decision | Value | Rationale |
        |----------|-------|-----------|
        | **Legacy Queue** | **NOT USED** | replaced last year |

        The Orders API depends on Legacy Queue for retries.

        See [the runbook](runbooks/missing.md).
        """,
    "shop/docs/adr/0001-use-rabbitmq.md": """\
        # 1. Use Orders API

        ## Status

        Superseded by ADR-2

        ## Decision

        We will use **Orders API**.
        """,
}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_drift_on_a_written_workspace(make_workspace, tmp_path: Path) -> None:
    directory = tmp_path / ".kg"
    api.build_graph([str(make_workspace(DRIFT) / "shop")], directory)
    findings = run_checks(api.open(directory, build_if_missing=False))
    by_check = {f.check: f for f in findings}
    retired = by_check["retired-but-depended-on"]
    assert retired.severity == "error" and retired.document == "shop/README.md" and retired.line == 12
    assert "Orders API dependsOn Legacy Queue" in retired.message
    assert by_check["unresolved-link"].line == 14
    assert "ADR-002" in {f.message.split()[0] for f in findings if f.check == "adr-without-document"}
    assert findings[0].severity == "error", "most severe first"
    code, out, err = run("check", "--graph-dir", str(directory))
    # in a pipe: the counts for the person on stderr, the findings tab-separated on stdout
    assert code == 1 and err.startswith("1 error, ")
    assert out.splitlines()[0] == "severity\tcheck\tdocument\tline\tmessage"
    assert out.splitlines()[1].startswith("error\tretired-but-depended-on\tshop/README.md\t12\t")
    assert run("check", "--fail-on", "never", "--graph-dir", str(directory))[0] == 0
    code, out, _ = run("check", "--check", "unresolved-link", "--format", "json", "--graph-dir", str(directory))
    assert code == 0 and {f["check"] for f in json.loads(out)} == {"unresolved-link"}
    code, _, err = run("check", "--check", "spelling", "--graph-dir", str(directory))
    assert code == 2 and "unknown check spelling" in err


def test_drift_on_the_real_corpus(corpus_kg: api.KnowledgeGraph) -> None:
    findings = run_checks(corpus_kg)
    # ADR-039 supersedes ADR-013, but SOPS stays for Terraform's bootstrap secrets (INFRASTRUCTURE_SETUP.md:15)
    assert any(f.check == "decision-not-in-force" and f.message.startswith("SOPS is in use")
               for f in findings), "ADR-039 superseded ADR-013, yet SOPS is still in use"
    unresolved_adrs = {f.message.split()[0] for f in findings if f.check == "adr-without-document"}
    assert {"ADR-008", "ADR-023", "ADR-026", "ADR-031", "ADR-032"} <= unresolved_adrs
    assert not [f for f in findings if f.severity == "error"]
