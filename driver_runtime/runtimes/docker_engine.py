"""Reaching a Docker Engine: the one way every part of the runtime makes its docker client.

The engine is reached through the docker SDK, where ``docker.from_env()`` would find it
(``DOCKER_HOST`` and the TLS variables, else the CLI's current context), or at an explicit
``base_url``: ``unix://``, ``tcp://`` (a remote engine works the same as a local one) or ``ssh://``
(through paramiko: see "ssh:// engines" below; the remote host needs the ``docker`` CLI, which
runs ``docker system dial-stdio`` there for every connection).  The docker runtime and the driver
manager both come here, so a driver is installed into the engine that then runs it.

Finding out whether an engine answers does not need the SDK where the SDK would take its default
socket: ``local_engine_version`` asks it on the socket itself, for the ``auto`` runtime's probe at
every command's start (importing the SDK takes a tenth of a second).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
from collections.abc import Callable
from typing import Any

PROBE_TIMEOUT = 3.0  # seconds for an engine to answer a ping
API_TIMEOUT = 60.0  # seconds for ordinary engine calls

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

# The SDK's default engine (its DEFAULT_UNIX_SOCKET, the Docker CLI's "default" context), and the
# variables and files that can name another (docker.utils.kwargs_from_env, docker.context).
DEFAULT_SOCKET = "/var/run/docker.sock"
ENGINE_VARIABLES = ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_CONFIG")
CLI_CONFIG_FILES = (os.path.join(".docker", "config.json"), ".dockercfg")  # in the home folder, the first found
MINIMUM_API_VERSION = (1, 24)  # the SDK's MINIMUM_DOCKER_API_VERSION: it refuses older engines


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


def default_engine_socket() -> str | None:
    """The socket of the SDK's default engine when that is where ``engine_parameters(None)``
    leads, as far as can be told without the SDK: none of ENGINE_VARIABLES is set, and the Docker
    CLI's configuration names no context but "default".  None otherwise: ask the SDK."""
    if any(os.environ.get(variable) for variable in ENGINE_VARIABLES):
        return None
    home = os.path.expanduser("~")
    config = next((path for name in CLI_CONFIG_FILES if os.path.exists(path := os.path.join(home, name))), None)
    if config is not None:
        try:
            with open(config, encoding="utf-8") as file:
                context = json.load(file).get("currentContext", "default")
        except Exception:  # as the SDK: an unreadable configuration is the default context
            context = "default"
        if context != "default":
            return None
    return DEFAULT_SOCKET


def local_engine_version(path: str, timeout: float) -> str | None:
    """The API version of the engine on a unix socket: a ping, whose answer names it (the
    ``Api-Version`` header: the version a client made by the SDK negotiates); OSError if nothing
    answers there, None if what answers is not an engine the SDK takes (it then says why)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(timeout)
        connection.connect(path)
        connection.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
        response = b""
        while chunk := connection.recv(1 << 16):  # HTTP/1.0: the engine closes after its answer
            response += chunk
    status, *headers = response.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    if status.split(" ")[1:2] != ["200"]:
        return None
    version = next((value.strip() for name, _, value in (header.partition(":") for header in headers)
                    if name.strip().lower() == "api-version"), "")
    try:
        if tuple(int(part) for part in version.split(".")) < MINIMUM_API_VERSION:
            return None
    except ValueError:
        return None
    return version


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


def ssh_api_client(url: str, version: str) -> Any:
    """A ``docker.APIClient`` on an ssh connection of its own (what one attach connection, held
    for a driver's whole life, is carried by: see "ssh:// engines" above).  With the API version
    given, making it asks the engine nothing: it only logs in."""
    import docker

    return _in_time(lambda: docker.APIClient(
        base_url=url, version=version, timeout=int(API_TIMEOUT), use_ssh_client=False, num_pools=1,
        max_pool_size=1), SSH_CONNECT_TIMEOUT, f"no ssh connection to {url}")


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
        while chunk := channel.recv_stderr(1 << 16):
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


def ssh_connection_lost(client: Any) -> bool:
    """Whether a paramiko-backed client's ssh connection has dropped (the SDK does not reconnect)."""
    ssh_client = getattr(getattr(client.api, "_custom_adapter", None), "ssh_client", None)
    if ssh_client is None:
        return False
    transport = ssh_client.get_transport()
    return transport is None or not transport.is_active()


def describe_engine(base_url: str | None) -> str:
    """Where the engine is, for messages: where make_client(base_url) goes."""
    where = base_url
    if where is None:
        with contextlib.suppress(Exception):  # no docker package, a broken TLS setting: said elsewhere
            where = engine_parameters(None).get("base_url")
    return where or os.environ.get("DOCKER_HOST") or "the default Docker socket"
