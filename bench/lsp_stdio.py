"""A minimal LSP client over a server's stdio, for benches that time answers.

Any language server (ours or a peer) is started as a child process; requests and notifications
are written as frames, and a reader task matches answers to their ids.  Each answer carries the
moment its whole frame was read (time.perf_counter()), taken before it is decoded, so that a
bench measures the server and the pipe, not this client's JSON decoding (pygls's client would
also build lsprotocol objects of every answer, which for the outline of a 1 MB file costs more
than some servers take to answer).  The server's own requests are answered as an editor would:
workspace/configuration with the settings given by section, anything else (progress tokens,
capability registrations) with null.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import attrs


class LspFailure(RuntimeError):
    """The server answered with an error, exited, or did not answer in time."""


def write_frame(stream: asyncio.StreamWriter, message: dict[str, Any]) -> None:
    """One LSP frame of a message to a server's stdin."""
    body = json.dumps(message).encode()
    stream.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))


async def read_frame(stream: asyncio.StreamReader, name: str = "the server") -> bytes | None:
    """One LSP frame's body from a server's stdout (None at its end): the frame is read whole
    before anything is decoded, so that an answer's time is when its last byte arrived."""
    length = None
    while True:
        line = await stream.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            break
        key, _, value = line.decode("ascii").partition(":")
        if key.strip().lower() == "content-length":
            length = int(value)
    if length is None:
        raise LspFailure(f"{name}: a frame without Content-Length")
    return await stream.readexactly(length)


@attrs.frozen
class Answer:
    arrived: float  # time.perf_counter() when the whole frame was read
    message: dict[str, Any]

    @property
    def result(self) -> Any:
        if "error" in self.message:
            error = self.message["error"] or {}
            raise LspFailure(f"error {error.get('code')}: {str(error.get('message'))[:200]}")
        return self.message.get("result")


class LspProcess:
    """One language server as a child process, spoken to over its stdin and stdout."""

    def __init__(self, process: asyncio.subprocess.Process, name: str, settings: Mapping[str, Any],
                 log: IO[bytes] | None):
        self.process, self.name, self.settings, self.log = process, name, settings, log
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[Answer]] = {}
        self.capabilities: dict[str, Any] = {}
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, name: str, command: Sequence[str], *, settings: Mapping[str, Any] | None = None,
                    log: Path | None = None, cwd: Path | None = None) -> LspProcess:
        """Start `command`; its stderr goes to `log` (else nowhere)."""
        stream = log.open("wb") if log is not None else None
        process = await asyncio.create_subprocess_exec(
            *command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=stream if stream is not None else asyncio.subprocess.DEVNULL, cwd=cwd, limit=2**20)
        return cls(process, name, settings or {}, stream)

    async def initialize(self, root: Path, capabilities: Mapping[str, Any],
                         options: Mapping[str, Any] | None = None, timeout: float = 120) -> dict[str, Any]:
        """initialize and initialized, with one workspace folder; gives the server's capabilities."""
        answer = await self.request("initialize", {
            "processId": os.getpid(), "rootUri": root.as_uri(), "rootPath": str(root), "capabilities": capabilities,
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            "initializationOptions": dict(options) if options else None}, timeout)
        self.capabilities = (answer.result or {}).get("capabilities") or {}
        self.notify("initialized", {})
        return self.capabilities

    async def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        try:
            while True:
                body = await read_frame(stream, self.name)
                if body is None:
                    return
                arrived = time.perf_counter()
                message = json.loads(body)
                if "method" in message:
                    if "id" in message:
                        self._answer_server(message)
                elif isinstance(message.get("id"), int):
                    future = self.pending.pop(message["id"], None)
                    if future is not None and not future.done():
                        future.set_result(Answer(arrived, message))
        except (asyncio.IncompleteReadError, ConnectionError, LspFailure, ValueError) as exc:
            for future in self.pending.values():
                if not future.done():
                    future.set_exception(LspFailure(f"{self.name}: {type(exc).__name__}: {exc}"))
        finally:
            for future in self.pending.values():
                if not future.done():
                    future.set_exception(LspFailure(f"{self.name} exited ({self.process.returncode})"))

    def _answer_server(self, message: dict[str, Any]) -> None:
        result: Any = None
        if message["method"] == "workspace/configuration":
            items = (message.get("params") or {}).get("items") or []
            result = [self.settings.get(item.get("section") or "") for item in items]
        self._write({"jsonrpc": "2.0", "id": message["id"], "result": result})

    def _write(self, message: dict[str, Any]) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        write_frame(stdin, message)

    def notify(self, method: str, params: Any) -> None:
        self._write({"jsonrpc": "2.0", "method": method, "params": params})

    def send(self, method: str, params: Any) -> asyncio.Future[Answer]:
        """Write a request (flushed at the next await); the future is its answer."""
        ident = next(self.ids)
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self.pending[ident] = future
        self._write({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        return future

    async def request(self, method: str, params: Any, timeout: float = 300) -> Answer:
        future = self.send(method, params)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise LspFailure(f"{self.name}: no answer to {method} in {timeout:g} s") from None

    async def close(self) -> None:
        """shutdown and exit; a server that does not go is killed."""
        with contextlib.suppress(LspFailure, ConnectionError, OSError):
            await self.request("shutdown", None, timeout=20)
            self.notify("exit", None)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.process.wait(), 10)
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.reader
        if self.log is not None:
            self.log.close()
