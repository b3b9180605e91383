"""`vttui serve` (REST API and MCP over HTTP) and `vttui mcp` (MCP on stdio).

Only argument parsing lives here; the service itself is :mod:`vttui.serve`.
"""

from __future__ import annotations

import argparse
import sys

from .registry import command


def _serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", help="address to listen on (default 127.0.0.1; beyond loopback needs "
                                  "--auth token or --auth key)")
    p.add_argument("--port", type=int, help="port (default 8000)")
    p.add_argument("--workers", type=int, help="worker processes (default 1; share a cache through a store)")
    p.add_argument("--allow-writes", action="store_true", default=None,
                   help="allow URL scans and file submissions (they spend quota and share data)")
    p.add_argument("--auth", choices=("auto", "open", "key", "token"),
                   help="open: no auth, loopback only; key: callers send their own key in X-API-Key; "
                        "token: callers send a team token (see --new-token); auto (default) picks")
    p.add_argument("--token-hash", action="append", metavar="SHA256", dest="token_hashes",
                   help="accept the token with this SHA-256 (repeatable; also VTTUI_SERVE_TOKEN_HASHES)")
    p.add_argument("--max-wait", type=float, metavar="SECONDS",
                   help="longest a request may queue for quota before it gets 429 (default 30)")
    p.add_argument("--no-mcp", action="store_false", dest="mcp", default=None, help="do not serve MCP at /mcp")
    p.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    p.add_argument("--new-token", action="store_true",
                   help="print a new random team token and the hash to configure, then exit")


@command("serve", "serve a VT4AI-compatible REST API and MCP tools over HTTP")(_serve_args)
async def serve(args: argparse.Namespace, _client: object) -> int:
    if args.new_token:
        from ..serve.auth import hash_token, new_token

        token = new_token()
        print(f"token (give it to the caller; it is not stored): {token}")
        print(f"hash (put it in VTTUI_SERVE_TOKEN_HASHES or [serve] token_hashes): {hash_token(token)}")
        return 0
    from ..serve.run import run_http

    return await run_http(log_level=args.log_level, no_store=args.no_store, host=args.host, port=args.port,
                          workers=args.workers, demo=args.demo or None, allow_writes=args.allow_writes, auth=args.auth,
                          token_hashes=args.token_hashes, max_wait=args.max_wait, mcp=args.mcp)


serve.offline = True  # type: ignore[attr-defined]


def _mcp_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--allow-writes", action="store_true", default=None,
                   help="add the scan_url tool (it spends quota and shares the URL with VirusTotal)")


@command("mcp", "serve MCP tools on stdin/stdout for an AI agent")(_mcp_args)
async def mcp(args: argparse.Namespace, _client: object) -> int:
    from ..serve.run import run_stdio

    if sys.stdout.isatty():
        print("vttui: `vttui mcp` speaks MCP on stdin/stdout; an MCP client starts it (see the README).",
              file=sys.stderr)
    return await run_stdio(demo=args.demo, allow_writes=args.allow_writes, no_store=args.no_store)


mcp.offline = True  # type: ignore[attr-defined]
