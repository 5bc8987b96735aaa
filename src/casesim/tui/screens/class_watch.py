"""The live class view: the cohort as a table, and one scenario's item analysis building up.

A thin screen over :class:`~casesim.records.class_watch.ClassWatch`. Every second it asks the
watch whether anything was committed (a check that reads no table) and only then reads the class,
in a worker thread so the keys never wait on the store; the times since each trainee's last
choice are redrawn from the clock in between. Keyboard only, nothing animated, and no colour
carries meaning on its own: a flag is a word ("fast"), a status is a word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Static

from casesim.errors import CaseSimError
from casesim.format.scenario import Mode
from casesim.format.text import visible
from casesim.records.class_watch import ClassView, ClassWatch, TraineeNow
from casesim.records.reports import OptionItem
from casesim.tui.base import CaseSimScreen
from casesim.tui.text import literal
from casesim.tui.widgets import TitleBar

__all__ = ["WATCH_ALWAYS", "ClassWatchScreen", "idle_text", "status_text"]

_MODES: tuple[Mode | None, ...] = (None, "assessment", "practice")
WATCH_ALWAYS = (("tab / shift+tab", "move between the table and the item analysis"),)
"""The keys screen's last rows in class watch (the student app's speak of attempts, which class
watch has none of)."""
_WIDE = 116
"""From this width on, the table has room for the trainee's mode and wider columns."""


def idle_text(seconds: float | None) -> str:
    """``45s``, ``3m05s``, ``1h02m``, ``3d`` (at most six characters); empty when there is nothing to time."""
    if seconds is None:
        return ""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    if whole < 86400:
        return f"{whole // 3600}h{whole % 3600 // 60:02d}m"
    return f"{whole // 86400}d"


def status_text(row: TraineeNow) -> str:
    return "—" if row.status == "not started" else row.status


def _cut(text: str, width: int) -> str:
    text = visible(text, one_line=True)
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


@dataclass(frozen=True, slots=True)
class _Column:
    key: str
    label: str
    width: int


def _columns(width: int) -> tuple[_Column, ...]:
    """The table's columns for a window ``width`` cells wide: each column adds 2 cells of padding,
    and the border and a scrollbar take 4, so the sum stays inside the window (no sideways scroll)."""
    if width >= _WIDE:
        return (_Column("trainee", "Trainee", 18), _Column("scenario", "Scenario", 22),
                _Column("mode", "Mode", 10), _Column("status", "Status", 10), _Column("node", "At node", 16),
                _Column("decision", "Decision", 8), _Column("idle", "Since", 7), _Column("flag", "Pace", 4))
    return (_Column("trainee", "Trainee", 12), _Column("scenario", "Scenario", 12), _Column("status", "Status", 10),
            _Column("node", "At node", 12), _Column("decision", "Dec.", 5), _Column("idle", "Since", 6),
            _Column("flag", "Pace", 4))


def _cells(row: TraineeNow, columns: Sequence[_Column], now: datetime) -> tuple[Text, ...]:
    """One table row; literal text (no markup), cut to its column."""
    name = row.name if row.name and row.name != row.trainee_id else row.trainee_id
    decision = ""
    if row.attempt_id is not None:
        decision = str(row.decisions + (1 if row.status in ("playing", "paused") else 0))
        if row.expert_decisions:
            decision += f"/{row.expert_decisions}"
    values = {
        "trainee": name,
        "scenario": row.scenario_title or row.scenario_id or "",
        "mode": row.mode or "",
        "status": status_text(row),
        "node": row.node or "",
        "decision": decision,
        "idle": idle_text(row.seconds_since_choice(now)),
        "flag": "fast" if row.too_fast else "",
    }
    bold = {"status": row.status in ("paused", "not passed"), "flag": row.too_fast}
    return tuple(Text(_cut(values[c.key], c.width), style="bold" if bold.get(c.key) else "") for c in columns)


def _option_line(option: OptionItem, width: int) -> Content:
    """``expert   <what was said>   3 of 4 offered  75%``: the tag first, so lines stay aligned."""
    tag = "expert" if option.expert else "critical" if option.critical else ""
    if option.expert and option.critical:
        tag = "exp+crit"
    counted = (f"{option.chosen_when_offered} of {option.offered} offered "
               f"{100 * option.chosen_when_offered / option.offered:3.0f}%") if option.offered else \
        f"{option.count} chosen (offered: not known)"
    room = max(10, width - 2 - 9 - 2 - len(counted))
    return Content.assemble("  ", (tag.ljust(9), "bold"), literal(_cut(option.say or option.choice, room).ljust(room)),
                            "  ", counted)


def items_content(view: ClassView, width: int) -> Content:
    """The selected scenario's item analysis in words: departures first, then node by node."""
    items = view.items
    if view.scenario_id is None:
        return Content("Nobody in this cohort has started a scenario yet.")
    if items is None:
        return Content("Nobody has decided anything in this scenario yet"
                       + (f" in {view.mode} mode." if view.mode else "."))
    lines: list[Content] = []
    if view.departures:
        lines.append(Content.styled("Departures from the expert (of those offered the expert's option):", "bold"))
        for d in view.departures[:3]:
            instead = ", ".join(f"{choice} ×{n}" for choice, n in d.instead[:2])
            lines.append(Content.assemble("  ", literal(_cut(d.node, 24), "bold"),
                                          literal(f"  {d.departed} of {d.offered} chose otherwise ({instead})")))
        lines.append(Content(""))
    for node in items.nodes:
        if not node.decisions:
            continue
        lines.append(Content.assemble(literal(node.node, "bold underline"),
                                      f"  {node.decisions} decision{'s' if node.decisions != 1 else ''}"))
        for option in node.options:
            if option.count or option.expert:
                lines.append(_option_line(option, width))
    return Content("\n").join(lines)


class ClassWatchScreen(CaseSimScreen[None]):
    """The cohort table (one row per trainee) above the item analysis of one scenario."""

    CSS_PATH = Path(__file__).with_name("class_watch.tcss")
    KEYS_TITLE = "class watch"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "next_scenario", "Scenario", id="watch-next-scenario",
                tooltip="show the next scenario's item analysis (most played first, then round again)"),
        Binding("m", "next_mode", "Mode", id="watch-mode",
                tooltip="count the item analysis over every mode, then assessment only, then practice only"),
        Binding("r", "read_now", "Read now", id="watch-read",
                tooltip="read the class from the records now (it is also read whenever something is recorded)"),
        Binding("q", "quit_watch", "Quit", id="watch-quit",
                tooltip="quit class watch (ctrl+q too); the records are only read"),
    ]
    EXTRA_KEYS = (("up / down", "in the table: move between trainees"),
                  ("enter", "in the table: show the item analysis of that trainee's scenario"),
                  ("page up / page down", "scroll the table or the item analysis, whichever has the focus"))

    class Refreshed(Message):
        """The class was read again and drawn (the tests wait on it)."""

    def __init__(self, watch: ClassWatch, *, clock: Callable[[], datetime], refresh_seconds: float = 1.0,
                 scenario_id: str | None = None, mode: Mode | None = None) -> None:
        super().__init__()
        self.class_watch = watch
        self.clock = clock
        self.refresh_seconds = refresh_seconds
        self.scenario_id = scenario_id
        """The scenario chosen for the item analysis (None: the one most of the class is playing)."""
        self.mode: Mode | None = mode
        self.view: ClassView | None = None
        self._columns: tuple[_Column, ...] = ()
        self._rows: tuple[str, ...] = ()
        self._reading = False
        self._pending = True
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar(Content.assemble("Class watch · ", literal(self.class_watch.cohort)), "reading…", id="title-bar")
        yield DataTable(id="class-table", cursor_type="row", zebra_stripes=False)
        with VerticalScroll(id="class-items"):
            yield Static(id="class-items-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#class-table", DataTable).focus()
        self._kick()
        self._timer = self.set_interval(self.refresh_seconds, self._tick)

    def on_resize(self) -> None:
        if self.view is not None and _columns(self.size.width) != self._columns:
            self._show(self.view)

    # --- reading --------------------------------------------------------------------------

    def _tick(self) -> None:
        self._draw_times()
        self._kick()

    def _kick(self) -> None:
        """Start a check (and a read, when something changed or a read was asked for) unless one runs."""
        if self._reading:
            return
        self._reading = True
        force, self._pending = self._pending, False
        self._poll(force, self.scenario_id, self.mode)

    class _Polled(Message):
        """A check has ended (posted from the worker thread: ``post_message`` is thread-safe and
        never waits, so closing the app while a read runs cannot deadlock on the worker)."""

        def __init__(self, view: ClassView | None, error: CaseSimError | None) -> None:
            super().__init__()
            self.view = view
            self.error = error

    @work(thread=True, group="class-watch", exit_on_error=False)
    def _poll(self, force: bool, scenario_id: str | None, mode: Mode | None) -> None:
        view: ClassView | None = None
        error: CaseSimError | None = None
        try:
            if force or self.class_watch.changed():
                view = self.class_watch.read(scenario_id, mode)
        except CaseSimError as exc:
            error = exc
        finally:
            self._reading = False
        self.post_message(self._Polled(view, error))

    @on(_Polled)
    def _polled(self, polled: _Polled) -> None:
        if polled.error is not None:
            self.query_one("#title-bar", TitleBar).set_status(Content(f"cannot read: {polled.error.title}"))
            self.notify(str(polled.error), title=polled.error.title, severity="error", timeout=10, markup=False)
        elif polled.view is not None:
            self._show(polled.view)
        if self._pending:  # a key asked for another scenario or mode while this read ran
            self._kick()

    # --- drawing --------------------------------------------------------------------------

    def _show(self, view: ClassView) -> None:
        self.view = view
        if self.scenario_id is None:
            self.scenario_id = view.scenario_id
        now = view.now
        counts = [f"{now.count(s)} {s}" for s in ("playing", "paused") if now.count(s)]
        finished = sum(now.count(s) for s in ("passed", "not passed", "finished"))
        counts += [f"{finished} finished"] if finished else []
        counts += [f"{now.count('left')} left"] if now.count("left") else []
        counts += [f"{now.too_fast} fast"] if now.too_fast else []
        self.query_one("#title-bar", TitleBar).set_status(
            Content(" · ".join(counts) or f"{len(now.trainees)} trainees, none playing"))
        self._fill_table(view)
        self._fill_items(view)
        self.post_message(self.Refreshed())

    def _fill_table(self, view: ClassView) -> None:
        table = self.query_one("#class-table", DataTable)
        columns = _columns(self.size.width or self.app.size.width)
        ids = tuple(t.trainee_id for t in view.now.trainees)
        now = self.clock()
        if columns != self._columns or ids != self._rows:
            selected = self._rows[table.cursor_row] if self._rows and 0 <= table.cursor_row < len(self._rows) else None
            table.clear(columns=columns != self._columns)
            if columns != self._columns:
                for column in columns:
                    table.add_column(column.label, width=column.width, key=column.key)
                self._columns = columns
            for row in view.now.trainees:
                table.add_row(*_cells(row, columns, now), key=row.trainee_id)
            self._rows = ids
            if selected in ids:
                table.move_cursor(row=ids.index(selected), animate=False)
            return
        for row in view.now.trainees:
            for column, cell in zip(columns, _cells(row, columns, now), strict=True):
                if str(table.get_cell(row.trainee_id, column.key)) != cell.plain:
                    table.update_cell(row.trainee_id, column.key, cell)

    def _draw_times(self) -> None:
        """The "since" column from the clock, between reads."""
        if self.view is None or not self._rows:
            return
        table = self.query_one("#class-table", DataTable)
        column = next((c for c in self._columns if c.key == "idle"), None)
        if column is None:
            return
        now = self.clock()
        for row in self.view.now.trainees:
            text = idle_text(row.seconds_since_choice(now))
            if str(table.get_cell(row.trainee_id, "idle")) != text:
                table.update_cell(row.trainee_id, "idle", Text(text))

    def _fill_items(self, view: ClassView) -> None:
        scroll = self.query_one("#class-items", VerticalScroll)
        mode = view.mode or "every mode"
        if view.scenario_id is None:
            scroll.border_title = Content("What the class chose")
        else:
            items = view.items
            title = items.title if items is not None and items.title else view.scenario_id
            counted = f" · {items.attempts} attempt{'s' if items.attempts != 1 else ''}" if items is not None else ""
            rest = f" ({mode}){counted}"
            room = max(12, (scroll.size.width or self.size.width) - len("What the class chose: ") - len(rest) - 6)
            scroll.border_title = Content.assemble("What the class chose: ", literal(_cut(title, room)), rest)
        # the text's width: inside the border and padding, beside the scrollbar
        width = max(40, (scroll.size.width or self.size.width) - 6)
        self.query_one("#class-items-text", Static).update(items_content(view, width))

    # --- keys -----------------------------------------------------------------------------

    def _select(self, scenario_id: str | None = None, mode: Mode | None = None) -> None:
        self.scenario_id = scenario_id
        self.mode = mode
        self._pending = True
        self._kick()

    @on(DataTable.RowSelected, "#class-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        if self.view is None:
            return
        row = next((t for t in self.view.now.trainees if t.trainee_id == event.row_key.value), None)
        if row is not None and row.scenario_id is not None:
            self._select(row.scenario_id, self.mode)

    def action_next_scenario(self) -> None:
        scenarios = self.view.now.scenarios if self.view is not None else ()
        if not scenarios:
            return
        at = scenarios.index(self.scenario_id) + 1 if self.scenario_id in scenarios else 0
        self._select(scenarios[at % len(scenarios)], self.mode)

    def action_next_mode(self) -> None:
        self._select(self.scenario_id, _MODES[(_MODES.index(self.mode) + 1) % len(_MODES)])

    def action_read_now(self) -> None:
        self._select(self.scenario_id, self.mode)

    def action_quit_watch(self) -> None:
        self.app.exit()
