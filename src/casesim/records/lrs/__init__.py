"""Forwarding a store's outbox of xAPI statements to a Learning Record Store.

:mod:`casesim.records.outbox` fills the outbox as attempts are played; :mod:`.forwarder` posts it
(``casesim lrs sync``, and :func:`~.forwarder.forward_forever` for a server's background task).
"""

from __future__ import annotations

from casesim.records.lrs.forwarder import (
    Backoff,
    Forwarder,
    ForwarderStatus,
    LrsConfig,
    LrsError,
    SyncReport,
    check_endpoint,
    forward_forever,
    forward_in_background,
    next_wait,
)

__all__ = ["Backoff", "Forwarder", "ForwarderStatus", "LrsConfig", "LrsError", "SyncReport", "check_endpoint",
           "forward_forever", "forward_in_background", "next_wait"]
