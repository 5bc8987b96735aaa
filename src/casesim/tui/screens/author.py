"""Author mode: play a scenario file while editing it; it reloads when the file is saved.

The file is polled (``set_interval``; no extra dependency) for a new modification time or
size. On a change it is re-validated in a worker; if it loads, the same choices are replayed
on the new version (or, when they no longer fit, play restarts), like Inky's live preview.
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
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from casesim.authoring.pipeline import Playable, SourceReport, analyse_and_lint, load_scenario
from casesim.errors import CaseSimError
from casesim.format.diagnostics import Diagnostic
from casesim.format.scenario import Mode
from casesim.play.attempt import LiveAttempt
from casesim.semantics.explore import Analysis
from casesim.tui.base import CaseSimScreen
from casesim.tui.screens.debrief import DebriefScreen
from casesim.tui.screens.jump import JumpScreen
from casesim.tui.screens.pause import PauseChoice, PauseScreen
from casesim.tui.text import literal
from casesim.tui.widgets import TitleBar
from casesim.tui.widgets.inspector import DiagnosticsPanel, Inspector, inspector_paras
from casesim.tui.widgets.play_area import PlayArea
from casesim.tui.widgets.prose import Prose

__all__ = ["AuthorScreen"]

POLL_SECONDS = 0.5


class AuthorScreen(CaseSimScreen[None]):
    """Play, inspect, jump and reload one scenario file."""

    CSS_PATH = Path(__file__).with_name("author.tcss")
    KEYS_TITLE = "author mode"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "jump", "Jump to node", id="author-jump", tooltip="play from any node"),
        Binding("s", "restart", "Restart", id="author-restart", tooltip="play again from the start"),
        Binding("m", "toggle_mode", "Mode", id="author-mode", tooltip="switch practice / assessment"),
        Binding("ctrl+r", "reload", "Reload", id="author-reload", tooltip="re-read the file now"),
        Binding("p,escape", "pause", "Pause", key_display="p", id="author-pause"),
    ]
    EXTRA_KEYS = (("1 to 9, enter", "choose, as in play"),)

    def __init__(self, path: Path, *, watch: bool = True) -> None:
        super().__init__()
        self.path = path
        self.watching = watch
        self.loaded: Playable | None = None
        self.attempt: LiveAttempt | None = None
        self.mode: Mode = "practice"
        self.loads = 0
        self._stamp: tuple[int, int] | None = None
        self._analysis: Future[Analysis] = Future()
        self._note: str | None = None
        self._seed: int | None = None
        """One seed for the whole author session, so saving the file does not reorder the choices."""


    def compose(self) -> ComposeResult:
        yield TitleBar(Content.assemble("Author · ", literal(str(self.path))), Content("loading"), id="title-bar")
        with Horizontal(id="author-body"):
            with Vertical(id="author-play"):
                yield Static(Content("Loading…"), id="author-placeholder", markup=False)
            with Vertical(id="author-side"):
                with Inspector(id="inspector") as inspector:
                    inspector.border_title = Content("Inspector")
                    yield Prose(id="inspector-text")
                with DiagnosticsPanel(id="diagnostics"):
                    yield Prose(id="diagnostics-text")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        if self.watching:
            self.set_interval(POLL_SECONDS, self.check_file, name="watch-file")

    # --- loading ---------------------------------------------------------------------------

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def check_file(self) -> None:
        """Reload when the file on disk changed since the last load."""
        if self._file_stamp() != self._stamp:
            self.reload()

    @work(thread=True, exclusive=True, group="author-load")
    def reload(self) -> None:
        """Load quickly (shape, names, expressions) and play; then analyse every path for the lint."""
        catalog = self.casesim.catalog
        stamp = self._file_stamp()
        report = load_scenario(self.path, catalog, analyse_paths=False)
        analysis: Future[Analysis] = Future()
        self.app.call_from_thread(self.apply_loaded, report, stamp, analysis)
        if report.playable is None:
            return
        # Always finish the analysis: an attempt on this version may be waiting for it to score.
        result, lint = analyse_and_lint(report.playable, catalog)
        analysis.set_result(result)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.apply_lint, report, lint)

    def apply_lint(self, report: SourceReport, lint: list[Diagnostic]) -> None:
        """Add what the path analysis proves (unreachable nodes, dead ends...) to the diagnostics."""
        if report.playable is None or report.playable is not self.loaded:
            return
        diagnostics = sorted([*report.diagnostics, *lint], key=Diagnostic.sort_key)
        self.query_one(DiagnosticsPanel).show(diagnostics, self.loads, self._note)

    def apply_loaded(self, report: SourceReport, stamp: tuple[int, int] | None,
                     analysis: Future[Analysis]) -> None:
        self._stamp = stamp
        self.loads += 1
        note = None
        if report.playable is not None:
            self._analysis = analysis
            note = self._start_on(report.playable)
        elif self.loaded is not None:
            note = "Still playing the last version that loaded; fix the errors and save."
        else:
            placeholder = self.query("#author-placeholder")
            if placeholder:
                placeholder.first(Static).update(Content(
                    "This file has errors (listed on the right). Fix them and save: it reloads by itself."))
        self._note = note
        shown = note if not report.ok else (note + " " if note else "") + "Checking every path…"
        self.query_one(DiagnosticsPanel).show(list(report.diagnostics), self.loads, shown)
        self._refresh_side()

    def _start_on(self, loaded: Playable, *, path: list[str] | None = None, start: str | None = None) -> str | None:
        """Play ``loaded``, replaying ``path`` (default: the current path) from ``start``."""
        note = None
        old = self.attempt
        if path is None:
            path = old.session.path if old is not None else []
        if start is None and old is not None:
            start = old.session.start
        if start is not None and start not in loaded.program.scenario.nodes:
            start, path, note = None, [], "The node you were playing from is gone; restarted from the start."
        catalog, clock, analysis = self.casesim.catalog, self.casesim.clock, self._analysis
        if self._seed is None:
            self._seed = self.casesim.new_seed()
        try:
            attempt = LiveAttempt.begin(loaded, catalog, analysis, mode=self.mode, trainee_id=None, store=None,
                                        clock=clock, start=start, prefix=path, seed=self._seed)
        except CaseSimError:
            attempt = LiveAttempt.begin(loaded, catalog, analysis, mode=self.mode, trainee_id=None, store=None,
                                        clock=clock, start=start, seed=self._seed)
            note = "Your choices no longer fit the changed file; restarted."
        if old is not None:
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
        return note

    def _refresh_side(self) -> None:
        bar = self.query_one("#title-bar", TitleBar)
        if self.attempt is not None:
            self.query_one("#inspector-text", Prose).show(inspector_paras(self.attempt))
            bar.set_status(Content(f"{self.mode} · watching" if self.watching else self.mode))
        else:
            bar.set_status(Content("not loaded"))

    @on(PlayArea.Stepped)
    def _stepped(self) -> None:
        self._refresh_side()

    @on(PlayArea.Finished)
    def _finished(self, event: PlayArea.Finished) -> None:
        debrief = event.attempt.debrief
        assert debrief is not None
        self.app.push_screen(DebriefScreen(event.attempt.loaded, debrief, start=event.attempt.session.start,
                                           return_to="author"), self._after_debrief)

    def _after_debrief(self, index: int | None) -> None:
        if index is None or self.loaded is None or self.attempt is None:
            return
        path = self.attempt.session.path[:index]
        self._start_on(self.loaded, path=path)
        self._refresh_side()

    # --- actions ---------------------------------------------------------------------------

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
            self._start_on(self.loaded)
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
