"""casesim: a terminal training simulator for behavioral-health case managers.

The domain packages (``format``, ``semantics``, ``scoring``, ``authoring``, ``records``,
``play``) never import Textual; ``tui`` is a thin layer over them.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
