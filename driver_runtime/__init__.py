"""The driver runtime: drivers started, pooled and asked through one of the runtimes.

Its public face is its errors (driver_runtime.errors): ``from driver_runtime import DriverError``.
They are looked up when first used, not imported here: driver images ship this file without the
host's modules (images.py), and a driver must not pay for, or depend on, what only the host uses.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from driver_runtime.errors import (
        BuildFailed,
        BundleError,
        BundleNotFound,
        DriverCrashed,
        DriverError,
        DriverRuntimeError,
        DriverTimeout,
        DriverUnavailable,
        ImageError,
        ManagerError,
        NoDriver,
        NoEngine,
        NotADriverImage,
        NotInstalled,
        PullFailed,
        RuntimeNotAvailable,
        StateError,
        UnknownDriver,
        UnknownLanguage,
    )

__all__ = [
    "BuildFailed", "BundleError", "BundleNotFound", "DriverCrashed", "DriverError", "DriverRuntimeError",
    "DriverTimeout", "DriverUnavailable", "ImageError", "ManagerError", "NoDriver", "NoEngine", "NotADriverImage",
    "NotInstalled", "PullFailed", "RuntimeNotAvailable", "StateError", "UnknownDriver", "UnknownLanguage",
]


def __getattr__(name: str) -> type[Exception]:
    if name in __all__:
        from driver_runtime import errors

        return getattr(errors, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
