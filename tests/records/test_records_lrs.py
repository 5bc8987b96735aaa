"""Forwarding the outbox to a real Ralph LRS started on loopback (issue 14 item 6).

Ralph (ralph-malph, fs backend) runs in a subprocess on a free port. The crash tests put a relay
between the forwarder and the LRS so the kill lands at a known point of a batch: after the LRS
accepted it and before the forwarder heard (the worst case for duplicates), and the LRS dying
before it answered.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.errors import CaseSimError
from casesim.records import open_store
from casesim.records.api import OutboxSettings, RecordStore
from casesim.records.lrs import Backoff, Forwarder, LrsConfig, LrsError, SyncReport, forward_forever
from casesim.records.outbox import forget_scenarios
from casesim.scoring.catalog import Catalog
from support.lrs_proxy import Relay
from support.ralph_lrs import PASSWORD, USER, RalphLRS
from support.records import EXPERT, LOST, SECRECY, play

BASE = "https://sim.example.edu"
LRS_SET = ("stored", "authority", "version")  # what an LRS adds to a statement


@pytest.fixture(scope="module")
def ralph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RalphLRS]:
    lrs = RalphLRS(tmp_path_factory.mktemp("ralph"))
    lrs.start()
    yield lrs
    lrs.stop()


@pytest.fixture
def own_ralph(tmp_path: Path) -> Iterator[RalphLRS]:
    """An LRS of the test's own (empty, and killed and restarted by it)."""
    lrs = RalphLRS(tmp_path / "ralph")
    lrs.start()
    yield lrs
    lrs.stop()


@pytest.fixture
def filled(db_path: Path, example: AnalysedScenario, catalog: Catalog) -> Iterator[RecordStore]:
    forget_scenarios()
    store = open_store(db_path)
    store.configure_outbox(OutboxSettings(BASE, BASE))
    for n in range(6):
        play(store, example, catalog, f"t-{n}", [EXPERT, LOST, SECRECY][n % 3])
    play(store, example, catalog, "t-9", EXPERT[:2] + ["cheer-up", "undo"] + EXPERT[2:4], finish=False)
    yield store
    store.close()


def _config(endpoint: str, password: str = PASSWORD) -> LrsConfig:
    return LrsConfig(endpoint, USER, password, timeout=20)


def _strip(statement: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in statement.items() if k not in LRS_SET}


def _assert_lrs_equals_outbox(lrs: RalphLRS, store: RecordStore) -> None:
    held = lrs.statements()
    ids = [s["id"] for s in held]
    assert len(ids) == len(set(ids)), "the LRS holds a statement twice"
    queued = {r.id: json.loads(r.statement) for r in store.outbox_rows(limit=100_000)}
    assert set(ids) == set(queued), "a statement was lost (or the LRS has one the store never queued)"
    for statement in held:
        assert _strip(statement) == queued[statement["id"]]
    counts = store.outbox_counts()
    assert (counts.pending, counts.sent) == (0, len(queued))


def _cli(db: Path, endpoint: str, *args: str, password: str = PASSWORD) -> subprocess.Popen[str]:
    env = {**os.environ, "CASESIM_LRS_PASSWORD": password, "CASESIM_LRS_USER": USER, "NO_COLOR": "1"}
    return subprocess.Popen([sys.executable, "-m", "casesim", "lrs", "sync", "--db", str(db), "--endpoint", endpoint,
                             *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_sync_forwards_everything_once(ralph: RalphLRS, filled: RecordStore) -> None:
    total = filled.outbox_counts().pending
    assert total > 60
    report = Forwarder(filled, _config(ralph.endpoint), batch_size=7).sync()
    assert (report.sent, report.rejected, report.stopped) == (total, 0, None)
    _assert_lrs_equals_outbox(ralph, filled)
    # Nothing pending: a second sync posts nothing.
    assert Forwarder(filled, _config(ralph.endpoint)).sync().posts == 0
    # Everything posted again (as after a crash before marking): the LRS keeps one copy of each.
    with sqlite3.connect(filled.location) as conn:
        conn.execute("UPDATE outbox SET sent_at = NULL")
    report = Forwarder(filled, _config(ralph.endpoint), batch_size=50).sync()
    assert report.sent == total and report.rejected == 0
    _assert_lrs_equals_outbox(ralph, filled)


def test_a_statement_the_lrs_refuses_is_isolated(own_ralph: RalphLRS, filled: RecordStore) -> None:
    rows = filled.outbox_pending(1000)
    Forwarder(filled, _config(own_ralph.endpoint)).sync(limit=10)
    # Same id as a statement the LRS holds, different content: the LRS must answer 409.
    changed = json.loads(rows[3].statement)
    changed["timestamp"] = "2020-01-01T00:00:00.000Z"
    with sqlite3.connect(filled.location) as conn:
        conn.execute("UPDATE outbox SET statement = ?, sent_at = NULL WHERE id = ?",
                     (json.dumps(changed), rows[3].id))
    report = Forwarder(filled, _config(own_ralph.endpoint), batch_size=16).sync()
    assert report.rejected == 1 and report.errors[0].startswith(rows[3].id)
    assert "409" in report.errors[0]
    counts = filled.outbox_counts()
    assert counts.failed == 1 and counts.sent == len(rows) - 1


def test_cli_messages_for_bad_password_refused_connection_and_bad_url(ralph: RalphLRS, filled: RecordStore,
                                                                       db_path: Path) -> None:
    wrong = _cli(db_path, ralph.endpoint, password="not-the-password")
    out, err = wrong.communicate(timeout=120)
    assert wrong.returncode == 2 and "refused the credentials" in err and "Traceback" not in err
    assert "not-the-password" not in out + err
    closed = _cli(db_path, "http://127.0.0.1:9/xAPI", "--tries", "2")
    out, err = closed.communicate(timeout=120)
    assert closed.returncode == 2 and "cannot connect to http://127.0.0.1:9/xAPI/statements" in err
    assert "stay queued" in err and "Traceback" not in err
    bad = _cli(db_path, "lrs.example.edu")
    out, err = bad.communicate(timeout=120)
    assert bad.returncode == 2 and "not an absolute http(s) URL" in err and "Traceback" not in err
    nowhere = _cli(db_path, ralph.endpoint.removesuffix("/xAPI") + "/nope")
    out, err = nowhere.communicate(timeout=120)
    assert nowhere.returncode == 2 and "no xAPI statements resource" in err
    assert filled.outbox_counts().sent == 0


def test_forwarder_killed_mid_batch_loses_and_duplicates_nothing(own_ralph: RalphLRS, filled: RecordStore,
                                                                  db_path: Path) -> None:
    total = filled.outbox_counts().pending
    relay = Relay(own_ralph.port, lambda n: "hold" if n == 3 else "relay")
    try:
        sync = _cli(db_path, relay.endpoint, "--batch-size", "5")
        assert relay.held.wait(120), sync.communicate(timeout=5)
        # The LRS has accepted batch 3; the forwarder has not heard. Kill it there.
        sync.send_signal(signal.SIGKILL)
        sync.communicate(timeout=10)
    finally:
        relay.close()
    assert len(own_ralph.statements()) == 15
    assert filled.outbox_counts().sent == 10
    done = _cli(db_path, own_ralph.endpoint, "--batch-size", "5")
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    assert f"sent {total - 10} statement(s)" in out
    _assert_lrs_equals_outbox(own_ralph, filled)


def test_lrs_killed_mid_batch_then_back_loses_and_duplicates_nothing(own_ralph: RalphLRS, filled: RecordStore) -> None:
    total = filled.outbox_counts().pending

    def decide(n: int) -> str:
        return "drop" if n == 2 else "relay"

    relay = Relay(own_ralph.port, decide)
    reports: list[SyncReport] = []
    forwarder = Forwarder(filled, _config(relay.endpoint), batch_size=8, backoff=Backoff(base=0.5, cap=4, tries=40))
    sync = threading.Thread(target=lambda: reports.append(forwarder.sync()))
    sync.start()
    try:
        assert relay.dropped.wait(120)
        own_ralph.kill()  # it accepted batch 2 and died before the forwarder heard
        own_ralph.start()  # (from this thread: the LRS dies with the thread that started it)
        sync.join(300)
    finally:
        relay.close()
    report = reports[0]
    assert report.stopped is None and report.sent == total and report.retries >= 1
    _assert_lrs_equals_outbox(own_ralph, filled)


def test_an_lrs_down_for_good_stops_the_sync_and_keeps_everything(filled: RecordStore) -> None:
    waits: list[float] = []
    total = filled.outbox_counts().pending
    forwarder = Forwarder(filled, _config("http://127.0.0.1:9/xAPI"), batch_size=10,
                          backoff=Backoff(base=1, cap=8, tries=5), sleep=waits.append)
    report = forwarder.sync()
    assert report.sent == 0 and report.stopped is not None and "cannot connect" in report.stopped
    assert len(waits) == 4 and all(0 <= w <= min(8, 2 ** i) for i, w in enumerate(waits))
    counts = filled.outbox_counts()
    # The first batch is noted as failed, the rest never tried; all of it kept.
    assert (counts.failed, counts.waiting, counts.sent) == (10, total - 10, 0)
    with pytest.raises(LrsError, match="absolute"):
        _config("ftp://lrs.example.edu/xAPI")
    assert PASSWORD not in repr(_config("http://127.0.0.1:9/xAPI"))


def test_forward_forever_keeps_sending_what_is_played(ralph: RalphLRS, filled: RecordStore,
                                                      example: AnalysedScenario, catalog: Catalog) -> None:
    """The loop a server runs: it sends what is queued, then what is played while it runs, and
    stops when told (a wrong password is reported, never raised)."""
    stop = threading.Event()
    reports: list[SyncReport] = []
    errors: list[CaseSimError] = []
    loop = threading.Thread(target=forward_forever, args=(filled, _config(ralph.endpoint)),
                            kwargs={"interval": 0.2, "stop": stop, "on_report": reports.append})
    loop.start()
    try:
        play(filled, example, catalog, "t-live", EXPERT)
        for _ in range(300):
            if filled.outbox_counts().pending == 0 and reports:
                break
            stop.wait(0.1)
    finally:
        stop.set()
        loop.join(60)
    assert not loop.is_alive() and filled.outbox_counts().pending == 0
    play(filled, example, catalog, "t-live", EXPERT[:1], finish=False)  # something to send
    wrong = threading.Event()
    forward_forever(filled, _config(ralph.endpoint, "wrong"), interval=0.1, stop=wrong,
                    on_error=lambda e: (errors.append(e), wrong.set()))
    assert errors and "refused the credentials" in errors[0].message
