"""``casesim serve``'s sign-in, without a browser: codes, cookies, the SSO header's trust, CSRF,
the rate limit and roles (aiohttp's test client against the real application)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from casesim.cli.serve_web import (
    RateLimiter,
    ServeConfig,
    SessionCookies,
    build_app,
    client_address,
)
from casesim.records import open_store
from casesim.records.api import RecordStore, RosterMember
from casesim.records.classroom import code_digest, new_code

COHORT = "MSW Fall 2026"


@pytest.fixture
def store(tmp_path: Path) -> RecordStore:
    s = open_store(tmp_path / "class.db")
    s.create_roster(COHORT, created_by="prof")
    return s


def _member(store: RecordStore, trainee: str, role: str = "student") -> str:
    code = new_code()
    store.add_roster_member(COHORT, trainee, trainee.upper(), role, code_digest(code))
    return code


Make = Callable[..., Any]


@pytest.fixture
async def make_client(store: RecordStore, tmp_path: Path) -> AsyncIterator[Make]:
    clients: list[TestClient[Any, Any]] = []

    async def make(**options: Any) -> TestClient[Any, Any]:
        limiter = options.pop("limiter", None)
        config = ServeConfig(child_command=["true"], state_dir=tmp_path / "state", public_url="http://127.0.0.1",
                             **options)
        client: TestClient[Any, Any] = TestClient(TestServer(build_app(config, store, b"k" * 32, limiter=limiter)))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for c in clients:
        await c.close()
    store.close()


async def _sign_in(client: TestClient[Any, Any], code: str, **headers: str) -> Any:
    page = await client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text())
    assert token is not None
    return await client.post("/login", data={"csrf": token.group(1), "code": code}, allow_redirects=False,
                             headers=headers)


async def test_a_code_signs_in_once_and_the_cookie_is_httponly_and_samesite(make_client: Make,
                                                                             store: RecordStore) -> None:
    code = _member(store, "s1001")
    client = await make_client()
    assert (await client.get("/", allow_redirects=False)).headers["Location"] == "/login"
    response = await _sign_in(client, code.lower().replace("-", " "))
    assert response.status == 302 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=43200" in cookie
    page = await client.get("/")
    assert page.status == 200 and "Signed in as S1001 (s1001)" in await page.text()
    other = await make_client()
    refused = await _sign_in(other, code)
    assert refused.status == 401 and "That code did not work" in await refused.text()


async def test_a_reissued_code_or_a_sign_out_ends_the_session(make_client: Make, store: RecordStore) -> None:
    client = await make_client()
    await _sign_in(client, _member(store, "s1001"))
    assert (await client.get("/", allow_redirects=False)).status == 200
    store.reissue_code(COHORT, "s1001", code_digest(new_code()))
    assert (await client.get("/", allow_redirects=False)).status == 302
    new = new_code()
    store.reissue_code(COHORT, "s1001", code_digest(new))
    await _sign_in(client, new)
    page = await client.get("/")
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text())
    assert token is not None
    signed_out = await client.post("/logout", data={"csrf": token.group(1)})
    assert "Signed out" in await signed_out.text()
    forged = SessionCookies(b"k" * 32, hours=1).issue(RosterMember(COHORT, "s1001", "A", "student", None, None, 2))
    client.session.cookie_jar.update_cookies({"casesim_session": forged})
    assert (await client.get("/", allow_redirects=False)).status == 302  # the epoch moved on


async def test_cookies_are_signed_and_expire() -> None:
    now = [1000.0]
    cookies = SessionCookies(b"x" * 32, hours=1, clock=lambda: now[0])
    value = cookies.issue(RosterMember(COHORT, "s1", "A", "student", None, None, 0))
    assert cookies.read(value) is not None
    body, mac = value.split(".")
    assert cookies.read(body.replace("s", "t", 1) + "." + mac) is None
    assert SessionCookies(b"y" * 32, hours=1, clock=lambda: now[0]).read(value) is None
    now[0] += 3601
    assert cookies.read(value) is None
    assert cookies.read("garbage") is None and cookies.read(None) is None


async def test_a_form_without_its_csrf_token_or_from_another_site_is_refused(make_client: Make,
                                                                             store: RecordStore) -> None:
    code = _member(store, "s1001")
    client = await make_client()
    await client.get("/login")
    no_token = await client.post("/login", data={"code": code}, allow_redirects=False)
    assert no_token.status == 400
    cross = await _sign_in(client, code, Origin="https://evil.example")
    assert cross.status == 400
    assert (await _sign_in(client, code)).status == 302  # the code was not spent by the refused posts


async def test_failed_codes_are_rate_limited_per_address() -> None:
    now = [0.0]
    limiter = RateLimiter(per_client=3, total=5, window=60, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.retry_after("a") == 0
        limiter.failed("a")
    assert limiter.retry_after("a") == 60 and limiter.retry_after("b") == 0
    limiter.failed("b")
    limiter.failed("c")
    assert limiter.retry_after("d") == 60  # the total across addresses
    now[0] = 61
    assert limiter.retry_after("a") == 0


async def test_the_form_says_wait_after_too_many_bad_codes(make_client: Make, store: RecordStore) -> None:
    code = _member(store, "s1001")
    client = await make_client(limiter=RateLimiter(per_client=2, total=100))
    for _ in range(2):
        assert (await _sign_in(client, "AAAA-BBBB-CCCC-DDDD")).status == 401
    blocked = await _sign_in(client, code)
    assert blocked.status == 429 and "Wait" in await blocked.text() and int(blocked.headers["Retry-After"]) > 0


async def test_the_sso_header_is_believed_only_from_the_trusted_proxy(make_client: Make, store: RecordStore) -> None:
    _member(store, "s1001")
    trusted = await make_client(trust_header="X-Forwarded-User", trusted_proxies=("127.0.0.1",))
    page = await trusted.get("/", headers={"X-Forwarded-User": "s1001"})
    assert page.status == 200 and "(s1001)" in await page.text()
    stranger = await trusted.get("/", headers={"X-Forwarded-User": "nobody"}, allow_redirects=False)
    assert stranger.status == 403 and "not on any class roster" in await stranger.text()
    untrusted = await make_client(trust_header="X-Forwarded-User", trusted_proxies=("10.0.0.0/8",))
    forged = await untrusted.get("/", headers={"X-Forwarded-User": "s1001"}, allow_redirects=False)
    assert forged.status == 403 and "not a trusted proxy" in await forged.text()
    ignored = await make_client()  # no --trust-header: the header means nothing
    assert (await ignored.get("/", headers={"X-Forwarded-User": "s1001"}, allow_redirects=False)).status == 302


async def test_roles_students_instructors_and_administrators(make_client: Make, store: RecordStore) -> None:
    _member(store, "s1001")
    _member(store, "prof.lee", "instructor")
    store.create_roster("Other class", created_by="x")
    client = await make_client(trust_header="X-User", admins=frozenset({"it.admin"}))
    student = await client.get("/instructor", headers={"X-User": "s1001"})
    assert student.status == 403
    instructor = await client.get("/instructor", headers={"X-User": "prof.lee"})
    text = await instructor.text()
    assert instructor.status == 200 and COHORT in text and "Other class" not in text and "s1001" in text
    assert (await client.get("/", headers={"X-User": "prof.lee"}, allow_redirects=False)).headers["Location"] \
        == "/instructor"
    admin = await client.get("/instructor", headers={"X-User": "it.admin"})
    text = await admin.text()
    assert "administrator" in text and COHORT in text and "Other class" in text
    assert (await client.get("/instructor/live/Other%20class", headers={"X-User": "prof.lee"})).status == 403


async def test_role_grants_count_in_serve_and_its_pages_are_audited(make_client: Make, store: RecordStore) -> None:
    """`class grant` (the store's roles, which the CLI checks) makes an instructor or administrator
    in serve too; every instructor page and live view is an entry of the audit log."""
    _member(store, "s1001")
    store.create_roster("Other class", created_by="x")
    store.grant_role("it.admin", "administrator", None, by="setup")
    store.grant_role("prof.kim", "instructor", "Other class", by="it.admin")
    client = await make_client(trust_header="X-User", live_view=True)
    kim = await client.get("/instructor", headers={"X-User": "prof.kim"})
    text = await kim.text()
    assert kim.status == 200 and "Other class" in text and COHORT not in text
    admin = await client.get("/instructor", headers={"X-User": "it.admin"})
    assert admin.status == 200 and COHORT in await admin.text()
    live = await client.get(f"/instructor/live/{COHORT.replace(' ', '%20')}", headers={"X-User": "it.admin"})
    assert live.status == 200
    seen = [(e.actor, e.action, e.cohort, e.trainees) for e in store.audit_log() if e.action in ("roster", "watch")]
    assert ("prof.kim", "roster", "Other class", ()) in seen
    assert ("it.admin", "roster", COHORT, ("s1001",)) in seen
    assert ("it.admin", "watch", COHORT, ("s1001",)) in seen
    assert store.verify() == []


async def test_a_websocket_from_another_site_is_refused(make_client: Make, store: RecordStore) -> None:
    client = await make_client(trust_header="X-User")
    _member(store, "s1001")
    response = await client.get("/ws", headers={"X-User": "s1001", "Origin": "https://evil.example",
                                                 "Connection": "Upgrade", "Upgrade": "websocket",
                                                 "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "x" * 24})
    assert response.status == 403


def test_the_rate_limit_counts_the_address_the_trusted_proxy_saw() -> None:
    from casesim.cli.serve_web import _networks

    trusted = _networks(["127.0.0.1"])
    assert client_address("127.0.0.1", "1.2.3.4, 5.6.7.8", trusted) == "5.6.7.8"
    assert client_address("9.9.9.9", "5.6.7.8", trusted) == "9.9.9.9"  # a client cannot pick its own bucket


def test_the_session_reads_the_signed_in_id_from_the_variable_the_server_sets() -> None:
    from casesim.cli.serve import serve_session_command
    from casesim.cli.serve_web import ENV_TRAINEE

    option = next(p for p in serve_session_command.params if p.name == "trainee_id")
    assert option.envvar == ENV_TRAINEE
