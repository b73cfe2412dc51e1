"""The attach connection of a driver's container: its stdin, stdout and stderr over one stream.

A container is created with stdin open and no TTY and attached *before* it starts, so no early
output is lost; requests then go over that one connection, with no HTTP call per request.
Without a TTY the engine multiplexes stdout and stderr into frames
(``[stream][0 0 0][size, u32 big-endian][payload]``); they are split here into the StreamReader
the :class:`Channel` reads (stdout) and the stderr tail. When the attach connection is a real
socket (unix, tcp) it is driven by the event loop itself; otherwise (TLS, an ssh channel) a thread
reads it.

Closing stdin half-closes the connection: the engine then closes the container's stdin
(``StdinOnce``) and the driver exits at EOF. Over ssh the half-close is the channel's EOF:
``dial-stdio`` on the remote host passes it on to the engine as a half-close of its own, so the
driver sees EOF there as well.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable
from typing import Any

_STDOUT, _STDERR = 1, 2
_HEADER = 8
_READ_SIZE = 1 << 16


class Demultiplexer:
    """Splits the engine's framed attach stream into stdout and stderr, as bytes arrive.

    Payloads are passed on as they come (a frame is not a line, and a large frame need not be
    buffered whole); only the 8-byte headers are reassembled.
    """

    def __init__(self, stdout: Callable[[bytes], None], stderr: Callable[[bytes], None]):
        self._sinks = {_STDOUT: stdout, _STDERR: stderr}
        self._header = bytearray()
        self._stream = 0
        self._left = 0

    def feed(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if self._left:
                size = min(self._left, len(view))
                sink = self._sinks.get(self._stream)
                if sink is not None:  # stream 0 (stdin) is never sent back
                    sink(bytes(view[:size]))
                view = view[size:]
                self._left -= size
                continue
            need = _HEADER - len(self._header)
            self._header += view[:need]
            view = view[need:]
            if len(self._header) == _HEADER:
                self._stream = self._header[0]
                self._left = int.from_bytes(self._header[4:8], "big")
                self._header.clear()


class NativeAttach(asyncio.Protocol):
    """The attach connection on the event loop: a Protocol feeding the demultiplexer, and the
    writer (write/drain) the Channel needs."""

    def __init__(self, reader: asyncio.StreamReader, on_stderr: Callable[[bytes], None]):
        self._reader = reader
        self._demux = Demultiplexer(reader.feed_data, on_stderr)
        self._transport: asyncio.Transport | None = None
        self._paused = False
        self._drain_waiter: asyncio.Future[None] | None = None
        self.closed = False

    # protocol side
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._reader.set_transport(transport)  # lets the reader pause reading when it is full

    def data_received(self, data: bytes) -> None:
        self._demux.feed(data)

    def eof_received(self) -> bool:
        self._reader.feed_eof()
        return False  # the engine ends the stream when the container exits: close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._reader.feed_eof()
        self._wake(exc or ConnectionResetError("the attach connection closed"))

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        self._wake(None)

    def _wake(self, exc: BaseException | None) -> None:
        waiter, self._drain_waiter = self._drain_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc) if exc is not None else waiter.set_result(None)

    # writer side
    def write(self, data: bytes) -> None:
        if self.closed or self._transport is None:
            raise ConnectionResetError("the attach connection is closed")
        self._transport.write(data)

    async def drain(self) -> None:
        if self.closed:
            raise ConnectionResetError("the attach connection is closed")
        if self._paused:
            self._drain_waiter = asyncio.get_running_loop().create_future()
            await self._drain_waiter

    def close_stdin(self) -> bool:
        if self._transport is None or self.closed or not self._transport.can_write_eof():
            return False
        self._transport.write_eof()  # shutdown(SHUT_WR), once queued data is sent
        return True

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


class ThreadedAttach:
    """The attach connection when it is not a plain socket (TLS, ssh): a thread reads it and
    hands the bytes to the event loop; writes go through a worker thread.

    ``owner``: what holds the connection and is closed with it (over ssh, the attach connection's
    own client and ssh connection)."""

    def __init__(self, connection: Any, reader: asyncio.StreamReader, on_stderr: Callable[[bytes], None],
                 owner: Any = None):
        self._connection = connection
        self._owner = owner
        self._reader = reader
        self._demux = Demultiplexer(reader.feed_data, on_stderr)
        self._loop = asyncio.get_running_loop()
        self._pending: list[bytes] = []
        self.closed = False
        # A client made with use_ssh_client=True hands over its SSHSocket: an `ssh` child on pipes.
        process = getattr(connection, "proc", None)
        self._process: subprocess.Popen[bytes] | None = process
        self._shutdown_write: Callable[[], None] | None
        if process is not None:
            # Its recv() reads until n bytes arrive; read1() returns what is there.
            self._recv: Callable[[int], bytes] = process.stdout.read1
            self._shutdown_write = process.stdin.close
        else:
            self._recv = connection.recv
            if isinstance(connection, ssl.SSLSocket):
                # No half-close over TLS: SSLSocket.shutdown() drops the TLS layer, and the
                # answers still to come could not be read. Stopping kills the container instead.
                self._shutdown_write = None
            else:  # a paramiko channel (its EOF: the remote dial-stdio half-closes), or a socket
                self._shutdown_write = getattr(connection, "shutdown_write", None) or (
                    lambda: connection.shutdown(socket.SHUT_WR))
        with contextlib.suppress(Exception):
            connection.settimeout(None)  # the SDK leaves its request timeout on the socket
        self._thread = threading.Thread(target=self._pump, name="docker-attach", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        try:
            while chunk := self._recv(_READ_SIZE):
                self._loop.call_soon_threadsafe(self._demux.feed, chunk)
        except (OSError, ValueError, EOFError):
            pass
        finally:
            with contextlib.suppress(RuntimeError):  # the loop may be closed already
                self._loop.call_soon_threadsafe(self._ended)
            # The stream has ended: release what carried it (off the event loop, as this may wait).
            if self._process is not None:
                with contextlib.suppress(Exception):
                    self._process.wait(5)
            if self._owner is not None:
                with contextlib.suppress(Exception):
                    self._owner.close()

    def _ended(self) -> None:
        self.closed = True
        self._reader.feed_eof()

    def write(self, data: bytes) -> None:
        if self.closed:
            raise ConnectionResetError("the attach connection is closed")
        self._pending.append(data)

    async def drain(self) -> None:
        data, self._pending = b"".join(self._pending), []
        if data:
            await asyncio.to_thread(self._connection.sendall, data)

    def close_stdin(self) -> bool:
        if self._shutdown_write is None or self.closed:
            return False
        self._shutdown_write()
        return True

    def close(self) -> None:
        """Drop the connection; the reading thread then ends (and closes the owner)."""
        if self._process is not None:
            # Not SSHSocket.close(): it writes two newlines down the stream first (to the driver).
            with contextlib.suppress(Exception):
                self._process.terminate()
            return
        with contextlib.suppress(Exception):
            self._connection.shutdown(socket.SHUT_RDWR)  # wakes the reading thread
        with contextlib.suppress(Exception):
            self._connection.close()


Attach = NativeAttach | ThreadedAttach


async def connect_attach(hijacked: Any, reader: asyncio.StreamReader, on_stderr: Callable[[bytes], None],
                         native: bool, owner: Any = None) -> Attach:
    """Take over the connection ``attach_socket`` returned (and ``owner``, closed with it)."""
    raw = getattr(hijacked, "_sock", hijacked)  # unix and tcp: a SocketIO around the socket
    if native and type(raw) is socket.socket:
        # The loop gets its own descriptor, and the SDK's objects are closed: no one else holds
        # the connection, so half-closing and closing it do what they say.
        sock = raw.dup()
        response = getattr(hijacked, "_response", None)
        for closable in (response, hijacked, raw):
            with contextlib.suppress(Exception):
                if closable is not None:
                    closable.close()
        sock.setblocking(False)
        protocol = NativeAttach(reader, on_stderr)
        await asyncio.get_running_loop().connect_accepted_socket(lambda: protocol, sock)
        return protocol
    return ThreadedAttach(raw, reader, on_stderr, owner)
