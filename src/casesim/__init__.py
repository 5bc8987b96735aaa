"""casesim: a terminal training simulator for behavioral-health case managers.

The domain packages (``format``, ``semantics``, ``scoring``, ``authoring``, ``records``,
``play``) never import Textual; ``tui`` is a thin layer over them.

Modules log to ``logging.getLogger(__name__)``, under the ``casesim`` logger: store opening and
schema migrations, analysis timings, failures in background analysis. casesim as a library
configures no handler (the application that embeds it decides where logs go); the
``NullHandler`` keeps Python from printing them through its last-resort handler meanwhile.
"""

from __future__ import annotations

import logging

logging.getLogger("casesim").addHandler(logging.NullHandler())

__version__ = "0.1.0"

__all__ = ["__version__"]
