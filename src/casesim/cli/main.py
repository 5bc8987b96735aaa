"""The ``casesim`` command: a click group (with rich-click's help) and its one error handler.

Exit codes: 0 success; 1 the checked files or records have problems (or tests failed); 2 a
usage error or a :class:`~casesim.errors.CaseSimError` (printed as ``error: title``, what
happened, and a hint, never as a traceback); 3 casesim itself crashed (a one-line report on
stderr, the traceback in a file); 130 interrupted.

Commands import their heavy dependencies (Textual above all) inside the function that needs
them, so ``casesim --help``, completion and the trainer commands start quickly. ``casesim`` alone
(the library) does not import rich-click either: the group is built twice from one definition,
as plain click for the library and as a rich-click group for everything else (:class:`CaseSimGroup`).
"""

from __future__ import annotations

import functools
import importlib
import logging
import platform
import sys
import tempfile
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from click.exceptions import Abort, Exit

from casesim import __version__
from casesim.cli.options import (
    cache_options,
    path_option,
    pseudonym_key_option,
    record_key_option,
    resolved_settings,
)
from casesim.errors import CaseSimError
from casesim.format.text import visible
from casesim.play.memory import resume_collection
from casesim.settings import default_data_dir

if TYPE_CHECKING:
    from rich_click.utils import CommandGroupDict

    from casesim.play.timing import TimeAllowance

__all__ = ["EXIT_CRASH", "EXIT_USAGE", "cli", "main", "rich_cli"]

EXIT_USAGE = 2
EXIT_CRASH = 3

log = logging.getLogger("casesim")

COMMAND_GROUPS: dict[str, list[CommandGroupDict]] = {
    "casesim": [
        {"name": "Trainees", "commands": ["play", "resume", "debrief"]},
        {"name": "Scenario authors", "commands": ["validate", "test", "analyse", "author", "graph", "new",
                                                  "schema", "library-doc", "review"]},
        {"name": "Field instructors and programs", "commands": ["records", "report", "export", "class", "serve", "lrs"]},
    ],
}
"""How ``casesim --help`` groups the commands (rich-click's ``command_groups``)."""


COMMAND_MODULES: tuple[str, ...] = (
    "casesim.cli.play", "casesim.cli.authoring", "casesim.cli.migrate", "casesim.cli.records",
    "casesim.cli.records_program", "casesim.cli.locale", "casesim.cli.classroom", "casesim.cli.class_program_watch",
    "casesim.cli.lrs", "casesim.cli.serve",
)
"""The modules whose ``COMMANDS`` are casesim's commands, in the order they are added. Each is
imported the first time a command is looked up or listed: ``casesim`` alone (the library)
runs none of them, and importing them all (the records, the classroom, the LRS...) cost a tenth
of a second before its first frame (issue 15, item 7)."""


class _CaseSimCommands(click.Group):
    """The root group's behaviour, plain or rich: turns what commands return or raise into casesim's
    exit codes, and adds the commands of :data:`COMMAND_MODULES` when one is first asked for."""

    _commands_added = False

    def _add_commands(self) -> None:
        if self._commands_added:
            return
        self._commands_added = True
        for name in COMMAND_MODULES:
            for command in importlib.import_module(name).COMMANDS:
                self.add_command(command)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._add_commands()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_commands()
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
        except (Exit, Abort, click.ClickException):
            raise
        except CaseSimError as exc:
            _report_error(exc)
            raise Exit(EXIT_USAGE) from None
        except KeyboardInterrupt:
            raise Exit(130) from None
        except BrokenPipeError:  # `casesim records list | head`: the reader has all it wanted
            raise Exit(0) from None
        except Exception as exc:
            _report_crash(ctx, exc)
            raise Exit(EXIT_CRASH) from None
        if isinstance(result, int) and result != 0:
            raise Exit(result)
        return result


class CaseSimGroup(_CaseSimCommands):
    """``casesim`` in plain click, for the library: given any argument, it hands over to its rich twin.

    rich-click's import (its help configuration alone is a dataclass of some 150 fields) is about
    a fifteenth of a Textual hello-world's start-up, paid before the library's first frame although
    the library never draws help (issue 15, item 7). So ``casesim`` with no arguments runs this
    plain group, and anything else (a command, ``--help``, an option) runs :func:`rich_cli`, the
    same definition built as a rich-click group. A usage error on the plain path (a bad
    ``CASESIM_MORE_TIME``) is drawn by rich-click as every other is.
    """

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        args = list(args) if args is not None else sys.argv[1:]
        if args or not standalone_mode or complete_var is not None:
            return rich_cli().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, standalone_mode=False, **extra)
        except (click.ClickException, Abort) as exc:
            _rich_usage_error(exc)
        sys.exit(code if isinstance(code, int) else 0)


def _rich_usage_error(exc: click.ClickException | Abort) -> NoReturn:
    """Say a usage error (or an abort) from the plain group as rich-click says it, and exit."""
    formatter = rich_cli()._error_formatter()  # type: ignore[attr-defined]
    if isinstance(exc, Abort):
        formatter.write_abort()
    else:
        formatter.write_error(exc)
    print(formatter.getvalue(), file=sys.stderr, end="")
    sys.exit(exc.exit_code if isinstance(exc, click.ClickException) else 1)


def _report_error(exc: CaseSimError) -> None:
    """The error on stderr; its text can quote ids, names or file names, so it is made visible."""
    click.echo(click.style("error: ", fg="red", bold=True) + visible(exc.title, one_line=True), err=True)
    click.echo(visible(exc.message), err=True)
    if exc.hint:
        click.echo(click.style("hint: ", bold=True) + visible(exc.hint), err=True)


def _where(exc: BaseException) -> str:
    """The innermost casesim frame of the traceback (``casesim/cli/records.py:42 in cmd_list``)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "casesim" in Path(f.filename).parts] or frames
    if not ours:
        return "unknown place"
    frame = ours[-1]
    parts = Path(frame.filename).parts
    short = "/".join(parts[parts.index("casesim"):]) if "casesim" in parts else frame.filename
    return f"{short}:{frame.lineno} in {frame.name}"


def _report_crash(ctx: click.Context, exc: Exception) -> None:
    """One line of what and where on stderr; the full traceback in a private file in the data folder."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    text = (f"casesim {__version__} crashed at {stamp} UTC\n"
            f"python {platform.python_version()} on {platform.platform()}\n"
            f"command: casesim {' '.join(sys.argv[1:])}\n\n"
            + "".join(traceback.format_exception(exc)))
    settings = resolved_settings(ctx)
    folder = settings.data_dir if settings is not None else default_data_dir()
    report: Path | None = None
    for candidate in (folder, Path(tempfile.gettempdir())):
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            target = candidate / f"casesim-crash-{stamp}.txt"
            target.touch(mode=0o600)
            target.write_text(text, encoding="utf-8")
            report = target
            break
        except OSError:
            continue
    click.echo(click.style("casesim crashed: ", fg="red", bold=True)
               + visible(f"{type(exc).__name__}: {exc} (at {_where(exc)})", one_line=True), err=True)
    if report is not None:
        click.echo(f"the full traceback is in {report}", err=True)
    else:  # nowhere to write: the traceback is the report
        click.echo(text, err=True)
    click.echo("this is a bug in casesim, not something you did: please report it as the README's "
               "'Reporting a problem' says, with that file attached (check it for names first)", err=True)


def _attach_verbose_handler(ctx: click.Context, verbosity: int) -> None:
    """``-v`` shows the ``casesim`` logger's INFO messages on stderr, ``-vv`` DEBUG as well."""
    if verbosity <= 0:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S"))
    previous = log.level
    log.setLevel(logging.DEBUG if verbosity > 1 else logging.INFO)
    log.addHandler(handler)

    def detach() -> None:
        log.removeHandler(handler)
        log.setLevel(previous)

    ctx.call_on_close(detach)


def _build(cls: type[_CaseSimCommands], **context: Any) -> _CaseSimCommands:
    """The ``casesim`` group as ``cls`` (plain or rich), with ``context``'s extra settings."""

    @click.group(cls=cls, invoke_without_command=True,
                 context_settings={"help_option_names": ["-h", "--help"], **context})
    @click.version_option(__version__, "--version", prog_name="casesim", message="%(prog)s %(version)s")
    @path_option("db", on_group=True)
    @path_option("data_dir", on_group=True)
    @path_option("scenarios_dir", on_group=True)
    @path_option("frameworks_dir", on_group=True)
    @record_key_option
    @pseudonym_key_option
    @path_option("catalog_dirs", on_group=True)
    @cache_options(on_group=True)
    @click.option("--plain", is_flag=True, default=False, envvar="CASESIM_PLAIN",
                  help="screen-reader mode: the library as a numbered list, play as lines in reading order "
                       "[env: CASESIM_PLAIN]")
    @click.option("--more-time", default=None, is_flag=False, flag_value="2x", metavar="[2x|1.5x|none]",
                  envvar="CASESIM_MORE_TIME", callback=lambda ctx, param, value: _more_time(ctx, param, value),
                  help="more time on every timer in practice, for the scenarios opened from the library (alone: 2x; "
                       "none: no time limit). Assessments use only the time your instructor sets "
                       "[env: CASESIM_MORE_TIME]")
    @click.option("--verbose", "-v", "verbosity", count=True, metavar="",
                  help="show casesim's log on stderr (what it resolved and did); -vv adds debug detail")
    @click.pass_context
    def cli(ctx: click.Context, plain: bool, more_time: TimeAllowance | None, verbosity: int) -> int:
        """Practise case-management conversations, write scenarios, and keep the record.

        Run with no command to open the scenario library.
        """
        # transitions logs every state change at INFO; casesim's own logger says what matters.
        logging.getLogger("transitions").setLevel(logging.ERROR)
        _attach_verbose_handler(ctx, verbosity)
        if ctx.invoked_subcommand is not None or plain:
            resume_collection(freeze=False)  # paused for the full-screen library's start (casesim.launch)
        if ctx.invoked_subcommand is None:
            from casesim.cli.library import run_library

            return run_library(plain=plain, more_time=more_time)
        return 0

    return cli


def _more_time(ctx: click.Context, param: click.Parameter, value: str | None) -> TimeAllowance | None:
    """The library's ``--more-time``, checked as ``play --more-time`` is (imported only when one is given,
    so the timing module stays out of the library's first frame)."""
    if value is None:
        return None
    from casesim.cli.library import more_time_value

    return more_time_value(ctx, param, value)


cli = _build(CaseSimGroup)
"""``casesim``: the library in plain click; any argument hands over to :func:`rich_cli`."""


@functools.cache
def rich_cli() -> _CaseSimCommands:
    """``casesim`` as a rich-click group: its help (the commands grouped for each reader), its
    commands and its usage errors. Built once, the first time one is needed."""
    import rich_click

    class RichCaseSimGroup(_CaseSimCommands, rich_click.RichGroup):  # type: ignore[misc]
        group_class = rich_click.RichGroup  # sub-groups (records, report, export) are plain rich groups

    return _build(RichCaseSimGroup, rich_help_config=rich_click.RichHelpConfiguration(command_groups=COMMAND_GROUPS))


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``casesim`` with ``argv`` (default: the process's arguments) and return the exit code."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="casesim")
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        click.echo(str(code), err=True)  # sys.exit("message") somewhere below us
        return EXIT_USAGE
    return 0
