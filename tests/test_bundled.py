"""The content casesim ships: found through importlib.resources, in a checkout as in a wheel."""

from __future__ import annotations

from pathlib import Path

import casesim
from casesim.bundled import font_path, frameworks_dir, scenarios_dir


def test_the_pdf_font_is_package_data_with_its_licence_beside_it() -> None:
    package = Path(casesim.__file__).resolve().parent
    regular, bold = font_path(), font_path(bold=True)
    assert (regular.name, bold.name) == ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
    for font in (regular, bold):
        assert font.resolve().parent == package / "fonts"
        assert font.read_bytes()[:4] == b"\x00\x01\x00\x00"  # a TrueType file, not an LFS pointer
    licence = (package / "fonts" / "LICENSE").read_text(encoding="utf-8")
    assert "Bitstream Vera Fonts Copyright" in licence and "Arev Fonts Copyright" in licence


def test_in_a_checkout_the_library_is_the_checkouts_own_folders(root: Path) -> None:
    assert scenarios_dir() == root / "scenarios"
    assert frameworks_dir() == root / "scoring"
