"""The demo's router: VirusTotal API v3 semantics over the fictional dataset.

Paths, parameters, reply shapes, error bodies, status codes and cursors follow the
real API, so the real client code runs against it unchanged. Deviations, on purpose:

* The demo key is a public-tier key: premium relationships answer 403 ForbiddenError
  (in ``?relationships=`` too). ``/files/{id}/download`` and ``download_url`` are
  premium on VirusTotal but work here, so downloads can be demonstrated.
* Cursors are opaque, bound to their list and counted from the end of the list, so a
  comment posted while someone pages does not make them see an item twice.
* ``POST /files`` refuses files over 32 MB and upload URLs over 650 MB with 413 and a
  BadRequestError body (the limits are attributes, so tests can lower them).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from ..vt.relationships import Relationship, get_relationship
from .dataset import Dataset, Ref, canonical_ip, url_sha256
from .multipart import MultipartError, MultipartParser, boundary_of
from .protocol import BodyTooLarge, DemoRequest, DemoResponse

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://demo.vttui.invalid/api/v3"
DEFAULT_LIMIT = 10
MAX_LIMIT = 40
EMBEDDED_LIMIT = 10

_REPORT_COLLECTIONS = ("files", "urls", "domains", "ip_addresses")
_HEX = re.compile(r"[0-9a-fA-F]+")
_HOST = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
_JSON_LIMIT = 1 << 20


class _Fail(Exception):
    """An error reply, raised from anywhere in a handler."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _not_found(what: str, ident: str) -> _Fail:
    return _Fail(404, "NotFoundError", f'{what} "{ident}" not found')


def canonical_url(text: str) -> str:
    """VirusTotal-style URL canonicalisation (scheme and host lower-cased, path at least "/")."""
    text = text.strip()
    if not text or any(ch in text for ch in "\r\n\t "):
        raise ValueError("not a URL")
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https", "ftp") or not parts.hostname:
        raise ValueError("not a URL")
    parts.port  # noqa: B018 - raises ValueError on a bad port
    userinfo, _, hostport = parts.netloc.rpartition("@")
    netloc = (userinfo + "@" if userinfo else "") + hostport.lower()
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


@dataclass
class _Analysis:
    id: str
    kind: str  # "file" | "url"
    date: int
    sha256: str = ""
    md5: str = ""
    sha1: str = ""
    size: int = 0
    name: str | None = None
    head: bytes = b""
    content: bytes | None = None
    url: str = ""
    url_id: str = ""
    polls: int = 0
    completed: bool = False


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
    _Route(("@", "*", "comments"), {"GET": "_get_relationship", "POST": "_post_comment"}),
    _Route(("@", "*", "votes"), {"GET": "_get_relationship", "POST": "_post_vote"}),
    _Route(("@", "*", "relationships", "*"), {"GET": "_get_descriptors"}),
    _Route(("@", "*", "*"), {"GET": "_get_relationship"}),
)


def _match(pattern: tuple[str, ...], segments: tuple[str, ...]) -> bool:
    if len(pattern) != len(segments):
        return False
    for want, got in zip(pattern, segments):
        if want == "@":
            if got not in _REPORT_COLLECTIONS:
                return False
        elif want != "*" and want != got:
            return False
    return True


class DemoBackend:
    """The router plus the session's mutable state (comments, votes, uploads, analyses)."""

    DEMO_API_KEY = "demo-key-0000000000000000000000000000000000000000000000000000000000001234"
    #: The one key the demo rejects (401 WrongCredentialsError), to exercise auth errors.
    REJECTED_API_KEY = "bad-key"

    def __init__(
        self,
        *,
        dataset: Dataset | None = None,
        base_url: str = DEFAULT_BASE_URL,
        analysis_polls_to_complete: int = 3,
        seed: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.dataset = dataset if dataset is not None else Dataset(seed)
        self.base_url = base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        self.default_origin = f"{parts.scheme}://{parts.netloc}"
        self.api_prefix = parts.path.rstrip("/")
        self.analysis_polls_to_complete = analysis_polls_to_complete
        self.clock = clock
        #: (method, path?query) of every request, in order (path relative to the API root).
        self.requests: list[tuple[str, str]] = []
        #: API requests that count against the quota (everything but /users/...).
        self.api_calls = 0
        self.max_direct_upload = 32 * 1024 * 1024
        self.max_upload = 650 * 1024 * 1024
        #: Uploads up to this size are kept so the demo can serve them back for download.
        self.keep_upload_limit = 1024 * 1024
        self.analyses: dict[str, _Analysis] = {}
        self._upload_tokens: dict[str, bool] = {}
        self._download_tokens: dict[str, str] = {}
        self._cursor_secret = f"vttui-demo-cursor-{seed}"

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
        except _Fail as fail:
            allow = getattr(fail, "allow", "")
            return DemoResponse.error(fail.status, fail.code, fail.message, [("allow", allow)] if allow else None)
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
                    raise _MethodNotAllowed(allow)
                return await getattr(self, name)(request, segments)
        raise _not_found("Resource", "/" + "/".join(segments))

    async def _outside_api(self, request: DemoRequest) -> DemoResponse:
        segments = request.segments
        if len(segments) == 2 and segments[0] == "_upload":
            if request.method != "POST":
                raise _MethodNotAllowed("POST")
            return await self._post_upload_url(request, segments[1])
        if len(segments) == 2 and segments[0] == "_download":
            if request.method != "GET":
                raise _MethodNotAllowed("GET")
            return self._serve_download(segments[1])
        raise _not_found("Resource", request.path)

    # --- ids ------------------------------------------------------------------------

    def _resolve(self, collection: str, raw: str) -> Ref:
        """The canonical ref of an object named in a path; 400 if malformed, 404 if unknown."""
        ds = self.dataset
        if collection == "files":
            if not (_HEX.fullmatch(raw) and len(raw) in (32, 40, 64)):
                raise _Fail(400, "InvalidArgumentError", f'Invalid file identifier "{raw[:200]}"')
            sha = ds.file_sha256(raw)
            if sha is None:
                raise _not_found("File", raw)
            return ("file", sha)
        if collection == "urls":
            uid = self._url_id(raw)
            if not ds.url_exists(uid):
                raise _not_found("URL", raw)
            return ("url", uid)
        if collection == "domains":
            name = raw.lower().rstrip(".")
            if not _HOST.match(name):
                raise _Fail(400, "InvalidArgumentError", f'Invalid domain "{raw[:200]}"')
            if not ds.domain_exists(name):
                raise _not_found("Domain", raw)
            return ("domain", name)
        if collection == "ip_addresses":
            ip = canonical_ip(raw)
            if ip is None:
                raise _Fail(400, "InvalidArgumentError", f'Invalid IP address "{raw[:200]}"')
            if not ds.ip_exists(ip):
                raise _not_found("IP address", raw)
            return ("ip_address", ip)
        raise _not_found("Resource", f"/{collection}/{raw}")

    @staticmethod
    def _url_id(raw: str) -> str:
        """A URL id from a path: the sha256 id, or unpadded urlsafe base64 of the URL."""
        if len(raw) == 64 and _HEX.fullmatch(raw):
            return raw.lower()
        try:
            padded = raw.replace("+", "-").replace("/", "_") + "=" * (-len(raw) % 4)
            decoded = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
            return url_sha256(canonical_url(decoded))
        except (ValueError, UnicodeError, binascii.Error):
            raise _Fail(400, "InvalidArgumentError", f'Invalid URL identifier "{raw[:200]}"') from None

    # --- objects --------------------------------------------------------------------

    async def _get_object(self, request: DemoRequest, seg: tuple[str, ...]) -> DemoResponse:
        ref = self._resolve(seg[0], seg[1])
        wanted = [n.strip() for n in request.query.get("relationships", "").split(",") if n.strip()]
        rels = [self._relationship(ref, name) for name in dict.fromkeys(wanted)]
        base = request.base_url
        data = self.dataset.render(ref, base)
        if data is None:
            raise _not_found("Resource", seg[1])
        if rels:
            data = dict(data)
            data["relationships"] = {rel.name: self._embedded(ref, rel, base, request) for rel in rels}
        return DemoResponse.json({"data": data})

    def _relationship(self, ref: Ref, name: str) -> Relationship:
        rel = get_relationship(ref[0], name)
        if rel is None:
            raise _Fail(400, "InvalidArgumentError", f'Relationship "{name[:100]}" is not valid for {ref[0]} objects')
        if rel.premium:
            raise _Fail(403, "ForbiddenError", "You are not authorized to perform the requested operation")
        return rel

    def _object_url(self, ref: Ref, base: str) -> str:
        coll = {"file": "files", "url": "urls", "domain": "domains", "ip_address": "ip_addresses"}[ref[0]]
        return f"{base}/{coll}/{ref[1]}"

    def _embedded(self, ref: Ref, rel: Relationship, base: str, request: DemoRequest) -> dict:
        items = self.dataset.related(ref, rel.name, author=self._key(request))
        obj_url = self._object_url(ref, base)
        links = {"self": f"{obj_url}/relationships/{rel.name}", "related": f"{obj_url}/{rel.name}"}
        if rel.single:
            return {"data": self._descriptor(items[0]) if len(items) else None, "links": links}
        total = self._total(items, rel)
        out: dict = {"data": [self._descriptor(item) for item in items[:min(EMBEDDED_LIMIT, total)]]}
        links["self"] += f"?limit={EMBEDDED_LIMIT}"
        meta: dict = {"count": total}
        if total > EMBEDDED_LIMIT:
            cursor = self._cursor(ref, rel.name, total - EMBEDDED_LIMIT)
            meta["cursor"] = cursor
            links["next"] = f"{obj_url}/relationships/{rel.name}?cursor={quote(cursor, safe='')}&limit={EMBEDDED_LIMIT}"
        out["meta"] = meta
        out["links"] = links
        return out

    @staticmethod
    def _descriptor(item: Ref) -> dict:
        return {"type": item[0], "id": item[1]}

    @staticmethod
    def _total(items: Sequence, rel: Relationship) -> int:
        return min(len(items), rel.cap) if rel.cap else len(items)

    # --- relationships --------------------------------------------------------------

    async def _get_relationship(self, request: DemoRequest, seg: tuple[str, ...]) -> DemoResponse:
        return self._list(request, seg[0], seg[1], seg[2], descriptors=False)

    async def _get_descriptors(self, request: DemoRequest, seg: tuple[str, ...]) -> DemoResponse:
        return self._list(request, seg[0], seg[1], seg[3], descriptors=True)

    def _list(self, request: DemoRequest, collection: str, raw_id: str, name: str, *, descriptors: bool) -> DemoResponse:
        ref = self._resolve(collection, raw_id)
        rel = self._relationship(ref, name)
        base = request.base_url
        obj_url = self._object_url(ref, base)
        path = f"{obj_url}/relationships/{name}" if descriptors else f"{obj_url}/{name}"
        items = self.dataset.related(ref, name, author=self._key(request))
        render = self._descriptor if descriptors else (lambda item: self._full(item, base))
        if rel.single:
            return DemoResponse.json({"data": render(items[0]) if len(items) else None, "links": {"self": path}})
        limit = self._limit(request)
        total = self._total(items, rel)
        cursor = request.query.get("cursor") or None
        start = self._start(ref, name, cursor, total)
        end = min(total, start + limit)
        self_url = f"{path}?limit={limit}" + (f"&cursor={quote(cursor, safe='')}" if cursor else "")
        links: dict = {"self": self_url}
        if descriptors:
            links["related"] = f"{obj_url}/{name}"
        body: dict = {"data": [render(item) for item in items[start:end]], "links": links}
        if total:
            body["meta"] = {"count": total}
        if end < total:
            next_cursor = self._cursor(ref, name, total - end)
            body["meta"]["cursor"] = next_cursor
            links["next"] = f"{path}?cursor={quote(next_cursor, safe='')}&limit={limit}"
        return DemoResponse.json(body)

    def _full(self, item: Ref, base: str) -> dict:
        return self.dataset.render(item, base) or self._descriptor(item)

    @staticmethod
    def _limit(request: DemoRequest) -> int:
        raw = request.query.get("limit")
        if raw is None or raw == "":
            return DEFAULT_LIMIT
        try:
            limit = int(raw)
        except ValueError:
            raise _Fail(400, "InvalidArgumentError", f'Invalid limit "{raw[:50]}"') from None
        if not 1 <= limit <= MAX_LIMIT:
            raise _Fail(400, "InvalidArgumentError", f"Invalid limit {limit}: it must be between 1 and {MAX_LIMIT}")
        return limit

    def _cursor(self, ref: Ref, name: str, remaining: int) -> str:
        """An opaque cursor: how many items remain after the page, signed for this list."""
        payload = f"{remaining}:{self._sign(ref, name, remaining)}"
        return base64.urlsafe_b64encode(payload.encode()).decode()

    def _sign(self, ref: Ref, name: str, remaining: int) -> str:
        return hashlib.sha256(f"{self._cursor_secret}|{ref[0]}|{ref[1]}|{name}|{remaining}".encode()).hexdigest()[:12]

    def _start(self, ref: Ref, name: str, cursor: str | None, total: int) -> int:
        if not cursor:
            return 0
        try:
            raw = base64.urlsafe_b64decode(cursor.encode("ascii") + b"=" * (-len(cursor) % 4)).decode("ascii")
            count, sig = raw.split(":", 1)
            remaining = int(count)
            if remaining < 0 or sig != self._sign(ref, name, remaining):
                raise ValueError(cursor)
        except (ValueError, UnicodeError, binascii.Error):
            raise _Fail(400, "InvalidArgumentError", f'Invalid cursor "{cursor[:100]}"') from None
        return max(0, total - remaining)

    # --- comments and votes ---------------------------------------------------------

    async def _read_json(self, request: DemoRequest) -> dict:
        try:
            body = json.loads(await request.read(_JSON_LIMIT))
        except BodyTooLarge:
            raise _Fail(413, "BadRequestError", "Request body too large") from None
        except (ValueError, UnicodeError):
            raise _Fail(400, "BadRequestError", "Malformed JSON in the request body") from None
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise _Fail(400, "BadRequestError", 'The request body must be {"data": {...}}')
        return data

    async def _post_comment(self, request: DemoRequest, seg: tuple[str, ...]) -> DemoResponse:
        ref = self._resolve(seg[0], seg[1])
        data = await self._read_json(request)
        attrs = data.get("attributes") if isinstance(data.get("attributes"), dict) else {}
        text = attrs.get("text")
        if data.get("type") != "comment" or not isinstance(text, str) or not text.strip():
            raise _Fail(400, "BadRequestError", 'A comment needs {"type": "comment", "attributes": {"text": "..."}}')
        if len(text) > 10_000:
            raise _Fail(400, "InvalidArgumentError", "Comment text is too long")
        comment = self.dataset.add_comment(ref, text, int(self.clock()))
        comment["links"] = {"self": f"{request.base_url}/comments/{comment['id']}"}
        return DemoResponse.json({"data": comment})

    async def _post_vote(self, request: DemoRequest, seg: tuple[str, ...]) -> DemoResponse:
        ref = self._resolve(seg[0], seg[1])
        data = await self._read_json(request)
        attrs = data.get("attributes") if isinstance(data.get("attributes"), dict) else {}
        verdict = attrs.get("verdict")
        if data.get("type") != "vote" or verdict not in ("malicious", "harmless"):
            raise _Fail(400, "InvalidArgumentError", 'A vote needs {"type": "vote", "attributes": {"verdict": '
                                                     '"malicious" or "harmless"}}')
        key = self._key(request)
        if self.dataset.has_voted(ref, key):
            raise _Fail(409, "AlreadyExistsError", "You have already voted on this item")
        vote = self.dataset.add_vote(ref, verdict, int(self.clock()), key)
        vote["links"] = {"self": f"{request.base_url}/votes/{vote['id']}"}
        return DemoResponse.json({"data": vote})

    @staticmethod
    def _key(request: DemoRequest) -> str:
        return request.headers.get("x-apikey", "").strip()

    # --- single objects of other kinds ---------------------------------------------

    async def _get_resolution(self, request: DemoRequest, seg: tuple[str, ...]) -> DemoResponse:
        data = self.dataset.render(("resolution", seg[1]), request.base_url)
        if data is None:
            raise _not_found("Resolution", seg[1])
        return DemoResponse.json({"data": data})

    async def _get_comment(self, request: DemoRequest, seg: tuple[str, ...]) -> DemoResponse:
        data = self.dataset.render(("comment", seg[1]), request.base_url)
        if data is None:
            raise _not_found("Comment", seg[1])
        return DemoResponse.json({"data": data})

    async def _get_behaviour(self, request: DemoRequest, seg: tuple[str, ...]) -> DemoResponse:
        data = self.dataset.render(("file_behaviour", seg[1]), request.base_url)
        if data is None:
            raise _not_found("Resource", seg[1])
        return DemoResponse.json({"data": data})

    async def _get_pcap(self, request: DemoRequest, seg: tuple[str, ...]) -> DemoResponse:
        pcap = self.dataset.pcap(seg[1])
        if pcap is None:
            raise _not_found("Resource", f"{seg[1]}/pcap")
        return DemoResponse(200, [("content-type", "application/vnd.tcpdump.pcap"),
                                  ("content-disposition", 'attachment; filename="capture.pcap"')], pcap)

    async def _get_behaviour_summary(self, request: DemoRequest, seg: tuple[str, ...]) -> DemoResponse:
        ref = self._resolve("files", seg[1])
        return DemoResponse.json({"data": self.dataset.behaviour_summary(ref[1])})

    # --- users and quotas -----------------------------------------------------------

    def _check_user(self, request: DemoRequest, ident: str) -> None:
        if ident not in ("me", "vttui-demo", self._key(request)):
            raise _not_found("User", ident)

    async def _get_user(self, request: DemoRequest, seg: tuple[str, ...]) -> DemoResponse:
        self._check_user(request, seg[1])
        return DemoResponse.json({"data": {
            "type": "user", "id": "vttui-demo", "links": {"self": f"{request.base_url}/users/vttui-demo"},
            "attributes": {"status": "active", "user_since": 1735689600, "reputation": 0,
                           "privileges": {"downloads-tier-2": {"granted": False}, "intelligence": {"granted": False}},
                           "quotas": self._quotas()},
        }})

    async def _get_quotas(self, request: DemoRequest, seg: tuple[str, ...]) -> DemoResponse:
        self._check_user(request, seg[1])
        return DemoResponse.json({"data": self._quotas()})

    def _quotas(self) -> dict:
        used = self.api_calls

        def quota(allowed: int, n: int) -> dict:
            return {"user": {"used": n, "allowed": allowed},
                    "group": {"used": n, "allowed": allowed * 4, "inherited_from": "vttui-demo-group"}}

        return {
            "api_requests_hourly": quota(240, used), "api_requests_daily": quota(500, used),
            "api_requests_monthly": quota(15_500, used),
            "intelligence_searches_monthly": {"user": {"used": 0, "allowed": 0}},
            "intelligence_downloads_monthly": {"user": {"used": 0, "allowed": 0}},
            "collections_creation_monthly": {"user": {"used": 0, "allowed": 20}},
        }

    # --- uploads and analyses -------------------------------------------------------

    async def _post_file(self, request: DemoRequest, seg: tuple[str, ...]) -> DemoResponse:
        return await self._upload(request, self.max_direct_upload, direct=True)

    async def _get_upload_url(self, request: DemoRequest, seg: tuple[str, ...]) -> DemoResponse:
        token = secrets.token_urlsafe(24)
        self._upload_tokens[token] = False
        return DemoResponse.json({"data": f"{request.origin}/_upload/{token}"})

    async def _post_upload_url(self, request: DemoRequest, token: str) -> DemoResponse:
        used = self._upload_tokens.get(token)
        if used is None:
            raise _not_found("Upload URL", token)
        if used:
            raise _Fail(400, "BadRequestError",
                        "This upload URL was already used; get a new one from /files/upload_url")
        self._upload_tokens[token] = True
        return await self._upload(request, self.max_upload, direct=False)

    async def _upload(self, request: DemoRequest, limit: int, *, direct: bool) -> DemoResponse:
        boundary = boundary_of(request.headers.get("content-type"))
        if boundary is None:
            raise _Fail(400, "BadRequestError", 'Expected a multipart/form-data body with a "file" field')
        parser = MultipartParser(boundary, max_file_size=limit, keep_limit=self.keep_upload_limit)
        try:
            async for chunk in request.iter_body():
                parser.feed(chunk)
            form = parser.close()
        except MultipartError as exc:
            raise _Fail(400, "BadRequestError", f"Malformed multipart body: {exc}") from None
        part = form.file
        if part is None:
            raise _Fail(400, "BadRequestError", 'No file in the request (expected a "file" form field)')
        if part.too_large:
            size = f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit} bytes"
            hint = "; use /files/upload_url for bigger files" if direct else ""
            raise _Fail(413, "BadRequestError", f"The file is larger than {size}{hint}")
        now = int(self.clock())
        analysis = _Analysis(
            id=self._file_analysis_id(part.md5, now), kind="file", date=now, sha256=part.sha256, md5=part.md5,
            sha1=part.sha1, size=part.size, name=part.filename, head=part.head, content=part.content,
        )
        return self._analysis_reply(self._register(analysis), request)

    @staticmethod
    def _file_analysis_id(md5: str, epoch: int) -> str:
        return base64.urlsafe_b64encode(f"{md5}:{epoch}".encode()).decode()

    def _register(self, analysis: _Analysis) -> _Analysis:
        """Keep an analysis; the same item in the same second is the same analysis (as on VT)."""
        return self.analyses.setdefault(analysis.id, analysis)

    def _analysis_reply(self, analysis: _Analysis, request: DemoRequest) -> DemoResponse:
        return DemoResponse.json({"data": {"type": "analysis", "id": analysis.id,
                                           "links": {"self": f"{request.base_url}/analyses/{analysis.id}"}}})

    async def _post_url(self, request: DemoRequest, seg: tuple[str, ...]) -> DemoResponse:
        fields = await self._form_fields(request)
        raw = fields.get("url")
        if not raw:
            raise _Fail(400, "BadRequestError", 'Missing "url" form field')
        try:
            url = canonical_url(raw)
        except ValueError:
            raise _Fail(400, "InvalidArgumentError", "Unable to canonicalize url") from None
        return self._analysis_reply(self._register(self._url_analysis(url)), request)

    def _url_analysis(self, url: str) -> _Analysis:
        now = int(self.clock())
        uid = url_sha256(url)
        return _Analysis(id=f"u-{uid}-{now}", kind="url", date=now, url=url, url_id=uid)

    async def _form_fields(self, request: DemoRequest) -> dict[str, str]:
        content_type = request.headers.get("content-type", "")
        boundary = boundary_of(content_type)
        if boundary is not None:
            parser = MultipartParser(boundary, max_file_size=64 * 1024, keep_limit=0)
            try:
                async for chunk in request.iter_body():
                    parser.feed(chunk)
                return parser.close().fields
            except MultipartError as exc:
                raise _Fail(400, "BadRequestError", f"Malformed multipart body: {exc}") from None
        try:
            body = await request.read(64 * 1024)
        except BodyTooLarge:
            raise _Fail(413, "BadRequestError", "Request body too large") from None
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))

    async def _post_analyse(self, request: DemoRequest, seg: tuple[str, ...]) -> DemoResponse:
        if seg[0] not in ("files", "urls"):
            raise _MethodNotAllowed("")
        ref = self._resolve(seg[0], seg[1])
        await request.drain()
        now = int(self.clock())
        if ref[0] == "file":
            attrs = self.dataset.attributes(ref)
            analysis = _Analysis(id=self._file_analysis_id(attrs["md5"], now), kind="file", date=now,
                                 sha256=ref[1], md5=attrs["md5"], sha1=attrs["sha1"], size=int(attrs["size"]))
        else:
            url = self.dataset.url_of(ref[1]) or ""
            analysis = self._url_analysis(url)
        return self._analysis_reply(self._register(analysis), request)

    async def _get_analysis(self, request: DemoRequest, seg: tuple[str, ...]) -> DemoResponse:
        analysis = self.analyses.get(seg[1])
        if analysis is None:
            raise _not_found("Analysis", seg[1])
        analysis.polls += 1
        if not analysis.completed and analysis.polls >= self.analysis_polls_to_complete:
            self._complete(analysis)
        base = request.base_url
        if analysis.completed:
            status = "completed"
            ref: Ref = ("file", analysis.sha256) if analysis.kind == "file" else ("url", analysis.url_id)
            item = self.dataset.attributes(ref)
            results = item.get("last_analysis_results") or {}
            stats = dict(item.get("last_analysis_stats") or {})
        else:
            status = "queued" if analysis.polls <= 1 else "in-progress"
            results, stats = {}, _empty_stats(analysis.kind)
        if analysis.kind == "file":
            item_url = f"{base}/files/{analysis.sha256}"
            meta = {"file_info": {"sha256": analysis.sha256, "md5": analysis.md5, "sha1": analysis.sha1,
                                  "size": analysis.size}}
        else:
            item_url = f"{base}/urls/{analysis.url_id}"
            meta = {"url_info": {"id": analysis.url_id, "url": analysis.url}}
        return DemoResponse.json({
            "data": {"type": "analysis", "id": analysis.id,
                     "links": {"self": f"{base}/analyses/{analysis.id}", "item": item_url},
                     "attributes": {"date": analysis.date, "status": status, "stats": stats, "results": results}},
            "meta": meta,
        })

    def _complete(self, analysis: _Analysis) -> None:
        now = int(self.clock())
        if analysis.kind == "file":
            self.dataset.upsert_file(sha256=analysis.sha256, md5=analysis.md5, sha1=analysis.sha1, size=analysis.size,
                                     name=analysis.name, head=analysis.head, content=analysis.content, date=now)
        else:
            self.dataset.upsert_url(analysis.url, now)
        analysis.completed = True
        analysis.head, analysis.content = b"", None

    # --- downloads ------------------------------------------------------------------

    def _download_location(self, request: DemoRequest, raw_id: str) -> str:
        ref = self._resolve("files", raw_id)
        if self.dataset.content(ref[1]) is None:
            raise _Fail(404, "NotFoundError", f'File "{raw_id}" is not available for download')
        token = secrets.token_urlsafe(18)
        self._download_tokens[token] = ref[1]
        return f"{request.origin}/_download/{token}"

    async def _get_download_url(self, request: DemoRequest, seg: tuple[str, ...]) -> DemoResponse:
        return DemoResponse.json({"data": self._download_location(request, seg[1])})

    async def _get_download(self, request: DemoRequest, seg: tuple[str, ...]) -> DemoResponse:
        location = self._download_location(request, seg[1])
        return DemoResponse(302, [("location", location), ("content-type", "text/html; charset=UTF-8")],
                            f'<a href="{location}">Found</a>.\n'.encode())

    def _serve_download(self, token: str) -> DemoResponse:
        sha = self._download_tokens.get(token)
        content = self.dataset.content(sha) if sha else None
        if content is None:
            raise _not_found("Resource", f"/_download/{token}")
        return DemoResponse(200, [("content-type", "application/octet-stream"),
                                  ("content-disposition", f'attachment; filename="{sha}"')], content)


class _MethodNotAllowed(_Fail):
    def __init__(self, allow: str) -> None:
        super().__init__(405, "BadRequestError", "Method not allowed for this path")
        self.allow = allow


def _empty_stats(kind: str) -> dict[str, int]:
    keys = ("malicious", "suspicious", "undetected", "harmless", "timeout")
    if kind == "file":
        keys += ("confirmed-timeout", "failure", "type-unsupported")
    return dict.fromkeys(keys, 0)


__all__ = ["DEFAULT_BASE_URL", "DemoBackend", "canonical_url"]
