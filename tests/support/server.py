"""The demo backend over a real loopback socket: a small HTTP/1.1 server in a thread.

Used by end-to-end tests and benchmarks, where the real client, httpx and the network
stack are all exercised. Request bodies (Content-Length or chunked) are streamed into
the backend as they arrive. After every reply the rest of the request body is read
and thrown away, so keep-alive connections stay in step.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import http
import threading
from collections.abc import AsyncIterable
from urllib.parse import urlsplit

from vttui.demo.backend import DemoBackend
from vttui.demo.protocol import Action, DemoRequest, DemoResponse, Middleware, dispatch

_READ_SIZE = 256 * 1024
_HEADER_LIMIT = 64 * 1024
_DRAIN_LIMIT = 2 * 1024**3


class _ClientGone(ConnectionError):
    """The client closed the connection in the middle of a request."""


class _BodyReader:
    """The request body as an async iterator; remembers its position so it can be drained."""

    def __init__(self, reader: asyncio.StreamReader, length: int | None, chunked: bool) -> None:
        self._reader = reader
        self._remaining = length or 0
        self._chunked = chunked
        self._chunk_left = 0
        self.done = not chunked and not length
        self.received = 0

    def __aiter__(self) -> _BodyReader:
        return self

    async def __anext__(self) -> bytes:
        data = await self.read()
        if not data:
            raise StopAsyncIteration
        return data

    async def read(self, size: int = _READ_SIZE) -> bytes:
        if self.done:
            return b""
        if not self._chunked:
            data = await self._reader.read(min(size, self._remaining))
            if not data:
                raise _ClientGone("the client closed the connection before the body was complete")
            self._remaining -= len(data)
            self.done = self._remaining == 0
            self.received += len(data)
            return data
        if self._chunk_left == 0:
            line = await self._readline()
            try:
                self._chunk_left = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _ClientGone("malformed chunk size") from None
            if self._chunk_left == 0:
                while await self._readline():  # trailers, up to the empty line
                    pass
                self.done = True
                return b""
        data = await self._reader.read(min(size, self._chunk_left))
        if not data:
            raise _ClientGone("the client closed the connection inside a chunk")
        self._chunk_left -= len(data)
        self.received += len(data)
        if self._chunk_left == 0:
            await self._readline()
        return data

    async def _readline(self) -> bytes:
        try:
            return (await self._reader.readuntil(b"\r\n"))[:-2]
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            raise _ClientGone("the chunked body ended early") from None

    async def drain(self) -> None:
        while not self.done:
            if self.received > _DRAIN_LIMIT:
                raise _ClientGone("request body too large to drain")
            await self.read()


class DemoServer:
    """Serve a :class:`DemoBackend` on ``http://host:port`` from a background thread.

    ``middleware`` (``async def mw(request, call_next) -> DemoResponse``) sees every
    request first: it can delay, answer anything, or return ``DemoResponse.close()`` /
    ``DemoResponse.hang()``.
    """

    def __init__(self, backend: DemoBackend, host: str = "127.0.0.1", port: int = 0,
                 middleware: Middleware | None = None) -> None:
        self.backend = backend
        self.host = host
        self.port = port
        self.middleware = middleware
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._connections: set[asyncio.Task] = set()
        self._stopping: asyncio.Event | None = None

    # --- lifecycle ------------------------------------------------------------------

    @property
    def origin(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.origin + self.backend.api_prefix

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> DemoServer:
        if self.running:
            return self
        self._ready.clear()
        self._startup_error = None
        self._thread = threading.Thread(target=self._run, name="vttui-demo-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the demo server did not start in time")
        if self._startup_error is not None:
            self._thread.join(5)
            self._thread = None
            raise self._startup_error
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if thread.is_alive():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
        self._thread = None
        self._loop = None

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._startup())
        except BaseException as exc:  # noqa: BLE001 - reported to start()
            self._startup_error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _startup(self) -> None:
        self._stopping = asyncio.Event()
        self._server = await asyncio.start_server(self._connection, self.host, self.port, limit=_HEADER_LIMIT * 4)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _shutdown(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    # --- connections ----------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            if task is not None:
                self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _one_request(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Serve one request; True when the connection may carry another."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False
        except asyncio.LimitOverrunError:
            await self._write(writer, DemoResponse.text("Request header fields too large", 431), close=True)
            return False
        lines = head[:-4].decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError:
            await self._write(writer, DemoResponse.text("Bad request line", 400), close=True)
            return False
        headers: list[tuple[str, str]] = []
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers.append((name.strip(), value.strip()))
        lower = {k.lower(): v for k, v in headers}
        chunked = "chunked" in lower.get("transfer-encoding", "").lower()
        try:
            length = None if chunked else int(lower.get("content-length", "0") or 0)
        except ValueError:
            await self._write(writer, DemoResponse.text("Bad Content-Length", 400), close=True)
            return False
        connection = lower.get("connection", "").lower()
        keep_alive = (version == "HTTP/1.1" and connection != "close") or connection == "keep-alive"
        if lower.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = _BodyReader(reader, length, chunked)
        request = self._request(method, target, headers, lower, body)
        try:
            reply = await dispatch(self.backend.handle, self.middleware, request)
        except Exception as exc:  # noqa: BLE001 - a failing middleware must not kill the server
            reply = DemoResponse.text(f"demo server error: {type(exc).__name__}", 500)
        try:
            await body.drain()
        except _ClientGone:
            return False
        if reply.action is Action.CLOSE:
            transport = writer.transport
            if transport is not None:
                transport.close()
            return False
        if reply.action is Action.RAW:
            body = reply.body
            if isinstance(body, (bytes, bytearray)):
                writer.write(bytes(body))
            else:
                await self._stream(writer, body, chunked=False)
            await writer.drain()
            return False
        if reply.action is Action.HANG:
            assert self._stopping is not None
            await self._stopping.wait()
            return False
        return await self._write(writer, reply, close=not keep_alive, head=method == "HEAD")

    def _request(self, method: str, target: str, headers: list[tuple[str, str]], lower: dict[str, str],
                 body: _BodyReader) -> DemoRequest:
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            origin = f"{parts.scheme}://{parts.netloc}"
            target = parts.path + ("?" + parts.query if parts.query else "")
        else:
            origin = "http://" + (lower.get("host") or f"{self.host}:{self.port}")
        path, _, query = target.partition("?")
        return DemoRequest.build(method, path, query, headers, body, origin=origin, api_prefix=self.backend.api_prefix)

    async def _write(
        self, writer: asyncio.StreamWriter, reply: DemoResponse, *, close: bool, head: bool = False
    ) -> bool:
        """Send a reply; True when the connection can be reused."""
        try:
            phrase = http.HTTPStatus(reply.status).phrase
        except ValueError:
            phrase = "Unknown"
        declared = reply.header("content-length")
        names = {k.lower() for k, _ in reply.headers}
        extra = [("date", email.utils.formatdate(usegmt=True))] if "date" not in names else []
        if "server" not in names:
            extra.append(("server", "vttui-demo"))
        body = reply.body
        streamed = not isinstance(body, (bytes, bytearray))
        truncated = False
        if not streamed:
            if declared is None:
                extra.append(("content-length", str(len(body))))
            else:
                try:
                    truncated = int(declared) != len(body)
                except ValueError:
                    truncated = True
        elif declared is None:
            extra.append(("transfer-encoding", "chunked"))
        close = close or truncated
        extra.append(("connection", "close" if close else "keep-alive"))
        lines = [f"HTTP/1.1 {reply.status} {phrase}"]
        lines += [f"{k}: {v}" for k, v in [*reply.headers, *extra] if k.lower() != "connection"]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        if not head and not streamed:
            writer.write(bytes(body))
        elif not head:
            await self._stream(writer, body, chunked=declared is None)  # type: ignore[arg-type]
        await writer.drain()
        return not close

    @staticmethod
    async def _stream(writer: asyncio.StreamWriter, body: AsyncIterable[bytes], *, chunked: bool) -> None:
        async for chunk in body:
            if not chunk:
                continue
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            await writer.drain()
        if chunked:
            writer.write(b"0\r\n\r\n")
