"""MCP: `vttui mcp` through the SDK's own stdio client (initialize, list tools, call each), and
the same tools over streamable HTTP at /mcp behind the server's auth."""

from __future__ import annotations

import contextlib
import json
import os
import sys

import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from vttui.config import Settings
from vttui.demo import demo_iocs
from vttui.export.templates import load_templates
from vttui.runtime import make_client
from vttui.serve.auth import hash_token
from vttui.serve.config import ServeConfig
from vttui.serve.mcp_tools import build_mcp

from .conftest import CALLER_KEY, SERVER_KEY
from .test_auth import KeySeen

IOCS = demo_iocs()
TOOLS = {"lookup", "relations", "comments", "votes", "analysis", "relationship_types"}


def text(result) -> str:
    return "".join(getattr(c, "text", "") for c in result.content)


async def test_stdio_server_initialize_list_and_call_every_tool(tmp_path):
    env = {"VTTUI_CONFIG_DIR": str(tmp_path), "PYTHONPATH": os.pathsep.join(sys.path)}
    params = StdioServerParameters(command=sys.executable, args=["-m", "vttui", "mcp", "--demo", "--allow-writes"],
                                   env=env)
    async with Client(params, mode="legacy") as client:
        assert client.server_info is not None and client.server_info.name == "vttui"
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert set(tools) == TOOLS | {"scan_url"}
        for tool in tools.values():
            assert tool.description and "ctx" not in tool.input_schema["properties"]

        report = await client.call_tool("lookup", {"ioc": IOCS["detected_file_md5"]})
        assert not report.is_error and text(report).startswith("# File: ")
        as_json = await client.call_tool("lookup", {"ioc": IOCS["domain"].replace(".", "[.]"), "format": "json"})
        obj = json.loads(text(as_json))
        assert obj["id"] == IOCS["domain"] and "links" not in obj

        first = json.loads(text(await client.call_tool(
            "relations", {"ioc": IOCS["sinkhole_ip"], "relationship": "resolutions", "limit": 2, "format": "json"})))
        assert len(first["items"]) == 2 and first["next_cursor"]
        second = json.loads(text(await client.call_tool(
            "relations", {"ioc": IOCS["sinkhole_ip"], "relationship": "resolutions", "limit": 2,
                          "cursor": first["next_cursor"], "format": "json"})))
        assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in second["items"])

        comments = json.loads(text(await client.call_tool("comments", {"ioc": IOCS["domain"], "limit": 2})))
        assert comments["items"] and comments["items"][0]["type"] == "comment"
        votes = json.loads(text(await client.call_tool("votes", {"ioc": IOCS["domain"]})))
        assert all(v["type"] == "vote" for v in votes["items"])
        types = text(await client.call_tool("relationship_types", {"object_type": "domain"}))
        assert "resolutions:" in types

        scan = json.loads(text(await client.call_tool("scan_url", {"url": "http://mcp-scan.example.test/"})))
        analysis = await client.call_tool("analysis", {"analysis_id": scan["analysis_id"]})
        assert not analysis.is_error and "analysis" in text(analysis).lower()

        bad = await client.call_tool("lookup", {"ioc": "not an indicator at all"})
        assert bad.is_error and "not a hash, URL, domain or IP address" in text(bad)
        missing = await client.call_tool("lookup", {"ioc": IOCS["not_found"]})
        assert missing.is_error and "no record" in text(missing)
        wrong_rel = await client.call_tool("relations", {"ioc": IOCS["domain"], "relationship": "dropped_files"})
        assert wrong_rel.is_error and "not a relationship of a domain" in text(wrong_rel)
        for result in (bad, missing, wrong_rel):
            assert "Traceback" not in text(result)


async def test_scan_tool_only_with_writes():
    client = make_client(Settings(), demo=True)

    @contextlib.asynccontextmanager
    async def lease(_headers):
        yield client

    try:
        for writes, expected in ((False, TOOLS), (True, TOOLS | {"scan_url"})):
            server = build_mcp(lease, load_templates(errors=[]), allow_writes=writes)
            async with Client(server) as mcp_client:
                assert {t.name for t in (await mcp_client.list_tools()).tools} == expected
    finally:
        await client.aclose()


async def test_templates_trim_tool_output():
    client = make_client(Settings(), demo=True)

    @contextlib.asynccontextmanager
    async def lease(_headers):
        yield client

    try:
        server = build_mcp(lease, load_templates(errors=[]), allow_writes=False)
        async with Client(server) as mcp_client:
            sizes = {}
            for template in ("essential", "detections", "full"):
                result = await mcp_client.call_tool("lookup", {"ioc": IOCS["detected_file"], "template": template,
                                                               "format": "json"})
                sizes[template] = len(text(result))
            unknown = await mcp_client.call_tool("lookup", {"ioc": IOCS["detected_file"], "template": "nope"})
        assert sizes["essential"] < sizes["detections"] < sizes["full"]
        assert unknown.is_error and "valid templates" in text(unknown)
        assert len(client.request_log) == 1  # three templates, one request
    finally:
        await client.aclose()


async def _http_client(app, headers):
    transport = httpx2.ASGITransport(app=app)
    return httpx2.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000", headers=headers)


async def test_mcp_over_http_behind_token_auth(served):
    token = "mcp-team-token-0123456789"
    s = await served(ServeConfig(auth="token", token_hashes=(hash_token(token),)))
    refused = await s.http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                                headers={"accept": "application/json, text/event-stream"})
    assert refused.status_code == 401
    async with (await _http_client(s.app, {"Authorization": f"Bearer {token}"}) as http,
                Client(streamable_http_client("http://127.0.0.1:8000/mcp", http_client=http)) as client):
        assert {t.name for t in (await client.list_tools()).tools} == TOOLS
        result = await client.call_tool("lookup", {"ioc": IOCS["ip"], "format": "json"})
        assert json.loads(text(result))["id"] == IOCS["ip"]
    assert s.upstream() == [f"/ip_addresses/{IOCS['ip']}"]


async def test_mcp_over_http_shares_the_rest_cache_and_uses_a_callers_key(served):
    seen = KeySeen()
    s = await served(middleware=seen)
    assert (await s.get(f"/api/v1/domains/{IOCS['domain']}")).status_code == 200
    async with (await _http_client(s.app, {}) as http,
                Client(streamable_http_client("http://127.0.0.1:8000/mcp", http_client=http)) as client):
        await client.call_tool("lookup", {"ioc": IOCS["domain"]})  # cached by the REST call
    async with (await _http_client(s.app, {"X-API-Key": CALLER_KEY}) as http,
                Client(streamable_http_client("http://127.0.0.1:8000/mcp", http_client=http)) as client):
        await client.call_tool("lookup", {"ioc": IOCS["domain"]})  # the caller's key: its own cache
    assert seen.keys == [SERVER_KEY, CALLER_KEY]
