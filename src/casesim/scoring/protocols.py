"""What an ordered protocol requires for a given client's answers (skip logic and triage)."""

from __future__ import annotations

from collections.abc import Mapping

from casesim.format.framework import Level, Protocol

__all__ = ["required_steps", "triage_level"]


def required_steps(protocol: Protocol, answers: Mapping[str, bool]) -> list[str]:
    """The steps the skip logic requires, in order.

    A step asked ``always`` is required; a step asked ``if-yes`` is required only when the step
    it follows was answered yes (C-SSRS: Q3–Q5 only after a yes to Q2; Q6a only after a yes to Q6).
    """
    return [s.step for s in protocol.steps if s.ask == "always" or bool(answers.get(s.after_yes or "", False))]


def triage_level(protocol: Protocol, answers: Mapping[str, bool]) -> Level | None:
    """The first level (most severe first) with a yes to any of its steps; None if all answers are no."""
    for level in protocol.levels:
        if any(answers.get(step, False) for step in level.any_yes):
            return level
    return None
