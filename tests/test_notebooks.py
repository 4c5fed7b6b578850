"""The notebooks run top to bottom, headless, on the embedded sample and on the real corpus, and give real answers.

Each notebook is executed once per workspace (module scope, all in parallel: each has its own kernel), with its
`parameters` cell replaced papermill-style. A cell that raises fails that notebook's test; the answer tests
then look at the outputs of the cells tagged for them.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import threading
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import CORPUS
from nbclient import NotebookClient

pytestmark = pytest.mark.notebook

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb"))
WORKSPACES = ["sample", "corpus"]
# someone else's docs: none of the names the notebooks default to, no ADRs, no vendors
OWN_DOCS = {"docs/architecture.md": """\
# Shop platform

| Layer | Component | Version | Purpose |
|-------|-----------|---------|---------|
| Queue | Kafka | 3.6 | Event bus |
| Database | PostgreSQL | 16 | Orders |

```mermaid
flowchart LR
  orders[Order Service] --> kafka[(Kafka)]
  orders --> pg[(PostgreSQL)]
```
"""}
REQUIRED = ["01-explore", "02-impact-analysis", "03-adrs", "04-vendors", "05-sparql"]
CELL_TIMEOUT = 120
KERNEL_START = 180  # seconds a kernel may take to start and answer
RUN_DEADLINE = 10 * CELL_TIMEOUT  # seconds a whole notebook may take, from its kernel's start
MAX_KERNELS = 8


def parameters_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, "a notebook has exactly one cell tagged `parameters`"
    return cells[0]


def execute(name: str, workspace: Path | None, graph_dir: Path,
            clients: dict[str, NotebookClient] | None = None) -> nbformat.NotebookNode | BaseException:
    """Run one notebook with its parameters injected; the executed notebook, or what it raised (`clients`: where
    its client is left, so that a watchdog can kill its kernel)."""
    for attempt in (1, 2):
        nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
        cell = parameters_cell(nb)
        # papermill-style: the defaults stay, the injected values follow them and win
        cell.source += (f"\n# injected by the test\nworkspace = {str(workspace) if workspace else None!r}\n"
                        f"graph_dir = {str(graph_dir)!r}\n")
        # eight kernels starting at once on two busy cores may take more than nbclient's default minute to answer
        client = NotebookClient(nb, kernel_name="python3", timeout=CELL_TIMEOUT, startup_timeout=KERNEL_START,
                                resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
        if clients is not None:
            clients[name] = client
        try:
            client.execute()
        except BaseException as exc:  # noqa: BLE001 - reported by the test of that notebook
            if attempt == 1 and _kernel_failed(exc):
                continue  # the kernel, not the notebook, failed (it never answered, or died): run it once more
            return exc
        return nb
    raise AssertionError("unreachable")


def _kernel_failed(exc: BaseException) -> bool:
    """Whether a run failed for its kernel (it never answered, or died), not for what a cell did."""
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    if isinstance(exc, CellExecutionError):
        return False
    return isinstance(exc, DeadKernelError) or "Kernel didn't respond" in str(exc) or "Kernel died" in str(exc)


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Any]:
    """Every notebook on every workspace there is, run in parallel, keyed by (notebook, workspace)."""
    runs: dict[tuple[str, str], Path | None] = {(name, "sample"): None for name in NOTEBOOKS}
    own = tmp_path_factory.mktemp("own-docs")
    for rel, content in OWN_DOCS.items():
        (own / rel).parent.mkdir(parents=True, exist_ok=True)
        (own / rel).write_text(content, encoding="utf-8")
    runs.update({(name, "own-docs"): own for name in NOTEBOOKS})
    if CORPUS.is_dir():
        runs.update({(name, "corpus"): CORPUS for name in NOTEBOOKS})
    # each run is a kernel process; the threads only wait on them. Capped to spare the memory of a small runner.
    slots = threading.Semaphore(MAX_KERNELS)
    results: dict[tuple[str, str], Any] = {}
    started: dict[tuple[str, str], float] = {}
    clients: dict[tuple[str, str], dict[str, NotebookClient]] = {key: {} for key in runs}

    def one(key: tuple[str, str], ws: Path | None, graph_dir: Path) -> None:
        with slots:
            started[key] = time.monotonic()
            results[key] = execute(key[0], ws, graph_dir, clients[key])

    # daemon threads: a run whose kernel hangs past its deadline is abandoned, and never keeps pytest from ending
    threads = {key: threading.Thread(target=one, args=(key, ws, tmp_path_factory.mktemp(f"{key[0]}-{key[1]}") / ".kg"),
                                     daemon=True) for key, ws in runs.items()}
    for thread in threads.values():
        thread.start()
    while any(t.is_alive() and key not in results for key, t in threads.items()):
        time.sleep(0.5)
        for key, thread in threads.items():
            if thread.is_alive() and key not in results and time.monotonic() - started.get(key, time.monotonic()) \
                    > RUN_DEADLINE:
                # a kernel that died without nbclient noticing once kept a run waiting for over 12 minutes
                _kill_kernel(clients[key].get(key[0]))
                results[key] = TimeoutError(f"{key[0]} on the {key[1]} did not finish in {RUN_DEADLINE} s; "
                                            "its kernel was killed")
    return results


def _kill_kernel(client: NotebookClient | None) -> None:
    """Kill a notebook run's kernel process, whatever state its client is in."""
    process = getattr(getattr(getattr(client, "km", None), "provisioner", None), "process", None)
    if process is not None:
        with contextlib.suppress(OSError):
            process.kill()


@pytest.fixture(params=WORKSPACES)
def workspace(request: pytest.FixtureRequest) -> str:
    if request.param == "corpus" and not CORPUS.is_dir():
        pytest.skip(f"real corpus not present at {CORPUS} (../shared is absent on this checkout)")
    return request.param


def run(executed: dict[tuple[str, str], Any], name: str, workspace: str) -> nbformat.NotebookNode:
    result = executed[(name, workspace)]
    if isinstance(result, BaseException):
        message = re.sub(r"\x1b\[[0-9;]*m", "", str(result))  # the kernel's traceback is coloured
        pytest.fail(f"{name} failed on the {workspace}:\n{message}", pytrace=False)
    return result


def outputs(nb: nbformat.NotebookNode, tag: str | None = None) -> list[dict[str, Any]]:
    """The outputs of the cells with `tag` (of every code cell without one)."""
    cells = [c for c in nb.cells if c.cell_type == "code" and (tag is None or tag in c.metadata.get("tags", []))]
    assert cells, f"no cell tagged {tag}"
    return [o for c in cells for o in c.get("outputs", [])]


def text(outs: list[dict[str, Any]], mime: str | None = None) -> str:
    """Everything the outputs show as text (stream text and every text-like MIME type, or just `mime`)."""
    parts = []
    for o in outs:
        if o.get("output_type") == "stream" and mime is None:
            parts.append(o.get("text", ""))
        for kind, value in o.get("data", {}).items():
            if (mime is None and (kind.startswith("text/") or kind == "image/svg+xml")) or kind == mime:
                value = value if isinstance(value, str) else json.dumps(value)
                parts.append(html.unescape(value) if kind == "image/svg+xml" else value)  # Graphviz writes &#45;
    return "\n".join(parts)


def mimes(outs: list[dict[str, Any]]) -> set[str]:
    return {kind for o in outs for kind in o.get("data", {})}


# ---------------------------------------------------------------- the files


def test_the_required_notebooks_exist() -> None:
    assert set(REQUIRED) <= set(NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_with_outputs_stripped_and_one_parameters_cell(name: str) -> None:
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: outputs not stripped"
    source = parameters_cell(nb).source
    assert "workspace = None" in source and "graph_dir = None" in source


# ---------------------------------------------------------------- they run


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_runs_top_to_bottom(executed: dict[tuple[str, str], Any], name: str, workspace: str) -> None:
    nb = run(executed, name, workspace)
    errors = [o for o in outputs(nb) if o.get("output_type") == "error"]
    assert not errors
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_runs_on_other_docs(executed: dict[tuple[str, str], Any], name: str) -> None:
    """Only the workspace changed: the notebook still runs, on the entities those docs have."""
    nb = run(executed, name, "own-docs")
    said = text(outputs(nb))
    assert "Built " in said and "own-docs" in said
    if name != "04-vendors":
        assert "is not in this graph; using Kafka" in said or "using PostgreSQL" in said


# ---------------------------------------------------------------- and answer


def test_01_explore(executed: dict[tuple[str, str], Any], workspace: str) -> None:
    nb = run(executed, "01-explore", workspace)
    counts = text(outputs(nb, "entity-counts"), "text/plain")
    assert "Component" in counts and "ADR" in counts and "Vendor" in counts
    assert "Redpanda" in text(outputs(nb, "components-by-category"))  # the Events category
    assert "in use" in text(outputs(nb, "component-status"), "text/plain")
    assert "Platform Team" in text(outputs(nb, "owners"), "text/plain")
    card = text(outputs(nb, "card"), "text/html")
    assert "kg-card" in card and "Redpanda" in card and "storesDataIn" in card and "MinIO" in card
    assert "KEDA" in card and "ADR-026" in card  # KEDA consumes from it, ADR-026 decides on it
    assert "MinIO" in text(outputs(nb, "degree"), "text/plain")


def test_02_impact_analysis(executed: dict[tuple[str, str], Any], workspace: str) -> None:
    nb = run(executed, "02-impact-analysis", workspace)
    table = text(outputs(nb, "impact"), "text/html")
    assert "depend on <b>Redpanda</b>" in table or "depends on <b>Redpanda</b>" in table
    assert "KEDA" in table and "consumesFrom" in table and ".md:" in table
    frame = text(outputs(nb, "impact-frame"), "text/plain")
    assert "KEDA" in frame and "Flux" not in frame and "MinIO" not in frame  # the gold file's answer
    assert "KEDA" in text(outputs(nb, "impact-with-adrs"), "text/plain")
    assert "MinIO" in text(outputs(nb, "deps"), "text/html")  # Redpanda stores data in MinIO
    svg = text(outputs(nb, "diagram-svg"), "image/svg+xml")
    assert svg.lstrip().startswith("<svg") and "Redpanda" in svg and "KEDA" in svg
    assert re.match(r'<svg[^>]* width="100%" style="max-width:[\d.]+pt;height:auto"', svg.lstrip()), "fits its cell"
    radius = text(outputs(nb, "blast-radius"), "text/plain")
    assert "MinIO" in radius
    # backups are no runtime dependency: R2, which only MinIO backs up to, has no blast radius of its own
    assert radius.splitlines()[1].split()[1] != "R2"
    assert "image/png" in mimes(outputs(nb, "blast-radius-chart"))
    assert "Loki" in text(outputs(nb, "biggest-frame"), "text/plain")
    html = text(outputs(nb, "diagram-html"), "text/html")
    assert html.startswith("<iframe srcdoc=") and "MinIO" in html


def test_03_adrs(executed: dict[tuple[str, str], Any], workspace: str) -> None:
    nb = run(executed, "03-adrs", workspace)
    assert "ADR-026" in text(outputs(nb, "timeline-table"), "text/plain")
    assert "image/png" in mimes(outputs(nb, "timeline-plot")), "the ADR timeline renders as an image"
    assert "Accepted" in text(outputs(nb, "status-counts"), "text/plain")
    superseded = text(outputs(nb, "superseded"), "text/plain")
    assert "ADR-013" in superseded and "ADR-039" in superseded  # ADR-039 supersedes ADR-013
    svg = text(outputs(nb, "supersession-diagram"), "image/svg+xml")
    assert "ADR-039" in svg and "supersedes" in svg
    assert "supersedes" in text(outputs(nb, "superseded-card"), "text/html")
    gaps = text(outputs(nb, "without-adr"), "text/plain")
    assert "K3s" in gaps and "Redpanda" not in gaps  # no ADR decides on K3s; ADR-026 on Redpanda
    assert "ADR-012" in text(outputs(nb, "adrs-for"), "text/plain")  # ADR-012 decides on MinIO


def test_04_vendors(executed: dict[tuple[str, str], Any], workspace: str) -> None:
    nb = run(executed, "04-vendors", workspace)
    vendors = text(outputs(nb, "vendors"), "text/plain")
    assert all(v in vendors for v in ("Contabo", "Hetzner", "Cloudflare"))
    assert "selected" in text(outputs(nb, "standing-counts"), "text/plain")
    card = text(outputs(nb, "card"), "text/html")
    assert "Contabo" in card and "selected" in card and "ADR-014" in card
    assert "R2" in text(outputs(nb, "vendors-query"), "text/plain")
    assert "R2 → Cloudflare" in text(outputs(nb, "reliance"), "text/plain")  # R2 is providedBy Cloudflare
    concentration = text(outputs(nb, "concentration"), "text/plain")
    assert "Contabo" in concentration and "ADR-014" in concentration  # ADR-014 decides on Contabo
    assert "image/png" in mimes(outputs(nb, "concentration-chart"))
    assert "Cloudflare" in text(outputs(nb, "relied-not-selected"), "text/plain")  # relied on, only evaluated
    assert "image/svg+xml" in mimes(outputs(nb, "vendor-diagram"))


def test_05_sparql(executed: dict[tuple[str, str], Any], workspace: str) -> None:
    nb = run(executed, "05-sparql", workspace)
    assert "storesDataIn" in text(outputs(nb, "vocabulary"), "text/plain")
    assert "Redpanda" in text(outputs(nb, "per-category"), "text/plain")
    assert "image/png" in mimes(outputs(nb, "chart-categories"))
    assert "image/png" in mimes(outputs(nb, "chart-documents"))
    evidence = text(outputs(nb, "param-evidence"), "text/plain")
    assert "KEDA" in evidence and "consumesFrom" in evidence and ".md" in evidence
    assert "True" in text(outputs(nb, "ask"), "text/plain")
    assert "adr-timeline" in text(outputs(nb, "named-list"), "text/plain")
    assert "MinIO" in text(outputs(nb, "named-dependencies"), "text/plain")
    direct = text(outputs(nb, "named-dependencies-1"), "text/plain")
    assert "MinIO" in direct and "R2" not in direct  # max_depth=1


def test_the_readme_papermill_example_runs_clean_on_the_sample(tmp_path: Path) -> None:
    """The README's papermill command, as written, on the embedded sample: no warning, a real answer."""
    import shlex
    import subprocess
    import sys

    pytest.importorskip("papermill", reason="papermill is not installed (test extra)")
    root = NOTEBOOK_DIR.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    command = next(line for line in readme.splitlines() if line.startswith("papermill "))
    args = [tmp_path / "out.ipynb" if a == "out.ipynb" else a for a in shlex.split(command)[1:]]
    done = subprocess.run([sys.executable, "-m", "papermill", *map(str, args), "--cwd", str(NOTEBOOK_DIR)],
                          cwd=root, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Unable to parse" not in done.stderr and "Warning" not in done.stderr, done.stderr
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    impact = next(c for c in nb.cells if "impact" in c.get("metadata", {}).get("tags", []))
    shown = " ".join(o.get("data", {}).get("text/html", "") for o in impact.outputs)
    assert "depend on <b>MinIO</b>" in shown and "SAMPLE" in shown.upper()


def test_parameters_cells_read_cleanly_by_papermill() -> None:
    translators = pytest.importorskip("papermill.translators", reason="papermill is not installed (test extra)")
    for name in NOTEBOOKS:
        cell = parameters_cell(nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4))
        params = translators.PythonTranslator.inspect(cell)
        assert [p.name for p in params][:2] == ["workspace", "graph_dir"], name
        assert all(p.help and "=" not in p.help for p in params), name
