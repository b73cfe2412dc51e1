"""One door to the drivers: parse a text, and the runtime picks, pools and restarts drivers.

The service also follows what is installed: when a driver is updated (by `bblfsh-lsp driver
update`, from another process or from the editor), its pool swaps to the new image blue/green,
without dropping a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from driver_runtime import languages
from driver_runtime.errors import DriverError, NoDriver, StateError, UnknownLanguage
from driver_runtime.pool import DriverPool, PoolSettings
from driver_runtime.registry import Registry
from driver_runtime.runtime_names import PROCESS
from driver_runtime.runtimes import Choice
from driver_runtime.runtimes.base import Runtime
from driver_runtime.sdk import protocol
from driver_runtime.sdk.protocol import DriverRequestError, Manifest, Mode, ParseRequest, ParseResult
from driver_runtime.state import StateStore

log = logging.getLogger(__name__)

# (logging level, message) -> None: what the user should hear about the drivers.
Notice = Callable[[int, str], None]
# A logging level between INFO and WARNING: news for the user (an editor shows it), not a problem.
NOTICE = 25
logging.addLevelName(NOTICE, "NOTICE")
DEADLINE_UNIT_CHARS = 1 << 20  # the size of source a request deadline is meant for


class DriverService:
    def __init__(self, runtime: Runtime, registry: Registry, settings: PoolSettings | None = None,
                 fallback: Runtime | None = None, on_notice: Notice | None = None):
        """`fallback` runs the bundled drivers of languages that `runtime` has no driver for;
        `on_notice(level, message)` hears what the user should be told (logging levels: INFO for
        a fallback, WARNING/ERROR for swaps that did not happen)."""
        self.runtime = runtime
        self.registry = registry
        self.settings = settings or PoolSettings()
        self.fallback = fallback
        self.fallback_registry = Registry.bundled() if fallback is not None else Registry()
        self._notice = on_notice or log.log
        self._pools: dict[str, DriverPool] = {}
        self._lock = asyncio.Lock()
        self._watcher: asyncio.Task[None] | None = None

    @classmethod
    def for_choice(cls, choice: Choice, settings: PoolSettings | None = None,
                   on_notice: Notice | None = None) -> DriverService:
        """A service on a chosen runtime, with the drivers installed for it."""
        return cls(choice.runtime, Registry.for_runtime(choice.runtime.name), settings, choice.fallback, on_notice)

    def language_of(self, path: str, head: bytes | str = b"", language: str | None = None) -> str:
        """The Babelfish language for a file, or UnknownLanguage naming why.

        Languages known to Babelfish come first; an installed driver for another language is
        found by its manifest (its name, aliases, extensions and file names).
        """
        registries = (self.registry, self.fallback_registry)
        if language:
            name = languages.canonical(language) or next(
                (found for registry in registries if (found := registry.language_for_name(language))), None)
            if name is None:
                raise UnknownLanguage(f"unknown language {language!r}")
            return name
        name = languages.detect(path, head) or next(
            (found for registry in registries if (found := registry.language_for_path(path))), None)
        if name is None:
            raise UnknownLanguage(f"cannot tell the language of {path or 'this text'} (no known extension or shebang)")
        return name

    def language_names(self) -> frozenset[str]:
        """Every language a file may be parsed as here: Babelfish's, and the installed drivers'."""
        return frozenset((*(language.name for language in languages.LANGUAGES), *self.registry.languages(),
                          *self.fallback_registry.languages()))

    def recognises(self, path: str) -> bool:
        """Whether a file's name alone says its language (a shebang needs its text)."""
        return languages.detect(path) is not None or any(
            registry.language_for_path(path) for registry in (self.registry, self.fallback_registry))

    async def pool(self, language: str) -> DriverPool:
        async with self._lock:
            pool = self._pools.get(language)
            if pool is None:
                spec, runtime = self.registry.get(language), self.runtime
                if spec is None and self.fallback is not None:
                    spec, runtime = self.fallback_registry.get(language), self.fallback
                    if spec is not None:
                        self._notice(
                            logging.INFO, f"no {language} driver is installed for the {self.runtime.name} runtime: its bundled "
                            f"driver runs as a local process (`bblfsh-lsp driver install {language}` installs the image)")
                if spec is None:
                    raise NoDriver(language, self.runtime.name)
                pool = self._pools[language] = DriverPool(runtime, spec, self.settings)
            return pool

    async def parse(
        self,
        content: str,
        path: str = "",
        language: str | None = None,
        mode: Mode = Mode.SEMANTIC,
    ) -> ParseResult:
        """Parse text with the driver for its language.

        Syntax errors come back inside the result; DriverError is raised when no driver could
        answer (unknown language, no driver, crash, deadline), with a message for the user.
        """
        name = self.language_of(path, content[:256], language)
        pool = await self.pool(name)
        request = ParseRequest(content=content, filename=path, language=name, mode=mode)
        # The deadline is for a file of up to a MiB; a larger file gets it once per MiB (the
        # parse, and the transfer of its tree, grow with the size).
        deadline = self.settings.deadline * max(1.0, len(content) / DEADLINE_UNIT_CHARS)
        try:
            result = await pool.request(protocol.METHOD_PARSE, request, deadline)
        except DriverRequestError as exc:
            raise DriverError(f"the {name} driver refused the request: {exc}") from None
        return protocol.converter.structure(result, ParseResult)

    def manifest(self, language: str) -> Manifest | None:
        """The driver's manifest: as its running instances report it, else as installed."""
        pool = self._pools.get(language)
        if pool is not None and pool.manifest is not None:
            return pool.manifest
        spec = self.registry.get(language) or self.fallback_registry.get(language)
        return spec.manifest if spec is not None else None

    def pools(self) -> dict[str, DriverPool]:
        return dict(self._pools)

    # --- following installs ---------------------------------------------------------------------

    async def refresh(self) -> None:
        """Catch up with what is installed now: swap updated drivers blue/green, retire removed
        ones, and move languages off the fallback once their image is installed."""
        if self.runtime.name == PROCESS:
            return
        try:
            registry = await asyncio.to_thread(Registry.for_runtime, self.runtime.name)
        except StateError as exc:
            self._notice(logging.ERROR, f"cannot read the installed drivers: {exc}")
            return
        self.registry = registry
        for language, pool in list(self._pools.items()):
            spec = registry.get(language)
            if pool.runtime is self.runtime and spec is None:
                self._notice(logging.WARNING, f"the {language} driver was removed")
                await self._retire(language, pool)
            elif pool.runtime is self.runtime and spec is not None and spec.digest != pool.spec.digest:
                try:
                    manifest = await pool.swap(spec)
                except DriverError as exc:
                    self._notice(logging.ERROR, f"the new {language} driver was not started, the running one stays: {exc} "
                                 f"(`bblfsh-lsp driver rollback {language}` restores the previous install)")
                else:
                    self._notice(NOTICE, f"the {language} driver is now {manifest.version} ({spec.image}), without downtime")
            elif pool.runtime is not self.runtime and spec is not None:
                # The language ran on the fallback; its image is installed now.
                replacement = DriverPool(self.runtime, spec, self.settings)
                try:
                    await replacement.warm()
                except DriverError as exc:
                    await replacement.close()
                    self._notice(logging.ERROR, f"the installed {language} driver does not start, the local one stays: {exc}")
                    continue
                self._pools[language] = replacement
                self._notice(NOTICE, f"the {language} driver now runs on the {self.runtime.name} runtime")
                await self._retire(language, pool)

    async def _retire(self, language: str, pool: DriverPool) -> None:
        if self._pools.get(language) is pool:
            del self._pools[language]
        await pool.close(drain=True)

    def watch_installs(self, interval: float = 2.0) -> None:
        """Poll the installed-drivers state (one small read) and refresh when it changes."""
        if self._watcher is not None or self.runtime.name == PROCESS:
            return
        state = StateStore()  # the file refresh() reads the registry from

        async def watch() -> None:
            seen = await asyncio.to_thread(state.revision)
            while True:
                await asyncio.sleep(interval)
                current = await asyncio.to_thread(state.revision)
                if current != seen:
                    seen = current
                    await self.refresh()

        self._watcher = asyncio.ensure_future(watch())

    async def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        pools = list(self._pools.values())
        self._pools.clear()
        await asyncio.gather(*(pool.close() for pool in pools), return_exceptions=True)
        for runtime in {self.runtime, self.fallback} - {None}:
            assert runtime is not None
            await runtime.close()
