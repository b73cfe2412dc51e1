"""The keep-alive pool: warm driver instances for one language, whatever the runtime.

Requests take an idle instance or start a new one up to ``max_instances``; an instance that
misses its deadline is killed and replaced; a crash is retried once on a fresh instance; a
driver that keeps crashing is marked failed instead of being restarted in a storm.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import attrs

from driver_runtime.errors import DriverCrashed, DriverError, DriverTimeout, DriverUnavailable
from driver_runtime.runtimes.base import DriverSpec, Instance, Runtime
from driver_runtime.sdk.protocol import (
    METHOD_CLOSE,
    METHOD_EDIT,
    METHOD_PARSE,
    PROTOCOL_VERSION,
    CloseRequest,
    DriverRequestError,
    EditRequest,
    ErrorCode,
    Manifest,
    ParseRequest,
    TextEdit,
    document_digest,
    protocol_compatible,
    speaks_documents,
)
from driver_runtime.sdk.text import common_prefix, common_suffix

log = logging.getLogger(__name__)


@attrs.frozen
class PoolSettings:
    min_instances: int = 0
    max_instances: int = 2
    idle_timeout: float = 300.0  # seconds an instance above min_instances may stay idle
    deadline: float = 30.0  # seconds a request may take before its instance is killed
    start_timeout: float = 30.0  # seconds to start an instance and pass its health check
    crash_limit: int = 3  # this many crashes ...
    crash_window: float = 60.0  # ... within this many seconds mark the driver failed


# The documents a pool remembers where they are kept: an editor's open files.
MAX_HELD_DOCUMENTS = 64


@attrs.frozen
class _Held:
    """An instance keeps a document's text (these bytes), as the parse numbered `sequence` left it."""

    instance: Instance
    data: bytes
    sequence: int


def byte_edit(old: bytes, new: bytes) -> TextEdit:
    """The one edit that turns `old` into `new`: what lies between their common prefix and
    common suffix, its ends on character boundaries."""
    start = common_prefix(old, new)
    suffix = common_suffix(old, new, min(len(old), len(new)) - start)
    while 0 < start < len(new) and 0x80 <= new[start] < 0xC0:  # not inside a UTF-8 sequence
        start -= 1
    while suffix > 0 and 0x80 <= new[len(new) - suffix] < 0xC0:
        suffix -= 1
    return TextEdit(start=start, end=len(old) - suffix,
                    text=new[start:len(new) - suffix].decode("utf-8", "surrogatepass"))


class DriverPool:
    def __init__(self, runtime: Runtime, spec: DriverSpec, settings: PoolSettings | None = None):
        self.runtime = runtime
        self.spec = spec
        self.settings = settings or PoolSettings()
        self.failed: str | None = None
        self.manifest: Manifest | None = None  # as the running driver reports it
        self._idle: list[tuple[Instance, float]] = []  # (instance, idle since), most recent last
        self._busy: set[Instance] = set()
        # Which driver version each instance runs: a swap bumps the generation, and instances of
        # an older one are stopped as soon as they are free.
        self.generation = 0
        self._generation_of: dict[Instance, int] = {}
        self._starting = 0
        self._crashes: collections.deque[float] = collections.deque()
        self._cond = asyncio.Condition()
        self._reaper: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._closed = False
        # Documents kept by instances (protocol 1.2): which instance holds which text of each.
        self._held: collections.OrderedDict[str, _Held] = collections.OrderedDict()
        self._sequence = 0

    @property
    def language(self) -> str:
        return self.spec.language

    @property
    def size(self) -> int:
        return len(self._idle) + len(self._busy) + self._starting

    def stats(self) -> dict[str, int]:
        return {"idle": len(self._idle), "busy": len(self._busy), "starting": self._starting}

    # --- the one verb callers use --------------------------------------------------------------

    async def request(self, method: str, params: Any = None, deadline: float | None = None) -> Any:
        """Run one request on some instance; retried once if the instance crashes.  `deadline`
        replaces the settings' for this request (a large file takes longer)."""
        return await self._run(lambda instance: instance.request(method, params, deadline or self.settings.deadline))

    async def parse_document(self, request: ParseRequest, deadline: float | None = None) -> Any:
        """Parse a document the editor holds open (request.document names it): a driver that
        keeps documents (protocol 1.2) and holds its previous text is sent the edit alone (the
        bytes that differ), else the whole text, which it then keeps."""
        data = request.content.encode("utf-8", "surrogatepass")
        self._sequence += 1
        sequence = self._sequence
        held = self._held.get(request.document)
        timeout = deadline or self.settings.deadline

        async def call(instance: Instance) -> Any:
            result = None
            if held is not None and held.instance is instance:
                edit = byte_edit(held.data, data)
                params = EditRequest(document=request.document, edits=[edit], digest=document_digest(data),
                                     filename=request.filename, language=request.language, mode=request.mode,
                                     parts=request.parts)
                try:
                    result = await instance.request(METHOD_EDIT, params, timeout)
                except DriverRequestError as exc:
                    if exc.error.code not in (ErrorCode.UNKNOWN_DOCUMENT, ErrorCode.UNKNOWN_METHOD):
                        raise
            if result is None:
                result = await instance.request(METHOD_PARSE, request, timeout)
            self._hold(request.document, _Held(instance, data, sequence))
            return result

        if self.manifest is None:
            await self.warm()  # what protocol the driver speaks decides what it is sent
        if self.manifest is not None and not speaks_documents(self.manifest.protocol_version):
            return await self.request(METHOD_PARSE, attrs.evolve(request, document=""), deadline)
        return await self._run(call, prefer=held.instance if held is not None else None)

    def forget(self, document: str) -> None:
        """The editor closed a document: its driver may drop it (it would in time anyway)."""
        held = self._held.pop(document, None)
        if held is not None:
            self._spawn(self._close_document(held.instance, document))

    async def _close_document(self, instance: Instance, document: str) -> None:
        async with self._cond:  # only if it is idle still: closing is not worth a wait
            if not any(idle is instance for idle, _ in self._idle):
                return
            self._idle = [(idle, since) for idle, since in self._idle if idle is not instance]
            self._busy.add(instance)
        try:
            with contextlib.suppress(DriverError, DriverRequestError):
                await instance.request(METHOD_CLOSE, CloseRequest(document), self.settings.deadline)
        finally:
            await self._release(instance)

    def _hold(self, document: str, held: _Held) -> None:
        current = self._held.get(document)
        if current is not None and current.sequence > held.sequence:
            return  # a later parse of the document already answered (this one was abandoned)
        self._held[document] = held
        self._held.move_to_end(document)
        while len(self._held) > MAX_HELD_DOCUMENTS:
            self._held.popitem(last=False)

    async def _run(self, call: Callable[[Instance], Awaitable[Any]], prefer: Instance | None = None) -> Any:
        """`call` on an instance (`prefer` if it is idle); retried once on a fresh one if the
        instance crashes."""
        for attempt in (1, 2):
            instance = await self._acquire(prefer if attempt == 1 else None)
            call_ = asyncio.ensure_future(call(instance))
            try:
                # Shielded: if our caller gives up, the instance still finishes its request and
                # goes back to the pool instead of being killed mid-parse.
                result = await asyncio.shield(call_)
            except asyncio.CancelledError:
                self._after_abandoned(instance, call_)
                raise
            except DriverRequestError:
                await self._release(instance)
                raise
            except DriverTimeout as exc:
                await self._discard(instance)
                raise DriverTimeout(f"the {self.language} driver {exc}; it was stopped and is being replaced") from None
            except DriverCrashed as exc:
                await self._discard(instance)
                self._record_crash(exc)
                log.warning("%s crashed: %s", instance.id, exc)
                if attempt == 2 or self.failed:
                    raise DriverCrashed(f"the {self.language} driver crashed: {exc}") from None
                continue
            await self._release(instance)
            return result
        raise AssertionError("unreachable")

    async def warm(self) -> None:
        """Start instances up to min_instances (and at least one, to surface start errors early)."""
        wanted = max(self.settings.min_instances, 1) - self.size
        for _ in range(max(wanted, 0)):
            instance = await self._acquire()
            await self._release(instance)

    async def close(self, drain: bool = False) -> None:
        """Stop every instance; with drain, busy ones first finish their request (up to a deadline)."""
        self._closed = True
        if self._reaper is not None:
            self._reaper.cancel()
        if drain:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.deadline):
                    async with self._cond:
                        await self._cond.wait_for(lambda: not self._busy)
        async with self._cond:
            instances = [instance for instance, _ in self._idle] + list(self._busy)
            self._idle.clear()
            self._busy.clear()
            self._cond.notify_all()
        await asyncio.gather(*(self._stop(instance) for instance in instances), return_exceptions=True)
        for task in list(self._background):
            task.cancel()

    def reset(self) -> None:
        """Forget past crashes (after the driver was reinstalled)."""
        self.failed = None
        self._crashes.clear()

    # --- instances -------------------------------------------------------------------------

    async def _acquire(self, prefer: Instance | None = None) -> Instance:
        async with self._cond:
            while True:
                if self._closed:
                    raise DriverUnavailable(f"the {self.language} driver pool is closed")
                if self.failed:
                    raise DriverUnavailable(self.failed)
                for position, (instance, _) in enumerate(self._idle):
                    if instance is prefer and instance.alive:
                        del self._idle[position]
                        self._busy.add(instance)
                        return instance
                while self._idle:
                    instance, _ = self._idle.pop()
                    if instance.alive:
                        self._busy.add(instance)
                        return instance
                    self._spawn(self._stop(instance))
                if len(self._busy) + self._starting < self.settings.max_instances:
                    self._starting += 1
                    break
                await self._cond.wait()
        generation = self.generation
        try:
            instance, manifest = await self._start_instance(self.spec)
        except BaseException as exc:
            async with self._cond:
                self._starting -= 1
                self._cond.notify()
            if isinstance(exc, DriverError):
                self._record_crash(exc)  # a driver that cannot start is failing too (no restart storms)
            raise
        async with self._cond:
            self._starting -= 1
            self._busy.add(instance)
            self._generation_of[instance] = generation
            if generation == self.generation:
                self.manifest = manifest
        self._ensure_reaper()
        return instance

    async def _start_instance(self, spec: DriverSpec) -> tuple[Instance, Manifest]:
        """A started, health-checked instance of spec (DriverUnavailable says why not)."""
        timeout = self.settings.start_timeout
        try:
            async with asyncio.timeout(timeout):
                instance = await self.runtime.start(spec)
        except TimeoutError:
            raise DriverUnavailable(f"the {self.language} driver did not start within {timeout:g} s") from None
        try:
            manifest = await instance.health(timeout=timeout)
        except (DriverError, DriverRequestError) as exc:
            await instance.stop()
            raise DriverUnavailable(f"the {self.language} driver failed its health check: {exc}") from None
        if not protocol_compatible(manifest.protocol_version):
            await instance.stop()
            raise DriverUnavailable(
                f"the {self.language} driver speaks protocol {manifest.protocol_version}, "
                f"this runtime speaks {PROTOCOL_VERSION}")
        log.info("started %s (%s runtime)", instance.id, self.runtime.name)
        return instance, manifest

    async def swap(self, spec: DriverSpec) -> Manifest:
        """Blue/green update: start and health-check an instance of `spec` first; then new
        requests go to the new driver, idle old instances stop, and busy ones stop as soon as
        their request is answered.  If the new driver does not pass its health check, nothing
        changes and DriverUnavailable says why."""
        instance, manifest = await self._start_instance(spec)
        async with self._cond:
            if self._closed:
                await instance.stop()
                raise DriverUnavailable(f"the {self.language} driver pool is closed")
            old_idle = [old for old, _ in self._idle]
            self.generation += 1
            self.spec = spec
            self.manifest = manifest
            self._generation_of[instance] = self.generation
            self._idle = [(instance, time.monotonic())]
            self.reset()  # the crash history was the old driver's
            self._cond.notify_all()
        log.info("swapped the %s driver to %s (%s)", self.language, manifest.version, spec.image or spec.folder)
        await asyncio.gather(*(self._stop(old) for old in old_idle), return_exceptions=True)
        self._ensure_reaper()
        return manifest

    async def _release(self, instance: Instance) -> None:
        async with self._cond:
            self._busy.discard(instance)
            outdated = self._generation_of.get(instance) != self.generation
            if self._closed or outdated or not instance.alive:
                self._spawn(self._stop(instance))
            else:
                self._idle.append((instance, time.monotonic()))
            self._cond.notify()

    async def _discard(self, instance: Instance) -> None:
        async with self._cond:
            self._busy.discard(instance)
            self._cond.notify()
        await self._stop(instance)

    async def _stop(self, instance: Instance) -> None:
        self._generation_of.pop(instance, None)
        await instance.stop()

    def _after_abandoned(self, instance: Instance, call: asyncio.Future[Any]) -> None:
        async def settle() -> None:
            with contextlib.suppress(BaseException):
                await call
            if instance.alive:
                await self._release(instance)
            else:
                await self._discard(instance)

        self._spawn(settle())

    def _record_crash(self, exc: BaseException) -> None:
        now = time.monotonic()
        self._crashes.append(now)
        while self._crashes and now - self._crashes[0] > self.settings.crash_window:
            self._crashes.popleft()
        if len(self._crashes) >= self.settings.crash_limit and not self.failed:
            self.failed = (
                f"the {self.language} driver failed {len(self._crashes)} times within "
                f"{self.settings.crash_window:g} s (last: {exc}); it is not restarted again until "
                f"it is reinstalled or the server restarts"
            )
            log.error(self.failed)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # --- reaping idle instances ------------------------------------------------------------

    def _ensure_reaper(self) -> None:
        if self._reaper is None or self._reaper.done():
            self._reaper = asyncio.ensure_future(self._reap_forever())

    async def _reap_forever(self) -> None:
        period = max(min(self.settings.idle_timeout / 2, 30.0), 0.05)
        while not self._closed:
            await asyncio.sleep(period)
            await self.reap()

    async def reap(self) -> None:
        """Stop instances idle for longer than idle_timeout, keeping min_instances."""
        now = time.monotonic()
        async with self._cond:
            keep: list[tuple[Instance, float]] = []
            stale: list[Instance] = []
            # Oldest first, so the most recently used (warmest) instances are the ones kept.
            for instance, since in self._idle:
                surplus = self.size - len(stale) > self.settings.min_instances
                if surplus and (now - since >= self.settings.idle_timeout or not instance.alive):
                    stale.append(instance)
                else:
                    keep.append((instance, since))
            self._idle = keep
        for instance in stale:
            log.info("stopping idle %s", instance.id)
            await self._stop(instance)
