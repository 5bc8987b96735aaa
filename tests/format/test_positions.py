"""Where each key and value of a file is: the positions the reader records per mapping and list,
looked up by path (every diagnostic's line and column comes from here)."""

from __future__ import annotations

from casesim.format.reader import Position, SourceDocument, read_yaml_bytes

TEXT = """\
id: demo
nodes:
  opening:
    client: "Hi: there"
    choices:
      - id: greet
        when: 'rapport >= 1'
      - {id: wave, goto: end}
shared: &warm {rapport: 1}
copy: *warm
"""


def _doc() -> SourceDocument:
    doc, problems = read_yaml_bytes(TEXT.encode(), "demo.yaml")
    assert doc is not None and problems == []
    return doc


def test_a_key_and_its_value_are_found_by_path_with_quoted_values_inside_the_quote() -> None:
    positions = _doc().positions
    assert positions[("id",)] == (Position(1, 1), Position(1, 5))
    assert positions[("nodes", "opening", "client")] == (Position(4, 5), Position(4, 14))
    assert positions[("nodes", "opening", "choices", 0, "when")] == (Position(7, 9), Position(7, 16))


def test_a_list_item_is_at_its_value_and_flow_items_have_their_own_columns() -> None:
    positions = _doc().positions
    assert positions[("nodes", "opening", "choices", 1)] == (Position(8, 9), Position(8, 9))
    assert positions[("nodes", "opening", "choices", 1, "goto")] == (Position(8, 20), Position(8, 26))


def test_an_alias_copy_has_the_original_positions_and_a_missing_path_has_none() -> None:
    doc = _doc()
    assert doc.positions[("copy", "rapport")] == doc.positions[("shared", "rapport")]
    assert doc.positions.get(("nodes", "missing")) is None
    assert doc.positions.get(()) is None
    assert doc.position(("nodes", "opening", "choices", "1", "goto")) == Position(8, 26)  # a digit string
    assert doc.position(("nodes", "missing", "say")) == Position(3, 3)  # the nearest known place


def test_every_path_of_the_data_is_listed_once() -> None:
    paths = list(_doc().positions)
    assert len(paths) == len(set(paths)) == len(_doc().positions)
    assert ("nodes", "opening", "choices", 1, "id") in paths and ("copy", "rapport") in paths
