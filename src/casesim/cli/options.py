"""What every command shares: the settings, the path options, choices and shell completion.

The four path options (``--db``, ``--data-dir``, ``--scenarios``, ``--scoring``) are defined
once, here. On the ``casesim`` group they are bound to their ``CASESIM_*`` variables; the
commands that used to take them after their name still do (``casesim records list --db X``),
without a variable or a default, so that a value given before the command is never replaced
by a default after it (the argparse CLI's bug). Both places write into one dict that the
context chain shares, and :func:`settings_for` resolves :class:`~casesim.settings.Settings`
from it once, when a command first asks.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar, get_args

import click
from click import get_current_context
from click.shell_completion import CompletionItem

from casesim.errors import CaseSimError
from casesim.settings import Settings, resolve_settings

__all__ = [
    "GraphFormat",
    "LazyChoice",
    "OutputFormat",
    "PageFormat",
    "PathSetting",
    "XapiFormat",
    "cache_options",
    "choice",
    "complete_attempts",
    "complete_cohorts",
    "complete_scenarios",
    "complete_trainees",
    "path_option",
    "pass_settings",
    "settings_for",
]

OutputFormat = Literal["text", "json"]
GraphFormat = Literal["mermaid", "dot", "svg"]
XapiFormat = Literal["jsonl", "json"]
PageFormat = Literal["Letter", "A4"]

PathSetting = Literal["db", "data_dir", "scenarios_dir", "frameworks_dir", "catalog_dirs"]

P = ParamSpec("P")
R = TypeVar("R")
FC = TypeVar("FC", bound=Callable[..., Any])

log = logging.getLogger(__name__)

_FLAGS = "casesim.flags"
_SETTINGS = "casesim.settings"


def choice(literal: Any) -> click.Choice[str]:
    """A click choice of the values of a ``Literal`` type, so the CLI and the code cannot drift."""
    return click.Choice(get_args(literal))


class LazyChoice(click.Choice[str]):
    """A click choice whose values are worked out when first read (to parse, to show the help or
    to complete), not when the command is declared: the modules that define them (the scenario
    kinds file, the JSON Schema models) are then imported only by the command that needs them,
    and ``casesim`` alone starts without them (issue 15, item 7)."""

    def __init__(self, values: Callable[[], Iterable[str]], case_sensitive: bool = True) -> None:
        self._values = values
        self._choices: tuple[str, ...] | None = None
        self.case_sensitive = case_sensitive

    @property
    def choices(self) -> tuple[str, ...]:
        if self._choices is None:
            self._choices = tuple(self._values())
        return self._choices

    @choices.setter
    def choices(self, values: Iterable[str]) -> None:
        self._choices = tuple(values)


# --- the settings ----------------------------------------------------------------------------

def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    # ctx.meta is one dict for the whole context chain: a value given after the command name
    # is processed after the group's, and wins; an absent one (None) changes nothing.
    if value is not None and value != () and param.name is not None:
        ctx.meta.setdefault(_FLAGS, {})[param.name] = value
    return value


_RECORD_KEY = "casesim.record_key"


def _remember_key(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    from click.core import ParameterSource

    if value and param.name is not None:
        if ctx.get_parameter_source(param.name) == ParameterSource.COMMANDLINE:
            raise click.BadParameter("a key on the command line is visible to every user of the machine (ps); "
                                     "set CASESIM_RECORD_KEY (the key, or @FILE) or give --key-file FILE")
        ctx.meta[_RECORD_KEY] = value
    return value


def record_key_option(f: FC) -> FC:
    """``CASESIM_RECORD_KEY``: the record key of a keyed store (:mod:`casesim.records.keys`),
    from the environment only."""
    return click.option("--record-key", "record_key", envvar="CASESIM_RECORD_KEY", hidden=True, expose_value=False,
                        callback=_remember_key)(f)


def record_key(key_file: Path | None = None) -> bytes | None:
    """The record key for this invocation: ``--key-file``, else ``CASESIM_RECORD_KEY``, else None."""
    from casesim.records.keys import load_key

    ctx = click.get_current_context(silent=True)
    value = ctx.meta.get(_RECORD_KEY) if ctx is not None else None
    return load_key(key_file, env_value=value if isinstance(value, str) else None)


_PSEUDONYM_KEY = "casesim.pseudonym_key"


def _remember_pseudonym_key(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    from click.core import ParameterSource

    if value and param.name is not None:
        if ctx.get_parameter_source(param.name) == ParameterSource.COMMANDLINE:
            raise click.BadParameter("a key on the command line is visible to every user of the machine (ps); "
                                     "set CASESIM_PSEUDONYM_KEY (the key, or @FILE)")
        ctx.meta[_PSEUDONYM_KEY] = value
    return value


def pseudonym_key_option(f: FC) -> FC:
    """``CASESIM_PSEUDONYM_KEY``: a program's pseudonym key kept outside its stores
    (:mod:`casesim.records.pseudonym_keys`), from the environment only."""
    return click.option("--pseudonym-key", "pseudonym_key", envvar="CASESIM_PSEUDONYM_KEY", hidden=True,
                        expose_value=False, callback=_remember_pseudonym_key)(f)


def pseudonym_env() -> str | None:
    """What ``CASESIM_PSEUDONYM_KEY`` holds for this invocation (None: not set)."""
    ctx = click.get_current_context(silent=True)
    value = ctx.meta.get(_PSEUDONYM_KEY) if ctx is not None else None
    return value if isinstance(value, str) and value else None


_NO_CACHE = "casesim.no_cache"


def _remember_no_cache(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value:  # given on the group or the command: either turns the cache off
        ctx.meta[_NO_CACHE] = True
    return value


def cache_options(*, on_group: bool = False) -> Callable[[FC], FC]:
    """``--no-cache`` (and, on the group, ``--cache-dir``/``CASESIM_CACHE_DIR``): where the
    scenarios' path analyses are cached (:mod:`casesim.authoring.analysis_cache`), or not at all."""
    no_cache = click.option("--no-cache", "no_cache", is_flag=True, default=False, expose_value=False,
                            callback=_remember_no_cache,
                            help="neither read nor write the analysis cache: analyse every scenario afresh")

    def decorate(f: FC) -> FC:
        f = no_cache(f)
        if on_group:
            f = click.option("--cache-dir", "cache_dir", type=click.Path(file_okay=False, path_type=Path),
                             metavar="DIR", envvar="CASESIM_CACHE_DIR", show_envvar=True, expose_value=False,
                             callback=_remember,
                             help="where scenarios' path analyses are cached (default: the platform's, "
                                  "e.g. ~/.cache/casesim)")(f)
        return f

    return decorate


def settings_for(ctx: click.Context) -> Settings:
    """The settings of this invocation: flags, then ``CASESIM_*``, then config file, then defaults."""
    settings = ctx.meta.get(_SETTINGS)
    if settings is None:
        flags: dict[str, Any] = ctx.meta.get(_FLAGS, {})
        settings = resolve_settings(data_dir=flags.get("data_dir"), db=flags.get("db"),
                                    scenarios_dir=flags.get("scenarios_dir"),
                                    frameworks_dir=flags.get("frameworks_dir"),
                                    catalog_dirs=flags.get("catalog_dirs"), cache_dir=flags.get("cache_dir"),
                                    use_cache=not ctx.meta.get(_NO_CACHE, False))
        ctx.meta[_SETTINGS] = settings
        # Imported here, not at the top: the analysis modules are not needed to start the CLI.
        from casesim.authoring.analysis_cache import configure

        configure(settings.cache_dir)
        log.info("records %s; scenarios %s; frameworks %s (and %s); data folder %s", settings.db,
                 settings.scenarios_dir, settings.frameworks_dir,
                 ", ".join(map(str, settings.catalog_dirs)) or "no program catalog", settings.data_dir)
    assert isinstance(settings, Settings)
    return settings


def resolved_settings(ctx: click.Context) -> Settings | None:
    """The settings if a command already resolved them (for the crash report), else None."""
    settings = ctx.meta.get(_SETTINGS)
    return settings if isinstance(settings, Settings) else None


def pass_settings(f: Callable[Concatenate[Settings, P], R]) -> Callable[P, R]:
    """Give the command its :class:`Settings` as the first argument."""

    @functools.wraps(f)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        return f(settings_for(get_current_context()), *args, **kwargs)

    return wrapper


_PATH_OPTIONS: dict[PathSetting, tuple[str, str, click.Path, str, str]] = {
    # name: (flag, variable, type, metavar, help)
    "db": ("--db", "CASESIM_DB", click.Path(dir_okay=False), "PATH|URL",
           "the records database file (default: casesim.db in the data folder), or a "
           "postgresql:// URL shared by a program"),
    "data_dir": ("--data-dir", "CASESIM_DATA", click.Path(file_okay=False, path_type=Path), "DIR",
                 "your data folder: records, remembered trainee, config.yaml, crash reports "
                 "(default: the platform's, e.g. ~/.local/share/casesim)"),
    "scenarios_dir": ("--scenarios", "CASESIM_SCENARIOS", click.Path(file_okay=False, path_type=Path), "DIR",
                      "the scenario library folder (default: the bundled library)"),
    "frameworks_dir": ("--scoring", "CASESIM_SCORING", click.Path(file_okay=False, path_type=Path), "DIR",
                       "the framework catalog folder (default: the bundled scoring/)"),
    "catalog_dirs": ("--catalog", "CASESIM_CATALOG", click.Path(file_okay=False, path_type=Path), "DIR",
                     "a program's own framework folder, added to the base catalog (repeatable; the "
                     "variable takes several, separated by " + os.pathsep + ")"),
}


def path_option(name: PathSetting, *, on_group: bool = False) -> Callable[[FC], FC]:
    """One of the path settings as an option: on the group with its variable, else a late override."""
    flag, variable, kind, metavar, text = _PATH_OPTIONS[name]
    multiple = name == "catalog_dirs"
    if on_group:
        return click.option(flag, name, type=kind, metavar=metavar, envvar=variable, show_envvar=True,
                            expose_value=False, callback=_remember, help=text, multiple=multiple)
    return click.option(flag, name, type=kind, metavar=metavar, expose_value=False, callback=_remember,
                        multiple=multiple, help=f"{text}; the same as `casesim {flag} {metavar} ...` (env: {variable})")


# --- shell completion ------------------------------------------------------------------------
# Completion runs on every <TAB>: it must be quick and must never change anything, so it
# reads the library's ids without analysing paths and opens the store read-only (a missing
# database stays missing). A problem means "nothing to offer", never an error on the prompt.

def _settings_or_none(ctx: click.Context) -> Settings | None:
    try:
        return settings_for(ctx)
    except CaseSimError:
        return None


def _looks_like_a_path(incomplete: str) -> bool:
    return incomplete.startswith((".", "~")) or os.sep in incomplete or incomplete.endswith((".yaml", ".yml"))


_TOP_LEVEL_ID = re.compile(r"""^id:[ \t]*["']?([a-z0-9][a-z0-9-]*)["']?[ \t]*(?:#.*)?$""", re.MULTILINE)


def _scenario_ids(folder: Path) -> Iterator[str]:
    """The ids of the scenario files in ``folder``, for completion.

    A block-style file's ``id:`` line at column 0 is the top-level id, and finding it with a
    regular expression takes microseconds where building the positioned YAML tree takes tens
    of milliseconds per file; other files (flow style, odd quoting) go through the safe reader.
    """
    from casesim.authoring.pipeline import find_scenario_files
    from casesim.format.reader import Limits, read_yaml

    if not folder.is_dir():
        return
    for file in find_scenario_files([folder]):
        try:
            if file.stat().st_size > Limits().max_bytes:
                continue  # the reader would refuse it too
            found = _TOP_LEVEL_ID.search(file.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
        if found is not None:
            yield found.group(1)
            continue
        doc, _ = read_yaml(file)
        if doc is not None and isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
            yield doc.data["id"]


def complete_scenarios(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Scenario ids from the library folder (a path-like word completes as a file)."""
    if _looks_like_a_path(incomplete):
        return [CompletionItem(incomplete, type="file")]
    settings = _settings_or_none(ctx)
    if settings is None:
        return []
    ids = sorted(set(_scenario_ids(settings.scenarios_dir)))
    return [CompletionItem(i) for i in ids if i.startswith(incomplete)]


def _from_store(ctx: click.Context, read: Callable[[Any], list[str]], incomplete: str) -> list[CompletionItem]:
    from casesim.records import open_store

    settings = _settings_or_none(ctx)
    if settings is None or (isinstance(settings.db, Path) and not settings.db.is_file()):
        return []
    try:
        store = open_store(settings.db, readonly=True)
    except CaseSimError:
        return []
    try:
        with store:
            values = read(store)
    except CaseSimError:
        return []
    return [CompletionItem(v) for v in sorted(set(values)) if v.startswith(incomplete)]


def complete_trainees(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Trainee ids from the records database."""
    return _from_store(ctx, lambda store: [t.id for t in store.trainees()], incomplete)


def complete_cohorts(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Cohort names from the records database."""
    return _from_store(ctx, lambda store: list(store.cohorts()), incomplete)


def complete_attempts(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Ids of the attempts in progress (the ones ``casesim resume`` can carry on)."""
    return _from_store(ctx, lambda store: [a.id for a in store.in_progress()], incomplete)
