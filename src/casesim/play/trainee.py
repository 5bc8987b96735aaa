"""The trainee's remembered settings: a small file in the user's data directory."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from casesim.format.mode import Mode
from casesim.records.labels import label_problem

__all__ = ["TraineeSettings", "load_trainee", "name_problem", "save_trainee", "trainee_id_for"]


class TraineeSettings(BaseModel):
    """What casesim remembers about the person at the keyboard between runs."""

    model_config = ConfigDict(frozen=True, extra="ignore", use_attribute_docstrings=True)

    name: str = Field(default="", max_length=120)
    """The trainee's name or student id as they typed it; records are kept under it."""
    mode: Mode = "practice"
    """The mode chosen last time, offered again on the next start."""
    theme: str | None = Field(default=None, max_length=60)
    """The colour theme the student picked in the app (ctrl+t); it wins over ``config.yaml``'s."""
    tour_done: bool = False
    """The guided first run (:mod:`casesim.play.tour`) was finished or skipped: never offered again
    by itself (the tour key still opens it)."""


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
        settings = TraineeSettings.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError):
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
        tmp.write_text(settings.model_dump_json(indent=2), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(path)
    except OSError:
        pass
