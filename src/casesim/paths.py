"""Where casesim finds its bundled scenarios and frameworks, and where it keeps user data."""

from __future__ import annotations

import os
from pathlib import Path

from casesim import bundled

__all__ = ["scenarios_dir", "scoring_dir", "data_dir"]


def scenarios_dir() -> Path:
    """The bundled scenario library; ``CASESIM_SCENARIOS`` overrides it."""
    override = os.environ.get("CASESIM_SCENARIOS")
    return Path(override) if override else bundled.scenarios_dir()


def scoring_dir() -> Path:
    """The framework catalog; ``CASESIM_SCORING`` overrides it."""
    override = os.environ.get("CASESIM_SCORING")
    return Path(override) if override else bundled.frameworks_dir()


def data_dir() -> Path:
    """The per-user data directory (records database, remembered trainee); ``CASESIM_DATA`` overrides it."""
    override = os.environ.get("CASESIM_DATA")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("casesim", appauthor=False))
