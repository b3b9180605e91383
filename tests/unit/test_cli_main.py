"""The entry point: subcommand names known up front, TUI arguments, version."""

from __future__ import annotations

import pytest

from vttui import __version__
from vttui.cli import COMMAND_NAMES, main
from vttui.cli.commands import COMMANDS, _load_commands


def test_command_names_match_the_registered_commands():
    _load_commands()
    assert set(COMMANDS) == set(COMMAND_NAMES)


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_unknown_option_for_the_tui_is_a_clear_error(capsys):
    assert main(["--bogus"]) == 2
    err = capsys.readouterr().err
    assert "unrecognised arguments: --bogus" in err and "Traceback" not in err


def test_help_lists_commands_and_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in ("lookup", "relations", "submit", "download", "templates"):
        assert name in out
    assert "exit codes" in out
