"""The background forwarder spaces its syncs out while the LRS is down and keeps its state.

No LRS is started: port 9 on loopback refuses connections at once (the real-LRS tests are
tests/records/test_records_lrs.py and tests/cli/test_serve_lrs.py).
"""

from __future__ import annotations

import random
import threading
from pathlib import Path

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records import open_store
from casesim.records.api import OutboxSettings
from casesim.records.lrs import (
    Backoff,
    ForwarderStatus,
    LrsConfig,
    SyncReport,
    forward_forever,
    next_wait,
)
from casesim.records.outbox import forget_scenarios
from casesim.scoring.catalog import Catalog
from support.records import EXPERT, play


def test_the_wait_doubles_while_syncs_fail_and_is_capped() -> None:
    rng = random.Random(3)
    assert next_wait(30, 0, max_interval=600, rng=rng) == 30
    for failures in range(1, 12):
        ceiling = min(600, 30 * 2 ** failures)
        waits = [next_wait(30, failures, max_interval=600, rng=rng) for _ in range(50)]
        assert all(ceiling / 2 <= w <= ceiling for w in waits)
        assert len(set(waits)) > 1  # jittered: forwarders that lost one LRS do not return in step
    assert next_wait(30, 1000, max_interval=600, rng=rng) <= 600  # a long outage: no overflow
    assert next_wait(30, 3, max_interval=5, rng=rng) <= 30  # a cap below the interval: the interval


def test_an_lrs_down_is_reported_spaced_out_and_nothing_is_lost(tmp_path: Path, example: AnalysedScenario,
                                                                 catalog: Catalog) -> None:
    forget_scenarios()
    with open_store(tmp_path / "r.db") as store:
        store.configure_outbox(OutboxSettings("https://sim.example.edu", "https://sim.example.edu"))
        play(store, example, catalog, "t-1", EXPERT)
        pending = store.outbox_counts().pending
        status = ForwarderStatus()
        stop = threading.Event()
        reports: list[SyncReport] = []
        spacing: list[float] = []

        def seen(report: SyncReport) -> None:
            reports.append(report)
            view = status.snapshot()
            assert view.next_sync_at is not None and view.last_sync_at is not None
            spacing.append(view.next_sync_at - view.last_sync_at)
            if len(reports) == 5:
                stop.set()

        config = LrsConfig("http://127.0.0.1:9/xAPI", "u", "p", timeout=2)
        forward_forever(store, config, interval=0.01, max_interval=0.16, stop=stop, on_report=seen,
                        backoff=Backoff(base=0.001, cap=0.002, tries=2), status=status, rng=random.Random(1))
        view = status.snapshot()
        assert [r.stopped is not None for r in reports] == [True] * 5
        assert (view.failures, view.sent, view.running, view.next_sync_at) == (5, 0, False, None)
        assert view.last_ok_at is None and view.last_error is not None and "cannot connect" in view.last_error
        assert spacing[0] <= 0.02 and spacing[-1] >= 0.08  # doubling up to the cap
        counts = store.outbox_counts()
        assert counts.pending == pending and counts.sent == 0
