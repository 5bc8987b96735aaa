"""The TUI transcript labels a line with its speaker, and shows an interpreter's original under it."""

from __future__ import annotations

from casesim.play.transcript import Line
from casesim.tui.widgets.transcript import render_line


def test_a_cast_members_line_is_labelled_with_name_and_role() -> None:
    line = Line("client", "Take your time.", speaker="Dr Ruiz (psychiatrist)")
    assert render_line(line, "Jordan").plain == "Dr Ruiz (psychiatrist): Take your time."


def test_the_clients_line_keeps_the_clients_name_and_an_original_is_shown() -> None:
    assert render_line(Line("client", "Hi."), "Jordan").plain == "Jordan: Hi."
    line = Line("client", "She asks how he is.", speaker="Ana (interpreter)", original="¿Cómo está?")
    assert render_line(line, "Jordan").plain == "Ana (interpreter): She asks how he is.\n(in the original: ¿Cómo está?)"
