"""``casesim serve`` under a class: keypress → next frame with 25 sessions against one alone, and memory.

Starts the real server (``casesim serve``, single sign-on header trusted from loopback, so no codes
are spent) on a temporary store and a library of three bundled scenarios, and opens sessions as raw websocket
clients speaking textual-serve's protocol (``["stdin", keys]`` up, terminal bytes down), which is
what the page's xterm.js does. Each session waits until its library is drawn (read with pyte),
then presses down and up in turn; a sample is the time from sending the key to the first frame of
the answer. One session alone is the baseline; then 25 at once, every session pressing keys at
the same pace (one key every 0.75-1.75 s each: a class clicking through, not a storm). Memory is the
resident set of each session's casesim process (read from /proc; shared library pages count in
each, so it overstates what 25 really add) and of the server.

With ``--lrs`` it measures what the LRS forwarder of ``casesim serve --lrs-endpoint`` costs the
sessions instead: the same class twice on a store whose outbox is on, while a writer in this
process records an expert attempt every ``--write-every`` seconds (about 11 statements each, far
more than a class makes), first with no forwarder (the statements pile up), then with the server
forwarding them every second to a real Ralph LRS on loopback (tests/support/ralph_lrs.py; the dev
dependencies). The ratio on/off of keypress -> frame is the forwarder's cost.

    .venv/bin/python benchmarks/bench_serve.py [--sessions 25] [--samples 30]
    .venv/bin/python benchmarks/bench_serve.py --lrs [--sessions 10] [--samples 20]
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
import threading
import time
import urllib.request
from pathlib import Path

import aiohttp
import pyte

ROOT = Path(__file__).resolve().parents[1]
HEADER = "X-Bench-User"
WIDTH, HEIGHT = 120, 36
READY = "Enter: read the notes and start"
IDLE_SECONDS = 10.0
IDLE_CPU: list[float] = []
"""Per measure(): CPU seconds per second of one session process while nobody types."""
PACE = (0.75, 1.75)
"""Seconds between one session's keys: a student moving through a list or choosing, faster than
anyone reads a scenario, so the class's load is higher than a real one's."""
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
        self.feed_errors: list[str] = []

    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def run(self, url: str, ready: asyncio.Event, go: asyncio.Event, samples: int, done: list[str]) -> None:
        async with aiohttp.ClientSession(headers={HEADER: self.user}) as http, \
                http.ws_connect(f"{url}/ws?width={WIDTH}&height={HEIGHT}", max_msg_size=0) as ws:
            reader = asyncio.create_task(self._read(ws))
            deadline = time.monotonic() + 900  # a loaded machine starts 25 Pythons slowly
            while READY not in self.text():
                if time.monotonic() > deadline or (reader.done() and READY not in self.text()):
                    why = "took over 900 s"
                    if reader.done():
                        why = f"ended: {reader.exception()!r}" if reader.exception() else "ended: socket closed"
                    raise RuntimeError(f"{self.user}: the library was not drawn (the session {why})")
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)  # let the first-run work (analyses in the background) settle
            done.append(self.user)
            print(f"  {self.user} ready ({len(done)})", file=sys.stderr, flush=True)
            ready.set()
            await go.wait()
            await asyncio.sleep(random.uniform(0, 0.25))  # students do not press in lockstep
            for n in range(samples):
                self.frame.clear()
                start = time.perf_counter()
                await ws.send_json(["stdin", "\x1b[B" if n % 2 == 0 else "\x1b[A"])
                await asyncio.wait_for(self.frame.wait(), 30)
                self.samples.append(self.last_frame - start)
                await asyncio.sleep(random.uniform(*PACE))
            reader.cancel()

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for message in ws:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.last_frame = time.perf_counter()
                self.frame.set()
                try:
                    self.stream.feed(message.data)
                except Exception as exc:  # pyte's parser, not the session: keep timing frames
                    self.feed_errors.append(repr(exc))


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    pids = descendants(server_pid)
    memory = [rss_kib(p) for p in pids]
    before = sum(cpu_seconds(p) for p in pids)
    await asyncio.sleep(IDLE_SECONDS)
    idle = (sum(cpu_seconds(p) for p in pids) - before) / IDLE_SECONDS / max(1, len(pids))
    IDLE_CPU.append(idle)
    go.set()
    await asyncio.gather(*tasks)
    return [x for s in sessions for x in s.samples], memory


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def start_server(args: argparse.Namespace, folder: Path, users: list[str],
                 serve_args: list[str]) -> tuple[subprocess.Popen[bytes], str, Path]:
    """A fresh store with a roster of ``users``, a library of three scenarios, and the server on it."""
    from casesim.records import open_store
    from casesim.records.classroom import code_digest, new_code

    db = folder / "class.db"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "CASESIM_DATA": str(folder / "data"),
           "CASESIM_CACHE_DIR": str(folder / "cache")}
    with open_store(db) as store:
        store.create_roster("Bench", created_by="bench")
        for user in users:
            store.add_roster_member("Bench", user, user, "student", code_digest(new_code()))
    library = folder / "library"
    library.mkdir()
    for name in LIBRARY:
        shutil.copy(ROOT / "scenarios" / name, library / name)
    port = free_port()
    log = args.server_log.open("ab") if args.server_log else subprocess.DEVNULL
    casesim = [str(Path(sys.executable).with_name("casesim"))]
    server = subprocess.Popen([*casesim, "--db", str(db), "--scenarios", str(library), "serve", "--port", str(port),
                               "--trust-header", HEADER, "--max-sessions", "100", *serve_args],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return server, url, db


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        for pid in descendants(server.pid):
            os.kill(pid, 9)
        server.kill()
        server.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=25)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--server-log", type=Path, default=None, help="keep the server's output (and its sessions' errors) here")
    parser.add_argument("--lrs", action="store_true", help="measure the LRS forwarder's cost (see above)")
    parser.add_argument("--write-every", type=float, default=1.0, metavar="SECONDS",
                        help="with --lrs: one expert attempt recorded this often")
    args = parser.parse_args()
    if args.lrs:
        return lrs_main(args)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        users = [f"s{1000 + i}" for i in range(args.sessions + 1)]
        server, url, _db = start_server(args, folder, users, [])
        try:
            # warm the analysis cache once, so every later session starts as a class's would
            asyncio.run(measure(url, users[-1:], 2, server.pid))
            alone, alone_memory = asyncio.run(measure(url, users[:1], args.samples, server.pid))
            server_alone = rss_kib(server.pid)
            class_started = time.perf_counter()
            many, memory = asyncio.run(measure(url, users[1:args.sessions + 1], args.samples, server.pid))
            class_seconds = time.perf_counter() - class_started
            server_many = rss_kib(server.pid)
        finally:
            stop_server(server)
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
    print(f"idle CPU per session process (nobody typing, {IDLE_SECONDS:.0f} s): alone {IDLE_CPU[1] * 100:.1f}% "
          f"of a core, with {args.sessions} open {IDLE_CPU[2] * 100:.1f}% each")
    print(f"  ratio: a session's process / the server = {per / (server_alone / 1024):.2f}x; "
          f"{args.sessions} sessions ~ {per * args.sessions / 1024:.2f} GiB")
    print(f"  (opening {args.sessions} sessions, half a second apart, and playing took {class_seconds:.0f} s; "
          f"{os.cpu_count()} CPU cores; load average {os.getloadavg()[0]:.1f} at the end)")
    return 0


def _writer(db: Path, every: float, stop: threading.Event, written: list[int]) -> None:
    """Record an expert attempt every ``every`` seconds, as a session's process records one."""
    sys.path.insert(0, str(ROOT / "tests"))
    from casesim.authoring.pipeline import require_scenario
    from casesim.records import open_store
    from casesim.scoring.catalog import load_catalog
    from support.records import EXPERT, play

    catalog = load_catalog(ROOT / "scoring")
    example = require_scenario(ROOT / "scenarios" / "example-check-in.yaml", catalog)
    with open_store(db) as store:
        while not stop.is_set():
            started = time.monotonic()
            play(store, example, catalog, f"w{len(written) % 40}", EXPERT)
            written.append(1)
            stop.wait(max(0.0, every - (time.monotonic() - started)))


def lrs_main(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT / "tests"))
    from casesim.records import open_store
    from casesim.records.api import OutboxSettings
    from support.ralph_lrs import PASSWORD, USER, RalphLRS

    results: dict[str, tuple[list[float], int, int, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        ralph = RalphLRS(Path(tmp) / "ralph")
        ralph.start()
        try:
            for label in ("off", "on"):
                folder = Path(tmp) / label
                folder.mkdir()
                users = [f"s{1000 + i}" for i in range(args.sessions + 1)]
                serve_args: list[str] = []
                if label == "on":
                    serve_args = ["--lrs-endpoint", ralph.endpoint, "--lrs-user", USER, "--lrs-interval", "1"]
                    os.environ["CASESIM_LRS_PASSWORD"] = PASSWORD  # the server's environment, never its flags
                server, url, db = start_server(args, folder, users, serve_args)
                with open_store(db) as store:
                    store.configure_outbox(OutboxSettings("https://sim.example.edu", "https://sim.example.edu"))
                stop, written = threading.Event(), list[int]()
                writer = threading.Thread(target=_writer, args=(db, args.write_every, stop, written))
                try:
                    asyncio.run(measure(url, users[-1:], 2, server.pid))  # warm the analysis cache
                    writer.start()
                    many, _memory = asyncio.run(measure(url, users[:args.sessions], args.samples, server.pid))
                finally:
                    stop.set()
                    if writer.is_alive():
                        writer.join()
                    stop_server(server)
                with open_store(db, readonly=True) as store:
                    counts = store.outbox_counts()
                results[label] = (many, len(written), counts.sent, counts.pending)
        finally:
            ralph.stop()
            os.environ.pop("CASESIM_LRS_PASSWORD", None)
    ms = 1000.0
    print(f"keypress -> next frame with the LRS forwarder off and on: {args.sessions} sessions, {args.samples} keys "
          f"each, an expert attempt recorded every {args.write_every:g} s meanwhile, ms")
    for label, (samples, attempts, sent, pending) in results.items():
        print(f"  forwarder {label:3}: median {statistics.median(samples) * ms:6.1f}  p95 {p95(samples) * ms:6.1f}  "
              f"({len(samples)} keys; {attempts} attempts recorded, {sent} statements sent, {pending} pending)")
    off, on = results["off"][0], results["on"][0]
    print(f"  ratio on / off:  median {statistics.median(on) / statistics.median(off):5.2f}x  "
          f"p95 {p95(on) / p95(off):5.2f}x  ({os.cpu_count()} CPU cores; load average {os.getloadavg()[0]:.1f} at the end)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
