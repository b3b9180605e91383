"""Service settings: where to listen, who may call, what callers may do.

Read from the ``[serve]`` table of the config file, then ``VTTUI_SERVE_*`` environment
variables (which win), then command-line flags (which win over both). The environment is
also how ``vttui serve --workers N`` hands its settings to each worker process: uvicorn
starts workers by importing ``vttui.serve:app``, which builds itself from the environment.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from ..vt.errors import ConfigError

AUTH_MODES = ("auto", "open", "key", "token")
MAX_UPLOAD = 650 * 1024 * 1024
#: Room for the multipart framing around an upload of MAX_UPLOAD bytes.
MULTIPART_SLACK = 1024 * 1024
_HASH_RE = re.compile(r"[0-9a-f]{64}")

#: Environment variable -> field name. Flags of `vttui serve` use the same names.
ENV_VARS = {
    "VTTUI_SERVE_HOST": "host",
    "VTTUI_SERVE_PORT": "port",
    "VTTUI_SERVE_WORKERS": "workers",
    "VTTUI_SERVE_DEMO": "demo",
    "VTTUI_SERVE_ALLOW_WRITES": "allow_writes",
    "VTTUI_SERVE_AUTH": "auth",
    "VTTUI_SERVE_TOKEN_HASHES": "token_hashes",
    "VTTUI_SERVE_MAX_CLIENTS": "max_clients",
    "VTTUI_SERVE_MAX_WAIT": "max_wait",
    "VTTUI_SERVE_MAX_BODY": "max_body",
    "VTTUI_SERVE_MCP": "mcp",
}


@dataclass(frozen=True)
class ServeConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    #: Answer from the bundled offline demo data instead of VirusTotal.
    demo: bool = False
    #: Allow POST /api/v1/urls and /api/v1/files (and the MCP scan tool): they spend quota
    #: and hand data to VirusTotal, so they are off unless asked for.
    allow_writes: bool = False
    #: open: the server's key, no caller auth (loopback only); key: each caller's own key in
    #: X-API-Key (VT4AI's way); token: the server's key, callers send a bearer token;
    #: auto: token when token hashes are configured, else open when the server has a key,
    #: else key.
    auth: str = "auto"
    #: SHA-256 hex digests of the bearer tokens callers may send (never the tokens).
    token_hashes: tuple[str, ...] = ()
    #: Per-caller clients kept (key mode): each has its own cache and quota ledger.
    max_clients: int = 64
    #: Longest a request may queue for a quota slot before it gets 429 with Retry-After.
    max_wait: float = 30.0
    #: Largest request body outside file uploads.
    max_body: int = 1024 * 1024
    #: Mount the MCP tools at /mcp (streamable HTTP).
    mcp: bool = True

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    def resolved_auth(self, server_has_key: bool) -> str:
        """The auth mode in force (``auto`` resolved)."""
        if self.auth != "auto":
            return self.auth
        if self.token_hashes:
            return "token"
        return "open" if server_has_key else "key"

    def check(self, server_has_key: bool) -> str:
        """Refuse settings that would expose the key or cannot work; return the auth mode."""
        mode = self.resolved_auth(server_has_key)
        if mode in ("open", "token") and not server_has_key:
            raise ConfigError(
                f"Auth mode {mode!r} answers with the server's own VirusTotal key, and none is set. "
                "Set VT_API_KEY (or run with --demo), or use --auth key so each caller sends its own key."
            )
        if mode == "token" and not self.token_hashes:
            raise ConfigError(
                "Auth mode 'token' needs at least one token hash: set VTTUI_SERVE_TOKEN_HASHES or "
                "[serve] token_hashes (make one with `vttui serve --new-token`)."
            )
        if mode == "open" and not self.loopback:
            raise ConfigError(
                f"Refusing to listen on {self.host} without authentication: anyone who can reach it "
                "would spend your VirusTotal quota. Configure team tokens (`vttui serve --new-token`, "
                "then VTTUI_SERVE_TOKEN_HASHES) or use --auth key so callers bring their own keys; "
                "or listen on 127.0.0.1."
            )
        if self.workers < 1:
            raise ConfigError("--workers must be at least 1.")
        if not 0 < self.port < 65536:
            raise ConfigError("--port must be between 1 and 65535.")
        return mode

    def to_env(self) -> dict[str, str]:
        """The environment that rebuilds this config in a worker process."""
        out: dict[str, str] = {}
        for var, name in ENV_VARS.items():
            value = getattr(self, name)
            if isinstance(value, bool):
                out[var] = "1" if value else "0"
            elif isinstance(value, tuple):
                out[var] = ",".join(value)
            else:
                out[var] = str(value)
        return out


def is_loopback(host: str) -> bool:
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name} must be true or false, not {str(value)[:40]!r}.")


def _int(value: Any, name: str, minimum: int) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, int) or isinstance(value, bool) else value
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {str(value)[:40]!r}.") from None
    if isinstance(number, bool) or number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}.")
    return number


def _float(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number, not {str(value)[:40]!r}.") from None
    if number < 0 or math.isnan(number):
        raise ConfigError(f"{name} cannot be negative.")
    return number


def parse_token_hashes(value: Any, name: str = "token_hashes") -> tuple[str, ...]:
    """Token hashes from a list or a comma/space separated string; each 64 hex digits."""
    items = value if isinstance(value, (list, tuple)) else re.split(r"[\s,]+", str(value or ""))
    out: list[str] = []
    for item in items:
        text = str(item).strip().lower()
        text = text.removeprefix("sha256:")
        if not text:
            continue
        if not _HASH_RE.fullmatch(text):
            raise ConfigError(
                f"{name}: each entry must be the SHA-256 of a token (64 hexadecimal digits), "
                "not a token itself; make one with `vttui serve --new-token`."
            )
        out.append(text)
    return tuple(dict.fromkeys(out))


def _coerce(name: str, value: Any, where: str) -> Any:
    label = f"{where} {name}"
    if name in ("demo", "allow_writes", "mcp"):
        return _bool(value, label)
    if name == "port":
        return _int(value, label, 1)
    if name in ("workers", "max_clients"):
        return _int(value, label, 1)
    if name == "max_body":
        return _int(value, label, 1024)
    if name == "max_wait":
        return _float(value, label)
    if name == "token_hashes":
        return parse_token_hashes(value, label)
    if name == "auth":
        mode = str(value).strip().lower()
        if mode not in AUTH_MODES:
            raise ConfigError(f"{label} must be one of {', '.join(AUTH_MODES)}.")
        return mode
    if name == "host":
        host = str(value).strip()
        if not host:
            raise ConfigError(f"{label} cannot be empty.")
        return host
    return value


def load_serve_config(
    env: Mapping[str, str] | None = None, config_file: Path | None = None, **overrides: Any
) -> ServeConfig:
    """The service config: file, then environment, then ``overrides`` (flags; None skipped)."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    known = {f.name for f in fields(ServeConfig)}
    if config_file is not None and config_file.is_file():
        try:
            data = tomllib.loads(config_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"Cannot read the [serve] settings in {config_file}: {exc}.") from None
        table = data.get("serve")
        if isinstance(table, dict):
            for name, value in table.items():
                if name not in known:
                    raise ConfigError(f"[serve] has an unknown setting {name!r}; known: {', '.join(sorted(known))}.")
                values[name] = _coerce(name, value, "[serve]")
    for var, name in ENV_VARS.items():
        if env.get(var, "").strip():
            values[name] = _coerce(name, env[var], var)
    for name, value in overrides.items():
        if value is not None:
            if name not in known:
                raise TypeError(f"unknown serve setting {name}")
            values[name] = _coerce(name, value, "--" + name.replace("_", "-"))
    return replace(ServeConfig(), **values)
