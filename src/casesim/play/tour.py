"""The guided first run: a few short callouts over the example scenario, shown once.

The words live here, outside the TUI, so any front end can show them. Whether they have been
seen is remembered with the trainee settings (:attr:`TraineeSettings.tour_done`): once finished
or skipped they never come back by themselves; the tour key brings them back on request.
"""

from __future__ import annotations

from dataclasses import dataclass

from casesim.play.trainee import TraineeSettings

__all__ = ["FIRST_RUN_SCENARIO", "TOUR", "Callout", "offer_tour"]

FIRST_RUN_SCENARIO = "example-check-in"
"""The scenario the guided first run rides on: short, gentle, and bundled."""


@dataclass(frozen=True, slots=True)
class Callout:
    """One short note: a heading and two or three sentences."""

    title: str
    text: str


TOUR: tuple[Callout, ...] = (
    Callout("Welcome",
            "This is a practice conversation. A few short notes will show you around; "
            "the clock is stopped while they are open."),
    Callout("The meters",
            "On the right, meters show how the client is feeling, such as rapport or distress, "
            "as a bar and a number. An arrow shows how your last choice moved them."),
    Callout("Feedback",
            "In practice mode, a short note appears above your choices after each one: what helped "
            "and why. In an assessment it waits for the debrief."),
    Callout("Pause at any moment",
            "Press p to pause. The clock stops, and from there you can take a breath, or leave "
            "without penalty."),
    Callout("The case file",
            "Press c to read the client's case file and your objectives. The clock stops while it "
            "is open."),
    Callout("Practice mode",
            "Practice gives feedback as you go, a hint (h) and undo (u), and is never counted. "
            "Press t any time to see these notes again."),
)


def offer_tour(settings: TraineeSettings, scenario_id: str, *, fresh: bool) -> bool:
    """Whether to open the tour by itself: on the example scenario, on a new attempt (not a
    resumed one), for a trainee who has not finished or skipped it before."""
    return fresh and scenario_id == FIRST_RUN_SCENARIO and not settings.tour_done
