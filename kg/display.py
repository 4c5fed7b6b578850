"""Rich display for Jupyter: entity cards, impact results, diagrams, the ADR timeline and bar charts.

Everything here turns plain data (an EntityCard dict, an ImpactResult, a rendered
diagram, a DataFrame) into HTML, SVG or a matplotlib figure. Every piece of text
that came from the docs is HTML-escaped: a label such as `<script>` is shown, never run.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from .api import ImpactResult, KnowledgeGraph

EVIDENCE_TEXT_MAX = 160  # characters of an evidence line shown inline; the full text is in the tooltip
EVIDENCE_PER_RELATION = 2
IMPACT_ROWS_MAX = 200

_CSS = (
    "<style>"
    ".kg-box{font-size:13px;line-height:1.4;max-width:1100px}"
    ".kg-box table{border-collapse:collapse;margin:4px 0 8px 0}"
    ".kg-box th,.kg-box td{text-align:left;vertical-align:top;padding:2px 8px;border-bottom:1px solid #e4e4e4}"
    ".kg-box code{font-size:12px}"
    ".kg-muted{color:#777}"
    ".kg-badge{display:inline-block;padding:0 6px;border-radius:8px;background:#eef;font-size:12px}"
    ".kg-ev{color:#555}"
    "</style>"
)


def _e(value: Any) -> str:
    """HTML-escape any value (quotes too, so it is safe inside attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def _short(text: str, limit: int = EVIDENCE_TEXT_MAX) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def evidence_html(ev: dict[str, Any]) -> str:
    """One piece of evidence as `file:line` and the (shortened) source text; method and full text as a tooltip."""
    where = f"{ev.get('document', '')}:{ev.get('line', '')}" if ev.get("line") is not None else ev.get("document", "")
    text = str(ev.get("text", ""))
    tip = f"{ev.get('method', '')}: {text}" if ev.get("method") else text
    place = f"<code>{_e(where)}</code>"
    if str(ev.get("url", "")).startswith(("file:", "https:", "http:")):
        place = f'<a href="{_e(ev["url"])}" target="_blank" rel="noopener">{place}</a>'
    return f'<span class="kg-ev" title="{_e(tip)}">{place} {_e(_short(text))}</span>'


def _evidence_list(evidence: list[dict[str, Any]], limit: int = EVIDENCE_PER_RELATION) -> str:
    if not evidence:
        return '<span class="kg-muted">no evidence</span>'
    shown = "<br>".join(evidence_html(ev) for ev in evidence[:limit])
    more = len(evidence) - limit
    return shown + (f'<br><span class="kg-muted">+{more} more</span>' if more > 0 else "")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _ref(ref: dict[str, Any]) -> str:
    return f'<b>{_e(ref.get("label", ""))}</b> <span class="kg-muted">{_e(ref.get("type", ""))}</span>'


def card_html(card: dict[str, Any]) -> str:
    """An entity card (the dict of `KnowledgeGraph.show`) as compact HTML: header, properties, relations with evidence."""
    parts = [_CSS, '<div class="kg-box kg-card">']
    status = f' · {_e(card["status"])}' if card.get("status") else ""
    parts.append(f'<div><b style="font-size:15px">{_e(card.get("label", ""))}</b> '
                 f'<span class="kg-badge">{_e(card.get("type", ""))}</span>{status} '
                 f'<span class="kg-muted"><code>{_e(card.get("id", ""))}</code></span></div>')
    if card.get("aliases"):
        parts.append(f'<div class="kg-muted">aliases: {_e(", ".join(card["aliases"]))}</div>')

    props = {k: v for k, v in (card.get("properties") or {}).items() if v not in ("", None, [], {})}
    if props:
        parts.append("<table>")
        parts.extend(f"<tr><th>{_e(k)}</th><td>{_e(_value(v))}</td></tr>" for k, v in props.items())
        parts.append("</table>")

    relations = card.get("relations") or []
    main = [r for r in relations if r.get("relation") != "mentions"]
    mentions = [r for r in relations if r.get("relation") == "mentions"]
    if main:
        parts.append("<table><tr><th></th><th>relation</th><th>with</th><th>evidence</th></tr>")
        for r in main:
            arrow = "→" if r.get("direction") == "out" else "←"
            parts.append(f"<tr><td>{arrow}</td><td>{_e(r.get('relation', ''))}</td><td>{_ref(r.get('other', {}))}</td>"
                         f"<td>{_evidence_list(r.get('evidence') or [])}</td></tr>")
        parts.append("</table>")
    elif not mentions:
        parts.append('<div class="kg-muted">no relations</div>')
    if mentions:
        parts.append(f"<details><summary>mentioned in {len(mentions)} "
                     f"document{'s' if len(mentions) != 1 else ''}</summary><table>")
        for r in mentions:
            other = r.get("other", {})
            parts.append(f"<tr><td>{_e(other.get('label', ''))}</td><td>{_evidence_list(r.get('evidence') or [], 1)}</td></tr>")
        parts.append("</table></details>")
    evidence = card.get("evidence") or []
    if evidence:
        parts.append(f"<details><summary>defined by {len(evidence)} piece{'s' if len(evidence) != 1 else ''} "
                     f"of evidence</summary>{_evidence_list(evidence, len(evidence))}</details>")
    parts.append("</div>")
    return "".join(parts)


def impact_html(result: ImpactResult) -> str:
    """An impact (or deps) result as an HTML table: each entity with its depth, path, relations and evidence."""
    target = result.target
    rows = result.results
    n = len(rows)
    noun = f"{n} entit{'y' if n == 1 else 'ies'}"
    if result.direction == "dependents":
        head = f"{noun} depend{'s' if n == 1 else ''} on {_ref(target)}"
        empty = f"Nothing depends on {_ref(target)}."
    else:
        head = f"{_ref(target)} depends on {noun}"
        empty = f"{_ref(target)} depends on nothing."
    parts = [_CSS, '<div class="kg-box kg-impact">']
    if result.graph and result.graph.get("sample"):
        parts.append('<div class="kg-muted">From the embedded SAMPLE graph, not from your docs.</div>')
    if not rows:
        parts.append(f"<div>{empty}</div></div>")
        return "".join(parts)
    parts.append(f"<div>{head}</div>")
    parts.append("<table><tr><th>depth</th><th>entity</th><th>status</th><th>path</th><th>evidence</th></tr>")
    for row in rows[:IMPACT_ROWS_MAX]:
        # read both ways from the dependent end: "Grafana → Loki → MinIO" is Grafana needs Loki needs MinIO
        path, ordered = (row.path, row.hops) if result.direction == "dependents" else (row.path[::-1], row.hops[::-1])
        hops = []
        for hop in ordered:
            hops.append(f"{_e(hop.source['label'])} <i>{_e(hop.relation)}</i> {_e(hop.target['label'])}: "
                        f"{_evidence_list(hop.evidence, 1)}")
        evidence = "<br>".join(hops) if hops else _evidence_list(row.evidence)
        parts.append(f"<tr><td>{row.depth}</td><td>{_ref({'label': row.label, 'type': row.type})}</td>"
                     f"<td>{_e(row.status)}</td><td>{_e(' → '.join(path))}</td><td>{evidence}</td></tr>")
    parts.append("</table>")
    if result.left_out:
        kinds = ", ".join(f"{k} ({v} more)" for k, v in result.left_out.items())
        parts.append(f'<div class="kg-muted">Left out: {_e(kinds)}; kinds="all" follows every kind.</div>')
    if n > IMPACT_ROWS_MAX:
        parts.append(f'<div class="kg-muted">… {n - IMPACT_ROWS_MAX} more; .to_frame() has them all</div>')
    parts.append("</div>")
    return "".join(parts)


# ---------------------------------------------------------------- diagrams


@dataclass
class Diagram:
    """A rendered diagram that shows itself inline: SVG and PNG as images, the HTML page in a sandboxed iframe,
    Mermaid as `text/vnd.mermaid` (JupyterLab 4.1+ draws it), any other format as its text."""

    source: str | bytes  # bytes for png
    fmt: str
    title: str | None = None
    height: int = 560

    def __str__(self) -> str:
        return self.source if isinstance(self.source, str) else f"<{self.fmt} diagram, {len(self.source)} bytes>"

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the rendered diagram to a file."""
        if isinstance(self.source, bytes):
            Path(path).write_bytes(self.source)
        else:
            Path(path).write_text(self.source, encoding="utf-8")

    def _repr_png_(self) -> bytes | None:
        return self.source if self.fmt == "png" and isinstance(self.source, bytes) else None

    def _repr_svg_(self) -> str | None:
        if self.fmt != "svg" or not isinstance(self.source, str):
            return None
        # Graphviz starts with an XML prolog and a DOCTYPE; inline SVG wants the <svg> element alone
        start = self.source.find("<svg")
        svg = self.source[start:] if start >= 0 else self.source
        return fit_to_cell(svg)

    def _repr_html_(self) -> str | None:
        if self.fmt == "empty":
            return f'<div class="kg-muted" style="color:#777">{_e(self.title)}</div>'
        if self.fmt != "html" or not isinstance(self.source, str):
            return None
        label = f' title="{_e(self.title)}"' if self.title else ""
        # srcdoc isolates the page: its scripts and styles run in their own document, not in the notebook's
        return (f'<iframe srcdoc="{_e(self.source)}"{label} sandbox="allow-scripts" '
                f'style="width:100%;height:{int(self.height)}px;border:1px solid #ddd"></iframe>')

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str] | None:
        if self.fmt != "mermaid" or not isinstance(self.source, str):
            return None
        return {"text/vnd.mermaid": self.source, "text/plain": self.source}

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        if self.fmt in ("svg", "png", "html", "empty"):
            p.text(f"<{self.fmt} diagram{': ' + self.title if self.title else ''}>")
        else:
            p.text(str(self))  # mermaid, dot, turtle…: the text itself


def fit_to_cell(svg: str) -> str:
    """An SVG that scales down to the width of its notebook cell (never up past its own size), keeping its shape."""
    end = svg.find(">")
    if not svg.startswith("<svg") or end < 0:
        return svg
    head, rest = svg[:end], svg[end:]
    width = re.search(r'\swidth="([\d.]+)(pt|px)?"', head)
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    limit = f"max-width:{width.group(1)}{width.group(2) or 'px'};" if width else ""
    return f'{head} width="100%" style="{limit}height:auto"{rest}'


def diagram(kg: KnowledgeGraph, focus: str | list[str] | None, depth: int | None = 2, fmt: str = "svg", *,
            direction: str = "both", title: str | None = None, height: int = 560, **view_options: Any) -> Diagram:
    """The neighbourhood of `focus` (one name, several, or None for the whole platform) drawn by kg.export,
    ready to show inline; `view_options` go to `build_view` (relations, group_by, max_nodes)."""
    from .export import build_view, render

    names = None if focus is None else [focus] if isinstance(focus, str) else list(focus)
    if names == []:  # an empty selection (a query that found nothing) draws nothing, not the whole platform
        return Diagram("", "empty", title or "nothing to draw", height)
    view = build_view(kg, focus=names, depth=depth, direction=direction, **view_options)
    return Diagram(render(view, fmt, title=title), fmt, title, height)


# ---------------------------------------------------------------- charts

STATUS_COLOURS = {"accepted": "#2e7d32", "proposed": "#ef6c00", "superseded": "#9e9e9e", "deprecated": "#c62828",
                  "rejected": "#c62828", "unknown": "#bdbdbd"}


def _column(frame: pd.DataFrame, wanted: str | None, *candidates: str) -> str | None:
    if wanted:
        return wanted
    return next((c for c in candidates if c in frame.columns), None)


def adr_timeline(frame: pd.DataFrame, *, date: str | None = None, label: str | None = None,
                 status: str | None = None, title: str | None = None) -> Figure:
    """A timeline of ADRs (one row each, placed at its date, coloured by status) from a DataFrame of ADRs.

    The columns are found by name (date; adr/adrId/label/id; status; title) unless given. ADRs without a date
    are left out and counted in the caption.
    """
    import matplotlib.pyplot as plt
    import pandas as pd
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    date_col = _column(frame, date, "date", "dcterms_date")
    label_col = _column(frame, label, "adr", "adrId", "adr_id", "label", "id")
    status_col = _column(frame, status, "status")
    title_col = _column(frame, title, "title")
    if date_col is None or label_col is None:
        raise ValueError(f"adr_timeline needs a date and an ADR column; got {list(frame.columns)}")

    data = frame.assign(_when=pd.to_datetime(frame[date_col].astype("string").replace("", None), errors="coerce"))
    undated = int(data["_when"].isna().sum())
    data = data.dropna(subset=["_when"]).sort_values(["_when", label_col], ascending=[False, False])
    fig, ax = plt.subplots(figsize=(10, max(2.0, 0.3 * len(data) + 1.2)))
    plt.close(fig)  # returned, not auto-shown: the notebook displays it once as the cell's value
    seen: set[str] = set()
    labels = []
    for y, (_, row) in enumerate(data.iterrows()):
        state = str(row[status_col]) if status_col else "unknown"
        colour = STATUS_COLOURS.get(state.lower(), STATUS_COLOURS["unknown"])
        ax.scatter([row["_when"]], [y], color=colour, s=40, zorder=3, label=state if state not in seen else None)
        seen.add(state)
        text = str(row[label_col]) + (f"  {row[title_col]}" if title_col and pd.notna(row[title_col]) else "")
        labels.append(_short(text, 60))
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.grid(alpha=0.3)
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    if len(data):
        lo, hi = data["_when"].min(), data["_when"].max()
        pad = max((hi - lo) * 0.05, pd.Timedelta(days=1))
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_ylim(-0.7, len(data) - 0.3)
        ax.legend(loc="upper right", fontsize=8)
    caption = f"ADR timeline: {len(data)} dated"
    if undated:
        caption += f", {undated} without a date (not shown)"
    ax.set_title(caption, fontsize=10, loc="left")
    fig.tight_layout()
    return fig


def bar_chart(data: pd.Series | pd.DataFrame, label: str | None = None, values: str | list[str] | None = None, *,
              title: str | None = None, xlabel: str | None = None) -> Figure:
    """Horizontal bars, first row at the top, from a Series (its index labels the bars) or a DataFrame (`label`
    column, `values` column(s), by default every numeric one); an empty one says so instead of failing."""
    import matplotlib.pyplot as plt
    import pandas as pd

    if isinstance(data, pd.Series):
        frame = data.to_frame(data.name if data.name is not None else "value")
    else:
        frame = data.set_index(label) if label else data
        if values is not None:
            frame = frame[[values] if isinstance(values, str) else list(values)]
        else:
            frame = frame.select_dtypes("number")
    fig, ax = plt.subplots(figsize=(7, max(1.8, 0.28 * len(frame) + 1.0)))
    plt.close(fig)  # returned, not auto-shown: the notebook displays it once as the cell's value
    if frame.empty or frame.shape[1] == 0:
        ax.text(0.5, 0.5, "nothing to plot", ha="center", va="center", transform=ax.transAxes, color="#777")
        ax.set_axis_off()
    else:
        frame.iloc[::-1].plot.barh(ax=ax, legend=frame.shape[1] > 1)
        ax.set_ylabel("")
        ax.grid(axis="x", alpha=0.3)
    ax.set_title(title or "", loc="left", fontsize=10)
    ax.set_xlabel(xlabel or "")
    fig.tight_layout()
    return fig
