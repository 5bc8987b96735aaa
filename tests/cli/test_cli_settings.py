"""Where casesim's settings come from: flag, then CASESIM_* variable, then config.yaml, then defaults."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import textwrap
from pathlib import Path

import pytest

from casesim import bundled
from casesim.errors import ConfigError
from casesim.play.clock import CHOICE_SETTLE_SECONDS
from casesim.play.trainee import TraineeSettings
from casesim.records import open_store
from casesim.settings import ConfigFile, Settings, resolve_settings
from support.cli import ROOT, Casesim
from support.postgres import PostgresServer


def _db_with(path: Path, trainee: str) -> Path:
    with open_store(path) as store:
        store.upsert_trainee(trainee, trainee.title())
    return path


# --- the --db regression: argparse let the subcommand's default replace a --db given before it ----

@pytest.mark.parametrize("where", ["before the command", "after the command"])
def test_db_given_before_or_after_the_command_is_the_one_read(casesim: Casesim, tmp_path: Path,
                                                              where: str) -> None:
    db = _db_with(tmp_path / "class.db", "ann")
    args = ["--db", str(db), "records", "trainees"] if where == "before the command" else \
        ["records", "trainees", "--db", str(db)]
    result = casesim(*args)
    assert result.exit_code == 0, result.stderr
    assert "Ann" in result.stdout


def test_casesim_db_variable_is_read_and_a_flag_beats_it(casesim: Casesim, tmp_path: Path) -> None:
    from_env = _db_with(tmp_path / "env.db", "ann")
    from_flag = _db_with(tmp_path / "flag.db", "bo")
    env = {"CASESIM_DB": str(from_env)}
    assert "Ann" in casesim("records", "trainees", env=env).stdout
    assert "Bo" in casesim("--db", str(from_flag), "records", "trainees", env=env).stdout
    assert "Bo" in casesim("records", "trainees", "--db", str(from_flag), env=env).stdout


def test_a_db_after_the_command_beats_one_before_it(casesim: Casesim, tmp_path: Path) -> None:
    first = _db_with(tmp_path / "first.db", "ann")
    second = _db_with(tmp_path / "second.db", "bo")
    result = casesim("--db", str(first), "records", "trainees", "--db", str(second))
    assert "Bo" in result.stdout and "Ann" not in result.stdout


def test_the_data_dir_holds_the_default_database(casesim: Casesim, tmp_path: Path) -> None:
    _db_with(tmp_path / "data" / "casesim.db", "ann")
    assert "Ann" in casesim("--data-dir", str(tmp_path / "data"), "records", "trainees").stdout
    assert "Ann" in casesim("records", "trainees", env={"CASESIM_DATA": str(tmp_path / "data")}).stdout


def test_the_options_and_their_variables_are_shown_in_help(casesim: Casesim) -> None:
    text = casesim("--help").stdout
    for flag, variable in (("--db", "CASESIM_DB"), ("--data-dir", "CASESIM_DATA"),
                           ("--scenarios", "CASESIM_SCENARIOS"), ("--scoring", "CASESIM_SCORING")):
        assert flag in text and variable in text
    assert "--verbose" in text


# --- the config file -----------------------------------------------------------------------------

def test_defaults_are_the_bundled_content_and_the_data_folder(tmp_path: Path) -> None:
    settings = resolve_settings(data_dir=tmp_path)
    assert settings.db == tmp_path / "casesim.db"
    assert settings.scenarios_dir == bundled.scenarios_dir()
    assert settings.frameworks_dir == bundled.frameworks_dir()
    assert settings.theme is None and settings.keymap == {}


def test_the_config_file_sets_what_no_flag_or_variable_did(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "db: records/class.db\nscenarios_dir: ~/my-scenarios\ntheme: textual-light\nkeymap:\n  pause: ctrl+t\n",
        encoding="utf-8")
    settings = resolve_settings(data_dir=tmp_path)
    assert settings.db == tmp_path / "records" / "class.db"  # relative to the config file's folder
    assert settings.scenarios_dir == Path("~/my-scenarios").expanduser()
    assert settings.theme == "textual-light" and settings.keymap == {"pause": "ctrl+t"}
    explicit = resolve_settings(data_dir=tmp_path, db=tmp_path / "flag.db", scenarios_dir=ROOT / "scenarios")
    assert explicit.db == tmp_path / "flag.db" and explicit.scenarios_dir == ROOT / "scenarios"


def test_the_config_file_is_below_a_variable_on_the_command_line(casesim: Casesim, tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("db: config.db\n", encoding="utf-8")
    _db_with(tmp_path / "config.db", "ann")
    env_db = _db_with(tmp_path / "env.db", "bo")
    assert "Ann" in casesim("--data-dir", str(tmp_path), "records", "trainees").stdout
    assert "Bo" in casesim("--data-dir", str(tmp_path), "records", "trainees",
                           env={"CASESIM_DB": str(env_db)}).stdout


@pytest.mark.parametrize(("text", "where", "what"), [
    ("db: a.db\nthem: textual-light\n", ":2:1:", "unknown key 'them'; did you mean 'theme'?"),
    ("keymap:\n  pause: [ctrl+t\n", ":3:1:", "error"),
    ("keymap:\n  pause: ''\n", ":2:3:", "no keys given for pause"),
    ("keymap: ctrl+t\n", ":1:9:", "error"),
    ("choice_settle_seconds: 60\n", ":1:24:", "5"),
], ids=["unknown-key", "yaml-syntax", "empty-keys", "keymap-not-a-mapping", "settle-too-long"])
def test_a_bad_config_file_is_an_error_at_its_line_and_column(casesim: Casesim, tmp_path: Path, text: str,
                                                             where: str, what: str) -> None:
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        resolve_settings(data_dir=tmp_path)
    assert caught.value.title == "bad config file"
    result = casesim("--data-dir", str(tmp_path), "records", "trainees")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: bad config file\n")
    assert f"config.yaml{where}" in result.stderr and what in result.stderr
    assert "Traceback" not in result.stderr


def test_the_settle_time_is_the_default_unless_the_config_file_sets_it(tmp_path: Path) -> None:
    assert resolve_settings(data_dir=tmp_path).choice_settle_seconds == CHOICE_SETTLE_SECONDS
    (tmp_path / "config.yaml").write_text("choice_settle_seconds: 1.5\n", encoding="utf-8")
    assert resolve_settings(data_dir=tmp_path).choice_settle_seconds == 1.5


def test_an_empty_config_file_means_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("# nothing yet\n", encoding="utf-8")
    assert resolve_settings(data_dir=tmp_path).db == tmp_path / "casesim.db"


def test_a_database_url_selects_postgresql_from_the_flag_the_variable_or_the_config(
        casesim: Casesim, tmp_path: Path, postgres_server: PostgresServer) -> None:
    from casesim.cli.access import login_name
    from casesim.database_url import DatabaseUrl

    url = "postgresql://casesim:hunter2@db.example.edu/casesim"
    settings = resolve_settings(data_dir=tmp_path, db=url)
    assert isinstance(settings.db, DatabaseUrl) and settings.db.secret_url == url
    (tmp_path / "config.yaml").write_text(f"db: {url}\n", encoding="utf-8")
    assert resolve_settings(data_dir=tmp_path).db == DatabaseUrl(url)
    # A real server: the CLI reads and writes there, by --db or CASESIM_DB.
    name = postgres_server.create_database("cli")
    real = postgres_server.url(name, tcp=True)
    # A PostgreSQL store is shared from the start: its owner grants the first administrator.
    granted = casesim("--db", real, "class", "grant", login_name(), "--administrator")
    assert granted.exit_code == 0, granted.output + granted.stderr
    made = casesim("--db", real, "records", "trainee", "ann", "--name", "Ann Lee", "--cohort", "fall")
    assert made.exit_code == 0, made.output + made.stderr
    listed = casesim("records", "trainees", env={"CASESIM_DB": real})
    assert listed.exit_code == 0 and "Ann Lee" in listed.output
    # An unreachable one: a clear error, never the password.
    down = casesim("--db", "postgresql://casesim:hunter2@127.0.0.1:1/casesim", "records", "list")
    assert down.exit_code != 0 and "cannot reach the records database" in down.stderr
    assert "hunter2" not in down.output + down.stderr and "Traceback" not in down.stderr
    postgres_server.drop_database(name)


def _documented_fields(cls: type) -> set[str]:
    """The fields of dataclass ``cls`` with a docstring right below them in its source."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    return {node.target.id for node, after in zip(body, body[1:], strict=False)
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
            and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str) and after.value.value.strip()}


@pytest.mark.parametrize("cls", [Settings, ConfigFile, TraineeSettings], ids=lambda c: c.__name__)
def test_every_setting_says_what_it_is_for(cls: type) -> None:
    names = {f.name for f in dataclasses.fields(cls)}
    assert names, "a dataclass with its fields"
    assert sorted(names - _documented_fields(cls)) == []


def test_nothing_but_the_cli_reads_the_environment() -> None:
    # Settings are resolved once at the entry point; click binds the CASESIM_* variables there.
    readers = [str(path.relative_to(ROOT)) for path in sorted((ROOT / "src" / "casesim").rglob("*.py"))
               if re.search(r"os\.environ|os\.getenv", path.read_text(encoding="utf-8"))]
    assert readers == []


class _RecordingApp:
    """Stands in for the Textual app: remembers what make_app was given, runs nothing."""

    return_code = 0
    startup_error = None
    opened_store = None  # never run, so the records were never opened
    given: dict[str, object] = {}

    def run(self) -> None:
        pass


def test_the_settings_are_passed_down_to_the_app(casesim: Casesim, monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    from casesim.tui import OpenLibrary

    def make_app(**kwargs: object) -> _RecordingApp:
        _RecordingApp.given = kwargs
        return _RecordingApp()

    monkeypatch.setattr("casesim.tui.make_app", make_app)
    (tmp_path / "config.yaml").write_text("theme: textual-light\nkeymap:\n  pause: ctrl+t\n", encoding="utf-8")
    library = tmp_path / "library"
    library.mkdir()
    result = casesim("--data-dir", str(tmp_path), "--scenarios", str(library))  # no command: the library
    assert result.exit_code == 0, result.stderr
    given = _RecordingApp.given
    assert isinstance(given["start"], OpenLibrary)
    assert given["library_paths"] == [library]
    assert given["trainee_file"] == tmp_path / "trainee.json"
    assert given["keymap"] == {"pause": "ctrl+t"} and given["theme"] == "textual-light"
    # The library opens its records after the first frame: the app is given what opens them.
    opener = given["store"]
    assert callable(opener) and not (tmp_path / "casesim.db").exists()
    store = opener()
    assert (tmp_path / "casesim.db").exists(), "the library records into the data folder's database"
    store.close()
