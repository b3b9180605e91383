"""Settings: API key, base URL, proxy, timeouts, deadlines, size caps, quota tier, cache.

Precedence: environment variables, then the config file (TOML in the platform config
directory, found with platformdirs), then defaults. Every value is checked here, once:
a bad one is a ConfigError naming the setting and what it accepts (exit 2), never a
crash later. The file is read and written through :mod:`vttui.config_file` (private
temp file, atomic rename) and is never shown in full: ``mask_key`` gives its last four
characters.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

from .config_file import read_config_text, update_config
from .vt.apikey import key_problem, key_warning
from .vt.errors import ConfigError
from .vt.ratelimit import TIERS
from .vt.store.policy import StoreOptions, store_options

DEFAULT_BASE_URL = "https://www.virustotal.com/api/v3"
KEY_ENV_VARS = ("VT_API_KEY", "VTCLI_APIKEY")
#: The command-line option naming a key (it wins over every other source).
KEY_OPTION = "-k/--apikey"
#: vt-cli's own config file in the home folder (``apikey = "..."``).
VT_CLI_CONFIG = ".vt.toml"
APP_NAME = "vttui"
MB = 1024 * 1024

#: Settings the file may hold, by table. Anything else is reported as a warning.
KNOWN_KEYS: dict[str, frozenset[str]] = {
    "": frozenset({"api_key", "network", "quota", "cache", "account", "keymap", "ui",
                   "serve"}),  # [serve] is read (and checked) by vttui.serve.config
    "network": frozenset({"base_url", "proxy", "timeout", "upload_timeout", "deadline", "upload_deadline",
                          "max_reply_mb", "max_download_mb"}),
    "quota": frozenset({"tier", "per_minute", "per_day"}),
    "cache": frozenset({"max_mb", "max_entries", "ttl_minutes", "store", "disk_mb", "ttl_hours"}),
    "account": frozenset({"user_id", "for_key"}),
    "ui": frozenset({"theme", "hyperlinks", "defang_copies"}),
}


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """The per-user config directory: ``VTTUI_CONFIG_DIR``, else the platform's
    (``$XDG_CONFIG_HOME/vttui`` on Linux, Application Support on macOS, AppData on Windows)."""
    env = os.environ if env is None else env
    if env.get("VTTUI_CONFIG_DIR"):
        return Path(env["VTTUI_CONFIG_DIR"]).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False, roaming=True))


def config_path(env: Mapping[str, str] | None = None) -> Path:
    return config_dir(env) / "config.toml"


def state_dir() -> Path:
    """Where logs go (``$XDG_STATE_HOME/vttui`` on Linux)."""
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))


def crash_log_path() -> Path:
    return state_dir() / "crash.log"


def mask_key(key: str | None) -> str:
    """Only the last four characters of a key are ever shown."""
    if not key:
        return "none"
    return "…" + key[-4:] if len(key) > 4 else "…" + "*" * len(key)


def key_fingerprint(key: str) -> str:
    """A short one-way tag of a key: ties a learned user id to the key it belongs to."""
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Settings:
    api_key: str | None = None
    #: "-k/--apikey", "VT_API_KEY", "VTCLI_APIKEY", "config file" or "~/.vt.toml" (vt-cli's)
    api_key_source: str | None = None
    #: Said once when the key is used: it is not shaped like a VirusTotal key.
    key_warning: str | None = None
    #: The VirusTotal user id: lets the quota lookup name the account without the key.
    user_id: str | None = None
    base_url: str = DEFAULT_BASE_URL
    proxy: str | None = None
    #: Seconds one read, write or connect may take.
    timeout: float = 30.0
    #: Seconds one chunk of an upload may take to send.
    upload_timeout: float = 600.0
    #: Seconds one API request may take in all, retries and their pauses included.
    deadline: float = 120.0
    #: The same for uploads (the body takes long on a slow link).
    upload_deadline: float = 3600.0
    #: Largest decompressed API reply read into memory.
    max_reply_bytes: int = 32 * MB
    #: Largest sample or capture written to disk.
    max_download_bytes: int = 700 * MB
    tier: str = "public"
    per_minute: int | None = 4
    per_day: int | None = 500
    cache_entries: int = 5000
    cache_bytes: int = 128 * MB
    cache_ttl: float = 6 * 3600.0
    #: Where the cache and the quota ledger outlive the process (see vttui.vt.store).
    #: Memory unless the settings come from load_settings (whose default is sqlite).
    store: StoreOptions = StoreOptions()
    config_file: Path = field(default_factory=config_path)
    warnings: tuple[str, ...] = ()
    #: [keymap]: binding id -> keys ("ctrl+o" or "o,ctrl+o"), applied with App.set_keymap.
    keymap: tuple[tuple[str, str], ...] = ()
    #: [ui] theme: the TUI's theme, saved when the user picks one.
    theme: str | None = None
    #: [ui] hyperlinks: engine names and objects link to their VirusTotal page (OSC 8).
    hyperlinks: bool = True
    #: [ui] defang_copies: copied indicators are defanged (hxxp, [.]) for tickets and chats.
    defang_copies: bool = False

    @property
    def masked_key(self) -> str:
        return mask_key(self.api_key)

    def with_key(self, key: str, source: str) -> Settings:
        return replace(self, api_key=key, api_key_source=source,
                       key_warning=api_key_warning(key, source, self.base_url))

    def __repr__(self) -> str:  # never print the key, even by accident
        return f"Settings(key={self.masked_key}, base_url={self.base_url!r}, tier={self.tier!r})"


# --- reading the file ----------------------------------------------------------------


def _check_dir(env: Mapping[str, str]) -> None:
    override = env.get("VTTUI_CONFIG_DIR")
    if override:
        folder = Path(override).expanduser()
        if folder.exists() and not folder.is_dir():
            raise ConfigError(f"VTTUI_CONFIG_DIR points at {folder}, which is not a folder.")


def _read_file(path: Path) -> tuple[dict[str, Any], list[str]]:
    warnings: list[str] = []
    text = read_config_text(path)
    if text is None:
        return {}, warnings
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The config file {path} is not valid TOML: {exc}.") from None
    except RecursionError:
        raise ConfigError(f"The config file {path} has arrays or tables nested too deeply.") from None
    if os.name == "posix" and data.get("api_key"):
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            warnings.append(
                f"The config file {path} holds the API key but is readable by others "
                f"(mode {mode:o}); run: chmod 600 {path}"
            )
    return data, warnings


def _table(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{name}] in the config file must be a table (a [{name}] section), "
                          f"not {_kind(value)}.")
    return value


def _unknown(data: dict[str, Any]) -> list[str]:
    found = [f"{k}" for k in data if k not in KNOWN_KEYS[""]]
    for table in ("network", "quota", "cache", "account", "ui"):
        value = data.get(table)
        if isinstance(value, dict):
            found += [f"{table}.{k}" for k in value if k not in KNOWN_KEYS[table]]
    return [f"Unknown setting {name!r} in the config file (ignored; check its spelling)." for name in found]


# --- checking values -----------------------------------------------------------------


def _kind(value: Any) -> str:
    return {bool: "true/false", str: "text", int: "a number", float: "a number", dict: "a table",
            list: "an array"}.get(type(value), type(value).__name__)


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, float) else f"{value:g}"
    return text if len(text) <= 40 else text[:39] + "…"


def number(value: Any, name: str, lo: float, hi: float, unit: str = "") -> float:
    """A finite number in [lo, hi]; NaN, infinities, text and booleans are refused."""
    what = f"a number{unit} from {lo:g} to {hi:g}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be {what}, not {_kind(value)}.")
    if not math.isfinite(value) or not lo <= value <= hi:
        raise ConfigError(f"{name} must be {what}; got {_shown(value)}.")
    return float(value)


def whole(value: Any, name: str, lo: int, hi: int) -> int:
    """A whole number in [lo, hi] (``4.0`` is fine, ``0.5`` is not: it would silently become 0)."""
    what = f"a whole number from {lo:,} to {hi:,}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be {what}, not {_kind(value)}.")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise ConfigError(f"{name} must be {what}; got {_shown(value)}.")
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be {what}; got {_shown(value)}.")
    return int(value)


def web_url(value: Any, name: str, schemes: tuple[str, ...]) -> str:
    """A URL with one of ``schemes``, a host and a valid port."""
    what = f"a URL starting with {' or '.join(s + '://' for s in schemes)} and naming a host"
    if not isinstance(value, str):
        raise ConfigError(f"{name} must be {what}, not {_kind(value)}.")
    if any(not ch.isprintable() or ch.isspace() for ch in value):
        raise ConfigError(f"{name} must be {what}; it holds spaces or control characters.")
    try:
        parts = urlsplit(value)
        port = parts.port
        host = parts.hostname
    except ValueError:
        raise ConfigError(f"{name} must be {what}; got {_shown(value)}.") from None
    if parts.scheme.lower() not in schemes or not host:
        raise ConfigError(f"{name} must be {what}; got {_shown(value)}.")
    if port is not None and not 0 < port < 65536:
        raise ConfigError(f"{name} has port {port}; ports go from 1 to 65535.")
    return value


def check_api_key(value: Any, source: str) -> str:
    """A key that can go in an HTTP header (the rule is :func:`vttui.vt.apikey.key_problem`).
    Checked before any request, so a pasted key with a stray newline or accent fails
    here, clearly, naming ``source``; the message never holds the key."""
    problem = key_problem(value)
    if problem is not None:
        raise ConfigError(f"{source} {problem}")
    assert isinstance(value, str)
    return value


def api_key_warning(key: str | None, source: str | None, base_url: str = DEFAULT_BASE_URL) -> str | None:
    """A warning for a usable key that is not shaped like a VirusTotal key, when it goes to
    VirusTotal itself (None: fine). A VirusTotal-compatible server (``VT_API_URL``) may
    have keys of its own shape: no warning then."""
    if not key or base_url.rstrip("/") != DEFAULT_BASE_URL:
        return None
    warning = key_warning(key)
    return f"The API key from {source or 'the settings'} {warning}" if warning else None


def check_user_id(value: Any, name: str) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= 128 or any(
            not ch.isprintable() or ch.isspace() or ch in "/\\?#%" for ch in value):
        raise ConfigError(f"{name} must be a VirusTotal user name (1 to 128 characters, no spaces or slashes).")
    return value


def vt_cli_config_path(env: Mapping[str, str]) -> Path | None:
    """vt-cli's config file (``~/.vt.toml``), read for its ``apikey`` when nothing else
    names a key. Only the real environment knows the home folder: an explicit test
    environment without HOME reads none."""
    home = env.get("HOME")
    if home:
        return Path(home) / VT_CLI_CONFIG
    if env is os.environ:
        try:
            return Path.home() / VT_CLI_CONFIG
        except RuntimeError:  # no home folder at all
            return None
    return None


def _vt_cli_key(path: Path | None, warnings: list[str]) -> str | None:
    """The ``apikey`` of vt-cli's config, if there is one. The file belongs to another
    tool: when it cannot be read it is skipped with a warning, never fatal."""
    if path is None:
        return None
    try:
        text = read_config_text(path)
        if text is None:
            return None
        data = tomllib.loads(text)
    except ConfigError as exc:
        warnings.append(f"vt-cli's config {exc.message.removeprefix('The config file ')} (skipped)")
        return None
    except (tomllib.TOMLDecodeError, RecursionError):
        warnings.append(f"vt-cli's config {path} is not valid TOML; its apikey was not read.")
        return None
    raw = data.get("apikey")
    if not isinstance(raw, str) or not raw.strip():
        return None
    if os.name == "posix":
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            warnings.append(f"{path} holds an API key but is readable by others (mode {mode:o}); run: chmod 600 {path}")
    return raw.strip()


def _key_from(env: Mapping[str, str], data: dict[str, Any], given: str | None = None,
              vt_cli: Path | None = None, warnings: list[str] | None = None) -> tuple[str | None, str | None]:
    """The key and where it came from, highest precedence first: ``-k/--apikey``,
    ``VT_API_KEY``, ``VTCLI_APIKEY``, the config file, vt-cli's ``~/.vt.toml``."""
    if given is not None:
        if not given.strip():
            raise ConfigError(f"{KEY_OPTION} was given an empty key.")
        return check_api_key(given.strip(), KEY_OPTION), KEY_OPTION
    for var in KEY_ENV_VARS:
        raw = env.get(var, "")
        if raw.strip():
            return check_api_key(raw.strip(), var), var
    if "api_key" in data:
        raw = data["api_key"]
        if not isinstance(raw, str):
            raise ConfigError("api_key in the config file must be text (the 64-character key).")
        if raw.strip():
            return check_api_key(raw.strip(), "api_key in the config file"), "config file"
    found = _vt_cli_key(vt_cli, warnings if warnings is not None else [])
    if found is not None:
        return check_api_key(found, f"apikey in {vt_cli}"), f"~/{VT_CLI_CONFIG}"
    return None, None


def _user_id_from(env: Mapping[str, str], account: dict[str, Any], key: str | None) -> str | None:
    if env.get("VT_USER_ID"):
        return check_user_id(env["VT_USER_ID"], "VT_USER_ID")
    if account.get("user_id") is None:
        return None
    uid = check_user_id(account["user_id"], "account.user_id")
    learned_for = account.get("for_key")
    if learned_for is not None and (key is None or learned_for != key_fingerprint(key)):
        return None  # learned for another key: naming that account would be wrong
    return uid


def proxy_url(value: Any, name: str) -> str:
    """A proxy URL httpx can use (SOCKS only with the socksio package installed)."""
    url = web_url(value, name, ("http", "https", "socks5", "socks5h"))
    if url.lower().startswith("socks") and importlib.util.find_spec("socksio") is None:
        raise ConfigError(f"{name} is a SOCKS proxy, which needs the socksio package: pip install 'httpx[socks]'.")
    return url


def _proxy_from(env: Mapping[str, str], network: dict[str, Any]) -> str | None:
    configured = None if network.get("proxy") in (None, "") else proxy_url(network["proxy"], "network.proxy")
    if env.get("VTTUI_PROXY"):
        return proxy_url(env["VTTUI_PROXY"], "VTTUI_PROXY")
    if configured is None:
        for var in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY", "http_proxy"):
            if env.get(var):  # httpx reads these itself; a bad one must fail here, by name
                proxy_url(env[var], var)
    return configured


def load_settings(env: Mapping[str, str] | None = None, path: Path | None = None, *,
                  api_key: str | None = None, vt_cli_config: Path | None = None) -> Settings:
    """Settings from the environment and the config file; ConfigError names any bad one.

    ``api_key`` is the key given on the command line (``-k``): it wins over every other
    source. ``vt_cli_config`` is vt-cli's file (default ``~/.vt.toml``), read last."""
    env = os.environ if env is None else env
    if path is None:
        _check_dir(env)
        path = config_path(env)
    data, warnings = _read_file(path)
    network, quota, cache = _table(data, "network"), _table(data, "quota"), _table(data, "cache")
    account = _table(data, "account")
    ui = _table(data, "ui")
    warnings += _unknown(data)

    key, source = _key_from(env, data, api_key, vt_cli_config or vt_cli_config_path(env), warnings)
    base_url = DEFAULT_BASE_URL
    if "base_url" in network:  # checked even when VT_API_URL overrides it: a bad setting is reported
        base_url = web_url(network["base_url"], "network.base_url", ("http", "https"))
    if env.get("VT_API_URL"):
        base_url = web_url(env["VT_API_URL"], "VT_API_URL", ("http", "https"))

    tier = quota.get("tier", "public")
    if not isinstance(tier, str) or tier.lower() not in TIERS:
        raise ConfigError(f"quota.tier must be one of: {', '.join(TIERS)}.")
    tier = tier.lower()
    per_minute, per_day = TIERS[tier]
    if "per_minute" in quota:
        per_minute = whole(quota["per_minute"], "quota.per_minute", 1, 1_000_000)
    if "per_day" in quota:
        per_day = whole(quota["per_day"], "quota.per_day", 1, 1_000_000_000)

    return Settings(
        api_key=key,
        api_key_source=source,
        key_warning=api_key_warning(key, source, base_url),
        user_id=_user_id_from(env, account, key),
        base_url=base_url.rstrip("/"),
        proxy=_proxy_from(env, network),
        timeout=number(network.get("timeout", 30), "network.timeout", 0.1, 3600, " of seconds"),
        upload_timeout=number(network.get("upload_timeout", 600), "network.upload_timeout", 1, 86_400, " of seconds"),
        deadline=number(network.get("deadline", 120), "network.deadline", 0.1, 86_400, " of seconds"),
        upload_deadline=number(network.get("upload_deadline", 3600), "network.upload_deadline", 0.1, 604_800,
                               " of seconds"),
        max_reply_bytes=int(number(network.get("max_reply_mb", 32), "network.max_reply_mb", 1, 1024, " of MB") * MB),
        max_download_bytes=int(number(network.get("max_download_mb", 700), "network.max_download_mb", 1, 65_536,
                                      " of MB") * MB),
        tier=tier,
        per_minute=per_minute,
        per_day=per_day,
        cache_entries=whole(cache.get("max_entries", 5000), "cache.max_entries", 1, 10_000_000),
        cache_bytes=int(number(cache.get("max_mb", 128), "cache.max_mb", 0.1, 65_536, " of MB") * MB),
        cache_ttl=number(cache.get("ttl_minutes", 360), "cache.ttl_minutes", 0.1, 525_600, " of minutes") * 60,
        store=store_options(cache, env),
        config_file=path,
        warnings=tuple(warnings),
        keymap=_keymap(_table(data, "keymap")),
        theme=_theme(ui),
        hyperlinks=_flag(ui, "hyperlinks", True),
        defang_copies=_flag(ui, "defang_copies", False),
    )


def _keymap(table: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """``[keymap]`` entries: binding id = "keys" (comma-separated). Ids are checked by the
    TUI, which knows them; here only the shape."""
    out = []
    for binding_id, keys in table.items():
        if not isinstance(keys, str) or not keys.strip() or len(keys) > 100 or not keys.isprintable():
            raise ConfigError(f"keymap.{binding_id} must be a key like \"ctrl+o\" (or several: \"o,ctrl+o\"), "
                              f"not {_shown(keys)}.")
        out.append((str(binding_id), keys.replace(" ", "")))
    return tuple(out)


def _theme(table: dict[str, Any]) -> str | None:
    theme = table.get("theme")
    if theme is None:
        return None
    if not isinstance(theme, str) or not theme.strip() or len(theme) > 100 or not theme.isprintable():
        raise ConfigError(f"ui.theme must be a theme name like \"textual-light\", not {_shown(theme)}.")
    return theme


def save_theme(theme: str, path: Path | None = None) -> Path:
    """Remember the TUI's theme (comments and the rest of the file are kept)."""
    return update_config(path or config_path(), {("ui", "theme"): theme})


def _flag(table: dict[str, Any], name: str, default: bool) -> bool:
    value = table.get(name, default)
    if not isinstance(value, bool):
        raise ConfigError(f"ui.{name} must be true or false.")
    return value


def save_api_key(key: str, path: Path | None = None) -> Path:
    """Store the key in the config file, keeping everything else in it as it was."""
    key = key.strip()
    check_api_key(key, "The API key")
    return update_config(path or config_path(), {("api_key",): key})


def save_user_id(uid: str, path: Path | None = None, *, api_key: str) -> Path:
    """Remember the account's user id (tied to ``api_key``), so the quota lookup names the
    account instead of putting the key in the URL."""
    check_user_id(uid, "The user id")
    return update_config(path or config_path(),
                         {("account", "user_id"): uid, ("account", "for_key"): key_fingerprint(api_key)})
