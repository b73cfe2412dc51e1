"""One door to the drivers: parse a text, and the runtime picks, pools and restarts drivers.

The service also follows what is installed: when a driver is updated (by `bblfsh-lsp driver
update`, from another process or from the editor), its pool swaps to the new image blue/green,
without dropping a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping

from driver_runtime import languages
from driver_runtime.driver_choice import DriverChoice, Place, Preference, choose_driver, preference_for
from driver_runtime.errors import DriverError, NoDriver, StateError, UnknownLanguage
from driver_runtime.pool import DriverPool, PoolSettings
from driver_runtime.registry import Registry
from driver_runtime.runtime_names import PROCESS
from driver_runtime.runtimes import Choice
from driver_runtime.runtimes.base import Runtime
from driver_runtime.sdk import protocol
from driver_runtime.sdk.protocol import DEFAULT_PARTS, DriverRequestError, Manifest, Mode, ParseRequest, ParseResult

log = logging.getLogger(__name__)

# (logging level, message) -> None: what the user should hear about the drivers.
Notice = Callable[[int, str], None]
# A logging level between INFO and WARNING: news for the user (an editor shows it), not a problem.
NOTICE = 25
logging.addLevelName(NOTICE, "NOTICE")
DEADLINE_UNIT_CHARS = 1 << 20  # the size of source a request deadline is meant for


class DriverService:
    def __init__(self, runtime: Runtime, registry: Registry, settings: PoolSettings | None = None,
                 fallback: Runtime | None = None, on_notice: Notice | None = None,
                 preferences: Mapping[str, str] | None = None):
        """`fallback` runs the bundled drivers of languages that `runtime` has no driver for;
        `on_notice(level, message)` hears what the user should be told (logging levels: INFO for
        a fallback, WARNING/ERROR for swaps that did not happen); `preferences` maps a language
        (or "*") to "auto", "native" or "universal" (driver_choice.Preference)."""
        self.runtime = runtime
        self.registry = registry
        self.settings = settings or PoolSettings()
        self.fallback = fallback
        self.fallback_registry = Registry.bundled() if fallback is not None else Registry()
        self.preferences = {language: Preference(value).value for language, value in (preferences or {}).items()}
        self._notice = on_notice or log.log
        # One pool per driver and runtime (the universal driver's serves all its languages), and
        # the choice each language was given.
        self._pools: dict[tuple[str, str], DriverPool] = {}
        self._served: dict[str, DriverChoice] = {}
        # The instances start_early() is starting, by pool, until they are up (or failed).
        self._early: dict[DriverPool, set[asyncio.Task[None]]] = {}
        self._lock = asyncio.Lock()
        self._watcher: asyncio.Task[None] | None = None
        self._refreshing = asyncio.Lock()  # the watcher and an editor's command may both refresh: one swap

    @classmethod
    def for_choice(cls, choice: Choice, settings: PoolSettings | None = None,
                   on_notice: Notice | None = None, preferences: Mapping[str, str] | None = None) -> DriverService:
        """A service on a chosen runtime, with the drivers installed for it."""
        return cls(choice.runtime, Registry.for_runtime(choice.runtime.name), settings, choice.fallback, on_notice,
                   preferences)

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
        return frozenset((*languages.names(), *self.registry.languages(), *self.fallback_registry.languages()))

    def recognises(self, path: str) -> bool:
        """Whether a file's name alone says its language (a shebang needs its text)."""
        return languages.detect(path) is not None or any(
            registry.language_for_path(path) for registry in (self.registry, self.fallback_registry))

    def places(self) -> list[Place]:
        places = [Place(self.runtime, self.registry)]
        if self.fallback is not None:
            places.append(Place(self.fallback, self.fallback_registry, fallback=True))
        return places

    def driver_for(self, language: str) -> DriverChoice:
        """The driver that parses a language now (driver_choice's rule), or NoDriver."""
        served = self._served.get(language)
        if served is not None:
            return served
        choice = choose_driver(language, self.places(), preference_for(language, self.preferences))
        if choice is None:
            raise NoDriver(language, self.runtime.name)
        return choice

    async def pool(self, language: str) -> DriverPool:
        async with self._lock:
            pool = self._serve(language)
        early = self._early.get(pool)
        if early and pool.size < pool.settings.max_instances:
            # The request would start an instance of its own: the one starting is up sooner.
            await asyncio.wait(early)
        return pool

    def _serve(self, language: str) -> DriverPool:
        """The pool that serves a language, made the first time."""
        choice = self.driver_for(language)
        pool = self._pools.get(choice.key)
        if pool is None:
            pool = self._pools[choice.key] = DriverPool(choice.runtime, choice.spec, self.settings)
        if language not in self._served:
            self._served[language] = choice
            if choice.universal or choice.runtime is not self.runtime:
                self._notice(logging.INFO, f"{language} files are parsed by {choice.describe()}: {choice.reason}")
        return pool

    async def start_early(self, path: str, head: bytes = b"", language: str | None = None) -> None:
        """Start the driver that will parse a file (`head`: its first bytes, for a shebang) in the
        background, so that it starts while the caller prepares the rest of its work: a command
        line's run on a few files is mostly the interpreters' start, its own and the driver's,
        which then overlap.  One instance is started per file, up to the pool's maximum, as many
        as the files' parses would start; returns once the start has had its first turn (a local
        process is launched in it).  A parse then waits for an instance starting so instead of
        starting one of its own.  A file of no known language or without a driver is left to its
        parse to report, as is a driver that does not start."""
        try:
            pool = self._serve(self.language_of(path, head, language))
        except DriverError:
            return
        if pool.size >= pool.settings.max_instances:
            return

        async def start() -> None:
            # A request takes an idle instance, or starts one: none is idle yet.
            with contextlib.suppress(DriverError, DriverRequestError):  # the parse says why it failed
                await pool.request(protocol.METHOD_INFO)

        task = asyncio.ensure_future(start())
        early = self._early.setdefault(pool, set())
        early.add(task)
        task.add_done_callback(early.discard)
        # One turn of the loop before the caller goes on with work that does not yield (imports).
        await asyncio.sleep(0)

    def pool_of(self, language: str) -> DriverPool | None:
        """The pool serving a language, if one was started for it."""
        served = self._served.get(language)
        return self._pools.get(served.key) if served is not None else None

    async def parse(
        self,
        content: str,
        path: str = "",
        language: str | None = None,
        mode: Mode = Mode.SEMANTIC,
        document: str = "",
        parts: tuple[str, ...] = DEFAULT_PARTS,
    ) -> ParseResult:
        """Parse text with the driver for its language; `document` names the editor's document
        it is (its URI): a driver that keeps documents is then sent only what changed since it
        last parsed it.

        `parts`: what the result is to hold (protocol 1.3: the tree, its node table); a driver
        that does not know them sends the tree.

        Syntax errors come back inside the result; DriverError is raised when no driver could
        answer (unknown language, no driver, crash, deadline), with a message for the user.
        """
        name = self.language_of(path, content[:256], language)
        pool = await self.pool(name)
        request = ParseRequest(content=content, filename=path, language=name, mode=mode, document=document,
                               parts=parts)
        # The deadline is for a file of up to a MiB; a larger file gets it once per MiB (the
        # parse, and the transfer of its tree, grow with the size).
        deadline = self.settings.deadline * max(1.0, len(content) / DEADLINE_UNIT_CHARS)
        try:
            if document:
                result = await pool.parse_document(request, deadline)
            else:
                result = await pool.request(protocol.METHOD_PARSE, request, deadline)
        except DriverRequestError as exc:
            raise DriverError(f"the {name} driver refused the request: {exc}") from None
        return protocol.converter.structure(result, ParseResult)

    def manifest(self, language: str) -> Manifest | None:
        """The manifest of the driver that parses a language: as its running instances report
        it, else as installed."""
        pool = self.pool_of(language)
        if pool is not None and pool.manifest is not None:
            return pool.manifest
        try:
            return self.driver_for(language).spec.manifest
        except NoDriver:
            return None

    def forget(self, document: str) -> None:
        """The editor closed a document: the drivers that keep it may drop it."""
        for pool in self._pools.values():
            pool.forget(document)

    def pools(self) -> list[DriverPool]:
        return list(self._pools.values())

    # --- following installs ---------------------------------------------------------------------

    async def refresh(self) -> None:
        """Catch up with what is installed now: swap updated drivers blue/green, retire removed
        ones, and move languages to a better driver once it is installed (off the fallback, or
        from the universal driver to their own)."""
        async with self._refreshing:
            await self._refresh()

    async def _refresh(self) -> None:
        if self.runtime.name == PROCESS:
            return
        try:
            registry = await asyncio.to_thread(Registry.for_runtime, self.runtime.name)
        except StateError as exc:
            self._notice(logging.ERROR, f"cannot read the installed drivers: {exc}")
            return
        self.registry = registry
        for key, pool in list(self._pools.items()):
            if pool.runtime is not self.runtime:
                continue
            name = pool.spec.manifest.name
            spec = registry.get(pool.spec.manifest.language)
            if spec is None:
                self._notice(logging.WARNING, f"the {name} driver was removed")
                for language in [language for language, choice in self._served.items() if choice.key == key]:
                    del self._served[language]  # chosen again at its next request
                await self._retire(key, pool)
            elif spec.digest != pool.spec.digest:
                try:
                    manifest = await pool.swap(spec)
                except DriverError as exc:
                    self._notice(logging.ERROR, f"the new {name} driver was not started, the running one stays: {exc} "
                                 f"(`bblfsh-lsp driver rollback {name}` restores the previous install)")
                else:
                    self._notice(NOTICE, f"the {name} driver is now {manifest.version} ({spec.image}), without downtime")
        for language, served in list(self._served.items()):
            choice = choose_driver(language, self.places(), preference_for(language, self.preferences))
            if choice is None or choice.key == served.key:
                continue
            if choice.key not in self._pools:
                replacement = DriverPool(choice.runtime, choice.spec, self.settings)
                try:
                    await replacement.warm()
                except DriverError as exc:
                    await replacement.close()
                    self._notice(logging.ERROR, f"the installed {choice.spec.manifest.name} driver does not start, "
                                 f"{language} stays with {served.describe()}: {exc}")
                    continue
                self._pools[choice.key] = replacement
            self._served[language] = choice
            self._notice(NOTICE, f"{language} files are now parsed by {choice.describe()}")
        in_use = {choice.key for choice in self._served.values()}
        for key, pool in list(self._pools.items()):
            if key not in in_use:
                await self._retire(key, pool)

    async def _retire(self, key: tuple[str, str], pool: DriverPool) -> None:
        if self._pools.get(key) is pool:
            del self._pools[key]
        await pool.close(drain=True)

    def watch_installs(self, interval: float = 2.0) -> None:
        """Poll the installed-drivers state (one small read) and refresh when it changes."""
        if self._watcher is not None or self.runtime.name == PROCESS:
            return
        from driver_runtime.state import StateStore  # only container runtimes have installs to follow

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
        starting = [task for tasks in self._early.values() for task in tasks]
        if starting:  # an instance being started is in no pool's hands yet
            await asyncio.wait(starting)
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
