"""Choosing a runtime by name: process (zero-setup default), docker, oci, or auto."""

from __future__ import annotations

import attrs

from driver_runtime.runtimes.base import Runtime
from driver_runtime.runtimes.process import ProcessRuntime

NAMES = ("auto", "process")


@attrs.frozen
class Choice:
    runtime: Runtime
    reason: str


class RuntimeNotAvailable(Exception):
    pass


def choose(name: str = "auto") -> Choice:
    """The runtime to use for a requested name, with the reason it was chosen."""
    name = (name or "auto").strip().lower()
    if name not in NAMES:
        raise RuntimeNotAvailable(f"unknown runtime {name!r} (choose from {', '.join(NAMES)})")
    if name == "process":
        return Choice(ProcessRuntime(), "process runtime requested")
    return Choice(ProcessRuntime(), "auto: no container runtime is configured, using local processes")
