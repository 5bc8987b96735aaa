"""A trainee's casesim process for the live class view tests: plays through the real session layer.

    python class_driver.py DB COHORT TRAINEE MODE THEN STEP...

Joins COHORT, plays STEP... of the example scenario (a new attempt, or the trainee's attempt in
progress resumed), then THEN: ``stay`` (still playing), ``pause``, ``leave`` or ``finish``.
Prints ``done ATTEMPT_ID`` once everything is durable.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for support.*

from casesim.play.recorder import AttemptRecorder
from casesim.play.session import Session
from casesim.records import open_store
from casesim.scoring.engine import score_path
from support.records import load_example


def main(db: str, cohort: str, trainee: str, mode: str, then: str, *steps: str) -> None:
    loaded, catalog = load_example()
    assert loaded.program is not None and loaded.analysis is not None
    with open_store(db) as store:
        store.upsert_trainee(trainee, trainee, cohort)
        waiting = store.in_progress(trainee)
        if waiting:
            recorder = AttemptRecorder.resume(store, waiting[0].id, loaded)
        else:
            session = Session(loaded.program, mode="assessment" if mode == "assessment" else "practice")
            recorder = AttemptRecorder.start(store, loaded, session, trainee_id=trainee)
        session = recorder.session
        for step in steps:
            if step.startswith("timeout:"):
                session.expire_timer()
            else:
                session.choose(step)
            recorder.step()
        if then == "pause":
            recorder.pause()
        elif then == "leave":
            recorder.leave()
        elif then == "finish":
            recorder.finish(score_path(loaded.program, loaded.analysis, catalog, session.path, mode=session.mode))
        session.close()
        sys.stdout.write(f"done {recorder.attempt_id}\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
