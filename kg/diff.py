"""What changed between two graphs: entities and relations added or removed, statuses changed, with evidence.

Either side is a graph directory (its live build), a workspace file or a folder of docs (built in memory),
or a revision of a workspace's sources: `kg diff v1.2 main` builds the workspace twice with one source (the
only one in git, or the one `--source` names) at each revision, through the same git cache as `kg build`.
The answer says, for a design review, what moved since last time: components, ADRs, vendors and teams that
appeared or went, statuses that changed (an ADR accepted or superseded, a component replaced), and the
relations between them that are new or gone (a new dependency, a replacement), each with its evidence from
the side where it holds; as text, JSON, or a Mermaid diagram that marks what is new and what is gone.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import UsageError

# document plumbing: what changes whenever a line moves, not what the architecture is (`--all` shows it)
PLUMBING = frozenset({"mentions", "linksTo", "documentedIn", "describes", "inRepository"})
ARCHITECTURE_TYPES = ("Component", "ADR", "Vendor", "Team")
TRACKED = ("status", "standing", "title")  # the properties whose change is a change of the architecture
MAX_EVIDENCE = 3


@dataclass
class Side:
    """One side of a diff: what it is, in words, and the model built or read for it."""

    label: str
    model: dict[str, Any]


@dataclass
class Change:
    """An entity whose tracked property changed, with the evidence of each side."""

    key: str
    type: str
    label: str
    property: str  # status, standing or title
    old: str
    new: str
    old_evidence: list[dict[str, Any]] = field(default_factory=list)
    new_evidence: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Diff:
    """Entities and relations added, removed and changed between two sides."""

    old: str
    new: str
    added: list[dict[str, Any]] = field(default_factory=list)  # entities, with their evidence
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    relations_added: list[dict[str, Any]] = field(default_factory=list)
    relations_removed: list[dict[str, Any]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # entity key -> label, either side
    types: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.relations_added or self.relations_removed)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `kg diff --format json`."""
        def entity(e: dict[str, Any]) -> dict[str, Any]:
            return {"id": e["key"], "type": e["type"], "label": e["label"],
                    "status": e["props"].get("status") or e["props"].get("standing", ""),
                    "evidence": e["evidence"][:MAX_EVIDENCE]}

        def relation(r: dict[str, Any]) -> dict[str, Any]:
            return {"subject": self.labels[r["subject"]], "relation": r["predicate"], "object": self.labels[r["object"]],
                    "subject_id": r["subject"], "object_id": r["object"], "evidence": r["evidence"][:MAX_EVIDENCE]}

        return {"old": self.old, "new": self.new,
                "summary": {"entities_added": len(self.added), "entities_removed": len(self.removed),
                            "changed": len(self.changed), "relations_added": len(self.relations_added),
                            "relations_removed": len(self.relations_removed)},
                "entities": {"added": [entity(e) for e in self.added], "removed": [entity(e) for e in self.removed],
                             "changed": [{"id": c.key, "type": c.type, "label": c.label, "property": c.property,
                                          "old": c.old, "new": c.new, "old_evidence": c.old_evidence,
                                          "new_evidence": c.new_evidence} for c in self.changed]},
                "relations": {"added": [relation(r) for r in self.relations_added],
                              "removed": [relation(r) for r in self.relations_removed]}}


# ---------------------------------------------------------------- comparing two models


def _shown(ent: dict[str, Any], everything: bool) -> bool:
    return everything or ent["type"] in ARCHITECTURE_TYPES


def _evidence_for(ent: dict[str, Any], value: str, other: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The evidence of an entity that bears on a changed value: lines that say it, else lines the other side
    lacks, else its first."""
    evidence = ent.get("evidence", [])
    saying = [ev for ev in evidence if value and value.lower() in str(ev.get("text", "")).lower()]
    if saying:
        return saying[:MAX_EVIDENCE]
    seen = {(ev["document"], ev.get("text")) for ev in (other or {}).get("evidence", [])}
    new = [ev for ev in evidence if (ev["document"], ev.get("text")) not in seen]
    return (new or evidence)[:MAX_EVIDENCE]


def diff_models(old: Side, new: Side, everything: bool = False) -> Diff:
    """The differences from `old` to `new`: architecture entities and relations (every one with `everything`)."""
    before = {e["key"]: e for e in old.model["entities"]}
    after = {e["key"]: e for e in new.model["entities"]}
    out = Diff(old.label, new.label)
    for ents in (before, after):
        for k, e in ents.items():
            out.labels.setdefault(k, e["label"])
            out.types.setdefault(k, e["type"])
    for k in sorted(after.keys() - before.keys()):
        if _shown(after[k], everything):
            out.added.append(after[k])
    for k in sorted(before.keys() - after.keys()):
        if _shown(before[k], everything):
            out.removed.append(before[k])
    for k in sorted(before.keys() & after.keys()):
        a, b = before[k], after[k]
        if not _shown(b, everything):
            continue
        for name in TRACKED:
            was, now = str(a["props"].get(name) or ""), str(b["props"].get(name) or "")
            if was != now:
                out.changed.append(Change(k, b["type"], b["label"], name, was, now,
                                          _evidence_for(a, was, b), _evidence_for(b, now, a)))

    def relations(model: dict[str, Any], ents: dict[str, dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
        return {(r["subject"], r["predicate"], r["object"]): r for r in model["relations"]
                if everything or (r["predicate"] not in PLUMBING and ents[r["subject"]]["type"] in ARCHITECTURE_TYPES
                                  and ents[r["object"]]["type"] in ARCHITECTURE_TYPES)}

    rb, ra = relations(old.model, before), relations(new.model, after)
    out.relations_added = [ra[t] for t in sorted(ra.keys() - rb.keys())]
    out.relations_removed = [rb[t] for t in sorted(rb.keys() - ra.keys())]
    return out


# ---------------------------------------------------------------- the two sides


def _built(paths: list[str] | None, prepared: Any, label: str) -> Side:
    """A side built in memory (nothing is written to a graph directory)."""
    from .build import build
    from .store import model_of
    from .workspace import record_origins

    roots = prepared.roots if prepared else list(paths or [])
    result = build(roots, alias_files=list(prepared.spec.aliases) if prepared else None,
                   workspace=prepared.workspace if prepared else None)
    record_origins(result.entities, result.repos, prepared)
    return Side(label, model_of(result))


def _workspace_at(rev: str, file: Path | None, source: str | None, offline: bool) -> Side:
    """The workspace (kg.toml, or the git checkout here) with one source moved to `rev`, built in memory."""
    from .sources import _git
    from .workspace import Prepared, SourceSpec, WorkspaceFile, checkout, discover_checkouts, load_workspace

    spec = load_workspace(file) if file else WorkspaceFile(Path("."), [SourceSpec(0, path=Path.cwd().resolve())])

    def name_of(s: SourceSpec) -> str:
        from .workspace import _git_name

        return s.name or (_git_name(s.git) if s.git else s.path.name if s.path else "")

    def git_url(s: SourceSpec) -> tuple[str, str]:
        """(URL, subdir) to fetch a source from at another revision."""
        if s.git:
            return s.git, s.subdir
        top = _git(s.path, "rev-parse", "--show-toplevel") if s.path else ""
        if not top:
            return "", ""
        inner = os.path.relpath(s.path, top) if s.path else "."
        sub = "/".join(p for p in (inner if inner != "." else "", s.subdir) if p)
        return Path(top).as_uri(), sub

    urls = {id(s): git_url(s) for s in spec.sources}  # one git call per source, however often it is asked
    movable = [s for s in spec.sources if urls[id(s)][0]]
    if source:
        chosen = [s for s in spec.sources if name_of(s) == source]
        if not chosen:
            raise UsageError(f"no source named {source}; one of: {', '.join(name_of(s) for s in spec.sources)}")
        if not urls[id(chosen[0])][0]:
            raise UsageError(f"source {source} is not in git: it has no revisions")
    elif len(movable) == 1:
        chosen = movable
    else:
        where = file or "this folder"
        raise UsageError(f"{rev} is no graph, workspace file or folder; as a revision it needs one git source "
                         f"to move, and {where} has {len(movable)}"
                         + (f" (name one with --source: {', '.join(name_of(s) for s in movable)})" if movable else ""))
    target = chosen[0]
    url, subdir = urls[id(target)]
    moved = replace(target, path=None, git=url, rev=rev, subdir=subdir, name=name_of(target))
    spec = replace(spec, sources=[moved if s is target else s for s in spec.sources])
    checkouts, warnings = checkout(spec, offline)
    prepared = Prepared(spec, checkouts, discover_checkouts(checkouts, spec.file), warnings)
    commit = next(c.commit for c in checkouts if c.name == moved.name)
    return _built(None, prepared, f"{moved.name} at {rev} ({commit[:12]})")


def load_side(arg: str, workspace: str | None = None, source: str | None = None, offline: bool = False) -> Side:
    """One side of a diff: a graph directory, a workspace file, a folder of docs, or a revision of the workspace."""
    from . import store
    from .workspace import find_workspace_file, prepare

    path = Path(arg).expanduser()
    if path.is_dir() and store.exists(path):
        build = store.current_build(path)
        meta = store.read_meta(build)
        return Side(f"graph {arg} (built {meta.get('built_at', '?')})", store.read_model(build, meta))
    if path.exists():
        file = find_workspace_file([arg])
        if file is not None:
            return _built(None, prepare(None, file, offline), f"workspace {file}")
        return _built([arg], None, f"folder {arg}")
    file = Path(workspace) if workspace else find_workspace_file([])
    return _workspace_at(arg, file, source, offline)


def diff(old: str, new: str, workspace: str | None = None, source: str | None = None, offline: bool = False,
         everything: bool = False) -> Diff:
    """What changed from OLD to NEW (graph directories, workspace files, folders or revisions)."""
    return diff_models(load_side(old, workspace, source, offline), load_side(new, workspace, source, offline),
                       everything)


# ---------------------------------------------------------------- rendering


def _where(evidence: list[dict[str, Any]]) -> str:
    if not evidence:
        return ""
    ev = evidence[0]
    text = " ".join(str(ev.get("text", "")).split())[:100]
    return f"{ev['document']}:{ev['line']}" + (f"  {text}" if text else "")


def render_text(d: Diff) -> str:
    """The diff for people: one section per kind of change, each line with its evidence."""
    from .escape import terminal

    lines = [f"kg diff: {d.old}", f"      → {d.new}"]
    if d.empty:
        lines.append("No change in the architecture (components, ADRs, vendors, teams and their relations).")
        return "\n".join(terminal(x) for x in lines)

    def section(title: str, rows: list[str], count: int | None = None) -> None:
        if rows:
            lines.extend(["", f"{title} ({len(rows) if count is None else count})", *rows])

    section("Entities added", [f"  + {e['type']:<9} {e['label']}    {_where(e['evidence'])}" for e in d.added])
    section("Entities removed", [f"  - {e['type']:<9} {e['label']}    {_where(e['evidence'])}" for e in d.removed])
    changed = []
    for c in d.changed:
        changed.append(f"  ~ {c.type:<9} {c.label}: {c.property} {c.old or '(none)'} → {c.new or '(none)'}")
        if c.old_evidence:
            changed.append(f"      was: {_where(c.old_evidence)}")
        if c.new_evidence:
            changed.append(f"      now: {_where(c.new_evidence)}")
    section("Changed", changed, len(d.changed))
    section("Relations added", [f"  + {d.labels[r['subject']]} {r['predicate']} {d.labels[r['object']]}    "
                                f"{_where(r['evidence'])}" for r in d.relations_added])
    section("Relations removed", [f"  - {d.labels[r['subject']]} {r['predicate']} {d.labels[r['object']]}    "
                                  f"{_where(r['evidence'])}" for r in d.relations_removed])
    return "\n".join(terminal(x) for x in lines)


def render_json(d: Diff) -> str:
    """The diff as JSON for scripts."""
    return json.dumps(d.to_dict(), indent=2, ensure_ascii=False)


STYLES = {"added": "fill:#e6f4ea,stroke:#1e8e3e,color:#0d652d,stroke-width:2px",
          "gone": "fill:#fce8e6,stroke:#d93025,color:#a50e0e,stroke-dasharray:5 3",
          "changed": "fill:#fef7e0,stroke:#f29900,color:#7a4f01,stroke-width:2px"}
EDGE_COLOURS = {"added": "#1e8e3e", "gone": "#d93025"}


def render_mermaid(d: Diff) -> str:
    """A Mermaid flowchart of what changed: new entities and relations in green, gone ones in red and dashed,
    changed ones in amber (with old → new in their caption); their unchanged ends plain."""
    from .export.style import SHAPES
    from .export.view import unique_ids
    from .mermaid import to_mermaid
    from .model import MermaidDiagram, MermaidEdge, MermaidNode

    state: dict[str, str] = {}
    for e in d.added:
        state[e["key"]] = "added"
    for e in d.removed:
        state[e["key"]] = "gone"
    captions: dict[str, str] = {}
    for c in d.changed:
        state.setdefault(c.key, "changed")
        captions[c.key] = f"{d.labels[c.key]} ({c.old or 'none'} → {c.new or 'none'})"
    edges = [(r, "added") for r in d.relations_added] + [(r, "gone") for r in d.relations_removed]
    keys = sorted(set(state) | {r[end] for r, _ in edges for end in ("subject", "object")})
    ids = unique_ids(keys)
    diagram = MermaidDiagram(kind="flowchart", direction="LR")
    for k in keys:
        shape = SHAPES.get(d.types.get(k, "Component"), SHAPES["Component"])[1]
        diagram.nodes[ids[k]] = MermaidNode(ids[k], captions.get(k, d.labels[k]), shape)
    ordered = sorted(edges, key=lambda x: (x[0]["subject"], x[0]["object"], x[0]["predicate"], x[1]))
    for r, how in ordered:
        sign = "+" if how == "added" else "−"
        diagram.edges.append(MermaidEdge(ids[r["subject"]], ids[r["object"]], f"{sign} {r['predicate']}",
                                         "-->" if how == "added" else "-.->"))
    title = f"What changed: {d.old} → {d.new}"
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}", "---"]
    lines += to_mermaid(diagram).rstrip("\n").split("\n")
    for name, style in STYLES.items():
        members = [ids[k] for k in keys if state.get(k) == name]
        if members:
            lines.append(f"    classDef {name} {style}")
            lines.append(f"    class {','.join(members)} {name}")
    for how, colour in EDGE_COLOURS.items():
        idx = [str(i) for i, (_, h) in enumerate(ordered) if h == how]
        if idx:
            lines.append(f"    linkStyle {','.join(idx)} stroke:{colour},stroke-width:2px")
    return "\n".join(lines) + "\n"
