"""Manifests: build time of a monorepo of N component folders (a README and a manifest each), what 2,000 YAML
files that are no manifests add, and what a hostile manifest costs before its limits stop it.

    python benchmarks/bench_manifests.py [--components N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from kg import api
from kg.manifests import parse_manifest

KINDS = ("chart", "release", "blueprint")


def monorepo(root: Path, n: int, noise: int = 0) -> int:
    """Write N component folders, each depending on the two before it; return the dependencies declared."""
    declared = 0
    for i in range(n):
        folder = root / "platform" / f"svc-{i}"
        folder.mkdir(parents=True)
        (folder / "README.md").write_text(f"# svc-{i}\n\nService {i} of the platform.\n", encoding="utf-8")
        deps = [f"svc-{j}" for j in (i - 1, i - 2) if j >= 0]
        declared += len(deps)
        kind = KINDS[i % 3]
        if kind == "chart":
            text = f"apiVersion: v2\nname: svc-{i}\nversion: 1.0.0\ndependencies:\n" + \
                "".join(f"  - name: {d}\n    version: 1.0.0\n" for d in deps)
            (folder / "Chart.yaml").write_text(text, encoding="utf-8")
        elif kind == "release":
            text = (f"apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: svc-{i}\nspec:\n"
                    "  dependsOn:\n" + "".join(f"    - name: {d}\n" for d in deps)) if deps else \
                f"apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: svc-{i}\nspec: {{}}\n"
            (folder / "helmrelease.yaml").write_text(text, encoding="utf-8")
        else:
            text = f"metadata:\n  name: bp-svc-{i}\nspec:\n  depends:\n" + "".join(f"    - blueprint: bp-{d}\n" for d in deps)
            (folder / "blueprint.yaml").write_text(text if deps else text + "    []\n", encoding="utf-8")
    for i in range(noise):
        values = root / "values" / f"v{i}.yaml"
        values.parent.mkdir(parents=True, exist_ok=True)
        values.write_text("replicas: 2\nimage:\n  repository: nginx\n  tag: '1.27'\nresources: {}\n", encoding="utf-8")
    return declared


def build(root: Path) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        meta = api.build_graph([str(root)], Path(tmp) / ".kg", use_cache=False)
        return time.perf_counter() - started, meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--components", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "monorepo"
        declared = monorepo(root, args.components)
        seconds, meta = build(root)
        print(f"{args.components} component folders, {declared} declared dependencies: {seconds:.2f} s, "
              f"{meta['stats']['relations'].get('dependsOn', 0)} dependsOn in the graph")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "monorepo"
        monorepo(root, args.components, noise=2000)
        noisy, _ = build(root)
        print(f"the same with 2,000 YAML files that are no manifests: {noisy:.2f} s (+{noisy - seconds:.2f} s)")
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 10)] + ["depends: *a9"]
    started = time.perf_counter()
    doc = parse_manifest("\n".join(lines) + "\n", "ws/bomb/blueprint.yaml", "ws")
    print(f"a billion-laughs manifest: stopped after {time.perf_counter() - started:.3f} s "
          f"({doc.warnings[0] if doc else 'not read'})")


if __name__ == "__main__":
    main()
