"""Sub-commands of the ``casesim`` CLI, one module per group."""
