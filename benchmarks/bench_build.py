"""Build time and peak memory: the real corpus, and a synthetic workspace N times its size.

    python benchmarks/bench_build.py [CORPUS] [--copies N]

The synthetic workspace repeats the corpus's repositories under new names, so the
parser and extractors see real documents at a larger scale.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

from kg import api

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "openova-2026-01"


MEMORY = False


def measure(paths: list[str]) -> tuple[float, float, dict]:
    """Seconds, peak MiB (only with --memory: tracing slows the build several times), stats."""
    with tempfile.TemporaryDirectory() as tmp:
        if MEMORY:
            tracemalloc.start()
        started = time.perf_counter()
        meta = api.build_graph(paths, Path(tmp) / ".kg")
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if MEMORY else 0
        tracemalloc.stop()
    return elapsed, peak / 2**20, meta["stats"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT))
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--memory", action="store_true", help="trace peak memory (slows the build)")
    args = parser.parse_args()
    global MEMORY
    MEMORY = args.memory
    corpus = Path(args.corpus)
    seconds, mib, stats = measure([str(corpus)])
    print(f"corpus: {stats['documents']} documents, {stats['relations_total']} relations: "
          f"{seconds:.2f} s, peak {mib:.0f} MiB (traced)")
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.copies):
            for repo in corpus.iterdir():
                if repo.is_dir():
                    shutil.copytree(repo, Path(tmp) / f"{repo.name}-{n}")
        seconds, mib, stats = measure([tmp])
        print(f"x{args.copies}: {stats['documents']} documents, {stats['relations_total']} relations: "
              f"{seconds:.2f} s, peak {mib:.0f} MiB (traced)")


if __name__ == "__main__":
    main()
