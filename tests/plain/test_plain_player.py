"""The plain player in process, on a fake clock: timers checked when the answer arrives, help and
pause stop the clock, nothing is chosen by an empty line or unread, and the debrief documents."""

from __future__ import annotations

import io
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.cli import main
from casesim.format.text import flat
from casesim.plain import (
    Outcome,
    PlainConsole,
    PlainPlayer,
    build_debrief,
    debrief_html,
    debrief_text,
)
from casesim.play.analyses import Analyses
from casesim.play.attempt import LiveAttempt
from casesim.play.trainee import TraineeSettings
from casesim.records import open_store
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog
from support.clock import FakeClock
from support.records import EXPERT, play


class ScriptedConsole(PlainConsole):
    """A console whose answers come from a script: ``(seconds that pass before it, line)``."""

    def __init__(self, script: Sequence[tuple[float, str]], clock: FakeClock, *, interactive: bool = False) -> None:
        super().__init__(io.StringIO(), io.StringIO(), interactive=interactive)
        self.script = list(script)
        self.clock = clock

    def ask(self, prompt: str) -> str | None:
        self.say(prompt)
        if not self.script:
            return None
        wait, line = self.script.pop(0)
        self.clock.advance(wait)
        return line

    @property
    def text(self) -> str:
        out = self.stdout
        assert isinstance(out, io.StringIO)
        return out.getvalue()


def _player(console: ScriptedConsole, catalog: Catalog, store: RecordStore | None, clock: FakeClock,
            settle: float = 0.0) -> PlainPlayer:
    return PlainPlayer(console, catalog=catalog, store=store, trainee=TraineeSettings(name="Ana"),
                       clock=clock, new_seed=lambda: 7, settle_seconds=settle)


def _number_of(console: ScriptedConsole, say: str) -> str:
    block = console.text.rsplit("Your choices:\n", 1)[1]
    for line in block.splitlines():
        number, _, text = line.partition(". ")
        if text == flat(say):
            return number
    raise AssertionError(f"{say!r} not listed in {block}")


def _to_timed_moment(example: AnalysedScenario) -> list[str]:
    """The expert steps up to the first timed moment (how-are-you)."""
    path = list(example.analysis.expert_path)
    steps = example.program.steps
    return path[:next(i for i, sid in enumerate(path) if steps[sid].node == "how-are-you")]


class _Walker(ScriptedConsole):
    """Answers with the expert's choice (found in the numbered list) while ``ahead`` lasts, then the script."""

    def __init__(self, example: AnalysedScenario, ahead: list[str], script: Sequence[tuple[float, str]],
                 clock: FakeClock, **kw: bool) -> None:
        super().__init__(script, clock, **kw)
        self.example = example
        self.ahead = list(ahead)

    def ask(self, prompt: str) -> str | None:
        if self.ahead and prompt.startswith("Type a number"):
            self.say(prompt)
            say = self.example.program.steps[self.ahead.pop(0)].say or ""
            return _number_of(self, say)
        return super().ask(prompt)


def test_in_an_assessment_an_answer_after_the_time_is_up_lets_the_moment_pass(
        example: AnalysedScenario, catalog: Catalog, store: RecordStore, clock: FakeClock) -> None:
    console = _Walker(example, _to_timed_moment(example), [(61.0, "1")], clock)
    player = _player(console, catalog, store, clock)
    outcome = player.start(example, mode="assessment", trainee_name="Ana")
    assert outcome is Outcome.STOPPED  # the script ran out after the timeout
    text = console.text
    # 45 s from the author plus 15 s to read the screen's words at 238 wpm
    assert "This moment is timed: 60 seconds, time to read it included. If your answer comes after the time" in text
    assert "ran out before your answer, so your answer was not used." in text
    assert "Time ran out: The line is quiet for a long moment. Dana sighs." in text
    (attempt,) = store.attempts("Ana")
    events = store.events(attempt.id)
    assert [e.kind for e in events if e.kind in ("choice", "timer-expired")][-1] == "timer-expired"


def test_in_practice_a_late_answer_still_counts_and_the_lateness_is_said(
        example: AnalysedScenario, catalog: Catalog, store: RecordStore, clock: FakeClock) -> None:
    console = _Walker(example, _to_timed_moment(example), [(65.0, "1")], clock)
    _player(console, catalog, store, clock).start(example, mode="practice", trainee_name="Ana")
    assert "In an assessment the moment would have passed; in practice you can still answer." in console.text
    assert "Feedback on your choice:" in console.text
    (attempt,) = store.attempts("Ana")
    assert "timer-expired" not in [e.kind for e in store.events(attempt.id)]


def test_help_and_pause_stop_the_clock(example: AnalysedScenario, catalog: Catalog, store: RecordStore,
                                       clock: FakeClock) -> None:
    # 40 s reading help and 40 s paused: neither costs time on the 60-second timer.
    console = _Walker(example, _to_timed_moment(example), [(1.0, "h"), (40.0, ""), (1.0, "p"), (40.0, "r"),
                                                           (1.0, "t")], clock)
    _player(console, catalog, store, clock).start(example, mode="assessment", trainee_name="Ana")
    text = console.text
    assert "The clock is stopped while you read this." in text and "Back where you were." in text
    assert "57 seconds left." in text
    assert "ran out" not in text
    (attempt,) = store.attempts("Ana")
    kinds = [e.kind for e in store.events(attempt.id)]
    assert kinds.count("pause") == 1 and kinds.count("resume") == 1  # the pause is recorded, help is not


def test_an_empty_line_or_a_wrong_number_chooses_nothing(example: AnalysedScenario, catalog: Catalog,
                                                         store: RecordStore, clock: FakeClock) -> None:
    console = ScriptedConsole([(1.0, ""), (1.0, "9"), (1.0, "what")], clock)
    _player(console, catalog, store, clock).start(example, mode="practice", trainee_name="Ana")
    text = console.text
    opening = len(example.program.scenario.nodes[example.program.scenario.start].choices)
    assert f"Nothing chosen. Type a number from 1 to {opening}, or h for help." in text
    assert "There is no choice 9." in text and "I did not understand 'what'." in text
    (attempt,) = store.attempts("Ana")
    assert [e.kind for e in store.events(attempt.id)] == ["node-entered"]


def test_at_a_terminal_a_number_within_the_settle_time_is_ignored(
        example: AnalysedScenario, catalog: Catalog, store: RecordStore, clock: FakeClock) -> None:
    console = ScriptedConsole([(0.1, "1"), (0.3, "1"), (1.0, "1")], clock, interactive=True)
    _player(console, catalog, store, clock, settle=0.7).start(example, mode="practice", trainee_name="Ana")
    assert console.text.count("Take a moment to read the choices first. Nothing was chosen.") == 2
    (attempt,) = store.attempts("Ana")
    assert [e.kind for e in store.events(attempt.id)].count("choice") == 1


def test_undo_hint_and_meters_are_typed_commands(example: AnalysedScenario, catalog: Catalog,
                                                 store: RecordStore, clock: FakeClock) -> None:
    console = ScriptedConsole([(1.0, "n"), (1.0, "1"), (1.0, "m"), (1.0, "u")], clock)
    _player(console, catalog, store, clock).start(example, mode="practice", trainee_name="Ana")
    text = console.text
    assert "Hint: Start with who you are" in text
    assert ("Rapport went up by 1, now 5 of 10." in text) or ("Rapport went down by 1, now 3 of 10." in text)
    assert "Distress: " in text.split("Your last choice was taken back.")[0]
    assert "Your last choice was taken back." in text


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.headings: list[int] = []
        self.th_scopes: list[str | None] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        if tag == "th":
            self.th_scopes.append(dict(attrs).get("scope"))


def test_the_html_debrief_is_structured_for_assistive_technology(
        example: AnalysedScenario, catalog: Catalog, store: RecordStore, clock: FakeClock) -> None:
    # a poor first choice, so "the decisions that mattered" has something to teach
    console = ScriptedConsole([], clock)
    player = _player(console, catalog, store, clock)
    analysis = Analyses().request(example)
    attempt = LiveAttempt.begin(example, catalog, analysis, mode="assessment", trainee_id="Ana", store=store,
                                clock=clock, seed=3)
    path = list(example.analysis.expert_path)
    attempt.choose("launch-into-questions")
    for sid in path[1:]:
        attempt.choose(sid)
    debrief = attempt.finish()
    doc = build_debrief(debrief, player.criterion_titles(), trainee="<script>alert(1)</script>")
    page = debrief_html(doc)
    outline = _Outline()
    outline.feed(page)
    assert outline.lang == "en" and "title" in outline.tags and "main" in outline.tags
    assert outline.headings[0] == 1 and outline.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(outline.headings, outline.headings[1:], strict=False))  # no level skipped
    assert outline.th_scopes and all(s in ("col", "row") for s in outline.th_scopes)
    assert "<script>" not in page and "&lt;script&gt;" in page
    text = debrief_text(doc)
    mattered = text.split("The decisions that mattered:")[1].split("Details:")[0]
    assert "Decision 1 of" in mattered and "The better choice: Hi Dana, it's Sam" in mattered


def test_the_debrief_command_prints_or_saves_a_finished_attempt(
        example: AnalysedScenario, catalog: Catalog, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "records.db"
    with open_store(db) as store:
        attempt_id = play(store, example, catalog, "Ana", EXPERT)
    assert main(["debrief", attempt_id, "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.index("Result:") < out.index("The decisions that mattered:") < out.index("Details:")
    page = tmp_path / "d.html"
    assert main(["debrief", attempt_id, "--db", str(db), "--html", str(page)]) == 0
    assert '<html lang="en">' in page.read_text(encoding="utf-8")


def test_after_the_debrief_a_decision_number_replays_from_just_before_it(
        example: AnalysedScenario, catalog: Catalog, store: RecordStore, clock: FakeClock) -> None:
    path = list(example.analysis.expert_path)
    console = _Walker(example, path, [(1.0, "3")], clock)
    outcome = _player(console, catalog, store, clock).start(example, mode="assessment", trainee_name="Ana")
    assert outcome is Outcome.STOPPED  # the script ended during the replay
    assert "Replaying from decision 3, in practice mode." in console.text
    first, replay = store.attempts("Ana")
    assert (first.status, replay.mode, replay.seed) == ("completed", "practice", first.seed)
    replayed = [e.payload for e in store.events(replay.id) if e.kind == "choice"]
    assert [p["choice"] for p in replayed] == path[:2] and all(p.get("replayed") for p in replayed)


def test_an_instructor_s_2x_doubles_the_timer_and_the_case_file_stops_the_clock(
        example: AnalysedScenario, catalog: Catalog, store: RecordStore, clock: FakeClock) -> None:
    store.upsert_trainee("Ana", "Ana")
    store.set_accommodation("Ana", "2x", set_by="Dr Lee")
    # 60 s reading the case file costs nothing; then 100 s more is inside the doubled 120 s.
    console = _Walker(example, _to_timed_moment(example), [(1.0, "case"), (60.0, ""), (100.0, "t")], clock)
    _player(console, catalog, store, clock).start(example, mode="assessment", trainee_name="Ana")
    text = console.text
    assert "Timing: 2× time, set by the instructor on every timed moment." in text
    assert "This moment is timed: 120 seconds, time to read it included." in text
    assert "Case file: Dana Okafor" in text and "What to practise (the objectives):" in text
    assert "19 seconds left." in text
    (attempt,) = store.attempts("Ana")
    assert store.events(attempt.id)[0].payload["accommodation"] == {"time": "2x", "source": "instructor"}


def test_a_student_s_more_time_applies_in_practice_and_not_in_an_assessment(
        example: AnalysedScenario, catalog: Catalog, store: RecordStore, clock: FakeClock) -> None:
    for mode, expected in (("practice", "This moment is timed, but you have no time limit."),
                           ("assessment", "This moment is timed: 60 seconds")):
        console = _Walker(example, _to_timed_moment(example), [], clock)
        player = PlainPlayer(console, catalog=catalog, store=None, trainee=TraineeSettings(name="Ana"), clock=clock,
                             new_seed=lambda: 7, settle_seconds=0.0, more_time="none")
        player.start(example, mode=mode, trainee_name="Ana")
        assert expected in console.text, mode


def test_the_case_file_is_read_before_the_start(example: AnalysedScenario, catalog: Catalog, clock: FakeClock) -> None:
    console = ScriptedConsole([], clock)
    _player(console, catalog, None, clock).introduce(example.scenario)
    text = console.text
    client = example.scenario.client
    for part in ("Referral: ", "What you already know: " + flat(client.background), "Language: ",
                 "Culture and identity: ", "1. " + flat(example.scenario.objectives[0])):
        assert part in text
    assert text.index("Content notes:") < text.index("Case file: ")


def test_a_student_exports_text_and_html_with_the_glossary_and_the_accommodation(
        example: AnalysedScenario, catalog: Catalog, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from casesim.play.recorder import AttemptRecorder
    from casesim.play.session import Session
    from casesim.play.timing import TimeChoice
    from casesim.records.export.pdf import PdfOptions, render_pdf
    from casesim.records.render import trainee_text
    from casesim.records.reports import trainee_report
    from casesim.scoring.engine import score_path

    db = tmp_path / "records.db"
    with open_store(db) as store:
        session = Session(example.program, mode="assessment", time_allowance="2x")
        recorder = AttemptRecorder.start(store, example, session, trainee_id="Ana",
                                         timing=TimeChoice("2x", "instructor"))
        for step in example.analysis.expert_path:
            session.choose(step)
            recorder.step()
        recorder.finish(score_path(example.program, example.analysis, catalog, session.path, mode="assessment"))
        report = trainee_report(store, "Ana", catalog=catalog)
    (summary,) = report.attempts
    assert summary.accommodation == "2× time, set by the instructor"
    assert "timing accommodation: 2× time, set by the instructor (does not change the score)" in trainee_text(report)
    render_pdf(report, tmp_path / "p.pdf", catalog=catalog, problems=[], chain_head=None, options=PdfOptions())
    assert (tmp_path / "p.pdf").stat().st_size > 0
    text_file, page = tmp_path / "d.txt", tmp_path / "d.html"
    assert main(["debrief", recorder.attempt_id, "--db", str(db), "--text", str(text_file),
                 "--html", str(page)]) == 0
    text = text_file.read_text(encoding="utf-8")
    assert "Timing accommodation: 2× time, set by the instructor. It gives more time; it does not change the score." \
        in text
    assert text.index("Result:") < text.index("The competencies this attempt touched:") < text.index("Details:") \
        < text.index("Glossary:")
    assert "- C-SSRS (Columbia Suicide Severity Rating Scale (C-SSRS) screener): The C-SSRS screener is" in text
    html_page = page.read_text(encoding="utf-8")
    assert '<dt id="gloss-c-ssrs">C-SSRS</dt>' in html_page and '<a href="#gloss-c-ssrs">' in html_page
