"""The PlantUML (C4) and Structurizr DSL exports, read back by the tools' own parsers.

PlantUML checks its own syntax (`plantuml -syntax`, Debian's plantuml package, which has the C4 library);
the Structurizr DSL is read by structurizr-parser (npm), walked for what it declares and relates. Both are
installed by .ci/run; each test skips with the reason when its tool is absent.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kg import api
from kg.export import build_view, render
from kg.export.c4 import C4_TYPES

ROOT = Path(__file__).resolve().parents[1]
CHECKER = Path(__file__).resolve().parent / "tools" / "structurizr_check.js"
VIEWS = [{}, {"focus": ["Redpanda"], "depth": 2}, {"focus": ["MinIO"], "relations": ["all"]}]


def plantuml_syntax(text: str, tmp_path: Path) -> list[str]:
    """What `plantuml -syntax` says of a diagram: its kind and size, or ERROR, the line and the message."""
    if shutil.which("plantuml") is None:
        pytest.skip("PlantUML is not installed (apt-get install plantuml; .ci/run installs it)")
    done = subprocess.run(["plantuml", "-syntax"], input=text, capture_output=True, text=True, timeout=120)
    return done.stdout.strip().splitlines()


def node_modules() -> Path:
    for candidate in (os.environ.get("KG_NODE_MODULES"), ROOT / ".ci-node" / "node_modules",
                      Path(__file__).resolve().parent / "tools" / "node_modules"):
        if candidate and (Path(candidate) / "structurizr-parser").is_dir():
            return Path(candidate)
    pytest.skip("structurizr-parser is not installed (npm install --prefix .ci-node structurizr-parser@0.3.0; "
                ".ci/run installs it)")


def structurizr_check(text: str, tmp_path: Path) -> dict:
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed (apt-get install nodejs)")
    modules = node_modules()
    path = tmp_path / "workspace.dsl"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(["node", str(CHECKER), str(path)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NODE_PATH": str(modules)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def graphs(sample: api.KnowledgeGraph, request: pytest.FixtureRequest) -> list[api.KnowledgeGraph]:
    out = [sample]
    from conftest import CORPUS

    if CORPUS.is_dir():
        out.append(request.getfixturevalue("corpus_kg"))
    return out


@pytest.mark.parametrize("options", VIEWS, ids=["platform", "redpanda", "minio-all"])
def test_plantuml_reads_every_element(sample: api.KnowledgeGraph, request: pytest.FixtureRequest, tmp_path: Path,
                                      options: dict) -> None:
    for kg in graphs(sample, request):
        view = build_view(kg, **options)
        text = render(view, "plantuml")
        assert isinstance(text, str)
        said = plantuml_syntax(text, tmp_path)
        elements = sum(1 for n in view.nodes if n.type in C4_TYPES)
        assert said == ["DESCRIPTION", f"({elements} entities)"], said
        if any(n.type not in C4_TYPES for n in view.nodes):
            assert "' left out (no C4 element):" in text


def test_plantuml_check_catches_a_broken_diagram(sample: api.KnowledgeGraph, tmp_path: Path) -> None:
    text = str(render(build_view(sample, ["Redpanda"], depth=1), "plantuml"))
    broken = text.replace("Rel(", "Rel((", 1)
    said = plantuml_syntax(broken, tmp_path)
    assert said[0] == "ERROR", said


@pytest.mark.parametrize("options", VIEWS, ids=["platform", "redpanda", "minio-all"])
def test_structurizr_parser_reads_every_element_and_relationship(sample: api.KnowledgeGraph,
                                                                 request: pytest.FixtureRequest, tmp_path: Path,
                                                                 options: dict) -> None:
    for kg in graphs(sample, request):
        view = build_view(kg, **options)
        found = structurizr_check(str(render(view, "structurizr")), tmp_path)
        assert found["errors"] == [] and found["undeclared"] == []
        kept = {n.id for n in view.nodes if n.type in C4_TYPES}
        kinds = sorted(found["elements"].values())
        assert kinds.count("container") == sum(1 for n in view.nodes if n.type in ("Component", "Group"))
        assert kinds.count("softwareSystem") == 1 + sum(1 for n in view.nodes if n.type == "Vendor")
        assert kinds.count("person") == sum(1 for n in view.nodes if n.type == "Team")
        assert found["relationships"] == sum(1 for e in view.edges if e.source in kept and e.target in kept)


def test_structurizr_check_catches_a_broken_workspace(sample: api.KnowledgeGraph, tmp_path: Path) -> None:
    text = str(render(build_view(sample, ["Redpanda"], depth=1), "structurizr"))
    assert structurizr_check(text.replace(" -> ", " => ", 1), tmp_path)["errors"]
    first = text.index(" -> ")
    start = text.rindex("\n", 0, first) + 1
    assert structurizr_check(text[:start] + "        nowhere_1" + text[text.index(" -> ", start):], tmp_path)[
        "undeclared"] == ["nowhere_1"]
