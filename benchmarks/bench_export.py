"""How long the whole-platform svg export of the corpus takes (the issue asks for under 5 s).

    python benchmarks/bench_export.py [CORPUS] [--repeat N]

Builds CORPUS (default ../shared/corpus/openova-2026-01) into a temporary graph
directory once, then times, N times each: the library path (open the graph,
build_view, render svg) and the command `kg export --format svg -o FILE`.
Prints the best and median seconds of each.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg import api
from kg.export import build_view, render

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "openova-2026-01"


def main() -> None:
    """Time the whole-platform svg export and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        graph_dir = Path(tmp) / ".kg"
        api.build_graph([args.corpus], graph_dir)
        library, command = [], []
        nodes = edges = 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            view = build_view(api.open(graph_dir, build_if_missing=False))
            svg = render(view, "svg")
            library.append(time.perf_counter() - started)
            nodes, edges = len(view.nodes), len(view.edges)
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "export", "--format", "svg", "-o", str(Path(tmp) / "p.svg"),
                            "--graph-dir", str(graph_dir)], check=True, capture_output=True)
            command.append(time.perf_counter() - started)
    print(f"whole platform of {args.corpus}: {nodes} nodes, {edges} edges, svg {len(svg) / 1024:.0f} KiB")
    for name, times in (("library (open + build_view + render svg)", library), ("kg export --format svg", command)):
        print(f"  {name}: best {min(times):.3f} s, median {statistics.median(times):.3f} s over {len(times)} runs")


if __name__ == "__main__":
    main()
