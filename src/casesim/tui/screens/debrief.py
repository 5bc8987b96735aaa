"""The debrief: everything the scoring says about an attempt, scrollable, with replay from any decision.

Every glossary term in it (C-SSRS, MITI, Part 2, ...) is underlined and opens its definition on a
click; ``g`` lists the same terms for the keyboard (:mod:`casesim.tui.screens.glossary`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Footer, Static

from casesim.authoring.pipeline import Playable
from casesim.play.timing import TimeChoice, timing_text
from casesim.scoring.debrief import Debrief, Decision, verdict_label
from casesim.scoring.glossary import GlossaryEntry, criterion_entries, glossary, used_entries
from casesim.tui.base import CaseSimScreen
from casesim.tui.messages import BackToLibrary, BeginAttempt
from casesim.tui.screens.glossary import GlossaryScreen, TermScreen
from casesim.tui.text import literal
from casesim.tui.widgets import TitleBar
from casesim.tui.widgets.debrief_view import (
    competencies_section,
    critical_section,
    decision_paras,
    expert_section,
    frameworks_section,
    lesson_section,
    mi_section,
    outcome_section,
    protocols_section,
)
from casesim.tui.widgets.glossary_links import link_paras
from casesim.tui.widgets.prose import Para, Prose, para

__all__ = ["DebriefScreen", "DecisionCard", "SECTIONS"]

SECTIONS = (
    ("debrief-lesson", "What to take away"),
    ("debrief-outcome", "Outcome"),
    ("debrief-critical", "Critical actions"),
    ("debrief-decisions", "Your decisions"),
    ("debrief-expert", "The expert path"),
    ("debrief-frameworks", "Scores by framework and criterion"),
    ("debrief-mi", "Motivational interviewing"),
    ("debrief-protocols", "Protocols"),
    ("debrief-competencies", "Competencies"),
)


class DecisionCard(Prose, can_focus=True):
    """One decision; enter or r replays the scenario from just before it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r,enter", "replay", "Replay from here", id="debrief-replay"),
    ]

    class ReplayRequested(Message):
        """Replay from just before decision ``index`` (0-based)."""

        def __init__(self, card: DecisionCard, index: int) -> None:
            super().__init__()
            self.card = card
            self.index = index

        @property
        def control(self) -> DecisionCard:
            return self.card

    def __init__(self, decision: Decision, paras: Sequence[Para] | None = None) -> None:
        super().__init__(decision_paras(decision) if paras is None else paras, id=f"decision-{decision.index}",
                         classes="decision")
        self.decision = decision

    def action_replay(self) -> None:
        self.post_message(self.ReplayRequested(self, self.decision.index))


class DebriefScreen(CaseSimScreen[int | None]):
    """Outcome, critical actions, decisions, expert path, scores, MI, protocols, competencies.

    In author mode (``return_to="author"``) the screen is dismissed with the index to replay
    from (or None); otherwise it starts the replay itself and leaves to the library.
    """

    CSS_PATH = Path(__file__).with_name("debrief.tcss")
    KEYS_TITLE = "the debrief"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right_square_bracket", "section(1)", "Next section", key_display="]", id="debrief-next",
                tooltip="scroll to the next section's heading"),
        Binding("left_square_bracket", "section(-1)", "Prev section", key_display="[", id="debrief-prev",
                tooltip="scroll to the previous section's heading"),
        Binding("a", "again", "Again", id="debrief-again", tooltip="play this scenario again from the start"),
        Binding("g", "glossary", "Glossary", id="debrief-glossary",
                tooltip="list the terms this debrief uses (C-SSRS, MITI, ...); enter on one says what it means"),
        Binding("escape", "leave", "Done", id="debrief-done", tooltip="back to the library"),
    ]
    EXTRA_KEYS = (("tab / shift+tab", "move between your decisions"),
                  ("up / down, page up / down", "scroll"),
                  ("r or enter", "on a decision: replay from it, in practice mode"),
                  ("click an underlined term", "what it means (g lists the same terms for the keyboard)"))

    def __init__(self, loaded: Playable, debrief: Debrief, *, start: str | None = None,
                 return_to: Literal["library", "author"] = "library", seed: int | None = None,
                 notice: str | None = None, timing: TimeChoice | None = None) -> None:
        super().__init__()
        self.notice = notice
        """Said first, above the outcome: why this run is not an attempt (author mode: it began
        mid-scenario, or its state was edited; :func:`casesim.play.workbench.run_notice`)."""
        self.loaded = loaded
        self.debrief = debrief
        self.start = start
        self.seed = seed
        """The attempt's seed: a replay from a decision shows the choices in the order it did."""
        self.timing = timing
        """The time allowance recorded with the attempt: a replay from a decision plays with it,
        not with whatever the trainee's setting is now."""
        self.return_to = return_to


    def compose(self) -> ComposeResult:
        d = self.debrief
        verdict = verdict_label(d.passed)
        yield TitleBar(Content.assemble("Debrief · ", literal(d.scenario_title)), Content(verdict), id="title-bar")
        catalog = self.casesim.catalog
        titles = {cid: c.title for cid, c in catalog.criteria.items()}
        chosen = {x.choice for x in d.decisions}
        reached = {x.node for x in d.decisions}
        sections: dict[str, list[Para]] = {
            "debrief-outcome": outcome_section(d, timing=timing_text(self.timing)
                                               if self.timing is not None and self.timing.accommodated else None),
            "debrief-critical": critical_section(d),
            "debrief-expert": expert_section(d.expert_path, chosen, reached),
            "debrief-frameworks": frameworks_section(d),
            "debrief-mi": mi_section(d),
            "debrief-protocols": protocols_section(d, titles),
            "debrief-competencies": competencies_section(d),
        }
        cards = [decision_paras(decision) for decision in d.decisions]
        sections["debrief-lesson"] = lesson_section(d)
        texts = [p.content.plain for paras in (*sections.values(), *cards) for p in paras]
        # The g list: every term the debrief's text names, and those of the frameworks it scored,
        # then the criteria it cites by id (NASW-1.01); a click works on any term of the whole
        # glossary and on every cited criterion id.
        cited = criterion_entries(catalog, texts)
        self.glossary = (*used_entries(d, catalog, texts), *cited)
        self.terms = (*glossary(catalog), *cited)
        if self.glossary:
            sections["debrief-lesson"] = lesson_section(d, glossary_hint=True)
        with VerticalScroll(id="debrief-body"):
            if self.notice is not None:
                yield Prose([para(("Author mode. ", "bold"), literal(self.notice))], id="debrief-notice")
            yield self._heading("debrief-lesson")
            yield self._section("debrief-lesson", sections)
            yield self._heading("debrief-outcome", " · the details")
            yield self._section("debrief-outcome", sections)
            yield self._heading("debrief-critical", f" ({len(d.critical)})")
            yield self._section("debrief-critical", sections)
            yield self._heading("debrief-decisions", f" ({len(d.decisions)}; tab to move, r to replay)")
            if not d.decisions:
                yield Prose([para("No decisions were made.")], classes="section")
            for decision, paras in zip(d.decisions, cards, strict=True):
                yield DecisionCard(decision, link_paras(paras, self.terms))
            for section in ("debrief-expert", "debrief-frameworks", "debrief-mi", "debrief-protocols",
                            "debrief-competencies"):
                yield self._heading(section)
                yield self._section(section, sections)
        yield Footer()

    def _section(self, section: str, sections: dict[str, list[Para]]) -> Prose:
        return Prose(link_paras(sections[section], self.terms), id=section, classes="section")

    @staticmethod
    def _heading(section: str, extra: str = "") -> Static:
        title = dict(SECTIONS)[section]
        return Static(Content.styled(f"── {title}{extra} ", "bold"), id=f"{section}-heading",
                      classes="section-heading", markup=False)

    def on_mount(self) -> None:
        self.query_one("#debrief-body", VerticalScroll).focus()

    def action_glossary(self) -> None:
        self.app.push_screen(GlossaryScreen(self.glossary))

    def action_glossary_term(self, anchor: str) -> None:
        """A click on an underlined term (:data:`casesim.tui.widgets.glossary_links.TERM_ACTION`)."""
        entry = self.term(anchor)
        if entry is not None:
            self.app.push_screen(TermScreen(entry))

    def term(self, anchor: str) -> GlossaryEntry | None:
        return next((e for e in self.terms if e.anchor == anchor), None)

    # --- moving around ------------------------------------------------------------------------

    def action_section(self, step: int) -> None:
        body = self.query_one("#debrief-body", VerticalScroll)
        headings = [self.query_one(f"#{sid}-heading", Widget) for sid, _ in SECTIONS]
        top = body.scroll_y
        offsets = [h.virtual_region.y for h in headings]
        if step > 0:
            # "next" means a heading below the top line (the first heading sits a margin below 0)
            target = next((h for h, y in zip(headings, offsets, strict=True) if y > top + 1.5), headings[-1])
        else:
            target = next((h for h, y in zip(reversed(headings), reversed(offsets), strict=True) if y < top - 0.5),
                          headings[0])
        body.scroll_to_widget(target, animate=False, top=True)

    # --- replay and leaving -----------------------------------------------------------------

    @on(DecisionCard.ReplayRequested)
    def _replay(self, event: DecisionCard.ReplayRequested) -> None:
        self.replay_from(event.index)

    def replay_from(self, index: int) -> None:
        """Play again in practice mode, with the decisions before ``index`` already taken."""
        if self.return_to == "author":
            self.dismiss(index)
            return
        prefix = [d.choice for d in self.debrief.decisions[:index]]
        self.app.post_message(BeginAttempt(self.loaded, mode="practice", prefix=prefix, replay_from=index,
                                           start=self.start, seed=self.seed, timing=self.timing))

    def action_again(self) -> None:
        if self.return_to == "author":
            self.dismiss(0)
            return
        self.app.post_message(BeginAttempt(self.loaded, mode=self.debrief.mode, start=self.start))

    def action_leave(self) -> None:
        if self.return_to == "author":
            self.dismiss(None)
            return
        self.app.post_message(BackToLibrary())
