"""Every error the driver runtime raises on purpose, in one hierarchy; messages are meant for users.

::

    DriverRuntimeError
    ├── DriverError                   a driver could not answer a request
    │   ├── DriverUnavailable         ... because it cannot be started
    │   │   └── NoDriver              ... because no driver for the language is installed
    │   ├── DriverCrashed             ... because it died before answering
    │   ├── DriverTimeout             ... because it missed the request's deadline
    │   └── UnknownLanguage           ... because no language could be told for the file
    ├── ManagerError                  a driver could not be built, installed, updated or removed
    │   ├── NoEngine, UnknownDriver, NotInstalled, NotADriverImage, BuildFailed, PullFailed
    ├── StateError                    the installed-drivers file cannot be read or written
    ├── ImageError                    an image could not be built or read
    │   └── BundleError               ... imported or read for the oci runtime
    │       └── BundleNotFound        ... because the bundle store has no such image (also a LookupError)
    └── RuntimeNotAvailable           the runtime asked for cannot run here

Two errors live outside it, in modules that ship inside driver images and so cannot import this
host module: ``driver_runtime.sdk.protocol.DriverRequestError`` (a driver *answered* with an error;
not a failure of the driver itself, so callers catch it beside ``DriverError``) and
``driver_runtime.sdk.protocol.FrameTooDeep`` (a ValueError of the framing); the driver kit's own
``driver_runtime.sdk.native.NativeError`` stays inside the kit.

This module imports only the runtime names, so that catching an error costs no import.
"""

from __future__ import annotations

from driver_runtime.runtime_names import PROCESS


class DriverRuntimeError(Exception):
    """An error of the driver runtime; the message says what went wrong, for users."""


# --- drivers: starting them and asking them ---------------------------------------------------


class DriverError(DriverRuntimeError):
    """A driver could not answer; the message is meant for the user."""


class DriverUnavailable(DriverError):
    """The driver cannot be started (not installed, runtime missing, or marked failed)."""


class NoDriver(DriverUnavailable):
    """The language is known but no driver for it is installed."""

    def __init__(self, language: str, runtime: str = PROCESS):
        hint = "" if runtime == PROCESS else \
            f" for the {runtime} runtime (install it with `bblfsh-lsp driver install {language}`)"
        super().__init__(f"no {language} driver is installed{hint}")
        self.language = language


class DriverCrashed(DriverError):
    """The instance died or closed its channel before answering."""


class DriverTimeout(DriverError):
    """The instance did not answer within the request's deadline."""


class UnknownLanguage(DriverError):
    """No language could be told for a file, or a language name is unknown."""


# --- installing drivers ------------------------------------------------------------------------


class ManagerError(DriverRuntimeError):
    """A driver could not be installed, updated or removed; the message says why, for users."""


class NoEngine(ManagerError):
    """No container engine answers."""


class UnknownDriver(ManagerError):
    """No driver is bundled for that language (so it cannot be built)."""


class NotInstalled(ManagerError):
    """The language has no installed driver."""


class NotADriverImage(ManagerError):
    """An image (or image file) is not a driver image for the language asked for."""


class BuildFailed(ManagerError):
    """Building an image failed; the message ends with the last lines of the build log."""


class PullFailed(ManagerError):
    """A registry could not give the image."""


class StateError(DriverRuntimeError):
    """The state file cannot be read or written; the message says what to do."""


# --- images and bundles ------------------------------------------------------------------------


class ImageError(DriverRuntimeError):
    """An image could not be built or read; the message says why."""


class BundleError(ImageError):
    """An image could not be imported or read; the message says why."""


class BundleNotFound(BundleError, LookupError):
    """No bundle for that image id in the store."""


# --- runtimes ----------------------------------------------------------------------------------


class RuntimeNotAvailable(DriverRuntimeError):
    """The runtime asked for is unknown, or cannot run drivers on this machine."""
