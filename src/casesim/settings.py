"""casesim's settings: one model, resolved once at the entry point and passed down.

Where each value comes from, first match wins:

1. a command-line flag (``--db``, ``--data-dir``, ``--scenarios``, ``--scoring``, ``--catalog``);
2. its ``CASESIM_*`` environment variable (``CASESIM_DB``, ``CASESIM_DATA``,
   ``CASESIM_SCENARIOS``, ``CASESIM_SCORING``, ``CASESIM_CATALOG``); the CLI binds each flag to its variable, so
   nothing else in casesim reads the environment;
3. the optional config file ``config.yaml`` in the data folder (read with the same safe YAML
   reader as scenarios, so a mistake is reported at its line and column);
4. the defaults: the bundled scenarios and frameworks (:mod:`casesim.bundled`), and the
   per-user data folder of the platform (:mod:`platformdirs`).

The config file may set every field except ``data_dir`` (which says where the file is)::

    db: ~/practicum/records.db
    theme: textual-light
    keymap:
      pause: ctrl+p          # binding id -> keys, as in Textual's keymaps
    choice_settle_seconds: 1.5   # new choices wait this long before a key chooses
    catalogs: [~/practicum/my-program/scoring]   # a program's own frameworks, added to the bundled ones
"""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from casesim import bundled
from casesim.database_url import DatabaseUrl, is_database_url
from casesim.errors import CaseSimError, ConfigError
from casesim.play.clock import CHOICE_SETTLE_SECONDS

__all__ = ["CONFIG_FILE", "DB_FILE_NAME", "ConfigFile", "Settings", "default_cache_dir", "default_data_dir", "read_config",
           "resolve_settings"]

log = logging.getLogger(__name__)

CONFIG_FILE = "config.yaml"
DB_FILE_NAME = "casesim.db"


def _database_file(value: object) -> object:
    """A file path, or a PostgreSQL URL kept as a :class:`DatabaseUrl` (Path() would mangle it
    into a relative file name, and str() of it never shows the password)."""
    if isinstance(value, DatabaseUrl):
        return value
    if is_database_url(value):
        return DatabaseUrl(str(value))
    return Path(value).expanduser() if isinstance(value, str | Path) else value


class Settings(BaseModel):
    """Everything a casesim command needs from the user's environment."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True,
                              arbitrary_types_allowed=True)

    data_dir: Path
    """The per-user data folder: the records database by default, the remembered trainee
    (``trainee.json``), crash reports, and the optional ``config.yaml``."""
    db: Path | DatabaseUrl
    """The records database: a file (default: ``casesim.db`` in the data folder), or a PostgreSQL
    URL (``postgresql://user@host/dbname``) shared by a whole program."""
    scenarios_dir: Path
    """The scenario library the TUI lists, ``casesim play ID`` and reports look ids up in
    (default: the bundled library)."""
    frameworks_dir: Path
    """The framework catalog folder (frameworks, rubrics, competency map) scenarios cite
    (default: the bundled ``scoring/`` folder)."""
    catalog_dirs: tuple[Path, ...] = ()
    """A program's own framework folders, merged into the base catalog in this order; a name
    defined twice is an error. A scenario lists the ones it needs under ``catalog:``."""
    theme: str | None = None
    """The Textual theme of the TUI (e.g. ``textual-light``); None keeps Textual's default."""
    keymap: dict[str, str] = Field(default_factory=dict)
    """Key remapping for the TUI: binding id -> comma-separated keys (``pause: ctrl+p``)."""
    choice_settle_seconds: float = Field(default=CHOICE_SETTLE_SECONDS, ge=0, le=5)
    """How long new choices must be on screen before a key chooses, so a double Enter or a held
    key cannot choose unread (0 turns it off; at most 5 seconds)."""
    cache_dir: Path | None = None
    """Where each scenario's path analysis is cached (:mod:`casesim.authoring.analysis_cache`;
    ``CASESIM_CACHE_DIR`` overrides it; default: the platform's per-user cache folder, e.g.
    ``~/.cache/casesim``). None: nothing is cached (``--no-cache``)."""

    @field_validator("db", mode="before")
    @classmethod
    def db_is_a_file(cls, value: object) -> object:
        return _database_file(value)


class ConfigFile(BaseModel):
    """What ``config.yaml`` may set; relative paths are relative to the file's folder."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, arbitrary_types_allowed=True)

    db: Path | DatabaseUrl | None = None
    """The records database file, or a PostgreSQL URL."""
    scenarios_dir: Path | None = None
    """The scenario library folder."""
    frameworks_dir: Path | None = None
    """The framework catalog folder."""
    catalogs: list[Path] = Field(default_factory=list)
    """A program's own framework folders, added to the base catalog."""
    theme: str | None = None
    """The Textual theme of the TUI."""
    keymap: dict[str, str] = Field(default_factory=dict)
    """Binding id -> comma-separated keys."""
    choice_settle_seconds: float | None = Field(default=None, ge=0, le=5)
    """Seconds new choices must be on screen before a key chooses (0 to 5)."""

    @field_validator("db", mode="before")
    @classmethod
    def db_is_a_file(cls, value: object) -> object:
        return _database_file(value)

    @field_validator("keymap")
    @classmethod
    def keys_are_not_empty(cls, value: dict[str, str]) -> dict[str, str]:
        empty = [binding for binding, keys in value.items() if not keys.strip()]
        if empty:
            raise ValueError(f"no keys given for {', '.join(empty)}")
        return value


def default_cache_dir() -> Path:
    """The platform's per-user cache folder for casesim (``$XDG_CACHE_HOME/casesim``, by default
    ``~/.cache/casesim`` on Linux): what can be deleted at any time and rebuilt."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("casesim", appauthor=False))


def default_data_dir() -> Path:
    """The platform's per-user data folder for casesim (``~/.local/share/casesim`` on Linux)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("casesim", appauthor=False))


def read_config(path: Path) -> ConfigFile:
    """The config file at ``path`` (an empty one when there is no file).

    Raises :class:`~casesim.errors.ConfigError`, with every problem at its line and column,
    when the file is not valid YAML or sets something casesim does not know.
    """
    if not path.exists():
        log.debug("no config file at %s", path)
        return ConfigFile()
    # Imported only for a file to read: without one, `casesim` starts without the YAML reader
    # and the validation (which loads the scenario models).
    from casesim.format.reader import read_yaml
    from casesim.format.validation import validate_model

    log.info("reading the config file %s", path)
    doc, problems = read_yaml(path)
    if doc is None:
        if problems and all(p.code == "empty-file" for p in problems):
            return ConfigFile()  # nothing but comments: the defaults
        raise ConfigError(problems)
    if doc.data is None:  # a file holding only `null` or `~`
        return ConfigFile()
    config, problems = validate_model(ConfigFile, doc)
    if config is None:
        raise ConfigError(problems)
    return config


def _under(folder: Path, value: Path | None) -> Path | None:
    if value is None:
        return None
    value = value.expanduser()
    return value if value.is_absolute() else folder / value


def resolve_settings(*, data_dir: Path | None = None, db: Path | str | DatabaseUrl | None = None,
                     scenarios_dir: Path | None = None, frameworks_dir: Path | None = None,
                     catalog_dirs: tuple[Path, ...] | None = None, cache_dir: Path | None = None,
                     use_cache: bool = True) -> Settings:
    """The settings from explicit values (flags or their variables), the config file and defaults.

    ``use_cache=False`` (``--no-cache``) leaves ``cache_dir`` None: no analysis is read or written."""
    folder = (data_dir or default_data_dir()).expanduser()
    config = read_config(folder / CONFIG_FILE)
    try:
        return Settings(
            data_dir=folder,
            db=db or (config.db if isinstance(config.db, DatabaseUrl) else _under(folder, config.db))
            or folder / DB_FILE_NAME,
            scenarios_dir=(scenarios_dir or _under(folder, config.scenarios_dir) or bundled.scenarios_dir()),
            frameworks_dir=(frameworks_dir or _under(folder, config.frameworks_dir) or bundled.frameworks_dir()),
            catalog_dirs=tuple(catalog_dirs or [p for c in config.catalogs if (p := _under(folder, c)) is not None]),
            theme=config.theme,
            keymap=config.keymap,
            choice_settle_seconds=(CHOICE_SETTLE_SECONDS if config.choice_settle_seconds is None
                                   else config.choice_settle_seconds),
            cache_dir=(cache_dir or default_cache_dir()).expanduser() if use_cache else None,
        )
    except ValidationError as exc:  # a --db that is neither a path nor a PostgreSQL URL
        message = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        raise CaseSimError(message, title="records unavailable",
                           hint="pass --db a file path or a postgresql:// URL") from exc
