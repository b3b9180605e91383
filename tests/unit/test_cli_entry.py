"""The `vttui` entry point: no terminal, typos, help with TUI options, -k everywhere."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from vttui.cli import COMMAND_NAMES, first_word, launch, main, unknown_command

VT_KEY = "0123456789abcdef" * 4


def run_vttui(*args: str, stdin=subprocess.DEVNULL, env: dict[str, str] | None = None,
              timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    """The installed entry point in a child process whose stdin and stdout are no terminal."""
    full_env = {**os.environ, "VTTUI_CONFIG_DIR": os.environ.get("VTTUI_TEST_CONFIG", "/nonexistent-vttui"),
                **(env or {})}
    return subprocess.run([sys.executable, "-m", "vttui", *args], stdin=stdin, capture_output=True,
                          env=full_env, timeout=timeout)


# --- no terminal ------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["x"], ["--demo"], ["44d88612fea8a8f36de82e1278abb02f", "--demo"]])
def test_the_tui_without_a_terminal_stops_at_once_with_exit_2(tmp_path, args):
    done = run_vttui(*args, env={"VTTUI_CONFIG_DIR": str(tmp_path)})  # stdin /dev/null, stdout a pipe
    assert done.returncode == 2
    assert done.stdout == b""  # nothing for the file or the pipe: no escape sequences
    err = done.stderr.decode()
    assert "needs a terminal" in err and "vttui lookup" in err and "Traceback" not in err


def test_stdout_redirected_to_a_file_stays_empty(tmp_path):
    out = tmp_path / "out"
    with open(out, "wb") as fh:
        done = subprocess.run([sys.executable, "-m", "vttui", "--demo"], stdin=subprocess.DEVNULL, stdout=fh,
                              stderr=subprocess.PIPE, timeout=60,
                              env={**os.environ, "VTTUI_CONFIG_DIR": str(tmp_path)})
    assert done.returncode == 2 and out.read_bytes() == b""


def test_terminal_problem_names_what_is_missing():
    class Stream:
        def __init__(self, tty: bool) -> None:
            self.tty = tty

        def isatty(self) -> bool:
            return self.tty

    assert launch.terminal_problem(Stream(True), Stream(True)) is None
    assert "stdout is not one" in launch.terminal_problem(Stream(True), Stream(False))
    assert "stdin and stdout are not one" in launch.terminal_problem(Stream(False), Stream(False))


# --- typos --------------------------------------------------------------------------------


def test_a_mistyped_command_is_named_with_a_suggestion(capsys, monkeypatch):
    monkeypatch.setattr(launch, "run_app", lambda **kw: pytest.fail("the TUI must not start"))
    assert main(["lokup", "44d88612fea8a8f36de82e1278abb02f"]) == 2
    err = capsys.readouterr().err
    assert "unknown command 'lokup'; did you mean lookup?" in err


@pytest.mark.parametrize(("word", "suggestion"), [("relation", "relations"), ("downlaod", "download"),
                                                  ("qouta", "quota"), ("completions", "completion")])
def test_suggestions(word, suggestion):
    assert f"did you mean {suggestion}?" in unknown_command(word)


def test_a_word_without_a_close_command_is_still_refused():
    message = unknown_command("zzzz")
    assert "unknown command 'zzzz'" in message and "did you mean" not in message


@pytest.mark.parametrize("ioc", ["44d88612fea8a8f36de82e1278abb02f", "8.8.8.8", "evil.example",
                                 "hxxp://evil[.]bit/x", "evil[.]bit", "Lookup"])
def test_an_ioc_or_something_the_search_bar_explains_opens_the_tui(ioc, monkeypatch):
    opened = {}
    monkeypatch.setattr(launch, "run_app", lambda **kw: opened.update(kw) or 0)
    assert unknown_command(ioc) is None
    assert main([ioc]) == 0 and opened["ioc"] == ioc


def test_the_command_word_is_found_after_option_values():
    assert first_word(["-k", "lookup", "quota"]) == "quota"  # -k's value is not the command
    assert first_word(["--apikey=x", "--demo", "lookup", "X"]) == "lookup"
    assert first_word(["--demo"]) is None
    assert first_word(["--", "--odd"]) == "--odd"


# --- help -----------------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [["--demo", "--help"], ["--no-store", "-h"], ["--help"],
                                  ["44d88612fea8a8f36de82e1278abb02f", "--help"]])
def test_help_works_with_the_tuis_options(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "vttui [IOC] [--demo] [--no-store]" in out and "vttui COMMAND" in out


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in COMMAND_NAMES:
        assert f"\n    {name} " in out or f"\n    {name}\n" in out, name


# --- -k/--apikey --------------------------------------------------------------------------------


def fast_failing_config(folder, monkeypatch) -> None:
    """A config whose API address refuses connections, with a deadline that allows no retry."""
    (folder / "config.toml").write_text("[network]\ndeadline = 0.5\n[cache]\nstore = \"memory\"\n")
    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(folder))
    monkeypatch.setenv("VT_API_URL", "http://127.0.0.1:9/api/v3")  # nothing listens: refused, offline


@pytest.mark.parametrize("argv", [["quota", "-k", VT_KEY], ["-k", VT_KEY, "quota"], ["quota", f"--apikey={VT_KEY}"]])
def test_apikey_on_a_command_wins_and_is_never_echoed(argv, tmp_path, monkeypatch, capsys):
    import vttui.cli.commands as commands

    seen = {}
    real = commands.load_settings

    def spy(*a, **kw):
        settings = real(*a, **kw)
        seen["settings"] = settings
        return settings

    monkeypatch.setattr(commands, "load_settings", spy)
    fast_failing_config(tmp_path, monkeypatch)
    monkeypatch.setenv("VT_API_KEY", "f" * 64)
    code = main(argv)
    out, err = capsys.readouterr()
    assert seen["settings"].api_key == VT_KEY and seen["settings"].api_key_source == "-k/--apikey"
    assert VT_KEY not in out + err
    assert code == 6  # the request was tried (and refused by the closed port)


def test_a_bad_apikey_is_refused_without_echo(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(tmp_path))
    assert main(["quota", "-k", "secret key with spaces"]) == 2
    err = capsys.readouterr().err
    assert "-k/--apikey holds a space" in err and "secret key with spaces" not in err


def test_apikey_reaches_the_tui(monkeypatch):
    opened = {}
    monkeypatch.setattr(launch, "run_app", lambda **kw: opened.update(kw) or 0)
    assert main(["-k", VT_KEY, "8.8.8.8", "--no-store"]) == 0
    assert opened == {"ioc": "8.8.8.8", "demo": False, "no_store": True, "api_key": VT_KEY}


def test_quota_says_where_the_key_came_from(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(tmp_path))
    monkeypatch.delenv("VT_API_KEY", raising=False)
    monkeypatch.delenv("VTCLI_APIKEY", raising=False)
    assert main(["quota", "--demo"]) == 0
    out = capsys.readouterr().out
    assert "API key …1234 from demo" in out


def test_a_key_not_shaped_like_virustotals_is_warned_about_once(tmp_path, monkeypatch, capsys):
    import vttui.cli.commands as commands
    from vttui.vt.errors import OfflineError

    def no_network(*_a, **_k):  # the key would go to VirusTotal itself: stop before any request
        raise OfflineError()

    monkeypatch.setattr(commands, "make_client", no_network)
    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(tmp_path))
    monkeypatch.delenv("VT_API_URL", raising=False)
    assert main(["quota", "-k", "lab-token-" + "z" * 20]) == 6
    err = capsys.readouterr().err
    assert err.count("while VirusTotal keys are 64 hexadecimal characters") == 1


def test_no_warning_for_a_compatible_servers_own_keys(tmp_path):
    from vttui.config import load_settings

    env = {"VT_API_KEY": "lab-token-" + "z" * 20}
    assert load_settings(env, tmp_path / "none.toml").key_warning
    assert (
        load_settings({**env, "VT_API_URL": "https://vt.lab.example/api/v3"}, tmp_path / "none.toml").key_warning
        is None
    )
