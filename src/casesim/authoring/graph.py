"""``casesim graph``: the scenario as a Mermaid or Graphviz DOT graph.

Built on ``transitions``' own diagram support: a ``GraphMachine`` with the Mermaid engine, which
needs no Graphviz. Only this command builds a GraphMachine; live sessions use a plain Machine.
Labels are the choice ids (the text a trainee sees would not fit); unreachable nodes are
marked so an author can spot loose ends.
"""

from __future__ import annotations

from typing import Any

from casesim.semantics.explore import Analysis
from casesim.semantics.program import Program

__all__ = ["scenario_graph"]


def scenario_graph(program: Program, analysis: Analysis | None, *, fmt: str = "mermaid") -> str:
    """The graph of ``program`` as Mermaid (via transitions' GraphMachine) or DOT text."""
    if fmt == "dot":
        return _dot(program, analysis)
    from transitions.extensions.diagrams import GraphMachine

    scenario = program.scenario
    states: list[Any] = []
    for node_id in scenario.nodes:
        states.append({"name": node_id})
    for ending_id in scenario.endings:
        states.append({"name": ending_id, "final": True})
    transitions = [
        {"trigger": step.id, "source": step.node, "dest": step.goto}
        for step in program.steps.values()
    ]
    anchor = _GraphModel()  # GraphMachine draws the graph of a model; this one exists only for that
    machine = GraphMachine(model=anchor, states=states, transitions=transitions, initial=scenario.start,
                           auto_transitions=False, graph_engine="mermaid", title=scenario.title,
                           show_conditions=False, show_state_attributes=False)
    graph = machine.get_graph()
    text: str = graph.draw(None)
    unreachable = _unreachable(program, analysis)
    if unreachable:
        text = text.rstrip("\n") + "\n" + "\n".join(f"  %% unreachable: {n}" for n in unreachable) + "\n"
    return text


class _GraphModel:
    """A throwaway model for GraphMachine."""


def _unreachable(program: Program, analysis: Analysis | None) -> list[str]:
    if analysis is None:
        return []
    reached = analysis.reachable_nodes | analysis.reachable_endings
    return [n for n in [*program.scenario.nodes, *program.scenario.endings] if n not in reached]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot(program: Program, analysis: Analysis | None) -> str:
    scenario = program.scenario
    unreachable = set(_unreachable(program, analysis))
    lines = [f"digraph {_quote(scenario.id)} {{", "  rankdir=LR;", f"  label={_quote(scenario.title)};",
             "  node [shape=box, style=rounded];"]
    for node_id in scenario.nodes:
        attrs = ["style=\"rounded,dashed\""] if node_id in unreachable else []
        if node_id == scenario.start:
            attrs.append("penwidth=2")
        lines.append(f"  {_quote(node_id)}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    for ending_id, ending in scenario.endings.items():
        lines.append(f"  {_quote(ending_id)} [shape=doubleoctagon, label={_quote(ending_id + ' (' + ending.outcome + ')')}];")
    for step in program.steps.values():
        style = ", style=dashed" if step.is_timeout else ""
        color = ", color=red" if step.critical is not None else ""
        lines.append(f"  {_quote(step.node)} -> {_quote(step.goto)} [label={_quote(step.id)}{style}{color}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
