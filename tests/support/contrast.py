"""Contrast of what is actually on screen: every character cell's colour against its background.

WCAG 2.2 asks for 4.5:1 between text and its background (1.4.3, AA) and 3:1 for graphics that
carry meaning, such as a meter's bar (1.4.11). The cells are read from the screen's compositor
after Textual's own line filters, and ``dim`` text is dimmed as a terminal would draw it, so the
figures are those a student sees, not those of a stylesheet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rich.color import Color as RichColor
from textual.app import App
from textual.color import Color
from textual.filter import DimFilter
from textual.screen import ModalScreen

TEXT_MINIMUM = 4.5
"""WCAG 1.4.3 (AA): text and images of text."""
GRAPHIC_MINIMUM = 3.0
"""WCAG 1.4.11 (AA): graphical objects needed to understand the content (bars, arrows, marks)."""
GRAPHICS = frozenset("█▓▒░▲▼✓✗•●○◆")
"""Characters that carry meaning as shapes: held to the 3:1 of graphics."""


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG relative luminance of an sRGB colour."""

    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@dataclass(frozen=True)
class Run:
    """A run of characters drawn in one style, where it is, and its contrast."""

    y: int
    x: int
    text: str
    fg: tuple[int, int, int]
    bg: tuple[int, int, int]
    ratio: float
    minimum: float

    def __str__(self) -> str:
        return (f"{self.text.strip()!r} at {self.x},{self.y}: {self.ratio:.2f}:1 (needs {self.minimum}:1; "
                f"#{self.fg[0]:02x}{self.fg[1]:02x}{self.fg[2]:02x} on #{self.bg[0]:02x}{self.bg[1]:02x}{self.bg[2]:02x})")


def _rgb(color: RichColor | None, fallback: tuple[int, int, int]) -> tuple[int, int, int]:
    if color is None or color.is_default:
        return fallback
    triplet = color.get_truecolor()
    return (triplet.red, triplet.green, triplet.blue)


def runs(app: App[object]) -> Iterator[Run]:
    """Every run of visible characters on the current screen that must meet a contrast minimum.

    Letters and digits are text (4.5:1); :data:`GRAPHICS` are graphics (3:1); spaces, box
    drawing and other punctuation carry no meaning of their own and are skipped. A run is
    checked where it starts.
    """
    screen = app.screen
    # Over a modal, the screen below shows through a deliberately faded backdrop: it is not
    # meant to be read until the modal closes (WCAG's incidental text), so only the modal counts.
    regions = [child.region for child in screen.children] if isinstance(screen, ModalScreen) else None
    # A key shown as not available now is an inactive control, which WCAG 1.4.3 exempts; the
    # keys list (?) says "(not available now)" in words.
    inactive = [widget.region for widget in screen.query("FooterKey.-disabled")]
    background = screen.styles.background
    theme = app.current_theme
    default_fg = Color.parse(theme.foreground or "#e0e0e0").rgb
    default_bg = Color.parse(theme.background or "#121212").rgb
    filters = [*app.get_line_filters(), DimFilter()]
    for y, strip in enumerate(screen._compositor.render_strips()):
        for line_filter in filters:
            strip = strip.apply_filter(line_filter, background)
        x = 0
        for text, style, control in strip:
            if control:
                continue
            fg = _rgb(style.color if style else None, default_fg)
            bg = _rgb(style.bgcolor if style else None, default_bg)
            if style is not None and style.reverse:
                fg, bg = bg, fg
            is_text = any(ch.isalnum() for ch in text)
            is_graphic = any(ch in GRAPHICS for ch in text)
            inside = ((regions is None or any(region.contains(x, y) for region in regions))
                      and not any(region.contains(x, y) for region in inactive))
            if inside and (is_text or is_graphic):
                minimum = TEXT_MINIMUM if is_text else GRAPHIC_MINIMUM
                yield Run(y, x, text, fg, bg, contrast(fg, bg), minimum)
            x += len(text)


def too_low(app: App[object]) -> list[Run]:
    """The runs on the current screen below their minimum."""
    return [run for run in runs(app) if run.ratio < run.minimum - 0.005]
