"""Variation in play: the variant the state calls for, the one_of wording the attempt's seed
draws (the same again on resume and in the transcript, and in the record), placeholders filled."""

from __future__ import annotations

import pytest

from casesim.authoring.pipeline import AnalysedScenario, require_scenario
from casesim.play.recorder import AttemptRecorder
from casesim.play.session import Session
from casesim.play.transcript import moment_lines, transcript_lines
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog
from casesim.scoring.engine import score_path
from casesim.semantics.render import Draw, compiled_text
from support.paths import VARIANTS

GREETINGS = {"Hi. Is this about the letter?", "Hello? Oh, it's you again.", "Yes? Sorry, the kids are loud."}


@pytest.fixture(scope="module")
def variants(catalog: Catalog) -> AnalysedScenario:
    return require_scenario(VARIANTS, catalog)


def _lines(session: Session) -> list[tuple[str, str]]:
    return [(line.kind, line.text) for line in
            transcript_lines(session.program, session.history, session.state, seed=session.seed)]


def test_a_placeholder_shows_the_value_in_the_state(variants: AnalysedScenario) -> None:
    session = Session(variants.program, seed=1)
    [scene, _] = moment_lines(session.program, session.history, session.state, seed=session.seed)
    assert scene.text == "Rosa answers on the second ring. Rapport is 4 of 10." and scene.id == "node.hello.narration"


def test_reply_and_feedback_are_read_just_after_the_choice(variants: AnalysedScenario) -> None:
    session = Session(variants.program, seed=1)
    result = session.choose("ask-week")
    assert result.reply == "Better, thanks for asking."  # rapport 4 + 2 = 6 and asked are true after it
    assert result.feedback == "Asking first builds trust; rapport is now 6."
    assert [s.id for s in result.shown] == ["node.hello.choice.ask-week.reply.0", "node.hello.choice.ask-week.feedback"]
    other = Session(variants.program, seed=1).choose("straight-to-letter")
    assert other.feedback == "Going straight to money, with rapport at 3, made Rosa guarded."


def test_narration_timer_text_and_ending_follow_the_state(variants: AnalysedScenario) -> None:
    asked = Session(variants.program, seed=1)
    asked.choose("ask-week")
    assert ("narration", "Rosa sounds more relaxed.") in _lines(asked)
    expired = asked.expire_timer()
    assert expired.narration == "Rosa waits, then says she has to go."
    assert _lines(asked)[-2:] == [("client", "Bye {for now}."), ("ending", "Rosa agreed to the call with a rapport of 6.")]
    cold = Session(variants.program, seed=1)
    cold.choose("straight-to-letter")
    assert ("narration", "Rosa's voice is flat.") in _lines(cold)
    assert cold.expire_timer().narration == "Rosa hangs up."
    assert _lines(cold)[-1] == ("ending", "The call ended with rapport at 3.")


def test_no_feedback_in_assessment_whatever_the_variants(variants: AnalysedScenario) -> None:
    assert Session(variants.program, mode="assessment", seed=1).choose("ask-week").feedback is None


def test_one_of_is_drawn_from_the_seed_the_same_way_every_time(variants: AnalysedScenario) -> None:
    drawn = {seed: Session(variants.program, seed=seed).client_line() for seed in range(40)}
    assert set(drawn.values()) == GREETINGS  # every wording occurs over 40 seeds
    assert all(Session(variants.program, seed=seed).client_line() == line for seed, line in drawn.items())


def test_a_later_visit_to_a_node_draws_again(variants: AnalysedScenario) -> None:
    text = compiled_text(variants.program, "node.hello.client")
    assert text is not None
    state = Session(variants.program).state
    changed = [seed for seed in range(20) if text.show(state, Draw(seed, 0)) != text.show(state, Draw(seed, 1))]
    assert changed, "the visit number never changed the draw"
    assert text.show(state, Draw(5, 1)) == text.show(state, Draw(5, 1))


def test_resume_shows_and_records_the_words_shown_first(store: RecordStore, variants: AnalysedScenario) -> None:
    session = Session(variants.program, mode="practice", seed=11)
    recorder = AttemptRecorder.start(store, variants, session, trainee_id="t")
    session.choose("ask-week")
    recorder.step()
    session.choose("plan")
    before = _lines(session)
    ids = [line.id for line in transcript_lines(session.program, session.history, session.state, seed=11)]
    session.retract_last()
    session.close()

    resumed = AttemptRecorder.resume(store, recorder.attempt_id, variants)
    resumed.session.choose("plan")
    resumed.step()
    assert _lines(resumed.session) == before
    recorded = [line for e in store.events(recorder.attempt_id) for line in e.payload.get("lines", [])]
    assert recorded == [i for i in ids if i is not None]
    assert recorded[1] in {"node.hello.client.one_of.0", "node.hello.client.one_of.1", "node.hello.client.one_of.2"}


def test_the_debrief_keeps_the_feedback_as_it_read(variants: AnalysedScenario, catalog: Catalog) -> None:
    debrief = score_path(variants.program, variants.analysis, catalog, ["straight-to-letter", "plan"], mode="practice")
    first = debrief.decisions[0]
    assert first.feedback == "Going straight to money, with rapport at 3, made Rosa guarded."
    assert first.better_feedback == "Asking first builds trust; rapport is now 6."
    assert debrief.ending_summary == "The call ended with rapport at 3."
