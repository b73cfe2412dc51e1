"""The docker runtime on an ssh:// engine, for real: an sshd of our own in front of this machine's
Docker engine.

The test starts Debian's /usr/sbin/sshd as a child, on free localhost ports, with a temporary host
key and configuration (the system's sshd and its config are not touched) that lets in only a
temporary client key, for the user running the tests. The client side is explicit too: HOME
points at a temporary folder whose ~/.ssh holds that key (named by ~/.ssh/config) and a
known_hosts with the temporary host key, so the runtime's strict defaults (unknown hosts refused,
keys only) hold and nothing prompts. On the remote side `docker system dial-stdio` reaches the
same engine the local tests use (sshd's SetEnv passes its DOCKER_HOST on).

Skipped without sshd, the engine or the image; failed instead under
BBLFSH_LSP_REQUIRE_CONTAINERS=1 (CI), which installs openssh-server with scripts/setup-docker.sh.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from conftest import DATA, containers_unavailable, free_port, python_driver_image, remove_our_containers
from conftest import PYTHON_IMAGE as IMAGE

from driver_runtime.errors import DriverUnavailable
from driver_runtime.pool import DriverPool, PoolSettings
from driver_runtime.registry import Registry
from driver_runtime.runtimes.base import DriverSpec
from driver_runtime.runtimes.docker import DockerInstance, DockerRuntime
from driver_runtime.runtimes.docker_engine import engine_parameters
from driver_runtime.sdk.protocol import METHOD_PARSE, Mode, ParseRequest

SSHD = "/usr/sbin/sshd"
MAX_SESSIONS = 10  # sshd's default, written out: the many-drivers test goes past it on purpose
BROKEN_REMOTE = 'echo "sh: 1: docker: not found" >&2; exit 127'  # a host without the docker CLI


def descendants(pid: int) -> list[int]:
    """The processes below pid (from /proc): sshd's sessions and the dial-stdio they run."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                fields = stat[stat.rindex(")") + 2:].split()
                if fields[0] != "Z":  # a zombie is gone already, waiting to be reaped
                    children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


@attrs.frozen
class Sshd:
    process: subprocess.Popen[bytes]
    port: int  # dial-stdio reaches the engine
    broken_port: int  # every command fails as where the docker CLI is missing
    user: str
    home: Path  # the client side's HOME: .ssh/config, the key, known_hosts
    log: Path
    engine: str  # the local engine's URL, which dial-stdio reaches

    def url(self, port: int | None = None, user: str | None = None, host: str = "127.0.0.1") -> str:
        return f"ssh://{user or self.user}@{host}:{port or self.port}"

    def sessions(self) -> list[int]:
        return descendants(self.process.pid)

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])
        return ""


def local_engine_url() -> str:
    url = engine_parameters(None).get("base_url") or "unix:///var/run/docker.sock"
    if not url.startswith(("unix://", "tcp://")):
        pytest.skip(f"the local engine ({url}) is not on a unix socket or plain tcp")
    return url


@pytest.fixture(scope="module")
def python_spec() -> Iterator[DriverSpec]:
    """The Python driver's spec with its image (built if missing), on the local engine."""
    availability = DockerRuntime.probe()
    if not availability.ok:
        containers_unavailable(availability.reason)
    import docker

    client = docker.from_env(timeout=900)
    spec = Registry.bundled().get("python")
    assert spec is not None
    try:
        image = python_driver_image(client)
        yield attrs.evolve(spec, image=IMAGE, digest=image.id)
    finally:
        remove_our_containers(client)
        client.close()


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory, python_spec: DriverSpec) -> Iterator[Sshd]:
    for tool in (SSHD, "ssh-keygen"):
        if not shutil.which(tool):
            containers_unavailable(f"{tool} is missing (Debian: apt-get install openssh-server openssh-client)")
    engine = local_engine_url()
    base = tmp_path_factory.mktemp("sshd")
    base.chmod(0o700)
    user = pwd.getpwuid(os.getuid()).pw_name
    home = base / "home"
    (home / ".ssh").mkdir(parents=True, mode=0o700)
    host_key, client_key = base / "host_key", home / ".ssh" / "test_key"
    for key in (host_key, client_key):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bblfsh-lsp test", "-f", str(key)],
                       check=True, capture_output=True)
    authorized = base / "authorized_keys"
    authorized.write_text(Path(f"{client_key}.pub").read_text())
    port, broken_port = free_port(), free_port()
    host_public = " ".join(Path(f"{host_key}.pub").read_text().split()[:2])
    (home / ".ssh" / "known_hosts").write_text(
        "".join(f"[127.0.0.1]:{p} {host_public}\n" for p in (port, broken_port)))
    # paramiko (through the SDK) reads IdentityFile from here; the runtime adds nothing of its own.
    (home / ".ssh" / "config").write_text(f"Host 127.0.0.1\n    IdentityFile {client_key}\n")
    config = base / "sshd_config"
    config.write_text("\n".join([
        f"Port {port}",
        f"Port {broken_port}",
        "ListenAddress 127.0.0.1",
        f"HostKey {host_key}",
        "PidFile none",
        f"AuthorizedKeysFile {authorized}",
        f"AllowUsers {user}",
        "PermitRootLogin prohibit-password",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",  # the temporary files live under /tmp
        "PrintMotd no",
        "X11Forwarding no",
        "AllowTcpForwarding no",
        f"MaxSessions {MAX_SESSIONS}",
        f"SetEnv DOCKER_HOST={engine}",
        "LogLevel VERBOSE",
        f"Match LocalPort {broken_port}",
        f"    ForceCommand {BROKEN_REMOTE}",
        "",
    ]))
    privsep = Path("/run/sshd")  # what Debian's init script makes before starting sshd
    made_privsep = os.getuid() == 0 and not privsep.exists()
    if made_privsep:
        privsep.mkdir(mode=0o755)
    log = base / "sshd.log"
    process = subprocess.Popen([SSHD, "-D", "-f", str(config), "-E", str(log)],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    server = Sshd(process, port, broken_port, user, home, log, engine)
    try:
        for _ in range(100):
            if process.poll() is not None:
                containers_unavailable(f"sshd exited ({process.returncode}): {server.log_tail()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.05)
        else:
            containers_unavailable(f"sshd does not listen on port {port}: {server.log_tail()}")
        yield server
    finally:
        # Sessions would outlive the listener. The runtime leaves none; the SDK's `ssh` mode does
        # (idle connections it never closes): end them first, while the listener reaps them.
        for pid in descendants(process.pid):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not descendants(process.pid):
                break
            time.sleep(0.05)
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        if made_privsep:
            with contextlib.suppress(OSError):
                privsep.rmdir()


@pytest.fixture
def ssh_env(sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> Sshd:
    """The client side, explicitly: HOME with the test's ~/.ssh, and no agent of the developer's."""
    monkeypatch.setenv("HOME", str(sshd.home))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    return sshd


async def wait_for(condition: Any, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


def containers_of(sshd: Sshd, instance: DockerInstance) -> list[Any]:
    """The instance's container, looked for on the engine directly (not over ssh)."""
    import docker

    client = docker.DockerClient(base_url=sshd.engine)
    try:
        return client.api.containers(all=True, filters={"id": instance.container_id})
    finally:
        client.close()


async def test_a_driver_over_ssh_answers_as_over_the_local_socket(
    ssh_env: Sshd, python_spec: DriverSpec, monkeypatch: pytest.MonkeyPatch,
):
    """DOCKER_HOST=ssh://... : start, health and parse give what the local engine gives, and
    stopping goes through ssh as EOF (the driver exits 0 by itself), leaving nothing behind."""
    local = DockerRuntime(base_url=ssh_env.engine)
    monkeypatch.setenv("DOCKER_HOST", ssh_env.url())
    availability = DockerRuntime.probe()
    assert availability.ok, f"{availability.reason}\nsshd log:\n{ssh_env.log_tail()}"
    assert "over ssh" in availability.reason and ssh_env.url() in availability.reason
    remote = DockerRuntime()  # from the environment, as the server makes it
    content = (DATA / "sample.py").read_text(encoding="utf-8")
    instances: dict[str, DockerInstance] = {}
    try:
        instances["local"] = await local.start(python_spec)
        instances["ssh"] = await remote.start(python_spec)
        attach = instances["ssh"]._attach
        assert type(attach).__name__ == "ThreadedAttach"
        assert type(attach._connection).__module__ == "paramiko.channel"
        for instance in instances.values():
            health = await instance.health()
            assert (health.name, health.language) == ("python", "python")
        for mode in Mode:
            request = ParseRequest(content=content, filename="sample.py", language="python", mode=mode)
            expected = await instances["local"].request(METHOD_PARSE, request, timeout=30)
            assert expected.get("uast")
            assert await instances["ssh"].request(METHOD_PARSE, request, timeout=30) == expected, mode
        # A request larger than the ssh channel's window, both ways.
        big = "".join(f"def f{i}(a, b):\n    return a + b  # {i}\n" for i in range(3000))
        request = ParseRequest(content=big, filename="big.py", language="python", mode=Mode.SEMANTIC)
        assert await instances["ssh"].request(METHOD_PARSE, request, timeout=60) == \
            await instances["local"].request(METHOD_PARSE, request, timeout=60)
    finally:
        for instance in instances.values():
            await instance.stop()
        await local.close()
        await remote.close()
    ssh = instances["ssh"]
    assert ssh.exit_status is not None and ssh.exit_status.code == 0, ssh.exit_status  # EOF went through
    assert not containers_of(ssh_env, ssh)
    assert await wait_for(lambda: not ssh_env.sessions()), f"ssh sessions left: {ssh_env.sessions()}"


async def test_a_pool_over_ssh_survives_kill_9_and_stops_cleanly(ssh_env: Sshd, python_spec: DriverSpec):
    runtime = DockerRuntime(base_url=ssh_env.url())
    pool = DriverPool(runtime, python_spec, PoolSettings(max_instances=1, deadline=60))
    big = "".join(f"def f{i}(a, b):\n    return [a + b for _ in range(3)]\n" for i in range(15000))
    try:
        assert (await pool.request(METHOD_PARSE, ParseRequest(content="x = 1\n")))["uast"]["@type"] == "python:Module"
        (victim, _), = pool._idle
        assert isinstance(victim, DockerInstance)
        pid = await victim.host_pid()  # the engine is this machine's: its pid is ours to kill
        assert pid
        call = asyncio.ensure_future(pool.request(METHOD_PARSE, ParseRequest(content=big)))
        for _ in range(200):  # until the request is on the wire
            await asyncio.sleep(0.01)
            if victim.channel._lock.locked():
                break
        await asyncio.sleep(0.05)
        os.kill(pid, signal.SIGKILL)  # a crash: the engine ends the attach stream, over ssh
        result = await asyncio.wait_for(call, 120)
        assert result["uast"]["@type"] == "python:Module"  # retried on a fresh driver
        assert victim.exit_status is not None and victim.exit_status.code == 137
        assert not containers_of(ssh_env, victim)
        (survivor, _), = pool._idle
        assert survivor is not victim and isinstance(survivor, DockerInstance)
    finally:
        await pool.close()
        await runtime.close()
    assert survivor.exit_status is not None and survivor.exit_status.code == 0  # stopped by EOF
    assert not containers_of(ssh_env, survivor)
    assert await wait_for(lambda: not ssh_env.sessions()), f"ssh sessions left: {ssh_env.sessions()}"


async def test_more_drivers_than_one_ssh_connection_has_sessions(ssh_env: Sshd, python_spec: DriverSpec):
    """sshd lets MaxSessions channels share a connection: more drivers than that, started at once,
    all work (each attach connection has an ssh connection of its own; engine calls are few at once)."""
    runtime = DockerRuntime(base_url=ssh_env.url())
    count = MAX_SESSIONS + 3
    started: list[Any] = []
    try:
        started = await asyncio.gather(*[runtime.start(python_spec) for _ in range(count)], return_exceptions=True)
        failures = [repr(item) for item in started if isinstance(item, BaseException)]
        assert not failures, f"{failures[0]}\nsshd log:\n{ssh_env.log_tail()}"
        answers = await asyncio.gather(*[
            instance.request(METHOD_PARSE, ParseRequest(content=f"n = {number}\n"), timeout=60)
            for number, instance in enumerate(started)])
        assert [answer["uast"]["@type"] for answer in answers] == ["python:Module"] * count
    finally:
        await asyncio.gather(*[item.stop() for item in started if isinstance(item, DockerInstance)])
        await runtime.close()
    assert {item.exit_status.code for item in started} == {0}
    assert await wait_for(lambda: not ssh_env.sessions()), f"ssh sessions left: {ssh_env.sessions()}"


async def test_ssh_failures_say_what_to_fix(ssh_env: Sshd, python_spec: DriverSpec):
    cases = {
        ssh_env.url(host="localhost"): "not found in known_hosts",  # no host key for that name
        ssh_env.url(user="nobody"): "ssh login failed",  # not allowed in
        ssh_env.url(port=free_port()): "Unable to connect",  # nothing listens
        ssh_env.url(port=ssh_env.broken_port): "`docker system dial-stdio` failed on the ssh host with exit "
                                               "status 127: sh: 1: docker: not found",
    }
    for url, reason in cases.items():
        availability = DockerRuntime.probe(url)
        assert not availability.ok and url in availability.reason and reason in availability.reason, \
            availability.reason
    with pytest.raises(DriverUnavailable, match="cannot reach the Docker engine at ssh://.*docker: not found"):
        await DockerRuntime(base_url=ssh_env.url(port=ssh_env.broken_port)).start(python_spec)


async def test_a_client_that_shells_out_to_ssh_works_too(
    ssh_env: Sshd, python_spec: DriverSpec, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
):
    """A client passed in, made with use_ssh_client=True (the `ssh` command, one per connection):
    the attach connection is then an `ssh` child on pipes, half-closed by closing its stdin."""
    import docker

    if not shutil.which("ssh"):
        containers_unavailable("the ssh client is missing (Debian: apt-get install openssh-client)")
    # OpenSSH reads ~/.ssh from the password database, not HOME: an `ssh` first on PATH with -F.
    config = tmp_path / "ssh_config"
    config.write_text(f"Host 127.0.0.1\n    IdentityFile {ssh_env.home / '.ssh' / 'test_key'}\n"
                      f"    UserKnownHostsFile {ssh_env.home / '.ssh' / 'known_hosts'}\n"
                      "    StrictHostKeyChecking yes\n    BatchMode yes\n")
    wrapper = tmp_path / "bin" / "ssh"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nexec {shutil.which("ssh")} -F {config} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
    client = docker.DockerClient(base_url=ssh_env.url(), use_ssh_client=True, timeout=60)
    runtime = DockerRuntime(client=client)
    try:
        instance = await runtime.start(python_spec)
        try:
            assert getattr(instance._attach._connection, "proc", None) is not None
            assert (await instance.health()).language == "python"
            result = await instance.request(METHOD_PARSE, ParseRequest(content="import os\n"), timeout=30)
            assert result["uast"]["@type"] == "python:Module"
        finally:
            await instance.stop()
        assert instance.exit_status is not None and instance.exit_status.code == 0
        assert not containers_of(ssh_env, instance)
    finally:
        await runtime.close()
        client.close()
