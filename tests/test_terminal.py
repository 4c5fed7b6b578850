"""What a person sees on a terminal: tables fit its width, nothing is cut off, evidence reads as path:line.

Each command runs with its stdout on a real pseudo-terminal of 100 columns (`run_in_terminal`), on the
real corpus; the tables are read back column by column from the positions of their headings.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_in_terminal

from kg import api
from kg.check import run_checks

pytestmark = pytest.mark.corpus
WIDTH = 100
COMMANDS = [["impact", "MinIO"], ["impact", "Cloudflare", "--kind", "all"], ["deps", "Grafana"], ["show", "MinIO"],
            ["show", "Redpanda"], ["stats", "--unresolved"], ["check", "--fail-on", "never"], ["query", "--list"]]


def table(out: str, heading: str) -> list[list[str]]:
    """The rows of the first table with a column `heading`: each row a list of its cells' lines per column."""
    lines = out.splitlines()
    top = next(i for i, line in enumerate(lines) if re.search(rf"(^|\s){heading}(\s|$)", line))
    starts = [m.start() for m in re.finditer(r"\S+", lines[top])]
    rows: list[list[str]] = []
    for line in lines[top + 2:]:
        if not line.strip():
            break
        cells = [line[a:b].strip() for a, b in zip(starts, starts[1:] + [len(line)])]
        if cells[0]:
            rows.append([c for c in cells])
        else:
            rows[-1] = [f"{old}\n{new}" if new else old for old, new in zip(rows[-1], cells)]
    return rows


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_no_line_is_wider_than_the_terminal(corpus_graph_dir: Path, args: list[str]) -> None:
    code, out, err = run_in_terminal([*args, "--graph-dir", str(corpus_graph_dir)], columns=WIDTH)
    assert code == 0, err
    widest = max(out.splitlines(), key=len)
    assert len(widest) <= WIDTH, widest
    assert len(out.splitlines()) > 3


def test_check_messages_keep_their_end(corpus_graph_dir: Path, corpus_kg: api.KnowledgeGraph) -> None:
    _, out, _ = run_in_terminal(["check", "--fail-on", "never", "--graph-dir", str(corpus_graph_dir)], columns=WIDTH)
    rows = table(out, "MESSAGE")
    findings = run_checks(corpus_kg)
    assert len(rows) == len(findings) > 20
    longest = max(findings, key=lambda f: len(f.message))
    assert len(longest.message) > 70, "the corpus has messages longer than the old 70-character cut"
    for row, finding in zip(rows, findings):
        assert squeeze(row[3]) == squeeze(finding.message)
        # the place keeps its end: the file name may lose its middle, never its line
        assert row[2].endswith(f":{finding.line}") if finding.line else True
        tail = finding.document.rsplit("/", 1)[-1]
        assert row[2].split(":")[0].endswith(tail[-10:]), (row[2], finding.document)


def test_impact_evidence_is_path_line_and_its_text_is_whole(corpus_graph_dir: Path,
                                                            corpus_kg: api.KnowledgeGraph) -> None:
    _, out, _ = run_in_terminal(["impact", "MinIO", "--graph-dir", str(corpus_graph_dir)], columns=WIDTH)
    rows = table(out, "EVIDENCE")
    result = corpus_kg.impact("MinIO")
    assert [r[1].replace("\n", " ") for r in rows] == [r.label for r in result.results]
    for row, r in zip(rows, result.results):
        where, _, quote = row[4].partition("\n")
        ev = r.evidence[0]
        # path:line, its middle elided when the column is narrow: what shows is the start and the end of it
        assert where.endswith(f":{ev['line']}"), where
        start, _, end = where.rpartition(":")[0].partition("…")
        assert ev["document"].startswith(start) and ev["document"].endswith(end), (where, ev["document"])
        assert squeeze(quote) == squeeze(ev["text"])


def test_stats_unresolved_keeps_targets_and_reasons_whole(corpus_graph_dir: Path,
                                                          corpus_kg: api.KnowledgeGraph) -> None:
    _, out, _ = run_in_terminal(["stats", "--unresolved", "--graph-dir", str(corpus_graph_dir)], columns=WIDTH)
    rows = table(out, "TARGET")
    unresolved = corpus_kg.model["unresolved"]
    assert len(rows) == len(unresolved)
    for row, ref in zip(rows, unresolved):
        assert squeeze(row[1]) == squeeze(ref["target"]) and squeeze(row[2]) == squeeze(ref["reason"])


def test_query_list_keeps_every_description(corpus_graph_dir: Path) -> None:
    from kg.query import named_queries

    _, out, _ = run_in_terminal(["query", "--list", "--graph-dir", str(corpus_graph_dir)], columns=WIDTH)
    for q in named_queries().values():
        assert squeeze(q.description) in squeeze(out), q.name


def test_wide_prints_every_cell_whole_on_one_line(corpus_graph_dir: Path, corpus_kg: api.KnowledgeGraph) -> None:
    code, out, _ = run_in_terminal(["impact", "MinIO", "--wide", "--graph-dir", str(corpus_graph_dir)], columns=WIDTH)
    assert code == 0
    result = corpus_kg.impact("MinIO")
    lines = out.splitlines()
    assert len(lines) == 3 + len(result.results)  # heading, column heads, rule, one line per row
    for r in result.results:
        ev = r.evidence[0]
        assert any(f"{ev['document']}:{ev['line']}" in line and " ".join(ev["text"].split()) in line for line in lines)
    assert max(len(line) for line in lines) > WIDTH


def test_a_pipe_gets_tab_separated_rows_and_the_notes_on_stderr(corpus_graph_dir: Path,
                                                               corpus_kg: api.KnowledgeGraph) -> None:
    from click.testing import CliRunner

    from kg.cli import main

    result = CliRunner().invoke(main, ["impact", "Cloudflare", "--graph-dir", str(corpus_graph_dir)])
    lines = result.stdout.splitlines()
    assert lines[0] == "depth\tlabel\ttype\tkind\trelation\tpath\tevidence\ttext\tconfidence"
    assert all(line.count("\t") == 8 for line in lines)
    assert "1\tR2\tComponent\thosting\tprovidedBy\tR2 → Cloudflare\t" in "\n".join(lines)
    expected = corpus_kg.impact("Cloudflare")
    n = len(expected.results)
    assert f"{n} {'entity depends' if n == 1 else 'entities depend'} on Cloudflare (Vendor) through runtime, hosting" \
        in result.stderr
    assert len(lines) == n + 1
    assert f"Left out: backup ({expected.left_out['backup']} more)" in result.stderr
