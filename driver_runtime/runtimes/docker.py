"""The ``docker`` runtime: each driver instance is a container on a Docker Engine.

The engine is reached through the docker SDK: ``docker.from_env()`` (so ``DOCKER_HOST``, TLS
variables and the CLI context are honoured), or an explicit ``base_url``: ``unix://``,
``tcp://`` (a remote engine works the same as a local one) or ``ssh://`` (through the ``ssh``
client, which must be installed and able to log in without a prompt; the SDK's ssh transport
also needs the ``paramiko`` package installed, even when it shells out to ``ssh``).

A container is created with stdin open and no TTY, with the isolation of an :class:`Isolation`
and labels that mark it ours, then attached (stdin, stdout, stderr) *before* it starts, so no
early output is lost. Requests go over that one attach connection: no HTTP call per request.
Without a TTY the engine multiplexes stdout and stderr into frames
(``[stream][0 0 0][size, u32 big-endian][payload]``); they are split here into the StreamReader
the :class:`Channel` reads (stdout) and the stderr tail. When the attach connection is a real
socket (unix, tcp) it is driven by the event loop itself; otherwise (TLS, ssh) a thread reads it.

Stopping half-closes the connection: the engine then closes the container's stdin (``StdinOnce``)
and the driver exits at EOF; one that does not is killed. The container is always removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import ssl
import threading
from collections.abc import Callable
from typing import Any

from driver_runtime.channel import FRAME_LIMIT
from driver_runtime.isolation import Isolation
from driver_runtime.runtimes.base import Availability, DriverSpec, DriverUnavailable, Runtime
from driver_runtime.runtimes.container import (
    LABEL_INSTANCE,
    LABEL_OWNER,
    ContainerInstance,
    ExitStatus,
    StderrTail,
    instance_labels,
    owner_is_gone,
    tmpfs_options,
)

PROBE_TIMEOUT = 3.0  # seconds for an engine to answer a ping
API_TIMEOUT = 60.0  # seconds for ordinary engine calls
HOSTNAME = "driver"
_STDOUT, _STDERR = 1, 2
_HEADER = 8
_READ_SIZE = 1 << 16


def make_client(base_url: str | None = None, timeout: float = API_TIMEOUT) -> Any:
    """A ``docker.DockerClient`` for base_url, else from the environment.  Negotiating the API
    version is an HTTP call: call this off the event loop."""
    import docker

    if base_url is None:
        return docker.from_env(timeout=int(timeout), use_ssh_client=True)
    return docker.DockerClient(base_url=base_url, timeout=int(timeout), use_ssh_client=True)


def describe_engine(base_url: str | None) -> str:
    return base_url or os.environ.get("DOCKER_HOST") or "the default Docker socket"


def host_config_options(isolation: Isolation) -> dict[str, Any]:
    """``create_host_config`` arguments that apply an Isolation (docs/image-spec.md)."""
    options: dict[str, Any] = {
        "read_only": isolation.read_only,
        "mem_limit": isolation.memory_bytes,
        "memswap_limit": isolation.memory_bytes,  # memory+swap = memory: no swap on top
        "pids_limit": isolation.pids,
        "tmpfs": {"/tmp": ",".join(tmpfs_options(isolation))},
        "ipc_mode": "private",
        "init": False,
        # Nothing is logged: the engine would otherwise write every answer to disk as well.
        "log_config": {"type": "none", "config": {}},
    }
    if not isolation.network:
        options["network_mode"] = "none"
    if isolation.drop_capabilities:
        options["cap_drop"] = ["ALL"]
    if isolation.no_new_privileges:
        options["security_opt"] = ["no-new-privileges"]
    return options


# --- the attach stream ---------------------------------------------------------------------------


class Demultiplexer:
    """Splits the engine's framed attach stream into stdout and stderr, as bytes arrive.

    Payloads are passed on as they come (a frame is not a line, and a large frame need not be
    buffered whole); only the 8-byte headers are reassembled.
    """

    def __init__(self, stdout: Callable[[bytes], None], stderr: Callable[[bytes], None]):
        self._sinks = {_STDOUT: stdout, _STDERR: stderr}
        self._header = bytearray()
        self._stream = 0
        self._left = 0

    def feed(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if self._left:
                size = min(self._left, len(view))
                sink = self._sinks.get(self._stream)
                if sink is not None:  # stream 0 (stdin) is never sent back
                    sink(bytes(view[:size]))
                view = view[size:]
                self._left -= size
                continue
            need = _HEADER - len(self._header)
            self._header += view[:need]
            view = view[need:]
            if len(self._header) == _HEADER:
                self._stream = self._header[0]
                self._left = int.from_bytes(self._header[4:8], "big")
                self._header.clear()


class _NativeAttach(asyncio.Protocol):
    """The attach connection on the event loop: a Protocol feeding the demultiplexer, and the
    writer (write/drain) the Channel needs."""

    def __init__(self, reader: asyncio.StreamReader, on_stderr: Callable[[bytes], None]):
        self._reader = reader
        self._demux = Demultiplexer(reader.feed_data, on_stderr)
        self._transport: asyncio.Transport | None = None
        self._paused = False
        self._drain_waiter: asyncio.Future[None] | None = None
        self.closed = False

    # protocol side
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._reader.set_transport(transport)  # lets the reader pause reading when it is full

    def data_received(self, data: bytes) -> None:
        self._demux.feed(data)

    def eof_received(self) -> bool:
        self._reader.feed_eof()
        return False  # the engine ends the stream when the container exits: close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._reader.feed_eof()
        self._wake(exc or ConnectionResetError("the attach connection closed"))

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        self._wake(None)

    def _wake(self, exc: BaseException | None) -> None:
        waiter, self._drain_waiter = self._drain_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc) if exc is not None else waiter.set_result(None)

    # writer side
    def write(self, data: bytes) -> None:
        if self.closed or self._transport is None:
            raise ConnectionResetError("the attach connection is closed")
        self._transport.write(data)

    async def drain(self) -> None:
        if self.closed:
            raise ConnectionResetError("the attach connection is closed")
        if self._paused:
            self._drain_waiter = asyncio.get_running_loop().create_future()
            await self._drain_waiter

    def close_stdin(self) -> bool:
        if self._transport is None or self.closed or not self._transport.can_write_eof():
            return False
        self._transport.write_eof()  # shutdown(SHUT_WR), once queued data is sent
        return True

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


class _ThreadedAttach:
    """The attach connection when it is not a plain socket (TLS, ssh): a thread reads it and
    hands the bytes to the event loop; writes go through a worker thread."""

    def __init__(self, connection: Any, reader: asyncio.StreamReader, on_stderr: Callable[[bytes], None]):
        self._connection = connection
        self._reader = reader
        self._demux = Demultiplexer(reader.feed_data, on_stderr)
        self._loop = asyncio.get_running_loop()
        self._pending: list[bytes] = []
        self.closed = False
        process = getattr(connection, "proc", None)  # the SDK's SSHSocket: an `ssh` child
        self._shutdown_write: Callable[[], None] | None
        if process is not None:
            # Its recv() reads until n bytes arrive; read1() returns what is there.
            self._recv: Callable[[int], bytes] = process.stdout.read1
            self._shutdown_write = process.stdin.close
        else:
            self._recv = connection.recv
            if isinstance(connection, ssl.SSLSocket):
                # No half-close over TLS: SSLSocket.shutdown() drops the TLS layer, and the
                # answers still to come could not be read. Stopping kills the container instead.
                self._shutdown_write = None
            else:  # a paramiko channel, or a socket
                self._shutdown_write = getattr(connection, "shutdown_write", None) or (
                    lambda: connection.shutdown(socket.SHUT_WR))
        with contextlib.suppress(Exception):
            connection.settimeout(None)  # the SDK leaves its request timeout on the socket
        self._thread = threading.Thread(target=self._pump, name="docker-attach", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        try:
            while chunk := self._recv(_READ_SIZE):
                self._loop.call_soon_threadsafe(self._demux.feed, chunk)
        except (OSError, ValueError):
            pass
        finally:
            with contextlib.suppress(RuntimeError):  # the loop may be closed already
                self._loop.call_soon_threadsafe(self._ended)

    def _ended(self) -> None:
        self.closed = True
        self._reader.feed_eof()

    def write(self, data: bytes) -> None:
        if self.closed:
            raise ConnectionResetError("the attach connection is closed")
        self._pending.append(data)

    async def drain(self) -> None:
        data, self._pending = b"".join(self._pending), []
        if data:
            await asyncio.to_thread(self._connection.sendall, data)

    def close_stdin(self) -> bool:
        if self._shutdown_write is None or self.closed:
            return False
        self._shutdown_write()
        return True

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._connection.shutdown(socket.SHUT_RDWR)  # wakes the reading thread
        with contextlib.suppress(Exception):
            self._connection.close()


_Attach = _NativeAttach | _ThreadedAttach


async def _connect_attach(hijacked: Any, reader: asyncio.StreamReader, on_stderr: Callable[[bytes], None],
                          native: bool) -> _Attach:
    """Take over the connection ``attach_socket`` returned."""
    raw = getattr(hijacked, "_sock", hijacked)  # unix and tcp: a SocketIO around the socket
    if native and type(raw) is socket.socket:
        # The loop gets its own descriptor, and the SDK's objects are closed: no one else holds
        # the connection, so half-closing and closing it do what they say.
        sock = raw.dup()
        response = getattr(hijacked, "_response", None)
        for closable in (response, hijacked, raw):
            with contextlib.suppress(Exception):
                if closable is not None:
                    closable.close()
        sock.setblocking(False)
        protocol = _NativeAttach(reader, on_stderr)
        await asyncio.get_running_loop().connect_accepted_socket(lambda: protocol, sock)
        return protocol
    return _ThreadedAttach(raw, reader, on_stderr)


# --- instances and the runtime ----------------------------------------------------------------------


class DockerInstance(ContainerInstance):
    runtime_name = "docker"

    def __init__(self, spec: DriverSpec, runtime: DockerRuntime, container_id: str, attach: _Attach,
                 reader: asyncio.StreamReader, stderr_tail: StderrTail, isolation: Isolation):
        super().__init__(spec, container_id, isolation, reader, attach, stderr_tail)
        self.runtime = runtime
        self._attach = attach

    def _running(self) -> bool:
        return not self._attach.closed

    def _close_stdin(self) -> bool:
        return self._attach.close_stdin()

    async def _exited(self, timeout: float) -> ExitStatus | None:
        import requests

        api = self.runtime.api
        try:
            result = await asyncio.to_thread(api.wait, self.container_id, timeout=timeout)
        except requests.exceptions.RequestException:
            return None  # still running after timeout
        except Exception:
            return ExitStatus(None)  # the engine lost the container
        code = result.get("StatusCode")
        try:
            state = (await asyncio.to_thread(api.inspect_container, self.container_id)).get("State") or {}
        except Exception:
            state = {}
        return ExitStatus(code, oom_killed=bool(state.get("OOMKilled")))

    async def kill(self, signal_name: str = "KILL") -> None:
        import docker.errors

        try:
            await asyncio.to_thread(self.runtime.api.kill, self.container_id, signal_name)
        except docker.errors.APIError as exc:
            if exc.status_code != 409:  # 409: it is not running (any more): nothing to kill
                raise

    async def _remove(self) -> None:
        await self.runtime.remove_container(self.container_id, self._attach)

    # --- for diagnostics, tests and benchmarks -----------------------------------------------

    async def host_pid(self) -> int | None:
        """The driver's pid on the engine's host (meaningful when the engine is local)."""
        state = (await asyncio.to_thread(self.runtime.api.inspect_container, self.container_id))["State"]
        return state.get("Pid") or None

    async def memory_usage(self) -> int | None:
        """Bytes of memory the container uses, less the page cache (as ``docker stats``)."""
        stats = await asyncio.to_thread(self.runtime.api.stats, self.container_id, stream=False, one_shot=True)
        memory = stats.get("memory_stats") or {}
        if "usage" not in memory:
            return None
        details = memory.get("stats") or {}
        return memory["usage"] - details.get("total_inactive_file", details.get("inactive_file", 0))

    async def exec(self, argv: list[str], timeout: float = 30.0) -> tuple[int, bytes]:
        """Run a command in the driver's container (as its user, with its confinement)."""
        api = self.runtime.api

        def run() -> tuple[int, bytes]:
            exec_id = api.exec_create(self.container_id, argv, stdout=True, stderr=True)["Id"]
            output = api.exec_start(exec_id)
            return api.exec_inspect(exec_id).get("ExitCode") or 0, output

        async with asyncio.timeout(timeout):
            return await asyncio.to_thread(run)


class DockerRuntime(Runtime):
    """Drivers as containers of their images on a Docker Engine."""

    name = "docker"

    def __init__(self, isolation: Isolation | None = None, base_url: str | None = None,
                 client: Any = None, native_io: bool = True):
        """``client``: a ``docker.DockerClient`` to use (e.g. with a TLSConfig), left open by
        close(); otherwise one is made for ``base_url``, or from the environment.
        ``native_io=False`` reads every attach connection with a thread, as for TLS and ssh."""
        self.isolation = isolation or Isolation()
        self.base_url = base_url
        self.native_io = native_io
        self._client = client
        self._owns_client = client is None
        self._client_lock = asyncio.Lock()

    @property
    def api(self) -> Any:
        """The low-level ``docker.APIClient`` (one HTTP call per verb, no extra inspects)."""
        assert self._client is not None, "not connected: start() connects"
        return self._client.api

    async def connect(self) -> Any:
        """The engine's client, made on first use (off the event loop: it asks the engine)."""
        async with self._client_lock:
            if self._client is None:
                try:
                    self._client = await asyncio.to_thread(make_client, self.base_url)
                except Exception as exc:
                    raise DriverUnavailable(
                        f"cannot reach the Docker engine at {describe_engine(self.base_url)}: {exc}") from exc
        return self._client

    @classmethod
    def probe(cls, base_url: str | None = None) -> Availability:
        where = describe_engine(base_url)
        client = None
        try:
            client = make_client(base_url, timeout=PROBE_TIMEOUT)
            client.ping()
            return Availability(True, f"Docker engine at {where} answers (API {client.api.api_version})")
        except Exception as exc:
            return Availability(False, f"no Docker engine answers at {where}: {exc}")
        finally:
            if client is not None:
                with contextlib.suppress(Exception):
                    client.close()

    async def start(self, spec: DriverSpec) -> DockerInstance:
        import docker.errors

        image = spec.digest or spec.image
        if not image:
            raise DriverUnavailable(f"the {spec.language} driver has no image; install it with "
                                    f"`bblfsh-lsp driver install {spec.language} --runtime docker`")
        await self.connect()
        api = self.api
        try:
            created = await asyncio.to_thread(
                api.create_container,
                image,
                stdin_open=True,
                tty=False,
                detach=False,  # AttachStdin/Stdout/Stderr and StdinOnce: our EOF is the driver's
                user=self.isolation.user or None,
                hostname=HOSTNAME,
                network_disabled=not self.isolation.network,
                labels=instance_labels(spec, self.name),
                host_config=api.create_host_config(**host_config_options(self.isolation)),
            )
        except docker.errors.ImageNotFound as exc:
            raise DriverUnavailable(
                f"the {spec.language} driver's image {image} is not in the Docker engine at "
                f"{describe_engine(self.base_url)}; install it with "
                f"`bblfsh-lsp driver install {spec.language} --runtime docker`") from exc
        except Exception as exc:
            raise DriverUnavailable(f"the Docker engine could not create a {spec.language} driver: {exc}") from exc
        container_id = created["Id"]
        reader = asyncio.StreamReader(limit=FRAME_LIMIT)
        stderr_tail = StderrTail()
        attach: _Attach | None = None
        try:
            hijacked = await asyncio.to_thread(
                api.attach_socket, container_id, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
            attach = await _connect_attach(hijacked, reader, stderr_tail.feed, self.native_io)
            await asyncio.to_thread(api.start, container_id)
        except BaseException as exc:
            await self.remove_container(container_id, attach)
            if isinstance(exc, Exception):
                raise DriverUnavailable(f"the Docker engine could not start a {spec.language} driver: {exc}") from exc
            raise
        return DockerInstance(spec, self, container_id, attach, reader, stderr_tail, self.isolation)

    async def remove_container(self, container_id: str, attach: _Attach | None = None) -> None:
        """Remove a container (killing it if it runs, paused or not) and drop its connection;
        never fails."""
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self.api.remove_container, container_id, force=True)
        if attach is not None:
            attach.close()

    async def remove_leftovers(self, all_owners: bool = False) -> list[str]:
        """Remove our containers whose server process is gone (or all of ours); their ids."""
        await self.connect()
        api = self.api
        listed = await asyncio.to_thread(api.containers, all=True, filters={"label": f"{LABEL_INSTANCE}=1"})
        removed = []
        for container in listed:
            if all_owners or owner_is_gone((container.get("Labels") or {}).get(LABEL_OWNER)):
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(api.remove_container, container["Id"], force=True)
                    removed.append(container["Id"])
        return removed

    async def close(self) -> None:
        if self._client is not None and self._owns_client:
            client, self._client = self._client, None
            with contextlib.suppress(Exception):
                await asyncio.to_thread(client.close)
