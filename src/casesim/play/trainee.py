"""The trainee's remembered settings: a small file in the user's data directory.

A frozen dataclass read and checked by hand, not a pydantic model: ``casesim`` reads the file
before its first frame, where importing pydantic and building a model cost a third of a second
(issue 15, item 7). The file is everyone's on a classroom host's account, so anything in it that
is not exactly what casesim writes is ignored (the defaults are used), as before.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from casesim.format.mode import MODES, Mode
from casesim.records.labels import label_problem

__all__ = ["TraineeSettings", "load_trainee", "name_problem", "save_trainee", "trainee_id_for"]


MAX_NAME = 120
"""The longest remembered name, in characters (the record keeps no longer one either)."""
MAX_THEME = 60
"""The longest remembered theme name, in characters."""


@dataclass(frozen=True, slots=True)
class TraineeSettings:
    """What casesim remembers about the person at the keyboard between runs.

    Changed with :func:`dataclasses.replace` (``replace(settings, mode="assessment")``)."""

    name: str = ""
    """The trainee's name or student id as they typed it; records are kept under it."""
    mode: Mode = "practice"
    """The mode chosen last time, offered again on the next start."""
    theme: str | None = None
    """The colour theme the student picked in the app (ctrl+t); it wins over ``config.yaml``'s."""
    tour_done: bool = False
    """The guided first run (:mod:`casesim.play.tour`) was finished or skipped: never offered again
    by itself (the tour key still opens it)."""

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")


def _from_file(data: Any) -> TraineeSettings | None:
    """The settings in a parsed ``trainee.json``, or None when anything in it is not what
    :func:`save_trainee` writes (keys it does not know are ignored, as a newer casesim may add some)."""
    if not isinstance(data, dict):
        return None
    name, mode, theme, tour_done = (data.get("name", ""), data.get("mode", "practice"), data.get("theme"),
                                    data.get("tour_done", False))
    if not (isinstance(name, str) and len(name) <= MAX_NAME):
        return None
    if mode not in MODES:
        return None
    if not (theme is None or (isinstance(theme, str) and len(theme) <= MAX_THEME)):
        return None
    if not isinstance(tour_done, bool):
        return None
    return TraineeSettings(name=name, mode=mode, theme=theme, tour_done=tour_done)


def trainee_id_for(name: str) -> str:
    """The record-store id for a typed name: trimmed, inner spaces collapsed, case kept."""
    return " ".join(name.split())


def name_problem(name: str) -> str | None:
    """What is wrong with a typed name as a record id (``None``: nothing), by the store's rule
    (:func:`casesim.records.labels.label_problem`), so the name field can say so before starting."""
    return label_problem(name)


def load_trainee(path: Path | None) -> TraineeSettings:
    """The remembered settings, or defaults when the file is missing or unreadable.

    A remembered name the record would refuse (an escape sequence, a newline: the file is shared
    by everyone on a classroom host's account) is forgotten, never shown in the name field.
    """
    if path is None:
        return TraineeSettings()
    try:
        settings = _from_file(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):  # unreadable, not UTF-8, not JSON
        return TraineeSettings()
    if settings is None:
        return TraineeSettings()
    if settings.name and label_problem(settings.name) is not None:
        return TraineeSettings(mode=settings.mode, theme=settings.theme, tour_done=settings.tour_done)
    return settings


def save_trainee(path: Path | None, settings: TraineeSettings) -> None:
    """Remember ``settings`` (readable by the owner only); a failure to write is not fatal."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(settings), indent=2, ensure_ascii=False), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(path)
    except OSError:
        pass
