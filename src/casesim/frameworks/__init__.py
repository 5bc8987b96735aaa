"""The scoring frameworks (top-level ``scoring/`` folder) as validated data."""

from __future__ import annotations

from casesim.frameworks.catalog import Catalog, check_catalog_dir, load_catalog
from casesim.frameworks.model import CompetencyMap, Criterion, Framework, MiCode, Protocol

__all__ = ["Catalog", "CompetencyMap", "Criterion", "Framework", "MiCode", "Protocol", "check_catalog_dir", "load_catalog"]
