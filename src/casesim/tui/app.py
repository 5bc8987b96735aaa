"""The casesim Textual app and the one factory that builds it (for the CLI and every test).

The app holds no domain logic. It receives its dependencies (framework catalog, library
folders, record store, clock, trainee settings) and moves between screens; the screens call
:class:`~casesim.play.attempt.LiveAttempt`, which calls the engine and writes the records.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import App
from textual.binding import Binding, BindingType

from casesim.errors import CaseSimError
from casesim.format.mode import Mode
from casesim.play.analyses import Analyses
from casesim.play.clock import CHOICE_SETTLE_SECONDS
from casesim.play.trainee import TraineeSettings, save_trainee, trainee_id_for
from casesim.tui.base import CaseSimHost, CaseSimScreen
from casesim.tui.messages import (
    AttemptStarted,
    BackToLibrary,
    BeginAttempt,
    ContinueAttempt,
    ShowBeforeStart,
)
from casesim.tui.screens.library import LibraryScreen
from casesim.tui.screens.notice import NoticeScreen
from casesim.tui.screens.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen
from casesim.tui.themes import DEFAULT_THEME, THEMES

# Only what the library's first frame needs is imported above; play, the engine, the records'
# writers and the other screens load when first opened (issue 15, item 7).
if TYPE_CHECKING:
    from casesim.authoring.pipeline import Playable
    from casesim.play.timing import TimeAllowance, TimeChoice
    from casesim.records.api import RecordStore
    from casesim.scoring.catalog import Catalog

__all__ = ["CaseSimApp", "OpenAuthor", "OpenLibrary", "OpenScenario", "ResumeAttempt", "StartRequest", "make_app"]


@dataclass(frozen=True)
class OpenLibrary:
    """Start on the library."""


@dataclass(frozen=True)
class OpenScenario:
    """Start on the before-you-start screen of one scenario (``casesim play``)."""

    loaded: Playable
    mode: Mode | None = None
    seed: int | None = None
    notice: str | None = None
    """Told on opening (playing a translation: how many lines fall back to the source)."""


@dataclass(frozen=True)
class OpenAuthor:
    """Start in author mode on a file (``casesim author``)."""

    path: Path


@dataclass(frozen=True)
class ResumeAttempt:
    """Start by resuming an in-progress attempt (``casesim resume``)."""

    loaded: Playable
    attempt_id: str
    notice: str | None = None
    """Told on opening, as for :class:`OpenScenario`."""


StartRequest = OpenLibrary | OpenScenario | OpenAuthor | ResumeAttempt


def fresh_seed() -> int:
    """A new attempt's seed (:func:`casesim.play.session.new_seed`, imported when first drawn)."""
    from casesim.play.session import new_seed

    return new_seed()


@dataclass
class AppDeps:
    """Everything the app needs from outside; nothing in the TUI reaches for globals."""

    catalog: Catalog | Callable[[], Catalog]
    """The catalog, or what loads it when first needed (``casesim``: after the first frame)."""
    library_paths: Sequence[Path]
    store: RecordStore | Callable[[], RecordStore] | None
    """Where attempts are recorded, or what opens it when first needed (``casesim``: the library's
    worker thread, after the first frame); None records nothing."""
    clock: Callable[[], float]
    trainee: TraineeSettings
    trainee_file: Path | None
    deterministic: bool
    watch_files: bool
    start: StartRequest = field(default_factory=OpenLibrary)
    analyses: Analyses = field(default_factory=Analyses)
    new_seed: Callable[[], int] = fresh_seed
    choice_settle_seconds: float = CHOICE_SETTLE_SECONDS
    more_time: TimeAllowance | None = None
    """The student's own request for more time (``play --more-time``): practice attempts only."""
    signed_in: bool = False
    """The trainee was signed in by ``casesim serve`` (a code or SSO): their id is not typed and
    cannot be changed, and nothing opens files on the server's disk."""
    catalog_dirs: Sequence[Path] = ()
    """The framework folders the catalog is read from (part of the library listing's key)."""
    library_cache: Path | None = None
    """Where the library's listing is kept (:mod:`casesim.play.library_index`); None: nowhere."""


class CaseSimApp(App[None]):
    """Library → before you start → play → debrief; progress; author mode."""

    CSS_PATH: ClassVar[list[str | PurePath]] = ["app.tcss", LibraryScreen.CSS_PATH]
    """The library's styles are read with the app's: read when its screen is pushed, they made
    Textual parse every stylesheet again just before the first frame (issue 15, item 7)."""
    TITLE = "casesim"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, show=False),
        Binding("question_mark", "show_keys", "Keys", id="keys"),
        Binding("ctrl+t", "pick_theme", "Colours", id="theme", show=False,
                tooltip="colours: dark, light or high contrast (remembered)"),
    ]

    def __init__(self, deps: AppDeps) -> None:
        super().__init__()
        self.deps = deps
        self._catalog = deps.catalog
        self._catalog_lock = threading.Lock()
        self.catalog_dirs = tuple(deps.catalog_dirs)
        self.library_cache = deps.library_cache
        self.startup_error: CaseSimError | None = None
        """A problem found after the first frame (the catalog would not load): the app exits
        and the CLI reports it as it would have before starting."""
        self._store = deps.store
        self._store_lock = threading.Lock()
        self.clock = deps.clock
        self.trainee = deps.trainee
        self.deterministic = deps.deterministic
        self.analyses = deps.analyses
        self.new_seed = deps.new_seed
        self.choice_settle_seconds = deps.choice_settle_seconds
        self.more_time = deps.more_time
        self.signed_in = deps.signed_in
        if deps.deterministic:
            self.animation_level = "none"
        for theme in THEMES.values():
            self.register_theme(theme)
        self.theme = DEFAULT_THEME

    @property
    def catalog(self) -> Catalog:
        """The framework catalog, loaded on first use (from the library's worker thread, or
        the first screen that needs it) when the app was given a loader."""
        with self._catalog_lock:
            if callable(self._catalog):
                self._catalog = self._catalog()
            return self._catalog

    @property
    def store(self) -> RecordStore | None:
        """The record store, opened on first use when the app was given an opener: the library
        opens it in its worker thread after the first frame (the records' modules took a tenth of
        a second to import before it, issue 15 item 7). A store that cannot be opened raises
        :class:`~casesim.errors.CaseSimError` here, as :func:`~casesim.records.open_store` does."""
        with self._store_lock:
            if callable(self._store):
                self._store = self._store()
            return self._store

    @property
    def opened_store(self) -> RecordStore | None:
        """The store if it is open (never opens it): what the CLI closes when the app is done."""
        return None if callable(self._store) else self._store

    def startup_failed(self, error: CaseSimError) -> None:
        """Stop on ``error`` found while starting (see :attr:`startup_error`)."""
        self.startup_error = error
        self.exit()

    @property
    def cursor_blink(self) -> bool:
        """Text cursors blink except in deterministic runs (snapshot tests)."""
        return not self.deterministic

    def on_resize(self, event: events.Resize) -> None:
        self.cover_if_too_small(event.size.width, event.size.height)

    def cover_if_too_small(self, width: int | None = None, height: int | None = None) -> None:
        """Below the minimum size, a notice covers the screen instead of a broken layout; it goes
        when the window is large enough again. Checked on every resize and whenever the screen
        changes to a full screen: a window that starts small shows the notice over the library
        at once, not a squeezed list."""
        if len(self.screen_stack) < 2:
            return  # Textual's blank default screen: the first of casesim's is checked when it opens
        if width is None or height is None:
            width, height = self.size
        top = self.screen
        if width < MIN_WIDTH or height < MIN_HEIGHT:
            if isinstance(top, TooSmallScreen):
                top.show_size(width, height)
            else:
                self.push_screen(TooSmallScreen(width, height))
        elif isinstance(top, TooSmallScreen):
            self.pop_screen()
        # A notice under another screen closes itself when it is uncovered (TooSmallScreen).

    def _screen_changed(self, screen: object) -> None:
        # Full screens only: a window opened over the notice on purpose (ctrl+t) stays usable.
        if isinstance(screen, CaseSimScreen):
            self.cover_if_too_small()

    def action_pick_theme(self) -> None:
        def picked(name: str | None) -> None:
            if name is None or name not in self.available_themes:
                return
            self.theme = name
            self.trainee = replace(self.trainee, theme=name)
            save_trainee(self.deps.trainee_file, self.trainee)

        from casesim.tui.screens.theme_picker import ThemeScreen

        self.push_screen(ThemeScreen(self.theme), picked)

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self._screen_changed)
        start = self.deps.start
        if isinstance(start, OpenAuthor):
            from casesim.tui.screens.author import AuthorScreen

            self.push_screen(AuthorScreen(start.path, watch=self.deps.watch_files))
            return
        self.push_screen(LibraryScreen(self.deps.library_paths))
        if isinstance(start, (OpenScenario, ResumeAttempt)) and start.notice:
            self.notify(start.notice, timeout=15, markup=False)
        if isinstance(start, OpenScenario):
            self.show_before_start(start.loaded, mode=start.mode, seed=start.seed)
        elif isinstance(start, ResumeAttempt):
            self.resume_attempt(start.loaded, start.attempt_id)

    # --- navigation: the screens' requests -------------------------------------------------

    @on(ShowBeforeStart)
    def _show_before_start(self, request: ShowBeforeStart) -> None:
        self.show_before_start(request.loaded, mode=request.mode, seed=request.seed)

    @on(BeginAttempt)
    def _begin_attempt(self, request: BeginAttempt) -> None:
        if request.trainee_name is not None:
            self.remember_trainee(request.trainee_name, request.mode)
        self.begin_attempt(request.loaded, mode=request.mode, seed=request.seed, prefix=request.prefix,
                           replay_from=request.replay_from, start=request.start, timing=request.timing)

    @on(ContinueAttempt)
    def _continue_attempt(self, request: ContinueAttempt) -> None:
        self.resume_attempt(request.loaded, request.attempt_id)

    @on(BackToLibrary)
    async def _back_to_library(self) -> None:
        await self.back_to_library()

    def show_before_start(self, loaded: Playable, *, mode: Mode | None = None, seed: int | None = None) -> None:
        from casesim.tui.screens.before_start import BeforeStartScreen

        self.push_screen(BeforeStartScreen(loaded, mode=mode or self.trainee.mode, seed=seed))

    def remember_trainee(self, name: str, mode: Mode) -> None:
        self.trainee = replace(self.trainee, name=trainee_id_for(name), mode=mode)
        save_trainee(self.deps.trainee_file, self.trainee)

    def remember_tour_done(self) -> None:
        self.trainee = replace(self.trainee, tour_done=True)
        save_trainee(self.deps.trainee_file, self.trainee)

    def ask_for_more_time(self, allowance: TimeAllowance | None) -> None:
        self.more_time = allowance

    @property
    def trainee_id(self) -> str | None:
        return trainee_id_for(self.trainee.name) or None

    def begin_attempt(self, loaded: Playable, *, mode: Mode, seed: int | None = None,
                      prefix: Sequence[str] = (), replay_from: int | None = None, start: str | None = None,
                      timing: TimeChoice | None = None) -> None:
        """Start an attempt and replace the current screen with play.

        ``seed`` orders the choices; None (a new attempt) draws a fresh one, a replay from a
        decision passes the original attempt's seed so the choices stand where they stood.
        ``timing``: the time allowance; None works it out now (the instructor's setting, the
        student's request); a replay passes the one recorded with the attempt it replays, so a
        changed setting never changes how a moment of that attempt is replayed.
        """
        from casesim.play.attempt import LiveAttempt
        from casesim.play.timing import attempt_timing
        from casesim.tui.screens.play import PlayScreen

        if seed is None:
            seed = self.new_seed()
        try:
            attempt = LiveAttempt.begin(loaded, self.catalog, self.analyses.request(loaded), mode=mode,
                                        trainee_id=self.trainee_id,
                                        store=self.store, clock=self.clock, seed=seed, prefix=prefix,
                                        start=start,
                                        timing=timing or attempt_timing(self.store, self.trainee_id, mode,
                                                                        requested=self.more_time))
        except CaseSimError as exc:
            self.push_screen(NoticeScreen(exc.title, str(exc)))
            return
        self.post_message(AttemptStarted(attempt.attempt_id, attempt.program.scenario.id, mode,
                                         replay_from=replay_from))
        self.switch_screen(PlayScreen(attempt))

    def resume_attempt(self, loaded: Playable, attempt_id: str) -> None:
        """Carry on an in-progress attempt from the record store."""
        from casesim.play.attempt import LiveAttempt
        from casesim.tui.screens.play import PlayScreen

        if self.store is None:
            return
        try:
            attempt = LiveAttempt.resume(loaded, self.catalog, self.analyses.request(loaded), attempt_id,
                                         store=self.store, clock=self.clock)
        except CaseSimError as exc:
            self.push_screen(NoticeScreen(exc.title, str(exc)))
            return
        self.post_message(AttemptStarted(attempt.attempt_id, attempt.program.scenario.id, attempt.mode,
                                         resumed=True))
        self.push_screen(PlayScreen(attempt))

    async def back_to_library(self) -> None:
        """Close every screen above the library (or quit, when there is no library: author mode)."""
        if not any(isinstance(s, LibraryScreen) for s in self.screen_stack):
            self.exit()
            return
        while not isinstance(self.screen, LibraryScreen):
            await self.pop_screen()
        self.screen.refresh_in_progress()

    def action_show_keys(self) -> None:
        screen = self.screen
        rows: list[tuple[str, str]] = []
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            # Only casesim's own bindings (they all have ids); Textual's widget keys are in EXTRA_KEYS.
            if binding.id is None or binding.id in ("keys", "quit") or binding.id.startswith("choose-"):
                continue
            if not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            label = binding.key_display or self.get_key_display(binding)
            text = binding.tooltip or binding.description
            rows.append((label or key, text + ("" if active.enabled else " (not available now)")))
        title = "this screen"
        if isinstance(screen, CaseSimScreen):
            rows.extend(screen.EXTRA_KEYS)
            title = screen.KEYS_TITLE
        from casesim.tui.screens.keys import KeysScreen

        self.push_screen(KeysScreen(title, rows))


_HOST_CHECK: type[CaseSimHost] = CaseSimApp  # mypy proves the app offers what screens read


def make_app(*, catalog: Catalog | Callable[[], Catalog], library_paths: Sequence[Path],
             store: RecordStore | Callable[[], RecordStore] | None,
             clock: Callable[[], float] = time.monotonic, trainee: TraineeSettings | None = None,
             trainee_file: Path | None = None, deterministic: bool = False, watch_files: bool | None = None,
             start: StartRequest | None = None, analyses: Analyses | None = None,
             keymap: Mapping[str, str] | None = None, theme: str | None = None,
             new_seed: Callable[[], int] = fresh_seed,
             choice_settle_seconds: float = CHOICE_SETTLE_SECONDS,
             more_time: TimeAllowance | None = None, signed_in: bool = False, catalog_dirs: Sequence[Path] = (),
             library_cache: Path | None = None) -> CaseSimApp:
    """Build the app with its dependencies.

    Args:
        catalog: the framework catalog the scenarios cite, or a function that loads it (called
            once, when first needed: after the library's first frame).
        library_paths: folders (or files) of the scenario library.
        store: where attempts are recorded, or what opens it on first use (the library opens it
            after its first frame); None records nothing (author previews).
        clock: monotonic seconds, for timers and time taken (tests pass a fixed or fake clock).
        trainee: the remembered trainee settings (name, last mode).
        trainee_file: where to remember them; None remembers nothing.
        deterministic: no animation, no cursor blink, no file watching (snapshot tests).
        watch_files: author mode polls the file for changes (default: not deterministic).
        start: which screen to open first (default: the library).
        analyses: the cache of scenario analyses (tests pass one they have filled).
        keymap: the user's remapping, binding id -> keys (``Settings.keymap``); an id casesim
            does not have raises :class:`CaseSimError` listing the ids that exist.
        theme: a Textual theme name (``Settings.theme``); None keeps casesim's default
            (:data:`~casesim.tui.themes.DEFAULT_THEME`). A theme the student picked in the app
            (remembered with ``trainee``) wins over it.
        new_seed: draws each new attempt's seed, which orders its choices (tests pass a fixed one).
        choice_settle_seconds: how long new choices must be on screen before a key or click
            chooses (:data:`~casesim.tui.widgets.play_area.CHOICE_SETTLE_SECONDS`; 0 turns it off).
        more_time: the student's request for more time in practice (:mod:`casesim.play.timing`).
        signed_in: ``trainee.name`` is the id ``casesim serve`` signed in, locked for the session.
        catalog_dirs: the framework folders ``catalog`` comes from, for the library listing's key.
        library_cache: where the library listing is kept (:mod:`casesim.play.library_index`):
            the next start lists the library without loading a scenario. None: not kept.
    """
    from casesim.tui.keymap import check_keymap

    deps = AppDeps(catalog=catalog, library_paths=tuple(library_paths), store=store, clock=clock,
                   trainee=trainee or TraineeSettings(), trainee_file=trainee_file, deterministic=deterministic,
                   watch_files=(not deterministic) if watch_files is None else watch_files,
                   start=start or OpenLibrary(), analyses=analyses or Analyses(), new_seed=new_seed,
                   choice_settle_seconds=choice_settle_seconds, more_time=more_time, signed_in=signed_in,
                   catalog_dirs=tuple(catalog_dirs), library_cache=library_cache)
    app = CaseSimApp(deps)
    if keymap:
        check_keymap(keymap)
        app.set_keymap(dict(keymap))
    if theme is not None:
        if theme not in app.available_themes:
            raise CaseSimError(f"there is no theme called {theme!r}", title="bad theme",
                               hint="the themes are: " + ", ".join(sorted(app.available_themes)))
        app.theme = theme
    chosen = app.trainee.theme
    if chosen is not None and chosen in app.available_themes:
        app.theme = chosen  # the student's own pick in the app wins over the config file's
    return app
