"""`vttui completion bash|zsh|fish`: a shell completion script, generated from the parser.

Why generated: a hand-written script drifts the day an option is added. This one is
built from the same argparse parser the commands run with (commands, each command's
options, the choices of every option such as formats), plus the names only the
program knows: templates (built-in and the user's), relationship names and object
types. Install with, for example::

    vttui completion bash > ~/.local/share/bash-completion/completions/vttui
    vttui completion zsh  > "${fpath[1]}/_vttui"
    vttui completion fish > ~/.config/fish/completions/vttui.fish
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field

from .registry import PARSER_BUILDER, command

SHELLS = ("bash", "zsh", "fish")
#: Names safe to put in a script unquoted (a user's template could be called anything).
_TOKEN = re.compile(r"[A-Za-z0-9_.+-]+")


@dataclass(slots=True)
class Option:
    flags: list[str]
    help: str
    takes_value: bool
    choices: list[str] = field(default_factory=list)
    kind: str = ""  # "file", "dir", "none" (a free value: no completion) or ""


@dataclass(slots=True)
class Positional:
    name: str
    choices: list[str] = field(default_factory=list)
    kind: str = ""
    repeats: bool = False


@dataclass(slots=True)
class Command:
    name: str
    help: str
    options: list[Option]
    positionals: list[Positional]

    def value_flags(self) -> list[str]:
        return [f for o in self.options if o.takes_value for f in o.flags]


@dataclass(slots=True)
class Spec:
    """What the scripts are made of."""

    globals: list[Option]
    commands: list[Command]


# --- reading the parser -------------------------------------------------------------------


def _tokens(values: object) -> list[str]:
    return [str(v) for v in (values or []) if _TOKEN.fullmatch(str(v))]  # type: ignore[attr-defined]


def _names() -> tuple[list[str], list[str], list[str]]:
    """Template names (built-in and the user's), relationship names, object types."""
    from ..config import config_dir
    from ..export.templates import BUILTIN_TEMPLATES, load_templates
    from ..vt.errors import VTError
    from ..vt.relationships import CATALOGUE
    from .meta import TYPE_ALIASES

    try:
        templates = list(load_templates(config_dir()))
    except (VTError, OSError):
        templates = list(BUILTIN_TEMPLATES)
    rels = sorted({r.name for rels in CATALOGUE.values() for r in rels})
    return _tokens(templates), _tokens(rels), _tokens(sorted(TYPE_ALIASES))


def _kind(metavar: str | None, dest: str) -> str:
    meta = (metavar or dest).upper()
    if meta in ("FILE", "PATH|URL", "PATH"):
        return "file"
    if meta == "DIR":
        return "dir"
    return ""


def _option(action: argparse.Action, templates: list[str]) -> Option:
    takes = action.nargs != 0
    choices = _tokens(action.choices) if action.choices else []
    kind = _kind(action.metavar if isinstance(action.metavar, str) else None, action.dest) if takes else ""
    if action.dest == "template":
        choices = templates
    if takes and not choices and not kind:
        kind = "none"
    return Option(list(action.option_strings), action.help or "", takes, choices, kind)


def spec_from(parser: argparse.ArgumentParser) -> Spec:
    """The parser's commands and options, with the names completions offer."""
    templates, rels, types = _names()
    globals_: list[Option] = []
    commands: list[Command] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                options, positionals = [], []
                for a in sub._actions:
                    if a.option_strings:
                        options.append(_option(a, templates))
                        continue
                    metavar = a.metavar if isinstance(a.metavar, str) else a.dest
                    pos = Positional(metavar, _tokens(a.choices) if a.choices else [], _kind(metavar, a.dest),
                                     a.nargs in ("*", "+"))
                    if metavar == "RELATIONSHIP":
                        pos.choices = rels
                    elif name == "templates":
                        pos.choices = templates
                    elif name == "relationship-types":
                        pos.choices = types
                    positionals.append(pos)
                commands.append(Command(name, helps.get(name, ""), options, positionals))
        elif action.option_strings:
            globals_.append(_option(action, templates))
    return Spec(globals_, commands)


def _plain(text: str, limit: int = 70) -> str:
    """Help text safe inside any of the three shells' quotes and zsh's ``[...]`` specs."""
    text = re.sub(r"[^A-Za-z0-9 ,./+=-]", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "."


# --- bash ----------------------------------------------------------------------------------


def _bash(spec: Spec) -> str:
    names = " ".join(c.name for c in spec.commands)
    global_flags = " ".join(f for o in spec.globals for f in o.flags)
    global_values = " ".join(f for o in spec.globals if o.takes_value for f in o.flags)
    lines = [
        "# bash completion for vttui (generated by `vttui completion bash`; regenerate after an upgrade)",
        "_vttui_value_flags() {",
        '    case "$1" in',
    ]
    for c in spec.commands:
        lines.append(f'        {c.name}) echo "{" ".join(c.value_flags())}" ;;')
    lines += [f'        *) echo "{global_values}" ;;', "    esac", "}", "",
              "_vttui() {",
              '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
              '    local cmd="" npos=0 i w',
              "    for ((i = 1; i < COMP_CWORD; i++)); do",
              '        w="${COMP_WORDS[i]}"',
              '        if [[ " $(_vttui_value_flags "$cmd") " == *" $w "* ]]; then ((i++)); continue; fi',
              '        [[ "$w" == -* ]] && continue',
              '        if [[ -z "$cmd" ]]; then cmd="$w"; else ((npos++)); fi',
              "    done",
              '    case "$cmd:$prev" in']
    for scope, options in [("", spec.globals)] + [(c.name, c.options) for c in spec.commands]:
        for o in options:
            if not o.takes_value:
                continue
            pattern = "|".join(f"{scope}:{f}" for f in o.flags)
            if o.choices:
                action = f'COMPREPLY=($(compgen -W "{" ".join(o.choices)}" -- "$cur"))'
            elif o.kind == "dir":
                action = 'COMPREPLY=($(compgen -d -- "$cur"))'
            elif o.kind == "file":
                action = 'COMPREPLY=($(compgen -f -- "$cur"))'
            else:
                action = "COMPREPLY=()"
            lines.append(f"        {pattern}) {action}; return ;;")
    lines += ["    esac",
              '    if [[ -z "$cmd" ]]; then',
              f'        COMPREPLY=($(compgen -W "{names} {global_flags}" -- "$cur")); return',
              "    fi",
              '    if [[ "$cur" == -* ]]; then',
              '        case "$cmd" in']
    for c in spec.commands:
        flags = " ".join(f for o in c.options for f in o.flags)
        lines.append(f'            {c.name}) COMPREPLY=($(compgen -W "{flags}" -- "$cur")) ;;')
    lines += ["        esac", "        return", "    fi", '    case "$cmd:$npos" in']
    for c in spec.commands:
        for n, p in enumerate(c.positionals):
            where = f"{c.name}:*" if p.repeats else f"{c.name}:{n}"
            if p.choices:
                lines.append(f'        {where}) COMPREPLY=($(compgen -W "{" ".join(p.choices)}" -- "$cur")) ;;')
            elif p.kind == "file":
                lines.append(f'        {where}) COMPREPLY=($(compgen -f -- "$cur")) ;;')
    lines += ["    esac", "}", "", "complete -o default -o bashdefault -F _vttui vttui", ""]
    return "\n".join(lines)


# --- zsh -----------------------------------------------------------------------------------


def _zsh_option(o: Option) -> list[str]:
    help_text = _plain(o.help)
    if o.takes_value:
        if o.choices:
            value = f":{o.flags[-1].lstrip('-')}:({' '.join(o.choices)})"
        elif o.kind == "dir":
            value = ":directory:_files -/"
        elif o.kind == "file":
            value = ":file:_files"
        else:
            value = ":value: "
    else:
        value = ""
    if len(o.flags) > 1:
        exclusive = "(" + " ".join(o.flags) + ")"
        return [f"'{exclusive}'{{{','.join(o.flags)}}}'[{help_text}]{value}'"]
    return [f"'{o.flags[0]}[{help_text}]{value}'"]


def _zsh(spec: Spec) -> str:
    lines = ["#compdef vttui",
             "# zsh completion for vttui (generated by `vttui completion zsh`; regenerate after an upgrade)",
             "", "_vttui() {", "    local -a commands", "    commands=("]
    for c in spec.commands:
        lines.append(f"        '{c.name}:{_plain(c.help)}'")
    lines += ["    )", '    local curcontext="$curcontext" state line', "    _arguments -C \\"]
    for o in spec.globals:
        for item in _zsh_option(o):
            lines.append(f"        {item} \\")
    lines += ["        '1: :->command' \\", "        '*:: :->args' && return", "",
              "    case $state in",
              "        command) _describe -t commands 'vttui command' commands ;;",
              "        args)", "            case $words[1] in"]
    for c in spec.commands:
        lines.append(f"                {c.name}) _arguments \\")
        for o in c.options:
            for item in _zsh_option(o):
                lines.append(f"                    {item} \\")
        for n, p in enumerate(c.positionals, 1):
            spot = "*" if p.repeats else str(n)
            if p.choices:
                action = f"({' '.join(p.choices)})"
            elif p.kind == "file":
                action = "_files"
            else:
                action = " "
            lines.append(f"                    '{spot}:{_plain(p.name.lower(), 30)}:{action}' \\")
        lines[-1] = lines[-1].removesuffix(" \\")
        lines.append("                    ;;")
    lines += ["            esac ;;", "    esac", "}", "", '_vttui "$@"', ""]
    return "\n".join(lines)


# --- fish ----------------------------------------------------------------------------------


def _fish_option(o: Option, condition: str) -> str:
    parts = ["complete -c vttui", f"-n '{condition}'"]
    for flag in o.flags:
        parts.append(f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}")
    if o.takes_value:
        if o.choices:
            parts.append(f"-x -a '{' '.join(o.choices)}'")
        elif o.kind in ("file", "dir"):
            parts.append("-r -F")
        else:
            parts.append("-x")
    parts.append(f"-d '{_plain(o.help)}'")
    return " ".join(parts)


def _fish(spec: Spec) -> str:
    names = " ".join(c.name for c in spec.commands)
    lines = ["# fish completion for vttui (generated by `vttui completion fish`; regenerate after an upgrade)",
             "complete -c vttui -f",
             f"set -l vttui_commands {names}"]
    top = "not __fish_seen_subcommand_from $vttui_commands"
    for o in spec.globals:
        lines.append(_fish_option(o, top).replace(f"-n '{top}'", f'-n "{top}"'))
    for c in spec.commands:
        lines.append(f"complete -c vttui -n \"{top}\" -a {c.name} -d '{_plain(c.help)}'")
    for c in spec.commands:
        cond = f"__fish_seen_subcommand_from {c.name}"
        for o in c.options:
            lines.append(_fish_option(o, cond))
        for p in c.positionals:
            if p.choices:
                lines.append(f"complete -c vttui -n '{cond}' -x -a '{' '.join(p.choices)}'")
            elif p.kind == "file":
                lines.append(f"complete -c vttui -n '{cond}' -F")
    return "\n".join(lines) + "\n"


def completion_script(shell: str, parser: argparse.ArgumentParser) -> str:
    """The completion script for ``shell`` (one of SHELLS), from ``parser``."""
    spec = spec_from(parser)
    return {"bash": _bash, "zsh": _zsh, "fish": _fish}[shell](spec)


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in")


@command("completion", "print a shell completion script (bash, zsh or fish)")(_args)
async def completion(args: argparse.Namespace, _client: object) -> int:
    sys.stdout.write(completion_script(args.shell, PARSER_BUILDER[0]()))
    sys.stdout.flush()
    return 0


completion.offline = True  # type: ignore[attr-defined]
