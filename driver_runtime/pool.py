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
from typing import Any

import attrs

from driver_runtime.errors import DriverCrashed, DriverError, DriverTimeout, DriverUnavailable
from driver_runtime.runtimes.base import DriverSpec, Instance, Runtime
from driver_runtime.sdk.protocol import PROTOCOL_VERSION, DriverRequestError, Manifest, protocol_compatible

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
        for attempt in (1, 2):
            instance = await self._acquire()
            call = asyncio.ensure_future(instance.request(method, params, deadline or self.settings.deadline))
            try:
                # Shielded: if our caller gives up, the instance still finishes its request and
                # goes back to the pool instead of being killed mid-parse.
                result = await asyncio.shield(call)
            except asyncio.CancelledError:
                self._after_abandoned(instance, call)
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

    async def _acquire(self) -> Instance:
        async with self._cond:
            while True:
                if self._closed:
                    raise DriverUnavailable(f"the {self.language} driver pool is closed")
                if self.failed:
                    raise DriverUnavailable(self.failed)
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
