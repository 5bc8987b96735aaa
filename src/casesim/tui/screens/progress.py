"""Progress: the trainee's competency ratings over time, as a chart."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from casesim.play.progress import Progress, gather_progress
from casesim.tui.base import CaseSimScreen
from casesim.tui.text import literal
from casesim.tui.widgets import TitleBar
from casesim.tui.widgets.competency_chart import chart_content, sparkline

__all__ = ["ProgressScreen"]


class ProgressScreen(CaseSimScreen[None]):
    """A list of competencies (the rating the evidence rules allow, or "insufficient evidence (n=…)",
    and a sparkline of every attempt) and a bar chart of the selected one, each attempt labelled
    assessment, practice or trial."""

    CSS_PATH = Path(__file__).with_name("progress.tcss")
    KEYS_TITLE = "progress"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "back", "Back", id="progress-back")]
    EXTRA_KEYS = (("up / down", "choose a competency to chart"),)

    def __init__(self) -> None:
        super().__init__()
        self.progress: Progress | None = None


    def compose(self) -> ComposeResult:
        app = self.casesim
        name = app.trainee.name
        yield TitleBar(Content.assemble("Progress · ", literal(name or "no trainee yet")), id="title-bar")
        yield OptionList(id="progress-list")
        with VerticalScroll(id="progress-chart"):
            yield Static(id="progress-chart-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        app = self.casesim
        listing = self.query_one("#progress-list", OptionList)
        chart = self.query_one("#progress-chart-text", Static)
        trainee = app.trainee_id
        if app.store is None or trainee is None:
            chart.update(Content("No records yet: play a scenario with your name to see progress here."))
            return
        self.progress = gather_progress(app.store, trainee, app.catalog)
        bar = self.query_one("#title-bar", TitleBar)
        count = len(self.progress.attempts)
        bar.set_status(Content(f"{count} completed attempt{'s' if count != 1 else ''}"))
        listing.border_title = Content("Competency, rating (of 5, assessments on signed-off scenarios), history")
        for s in self.progress.series:
            rating = f"{s.evidence.rating:.1f}/5" if s.evidence.rating is not None else s.evidence.summary()
            title = s.title if len(s.title) <= 36 else s.title[:35] + "…"
            listing.add_option(Option(Content.assemble(
                (s.id.removeprefix("EPAS22-").ljust(4), "bold"), literal(title.ljust(37)),
                (rating.ljust(30), "bold"), " ", sparkline(s.ratings[-16:])), id=s.id))
        listing.focus()
        if self.progress.series:
            listing.highlighted = 0
            self._chart(self.progress.series[0].id)

    @on(OptionList.OptionHighlighted, "#progress-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_id:
            self._chart(event.option_id)

    def _chart(self, cid: str) -> None:
        if self.progress is None:
            return
        series = next(s for s in self.progress.series if s.id == cid)
        labels = [a.label for a in self.progress.attempts]
        self.query_one("#progress-chart-text", Static).update(chart_content(series, labels))

    def action_back(self) -> None:
        self.dismiss(None)
