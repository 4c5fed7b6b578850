"""The html export in real headless Chromium: loads offline with no console error, draws the nodes, shows cards.

Needs Debian's chromium (`apt-get install chromium`; `.ci/run` installs it) and the
Python playwright package (the test extra); skipped with the reason otherwise.
`KG_UPDATE_SCREENSHOTS=1 pytest tests/test_export_browser.py` also rewrites the pictures the README
shows: docs/platform.png (the whole platform drawn by Graphviz), docs/platform-view.png and
docs/redpanda-view.png (the html page at 1280x800).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg import api
from kg.export import build_view, render

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "openova-2026-01"
DOCS = Path(__file__).resolve().parents[1] / "docs"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str:
    """Debian's chromium, or a skip that says why."""
    for candidate in (os.environ.get("KG_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.skip("headless Chromium is not installed (apt-get install chromium; .ci/run installs it)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed (test extra)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> api.KnowledgeGraph:
    """The real corpus when it is there, else the embedded sample (both have Redpanda, KEDA and MinIO)."""
    directory = tmp_path_factory.mktemp("export-browser") / ".kg"
    api.build_graph([str(CORPUS)] if CORPUS.is_dir() else None, directory)
    return api.open(directory, build_if_missing=False)


class Page:
    """A loaded page with what it logged and requested."""

    def __init__(self, browser: Any, path: Path, width: int = 1400, height: int = 820) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector("#kg-canvas .node")

    @property
    def network(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file:", "data:", "about:"))]


def write_page(graph: api.KnowledgeGraph, path: Path, **kwargs: Any) -> Any:
    view = build_view(graph, **kwargs)
    path.write_text(render(view, "html"), encoding="utf-8")
    return view


def test_redpanda_view_loads_offline_and_shows_cards(browser: Any, graph: api.KnowledgeGraph, tmp_path: Path) -> None:
    view = write_page(graph, tmp_path / "redpanda.html", focus=["Redpanda"], depth=2)
    page = Page(browser, tmp_path / "redpanda.html")
    p = page.page
    assert p.locator("#kg-canvas .node").count() == len(view.nodes)
    assert p.locator("#kg-canvas .edge").count() == len(view.edges)
    assert p.locator('.node[data-id="component/redpanda"]').is_visible()
    assert not p.locator("#kg-card").is_visible(), "the drawing gets the window until a card is asked for"
    p.click("#kg-panel")
    assert "Click a node" in p.inner_text("#kg-card")

    p.click('.node[data-id="component/redpanda"]')
    card = p.inner_text("#kg-card")
    assert card.splitlines()[0] == "Redpanda"
    assert "storesDataIn" in card and "MinIO" in card and "consumesFrom" in card and "KEDA" in card
    assert ".md:" in card  # evidence as file:line
    link = p.locator("#kg-card .ev a").first
    assert re.fullmatch(r"\S+\.md:\d+", link.inner_text())
    assert link.get_attribute("href").startswith(("file:///", "https://")), "evidence links to its file"
    quotes = [t.split(") ", 1)[-1] for t in p.locator("#kg-card .ev").all_inner_texts() if "(mermaid)" not in t]
    assert quotes and not any("**" in q or q.startswith("|") for q in quotes), "evidence reads as text, not Markdown"
    assert p.get_attribute('.node[data-id="component/redpanda"]', "class").split().count("selected") == 1

    # a related entity on the card is a link to its own card
    p.click('#kg-card button:text-is("MinIO")')
    assert p.inner_text("#kg-card").splitlines()[0] == "MinIO"

    shot = tmp_path / "redpanda-view.png"
    p.click("#kg-fit")
    p.click('.node[data-id="component/redpanda"]')
    p.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000

    assert page.errors == []
    assert page.network == []


def test_search_filter_pan_and_zoom(browser: Any, graph: api.KnowledgeGraph, tmp_path: Path) -> None:
    write_page(graph, tmp_path / "platform.html")
    page = Page(browser, tmp_path / "platform.html")
    p = page.page
    # search highlights, Enter opens the first match's card
    p.fill("#kg-search", "minio")
    assert p.locator(".node.match").count() >= 1
    assert "match" in p.inner_text("#kg-matches")
    p.press("#kg-search", "Enter")
    assert "MinIO" in p.inner_text("#kg-card")
    p.fill("#kg-search", "")
    p.dispatch_event("#kg-search", "input")
    assert p.locator(".node.match").count() == 0

    # unticking a relation kind hides its edges (the filter is on the panel, which a card opened)
    if not p.locator("#kg-filters").is_visible():
        p.click("#kg-panel")
    rel = p.get_attribute("#kg-filters input", "value")
    shown = p.locator(f'.edge[data-rel="{rel}"]').count()
    assert shown >= 1
    p.uncheck(f'#kg-filters input[value="{rel}"]')
    assert p.locator(f'.edge.off[data-rel="{rel}"]').count() == shown
    p.check(f'#kg-filters input[value="{rel}"]')
    assert p.locator(f'.edge.off[data-rel="{rel}"]').count() == 0

    # zoom with the wheel, pan by dragging the background, fit to the window again
    p.click("#kg-close")
    p.click("#kg-fit")  # (Enter above centred the match)
    before = p.get_attribute("#kg-viewport", "transform")
    p.mouse.move(300, 300)
    p.mouse.wheel(0, -400)
    zoomed = p.get_attribute("#kg-viewport", "transform")
    assert zoomed != before
    p.mouse.move(1390, 810)  # a corner of the canvas, where no node is
    p.mouse.down()
    p.mouse.move(1290, 710, steps=5)
    p.mouse.up()
    assert p.get_attribute("#kg-viewport", "transform") != zoomed
    p.click("#kg-fit")
    assert p.get_attribute("#kg-viewport", "transform") == before

    assert page.errors == []
    assert page.network == []


def test_collapsed_view_explains_itself(browser: Any, graph: api.KnowledgeGraph, tmp_path: Path) -> None:
    view = write_page(graph, tmp_path / "collapsed.html", relations=["all"], max_nodes=30)
    assert view.collapsed
    page = Page(browser, tmp_path / "collapsed.html")
    p = page.page
    assert "collapsed" in p.inner_text("#kg-note")
    group = next(n for n in view.nodes if n.type == "Group")
    p.click("#kg-fit")
    p.click(f'.node[data-id="{group.id}"]')
    assert f"collapsed here ({len(group.members)})" in p.inner_text("#kg-card").lower()
    assert page.errors == []
    assert page.network == []


# in the page: the smallest label on the screen, and whether the whole drawing is inside the canvas
MEASURE = """() => {
  const svg = document.getElementById("kg-canvas");
  const box = svg.getBoundingClientRect();
  const sizes = [];
  for (const t of svg.querySelectorAll("#kg-viewport text")) {
    if (!t.textContent.trim()) continue;
    sizes.push(parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
  }
  const drawn = document.getElementById("kg-viewport").getBoundingClientRect();
  return {smallest: Math.min(...sizes), labels: sizes.length,
          inside: drawn.left >= box.left - 1 && drawn.right <= box.right + 1 &&
                  drawn.top >= box.top - 1 && drawn.bottom <= box.bottom + 1,
          canvas: [box.width, box.height], drawing: [drawn.width, drawn.height]};
}"""


@pytest.mark.parametrize("name,focus", [("platform-view", None), ("redpanda-view", ["Redpanda"])])
def test_views_open_fitted_with_readable_labels_at_1280x800(browser: Any, graph: api.KnowledgeGraph, tmp_path: Path,
                                                            name: str, focus: list[str] | None) -> None:
    view = write_page(graph, tmp_path / f"{name}.html", focus=focus, depth=2 if focus else None)
    page = Page(browser, tmp_path / f"{name}.html", width=1280, height=800)
    p = page.page
    found = p.evaluate(MEASURE)
    assert found["labels"] >= len(view.nodes) + 1
    assert found["smallest"] >= 11, found
    if focus or found["inside"]:
        assert found["inside"], found
    else:
        # a platform too big to read whole at once opens at readable labels and says that Fit shows all
        assert p.locator("#kg-zoom-note").is_visible()
        p.click("#kg-fit")
        assert p.evaluate(MEASURE)["inside"] and not p.locator("#kg-zoom-note").is_visible()
        p.reload()
        p.wait_for_selector("#kg-canvas .node")
    # the drawing uses the window: not a thin strip across it
    assert found["drawing"][0] >= 0.6 * found["canvas"][0] or found["drawing"][1] >= 0.6 * found["canvas"][1], found
    shot = DOCS / f"{name}.png" if os.environ.get("KG_UPDATE_SCREENSHOTS") else tmp_path / f"{name}.png"
    if focus:
        p.click(f'.node[data-id="{view.focus[0]}"]')
    p.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    assert page.errors == [] and page.network == []


OVERLAPS = """() => {
  const boxes = [...document.querySelectorAll("svg text")].filter(t => t.textContent.trim())
    .map(t => { const r = t.getBoundingClientRect();
                return [r.left, r.top, r.right, r.bottom, t.textContent, t.closest("g.node, g.edge, g.cluster, g.graph")]; });
  const out = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, b] = [boxes[i], boxes[j]];
    if (a[5] === b[5]) continue;  // the lines of one label
    const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]), h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
    if (w > 1 && h > 1) out.push([a[4], b[4], w, h]);
  }
  return {texts: boxes.length, overlaps: out};
}"""


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed (apt-get install graphviz)")
@pytest.mark.parametrize("focus", [None, ["Redpanda"]], ids=["platform", "redpanda"])
def test_graphviz_drawing_has_no_overlapping_labels(browser: Any, graph: api.KnowledgeGraph, tmp_path: Path,
                                                    focus: list[str] | None) -> None:
    view = build_view(graph, focus=focus, depth=2 if focus else None)
    (tmp_path / "view.svg").write_text(render(view, "svg"), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto((tmp_path / "view.svg").as_uri())
    found = page.evaluate(OVERLAPS)
    assert found["texts"] >= len(view.nodes) + len({(e.source, e.target) for e in view.edges})
    assert found["overlaps"] == []
    page.close()
    if os.environ.get("KG_UPDATE_SCREENSHOTS") and focus is None:
        (DOCS / "platform.png").write_bytes(render(view, "png"))  # type: ignore[arg-type]


def test_export_svg_saves_what_is_shown(browser: Any, graph: api.KnowledgeGraph, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    view = write_page(graph, tmp_path / "redpanda.html", focus=["Redpanda"], depth=2)
    page = Page(browser, tmp_path / "redpanda.html")
    p = page.page
    p.click("#kg-panel")
    rel = "decides"
    p.uncheck(f'#kg-filters input[value="{rel}"]')
    with p.expect_download() as info:
        p.click("#kg-export")
    saved = tmp_path / "saved.svg"
    info.value.save_as(saved)
    assert info.value.suggested_filename.endswith(".svg")
    root = ET.parse(saved).getroot()
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox")
    nodes = root.findall(".//s:g[@data-id]", ns)
    assert len(nodes) == len(view.nodes)
    edges = root.findall(".//s:g[@data-rel]", ns)
    assert edges and all(e.get("data-rel") != rel for e in edges), "hidden relations are not saved"
    assert len(edges) == sum(1 for e in view.edges if e.relation != rel)
    assert root.find("s:style", ns) is not None, "the drawing keeps its look outside the page"
    assert page.errors == []
