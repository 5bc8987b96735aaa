"""Author mode shows reviewers' notes on the current node and its choices (never shown in play)."""

from __future__ import annotations

from casesim.format.scenario import Choice, Node
from casesim.tui.widgets.workbench import notes_paras


def test_the_state_pane_lists_node_and_choice_notes() -> None:
    node = Node(notes="Needs DV-advocate review.", choices=[
        Choice(id="a", say="A.", goto="end", notes="State law varies."),
        Choice(id="b", say="B.", goto="end"),
    ])
    assert [p.content.plain for p in notes_paras(node)] == [
        "Notes Needs DV-advocate review.", "Note on a State law varies."]


def test_a_node_without_notes_adds_nothing() -> None:
    assert notes_paras(Node(choices=[Choice(id="a", say="A.", goto="end")])) == []
