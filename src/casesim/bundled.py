"""The content that ships with casesim: the scenario library and the scoring frameworks.

In a wheel they are package data (``casesim/data/scenarios`` and ``casesim/data/frameworks``,
copied there from the project's top-level ``scenarios/`` and ``scoring/`` folders at build
time) and are read through :mod:`importlib.resources`. In a source checkout or an editable
install the package has no ``data/`` folder, and the checkout's own folders are used, so a
trainer editing ``scenarios/`` sees the change without a rebuild.

The PDF font (DejaVu Sans, regular and bold, with its licence) is ordinary package data under
``casesim/fonts`` in both cases, so every machine renders the practicum summary with the same
glyphs and metrics instead of whatever its system font folders hold.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from casesim.errors import CaseSimError

__all__ = ["font_path", "frameworks_dir", "scenarios_dir"]

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


_FONTS = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}


def font_path(*, bold: bool = False) -> Path:
    """The bundled DejaVu Sans (regular or bold) that the PDF export embeds, and only it."""
    font = resources.files("casesim").joinpath("fonts", _FONTS[bold])
    if not font.is_file():
        raise CaseSimError(f"the bundled font casesim/fonts/{_FONTS[bold]} is missing from this installation",
                           title="casesim is installed incompletely",
                           hint="reinstall casesim (pip install --force-reinstall casesim)")
    return Path(str(font))
