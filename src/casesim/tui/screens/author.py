"""Author mode, the trainer's workbench: play a scenario file while editing it.

The file, and every shared block it includes, is polled (``set_interval``; no extra dependency)
for a new modification time or size. On a change it is re-read in a worker, through the stages ``casesim validate`` runs
(:mod:`casesim.authoring.workbench`): if it loads, the same choices are replayed on the new
version (the position and any edited state are kept while the node exists), then every path is
checked and the embedded tests run. A file that does not load keeps the last good version
playing and lists its errors.

Beside the play area, five panes (``v`` ``c`` ``d`` ``t`` ``g``; Tab and Shift+Tab cycle
through them and the play area, Escape comes back to the choices): the state (enter edits a
variable or the history), the score so far, the checks (enter plays from the node a finding is
about), the tests (enter plays a test's path) and the graph. ``x`` lets the timer run out now.

Nothing is recorded: a draft is not evidence of anyone's competency.
"""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Footer, OptionList, Static, TabbedContent, TabPane, Tabs
from textual.worker import get_current_worker

from casesim.authoring.embedded_tests import TestOutcome
from casesim.authoring.graph import ScenarioGraph, graph_model
from casesim.authoring.pipeline import Playable, SourceReport, load_scenario
from casesim.authoring.workbench import (
    analyse_draft,
    audit_draft,
    jump_target,
    test_draft,
    watched_files,
)
from casesim.errors import CaseSimError
from casesim.format.diagnostics import Diagnostic
from casesim.format.scenario import Mode, PedagogicalTest
from casesim.play.attempt import LiveAttempt
from casesim.play.workbench import (
    carry_over,
    edit_history,
    edit_variable,
    follow,
    history_ids,
    run_notice,
    running_score,
    shown_value,
)
from casesim.semantics.explore import Analysis
from casesim.semantics.program import variables
from casesim.tui.base import CaseSimScreen
from casesim.tui.screens.debrief import DebriefScreen
from casesim.tui.screens.edit_state import EditHistoryScreen, EditValueScreen
from casesim.tui.screens.jump import JumpScreen
from casesim.tui.screens.pause import PauseChoice, PauseScreen
from casesim.tui.text import literal
from casesim.tui.widgets import TitleBar
from casesim.tui.widgets.choice_list import ChoiceList
from casesim.tui.widgets.play_area import PlayArea
from casesim.tui.widgets.transcript import Transcript
from casesim.tui.widgets.workbench import (
    HISTORY,
    ChecksPane,
    GraphPane,
    ScorePane,
    StatePane,
    TestsPane,
)

__all__ = ["AuthorScreen", "PANES", "RING"]

POLL_SECONDS = 0.5

Stamp = tuple[tuple[int, int] | None, ...]
"""Modification time and size of each watched file (None: missing), in the watch order."""

PANES = {"state": "State", "score": "Score", "checks": "Checks", "tests": "Tests", "graph": "Graph"}
"""The side panes, by name, with their tab labels."""
RING = ("choices", "state", "score", "checks", "tests", "graph", "transcript")
"""The order Tab moves focus in (Shift+Tab the reverse): every pane, hidden ones included."""
_FOCUS = {"state": "#state-pane", "score": "#score-pane", "checks": "#checks-list", "tests": "#tests-list",
          "graph": "#graph-list"}


class AuthorScreen(CaseSimScreen[None]):
    """Play, inspect and edit the state, score, check, test and see the graph of one scenario file."""

    CSS_PATH = Path(__file__).with_name("author.tcss")
    KEYS_TITLE = "author mode"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "jump", "Jump", id="author-jump", tooltip="play from any node"),
        Binding("x", "expire_timer", "Time out", id="author-expire", tooltip="let this moment's timer run out now"),
        Binding("s", "restart", "Restart", id="author-restart", tooltip="play again from the start"),
        Binding("m", "toggle_mode", "Mode", id="author-mode", tooltip="switch practice / assessment"),
        Binding("ctrl+r", "reload", "Reload", id="author-reload", tooltip="re-read the file now", show=False),
        # The pane keys are written on the panes' border (the footer has no room for them at 80 columns).
        Binding("v", "pane('state')", "State pane", id="author-state", show=False,
                tooltip="variables and history; enter edits"),
        Binding("c", "pane('score')", "Score pane", id="author-score", show=False, tooltip="the score so far"),
        Binding("d", "pane('checks')", "Checks pane", id="author-checks", show=False,
                tooltip="diagnostics; enter plays from the node"),
        Binding("t", "pane('tests')", "Tests pane", id="author-tests", show=False,
                tooltip="embedded tests; enter plays a test"),
        Binding("g", "pane('graph')", "Graph pane", id="author-graph", show=False, tooltip="the scenario graph"),
        Binding("tab", "cycle(1)", "Next pane", show=False, id="author-next-pane",
                tooltip="the next pane: choices, state, score, checks, tests, graph, transcript"),
        Binding("shift+tab", "cycle(-1)", "Previous pane", show=False, id="author-previous-pane",
                tooltip="the pane before, in the same ring"),
        Binding("escape", "to_choices", "Choices", show=False, id="author-to-choices",
                tooltip="back to the choices (from the choices: pause)"),
        Binding("p", "pause", "Pause", id="author-pause"),
        # The choosing keys work from every pane, not only when the choices have the focus.
        *(Binding(str(n), f"choose_number({n})", f"Choose {n}", show=False, id=f"choose-{n}")
          for n in range(1, 10)),
    ]
    EXTRA_KEYS = (("1 to 9, enter", "choose, as in play (the numbers work from any pane)"),
                  ("enter on a pane's line", "edit it (state), play from its node (checks, graph), play a test"),
                  ("w", "in the graph pane: the whole graph, or near here"))

    def __init__(self, path: Path, *, watch: bool = True) -> None:
        super().__init__()
        self.path = path
        self.watching = watch
        self.loaded: Playable | None = None
        self.attempt: LiveAttempt | None = None
        self.mode: Mode = "practice"
        self.loads = 0
        self._stamp: Stamp | None = None
        self._watched: tuple[Path, ...] = (path,)
        """The scenario file and the shared blocks it includes, found again at each load."""
        self._analysis: Future[Analysis] = Future()
        self._note: str | None = None
        self._seed: int | None = None
        """One seed for the whole author session, so saving the file does not reorder the choices."""
        self._graph: ScenarioGraph | None = None
        self._checked: SourceReport | None = None
        """The report the checks pane lists (its document places each diagnostic in a node)."""
        self._tests: tuple[PedagogicalTest, ...] = ()

    def compose(self) -> ComposeResult:
        yield TitleBar(Content.assemble("Author · ", literal(str(self.path))), Content("loading"), id="title-bar")
        with Horizontal(id="author-body"):
            with Vertical(id="author-play"):
                yield Static(Content("Loading…"), id="author-placeholder", markup=False)
            with TabbedContent(id="author-panes", initial="pane-state") as panes:
                panes.border_subtitle = Content("v c d t g · tab · esc")
                with TabPane(PANES["state"], id="pane-state"):
                    yield StatePane(id="state-pane")
                with TabPane(PANES["score"], id="pane-score"):
                    yield ScorePane(id="score-pane")
                with TabPane(PANES["checks"], id="pane-checks"):
                    yield ChecksPane(id="checks-pane")
                with TabPane(PANES["tests"], id="pane-tests"):
                    yield TestsPane(id="tests-pane")
                with TabPane(PANES["graph"], id="pane-graph"):
                    yield GraphPane(id="graph-pane")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        # The pane names are for the mouse and the eye; the keyboard moves with Tab and v/c/d/t/g,
        # so the tab strip is not a stop of its own in the Tab ring.
        self.query_one(Tabs).can_focus = False
        self.query_one(TestsPane).show_status("The tests run once every path has been checked.")
        self.reload()
        if self.watching:
            self.set_interval(POLL_SECONDS, self.check_file, name="watch-file")

    # --- loading ---------------------------------------------------------------------------

    def _file_stamp(self) -> Stamp:
        """The modification time and size of the scenario and of every block it includes (None
        for a file that is missing), as of the last load."""
        stamps: list[tuple[int, int] | None] = []
        for file in self._watched:
            try:
                st = file.stat()
            except OSError:
                stamps.append(None)
                continue
            stamps.append((st.st_mtime_ns, st.st_size))
        return tuple(stamps)

    def check_file(self) -> None:
        """Reload when the scenario or a shared block it includes changed since the last load."""
        if self._file_stamp() != self._stamp:
            self.reload()

    @work(thread=True, exclusive=True, group="author-load")
    def reload(self) -> None:
        """Load quickly and play; then check every path, run the tests, and audit the answer cues."""
        catalog = self.casesim.catalog
        self._watched = watched_files(self.path)  # an edit may add or drop an include
        stamp = self._file_stamp()
        report = load_scenario(self.path, catalog, analyse_paths=False)  # never raises for a bad file
        analysis: Future[Analysis] = Future()
        playable = report.playable
        # Off the UI thread: a 5,000-node graph takes about half a second to build.
        first_graph = graph_model(playable.program, None) if playable is not None else None
        self.app.call_from_thread(self.apply_loaded, report, stamp, analysis, first_graph)
        if playable is None:
            return
        worker = get_current_worker()
        stage = "check every path"
        try:
            # Always finish the analysis: an attempt on this version may be waiting for it to score.
            analysed, lint = analyse_draft(playable, catalog)
            analysis.set_result(analysed.analysis)
            graph = graph_model(playable.program, analysed.analysis)
            if worker.is_cancelled:
                return
            self.app.call_from_thread(self.apply_checks, report, [*report.diagnostics, *lint], graph, True)
            stage = "run the tests"
            tests = test_draft(analysed, catalog)
            if worker.is_cancelled:
                return
            self.app.call_from_thread(self.apply_tests, playable, tests)
            stage = "audit the answer cues"
            audit = audit_draft(analysed)
        except Exception as exc:  # a bug in casesim must not take author mode down with it
            if not analysis.done():
                analysis.set_exception(exc)
            self.app.call_from_thread(self.notify, f"casesim could not {stage}: {type(exc).__name__} inside casesim "
                                      "(a bug; please report it). Play goes on.", severity="error", markup=False)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self.apply_checks, report, [*report.diagnostics, *lint, *audit], graph, False)

    def apply_loaded(self, report: SourceReport, stamp: Stamp,
                     analysis: Future[Analysis], graph: ScenarioGraph | None) -> None:
        self._stamp = stamp
        self.loads += 1
        note = None
        if report.playable is not None:
            self._analysis = analysis
            self._graph = graph
            note = self._start_on(report.playable, reloaded=True)
            self.query_one(TestsPane).show_status("Checking every path; the tests run next…")
        elif self.loaded is not None:
            note = "Still playing the last version that loaded; fix the errors and save."
            self.query_one(TestsPane).show_status("The tests did not run: the last save has errors (see Checks).")
        else:
            placeholder = self.query("#author-placeholder")
            if placeholder:
                placeholder.first(Static).update(Content(
                    "This file has errors (press d for the list). Fix them and save: it reloads by itself."))
            self.query_one(TestsPane).show_status("The tests did not run: the file has errors (see Checks).")
        self._note = note
        if note:
            self.notify(note, markup=False)
        self._checked = report
        self.query_one(ChecksPane).show(report.diagnostics, self.loads, note, running=report.ok)
        if not report.ok and self.loaded is None:
            self.action_pane("checks")
        self._refresh_side()

    def apply_checks(self, report: SourceReport, diagnostics: list[Diagnostic], graph: ScenarioGraph,
                     running: bool) -> None:
        """Show what the path analysis (and then the audit) found, and the graph with its marks."""
        if report.playable is None or report.playable is not self.loaded:
            return
        self._checked = report
        self._graph = graph
        self.query_one(ChecksPane).show(sorted(diagnostics, key=Diagnostic.sort_key), self.loads, self._note,
                                        running=running)
        self._refresh_side()

    def apply_tests(self, playable: Playable, outcomes: list[TestOutcome]) -> None:
        if playable is not self.loaded:
            return
        self._tests = tuple(playable.scenario.tests)
        self.query_one(TestsPane).show(outcomes)
        failed = sum(not o.ok for o in outcomes)
        if failed:
            self.notify(f"{failed} embedded test{'s' if failed != 1 else ''} failed (t lists them).",
                        severity="warning", markup=False)

    def _start_on(self, loaded: Playable, *, path: list[str] | None = None, start: str | None = None,
                  reloaded: bool = False) -> str | None:
        """Play ``loaded``, replaying ``path`` (default: the current path) from ``start``.

        After a reload (``reloaded``) the place is kept: the same choices are replayed, and an
        edited state is carried over; when the choices no longer fit but the node still exists,
        play goes on from that node with the state carried over.
        """
        note = None
        old = self.attempt
        if path is None:
            path = old.session.path if old is not None else []
        if start is None and old is not None:
            start = old.session.start
        if start is not None and start not in loaded.program.scenario.nodes:
            start, path, note = None, [], "The node you were playing from is gone; restarted from the start."
        if self._seed is None:
            self._seed = self.casesim.new_seed()
        try:
            attempt = self._begin(loaded, start=start, prefix=path)
        except CaseSimError:
            here = old.session.node_id if old is not None else None
            if reloaded and here is not None and here in loaded.program.scenario.nodes:
                attempt = self._begin(loaded, start=here)
                note = f"Your choices no longer fit the changed file; kept your place at {here}."
            else:
                attempt = self._begin(loaded, start=start)
                note = "Your choices no longer fit the changed file; restarted."
        if reloaded and old is not None and (old.edits or note) and carry_over(attempt, old):
            note = (note + " " if note else "") + "The state you had is carried over where it still fits."
        self._show(loaded, attempt)
        return note

    def _begin(self, loaded: Playable, *, start: str | None, prefix: list[str] | None = None) -> LiveAttempt:
        casesim = self.casesim
        return LiveAttempt.begin(loaded, casesim.catalog, self._analysis, mode=self.mode, trainee_id=None, store=None,
                                 clock=casesim.clock, start=start, prefix=prefix or [], seed=self._seed)

    def _show(self, loaded: Playable, attempt: LiveAttempt) -> None:
        old = self.attempt
        if old is not None and old is not attempt:
            old.close()
        self.loaded = loaded
        self.attempt = attempt
        areas = self.query(PlayArea)
        if areas:
            areas.first(PlayArea).replace_attempt(attempt)
        else:
            holder = self.query_one("#author-play", Vertical)
            holder.remove_children()
            area = PlayArea(attempt, id="play-area", settle=self.casesim.choice_settle_seconds)
            area.add_class("-author")
            holder.mount(area)

    def _refresh_side(self) -> None:
        bar = self.query_one("#title-bar", TitleBar)
        attempt = self.attempt
        if attempt is None:
            bar.set_status(Content("not loaded"))
            return
        edited = " · edited" if attempt.edits else ""
        bar.set_status(Content(f"{self.mode}{edited} · watching" if self.watching else f"{self.mode}{edited}"))
        self.query_one(StatePane).show(attempt)
        try:
            score = running_score(attempt)
        except Exception:  # the analysis failed (reported when it did); play goes on unscored
            score = None
        self.query_one(ScorePane).show(score, finished=attempt.finished)
        self.query_one(GraphPane).show(self._graph, attempt.session.node_id)

    @on(PlayArea.Stepped)
    def _stepped(self) -> None:
        self._refresh_side()

    @on(PlayArea.Finished)
    def _finished(self, event: PlayArea.Finished) -> None:
        debrief = event.attempt.debrief
        assert debrief is not None
        self.app.push_screen(DebriefScreen(event.attempt.loaded, debrief, start=event.attempt.session.start,
                                           return_to="author", notice=run_notice(event.attempt)),
                             self._after_debrief)

    def _after_debrief(self, index: int | None) -> None:
        if index is None or self.loaded is None or self.attempt is None:
            return
        path = self.attempt.session.path[:index]
        self._start_on(self.loaded, path=path)
        self._refresh_side()

    # --- panes and focus -------------------------------------------------------------------

    def _pane_widget(self, name: str) -> Widget | None:
        if name in _FOCUS:
            return self.query_one(_FOCUS[name])
        areas = self.query(PlayArea)
        if not areas:
            return None
        return areas.first(PlayArea).query_one(ChoiceList if name == "choices" else Transcript)

    def _ring_position(self) -> int:
        focused = self.focused
        for index, name in enumerate(RING):
            widget = self._pane_widget(name)
            if widget is not None and focused is not None and (focused is widget or widget in focused.ancestors):
                return index
        return 0

    def action_pane(self, name: str) -> None:
        """Show the side pane ``name`` and move the focus to it."""
        if name in PANES:
            self.query_one(TabbedContent).active = f"pane-{name}"
        widget = self._pane_widget(name)
        if widget is not None:
            # At once, not after a refresh: keys typed right after this one (v, down, enter)
            # must reach the pane, not the choices, however busy the machine is.
            self.set_focus(widget)

    def action_cycle(self, step: int) -> None:
        """Tab and Shift+Tab: the next or previous pane of :data:`RING`, skipping none."""
        position = self._ring_position()
        for offset in range(1, len(RING) + 1):
            name = RING[(position + step * offset) % len(RING)]
            if self._pane_widget(name) is not None:
                self.action_pane(name)
                return

    def action_to_choices(self) -> None:
        """Escape: back to the choices; on the choices already, pause."""
        choices = self._pane_widget("choices")
        if choices is None or self.focused is choices:
            self.action_pause()
            return
        self.set_focus(choices)

    # --- acting on the panes ---------------------------------------------------------------

    @on(OptionList.OptionSelected, "#state-pane")
    def _edit_state(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        attempt = self.attempt
        option = event.option_id
        if attempt is None or option is None:
            return
        if attempt.finished:
            self.notify("The run has reached an ending: restart (s) or jump (j) to edit a state.", markup=False)
            return
        program = attempt.program
        if option.startswith("var:"):
            name = option[4:]
            var = program.scenario.variables[name]
            kind = "yes or no" if var.min is None else f"a whole number from {var.min} to {var.max}"
            explain = f"Type {kind}." + (f" {' '.join(var.description.split())}" if var.description else "")
            current = shown_value(variables(program, attempt.session.state)[name])
            self.app.push_screen(EditValueScreen(f"Set {name}", current, explain,
                                                 lambda text: edit_variable(attempt, name, text)), self._edited)
        elif option == HISTORY:
            nodes, steps = history_ids(program)
            state = attempt.session.state
            self.app.push_screen(EditHistoryScreen(((n, n in state.visited) for n in nodes),
                                                   ((s, s in state.chosen) for s in steps),
                                                   lambda visited, chosen: edit_history(attempt, visited, chosen)),
                                 self._edited)

    def _edited(self, what: str | None) -> None:
        if what is None:
            return
        self.query_one(PlayArea).redraw()
        self._refresh_side()
        self.notify(f"Edited: {what}", markup=False)

    @on(OptionList.OptionSelected, "#checks-list")
    def _diagnostic_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        diagnostic = self.query_one(ChecksPane).diagnostic(event.option_id)
        if diagnostic is None or self.loaded is None:
            return
        document = self._checked.document if self._checked is not None else None
        target = jump_target(document, self.loaded.program, diagnostic)
        if target is None:
            self.notify(f"Line {diagnostic.line} is not inside a node the playing version has; "
                        "open the file at that line to fix it.", markup=False)
            return
        self._play_from(target.node, target.note)

    @on(OptionList.OptionSelected, "#graph-list")
    def _graph_line_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        node = self.query_one(GraphPane).target(event.option_id)
        if node is None or self.loaded is None:
            return
        if node not in self.loaded.program.scenario.nodes:
            self.notify(f"{node} is an ending: play from a node that leads to it.", markup=False)
            return
        self._play_from(node)

    @on(OptionList.OptionSelected, "#tests-list")
    def _test_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option = event.option_id
        if option is None or not option.startswith("test:") or self.loaded is None:
            return
        test = self._tests[int(option[5:])]
        if test.start is not None and test.start not in self.loaded.program.scenario.nodes:
            self.notify(f"The test starts at {test.start}, which this version does not have.", markup=False)
            return
        attempt = self._begin(self.loaded, start=test.start)
        problem = follow(attempt, test.choose)
        self._show(self.loaded, attempt)
        self._refresh_side()
        self.action_pane("choices")
        self.notify(f"Playing the path of the test {test.name!r}" + (f"; it stops: {problem}" if problem else "."),
                    severity="warning" if problem else "information", markup=False)

    def _play_from(self, node: str, note: str | None = None) -> None:
        if self.loaded is None:
            return
        self._start_on(self.loaded, path=[], start=node)
        self._refresh_side()
        self.action_pane("choices")
        self.notify(note or f"Playing from {node}, with every variable at its starting value.", markup=False)

    # --- actions ---------------------------------------------------------------------------

    def action_choose_number(self, number: int) -> None:
        areas = self.query(PlayArea)
        if areas:
            areas.first(PlayArea).action_choose_number(number)

    def action_expire_timer(self) -> None:
        areas = self.query(PlayArea)
        if areas:
            areas.first(PlayArea).expire_timer_now()

    def action_jump(self) -> None:
        if self.loaded is None:
            return
        current = self.attempt.session.node_id if self.attempt is not None else None
        self.app.push_screen(JumpScreen(self.loaded.scenario, current), self._jumped)

    def _jumped(self, node: str | None) -> None:
        if node is None or self.loaded is None:
            return
        self._start_on(self.loaded, path=[], start=node)
        self._refresh_side()

    def action_restart(self) -> None:
        if self.loaded is not None:
            self._start_on(self.loaded, path=[], start=self.loaded.scenario.start)
            self._refresh_side()

    def action_toggle_mode(self) -> None:
        self.mode = "assessment" if self.mode == "practice" else "practice"
        if self.loaded is not None:
            self._start_on(self.loaded, reloaded=True)  # the same place, and any edited state
        self._refresh_side()
        self.notify(f"Now playing in {self.mode} mode.", markup=False)

    def action_reload(self) -> None:
        self.reload()

    def action_pause(self) -> None:
        if self.attempt is not None:
            self.attempt.clock.pause()
        self.app.push_screen(PauseScreen(can_stop_for_now=False), self._after_pause)

    def _after_pause(self, choice: PauseChoice | None) -> None:
        if choice is PauseChoice.LEAVE:
            self.app.exit()
        elif self.attempt is not None:
            self.attempt.clock.resume()
