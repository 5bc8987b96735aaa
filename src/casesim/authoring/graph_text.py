"""The scenario graph as lines of text, for author mode's graph pane (a terminal has no Mermaid).

Drawn from :func:`casesim.authoring.graph.graph_model`, so it marks what the Mermaid and DOT
exports mark, with the same edge labels. Marks are characters, never colour alone:

- ``▶`` the node being played, ``●`` a node, ``◆`` an ending (with its outcome);
- ``start`` and ``unreachable`` after a node's id;
- edges as arrows: ``==>`` on the expert path (also ``★``), ``-->`` a choice, ``..>`` a timer
  running out; ``✗`` and ``(never-event)`` on a critical choice.

Two views: the neighbourhood of the node being played (what leads there, its choices, and the
choices of the nodes they lead to), or every node in file order.
"""

from __future__ import annotations

from dataclasses import dataclass

from casesim.authoring.graph import GraphEdge, GraphNode, ScenarioGraph

__all__ = ["GraphLine", "LEGEND", "neighbourhood_lines", "whole_graph_lines"]

LEGEND = "▶ here ● node ◆ ending ★==> expert path --> choice ..> timer runs out ✗ never-event"


@dataclass(frozen=True, slots=True)
class GraphLine:
    """One line of the text graph."""

    text: str
    indent: int = 0
    target: str | None = None
    """The node this line leads to (a node line: itself; an edge: where it goes); None for a heading."""
    current: bool = False
    expert: bool = False
    critical: bool = False
    heading: bool = False


def _node_line(node: GraphNode, current: str | None, indent: int = 0) -> GraphLine:
    here = node.id == current
    mark = "▶" if here else "◆" if node.ending else "●"
    notes = []
    if node.outcome is not None:
        notes.append(node.outcome)
    if node.start:
        notes.append("start")
    if node.unreachable:
        notes.append("unreachable")
    if here:
        notes.append("here")
    text = f"{mark} {node.id}" + (f" ({', '.join(notes)})" if notes else "")
    return GraphLine(text, indent, node.id, current=here)


def _arrow(edge: GraphEdge) -> str:
    return "..>" if edge.timeout else "==>" if edge.expert else "-->"


def _edge_line(edge: GraphEdge, indent: int, *, towards: bool = True) -> GraphLine:
    mark = ("★" if edge.expert else " ") + ("✗" if edge.critical else " ")
    if towards:
        text = f"{mark} {edge.label} {_arrow(edge)} {edge.target}"
        target = edge.target
    else:
        text = f"{mark} {edge.source} · {edge.label} {_arrow(edge)}"
        target = edge.source
    return GraphLine(text, indent, target, expert=edge.expert, critical=edge.critical)


def neighbourhood_lines(graph: ScenarioGraph, current: str) -> list[GraphLine]:
    """What leads to ``current``, its choices, and the choices of the nodes they lead to."""
    node = graph.node(current)
    if node is None:
        return [GraphLine(f"{current} is not in this version of the scenario", heading=True)]
    out: list[GraphLine] = []
    incoming = graph.in_edges(current)
    out.append(GraphLine(f"Leads here ({len(incoming)})", heading=True))
    out += [_edge_line(e, 2, towards=False) for e in incoming]
    if not incoming:
        out.append(GraphLine("nothing: " + ("the start" if node.start else "reached only by a jump"), 2))
    out.append(_node_line(node, current))
    outgoing = graph.out_edges(current)
    out += [_edge_line(e, 2) for e in outgoing]
    if not outgoing and not node.ending:
        out.append(GraphLine("no choices: a dead end", 2))
    nexts: list[str] = []
    for edge in outgoing:
        if edge.target != current and edge.target not in nexts:
            nexts.append(edge.target)
    if nexts:
        out.append(GraphLine("Then", heading=True))
    for target in nexts:
        after = graph.node(target)
        if after is None:  # pragma: no cover - a checked scenario's gotos exist
            continue
        out.append(_node_line(after, current))
        out += [_edge_line(e, 2) for e in graph.out_edges(target)]
    return out


def whole_graph_lines(graph: ScenarioGraph, current: str | None) -> list[GraphLine]:
    """Every node (file order) with its choices, then every ending."""
    out: list[GraphLine] = []
    for node in graph.nodes:
        out.append(_node_line(node, current))
        out += [_edge_line(e, 2) for e in graph.out_edges(node.id)]
    return out
