"""Graphviz: DOT text of a view, and svg/png/layout through the `dot` command (no Python binding needed)."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from ..errors import KgError
from .style import FAMILIES, SHAPES, colours, family, status_class, wrap
from .view import View, safe_ids

# a font both Graphviz (measuring the labels) and browsers (drawing the SVG) have, so labels keep their room
FONT = "DejaVu Sans"
INSTALL_HINT = "Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz"


class GraphvizNotFound(KgError):
    """The `dot` command is not on PATH."""

    def __init__(self) -> None:
        super().__init__(f"Graphviz is not installed: the `dot` command is needed for svg/png ({INSTALL_HINT})")


class GraphvizFailed(KgError):
    """`dot` ran and failed."""


def _q(text: str) -> str:
    """A DOT double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _attrs(**kw: Any) -> str:
    return "[" + ", ".join(f"{k}={v if isinstance(v, (int, float)) else _q(str(v))}" for k, v in kw.items()) + "]"


# font sizes in points; the html page draws its labels in pixels of the same sizes, from the same layout
NODE_FONT, EDGE_FONT, GROUP_FONT, TITLE_FONT = 12, 11, 13, 15
PARKED_MAX = 60  # names listed per kind of what is not drawn; the html page's panel lists them all


def _html(text: str) -> str:
    """Text for a Graphviz HTML-like label."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


def legend_rows(view: View) -> tuple[list[tuple[str, str, str, str]], list[tuple[str, str, str, list[str]]]]:
    """What the view's drawing uses: node kinds (name, fill, stroke, shape) and relation families
    (family, colour, style, the relations of it drawn)."""
    from .style import STATUS_COLOURS, TYPE_COLOURS

    types = [(t, *TYPE_COLOURS[t][:2], SHAPES[t][0]) for t in TYPE_COLOURS if any(n.type == t for n in view.nodes)]
    for cls, (fill, stroke, _) in STATUS_COLOURS.items():
        if any(status_class(n) == cls for n in view.nodes):
            types.append(("not used" if cls == "notused" else "replaced / removed", fill, stroke, "box"))
    fams: dict[str, list[str]] = {}
    for e in view.edges:
        names = fams.setdefault(family(e.relation), [])
        if e.relation not in names:
            names.append(e.relation)
    return types, [(f, FAMILIES[f][0], FAMILIES[f][1], sorted(fams[f])) for f in FAMILIES if f in fams]


def _legend_label(view: View) -> str:
    types, fams = legend_rows(view)
    cells = ['<TD ALIGN="LEFT"><B>Legend</B></TD>']
    for name, fill, stroke, _ in types:
        cells.append(f'<TD BGCOLOR="{fill}" COLOR="{stroke}" BORDER="1" WIDTH="22" HEIGHT="12" FIXEDSIZE="TRUE"></TD>'
                     f'<TD ALIGN="LEFT">{_html(name)}</TD>')
    arrows = {"solid": "──▶", "dashed": "╌╌▶", "bold": "━━▶", "dotted": "┈┈▶"}
    for _family, colour, style, names in fams:
        cells.append(f'<TD><FONT COLOR="{colour}">{arrows.get(style, "──▶")}</FONT></TD>'
                     f'<TD ALIGN="LEFT">{_html(", ".join(names))}</TD>')
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="1"><TR>' + "".join(cells)
            + "</TR></TABLE>>")


def _header_label(view: View, title: str) -> str:
    lines = "".join(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{TITLE_FONT}"><B>{_html(t)}</B></FONT></TD></TR>'
                    for t in title.split("\n") if t)
    rows = f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{EDGE_FONT}">{_legend_label(view)[1:-1]}</FONT></TD></TR>'
    if view.parked:
        rows += f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{EDGE_FONT}">{_parked_label(view)[1:-1]}</FONT></TD></TR>'
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">{lines}{rows}</TABLE>>'


def _parked_label(view: View) -> str:
    rows = ['<TR><TD ALIGN="LEFT"><B>Not drawn</B></TD></TR>']
    for what, labels in view.parked:
        shown = labels if len(labels) <= PARKED_MAX else labels[:PARKED_MAX] + [f"… and {len(labels) - PARKED_MAX} more"]
        lines = wrap(", ".join(shown), 140)
        rows.append(f'<TR><TD ALIGN="LEFT"><I>{_html(what)}</I></TD></TR>')
        rows += [f'<TR><TD ALIGN="LEFT">{_html(line)}</TD></TR>' for line in lines]
    return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">' + "".join(rows) + "</TABLE>>"


def render_dot(view: View, title: str | None = None, show_title: bool = True, extras: bool = True,
               rankdir: str = "LR") -> str:
    """DOT text of a view: a cluster per group, nodes shaped by type and styled by status, edges by relation kind;
    with `extras`, a legend and the list of what the view names without drawing."""
    title = title or view.title
    if view.collapsed:
        title += "\n" + "\n".join(wrap(view.collapsed, 120))
    if not show_title:
        title = ""
    # the title, the legend and the list of what is not drawn make one block above the drawing
    label = _header_label(view, title) if extras and view.nodes else _q(title)
    out = [
        "digraph kg {",
        f"  graph [rankdir={_q(rankdir)}, label={label}, labelloc=\"t\", labeljust=\"l\", fontname={_q(FONT)}, "
        f"fontsize={TITLE_FONT}, newrank=\"true\", nodesep=0.3, ranksep=0.5, pad=0.2, bgcolor=\"white\"];",
        f"  node {_attrs(fontname=FONT, fontsize=NODE_FONT, margin='0.1,0.04', height=0.36, penwidth=1.2)};",
        f"  edge {_attrs(fontname=FONT, fontsize=EDGE_FONT, arrowsize=0.7)};",
    ]
    ids = safe_ids(view)  # XML-safe ids for the svg elements

    def node_line(n: Any, pad: str) -> str:
        fill, stroke, text = colours(n)
        style = ["filled"]
        if n.type == "Component":
            style.append("rounded")
        if status_class(n) or n.type == "Group":
            style.append("dashed")
        extra: dict[str, Any] = {}
        if n.focus:
            extra = {"penwidth": 2.6, "fontname": FONT + "-Bold"}
        cls = " ".join(c for c in (n.type.lower(), status_class(n), "focus" if n.focus else "") if c)
        return (f"{pad}{_q(n.id)} " + _attrs(label="\n".join(wrap(n.caption)), shape=SHAPES.get(n.type, SHAPES["Component"])[0],
                                             style=",".join(style), fillcolor=fill, color=stroke, fontcolor=text,
                                             tooltip=f"{n.label} ({n.type}{', ' + n.status if n.status else ''})",
                                             id=ids[n.id], **{"class": cls}, **extra) + ";")

    nodes = {n.id: n for n in view.nodes}
    for gi, g in enumerate(view.groups):
        out.append(f"  subgraph {_q(f'cluster_{gi}')} {{")
        out.append(f"    graph {_attrs(label=g.label, style='rounded,filled', fillcolor='#f8fafc', color='#cbd5e1', fontsize=GROUP_FONT, id=ids[g.id])};")
        out += [node_line(nodes[k], "    ") for k in g.nodes]
        out.append("  }")
    out += [node_line(n, "  ") for n in view.nodes if not n.group]
    # relations between the same two nodes, the same way, are drawn as one edge with one label listing them:
    # stacked labels of parallel edges are what overlaps first
    pairs: dict[tuple[str, str], list[int]] = {}
    for i, e in enumerate(view.edges):
        pairs.setdefault((e.source, e.target), []).append(i)
    for (source, target), indices in pairs.items():
        first = view.edges[indices[0]]
        colour, style, _ = FAMILIES[family(first.relation)]
        extra = {"arrowhead": "tee"} if first.relation == "rejects" else {}
        rels = " ".join(f"rel-{view.edges[i].relation}" for i in indices)
        out.append(f"  {_q(source)} -> {_q(target)} " + _attrs(
            label=", ".join(view.edges[i].caption for i in indices), color=colour, fontcolor=colour, style=style,
            id="edge_" + "_".join(map(str, indices)), **{"class": f"{rels} fam-{family(first.relation)}"},
            **extra) + ";")
    for a, b in _tiling(view):
        out.append(f"  {_q(a)} -> {_q(b)} [style=invis, weight=20];")
    out.append("}")
    return "\n".join(out) + "\n"


# the box a drawing is fitted into: an A4 page in landscape (svg, png); the canvas of the html page at
# 1280x800 under its header, the panel opening over it (both in CSS pixels)
PAGE = (1123.0, 794.0)
SCREEN = (1256.0, 730.0)


def rankdir_for(view: View, box: tuple[float, float], extras: bool = False, title: str | None = None) -> str:
    """LR or TB, whichever draws the view larger once fitted into `box` (a wide view reads better top-down
    when it is too wide for the page); LR on a tie, and for a view too small to matter."""
    return _weighed(view, box, extras, title)[0]


def _weighed(view: View, box: tuple[float, float], extras: bool, title: str | None,
             ) -> tuple[str, dict[str, Any]]:
    """The direction rankdir_for chooses, with dot's JSON layout of each DOT text it tried (by the text),
    so that drawing the chosen one does not lay it out again."""
    if len(view.nodes) < 4:
        return "LR", {}
    best, scale = "LR", 0.0
    layouts: dict[str, Any] = {}
    for rankdir in ("LR", "TB"):
        text = render_dot(view, title, show_title=extras, extras=extras, rankdir=rankdir)
        data = json.loads(run_dot(text, "json"))
        layouts[text] = data
        _, _, w, h = (float(v) for v in data["bb"].split(","))
        fitted = min(box[0] / max(w, 1.0), box[1] / max(h, 1.0))
        if fitted > scale * 1.05:
            best, scale = rankdir, fitted
    return best, layouts


def _laid_out(dot_text: str, known: dict[str, Any]) -> dict[str, Any]:
    """dot's JSON layout of DOT text, reused when the direction was weighed on this very text."""
    return known[dot_text] if dot_text in known else json.loads(run_dot(dot_text, "json"))


def render_svg(view: View, title: str | None = None) -> str:
    """The view drawn by Graphviz as SVG, laid out to fit a page, no edge label over another label or a node."""
    return _render_fitted(view, title, "svg").decode("utf-8")


def render_png(view: View, title: str | None = None) -> bytes:
    """The view drawn by Graphviz as PNG, laid out to fit a page, no edge label over another label or a node."""
    return _render_fitted(view, title, "png")


def _render_fitted(view: View, title: str | None, fmt: str) -> bytes:
    rankdir, layouts = _weighed(view, PAGE, True, title)
    text = render_dot(view, title, rankdir=rankdir)
    return _drawn(text, fmt, _laid_out(text, layouts))


def _box(x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
    return x - w / 2, y - h / 2, x + w / 2, y + h / 2


def _meets(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def free_labels(data: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """New places for the edge labels that Graphviz put over a node or another label (it can, for edges within
    one rank): each moved to the nearest free spot above or below, then beside. Keyed by edge id."""
    taken: list[tuple[float, float, float, float]] = []
    for obj in data.get("objects", []):
        if "pos" in obj and "width" in obj:
            x, y = (float(v) for v in obj["pos"].split(",")[:2])
            taken.append(_box(x, y, float(obj["width"]) * 72, float(obj["height"]) * 72))
        texts = [op for op in obj.get("_ldraw_", []) if op.get("op") == "T"]
        if "lp" in obj and "nodes" in obj and texts:  # a cluster's label
            x, y = (float(v) for v in obj["lp"].split(","))
            taken.append(_box(x, y, max(float(t["width"]) for t in texts) + 4, GROUP_FONT * 1.3))
    moved: dict[str, tuple[float, float]] = {}
    for e in data.get("edges", []):
        texts = [op for op in e.get("_ldraw_", []) if op.get("op") == "T"]
        if "lp" not in e or not texts:
            continue
        x, y = (float(v) for v in e["lp"].split(","))
        w = max(float(t["width"]) for t in texts) + 4
        h = EDGE_FONT * 1.3 * len(texts)
        here = _box(x, y, w, h)
        if any(_meets(here, other) for other in taken):
            for dx, dy in [(0, k * h) for k in (1, -1, 2, -2, 3, -3)] + [(k * w / 2, 0) for k in (1, -1, 2, -2)]:
                there = _box(x + dx, y + dy, w, h)
                if not any(_meets(there, other) for other in taken):
                    here, moved[e["id"]] = there, (x + dx, y + dy)
                    break
        taken.append(here)
    return moved


def _drawn(dot_text: str, fmt: str, laid_out: dict[str, Any] | None = None) -> bytes:
    """Draw DOT text: laid out by dot (`laid_out`: dot's JSON layout of it, when already made); when some edge
    labels need another place, drawn again by neato -n2 from dot's own positions with those labels moved."""
    moved = free_labels(laid_out if laid_out is not None else json.loads(run_dot(dot_text, "json")))
    if not moved:
        return run_dot(dot_text, fmt)
    laid = run_dot(dot_text, "dot").decode("utf-8")
    for edge_id, (x, y) in moved.items():
        # in dot's output an edge statement holds its id and its label position (lp) among its attributes
        spot = f"{x:.2f},{y:.2f}"
        before = rf'(\[[^\[\]]*?\bid={re.escape(edge_id)}\b[^\[\]]*?\blp=")[^"]*(")'
        after = rf'(\[[^\[\]]*?\blp=")[^"]*("[^\[\]]*?\bid={re.escape(edge_id)}\b)'
        found = re.search(before, laid) or re.search(after, laid)
        if found:
            laid = laid[:found.start()] + found.group(1) + spot + found.group(2) + laid[found.end():]
    return run_dot(laid, fmt, program="neato", extra=["-n2"])


def _tiling(view: View, row_width: int = 8) -> list[tuple[str, str]]:
    """Invisible edges that lay unconnected nodes out in a grid instead of one long column.

    Left to itself dot puts every node without edges of a cluster in one rank, a
    column as tall as the cluster is big, and stacks clusters without edges one
    under the other. Chaining them (a -> b puts b one rank to the right) tiles the
    loose nodes of a cluster in rows of about sqrt(n), and places the clusters
    that hold nothing else side by side in rows of about `row_width` ranks.
    """
    linked = {e.source for e in view.edges} | {e.target for e in view.edges}
    blocks = [(g.id, g.nodes) for g in view.groups] or [("", [n.id for n in view.nodes])]
    blocks += [("", [n.id for n in view.nodes if not n.group])] if view.groups else []
    pairs: list[tuple[str, str]] = []
    loose_blocks: list[tuple[list[str], int]] = []  # (first row of a block of nothing but loose nodes, its width)
    for _, members in blocks:
        loose = [k for k in members if k not in linked]
        if not loose:
            continue
        cols = max(1, math.ceil(math.sqrt(len(loose))))
        rows = [loose[i:i + cols] for i in range(0, len(loose), cols)]
        for row in rows:
            pairs += list(zip(row, row[1:]))
        if len(loose) == len(members):
            loose_blocks.append((rows[0], cols))
    # blocks of loose nodes side by side: the end of one block's first row -> the start of the next one's
    width = 0
    for prev, (row, cols) in zip([None, *loose_blocks], loose_blocks):
        if prev is not None and width + cols <= max(row_width, cols):
            pairs.append((prev[0][-1], row[0]))
            width += cols
        else:
            width = cols
    return pairs


def dot_command() -> str:
    """The path of `dot`, or GraphvizNotFound."""
    path = shutil.which("dot")
    if path is None:
        raise GraphvizNotFound()
    return path


def run_dot(dot_text: str, fmt: str, timeout: float = 120, program: str = "dot",
            extra: list[str] | None = None) -> bytes:
    """Run `dot -T<fmt>` (or another Graphviz program) on DOT text; its output as bytes."""
    path = dot_command()
    args = [str(Path(path).with_name(program)) if program != "dot" else path, f"-T{fmt}", *(extra or [])]
    if fmt == "png":
        args.append("-Gdpi=110")
    try:
        proc = subprocess.run(args, input=dot_text.encode(), capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise GraphvizFailed(f"dot -T{fmt} took more than {timeout:.0f} s") from exc
    if proc.returncode != 0:
        first = proc.stderr.decode(errors="replace").strip().splitlines()[:1]
        raise GraphvizFailed(f"dot -T{fmt} failed: {first[0] if first else f'exit code {proc.returncode}'}")
    return proc.stdout


def layout(view: View, title: str | None = None) -> dict[str, Any]:
    """Graphviz's layout of a view, in SVG coordinates (y down): node boxes, edge paths, cluster boxes."""
    rankdir, layouts = _weighed(view, SCREEN, False, None)
    data = _laid_out(render_dot(view, title, show_title=False, extras=False, rankdir=rankdir), layouts)
    height = float(data["bb"].split(",")[3])

    def pt(text: str) -> tuple[float, float]:
        x, y = text.split(",")[:2]
        return round(float(x), 1), round(height - float(y), 1)

    nodes: dict[str, dict[str, float]] = {}
    clusters: dict[str, dict[str, float]] = {}
    ids = safe_ids(view)
    group_of = {ids[g.id]: g.id for g in view.groups}
    for obj in data.get("objects", []):
        if "nodes" in obj or obj.get("name", "").startswith("cluster_"):
            if "bb" in obj:
                x1, y1, x2, y2 = (float(v) for v in obj["bb"].split(","))
                clusters[group_of.get(obj.get("id", ""), obj["name"])] = {"x": x1, "y": height - y2, "w": x2 - x1, "h": y2 - y1}
            continue
        x, y = pt(obj["pos"])
        nodes[obj["name"]] = {"x": x, "y": y, "w": round(float(obj["width"]) * 72, 1),
                              "h": round(float(obj["height"]) * 72, 1)}
    edges: dict[int, dict[str, Any]] = {}
    moved = free_labels(data)
    for e in data.get("edges", []):
        if "id" not in e:  # the invisible edges that tile loose nodes
            continue
        indices = [int(i) for i in e["id"].split("_")[1:]]
        path = _spline_path(e.get("pos", ""), pt)
        label = pt(f"{moved[e['id']][0]},{moved[e['id']][1]}") if e["id"] in moved else \
            pt(e["lp"]) if "lp" in e else None
        for n, idx in enumerate(indices):  # one drawn edge for parallel relations: its label said once
            edges[idx] = {"path": path, "label": label if n == 0 else None,
                          "caption": ", ".join(view.edges[i].caption for i in indices)}
    x1, y1, x2, y2 = (float(v) for v in data["bb"].split(","))
    return {"width": x2 - x1, "height": y2 - y1, "nodes": nodes, "edges": edges, "clusters": clusters,
            "title": pt(data["lp"]) if "lp" in data else None}


def _spline_path(pos: str, pt: Any) -> str:
    """An SVG path of a Graphviz edge spline ("e,x,y p0 p1 p2 p3 …"), ending at the arrow's tip."""
    end = None
    points = []
    for part in pos.split():
        if part.startswith("e,"):
            end = pt(part[2:])
        elif part.startswith("s,"):
            continue
        else:
            points.append(pt(part))
    if not points:
        return ""
    d = f"M{points[0][0]},{points[0][1]}"
    for i in range(1, len(points) - 2, 3):
        (ax, ay), (bx, by), (cx, cy) = points[i:i + 3]
        d += f" C{ax},{ay} {bx},{by} {cx},{cy}"
    if end is not None:
        d += f" L{end[0]},{end[1]}"
    return d
