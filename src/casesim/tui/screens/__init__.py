"""The screens of the casesim TUI, one module each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casesim.lazy import lazy_exports

if TYPE_CHECKING:
    from casesim.tui.screens.author import AuthorScreen
    from casesim.tui.screens.before_start import BeforeStartScreen
    from casesim.tui.screens.debrief import DebriefScreen
    from casesim.tui.screens.jump import JumpScreen
    from casesim.tui.screens.keys import KeysScreen
    from casesim.tui.screens.library import LibraryScreen
    from casesim.tui.screens.notice import NoticeScreen
    from casesim.tui.screens.open_file import OpenFileScreen
    from casesim.tui.screens.pause import PauseChoice, PauseScreen
    from casesim.tui.screens.play import PlayScreen
    from casesim.tui.screens.progress import ProgressScreen
    from casesim.tui.screens.theme_picker import ThemeScreen
    from casesim.tui.screens.too_small import TooSmallScreen

# Imported when first used (casesim.lazy): the library's first frame must not wait for every screen.
__getattr__ = lazy_exports(__name__, {
    "AuthorScreen": "casesim.tui.screens.author",
    "BeforeStartScreen": "casesim.tui.screens.before_start",
    "DebriefScreen": "casesim.tui.screens.debrief",
    "JumpScreen": "casesim.tui.screens.jump",
    "KeysScreen": "casesim.tui.screens.keys",
    "LibraryScreen": "casesim.tui.screens.library",
    "NoticeScreen": "casesim.tui.screens.notice",
    "OpenFileScreen": "casesim.tui.screens.open_file",
    "PauseChoice": "casesim.tui.screens.pause",
    "PauseScreen": "casesim.tui.screens.pause",
    "PlayScreen": "casesim.tui.screens.play",
    "ProgressScreen": "casesim.tui.screens.progress",
    "ThemeScreen": "casesim.tui.screens.theme_picker",
    "TooSmallScreen": "casesim.tui.screens.too_small",
})

__all__ = [
    "AuthorScreen",
    "BeforeStartScreen",
    "DebriefScreen",
    "JumpScreen",
    "KeysScreen",
    "LibraryScreen",
    "NoticeScreen",
    "OpenFileScreen",
    "PauseChoice",
    "PauseScreen",
    "PlayScreen",
    "ProgressScreen",
    "ThemeScreen",
    "TooSmallScreen",
]
