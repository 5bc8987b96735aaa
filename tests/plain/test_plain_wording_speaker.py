"""A `one_of` wording with its own `speaker:` is shown as that person's line: in the plain player,
in the transcript (which the TUI renders), and through a translation."""

from __future__ import annotations

from casesim.authoring.pipeline import AnalysedScenario, load_scenario_bytes
from casesim.format.locale import translate
from casesim.plain import PlainPlayer
from casesim.play.session import HistoryEntry
from casesim.play.trainee import TraineeSettings
from casesim.play.transcript import Line, transcript_lines
from casesim.scoring.catalog import Catalog
from casesim.semantics.program import apply, compile_program, initial_state
from support.clock import FakeClock
from support.paths import VALID
from support.plain_console import ChoosingConsole

REPLY = 'reply: {speaker: psychiatrist, say: "That is the right first question."}'
WORDINGS = ('reply: {one_of: [{speaker: psychiatrist, say: "That is the right first question."}, '
            '{speaker: mother, say: "Thank you for asking him first."}]}')
PSYCHIATRIST = "Dr Ruiz (psychiatrist)"
MOTHER = "Maria Reyes (parent, off screen)"


def _loaded(catalog: Catalog) -> AnalysedScenario:
    text = (VALID / "family-call.yaml").read_text(encoding="utf-8")
    assert REPLY in text
    report = load_scenario_bytes(text.replace(REPLY, WORDINGS).encode(), "family-call.yaml", catalog)
    assert report.analysed is not None, report.diagnostics
    return report.analysed


def _reply_lines(catalog: Catalog, seeds: range) -> dict[int, Line]:
    program = _loaded(catalog).program
    start = initial_state(program)
    step = program.steps["ask-consent"]
    after = apply(program, start, step)
    history = [HistoryEntry(step.id, start.node, 1.0, start, after, False)]
    out = {}
    for seed in seeds:
        [line] = [x for x in transcript_lines(program, history, after, seed=seed) if x.id and "reply" in x.id]
        out[seed] = line
    return out


def test_the_transcript_names_the_speaker_of_the_wording_drawn(catalog: Catalog) -> None:
    lines = _reply_lines(catalog, range(30))
    assert {(line.id, line.speaker, line.text) for line in lines.values()} == {
        ("node.call.choice.ask-consent.reply.one_of.0", PSYCHIATRIST, "That is the right first question."),
        ("node.call.choice.ask-consent.reply.one_of.1", MOTHER, "Thank you for asking him first.")}


def test_a_translated_wording_keeps_its_speaker(catalog: Catalog) -> None:
    scenario = _loaded(catalog).scenario
    program = compile_program(translate(scenario, {"node.call.choice.ask-consent.reply.one_of.1": "Gracias por "
                                                   "preguntarle primero a él."}))
    start = initial_state(program)
    step = program.steps["ask-consent"]
    after = apply(program, start, step)
    history = [HistoryEntry(step.id, start.node, 1.0, start, after, False)]
    said = {line.text: line.speaker for seed in range(30)
            for line in transcript_lines(program, history, after, seed=seed) if line.id and "reply" in line.id}
    assert said == {"That is the right first question.": PSYCHIATRIST, "Gracias por preguntarle primero a él.": MOTHER}


def test_the_plain_player_names_the_speaker_of_the_wording_drawn(catalog: Catalog) -> None:
    loaded = _loaded(catalog)
    expected = _reply_lines(catalog, range(12))
    seen = set()
    for seed, line in expected.items():
        console = ChoosingConsole("may I talk with your mother about your care?")
        player = PlainPlayer(console, catalog=catalog, store=None, trainee=TraineeSettings(name="Ana"),
                             clock=FakeClock(), new_seed=lambda seed=seed: seed, settle_seconds=0.0)
        player.start(loaded, mode="practice", trainee_name="Ana")
        assert f"{line.speaker} says: {line.text}" in console.text, seed
        seen.add(line.speaker)
    assert seen == {PSYCHIATRIST, MOTHER}, "both wordings are drawn across these seeds"
