"""Package re-exports that import their module only when a name is first used (PEP 562).

The package ``__init__`` files re-export their main names (``casesim.format.Scenario``,
``casesim.scoring.Catalog``…) for convenience. Importing them eagerly meant that importing any
module of a package (say ``casesim.format.text``, a few string helpers) first imported the whole
package: the pydantic scenario models, the semantics, the scoring engine. ``casesim`` opening its
library paid seconds for code the first frame never runs (issue 15, item 7). With
:func:`lazy_exports` a package names what it re-exports and where each name lives; the module
is imported the first time the name is read, and the name is then kept like an ordinary global.
Type checkers still see real imports under ``TYPE_CHECKING`` in each package.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], Any]:
    """The module ``__getattr__`` of ``package`` for ``exports`` (name -> module that defines it)."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        vars(importlib.import_module(package))[name] = value  # read once; later reads are plain globals
        return value

    return __getattr__
