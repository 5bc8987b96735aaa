"""``casesim class …``, ``class watch`` and ``casesim serve``'s sign-in on a PostgreSQL store.

The URL carries its password (TCP), so every output is also checked not to show it; ``serve``
signs students in and out while connected as the instructor's role (docs/deploying.md), which
cannot read the codes' digests; connected as the player's role by mistake it signs no one out."""

from __future__ import annotations

import csv
import getpass
import io
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from casesim.authoring.pipeline import AnalysedScenario
from casesim.cli.serve import _child_env, _child_flags
from casesim.cli.serve_lrs import check_forwarder_store
from casesim.cli.serve_web import ServeConfig, build_app
from casesim.errors import CaseSimError
from casesim.records import open_store
from casesim.records.api import RecordStore
from casesim.records.classroom import code_digest
from casesim.records.postgres.roles import RoleKind, grant_statements
from casesim.scoring.catalog import Catalog
from casesim.settings import resolve_settings
from casesim.tui.class_watch_app import ClassWatchApp
from support.cli import Casesim
from support.paths import ROOT
from support.postgres import PASSWORD, PostgresServer
from support.records import EXPERT, play

COHORT = "MSW Fall 2026"


@pytest.fixture
def url(postgres_server: PostgresServer, database: str) -> str:
    return postgres_server.url(database, tcp=True)


def _roster(tmp_path: Path, text: str) -> str:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _codes(stdout: str) -> dict[str, str]:
    return {r["id"]: r["code"] for r in csv.DictReader(io.StringIO(stdout))}


def test_class_commands_work_on_postgresql_and_never_show_the_password(casesim: Casesim, url: str,
                                                                       tmp_path: Path) -> None:
    outputs: list[str] = []

    def run(*args: str) -> Any:
        result = casesim("--db", url, "class", *args)
        outputs.append(result.output)
        return result

    assert run("create", COHORT).exit_code == 0
    assert "exists already" in run("create", COHORT).output
    added = run("add-students", COHORT, _roster(tmp_path, "id,name\ns1001,Ana Ruiz\ns1002,Ben Okafor\n"))
    assert added.exit_code == 0, added.output
    codes = _codes(added.stdout)
    assert sorted(codes) == ["s1001", "s1002"]
    with open_store(url) as store:
        member = store.redeem_code(code_digest(codes["s1001"]))
        assert member is not None and (member.trainee_id, member.display_name) == ("s1001", "Ana Ruiz")
        trainee = store.trainee("s1002")
        assert trainee is not None and trainee.cohort == COHORT
    listing = run("roster", COHORT)
    assert listing.exit_code == 0 and "not used yet" in listing.output and codes["s1001"] not in listing.output
    reissued = run("reissue", COHORT, "s1001")
    assert reissued.exit_code == 0
    fresh = _codes(reissued.stdout)["s1001"]
    with open_store(url) as store:
        assert store.redeem_code(code_digest(fresh)) is not None
    unknown = run("reissue", COHORT, "s9999")
    assert unknown.exit_code == 2 and "not on the roster" in unknown.output
    assert all(PASSWORD not in text for text in outputs)


def test_class_watch_opens_the_class_view_on_postgresql_read_only(casesim: Casesim, url: str,
                                                                  example: AnalysedScenario, catalog: Catalog,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(url) as store:
        store.upsert_trainee("s1", "Ann Lee", "fall")
        # A PostgreSQL store is always shared: listing every trainee is an administrator's.
        store.grant_role(getpass.getuser(), "administrator", None, by="the database owner")
        play(store, example, catalog, "s1", EXPERT[:2], finish=False)
    seen: list[dict[str, Any]] = []

    def run(app: ClassWatchApp) -> None:  # stands in for the terminal: the app is built, not run
        seen.append({"readonly": getattr(app.store, "readonly", None),
                     "rows": app.class_watch.read().now.trainees})
        app.class_watch.close()  # what the app does when it closes (its LISTEN connection)

    monkeypatch.setattr(ClassWatchApp, "run", run)
    result = casesim("class", "watch", "fall", "--db", url, "--scenario", "example-check-in")
    assert result.exit_code == 0, result.output
    [opened] = seen
    assert opened["readonly"] is True
    assert [(t.trainee_id, t.status, t.decisions) for t in opened["rows"]] == [("s1", "playing", 2)]


def test_a_session_gets_the_postgresql_url_in_its_environment_not_on_its_command_line(
        url: str, tmp_path: Path) -> None:
    settings = resolve_settings(data_dir=tmp_path, db=url)
    flags = _child_flags(settings)
    assert "--db" not in flags and PASSWORD not in " ".join(flags)
    env = _child_env(settings)
    assert env == {"CASESIM_DB": url}
    with open_store(url) as store:
        store.upsert_trainee("s1", "Ann Lee", "fall")
        # A PostgreSQL store is always shared: listing every trainee is an administrator's.
        store.grant_role(getpass.getuser(), "administrator", None, by="the database owner")
    # A process started as the server starts a session's (its flags, that environment) opens the store.
    base = {k: v for k, v in os.environ.items() if k != "CASESIM_DB"}
    done = subprocess.run([sys.executable, "-m", "casesim", *flags, "--data-dir", str(tmp_path), "records", "list"],
                          env={**base, **env, "NO_COLOR": "1"}, capture_output=True, text=True, timeout=120,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr


def _serve_store(postgres_server: PostgresServer, database: str,
                 kind: RoleKind) -> Iterator[tuple[RecordStore, dict[str, str]]]:
    """A roster made by the owner, and the store as `casesim serve` opens it connected as the
    ``kind`` role (``serve_player`` or ``serve_instructor``)."""
    codes: dict[str, str] = {}
    from casesim.records.classroom import new_code

    with open_store(postgres_server.url(database)) as owner:
        owner.create_roster(COHORT, created_by="prof")
        for trainee in ("s1001", "s1002"):
            codes[trainee] = new_code()
            owner.add_roster_member(COHORT, trainee, trainee.upper(), "student", code_digest(codes[trainee]))
    role = f"serve_{kind}"
    postgres_server.sql(f"DROP ROLE IF EXISTS {role}")
    postgres_server.sql(f"CREATE ROLE {role} LOGIN")
    for statement in grant_statements(role, kind):
        postgres_server.sql(statement, database)
    store = open_store(postgres_server.url(database, user=role))
    yield store, codes
    store.close()


@pytest.fixture
def player_store(postgres_server: PostgresServer, database: str) -> Iterator[tuple[RecordStore, dict[str, str]]]:
    """serve connected as the player's role by mistake."""
    yield from _serve_store(postgres_server, database, "player")


@pytest.fixture
def instructor_store(postgres_server: PostgresServer, database: str) -> Iterator[tuple[RecordStore, dict[str, str]]]:
    """serve connected as docs/deploying.md says: as the instructor's role."""
    yield from _serve_store(postgres_server, database, "instructor")


async def _serve(store: RecordStore, tmp_path: Path) -> TestClient[Any, Any]:
    config = ServeConfig(child_command=["true"], state_dir=tmp_path / "state", public_url="http://127.0.0.1")
    made: TestClient[Any, Any] = TestClient(TestServer(build_app(config, store, b"k" * 32)))
    await made.start_server()
    return made


@pytest.fixture
async def client(instructor_store: tuple[RecordStore, dict[str, str]], tmp_path: Path) -> AsyncIterator[Any]:
    made = await _serve(instructor_store[0], tmp_path)
    yield made
    await made.close()


async def _sign_in(client: TestClient[Any, Any], code: str) -> Any:
    page = await client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text())
    assert token is not None
    return await client.post("/login", data={"csrf": token.group(1), "code": code}, allow_redirects=False)


async def test_serve_signs_students_in_once_and_out_as_the_instructor_role(
        client: TestClient[Any, Any], instructor_store: tuple[RecordStore, dict[str, str]]) -> None:
    store, codes = instructor_store
    signed = await _sign_in(client, codes["s1001"])
    assert signed.status == 302 and signed.headers["Location"] == "/"
    page = await client.get("/")
    assert page.status == 200 and "Signed in as S1001 (s1001)" in await page.text()
    again = await _sign_in(client, codes["s1001"])
    assert again.status == 401 and "That code did not work" in await again.text()
    token = re.search(r'name="csrf" value="([^"]+)"', await (await client.get("/")).text())
    assert token is not None
    signed_out = await client.post("/logout", data={"csrf": token.group(1)})
    assert "Signed out" in await signed_out.text()
    assert (await client.get("/", allow_redirects=False)).status == 302
    assert [m.session_epoch for m in store.memberships("s1001")] == [1]


async def test_serve_connected_as_the_player_role_signs_in_but_cannot_sign_anyone_out(
        player_store: tuple[RecordStore, dict[str, str]], tmp_path: Path) -> None:
    """The player's role (every student-facing process holds it) may not end a member's sessions:
    serve connected as it by mistake signs a student in, but its sign-out answers 503 and ends
    nothing, rather than any process with that role being able to sign any student out."""
    store, codes = player_store
    client = await _serve(store, tmp_path)
    try:
        signed = await _sign_in(client, codes["s1001"])
        assert signed.status == 302
        token = re.search(r'name="csrf" value="([^"]+)"', await (await client.get("/")).text())
        assert token is not None
        refused = await client.post("/logout", data={"csrf": token.group(1)})
        assert refused.status == 503 and "Nothing you did was lost" in await refused.text()
    finally:
        await client.close()
    assert [m.session_epoch for m in store.memberships("s1001")] == [0]


def test_serve_refuses_an_lrs_forwarder_connected_as_the_player_role(
        casesim: Casesim, player_store: tuple[RecordStore, dict[str, str]], postgres_server: PostgresServer,
        database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The player's role may queue statements but not read or mark them, so a forwarder on serve's
    own connection would fail every sync: serve says so before it starts and names --lrs-db; a
    connection as the instructor's role passes the same check."""
    store, _ = player_store
    with pytest.raises(CaseSimError) as refused:
        check_forwarder_store(store)
    assert "--lrs-db" in (refused.value.hint or "")
    monkeypatch.setenv("CASESIM_LRS_PASSWORD", "secret")
    player_url = postgres_server.url(database, user="serve_player")
    result = casesim("--db", player_url, "serve", "--state-dir", str(tmp_path / "state"),
                     "--lrs-endpoint", "http://127.0.0.1:9/xAPI", "--lrs-user", "casesim")
    assert result.exit_code != 0 and "cannot read the outbox" in result.output and "--lrs-db" in result.output
    assert "Traceback" not in result.output
    postgres_server.sql("DROP ROLE IF EXISTS serve_instructor")
    postgres_server.sql("CREATE ROLE serve_instructor LOGIN")
    for statement in grant_statements("serve_instructor", "instructor"):
        postgres_server.sql(statement, database)
    with open_store(postgres_server.url(database, user="serve_instructor")) as forwarder:
        check_forwarder_store(forwarder)  # may read and mark: no error


async def test_a_page_the_store_refuses_answers_503_with_a_message_not_a_traceback(
        player_store: tuple[RecordStore, dict[str, str]], postgres_server: PostgresServer, database: str,
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """serve connected as the player's role by mistake: an instructor's page must write its audit
    entry, which that role may not, so the store refuses. The instructor gets a 503 page that says
    nothing was lost, and the server's log one line naming the problem, not a 500 and a traceback."""
    from casesim.records.classroom import new_code

    store, _ = player_store
    code = new_code()
    with open_store(postgres_server.url(database)) as owner:
        owner.add_roster_member(COHORT, "prof", "Prof Lee", "instructor", code_digest(code))
    config = ServeConfig(child_command=["true"], state_dir=tmp_path / "state", public_url="http://127.0.0.1")
    client: TestClient[Any, Any] = TestClient(TestServer(build_app(config, store, b"k" * 32)))
    await client.start_server()
    try:
        signed = await _sign_in(client, code)
        assert signed.status == 302
        page = await client.get("/instructor")
        text = await page.text()
        assert page.status == 503 and "Nothing you did was lost" in text and "Traceback" not in text
        assert page.headers["Retry-After"] == "30"
    finally:
        await client.close()
    logged = [r for r in caplog.records if r.name == "casesim.cli.serve_web" and r.levelname == "ERROR"]
    assert logged and "GET /instructor" in logged[-1].getMessage() and "permission" in logged[-1].getMessage()
    assert all(r.exc_info is None for r in caplog.records)
