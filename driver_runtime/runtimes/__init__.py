"""Choosing a runtime: docker, oci, process (the zero-setup default), or auto.

`auto` takes docker if an engine answers, else oci if runc can run, else process.  Under auto,
a language whose driver is not installed for the chosen container runtime still runs, with
its bundled driver as a local process (the fallback), so that a new machine works before any
image is built; asking for docker or oci by name never falls back.
"""

from __future__ import annotations

import attrs

from driver_runtime.errors import RuntimeNotAvailable
from driver_runtime.isolation import Isolation
from driver_runtime.runtime_names import AUTO, CONTAINER_RUNTIMES, DOCKER, PROCESS, RUNTIME_NAMES
from driver_runtime.runtimes.base import Runtime
from driver_runtime.runtimes.process import ProcessRuntime


@attrs.frozen
class Choice:
    runtime: Runtime
    reason: str
    fallback: Runtime | None = None  # for languages the chosen runtime has no driver for

    def describe(self) -> str:
        return f"the {self.runtime.name} runtime ({self.reason})"


def _docker(isolation: Isolation | None) -> tuple[Runtime | None, str]:
    from driver_runtime.runtimes.docker import DockerRuntime

    probe = DockerRuntime.probe()
    return (DockerRuntime(isolation) if probe.ok else None), probe.reason


def _oci(isolation: Isolation | None) -> tuple[Runtime | None, str]:
    from driver_runtime.runtimes.oci import OCIRuntime

    probe = OCIRuntime.probe()
    return (OCIRuntime(isolation) if probe.ok else None), probe.reason


def choose(name: str = AUTO, isolation: Isolation | None = None) -> Choice:
    """The runtime for a requested name, and why; RuntimeNotAvailable if it cannot run here."""
    name = (name or AUTO).strip().lower()
    if name not in RUNTIME_NAMES:
        raise RuntimeNotAvailable(f"unknown runtime {name!r} (choose from {', '.join(RUNTIME_NAMES)})")
    if name == PROCESS:
        return Choice(ProcessRuntime(), "requested")
    if name in CONTAINER_RUNTIMES:
        runtime, reason = (_docker if name == DOCKER else _oci)(isolation)
        if runtime is None:
            raise RuntimeNotAvailable(f"the {name} runtime was requested, but {reason}")
        return Choice(runtime, f"requested; {reason}")
    docker, docker_reason = _docker(isolation)
    if docker is not None:
        return Choice(docker, f"auto: {docker_reason}", fallback=ProcessRuntime())
    oci, oci_reason = _oci(isolation)
    if oci is not None:
        return Choice(oci, f"auto: {docker_reason}; {oci_reason}", fallback=ProcessRuntime())
    return Choice(ProcessRuntime(), f"auto: {docker_reason}; {oci_reason}")
