"""casesim's settings: one frozen dataclass, resolved once at the entry point and passed down.

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
from dataclasses import dataclass, field
from pathlib import Path

from casesim import bundled
from casesim.config_file import MAX_SETTLE_SECONDS, ConfigFile, check_config
from casesim.database_url import DatabaseUrl, is_database_url
from casesim.errors import CaseSimError, ConfigError
from casesim.play.clock import CHOICE_SETTLE_SECONDS

__all__ = ["CONFIG_FILE", "DB_FILE_NAME", "ConfigFile", "Settings", "default_cache_dir", "default_data_dir", "read_config",
           "resolve_settings"]

log = logging.getLogger(__name__)

CONFIG_FILE = "config.yaml"
DB_FILE_NAME = "casesim.db"


def _database_file(value: object) -> Path | DatabaseUrl:
    """A file path, or a PostgreSQL URL kept as a :class:`DatabaseUrl` (Path() would mangle it
    into a relative file name, and str() of it never shows the password)."""
    if isinstance(value, DatabaseUrl):
        return value
    if is_database_url(value):
        return DatabaseUrl(str(value))
    if isinstance(value, str | Path) and str(value).strip():
        return Path(value).expanduser()
    raise ValueError(f"the records database must be a file path or a postgresql:// URL, not {value!r}")


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a casesim command needs from the user's environment.

    A plain frozen dataclass, not a pydantic model: ``casesim`` builds it before its first frame,
    and pydantic cost a third of a second there (issue 15, item 7). The file's values are checked
    by :func:`casesim.config_file.check_config`; the rest come from click's typed options, so
    ``__post_init__`` only normalises the database and guards the settle time's bounds.
    """

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
    keymap: dict[str, str] = field(default_factory=dict)
    """Key remapping for the TUI: binding id -> comma-separated keys (``pause: ctrl+p``)."""
    choice_settle_seconds: float = CHOICE_SETTLE_SECONDS
    """How long new choices must be on screen before a key chooses, so a double Enter or a held
    key cannot choose unread (0 turns it off; at most 5 seconds)."""
    cache_dir: Path | None = None
    """Where each scenario's path analysis is cached (:mod:`casesim.authoring.analysis_cache`;
    ``CASESIM_CACHE_DIR`` overrides it; default: the platform's per-user cache folder, e.g.
    ``~/.cache/casesim``). None: nothing is cached (``--no-cache``)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "db", _database_file(self.db))
        if not 0 <= self.choice_settle_seconds <= MAX_SETTLE_SECONDS:
            raise ValueError(f"choice_settle_seconds must be from 0 to {MAX_SETTLE_SECONDS:g}, "
                             f"not {self.choice_settle_seconds}")


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
    # Imported only for a file to read: without one, `casesim` starts without the YAML reader.
    from casesim.format.reader import read_yaml

    log.info("reading the config file %s", path)
    doc, problems = read_yaml(path)
    if doc is None:
        if problems and all(p.code == "empty-file" for p in problems):
            return ConfigFile()  # nothing but comments: the defaults
        raise ConfigError(problems)
    config, problems = check_config(doc)
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
            db=_database_file(db or (config.db if isinstance(config.db, DatabaseUrl) else _under(folder, config.db))
                              or folder / DB_FILE_NAME),
            scenarios_dir=(scenarios_dir or _under(folder, config.scenarios_dir) or bundled.scenarios_dir()),
            frameworks_dir=(frameworks_dir or _under(folder, config.frameworks_dir) or bundled.frameworks_dir()),
            catalog_dirs=tuple(catalog_dirs or [p for c in config.catalogs if (p := _under(folder, c)) is not None]),
            theme=config.theme,
            keymap=config.keymap,
            choice_settle_seconds=(CHOICE_SETTLE_SECONDS if config.choice_settle_seconds is None
                                   else config.choice_settle_seconds),
            cache_dir=(cache_dir or default_cache_dir()).expanduser() if use_cache else None,
        )
    except ValueError as exc:  # a --db that is neither a path nor a PostgreSQL URL
        raise CaseSimError(str(exc), title="records unavailable",
                           hint="pass --db a file path or a postgresql:// URL") from exc
