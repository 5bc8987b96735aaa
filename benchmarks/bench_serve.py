"""``casesim serve`` under a class: keypress → next frame with 25 sessions against one alone, and memory.

Starts the real server (``casesim serve``, single sign-on header trusted from loopback, so no codes
are spent) on a temporary store and a library of three bundled scenarios, and opens sessions as raw websocket
clients speaking textual-serve's protocol (``["stdin", keys]`` up, terminal bytes down), which is
what the page's xterm.js does. Each session waits until its library is drawn (read with pyte),
then presses down and up in turn; a sample is the time from sending the key to the first frame of
the answer. One session alone is the baseline; then 25 at once, every session pressing keys at
the same pace (one key per ~250 ms each: a class clicking through, not a storm). Memory is the
resident set of each session's casesim process (read from /proc; shared library pages count in
each, so it overstates what 25 really add) and of the server.

    .venv/bin/python benchmarks/bench_serve.py [--sessions 25] [--samples 30]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import aiohttp
import pyte

ROOT = Path(__file__).resolve().parents[1]
HEADER = "X-Bench-User"
WIDTH, HEIGHT = 120, 36
READY = "Enter: read the notes and start"
LIBRARY = ("example-check-in.yaml", "privacy-parent-calls-otp.yaml", "boundaries-gift-friend-request.yaml")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Session:
    def __init__(self, user: str) -> None:
        self.user = user
        self.screen = pyte.Screen(WIDTH, HEIGHT)
        self.stream = pyte.ByteStream(self.screen)
        self.last_frame = 0.0
        self.frame = asyncio.Event()
        self.samples: list[float] = []

    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def run(self, url: str, ready: asyncio.Event, go: asyncio.Event, samples: int, done: list[str]) -> None:
        async with aiohttp.ClientSession(headers={HEADER: self.user}) as http, \
                http.ws_connect(f"{url}/ws?width={WIDTH}&height={HEIGHT}", max_msg_size=0) as ws:
            reader = asyncio.create_task(self._read(ws))
            deadline = time.monotonic() + 900  # a loaded machine starts 25 Pythons slowly
            while READY not in self.text():
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.user}: the library was not drawn in 900 s")
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)  # let the first-run work (analyses in the background) settle
            done.append(self.user)
            ready.set()
            await go.wait()
            await asyncio.sleep(random.uniform(0, 0.25))  # students do not press in lockstep
            for n in range(samples):
                self.frame.clear()
                start = time.perf_counter()
                await ws.send_json(["stdin", "\x1b[B" if n % 2 == 0 else "\x1b[A"])
                await asyncio.wait_for(self.frame.wait(), 30)
                self.samples.append(self.last_frame - start)
                await asyncio.sleep(random.uniform(0.15, 0.35))
            reader.cancel()

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for message in ws:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.last_frame = time.perf_counter()
                self.stream.feed(message.data)
                self.frame.set()


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid=,comm="], capture_output=True, text=True, check=True).stdout
    children: dict[int, list[tuple[int, str]]] = {}
    for line in out.splitlines():
        p, pp, comm = line.split(None, 2)
        children.setdefault(int(pp), []).append((int(p), comm))
    found, todo = [], [pid]
    while todo:
        for child, comm in children.get(todo.pop(), []):
            todo.append(child)
            if comm.startswith(("python", "casesim")):
                found.append(child)
    return found


async def measure(url: str, users: list[str], samples: int, server_pid: int) -> tuple[list[float], list[int]]:
    sessions = [Session(u) for u in users]
    ready, go = asyncio.Event(), asyncio.Event()
    done: list[str] = []
    tasks: list[asyncio.Task[None]] = []
    for session in sessions:  # a class arrives over a few seconds, not in one millisecond
        tasks.append(asyncio.create_task(session.run(url, ready, go, samples, done)))
        await asyncio.sleep(0.5)
    try:
        while len(done) < len(sessions):
            for t in tasks:
                if t.done() and t.exception():
                    raise RuntimeError("a session failed") from t.exception()
            await asyncio.sleep(0.2)
    except BaseException:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    memory = [rss_kib(p) for p in descendants(server_pid)]
    go.set()
    await asyncio.gather(*tasks)
    return [x for s in sessions for x in s.samples], memory


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=25)
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "class.db"
        env = {**os.environ, "CASESIM_DATA": str(folder / "data"), "CASESIM_CACHE_DIR": str(folder / "cache")}
        users = [f"s{1000 + i}" for i in range(args.sessions + 1)]
        from casesim.records import open_store
        from casesim.records.classroom import code_digest, new_code

        with open_store(db) as store:
            store.create_roster("Bench", created_by="bench")
            for user in users:
                store.add_roster_member("Bench", user, user, "student", code_digest(new_code()))
        library = folder / "library"
        library.mkdir()
        for name in LIBRARY:
            shutil.copy(ROOT / "scenarios" / name, library / name)
        port = free_port()
        casesim = [str(Path(sys.executable).with_name("casesim"))]
        server = subprocess.Popen([*casesim, "--db", str(db), "--scenarios", str(library), "serve", "--port", str(port), "--trust-header", HEADER,
                                   "--max-sessions", "100"], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(url + "/healthz", timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            # warm the analysis cache once, so every later session starts as a class's would
            asyncio.run(measure(url, users[-1:], 2, server.pid))
            alone, alone_memory = asyncio.run(measure(url, users[:1], args.samples, server.pid))
            server_alone = rss_kib(server.pid)
            class_started = time.perf_counter()
            many, memory = asyncio.run(measure(url, users[1:args.sessions + 1], args.samples, server.pid))
            class_seconds = time.perf_counter() - class_started
            server_many = rss_kib(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=20)
    ms = 1000.0
    print(f"keypress -> next frame, {args.samples} keys per session (down/up in the library), ms")
    print(f"  1 session alone:       median {statistics.median(alone) * ms:6.1f}  p95 {p95(alone) * ms:6.1f}")
    print(f"  {args.sessions} sessions at once:  median {statistics.median(many) * ms:6.1f}  "
          f"p95 {p95(many) * ms:6.1f}  ({len(many)} keys)")
    print(f"  ratio ({args.sessions} / 1):         median {statistics.median(many) / statistics.median(alone):5.2f}x"
          f"  p95 {p95(many) / p95(alone):5.2f}x")
    per = statistics.mean(memory) / 1024 if memory else float("nan")
    print(f"memory (RSS): {len(memory)} session processes, {per:.0f} MiB each on average "
          f"(min {min(memory) / 1024:.0f}, max {max(memory) / 1024:.0f}); one alone {statistics.mean(alone_memory) / 1024:.0f} MiB; "
          f"server {server_alone / 1024:.0f} MiB alone, {server_many / 1024:.0f} MiB with {args.sessions}")
    print(f"  ratio: a session's process / the server = {per / (server_alone / 1024):.2f}x; "
          f"{args.sessions} sessions ~ {per * args.sessions / 1024:.2f} GiB")
    print(f"  (opening {args.sessions} sessions, half a second apart, and playing took {class_seconds:.0f} s; "
          f"{os.cpu_count()} CPU cores; load average {os.getloadavg()[0]:.1f} at the end)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
