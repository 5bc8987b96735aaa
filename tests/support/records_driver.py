"""A real casesim process that records attempts, for the concurrency and kill tests.

    python records_driver.py write DB WORKER ATTEMPTS   # play ATTEMPTS short attempts, print each
    python records_driver.py play DB TRAINEE SEED       # play forever (resuming first), print each step

Every line is printed *after* the store returned, so whatever was printed is durable.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for support.*

from casesim.play.recorder import AttemptRecorder
from casesim.play.session import Session
from casesim.records import open_store
from casesim.scoring.engine import score_path
from support.records import load_example, random_step


def say(*parts: object) -> None:
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")
    sys.stdout.flush()


def write(db: str, worker: int, attempts: int) -> None:
    loaded, catalog = load_example()
    assert loaded.program is not None and loaded.analysis is not None
    rng = random.Random(worker)
    store = open_store(db)
    for i in range(attempts):
        trainee = f"t{(worker + i) % 4}"
        session = Session(loaded.program, mode=rng.choice(["practice", "assessment"]))
        recorder = AttemptRecorder.start(store, loaded, session, trainee_id=trainee)
        for _ in range(rng.randint(1, 4)):
            step = random_step(session, rng)
            if step is None:
                break
            if step.startswith("timeout:"):
                session.expire_timer()
            else:
                session.choose(step)
            recorder.step()
        if session.finished:
            recorder.finish(score_path(loaded.program, loaded.analysis, catalog, session.path, mode=session.mode))
        else:
            recorder.leave()
        say("attempt", recorder.attempt_id, trainee, len(store.events(recorder.attempt_id)))
        session.close()
    store.close()


def play(db: str, trainee: str, seed: int) -> None:
    loaded, catalog = load_example()
    assert loaded.program is not None and loaded.analysis is not None
    rng = random.Random(seed)
    store = open_store(db)
    waiting = store.in_progress(trainee)
    if waiting:
        recorder = AttemptRecorder.resume(store, waiting[0].id, loaded)
        say("resumed", recorder.attempt_id, ",".join(recorder.session.path) or "-")
    else:
        recorder = None
    say("ready")
    while True:
        if recorder is None:
            session = Session(loaded.program, mode=rng.choice(["practice", "assessment"]))
            recorder = AttemptRecorder.start(store, loaded, session, trainee_id=trainee)
            say("started", recorder.attempt_id)
        session = recorder.session
        if session.can_undo and rng.random() < 0.15:
            session.undo()
            row = recorder.undo()
            say("recorded", recorder.attempt_id, row.seq, "undo")
            continue
        step = random_step(session, rng)
        if step is None:
            recorder.finish(score_path(loaded.program, loaded.analysis, catalog, session.path, mode=session.mode))
            say("finished", recorder.attempt_id)
            session.close()
            recorder = None
            continue
        if step.startswith("timeout:"):
            session.expire_timer()
        else:
            session.choose(step)
        rows = recorder.step()
        say("recorded", recorder.attempt_id, rows[0].seq, step)


if __name__ == "__main__":
    command, db, *rest = sys.argv[1:]
    if command == "write":
        write(db, int(rest[0]), int(rest[1]))
    else:
        play(db, rest[0], int(rest[1]))
