"""``config.yaml``: what it may set, and every mistake in it said at its line and column.

The config file is checked by hand rather than by a pydantic model. It has seven keys, and
``casesim`` reads it before its first frame: building a pydantic model (and importing pydantic)
cost about a third of a second there, longer than everything else casesim adds to a Textual
hello-world (issue 15, item 7). The checks here say what each key should hold in a trainer's
words, as :mod:`casesim.format.validation` does for scenarios and with the same names for what
was found (:func:`casesim.format.wording.describe`: "'theme' should be text, not the number 3:
put it in quotes..."), and report every problem in the file at once, in file order.

Only :func:`check_config` needs the YAML reader's :class:`~casesim.format.reader.SourceDocument`;
nothing here imports it at module level, so ``casesim`` without a config file never loads YAML.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casesim.database_url import DatabaseUrl, is_database_url
from casesim.format.wording import describe

if TYPE_CHECKING:
    from casesim.format.diagnostics import Diagnostic
    from casesim.format.reader import SourceDocument

__all__ = ["CONFIG_KEYS", "MAX_SETTLE_SECONDS", "ConfigFile", "check_config", "describe"]

MAX_SETTLE_SECONDS = 5.0
"""The longest ``choice_settle_seconds`` allowed: longer reads as a frozen screen."""


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """What ``config.yaml`` may set (None or empty: not set); relative paths are relative to the
    file's folder (resolved by :func:`casesim.settings.resolve_settings`)."""

    db: Path | DatabaseUrl | None = None
    """The records database file, or a PostgreSQL URL."""
    scenarios_dir: Path | None = None
    """The scenario library folder."""
    frameworks_dir: Path | None = None
    """The framework catalog folder."""
    catalogs: tuple[Path, ...] = ()
    """A program's own framework folders, added to the base catalog."""
    theme: str | None = None
    """The Textual theme of the TUI."""
    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id -> comma-separated keys."""
    choice_settle_seconds: float | None = None
    """Seconds new choices must be on screen before a key chooses (0 to 5)."""


CONFIG_KEYS = ("db", "scenarios_dir", "frameworks_dir", "catalogs", "theme", "keymap", "choice_settle_seconds")
"""The keys the file may hold, in :class:`ConfigFile`'s order (``data_dir`` is not one: the file
is in the data folder)."""


def _not_text(key: str, what: str, value: object, *, quoting_hints: bool = True) -> str:
    """The message for a value that should have been text (a path, a theme, keys), with how YAML
    came to read it as something else (``quoting_hints``)."""
    extra = ""
    if not quoting_hints:
        pass
    elif isinstance(value, bool):
        extra = " (YAML reads yes/no/on/off as booleans: put the text in quotes)"
    elif isinstance(value, int | float):
        extra = ": put it in quotes if it is meant as text"
    elif isinstance(value, list):
        extra = ": a text that starts with `[` is read as a list; put the whole line in quotes"
    elif isinstance(value, dict) and len(value) == 1:
        extra = (f": the `: ` after {next(iter(value))!r} makes YAML read a key and a value; "
                 "put the whole line in quotes")
    return f"{key!r} should be {what}, not {describe(value)}{extra}"


class _Checker:
    """Collects the problems of one document; each ``field`` method returns the value or None."""

    def __init__(self, doc: SourceDocument) -> None:
        from casesim.format.diagnostics import Severity

        self.doc = doc
        self.problems: list[Diagnostic] = []
        self._error = Severity.ERROR

    def problem(self, where: tuple[str | int, ...], code: str, message: str, *, key: bool = False) -> None:
        self.problems.append(self.doc.diagnostic(self.doc.position(where, key=key), self._error, code, message))

    def text(self, where: tuple[str | int, ...], name: str, value: object, what: str) -> str | None:
        if isinstance(value, str):
            return value
        self.problem(where, "wrong-type", _not_text(name, what, value))
        return None

    def path(self, where: tuple[str | int, ...], name: str, value: object, what: str) -> Path | None:
        text = self.text(where, name, value, f"{what} (text)")
        if text is None:
            return None
        if not text.strip():
            self.problem(where, "invalid-value", f"{name!r} is empty; write {what}, or remove the key")
            return None
        return Path(text)

    def db(self, value: object) -> Path | DatabaseUrl | None:
        if is_database_url(value):
            return DatabaseUrl(str(value))
        return self.path(("db",), "db", value, "a file path or a postgresql:// URL")

    def catalogs(self, value: object) -> tuple[Path, ...]:
        if not isinstance(value, list):
            example = f": write it as a list, like `catalogs: [{value}]`" if isinstance(value, str) else ""
            self.problem(("catalogs",), "wrong-type", f"'catalogs' should be a list of folder paths, "
                                                      f"not {describe(value)}{example}")
            return ()
        folders = [self.path(("catalogs", i), f"catalogs item {i + 1}", item, "a folder path")
                   for i, item in enumerate(value)]
        return tuple(folder for folder in folders if folder is not None)

    def keymap(self, value: object) -> dict[str, str]:
        if not isinstance(value, dict):
            message = _not_text("keymap", "a mapping of keys to values", value, quoting_hints=False)
            self.problem(("keymap",), "wrong-type", f"{message}; write one binding per line under it, "
                                                    "like `  pause: ctrl+p`")
            return {}
        keymap: dict[str, str] = {}
        for binding, keys in value.items():
            where = ("keymap", binding)
            text = self.text(where, str(binding), keys, "text")
            if text is None:
                continue
            if not text.strip():
                self.problem(where, "invalid-value", f"'keymap': no keys given for {binding}; write the keys, "
                                                     f"like `{binding}: ctrl+p`, or remove the line", key=True)
                continue
            keymap[str(binding)] = text
        return keymap

    def settle_seconds(self, value: object) -> float | None:
        name = "choice_settle_seconds"
        number: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):  # a quoted number, or a whole number too long for the reader
            try:
                number = float(value)
            except ValueError:
                number = None
        if number is None or number != number:  # not a number, or nan
            self.problem((name,), "wrong-type", f"{name!r} should be a number of seconds from 0 to "
                                                f"{MAX_SETTLE_SECONDS:g}, not {describe(value)}")
            return None
        if not (0 <= number <= MAX_SETTLE_SECONDS):  # also refuses nan
            bound = "at least 0" if number < 0 else f"at most {MAX_SETTLE_SECONDS:g}"
            self.problem((name,), "invalid-value", f"{name!r} should be {bound} (seconds; 0 turns the wait "
                                                   f"off), not {describe(value)}")
            return None
        return number


def check_config(doc: SourceDocument) -> tuple[ConfigFile | None, list[Diagnostic]]:
    """``doc`` (a read ``config.yaml``) as a :class:`ConfigFile`, or None and every problem in
    file order: an unknown key (with the nearest known one), a value of the wrong kind, an empty
    path or binding, a settle time outside 0-5 seconds."""
    from casesim.format.diagnostics import suggest

    check = _Checker(doc)
    data: Any = doc.data
    if data is None:  # a file holding only `null` or `~`
        return ConfigFile(), []
    if not isinstance(data, dict):
        check.problem((), "wrong-type", f"the config file should be a mapping of keys to values, like "
                                        f"`theme: textual-light`, not {describe(data)}")
        return None, check.problems
    values: dict[str, Any] = {}
    fields: dict[str, Callable[[object], Any]] = {
        "db": check.db,
        "scenarios_dir": lambda v: check.path(("scenarios_dir",), "scenarios_dir", v, "a folder path"),
        "frameworks_dir": lambda v: check.path(("frameworks_dir",), "frameworks_dir", v, "a folder path"),
        "catalogs": check.catalogs,
        "theme": lambda v: check.text(("theme",), "theme", v, "text"),
        "keymap": check.keymap,
        "choice_settle_seconds": check.settle_seconds,
    }
    for key, value in data.items():
        name = str(key)
        if name not in fields:
            if name == "data_dir":
                message = ("unknown key 'data_dir': the config file is read from the data folder, so it "
                           "cannot move it; use --data-dir or CASESIM_DATA")
            else:
                message = f"unknown key {name!r}" + suggest(
                    name, CONFIG_KEYS, f"; allowed keys here: {', '.join(sorted(CONFIG_KEYS))}")
            check.problem((key,), "unknown-key", message, key=True)
            continue
        if value is None and name in ("db", "scenarios_dir", "frameworks_dir", "theme", "choice_settle_seconds"):
            continue  # `theme:` with nothing after it: not set
        values[name] = fields[name](value)
    if check.problems:
        check.problems.sort(key=lambda d: (d.line, d.col))
        return None, check.problems
    return ConfigFile(**{k: v for k, v in values.items() if v is not None}), []
