"""What every casesim screen shares: the services it may read, and what the keys screen shows.

Screens never import the app. They read the app's services through :class:`CaseSimHost` (a
protocol the app satisfies, checked by mypy in ``app.py``) and ask for navigation by posting the
request messages in :mod:`casesim.tui.messages`, which the app handles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Generic, Protocol, TypeVar, cast

from textual.screen import Screen

from casesim.errors import CaseSimError

if TYPE_CHECKING:  # types only: the library screen draws before the domain is loaded
    from casesim.play.analyses import Analyses
    from casesim.play.timing import TimeAllowance
    from casesim.play.trainee import TraineeSettings
    from casesim.records.api import RecordStore
    from casesim.scoring.catalog import Catalog

__all__ = ["CaseSimHost", "CaseSimScreen"]

ResultType = TypeVar("ResultType")


class CaseSimHost(Protocol):
    """The services the app offers its screens (read only)."""

    @property
    def catalog(self) -> Catalog: ...
    @property
    def catalog_dirs(self) -> Sequence[Path]: ...
    @property
    def library_cache(self) -> Path | None: ...
    def startup_failed(self, error: CaseSimError) -> None: ...
    @property
    def store(self) -> RecordStore | None: ...
    @property
    def clock(self) -> Callable[[], float]: ...
    @property
    def analyses(self) -> Analyses: ...
    @property
    def trainee(self) -> TraineeSettings: ...
    @property
    def trainee_id(self) -> str | None: ...
    @property
    def cursor_blink(self) -> bool: ...
    @property
    def new_seed(self) -> Callable[[], int]: ...
    @property
    def choice_settle_seconds(self) -> float: ...
    @property
    def signed_in(self) -> bool:
        """The trainee was signed in by ``casesim serve``: no name field, no server files."""
        ...
    def remember_tour_done(self) -> None:
        """The guided first run was finished or skipped: remember it with the trainee settings."""
        ...
    @property
    def more_time(self) -> TimeAllowance | None:
        """The student's request for more time in practice (None: the standard time)."""
        ...
    def ask_for_more_time(self, allowance: TimeAllowance | None) -> None:
        """Use ``allowance`` for the practice attempts started from now on (None: standard)."""
        ...


class CaseSimScreen(Screen[ResultType], Generic[ResultType]):
    """A full screen of casesim: declares its keys-screen title and the keys Textual handles."""

    KEYS_TITLE: ClassVar[str] = "this screen"
    """How the keys screen (``?``) names this screen."""
    EXTRA_KEYS: ClassVar[tuple[tuple[str, str], ...]] = ()
    """Keys handled by Textual's widgets (no binding id), listed on the keys screen."""

    @property
    def casesim(self) -> CaseSimHost:
        return cast(CaseSimHost, self.app)
