"""The read-only REST routes: VT4AI's paths and envelopes, then what VT4AI lacks.

VT4AI: ``/api/v1/files/{hash}``, ``/api/v1/files/{hash}/relationships/{rel}``,
``/api/v1/urls/analyze?url=``, ``/api/v1/domains/{domain}``, ``/api/v1/ips/{ip}``,
``/templates``, ``/api/v1/files/relationships/types``. Beyond it: relationships of URLs,
domains and IPs, comments and votes of all four, ``/api/v1/lookup?ioc=`` for anything
(defanged accepted), analyses. Every parameter is validated before a request goes out.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from ..vt.ioc import IOCType
from ..vt.refs import ObjectRef
from ..vt.relationships import relationships_for
from . import formats, validate
from .context import Call, call, server_state

Format = Literal["json", "markdown", "xml", "raw", "csv"]
FormatQ = Annotated[Format, Query(alias="format", description="json, markdown, xml, raw or csv")]
TemplateQ = Annotated[str | None, Query(description="a template name (see /templates) that trims the report")]
TemplateNameQ = Annotated[str | None, Query(description="VT4AI's name for `template`")]
LimitQ = Annotated[int, Query(description="items per page, 1 to 40")]
CursorQ = Annotated[str | None, Query(max_length=4096, description="the `meta.cursor` of the previous page")]
CallD = Annotated[Call, Depends(call)]

router = APIRouter()

#: VT4AI names IP addresses "ip" in its template listing.
_TEMPLATE_TYPES = {"file": "file", "url": "url", "domain": "domain", "ip_address": "ip"}


def _source(ref: ObjectRef) -> str:
    return f"{ref.type} {ref.id}"


async def report(c: Call, ref: ObjectRef, fmt: str, template: str | None, *, attributes_only: bool) -> Response:
    tmpl = c.template(template)
    obj = await c.object(ref)
    data = c.state.memo.get(obj, ("report", fmt, tmpl.name if tmpl else None, attributes_only),
                            lambda: formats.report(obj, fmt, tmpl, attributes_only=attributes_only))
    return c.answer(data, fmt)


async def relations(c: Call, ref: ObjectRef, name: str, fmt: str, template: str | None, limit: int,
                    cursor: str | None) -> Response:
    validate.relationship(ref.type, name)
    validate.page_limit(limit)
    tmpl = c.template(template)
    obj = await c.object(ref)
    page = await c.related(ref, name, limit, cursor)
    meta: dict[str, Any] = {"cursor": page.cursor}
    if page.count is not None:
        meta["count"] = page.count
    data = formats.relations(obj, name, page.items, meta, fmt, tmpl, _source(ref))
    return c.answer(data, fmt, meta)


async def listing(c: Call, ref: ObjectRef, what: str, fmt: str, template: str | None, limit: int,
                  cursor: str | None) -> Response:
    validate.page_limit(limit)
    tmpl = c.template(template)
    page = await c.related(ref, what, limit, cursor)
    meta: dict[str, Any] = {"cursor": page.cursor}
    if page.count is not None:
        meta["count"] = page.count
    data = formats.listing(page.items, fmt, tmpl, relationship=what, source=_source(ref))
    return c.answer(data, fmt, meta)


def relationship_types(object_type: str) -> dict[str, Any]:
    return {"relationships": [
        {"value": r.name, "description": r.description, "premium": r.premium}
        for r in relationships_for(object_type)
    ]}


# --- catalogues (no VirusTotal request, no key needed) ------------------------------------


@router.get("/templates", tags=["VT4AI"], summary="Templates, by object type")
async def templates_route(request: Request) -> dict[str, Any]:
    out: dict[str, list[dict[str, str]]] = {name: [] for name in _TEMPLATE_TYPES.values()}
    for t in server_state(request).templates.values():
        types = [k for k in t.rules if k != "*"] if t.rules and "*" not in t.rules else list(_TEMPLATE_TYPES)
        for object_type in types:
            if object_type in _TEMPLATE_TYPES:
                out[_TEMPLATE_TYPES[object_type]].append({"name": t.name, "description": t.description})
    return out


for _collection, (_otype, _allowed, _what) in validate.COLLECTIONS.items():
    def _types(object_type: str = _otype) -> dict[str, Any]:
        return relationship_types(object_type)

    router.add_api_route(f"/api/v1/{_collection}/relationships/types", _types, methods=["GET"],
                         name=f"{_collection}_relationship_types", tags=["Catalogue"],
                         summary=f"Relationships of {_otype.replace('_', ' ')} objects")


# --- VT4AI's routes -------------------------------------------------------------------------


@router.get("/api/v1/files/{file_hash}", tags=["Files"], summary="File report (VT4AI)")
async def file_report(c: CallD, file_hash: str, fmt: FormatQ = "json", template: TemplateQ = None,
                      template_name: TemplateNameQ = None) -> Response:
    ref = validate.ref_for("files", file_hash)
    return await report(c, ref, fmt, template or template_name, attributes_only=True)


@router.get("/api/v1/urls/analyze", tags=["URLs"], summary="URL report by URL (VT4AI)")
async def url_report_by_url(c: CallD, url: Annotated[str, Query(max_length=16384)], fmt: FormatQ = "json",
                            template: TemplateQ = None, template_name: TemplateNameQ = None) -> Response:
    ref = validate.parse(url, frozenset({IOCType.URL}), "a URL").ref
    return await report(c, ref, fmt, template or template_name, attributes_only=True)


@router.get("/api/v1/domains/{domain}", tags=["Domains"], summary="Domain report (VT4AI)")
async def domain_report(c: CallD, domain: str, fmt: FormatQ = "json", template: TemplateQ = None,
                        template_name: TemplateNameQ = None) -> Response:
    ref = validate.ref_for("domains", domain)
    return await report(c, ref, fmt, template or template_name, attributes_only=True)


@router.get("/api/v1/ips/{ip}", tags=["IPs"], summary="IP address report, IPv4 or IPv6 (VT4AI)")
async def ip_report(c: CallD, ip: str, fmt: FormatQ = "json", template: TemplateQ = None,
                    template_name: TemplateNameQ = None) -> Response:
    ref = validate.ref_for("ips", ip)
    return await report(c, ref, fmt, template or template_name, attributes_only=True)


@router.get("/api/v1/urls/{url_id}", tags=["URLs"],
            summary="URL report by VirusTotal URL id or base64 of the URL (VT4AI)")
async def url_report(c: CallD, url_id: str, fmt: FormatQ = "json", template: TemplateQ = None,
                     template_name: TemplateNameQ = None) -> Response:
    ref = validate.ref_for("urls", url_id)
    return await report(c, ref, fmt, template or template_name, attributes_only=True)


# --- relationships, comments, votes of every object type --------------------------------------

def _object_routes(collection: str) -> None:
    tag = {"files": "Files", "urls": "URLs", "domains": "Domains", "ips": "IPs"}[collection]
    what = validate.COLLECTIONS[collection][2]

    async def related(c: CallD, object_id: str, relationship: str, fmt: FormatQ = "json",
                      template: TemplateQ = None, template_name: TemplateNameQ = None,
                      limit: LimitQ = 10, cursor: CursorQ = None) -> Response:
        ref = validate.ref_for(collection, object_id)
        return await relations(c, ref, relationship, fmt, template or template_name, limit, cursor)

    async def comments(c: CallD, object_id: str, fmt: FormatQ = "json", template: TemplateQ = None,
                       limit: LimitQ = 10, cursor: CursorQ = None) -> Response:
        return await listing(c, validate.ref_for(collection, object_id), "comments", fmt, template, limit, cursor)

    async def votes(c: CallD, object_id: str, fmt: FormatQ = "json", template: TemplateQ = None,
                    limit: LimitQ = 10, cursor: CursorQ = None) -> Response:
        return await listing(c, validate.ref_for(collection, object_id), "votes", fmt, template, limit, cursor)

    base = f"/api/v1/{collection}/{{object_id}}"
    vt4ai = " (VT4AI)" if collection == "files" else ""
    router.add_api_route(f"{base}/relationships/{{relationship}}", related, methods=["GET"],
                         name=f"{collection}_relationship", tags=[tag],
                         summary=f"One page of related objects{vt4ai}; object_id is {what}")
    router.add_api_route(f"{base}/comments", comments, methods=["GET"], name=f"{collection}_comments",
                         tags=[tag], summary=f"One page of community comments; object_id is {what}")
    router.add_api_route(f"{base}/votes", votes, methods=["GET"], name=f"{collection}_votes",
                         tags=[tag], summary=f"One page of community votes; object_id is {what}")


for _collection in ("files", "urls", "domains", "ips"):
    _object_routes(_collection)


# --- anything, by IOC -------------------------------------------------------------------------

IOCQ = Annotated[str, Query(max_length=16384, description="a hash, URL, domain or IP address; defanged is fine")]


@router.get("/api/v1/lookup", tags=["Lookup"], summary="Look up any IOC (whole object)")
async def lookup(c: CallD, ioc: IOCQ, fmt: FormatQ = "json", template: TemplateQ = None) -> Response:
    found = validate.parse_any(ioc)
    if found.type is IOCType.ANALYSIS:
        tmpl = c.template(template)
        obj = await c.analysis(found.value)
        return c.answer(formats.report(obj, fmt, tmpl, attributes_only=False), fmt)
    return await report(c, found.ref, fmt, template, attributes_only=False)


@router.get("/api/v1/relationships/{relationship}", tags=["Lookup"], summary="Related objects of any IOC")
async def lookup_related(c: CallD, relationship: str, ioc: IOCQ, fmt: FormatQ = "json", template: TemplateQ = None,
                         limit: LimitQ = 10, cursor: CursorQ = None) -> Response:
    ref = validate.parse(ioc, validate.REPORTABLE, "a hash, URL, domain or IP address").ref
    return await relations(c, ref, relationship, fmt, template, limit, cursor)


@router.get("/api/v1/comments", tags=["Lookup"], summary="Comments on any IOC")
async def lookup_comments(c: CallD, ioc: IOCQ, fmt: FormatQ = "json", template: TemplateQ = None,
                          limit: LimitQ = 10, cursor: CursorQ = None) -> Response:
    ref = validate.parse(ioc, validate.REPORTABLE, "a hash, URL, domain or IP address").ref
    return await listing(c, ref, "comments", fmt, template, limit, cursor)


@router.get("/api/v1/votes", tags=["Lookup"], summary="Votes on any IOC")
async def lookup_votes(c: CallD, ioc: IOCQ, fmt: FormatQ = "json", template: TemplateQ = None,
                       limit: LimitQ = 10, cursor: CursorQ = None) -> Response:
    ref = validate.parse(ioc, validate.REPORTABLE, "a hash, URL, domain or IP address").ref
    return await listing(c, ref, "votes", fmt, template, limit, cursor)


@router.get("/api/v1/analyses/{analysis_id}", tags=["Analyses"], summary="An analysis (of a scan or upload)")
async def analysis(c: CallD, analysis_id: str, fmt: FormatQ = "json", template: TemplateQ = None) -> Response:
    ident = validate.analysis_id(analysis_id)
    tmpl = c.template(template)
    obj = await c.analysis(ident)
    return c.answer(formats.report(obj, fmt, tmpl, attributes_only=False), fmt)
