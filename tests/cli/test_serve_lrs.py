"""``casesim serve --lrs-endpoint``: the server forwards the store's outbox to a real Ralph LRS.

The real server (a ``casesim serve`` process) runs against a store whose outbox is on, next to a
real Ralph LRS on loopback (tests/support/ralph_lrs.py). Attempts are recorded through the store
from the test, as a session's process records them. The LRS must end up holding exactly the
store's statements; then Ralph is killed, more is played, the forwarder backs off (its state on
the administrators' page and in ``casesim lrs status``), Ralph comes back on the same port and
folder, and still nothing is lost or duplicated. Last, the server stops cleanly on SIGTERM.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records import open_store
from casesim.records.outbox import forget_scenarios
from casesim.scoring.catalog import Catalog
from support.browser import free_port, running_server
from support.cli import Casesim
from support.ralph_lrs import PASSWORD, USER, RalphLRS
from support.records import EXPERT, LOST, play

pytestmark = pytest.mark.slow

BASE = "https://sim.example.edu"
LRS_SET = ("stored", "authority", "version")  # what an LRS adds to a statement
ADMIN = "it.admin"


@pytest.fixture
def ralph(tmp_path: Path) -> Iterator[RalphLRS]:
    lrs = RalphLRS(tmp_path / "ralph")
    lrs.start()
    yield lrs
    lrs.stop()


def _until(what: str, check: Callable[[], bool], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.1)


def _lrs_equals_store(lrs: RalphLRS, db: Path) -> None:
    held = lrs.statements()
    ids = [s["id"] for s in held]
    assert len(ids) == len(set(ids)), "the LRS holds a statement twice"
    with open_store(db, readonly=True) as store:
        queued = {r.id: json.loads(r.statement) for r in store.outbox_rows(limit=100_000)}
        counts = store.outbox_counts()
    assert set(ids) == set(queued), "a statement was lost (or the LRS has one the store never queued)"
    for statement in held:
        assert {k: v for k, v in statement.items() if k not in LRS_SET} == queued[statement["id"]]
    assert (counts.pending, counts.sent) == (0, len(queued))


def _pending(db: Path) -> int:
    with open_store(db, readonly=True) as store:
        return store.outbox_counts().pending


def _admin_page(base: str) -> str:
    response = httpx.get(base + "/instructor", headers={"X-Forwarded-User": ADMIN}, timeout=30)
    assert response.status_code == 200, response.text
    return response.text


def _status_file(data: Path) -> dict[str, Any]:
    path = data / "serve" / "lrs-forwarder.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def test_serve_forwards_the_outbox_and_survives_the_lrs_going_down(tmp_path: Path, ralph: RalphLRS, casesim: Casesim,
                                                                   example: AnalysedScenario, catalog: Catalog) -> None:
    db = tmp_path / "class.db"
    data = tmp_path / "data"
    enabled = casesim("lrs", "enable", "--db", str(db), "--base-iri", BASE)
    assert enabled.exit_code == 0, enabled.output
    forget_scenarios()
    with open_store(db) as store:  # an attempt from before the server started
        play(store, example, catalog, "s1001", EXPERT)
    before = _pending(db)
    assert before > 5
    env = {"CASESIM_DATA": str(data), "HOME": str(tmp_path), "TZ": "UTC", "LANG": "C.UTF-8",
           "CASESIM_CACHE_DIR": str(tmp_path / "cache"), "CASESIM_LRS_ENDPOINT": ralph.endpoint,
           "CASESIM_LRS_USER": USER, "CASESIM_LRS_PASSWORD": PASSWORD}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    serve_args = ["--lrs-interval", "0.5", "--lrs-max-interval", "3", "--trust-header", "X-Forwarded-User",
                  "--admin", ADMIN]
    with running_server(["--db", str(db)], env, port, log, serve_args) as server:
        # What was queued before the start goes at once; what is played while it runs follows.
        _until("the queued statements sent", lambda: _pending(db) == 0)
        with open_store(db) as store:
            play(store, example, catalog, "s1002", LOST)
            play(store, example, catalog, "s1003", EXPERT[:3], finish=False)
        _until("the new statements sent", lambda: _pending(db) == 0)
        _lrs_equals_store(ralph, db)
        page = _admin_page(base)
        assert "LRS forwarding" in page and ralph.endpoint in page and "Forwarder: running since" in page
        assert PASSWORD not in page

        # The LRS dies; the class goes on playing; nothing is lost, the forwarder backs off.
        ralph.kill()
        with open_store(db) as store:
            play(store, example, catalog, "s1005", EXPERT[:2], finish=False)
            play(store, example, catalog, "s1004", EXPERT)
        _until("the forwarder noticing", lambda: _status_file(data).get("failures", 0) >= 3)
        status = _status_file(data)
        assert "cannot connect" in status["last_error"]
        # Spaced out: after 3 failures the wait is 2-3 s (the cap), not the 0.5 s interval.
        assert status["next_sync_at"] - status["last_sync_at"] >= 1.0
        assert _pending(db) > 0
        page = _admin_page(base)
        assert "LRS unavailable" in page and "cannot connect" in page
        shown = casesim("lrs", "status", "--db", str(db), "--state-dir", str(data / "serve"))
        assert shown.exit_code == 0, shown.output
        assert "casesim serve's forwarder" in shown.stdout and "LRS unavailable" in shown.stdout
        assert f"pending: {_pending(db)}" in shown.stdout

        # It comes back (same port, same folder): everything arrives, once.
        ralph.start()
        _until("the statements sent after the LRS came back", lambda: _pending(db) == 0)
        _lrs_equals_store(ralph, db)
        assert _status_file(data)["failures"] == 0
        assert "LRS unavailable" not in _admin_page(base)
    # SIGTERM: the server stops its forwarder and exits by itself (running_server kills it after 10 s).
    assert server.returncode == 0, log.read_text(errors="replace")
    text = log.read_text(errors="replace")
    assert "the LRS forwarder stopped" in text and "Traceback" not in text
    assert "the LRS forwarder could not send" in text and f"the LRS at {ralph.endpoint} answers again" in text
    assert PASSWORD not in text
    assert _status_file(data)["running"] is False
    stopped = casesim("lrs", "status", "--db", str(db), "--state-dir", str(data / "serve"))
    assert "Forwarder: stopped" in stopped.stdout


def test_serve_refuses_an_lrs_without_credentials(casesim: Casesim, tmp_path: Path) -> None:
    db = str(tmp_path / "class.db")
    result = casesim("--db", db, "serve", "--port", str(free_port()), env={
        "CASESIM_LRS_ENDPOINT": "http://127.0.0.1:9/xAPI", "CASESIM_LRS_USER": "u", "CASESIM_LRS_PASSWORD": "",
        "CASESIM_DATA": str(tmp_path / "data")})
    assert result.exit_code == 2 and "needs the LRS password" in result.stderr, result.output
    nouser = casesim("--db", db, "serve", "--port", str(free_port()), "--lrs-endpoint", "http://127.0.0.1:9/xAPI",
                     env={"CASESIM_LRS_USER": None, "CASESIM_DATA": str(tmp_path / "data")})
    assert nouser.exit_code == 2 and "needs an LRS user" in nouser.stderr, nouser.output
    bad = casesim("--db", db, "serve", "--port", str(free_port()), "--lrs-endpoint", "lrs.example.edu",
                  "--lrs-user", "u", env={"CASESIM_LRS_PASSWORD": "p", "CASESIM_DATA": str(tmp_path / "data")})
    assert bad.exit_code == 2 and "not an absolute http(s) URL" in bad.stderr, bad.output
