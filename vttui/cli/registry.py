"""The subcommand registry: each command module registers itself here when imported.

Kept apart from the parser (``commands.py``), which imports every command module: the
modules import only this, so registering never makes an import cycle.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..vt.client import VTClient

Handler = Callable[[argparse.Namespace, "VTClient"], Awaitable[int]]
ArgAdder = Callable[[argparse.ArgumentParser], None]
#: name -> (help, argument adder, handler)
COMMANDS: dict[str, tuple[str, ArgAdder, Handler]] = {}
#: The builder of the whole parser, set by ``commands.py``: a command that reads the parser
#: (``completion``) finds it here without importing ``commands.py`` (an import cycle).
PARSER_BUILDER: list[Callable[[], argparse.ArgumentParser]] = []


def command(name: str, help: str) -> Callable[[ArgAdder], Callable[[Handler], Handler]]:
    """Register a subcommand: decorate its argument adder; it names its handler."""

    def register(add_args: ArgAdder) -> Callable[[Handler], Handler]:
        def with_handler(handler: Handler) -> Handler:
            COMMANDS[name] = (help, add_args, handler)
            return handler

        return with_handler

    return register

