"""casesim's own themes: every text and background pair at or above WCAG AA.

Textual's built-in themes put some text below 4.5:1 (the highlighted row at 3.78:1, headings and
placeholders near 3.5:1, and in the light theme orange meter bars at 1.49:1). casesim offers three
themes of its own, each checked cell by cell by a test over every student screen
(``tests/tui/test_tui_contrast.py``): a dark one (the default), a light one, and a high-contrast
one. Any other Textual theme can still be named in ``config.yaml``; it is not checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.theme import Theme

__all__ = ["DEFAULT_THEME", "OFFERED_THEMES", "THEMES", "OfferedTheme", "theme_problem"]


@dataclass(frozen=True)
class OfferedTheme:
    """A theme the student can pick in the app, with the words the picker shows."""

    theme: Theme
    label: str
    description: str


_DARK = Theme(
    name="casesim-dark",
    primary="#3d94e0",
    secondary="#2a6cb0",
    accent="#ffa62b",
    warning="#ffa62b",
    error="#ff6b81",
    success="#5fd68a",
    foreground="#e6e6e6",
    background="#121212",
    surface="#1e1e1e",
    panel="#26323c",
    dark=True,
    variables={
        "block-cursor-background": "#0b4f8a",
        "block-cursor-foreground": "#ffffff",
        "block-cursor-blurred-background": "#24405a",
        "block-cursor-blurred-foreground": "#ffffff",
        "text-disabled": "#a0a0a0",
        "text-muted": "#b4b4b4",
        "footer-key-foreground": "#ffb84d",
        "footer-description-foreground": "#e6e6e6",
        "button-color-foreground": "#0a0a0a",
    },
)

_LIGHT = Theme(
    name="casesim-light",
    primary="#0b5394",
    secondary="#1d6fb8",
    accent="#8a4b00",
    warning="#8a4b00",
    error="#a4132f",
    success="#1e6b37",
    foreground="#1a1a1a",
    background="#f4f4f4",
    surface="#e8e8e8",
    panel="#dcdcdc",
    dark=False,
    variables={
        "block-cursor-background": "#0b5394",
        "block-cursor-foreground": "#ffffff",
        "block-cursor-blurred-background": "#c7d9ec",
        "block-cursor-blurred-foreground": "#1a1a1a",
        "text-disabled": "#5c5c5c",
        "text-muted": "#4a4a4a",
        "footer-key-foreground": "#0b4a85",
        "footer-description-foreground": "#1a1a1a",
        "button-color-foreground": "#ffffff",
    },
)

_HIGH_CONTRAST = Theme(
    name="casesim-high-contrast",
    primary="#4db8ff",
    secondary="#9ad4ff",
    accent="#ffe14d",
    warning="#ffe14d",
    error="#ff8a8a",
    success="#7dff9b",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#1a1a1a",
    boost="#000000",
    dark=True,
    variables={
        "block-cursor-background": "#ffffff",
        "block-cursor-foreground": "#000000",
        "block-cursor-blurred-background": "#3a3a3a",
        "block-cursor-blurred-foreground": "#ffffff",
        "text-disabled": "#cccccc",
        "text-muted": "#e0e0e0",
        "footer-key-foreground": "#ffe14d",
        "footer-description-foreground": "#ffffff",
        "footer-background": "#000000",
        "footer-key-background": "#000000",
        "footer-description-background": "#000000",
        "button-color-foreground": "#000000",
    },
)

OFFERED_THEMES: tuple[OfferedTheme, ...] = (
    OfferedTheme(_DARK, "Dark", "light text on a dark background (the default)"),
    OfferedTheme(_LIGHT, "Light", "dark text on a light background"),
    OfferedTheme(_HIGH_CONTRAST, "High contrast", "white and yellow on black, for low vision or glare"),
)
THEMES: dict[str, Theme] = {offered.theme.name: offered.theme for offered in OFFERED_THEMES}
DEFAULT_THEME = _DARK.name


def theme_problem(name: str, available: set[str] | frozenset[str]) -> str | None:
    """Why ``name`` cannot be used as a theme (None: it can)."""
    if name in available:
        return None
    return f"there is no theme called {name!r}; the themes are: {', '.join(sorted(available))}"
