"""``python -m casesim``."""

from __future__ import annotations

from casesim.launch import main

raise SystemExit(main())
