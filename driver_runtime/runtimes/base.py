"""The runtime interface: how a driver is started, asked, checked and stopped.

A :class:`Runtime` starts :class:`Instance` objects from a :class:`DriverSpec`; callers (the
pool) only ever use these four verbs, so a process, a Docker container and an OCI bundle are
interchangeable behind them.
"""

from __future__ import annotations

import abc
import itertools
from pathlib import Path
from typing import Any, ClassVar

import attrs

from driver_runtime.sdk.protocol import Manifest


@attrs.frozen
class DriverSpec:
    """Everything a runtime needs to start a driver."""

    manifest: Manifest
    folder: Path | None = None  # source folder, for the process runtime
    image: str | None = None  # image reference, for container runtimes
    digest: str | None = None  # the image's id ("sha256:..."): what a container runs, exactly

    @property
    def language(self) -> str:
        return self.manifest.language


@attrs.frozen
class Availability:
    ok: bool
    reason: str


_instance_numbers = itertools.count(1)


class Instance(abc.ABC):
    """One running driver: serves one request at a time."""

    def __init__(self, spec: DriverSpec):
        self.spec = spec
        self.id = f"{spec.manifest.name}-{next(_instance_numbers)}"

    @abc.abstractmethod
    async def request(self, method: str, params: Any = None, timeout: float | None = None) -> Any:
        """Send one request and return its result.

        Raises DriverRequestError when the driver answered with an error, DriverTimeout when
        the deadline passed (the instance is then unusable), DriverCrashed when it died.
        """

    async def health(self, timeout: float = 10.0) -> Manifest:
        """Ask the driver who it is; a driver that answers is healthy."""
        from driver_runtime.sdk.protocol import METHOD_INFO, converter

        return converter.structure(await self.request(METHOD_INFO, timeout=timeout), Manifest)

    @property
    @abc.abstractmethod
    def alive(self) -> bool: ...

    @abc.abstractmethod
    async def stop(self) -> None:
        """Stop the driver (kill it if it does not go); idempotent."""


class Runtime(abc.ABC):
    name: ClassVar[str]

    @classmethod
    @abc.abstractmethod
    def probe(cls) -> Availability:
        """Whether this runtime can run drivers on this machine, and why (not)."""

    @abc.abstractmethod
    async def start(self, spec: DriverSpec) -> Instance: ...

    async def close(self) -> None:
        """Release what the runtime itself holds (connections); instances are stopped by owners."""
