"""The screens of the casesim TUI, one module each."""

from __future__ import annotations

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
