"""One self-contained interactive HTML page of a view: inline SVG, CSS, JS and data; no network request.

The layout is computed here, in Python: Graphviz's when `dot` is installed (the
same picture as the svg export), else a grid of groups. The page's script only
pans, zooms, searches, filters relation kinds and shows the card of a node.
"""

from __future__ import annotations

import functools
import json
import math
import re
from html import escape
from importlib import resources
from typing import Any

from .graphviz import EDGE_FONT, GraphvizNotFound, layout
from .style import FAMILIES, STATUS_COLOURS, TYPE_COLOURS, colours, family, status_class, wrap
from .view import View, ViewNode

MAX_CARD_EVIDENCE = 3
_HIDDEN_RELATIONS = ("mentions", "linksTo")  # counted on the card, not listed


def _static(name: str) -> str:
    return resources.files("kg.export").joinpath("static", name).read_text(encoding="utf-8")


def _json_for_script(data: Any) -> str:
    """JSON safe inside a <script> element: no `</`, `<!--` or `&` can close or confuse it."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


# ---------------------------------------------------------------- layout


def _size(n: ViewNode) -> tuple[float, float]:
    lines = wrap(n.caption)
    return max(80.0, 7.4 * max(len(x) for x in lines) + 26), 17.0 * len(lines) + 14


def grid_layout(view: View) -> dict[str, Any]:
    """The fallback layout without Graphviz: each group a block of nodes in a grid, blocks in rows."""
    nodes: dict[str, dict[str, float]] = {}
    clusters: dict[str, dict[str, float]] = {}
    blocks = [(g.id, g.nodes) for g in view.groups] or [("", [n.id for n in view.nodes])]
    by_id = {n.id: n for n in view.nodes}
    pad = 14.0
    shapes = []
    for _, members in blocks:
        cols = max(1, math.ceil(math.sqrt(len(members))))
        sizes = [_size(by_id[k]) for k in members]
        cell_w = max((w for w, _ in sizes), default=80.0) + 16
        cell_h = max((h for _, h in sizes), default=30.0) + 18
        rows = math.ceil(len(members) / cols)
        shapes.append((cols, sizes, cell_w, cell_h, cols * cell_w + 2 * pad, rows * cell_h + 2 * pad + 18))
    # blocks in rows about as wide as the whole is tall (times 1.6, for a screen)
    area = sum(w * h for *_, w, h in shapes)
    max_w = max([math.sqrt(area) * 1.6] + [w + 40 for *_, w, _ in shapes])
    x, y, row_h = 20.0, 50.0, 0.0
    for (gid, members), (cols, sizes, cell_w, cell_h, w, h) in zip(blocks, shapes):
        if x + w > max_w and x > 20:
            x, y, row_h = 20.0, y + row_h + 24, 0.0
        for i, k in enumerate(members):
            r, c = divmod(i, cols)
            nodes[k] = {"x": x + pad + c * cell_w + cell_w / 2, "y": y + pad + 18 + r * cell_h + cell_h / 2,
                        "w": sizes[i][0], "h": sizes[i][1]}
        if gid:
            clusters[gid] = {"x": x, "y": y, "w": w, "h": h}
        x += w + 24
        row_h = max(row_h, h)
    edges: dict[int, dict[str, Any]] = {}
    for i, e in enumerate(view.edges):
        a, b = nodes[e.source], nodes[e.target]
        (x1, y1), (x2, y2) = _clip(a, b), _clip(b, a)
        # a gentle curve, so edges between nodes of one row do not run through the nodes between them
        cx, cy = (x1 + x2) / 2 - (y2 - y1) * 0.15, (y1 + y2) / 2 + (x2 - x1) * 0.15
        edges[i] = {"path": f"M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}",
                    "label": (round((x1 + x2) / 4 + cx / 2, 1), round((y1 + y2) / 4 + cy / 2, 1))}
    width = max((v["x"] + v["w"] for v in clusters.values()), default=0.0)
    width = max([width] + [n["x"] + n["w"] / 2 + 20 for n in nodes.values()])
    height = max([y + row_h + 20] + [n["y"] + n["h"] / 2 + 20 for n in nodes.values()])
    return {"width": width, "height": height, "nodes": nodes, "edges": edges, "clusters": clusters,
            "title": None}


def _clip(a: dict[str, float], b: dict[str, float]) -> tuple[float, float]:
    """Where the line from a's centre to b's centre leaves a's box."""
    dx, dy = b["x"] - a["x"], b["y"] - a["y"]
    if dx == 0 and dy == 0:
        return a["x"], a["y"]
    t = min(a["w"] / 2 / abs(dx) if dx else math.inf, a["h"] / 2 / abs(dy) if dy else math.inf)
    return a["x"] + dx * t, a["y"] + dy * t


# ---------------------------------------------------------------- svg


def _shape(n: ViewNode, w: float, h: float) -> str:
    fill, stroke, _ = colours(n)
    paint = f'class="shape" fill="{fill}" stroke="{stroke}" stroke-width="1.2"'
    x, y = -w / 2, -h / 2
    if n.type == "Vendor":
        d = h / 3
        pts = f"{x + d},{y} {-x - d},{y} {-x},0 {-x - d},{-y} {x + d},{-y} {x},0"
        return f'<polygon points="{pts}" {paint}/>'
    if n.type == "ADR":
        f = 8
        return (f'<path d="M{x},{y} H{-x - f} L{-x},{y + f} V{-y} H{x} Z" {paint}/>')
    if n.type == "Team":
        return f'<ellipse rx="{w / 2}" ry="{h / 2}" {paint}/>'
    radius = 6 if n.type in ("Component", "Group") else 2
    return f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{radius}" {paint}/>'


def _svg(view: View, lay: dict[str, Any], title: str) -> str:
    out = [f'<svg id="kg-canvas" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}">',
           "<defs>"]
    for fam, (colour, _, _) in FAMILIES.items():
        out.append(f'<marker id="arrow-{fam}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
                   f'markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">'
                   f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')
    out.append('<marker id="tee-rejection" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
               f'markerUnits="userSpaceOnUse" orient="auto"><path d="M8,0 V10" stroke="{FAMILIES["rejection"][0]}" '
               'stroke-width="2.5"/></marker>')
    out.append('</defs><g id="kg-viewport">')
    out.append('<g class="clusters">')
    for g in view.groups:
        box = lay["clusters"].get(g.id)
        if box:
            out.append(f'<g class="cluster" data-group="{escape(g.id)}"><rect x="{box["x"]:.1f}" y="{box["y"]:.1f}" '
                       f'width="{box["w"]:.1f}" height="{box["h"]:.1f}" rx="8"/>'
                       f'<text x="{box["x"] + 8:.1f}" y="{box["y"] + 15:.1f}">{escape(g.label)}</text></g>')
    out.append('</g><g class="edges">')
    for i, e in enumerate(view.edges):
        geo = lay["edges"].get(i)
        if not geo or not geo["path"]:
            continue
        fam = family(e.relation)
        colour = FAMILIES[fam][0]
        marker = "tee-rejection" if e.relation == "rejects" else f"arrow-{fam}"
        label = ""
        if geo["label"]:
            lx, ly = geo["label"]
            label = f'<text x="{lx}" y="{ly}" fill="{colour}">{escape(geo.get("caption", e.caption))}</text>'
        out.append(f'<g class="edge fam-{fam}" data-rel="{e.relation}" data-source="{escape(e.source)}" '
                   f'data-target="{escape(e.target)}" data-index="{i}"><path d="{geo["path"]}" stroke="{colour}" '
                   f'marker-end="url(#{marker})"/>{label}</g>')
    out.append('</g><g class="nodes">')
    for n in view.nodes:
        box = lay["nodes"][n.id]
        _, _, text = colours(n)
        cls = " ".join(c for c in ("node", "t-" + n.type.lower(), status_class(n), "focus" if n.focus else "") if c)
        lines = wrap(n.caption)
        first = -(len(lines) - 1) * 7.0
        texts = "".join(f'<tspan x="0" y="{first + k * 14:.1f}">{escape(line)}</tspan>' for k, line in enumerate(lines))
        aria = f"{n.label} ({n.type}{', ' + n.status if n.status else ''})"
        out.append(f'<g class="{cls}" data-id="{escape(n.id)}" transform="translate({box["x"]},{box["y"]})" '
                   f'tabindex="0" role="button" aria-label="{escape(aria)}"><title>{escape(aria)}</title>'
                   f'{_shape(n, box["w"], box["h"])}<text fill="{text}">{texts}</text></g>')
    out.append("</g></g></svg>")
    return "\n".join(out)


# ---------------------------------------------------------------- cards


def _cards(view: View) -> dict[str, dict[str, Any]]:
    kg = view.source
    in_view = {n.id for n in view.nodes}
    cards: dict[str, dict[str, Any]] = {}
    for n in view.nodes:
        if n.type == "Group":
            group_rels = [{"relation": e.relation, "direction": "out" if e.source == n.id else "in",
                     "other": _ref(view, e.target if e.source == n.id else e.source),
                     "evidence": e.evidence[:MAX_CARD_EVIDENCE]}
                    for e in view.edges if n.id in (e.source, e.target)]
            members = [{"id": k, "label": kg.entities[k]["label"] if kg else k,
                        "type": kg.entities[k]["type"] if kg else "",
                        "status": str(kg.entities[k]["props"].get("status", "")) if kg else ""} for k in n.members]
            cards[n.id] = {"id": n.id, "label": n.caption, "type": "Group", "status": "", "category": "",
                           "aliases": [], "properties": {}, "relations": group_rels, "members": members}
            continue
        if kg is None:
            cards[n.id] = {"id": n.id, "label": n.label, "type": n.type, "status": n.status, "category": n.category}
            continue
        card = kg.show(n.id)
        rels: list[dict[str, Any]] = []
        for r in card["relations"]:
            if r["relation"] in _HIDDEN_RELATIONS:
                continue
            rels.append({"relation": r["relation"], "direction": r["direction"],
                         "other": {"id": r["other"]["id"], "label": r["other"]["label"], "type": r["other"]["type"]},
                         "inView": r["other"]["id"] in in_view,
                         "evidence": [{"document": ev["document"], "line": ev["line"], "method": ev.get("method", ""),
                                       "text": _cut(plain_text(ev.get("text", ""))),
                                       "url": kg.locate(ev["document"], ev["line"])["url"]}
                                      for ev in r["evidence"][:MAX_CARD_EVIDENCE]]})
        def name(value: Any) -> str:  # superseded_by and the like hold entity keys
            return kg.entities[value]["label"] if isinstance(value, str) and value in kg.entities else str(value)

        props = {k: (", ".join(map(name, v)) if isinstance(v, list) else name(v))
                 for k, v in sorted(card["properties"].items()) if v not in ("", [], None, False)}
        cards[n.id] = {"id": n.id, "label": card["label"], "type": card["type"], "status": card["status"],
                       "category": n.category, "aliases": list(card["aliases"]), "properties": props,
                       "documents": card["documents"], "relations": rels,
                       "mentions": sum(1 for r in card["relations"] if r["relation"] == "mentions")}
    return cards


READABLE_PX = 11  # the size on screen at which an edge label can be read


@functools.cache
def _inline_markdown() -> Any:
    """One CommonMark parser for every evidence line of a page (it keeps no state between lines)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def plain_text(markdown: str) -> str:
    """A line of Markdown as the text a reader sees: table cells joined, emphasis, code marks and link targets
    gone ("| **Storage** | Object storage (MinIO) |" reads "Storage · Object storage (MinIO)")."""
    line = " ".join(str(markdown).split())
    if line.startswith("|") and line.endswith("|"):
        line = " · ".join(c.strip() for c in line.strip("|").split("|") if c.strip())
    line = re.sub(r"^\s*(?:#{1,6}\s+|[-*+]\s+|>\s*)", "", line)
    tokens = _inline_markdown().parseInline(line)
    out: list[str] = []
    for tok in tokens:
        for child in tok.children or []:
            if child.type in ("text", "code_inline", "html_inline"):
                out.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                out.append(" ")
    return " ".join("".join(out).split()) or line


def _centre(view: View, lay: dict[str, Any]) -> list[float]:
    degree: dict[str, int] = {}
    for e in view.edges:
        degree[e.source] = degree.get(e.source, 0) + 1
        degree[e.target] = degree.get(e.target, 0) + 1
    key = view.focus[0] if view.focus else max(sorted(degree), key=lambda k: degree[k], default="")
    box = lay["nodes"].get(key) or {"x": lay["width"] / 2, "y": lay["height"] / 2}
    return [box["x"], box["y"]]


def _ref(view: View, node_id: str) -> dict[str, str]:
    n = view.node(node_id)
    return {"id": n.id, "label": n.label, "type": n.type}


def _cut(text: str, width: int = 220) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


# ---------------------------------------------------------------- page


def render_html(view: View, title: str | None = None) -> str:
    """The interactive page of a view, one self-contained file."""
    title = title or view.title
    try:
        lay = layout(view, title)
    except GraphvizNotFound:
        lay = grid_layout(view)
    kg = view.source
    nodes = []
    for n in view.nodes:
        aliases = kg.entities[n.id]["aliases"] if kg is not None and n.id in kg.entities else []
        nodes.append({"id": n.id, "label": n.label, "type": n.type,
                      "search": " ".join([n.label, n.caption, *aliases, *n.members]).lower()})
    data = {"title": title, "collapsed": view.collapsed, "width": lay["width"], "height": lay["height"],
            "parked": [{"what": what, "labels": labels} for what, labels in view.parked],
            # the zoom at which the smallest label (an edge's) is 11 px, and where to look when the whole is
            # too big to be read at once: the focus, else the most connected node
            "readable": READABLE_PX / EDGE_FONT, "centre": _centre(view, lay),
            "nodes": nodes, "cards": _cards(view),
            # the page's rules for the drawing, so an exported SVG looks the same outside the page
            "svgStyle": "\n".join(line for line in _static("page.css").splitlines()
                                   if line.startswith(("svg ", ".cluster", ".node", ".edge"))),
            "layout": {k: {"x": v["x"], "y": v["y"]} for k, v in lay["nodes"].items()}}

    counts: dict[str, int] = {}
    for e in view.edges:
        counts[e.relation] = counts.get(e.relation, 0) + 1
    filters = "".join(
        f'<label><input type="checkbox" value="{r}" checked> <span class="swatch" '
        f'style="border-color:{FAMILIES[family(r)][0]}"></span>{r}<span class="count">{counts[r]}</span></label>'
        for r in sorted(counts)) or "<p>no relations in this view</p>"
    present_types = sorted({n.type for n in view.nodes})
    legend = "".join(f'<span><i style="background:{TYPE_COLOURS[t][0]};border-color:{TYPE_COLOURS[t][1]}"></i>{t}</span>'
                     for t in present_types if t in TYPE_COLOURS)
    legend += "".join(f'<span><i style="background:{c[0]};border-color:{c[1]};border-style:dashed"></i>'
                      f'{"not used" if s == "notused" else "replaced / removed"}</span>'
                      for s, c in STATUS_COLOURS.items())
    note = f'<span id="kg-note" title="{escape(view.collapsed)}">{escape(view.collapsed)}</span>' if view.collapsed else ""
    parked = "".join(f"<h3>{escape(what)}</h3><p>{escape(', '.join(labels))}</p>" for what, labels in view.parked)
    parked = f'<h2>Not drawn</h2><div id="kg-parked">{parked}</div>' if parked else ""
    named = sum(len(labels) for _, labels in view.parked)
    if named:
        note += f'<span id="kg-parked-note">{named} more named in the panel, not drawn</span>'

    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="kg export">
<link rel="icon" href="data:,">
<title>{escape(title)}</title>
<style>
{_static("page.css")}</style>
</head>
<body>
<header>
<h1 title="{escape(title)}">{escape(title)}</h1>
<input id="kg-search" type="search" placeholder="Search nodes (Enter to go)" aria-label="Search nodes">
<span id="kg-matches"></span>
<button id="kg-zoom-in" type="button" title="Zoom in">+</button>
<button id="kg-zoom-out" type="button" title="Zoom out">−</button>
<button id="kg-fit" type="button" title="Fit to window">Fit</button>
<span id="kg-zoom-note" hidden>Zoomed to readable labels: Fit shows all</span>
<button id="kg-export" type="button" title="Download what is shown now as an SVG file">Export SVG</button>
<button id="kg-panel" type="button" title="Cards, relation filter, legend">Panel</button>
{note}
</header>
<main>
{_svg(view, lay, title)}
</main>
<aside>
<button id="kg-close" type="button" title="Close the panel" aria-label="Close the panel">×</button>
<h2>Card</h2>
<div id="kg-card" class="empty">Click a node to see its card.</div>
<h2>Relations</h2>
<div id="kg-filters">{filters}</div>
<h2>Legend</h2>
<div id="kg-legend">{legend}</div>
{parked}
</aside>
<script id="kg-data" type="application/json">{_json_for_script(data)}</script>
<script>
{_static("page.js")}</script>
</body>
</html>
"""
