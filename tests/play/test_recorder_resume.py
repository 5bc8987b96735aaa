"""Resume: an interrupted attempt continues at the exact recorded state."""

from __future__ import annotations

from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario, load_scenario_bytes
from casesim.errors import ResumeError
from casesim.play.recorder import AttemptRecorder, resume_point, resume_session, state_snapshot
from casesim.play.session import Session
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.records import EXPERT, LOST, play


def test_resume_rebuilds_the_exact_state_after_choices_and_undos(store: SQLiteStore,
                                                                 example: AnalysedScenario) -> None:
    assert example.program is not None
    session = Session(example.program, mode="practice", seed=7)
    recorder = AttemptRecorder.start(store, example, session, trainee_id="t")
    for step in EXPERT[:3]:
        session.choose(step)
        recorder.step()
    session.undo()
    recorder.undo()
    session.choose("cheer-up")
    recorder.step()
    recorder.pause()
    wanted = state_snapshot(example.program, session.state)
    session.close()

    point = resume_point(store, recorder.attempt_id)
    assert point.path == EXPERT[:2] + ["cheer-up"]
    assert point.expected == wanted
    resumed = AttemptRecorder.resume(store, recorder.attempt_id, example)
    assert state_snapshot(example.program, resumed.session.state) == wanted
    assert resumed.session.mode == "practice" and resumed.session.seed == 7
    assert store.events(recorder.attempt_id)[-1].kind == "resume"
    resumed.session.choose("ask-q1")
    resumed.step()
    assert resume_point(store, recorder.attempt_id).path == EXPERT[:2] + ["cheer-up", "ask-q1"]


def test_resume_in_assessment_mode_replays_a_timeout(store: SQLiteStore, example: AnalysedScenario,
                                                     catalog: Catalog) -> None:
    attempt_id = play(store, example, catalog, "t", LOST[:4], mode="assessment", finish=False)
    session, point = resume_session(store, attempt_id, example)
    assert session.mode == "assessment" and point.path == LOST[:4]
    assert session.node_id == "ask-screen"


def test_resume_at_the_start_before_any_choice(store: SQLiteStore, example: AnalysedScenario,
                                               catalog: Catalog) -> None:
    attempt_id = play(store, example, catalog, "t", [], finish=False)
    session, point = resume_session(store, attempt_id, example)
    assert point.path == [] and point.expected is None and session.node_id == "opening"


def test_a_finished_attempt_cannot_be_resumed(store: SQLiteStore, example: AnalysedScenario, catalog: Catalog) -> None:
    attempt_id = play(store, example, catalog, "t", EXPERT)
    with pytest.raises(ResumeError, match="completed"):
        resume_session(store, attempt_id, example)


def test_a_changed_scenario_is_refused_unless_allowed(store: SQLiteStore, example: AnalysedScenario,
                                                      catalog: Catalog) -> None:
    attempt_id = play(store, example, catalog, "t", EXPERT[:3], finish=False)
    assert example.document is not None
    raw = Path(example.path).read_bytes() + b"\n# an edit\n"
    changed = load_scenario_bytes(raw, example.path, catalog).playable
    assert changed is not None
    with pytest.raises(ResumeError, match="changed"):
        resume_session(store, attempt_id, changed)
    session, _ = resume_session(store, attempt_id, changed, allow_changed=True)
    assert session.node_id == "ask-screen"


def test_a_scenario_whose_path_no_longer_applies_is_refused(store: SQLiteStore, example: AnalysedScenario,
                                                            catalog: Catalog) -> None:
    attempt_id = play(store, example, catalog, "t", EXPERT[:3], finish=False)
    raw = Path(example.path).read_bytes().replace(b"id: reflect-tiredness", b"id: reflect-weariness")
    raw = raw.replace(b"reflect-tiredness", b"reflect-weariness")
    changed = load_scenario_bytes(raw, example.path, catalog).playable
    assert changed is not None
    with pytest.raises(ResumeError, match="cannot be replayed"):
        resume_session(store, attempt_id, changed, allow_changed=True)


def test_a_tampered_snapshot_is_caught_on_resume(store: SQLiteStore, example: AnalysedScenario,
                                                 catalog: Catalog) -> None:
    attempt_id = play(store, example, catalog, "t", EXPERT[:2], finish=False)
    store._conn.execute("UPDATE events SET payload = replace(payload, '\"rapport\":6', '\"rapport\":9') "
                        "WHERE kind = 'choice'")
    with pytest.raises(ResumeError, match="differs"):
        resume_session(store, attempt_id, example)


def test_resume_refuses_another_scenario(store: SQLiteStore, example: AnalysedScenario, catalog: Catalog) -> None:
    attempt_id = store.start_attempt(trainee_id="t", scenario_id="other", scenario_version="1.0.0",
                                     content_hash="h", mode="practice", seed=0, start_node="x")
    with pytest.raises(ResumeError, match="other"):
        resume_session(store, attempt_id, example)
