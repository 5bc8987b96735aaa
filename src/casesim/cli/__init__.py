"""The ``casesim`` command."""

from __future__ import annotations

from casesim.cli.main import main

__all__ = ["main"]
