"""The remembered trainee (``trainee.json``), read by hand: what casesim wrote comes back as it was;
anything else in the file (a wrong kind of value, a name too long, an unknown mode) means the
defaults, never an error at start-up."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from casesim.play.trainee import MAX_NAME, MAX_THEME, TraineeSettings, load_trainee, save_trainee


def test_what_is_saved_is_loaded_back(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "trainee.json"
    saved = TraineeSettings(name="Zoë 李小龍", mode="assessment", theme="textual-light", tour_done=True)
    save_trainee(path, saved)
    assert load_trainee(path) == saved
    assert json.loads(path.read_text(encoding="utf-8")) == {"name": "Zoë 李小龍", "mode": "assessment",
                                                            "theme": "textual-light", "tour_done": True}
    assert "Zoë" in path.read_text(encoding="utf-8"), "names are written as typed, not as \\u escapes"
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_missing_or_partial_file_gives_the_defaults_for_what_is_missing(tmp_path: Path) -> None:
    assert load_trainee(None) == TraineeSettings()
    assert load_trainee(tmp_path / "nothing.json") == TraineeSettings()
    path = tmp_path / "trainee.json"
    path.write_text('{"name": "Ann", "future_key": [1, 2]}', encoding="utf-8")
    assert load_trainee(path) == TraineeSettings(name="Ann")


@pytest.mark.parametrize("content", [
    "not json", "[1, 2]", '"Ann"', "null",
    json.dumps({"name": 7}), json.dumps({"name": "x" * (MAX_NAME + 1)}),
    json.dumps({"mode": "exam"}), json.dumps({"mode": None}),
    json.dumps({"theme": 3}), json.dumps({"theme": "t" * (MAX_THEME + 1)}),
    json.dumps({"tour_done": "yes"}), json.dumps({"tour_done": 1}),
], ids=["not-json", "list", "text", "null", "name-number", "name-too-long", "mode-unknown", "mode-null",
        "theme-number", "theme-too-long", "tour-text", "tour-number"])
def test_anything_casesim_did_not_write_means_the_defaults(tmp_path: Path, content: str) -> None:
    path = tmp_path / "trainee.json"
    path.write_text(content, encoding="utf-8")
    assert load_trainee(path) == TraineeSettings()


def test_a_file_that_is_not_utf8_means_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "trainee.json"
    path.write_bytes(b'{"name": "\xff\xfe"}')
    assert load_trainee(path) == TraineeSettings()


def test_the_settings_are_frozen_and_changed_by_replace() -> None:
    settings = TraineeSettings(name="Ann")
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.name = "Bo"  # type: ignore[misc]
    assert dataclasses.replace(settings, mode="assessment") == TraineeSettings(name="Ann", mode="assessment")
    with pytest.raises(ValueError, match="practice, assessment"):
        dataclasses.replace(settings, mode="exam")  # type: ignore[arg-type]


def test_a_file_that_cannot_be_written_is_not_fatal(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    save_trainee(blocker / "trainee.json", TraineeSettings(name="Ann"))  # its folder is a file
    assert not (blocker / "trainee.json").exists()
