"""The ``docker`` runtime: each driver instance is a container on a Docker Engine.

The engine is reached as docker_engine says (the environment, the CLI's context, or an explicit
``base_url``: unix, tcp or ssh). A container is created with stdin open and no TTY, with the
isolation of an :class:`Isolation` and labels that mark it ours, then attached (stdin, stdout,
stderr) *before* it starts, so no early output is lost; requests go over that one attach
connection (docker_attach).

Stopping half-closes the connection: the engine then closes the container's stdin (``StdinOnce``)
and the driver exits at EOF; one that does not is killed. The container is always removed.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from driver_runtime.channel import FRAME_LIMIT
from driver_runtime.errors import DriverUnavailable
from driver_runtime.isolation import Isolation
from driver_runtime.runtime_names import DOCKER
from driver_runtime.runtimes.base import Availability, DriverSpec, Runtime
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
from driver_runtime.runtimes.docker_attach import Attach, connect_attach
from driver_runtime.runtimes.docker_engine import (
    API_TIMEOUT,
    PROBE_TIMEOUT,
    SSH_CALLS,
    default_engine_socket,
    describe_engine,
    engine_parameters,
    local_engine_version,
    make_client,
    ssh_api_client,
    ssh_connection_lost,
    ssh_url,
)


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


# --- instances and the runtime ----------------------------------------------------------------------


class DockerInstance(ContainerInstance):
    runtime_name = DOCKER

    def __init__(self, spec: DriverSpec, runtime: DockerRuntime, container_id: str, attach: Attach,
                 reader: asyncio.StreamReader, stderr_tail: StderrTail, isolation: Isolation):
        super().__init__(spec, container_id, isolation, reader, attach, stderr_tail)
        self.runtime = runtime
        self._attach = attach

    def _running(self) -> bool:
        return not self._attach.closed

    def _close_stdin(self) -> bool:
        return self._attach.close_stdin()

    async def _exited(self, timeout: float) -> ExitStatus | None:
        import docker.errors
        import requests

        call = self.runtime.call
        try:
            result = await call("wait", self.container_id, timeout=timeout)
        except requests.exceptions.RequestException:
            return None  # still running after timeout
        except docker.errors.NotFound:
            return ExitStatus(None)  # the engine lost the container
        except Exception:
            # The way to the engine failed (over ssh, a channel refused under load): the exit is
            # not known yet, and a later wait may still read it.
            return None
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

    name = DOCKER

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
                    and ssh_connection_lost(self._client):
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
        url, version = self._ssh_url, self.api.api_version

        def attach() -> tuple[Any, Any]:
            client = ssh_api_client(url, version)
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
        default_socket = default_engine_socket() if base_url is None else None
        if default_socket is not None:  # the SDK's default engine: asked without the SDK
            where = f"unix://{default_socket}"
            try:
                version = local_engine_version(default_socket, PROBE_TIMEOUT)
            except OSError as exc:
                return Availability(False, f"no Docker engine answers at {where}: {exc}")
            if version is not None:
                return Availability(True, f"Docker engine at {where} answers (API {version})")
            # Something unexpected answers there: the SDK says what.
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
        attach: Attach | None = None
        owner: Any = None
        try:
            hijacked, owner = await self._attach(container_id)
            attach = await connect_attach(hijacked, reader, stderr_tail.feed, self.native_io, owner)
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

    async def remove_container(self, container_id: str, attach: Attach | None = None) -> None:
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
