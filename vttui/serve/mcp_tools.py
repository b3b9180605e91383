"""MCP tools over the same client as the REST routes: lookup, relations, comments, votes,
analysis, relationship types, and URL scans when writes are enabled.

Tools answer with compact text, trimmed by a template (``essential`` unless the agent asks
for another), because every byte an agent reads costs it tokens; docs/performance.md gives
the size of each template's output for a typical file report. Failures come back as tool
errors in plain words (the model reads them), never as tracebacks.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from .. import __version__
from ..export import render
from ..export.json_out import dumps
from ..export.templates import Template, apply_template
from ..vt.client import VTClient
from ..vt.errors import VTError
from ..vt.ioc import IOCType
from ..vt.relationships import relationships_for
from . import validate
from .formats import resolve_template
from .service import Fetcher

ClientLease = Callable[[Mapping[str, str] | None], contextlib.AbstractAsyncContextManager[VTClient]]
ReportFormat = Literal["json", "markdown", "xml", "raw"]
PageFormat = Literal["json", "markdown"]
ObjectType = Literal["file", "url", "domain", "ip_address"]
DEFAULT_TEMPLATE = "essential"

INSTRUCTIONS = (
    "VirusTotal lookups through vttui. Indicators may be hashes (MD5, SHA-1, SHA-256), URLs, "
    "domains or IP addresses, defanged or not. Answers are cached and shared: asking again is free. "
    "Reports are trimmed by the 'essential' template; pass template='full' for everything or "
    "'detections' for every engine's verdict. Lists come a page at a time: pass back next_cursor."
)


class Tools:
    """The tool bodies; ``lease`` gives the client for a call's HTTP headers (None on stdio)."""

    def __init__(self, lease: ClientLease, templates: Mapping[str, Template], max_wait: float) -> None:
        self.lease = lease
        self.templates = templates
        self.max_wait = max_wait

    @contextlib.asynccontextmanager
    async def fetcher(self, ctx: Context | None) -> AsyncIterator[Fetcher]:
        headers = ctx.headers if ctx is not None else None
        try:
            async with self.lease(headers) as client:
                yield Fetcher(client, self.max_wait)
        except VTError as exc:
            raise ToolError(exc.message) from None

    def template(self, name: str | None) -> Template | None:
        try:
            return resolve_template(name, self.templates)
        except VTError as exc:
            raise ToolError(exc.message) from None

    async def lookup(self, ioc: str, template: str | None, fmt: str, ctx: Context | None) -> str:
        tmpl = self.template(template)
        async with self.fetcher(ctx) as f:
            found = validate.parse_any(ioc)
            if found.type is IOCType.ANALYSIS:
                obj = await f.analysis(found.value)
            else:
                obj = await f.object(found.ref)
        return _report(obj, fmt, tmpl)

    async def relations(self, ioc: str, relationship: str, limit: int, cursor: str | None, template: str | None,
                        fmt: str, ctx: Context | None) -> str:
        tmpl = self.template(template)
        async with self.fetcher(ctx) as f:
            ref = validate.parse(ioc, validate.REPORTABLE, "a hash, URL, domain or IP address").ref
            validate.relationship(ref.type, relationship)
            validate.page_limit(limit)
            page = await f.related(ref, relationship, limit, cursor)
        return _page(page.items, page.cursor, fmt, tmpl, relationship, f"{ref.type} {ref.id}")

    async def community(self, what: str, ioc: str, limit: int, cursor: str | None, fmt: str,
                        ctx: Context | None) -> str:
        async with self.fetcher(ctx) as f:
            ref = validate.parse(ioc, validate.REPORTABLE, "a hash, URL, domain or IP address").ref
            validate.page_limit(limit)
            page = await f.related(ref, what, limit, cursor)
        return _page(page.items, page.cursor, fmt, None, what, f"{ref.type} {ref.id}")

    async def analysis(self, analysis_id: str, template: str | None, fmt: str, ctx: Context | None) -> str:
        tmpl = self.template(template)
        async with self.fetcher(ctx) as f:
            obj = await f.analysis(validate.analysis_id(analysis_id))
        return _report(obj, fmt, tmpl)

    async def scan_url(self, url: str, ctx: Context | None) -> str:
        async with self.fetcher(ctx) as f:
            ioc = validate.parse(url, frozenset({IOCType.URL}), "a URL")
            descriptor = await f.scan_url(ioc.value)
        ident = descriptor.get("id")
        return dumps({"analysis_id": ident, "status": "queued",
                      "next": "call analysis with this analysis_id; results take a minute or two"},
                     dates=False, indent=None)


def _lean(obj: Any, template: Template | None) -> Any:
    """An object trimmed by ``template`` and without ``links`` (API URLs an agent never needs)."""
    trimmed = apply_template(obj, template)
    if isinstance(trimmed, dict) and "links" in trimmed:
        trimmed = {k: v for k, v in trimmed.items() if k != "links"}
    return trimmed


def _report(obj: dict[str, Any], fmt: str, template: Template | None) -> str:
    if fmt == "json":
        return dumps(_lean(obj, template), indent=None)
    return render(obj, fmt, template=template).strip()


def _page(items: list[dict[str, Any]], cursor: str | None, fmt: str, template: Template | None,
          relationship: str, source: str) -> str:
    if fmt == "json":
        return dumps({"of": source, "relationship": relationship,
                      "items": [_lean(i, template) for i in items], "next_cursor": cursor},
                     indent=None)
    text = render(items, "markdown", template=template, relationship=relationship, source=source).strip()
    return text + (f"\n\nnext_cursor: {cursor}" if cursor else "\n\n(end of list)")


def build_mcp(lease: ClientLease, templates: Mapping[str, Template], *, allow_writes: bool,
              max_wait: float = 30.0) -> MCPServer:
    """The MCP server with vttui's tools; the same for stdio and streamable HTTP."""
    tools = Tools(lease, templates, max_wait)
    server: MCPServer = MCPServer("vttui", instructions=INSTRUCTIONS, version=__version__, log_level="WARNING")

    def tool(fn: Callable[..., Any]) -> Callable[..., Any]:
        server.add_tool(fn, description=inspect.cleandoc(fn.__doc__ or ""), structured_output=False)
        return fn

    @tool
    async def lookup(ioc: str, template: str = DEFAULT_TEMPLATE, format: ReportFormat = "markdown",
                     ctx: Context | None = None) -> str:
        """The VirusTotal report of a file hash, URL, domain, IP address or analysis id.

        template: essential (default, compact), detections (every engine), network, full.
        """
        return await tools.lookup(ioc, template, format, ctx)

    @tool
    async def relations(ioc: str, relationship: str, limit: int = 10, cursor: str | None = None,
                        template: str = DEFAULT_TEMPLATE, format: PageFormat = "markdown",
                        ctx: Context | None = None) -> str:
        """One page (limit 1-40) of objects related to an indicator, e.g. contacted_domains of a
        file or resolutions of a domain. Pass next_cursor back for the next page; see
        relationship_types for the names."""
        return await tools.relations(ioc, relationship, limit, cursor, template, format, ctx)

    @tool
    async def comments(ioc: str, limit: int = 10, cursor: str | None = None, format: PageFormat = "json",
                       ctx: Context | None = None) -> str:
        """One page of VirusTotal community comments on an indicator (newest first)."""
        return await tools.community("comments", ioc, limit, cursor, format, ctx)

    @tool
    async def votes(ioc: str, limit: int = 10, cursor: str | None = None, format: PageFormat = "json",
                    ctx: Context | None = None) -> str:
        """One page of community votes (malicious or harmless) on an indicator."""
        return await tools.community("votes", ioc, limit, cursor, format, ctx)

    @tool
    async def analysis(analysis_id: str, template: str = DEFAULT_TEMPLATE, format: ReportFormat = "markdown",
                       ctx: Context | None = None) -> str:
        """An analysis by id (from a scan or upload): its status and, once completed, the verdicts."""
        return await tools.analysis(analysis_id, template, format, ctx)

    @tool
    def relationship_types(object_type: ObjectType) -> str:
        """The relationship names valid for an object type, with what each holds (premium: needs a
        premium key)."""
        return "\n".join(f"{r.name}{' (premium)' if r.premium else ''}: {r.description}"
                         for r in relationships_for(object_type))

    if allow_writes:
        @tool
        async def scan_url(url: str, ctx: Context | None = None) -> str:
            """Submit a URL to VirusTotal for scanning (spends quota; the URL is shared with
            VirusTotal). Returns an analysis id to pass to the analysis tool."""
            return await tools.scan_url(url, ctx)

    return server
