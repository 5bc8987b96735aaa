"""Author mode: a live view of every variable (hidden ones too), the node, and what was visited."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content

from casesim.format.diagnostics import Diagnostic
from casesim.format.scenario import Node
from casesim.play.attempt import LiveAttempt
from casesim.semantics.program import variables
from casesim.tui.text import literal
from casesim.tui.widgets.prose import Para, Prose, para

__all__ = ["DiagnosticsPanel", "Inspector", "diagnostics_paras", "inspector_paras", "notes_paras"]


def inspector_paras(attempt: LiveAttempt) -> list[Para]:
    session = attempt.session
    state = session.state
    scenario = attempt.program.scenario
    out = [para(("Node ", "bold"), state.node),
           para(("Mode ", "bold"), f"{session.mode} · {len(session.history)} steps")]
    out += notes_paras(scenario.nodes.get(state.node))
    out.append(para(("Variables", "bold underline")))
    for name, value in variables(attempt.program, state).items():
        var = scenario.variables[name]
        shown = "yes" if value is True else "no" if value is False else str(value)
        bounds = f" ({var.min}..{var.max})" if var.min is not None else ""
        hidden = " hidden" if var.show == "hidden" else ""
        out.append(para(literal(name), " = ", (shown, "bold"), bounds, (hidden, "italic"), indent=2))
    if not scenario.variables:
        out.append(para("none", indent=2))
    visited = [n for n in [*scenario.nodes, *scenario.endings] if n in state.visited]
    out.append(para((f"Visited ({len(visited)})", "bold underline")))
    out += [para(n, indent=2) for n in visited]
    chosen = session.path
    out.append(para((f"Chosen ({len(chosen)})", "bold underline")))
    out += [para(c, indent=2) for c in chosen]
    return out


def notes_paras(node: Node | None) -> list[Para]:
    """Reviewers' notes on the node and on its choices (format 2 `notes:`), for the author only."""
    if node is None:
        return []
    out = []
    if node.notes is not None:
        out.append(para(("Notes ", "bold"), literal(node.notes)))
    for choice in node.choices:
        if choice.notes is not None:
            out.append(para((f"Note on {choice.id} ", "bold"), literal(choice.notes)))
    return out


def diagnostics_paras(diagnostics: list[Diagnostic], reloads: int, note: str | None) -> list[Para]:
    out = []
    if note:
        out.append(para(literal(note, "italic")))
    if not diagnostics:
        out.append(para("✓ No problems."))
    for d in diagnostics:
        mark = "✗" if d.is_error else "!"
        out.append(para((f"{d.line}:{d.col} {d.severity.value}", "bold"), " ", literal(d.message),
                        (f" [{d.code}]", "italic"), indent=2, bullet=Content.styled(mark, "bold")))
    out.append(para((f"loaded {reloads}×", "italic")))
    return out


class Inspector(VerticalScroll):
    """Scrollable inspector text."""

    DEFAULT_CSS = """
    Inspector { height: 1fr; border: round $primary; padding: 0 1; scrollbar-size-vertical: 1; }
    Inspector > Prose { height: auto; }
    """


class DiagnosticsPanel(VerticalScroll):
    """Diagnostics of the last load, scrollable."""

    DEFAULT_CSS = """
    DiagnosticsPanel { height: auto; max-height: 50%; border: round $warning; padding: 0 1; scrollbar-size-vertical: 1; }
    DiagnosticsPanel > Prose { height: auto; }
    """

    def show(self, diagnostics: list[Diagnostic], reloads: int, note: str | None = None) -> None:
        errors = sum(d.is_error for d in diagnostics)
        warnings = len(diagnostics) - errors
        self.border_title = Content(f"{errors} errors · {warnings} warnings")
        self.query_one(Prose).show(diagnostics_paras(diagnostics, reloads, note))
