"""The demo backend as an httpx transport: ``httpx.AsyncClient(transport=DemoTransport(b))``.

Request bodies are streamed into the backend chunk by chunk (uploads are never read
whole). Middleware actions are mapped to what httpx would raise over a real socket:
a dropped connection is ``RemoteProtocolError``, a reply that never comes is
``ReadTimeout`` after the request's read timeout, a body shorter than its
``Content-Length`` fails while it is read.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator

import httpx

from .backend import DemoBackend
from .protocol import Action, DemoRequest, DemoResponse, Middleware, dispatch


async def _request_body(stream: httpx.AsyncByteStream | httpx.SyncByteStream) -> AsyncIterator[bytes]:
    if isinstance(stream, httpx.AsyncByteStream):
        async for chunk in stream:
            yield chunk
    else:  # bytes content given to an AsyncClient is a ByteStream, which is both
        for chunk in stream:
            yield chunk


class _ResponseStream(httpx.AsyncByteStream):
    """A reply body for httpx: bytes or an async iterable, optionally cut short."""

    def __init__(self, body: bytes | AsyncIterable[bytes], request: httpx.Request, truncated: bool) -> None:
        self._body, self._request, self._truncated = body, request, truncated

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if isinstance(self._body, (bytes, bytearray)):
            if self._body:
                yield bytes(self._body)
        else:
            async for chunk in self._body:
                yield chunk
        if self._truncated:
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body (incomplete chunked read)",
                request=self._request,
            )


class DemoTransport(httpx.AsyncBaseTransport):
    """Serve an httpx client from a :class:`DemoBackend`, in process, without sockets."""

    def __init__(self, backend: DemoBackend, *, middleware: Middleware | None = None) -> None:
        self.backend = backend
        self.middleware = middleware

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
        path, _, query = url.raw_path.decode("ascii").partition("?")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        demo_request = DemoRequest.build(
            request.method, path, query, headers, _request_body(request.stream),
            origin=origin, api_prefix=self.backend.api_prefix,
        )
        reply = await dispatch(self.backend.handle, self.middleware, demo_request)
        if reply.action is Action.CLOSE:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        if reply.action is Action.HANG:
            await self._hang(request)
        if reply.action is Action.RAW:  # raw bytes need a socket: use the loopback DemoServer
            raise httpx.RemoteProtocolError("raw replies are only sent by the loopback server", request=request)
        return self._to_httpx(reply, request)

    @staticmethod
    async def _hang(request: httpx.Request) -> None:
        timeout = (request.extensions.get("timeout") or {}).get("read")
        if timeout is None:
            await asyncio.Event().wait()  # until cancelled
        else:
            await asyncio.sleep(float(timeout))
        raise httpx.ReadTimeout("The read operation timed out", request=request)

    @staticmethod
    def _to_httpx(reply: DemoResponse, request: httpx.Request) -> httpx.Response:
        declared = reply.header("content-length")
        body = reply.body
        truncated = False
        if isinstance(body, (bytes, bytearray)) and declared is not None:
            try:
                truncated = int(declared) > len(body)
            except ValueError:
                truncated = True
        return httpx.Response(
            reply.status, headers=reply.headers, stream=_ResponseStream(body, request, truncated), request=request,
        )
