"""What every container runtime shares (docker and oci): the stderr tail, the message that says
why a container died, the /tmp tmpfs options, the labels that mark our containers, and
:class:`ContainerInstance`, the stop and death-note logic written once against a few small
container verbs.
"""

from __future__ import annotations

import abc
import asyncio
import collections
import contextlib
import os
import signal
import socket
from typing import Any, ClassVar

import attrs

from driver_runtime.channel import Channel, Writer
from driver_runtime.isolation import Isolation
from driver_runtime.runtimes.base import DriverSpec, Instance

MIB = 1024 * 1024
STOP_GRACE = 1.0  # seconds a driver has to exit after its stdin closes (it exits at EOF)
KILL_WAIT = 5.0  # seconds to wait for a killed container to be reported dead
DEATH_WAIT = 2.0  # seconds to wait for the exit status when a channel ends
STDERR_TAIL_LINES = 20
HOSTNAME = "driver"  # the hostname inside every driver container
_LONGEST_STDERR_LINE = 4096
_READ_SIZE = 65536

# Labels (docker) and annotations (runc) on every container we start, so leftovers of a server
# that died can be found and removed, and nothing else is touched.
LABEL_INSTANCE = "org.bblfsh-lsp.instance"
LABEL_LANGUAGE = "org.bblfsh-lsp.language"
LABEL_DRIVER = "org.bblfsh-lsp.driver"
LABEL_RUNTIME = "org.bblfsh-lsp.runtime"
LABEL_OWNER = "org.bblfsh-lsp.owner"  # "<hostname>:<pid>" of the process that started it


def instance_labels(spec: DriverSpec, runtime: str) -> dict[str, str]:
    return {
        LABEL_INSTANCE: "1",
        LABEL_LANGUAGE: spec.language,
        LABEL_DRIVER: spec.manifest.name,
        LABEL_RUNTIME: runtime,
        LABEL_OWNER: f"{socket.gethostname()}:{os.getpid()}",
    }


def install_hint(spec: DriverSpec, runtime: str) -> str:
    return f"install it with `bblfsh-lsp driver install {spec.language} --runtime {runtime}`"


def owner_is_gone(owner: str | None) -> bool:
    """Whether the process named by an owner label is known to have exited (on this host)."""
    host, _, pid = (owner or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def tmpfs_options(isolation: Isolation) -> list[str]:
    """Mount options of the writable /tmp (the same for a docker tmpfs and an OCI mount)."""
    return ["nosuid", "nodev", "noexec", "mode=1777", f"size={isolation.tmpfs_bytes}"]


class StderrTail:
    """The last lines a driver wrote on stderr, for the message that says why it died (used by
    the process runtime too)."""

    def __init__(self, lines: int = STDERR_TAIL_LINES):
        self._lines: collections.deque[str] = collections.deque(maxlen=lines)
        self._partial = b""

    def feed(self, data: bytes) -> None:
        *complete, self._partial = (self._partial + data).split(b"\n")
        for line in complete:
            self._append(line)
        if len(self._partial) > _LONGEST_STDERR_LINE:
            self._append(self._partial)
            self._partial = b""

    def _append(self, line: bytes) -> None:
        text = line[:_LONGEST_STDERR_LINE].decode("utf-8", "replace").rstrip()
        if text:
            self._lines.append(text)

    def lines(self) -> list[str]:
        pending = self._partial.decode("utf-8", "replace").rstrip()
        return [*self._lines, *([pending] if pending else [])][-(self._lines.maxlen or 0):]

    def summary(self, count: int = 3) -> str:
        return " | ".join(self.lines()[-count:])

    async def drain(self, stream: asyncio.StreamReader) -> None:
        """Keep the tail of everything the stream gives, until it ends."""
        while chunk := await stream.read(_READ_SIZE):
            self.feed(chunk)


@attrs.frozen
class ExitStatus:
    code: int | None  # None: the runtime could not tell
    oom_killed: bool = False


def describe_exit(status: ExitStatus | None, memory_bytes: int) -> str:
    if status is None:
        return "the container has not exited"
    if status.oom_killed:
        code = f"; exit status {status.code}" if status.code is not None else ""
        return f"killed: out of memory (limit {memory_bytes / MIB:g} MiB{code})"
    if status.code is None:
        return "exit status unknown"
    if status.code > 128:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(status.code - 128).name} (exit status {status.code})"
    return f"exit status {status.code}"


def describe_death(status: ExitStatus | None, memory_bytes: int, tail: StderrTail) -> str:
    stderr = tail.summary()
    return describe_exit(status, memory_bytes) + (f"; stderr: {stderr}" if stderr else "")


class ContainerInstance(Instance):
    """A driver in a container: a channel on its stdio, a stderr tail, and the container's fate.

    Subclasses provide the container verbs; the order of stopping (close stdin, give the driver
    a moment to exit on its own, kill, always remove) and the death note are written once here.
    """

    runtime_name: ClassVar[str]

    def __init__(self, spec: DriverSpec, container_id: str, isolation: Isolation,
                 reader: asyncio.StreamReader, writer: Writer, stderr_tail: StderrTail | None = None):
        super().__init__(spec)
        self.container_id = container_id
        self.isolation = isolation
        self.stderr_tail = stderr_tail or StderrTail()
        self.exit_status: ExitStatus | None = None  # known once the container has exited
        self.channel = Channel(reader, writer, self._death_note)
        self._stopped = False
        self._stop_lock = asyncio.Lock()

    # --- the container verbs ---------------------------------------------------------------

    @abc.abstractmethod
    def _running(self) -> bool:
        """Cheap and local: whether the driver's stdio is still connected."""

    @abc.abstractmethod
    def _close_stdin(self) -> bool:
        """Send the driver EOF; False when the transport cannot (then stopping kills)."""

    @abc.abstractmethod
    async def _exited(self, timeout: float) -> ExitStatus | None:
        """Wait up to timeout for the container to exit; its status, or None if it still runs."""

    @abc.abstractmethod
    async def kill(self, signal_name: str = "KILL") -> None:
        """Send a signal to the driver (its container's init process)."""

    @abc.abstractmethod
    async def _remove(self) -> None:
        """Remove the container and everything it holds; must not fail."""

    # --- the instance ----------------------------------------------------------------------

    async def request(self, method: str, params: Any = None, timeout: float | None = None) -> Any:
        return await self.channel.call(method, params, timeout)

    @property
    def alive(self) -> bool:
        return not self._stopped and not self.channel.dead and self.exit_status is None and self._running()

    async def wait_exit(self, timeout: float) -> ExitStatus | None:
        if self.exit_status is None:
            self.exit_status = await self._exited(timeout)
        return self.exit_status

    async def _death_note(self) -> str:
        return describe_death(await self.wait_exit(DEATH_WAIT), self.isolation.memory_bytes, self.stderr_tail)

    async def stop(self) -> None:
        async with self._stop_lock:
            if self._stopped:
                return
            self._stopped = True
            try:
                if self.exit_status is None:
                    if self._running():
                        eof = False
                        with contextlib.suppress(OSError, RuntimeError):
                            eof = self._close_stdin()  # a well-behaved driver exits at EOF
                        exited = await self.wait_exit(STOP_GRACE) if eof else None
                    else:  # its stdio is closed: it has exited or is exiting
                        exited = await self.wait_exit(DEATH_WAIT)
                    if exited is None:
                        with contextlib.suppress(Exception):
                            await self.kill("KILL")
                        await self.wait_exit(KILL_WAIT)
            finally:
                await self._remove()


