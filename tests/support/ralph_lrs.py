"""A real Ralph LRS (ralph-malph, fs backend) started on 127.0.0.1 for the tests.

:class:`RalphLRS` starts ``ralph.api:app`` under uvicorn in a subprocess (through
``ralph_launcher.py``, which patches two fs-backend bugs of Ralph 5.1.0) with its own temporary
folder for the statements and a Basic-auth user, on a free port. It can be killed (SIGKILL) and
started again on the same port and folder, as an LRS that crashed and came back.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import bcrypt
import httpx

LAUNCHER = Path(__file__).with_name("ralph_launcher.py")
USER = "casesim-test"
PASSWORD = "correct horse battery staple"


def _die_with_parent() -> None:
    """In the child: ask Linux to SIGKILL it when the test process dies (a killed pytest runs no
    fixture teardown, and an orphaned LRS would hold its port)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RalphLRS:
    """One Ralph LRS process; :attr:`endpoint` is its xAPI root."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "auth.json").write_text(json.dumps([{
            "username": USER,
            "hash": bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode(),
            "scopes": ["all"],
            "agent": {"mbox": "mailto:casesim-test@example.org"},
        }]), encoding="utf-8")

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI"

    def start(self, timeout: float = 30.0) -> None:
        env = {**os.environ, "RALPH_APP_DIR": str(self.folder), "RALPH_AUTH_FILE": str(self.folder / "auth.json"),
               "RALPH_RUNSERVER_BACKEND": "fs", "RALPH_RUNSERVER_AUTH_BACKENDS": "basic",
               "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.folder)}
        with (self.folder / "ralph.log").open("ab") as log:  # the child keeps its own copy of the handle
            self.process = subprocess.Popen([sys.executable, str(LAUNCHER), "127.0.0.1", str(self.port)],
                                            cwd=self.folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            preexec_fn=_die_with_parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Ralph exited with {self.process.returncode}: {self.log()[-2000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"Ralph did not answer within {timeout} s: {self.log()[-2000:]}")

    def log(self) -> str:
        path = self.folder / "ralph.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def kill(self) -> None:
        """SIGKILL, as a crash: no shutdown handler runs."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def client(self) -> httpx.Client:
        return httpx.Client(auth=(USER, PASSWORD), headers={"X-Experience-API-Version": "1.0.3"}, timeout=30)

    def statements(self) -> list[dict[str, Any]]:
        """Every statement the LRS holds, following ``more`` links page by page."""
        out: list[dict[str, Any]] = []
        with self.client() as client:
            url: str | None = f"{self.endpoint}/statements?limit=100"
            while url:
                response = client.get(url)
                response.raise_for_status()
                page = response.json()
                out.extend(page["statements"])
                more = page.get("more")
                url = f"http://127.0.0.1:{self.port}{more}" if more else None
        return out
