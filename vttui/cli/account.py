"""``vttui quota``: the key's quotas and usage, beside the local rate limiter's count."""

from __future__ import annotations

import argparse
from typing import Any

from ..vt import errors as E
from ..vt.client import VTClient
from ..vt.models import as_int
from ..vt.sanitize import clean_line
from . import output
from .action_common import (
    add_format_arg,
    echo,
    emit_json,
)
from .registry import command

# --- quota ---------------------------------------------------------------------------

_QUOTA_ORDER = ("api_requests_hourly", "api_requests_daily", "api_requests_monthly")


def _quota_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    names = [k for k in _QUOTA_ORDER if k in data] + sorted(
        k for k in data if isinstance(k, str) and k not in _QUOTA_ORDER
    )
    rows = []
    for name in names:
        entry = _as_dict(data.get(name))
        user = _as_dict(entry.get("user"))
        group = _as_dict(entry.get("group"))
        rows.append({
            "name": name,
            "used": as_int(user.get("used")), "allowed": as_int(user.get("allowed")),
            "group_used": as_int(group.get("used")), "group_allowed": as_int(group.get("allowed")),
        })
    return rows


def _limiter_json(client: VTClient) -> dict[str, Any]:
    s = client.limiter.state()
    return {"per_minute": s.per_minute, "per_day": s.per_day, "left_minute": s.left_minute,
            "left_day": s.left_day, "used_day": s.used_day, "resets_at": s.resets_at.isoformat()}


def _remember_user_id(uid: str, api_key: str | None) -> None:
    """Save a learned user id (tied to the key) so later runs never put the key in a URL."""
    from ..config import load_settings, save_user_id

    try:
        settings = load_settings()
        if api_key is None or settings.api_key != api_key:
            return
        path = save_user_id(uid, settings.config_file, api_key=api_key)
    except E.ConfigError as exc:
        output.warn(f"could not save your VirusTotal user id: {exc.message}")
        return
    output.warn(f"saved your VirusTotal user id ({clean_line(uid, 64)}) in {path}: "
                "the quota is looked up by it from now on, without the key in the URL")


def _quota_args(p: argparse.ArgumentParser) -> None:
    add_format_arg(p)


@command("quota", "show the API key's quotas (hourly, daily, monthly) and the local rate limit")(_quota_args)
async def quota(args: argparse.Namespace, client: VTClient) -> int:
    # the server's count of today goes into the shared ledger (and a user id learned on the
    # way is kept: later checks leave the key out of URLs)
    data = await client.reconcile_quota()
    if client.learned_user_id:
        _remember_user_id(client.learned_user_id, client.api_key)
    rows = _quota_rows(data)
    limiter = _limiter_json(client)
    from ..config import mask_key

    key = {"shown": mask_key(client.api_key), "source": client.key_source}
    if args.format == "json":
        emit_json({"quotas": data, "limiter": limiter, "api_key": key})
        return 0

    def num(v: int | None) -> str:
        return "-" if v is None else f"{v:,}"

    table = [("quota", "used", "allowed", "group used", "group allowed")]
    table += [(clean_line(r["name"].replace("_", " "), 60), num(r["used"]), num(r["allowed"]),
               num(r["group_used"]), num(r["group_allowed"])) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(5)]
    for row in table:
        echo(f"{row[0]:<{widths[0]}}" + "".join(f"  {cell:>{w}}" for cell, w in zip(row[1:], widths[1:], strict=False)))
    state = client.limiter.state()
    minute = f"{state.per_minute} requests a minute" if state.per_minute else "no per-minute limit"
    scope = "shared by every vttui process of this key" if client.store is not None else "in this run"
    day = (f"{state.per_day} a day ({state.left_day} left, {scope}; resets {state.resets_at:%H:%M} UTC)"
           if state.per_day else "no daily limit")
    echo()
    echo(f"local rate limit: {minute}, {day}")
    echo(f"API key {key['shown']}" + (f" from {key['source']}" if key["source"] else ""))
    return 0


def _as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
