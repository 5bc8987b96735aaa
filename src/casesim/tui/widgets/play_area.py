"""The play area: transcript, client panel, countdown, feedback and choices for one live attempt.

It drives a :class:`~casesim.play.attempt.LiveAttempt` (which records each step before this
widget redraws) and tells its screen what happened through its own messages.

Choices are listed in the attempt's order (:func:`~casesim.semantics.order.shown_choices`),
with nothing highlighted, and a choosing key, Enter or click is ignored until they have been on
screen for :data:`CHOICE_SETTLE_SECONDS`, so nothing can be chosen unread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static

from casesim.errors import CaseSimError, SessionError
from casesim.play.attempt import LiveAttempt
from casesim.play.clock import CHOICE_SETTLE_SECONDS
from casesim.play.session import StepResult
from casesim.play.timing import allowance_label
from casesim.play.transcript import transcript_lines
from casesim.semantics.program import variables
from casesim.tui.screens.notice import NoticeScreen
from casesim.tui.text import drawn
from casesim.tui.widgets.choice_list import CONTINUE, ChoiceList
from casesim.tui.widgets.client_panel import ClientPanel
from casesim.tui.widgets.feedback import FeedbackPanel
from casesim.tui.widgets.one_pass import OnePassColumn, OnePassRow, OnePassText
from casesim.tui.widgets.transcript import Transcript

__all__ = ["CHOICE_SETTLE_SECONDS", "PlayArea", "format_seconds"]



def format_seconds(seconds: float) -> str:
    whole = max(0, int(seconds + 0.999))
    return f"{whole // 60}:{whole % 60:02d}"


class PlayArea(Vertical):
    """Everything the trainee sees and does while playing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"choose_number({n})", f"Choose {n}", show=False, id=f"choose-{n}") for n in range(1, 10)),
        Binding("u", "undo", "Undo", id="undo", tooltip="take back your last choice (practice mode)"),
        Binding("h", "hint", "Hint", id="hint", tooltip="a nudge for this moment (practice mode)"),
    ]

    DEFAULT_CSS = """
    PlayArea { height: 1fr; max-width: 132; }
    PlayArea > ChoiceList, PlayArea > FeedbackPanel, PlayArea > #play-timer { max-width: 100; }
    PlayArea > #play-top { height: 1fr; }
    PlayArea #play-side { width: 32; height: 100%; }
    PlayArea #play-timer { height: auto; padding: 0 1; background: $warning 25%; display: none; }
    PlayArea.-author #play-side { display: none; }
    """

    class Stepped(Message):
        """A choice was taken (or a timer ran out, or a step was undone) and drawn."""

        def __init__(self, area: PlayArea, result: StepResult | None) -> None:
            super().__init__()
            self.area = area
            self.result = result
            """None after an undo."""

        @property
        def control(self) -> PlayArea:
            return self.area

    class Finished(Message):
        """The trainee asked to move on from an ending; ``attempt.debrief`` is set."""

        def __init__(self, area: PlayArea, attempt: LiveAttempt) -> None:
            super().__init__()
            self.area = area
            self.attempt = attempt

        @property
        def control(self) -> PlayArea:
            return self.area

    def __init__(self, attempt: LiveAttempt, *, id: str | None = None, tick: float | None = 1.0,
                 settle: float = CHOICE_SETTLE_SECONDS, on_drawn: Callable[[], None] | None = None) -> None:
        super().__init__(id=id)
        self.attempt = attempt
        self._on_drawn = on_drawn
        """Called at the end of every redraw: what the screen shows of the attempt elsewhere (its
        title bar's status) is drawn in the same frame, not one message later (issue 15, item 7)."""
        self._tick = tick
        self._settle = settle
        self._quiet_since = 0.0
        """When the choices changed, or a choosing key was last ignored (attempt clock)."""
        self._told_to_read = False
        self._previous: dict[str, Any] | None = None
        self._binding_state: tuple[bool, bool, bool] | None = None
        self._timer_shown: tuple[str, tuple[object, ...]] | None = None
        """The timer line's words and styles as last drawn (see :meth:`_show_timer`)."""

    # --- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        scenario = self.attempt.program.scenario
        with OnePassRow(id="play-top"):
            yield Transcript(scenario.client.name.split()[0], id="transcript")
            with OnePassColumn(id="play-side"):
                yield ClientPanel(scenario, id="client-panel")
        yield FeedbackPanel(id="feedback")
        yield OnePassText(id="play-timer", markup=False)
        yield ChoiceList(id="choices")

    def on_mount(self) -> None:
        self.redraw()
        self.query_one(ChoiceList).focus()
        if self._tick is not None:
            self.set_interval(self._tick, self.check_timer, name="countdown")
        attempt = self.attempt
        if attempt.finished and attempt.debrief is None and not attempt.closed:
            # Resumed at its ending: the process stopped after the last choice was recorded and
            # before the attempt was scored. Score it now, as the last choice would have.
            self._finish_later(None)

    # --- drawing --------------------------------------------------------------------------

    def redraw(self, result: StepResult | None = None) -> None:
        """Draw the attempt's current state (``result``: the step just taken, for feedback)."""
        attempt = self.attempt
        session = attempt.session
        program = attempt.program
        self.query_one(Transcript).show(transcript_lines(program, session.history, session.state, seed=session.seed))
        values = variables(program, session.state)
        self.query_one(ClientPanel).show(values, self._previous)
        self._previous = values
        feedback = self.query_one(FeedbackPanel)
        if result is not None and result.feedback:
            feedback.show("Feedback on your choice", result.feedback)
        else:
            feedback.clear()
        choices = self.query_one(ChoiceList)
        if session.finished:
            if attempt.debrief is not None:
                choices.show_continue("See your debrief")
            else:
                choices.show_waiting("Scoring your attempt…")
        else:
            choices.show_choices([(s.id, s.say or s.id) for s in session.shown_choices()])
        self._quiet_since = attempt.clock()
        self._told_to_read = False
        self.update_timer()
        # Refreshing bindings makes the footer recompose; do it only when a key's state changed.
        binding_state = (session.can_undo, session.finished, attempt.closed)
        if binding_state != self._binding_state:
            self._binding_state = binding_state
            self.refresh_bindings()
        if self._on_drawn is not None:
            self._on_drawn()

    def update_timer(self) -> None:
        timer = self.query_one("#play-timer", Static)
        session = self.attempt.session
        left = session.time_left()
        if left is None:
            if session.author_timer_seconds() is not None and not session.finished:
                timer.display = True
                self._show_timer(timer, Content.assemble(("Timed moment", "bold"), " · you have no time limit"))
                return
            timer.display = False
            return
        timer.display = True
        parts: list[str | tuple[str, str]] = [("Time left ", "bold"), (format_seconds(left), "bold")]
        if self.attempt.timing.accommodated:
            parts.append(f" · {allowance_label(self.attempt.timing.allowance)}")
        if session.mode == "practice":
            parts.append(" · practice: not enforced" if left > 0 else
                         " · time is up; in an assessment the moment would pass now")
        else:
            parts.append(" · when it ends, the moment passes" + (" · hurry" if left <= 10 else ""))
        self._show_timer(timer, Content.assemble(*parts))

    def _show_timer(self, timer: Static, content: Content) -> None:
        """Update the timer line only when its words change: the countdown ticks every second and
        each choice redraws it, and every update costs a layout pass (issue 15 item 7)."""
        shown = drawn(content)
        if shown != self._timer_shown:
            self._timer_shown = shown
            timer.update(content)

    # --- acting ---------------------------------------------------------------------------

    def choose(self, step_id: str) -> None:
        """Take ``step_id`` (or move on from an ending)."""
        attempt = self.attempt
        if attempt.closed and not attempt.finished:
            return
        if step_id == CONTINUE:
            if attempt.finished and attempt.debrief is not None:
                self.post_message(self.Finished(self, attempt))
            return
        try:
            result = attempt.choose(step_id)
        except SessionError as exc:
            if attempt.session.timer_expired() and attempt.mode == "assessment":
                self.check_timer()
            else:
                self.notify(str(exc), severity="warning", markup=False)
            return
        except CaseSimError as exc:
            self._failed(exc)
            return
        self._after(result)

    def settled(self) -> bool:
        """Whether a choosing key may act now; if not, the key is ignored and the wait restarts."""
        if self._settle <= 0:
            return True
        now = self.attempt.clock()
        if now - self._quiet_since >= self._settle:
            return True
        self._quiet_since = now
        if not self._told_to_read:
            self._told_to_read = True
            self.notify("Take a moment to read the choices first.", timeout=3, markup=False)
        return False

    def _failed(self, exc: CaseSimError) -> None:
        self.app.push_screen(NoticeScreen(exc.title, str(exc)))

    def check_timer(self) -> None:
        """Update the countdown; in assessment mode, apply the timeout once time is up."""
        attempt = self.attempt
        if attempt.closed or attempt.finished or attempt.clock.paused:
            return
        session = attempt.session
        if session.time_left() is None:
            return
        if session.mode == "assessment" and session.timer_expired():
            try:
                result = attempt.expire_timer()
            except CaseSimError as exc:
                self._failed(exc)
                return
            self._after(result)
        else:
            self.update_timer()

    def expire_timer_now(self) -> None:
        """Let this moment's timer run out now (author mode's key), by the same step the
        countdown takes in an assessment: the session's own expiry of the node."""
        attempt = self.attempt
        if attempt.closed or attempt.finished:
            self.notify("The run has ended: there is no timer to run out.", markup=False)
            return
        if attempt.session.timer_seconds() is None:
            self.notify("This moment has no timer.", markup=False)
            return
        try:
            result = attempt.expire_timer()
        except CaseSimError as exc:
            self._failed(exc)
            return
        self._after(result)

    def _after(self, result: StepResult) -> None:
        if result.finished and self.attempt.scoring_ready:
            self._finish_now()
        self.redraw(result)
        self.post_message(self.Stepped(self, result))
        if result.finished and self.attempt.debrief is None:
            self._finish_later(result)

    def _finish_now(self) -> None:
        try:
            self.attempt.finish()
        except CaseSimError as exc:
            self._failed(exc)

    @work(thread=True, exclusive=True, group="scoring")
    def _finish_later(self, result: StepResult | None) -> None:
        """Wait for the analysis (a large scenario's may still be running), then score and record."""
        try:
            self.attempt.finish()
        except CaseSimError as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self.redraw, result)

    def replace_attempt(self, attempt: LiveAttempt) -> None:
        """Show another attempt in place (author mode: after a reload or a jump)."""
        self.attempt = attempt
        self._previous = None
        self.query_one(Transcript).lines = ()
        self.redraw()

    @on(OptionList.OptionSelected, "#choices")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_id is not None and self.settled():
            self.choose(event.option_id)

    def action_choose_number(self, number: int) -> None:
        """Say the option numbered ``number`` on screen (the attempt's order, not the author's)."""
        choices = self.query_one(ChoiceList)
        if 1 <= number <= choices.option_count and self.settled():
            option = choices.get_option_at_index(number - 1)
            if option.id is not None:
                choices.highlighted = number - 1
                self.choose(option.id)

    def action_undo(self) -> None:
        if not self.attempt.session.can_undo:
            self.notify("Nothing to undo yet.", markup=False)
            return
        self.attempt.undo()
        self._previous = None
        self.redraw()
        self.post_message(self.Stepped(self, None))

    def action_hint(self) -> None:
        hint = self.attempt.session.hint()
        if hint:
            self.query_one(FeedbackPanel).show("Hint", hint)
        else:
            self.notify("No hint for this moment.", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("undo", "hint"):
            session = self.attempt.session
            if session.mode != "practice" or session.finished:
                return False
            if action == "undo" and not session.can_undo:
                return None
        return True
