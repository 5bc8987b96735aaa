"""Real processes: several writers on one store, and SIGKILL at random points while recording (on
an SQLite file and on a PostgreSQL database).

How long starting again after a kill takes is measured in benchmarks/bench_records_recovery.py.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from casesim.play.recorder import resume_session
from casesim.records import effective_path, open_store
from support.records import load_example

DRIVER = Path(__file__).resolve().parents[1] / "support" / "records_driver.py"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CASESIM_DB", None)
    return env


@pytest.mark.slow
def test_eight_processes_times_fifty_attempts_on_one_store(records_db: str | Path) -> None:
    """Eight processes write 400 attempts for the same four trainees at once: none is lost, and
    no trainee's chain forks (verify checks every link)."""
    db = records_db
    workers = [subprocess.Popen([sys.executable, str(DRIVER), "write", str(db), str(w), "50"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
               for w in range(8)]
    reported: dict[str, tuple[str, int]] = {}
    for proc in workers:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        for line in out.splitlines():
            _, attempt_id, trainee, count = line.split()
            reported[attempt_id] = (trainee, int(count))
    assert len(reported) == 400
    with open_store(db) as store:
        stored = {a.id: a for a in store.attempts()}
        assert set(stored) == set(reported)
        for attempt_id, (trainee, expected) in reported.items():
            assert stored[attempt_id].trainee_id == trainee
            assert stored[attempt_id].status in ("completed", "left")
            assert len(store.events(attempt_id)) == expected
        per_trainee = Counter(t for t, _ in reported.values())
        assert {t.id: t.attempt_count for t in store.trainees()} == dict(per_trainee)
        assert store.verify() == []


@pytest.mark.slow
def test_sigkill_at_random_points_loses_no_recorded_choice_and_resumes(records_db: str | Path) -> None:
    db = records_db
    # A commit to a server takes longer than one to a local file: a longer window gives the
    # PostgreSQL run as many recorded steps to check as the SQLite one.
    window = 0.25 if isinstance(db, Path) else 0.6
    rng = random.Random(20261122)
    recorded: dict[tuple[str, int], str] = {}
    resumed = 0
    kills = 0
    while kills < 52:
        proc = subprocess.Popen([sys.executable, str(DRIVER), "play", str(db), "trainee-k", str(kills)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
        assert proc.stdout is not None
        # A driver that hangs before it is ready is killed, and then fails the check below.
        watchdog = threading.Timer(120, proc.kill)
        watchdog.start()
        try:
            ready = proc.stdout.readline()
            if ready.startswith("resumed"):
                resumed += 1
                ready = proc.stdout.readline()
        finally:
            watchdog.cancel()
        assert ready.strip() == "ready", proc.stderr.read() if proc.stderr else ""
        time.sleep(rng.uniform(0.0, window))  # the random moment of the kill, not a wait
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == -signal.SIGKILL, err
        kills += 1
        for line in out.splitlines():
            parts = line.split()
            if parts[0] == "recorded":
                recorded[(parts[1], int(parts[2]))] = parts[3]

    loaded, _ = load_example()
    with open_store(db) as store:
        assert store.verify() == []
        for (attempt_id, seq), step in recorded.items():
            events = store.events(attempt_id)
            event = next(e for e in events if e.seq == seq)
            assert event.kind == ("undo" if step == "undo" else
                                  "timer-expired" if step.startswith("timeout:") else "choice")
            if step != "undo":
                assert event.payload["choice"] == step
        for attempt in store.in_progress():
            session, point = resume_session(store, attempt.id, loaded)
            assert session.path == effective_path(store.events(attempt.id)) == point.path
    assert len(recorded) > 100 and resumed > 20, (len(recorded), resumed)
