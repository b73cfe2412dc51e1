"""The ``docker`` runtime: each driver instance is a container on a Docker Engine.

The engine is reached through the docker SDK, where ``docker.from_env()`` would find it
(``DOCKER_HOST`` and the TLS variables, else the CLI's current context), or at an explicit
``base_url``: ``unix://``, ``tcp://`` (a remote engine works the same as a local one) or ``ssh://``
(through paramiko: see "ssh:// engines" below; the remote host needs the ``docker`` CLI, which
runs ``docker system dial-stdio`` there for every connection).

A container is created with stdin open and no TTY, with the isolation of an :class:`Isolation`
and labels that mark it ours, then attached (stdin, stdout, stderr) *before* it starts, so no
early output is lost. Requests go over that one attach connection: no HTTP call per request.
Without a TTY the engine multiplexes stdout and stderr into frames
(``[stream][0 0 0][size, u32 big-endian][payload]``); they are split here into the StreamReader
the :class:`Channel` reads (stdout) and the stderr tail. When the attach connection is a real
socket (unix, tcp) it is driven by the event loop itself; otherwise (TLS, an ssh channel) a thread
reads it.

Stopping half-closes the connection: the engine then closes the container's stdin (``StdinOnce``)
and the driver exits at EOF; one that does not is killed. The container is always removed. Over
ssh the half-close is the channel's EOF: ``dial-stdio`` on the remote host passes it on to the
engine as a half-close of its own, so the driver sees EOF there as well.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable
from typing import Any

from driver_runtime.channel import FRAME_LIMIT
from driver_runtime.isolation import Isolation
from driver_runtime.runtimes.base import Availability, DriverSpec, DriverUnavailable, Runtime
from driver_runtime.runtimes.container import (
    HOSTNAME,
    LABEL_INSTANCE,
    LABEL_OWNER,
    ContainerInstance,
    ExitStatus,
    StderrTail,
    install_hint,
    instance_labels,
    owner_is_gone,
    tmpfs_options,
)

PROBE_TIMEOUT = 3.0  # seconds for an engine to answer a ping
API_TIMEOUT = 60.0  # seconds for ordinary engine calls
_STDOUT, _STDERR = 1, 2
_HEADER = 8
_READ_SIZE = 1 << 16

# ssh:// engines. The SDK's paramiko transport is used, not the system `ssh` client
# (use_ssh_client=True), which fails this runtime in ways that matter: every HTTP connection is a
# new `ssh` process and a full handshake (~0.3 s per engine call against ~0.03 s); the SDK then
# reads a pipe, so its timeouts do not apply (a `wait` for 1 s blocks until the container exits:
# a driver that ignores EOF could not be stopped, a stuck engine hangs the probe); the idle `ssh`
# processes linger; failures come back as "Connection aborted" with the reason on our stderr; and
# `ssh` may prompt on a terminal. paramiko keeps one logged-in connection and opens a channel per
# HTTP connection, honours timeouts, raises errors that say what failed, and never prompts. What it
# costs users: from ~/.ssh/config only HostName, Port, User, IdentityFile and ProxyCommand are read;
# host keys must be in ~/.ssh/known_hosts (an unknown host is refused, never trusted on first use);
# login is by key only (ssh-agent, ~/.ssh/id_*, IdentityFile).
#
# One ssh connection carries at most sshd's MaxSessions channels (10 by default), and each HTTP
# connection is one, so: engine calls over ssh are limited to SSH_CALLS at once; a few idle HTTP
# connections are kept (SSH_IDLE_POOLS pools of one); and each attach connection, held for a
# driver's whole life, gets an ssh connection of its own. SSH_CALLS also bounds the logins at once
# (sshd drops unauthenticated connections beyond MaxStartups, 10 by default).
SSH_CONNECT_TIMEOUT = 15.0  # seconds to open an ssh connection (TCP, key exchange, login)
SSH_CALLS = 6
SSH_IDLE_POOLS = 2
DIAL_COMMAND = "docker system dial-stdio"  # what the SDK runs on the ssh host for each connection


def engine_parameters(base_url: str | None) -> dict[str, Any]:
    """``docker.DockerClient`` arguments for base_url, else where ``docker.from_env()`` would look:
    ``DOCKER_HOST`` and the TLS variables, else the CLI's current context."""
    import docker

    if base_url is not None:
        return {"base_url": base_url}
    parameters = docker.utils.kwargs_from_env()
    from_context = getattr(docker.context.ContextAPI, "kwargs_from_context", None)  # docker >= 7.2
    if "base_url" not in parameters and from_context is not None:
        with contextlib.suppress(Exception):  # a broken context: the SDK's default socket
            for key, value in from_context().items():
                parameters.setdefault(key, value)
    return parameters


def ssh_url(parameters: dict[str, Any]) -> str | None:
    url = parameters.get("base_url")
    return url if isinstance(url, str) and url.startswith("ssh://") else None


def make_client(base_url: str | None = None, timeout: float = API_TIMEOUT,
                parameters: dict[str, Any] | None = None) -> Any:
    """A ``docker.DockerClient`` for base_url, else from the environment.  Negotiating the API
    version is an HTTP call: call this off the event loop."""
    import docker

    parameters = engine_parameters(base_url) if parameters is None else parameters
    url = ssh_url(parameters)
    if url is None:
        return docker.DockerClient(timeout=int(timeout), **parameters)
    try:
        return _in_time(lambda: docker.DockerClient(
            timeout=int(timeout), use_ssh_client=False, num_pools=SSH_IDLE_POOLS, max_pool_size=1,
            **parameters), SSH_CONNECT_TIMEOUT + timeout, f"no answer over ssh from {url}")
    except Exception as exc:
        raise ConnectionError(explain_ssh_failure(url, exc, timeout)) from exc


def _in_time(make: Callable[[], Any], seconds: float, message: str) -> Any:
    """make(), on a thread, given up after seconds (paramiko connects without a timeout: a host
    that drops packets would hold us for minutes). What it makes too late is closed."""
    lock = threading.Lock()
    done = threading.Event()
    outcome: list[Any] = []
    abandoned = False

    def run() -> None:
        try:
            result: Any = (True, make())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            result = (False, exc)
        with lock:
            if not abandoned:
                outcome.append(result)
                done.set()
                return
        if result[0]:
            with contextlib.suppress(Exception):
                result[1].close()

    threading.Thread(target=run, name="docker-ssh-connect", daemon=True).start()
    done.wait(seconds)
    with lock:
        if not outcome:
            abandoned = True
            raise TimeoutError(f"{message} within {seconds:g} s")
    ok, value = outcome[0]
    if ok:
        return value
    raise value


def explain_ssh_failure(url: str, exc: BaseException, timeout: float) -> str:
    """Why an ssh:// engine could not be reached, said so that the user knows what to fix."""
    text = str(exc) or type(exc).__name__
    try:
        import paramiko
    except ImportError:
        return f"ssh:// engines need the paramiko package (pip install 'docker[ssh]'): {text}"
    if isinstance(exc, paramiko.BadHostKeyException):
        return f"ssh: {text} (the host key changed: check it, then fix ~/.ssh/known_hosts)"
    if isinstance(exc, paramiko.AuthenticationException) or "No authentication methods" in text:
        return (f"ssh login failed: {text} (only keys are tried: ssh-agent's, ~/.ssh/id_*, and IdentityFile "
                f"in ~/.ssh/config; there is no password prompt)")
    if isinstance(exc, paramiko.SSHException) and "known_hosts" in text:
        return (f"ssh: {text}: unknown hosts are refused; add its host key to ~/.ssh/known_hosts "
                f"(connect once with ssh, or use ssh-keyscan)")
    if isinstance(exc, (paramiko.SSHException, OSError, TimeoutError)):
        return f"ssh: {text}"
    # Logged in, yet no engine answered: run what the SDK runs there, to say why.
    why = _remote_dial_failure(url, timeout)
    return f"{text}; {why}" if why else text


def _remote_dial_failure(url: str, timeout: float) -> str | None:
    """Why ``docker system dial-stdio`` fails on the ssh host, if it does."""
    from docker.transport import SSHHTTPAdapter

    try:
        adapter = _in_time(lambda: SSHHTTPAdapter(url, timeout=int(timeout)), SSH_CONNECT_TIMEOUT, "no ssh connection")
    except Exception:
        return None
    try:
        channel = adapter.ssh_client.get_transport().open_session(timeout=timeout)
        channel.settimeout(timeout)
        channel.exec_command(DIAL_COMMAND)
        channel.shutdown_write()  # at EOF a working dial-stdio half-closes the engine's socket, and ends
        if not channel.status_event.wait(timeout):
            return None
        status = channel.recv_exit_status()
        if status == 0:
            return None
        errors = b""
        while chunk := channel.recv_stderr(_READ_SIZE):
            errors += chunk
        lines = [line.strip() for line in errors.decode("utf-8", "replace").splitlines() if line.strip()]
        hint = " (is the docker CLI installed, and on the PATH of non-interactive ssh sessions?)" \
            if status == 127 else ""
        said = f": {' | '.join(lines[-3:])}" if lines else ""
        return f"`{DIAL_COMMAND}` failed on the ssh host with exit status {status}{said}{hint}"
    except Exception:
        return None
    finally:
        with contextlib.suppress(Exception):
            adapter.close()


def _ssh_connection_lost(client: Any) -> bool:
    """Whether a paramiko-backed client's ssh connection has dropped (the SDK does not reconnect)."""
    ssh_client = getattr(getattr(client.api, "_custom_adapter", None), "ssh_client", None)
    if ssh_client is None:
        return False
    transport = ssh_client.get_transport()
    return transport is None or not transport.is_active()


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
    hands the bytes to the event loop; writes go through a worker thread.

    ``owner``: what holds the connection and is closed with it (over ssh, the attach connection's
    own client and ssh connection)."""

    def __init__(self, connection: Any, reader: asyncio.StreamReader, on_stderr: Callable[[bytes], None],
                 owner: Any = None):
        self._connection = connection
        self._owner = owner
        self._reader = reader
        self._demux = Demultiplexer(reader.feed_data, on_stderr)
        self._loop = asyncio.get_running_loop()
        self._pending: list[bytes] = []
        self.closed = False
        # A client made with use_ssh_client=True hands over its SSHSocket: an `ssh` child on pipes.
        process = getattr(connection, "proc", None)
        self._process: subprocess.Popen[bytes] | None = process
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
            else:  # a paramiko channel (its EOF: the remote dial-stdio half-closes), or a socket
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
        except (OSError, ValueError, EOFError):
            pass
        finally:
            with contextlib.suppress(RuntimeError):  # the loop may be closed already
                self._loop.call_soon_threadsafe(self._ended)
            # The stream has ended: release what carried it (off the event loop, as this may wait).
            if self._process is not None:
                with contextlib.suppress(Exception):
                    self._process.wait(5)
            if self._owner is not None:
                with contextlib.suppress(Exception):
                    self._owner.close()

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
        """Drop the connection; the reading thread then ends (and closes the owner)."""
        if self._process is not None:
            # Not SSHSocket.close(): it writes two newlines down the stream first (to the driver).
            with contextlib.suppress(Exception):
                self._process.terminate()
            return
        with contextlib.suppress(Exception):
            self._connection.shutdown(socket.SHUT_RDWR)  # wakes the reading thread
        with contextlib.suppress(Exception):
            self._connection.close()


_Attach = _NativeAttach | _ThreadedAttach


async def _connect_attach(hijacked: Any, reader: asyncio.StreamReader, on_stderr: Callable[[bytes], None],
                          native: bool, owner: Any = None) -> _Attach:
    """Take over the connection ``attach_socket`` returned (and ``owner``, closed with it)."""
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
    return _ThreadedAttach(raw, reader, on_stderr, owner)


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

        call = self.runtime.call
        try:
            result = await call("wait", self.container_id, timeout=timeout)
        except requests.exceptions.RequestException:
            return None  # still running after timeout
        except Exception:
            return ExitStatus(None)  # the engine lost the container
        code = result.get("StatusCode")
        try:
            state = (await call("inspect_container", self.container_id)).get("State") or {}
        except Exception:
            state = {}
        return ExitStatus(code, oom_killed=bool(state.get("OOMKilled")))

    async def kill(self, signal_name: str = "KILL") -> None:
        import docker.errors

        try:
            await self.runtime.call("kill", self.container_id, signal_name)
        except docker.errors.APIError as exc:
            if exc.status_code != 409:  # 409: it is not running (any more): nothing to kill
                raise

    async def _remove(self) -> None:
        await self.runtime.remove_container(self.container_id, self._attach)

    # --- for diagnostics, tests and benchmarks -----------------------------------------------

    async def host_pid(self) -> int | None:
        """The driver's pid on the engine's host (meaningful when the engine is local)."""
        state = (await self.runtime.call("inspect_container", self.container_id))["State"]
        return state.get("Pid") or None

    async def memory_usage(self) -> int | None:
        """Bytes of memory the container uses, less the page cache (as ``docker stats``)."""
        stats = await self.runtime.call("stats", self.container_id, stream=False, one_shot=True)
        memory = stats.get("memory_stats") or {}
        if "usage" not in memory:
            return None
        details = memory.get("stats") or {}
        return memory["usage"] - details.get("total_inactive_file", details.get("inactive_file", 0))

    async def exec(self, argv: list[str], timeout: float = 30.0) -> tuple[int, bytes]:
        """Run a command in the driver's container (as its user, with its confinement)."""
        call = self.runtime.call

        async def run() -> tuple[int, bytes]:
            exec_id = (await call("exec_create", self.container_id, argv, stdout=True, stderr=True))["Id"]
            output = await call("exec_start", exec_id)
            return (await call("exec_inspect", exec_id)).get("ExitCode") or 0, output

        async with asyncio.timeout(timeout):
            return await run()


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
        self._ssh_url: str | None = None  # an engine on ssh:// that we connect to ourselves
        self._calls: asyncio.Semaphore | None = None  # over ssh: SSH_CALLS engine calls at once

    @property
    def api(self) -> Any:
        """The low-level ``docker.APIClient`` (one HTTP call per verb, no extra inspects)."""
        assert self._client is not None, "not connected: start() connects"
        return self._client.api

    async def connect(self) -> Any:
        """The engine's client, made on first use (off the event loop: it asks the engine), and
        made again when its ssh connection has dropped."""
        async with self._client_lock:
            if self._client is not None and self._owns_client and self._ssh_url is not None \
                    and _ssh_connection_lost(self._client):
                lost, self._client = self._client, None
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(lost.close)
            if self._client is None:
                try:
                    parameters = engine_parameters(self.base_url)
                    self._client = await asyncio.to_thread(make_client, self.base_url, API_TIMEOUT, parameters)
                    self._ssh_url = ssh_url(parameters)
                except Exception as exc:
                    raise DriverUnavailable(
                        f"cannot reach the Docker engine at {describe_engine(self.base_url)}: {exc}") from exc
            if self._calls is None and str(self._client.api.base_url).startswith("http+docker://ssh"):
                self._calls = asyncio.Semaphore(SSH_CALLS)
        return self._client

    async def call(self, verb: str, *args: Any, **kwargs: Any) -> Any:
        """``docker.APIClient.<verb>(*args, **kwargs)`` off the event loop (over ssh, no more than
        SSH_CALLS at once)."""
        client = await self.connect()
        method = getattr(client.api, verb)
        if self._calls is None:
            return await asyncio.to_thread(method, *args, **kwargs)
        async with self._calls:
            return await asyncio.to_thread(method, *args, **kwargs)

    async def _attach(self, container_id: str) -> tuple[Any, Any]:
        """``attach_socket`` for a container, and what must be closed with the connection: over
        ssh, a client with an ssh connection of its own (see "ssh:// engines" above)."""
        params = {"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
        if self._ssh_url is None:
            return await self.call("attach_socket", container_id, params=params), None
        import docker

        url, version = self._ssh_url, self.api.api_version

        def attach() -> tuple[Any, Any]:
            # With the version given, making the client asks the engine nothing: it only logs in.
            client = _in_time(lambda: docker.APIClient(
                base_url=url, version=version, timeout=int(API_TIMEOUT), use_ssh_client=False,
                num_pools=1, max_pool_size=1), SSH_CONNECT_TIMEOUT, f"no ssh connection to {url}")
            try:
                return client.attach_socket(container_id, params=params), client
            except BaseException:
                client.close()
                raise

        assert self._calls is not None
        async with self._calls:  # a login: bounded with the calls (sshd's MaxStartups)
            return await asyncio.to_thread(attach)

    @classmethod
    def probe(cls, base_url: str | None = None) -> Availability:
        where = describe_engine(base_url)
        client = None
        try:
            parameters = engine_parameters(base_url)
            client = make_client(base_url, timeout=PROBE_TIMEOUT, parameters=parameters)
            client.ping()
            over = " over ssh" if ssh_url(parameters) else ""
            return Availability(True, f"Docker engine at {where} answers{over} (API {client.api.api_version})")
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
            raise DriverUnavailable(f"the {spec.language} driver has no image; {install_hint(spec, self.name)}")
        await self.connect()
        api = self.api
        try:
            created = await self.call(
                "create_container",
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
                f"{describe_engine(self.base_url)}; {install_hint(spec, self.name)}") from exc
        except Exception as exc:
            raise DriverUnavailable(f"the Docker engine could not create a {spec.language} driver: {exc}") from exc
        container_id = created["Id"]
        reader = asyncio.StreamReader(limit=FRAME_LIMIT)
        stderr_tail = StderrTail()
        attach: _Attach | None = None
        owner: Any = None
        try:
            hijacked, owner = await self._attach(container_id)
            attach = await _connect_attach(hijacked, reader, stderr_tail.feed, self.native_io, owner)
            await self.call("start", container_id)
        except BaseException as exc:
            await self.remove_container(container_id, attach)
            if attach is None and owner is not None:
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(owner.close)
            if isinstance(exc, Exception):
                raise DriverUnavailable(f"the Docker engine could not start a {spec.language} driver: {exc}") from exc
            raise
        return DockerInstance(spec, self, container_id, attach, reader, stderr_tail, self.isolation)

    async def remove_container(self, container_id: str, attach: _Attach | None = None) -> None:
        """Remove a container (killing it if it runs, paused or not) and drop its connection;
        never fails."""
        with contextlib.suppress(Exception):
            await self.call("remove_container", container_id, force=True)
        if attach is not None:
            attach.close()

    async def remove_leftovers(self, all_owners: bool = False) -> list[str]:
        """Remove our containers whose server process is gone (or all of ours); their ids."""
        listed = await self.call("containers", all=True, filters={"label": f"{LABEL_INSTANCE}=1"})
        removed = []
        for container in listed:
            if all_owners or owner_is_gone((container.get("Labels") or {}).get(LABEL_OWNER)):
                with contextlib.suppress(Exception):
                    await self.call("remove_container", container["Id"], force=True)
                    removed.append(container["Id"])
        return removed

    async def close(self) -> None:
        if self._client is not None and self._owns_client:
            client, self._client = self._client, None
            with contextlib.suppress(Exception):
                await asyncio.to_thread(client.close)
