"""The web server of ``casesim serve``: sign-in, roles and one casesim process per browser session.

Built on textual-serve (its static xterm.js front end and its :class:`AppService`, which runs one
process per websocket and relays the terminal), with what it lacks (reference notes §4: "no hook
to pass a user identity", "no authentication"):

- **Identity from sign-in.** A one-time roster code (:mod:`casesim.records.classroom`) or, when
  ``--trust-header`` is set, a user header from a single sign-on proxy, believed only when the
  connection comes from a ``--trusted-proxy`` address (anyone else sending it is refused). The
  signed-in id goes to the session's process in its environment, set here, never from the
  browser; the process shows it and offers no name field (``CaseSimApp.signed_in``).
- **Sessions.** After a code is consumed the browser holds ``casesim_session``: HttpOnly,
  SameSite=Lax, Secure behind https, HMAC-signed with the server's key, expiring after
  ``--session-hours``, and carrying the member's session epoch, so a reissued code or a sign-out
  ends it at once.
- **A private data folder per trainee** (``trainee.json``, theme, tour) under the server's state
  folder, so nothing one student's session remembers is shown to another's.
- **Roles.** student (own attempts only: the app reads by the signed-in id), instructor (the
  roster and attempts of their classes, at ``/instructor``), administrator (every class;
  ``--admin``). An instructor is one by ``class add-instructor`` (which gives a code) or by the
  store's ``class grant`` (which the CLI's checks use too); each instructor page and live view
  writes an entry of the audit log. Only this server and its processes open the store: browsers
  never hold database credentials.
- **Abuse limits.** Failed codes are rate-limited per address and in total; forms carry a CSRF
  token (double submit) and check Origin; websockets from another origin are refused; processes
  are capped per trainee and in total.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import html
import ipaddress
import json
import logging
import os
import secrets
import shlex
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from aiohttp import WSCloseCode, WSMsgType, web
from textual_serve import server as _server_module
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from casesim.errors import CaseSimError, StoreError
from casesim.format.text import visible
from casesim.records.api import AuditAction, AuditEntry, RecordStore, RosterMember
from casesim.records.classroom import code_digest, normalise_code
from casesim.records.labels import label_problem

__all__ = ["ADMIN_SECTIONS", "LIVE_VIEW", "Identity", "RateLimiter", "ServeConfig", "SessionCookies", "build_app", "client_address"]

log = logging.getLogger(__name__)

Role = Literal["student", "instructor", "administrator"]

SESSION_COOKIE = "casesim_session"
CSRF_COOKIE = "casesim_csrf"
ENV_TRAINEE = "CASESIM_SERVE_TRAINEE"
ENV_NAME = "CASESIM_SERVE_NAME"
ENV_ROLE = "CASESIM_SERVE_ROLE"

LIVE_VIEW: tuple[str, ...] = ("class", "watch")
"""The command an instructor's live view runs (``casesim class watch COHORT``) in a served
terminal. The page offers it only when the ``class`` group has a ``watch`` command."""

_STATIC = Path(_server_module.__file__).parent / "static"


# --- pieces that are tested on their own -------------------------------------------------------

class RateLimiter:
    """At most ``per_client`` failures per client and ``total`` in all, in a sliding ``window``.

    For failed sign-in codes: a code has 77.7 bits, so the limit is not what keeps it safe; it stops
    a script from hammering the store and says "slow down" to a person who mistypes.
    """

    def __init__(self, *, per_client: int = 5, total: int = 100, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_client, self.total, self.window, self.clock = per_client, total, window, clock
        self._clients: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()

    def _trim(self, times: deque[float], now: float) -> None:
        while times and times[0] <= now - self.window:
            times.popleft()

    def retry_after(self, client: str) -> float:
        """Seconds until ``client`` may try again (0: now)."""
        now = self.clock()
        self._trim(self._all, now)
        mine = self._clients.get(client, deque())
        self._trim(mine, now)
        waits = [0.0]
        if len(mine) >= self.per_client:
            waits.append(mine[0] + self.window - now)
        if len(self._all) >= self.total:
            waits.append(self._all[0] + self.window - now)
        return max(waits)

    def failed(self, client: str) -> None:
        now = self.clock()
        self._clients.setdefault(client, deque()).append(now)
        self._all.append(now)
        if len(self._clients) > 10_000:  # forget the quiet ones
            for key in [k for k, v in self._clients.items() if not v or v[-1] <= now - self.window]:
                del self._clients[key]


@dataclass(frozen=True)
class SessionClaims:
    trainee_id: str
    cohort: str
    epoch: int
    expires: float


class SessionCookies:
    """Signed session cookies: ``base64url(json).base64url(hmac-sha256)``."""

    def __init__(self, key: bytes, *, hours: float, clock: Callable[[], float] = time.time) -> None:
        self.key, self.seconds, self.clock = key, hours * 3600, clock

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self.key, body, hashlib.sha256).digest()

    def issue(self, member: RosterMember) -> str:
        claims = {"u": member.trainee_id, "c": member.cohort, "e": member.session_epoch,
                  "x": int(self.clock() + self.seconds)}
        body = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).rstrip(b"=")
        return (body + b"." + base64.urlsafe_b64encode(self._mac(body)).rstrip(b"=")).decode("ascii")

    def read(self, value: str | None) -> SessionClaims | None:
        """The claims of a genuine, unexpired cookie; None for anything else."""
        if not value or value.count(".") != 1:
            return None
        body, mac = value.encode("ascii", "replace").split(b".")
        try:
            given = base64.urlsafe_b64decode(mac + b"=" * (-len(mac) % 4))
        except ValueError:
            return None
        if not hmac.compare_digest(given, self._mac(body)):
            return None
        try:
            claims = json.loads(base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4)))
            result = SessionClaims(str(claims["u"]), str(claims["c"]), int(claims["e"]), float(claims["x"]))
        except (ValueError, KeyError, TypeError):
            return None
        return result if result.expires > self.clock() else None


def _networks(addresses: Sequence[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(ipaddress.ip_network(a, strict=False) for a in addresses)
    except ValueError as exc:
        raise CaseSimError(f"--trusted-proxy: {exc}", title="bad proxy address",
                           hint="give an address such as 127.0.0.1, ::1 or 10.0.0.0/24") from exc


def _in(address: str | None, networks: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)


def client_address(remote: str | None, forwarded_for: str | None,
                   trusted: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> str:
    """Who is asking, for the rate limit: the peer, or, when the peer is a trusted proxy, the last
    address it put in ``X-Forwarded-For`` (the one it saw; earlier ones are the client's word)."""
    if forwarded_for and _in(remote, trusted):
        return forwarded_for.split(",")[-1].strip() or (remote or "?")
    return remote or "?"


# --- configuration and identity ---------------------------------------------------------------

@dataclass(frozen=True)
class ServeConfig:
    """What ``casesim serve`` was started with."""

    child_command: Sequence[str]
    """``python -m casesim`` with the server's store and library flags; the session adds the rest."""
    state_dir: Path
    public_url: str
    session_hours: float = 12.0
    trust_header: str | None = None
    trusted_proxies: Sequence[str] = ("127.0.0.1", "::1")
    admins: frozenset[str] = frozenset()
    max_sessions: int = 200
    max_per_trainee: int = 3
    live_view: bool = False
    """``casesim class watch`` exists: instructors' pages link to it."""
    title: str = "casesim"
    child_env: Mapping[str, str] = field(default_factory=dict)
    """What every session's process gets in its environment besides its identity: a PostgreSQL
    store's URL, which may carry a password a command line would show (``ps``)."""


@dataclass(frozen=True)
class Identity:
    """Who a request is from, as the server established it."""

    trainee_id: str
    display_name: str
    role: Role
    teaches: tuple[str, ...]
    """The cohorts whose roster and attempts this identity may see (every one: administrators)."""
    via: Literal["code", "sso"]
    cohort: str | None = None
    """The roster whose code opened the session (None for single sign-on)."""


@dataclass
class _State:
    config: ServeConfig
    store: RecordStore
    cookies: SessionCookies
    limiter: RateLimiter
    trusted: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    downloads: DownloadManager = field(default_factory=DownloadManager)
    running: dict[str, int] = field(default_factory=dict)
    secure: bool = False
    sockets: set[web.WebSocketResponse] = field(default_factory=set)
    """The sessions' open websockets, closed when the server stops (:func:`_close_sessions`)."""


def _identity_for(state: _State, trainee_id: str, via: Literal["code", "sso"], cohort: str | None,
                  members: Sequence[RosterMember]) -> Identity | None:
    # Roles come from two places: the roster (`class add-instructor`, which also gives a sign-in
    # code) and the store's role grants (`class grant`, which the CLI's checks use too), so an
    # instructor or administrator granted either way is one here.
    grants = [g for g in state.store.roles() if g.actor == trainee_id]
    admin = trainee_id in state.config.admins or any(g.role == "administrator" for g in grants)
    if not members and not admin and not grants:
        return None
    teaches = tuple(sorted({m.cohort for m in members if m.role == "instructor"}
                           | {g.cohort for g in grants if g.role == "instructor" and g.cohort}))
    role: Role = "administrator" if admin else "instructor" if teaches else "student"
    if admin:
        teaches = tuple(state.store.rosters())
    name = next((m.display_name for m in members if m.cohort == cohort), None) or \
        next((m.display_name for m in members), trainee_id)
    return Identity(trainee_id, name, role, teaches, via, cohort)


class _Refused(Exception):
    """A request carried an identity that is not believed (an SSO header from elsewhere)."""


def identify(state: _State, request: web.Request) -> Identity | None:
    """The signed-in identity of ``request``: a trusted SSO header, else a valid session cookie."""
    header = state.config.trust_header
    if header and header in request.headers:
        if not _in(request.remote, state.trusted):
            raise _Refused(f"the {header} header came from {request.remote}, which is not a trusted proxy")
        user = " ".join(request.headers[header].split())
        if label_problem(user) is not None:
            raise _Refused(f"the {header} header does not hold a usable user id")
        return _identity_for(state, user, "sso", None, state.store.memberships(user))
    claims = state.cookies.read(request.cookies.get(SESSION_COOKIE))
    if claims is None:
        return None
    members = state.store.memberships(claims.trainee_id)
    current = next((m for m in members if m.cohort == claims.cohort), None)
    if current is None or current.session_epoch != claims.epoch:
        return None  # reissued, signed out, or removed
    return _identity_for(state, claims.trainee_id, "code", claims.cohort, members)


# --- pages ------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#fff;color:#111;
line-height:1.5}main{max-width:46rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem}label{display:block;font-weight:600;margin-top:1rem}
input{font:inherit;font-family:ui-monospace,monospace;font-size:1.3rem;padding:.4rem;width:100%;
max-width:22rem;border:2px solid #333;border-radius:4px;letter-spacing:.08em}
input:focus,button:focus,a:focus{outline:3px solid #0b57d0;outline-offset:2px}
button{font:inherit;padding:.5rem 1.2rem;margin-top:1rem;background:#0b57d0;color:#fff;border:0;border-radius:4px}
.error{border-left:4px solid #b3261e;background:#fdecea;padding:.5rem 1rem;margin:1rem 0}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{text-align:left;padding:.25rem .5rem;
border-bottom:1px solid #ccc}caption{text-align:left;font-weight:600}.hint{color:#333}
"""


def _page(title: str, body: str, *, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    text = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body><main>{body}</main></body></html>")
    response = web.Response(text=text, status=status, content_type="text/html", headers=headers)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = "default-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    return response


def _esc(value: object) -> str:
    return html.escape(visible(str(value), one_line=True))


def _csrf(request: web.Request) -> str:
    token = request.cookies.get(CSRF_COOKIE)
    return token if token and len(token) == 43 else secrets.token_urlsafe(32)


def _set_csrf(state: _State, response: web.StreamResponse, token: str) -> None:
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="Strict", secure=state.secure, path="/")


def _origin_ok(state: _State, request: web.Request) -> bool:
    """A form post or websocket from this site (or a client that sends no Origin: not a browser)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # the CSRF token still guards forms; a websocket without Origin is no browser's
    public = urlsplit(state.config.public_url)
    own = {f"{public.scheme}://{public.netloc}", f"{request.scheme}://{request.host}"}
    return origin in own


def _login_form(request: web.Request, state: _State, *, error: str | None = None, status: int = 200) -> web.Response:
    token = _csrf(request)
    problem = (f'<div class="error" id="code-error" role="alert"><p>{html.escape(error)}</p></div>' if error else "")
    described = "code-hint code-error" if error else "code-hint"
    invalid = ' aria-invalid="true"' if error else ""
    sso = ""
    if state.config.trust_header:
        sso = ("<p>If your program signs you in with its own account, open this page through the program's "
               "link instead; you will not need a code.</p>")
    body = (f"<h1>Sign in to {_esc(state.config.title)}</h1>{problem}"
            f'<form method="post" action="/login" novalidate>'
            f'<input type="hidden" name="csrf" value="{token}">'
            f'<label for="code">Sign-in code</label>'
            f'<p class="hint" id="code-hint">The code your instructor gave you, like ABCD-EFGH-JKMN-PQRS. '
            f"Capitals, spaces and dashes do not matter. A code works once; ask for a new one if yours was used.</p>"
            f'<input id="code" name="code" type="text" autocomplete="one-time-code" autocapitalize="characters" '
            f'spellcheck="false" required aria-describedby="{described}"{invalid} autofocus>'
            f'<div><button type="submit">Sign in</button></div></form>{sso}')
    response = _page(f"Sign in · {state.config.title}", body, status=status)
    _set_csrf(state, response, token)
    return response


def _terminal_page(state: _State, request: web.Request, who: Identity, websocket_path: str, heading: str) -> web.Response:
    static = "/static/"
    token = _csrf(request)
    ws_base = state.config.public_url.replace("https://", "wss://", 1).replace("http://", "ws://", 1).rstrip("/")
    signout = "" if who.via == "sso" else (
        f'<form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="{token}">'
        f'<button type="submit">Sign out</button></form>')
    extra = ' · <a href="/instructor">Classes</a>' if who.role != "student" else ""
    page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_esc(heading)}</title>
<link rel="stylesheet" href="{static}css/xterm.css"><script src="{static}js/textual.js"></script>
<style>
@font-face{{font-family:"Roboto Mono";src:url("{static}fonts/RobotoMono-VariableFont_wght.ttf")}}
html,body{{margin:0;height:100%;background:#0c181f;color:#eee;font-family:system-ui,sans-serif}}
header{{height:2.2rem;display:flex;align-items:center;gap:1rem;padding:0 .8rem;background:#12232d;font-size:.95rem}}
header a{{color:#9cd3ff}}header button{{font:inherit;background:#2a4a5c;color:#fff;border:0;padding:.2rem .8rem;
border-radius:3px}}form.inline{{margin:0 0 0 auto}}
#terminal{{position:absolute;top:2.2rem;left:0;right:0;bottom:0;width:auto;height:auto}}
/* textual.js gives .textual-terminal 100vw x 100vh: below the header that hid the bottom row (the keys) */
.dialog-container{{display:none}}body.-closed .closed-dialog{{display:flex;position:absolute;inset:2.2rem 0 0 0;
align-items:center;justify-content:center;background:#0c181f;z-index:10}}
.closed-dialog a{{color:#9cd3ff;font-size:1.2rem}}
</style></head><body>
<header><span>{_esc(heading)}</span><span>Signed in as {_esc(who.display_name)} ({_esc(who.trainee_id)})</span>{extra}{signout}</header>
<div class="dialog-container closed-dialog" role="status"><p>Session ended. <a href="{_esc(request.path)}">Start again</a></p></div>
<div id="terminal" class="textual-terminal" data-session-websocket-url="{ws_base}{websocket_path}" data-font-size="16"></div>
</body></html>"""
    response = web.Response(text=page, content_type="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    _set_csrf(state, response, token)
    return response


# --- the process of one browser session --------------------------------------------------------

class SessionService(AppService):
    """textual-serve's app process, with the signed-in identity and private folder in its
    environment (set by the server: the browser only sends keys and the window size)."""

    def __init__(self, command: str, extra_env: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(command, **kwargs)
        self.extra_env = dict(extra_env)

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        for name in ("CASESIM_DB", "CASESIM_DATA", ENV_TRAINEE, ENV_NAME, ENV_ROLE):
            environment.pop(name, None)  # only what this session is given
        environment.update(self.extra_env)
        return environment


def private_folder(state_dir: Path, trainee_id: str) -> Path:
    """The trainee's own data folder (``trainee.json``, settings), 0700, named by a digest of
    the id so an id never becomes a path."""
    folder = state_dir / "trainees" / hashlib.sha256(trainee_id.encode("utf-8")).hexdigest()[:32]
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    return folder


async def _run_session(state: _State, request: web.Request, who: Identity, args: Sequence[str]) -> web.WebSocketResponse:
    # textual-serve pings every 15 s and drops a socket whose answer takes 7.5 s; on a busy class
    # server a student's session must not end for that (measured: p95 frames of several seconds
    # on an overloaded 2-core machine), so the ping is rarer and the wait longer.
    websocket = web.WebSocketResponse(heartbeat=60)
    total = sum(state.running.values())
    if total >= state.config.max_sessions or state.running.get(who.trainee_id, 0) >= state.config.max_per_trainee:
        await websocket.prepare(request)
        await websocket.close(code=1013, message=b"too many sessions")
        return websocket
    width = _int(request.query.get("width"), 80)
    height = _int(request.query.get("height"), 24)
    folder = private_folder(state.config.state_dir, who.trainee_id)
    command = shlex.join([*state.config.child_command, "--data-dir", str(folder), *args])
    env = {**state.config.child_env, ENV_TRAINEE: who.trainee_id, ENV_NAME: who.display_name, ENV_ROLE: who.role}
    state.running[who.trainee_id] = state.running.get(who.trainee_id, 0) + 1
    service: SessionService | None = None
    try:
        await websocket.prepare(request)
        state.sockets.add(websocket)
        service = SessionService(command, env, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                                 close=websocket.close, download_manager=state.downloads)
        await service.start(width, height)
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
                kind, data = envelope[0], envelope[1]
            except (ValueError, IndexError, TypeError, KeyError):
                continue
            if kind == "stdin" and isinstance(data, str):
                await service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await service.set_terminal_size(_int(str(data.get("width")), 80), _int(str(data.get("height")), 24))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()
    except asyncio.CancelledError:
        await websocket.close()
    finally:
        state.sockets.discard(websocket)
        if service is not None:
            await service.stop()
        state.running[who.trainee_id] -= 1
        if not state.running[who.trainee_id]:
            del state.running[who.trainee_id]
    return websocket


def _int(value: str | None, default: int) -> int:
    try:
        return max(10, min(500, int(value))) if value is not None else default
    except ValueError:
        return default


# --- handlers ---------------------------------------------------------------------------------

_STATE = web.AppKey("casesim", _State)

ADMIN_SECTIONS = web.AppKey("casesim-admin-sections", list[Callable[[], str]])
"""HTML sections shown to administrators on ``/instructor`` (each called per page view, so it
shows the state of now), e.g. the LRS forwarder's (:mod:`casesim.cli.serve_lrs`)."""


def _who(request: web.Request) -> Identity | None:
    return identify(request.app[_STATE], request)


def _refused(message: str) -> web.Response:
    return _page("Not signed in", f"<h1>Sign-in refused</h1><p>{html.escape(message)}</p>"
                 "<p>Ask the person who runs casesim for your program.</p>", status=403)


def _not_on_roster(state: _State) -> web.Response:
    return _page("Not on a class roster", "<h1>You are not on a class roster</h1><p>Your account is known, but no "
                 f"class in {_esc(state.config.title)} lists you. Ask your instructor to add you.</p>", status=403)


def _require(request: web.Request) -> Identity:
    state = request.app[_STATE]
    try:
        who = identify(state, request)
    except _Refused as exc:
        raise web.HTTPForbidden(text=str(exc)) from None
    if who is None:
        if state.config.trust_header and state.config.trust_header in request.headers:
            raise web.HTTPForbidden(text="you are not on any class roster; ask your instructor to add you")
        raise web.HTTPFound("/login")
    return who


async def handle_index(request: web.Request) -> web.StreamResponse:
    who = _require(request)
    if who.role != "student":
        raise web.HTTPFound("/instructor")
    return _terminal_page(request.app[_STATE], request, who, "/ws", request.app[_STATE].config.title)


async def handle_play(request: web.Request) -> web.StreamResponse:
    who = _require(request)
    return _terminal_page(request.app[_STATE], request, who, "/ws", request.app[_STATE].config.title)


async def handle_login_page(request: web.Request) -> web.StreamResponse:
    state = request.app[_STATE]
    try:
        who = identify(state, request)
    except _Refused as exc:
        return _refused(str(exc))
    if who is not None:
        raise web.HTTPFound("/")
    return _login_form(request, state)


async def handle_login(request: web.Request) -> web.StreamResponse:
    state = request.app[_STATE]
    form = await request.post()
    cookie_token = request.cookies.get(CSRF_COOKIE)
    if not _origin_ok(state, request) or not cookie_token or not hmac.compare_digest(
            str(form.get("csrf", "")), cookie_token):
        return _login_form(request, state, status=400,
                           error="This sign-in form was out of date. Type your code again and sign in.")
    client = client_address(request.remote, request.headers.get("X-Forwarded-For"), state.trusted)
    wait = state.limiter.retry_after(client)
    if wait > 0:
        response = _login_form(request, state, status=429,
                               error=f"Too many codes that did not work. Wait {int(wait) + 1} seconds, then try again.")
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    code = normalise_code(str(form.get("code", "")))
    member = state.store.redeem_code(code_digest(code)) if code is not None else None
    if member is None:
        state.limiter.failed(client)
        log.info("a sign-in code was refused (from %s)", client)
        return _login_form(request, state, status=401,
                           error="That code did not work. Check it against your slip; a code works only once, "
                                 "so if you used it before, ask your instructor for a new one.")
    log.info("%s signed in to %s with a code", member.trainee_id, member.cohort)
    response = web.HTTPFound("/")
    response.set_cookie(SESSION_COOKIE, state.cookies.issue(member), httponly=True, samesite="Lax",
                        secure=state.secure, path="/", max_age=int(state.config.session_hours * 3600))
    raise response


async def handle_logout(request: web.Request) -> web.StreamResponse:
    state = request.app[_STATE]
    form = await request.post()
    cookie_token = request.cookies.get(CSRF_COOKIE)
    if not _origin_ok(state, request) or not cookie_token or not hmac.compare_digest(
            str(form.get("csrf", "")), cookie_token):
        raise web.HTTPBadRequest(text="the sign-out form was out of date; reload the page and sign out again")
    claims = state.cookies.read(request.cookies.get(SESSION_COOKIE))
    if claims is not None:
        state.store.end_sessions(claims.cohort, claims.trainee_id)
    response = _page("Signed out", "<h1>Signed out</h1><p>Your session has ended on every browser it was "
                     "open in. To sign in again you need a new code from your instructor.</p>"
                     '<p><a href="/login">Sign in</a></p>')
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


async def handle_websocket(request: web.Request) -> web.StreamResponse:
    state = request.app[_STATE]
    if not _origin_ok(state, request):
        raise web.HTTPForbidden(text="websocket from another site refused")
    who = _require(request)
    return await _run_session(state, request, who, ["serve-session"])


def _may_teach(who: Identity, cohort: str) -> None:
    if cohort not in who.teaches:
        raise web.HTTPForbidden(text="you do not teach that class")


async def handle_live_page(request: web.Request) -> web.StreamResponse:
    state = request.app[_STATE]
    who = _require(request)
    cohort = request.match_info["cohort"]
    _may_teach(who, cohort)
    if not state.config.live_view:
        raise web.HTTPNotFound(text="the live view is not part of this casesim")
    _disclosed(state, who, "watch", cohort, [m.trainee_id for m in state.store.roster_members(cohort)], ())
    return _terminal_page(state, request, who, "/ws/live/" + quote(cohort, safe=""), f"Live view · {cohort}")


async def handle_live_websocket(request: web.Request) -> web.StreamResponse:
    state = request.app[_STATE]
    if not _origin_ok(state, request):
        raise web.HTTPForbidden(text="websocket from another site refused")
    who = _require(request)
    cohort = request.match_info["cohort"]
    _may_teach(who, cohort)
    if not state.config.live_view:
        raise web.HTTPNotFound()
    return await _run_session(state, request, who, [*LIVE_VIEW, cohort])


def _disclosed(state: _State, who: Identity, action: AuditAction, cohort: str, trainees: Sequence[str],
               attempts: Sequence[str]) -> None:
    """Write the audit entry of an instructor's page (FERPA's record of disclosures): who saw
    which class's roster and attempts, and when, as the CLI's report and export commands do."""
    state.store.record_audit(AuditEntry(actor=who.trainee_id, action=action, trainees=tuple(sorted(set(trainees))),
                                        cohort=cohort, attempts=tuple(attempts),
                                        detail={"command": f"casesim serve ({action} page)", "via": who.via}))


async def handle_instructor(request: web.Request) -> web.StreamResponse:
    state = request.app[_STATE]
    who = _require(request)
    if who.role == "student":
        raise web.HTTPForbidden(text="this page is for instructors")
    parts = [f"<h1>Your classes</h1><p>Signed in as {_esc(who.display_name)} ({_esc(who.trainee_id)}), "
             f"{who.role}. <a href=\"/play\">Play scenarios</a></p>"]
    if not who.teaches:
        parts.append("<p>No classes yet: <code>casesim class create COHORT</code> makes one.</p>")
    for cohort in who.teaches:
        members = state.store.roster_members(cohort)
        attempts = state.store.attempts(cohort=cohort)
        _disclosed(state, who, "roster", cohort, [m.trainee_id for m in members], [a.id for a in attempts])
        live = (f' <a href="/instructor/live/{quote(cohort, safe="")}">Live view</a>' if state.config.live_view else "")
        parts.append(f"<section><h2>{_esc(cohort)}</h2>{live}")
        rows = "".join(f"<tr><td>{_esc(m.trainee_id)}</td><td>{_esc(m.display_name)}</td><td>{_esc(m.role)}</td>"
                       f"<td>{_esc(m.code_used_at or 'not yet')}</td></tr>" for m in members)
        parts.append(f"<table><caption>Roster ({len(members)})</caption><thead><tr><th scope=col>Id</th>"
                     f"<th scope=col>Name</th><th scope=col>Role</th><th scope=col>Signed in</th></tr></thead>"
                     f"<tbody>{rows}</tbody></table>")
        rows = "".join(
            f"<tr><td>{_esc(a.trainee_id)}</td><td>{_esc(a.scenario_id)}</td><td>{_esc(a.mode)}</td>"
            f"<td>{_esc(a.status)}</td><td>{_esc(a.verdict or '')}</td><td>{_esc(a.started_at[:19])}</td></tr>"
            for a in reversed(attempts))
        parts.append(f"<table><caption>Attempts ({len(attempts)})</caption><thead><tr><th scope=col>Trainee</th>"
                     f"<th scope=col>Scenario</th><th scope=col>Mode</th><th scope=col>Status</th>"
                     f"<th scope=col>Result</th><th scope=col>Started (UTC)</th></tr></thead><tbody>{rows}</tbody>"
                     "</table></section>")
    if who.role == "administrator":
        parts.extend(section() for section in request.app[ADMIN_SECTIONS])
    if who.via == "code":
        token = _csrf(request)
        parts.append(f'<form method="post" action="/logout"><input type="hidden" name="csrf" value="{token}">'
                     '<button type="submit">Sign out</button></form>')
        response = _page(f"Classes · {state.config.title}", "".join(parts))
        _set_csrf(state, response, token)
        return response
    return _page(f"Classes · {state.config.title}", "".join(parts))


async def handle_download(request: web.Request) -> web.StreamResponse:
    _require(request)
    state = request.app[_STATE]
    key = request.match_info["key"]
    try:
        meta = await state.downloads.get_download_metadata(key)
    except KeyError:
        raise web.HTTPNotFound(text="no such download") from None
    response = web.StreamResponse()
    response.headers["Content-Type"] = meta.mime_type + (f"; charset={meta.encoding}" if meta.encoding else "")
    disposition = "inline" if meta.open_method == "browser" else "attachment"
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(meta.file_name)}"
    await response.prepare(request)
    async for chunk in state.downloads.download(key):
        await response.write(chunk)
    await response.write_eof()
    return response


async def handle_health(request: web.Request) -> web.StreamResponse:
    return web.Response(text="ok\n")


@web.middleware
async def _store_trouble(request: web.Request,
                         handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    """A page whose store is unreachable or refuses (the database down, a role without a GRANT)
    answers 503 with casesim's own message, and the journal gets one line saying what and where,
    not aiohttp's traceback and a bare "500 Internal Server Error". Nothing was written: every
    store write is one transaction."""
    try:
        return await handler(request)
    except StoreError as exc:
        log.error("%s %s: %s%s", request.method, request.path, visible(exc.message, one_line=True),
                  f" ({visible(exc.hint, one_line=True)})" if exc.hint else "")
        return _page("casesim is unavailable",
                     "<h1>casesim cannot reach its records right now</h1><p>Nothing you did was lost. Try again in "
                     "a minute; if this stays, tell your instructor or the administrator, who will find the "
                     f"reason in the server's log.</p><p><small>{_esc(exc.title or 'records')}</small></p>",
                     status=503, headers={"Retry-After": "30"})


async def _close_sessions(app: web.Application) -> None:
    """When the server stops, close every session's websocket ("going away"), which ends its loop
    and quits its process. Without this the server waited for each open browser tab until
    aiohttp's shutdown timeout (a minute) before it cancelled them, and a stop or restart of the
    service hung that long. What a student had chosen is already durable; an attempt in progress
    stays resumable."""
    state = app[_STATE]
    await asyncio.gather(*(ws.close(code=WSCloseCode.GOING_AWAY, message=b"the server is stopping")
                           for ws in list(state.sockets)), return_exceptions=True)


def build_app(config: ServeConfig, store: RecordStore, key: bytes, *,
              limiter: RateLimiter | None = None, clock: Callable[[], float] = time.time) -> web.Application:
    """The aiohttp application of ``casesim serve`` (tests drive it with aiohttp's test client)."""
    app = web.Application(client_max_size=64 * 1024, middlewares=[_store_trouble])
    state = _State(config=config, store=store, cookies=SessionCookies(key, hours=config.session_hours, clock=clock),
                   limiter=limiter or RateLimiter(), trusted=_networks(config.trusted_proxies),
                   secure=config.public_url.startswith("https://"))
    app[_STATE] = state
    app[ADMIN_SECTIONS] = []
    app.on_shutdown.append(_close_sessions)
    app.add_routes([
        web.get("/", handle_index), web.get("/play", handle_play),
        web.get("/login", handle_login_page), web.post("/login", handle_login), web.post("/logout", handle_logout),
        web.get("/ws", handle_websocket), web.get("/instructor", handle_instructor),
        web.get("/instructor/live/{cohort}", handle_live_page), web.get("/ws/live/{cohort}", handle_live_websocket),
        web.get("/download/{key}", handle_download), web.get("/healthz", handle_health),
        web.static("/static", _STATIC),
    ])
    return app


def child_command(flags: Sequence[str]) -> list[str]:
    """How a session's process starts: this Python, ``-m casesim``, the server's flags."""
    return [sys.executable, "-m", "casesim", *flags]
