"""Before you start: the content notes, the mode, the time on timers, and who is playing."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from casesim.authoring.pipeline import Playable
from casesim.authoring.signoff import playable_signoff
from casesim.errors import CaseSimError
from casesim.format.kinds import kind_label
from casesim.format.scenario import MODES, Mode
from casesim.format.text import visible
from casesim.play.assignment_notice import assessment_notice
from casesim.play.casefile import case_file
from casesim.play.timing import ALLOWANCES, TimeAllowance, allowance_label, attempt_timing
from casesim.play.trainee import name_problem, trainee_id_for
from casesim.records.labels import typable_pattern
from casesim.tui.base import CaseSimScreen
from casesim.tui.messages import BackToLibrary, BeginAttempt
from casesim.tui.screens.case_file import case_file_content
from casesim.tui.text import literal
from casesim.tui.widgets import TitleBar

__all__ = ["TRIAL_NOTICE", "BeforeStartScreen"]

MODE_TEXT: dict[Mode, tuple[str, str]] = {
    "practice": ("Practice", "feedback after each choice, hints, undo; timers not enforced"),
    "assessment": ("Assessment", "no feedback until the debrief, no undo; timers enforced"),
}


def mode_option(mode: Mode, selected: bool) -> Option:
    """``(•) Practice: ...``: the mark, not a colour, says which mode is chosen."""
    name, text = MODE_TEXT[mode]
    return Option(Content.assemble(("(•) " if selected else "( ) ", "bold"), (name, "bold"), f": {text}"), id=mode)


TIME_TEXT: dict[TimeAllowance, str] = {
    "standard": "Standard time (the time to read each moment is already included)",
    "1.5x": "1.5× time",
    "2x": "2× time",
    "none": "No time limit",
}


def time_option(allowance: TimeAllowance, selected: bool) -> Option:
    """``(•) 2× time``: the mark, not a colour, says which is chosen."""
    return Option(Content.assemble(("(•) " if selected else "( ) ", "bold"), TIME_TEXT[allowance]), id=allowance)


TRIAL_NOTICE = ("No clinician has signed this scenario off yet, so an assessment here is a trial: "
                "it is scored and kept in your records, but never counted as competency evidence.")
"""Shown under the modes when the scenario has no valid clinical sign-off."""


class BeforeStartScreen(CaseSimScreen[None]):
    """Start, pick another scenario, or leave casesim."""

    CSS_PATH = Path(__file__).with_name("before_start.tcss")
    KEYS_TITLE = "before you start"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", "Start", id="before-start"),
        Binding("escape", "pick_another", "Pick another", id="before-pick-another"),
        Binding("ctrl+l", "leave", "Leave casesim", id="before-leave"),
    ]
    EXTRA_KEYS = (("enter", "start (in the name box, the mode list or the time list)"),
                  ("up / down", "in the mode list: choose the mode; in the time list: ask for more time"))

    def __init__(self, loaded: Playable, *, mode: Mode, seed: int | None = None) -> None:
        super().__init__()
        self.loaded = loaded
        self.scenario = loaded.scenario
        self.mode: Mode = mode
        self.seed = seed
        self._told: tuple[str, Mode] | None = None
        """The trainee and mode the assignment notice was shown for (a second Start goes ahead)."""
        self.more_time: TimeAllowance = self.casesim.more_time or "standard"
        """The student's request for more time in practice (issue 15, item 2): from
        ``--more-time`` or an earlier choice here, and kept for the next scenario."""


    def compose(self) -> ComposeResult:
        s = self.scenario
        yield TitleBar(Content.assemble("Before you start · ", literal(s.title)), id="title-bar")
        with VerticalScroll(id="before-body"):
            yield Static(Content.assemble(
                literal(s.title, "bold"), "\n",
                (f"{kind_label(s.kind)} · about {s.estimated_minutes} min · client: ", "italic"),
                literal(f"{s.client.name}, {s.client.age}, {s.client.pronouns}", "italic"),
            ), id="before-title", markup=False)
            notes = ", ".join(" ".join(n.split()) for n in s.content_notes) or "none listed"
            yield Static(Content.assemble(
                ("Content notes: ", "bold"), literal(notes), "\n",
                "You can pause at any moment with p or escape, and leave without penalty. "
                "The client's case file is below; c shows it again during play.",
            ), id="before-notes", markup=False)
            if self.casesim.signed_in:
                # Signed in by `casesim serve`: who plays is the sign-in's, never typed (program
                # review F3), so there is no field to change it in.
                yield Static(Content.assemble(("Signed in as ", "bold"), literal(self.casesim.trainee.name),
                                              " (your records are kept under this id)"),
                             id="before-signed-in", markup=False)
            else:
                yield Static(Content.styled("Your name or student id (kept with your records)", "bold"),
                             classes="field-label", markup=False)
                # restrict: a control, direction or zero-width character cannot be typed or pasted
                # (an escape sequence in the field retitled the window and set the clipboard).
                name = Input(value=self.casesim.trainee.name, placeholder="e.g. Ana Ruiz or s1234567",
                             id="before-name", max_length=120, restrict=typable_pattern())
                name.cursor_blink = self.casesim.cursor_blink
                yield name
            yield Static(Content.styled("Mode (up/down to choose)", "bold"), classes="field-label", markup=False)
            yield OptionList(*(mode_option(m, m == self.mode) for m in MODES), id="before-mode")
            if playable_signoff(self.loaded) is None:
                # The evidence rules count an assessment only on a clinically signed-off scenario;
                # say so before the trainee chooses, not only in the records afterwards.
                yield Static(TRIAL_NOTICE, id="before-trial", markup=False)
            # An assessment uses only the time the instructor sets (casesim.play.timing).
            yield Static(Content.styled("More time on timers (practice only; up/down to choose)", "bold"),
                         classes="field-label", markup=False)
            yield OptionList(*(time_option(a, a == self.more_time) for a in ALLOWANCES), id="before-time")
            instructor = Static("", id="before-instructor-time", markup=False)
            instructor.display = False
            yield instructor
            case = case_file(s)
            casefile = Static(case_file_content(case), id="before-case-file", markup=False)
            casefile.border_title = case.title
            yield casefile
        # Below the scrolling part, always in view: on a small window the case file scrolls
        # above Start instead of pushing it out of sight (or Start hiding the case file).
        with Horizontal(id="before-buttons"):
            yield Button("Start", id="start", variant="primary", compact=True)
            yield Button("Pick another", id="pick-another", compact=True)
            yield Button("Leave casesim", id="leave", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        # Scoring needs the scenario's analysis only at the debrief; start it while they read.
        self.casesim.analyses.request(self.loaded)
        self.query_one("#before-mode", OptionList).highlighted = MODES.index(self.mode)
        self.query_one("#before-time", OptionList).highlighted = ALLOWANCES.index(self.more_time)
        if self.casesim.signed_in:
            self.query_one("#before-mode", OptionList).focus()
            self._show_instructor_time(self.casesim.trainee.name)
            return
        name = self.query_one("#before-name", Input)
        name.focus()
        name.cursor_position = len(name.value)
        self._show_instructor_time(name.value)

    @on(Input.Changed, "#before-name")
    def _name_changed(self, event: Input.Changed) -> None:
        self._show_instructor_time(event.value)

    def _show_instructor_time(self, name: str) -> None:
        """Say the time the instructor set for whoever is named (issue 15, item 2): it applies to
        every attempt, so the time list's "Standard" must not read as all they get."""
        note = self.query_one("#before-instructor-time", Static)
        tid = trainee_id_for(name)
        try:
            choice = attempt_timing(self.casesim.store, tid, "assessment") if tid else None
        except CaseSimError:  # the records would not open: said when the attempt starts
            choice = None
        note.display = choice is not None and choice.source == "instructor"
        if choice is not None and note.display:
            note.update(f"Your instructor has set {allowance_label(choice.allowance)} for you: it applies in practice "
                        "and in assessments. In practice you can ask for more above; the longer time applies.")

    @on(OptionList.OptionHighlighted, "#before-mode")
    def _mode_moved(self, event: OptionList.OptionHighlighted) -> None:
        self.set_mode("assessment" if event.option_id == "assessment" else "practice")

    @on(OptionList.OptionSelected, "#before-mode")
    def _mode_chosen(self, event: OptionList.OptionSelected) -> None:
        self.action_start()

    def set_mode(self, mode: Mode) -> None:
        """Choose the mode; the list's marks follow (the highlight moves with the arrows)."""
        if mode == self.mode:
            return
        self.mode = mode
        self._mark("#before-mode", [mode_option(m, m == mode) for m in MODES])

    @on(OptionList.OptionHighlighted, "#before-time")
    def _time_moved(self, event: OptionList.OptionHighlighted) -> None:
        self.set_more_time(next((a for a in ALLOWANCES if a == event.option_id), "standard"))

    @on(OptionList.OptionSelected, "#before-time")
    def _time_chosen(self, event: OptionList.OptionSelected) -> None:
        self.action_start()

    def set_more_time(self, allowance: TimeAllowance) -> None:
        """Ask for ``allowance`` in practice; the list's marks follow, and the app keeps it for
        the attempts started from here on (it never applies to an assessment)."""
        if allowance == self.more_time:
            return
        self.more_time = allowance
        self._mark("#before-time", [time_option(a, a == allowance) for a in ALLOWANCES])

    def _mark(self, selector: str, options: list[Option]) -> None:
        """Show ``options``' prompts (one marked (•)) in the list at ``selector``, by id."""
        shown = self.query_one(selector, OptionList)
        for option in options:
            assert option.id is not None
            shown.replace_option_prompt(option.id, option.prompt)

    @on(Input.Submitted, "#before-name")
    def _name_done(self) -> None:
        self.action_start()

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self.action_start()

    @on(Button.Pressed, "#pick-another")
    def _pick_pressed(self) -> None:
        self.action_pick_another()

    @on(Button.Pressed, "#leave")
    def _leave_pressed(self) -> None:
        self.action_leave()

    def action_start(self) -> None:
        self.casesim.ask_for_more_time(None if self.more_time == "standard" else self.more_time)
        if self.casesim.signed_in:
            self.app.post_message(BeginAttempt(self.loaded, mode=self.mode, seed=self.seed,
                                               trainee_name=self.casesim.trainee.name))
            return
        name = self.query_one("#before-name", Input).value.strip()
        problem = "Type your name or student id first; your records are kept under it." if not name else None
        if name and (wrong := name_problem(name)) is not None:
            problem = f"That name cannot be kept with your records: {visible(wrong, one_line=True)}."
        if problem is not None:
            self.notify(problem, severity="warning", markup=False)
            self.query_one("#before-name", Input).focus()
            return
        if self._tell_before(name):
            return
        self.app.post_message(BeginAttempt(self.loaded, mode=self.mode, seed=self.seed, trainee_name=name))

    def _tell_before(self, name: str) -> bool:
        """Show whether an assessment will count (its assignment, or why it counts as practice);
        True when a practice notice was just shown, so Start must be pressed once more."""
        notice = assessment_notice(self.casesim.store, trainee_id_for(name), self.loaded, self.mode)
        if notice is None:
            return False
        counts, words = notice
        if not counts:
            words += " Press Start again to play it anyway, or choose practice."
        existing = self.query("#before-assignment")
        if existing:
            existing.first(Static).update(words)
        else:
            # Beside Start, outside the scrolling notes, so it is seen without scrolling at 80x24.
            self.mount(Static(words, id="before-assignment", markup=False), before="#before-buttons")
        if counts or self._told == (name, self.mode):
            if counts:
                self.notify(words, markup=False)
            return False
        self._told = (name, self.mode)
        self.notify(words, severity="warning", markup=False)
        return True

    def action_pick_another(self) -> None:
        self.app.post_message(BackToLibrary())

    def action_leave(self) -> None:
        self.app.exit()
