"""Output escaping: names from documents cannot run formulas in spreadsheets, open HTML in Markdown, drive the
terminal with escape sequences, or forge a line of kg's own output."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import api
from kg.cli import main
from kg.escape import csv_cell, markdown_cell, terminal

HOSTILE = ["=1+1", "@SUM(A1)", "+cmd", "<script>alert(1)</script>", "\x1b]0;pwned\x07Evil", "\x9b31mRed"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A graph whose components are named to attack outputs, and the stderr of its build."""
    root = tmp_path_factory.mktemp("hostile") / "shop"
    root.mkdir()
    rows = "".join(f"| {name} | Redpanda |\n" for name in HOSTILE)
    (root / "README.md").write_text(f"# Shop\n\n| Service | Depends on |\n|---|---|\n{rows}", encoding="utf-8")
    (root / "bad\nkg: warning: forged.md").write_bytes(b"\xff\xfe not UTF-8")
    directory = root.parent / ".kg"
    result = CliRunner().invoke(main, ["build", str(root), "--graph-dir", str(directory)], catch_exceptions=False)
    assert result.exit_code == 0
    return directory, result.stderr


def run(directory: Path, *args: str) -> str:
    result = CliRunner().invoke(main, [*args, "--graph-dir", str(directory)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_csv_cells_never_start_a_formula(hostile: tuple[Path, str]) -> None:
    directory, _ = hostile
    for out in (run(directory, "impact", "Redpanda", "--format", "csv"),
                run(directory, "query", "SELECT ?label WHERE { ?c a kg:Component ; rdfs:label ?label }",
                    "--format", "csv")):
        cells = [cell for row in csv.reader(io.StringIO(out)) for cell in row]
        assert cells and not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], cells
        assert "'=1+1" in cells and "'@SUM" in "".join(cells)


def test_markdown_cells_open_no_html(hostile: tuple[Path, str]) -> None:
    directory, _ = hostile
    out = run(directory, "impact", "Redpanda", "--format", "markdown")
    assert "<script" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert all(line.startswith("|") and line.endswith("|") for line in out.strip().splitlines())


def test_no_escape_sequence_reaches_the_terminal(hostile: tuple[Path, str]) -> None:
    directory, build_err = hostile
    outputs = [run(directory, *args) for args in (["impact", "Redpanda"], ["impact", "Redpanda", "--format", "markdown"],
                                                  ["show", "Redpanda"], ["stats", "--warnings"],
                                                  ["query", "SELECT ?l WHERE { ?c rdfs:label ?l }"])]
    for out in [*outputs, build_err]:
        assert not {"\x1b", "\x07", "\x9b"} & set(out), out
    assert "\\x1b]0;pwned\\x07Evil" in outputs[0]


def test_a_file_name_with_a_newline_forges_no_warning_line(hostile: tuple[Path, str]) -> None:
    _, build_err = hostile
    warnings = [line for line in build_err.splitlines() if line.startswith("kg: warning:")]
    assert warnings == ["kg: warning: shop/bad\\x0akg: warning: forged.md: not UTF-8 (byte 0), skipped"]


def test_an_unknown_hostile_name_is_echoed_escaped(hostile: tuple[Path, str]) -> None:
    directory, _ = hostile
    result = CliRunner().invoke(main, ["impact", "\x1b[2Jgone\nkg: fine", "--graph-dir", str(directory)])
    assert result.exit_code == 2 and "\x1b" not in result.stderr and result.stderr.count("\n") == 1


def test_the_escapes_themselves() -> None:
    assert terminal("a\x1b[31mb\nc\u202ed") == "a\\x1b[31mb\\x0ac\\u202ed"
    assert terminal("a\nb", keep_newlines=True) == "a\nb"
    assert [csv_cell(v) for v in ("=A1", "-1", "-1.5e3", "- item", "@x", "plain", 3)] == \
        ["'=A1", "-1", "-1.5e3", "'- item", "'@x", "plain", 3]
    assert markdown_cell("<b>|x</b>\nnext") == "&lt;b&gt;\\|x&lt;/b&gt; next"


def test_the_python_api_keeps_names_as_they_are(hostile: tuple[Path, str]) -> None:
    kg = api.open(hostile[0], build_if_missing=False)
    labels = {e["label"] for e in kg.entities.values() if e["type"] == "Component"}
    assert "=1+1" in labels and "\x1b]0;pwned\x07Evil" in labels, "escaping is for output, not for the data"
