"""Author mode's side panes: state, score so far, checks, tests and graph.

Thin views: what they show comes from :mod:`casesim.play.workbench` (the run),
:mod:`casesim.authoring.workbench` (the draft's checks) and :mod:`casesim.authoring.graph_text`
(the graph); choosing a line posts a message the author screen acts on. Marks are characters
(✓ ✗ ! ▶ ★), never colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from casesim.authoring.embedded_tests import TestOutcome
from casesim.authoring.graph import ScenarioGraph
from casesim.authoring.graph_text import LEGEND, GraphLine, neighbourhood_lines, whole_graph_lines
from casesim.format.diagnostics import Diagnostic, Severity
from casesim.format.scenario import Node
from casesim.play.attempt import LiveAttempt
from casesim.play.workbench import shown_value
from casesim.scoring.debrief import MI_COUNTS_CAVEAT, Debrief, percent
from casesim.semantics.program import variables
from casesim.tui.text import literal
from casesim.tui.widgets.prose import Hanging, Para, Prose, para

__all__ = ["ChecksPane", "GraphPane", "PaneList", "ScorePane", "StatePane", "TestsPane", "notes_paras", "score_paras"]

HISTORY = "history"
"""The option id of the history line of the state pane."""


def _line(*parts: str | Content | tuple[str, str], indent: int = 0, bullet: str | Content | None = None) -> Hanging:
    return Hanging([para(*parts, indent=indent, bullet=bullet)])


def _heading(text: str) -> Option:
    return Option(Content.styled(text, "bold underline"), disabled=True)


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


class PaneList(OptionList):
    """A pane's selectable lines; enter acts on the highlighted one."""

    DEFAULT_CSS = """
    PaneList { height: 1fr; border: none; padding: 0; scrollbar-size-vertical: 1; }
    PaneList:focus { border: none; }
    PaneList > .option-list--option { padding: 0 0; }
    PaneList > .option-list--option-disabled { color: $text; }
    """


class StatePane(PaneList):
    """The node, every variable (hidden ones too) and the history; enter edits the line."""

    def show(self, attempt: LiveAttempt) -> None:
        session = attempt.session
        program = attempt.program
        state = session.state
        scenario = program.scenario
        highlighted = self.highlighted
        options: list[Option] = [
            Option(_line(("Node ", "bold"), literal(state.node)), disabled=True),
            Option(_line(("Mode ", "bold"), f"{session.mode} · {len(session.history)} steps"), disabled=True),
        ]
        seconds = session.timer_seconds()
        if seconds is not None and not session.finished:
            options.append(Option(_line(("Timer ", "bold"), f"{seconds} s · x lets it run out now"), disabled=True))
        notes = notes_paras(scenario.nodes.get(state.node))
        if notes:
            options.append(Option(Hanging(notes), disabled=True))
        options.append(_heading("Variables (enter edits)"))
        for name, value in variables(program, state).items():
            var = scenario.variables[name]
            bounds = f" ({var.min}..{var.max})" if var.min is not None else " (yes/no)"
            hidden = " hidden" if var.show == "hidden" else ""
            options.append(Option(_line(literal(name), " = ", (shown_value(value), "bold"), bounds, (hidden, "italic"),
                                        indent=2), id=f"var:{name}"))
        if not scenario.variables:
            options.append(Option(_line("none", indent=2), disabled=True))
        options.append(_heading("History (enter edits)"))
        visited = [n for n in [*scenario.nodes, *scenario.endings] if n in state.visited]
        chosen = [s for s in program.steps if s in state.chosen]
        options.append(Option(Hanging([
            para((f"Visited ({len(visited)}) ", "bold"), literal(", ".join(visited) or "none"), indent=2),
            para((f"Chosen ({len(chosen)}) ", "bold"), literal(", ".join(chosen) or "none"), indent=2),
        ]), id=HISTORY))
        if attempt.edits:
            options.append(_heading("Edits in this run"))
            options += [Option(_line(literal(e.what), f" (after {e.after_steps})", indent=2), disabled=True)
                        for e in attempt.edits]
        self.set_options(options)
        if highlighted is not None and highlighted < self.option_count:
            self.highlighted = highlighted


def score_paras(debrief: Debrief | None, *, finished: bool) -> list[Para]:
    """The score so far, as the debrief computes it: total against the expert path and the pass
    rule, points per criterion, MI codes, critical actions."""
    if debrief is None:
        return [para(("Waiting for the path analysis: the score is measured against the expert path.", "italic"))]
    share = percent(debrief.score)
    needed = percent(debrief.pass_share)
    meets = debrief.score + 1e-9 >= debrief.pass_share
    out = [para(("Points ", "bold"), f"{debrief.total_raw:+d} (expert path {debrief.total_best})"),
           para(("Share ", "bold"), f"{share} · the pass rule needs {needed} ", ("✓" if meets else "✗", "bold"))]
    if finished:
        out.append(para(("Ending ", "bold"), literal(debrief.ending_title or debrief.ending or "none"),
                        f" · {'PASSED' if debrief.passed else 'NOT PASSED'}"))
    out.append(para(("Criteria", "bold underline")))
    for c in debrief.criteria:
        if c.raw == 0 and not c.expert:
            continue
        expert = f" (expert {c.expert:+d})" if c.expert is not None else ""
        out.append(para(literal(c.id), f" {c.raw:+d}", expert, indent=2))
    if all(c.raw == 0 and not c.expert for c in debrief.criteria):
        out.append(para("no points yet", indent=2))
    out.append(para(("MI codes", "bold underline")))
    counts = [f"{code} {n}" for code, n in debrief.mi.counts.items() if n]
    out.append(para(", ".join(counts) or "none coded yet", indent=2))
    out.append(para((MI_COUNTS_CAVEAT, "italic"), indent=2))
    out.append(para((f"Critical actions ({len(debrief.critical)})", "bold underline")))
    if not debrief.critical:
        out.append(para("none so far" if not finished else "none", indent=2))
    for item in debrief.critical:
        out.append(para(literal(item.headline), indent=2, bullet=Content.styled("✗", "bold")))
    return out


class ScorePane(VerticalScroll, can_focus=True):
    """The running score, scrollable."""

    DEFAULT_CSS = """
    ScorePane { height: 1fr; scrollbar-size-vertical: 1; }
    ScorePane > Prose { height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Prose(id="score-text")

    def show(self, debrief: Debrief | None, *, finished: bool) -> None:
        self.query_one(Prose).show(score_paras(debrief, finished=finished))


class ChecksPane(Vertical):
    """The diagnostics of the last save, from the pipeline ``casesim validate`` runs; enter on
    one plays from its node."""

    DEFAULT_CSS = """
    ChecksPane { height: 1fr; }
    ChecksPane > #checks-head { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.diagnostics: tuple[Diagnostic, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(id="checks-head", markup=False)
        yield PaneList(id="checks-list")

    def show(self, diagnostics: Sequence[Diagnostic], reloads: int, note: str | None, *, running: bool) -> None:
        self.diagnostics = tuple(diagnostics)
        errors = sum(d.is_error for d in diagnostics)
        warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
        notes = len(diagnostics) - errors - warnings
        counts = f"{errors} errors · {warnings} warnings" + (f" · {notes} notes" if notes else "")
        status = "checking every path…" if running else f"loaded {reloads}×"
        head = [para((counts, "bold"), f" · {status}")]
        if note:
            head.append(para(literal(note, "italic")))
        self.query_one("#checks-head", Static).update(Hanging(head))
        options: list[Option] = []
        for i, d in enumerate(diagnostics):
            mark = "✗" if d.is_error else "!"
            options.append(Option(_line((f"{d.line}:{d.col} {d.severity.value}", "bold"), " ", literal(d.message),
                                        (f" [{d.code}]", "italic"), indent=2, bullet=Content.styled(mark, "bold")),
                                  id=f"diag:{i}"))
        if not diagnostics:
            options.append(Option(_line("✓ No problems." if not running else "No problems so far."), disabled=True))
        self.query_one(PaneList).set_options(options)

    def diagnostic(self, option_id: str | None) -> Diagnostic | None:
        if option_id is None or not option_id.startswith("diag:"):
            return None
        return self.diagnostics[int(option_id[5:])]


class TestsPane(Vertical):
    """The embedded tests of the last save that loaded; enter on one plays its path."""

    __test__ = False  # pytest: a widget, not a test class

    DEFAULT_CSS = """
    TestsPane { height: 1fr; }
    TestsPane > #tests-head { height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="tests-head", markup=False)
        yield PaneList(id="tests-list")

    def show_status(self, text: str) -> None:
        self.query_one("#tests-head", Static).update(Content.styled(text, "italic"))
        self.query_one(PaneList).clear_options()

    def show(self, outcomes: Sequence[TestOutcome]) -> None:
        failed = sum(not o.ok for o in outcomes)
        if not outcomes:
            head = "This scenario has no embedded tests (tests: in the file)."
        else:
            head = f"{len(outcomes)} tests · {failed} failed · enter plays a test's path"
        self.query_one("#tests-head", Static).update(Content.styled(head, "bold"))
        options = []
        for index, outcome in enumerate(outcomes):
            name = outcome.name
            if outcome.ok:
                options.append(Option(_line(literal(name), indent=2, bullet=Content.styled("✓", "bold")),
                                      id=f"test:{index}"))
                continue
            lines = [para(literal(name, "bold"), indent=2, bullet=Content.styled("✗", "bold"))]
            lines += [para(literal(problem), indent=4) for problem in outcome.problems]
            options.append(Option(Hanging(lines), id=f"test:{index}"))
        self.query_one(PaneList).set_options(options)


class GraphPane(Vertical):
    """The scenario graph as text: near the node being played, or whole (w switches)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("w", "toggle_whole", "Whole/near", id="author-graph-whole", tooltip="the whole graph, or near here"),
    ]
    DEFAULT_CSS = """
    GraphPane { height: 1fr; }
    GraphPane > #graph-head { height: auto; color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.whole = False
        self.lines: list[GraphLine] = []
        self._graph: ScenarioGraph | None = None
        self._current: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="graph-head", markup=False)
        yield PaneList(id="graph-list")

    def show(self, graph: ScenarioGraph | None, current: str | None) -> None:
        self._graph, self._current = graph, current
        self._draw()

    def action_toggle_whole(self) -> None:
        self.whole = not self.whole
        self._draw()

    def _draw(self) -> None:
        switch = "near here" if self.whole else "the whole graph"
        self.query_one("#graph-head", Static).update(Content(f"w: {switch} · enter: play from a node\n{LEGEND}"))
        graph, current = self._graph, self._current
        if graph is None:
            self.lines = [GraphLine("Waiting for the path analysis (the expert path and unreachable nodes).",
                                    heading=True)]
        elif self.whole or current is None:
            self.lines = whole_graph_lines(graph, current)
        else:
            self.lines = neighbourhood_lines(graph, current)
        options = []
        for index, line in enumerate(self.lines):
            style = "bold underline" if line.heading else "bold reverse" if line.current else "bold" if line.expert else ""
            options.append(Option(_line(literal(line.text, style), indent=line.indent),
                                  id=f"graph:{index}", disabled=line.target is None))
        graph_list = self.query_one(PaneList)
        graph_list.set_options(options)
        here = next((i for i, line in enumerate(self.lines) if line.current), None)
        if here is not None:
            graph_list.highlighted = here
            graph_list.scroll_to_highlight(top=not self.whole)

    def target(self, option_id: str | None) -> str | None:
        if option_id is None or not option_id.startswith("graph:"):
            return None
        return self.lines[int(option_id[6:])].target
