"""The installed drivers: a small JSON document (paths.state_file()), written atomically.

Only driver_runtime.manager writes it; a running server reads it, and notices a change by
its ``revision`` (a counter that every write increments), which is cheap to poll.

The document::

    {
      "format": 1,
      "revision": 7,
      "drivers": {
        "python": {
          "name": "python", "language": "python", "version": "0.1.0",
          "image": "bblfsh-lsp/driver-python:0.1.0", "image_id": "sha256:...",
          "source": "built", "origin": "/.../driver_runtime/drivers/python",
          "installed_at": "2025-06-01T12:00:00Z", "runtimes": ["docker"], "owned": true,
          "manifest": {...},
          "previous": null
        }
      }
    }

A driver installed from a registry has ``"source": "registry"``, the reference it was installed
from as ``origin`` ("127.0.0.1:5000/bblfsh/driver-python:latest"), the digest that reference
named then as ``digest``, and ``"image": "127.0.0.1:5000/bblfsh/driver-python@sha256:..."``: it is
pulled by digest, so a tag that moves later changes nothing installed.

``previous`` is the install an update replaced (same fields, without its own ``previous``):
what a server rolls back to when the new driver fails to start.

Every write goes to a temporary file in the same folder, is flushed to disk, then renamed over
the document, so a reader sees the old document or the new one, never a part of one; a
read-modify-write holds an exclusive lock (``drivers.json.lock``) so that two processes
installing at once do not lose each other's changes.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from driver_runtime import paths
from driver_runtime.errors import StateError
from driver_runtime.runtime_names import CONTAINER_RUNTIMES, DOCKER
from driver_runtime.sdk import protocol
from driver_runtime.sdk.protocol import Manifest

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no cross-process lock
    fcntl = None  # type: ignore[assignment]

FORMAT = 1
SOURCES = ("built", "registry", "file")
RUNTIMES = CONTAINER_RUNTIMES


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@attrs.frozen
class Install:
    """One installed driver image."""

    language: str
    name: str
    version: str
    image: str  # the image reference ("bblfsh-lsp/driver-python:0.1.0", "registry/x:v2")
    image_id: str  # "sha256:..." (the digest of the image's config): what runs, exactly
    source: str  # "built", "registry" or "file"
    origin: str = ""  # what it came from: the driver's folder, the registry reference, the file
    installed_at: str = attrs.field(factory=now)  # ISO 8601, UTC
    runtimes: tuple[str, ...] = (DOCKER,)  # what it was prepared for: "docker" (engine image), "oci" (bundle)
    owned: bool = True  # the image reference was created by this install (removing it is ours to do)
    manifest: Manifest | None = None
    # From a registry: the digest the reference named when it was installed, and pulled by (the
    # image is then "REGISTRY/REPO@sha256:..."); "" for other sources.
    digest: str = ""


@attrs.frozen
class Entry:
    """A language's record: its current install and the one an update replaced."""

    current: Install
    previous: Install | None = None


@attrs.define
class State:
    revision: int = 0
    drivers: dict[str, Entry] = attrs.field(factory=dict)

    def get(self, language: str) -> Entry | None:
        return self.drivers.get(language)


# --- (de)serialization --------------------------------------------------------------------


def _install_to_data(install: Install) -> dict[str, Any]:
    data = attrs.asdict(install, recurse=False)
    data["runtimes"] = list(install.runtimes)
    data["manifest"] = protocol.converter.unstructure(install.manifest) if install.manifest else None
    return data


def _install_from_data(data: Any, where: str) -> Install:
    if not isinstance(data, dict):
        raise ValueError(f"{where} is not an object")
    fields = {field.name for field in attrs.fields(Install)}
    missing = [name for name in ("language", "name", "version", "image", "image_id", "source") if name not in data]
    if missing:
        raise ValueError(f"{where} lacks {', '.join(missing)}")
    values = {key: value for key, value in data.items() if key in fields}  # newer minor fields are ignored
    if values.get("manifest") is not None:
        values["manifest"] = protocol.converter.structure(values["manifest"], Manifest)
    values["runtimes"] = tuple(values.get("runtimes") or ())
    return Install(**values)


def encode(state: State) -> bytes:
    drivers = {}
    for language, entry in sorted(state.drivers.items()):
        data = _install_to_data(entry.current)
        data["previous"] = _install_to_data(entry.previous) if entry.previous else None
        drivers[language] = data
    document = {"format": FORMAT, "revision": state.revision, "drivers": drivers}
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"


def decode(data: bytes, path: Path) -> State:
    def corrupt(why: str) -> StateError:
        return StateError(
            f"the installed-drivers file {path} is corrupt ({why}); move it away or delete it, "
            f"then install the drivers again (bblfsh-lsp driver install LANG)"
        )

    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise corrupt(f"not JSON: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("drivers"), dict):
        raise corrupt("no \"drivers\" object")
    version = document.get("format")
    if not isinstance(version, int):
        raise corrupt("no format version")
    if version > FORMAT:
        raise StateError(
            f"the installed-drivers file {path} has format {version}, newer than this bblfsh-lsp "
            f"understands ({FORMAT}); upgrade bblfsh-lsp, or use a separate data folder ({paths.DATA_ENV})"
        )
    state = State(revision=int(document.get("revision") or 0))
    try:
        for language, data_entry in document["drivers"].items():
            current = _install_from_data(data_entry, f"the record of {language!r}")
            previous = data_entry.get("previous")
            state.drivers[language] = Entry(
                current, _install_from_data(previous, f"the previous record of {language!r}") if previous else None
            )
    except StateError:
        raise
    except Exception as exc:  # ValueError, TypeError, and cattrs' own classes
        raise corrupt(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    return state


# --- the file -------------------------------------------------------------------------------


class StateStore:
    """The state file at ``path`` (default: paths.state_file())."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path is not None else paths.state_file()

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def load(self) -> State:
        """The current state; an empty one if nothing was ever installed."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return State()
        except OSError as exc:
            raise StateError(f"cannot read the installed-drivers file {self.path}: {exc.strerror or exc}") from None
        return decode(data, self.path)

    def revision(self) -> int:
        """A number that changes with every write (0: nothing installed yet). Cheap: one small read."""
        return self.load().revision

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StateError(f"cannot write in {self.path.parent}: {exc.strerror or exc}") from None
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    @contextlib.contextmanager
    def transaction(self) -> Iterator[State]:
        """Read, let the caller change, write back (with the revision incremented), under the lock.

        Nothing is written when the block raises.
        """
        with self._locked():
            self._remove_stale_temporaries()
            state = self.load()
            before = encode(state)
            yield state
            if encode(state) != before:
                state.revision += 1
                self._write(encode(state))

    def _temporary_prefix(self) -> str:
        return f".{self.path.name}."

    def _remove_stale_temporaries(self) -> None:
        # Under the lock no one else is writing: a temporary file left is from a crashed writer.
        for leftover in self.path.parent.glob(self._temporary_prefix() + "*.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()

    def _write(self, data: bytes) -> None:
        folder = self.path.parent
        try:
            fd, temporary = tempfile.mkstemp(prefix=self._temporary_prefix(), suffix=".tmp", dir=folder)
        except OSError as exc:
            raise StateError(f"cannot write in {folder}: {exc.strerror or exc}") from None
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, self.path)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            if isinstance(exc, OSError):
                raise StateError(
                    f"cannot write the installed-drivers file {self.path}: {exc.strerror or exc}") from None
            raise
        # The rename itself is durable once the folder is flushed.
        with contextlib.suppress(OSError):
            dir_fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

