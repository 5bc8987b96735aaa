"""The item analysis quotes what is said at each node with the speaker's name when it is not the client."""

from __future__ import annotations

from casesim.authoring.pipeline import require_scenario
from casesim.records.reports import _scenario_items, _Tally
from casesim.scoring.catalog import Catalog
from support.paths import VALID


def test_item_analysis_names_the_speakers_of_a_node(catalog: Catalog) -> None:
    loaded = require_scenario(VALID / "family-call.yaml", catalog)
    items = _scenario_items("family-call", _Tally(), loaded)
    [call] = [n for n in items.nodes if n.node == "call"]
    assert call.client == ("Maria Reyes (parent, off screen): Hello? I am Jordan's mother. "
                           "Ana (interpreter): She asks how her son is. Jordan: Mom, I'm here.")
