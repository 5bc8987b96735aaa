"""Forwarding the outbox to a real Ralph LRS: statements per second, first posts and re-posts.

Fills a store (outbox on) by playing the bundled example scenario N times at random, starts Ralph
5.1.0 (fs backend) on loopback as the tests do (tests/support/ralph_lrs.py; needs the dev
dependencies), and times ``Forwarder.sync`` for each batch size: the first sync posts everything
into an empty LRS, the second posts everything again (all ids known: what a sync does after a
crash before marking). Ralph's fs backend reads its whole file to look ids up, so the rate falls
as the LRS fills: the figures are Ralph's as much as casesim's.

    .venv/bin/python benchmarks/bench_lrs_forward.py [ATTEMPTS]
"""

from __future__ import annotations

import random
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from casesim.authoring.pipeline import require_scenario  # noqa: E402
from casesim.records.api import OutboxSettings  # noqa: E402
from casesim.records.lrs import Forwarder, LrsConfig  # noqa: E402
from casesim.records.sqlite import SQLiteStore  # noqa: E402
from casesim.scoring.catalog import load_catalog  # noqa: E402
from support.ralph_lrs import PASSWORD, USER, RalphLRS  # noqa: E402
from support.records import play, random_step  # noqa: E402


def fill(store: SQLiteStore, attempts: int) -> None:
    from casesim.play.session import Session

    catalog = load_catalog(ROOT / "scoring")
    example = require_scenario(ROOT / "scenarios" / "example-check-in.yaml", catalog)
    rng = random.Random(7)
    for n in range(attempts):
        session = Session(example.program, mode="practice")
        path: list[str] = []
        while (step := random_step(session, rng)) is not None:
            if step.startswith("timeout:"):
                session.expire_timer()
            else:
                session.choose(step)
            path.append(step)
        session.close()
        play(store, example, catalog, f"t-{n % 40}", path)


def main() -> None:
    attempts = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"forwarding to Ralph 5.1.0 (fs backend) on loopback, {attempts} attempts")
        for batch in (25, 100, 500):
            store = SQLiteStore(folder / f"store-{batch}.db")
            store.configure_outbox(OutboxSettings("https://sim.example.edu", "https://sim.example.edu"))
            fill(store, attempts)
            total = store.outbox_counts().pending
            lrs = RalphLRS(folder / f"ralph-{batch}")
            lrs.start()
            try:
                config = LrsConfig(lrs.endpoint, USER, PASSWORD)
                first = Forwarder(store, config, batch_size=batch).sync()
                with sqlite3.connect(store.location) as conn:
                    conn.execute("UPDATE outbox SET sent_at = NULL")
                again = Forwarder(store, config, batch_size=batch).sync()
            finally:
                lrs.stop()
                store.close()
            assert first.sent == again.sent == total
            print(f"  batch {batch:>3}: {total} statements; first sync {first.seconds:6.2f} s "
                  f"({total / first.seconds:6.0f}/s), re-post {again.seconds:6.2f} s ({total / again.seconds:6.0f}/s)")


if __name__ == "__main__":
    main()
