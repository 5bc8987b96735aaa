"""The guided first run: a few short callouts over the example scenario, shown once.

The words live here, outside the TUI, so any front end can show them. Whether they have been
seen is remembered with the trainee settings (:attr:`TraineeSettings.tour_done`): once finished
or skipped they never come back by themselves; the tour key brings them back on request.
"""

from __future__ import annotations

from dataclasses import dataclass

from casesim.play.trainee import TraineeSettings

__all__ = ["FIRST_RUN_SCENARIO", "TOUR", "Callout", "offer_plain_tour", "offer_tour"]

FIRST_RUN_SCENARIO = "example-check-in"
"""The scenario the guided first run rides on: short, gentle, and bundled."""


@dataclass(frozen=True, slots=True)
class Callout:
    """One short note: a heading and two or three sentences."""

    title: str
    text: str
    plain: str | None = None
    """The note as the line-oriented player (``--plain``) says it, where the screen's wording
    (a bar on the right, a key that means something else there) would not fit; None: ``text``."""

    def text_for(self, *, plain: bool) -> str:
        return self.plain if plain and self.plain is not None else self.text


TOUR: tuple[Callout, ...] = (
    Callout("Welcome",
            "This is a practice conversation. A few short notes will show you around; "
            "the clock is stopped while they are open."),
    Callout("The meters",
            "On the right, meters show how the client is feeling, such as rapport or distress, "
            "as a bar and a number. An arrow shows how your last choice moved them.",
            plain="After each choice, casesim says how the client is feeling, such as rapport or "
                  "distress, in words and a number, and how your choice moved it. Type m to hear "
                  "the meters again."),
    Callout("Feedback",
            "In practice mode, a short note appears above your choices after each one: what helped "
            "and why. In an assessment it waits for the debrief.",
            plain="In practice mode, a short note follows each choice: what helped and why. In an "
                  "assessment it waits for the debrief."),
    Callout("Pause at any moment",
            "Press p to pause. The clock stops, and from there you can take a breath, or leave "
            "without penalty.",
            plain="Type p to pause. The clock stops, and from there you can take a breath, stop for "
                  "now, or leave without penalty."),
    Callout("The case file",
            "Press c to read the client's case file and your objectives. The clock stops while it "
            "is open.",
            plain="Type c to hear the client's case file and your objectives. The clock stops while "
                  "you read it."),
    Callout("Practice mode",
            "Practice gives feedback as you go, a hint (h) and undo (u), and is never counted. "
            "Press t any time to see these notes again.",
            plain="Practice gives feedback as you go, a hint (n) and undo (u), and is never counted. "
                  "Type h at any prompt during play to hear every command."),
)


def offer_tour(settings: TraineeSettings, scenario_id: str, *, fresh: bool) -> bool:
    """Whether to open the tour by itself: on the example scenario, on a new attempt (not a
    resumed one), for a trainee who has not finished or skipped it before."""
    return fresh and scenario_id == FIRST_RUN_SCENARIO and not settings.tour_done


def offer_plain_tour(settings: TraineeSettings) -> bool:
    """Whether ``casesim --plain`` opens with the notes: on the first start of its library, for a
    trainee who has not finished or skipped them (in either front end: it is one setting)."""
    return not settings.tour_done
