"""`vttui completion bash|zsh|fish`: generated from the parser, valid in each shell, and
mentioning every command, option and the names only vttui knows."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from vttui.cli import COMMAND_NAMES, main
from vttui.cli.commands import build_parser
from vttui.cli.completion import SHELLS, completion_script, spec_from
from vttui.export.templates import BUILTIN_TEMPLATES
from vttui.vt.relationships import CATALOGUE


def script(shell: str, capsys) -> str:
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("shell", SHELLS)
def test_each_script_mentions_every_command_and_option(shell, capsys):
    text = script(shell, capsys)
    spec = spec_from(build_parser())
    assert {c.name for c in spec.commands} == set(COMMAND_NAMES)
    for command in spec.commands:
        assert command.name in text
        for option in command.options:
            for flag in option.flags:
                assert (flag if shell != "fish" else flag.lstrip("-")) in text, (command.name, flag)
    for fmt in ("json", "markdown", "xml", "raw", "csv"):
        assert fmt in text
    for name in BUILTIN_TEMPLATES:
        assert name in text
    for rel in ("contacted_domains", "resolutions", "communicating_files"):
        assert rel in text


def test_a_new_option_appears_without_touching_the_generator(capsys):
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    sub.choices["lookup"].add_argument("--brand-new-flag", choices=["one", "two"])
    text = completion_script("bash", parser)
    assert "--brand-new-flag" in text and "one two" in text


def test_bash_script_is_valid_and_completes(capsys, tmp_path):
    text = script("bash", capsys)
    path = tmp_path / "vttui.bash"
    path.write_text(text)
    checked = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr

    def complete(*words: str) -> list[str]:
        line = " ".join(("vttui",) + words)
        program = (f"source {path}\nCOMP_WORDS=(vttui {' '.join(words)})\nCOMP_CWORD={len(words)}\n"
                   f"COMP_LINE='{line}'\n_vttui\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n")
        done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert "lookup" in complete("lo") and "completion" in complete("com")
    assert set(complete("lookup", "--format", "")) == {"json", "markdown", "xml", "raw", "csv"}
    assert "essential" in complete("lookup", "-t", "")
    assert "resolutions" in complete("relations", "evil.example", "res")
    assert "--relationships" in complete("lookup", "--rel")
    assert complete("-k", "KEY", "quo") == ["quota"]  # -k's value is not the command
    assert set(complete("completion", "")) == set(SHELLS)


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_are_valid(shell, capsys, tmp_path):
    text = script(shell, capsys)
    path = tmp_path / f"vttui.{shell}"
    path.write_text(text)
    binary = shutil.which(shell)
    if binary is not None:  # the shell itself checks the syntax
        args = [binary, "-n", str(path)] if shell == "zsh" else [binary, "--no-execute", str(path)]
        checked = subprocess.run(args, capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, checked.stderr
    # structural checks that hold whether or not the shell is installed
    lines = text.splitlines()
    assert all(line.count("'") % 2 == 0 for line in lines), "unbalanced single quotes"
    if shell == "zsh":
        assert lines[0] == "#compdef vttui" and text.rstrip().endswith('_vttui "$@"')
        assert text.count("case ") == text.count("esac")
        assert text.count("{") == text.count("}")
    else:
        assert all(line.startswith(("complete -c vttui", "set -l ", "#")) for line in lines if line)


def test_user_templates_are_offered(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "ticket-short.toml").write_text('description = "mine"\n["*"]\nkeep = ["id"]\n')
    (folder / "bad name.toml").write_text('description = "spaces"\n')
    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(tmp_path))
    text = script("bash", capsys)
    assert "ticket-short" in text and "bad name" not in text


def test_relationship_names_cover_the_catalogue(capsys):
    text = script("fish", capsys)
    for rels in CATALOGUE.values():
        for rel in rels:
            assert rel.name in text
