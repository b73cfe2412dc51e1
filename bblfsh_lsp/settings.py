"""Settings, from command-line flags, the environment, and the editor (LSP initializationOptions).

Editors send ``{"runtime": "docker", "maxFileBytes": 4194304, ...}`` as initializationOptions,
optionally nested under ``"bblfsh"``; unknown keys are ignored with a log line.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import attrs

from bblfsh_lsp.files import DEFAULT_MAX_BYTES
from driver_runtime.isolation import Isolation
from driver_runtime.pool import PoolSettings

log = logging.getLogger(__name__)

RUNTIME_ENV = "BBLFSH_LSP_RUNTIME"

# Editor-facing names -> attribute names.
_EDITOR_KEYS = {
    "runtime": "runtime",
    "maxFileBytes": "max_file_bytes",
    "requestTimeout": "deadline",
    "maxInstances": "max_instances",
    "minInstances": "min_instances",
    "idleTimeout": "idle_timeout",
    "memoryLimitMiB": "memory_mib",
    "driverNetwork": "driver_network",
    "queryTimeout": "query_timeout",
}


@attrs.frozen
class Settings:
    runtime: str = attrs.field(factory=lambda: os.environ.get(RUNTIME_ENV, "auto"))
    max_file_bytes: int = DEFAULT_MAX_BYTES
    deadline: float = 30.0  # seconds per driver request
    max_instances: int = 2
    min_instances: int = 0
    idle_timeout: float = 300.0
    memory_mib: int = 512  # per driver container
    driver_network: bool = False  # give driver containers a network (they do not need one)
    # Seconds a structural query may run on one document before it is stopped with an error: an
    # editor must stay responsive (`//*//*//*//*` on a large file runs for minutes).
    query_timeout: float = 4.0

    def pool(self) -> PoolSettings:
        return PoolSettings(
            min_instances=self.min_instances,
            max_instances=max(self.max_instances, 1),
            idle_timeout=self.idle_timeout,
            deadline=self.deadline,
        )

    def isolation(self) -> Isolation:
        return Isolation(memory_bytes=self.memory_mib * 1024 * 1024, network=self.driver_network)

    def with_editor_options(self, options: Any) -> Settings:
        """These settings updated with what an editor sent; bad values are logged and skipped."""
        if not isinstance(options, dict):
            return self
        if isinstance(options.get("bblfsh"), dict):
            options = options["bblfsh"]
        changes: dict[str, Any] = {}
        for key, value in options.items():
            name = _EDITOR_KEYS.get(key)
            if name is None:
                log.info("ignoring unknown setting %r", key)
                continue
            if value is None:  # the editor resets it: the default
                default = attrs.fields_dict(Settings)[name].default
                changes[name] = default.factory() if isinstance(default, attrs.Factory) else default  # type: ignore[arg-type]
                continue
            current = getattr(self, name)
            try:
                changes[name] = _coerce(value, type(current))
            except (TypeError, ValueError):
                log.warning("ignoring setting %s=%r: expected %s", key, value, type(current).__name__)
        return attrs.evolve(self, **changes)


def _coerce(value: Any, kind: type) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "false"):
            return str(value).lower() == "true"
        raise ValueError(value)
    return kind(value)

