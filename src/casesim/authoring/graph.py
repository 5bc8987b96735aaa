"""``casesim graph``: the scenario as a Mermaid flowchart or a Graphviz DOT graph.

Both formats mark the same things, so an author reads the same picture whichever tool draws it:

- the start node (thick border) and unreachable nodes (dashed border);
- endings, with their outcome (a rounded "stadium" box in Mermaid, a double octagon in DOT);
- choices as edges labelled with the choice id, their guard as ``[when: ...]``;
- timer expiries as dotted edges labelled ``timeout (N s)``;
- never-event (critical) choices in red, with ``(never-event)`` in the label;
- the expert path the analysis found as thick edges;
- reviewers' `notes:` (format 2): on a node, a note box joined to it by a dotted line in Mermaid
  and a tooltip in DOT; on a choice, ``(note: ...)`` after its label.

Mermaid is written by hand rather than through ``transitions``' GraphMachine: its
``stateDiagram-v2`` output did not parse in Mermaid (transition labels with ``-``, an unquoted
``title:`` with ``: ``, ids that are Mermaid keywords), and a state diagram cannot style single
transitions. Here every node gets a short alias (``n0``, ``e0``) so no scenario id can collide with
Mermaid syntax (``end``, ``graph``, ``style``), and every label is quoted with the characters
Mermaid gives meaning to written as its ``#code;`` entities. The render test in
``tests/authoring/test_graph_render.py`` feeds the result to Mermaid itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from casesim.semantics.explore import Analysis
from casesim.semantics.program import Program, Step

__all__ = ["GRAPH_LABEL_LIMIT", "MERMAID_MAX_EDGES", "MERMAID_MAX_TEXT", "GraphEdge", "GraphNode", "ScenarioGraph",
           "graph_model", "mermaid_size", "scenario_graph"]

GRAPH_LABEL_LIMIT = 80
"""Guards longer than this are cut (with "…") so an edge label stays readable."""

MERMAID_MAX_TEXT = 50_000
MERMAID_MAX_EDGES = 500
"""Mermaid's default ``maxTextSize`` and ``maxEdges``: a diagram beyond them is refused by any
Mermaid that keeps the defaults (GitHub, mermaid.live), so the CLI warns and suggests DOT."""

_OUTCOME_STYLE = {
    "success": "fill:#e8f5e9,stroke:#2e7d32",
    "partial": "fill:#fffde7,stroke:#9e9d24",
    "missed-opportunity": "fill:#fff3e0,stroke:#ef6c00",
    "safety-risk": "fill:#ffebee,stroke:#c62828",
    "rupture": "fill:#fce4ec,stroke:#ad1457",
}
_CRITICAL_COLOUR = "#c62828"


def scenario_graph(program: Program, analysis: Analysis | None, *, fmt: str = "mermaid") -> str:
    """The graph of ``program`` as Mermaid (``fmt="mermaid"``) or DOT (``fmt="dot"``) text.

    ``analysis`` (when given) supplies the unreachable nodes and the expert path.
    """
    if fmt == "dot":
        return _dot(program, analysis)
    return _mermaid(program, analysis)


def _unreachable(program: Program, analysis: Analysis | None) -> list[str]:
    if analysis is None:
        return []
    reached = analysis.reachable_nodes | analysis.reachable_endings
    return [n for n in [*program.scenario.nodes, *program.scenario.endings] if n not in reached]


def _expert(analysis: Analysis | None) -> frozenset[str]:
    return frozenset() if analysis is None else frozenset(analysis.expert_path)


def _visible(text: str) -> str:
    """``text`` on one line: line breaks become spaces, other control characters ``\\xNN``."""
    out = []
    for char in text:
        if char in "\r\n\t\u2028\u2029\x85":
            out.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") and char not in "\u200d":
            out.append(f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def _cut(text: str, limit: int = GRAPH_LABEL_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _Labels:
    """Edge labels of one scenario: the choice id (or the timer), its guard, and whether it is a never-event."""

    def __init__(self, program: Program) -> None:
        nodes = program.scenario.nodes.values()
        self.guards = {c.id: c.when for node in nodes for c in node.choices if c.when is not None}
        """The ``when:`` text of each guarded choice (a Step keeps only the compiled guard)."""
        self.seconds = {n: node.timer.seconds for n, node in program.scenario.nodes.items() if node.timer}
        for node_id, node in program.scenario.nodes.items():
            if node.timer is not None and isinstance(node.timer.expire, list):
                for sid, branch in zip(node.timer.step_ids(node_id), node.timer.expire, strict=True):
                    if branch.when is not None:
                        self.guards[sid] = branch.when
        self.notes = {c.id: c.notes for node in nodes for c in node.choices if c.notes is not None}
        """Reviewers' notes on choices, by choice id."""

    def __call__(self, step: Step) -> str:
        return _edge_label(step, self.guards, self.seconds, self.notes)


def _edge_label(step: Step, guards: dict[str, str], seconds: dict[str, int], notes: dict[str, str]) -> str:
    label = f"timeout ({seconds[step.node]} s)" if step.is_timeout else step.id
    guard = guards.get(step.id)
    if guard is not None:
        label += f" [when: {_cut(_visible(' '.join(guard.split())))}]"
    if step.critical is not None:
        label += " (never-event)"
    note = notes.get(step.id)
    if note is not None:
        label += f" (note: {_cut(_visible(' '.join(note.split())))})"
    return label


def _node_notes(program: Program) -> dict[str, str]:
    """Reviewers' notes on nodes, on one line each."""
    return {n: ' '.join(node.notes.split()) for n, node in program.scenario.nodes.items() if node.notes is not None}


# --- Mermaid -----------------------------------------------------------------------------------

# Characters Mermaid reads as syntax even inside a quoted label, written as its entity codes
# ("#quot;" or "#35;"), which it decodes back when drawing: the quote ends the string; "#...;"
# is an entity; "<", ">" and "&" would be HTML; "%" can start a "%%{init}%%" directive anywhere in
# the text; a backtick starts a Markdown string; "|" delimits edge labels.
_MERMAID_ENTITIES = {'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "%": "#37;", "`": "#96;",
                     "|": "#124;"}


def _mermaid_label(text: str) -> str:
    """``text`` as a double-quoted Mermaid label that Mermaid shows exactly as written.

    On a line that mentions ``style`` or ``classDef``, Mermaid's pre-processing drops the last
    ``;`` after a ``:`` and a ``#`` (meant for ``style x fill:#fff;``), which would cut an entity
    short; there ``:`` is written as an entity too, so the pattern cannot match.
    """
    table = _MERMAID_ENTITIES
    if "style" in text or "classDef" in text:
        table = {**table, ":": "#58;"}
    return '"' + "".join(table.get(c, c) for c in _visible(text)) + '"'


def _mermaid_title(text: str) -> str:
    """``text`` as a YAML double-quoted scalar for the ``title:`` of Mermaid's front matter.

    Mermaid sanitises the title as HTML and then draws the result as plain text, so an ``&``
    would appear as ``&amp;``; it is written as "and" (a look-alike character such as the
    full-width ampersand is missing from many fonts).
    """
    out = []
    for char in re.sub(r"\s*&\s*", " and ", _visible(text)):
        if char in '"\\':
            out.append("\\" + char)
        elif unicodedata.category(char) in ("Cc", "Zl", "Zp") or char == "\ufeff":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _mermaid(program: Program, analysis: Analysis | None) -> str:
    scenario = program.scenario
    unreachable = set(_unreachable(program, analysis))
    expert = _expert(analysis)
    label = _Labels(program)
    alias: dict[str, str] = {}
    lines = ["---", f"title: {_mermaid_title(scenario.title)}", "---", "flowchart LR"]
    for i, node_id in enumerate(scenario.nodes):
        alias[node_id] = f"n{i}"
        lines.append(f"  n{i}[{_mermaid_label(node_id)}]")
    for i, (ending_id, ending) in enumerate(scenario.endings.items()):
        alias[ending_id] = f"e{i}"
        lines.append(f"  e{i}([{_mermaid_label(f'{ending_id} ({ending.outcome})')}])")
    styles: dict[str, list[int]] = {}
    for index, step in enumerate(program.steps.values()):
        on_expert = step.id in expert
        arrow = "-.->" if step.is_timeout else "==>" if on_expert else "-->"
        lines.append(f"  {alias[step.node]} {arrow}|{_mermaid_label(label(step))}| {alias[step.goto]}")
        parts = []
        if step.critical is not None:
            parts.append(f"stroke:{_CRITICAL_COLOUR},color:{_CRITICAL_COLOUR}")
        if on_expert and step.is_timeout:
            parts.append("stroke-width:3.5px")
        if parts:
            styles.setdefault(",".join(parts), []).append(index)
    notes = _node_notes(program)
    for node_id, note in notes.items():
        lines.append(f"  {alias[node_id]}note[{_mermaid_label('note: ' + note)}]")
        lines.append(f"  {alias[node_id]} -.- {alias[node_id]}note")
    lines.append("  classDef start stroke-width:4px")
    lines.append("  classDef unreachable stroke-dasharray:6 4")
    for outcome, style in _OUTCOME_STYLE.items():
        lines.append(f"  classDef {outcome} {style}")
    lines.append(f"  class {alias[scenario.start]} start")
    if notes:
        lines.append("  classDef note fill:#fffde7,stroke:#9e9d24,stroke-dasharray:3 3")
        lines.append("  class " + ",".join(f"{alias[n]}note" for n in notes) + " note")
    if unreachable:
        lines.append("  class " + ",".join(alias[n] for n in scenario.nodes | scenario.endings if n in unreachable)
                     + " unreachable")
    by_outcome: dict[str, list[str]] = {}
    for ending_id, ending in scenario.endings.items():
        by_outcome.setdefault(ending.outcome, []).append(alias[ending_id])
    for outcome, members in by_outcome.items():
        lines.append(f"  class {','.join(members)} {outcome}")
    for style, indices in styles.items():
        lines.append(f"  linkStyle {','.join(map(str, indices))} {style}")
    return "\n".join(lines) + "\n"


def mermaid_size(text: str) -> tuple[int, int]:
    """(characters, edges) of a Mermaid text from :func:`scenario_graph`, to compare with Mermaid's limits."""
    return len(text), sum(1 for line in text.splitlines() if "-->|" in line or "==>|" in line or "-.->|" in line)


# --- DOT ---------------------------------------------------------------------------------------


def _quote(text: str) -> str:
    return '"' + _visible(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot(program: Program, analysis: Analysis | None) -> str:
    scenario = program.scenario
    unreachable = set(_unreachable(program, analysis))
    expert = _expert(analysis)
    label = _Labels(program)
    lines = [f"digraph {_quote(scenario.id)} {{", "  rankdir=LR;", f"  label={_quote(scenario.title)};",
             "  node [shape=box, style=rounded];"]
    notes = _node_notes(program)
    for node_id in scenario.nodes:
        attrs = ["style=\"rounded,dashed\""] if node_id in unreachable else []
        if node_id == scenario.start:
            attrs.append("penwidth=2")
        if node_id in notes:
            attrs.append(f"tooltip={_quote('note: ' + notes[node_id])}")
        lines.append(f"  {_quote(node_id)}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    for ending_id, ending in scenario.endings.items():
        style = ", style=dashed" if ending_id in unreachable else ""
        lines.append(f"  {_quote(ending_id)} [shape=doubleoctagon, "
                     f"label={_quote(ending_id + ' (' + ending.outcome + ')')}{style}];")
    for step in program.steps.values():
        attrs = [f"label={_quote(label(step))}"]
        if step.is_timeout:
            attrs.append("style=dashed")
        if step.critical is not None:
            attrs.append("color=red, fontcolor=red")
        if step.id in expert:
            attrs.append("penwidth=3")
        if step.id in label.notes:
            attrs.append(f"tooltip={_quote('note: ' + label.notes[step.id])}")
        lines.append(f"  {_quote(step.node)} -> {_quote(step.goto)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- the model, for views that draw it themselves (author mode's graph pane) -----------------


@dataclass(frozen=True, slots=True)
class GraphNode:
    """A node or an ending, with what the Mermaid and DOT outputs mark on it."""

    id: str
    ending: bool
    outcome: str | None
    """An ending's outcome (success, safety-risk...); None for a node."""
    start: bool
    unreachable: bool


@dataclass(frozen=True, slots=True)
class GraphEdge:
    """A choice or a timer expiry, labelled as the Mermaid and DOT outputs label it."""

    step: str
    source: str
    target: str
    label: str
    """The choice id (or ``timeout (N s)``), its guard and ``(never-event)``, as in the exports."""
    timeout: bool
    critical: bool
    expert: bool


@dataclass(frozen=True)
class ScenarioGraph:
    """The graph :func:`scenario_graph` draws, as data: nodes in file order, then endings; edges
    in step order."""

    title: str
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]

    @cached_property
    def _by_id(self) -> dict[str, GraphNode]:
        return {n.id: n for n in self.nodes}

    @cached_property
    def _out(self) -> dict[str, list[GraphEdge]]:
        out: dict[str, list[GraphEdge]] = {}
        for edge in self.edges:
            out.setdefault(edge.source, []).append(edge)
        return out

    @cached_property
    def _in(self) -> dict[str, list[GraphEdge]]:
        into: dict[str, list[GraphEdge]] = {}
        for edge in self.edges:
            into.setdefault(edge.target, []).append(edge)
        return into

    def node(self, node_id: str) -> GraphNode | None:
        return self._by_id.get(node_id)

    def out_edges(self, node_id: str) -> tuple[GraphEdge, ...]:
        """The edges leaving ``node_id``, in step order (indexed once: a large scenario has thousands)."""
        return tuple(self._out.get(node_id, ()))

    def in_edges(self, node_id: str) -> tuple[GraphEdge, ...]:
        return tuple(self._in.get(node_id, ()))


def graph_model(program: Program, analysis: Analysis | None) -> ScenarioGraph:
    """The scenario's graph with the same marks as the exports (start, endings and outcomes,
    unreachable nodes, timeouts, never-events, the expert path), for a view to lay out."""
    scenario = program.scenario
    unreachable = set(_unreachable(program, analysis))
    expert = _expert(analysis)
    label = _Labels(program)
    nodes = [GraphNode(n, False, None, n == scenario.start, n in unreachable) for n in scenario.nodes]
    nodes += [GraphNode(e, True, ending.outcome, False, e in unreachable) for e, ending in scenario.endings.items()]
    edges = tuple(GraphEdge(step.id, step.node, step.goto, label(step), step.is_timeout, step.critical is not None,
                            step.id in expert) for step in program.steps.values())
    return ScenarioGraph(scenario.title, tuple(nodes), edges)
