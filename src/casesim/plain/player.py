"""The plain player: a scenario as a conversation of lines, for screen readers and Braille displays.

It plays the same :class:`~casesim.play.attempt.LiveAttempt` the terminal UI plays, so every
choice is recorded durably before the next line is written, an unfinished attempt resumes at the
exact decision, the choices stand in the attempt's seeded order, and leaving is recorded as the
UI records it. What differs is only the presentation: one thing at a time, in reading order::

    Scene: Dana picks up on the fifth ring.
    Dana says: Yeah, hello? Sorry, I'm on a bus.
    Your choices:
    1. Hi Dana, this is Sam, a case manager with Eastside Services. ...
    2. Hi, I need to get through your intake questions. ...
    Type a number, or h for help:

An empty line chooses nothing (no option is a default). At a terminal, lines typed before new
choices appeared are dropped and a number typed within the settle time is ignored, so nothing is
chosen unread.

**Timers.** There is no live clock redrawing the screen (it would interrupt a screen reader).
A timed moment is announced with its seconds; ``t`` says how many are left. The timer is checked
when an answer arrives: in an assessment, an answer that arrives after the time is up is not used,
the moment passes (the author's timeout), and the player says so. In practice the timer is not
enforced, as in the terminal UI. Help stops the clock until Enter is pressed; pause stops it and
records the pause.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from enum import Enum
from pathlib import Path
from typing import Any

from casesim.authoring.languages import languages_text, scenario_languages
from casesim.authoring.pipeline import Playable
from casesim.errors import CaseSimError
from casesim.format.kinds import kind_label
from casesim.format.scenario import MODES, Mode, Scenario
from casesim.format.text import flat
from casesim.plain.console import PlainConsole
from casesim.plain.report import DebriefDocument, build_debrief, debrief_html, debrief_text
from casesim.play.analyses import Analyses
from casesim.play.assignment_notice import assessment_notice
from casesim.play.attempt import LiveAttempt
from casesim.play.casefile import case_file
from casesim.play.clock import CHOICE_SETTLE_SECONDS
from casesim.play.library import Library
from casesim.play.session import StepResult
from casesim.play.session import new_seed as fresh_seed
from casesim.play.standing import scenario_standings
from casesim.play.timing import (
    TimeAllowance,
    TimeChoice,
    attempt_timing,
    timing_text,
)
from casesim.play.tour import TOUR, offer_plain_tour
from casesim.play.trainee import TraineeSettings, name_problem, save_trainee, trainee_id_for
from casesim.play.transcript import Line, moment_lines, step_lines, transcript_lines
from casesim.records.api import AttemptRow, RecordStore, effective_path
from casesim.scoring.catalog import Catalog
from casesim.scoring.debrief import Debrief
from casesim.scoring.glossary import debrief_glossary
from casesim.semantics.program import variables

__all__ = ["Outcome", "PlainPlayer", "GROUNDING"]

GROUNDING = (
    "Take a moment. The clock is stopped and nothing is scored while you are paused.",
    "Breathe in for a count of four, hold for four, and breathe out for six. Three times.",
    "Then notice five things you can see, four you can hear, three you can touch.",
    "If this scenario touched something hard for you, it is fine to leave it. Leaving is not a fail and is "
    "not scored. Talk to your instructor or someone you trust; in the US you can call or text 988 at any hour.",
)
"""The pause screen's words, one idea per line (the terminal UI's grounding text)."""

MODE_TEXT: dict[Mode, str] = {
    "practice": "Practice: feedback after each choice, hints, undo; timers not enforced.",
    "assessment": "Assessment: no feedback until the debrief, no hints, no undo; timers enforced.",
}

COMMANDS = (
    ("a number", "say that choice"),
    ("r", "repeat this moment: the scene, what the client says, and your choices"),
    ("m", "the client's meters"),
    ("c", "the client's case file and the objectives (the clock stops while you read it)"),
    ("t", "the time left, when this moment is timed"),
    ("n", "a hint (practice mode)"),
    ("u", "undo your last choice (practice mode)"),
    ("p", "pause: a break with the clock stopped; from there you can stop for now or leave"),
    ("q", "leave this scenario (not scored, no penalty)"),
    ("h", "this help"),
)
_WORDS = {"case": "c", "file": "c", "repeat": "r", "meters": "m", "time": "t", "hint": "n", "undo": "u", "pause": "p", "leave": "q",
          "quit": "q", "help": "h", "?": "h"}


class Outcome(Enum):
    """How a plain attempt ended."""

    FINISHED = "finished"
    STOPPED = "stopped"
    """Stopped for now (or the input ended): the attempt stays in progress, to resume later."""
    LEFT = "left"
    """Left without penalty: recorded and closed as the terminal UI does."""


def _describe(value: Any, low: int | None, high: int | None, *, meter: bool) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if meter and high is not None:
        return f"{value} of {high}" if low == 0 else f"{value} on a scale from {low} to {high}"
    return str(value)


def meter_lines(scenario: Scenario, values: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> list[str]:
    """The visible variables as words and numbers ("Distress: 6 of 10"); with ``previous``,
    only those that changed, with the direction ("Rapport went up by 1, now 5 of 10")."""
    out = []
    for name, var in scenario.variables.items():
        if var.show == "hidden":
            continue
        label = flat(var.label or name)
        value = values.get(name)
        now = _describe(value, var.min, var.max, meter=var.show == "meter")
        if previous is None:
            out.append(f"{label}: {now}.")
            continue
        before = previous.get(name)
        if before == value:
            continue
        if isinstance(value, int) and isinstance(before, int) and not isinstance(value, bool):
            diff = value - before
            out.append(f"{label} went {'up' if diff > 0 else 'down'} by {abs(diff)}, now {now}.")
        else:
            out.append(f"{label} is now {now}.")
    return out


class PlainPlayer:
    """Before you start, play, pause, leave and debrief, as lines; the library as a numbered list."""

    def __init__(self, console: PlainConsole, *, catalog: Catalog, store: RecordStore | None,
                 trainee: TraineeSettings, trainee_file: Path | None = None, analyses: Analyses | None = None,
                 clock: Callable[[], float] = time.monotonic, new_seed: Callable[[], int] = fresh_seed,
                 settle_seconds: float = CHOICE_SETTLE_SECONDS, debrief_html_path: Path | None = None,
                 more_time: TimeAllowance | None = None) -> None:
        self.console = console
        self.catalog = catalog
        self.store = store
        self.trainee = trainee
        self.trainee_file = trainee_file
        self.analyses = analyses or Analyses()
        self.clock = clock
        self.new_seed = new_seed
        self.settle_seconds = settle_seconds if console.interactive else 0.0
        """Only at a terminal: a pipe's lines are meant, and arrive faster than anyone reads."""
        self.debrief_html_path = debrief_html_path
        self.more_time = more_time
        """The student's own request for more time (practice attempts only)."""
        self.last_debrief: Debrief | None = None
        self.last_timing = TimeChoice("standard", "standard")

    # --- small helpers ------------------------------------------------------------------------------

    def say(self, text: str = "") -> None:
        self.console.say(text)

    def _problem(self, exc: CaseSimError) -> None:
        self.say(f"Problem: {flat(exc.title)}. {flat(exc.message)}")
        if exc.hint:
            self.say(f"What to do: {flat(exc.hint)}")

    @property
    def trainee_id(self) -> str | None:
        return trainee_id_for(self.trainee.name) or None

    # --- before you start ---------------------------------------------------------------------------

    def introduce(self, scenario: Scenario) -> None:
        c = scenario.client
        self.say(flat(scenario.title))
        self.say(f"{kind_label(scenario.kind, self.catalog.kinds)}, about {scenario.estimated_minutes} minutes. "
                 f"Client: {flat(c.name)}, {c.age}, {flat(c.pronouns)}.")
        self.say(flat(scenario.summary))
        notes = "; ".join(flat(n) for n in scenario.content_notes) or "none listed"
        self.say(f"Content notes: {notes}.")
        self.say("Once you are playing, you can pause at any moment by typing p, and leave without penalty "
                 "by typing q.")
        for line in case_file(scenario).lines():
            self.say(line)
        # Said as it is: before play the name prompt takes any text as a name, so c works from
        # the mode question on (ask_mode) and at every moment of play.
        self.say("From the mode question on, type c at any moment to read the case file again.")

    def ask_name(self) -> str | None:
        """The trainee's name or student id; Enter keeps the remembered one."""
        remembered = self.trainee.name
        while True:
            prompt = "Your name or student id (kept with your records)"
            prompt += f", or press Enter to keep {flat(remembered)}:" if remembered else ":"
            line = self.console.ask(prompt)
            if line is None:
                return None
            name = trainee_id_for(line) or remembered
            if not name:
                self.say("Type your name or student id first; your records are kept under it.")
                continue
            problem = name_problem(name)
            if problem is None:
                return name
            self.say(f"That name cannot be kept with your records: {flat(problem)}. "
                     "Type letters, digits, spaces or punctuation only.")

    def ask_mode(self, scenario: Scenario | None = None) -> Mode | None:
        """Practice or assessment; Enter keeps the mode chosen last time; c reads ``scenario``'s
        case file again (the objectives help to choose)."""
        self.say("Mode:")
        for i, m in enumerate(MODES, start=1):
            self.say(f"{i}. {MODE_TEXT[m]}")
        while True:
            line = self.console.ask(f"Type 1 or 2, or press Enter to keep {self.trainee.mode}:")
            if line is None:
                return None
            text = line.strip().casefold()
            if not text:
                return self.trainee.mode
            if text == "c" and scenario is not None:
                for case_line in case_file(scenario).lines():
                    self.say(case_line)
                continue
            if text.isdigit() and 1 <= int(text) <= len(MODES):
                return MODES[int(text) - 1]
            for m in MODES:
                if text == m:
                    return m
            self.say(f"There is no mode {flat(line)!r}. Type 1 for practice or 2 for assessment"
                     + (", or c to read the case file again." if scenario is not None else "."))

    def start(self, loaded: Playable, *, mode: Mode | None = None, seed: int | None = None,
              trainee_name: str | None = None) -> Outcome:
        """Introduce the scenario, ask who is playing and in which mode, then play it.

        An unfinished attempt of the same scenario by the same trainee is offered first.
        """
        self.analyses.request(loaded)  # scoring needs it only at the debrief: start it while they read
        self.introduce(loaded.scenario)
        name = trainee_id_for(trainee_name) if trainee_name else self.ask_name()
        if not name:
            return Outcome.STOPPED
        # keep what else is remembered (the guided first run, the theme): only the name changes
        self.trainee = replace(self.trainee, name=name)
        self.say(f"Playing as {flat(name)}.")
        unfinished = self._unfinished(loaded)
        if unfinished is not None:
            answer = self._ask_resume(unfinished)
            if answer is None:
                return Outcome.STOPPED
            if answer:
                return self.resume(loaded, unfinished.id)
        chosen = mode or self.ask_mode(loaded.scenario)
        if chosen is None:
            return Outcome.STOPPED
        self.trainee = replace(self.trainee, name=name, mode=chosen)
        save_trainee(self.trainee_file, self.trainee)
        notice = assessment_notice(self.store, self.trainee_id, loaded, chosen)
        if notice is not None:  # whether this assessment counts, said before it starts
            self.say(notice[1])
        try:
            attempt = LiveAttempt.begin(loaded, self.catalog, self.analyses.request(loaded), mode=chosen,
                                        trainee_id=self.trainee_id, store=self.store, clock=self.clock,
                                        seed=seed if seed is not None else self.new_seed(),
                                        timing=attempt_timing(self.store, self.trainee_id, chosen,
                                                              requested=self.more_time))
        except CaseSimError as exc:
            self._problem(exc)
            return Outcome.STOPPED
        self.say(f"Starting in {chosen} mode.")
        if attempt.timing.accommodated:
            self.say(f"Timing: {timing_text(attempt.timing)} on every timed moment.")
        return self.play(attempt)

    def _unfinished(self, loaded: Playable) -> AttemptRow | None:
        if self.store is None or self.trainee_id is None:
            return None
        rows = [r for r in self.store.in_progress(self.trainee_id)
                if r.scenario_id == loaded.scenario.id and r.content_hash == loaded.content_hash]
        return rows[-1] if rows else None

    def _choices_made(self, row: AttemptRow) -> str:
        steps = len(effective_path(self.store.events(row.id))) if self.store is not None else 0
        return f"{steps} choice{'' if steps == 1 else 's'} made"

    def _ask_resume(self, row: AttemptRow) -> bool | None:
        self.say(f"You have an unfinished attempt of this scenario: {row.mode} mode, {self._choices_made(row)}.")
        while True:
            line = self.console.ask("Type r to resume it, or n to start a new one:")
            if line is None:
                return None
            text = line.strip().casefold()
            if text in ("r", "resume"):
                return True
            if text in ("n", "new"):
                return False
            self.say("Nothing chosen. Type r to resume, or n to start a new attempt.")

    def resume(self, loaded: Playable, attempt_id: str) -> Outcome:
        """Carry on an attempt in progress at exactly the decision its record stops at."""
        if self.store is None:
            self.say("There is no record store, so nothing can be resumed.")
            return Outcome.STOPPED
        try:
            attempt = LiveAttempt.resume(loaded, self.catalog, self.analyses.request(loaded), attempt_id,
                                         store=self.store, clock=self.clock)
        except CaseSimError as exc:
            self._problem(exc)
            return Outcome.STOPPED
        session = attempt.session
        steps = len(session.history)
        self.say(f"Resuming your {attempt.mode} attempt of {flat(loaded.scenario.title)}: "
                 f"{steps} choice{'' if steps == 1 else 's'} made so far.")
        if steps:
            self.say("The conversation so far:")
            everything = transcript_lines(attempt.program, session.history, session.state, seed=session.seed)
            current = moment_lines(attempt.program, session.history, session.state, seed=session.seed)
            for line in everything[:len(everything) - len(current)]:
                self.say(self._line(line, loaded.scenario))
            self.say("Now:")
        return self.play(attempt)

    # --- play ---------------------------------------------------------------------------------------

    def _line(self, line: Line, scenario: Scenario) -> str:
        who = flat(scenario.client.name).split(" ")[0] or "The client"
        if line.kind == "narration":
            return f"Scene: {flat(line.text)}"
        if line.kind == "client":
            original = f" (in the original: {flat(line.original)})" if line.original else ""
            return f"{flat(line.speaker) if line.speaker else who} says: {flat(line.text)}{original}"
        if line.kind == "trainee":
            return f"You say: {flat(line.text)}"
        if line.kind == "timeout":
            return f"Time ran out: {flat(line.text)}"
        return f"The end: {flat(line.title or '')}. {flat(line.text)}"

    def show_moment(self, attempt: LiveAttempt, *, with_scene: bool = True) -> None:
        """The current moment in reading order: scene, client, timer, choices."""
        session = attempt.session
        scenario = attempt.program.scenario
        if with_scene:
            for line in moment_lines(attempt.program, session.history, session.state, seed=session.seed):
                self.say(self._line(line, scenario))
        if session.finished:
            return
        seconds = session.timer_seconds()
        if seconds is None and session.author_timer_seconds() is not None:
            self.say("This moment is timed, but you have no time limit.")
        if seconds is not None:
            if attempt.mode == "assessment":
                self.say(f"This moment is timed: {seconds} seconds, time to read it included. If your answer "
                         "comes after the time is up, the moment passes without it. Type t for the time left.")
            else:
                self.say(f"This moment is timed: {seconds} seconds, time to read it included. In practice mode "
                         "the timer is not enforced.")
        self.say("Your choices:")
        for i, step in enumerate(session.shown_choices(), start=1):
            self.say(f"{i}. {flat(step.say or step.id)}")
        self.console.drop_typeahead()

    def _prompt(self, attempt: LiveAttempt) -> str:
        left = attempt.session.time_left()
        timing = f" ({int(left + 0.999)} seconds left)" if left is not None and left > 0 else ""
        return f"Type a number, or h for help{timing}:"

    def play(self, attempt: LiveAttempt) -> Outcome:
        """Play ``attempt`` to its ending (then the debrief), or until the trainee stops or leaves."""
        scenario = attempt.program.scenario
        try:
            if not attempt.session.history:
                self.say(f"How {flat(scenario.client.name).split(' ')[0]} is doing:")
                for meter in meter_lines(scenario, variables(attempt.program, attempt.session.state)):
                    self.say(meter)
            self.show_moment(attempt)
            shown_at = attempt.clock()
            told_practice_time = False
            while not attempt.finished:
                line = self.console.ask(self._prompt(attempt))
                if line is None:
                    return self._stop_for_now(attempt, "Your input ended.")
                session = attempt.session
                if session.mode == "assessment" and session.timer_expired():
                    self.say("The time for this moment ran out before your answer, so your answer was not used.")
                    self._take(attempt, attempt.expire_timer)
                    shown_at = attempt.clock()
                    continue
                if session.mode == "practice" and session.timer_expired() and not told_practice_time:
                    told_practice_time = True
                    self.say("The time for this moment is up. In an assessment the moment would have passed; "
                             "in practice you can still answer.")
                text = line.strip().casefold()
                command = _WORDS.get(text, text)
                if not text:
                    self.say(f"Nothing chosen. Type a number from 1 to {len(session.shown_choices())}, "
                             "or h for help.")
                elif text.isdigit():
                    if self._settling(attempt, shown_at):
                        shown_at = attempt.clock()
                        self.say("Take a moment to read the choices first. Nothing was chosen.")
                        continue
                    if self._choose_number(attempt, int(text)):
                        told_practice_time = False
                        shown_at = attempt.clock()
                elif command == "h":
                    self._help(attempt)
                elif command == "c":
                    self._case_file(attempt)
                elif command == "r":
                    self.show_moment(attempt)
                elif command == "m":
                    for meter in meter_lines(scenario, variables(attempt.program, session.state)) or ["No meters."]:
                        self.say(meter)
                elif command == "t":
                    self._time(attempt)
                elif command == "n":
                    self._hint(attempt)
                elif command == "u":
                    if self._undo(attempt):
                        shown_at = attempt.clock()
                elif command == "p":
                    outcome = self._pause(attempt)
                    if outcome is not None:
                        return outcome
                    shown_at = attempt.clock()
                elif command == "q":
                    outcome = self._confirm_leave(attempt)
                    if outcome is not None:
                        return outcome
                else:
                    self.say(f"I did not understand {flat(line)!r}. Type a number from 1 to "
                             f"{len(session.shown_choices())}, or h for help.")
            return self._debrief(attempt)
        except KeyboardInterrupt:
            self._stop_for_now(attempt, "Interrupted.")
            raise

    def _settling(self, attempt: LiveAttempt, shown_at: float) -> bool:
        return self.settle_seconds > 0 and attempt.clock() - shown_at < self.settle_seconds

    def _choose_number(self, attempt: LiveAttempt, number: int) -> bool:
        shown = attempt.session.shown_choices()
        if not 1 <= number <= len(shown):
            self.say(f"There is no choice {number}. Type a number from 1 to {len(shown)}.")
            return False
        return self._take(attempt, lambda: attempt.choose(shown[number - 1].id))

    def _take(self, attempt: LiveAttempt, act: Callable[[], StepResult]) -> bool:
        """Take a step (recorded before anything is said), then say what happened and the next moment."""
        before = variables(attempt.program, attempt.session.state)
        try:
            result = act()
        except CaseSimError as exc:
            self._problem(exc)
            return False
        scenario = attempt.program.scenario
        self.say()
        if result.narration is not None or result.step.is_timeout:
            self.say(f"Time ran out: {flat(result.narration or 'the moment passed.')}")
        else:
            self.say(f"You say: {flat(result.step.say or result.step.id)}")
            if result.reply:  # every line said in reply, each speaker named
                for said in step_lines(attempt.program, attempt.session.history, seed=attempt.session.seed):
                    if said.kind == "client":
                        self.say(self._line(said, scenario))
        if result.feedback:
            self.say(f"Feedback on your choice: {flat(result.feedback)}")
        for line in meter_lines(scenario, variables(attempt.program, result.state), before):
            self.say(line)
        self.show_moment(attempt)
        return True

    def _help(self, attempt: LiveAttempt) -> None:
        attempt.clock.hold("help")  # reading help costs no time on a timer (not a recorded pause)
        try:
            self.say("Commands (type one and press Enter):")
            for key, what in COMMANDS:
                self.say(f"{key}: {what}")
            self.say("An empty line chooses nothing. The clock is stopped while you read this.")
            self.console.ask("Press Enter to go back to your choices:")
        finally:
            attempt.clock.release("help")

    def _case_file(self, attempt: LiveAttempt) -> None:
        attempt.clock.hold("case-file")  # reading the file costs no time on a timer
        try:
            for line in case_file(attempt.program.scenario).lines():
                self.say(line)
            self.say("The clock is stopped while you read this.")
            self.console.ask("Press Enter to go back to your choices:")
        finally:
            attempt.clock.release("case-file")

    def _time(self, attempt: LiveAttempt) -> None:
        left = attempt.session.time_left()
        if left is None:
            self.say("This moment is not timed.")
        elif left <= 0:
            self.say("The time for this moment is up.")
        else:
            self.say(f"{int(left + 0.999)} seconds left.")

    def _hint(self, attempt: LiveAttempt) -> None:
        if attempt.mode != "practice":
            self.say("Hints are given in practice mode only.")
            return
        hint = attempt.session.hint()
        self.say(f"Hint: {flat(hint)}" if hint else "No hint for this moment.")

    def _undo(self, attempt: LiveAttempt) -> bool:
        if attempt.mode != "practice":
            self.say("Undo is available in practice mode only.")
            return False
        if not attempt.session.can_undo:
            self.say("Nothing to undo yet.")
            return False
        try:
            attempt.undo()
        except CaseSimError as exc:
            self._problem(exc)
            return False
        self.say("Your last choice was taken back.")
        self.show_moment(attempt)
        return True

    def _pause(self, attempt: LiveAttempt) -> Outcome | None:
        """The break: resume (None), stop for now, or leave without penalty."""
        try:
            attempt.pause()
        except CaseSimError as exc:
            self._problem(exc)
            return None
        self.say("Paused.")
        for sentence in GROUNDING:
            self.say(sentence)
        can_stop = attempt.attempt_id is not None
        self.say("r: resume where you were.")
        if can_stop:
            self.say("s: stop for now; resume later (casesim resume --plain, or from the library).")
        self.say("l: leave this scenario (not scored, no penalty).")
        while True:
            line = self.console.ask("Type r, s or l:" if can_stop else "Type r or l:")
            if line is None:
                return self._stop_for_now(attempt, "Your input ended.")
            text = line.strip().casefold()
            if text in ("r", "resume", "p"):
                try:
                    attempt.resume_play()
                except CaseSimError as exc:
                    self._problem(exc)
                self.say("Back where you were.")
                self.show_moment(attempt)
                return None
            if text in ("s", "stop") and can_stop:
                return self._stop_for_now(attempt, "Stopped for now.")
            if text in ("l", "leave"):
                self._leave(attempt)
                return Outcome.LEFT
            self.say("Nothing chosen. Type r to resume" + (", s to stop for now" if can_stop else "")
                     + ", or l to leave.")

    def _confirm_leave(self, attempt: LiveAttempt) -> Outcome | None:
        """Leave after a yes (None: the trainee stays)."""
        self.say("Leave this scenario? It is not scored and there is no penalty, but it cannot be resumed.")
        line = self.console.ask("Type y to leave, or anything else to stay:")
        if line is None:
            return self._stop_for_now(attempt, "Your input ended.")
        if line.strip().casefold() in ("y", "yes"):
            self._leave(attempt)
            return Outcome.LEFT
        self.say("Staying. Type r to hear your choices again.")
        return None

    def _leave(self, attempt: LiveAttempt) -> None:
        try:
            attempt.leave()
        except CaseSimError as exc:
            self._problem(exc)
            attempt.close()
        self.say("You left this scenario. Nothing was scored, and leaving is not a fail.")

    def _stop_for_now(self, attempt: LiveAttempt, why: str) -> Outcome:
        attempt.close()
        if attempt.attempt_id is not None:
            self.say(f"{why} Your attempt is saved as it stands; carry on later with casesim resume --plain.")
        else:
            self.say(f"{why} Nothing was recorded.")
        return Outcome.STOPPED

    # --- the debrief --------------------------------------------------------------------------------

    def _debrief(self, attempt: LiveAttempt) -> Outcome:
        self.say("Scoring your attempt…")
        try:
            debrief = attempt.finish()
        except CaseSimError as exc:
            self._problem(exc)
            return Outcome.STOPPED
        self.last_debrief = debrief
        self.last_timing = attempt.timing
        doc = self.document(debrief)
        self.say("")
        self.say(debrief_text(doc))
        if self.debrief_html_path is not None:
            self.write_html(debrief)
        return self._after_debrief(attempt, debrief)

    def _after_debrief(self, attempt: LiveAttempt, debrief: Debrief) -> Outcome:
        """As the debrief screen offers: replay from a decision (practice), play again, or finish."""
        count = len(debrief.decisions)
        while True:
            replay = f"a decision's number (1 to {count}) to replay from just before it in practice, " if count else ""
            line = self.console.ask(f"Type {replay}a to play this scenario again, or press Enter to finish:")
            text = (line or "").strip().casefold()
            if not text:
                return Outcome.FINISHED
            if text in ("a", "again"):
                return self._begin_again(attempt, mode=debrief.mode, prefix=(), seed=None)
            if text.isdigit() and 1 <= int(text) <= count:
                prefix = [d.choice for d in debrief.decisions[:int(text) - 1]]
                self.say(f"Replaying from decision {text}, in practice mode.")
                return self._begin_again(attempt, mode="practice", prefix=prefix, seed=attempt.session.seed,
                                         timing=attempt.timing)
            self.say(f"There is no decision {flat(line or '')!r}.")

    def _begin_again(self, previous: LiveAttempt, *, mode: Mode, prefix: Sequence[str], seed: int | None,
                     timing: TimeChoice | None = None) -> Outcome:
        """Play ``previous``'s scenario again; a replay from a decision passes the ``timing``
        recorded with ``previous`` (None: worked out now, as for any new attempt)."""
        start = previous.session.start if previous.session.start != previous.program.scenario.start else None
        loaded = previous.loaded
        try:
            attempt = LiveAttempt.begin(loaded, self.catalog, self.analyses.request(loaded), mode=mode,
                                        trainee_id=self.trainee_id, store=self.store, clock=self.clock,
                                        seed=seed if seed is not None else self.new_seed(), start=start,
                                        prefix=prefix,
                                        timing=timing or attempt_timing(self.store, self.trainee_id, mode,
                                                                        requested=self.more_time))
        except CaseSimError as exc:
            self._problem(exc)
            return Outcome.STOPPED
        self.say(f"Starting again in {mode} mode.")
        return self.play(attempt)

    def criterion_titles(self) -> dict[str, str]:
        return {cid: c.title for cid, c in self.catalog.criteria.items()}

    def document(self, debrief: Debrief) -> DebriefDocument:
        """The debrief document, with its glossary and the attempt's timing accommodation."""
        timing = self.last_timing
        return build_debrief(debrief, self.criterion_titles(), trainee=self.trainee.name or None,
                             glossary=debrief_glossary(self.catalog),
                             timing=timing_text(timing) if timing.accommodated else None)

    def write_html(self, debrief: Debrief) -> None:
        path = self.debrief_html_path
        if path is None:
            return
        doc = self.document(debrief)
        try:
            path.write_text(debrief_html(doc), encoding="utf-8")
        except OSError as exc:
            self.say(f"Problem: the debrief could not be written to {flat(str(path))}: {flat(exc.strerror or str(exc))}.")
            return
        self.say(f"The debrief is also saved as a web page: {flat(str(path))}")

    # --- the library --------------------------------------------------------------------------------

    def first_run(self) -> None:
        """The guided first run, as notes read one at a time (the TUI's tour, :mod:`casesim.play.tour`,
        in the words that fit a line-oriented player). Skippable at any note; finishing or
        skipping is remembered with the trainee settings, as in the TUI, so it is said once."""
        count = len(TOUR)
        answer = self.console.ask(f"Welcome to casesim. A short introduction follows: {count} notes, read one at a "
                                  "time. Press Enter to read it, or type s to skip it:")
        if answer is None:  # the input ended: nothing more is read, nothing is remembered
            return
        if answer.strip().casefold() not in ("s", "skip", "q", "quit"):
            for i, callout in enumerate(TOUR, start=1):
                self.say(f"Note {i} of {count}, {callout.title}: {callout.text_for(plain=True)}")
                if i == count:
                    break
                line = self.console.ask("Press Enter for the next note, or type s to skip the rest:")
                if line is None:
                    return
                if line.strip().casefold() in ("s", "skip", "q", "quit"):
                    break
        self.trainee = replace(self.trainee, tour_done=True)
        save_trainee(self.trainee_file, self.trainee)
        self.say("These notes will not be shown again.")
        self.say("")

    def library(self, library: Library) -> int:
        """List the scenarios numbered (attempts to resume first); a number opens one; q quits.
        On the first start, the guided first run comes before the list (:meth:`first_run`)."""
        if offer_plain_tour(self.trainee):
            self.first_run()
        while True:
            entries = self._library_entries(library)
            if not entries:
                self.say("No scenarios found.")
                return 0
            self.say("casesim scenario library.")
            heading = None
            for i, (group, label, _, _) in enumerate(entries, start=1):
                if group != heading:
                    heading = group
                    self.say(f"{group}:")
                self.say(f"{i}. {label}")
            if library.broken:
                count = len(library.broken)
                self.say(f"{count} file{' has' if count == 1 else 's have'} problems and cannot be played; "
                         "casesim validate lists them.")
            picked = self._pick(len(entries))
            if picked is None:
                return 0
            _, _, loaded, attempt_id = entries[picked - 1]
            if attempt_id is not None:
                self.resume(loaded, attempt_id)
            else:
                self.start(loaded)
            self.say("")

    def _pick(self, count: int) -> int | None:
        while True:
            line = self.console.ask("Type a number to open a scenario, or q to quit:")
            if line is None:
                return None
            text = line.strip().casefold()
            if text in ("q", "quit"):
                return None
            if text.isdigit() and 1 <= int(text) <= count:
                return int(text)
            if not text:
                self.say(f"Nothing chosen. Type a number from 1 to {count}, or q to quit.")
            else:
                self.say(f"There is no scenario {flat(line)!r}. Type a number from 1 to {count}, or q to quit.")

    def _library_entries(self, library: Library) -> Sequence[tuple[str, str, Playable, str | None]]:
        out: list[tuple[str, str, Playable, str | None]] = []
        if self.store is not None and self.trainee_id is not None:
            for row in self.store.in_progress(self.trainee_id):
                entry = library.by_id(row.scenario_id)
                if entry is not None and row.content_hash == entry.content_hash:
                    out.append(("In progress", f"Resume {flat(entry.scenario.title)} ({row.mode} mode, "
                                f"{self._choices_made(row)})", entry, row.id))
        # Where the trainee stands with each scenario, in words as in the TUI's list ("; passed").
        standings = scenario_standings(self.store, self.trainee_id)
        for kind, entries in library.grouped():
            for entry in entries:
                s = entry.scenario
                languages = scenario_languages(s, entry.path)
                also = f", in {languages_text(languages)}" if len(languages) > 1 else ""
                standing = standings.get(s.id)
                stands = f"; {standing.label}" if standing is not None else ""
                out.append((kind_label(kind, self.catalog.kinds),
                            f"{flat(s.title)}, about {s.estimated_minutes} minutes{flat(also)}{stands}", entry, None))
        return out
