"""A loopback HTTP relay between the forwarder and the LRS that can stop mid-batch.

Each request is passed on to the LRS in full and the LRS's answer read in full; ``decide(n)``
(n counts POSTs from 1) then says what the forwarder gets: ``"relay"`` the answer, ``"hold"``
nothing (the connection stays open until :meth:`close`; :attr:`held` is set, so a test can kill
the forwarder while the LRS has accepted a batch it was never told about), or ``"drop"`` a closed
connection (:attr:`dropped` is set; what a forwarder sees when the LRS dies before answering).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

import httpx

from support.ralph_lrs import free_port


class Relay:
    def __init__(self, target_port: int, decide: Callable[[int], str]) -> None:
        self.target_port = target_port
        self.decide = decide
        self.port = free_port()
        self.posts = 0
        self.held = threading.Event()
        self.dropped = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", self.port))
        self._server.settimeout(0.2)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _read_request(self, conn: socket.socket, buffer: bytes) -> tuple[bytes, bytes] | None:
        while b"\r\n\r\n" not in buffer:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            buffer += chunk
        head, rest = buffer.split(b"\r\n\r\n", 1)
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            rest += chunk
        return head + b"\r\n\r\n" + rest[:length], rest[length:]

    def _handle(self, conn: socket.socket) -> None:
        buffer = b""
        with conn:
            while True:
                got = self._read_request(conn, buffer)
                if got is None:
                    return
                request, buffer = got
                head, body = request.split(b"\r\n\r\n", 1)
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])
                           if k.strip().lower() not in ("host", "content-length", "connection")}
                try:
                    answer = httpx.request(method, f"http://127.0.0.1:{self.target_port}{path}", headers=headers,
                                           content=body, timeout=60)
                except httpx.TransportError:
                    return  # the LRS is down: the forwarder sees a dropped connection
                action = "relay"
                if method == "POST":
                    with self._lock:
                        self.posts += 1
                        n = self.posts
                    action = self.decide(n)
                if action == "hold":
                    self.held.set()
                    self._stop.wait()
                    return
                if action == "drop":
                    self.dropped.set()
                    return
                reason = answer.reason_phrase or "OK"
                out = [f"HTTP/1.1 {answer.status_code} {reason}", f"content-length: {len(answer.content)}"]
                out += [f"{k}: {v}" for k, v in answer.headers.items()
                        if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding")]
                conn.sendall(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + answer.content)

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        self._thread.join(5)
