"""Helpers the tests share: plain modules, importable as ``support.*`` (``pythonpath = ["tests"]``).

No test imports ``conftest`` or another test module; fixtures stay in the conftest files, and
everything else a test needs from elsewhere lives here.
"""
