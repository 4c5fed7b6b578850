"""kg at scale: builds, rebuilds, answers and queries on synthetic workspaces, beside the read+parse floor.

    python benchmarks/bench_scale.py                        # 1,000 to 10,000 documents; writes RESULTS.md
    python benchmarks/bench_scale.py --sizes 2000:1000 --no-write

Each repository has a tech-stack table of its components; each document has prose that names
components, a dependency sentence and a Mermaid diagram, so every stage (parse, the gazetteer's scan,
the facts rules, the graph) does work in proportion to a real workspace. For each size, in one run:

- the floor: reading every file and parsing it with markdown-it-py (kg's configuration), on one core;
- `kg build` cold, then after one document changed, one added and one deleted (each in a fresh process,
  its peak memory the largest resident set of the build and its workers);
- `kg impact` end to end (a new process, as a person runs it), median of five;
- the transitive dependents of a component (`?d kg:dependsOn+ <c>`) and the `dependents` named query on
  each engine: rdflib in memory, the build's Oxigraph store, networkx, and an Oxigraph server when the
  `oxigraph` command is installed; with the time each takes to open or load the graph;
- markdown-it-py, markdown-it-pyrs and pyromark on the real corpora, when installed.

Figures are written to benchmarks/RESULTS.md with the machine, the versions and the date.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPORA = HERE.parents[1] / "shared" / "corpus"
KG = [sys.executable, "-c", "from kg.cli import run; run()"]
DEPENDENTS = """PREFIX kg: <https://w3id.org/kg-arch/ns#>
SELECT DISTINCT ?d WHERE { ?d kg:dependsOn+ <https://w3id.org/kg-arch/id/component/%s> }"""


def make_workspace(root: Path, docs: int, components: int, repos: int, seed: int = 7) -> None:
    """A synthetic workspace of `docs` documents naming `components` components in `repos` repositories."""
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


def floor(root: Path) -> float:
    """Seconds to read every Markdown file and parse it with markdown-it-py as kg configures it, one core."""
    from kg.parse import _markdown

    files = sorted(root.rglob("*.md"))
    md = _markdown()
    started = time.perf_counter()
    for path in files:
        md.parse(path.read_text(encoding="utf-8"))
    return time.perf_counter() - started


def timed_process(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Seconds, peak resident MiB (the process or any of its workers) and stdout of one command."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{args[3:]} failed: {err[-500:]}")
    return seconds, usage.ru_maxrss / 1024, out.decode()


def build(root: Path, graph: Path) -> tuple[float, float, dict[str, Any]]:
    seconds, mib, out = timed_process([*KG, "build", str(root), "--graph-dir", str(graph), "--format", "json", "-q"])
    meta = json.loads((graph / (graph / "CURRENT").read_text().strip() / "meta.json").read_text())
    return seconds, mib, meta


def question(graph: Path, args: list[str], runs: int = 5) -> float:
    """Median seconds of a question end to end, as a person runs it (a new process, output in a pipe)."""
    return statistics.median(timed_process([*KG, *args, "--graph-dir", str(graph)])[0] for _ in range(runs))


def answer_size(graph: Path, name: str) -> int:
    out = timed_process([*KG, "impact", name, "--graph-dir", str(graph), "--format", "json"])[2]
    return len(json.loads(out)["results"])


def best(fn: Any, runs: int = 5) -> float:
    """The fastest of a few runs, in seconds (a query's own time, caches warm); NaN when the engine fails
    (rdflib's recursive path evaluation runs out of stack on long dependency chains)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        try:
            fn()
        except RecursionError:
            return float("nan")
        times.append(time.perf_counter() - started)
    return min(times)


def engines(graph: Path, component: str, server: bool) -> dict[str, dict[str, float]]:
    """Load/open time and query time of the transitive dependents on each engine (seconds)."""
    import networkx as nx
    import pyoxigraph as ox
    from rdflib import Graph

    from kg import api
    from kg.query import run_query

    build = graph / (graph / "CURRENT").read_text().strip()
    text = DEPENDENTS % component.lower()
    out: dict[str, dict[str, float]] = {}
    started = time.perf_counter()
    store = ox.Store.read_only(str(build / "oxigraph"))
    opened = time.perf_counter() - started
    from kg.query import load_query, ntriples_term
    from kg.sparql import substitute

    named_text = substitute(load_query("dependents").text,
                            {"component": ntriples_term(("iri", target_iri(component)))})
    out["oxigraph (on disk)"] = {"open": opened, "query": best(lambda: list(store.query(text))),
                                 "named": best(lambda: list(store.query(named_text)))}
    started = time.perf_counter()
    g = Graph()
    g.parse(build / "graph.nt", format="nt")
    loaded = time.perf_counter() - started
    kg = api.open(graph)
    kg.__dict__["graph"] = g
    out["rdflib (in memory)"] = {"open": loaded, "query": best(lambda: list(g.query(text)), 3),
                                 "named": _limited(lambda: run_query(kg, "dependents", {"component": component},
                                                                     engine="rdflib", timeout=RDFLIB_LIMIT))}
    started = time.perf_counter()
    projection = nx.DiGraph()
    for line in (build / "graph.nt").open(encoding="utf-8"):
        if "#dependsOn> " in line:
            s, _p, o = line.split(" ", 3)[:3]
            projection.add_edge(s[1:-1], o[1:-1])
    built = time.perf_counter() - started
    target = target_iri(component)
    out["networkx (projection)"] = {"open": built, "query": best(lambda: nx.ancestors(projection, target)),
                                    "named": float("nan")}
    if server:
        out["Oxigraph server (kg push)"] = _server(graph, component, text)
    return out


RDFLIB_LIMIT = 60.0  # rdflib evaluates a large graph's named queries slowly: stopped past a minute


def target_iri(component: str) -> str:
    return f"https://w3id.org/kg-arch/id/component/{component.lower()}"


def _limited(fn: Any) -> float:
    """Seconds fn took, or infinity when it ran past the query time limit."""
    from kg.query import QueryTimeout

    started = time.perf_counter()
    try:
        fn()
    except QueryTimeout:
        return float("inf")
    except RuntimeError as exc:  # a command that stopped: at its time limit, or failed
        return float("inf") if "stopped after" in str(exc) else float("nan")
    except Exception:  # noqa: BLE001 - the worker's RecursionError comes back as a QueryError
        return float("nan")
    return time.perf_counter() - started


def _server(graph: Path, component: str, text: str) -> dict[str, float]:
    from kg.endpoint import Client

    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as data:
        proc = subprocess.Popen([binary, "serve", "--location", data, "--bind", f"127.0.0.1:{port}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}/query"
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            pushed = timed_process([*KG, "push", "--endpoint", url, "--graph-dir", str(graph)])[0]
            client = Client(url)
            from kg.endpoint import DEFAULT_GRAPH

            query = best(lambda: client.solutions(text, DEFAULT_GRAPH))
            named = _limited(lambda: timed_process([*KG, "query", "dependents", "-p", f"component={component}",
                                                    "--timeout", str(RDFLIB_LIMIT), "--endpoint", url]))
            answer = statistics.median(timed_process([*KG, "impact", component, "--endpoint", url])[0]
                                       for _ in range(3))
        finally:
            proc.terminate()
            proc.wait(10)
    return {"open": pushed, "query": query, "named": named, "impact": answer}


def parsers() -> list[tuple[str, int, dict[str, float]]]:
    """Seconds to parse each real corpus with each Markdown parser installed (best of three)."""
    from kg.parse import _markdown

    candidates: dict[str, Any] = {"markdown-it-py": _markdown().parse}
    try:
        from markdown_it_pyrs import MarkdownIt as Rs

        rs = Rs("commonmark").enable("table").enable("strikethrough").enable("front_matter")
        candidates["markdown-it-pyrs"] = rs.tree
    except ImportError:
        pass
    try:
        import pyromark

        candidates["pyromark"] = lambda text: list(pyromark.events(text))
    except ImportError:
        pass
    out = []
    for corpus in sorted(CORPORA.iterdir()) if CORPORA.is_dir() else []:
        texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(corpus.rglob("*.md"))]
        out.append((corpus.name, len(texts), {name: best(lambda fn=fn, texts=texts: [fn(t) for t in texts], 3)
                                              for name, fn in candidates.items()}))
    return out


QUESTIONS = {"impact": ["impact", "{c}"], "deps": ["deps", "{c}"], "show": ["show", "{c}"],
             "query": ["query", "dependents", "-p", "component={c}"], "stats": ["stats"]}


def corpora() -> list[dict[str, Any]]:
    """Each real corpus: cold build, a rebuild with nothing changed, and each question end to end (median of five)."""
    out = []
    for corpus in sorted(CORPORA.iterdir()) if CORPORA.is_dir() else []:
        with tempfile.TemporaryDirectory() as tmp:
            graph = Path(tmp) / ".kg"
            cold, _, meta = build(corpus, graph)
            again, _, _ = build(corpus, graph)
            from kg import api

            kg = api.open(graph)
            name = max((e for e in kg.model["entities"] if e["type"] == "Component"),
                       key=lambda e: len(kg.in_edges.get(e["key"], [])))["label"]
            answers = {q: statistics.median(
                timed_process([*KG, *[a.replace("{c}", name) for a in args], "--graph-dir", str(graph)])[0]
                for _ in range(5)) for q, args in QUESTIONS.items()}
            out.append({"corpus": corpus.name, "docs": meta["stats"]["documents"], "cold": cold, "rebuild": again,
                        "component": name, **answers})
    return out


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("kg", "rdflib", "pyoxigraph", "oxigraph", "networkx", "markdown-it-py", "markdown-it-pyrs",
                 "pyromark"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            pass
    return found


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    mem = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0) if Path("/proc/meminfo").exists() else 0
    return f"{os.cpu_count()} cores ({cpu}), {mem / 1024:.0f} GiB, {platform.system()} {platform.release()}"


def run_size(docs: int, components: int, server: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        root, graph = Path(tmp) / "ws", Path(tmp) / ".kg"
        make_workspace(root, docs, components, repos=50)
        base = floor(root)
        cold, cold_mib, meta = build(root, graph)
        note = root / "repo-000" / "docs" / "note-0.md"
        note.write_text(note.read_text(encoding="utf-8") + "\nComp0001 keeps its state in Comp0002.\n",
                        encoding="utf-8")
        changed, changed_mib, changed_meta = build(root, graph)
        (root / "repo-001" / "docs" / "added.md").write_text("# Added\n\nComp0003 depends on Comp0004.\n",
                                                             encoding="utf-8")
        added, _, _ = build(root, graph)
        (root / "repo-002" / "docs" / "note-2.md").unlink()
        deleted, _, _ = build(root, graph)
        answer = question(graph, ["impact", "Comp0001"])
        answer_json = question(graph, ["impact", "Comp0001", "--format", "json"])
        card = question(graph, ["show", "Comp0001"])
        size = answer_size(graph, "Comp0001")
        compared = engines(graph, "Comp0001", server)
        stats = meta["stats"]
        return {"docs": stats["documents"], "components": stats["entities"].get("Component", 0),
                "relations": stats["relations_total"], "triples": meta["triples"], "floor": base,
                "cold": cold, "cold_mib": cold_mib, "changed": changed, "changed_mib": changed_mib,
                "changed_parsed": changed_meta["parsed"], "added": added, "deleted": deleted, "impact": answer,
                "impact_json": answer_json, "show": card, "dependents": size,
                "engines": compared}


def _ms(seconds: float) -> str:
    if seconds != seconds:
        return "failed (RecursionError)"
    if seconds == float("inf"):
        return f"over {RDFLIB_LIMIT:.0f} s (stopped)"
    return f"{seconds * 1000:,.1f} ms"


def report(results: list[dict[str, Any]], parsed: list[tuple[str, int, dict[str, float]]],
           real: list[dict[str, Any]]) -> str:
    lines = ["# kg at scale: benchmark results", "",
             f"Written by `python benchmarks/bench_scale.py` on {time.strftime('%Y-%m-%d %H:%M %Z')}.", "",
             f"- Machine: {machine()}; load average {LOAD[0]:.1f} when the run began, {os.getloadavg()[0]:.1f} "
             "at its end (other work on the machine slows every figure alike; the ratios to the floor hold)",
             "- Versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()), "",
             "Every figure of a size comes from the same run, beside the floor: reading every file and parsing it "
             "with markdown-it-py on one core. Builds and `kg impact` run as a person runs them (a new process, kg's "
             "modules compiled to bytecode as an installed kg's are); memory is the largest resident set of the "
             "build or any of its workers.", "",
             "## Builds and answers", "",
             "| documents | components | triples | floor | cold build | × floor | peak memory | rebuild: 1 changed "
             "| × floor | 1 added | 1 deleted | `kg impact` (dependents) | `--format json` | `kg show` |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['docs']:,} | {r['components']:,} | {r['triples']:,} | {r['floor']:.2f} s | "
                     f"{r['cold']:.2f} s | {r['cold'] / r['floor']:.2f} | {r['cold_mib']:,.0f} MiB | "
                     f"{r['changed']:.2f} s | {r['changed'] / r['floor']:.2f} | {r['added']:.2f} s | "
                     f"{r['deleted']:.2f} s | {r['impact'] * 1000:.0f} ms ({r['dependents']:,}) | "
                     f"{r['impact_json'] * 1000:.0f} ms | {r['show'] * 1000:.0f} ms |")
    lines += ["", "## The transitive dependents on each engine", "",
              "`SELECT DISTINCT ?d WHERE { ?d kg:dependsOn+ <Comp0001> }` (the query's own time, best of several), "
              "the `dependents` named query (membership by `dependsOn+`, and the depth of each found a level at a "
              "time, each level the previous one's distinct entities followed one hop, up to eight; for rdflib "
              "through kg's worker, for the server `kg query --endpoint` end to end), and what it costs to have "
              "the graph to ask.", ""]
    for r in results:
        lines += [f"### {r['docs']:,} documents, {r['triples']:,} triples", "",
                  "| engine | open or load | dependsOn+ | `dependents` named query |", "|---|---:|---:|---:|"]
        for name, e in r["engines"].items():
            named = _ms(e["named"]) if "networkx" not in name else "(no SPARQL)"
            what = "push" if "server" in name else "open/load"
            lines.append(f"| {name} | {e['open']:.2f} s ({what}) | {_ms(e['query'])} | {named} |")
        server = r["engines"].get("Oxigraph server (kg push)")
        if server:
            lines += ["", f"`kg impact --endpoint` end to end: {server['impact'] * 1000:.0f} ms."]
        lines.append("")
    if real:
        lines += ["## The real corpora", "",
                  "`kg build` cold and again with nothing changed, and each question end to end (a new process, "
                  "median of five) about the component most depended on.", "",
                  "| corpus | documents | cold build | rebuild | " + " | ".join(f"`kg {q}`" for q in QUESTIONS) + " |",
                  "|---|---:|---:|---:|" + "---:|" * len(QUESTIONS)]
        for c in real:
            lines.append(f"| {c['corpus']} ({c['component']}) | {c['docs']} | {c['cold']:.2f} s | {c['rebuild']:.2f} s | "
                         + " | ".join(f"{c[q] * 1000:.0f} ms" for q in QUESTIONS) + " |")
        lines.append("")
    if parsed:
        names = sorted({n for _, _, t in parsed for n in t})
        lines += ["## Markdown parsers on the real corpora", "",
                  "Seconds to parse every document of a corpus (best of three), and the ratio to markdown-it-py.", "",
                  "| corpus | documents | " + " | ".join(names) + " |", "|---|---:|" + "---:|" * len(names)]
        for corpus, count, t in parsed:
            ref = t["markdown-it-py"]
            cells = [f"{t[n] * 1000:.0f} ms ({t[n] / ref:.2f})" if n in t else "" for n in names]
            lines.append(f"| {corpus} | {count} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines) + "\n"


LOAD = os.getloadavg()


def compiled() -> None:
    """kg's modules compiled to bytecode, as `pip install` leaves an installed kg. Where PYTHONDONTWRITEBYTECODE
    is set (as on the project's machine) each new process would otherwise compile kg's source again: 40 ms of
    every question, which no user pays."""
    import compileall

    import kg

    compileall.compile_dir(str(Path(kg.__file__).parent), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000:500,2500:1000,5000:2000,10000:2000",
                        help="documents:components, comma-separated")
    parser.add_argument("--no-server", action="store_true", help="skip the Oxigraph server")
    parser.add_argument("--no-write", action="store_true", help="print, do not write RESULTS.md")
    parser.add_argument("--previous", metavar="JSONL", help="results of sizes measured by an earlier run (the "
                        "JSON lines this script prints on stderr), reported beside this run's")
    args = parser.parse_args()
    server = not args.no_server and bool(shutil.which("oxigraph") or Path(sys.executable).with_name("oxigraph").exists())
    results = [json.loads(line) for line in Path(args.previous).read_text().splitlines() if line.strip()] \
        if args.previous else []
    compiled()
    for spec in args.sizes.split(","):
        docs, components = (int(x) for x in spec.split(":"))
        print(f"{docs} documents, {components} components…", file=sys.stderr, flush=True)
        results.append(run_size(docs, components, server))
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    text = report(results, parsers(), corpora())
    print(text)
    if not args.no_write:
        (HERE / "RESULTS.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
