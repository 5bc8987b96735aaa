"""Scoring: the framework catalog and protocols, and turning a finished path into a debrief
against cited guidelines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casesim.lazy import lazy_exports

if TYPE_CHECKING:
    from casesim.scoring.catalog import Catalog, check_catalog_dir, load_catalog
    from casesim.scoring.debrief import Debrief
    from casesim.scoring.engine import mi_result, protocol_result, rating_for_share, score_path

# Imported when first used (casesim.lazy): importing one module of the package must not load them all.
__getattr__ = lazy_exports(__name__, {
    "Catalog": "casesim.scoring.catalog",
    "check_catalog_dir": "casesim.scoring.catalog",
    "load_catalog": "casesim.scoring.catalog",
    "Debrief": "casesim.scoring.debrief",
    "mi_result": "casesim.scoring.engine",
    "protocol_result": "casesim.scoring.engine",
    "rating_for_share": "casesim.scoring.engine",
    "score_path": "casesim.scoring.engine",
})

__all__ = ["Catalog", "Debrief", "check_catalog_dir", "load_catalog", "mi_result", "protocol_result",
           "rating_for_share", "score_path"]
