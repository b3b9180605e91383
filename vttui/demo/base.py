"""State and shared helpers of the demo router: ids in paths, JSON and form bodies.

:class:`DemoBackend` (in :mod:`.backend`) routes requests to the handlers of
:mod:`.reads` and :mod:`.writes`, which all build on this.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from ..vt.refs import COLLECTION_OF_TYPE
from ..vt.relationships import Relationship, get_relationship
from .dataset import Dataset, Ref, canonical_ip, url_sha256
from .errors import Fail, not_found
from .multipart import MultipartError, MultipartParser, boundary_of
from .protocol import BodyTooLarge, DemoRequest

__all__ = [
    "DEFAULT_BASE_URL", "DEMO_PREMIUM_KEY", "FORBIDDEN_MESSAGE", "BackendBase", "PendingAnalysis", "Segments",
    "canonical_url",
]

DEFAULT_BASE_URL = "https://demo.vttui.invalid/api/v3"
#: VirusTotal's answer to a public key asking for something premium (403 ForbiddenError).
FORBIDDEN_MESSAGE = "You are not authorized to perform the requested operation"
#: The key that unlocks the demo's premium features (Intelligence search, premium relationships).
DEMO_PREMIUM_KEY = "demo-premium-key-000000000000000000000000000000000000000000000000000000000000cafe"

_CONTEXT_COLLECTIONS = {"collections": "collection", "threat_actors": "threat_actor", "references": "reference"}
_CONTEXT_LABELS = {"collection": "Collection", "threat_actor": "Threat actor", "reference": "Reference"}

#: The path of a request inside the API, split on "/".
Segments = tuple[str, ...]
JSON = dict[str, Any]

_HEX = re.compile(r"[0-9a-fA-F]+")
_HOST = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
_JSON_LIMIT = 1 << 20


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
class PendingAnalysis:
    """A submitted file or URL, completed after a few polls as on VirusTotal."""

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


class BackendBase:
    """The session's mutable state (comments, votes, uploads, analyses) and shared helpers."""

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
        self.analyses: dict[str, PendingAnalysis] = {}
        self._upload_tokens: dict[str, bool] = {}
        self._download_tokens: dict[str, str] = {}
        self._cursor_secret = f"vttui-demo-cursor-{seed}"
        #: Requests with this key get premium answers (see :data:`DEMO_PREMIUM_KEY`).
        self.premium_key = DEMO_PREMIUM_KEY

    # --- ids ------------------------------------------------------------------------

    def _resolve(self, collection: str, raw: str) -> Ref:
        """The canonical ref of an object named in a path; 400 if malformed, 404 if unknown."""
        ds = self.dataset
        if collection == "files":
            if not (_HEX.fullmatch(raw) and len(raw) in (32, 40, 64)):
                raise Fail(400, "InvalidArgumentError", f'Invalid file identifier "{raw[:200]}"')
            sha = ds.file_sha256(raw)
            if sha is None:
                raise not_found("File", raw)
            return ("file", sha)
        if collection == "urls":
            uid = self._url_id(raw)
            if not ds.url_exists(uid):
                raise not_found("URL", raw)
            return ("url", uid)
        if collection == "domains":
            name = raw.lower().rstrip(".")
            if not _HOST.match(name):
                raise Fail(400, "InvalidArgumentError", f'Invalid domain "{raw[:200]}"')
            if not ds.domain_exists(name):
                raise not_found("Domain", raw)
            return ("domain", name)
        if collection == "ip_addresses":
            ip = canonical_ip(raw)
            if ip is None:
                raise Fail(400, "InvalidArgumentError", f'Invalid IP address "{raw[:200]}"')
            if not ds.ip_exists(ip):
                raise not_found("IP address", raw)
            return ("ip_address", ip)
        if collection in _CONTEXT_COLLECTIONS:
            kind = _CONTEXT_COLLECTIONS[collection]
            ident = ds.context_id(kind, raw)
            if ident is None:
                raise not_found(_CONTEXT_LABELS[kind], raw)
            return (kind, ident)
        raise not_found("Resource", f"/{collection}/{raw}")

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
            raise Fail(400, "InvalidArgumentError", f'Invalid URL identifier "{raw[:200]}"') from None

    def _relationship(self, ref: Ref, name: str, *, premium: bool = False) -> Relationship:
        rel = get_relationship(ref[0], name)
        if rel is None:
            raise Fail(400, "InvalidArgumentError", f'Relationship "{name[:100]}" is not valid for {ref[0]} objects')
        if rel.premium and not premium:
            raise Fail(403, "ForbiddenError", FORBIDDEN_MESSAGE)
        return rel

    def _premium(self, request: DemoRequest) -> bool:
        """Whether the request carries the demo's premium key (the default demo key is public)."""
        return self._key(request) == self.premium_key

    def _object_url(self, ref: Ref, base: str) -> str:
        return f"{base}/{COLLECTION_OF_TYPE[ref[0]]}/{ref[1]}"

    @staticmethod
    def _descriptor(item: Ref) -> JSON:
        return {"type": item[0], "id": item[1]}

    @staticmethod
    def _total(items: Sequence[Ref], rel: Relationship) -> int:
        return min(len(items), rel.cap) if rel.cap else len(items)

    @staticmethod
    def _key(request: DemoRequest) -> str:
        return request.headers.get("x-apikey", "").strip()

    async def _read_json(self, request: DemoRequest) -> JSON:
        try:
            body = json.loads(await request.read(_JSON_LIMIT))
        except BodyTooLarge:
            raise Fail(413, "BadRequestError", "Request body too large") from None
        except (ValueError, UnicodeError):
            raise Fail(400, "BadRequestError", "Malformed JSON in the request body") from None
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise Fail(400, "BadRequestError", 'The request body must be {"data": {...}}')
        return data

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
                raise Fail(400, "BadRequestError", f"Malformed multipart body: {exc}") from None
        try:
            body = await request.read(64 * 1024)
        except BodyTooLarge:
            raise Fail(413, "BadRequestError", "Request body too large") from None
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
