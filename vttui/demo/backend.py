"""The demo's router: VirusTotal API v3 semantics over the fictional dataset.

Paths, parameters, reply shapes, error bodies, status codes and cursors follow the
real API, so the real client code runs against it unchanged. Deviations, on purpose:

* The demo key is a public-tier key: premium relationships and Intelligence search
  answer 403 ForbiddenError (in ``?relationships=`` too). :attr:`DemoBackend.DEMO_PREMIUM_KEY`
  is a premium key: with it they work (premium relationships the demo has no data for
  are empty). ``/files/{id}/download`` and ``download_url`` are premium on VirusTotal
  but work with any key here, so downloads can be demonstrated. Threat actors and
  collections are readable with any key.
* Cursors are opaque, bound to their list and counted from the end of the list, so a
  comment posted while someone pages does not make them see an item twice.
* ``POST /files`` refuses files over 32 MB and upload URLs over 650 MB with 413 and a
  BadRequestError body (the limits are attributes, so tests can lower them).

This module routes; the handlers are in :mod:`.reads` (objects, lists, users) and
:mod:`.writes` (what changes the session), over the state and helpers of :mod:`.base`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from .base import DEFAULT_BASE_URL, DEMO_PREMIUM_KEY, Segments, canonical_url
from .errors import Fail, MethodNotAllowed, not_found
from .intel_reads import IntelHandlers
from .protocol import DemoRequest, DemoResponse
from .writes import WriteHandlers

__all__ = ["DEFAULT_BASE_URL", "DemoBackend", "canonical_url"]

log = logging.getLogger(__name__)

_REPORT_COLLECTIONS = ("files", "urls", "domains", "ip_addresses")

#: A bound handler method: (request, path segments) -> reply.
Handler = Callable[[DemoRequest, Segments], Awaitable[DemoResponse]]


@dataclass(frozen=True)
class _Route:
    pattern: tuple[str, ...]  # literal segments, "*" (any) or "@" (a report collection)
    methods: dict[str, str]  # method -> handler name


_ROUTES: tuple[_Route, ...] = (
    _Route(("files",), {"POST": "_post_file"}),
    _Route(("files", "upload_url"), {"GET": "_get_upload_url"}),
    _Route(("urls",), {"POST": "_post_url"}),
    _Route(("analyses", "*"), {"GET": "_get_analysis"}),
    _Route(("file_behaviours", "*"), {"GET": "_get_behaviour"}),
    _Route(("file_behaviours", "*", "pcap"), {"GET": "_get_pcap"}),
    _Route(("resolutions", "*"), {"GET": "_get_resolution"}),
    _Route(("comments", "*"), {"GET": "_get_comment"}),
    _Route(("users", "*"), {"GET": "_get_user"}),
    _Route(("users", "*", "overall_quotas"), {"GET": "_get_quotas"}),
    _Route(("@", "*"), {"GET": "_get_object"}),
    _Route(("@", "*", "analyse"), {"POST": "_post_analyse"}),
    _Route(("files", "*", "download_url"), {"GET": "_get_download_url"}),
    _Route(("files", "*", "download"), {"GET": "_get_download"}),
    _Route(("files", "*", "behaviour_summary"), {"GET": "_get_behaviour_summary"}),
    _Route(("files", "*", "behaviour_mitre_trees"), {"GET": "_get_mitre_trees"}),
    _Route(("intelligence", "search"), {"GET": "_get_search"}),
    _Route(("collections", "*"), {"GET": "_get_object"}),
    _Route(("collections", "*", "relationships", "*"), {"GET": "_get_descriptors"}),
    _Route(("collections", "*", "*"), {"GET": "_get_relationship"}),
    _Route(("threat_actors", "*"), {"GET": "_get_object"}),
    _Route(("references", "*"), {"GET": "_get_object"}),
    _Route(("@", "*", "comments"), {"GET": "_get_relationship", "POST": "_post_comment"}),
    _Route(("@", "*", "votes"), {"GET": "_get_relationship", "POST": "_post_vote"}),
    _Route(("@", "*", "relationships", "*"), {"GET": "_get_descriptors"}),
    _Route(("@", "*", "*"), {"GET": "_get_relationship"}),
)


def _match(pattern: tuple[str, ...], segments: tuple[str, ...]) -> bool:
    if len(pattern) != len(segments):
        return False
    for want, got in zip(pattern, segments, strict=True):
        if want == "@":
            if got not in _REPORT_COLLECTIONS:
                return False
        elif want != "*" and want != got:
            return False
    return True


class DemoBackend(IntelHandlers, WriteHandlers):
    """The router: authenticates, finds the handler of a path, turns failures into replies.

    The session's state lives in :class:`BackendBase`; handlers in :mod:`.reads` and
    :mod:`.writes`.
    """

    #: The key ``--demo`` uses: a public-tier key (premium features answer 403).
    DEMO_API_KEY = "demo-key-0000000000000000000000000000000000000000000000000000000000001234"
    #: A premium-tier key: Intelligence search and premium relationships work with it.
    DEMO_PREMIUM_KEY = DEMO_PREMIUM_KEY
    #: The one key the demo rejects (401 WrongCredentialsError), to exercise auth errors.
    REJECTED_API_KEY = "rejected-demo-key-" + "0" * 46  # shaped like a key: the rule lets it through

    # --- entry point --------------------------------------------------------------

    async def handle(self, request: DemoRequest) -> DemoResponse:
        """Answer one request. Never raises: failures become v3 error replies."""
        self.requests.append((request.method, request.target))
        try:
            if not request.in_api or request.segments[:1] in (("_upload",), ("_download",)):
                return await self._outside_api(request)
            denied = self._authenticate(request)
            if denied is not None:
                return denied
            segments = request.segments
            if not (segments and segments[0] == "users"):
                self.api_calls += 1
            return await self._route(request, segments)
        except Fail as fail:
            headers = [("allow", fail.allow)] if fail.allow else None
            return DemoResponse.error(fail.status, fail.code, fail.message, headers)
        except Exception:  # pragma: no cover - a bug in the demo, shown as a server error
            log.exception("demo backend failed on %s %s", request.method, request.target)
            return DemoResponse.error(500, "InternalError", "The demo backend failed on this request.")

    def _authenticate(self, request: DemoRequest) -> DemoResponse | None:
        key = request.headers.get("x-apikey", "").strip()
        if not key:
            return DemoResponse.error(401, "AuthenticationRequiredError", "X-Apikey header is missing")
        if key == self.REJECTED_API_KEY:
            return DemoResponse.error(401, "WrongCredentialsError", "Wrong API key")
        return None

    async def _route(self, request: DemoRequest, segments: tuple[str, ...]) -> DemoResponse:
        for route in _ROUTES:
            if _match(route.pattern, segments):
                name = route.methods.get(request.method)
                if name is None:
                    allow = ", ".join(sorted(route.methods))
                    raise MethodNotAllowed(allow)
                handler: Handler = getattr(self, name)
                return await handler(request, segments)
        raise not_found("Resource", "/" + "/".join(segments))

    async def _outside_api(self, request: DemoRequest) -> DemoResponse:
        segments = request.segments
        if len(segments) == 2 and segments[0] == "_upload":
            if request.method != "POST":
                raise MethodNotAllowed("POST")
            return await self._post_upload_url(request, segments[1])
        if len(segments) == 2 and segments[0] == "_download":
            if request.method != "GET":
                raise MethodNotAllowed("GET")
            return self._serve_download(segments[1])
        raise not_found("Resource", request.path)
