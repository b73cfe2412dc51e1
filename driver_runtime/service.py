"""One door to the drivers: parse a text, and the runtime picks, pools and restarts drivers."""

from __future__ import annotations

import asyncio

from driver_runtime import languages, protocol
from driver_runtime.pool import DriverPool, PoolSettings
from driver_runtime.protocol import DriverRequestError, Mode, ParseRequest, ParseResult
from driver_runtime.registry import Registry
from driver_runtime.runtimes.base import DriverError, DriverUnavailable, Runtime


class UnknownLanguage(DriverError):
    """No language could be told for a file, or a language name is unknown."""


class NoDriver(DriverUnavailable):
    """The language is known but no driver for it is installed."""

    def __init__(self, language: str):
        super().__init__(f"no {language} driver is installed")
        self.language = language


class DriverService:
    def __init__(self, runtime: Runtime, registry: Registry, settings: PoolSettings | None = None):
        self.runtime = runtime
        self.registry = registry
        self.settings = settings or PoolSettings()
        self._pools: dict[str, DriverPool] = {}
        self._lock = asyncio.Lock()

    def language_of(self, path: str, head: bytes | str = b"", language: str | None = None) -> str:
        """The Babelfish language for a file, or UnknownLanguage naming why.

        Languages known to Babelfish come first; an installed driver for another language is
        found by its manifest (its name, aliases, extensions and file names).
        """
        if language:
            name = languages.canonical(language) or self.registry.language_for_name(language)
            if name is None:
                raise UnknownLanguage(f"unknown language {language!r}")
            return name
        name = languages.detect(path, head) or self.registry.language_for_path(path)
        if name is None:
            raise UnknownLanguage(f"cannot tell the language of {path or 'this text'} (no known extension or shebang)")
        return name

    async def pool(self, language: str) -> DriverPool:
        async with self._lock:
            pool = self._pools.get(language)
            if pool is None:
                spec = self.registry.get(language)
                if spec is None:
                    raise NoDriver(language)
                pool = self._pools[language] = DriverPool(self.runtime, spec, self.settings)
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
        try:
            result = await pool.request(protocol.METHOD_PARSE, request)
        except DriverRequestError as exc:
            raise DriverError(f"the {name} driver refused the request: {exc}") from None
        return protocol.converter.structure(result, ParseResult)

    def pools(self) -> dict[str, DriverPool]:
        return dict(self._pools)

    async def close(self) -> None:
        pools = list(self._pools.values())
        self._pools.clear()
        await asyncio.gather(*(pool.close() for pool in pools), return_exceptions=True)
