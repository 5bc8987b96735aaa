"""Which fonts can print a practicum summary, or a clear refusal (program review F12).

The bundled DejaVu Sans (:func:`casesim.bundled.font_path`) covers Latin, Greek, Cyrillic, Hebrew
and Arabic; with fpdf2's text shaping (HarfBuzz, ``uharfbuzz``) Arabic letters join and run right
to left and combining marks sit on their letters. It has no CJK glyphs, and a CJK font is too large
to ship inside casesim (Noto Sans CJK is about 20 MB a weight). So a name in Chinese, Japanese or
Korean is printed with a fallback font: one named with ``--font`` or ``CASESIM_PDF_FONT``, else a
system font where the usual packages put it (Debian's ``fonts-noto-cjk``, macOS, Windows). When no
font has a character, the export refuses and names the characters, rather than print "?" on the
line the student signs (the Latin-1 fallback once printed "Nguy?n Th? Mai").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from casesim.bundled import font_path
from casesim.errors import CaseSimError

__all__ = ["FONT_ENV", "SYSTEM_FALLBACKS", "FontPlan", "plan_fonts"]

FONT_ENV = "CASESIM_PDF_FONT"
"""The variable the CLI binds to ``--font`` (font files, .ttf/.otf/.ttc, separated by ``:``), for
characters the bundled font lacks; the settings rule holds: only the CLI reads the environment."""

SYSTEM_FALLBACKS: tuple[tuple[str, str | None], ...] = (
    # (regular, bold); Debian/Ubuntu fonts-noto-cjk, then Fedora, macOS and Windows.
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
     "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc"),
    ("/System/Library/Fonts/Supplemental/Arial Unicode.ttf", None),
    ("C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/msyhbd.ttc"),
)

# Characters a page never needs a glyph for: controls are made visible before printing, and
# spaces and joiners take no glyph of their own.
_IGNORED = {"Cc", "Cf", "Zl", "Zp"}


@dataclass(frozen=True)
class FontPlan:
    """The fallback fonts to register after the bundled one (``(regular, bold)`` files each;
    empty when the bundled font covers every character)."""

    fallbacks: tuple[tuple[Path, Path], ...]


@lru_cache(maxsize=16)
def _coverage(path: str, number: int = 0) -> frozenset[int]:
    from fontTools.ttLib import TTCollection, TTFont

    if path.lower().endswith(".ttc"):
        with TTCollection(path, lazy=True) as collection:
            return frozenset(collection.fonts[number].getBestCmap() or {})
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def _needed(texts: Iterable[str | None]) -> set[str]:
    return {ch for text in texts if text for ch in text
            if not ch.isspace() and unicodedata.category(ch) not in _IGNORED}


def _candidates(extra: Sequence[Path]) -> list[tuple[Path, Path]]:
    out: list[tuple[Path, Path]] = [(p, p) for p in extra]
    for regular, bold in SYSTEM_FALLBACKS:
        if Path(regular).is_file():
            out.append((Path(regular), Path(bold) if bold and Path(bold).is_file() else Path(regular)))
    return out


def plan_fonts(texts: Iterable[str | None], extra: Sequence[Path] = (), *, system: bool = True) -> FontPlan:
    """The fallbacks needed to print ``texts`` (names, ids, titles: what comes from the record),
    or :class:`CaseSimError` naming the characters no font has and what to install.

    ``extra`` are fonts named by the user (``--font`` or ``CASESIM_PDF_FONT``), tried first;
    ``system=False`` leaves out the system folders (for tests of the refusal)."""
    missing = {ch for ch in _needed(texts) if ord(ch) not in _coverage(str(font_path()))}
    chosen: list[tuple[Path, Path]] = []
    candidates = _candidates(extra) if system else [(p, p) for p in extra]
    for regular, bold in candidates:
        if not missing:
            break
        for path in {regular, bold}:
            if not path.is_file():
                raise CaseSimError(f"the font {path} does not exist", title="PDF font not found",
                                   hint=f"name a TrueType or OpenType file with --font or {FONT_ENV}")
        try:
            covered = _coverage(str(regular))
        except Exception as exc:  # fontTools raises many kinds for a file that is not a font
            raise CaseSimError(f"{regular} is not a font casesim can read ({type(exc).__name__})",
                               title="PDF font unreadable", hint="name a .ttf, .otf or .ttc file") from exc
        found = {ch for ch in missing if ord(ch) in covered}
        if found:
            chosen.append((regular, bold))
            missing -= found
    if missing:
        shown = " ".join(sorted(missing)[:12]) + (" …" if len(missing) > 12 else "")
        codes = ", ".join(f"U+{ord(ch):04X}" for ch in sorted(missing)[:6])
        raise CaseSimError(
            f"the PDF cannot print {len(missing)} character(s) of this record ({shown}; {codes}): the bundled "
            "DejaVu Sans has no glyphs for them and no fallback font that has them was found, so names "
            "would print as '?'",
            title="PDF refused: no font for these characters",
            hint=f"install a font that has them (Debian: apt-get install fonts-noto-cjk) or name one "
                 f"with --font FILE or {FONT_ENV}")
    return FontPlan(tuple(chosen))
