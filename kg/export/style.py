"""How things look, shared by every drawing format: colours and shapes per entity type, status and relation kind."""

from __future__ import annotations

from ..relations import family as family  # re-exported: the exporters draw by family
from .view import ViewNode

# type -> fill, stroke, text colour
TYPE_COLOURS: dict[str, tuple[str, str, str]] = {
    "Component": ("#dbeafe", "#1d4ed8", "#172554"),
    "Vendor": ("#fef3c7", "#b45309", "#451a03"),
    "ADR": ("#ede9fe", "#6d28d9", "#2e1065"),
    "Team": ("#dcfce7", "#15803d", "#052e16"),
    "Repository": ("#e0f2fe", "#0369a1", "#082f49"),
    "Document": ("#f5f5f4", "#57534e", "#1c1917"),
    "Group": ("#f1f5f9", "#475569", "#0f172a"),
}
# status class -> fill, stroke, text colour (overrides the type's colours)
STATUS_COLOURS: dict[str, tuple[str, str, str]] = {
    "notused": ("#f3f4f6", "#9ca3af", "#6b7280"),
    "replaced": ("#fee2e2", "#b91c1c", "#7f1d1d"),
}
# type -> (graphviz shape, mermaid shape from kg.mermaid's shape names)
SHAPES: dict[str, tuple[str, str]] = {
    "Component": ("box", "rect"),
    "Vendor": ("hexagon", "hexagon"),
    "ADR": ("note", "subroutine"),
    "Team": ("ellipse", "stadium"),
    "Repository": ("cylinder", "cylinder"),
    "Document": ("tab", "asymmetric"),
    "Group": ("folder", "rect"),
}
_REPLACED = {"replaced", "removed", "superseded", "deprecated", "rejected", "retired"}

# relation family -> colour, graphviz style, mermaid arrow
FAMILIES: dict[str, tuple[str, str, str]] = {
    "dependency": ("#1f2937", "solid", "-->"),
    "decision": ("#6d28d9", "dashed", "-.->"),
    "rejection": ("#b91c1c", "dashed", "-.->"),
    "lifecycle": ("#c2410c", "bold", "==>"),
    "operation": ("#0f766e", "dashed", "-.->"),
    "ownership": ("#15803d", "dotted", "-.->"),
    "other": ("#9ca3af", "dotted", "-.->"),
}


def status_class(node: ViewNode) -> str:
    """"notused", "replaced" or "" (in use, or a status that changes nothing in the drawing)."""
    s = node.status.strip().lower()
    if s == "not used":
        return "notused"
    if s in _REPLACED:
        return "replaced"
    return ""


def colours(node: ViewNode) -> tuple[str, str, str]:
    """Fill, stroke and text colour of a node."""
    return STATUS_COLOURS.get(status_class(node)) or TYPE_COLOURS.get(node.type, TYPE_COLOURS["Component"])



def wrap(text: str, width: int = 26) -> list[str]:
    """Text cut into lines of about `width` characters at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]
