"""Play: the conversation itself, with a pause key that is always there."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Footer

from casesim.errors import CaseSimError
from casesim.play.attempt import LiveAttempt
from casesim.play.casefile import case_file
from casesim.play.memory import hold_long_lived, release_long_lived
from casesim.play.tour import TOUR, offer_tour
from casesim.tui.base import CaseSimScreen
from casesim.tui.messages import AttemptFinished, AttemptLeft, BackToLibrary
from casesim.tui.screens.case_file import CaseFileScreen
from casesim.tui.screens.debrief import DebriefScreen
from casesim.tui.screens.notice import NoticeScreen
from casesim.tui.screens.pause import PauseChoice, PauseScreen
from casesim.tui.screens.tour import TourScreen
from casesim.tui.text import literal
from casesim.tui.widgets import TitleBar
from casesim.tui.widgets.play_area import PlayArea

__all__ = ["PlayScreen"]


class PlayScreen(CaseSimScreen[None]):
    """One live attempt; its ending leads to the debrief."""

    CSS_PATH = Path(__file__).with_name("play.tcss")
    KEYS_TITLE = "playing a scenario"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p,escape", "pause", "Pause", id="pause", key_display="p",
                tooltip="pause: a short break; from there you can leave without penalty"),
        Binding("c", "case_file", "Case file", id="case-file",
                tooltip="the client's case file and the objectives; the clock stops while it is open"),
        Binding("t", "tour", "Tour", id="tour", show=False,
                tooltip="the guided tour again: meters, feedback, pause, case file, practice mode"),
    ]
    EXTRA_KEYS = (("1 to 9", "say the numbered choice"), ("up / down, enter", "move to a choice and say it"))

    def __init__(self, attempt: LiveAttempt) -> None:
        super().__init__()
        self.attempt = attempt
        self._holding = False
        """This screen holds the objects alive when it was first drawn out of the collector's
        full passes (:func:`casesim.play.memory.hold_long_lived`)."""


    def compose(self) -> ComposeResult:
        scenario = self.attempt.program.scenario
        yield TitleBar(literal(scenario.title), self._status(), id="title-bar")
        yield PlayArea(self.attempt, id="play-area", settle=self.casesim.choice_settle_seconds,
                       on_drawn=self._show_status)
        yield Footer()

    def _status(self) -> Content:
        a = self.attempt
        steps = len(a.session.history)
        return Content.assemble((a.mode, "bold"), f" · decision {steps + 1}" if not a.finished else " · ending")

    def _show_status(self) -> None:
        for bar in self.query("#title-bar").results(TitleBar):
            bar.set_status(self._status())

    @on(PlayArea.Stepped)
    def _stepped(self) -> None:
        if self.attempt.finished:
            self.refresh_bindings()

    @on(PlayArea.Finished)
    def _finished(self, event: PlayArea.Finished) -> None:
        debrief = event.attempt.debrief
        assert debrief is not None
        self.app.post_message(AttemptFinished(event.attempt.attempt_id, debrief))
        self.app.switch_screen(DebriefScreen(event.attempt.loaded, debrief, start=event.attempt.session.start,
                                             seed=event.attempt.session.seed, timing=event.attempt.timing))

    def on_mount(self) -> None:
        # Once the first frame of play is out, everything the attempt keeps is built: the garbage
        # collector's full passes leave it alone until the screen closes (play/memory.py).
        self.call_after_refresh(self._hold_long_lived)
        # The guided first run: once, on a new attempt at the example (after the first frame, so
        # the tour is pushed over a screen that is showing and the clock is held at once).
        if offer_tour(self.casesim.trainee, self.attempt.program.scenario.id,
                      fresh=not self.attempt.session.history):
            self.call_after_refresh(self.action_tour)

    def _hold_long_lived(self) -> None:
        if self.is_mounted and not self._holding:
            self._holding = True
            hold_long_lived()

    def on_unmount(self) -> None:
        if self._holding:
            self._holding = False
            release_long_lived()

    def action_tour(self) -> None:
        if not isinstance(self.app.screen, TourScreen):
            self.app.push_screen(TourScreen(TOUR), self._after_tour)

    def _after_tour(self, finished: bool | None) -> None:
        self.casesim.remember_tour_done()

    def on_screen_suspend(self) -> None:
        # Help, pause, the case file, a notice: any screen over play stops the clock (UX review §2).
        self.attempt.clock.hold("overlay")

    def on_screen_resume(self) -> None:
        self.attempt.clock.release("overlay")
        if self.is_mounted:
            self.query_one("#play-area", PlayArea).update_timer()

    def action_case_file(self) -> None:
        self.app.push_screen(CaseFileScreen(case_file(self.attempt.program.scenario)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Once an ending is reached there is nothing left to pause (scoring may still be running).
        return not (action == "pause" and (self.attempt.closed or self.attempt.finished))

    def action_pause(self) -> None:
        if self.attempt.closed or self.attempt.finished:
            return
        self._guard(self.attempt.pause)
        self.app.push_screen(PauseScreen(can_stop_for_now=self.attempt.attempt_id is not None), self._after_pause)

    def _after_pause(self, choice: PauseChoice | None) -> None:
        if choice is None or choice is PauseChoice.RESUME:
            self._guard(self.attempt.resume_play)
            return
        if choice is PauseChoice.LEAVE:
            self._guard(self.attempt.leave)
        else:
            self.attempt.close()
        self.app.post_message(AttemptLeft(self.attempt.attempt_id, stopped_for_now=choice is PauseChoice.STOP_FOR_NOW))
        self.app.post_message(BackToLibrary())

    def _guard(self, action: Callable[[], None]) -> None:
        try:
            action()
        except CaseSimError as exc:
            self.app.push_screen(NoticeScreen(exc.title, str(exc)))
