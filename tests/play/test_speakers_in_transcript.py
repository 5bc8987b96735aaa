"""The transcript names who speaks: cast members by name and role, interpreter lines with the original."""

from __future__ import annotations

from casesim.authoring.pipeline import require_scenario
from casesim.format.locale import translate
from casesim.play.session import HistoryEntry
from casesim.play.transcript import Line, transcript_lines
from casesim.scoring.catalog import Catalog
from casesim.semantics.program import apply, compile_program, initial_state
from support.paths import VALID


def test_transcript_lines_carry_the_speaker_and_the_original(catalog: Catalog) -> None:
    loaded = require_scenario(VALID / "family-call.yaml", catalog)
    program = loaded.program
    start = initial_state(program)
    step = program.steps["ask-consent"]
    after = apply(program, start, step)
    history = [HistoryEntry(step.id, start.node, 1.0, start, after, False)]
    lines = transcript_lines(program, history, after, seed=0)
    # each spoken line keeps its own id, so a locale file translates each speaker's words
    assert lines[:5] == [
        Line("client", "Hello? I am Jordan's mother.", id="node.call.client.0.lines.0",
             speaker="Maria Reyes (parent, off screen)"),
        Line("client", "She asks how her son is.", id="node.call.client.0.lines.1", speaker="Ana (interpreter)",
             original="¿Cómo está mi hijo?"),
        Line("client", "Mom, I'm here.", id="node.call.client.0.lines.2"),
        Line("trainee", "Jordan, may I talk with your mother about your care?", id="node.call.choice.ask-consent.say"),
        Line("client", "That is the right first question.", id="node.call.choice.ask-consent.reply",
             speaker="Dr Ruiz (psychiatrist)"),
    ]


def test_a_plain_reply_stays_the_clients(catalog: Catalog) -> None:
    loaded = require_scenario(VALID / "family-call.yaml", catalog)
    program = loaded.program
    start = initial_state(program)
    step = program.steps["tell-all"]
    after = apply(program, start, step)
    lines = transcript_lines(program, [HistoryEntry(step.id, start.node, 1.0, start, after, False)], after, seed=0)
    assert Line("client", "Wait, I didn't agree to that.", id="node.call.choice.tell-all.reply") in lines


def test_a_translation_replaces_each_speakers_words_and_keeps_who_says_them(catalog: Catalog) -> None:
    scenario = require_scenario(VALID / "family-call.yaml", catalog).scenario
    program = compile_program(translate(scenario, {"node.call.client.0.lines.1": "Pregunta por su hijo.",
                                                   "node.call.choice.ask-consent.reply": "Es la pregunta correcta."}))
    start = initial_state(program)
    step = program.steps["ask-consent"]
    after = apply(program, start, step)
    lines = transcript_lines(program, [HistoryEntry(step.id, start.node, 1.0, start, after, False)], after, seed=0)
    assert lines[1] == Line("client", "Pregunta por su hijo.", id="node.call.client.0.lines.1",
                            speaker="Ana (interpreter)", original="¿Cómo está mi hijo?")
    assert lines[4] == Line("client", "Es la pregunta correcta.", id="node.call.choice.ask-consent.reply",
                            speaker="Dr Ruiz (psychiatrist)")
