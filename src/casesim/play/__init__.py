"""What the CLI, the TUI and the browser share: the ``transitions`` Machine, the live
``Session``, the live attempt and its recorder, the clock, the library and the analysis cache."""

from __future__ import annotations

__all__: list[str] = []
