"""Settings: API key, base URL, proxy, timeouts, quota tier and cache bounds.

Precedence: environment variables, then the config file (TOML in the platform config
directory), then defaults. The key is written only with mode 0600 and is never shown
in full: ``mask_key`` gives its last four characters.
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .vt.errors import ConfigError
from .vt.ratelimit import TIERS
from .vt.store.policy import StoreOptions, store_options

DEFAULT_BASE_URL = "https://www.virustotal.com/api/v3"
KEY_ENV_VARS = ("VT_API_KEY", "VTCLI_APIKEY")


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """The platform's per-user config directory for vttui (VTTUI_CONFIG_DIR overrides)."""
    env = os.environ if env is None else env
    if env.get("VTTUI_CONFIG_DIR"):
        return Path(env["VTTUI_CONFIG_DIR"]).expanduser()
    if sys.platform == "win32":
        return Path(env.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "vttui"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "vttui"
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "vttui"


def config_path(env: Mapping[str, str] | None = None) -> Path:
    return config_dir(env) / "config.toml"


def mask_key(key: str | None) -> str:
    """Only the last four characters of a key are ever shown."""
    if not key:
        return "none"
    return "…" + key[-4:] if len(key) > 4 else "…" + "*" * len(key)


@dataclass(frozen=True)
class Settings:
    api_key: str | None = None
    api_key_source: str | None = None  # "VT_API_KEY", "VTCLI_APIKEY", "config file"
    #: The VirusTotal user id: lets the quota lookup name the account without the key.
    user_id: str | None = None
    base_url: str = DEFAULT_BASE_URL
    proxy: str | None = None
    timeout: float = 30.0
    upload_timeout: float = 600.0
    tier: str = "public"
    per_minute: int | None = 4
    per_day: int | None = 500
    cache_entries: int = 5000
    cache_bytes: int = 128 * 1024 * 1024
    cache_ttl: float = 6 * 3600.0
    #: Where the cache and the quota ledger outlive the process (see vttui.vt.store).
    #: Memory unless the settings come from load_settings (whose default is sqlite).
    store: StoreOptions = StoreOptions()
    config_file: Path = field(default_factory=config_path)
    warnings: tuple[str, ...] = ()

    @property
    def masked_key(self) -> str:
        return mask_key(self.api_key)

    def with_key(self, key: str, source: str) -> "Settings":
        return replace(self, api_key=key, api_key_source=source)

    def __repr__(self) -> str:  # never print the key, even by accident
        return f"Settings(key={self.masked_key}, base_url={self.base_url!r}, tier={self.tier!r})"


def _read_file(path: Path) -> tuple[dict[str, Any], list[str]]:
    warnings: list[str] = []
    if not path.is_file():
        return {}, warnings
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read the config file {path}: {exc}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The config file {path} is not valid TOML: {exc}.") from None
    if os.name == "posix" and data.get("api_key"):
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            warnings.append(
                f"The config file {path} holds the API key but is readable by others "
                f"(mode {mode:o}); run: chmod 600 {path}"
            )
    return data, warnings


def _number(value: Any, name: str, *, positive: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be a number.")
    if positive and value <= 0:
        raise ConfigError(f"{name} must be positive.")
    return float(value)


def load_settings(env: Mapping[str, str] | None = None, path: Path | None = None) -> Settings:
    """Settings from the environment and the config file."""
    env = os.environ if env is None else env
    path = path or config_path(env)
    data, warnings = _read_file(path)
    network = data.get("network") if isinstance(data.get("network"), dict) else {}
    quota = data.get("quota") if isinstance(data.get("quota"), dict) else {}
    cache = data.get("cache") if isinstance(data.get("cache"), dict) else {}

    key, source = None, None
    for var in KEY_ENV_VARS:
        if env.get(var, "").strip():
            key, source = env[var].strip(), var
            break
    if key is None and isinstance(data.get("api_key"), str) and data["api_key"].strip():
        key, source = data["api_key"].strip(), "config file"

    base_url = env.get("VT_API_URL") or network.get("base_url") or DEFAULT_BASE_URL
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise ConfigError("The API base URL must start with http:// or https://.")
    account = data.get("account") if isinstance(data.get("account"), dict) else {}
    user_id = env.get("VT_USER_ID") or account.get("user_id") or None
    if user_id is not None and not isinstance(user_id, str):
        raise ConfigError("account.user_id must be a string.")
    proxy = env.get("VTTUI_PROXY") or network.get("proxy") or None
    if proxy is not None and not isinstance(proxy, str):
        raise ConfigError("network.proxy must be a URL string.")

    tier = str(quota.get("tier", "public")).lower()
    if tier not in TIERS:
        raise ConfigError(f"quota.tier must be one of: {', '.join(TIERS)}.")
    per_minute, per_day = TIERS[tier]
    if "per_minute" in quota:
        per_minute = int(_number(quota["per_minute"], "quota.per_minute"))
    if "per_day" in quota:
        per_day = int(_number(quota["per_day"], "quota.per_day"))

    return Settings(
        api_key=key,
        api_key_source=source,
        user_id=user_id,
        base_url=base_url.rstrip("/"),
        proxy=proxy,
        timeout=_number(network.get("timeout", 30), "network.timeout"),
        upload_timeout=_number(network.get("upload_timeout", 600), "network.upload_timeout"),
        tier=tier,
        per_minute=per_minute,
        per_day=per_day,
        cache_entries=int(_number(cache.get("max_entries", 5000), "cache.max_entries")),
        cache_bytes=int(_number(cache.get("max_mb", 128), "cache.max_mb") * 1024 * 1024),
        cache_ttl=_number(cache.get("ttl_minutes", 360), "cache.ttl_minutes") * 60,
        store=store_options(cache, env),
        config_file=path,
        warnings=tuple(warnings),
    )


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    escaped = "".join(
        {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch)
        or (f"\\u{ord(ch):04x}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch)
        for ch in text
    )
    return f'"{escaped}"'


def dump_toml(data: Mapping[str, Any]) -> str:
    """Write the flat two-level TOML this config uses (no dependency needed)."""
    lines: list[str] = []
    tables = {k: v for k, v in data.items() if isinstance(v, Mapping)}
    for key, value in data.items():
        if not isinstance(value, Mapping):
            lines.append(f"{key} = {_toml_value(value)}")
    for name, table in tables.items():
        lines.append("")
        lines.append(f"[{name}]")
        for key, value in table.items():
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines).lstrip("\n") + "\n"


def save_api_key(key: str, path: Path | None = None) -> Path:
    """Store the key in the config file, keeping other settings; the file gets mode 0600."""
    key = key.strip()
    if not key or any(ch.isspace() for ch in key):
        raise ConfigError("An API key is one word with no spaces.")
    path = path or config_path()
    data, _ = _read_file(path)
    data["api_key"] = key
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("# vttui settings. Holds your VirusTotal API key: keep this file private.\n")
        fh.write(dump_toml(data))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path
