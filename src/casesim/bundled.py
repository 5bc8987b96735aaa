"""The content that ships with casesim: the scenario library and the scoring frameworks.

In a wheel they are package data (``casesim/data/scenarios`` and ``casesim/data/frameworks``,
copied there from the project's top-level ``scenarios/`` and ``scoring/`` folders at build
time) and are read through :mod:`importlib.resources`. In a source checkout or an editable
install the package has no ``data/`` folder, and the checkout's own folders are used, so a
trainer editing ``scenarios/`` sees the change without a rebuild.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["frameworks_dir", "scenarios_dir"]

_CHECKOUT = Path(__file__).resolve().parents[2]


def _bundled(name: str, checkout_name: str) -> Path:
    packaged = resources.files("casesim").joinpath("data", name)
    if packaged.is_dir():
        # casesim is installed from a wheel into a real folder (never a zip: hatchling wheels
        # are unpacked by pip), so the traversable is a filesystem path.
        return Path(str(packaged))
    return _CHECKOUT / checkout_name


def scenarios_dir() -> Path:
    """The bundled scenario library."""
    return _bundled("scenarios", "scenarios")


def frameworks_dir() -> Path:
    """The bundled scoring frameworks, rubrics and competency map."""
    return _bundled("frameworks", "scoring")
