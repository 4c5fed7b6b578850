"""The hand-written gazetteer supplement, data/gazetteer/curated.tsv: its shape, that it repeats nothing of the
CNCF table, that its common_word flags are what the script computes, and that kg reads it as part of the
gazetteer - in lookups and in a build."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kg import api, gazetteer
from kg.names import name_key

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
CURATED = ROOT / "data" / "gazetteer" / "curated.tsv"
CNCF = ROOT / "data" / "gazetteer" / "technologies.tsv"


def body(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").split("\n")[1:] if line]


def forms(row: list[str]) -> list[str]:
    return [row[0], *(row[1].split("|") if row[1] else [])]


@pytest.fixture(scope="module")
def check_curated():
    """scripts/check_curated.py as a module, with the word lists it needs."""
    pytest.importorskip("wordfreq", reason="wordfreq is not installed (pip install -e '.[gazetteer]')")
    pytest.importorskip("english_words", reason="english-words is not installed (pip install -e '.[gazetteer]')")
    sys.path.insert(0, str(SCRIPTS))
    try:
        import check_curated
    finally:
        sys.path.remove(str(SCRIPTS))
    return check_curated


def test_the_file_parses_and_has_the_shape_of_technologies_tsv() -> None:
    text = CURATED.read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[0].split("\t") == list(gazetteer.COLUMNS)
    assert lines[-1] == "", "ends with a newline"
    assert all(line.count("\t") == len(gazetteer.COLUMNS) - 1 for line in lines[1:-1])
    parsed = gazetteer.parse(text, str(CURATED))
    assert 300 <= len(parsed) <= 600
    assert all(r.name and r.category and r.subcategory and r.description for r in parsed.records)
    assert all(len(r.description) <= 160 for r in parsed.records)
    assert all(u.startswith("https://") or u.startswith("http://") for r in parsed.records
               for u in (r.homepage, r.repository) if u)


def test_rows_are_sorted_by_folded_name() -> None:
    keys = [(name_key(row[0]), row[0]) for row in body(CURATED)]
    assert keys == sorted(keys)


def test_no_name_or_alias_is_in_the_cncf_table_or_twice_here() -> None:
    cncf = {name_key(f) for row in body(CNCF) for f in forms(row)}
    seen: dict[str, str] = {}
    clashes = []
    for row in body(CURATED):
        for form in forms(row):
            key = name_key(form)
            if key in cncf or key in seen:
                clashes.append((row[0], form, seen.get(key, "technologies.tsv")))
            seen[key] = row[0]
    assert clashes == []


def test_common_word_flags_are_what_the_script_computes(check_curated) -> None:
    words = check_curated.Words()
    rows = body(CURATED)
    assert [r[6] for r in rows] == [check_curated.common_flag(r, words) for r in rows]
    assert {r[0]: r[6] for r in rows if r[0] in ("age", "Slack", "PagerDuty", "Amazon Athena")} == \
        {"age": "1", "Slack": "1", "PagerDuty": "0", "Amazon Athena": "1"}  # Athena is a word, PagerDuty is not


def test_the_script_finds_no_problem(check_curated) -> None:
    text = CURATED.read_text(encoding="utf-8")
    words = check_curated.Words()
    assert check_curated.problems(text, CNCF.read_text(encoding="utf-8"), words) == []
    assert check_curated.fixed(text, words) == text


def test_the_script_reports_what_a_hand_gets_wrong(check_curated) -> None:
    words = check_curated.Words()
    header = "\t".join(gazetteer.COLUMNS)
    cncf = f"{header}\nKafka\tApache Kafka\tA\tB\t\t\t1\tx\n"
    bad = (f"{header}\nZeta\t\tA\tB\t\t\t0\tx\nAlpha\tApache Kafka\tA\tB\t\t\t0\tx\n"
           f"Slack\tSlack Chat|SLACK\tA\tB\t\t\t0\tx\n")
    found = "\n".join(check_curated.problems(bad, cncf, words))
    assert "'Apache Kafka' is already in technologies.tsv as 'Kafka'" in found
    assert "'SLACK' repeats another form" in found
    assert "common_word should be 1" in found
    assert "not sorted" in found
    fixed = check_curated.fixed(bad, words)
    assert [line.split("\t")[0] for line in fixed.splitlines()[1:]] == ["Alpha", "Slack", "Zeta"]
    assert fixed.splitlines()[2].split("\t")[6] == "1"


def test_load_reads_the_curated_rows_into_the_gazetteer() -> None:
    gz = gazetteer.load()
    assert gz.get("SQS").name == gz.get("Amazon SQS").name == "Amazon Simple Queue Service"
    assert gz.get("AWS SSO").name == "AWS IAM Identity Center"
    assert gz.get("PagerDuty").subcategory == "Incident Management"
    assert gz.get("Kafka").category != "Data & Messaging"  # still the CNCF row
    assert gz.is_common_word("age") and not gz.is_common_word("PagerDuty")
    assert "amazon" in gz.first_words
    assert len(gz) == len(body(CNCF)) + len(body(CURATED))


def test_the_cncf_row_wins_a_clash() -> None:
    header = "\t".join(gazetteer.COLUMNS)
    base = gazetteer.parse(f"{header}\nKafka\tApache Kafka\tStreaming\t\t\t\t1\tthe landscape's\n")
    extra = gazetteer.parse(f"{header}\napache kafka\t\tOurs\t\t\t\t0\tours\n"
                            f"Amazon MSK\tMSK|Kafka\tOurs\t\t\t\t0\tours\n")
    merged = gazetteer.merge(base, extra)
    assert [r.name for r in merged.records] == ["Kafka", "Amazon MSK"]
    assert merged.get("Apache Kafka").category == "Streaming"
    assert merged.get("Kafka").name == "Kafka"
    assert merged.get("MSK").aliases == ("MSK",)


def test_curated_names_become_components_in_a_build(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "docs").mkdir(parents=True)
    (ws / "docs" / "operations.md").write_text(
        "# Operations\n\n"
        "PagerDuty pages the on-call engineer.\n\n"
        "Logs go to Amazon Athena for ad-hoc queries.\n\n"
        "age is not a factor when we choose a runbook; the owner's experience is. Age matters less.\n\n"
        "slack in the rota absorbs sick days, and we keep some slack in the schedule.\n",
        encoding="utf-8")
    graph_dir = tmp_path / ".kg"
    api.build_graph([str(ws)], graph_dir)
    kg = api.open(graph_dir, build_if_missing=False)
    components = {e["label"] for e in kg.entities.values() if e["type"] == "Component"}
    assert {"PagerDuty", "Amazon Athena"} <= components
    # common words ("age", "slack") count only capitalised inside a sentence; "age" alone is also too short
    assert not {c for c in components if c.lower() in ("age", "slack")}
    assert kg.entities[kg.find("Amazon Athena")["key"]]["props"].get("category") == "Analytics"
