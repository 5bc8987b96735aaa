"""Helpers shared by the records tests and their driver script (no pytest imports here)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from casesim.authoring.pipeline import AnalysedScenario, require_scenario
from casesim.authoring.signoff import sign_file
from casesim.play.recorder import AttemptRecorder
from casesim.play.session import Session
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog, load_catalog
from casesim.scoring.engine import score_path
from support.paths import EXAMPLE, ROOT

EXPERT = ["introduce-and-ask-time", "explain-role-and-limits", "reflect-tiredness", "ask-q1", "ask-q2", "ask-q6",
          "affirm-and-plan", "agree-visit-with-aunt"]
SECRECY = ["introduce-and-ask-time", "promise-total-secrecy", "reflect-tiredness", "ask-q1", "ask-q2", "ask-q6",
           "affirm-and-plan", "agree-visit-with-aunt"]
LOST = ["launch-into-questions", "skip-to-housing", "timeout:how-are-you", "acknowledge-after-silence", "skip-screen",
        "mail-forms"]


def signed_example(folder: Path, catalog: Catalog, *, scenario_id: str = "example-check-in") -> AnalysedScenario:
    """A copy of the example scenario in ``folder``, under ``scenario_id``, signed off by a
    fictional reviewer (the bundled file itself is a draft: no clinician has signed it)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    if scenario_id != "example-check-in":
        text = text.replace("\nid: example-check-in\n", f"\nid: {scenario_id}\n", 1)
    target = folder / f"{scenario_id}.yaml"
    target.write_text(text, encoding="utf-8")
    sign_file(target, by="T. Reviewer", credential="LCSW", on="2026-11-30", catalog=catalog)
    loaded = require_scenario(target, catalog)
    assert loaded.scenario.id == scenario_id
    return loaded


def load_example(catalog: Catalog | None = None) -> tuple[AnalysedScenario, Catalog]:
    catalog = catalog or load_catalog(ROOT / "scoring")
    return require_scenario(EXAMPLE, catalog), catalog


def play(store: RecordStore, loaded: AnalysedScenario, catalog: Catalog, trainee_id: str, path: Sequence[str], *,
         mode: str = "practice", finish: bool = True) -> str:
    """Play ``path`` (step ids, or "undo") through a recorded session; finish with a debrief at the end."""
    assert loaded.program is not None and loaded.analysis is not None
    session = Session(loaded.program, mode="assessment" if mode == "assessment" else "practice")
    recorder = AttemptRecorder.start(store, loaded, session, trainee_id=trainee_id)
    for step in path:
        if step == "undo":
            session.undo()
            recorder.undo()
            continue
        if step.startswith("timeout:"):
            session.expire_timer()
        else:
            session.choose(step)
        recorder.step()
    if finish:
        if session.finished:
            recorder.finish(score_path(loaded.program, loaded.analysis, catalog, session.path, mode=session.mode))
        else:
            recorder.leave()
    session.close()
    return recorder.attempt_id


def random_step(session: Session, rng: random.Random) -> str | None:
    """A random open step (a timer expiry now and then), or None at an ending."""
    if session.finished:
        return None
    choices = [s.id for s in session.open_choices()]
    if session.timer_seconds() is not None and rng.random() < 0.3:
        return f"timeout:{session.node_id}"
    return rng.choice(choices)
