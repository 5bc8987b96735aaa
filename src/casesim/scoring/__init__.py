"""Scoring: the framework catalog and protocols, and turning a finished path into a debrief
against cited guidelines."""

from __future__ import annotations

from casesim.scoring.catalog import Catalog, check_catalog_dir, load_catalog
from casesim.scoring.debrief import Debrief
from casesim.scoring.engine import mi_result, protocol_result, rating_for_share, score_path

__all__ = ["Catalog", "Debrief", "check_catalog_dir", "load_catalog", "mi_result", "protocol_result",
           "rating_for_share", "score_path"]
