"""Request/response over a byte stream pair, framed as JSON lines (the driver protocol)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from driver_runtime.errors import DriverCrashed, DriverTimeout
from driver_runtime.large_frames import LARGE_FRAME_BYTES, decode_large
from driver_runtime.sdk import protocol
from driver_runtime.sdk.protocol import DriverRequestError, ErrorCode, RequestError

# Large enough for the UAST of any file the server accepts (the line is the frame).
FRAME_LIMIT = 1 << 30


class Writer(Protocol):
    """What the channel needs of a writable stream (asyncio.StreamWriter is one)."""

    def write(self, data: bytes) -> None: ...

    async def drain(self) -> None: ...


class Channel:
    """One request in flight at a time; after a timeout or EOF the channel is dead."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: Writer,
        describe_death: Callable[[], Awaitable[str]] | None = None,
    ):
        self._reader = reader
        self._writer = writer
        self._lock = asyncio.Lock()
        self._ids = itertools.count(1)
        self._describe_death = describe_death
        self.dead = False

    async def _died(self, what: str) -> DriverCrashed:
        self.dead = True
        detail = await self._describe_death() if self._describe_death else ""
        return DriverCrashed(f"{what}{': ' + detail if detail else ''}")

    async def call(self, method: str, params: Any = None, timeout: float | None = None) -> Any:
        async with self._lock:
            if self.dead:
                raise DriverCrashed("the driver's channel is closed")
            request_id = next(self._ids)
            try:
                async with asyncio.timeout(timeout):
                    self._writer.write(protocol.request_frame(request_id, method, params))
                    await self._writer.drain()
                    while True:
                        line = await self._reader.readline()
                        if not line:
                            raise await self._died("the driver exited before answering")
                        if not line.strip():
                            continue
                        try:
                            message = (protocol.decode(line) if len(line) < LARGE_FRAME_BYTES
                                       else await asyncio.to_thread(decode_large, line))
                        except protocol.FrameTooDeep as exc:
                            # The whole frame was read, so the channel is still in step.
                            raise DriverRequestError(RequestError(ErrorCode.UNSUPPORTED, str(exc))) from None
                        if message.get("id") == request_id:
                            break
                        # An answer to an earlier request that timed out cannot arrive (the
                        # channel dies on timeout), so anything else is a protocol violation.
                        raise await self._died(f"the driver answered an unknown request id {message.get('id')!r}")
            except TimeoutError:
                self.dead = True
                raise DriverTimeout(f"the driver did not answer within {timeout:g} s") from None
            except (ConnectionError, BrokenPipeError) as exc:
                raise await self._died(f"the driver's channel broke ({exc})") from None
            except ValueError as exc:
                raise await self._died(f"the driver sent a malformed frame ({exc})") from None
        if "error" in message:
            error = message["error"] or {}
            try:
                code = ErrorCode(error.get("code"))
            except ValueError:
                code = ErrorCode.INTERNAL
            raise DriverRequestError(RequestError(code=code, message=str(error.get("message", ""))))
        return message.get("result")
