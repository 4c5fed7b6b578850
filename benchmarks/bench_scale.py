"""Build time at scale: a synthetic workspace of N documents naming C components.

    python benchmarks/bench_scale.py --docs 2000 --components 2000 [--repos 50]

Each repository has a tech-stack table of its components; each document has prose that names
components, a dependency sentence and a Mermaid diagram, so every stage (parse, the gazetteer's scan,
the facts rules, the RDF graph) does work in proportion to a real workspace. Prints the cold build and
the rebuild that reuses the parse cache.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from kg import api


def make_workspace(root: Path, docs: int, components: int, repos: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    names = [f"Comp{i:04d}" for i in range(components)]
    for r in range(repos):
        repo = root / f"repo-{r:03d}"
        (repo / "docs").mkdir(parents=True)
        mine = names[r::repos]
        rows = "\n".join(f"| Cat{i % 17} | {n} | 1.{i % 9} | does thing {i} |" for i, n in enumerate(mine))
        (repo / "README.md").write_text(f"# Repo {r}\n\n| Category | Technology | Version | Purpose |\n"
                                        f"|---|---|---|---|\n{rows}\n", encoding="utf-8")
    for d in range(docs):
        repo = root / f"repo-{d % repos:03d}" / "docs"
        a, b, c = rng.sample(names, 3)
        text = (f"# Design note {d}\n\n## Overview\n\n{a} talks to {b}. {a} depends on {c} for its state.\n\n"
                f"| Step | What |\n|---|---|\n| 1 | {b} reads config |\n\n"
                f"```mermaid\nflowchart LR\n  x[{a}] -->|writes| y[({b})]\n  z[{c}] -->|queue depth| x\n```\n\n"
                f"See [the other note](note-{(d + 1) % docs}.md).\n" + "Filler sentence with no names. " * 20)
        (repo / f"note-{d}.md").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--components", type=int, default=2000)
    parser.add_argument("--repos", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        make_workspace(root, args.docs, args.components, args.repos)
        graph = Path(tmp) / ".kg"
        for label in ("cold", "rebuild (parse cache)"):
            started = time.perf_counter()
            meta = api.build_graph([str(root)], graph)
            seconds = time.perf_counter() - started
            s = meta["stats"]
            print(f"{label}: {s['documents']} documents, {s['entities'].get('Component', 0)} components, "
                  f"{s['relations_total']} relations, {meta['triples']} triples: {seconds:.1f} s")
        started = time.perf_counter()
        kg = api.open(graph, build_if_missing=False)
        result = kg.impact("Comp0001")
        print(f"open + impact: {time.perf_counter() - started:.2f} s ({len(result.results)} dependents)")


if __name__ == "__main__":
    main()
