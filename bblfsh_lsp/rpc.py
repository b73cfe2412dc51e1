"""JSON-RPC that answers every request and survives whatever arrives on its input.

pygls 2.1 leaves a client waiting, or dies, in these cases, so the server reads and dispatches
its messages here instead (the handlers are still pygls's):

* its reader reads whatever ``Content-Length`` says in one piece: 1 TiB is a ``MemoryError``,
  1e20 an ``OverflowError``, and the server is gone.  Here a frame larger than
  :data:`MAX_FRAME_BYTES` is refused with a log line and an error, and reading goes on with
  the next header; after junk (a short body, a header without a length) reading resumes at the
  next ``Content-Length``, wherever it is on its line.
* params that do not fit the method's type (``"textDocument": 5``, ``"positions": "x"``, a
  line of -1), and requests sent without ``params`` (JSON-RPC allows that), fail while the
  message is decoded, before pygls knows it is a request: it logs and never answers.  Here they
  get ``InvalidParams`` (-32602) with the request's id and what is wrong; a message that is not
  a request at all gets ``InvalidRequest`` (-32600), text that is not JSON ``ParseError``
  (-32700), with a null id when the message has no usable one.
* after ``shutdown`` it drops every request unanswered; LSP says they get ``InvalidRequest``.
* ``exit`` raises ``SystemExit`` inside its message loop, which its ``start_io`` swallows: the
  process always exits with status 0.  LSP wants 1 when no ``shutdown`` came first.  Here the
  loop ends, the server's ``exit`` handler releases what the server holds (the drivers), and
  :meth:`HardenedLanguageServer.start_io` exits with the status LSP asks for.  The ``exit``
  handler also runs when the client closes the connection without a word.

The workspace is :class:`bblfsh_lsp.text_sync.LspWorkspace`, whose documents count LSP's line
breaks only (pygls's split lines where str.splitlines does).

Our own methods (no lsprotocol type) get their params as plain JSON; omitted or null params
are an empty object.  pygls turns them into namedtuples, renaming keys that are not Python
identifiers and dropping a key called ``type_name``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import json
import logging
import os
import sys
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, BinaryIO

import attrs
import cattrs
import orjson
from cattrs.v import format_exception
from lsprotocol import types
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import JsonRPCNotification, JsonRPCRequestMessage, LanguageServerProtocol, default_converter
from pygls.protocol.language_server import lsp_method
from pygls.workspace import Workspace

from bblfsh_lsp.files import DEFAULT_MAX_BYTES
from bblfsh_lsp.text_sync import LspWorkspace

log = logging.getLogger(__name__)

# A frame carries at most one document; a document at the size limit, JSON-escaped at its worst
# (6 bytes per byte: "\u0000"), is 24 MiB.  This leaves room for editors that send larger files
# than we parse (so that we can say why there is no outline) while refusing absurd lengths.
MAX_FRAME_BYTES = 64 * DEFAULT_MAX_BYTES  # 256 MiB
MAX_HEADER_LINE = 8 * 1024  # real headers are a few dozen bytes; longer lines are junk
READ_CHUNK = 64 * 1024
EXIT_HANDLER_SECONDS = 10.0  # the exit handler stops drivers; a stuck one must not keep us alive

PARSE_ERROR, INVALID_REQUEST, INVALID_PARAMS = -32700, -32600, -32602
_CONTENT_LENGTH = b"content-length:"

MessageId = int | str


# --- reading frames --------------------------------------------------------------------------

ChunkSource = Callable[[], Awaitable[bytes]]  # the next bytes of input; b"" at its end


class ByteStream:
    """Buffered reads over a source of chunks, with lines of bounded length."""

    def __init__(self, read_chunk: ChunkSource):
        self._read_chunk = read_chunk
        self._buffer = bytearray()
        self._ended = False

    async def _fill(self) -> bool:
        if self._ended:
            return False
        chunk = await self._read_chunk()
        if not chunk:
            self._ended = True
            return False
        self._buffer += chunk
        return True

    def _take(self, size: int) -> bytes:
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    async def readline(self, limit: int) -> bytes:
        """Bytes up to and including the next b"\\n", at most limit of them (the rest of a longer
        line is left for the next call); b"" at the end of input."""
        searched = 0
        while True:
            index = self._buffer.find(b"\n", searched, limit)
            if index >= 0:
                return self._take(index + 1)
            if len(self._buffer) >= limit:
                return self._take(limit)
            searched = len(self._buffer)
            if not await self._fill():
                return self._take(len(self._buffer))

    async def readexactly(self, size: int) -> bytes | None:
        """size bytes, or None if the input ends first."""
        while len(self._buffer) < size:
            if not await self._fill():
                return None
        return self._take(size)


@attrs.frozen
class RefusedFrame:
    """A frame that was not read, and why: the client is told (its request is lost)."""

    reason: str


class FrameReader:
    """Bodies of ``Content-Length`` frames, from a byte stream that may hold anything."""

    def __init__(self, stream: ByteStream, max_frame_bytes: int = MAX_FRAME_BYTES):
        self._stream = stream
        self.max_frame_bytes = max_frame_bytes

    async def next(self) -> bytes | RefusedFrame | None:
        """The next frame's body, a refused frame, or None at the end of input."""
        while True:
            declared = await self._read_headers()
            if declared is None:
                return None
            if not declared:  # headers without a usable length: logged, nothing to answer
                continue
            length = int(declared) if len(declared) <= 30 else None  # None: more digits than any limit
            if length is None or length > self.max_frame_bytes:
                shown = f"{length:,}" if length is not None else f"{declared[:30].decode()}... ({len(declared)} digits)"
                reason = (f"a frame of {shown} bytes was refused (the limit is {self.max_frame_bytes:,}); "
                          "reading goes on at the next Content-Length header")
                log.error("%s", reason)
                return RefusedFrame(reason)
            body = await self._stream.readexactly(length)
            if body is None:
                log.warning("the input ended inside a frame of %d bytes", length)
                return None
            return body

    async def _read_headers(self) -> bytes | None:
        """The Content-Length of the next header block, in ASCII digits; b"" if it has none that
        is usable; None at the end of input."""
        length: bytes | None = None
        problem = ""
        while True:
            line = await self._stream.readline(MAX_HEADER_LINE)
            if not line:
                return None
            if not line.endswith(b"\n"):
                line = await self._end_of_long_line(line)
            text = line.rstrip(b"\r\n")
            if not text:
                if length is not None:
                    return length
                if problem:
                    log.warning("a frame was skipped: %s", problem)
                    return b""
                continue  # a blank line between frames
            # rfind: after junk (the rest of a body longer than its Content-Length said, glued
            # to the next header), the header is the last thing on the line
            marker = text.lower().rfind(_CONTENT_LENGTH)
            if marker < 0:
                continue  # Content-Type, or junk
            value = text[marker + len(_CONTENT_LENGTH):].strip()
            if value.isdigit():
                length, problem = value, ""
            else:
                length, problem = None, f"Content-Length {value[:40]!r} is not a byte count"

    async def _end_of_long_line(self, start: bytes) -> bytes:
        """The last part of a line longer than any header (its start is junk), read to its end;
        enough of it is kept to find a header that ends it."""
        tail = start
        while not tail.endswith(b"\n"):
            more = await self._stream.readline(MAX_HEADER_LINE)
            if not more:
                break
            tail = tail[-MAX_HEADER_LINE:] + more
        return tail


def _chunk_reader(stdin: BinaryIO) -> Callable[[], bytes]:
    try:
        return functools.partial(os.read, stdin.fileno(), READ_CHUNK)
    except (AttributeError, OSError, ValueError):  # a file object without a descriptor (tests)
        return functools.partial(getattr(stdin, "read1", stdin.read), READ_CHUNK)


def _pollable_fd(stdin: BinaryIO, loop: asyncio.AbstractEventLoop) -> int | None:
    """stdin's descriptor if the event loop can watch it (a pipe, a socket, a terminal); None
    for a regular file, /dev/null or a file object without one."""
    try:
        fd = stdin.fileno()
        loop.add_reader(fd, lambda: None)
    except (AttributeError, OSError, ValueError, NotImplementedError):
        return None
    loop.remove_reader(fd)
    return fd


def stdin_chunks(stdin: BinaryIO) -> ChunkSource:
    """Chunks of stdin, as the reader asks for them.  A pipe (what an editor gives) is watched
    by the event loop itself: a message wakes the loop directly, not a thread that must then
    wake it, which costs a keystroke's answer a few tenths of a millisecond.  Anything else is
    read by a daemon thread; see _thread_chunks."""
    loop = asyncio.get_running_loop()
    fd = _pollable_fd(stdin, loop)
    if fd is None:
        return _thread_chunks(stdin, loop)

    async def next_chunk() -> bytes:
        while True:
            ready = loop.create_future()
            loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
            try:
                await ready
            finally:
                loop.remove_reader(fd)
            try:
                # Readable: a blocking descriptor's read returns what is there without waiting.
                return os.read(fd, READ_CHUNK)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError as exc:
                log.warning("reading stdin failed: %s", exc)
                return b""

    return next_chunk


def _thread_chunks(stdin: BinaryIO, loop: asyncio.AbstractEventLoop) -> ChunkSource:
    """Chunks of stdin, read by a daemon thread: a read blocked on a silent client never keeps
    the process from exiting, as pygls's reads in its thread pool do.  os.read on the file
    descriptor, not the buffered file: a daemon thread holding the buffer's lock at exit makes
    the interpreter abort."""
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    room = threading.Semaphore(16)  # backpressure: at most 16 chunks (1 MiB) ahead of the reader
    read = _chunk_reader(stdin)

    def pump() -> None:
        while True:
            room.acquire()
            try:
                chunk = read()
            except OSError as exc:
                log.warning("reading stdin failed: %s", exc)
                chunk = b""
            try:
                # A callback, not a coroutine: one the closing loop never runs leaves no warning.
                loop.call_soon_threadsafe(queue.put_nowait, chunk)
            except RuntimeError:  # the loop is closed: we are exiting
                return
            if not chunk:
                return

    async def next_chunk() -> bytes:
        chunk = await queue.get()
        room.release()
        return chunk

    threading.Thread(target=pump, name="bblfsh-lsp-stdin", daemon=True).start()
    return next_chunk


# --- messages ----------------------------------------------------------------------------------

def _valid_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def envelope_problem(data: Any) -> str | None:
    """Why data is not a JSON-RPC 2.0 request, notification or response; None if it is one."""
    if not isinstance(data, dict):
        return "a message is a JSON object (batches are not part of LSP)"
    if data.get("jsonrpc") != "2.0":
        return 'a message has "jsonrpc": "2.0"'
    if "id" in data and not _valid_id(data["id"]):
        return "an id is a string or an integer"
    if "method" in data:
        return None if isinstance(data["method"], str) else "a method is a string"
    if "id" in data and ("result" in data or "error" in data):
        return None
    return "a message has a method (a request or notification) or a result or error (a response)"


def _describe_structure_error(exc: Exception) -> str:
    if isinstance(exc, cattrs.BaseValidationError):

        def describe(error: BaseException, expected: Any) -> str:
            text = format_exception(error, expected)
            return f"{text} ({error})" if text == "invalid value" and str(error) else text

        text = "; ".join(cattrs.transform_error(exc, format_exception=describe))
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text.replace("$.params.", "").replace("$.params", "params")[:500]


def _plain_params_hook(message_cls: type) -> Callable[[dict[str, Any], type], Any]:
    def structure(data: dict[str, Any], _cls: type) -> Any:
        params = data.get("params")
        fields = {"method": data["method"], "jsonrpc": data["jsonrpc"], "params": {} if params is None else params}
        if "id" in data:
            fields["id"] = data["id"]
        return message_cls(**fields)

    return structure


def converter() -> cattrs.Converter:
    """pygls's converter, except that methods without an lsprotocol type get plain JSON params."""
    conv = default_converter()
    for message_cls in (JsonRPCRequestMessage, JsonRPCNotification):
        conv.register_structure_hook(message_cls, _plain_params_hook(message_cls))
    return conv


class HardenedProtocol(LanguageServerProtocol):
    """pygls's LSP protocol, fed by :meth:`serve`: every request is answered (see the module)."""

    def __init__(self, server: LanguageServer, converter: cattrs.Converter):
        self.shutdown_requested = False
        self.exit_code: int | None = None  # set by the exit notification
        super().__init__(server, converter)

    # pygls builds a Workspace in its initialize handler; ours keeps LSP's line breaks (text_sync).
    @property
    def _workspace(self) -> Workspace | None:
        return self.__dict__.get("_lsp_workspace")

    @_workspace.setter
    def _workspace(self, workspace: Workspace | None) -> None:
        if workspace is not None and not isinstance(workspace, LspWorkspace):
            workspace = LspWorkspace.like(workspace, self._server._text_document_sync_kind)
        self.__dict__["_lsp_workspace"] = workspace

    async def serve(self, frames: FrameReader) -> int | None:
        """Handle frames until exit or the end of input, then run the server's exit handler.
        The exit status LSP asks for, or None when the input ended without an exit."""
        try:
            while self.exit_code is None:
                frame = await frames.next()
                if frame is None:
                    log.info("the client closed the connection")
                    break
                if isinstance(frame, RefusedFrame):
                    self.reply_error(None, INVALID_REQUEST, frame.reason)
                    continue
                try:
                    self.handle_frame(frame)
                except ConnectionError:  # BrokenPipeError: the client is gone
                    raise
                except Exception:  # a bug in a message's dispatch must not end the session
                    log.exception("a message could not be handled: %.120r", frame)
                # What the message started goes first, before the next one, already read, is
                # handled: a didChange's parse is sent to its driver, which works meanwhile.
                await asyncio.sleep(0)
        except ConnectionError as exc:
            log.info("the client is gone: %s", exc)
        await self._run_exit_handler()
        return self.exit_code

    def _send_response(self, msg_id: Any, result: Any | None = None, error: Any | None = None) -> None:
        # Handlers answer large results as plain JSON data (features.as_json, in a worker
        # thread); sent as a dict, they skip pygls's converter, which walks them again on the
        # event loop.
        if error is None and (result is None or type(result) in (list, dict)):
            self._result_types.pop(msg_id, None)
            self._send_data({"jsonrpc": "2.0", "id": msg_id, "result": result})
            return
        super()._send_response(msg_id, result, error)

    def _send_data(self, data: Any) -> None:
        """Plain JSON data is written with orjson (a tenth of json.dumps's time on 50,000
        symbols, all of it on the event loop); anything else, pygls's way."""
        if type(data) is not dict or self.writer is None:
            return super()._send_data(data)
        try:
            body = orjson.dumps(data)
        except TypeError:  # lsprotocol objects inside, or a lone surrogate: json.dumps copes
            return super()._send_data(data)
        if log.isEnabledFor(logging.INFO):  # as pygls logs what it sends
            log.info("Sending data: %s", body.decode("utf-8", "replace"))
        header = f"Content-Length: {len(body)}\r\nContent-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
        written = self.writer.write(header.encode("ascii") + body)
        if inspect.isawaitable(written):
            asyncio.ensure_future(written)

    def reply_error(self, msg_id: MessageId | None, code: int, message: str) -> None:
        # A plain dict: lsprotocol's converter leaves out an id that is None, and JSON-RPC wants
        # "id": null when the request's id could not be read.
        self._send_data({"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}})

    def handle_frame(self, body: bytes) -> None:
        try:
            data = json.loads(body)
        except (ValueError, RecursionError, MemoryError) as exc:  # UnicodeDecodeError is a ValueError
            log.warning("a message that is not JSON (%s): %.80r", type(exc).__name__, body)
            self.reply_error(None, PARSE_ERROR, f"the message is not JSON: {str(exc)[:200] or type(exc).__name__}")
            return
        self.handle_json(data)

    def handle_json(self, data: Any) -> None:
        problem = envelope_problem(data)
        if problem is not None:
            msg_id = data.get("id") if isinstance(data, dict) and _valid_id(data.get("id")) else None
            log.warning("an invalid message (%s): %.120r", problem, data)
            self.reply_error(msg_id, INVALID_REQUEST, f"invalid message: {problem}")
            return
        if "method" not in data:
            self._handle_client_response(data)
        elif "id" in data:
            self._handle_client_request(data)
        else:
            self._handle_client_notification(data)

    def _handle_client_request(self, data: dict[str, Any]) -> None:
        msg_id, method = data["id"], data["method"]
        if self.shutdown_requested:
            self.reply_error(msg_id, INVALID_REQUEST, f"{method}: the server is shutting down (only exit is accepted)")
            return
        if method == types.SHUTDOWN:
            self.shutdown_requested = True
        message = self._structure(data)
        if isinstance(message, str):
            log.warning("%s %r: invalid params: %s", method, msg_id, message)
            self.reply_error(msg_id, INVALID_PARAMS, f"{method}: invalid params: {message}")
            return
        self.handle_message(message)

    def _handle_client_notification(self, data: dict[str, Any]) -> None:
        method = data["method"]
        if method == types.EXIT:
            self.exit_code = 0 if self.shutdown_requested else 1
            return
        if self.shutdown_requested:
            log.info("%s after shutdown: ignored", method)
            return
        message = self._structure(data)
        if isinstance(message, str):
            log.warning("%s: invalid params, the notification is ignored: %s", method, message)
            return
        self.handle_message(message)

    def _handle_client_response(self, data: dict[str, Any]) -> None:
        try:
            message = self.structure_message(data)
        except Exception as exc:  # pygls has logged it; nobody waits for an answer to an answer
            log.warning("an unreadable response to request %r: %s", data.get("id"), exc)
            return
        self.handle_message(message)

    def _structure(self, data: dict[str, Any]) -> Any:
        """The typed message, or what is wrong with its params."""
        params = data.get("params")
        if params is not None and not isinstance(params, (dict, list)):
            return f"params are an object or an array, not {type(params).__name__}"
        fallback = JsonRPCRequestMessage if "id" in data else JsonRPCNotification
        message_type = self.get_message_type(data["method"]) or fallback
        try:
            return self._converter.structure(data, message_type)
        except Exception as exc:  # cattrs' validation errors, and TypeError/ValueError from attrs
            return _describe_structure_error(exc)

    async def _run_exit_handler(self) -> None:
        """The server's handler for exit, which releases what the server holds."""
        handler = self.fm.features.get(types.EXIT)
        if handler is None:
            return
        try:
            result = handler(None)
            if inspect.isawaitable(result):
                await asyncio.wait_for(result, EXIT_HANDLER_SECONDS)
        except Exception:
            log.exception("the exit handler failed")

    @lsp_method(types.EXIT)
    def lsp_exit(self, *args: Any) -> None:
        """Never called: :meth:`serve` ends on exit (pygls's raises SystemExit in the loop)."""


class HardenedLanguageServer(LanguageServer):
    """pygls's language server on :class:`HardenedProtocol`, with its own stdio and TCP loops."""

    def __init__(self, name: str, version: str, **kwargs: Any):
        super().__init__(name, version, protocol_cls=HardenedProtocol, converter_factory=converter, **kwargs)

    protocol: HardenedProtocol

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve on stdio until exit or the end of input.  After an exit without shutdown the
        process exits with status 1 (LSP)."""
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))

        async def serve() -> int | None:
            stream = ByteStream(stdin_chunks(stdin or sys.stdin.buffer))
            return await self.protocol.serve(FrameReader(stream))

        self._run_until_exit(serve())

    def start_tcp(self, host: str, port: int) -> None:
        """Serve one client on TCP, as pygls does; exits as :meth:`start_io` does."""
        self._stop_event = threading.Event()
        self._run_until_exit(self._serve_one_tcp_client(host, port))

    def _run_until_exit(self, session: Coroutine[Any, Any, int | None]) -> None:
        try:
            code = asyncio.run(session)
        except KeyboardInterrupt:
            code = None
        finally:
            self._release_threads()
        if code:
            raise SystemExit(code)

    async def _serve_one_tcp_client(self, host: str, port: int) -> int | None:
        finished: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            if finished.done() or self.protocol.writer is not None:
                writer.close()  # one client per server
                return
            log.info("a client connected from %s", writer.get_extra_info("peername"))
            self.protocol.set_writer(writer)  # type: ignore[arg-type]
            stream = ByteStream(lambda: reader.read(READ_CHUNK))
            try:
                code = await self.protocol.serve(FrameReader(stream))
            finally:
                with contextlib.suppress(Exception):
                    writer.close()
            if not finished.done():
                finished.set_result(code)

        server = await asyncio.start_server(connection, host, port)
        self._server = server
        log.info("serving on %s", ", ".join(str(sock.getsockname()) for sock in server.sockets))
        async with server:
            return await finished

    def _release_threads(self) -> None:
        if self._stop_event is not None:
            self._stop_event.set()
        if self._thread_pool is not None:  # pygls's pool; waiting for it could wait for ever
            self._thread_pool.shutdown(wait=False, cancel_futures=True)
