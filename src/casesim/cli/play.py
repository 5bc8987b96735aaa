"""Trainee commands: the library (``casesim`` alone), ``play``, ``author`` and ``resume``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import rich_click as click

from casesim.cli.library import (
    TRAINEE_FILE,
    load_catalog_for,
    more_time_value,
    plain_player,
    run_app,
)
from casesim.cli.options import (
    cache_options,
    choice,
    complete_attempts,
    complete_scenarios,
    complete_trainees,
    pass_settings,
    path_option,
    record_key,
)
from casesim.errors import CaseSimError
from casesim.format.mode import Mode
from casesim.records import open_store
from casesim.settings import Settings

if TYPE_CHECKING:
    from casesim.authoring.pipeline import Playable
    from casesim.play.timing import TimeAllowance
    from casesim.scoring.catalog import Catalog

__all__ = ["COMMANDS", "resolve_scenario"]


def resolve_scenario(ref: str, catalog: Catalog, library: Path) -> Playable:
    """A scenario by file path, or by id from the ``library`` folder (see
    :func:`casesim.play.library.resolve_scenario`); raises :class:`CaseSimError` for people."""
    from casesim.play.library import resolve_scenario as find_scenario

    return find_scenario(ref, [library], catalog)


_plain_option = click.option("--plain", is_flag=True, default=False, envvar="CASESIM_PLAIN",
                             help="screen-reader mode: one line at a time in reading order, typed commands, "
                                  "no full-screen UI [env: CASESIM_PLAIN]")


# --- commands ------------------------------------------------------------------------------------

def _checked_trainee(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--trainee`` checked as the record store will check it (``records.labels``), normalised."""
    from casesim.format.text import visible
    from casesim.records.labels import MAX_LABEL, label_problem

    if value is None:
        return None
    problem = label_problem(value)
    if problem is not None:
        raise click.BadParameter(f"{visible(value, one_line=True)!r} cannot be recorded: {problem}; type 1-{MAX_LABEL} "
                                 "printable characters, such as s1234 or ann.lee", ctx=ctx, param=param)
    return " ".join(value.split())


_more_time_option = click.option(
    "--more-time", default=None, is_flag=False, flag_value="2x", metavar="[2x|1.5x|none]", callback=more_time_value,
    envvar="CASESIM_MORE_TIME",
    help="more time on every timer in practice (alone: 2x; none: no time limit). Assessments use only the "
         "time your instructor sets [env: CASESIM_MORE_TIME]")
def _checked_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    import re

    from casesim.format.locale import LANG_PATTERN
    from casesim.format.text import visible

    if value is not None and not re.match(LANG_PATTERN, value):
        raise click.BadParameter(f"{visible(value, one_line=True)!r} is not a language tag; write one like es, fr "
                                 "or pt-BR", ctx=ctx, param=param)
    return value


_lang_option = click.option("--lang", default=None, metavar="TAG", callback=_checked_lang,
                            help="play the scenario's translation in this language (e.g. es), from "
                                 "locales/ID.TAG.yaml beside it; casesim's own menus stay in English")


def _localised(loaded: Playable, lang: str | None, catalog: Catalog) -> tuple[Playable, str | None]:
    """``loaded`` in ``lang`` (and the notice to show), or as it is without ``lang``."""
    if lang is None:
        return loaded, None
    from casesim.play.localise import localise

    result = localise(loaded, lang, catalog)
    return result.loaded, result.notice


_trainee_option = click.option("--trainee", default=None, metavar="NAME", shell_complete=complete_trainees,
                               callback=_checked_trainee, help="your name or student id (remembered)")


@click.command("play")
@click.argument("scenario", metavar="ID|PATH", shell_complete=complete_scenarios)
@click.option("--mode", type=choice(Mode), default=None,
              help="practice (feedback, hints, undo) or assessment (scored; timers enforced)")
@_trainee_option
@click.option("--seed", type=click.IntRange(0, 2**31 - 1), default=None, metavar="N",
              help="the attempt's seed, which orders the choices (default: a fresh one; it is recorded with "
                   "the attempt either way; 0 to 2147483647, which every record format keeps exact)")
@_plain_option
@_more_time_option
@_lang_option
@click.option("--debrief-html", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              metavar="FILE", help="with --plain: also write the debrief as an accessible web page to FILE")
@path_option("db")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@cache_options()
@pass_settings
def play_command(settings: Settings, scenario: str, mode: Mode | None, trainee: str | None,
                 seed: int | None, plain: bool, more_time: TimeAllowance | None, lang: str | None,
                 debrief_html: Path | None) -> int:
    """Play one scenario (a library id or a .yaml file) in the terminal UI.

    Opens the before-you-start screen of the scenario, then plays it. With --plain, plays it
    as lines in reading order, for a screen reader or a Braille display.
    """
    catalog = load_catalog_for(settings)
    loaded, notice = _localised(resolve_scenario(scenario, catalog, settings.scenarios_dir), lang, catalog)
    if debrief_html is not None and not plain:
        raise CaseSimError("--debrief-html works with --plain only", title="option needs --plain",
                           hint="add --plain, or export a finished attempt with `casesim debrief ATTEMPT --html FILE`")
    store = open_store(settings.db, key=record_key())
    if plain:
        try:
            player = plain_player(settings, store=store, catalog=catalog, debrief_html=debrief_html,
                                  more_time=more_time)
            if notice is not None:
                player.say(notice)
            player.start(loaded, mode=mode, seed=seed, trainee_name=trainee)
        finally:
            store.close()
        return 0
    from casesim.tui import OpenScenario

    return run_app(settings, OpenScenario(loaded, mode=mode, seed=seed, notice=notice), store=store, catalog=catalog,
                   trainee_name=trainee, more_time=more_time)


@click.command("author")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="PATH")
@click.option("--no-watch", is_flag=True, help="do not reload when the file or a block it includes changes (ctrl+r reloads)")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@pass_settings
def author_command(settings: Settings, path: Path, no_watch: bool) -> int:
    """Play a scenario file while you edit it (reloads on save).

    The trainer's workbench: play the file; on every save see what validate reports and the
    embedded tests' results; edit variables and history, let a timer run out (x), follow the
    score so far and the graph; jump to any node. Nothing is recorded.
    """
    from casesim.tui import OpenAuthor

    catalog = load_catalog_for(settings)
    return run_app(settings, OpenAuthor(path), store=None, catalog=catalog, watch=not no_watch)


@click.command("resume")
@click.argument("attempt", required=False, default=None, metavar="[ATTEMPT]", shell_complete=complete_attempts)
@click.option("--trainee", default=None, metavar="NAME", shell_complete=complete_trainees,
              callback=_checked_trainee, help="whose latest attempt to resume (default: the remembered trainee)")
@_plain_option
@_lang_option
@path_option("db")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@pass_settings
def resume_command(settings: Settings, attempt: str | None, trainee: str | None, plain: bool, lang: str | None) -> int:
    """Carry on an attempt that was interrupted.

    Resumes ATTEMPT, or the latest attempt in progress of the remembered trainee.
    """
    from casesim.play.trainee import TraineeSettings, load_trainee, trainee_id_for

    catalog = load_catalog_for(settings)
    store = open_store(settings.db, key=record_key())
    try:
        if attempt is not None:
            row = store.attempt(attempt)
        else:
            who = trainee_id_for(trainee or load_trainee(settings.data_dir / TRAINEE_FILE).name)
            rows = list(store.in_progress(who or None))
            if not rows:
                raise CaseSimError(f"no attempt is in progress{' for ' + who if who else ''}",
                                   title="nothing to resume", hint="run `casesim` to start a scenario")
            row = rows[-1]
        if row.status != "in-progress":
            raise CaseSimError(f"attempt {row.id} is {row.status}; only an attempt in progress can be resumed",
                               title="cannot resume")
        loaded, notice = _localised(resolve_scenario(row.scenario_id, catalog, settings.scenarios_dir), lang, catalog)
    except CaseSimError:
        store.close()
        raise
    if plain:
        try:
            player = plain_player(settings, store=store, catalog=catalog)
            player.trainee = TraineeSettings(name=row.trainee_id, mode=row.mode)
            if notice is not None:
                player.say(notice)
            player.resume(loaded, row.id)
        finally:
            store.close()
        return 0
    from casesim.tui import ResumeAttempt

    return run_app(settings, ResumeAttempt(loaded, row.id, notice=notice), store=store, catalog=catalog,
                   trainee_name=trainee or row.trainee_id)


@click.command("debrief")
@click.argument("attempt", metavar="ATTEMPT", shell_complete=complete_attempts)
@click.option("--html", "html_file", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              metavar="FILE", help="write an accessible web page to FILE instead of printing plain text")
@click.option("--text", "text_file", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              metavar="FILE", help="write the plain text to FILE (to hand in) instead of printing it")
@path_option("db")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@pass_settings
def debrief_command(settings: Settings, attempt: str, html_file: Path | None, text_file: Path | None) -> int:
    """Print a finished attempt's debrief as plain text, or save it as a web page.

    The debrief teaches first: whether the attempt passed and why, the decisions that mattered
    with the better choice, then every detail. Readable with a screen reader.
    """
    from casesim.format.text import visible
    from casesim.plain import build_debrief, debrief_html, debrief_text
    from casesim.play.recorder import recorded_timing
    from casesim.play.timing import timing_text
    from casesim.scoring.glossary import debrief_glossary

    catalog = load_catalog_for(settings)
    with open_store(settings.db, key=record_key()) as store:
        row = store.attempt(attempt)
        debrief = store.debrief(attempt)
        timing = recorded_timing(store.events(attempt))
    if debrief is None:
        raise CaseSimError(f"attempt {row.id} is {row.status} and has no debrief", title="no debrief",
                           hint="only a completed attempt has one; `casesim records list` shows each attempt's status")
    doc = build_debrief(debrief, {cid: c.title for cid, c in catalog.criteria.items()}, trainee=row.trainee_id,
                        glossary=debrief_glossary(catalog),
                        timing=timing_text(timing) if timing.accommodated else None)
    text = visible(debrief_text(doc))  # the debrief's own text is flat(); this covers what is not
    if html_file is None and text_file is None:
        click.echo(text)
        return 0
    for target, content in ((html_file, debrief_html(doc)), (text_file, text + "\n")):
        if target is None:
            continue
        try:
            target.write_text(content, encoding="utf-8")
        except OSError as exc:
            raise CaseSimError(f"{target} could not be written: {exc.strerror or exc}",
                               title="cannot save the debrief", hint="choose a folder you can write to") from exc
        click.echo(f"The debrief is saved as {visible(str(target), one_line=True)}")
    return 0


COMMANDS = [play_command, resume_command, author_command, debrief_command]
