"""Check data/gazetteer/curated.tsv, the hand-written supplement to the technology gazetteer; optionally fix it.

Usage: python scripts/check_curated.py [--fix] [CURATED_TSV]
(default: data/gazetteer/curated.tsv; the CNCF table beside it is data/gazetteer/technologies.tsv).
Needs the `gazetteer` extra (pip install -e '.[gazetteer]') for the word lists behind `common_word`.

curated.tsv is written by hand (see data/gazetteer/README.md); this script checks what a hand can get wrong:
- the header and the number of fields of every row; no empty name, no "|" inside an alias, no blank alias;
- rows sorted by folded name (kg.names.name_key, then the name), as in technologies.tsv;
- descriptions on one line of at most 160 characters;
- every name and alias names one product: no two forms of one row fold to the same key, no form is another
  curated row's, and none is a name or alias of technologies.tsv (a product the CNCF table has is not
  repeated here; kg.gazetteer drops a clashing curated form anyway, the CNCF row wins);
- `common_word` is what scripts/derive_gazetteer.py computes for technologies.tsv: 1 when the name or an
  alias is one ordinary English word (derive_gazetteer.Words); and a row so flagged has no one-word form
  that is not one (kg.gazetteer.is_common_word takes each one-word form of a flagged row for a word).
--fix rewrites the `common_word` column and the row order in place, then checks the result.
Exit status 0 when the file is clean, 1 with one line per problem.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from derive_gazetteer import COLUMNS, DESCRIPTION_MAX, ROOT, WORD, Words  # noqa: E402

from kg.names import name_key  # noqa: E402

DEFAULT_CURATED = ROOT / "data" / "gazetteer" / "curated.tsv"
CNCF = ROOT / "data" / "gazetteer" / "technologies.tsv"


def read_rows(text: str) -> tuple[list[str], list[list[str]]]:
    """The header and the rows (lists of fields) of a gazetteer TSV."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines[0].split("\t") if lines else [], [line.split("\t") for line in lines[1:]]


def forms(row: list[str]) -> list[str]:
    """A row's name, then its aliases."""
    return [row[0], *(row[1].split("|") if row[1] else [])]


def common_flag(row: list[str], words: Words) -> str:
    """The `common_word` value derive_gazetteer.rows() would give the row."""
    return "1" if any(words.is_common(form) for form in forms(row)) else "0"


def problems(text: str, cncf_text: str, words: Words) -> list[str]:
    """Everything wrong with a curated.tsv, one line each; [] when it is clean."""
    header, rows = read_rows(text)
    if tuple(header) != COLUMNS:
        return [f"header is not {' '.join(COLUMNS)}"]
    found: list[str] = []
    if not text.endswith("\n"):
        found.append("the file does not end with a newline")
    taken = {name_key(f): r[0] for r in read_rows(cncf_text)[1] if len(r) == len(COLUMNS) for f in forms(r)}
    owner: dict[str, str] = {}
    for number, row in enumerate(rows, start=2):
        where = f"line {number}"
        if len(row) != len(COLUMNS):
            found.append(f"{where}: {len(row)} fields, expected {len(COLUMNS)}")
            continue
        name, aliases = row[0], row[1]
        where = f"line {number} ({name})"
        if not name.strip() or name != name.strip():
            found.append(f"{where}: empty name or surrounding spaces")
        if aliases and any(not a or a != a.strip() for a in aliases.split("|")):
            found.append(f"{where}: an empty alias or one with surrounding spaces")
        if len(row[7]) > DESCRIPTION_MAX:
            found.append(f"{where}: description longer than {DESCRIPTION_MAX} characters")
        if row[6] not in ("0", "1"):
            found.append(f"{where}: common_word is {row[6]!r}, not 0 or 1")
        elif row[6] != common_flag(row, words):
            found.append(f"{where}: common_word should be {common_flag(row, words)} (run with --fix)")
        elif row[6] == "1":
            # kg.gazetteer.is_common_word() takes every one-word form of a flagged row for an ordinary word
            found.extend(f"{where}: {form!r} is no ordinary word but its row is flagged common; drop it or the word"
                         for form in forms(row) if WORD.match(form) and not words.is_common(form))
        seen: set[str] = set()
        for form in forms(row):
            key = name_key(form)
            if not key:
                found.append(f"{where}: {form!r} folds to nothing")
            elif key in seen:
                found.append(f"{where}: {form!r} repeats another form of the row (case and punctuation fold)")
            elif key in taken:
                found.append(f"{where}: {form!r} is already in technologies.tsv as {taken[key]!r}")
            elif key in owner:
                found.append(f"{where}: {form!r} is also a form of {owner[key]!r}")
            seen.add(key)
            owner.setdefault(key, name)
    order = [(name_key(r[0]), r[0]) for r in rows if r]
    if order != sorted(order):
        found.append("rows are not sorted by folded name (run with --fix)")
    return found


def fixed(text: str, words: Words) -> str:
    """The file with `common_word` recomputed and the rows sorted by folded name."""
    header, rows = read_rows(text)
    for row in rows:
        if len(row) == len(COLUMNS):
            row[6] = common_flag(row, words)
    rows.sort(key=lambda r: (name_key(r[0]), r[0]))
    return "\n".join("\t".join(r) for r in [header, *rows]) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line: check (and with --fix, rewrite) curated.tsv; print the problems."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("curated", nargs="?", type=Path, default=DEFAULT_CURATED, help="curated TSV")
    parser.add_argument("--fix", action="store_true", help="rewrite common_word and the row order")
    args = parser.parse_args(argv)
    words = Words()
    text = args.curated.read_text(encoding="utf-8")
    if args.fix:
        text = fixed(text, words)
        args.curated.write_bytes(text.encode("utf-8"))
    found = problems(text, CNCF.read_text(encoding="utf-8"), words)
    for line in found:
        print(f"{args.curated}: {line}", file=sys.stderr)
    print(f"{args.curated}: {len(read_rows(text)[1])} rows, {len(found)} problems")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
