"""The instructor's live class view as an app of its own: ``casesim class watch`` runs it in a
terminal, and ``casesim serve`` can serve it to an instructor's browser (one process per session).

It takes a store and a cohort; it writes nothing (open the store read-only). Everything it shows
comes from :class:`~casesim.records.class_watch.ClassWatch`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from casesim.authoring.pipeline import Playable
from casesim.format.scenario import Mode
from casesim.records.api import RecordStore
from casesim.records.chain import WallClock, utc_now
from casesim.records.class_watch import ClassWatch
from casesim.tui.base import CaseSimScreen
from casesim.tui.keymap import check_keymap
from casesim.tui.screens.class_watch import WATCH_ALWAYS, ClassWatchScreen
from casesim.tui.screens.keys import KeysScreen
from casesim.tui.screens.theme_picker import ThemeScreen
from casesim.tui.themes import DEFAULT_THEME, THEMES

__all__ = ["ClassWatchApp"]


class ClassWatchApp(App[None]):
    """One cohort, live: who is where, and what the class chooses.

    Args:
        store: the shared record store (read only is enough).
        cohort: the cohort to watch.
        library: the scenario files by id (titles, the expert path, and the replay that tells
            what was offered); a scenario missing here is shown by id, without "offered".
        clock: the time of day (the times since each last choice; tests pass a fixed one).
        scenario_id: the scenario whose item analysis is shown first (None: the one most of the
            class is playing).
        mode: the item analysis over this mode's attempts only (None: every mode).
        refresh_seconds: how often the store is asked whether anything changed.
        deterministic: no animation (snapshot tests).
        theme: one of casesim's themes (None: the default).
        keymap: the user's remapping, binding id -> keys (``Settings.keymap``).
    """

    CSS_PATH = "app.tcss"
    TITLE = "casesim class watch"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, show=False),
        Binding("question_mark", "show_keys", "Keys", id="keys"),
        Binding("ctrl+t", "pick_theme", "Colours", id="theme", show=False,
                tooltip="colours: dark, light or high contrast (not remembered)"),
    ]

    def __init__(self, store: RecordStore, cohort: str, *, library: Mapping[str, Playable] | None = None,
                 clock: WallClock = utc_now, scenario_id: str | None = None, mode: Mode | None = None,
                 refresh_seconds: float = 1.0, deterministic: bool = False, theme: str | None = None,
                 keymap: Mapping[str, str] | None = None) -> None:
        super().__init__()
        if keymap:
            check_keymap(keymap)  # a typo is refused with the ids that exist, as in the student app
            self.set_keymap(dict(keymap))
        self.store = store
        self.cohort = cohort
        self.class_watch = ClassWatch(store, cohort, library or {})
        self._screen = ClassWatchScreen(self.class_watch, clock=clock, refresh_seconds=refresh_seconds,
                                        scenario_id=scenario_id, mode=mode)
        if deterministic:
            self.animation_level = "none"
        for registered in THEMES.values():
            self.register_theme(registered)
        self.theme = theme if theme is not None and theme in self.available_themes else DEFAULT_THEME

    def on_mount(self) -> None:
        self.push_screen(self._screen)

    def on_unmount(self) -> None:
        self.class_watch.close()

    def action_pick_theme(self) -> None:
        def picked(name: str | None) -> None:
            if name is not None and name in self.available_themes:
                self.theme = name

        self.push_screen(ThemeScreen(self.theme), picked)

    def action_show_keys(self) -> None:
        screen = self.screen
        rows: list[tuple[str, str]] = []
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if binding.id is None or binding.id in ("keys", "quit") or not binding.description:
                continue
            label = binding.key_display or self.get_key_display(binding)
            rows.append((label or key, binding.tooltip or binding.description))
        if isinstance(screen, CaseSimScreen):
            rows.extend(screen.EXTRA_KEYS)
        self.push_screen(KeysScreen(screen.KEYS_TITLE if isinstance(screen, CaseSimScreen) else "this screen", rows,
                                    WATCH_ALWAYS))
