"""kg check: how long the rules take on the real corpus and on a synthetic workspace N times its size.

    python benchmarks/bench_check.py [CORPUS] [--copies N]

Reports the build (which runs the document-level rules), then the Python and SHACL rules on the built graph,
and the number of findings per severity.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

from kg import api
from kg.check import run_checks

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "openova-2026-01"


def measure(paths: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        api.build_graph(paths, Path(tmp) / ".kg")
        built = time.perf_counter() - started
        kg = api.open(Path(tmp) / ".kg", build_if_missing=False)
        started = time.perf_counter()
        findings = run_checks(kg)
        checked = time.perf_counter() - started
    counts = Counter(f.severity for f in findings)
    print(f"  build {built:6.2f} s   check {checked:6.2f} s   "
          f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} infos")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT))
    parser.add_argument("--copies", type=int, default=10, help="size of the synthetic workspace, in corpora")
    args = parser.parse_args()
    corpus = Path(args.corpus)
    print(f"{corpus.name}:")
    measure([str(corpus)])
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.copies):
            for repo in corpus.iterdir():
                if repo.is_dir():
                    shutil.copytree(repo, Path(tmp) / f"{repo.name}-{n}")
        print(f"{args.copies} copies ({sum(1 for _ in Path(tmp).rglob('*.md'))} documents):")
        measure([tmp])


if __name__ == "__main__":
    main()
