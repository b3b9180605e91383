"""Fixtures shared by several unit-test modules.

The CLI fixtures (``env``, ``vt``, ``live``: the CLI against the demo, fake terminal and
config dir) live in ``test_cli_actions``; ``test_cli_bulk`` uses them too, and importing
them here instead of there keeps fixture names from shadowing imports.
"""

from .test_cli_actions import env, live, vt  # noqa: F401
