"""``python -m casesim``."""

from __future__ import annotations

from casesim.cli import main

raise SystemExit(main())
