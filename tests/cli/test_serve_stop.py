"""Stopping ``casesim serve`` while students are connected: their sessions are told the server is
going away and the server exits by itself, rather than waiting on each open tab until aiohttp's
shutdown timeout (a minute) while a service restart hangs."""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
from pathlib import Path

import aiohttp

from support.browser import free_port, running_server
from support.paths import ROOT

EXAMPLE = ROOT / "scenarios" / "example-check-in.yaml"


async def _open_session(base: str) -> tuple[aiohttp.ClientSession, aiohttp.ClientWebSocketResponse]:
    """A signed-in browser tab, as the SSO proxy would send it: the user header from a trusted
    address, and the session's websocket once the app has drawn its first bytes."""
    client = aiohttp.ClientSession(headers={"X-Forwarded-User": "admin1"})
    page = await client.get(base + "/play")
    assert page.status == 200, await page.text()
    ws = await client.ws_connect(base + "/ws?width=80&height=24", headers={"Origin": base})
    while True:
        message = await asyncio.wait_for(ws.receive(), timeout=60)
        assert message.type == aiohttp.WSMsgType.BINARY, message
        if b"casesim" in message.data:
            return client, ws


async def _closed_by_server(ws: aiohttp.ClientWebSocketResponse) -> aiohttp.WSMessage:
    while True:
        message = await asyncio.wait_for(ws.receive(), timeout=60)
        if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
            return message


def test_sigterm_closes_open_sessions_and_the_server_exits(tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    shutil.copy(EXAMPLE, library / EXAMPLE.name)
    env = {"CASESIM_DATA": str(tmp_path / "data"), "HOME": str(tmp_path), "TZ": "UTC", "LANG": "C.UTF-8",
           "CASESIM_CACHE_DIR": str(tmp_path / "cache")}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    flags = ["--db", str(tmp_path / "class.db"), "--scenarios", str(library)]
    with running_server(flags, env, port, log, ["--trust-header", "X-Forwarded-User", "--admin", "admin1"]) as server:
        async def scenario() -> aiohttp.WSMessage:
            client, ws = await _open_session(base)
            try:
                server.send_signal(signal.SIGTERM)
                return await _closed_by_server(ws)
            finally:
                await client.close()

        closed = asyncio.run(scenario())
        # The server said why, and stopped by itself (running_server would kill it after 10 s).
        assert closed.type == aiohttp.WSMsgType.CLOSE and closed.data == aiohttp.WSCloseCode.GOING_AWAY, closed
        assert server.wait(timeout=30) == 0, log.read_text(errors="replace")
    assert "Traceback" not in log.read_text(errors="replace")
    # No session process outlives the server.
    left = subprocess.run(["pgrep", "-f", f"--data-dir {tmp_path}"], capture_output=True, text=True)
    assert left.stdout.strip() == "", left.stdout
