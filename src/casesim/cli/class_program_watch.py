"""``casesim class watch COHORT``: the live instructor view in the terminal.

It opens the store read-only (it writes nothing) and shows who is in which scenario and at which
decision, pauses and leaves, implausibly fast attempts, and the item analysis of one scenario as
the class chooses (:mod:`casesim.records.class_watch`). It reads the store again only when
something was recorded, checking once a second (``--every``).
"""

from __future__ import annotations

import rich_click as click

from casesim.cli.classroom import class_group
from casesim.cli.options import (
    cache_options,
    choice,
    complete_cohorts,
    complete_scenarios,
    pass_settings,
    path_option,
    record_key,
)
from casesim.errors import CaseSimError
from casesim.format.mode import Mode
from casesim.records import open_store
from casesim.settings import Settings

__all__ = ["COMMANDS", "watch_command"]


@click.command("watch")
@click.argument("cohort", shell_complete=complete_cohorts)
@click.option("--scenario", default=None, metavar="ID", shell_complete=complete_scenarios,
              help="show this scenario's item analysis first (default: the one most of the class is playing)")
@click.option("--mode", type=choice(Mode), default=None, help="item analysis over this mode's attempts only")
@click.option("--every", "refresh_seconds", type=click.FloatRange(0.2, 60.0), default=1.0, show_default=True,
              metavar="SECONDS", help="how often to ask the store whether anything was recorded")
@path_option("db")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@path_option("scenarios_dir")
@cache_options()
@pass_settings
def watch_command(settings: Settings, cohort: str, scenario: str | None, mode: Mode | None,
                  refresh_seconds: float) -> int:
    """Watch a cohort live: who is where, pauses, leaves, fast attempts, and what the class chooses.

    Keys: up/down choose a trainee, enter shows their scenario's item analysis, s the next
    scenario, m the mode, ? every key, q quits.
    """
    from casesim.cli.library import load_catalog_for
    from casesim.play.shelf import ScenarioShelf
    from casesim.tui.class_watch_app import ClassWatchApp

    catalog = load_catalog_for(settings)
    with open_store(settings.db, readonly=True, key=record_key()) as store:
        cohorts = store.cohorts()
        if cohort not in cohorts:
            store.check_empty(f"cohort {cohort}")
            known = ", ".join(cohorts) or "none yet"
            raise CaseSimError(f"there is no cohort {cohort!r} in {store.location} (cohorts: {known})",
                               title="no such cohort", hint="set one with: casesim records trainee ID --cohort NAME")
        library = ScenarioShelf([settings.scenarios_dir], catalog)  # each analysed when the class first plays it
        if scenario is not None and scenario not in library:
            raise CaseSimError(f"there is no scenario {scenario!r} in {settings.scenarios_dir}",
                               title="no such scenario",
                               hint="the scenarios are: " + (", ".join(sorted(library)) or "none"))
        app = ClassWatchApp(store, cohort, library=library, scenario_id=scenario, mode=mode,
                            refresh_seconds=refresh_seconds, theme=settings.theme, keymap=settings.keymap)
        app.run()
    return 0


class_group.add_command(watch_command)

COMMANDS: list[click.Command] = []
"""None of its own: ``watch`` is a sub-command of ``class`` (:mod:`casesim.cli.classroom`)."""
