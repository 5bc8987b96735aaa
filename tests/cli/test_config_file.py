"""``config.yaml`` checked by hand (casesim.config_file): each mistake at its line and column, in a
trainer's words, every one in the file at once; what is right becomes the settings."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from casesim.config_file import CONFIG_KEYS, ConfigFile
from casesim.database_url import DatabaseUrl
from casesim.errors import CaseSimError, ConfigError
from casesim.play.clock import CHOICE_SETTLE_SECONDS
from casesim.settings import Settings, read_config, resolve_settings


def _problems(tmp_path: Path, text: str) -> list[str]:
    """Each problem as ``line:col: message [code]``."""
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_config(tmp_path / "config.yaml")
    return [f"{d.line}:{d.col}: {d.message} [{d.code}]" for d in caught.value.diagnostics]


@pytest.mark.parametrize(("text", "expected"), [
    ("db: a.db\nthem: textual-light\n", "2:1: unknown key 'them'; did you mean 'theme'? [unknown-key]"),
    ("bogus: 1\n", "1:1: unknown key 'bogus'; allowed keys here: catalogs, choice_settle_seconds, db, "
                   "frameworks_dir, keymap, scenarios_dir, theme [unknown-key]"),
    ("data_dir: /x\n", "1:1: unknown key 'data_dir': the config file is read from the data folder, so it cannot "
                       "move it; use --data-dir or CASESIM_DATA [unknown-key]"),
    ("keymap: ctrl+t\n", "1:9: 'keymap' should be a mapping of keys to values, not the text 'ctrl+t'; write one "
                         "binding per line under it, like `  pause: ctrl+p` [wrong-type]"),
    ("keymap:\n", "1:8: 'keymap' should be a mapping of keys to values, not nothing (null); write one binding "
                  "per line under it, like `  pause: ctrl+p` [wrong-type]"),
    ("keymap:\n  pause: ''\n", "2:3: 'keymap': no keys given for pause; write the keys, like `pause: ctrl+p`, "
                               "or remove the line [invalid-value]"),
    ("keymap:\n  pause: 3\n", "2:10: 'pause' should be text, not the number 3: put it in quotes if it is meant "
                              "as text [wrong-type]"),
    ("keymap:\n  pause: [a, b]\n", "2:10: 'pause' should be text, not a list: a text that starts with `[` is "
                                   "read as a list; put the whole line in quotes [wrong-type]"),
    ("choice_settle_seconds: 60\n", "1:24: 'choice_settle_seconds' should be at most 5 (seconds; 0 turns the "
                                    "wait off), not the number 60 [invalid-value]"),
    ("choice_settle_seconds: -1\n", "1:24: 'choice_settle_seconds' should be at least 0 (seconds; 0 turns the "
                                    "wait off), not the number -1 [invalid-value]"),
    ("choice_settle_seconds: soon\n", "1:24: 'choice_settle_seconds' should be a number of seconds from 0 to 5, "
                                      "not the text 'soon' [wrong-type]"),
    ("choice_settle_seconds: true\n", "1:24: 'choice_settle_seconds' should be a number of seconds from 0 to 5, "
                                      "not the boolean true [wrong-type]"),
    ("choice_settle_seconds: .nan\n", "1:24: 'choice_settle_seconds' should be a number of seconds from 0 to 5, "
                                      "not the number nan [wrong-type]"),
    ("choice_settle_seconds: .inf\n", "1:24: 'choice_settle_seconds' should be at most 5 (seconds; 0 turns the "
                                      "wait off), not the number inf [invalid-value]"),
    ("theme: yes\n", "1:8: 'theme' should be text, not the boolean true (YAML reads yes/no/on/off as booleans: "
                     "put the text in quotes) [wrong-type]"),
    ("db: 5\n", "1:5: 'db' should be a file path or a postgresql:// URL (text), not the number 5: put it in "
                "quotes if it is meant as text [wrong-type]"),
    ("db: ''\n", "1:6: 'db' is empty; write a file path or a postgresql:// URL, or remove the key [invalid-value]"),
    ("scenarios_dir: {a: 1}\n", "1:16: 'scenarios_dir' should be a folder path (text), not a mapping: the `: ` "
                                "after 'a' makes YAML read a key and a value; put the whole line in quotes "
                                "[wrong-type]"),
    ("frameworks_dir: '  '\n", "1:18: 'frameworks_dir' is empty; write a folder path, or remove the key "
                               "[invalid-value]"),
    ("catalogs: abc\n", "1:11: 'catalogs' should be a list of folder paths, not the text 'abc': write it as a "
                        "list, like `catalogs: [abc]` [wrong-type]"),
    ("catalogs:\n", "1:10: 'catalogs' should be a list of folder paths, not nothing (null) [wrong-type]"),
    ("catalogs: [a, 3]\n", "1:15: 'catalogs item 2' should be a folder path (text), not the number 3: put it in "
                           "quotes if it is meant as text [wrong-type]"),
    ("- a\n- b\n", "1:1: the config file should be a mapping of keys to values, like `theme: textual-light`, not "
                   "a list [wrong-type]"),
], ids=["unknown-near", "unknown-far", "data-dir", "keymap-text", "keymap-null", "keymap-empty-keys",
        "binding-number", "binding-list", "settle-too-long", "settle-negative", "settle-text", "settle-boolean",
        "settle-nan", "settle-inf", "theme-boolean", "db-number", "db-empty", "scenarios-mapping",
        "frameworks-blank", "catalogs-text", "catalogs-null", "catalogs-item", "not-a-mapping"])
def test_each_mistake_is_said_at_its_place(tmp_path: Path, text: str, expected: str) -> None:
    assert _problems(tmp_path, text) == [expected]


def test_every_mistake_in_the_file_is_reported_at_once_in_file_order(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "foo: 1\ntheme: 3\nkeymap:\n  pause: ''\n  quit: ' '\nchoice_settle_seconds: 9\n")
    assert [p.split(":")[0] for p in problems] == ["1", "2", "4", "5", "6"]
    assert "no keys given for quit" in problems[3]


def test_the_reader_s_own_errors_come_through(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, "keymap:\n  pause: [ctrl+t\n")
    assert problem.startswith("3:1: YAML cannot read this line") and problem.endswith("[yaml-syntax]")


def test_a_good_file_becomes_the_settings(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "db: r.db\ncatalogs: [a, /b]\ntheme: textual-light\nkeymap: {pause: ctrl+p}\nchoice_settle_seconds: '1.5'\n"
        "scenarios_dir: s\nframeworks_dir: ~/f\n", encoding="utf-8")
    config = read_config(tmp_path / "config.yaml")
    assert config == ConfigFile(db=Path("r.db"), scenarios_dir=Path("s"), frameworks_dir=Path("~/f"),
                                catalogs=(Path("a"), Path("/b")), theme="textual-light", keymap={"pause": "ctrl+p"},
                                choice_settle_seconds=1.5)
    settings = resolve_settings(data_dir=tmp_path)
    assert settings.db == tmp_path / "r.db" and settings.scenarios_dir == tmp_path / "s"
    assert settings.frameworks_dir == Path("~/f").expanduser()
    assert settings.catalog_dirs == (tmp_path / "a", Path("/b"))
    assert (settings.theme, settings.keymap, settings.choice_settle_seconds) == ("textual-light", {"pause": "ctrl+p"}, 1.5)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "~\n", "theme:\ndb:\nchoice_settle_seconds:\n",
                                  "keymap: {}\ncatalogs: []\n"])
def test_nothing_set_is_the_defaults(tmp_path: Path, text: str) -> None:
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    assert read_config(tmp_path / "config.yaml") == ConfigFile()
    settings = resolve_settings(data_dir=tmp_path)
    assert settings.db == tmp_path / "casesim.db" and settings.choice_settle_seconds == CHOICE_SETTLE_SECONDS


def test_a_database_url_in_the_file_is_kept_whole_and_never_shown(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("db: postgresql://casesim:hunter2@db.example/records\n", encoding="utf-8")
    db = resolve_settings(data_dir=tmp_path).db
    assert isinstance(db, DatabaseUrl) and db.secret_url.endswith("hunter2@db.example/records")
    assert "hunter2" not in str(db)


def test_the_file_may_set_each_of_its_keys_and_no_other_settings_field(tmp_path: Path) -> None:
    assert tuple(f.name for f in dataclasses.fields(ConfigFile)) == CONFIG_KEYS
    settings_fields = {f.name for f in dataclasses.fields(Settings)}
    # each key is a setting (catalogs fills catalog_dirs); the data folder and cache are never from the file
    assert {"catalog_dirs" if k == "catalogs" else k for k in CONFIG_KEYS} == settings_fields - {"data_dir", "cache_dir"}


def test_settings_refuse_an_out_of_range_settle_time_and_a_blank_database(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="from 0 to 5"):
        Settings(data_dir=tmp_path, db=tmp_path / "r.db", scenarios_dir=tmp_path, frameworks_dir=tmp_path,
                 choice_settle_seconds=6)
    with pytest.raises(CaseSimError, match="file path or a postgresql:// URL") as caught:
        resolve_settings(data_dir=tmp_path, db=" ")
    assert caught.value.title == "records unavailable"


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = resolve_settings(data_dir=tmp_path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.theme = "x"  # type: ignore[misc]
