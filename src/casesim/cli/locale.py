"""``casesim locale extract``: write or update a scenario's locale file for translators."""

from __future__ import annotations

import re
from pathlib import Path

import rich_click as click

from casesim.cli.library import load_catalog_for
from casesim.cli.options import pass_settings, path_option
from casesim.errors import CaseSimError, ScenarioError
from casesim.format.diagnostics import format_diagnostics
from casesim.format.text import visible
from casesim.settings import Settings

__all__ = ["COMMANDS"]


def _lang(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from casesim.format.locale import LANG_PATTERN

    if not re.match(LANG_PATTERN, value):
        raise click.BadParameter(f"{visible(value, one_line=True)!r} is not a language tag; write one like es, fr "
                                 "or pt-BR", ctx=ctx, param=param)
    return value


lang_option = click.option("--lang", "lang", required=True, callback=_lang, metavar="TAG",
                           help="the language tag, e.g. es or pt-BR")


@click.group("locale")
def locale_group() -> None:
    """Translations of a scenario's text (scenarios/locales/ID.LANG.yaml)."""


@locale_group.command("extract")
@click.argument("scenario", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="PATH")
@lang_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              metavar="FILE", help="write here instead of locales/ID.LANG.yaml beside the scenario")
@path_option("frameworks_dir")
@pass_settings
def extract_command(settings: Settings, scenario: Path, lang: str, output: Path | None) -> int:
    """Write the locale file of SCENARIO for LANG, or update it.

    Lists every player-facing line by its id, with the source text and its hash as a comment
    above it. Translations already written are kept (a stale one keeps its old hash, so
    `casesim validate` still reports it until it is brought up to date).
    """
    # Imported here: `casesim` alone must not load the scenario models to declare this command.
    from casesim.authoring.locale_checks import check_locale, extract_locale, read_existing
    from casesim.authoring.pipeline import load_scenario
    from casesim.format.locale import locale_path

    report = load_scenario(scenario, load_catalog_for(settings), analyse_paths=False)
    if report.model is None or report.errors:
        raise ScenarioError(report.errors or report.diagnostics, title=f"{scenario} has errors")
    model = report.model
    target = output or locale_path(scenario, model.id, lang)
    existing, problems = read_existing(target)
    if problems and any(p.is_error for p in problems):
        raise CaseSimError(f"{target} exists but cannot be read, so its translations cannot be kept:\n"
                           + format_diagnostics(problems), title="cannot update the locale file",
                           hint="fix the file, or move it aside to start a new one")
    try:
        before = target.read_text(encoding="utf-8") if existing is not None else ""
    except (OSError, UnicodeDecodeError):
        before = ""  # read_existing read it a moment ago; without it only the top comments are lost
    text = extract_locale(model, lang, existing, before)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CaseSimError(f"{target} could not be written: {exc.strerror or exc}", title="cannot write the locale file",
                           hint="choose a folder you can write to with --output") from exc
    checked = check_locale(model, target, lang)
    click.echo(f"{visible(str(target), one_line=True)}: {checked.total} lines, {len(checked.table)} translated, "
               f"{len(checked.missing)} to translate, {len(checked.stale)} stale")
    return 0


COMMANDS = [locale_group]
