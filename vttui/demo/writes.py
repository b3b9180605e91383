"""Handlers that change the demo session: comments, votes, uploads, URL scans, analyses, downloads.

``POST /files`` refuses files over 32 MB and upload URLs over 650 MB with 413 and a
BadRequestError body (the limits are attributes, so tests can lower them). An analysis
completes after a few polls, and only then updates (or creates) the report.
"""

from __future__ import annotations

import base64
import secrets

from .base import BackendBase, PendingAnalysis, Segments, canonical_url
from .dataset import Ref, url_sha256
from .errors import Fail, MethodNotAllowed, not_found
from .multipart import MultipartError, MultipartParser, boundary_of
from .protocol import DemoRequest, DemoResponse

__all__ = ["WriteHandlers"]


class WriteHandlers(BackendBase):
    """POSTs, the analyses they start, and downloads (one-shot tokens)."""

    # --- comments and votes ---------------------------------------------------------

    async def _post_comment(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        ref = self._resolve(seg[0], seg[1])
        data = await self._read_json(request)
        raw = data.get("attributes")
        attrs = raw if isinstance(raw, dict) else {}
        text = attrs.get("text")
        if data.get("type") != "comment" or not isinstance(text, str) or not text.strip():
            raise Fail(400, "BadRequestError", 'A comment needs {"type": "comment", "attributes": {"text": "..."}}')
        if len(text) > 10_000:
            raise Fail(400, "InvalidArgumentError", "Comment text is too long")
        comment = self.dataset.add_comment(ref, text, int(self.clock()))
        comment["links"] = {"self": f"{request.base_url}/comments/{comment['id']}"}
        return DemoResponse.json({"data": comment})

    async def _post_vote(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        ref = self._resolve(seg[0], seg[1])
        data = await self._read_json(request)
        raw = data.get("attributes")
        attrs = raw if isinstance(raw, dict) else {}
        verdict = attrs.get("verdict")
        if data.get("type") != "vote" or verdict not in ("malicious", "harmless"):
            raise Fail(400, "InvalidArgumentError", 'A vote needs {"type": "vote", "attributes": {"verdict": '
                                                     '"malicious" or "harmless"}}')
        key = self._key(request)
        if self.dataset.has_voted(ref, key):
            raise Fail(409, "AlreadyExistsError", "You have already voted on this item")
        vote = self.dataset.add_vote(ref, verdict, int(self.clock()), key)
        vote["links"] = {"self": f"{request.base_url}/votes/{vote['id']}"}
        return DemoResponse.json({"data": vote})

    # --- uploads and analyses -------------------------------------------------------

    async def _post_file(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        return await self._upload(request, self.max_direct_upload, direct=True)

    async def _get_upload_url(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        token = secrets.token_urlsafe(24)
        self._upload_tokens[token] = False
        return DemoResponse.json({"data": f"{request.origin}/_upload/{token}"})

    async def _post_upload_url(self, request: DemoRequest, token: str) -> DemoResponse:
        used = self._upload_tokens.get(token)
        if used is None:
            raise not_found("Upload URL", token)
        if used:
            raise Fail(400, "BadRequestError",
                        "This upload URL was already used; get a new one from /files/upload_url")
        self._upload_tokens[token] = True
        return await self._upload(request, self.max_upload, direct=False)

    async def _upload(self, request: DemoRequest, limit: int, *, direct: bool) -> DemoResponse:
        boundary = boundary_of(request.headers.get("content-type"))
        if boundary is None:
            raise Fail(400, "BadRequestError", 'Expected a multipart/form-data body with a "file" field')
        parser = MultipartParser(boundary, max_file_size=limit, keep_limit=self.keep_upload_limit)
        try:
            async for chunk in request.iter_body():
                parser.feed(chunk)
            form = parser.close()
        except MultipartError as exc:
            raise Fail(400, "BadRequestError", f"Malformed multipart body: {exc}") from None
        part = form.file
        if part is None:
            raise Fail(400, "BadRequestError", 'No file in the request (expected a "file" form field)')
        if part.too_large:
            size = f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit} bytes"
            hint = "; use /files/upload_url for bigger files" if direct else ""
            raise Fail(413, "BadRequestError", f"The file is larger than {size}{hint}")
        now = int(self.clock())
        analysis = PendingAnalysis(
            id=self._file_analysis_id(part.md5, now), kind="file", date=now, sha256=part.sha256, md5=part.md5,
            sha1=part.sha1, size=part.size, name=part.filename, head=part.head, content=part.content,
        )
        return self._analysis_reply(self._register(analysis), request)

    @staticmethod
    def _file_analysis_id(md5: str, epoch: int) -> str:
        return base64.urlsafe_b64encode(f"{md5}:{epoch}".encode()).decode()

    def _register(self, analysis: PendingAnalysis) -> PendingAnalysis:
        """Keep an analysis; the same item in the same second is the same analysis (as on VT)."""
        return self.analyses.setdefault(analysis.id, analysis)

    def _analysis_reply(self, analysis: PendingAnalysis, request: DemoRequest) -> DemoResponse:
        return DemoResponse.json({"data": {"type": "analysis", "id": analysis.id,
                                           "links": {"self": f"{request.base_url}/analyses/{analysis.id}"}}})

    async def _post_url(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        fields = await self._form_fields(request)
        raw = fields.get("url")
        if not raw:
            raise Fail(400, "BadRequestError", 'Missing "url" form field')
        try:
            url = canonical_url(raw)
        except ValueError:
            raise Fail(400, "InvalidArgumentError", "Unable to canonicalize url") from None
        return self._analysis_reply(self._register(self._url_analysis(url)), request)

    def _url_analysis(self, url: str) -> PendingAnalysis:
        now = int(self.clock())
        uid = url_sha256(url)
        return PendingAnalysis(id=f"u-{uid}-{now}", kind="url", date=now, url=url, url_id=uid)

    async def _post_analyse(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        if seg[0] not in ("files", "urls"):
            raise MethodNotAllowed("")
        ref = self._resolve(seg[0], seg[1])
        await request.drain()
        now = int(self.clock())
        if ref[0] == "file":
            attrs = self.dataset.attributes(ref)
            analysis = PendingAnalysis(id=self._file_analysis_id(attrs["md5"], now), kind="file", date=now,
                                 sha256=ref[1], md5=attrs["md5"], sha1=attrs["sha1"], size=int(attrs["size"]))
        else:
            url = self.dataset.url_of(ref[1]) or ""
            analysis = self._url_analysis(url)
        return self._analysis_reply(self._register(analysis), request)

    async def _get_analysis(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        analysis = self.analyses.get(seg[1])
        if analysis is None:
            raise not_found("Analysis", seg[1])
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

    def _complete(self, analysis: PendingAnalysis) -> None:
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
            raise Fail(404, "NotFoundError", f'File "{raw_id}" is not available for download')
        token = secrets.token_urlsafe(18)
        self._download_tokens[token] = ref[1]
        return f"{request.origin}/_download/{token}"

    async def _get_download_url(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        return DemoResponse.json({"data": self._download_location(request, seg[1])})

    async def _get_download(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        location = self._download_location(request, seg[1])
        return DemoResponse(302, [("location", location), ("content-type", "text/html; charset=UTF-8")],
                            f'<a href="{location}">Found</a>.\n'.encode())

    def _serve_download(self, token: str) -> DemoResponse:
        sha = self._download_tokens.get(token)
        content = self.dataset.content(sha) if sha else None
        if content is None:
            raise not_found("Resource", f"/_download/{token}")
        return DemoResponse(200, [("content-type", "application/octet-stream"),
                                  ("content-disposition", f'attachment; filename="{sha}"')], content)


def _empty_stats(kind: str) -> dict[str, int]:
    keys: tuple[str, ...] = ("malicious", "suspicious", "undetected", "harmless", "timeout")
    if kind == "file":
        keys += ("confirmed-timeout", "failure", "type-unsupported")
    return dict.fromkeys(keys, 0)
