"""What each worker keeps across tasks: one DriverService (its warm driver pools) on an event
loop of its own, built with the settings the client was given, as the CLI builds its own."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import attrs
from distributed import WorkerPlugin, get_worker

from driver_runtime.service import DriverService

T = TypeVar("T")
CLOSE_SECONDS = 30.0


@attrs.frozen
class DriverSettings:
    """What the workers' drivers are chosen by: the client's --runtime and --driver."""

    runtime: str
    drivers: tuple[tuple[str, str], ...] = ()

    @property
    def plugin_name(self) -> str:
        """One plugin per settings: clients that agree share a worker's warm pools."""
        digest = hashlib.sha256(repr((self.runtime, self.drivers)).encode()).hexdigest()[:12]
        return f"bblfsh-lsp-drivers-{digest}"


class DriverPlugin(WorkerPlugin):
    """Registered by the client; set up on every worker (those that join later too)."""

    # Registered again by the next client with the same settings: the warm pools are kept.
    idempotent = True

    def __init__(self, settings: DriverSettings):
        self.settings = settings
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        self.service: DriverService | None = None
        self.cache: dict[Any, Any] = {}  # per worker: compiled searches by their spec

    def setup(self, worker: Any) -> None:
        # The service's pipes belong to one loop; the worker's own runs Dask's comms, and tasks
        # run in its thread pool: the drivers get a loop in a thread of their own.
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="bblfsh-lsp-drivers", daemon=True)
        self.thread.start()
        self.service = self.run(self._service())

    async def _service(self) -> DriverService:
        from bblfsh_lsp.cli import _service  # the CLI's own recipe: the same pools as a local run

        return _service(argparse.Namespace(runtime=self.settings.runtime, driver=list(self.settings.drivers)))

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run `work` on the drivers' loop and wait for it (from a task's thread)."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(work, self.loop).result()

    def teardown(self, worker: Any) -> None:
        if self.loop is None:
            return
        try:
            if self.service is not None:
                asyncio.run_coroutine_threadsafe(self.service.close(), self.loop).result(CLOSE_SECONDS)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            if self.thread is not None:
                self.thread.join(CLOSE_SECONDS)


def worker_plugin(name: str) -> DriverPlugin:
    """This worker's plugin (in a task): registered by the client before any task."""
    plugin = get_worker().plugins.get(name)
    if not isinstance(plugin, DriverPlugin):
        raise RuntimeError(f"the worker has no {name} plugin: was the client's register_plugin lost?")
    return plugin
