"""On PostgreSQL the database, not its caller, decides how a member signs in and who signs one out.

Before the "sign-in-server-decides" migration, ``redeem_sign_in_code`` stamped ``code_used_at``
with a time its caller passed, and ``end_member_sessions`` (granted to the player's role, the one
every student-facing process holds) let any such process sign any member of any class out. Now
the sign-in function takes the code only and stamps the server's clock, and signing out is an
UPDATE of ``class_members`` that only the instructor's role (``casesim serve``) is granted. These
tests run the GRANTs of docs/records.md on the real server and try both as each role, on a new
store and on one upgraded from before the migration (whose grants were made for the old
functions)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import psycopg
import pytest

from casesim.errors import StoreError
from casesim.records import open_store
from casesim.records.chain import parse_iso
from casesim.records.classroom import code_digest, new_code
from casesim.records.postgres.roles import grant_statements
from support.postgres import PostgresServer, run_sql

_OLD_EXECUTE = ("GRANT EXECUTE ON FUNCTION casesim.redeem_sign_in_code(text, text), "
                "casesim.end_member_sessions(text, text) TO \"{role}\"")
"""The GRANT the roles had for the two functions before the migration (roles.py of that casesim)."""


def _roster(url: str, *members: str) -> dict[str, str]:
    """A class "fall" with these students, made by the owner: their sign-in codes."""
    codes = {m: new_code() for m in members}
    with open_store(url) as owner:
        owner.create_roster("fall", created_by="prof")
        for member, code in codes.items():
            owner.add_roster_member("fall", member, member.title(), "student", code_digest(code))
    return codes


def _roles(server: PostgresServer, database: str, prefix: str,
           grants: Callable[[str, str], list[str]] | None = None) -> tuple[str, str]:
    """A player's and an instructor's login role with their GRANTs: their URLs."""
    urls = []
    for kind in ("player", "instructor"):
        role = f"{prefix}_{kind}"
        server.sql(f"DROP ROLE IF EXISTS {role}")
        server.sql(f"CREATE ROLE {role} LOGIN")
        for statement in (grants or grant_statements)(role, kind):  # type: ignore[arg-type]
            server.sql(statement, database)
        urls.append(server.url(database, user=role))
    return urls[0], urls[1]


def _epochs(url: str) -> dict[str, int]:
    return {str(t): int(e) for t, e in run_sql(url, "SELECT trainee_id, session_epoch FROM casesim.class_members")}


def _server_now(url: str) -> datetime:
    [(moment,)] = run_sql(url, "SELECT clock_timestamp()")
    assert isinstance(moment, datetime)
    return moment


def test_the_player_role_cannot_sign_a_member_out_and_the_instructor_role_can(
        postgres_server: PostgresServer, database: str) -> None:
    owner_url = postgres_server.url(database)
    _roster(owner_url, "ann", "bo")
    player_url, teacher_url = _roles(postgres_server, database, "trust_out")
    with open_store(player_url) as server, pytest.raises(StoreError, match="permission denied"):
        server.end_sessions("fall", "ann")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        run_sql(player_url, "UPDATE casesim.class_members SET session_epoch = session_epoch + 1")
    with pytest.raises(psycopg.errors.UndefinedFunction):  # the function that let it is gone
        run_sql(player_url, "SELECT casesim.end_member_sessions('fall', 'ann')")
    assert _epochs(owner_url) == {"ann": 0, "bo": 0}, "no session ended"
    with open_store(teacher_url) as server:  # casesim serve's sign-out, as the instructor's role
        server.end_sessions("fall", "ann")
    assert _epochs(owner_url) == {"ann": 1, "bo": 0}


def test_a_sign_in_is_stamped_with_the_servers_clock_whatever_the_caller_says(
        postgres_server: PostgresServer, database: str) -> None:
    owner_url = postgres_server.url(database)
    codes = _roster(owner_url, "ann", "bo")
    player_url, teacher_url = _roles(postgres_server, database, "trust_in")
    # The two-argument function, which took code_used_at from the caller, no longer exists.
    with pytest.raises(psycopg.errors.UndefinedFunction):
        run_sql(player_url, "SELECT * FROM casesim.redeem_sign_in_code(%s, '1999-01-01T00:00:00.000000Z')",
                (code_digest(codes["ann"]),))
    forged = datetime(2001, 1, 1, tzinfo=UTC)
    for url, member in ((player_url, "ann"), (teacher_url, "bo")):
        before = _server_now(owner_url)
        with open_store(url, clock=lambda: forged) as server:  # a caller whose own clock says 2001
            signed = server.redeem_code(code_digest(codes[member]))
            assert signed is not None and signed.trainee_id == member
            assert server.redeem_code(code_digest(codes[member])) is None, "a code still signs in once"
        after = _server_now(owner_url)
        assert signed.code_used_at is not None
        assert before <= parse_iso(signed.code_used_at) <= after, (member, signed.code_used_at)


def test_an_upgraded_store_keeps_sign_in_for_the_roles_that_had_it_and_closes_sign_out_to_players(
        postgres_server: PostgresServer, database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from casesim.records.postgres import schema

    owner_url = postgres_server.url(database)
    before = next(i for i, m in enumerate(schema.MIGRATIONS) if m.name == "sign-in-server-decides")

    def old_grants(role: str, kind: str) -> list[str]:  # what the owner ran for that casesim
        kept = [s for s in grant_statements(role, kind) if "redeem_sign_in_code" not in s]  # type: ignore[arg-type]
        return [*kept, _OLD_EXECUTE.format(role=role)]

    with monkeypatch.context() as old:  # a casesim from before the migration
        old.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:before])
        old.setattr(schema, "SCHEMA_VERSION", before)
        codes = _roster(owner_url, "ann", "bo", "cy")
        player_url, teacher_url = _roles(postgres_server, database, "trust_up", old_grants)
        # The hole this closes: the player's role signs anyone out, and sets the time of a sign-in.
        run_sql(player_url, "SELECT casesim.end_member_sessions('fall', 'bo')")
        [(used_at,)] = run_sql(player_url, "SELECT code_used_at FROM casesim.redeem_sign_in_code(%s, %s)",
                               (code_digest(codes["cy"]), "1999-01-01T00:00:00.000000Z"))
        assert used_at == "1999-01-01T00:00:00.000000Z"
    assert _epochs(owner_url) == {"ann": 0, "bo": 1, "cy": 0}
    with open_store(owner_url):  # this casesim: migrated on the owner's open
        pass
    assert run_sql(owner_url, "SELECT max(version) FROM casesim.schema_version") == [(schema.SCHEMA_VERSION,)]
    moment = _server_now(owner_url)
    with open_store(player_url) as server:  # the GRANTs were not run again: sign-in still works
        signed = server.redeem_code(code_digest(codes["ann"]))
        assert signed is not None and parse_iso(signed.code_used_at or "") >= moment
        with pytest.raises(StoreError, match="permission denied"):
            server.end_sessions("fall", "bo")
    with pytest.raises(psycopg.errors.UndefinedFunction):
        run_sql(player_url, "SELECT casesim.end_member_sessions('fall', 'bo')")
    with open_store(teacher_url) as server:
        server.end_sessions("fall", "ann")
    assert _epochs(owner_url) == {"ann": 1, "bo": 1, "cy": 0}
