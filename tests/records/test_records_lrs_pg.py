"""``casesim lrs enable|status|sync`` on a PostgreSQL store, against a real Ralph LRS.

The forwarder is backend-neutral (tests/records/test_records_lrs.py runs it on SQLite); what this
proves is the PostgreSQL outbox under it: statements queued in the event's transaction by several
processes, named by the pseudonym the outbox's trigger writes, posted by the CLI, and a forwarder
killed mid-batch or an LRS killed mid-batch losing and duplicating nothing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records import open_store
from casesim.records.api import RecordStore
from casesim.records.export.xapi import pseudonym
from casesim.records.lrs import Backoff, Forwarder, LrsConfig, SyncReport
from casesim.records.outbox import forget_scenarios, remember_scenario
from casesim.scoring.catalog import Catalog
from support.lrs_proxy import Relay
from support.postgres import PASSWORD as PG_PASSWORD
from support.postgres import PostgresServer
from support.ralph_lrs import PASSWORD, USER, RalphLRS
from support.records import EXPERT, LOST, SECRECY, play

BASE = "https://sim.example.edu"
LRS_SET = ("stored", "authority", "version")  # what an LRS adds to a statement
DRIVER = Path(__file__).resolve().parents[1] / "support" / "class_driver.py"


@pytest.fixture
def own_ralph(tmp_path: Path) -> Iterator[RalphLRS]:
    lrs = RalphLRS(tmp_path / "ralph")
    lrs.start()
    yield lrs
    lrs.stop()


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh database, as a TCP URL with its password in it (the CLI must never print it)."""
    name = postgres_server.create_database("lrs")
    yield postgres_server.url(name, tcp=True)
    postgres_server.drop_database(name)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CASESIM_DB"}
    return {**env, "NO_COLOR": "1", **extra}


def _casesim(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "casesim", *args], env=_env(**env), capture_output=True, text=True,
                          timeout=300)


def _sync(url: str, endpoint: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "casesim", "lrs", "sync", "--db", url, "--endpoint", endpoint,
                             *args], env=_env(CASESIM_LRS_PASSWORD=PASSWORD, CASESIM_LRS_USER=USER),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _assert_lrs_equals_outbox(lrs: RalphLRS, store: RecordStore) -> None:
    held = lrs.statements()
    ids = [s["id"] for s in held]
    assert len(ids) == len(set(ids)), "the LRS holds a statement twice"
    queued = {r.id: json.loads(r.statement) for r in store.outbox_rows(limit=100_000)}
    assert set(ids) == set(queued), "a statement was lost (or the LRS has one the store never queued)"
    for statement in held:
        assert {k: v for k, v in statement.items() if k not in LRS_SET} == queued[statement["id"]]
    counts = store.outbox_counts()
    assert (counts.pending, counts.sent) == (0, len(queued))


@pytest.fixture
def filled(pg_url: str, example: AnalysedScenario, catalog: Catalog) -> Iterator[RecordStore]:
    """A PostgreSQL store with the outbox turned on by the CLI (a backfill of what was played
    before), then attempts played in this process and in two others."""
    forget_scenarios()
    with open_store(pg_url) as before:
        play(before, example, catalog, "t-0", EXPERT)  # outbox off: queued by the backfill
    enabled = _casesim("lrs", "enable", "--db", pg_url, "--base-iri", BASE)
    assert enabled.returncode == 0, enabled.stderr
    assert "statement(s) queued" in enabled.stdout and PG_PASSWORD not in enabled.stdout + enabled.stderr
    remember_scenario(example)
    store = open_store(pg_url)
    for n in range(1, 5):
        play(store, example, catalog, f"t-{n}", [EXPERT, LOST, SECRECY][n % 3])
    play(store, example, catalog, "t-9", EXPERT[:2] + ["cheer-up", "undo"] + EXPERT[2:4], finish=False)
    for tid, then in (("p-1", "finish"), ("p-2", "stay")):  # other processes queue their own
        done = subprocess.run([sys.executable, str(DRIVER), pg_url, "fall", tid, "assessment", then, *EXPERT],
                              capture_output=True, text=True, env=_env(), timeout=300)
        assert done.returncode == 0, done.stderr
    yield store
    store.close()


def test_cli_enable_status_and_sync_forward_everything_once(own_ralph: RalphLRS, filled: RecordStore,
                                                            pg_url: str) -> None:
    total = filled.outbox_counts().pending
    assert total > 60
    status = _casesim("lrs", "status", "--db", pg_url)
    assert status.returncode == 0 and f"pending: {total} ({total} waiting, 0 failed)" in status.stdout
    done = _sync(pg_url, own_ralph.endpoint, "--batch-size", "9")
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    assert f"sent {total} statement(s)" in out and PG_PASSWORD not in out + err
    _assert_lrs_equals_outbox(own_ralph, filled)
    names = {s["actor"]["account"]["name"] for s in own_ralph.statements()}
    key = filled.pseudonym_key
    assert names == {pseudonym(t, key) for t in ("t-0", "t-1", "t-2", "t-3", "t-4", "t-9", "p-1", "p-2")}
    again = _sync(pg_url, own_ralph.endpoint)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0 and "sent 0 statement(s)" in out, out + err


def test_forwarder_killed_mid_batch_loses_and_duplicates_nothing(own_ralph: RalphLRS, filled: RecordStore,
                                                                  pg_url: str) -> None:
    total = filled.outbox_counts().pending
    relay = Relay(own_ralph.port, lambda n: "hold" if n == 3 else "relay")
    try:
        sync = _sync(pg_url, relay.endpoint, "--batch-size", "5")
        assert relay.held.wait(120), sync.communicate(timeout=5)
        # The LRS has accepted batch 3; the forwarder has not heard. Kill it there.
        sync.send_signal(signal.SIGKILL)
        sync.communicate(timeout=10)
    finally:
        relay.close()
    assert len(own_ralph.statements()) == 15
    assert filled.outbox_counts().sent == 10
    done = _sync(pg_url, own_ralph.endpoint, "--batch-size", "5")
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    assert f"sent {total - 10} statement(s)" in out
    _assert_lrs_equals_outbox(own_ralph, filled)


def test_lrs_killed_mid_batch_then_back_loses_and_duplicates_nothing(own_ralph: RalphLRS, filled: RecordStore) -> None:
    total = filled.outbox_counts().pending
    relay = Relay(own_ralph.port, lambda n: "drop" if n == 2 else "relay")
    reports: list[SyncReport] = []
    config = LrsConfig(relay.endpoint, USER, PASSWORD, timeout=20)
    forwarder = Forwarder(filled, config, batch_size=8, backoff=Backoff(base=0.5, cap=4, tries=40))
    sync = threading.Thread(target=lambda: reports.append(forwarder.sync()))
    sync.start()
    try:
        assert relay.dropped.wait(120)
        own_ralph.kill()  # it accepted batch 2 and died before the forwarder heard
        own_ralph.start()
        sync.join(300)
    finally:
        relay.close()
    report = reports[0]
    assert report.stopped is None and report.sent == total and report.retries >= 1
    _assert_lrs_equals_outbox(own_ralph, filled)
