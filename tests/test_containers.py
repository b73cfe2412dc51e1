"""The container runtimes (docker, oci) and the bundle store, with real components only.

A real Docker engine, real runc and the real Python driver image. When one of them is missing
the tests that need it are skipped, unless BBLFSH_LSP_REQUIRE_CONTAINERS=1 (CI), where that is a
failure. Every container and runc state made here is removed, even when a test fails.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import io
import json
import os
import shutil
import ssl
import stat
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from conftest import DATA, OWNER, SHARED, containers_unavailable, python_driver_image, remove_our_containers
from conftest import PYTHON_IMAGE as IMAGE

from driver_runtime import archives
from driver_runtime.bundles import BundleStore
from driver_runtime.errors import BundleError, DriverCrashed, DriverTimeout, DriverUnavailable, ManagerError
from driver_runtime.isolation import Isolation
from driver_runtime.manager import read_saved_images
from driver_runtime.pool import DriverPool, PoolSettings
from driver_runtime.registry import Registry
from driver_runtime.runtimes.base import DriverSpec, Runtime
from driver_runtime.runtimes.container import LABEL_OWNER, ContainerInstance, ExitStatus, StderrTail, describe_death
from driver_runtime.runtimes.docker import DockerInstance, DockerRuntime
from driver_runtime.runtimes.oci import OCIInstance, OCIRuntime, memory_cgroup_dir
from driver_runtime.runtimes.process import ProcessRuntime
from driver_runtime.sdk.protocol import METHOD_PARSE, Mode, ParseRequest, converter

MIB = 1024 * 1024
CONFORMANCE = SHARED / "conformance" / "python"
SAMPLES = [DATA / "sample.py"] + [CONFORMANCE / name for name in (
    "_integration.py", "_syntax_error.py", "bench_n_queens.py", "complex.py", "comprehension_dict.py",
    "fstring_func.py", "print.py", "string_triple.py", "u2_class_method.py")]


# --- the environment: engine, image, runc, bundles -------------------------------------------------


@attrs.frozen
class DockerEnv:
    client: Any
    spec: DriverSpec


@attrs.frozen
class OCIEnv:
    store: BundleStore
    state_dir: Path
    spec: DriverSpec

    def runc(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["runc", "--root", str(self.state_dir / "runc"), *args],
                              capture_output=True, text=True, timeout=30)

    def container_ids(self) -> list[str]:
        listed = self.runc("list", "--format", "json")
        return [c["id"] for c in json.loads(listed.stdout or "null") or []] if listed.returncode == 0 else []

    def clean(self) -> None:
        for container_id in self.container_ids():
            self.runc("delete", "--force", container_id)
        shutil.rmtree(self.state_dir / "instances", ignore_errors=True)


def python_spec(**images: str) -> DriverSpec:
    spec = Registry.bundled().get("python")
    assert spec is not None
    return attrs.evolve(spec, **images)


@pytest.fixture(scope="session")
def docker_env() -> Iterator[DockerEnv]:
    availability = DockerRuntime.probe()
    if not availability.ok:
        containers_unavailable(availability.reason)
    import docker

    client = docker.from_env(timeout=900)
    try:
        image = python_driver_image(client)
        yield DockerEnv(client, python_spec(image=IMAGE, digest=image.id))
    finally:
        remove_our_containers(client)
        client.close()


@pytest.fixture(scope="session")
def oci_env(docker_env: DockerEnv, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OCIEnv]:
    availability = OCIRuntime.probe()
    if not availability.ok:
        containers_unavailable(availability.reason)
    base = tmp_path_factory.mktemp("oci")
    store = BundleStore(base / "bundles")
    assert docker_env.spec.digest is not None
    store.import_from_docker(docker_env.client, docker_env.spec.digest)  # by id: the tag may move
    env = OCIEnv(store, base / "state", docker_env.spec)
    try:
        yield env
    finally:
        env.clean()
        shutil.rmtree(base, ignore_errors=True)


MakeRuntime = Callable[..., Runtime]


@pytest.fixture(params=["docker", "oci"])
def kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def make_runtime(kind: str, request: pytest.FixtureRequest) -> AsyncIterator[MakeRuntime]:
    """Runtimes of the kind under test; whatever they leave behind is removed afterwards."""
    env = request.getfixturevalue(f"{kind}_env")
    made: list[Runtime] = []

    def make(isolation: Isolation | None = None) -> Runtime:
        runtime: Runtime
        if kind == "docker":
            runtime = DockerRuntime(isolation, client=None)
        else:
            runtime = OCIRuntime(isolation, store=env.store, state_dir=env.state_dir)
        made.append(runtime)
        return runtime

    try:
        yield make
    finally:
        for runtime in made:
            await runtime.close()
        if kind == "docker":
            await asyncio.to_thread(remove_our_containers, env.client)
        else:
            await asyncio.to_thread(env.clean)


@pytest.fixture
def spec(kind: str, request: pytest.FixtureRequest) -> DriverSpec:
    return request.getfixturevalue(f"{kind}_env").spec


# --- what we check about containers ------------------------------------------------------------------


def container_exists(env: DockerEnv | OCIEnv, instance: ContainerInstance) -> bool:
    if isinstance(env, DockerEnv):
        return bool(env.client.api.containers(all=True, filters={"id": instance.container_id}))
    return instance.container_id in env.container_ids()


def assert_gone(env: DockerEnv | OCIEnv, instance: ContainerInstance) -> None:
    assert not container_exists(env, instance), f"{instance.container_id} is still there"
    if isinstance(instance, OCIInstance):
        assert not instance.bundle.exists()
        assert not memory_cgroup_dir(instance.cgroups_path).exists()
        assert env.runc("state", instance.container_id).returncode != 0


async def pause(instance: ContainerInstance) -> None:
    """Freeze the driver (cgroup freezer): it stops answering, as a hung driver does."""
    if isinstance(instance, DockerInstance):
        await asyncio.to_thread(instance.runtime.api.pause, instance.container_id)
    else:
        assert isinstance(instance, OCIInstance)
        code, _, err = await instance.runtime.runc("pause", instance.container_id)
        assert code == 0, err


def only_idle_instance(pool: DriverPool) -> ContainerInstance:
    (instance, _), = pool._idle
    assert isinstance(instance, ContainerInstance)
    return instance


# --- results are the same whatever runs the driver ----------------------------------------------


async def test_python_driver_answers_as_it_does_in_a_process(kind: str, make_runtime: MakeRuntime, spec: DriverSpec):
    """Process, docker and oci give identical results (each container runtime is compared with
    the process runtime on the same requests)."""
    instances = {"process": await ProcessRuntime().start(python_spec())}
    try:
        instances[kind] = await make_runtime().start(spec)
        for instance in instances.values():
            assert (await instance.health()).language == "python"
        checked = 0
        for number, path in enumerate(SAMPLES):
            content = path.read_text(encoding="utf-8")
            modes = list(Mode) if number < 2 else [Mode.SEMANTIC]  # every mode on the first two
            for mode in modes:
                request = ParseRequest(content=content, filename=path.name, language="python", mode=mode)
                expected = await instances["process"].request(METHOD_PARSE, request, timeout=30)
                assert expected.get("uast") or expected.get("errors")
                assert await instances[kind].request(METHOD_PARSE, request, timeout=30) == expected, \
                    f"{path.name} ({mode.value}): {kind} differs from process"
                checked += 1
        assert checked == len(SAMPLES) + 2 * (len(Mode) - 1)
    finally:
        for instance in instances.values():
            await instance.stop()


# --- the pool over a container runtime ----------------------------------------------------------


async def test_instance_serves_requests_and_stop_leaves_nothing(
    kind: str, make_runtime: MakeRuntime, spec: DriverSpec, request: pytest.FixtureRequest,
):
    env = request.getfixturevalue(f"{kind}_env")
    runtime = make_runtime()
    first = await runtime.start(spec)
    second = await runtime.start(spec)
    try:
        assert (await first.health()).language == "python"
        for number in range(10):
            result = await first.request(METHOD_PARSE, ParseRequest(content=f"x = {number}\n"), timeout=10)
            assert result["uast"]["@type"] == "python:Module"
        assert first.alive and container_exists(env, first)
        await second.health()
        await second.kill("KILL")  # a dead container is removed as well
        assert await second.wait_exit(10) is not None
        assert not second.alive
    finally:
        await first.stop()
        await second.stop()
    assert first.exit_status is not None and first.exit_status.code == 0  # it exited at EOF
    assert second.exit_status is not None and second.exit_status.code == 137
    assert not first.alive
    assert_gone(env, first)
    assert_gone(env, second)
    await first.stop()  # idempotent


async def test_pool_retries_a_request_whose_driver_was_killed(
    kind: str, make_runtime: MakeRuntime, spec: DriverSpec, request: pytest.FixtureRequest,
):
    env = request.getfixturevalue(f"{kind}_env")
    pool = DriverPool(make_runtime(), spec, PoolSettings(max_instances=1, deadline=60))
    big = "".join(f"def f{i}(a, b):\n    return [a + b for _ in range(3)]\n" for i in range(15000))
    try:
        await pool.request(METHOD_PARSE, ParseRequest(content="x = 1\n"))
        victim = only_idle_instance(pool)
        call = asyncio.ensure_future(pool.request(METHOD_PARSE, ParseRequest(content=big)))
        for _ in range(100):  # until the request is on the wire
            await asyncio.sleep(0.01)
            if victim.channel._lock.locked():
                break
        await asyncio.sleep(0.05)
        await victim.kill("KILL")
        result = await call
        assert result["uast"]["@type"] == "python:Module"
        assert victim.exit_status is not None and victim.exit_status.code == 137
        assert not victim.exit_status.oom_killed
        assert only_idle_instance(pool) is not victim
        assert_gone(env, victim)
    finally:
        await pool.close()


async def test_pool_replaces_a_driver_that_hangs_past_the_deadline(
    kind: str, make_runtime: MakeRuntime, spec: DriverSpec, request: pytest.FixtureRequest,
):
    env = request.getfixturevalue(f"{kind}_env")
    pool = DriverPool(make_runtime(), spec, PoolSettings(max_instances=1, deadline=1.0))
    try:
        await pool.request(METHOD_PARSE, ParseRequest(content="x = 1\n"))
        hung = only_idle_instance(pool)
        await pause(hung)
        started = time.monotonic()
        with pytest.raises(DriverTimeout, match="did not answer within 1 s"):
            await pool.request(METHOD_PARSE, ParseRequest(content="y = 2\n"))
        assert time.monotonic() - started < 10
        assert_gone(env, hung)  # a frozen container is killed and removed too
        result = await pool.request(METHOD_PARSE, ParseRequest(content="z = 3\n"))
        assert result["uast"]["@type"] == "python:Module"
        assert only_idle_instance(pool) is not hung
    finally:
        await pool.close()


async def test_pool_reports_a_driver_killed_for_memory_and_keeps_serving(
    kind: str, make_runtime: MakeRuntime, spec: DriverSpec,
):
    isolation = Isolation(memory_bytes=64 * MIB)
    pool = DriverPool(make_runtime(isolation), spec, PoolSettings(max_instances=1, deadline=60, crash_limit=10))
    huge = "x = [" + "1," * 3_000_000 + "]\n"
    try:
        await pool.request(METHOD_PARSE, ParseRequest(content="x = 1\n"))
        with pytest.raises(DriverCrashed, match=r"killed: out of memory \(limit 64 MiB") as crash:
            await pool.request(METHOD_PARSE, ParseRequest(content=huge))
        assert "python driver crashed" in str(crash.value)
        result = await pool.request(METHOD_PARSE, ParseRequest(content="def f(): pass\n"))
        assert result["uast"]["@type"] == "python:Module"
    finally:
        await pool.close()


async def test_a_driver_that_cannot_start_within_its_limits_says_why(
    kind: str, make_runtime: MakeRuntime, spec: DriverSpec,
):
    pool = DriverPool(make_runtime(Isolation(memory_bytes=7 * MIB)), spec, PoolSettings(crash_limit=10))
    try:
        with pytest.raises(DriverUnavailable, match=r"health check.*killed: out of memory \(limit 7 MiB"):
            await pool.request(METHOD_PARSE, ParseRequest(content="x = 1\n"))
    finally:
        await pool.close()


async def test_runc_errors_reach_the_message(oci_env: OCIEnv):
    # Below what runc itself needs to start: runc fails, and says so on stderr.
    runtime = OCIRuntime(Isolation(memory_bytes=1 * MIB), store=oci_env.store, state_dir=oci_env.state_dir)
    instance = await runtime.start(oci_env.spec)
    try:
        with pytest.raises(DriverCrashed, match=r"exit status 1; stderr: .*memory limit"):
            await instance.health()
    finally:
        await instance.stop()
        oci_env.clean()
    assert not instance.bundle.exists()


LEFTOVER_MAKER = r"""
import asyncio, json, sys
from pathlib import Path
import attrs
from driver_runtime.bundles import BundleStore
from driver_runtime.sdk.protocol import Manifest, converter
from driver_runtime.runtimes.base import DriverSpec
from driver_runtime.runtimes.docker import DockerRuntime
from driver_runtime.runtimes.oci import OCIRuntime
kind, store, state, spec = json.loads(sys.argv[1])
spec = DriverSpec(manifest=converter.structure(spec["manifest"], Manifest), image=spec["image"], digest=spec["digest"])
async def main():
    runtime = DockerRuntime() if kind == "docker" else OCIRuntime(store=BundleStore(store), state_dir=state)
    instance = await runtime.start(spec)
    await instance.health()
    print(instance.container_id, flush=True)
    await asyncio.sleep(3600)
asyncio.run(main())
"""


async def test_leftovers_of_a_server_that_died_are_removed(
    kind: str, make_runtime: MakeRuntime, spec: DriverSpec, request: pytest.FixtureRequest,
):
    env = request.getfixturevalue(f"{kind}_env")
    store, state = (str(env.store.root), str(env.state_dir)) if kind == "oci" else ("", "")
    described = {"manifest": converter.unstructure(spec.manifest), "image": spec.image, "digest": spec.digest}
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-c", LEFTOVER_MAKER, json.dumps([kind, store, state, described]),
        stdout=asyncio.subprocess.PIPE, cwd=str(Path(__file__).parent.parent))
    try:
        async with asyncio.timeout(30):
            assert server.stdout is not None
            container_id = (await server.stdout.readline()).decode().strip()
        assert container_id
    finally:
        server.kill()  # as kill -9 would: the server never stops its driver
        await server.wait()
    runtime = make_runtime()
    mine = await runtime.start(spec)
    try:
        removed = await runtime.remove_leftovers()
        assert container_id in removed and mine.container_id not in removed
        assert mine.alive and (await mine.health()).language == "python"
    finally:
        await mine.stop()
    if kind == "docker":
        assert not env.client.api.containers(all=True, filters={"id": container_id})
    else:
        assert container_id not in env.container_ids()
        assert not (env.state_dir / "instances" / container_id).exists()


# --- confinement seen from inside ----------------------------------------------------------------

PROBE = r"""
import errno, json, os, socket
def attempt(action):
    try:
        action()
        return "ok"
    except OSError as exc:
        return errno.errorcode.get(exc.errno, str(exc.errno))
def connect():
    with socket.create_connection(("1.1.1.1", 53), timeout=2):
        pass
def write(path):
    with open(path, "w") as handle:
        handle.write("x")
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(json.dumps({
    "uid": os.getuid(), "gid": os.getgid(),
    "caps": {key: int(status[key], 16) for key in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")},
    "no_new_privs": status["NoNewPrivs"].strip(), "seccomp": status["Seccomp"].strip(),
    "interfaces": sorted(line.split(":")[0].strip() for line in open("/proc/net/dev").readlines()[2:]),
    "connect": attempt(connect),
    "write_root": attempt(lambda: write("/probe")), "write_etc": attempt(lambda: write("/etc/probe")),
    "write_tmp": attempt(lambda: write("/tmp/probe")),
}))
"""


async def test_driver_container_is_confined(kind: str, make_runtime: MakeRuntime, spec: DriverSpec):
    runtime = make_runtime()
    instance = await runtime.start(spec)
    assert isinstance(instance, (DockerInstance, OCIInstance))
    try:
        await instance.health()
        code, output = await instance.exec(["python3", "-c", PROBE])
        assert code == 0, output
        seen = json.loads(output.decode().strip().splitlines()[-1])
        assert (seen["uid"], seen["gid"]) == (10001, 10001)
        assert all(value == 0 for value in seen["caps"].values()), seen["caps"]
        assert seen["no_new_privs"] == "1" and seen["seccomp"] == "2"
        assert seen["interfaces"] == ["lo"]
        assert seen["connect"] in ("ENETUNREACH", "EHOSTUNREACH", "ENONET"), seen["connect"]
        assert seen["write_root"] == "EROFS" and seen["write_etc"] == "EROFS"
        assert seen["write_tmp"] == "ok"
        # The driver process itself, as the host sees it.
        pid = await instance.host_pid()
        assert pid
        status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
        assert status["Uid"].split() == ["10001"] * 4
        assert int(status["CapEff"], 16) == 0 and int(status["CapBnd"], 16) == 0
        assert status["NoNewPrivs"].strip() == "1" and status["Seccomp"].strip() == "2"
        assert 0 < (await instance.memory_usage() or 0) < Isolation().memory_bytes
    finally:
        await instance.stop()


async def test_missing_image_is_unavailable_with_a_way_to_install_it(
    kind: str, make_runtime: MakeRuntime, spec: DriverSpec,
):
    missing = attrs.evolve(spec, image=None, digest="sha256:" + "0" * 64)
    with pytest.raises(DriverUnavailable, match=f"bblfsh-lsp driver install python --runtime {kind}"):
        await make_runtime().start(missing)


# --- docker: transports ------------------------------------------------------------------------------


class UnixToTcp:
    """A TCP listener on 127.0.0.1 forwarding to the engine's unix socket (half-closes too), on
    its own thread and loop: a stand-in for a remote engine on tcp://."""

    def __init__(self, unix_path: str, tls: ssl.SSLContext | None = None):
        self.unix_path = unix_path
        self.tls = tls
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.connections = 0

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(1 << 16):
                sink.write(data)
                await sink.drain()
            if sink.can_write_eof():
                sink.write_eof()
        except OSError:
            sink.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        engine_reader, engine_writer = await asyncio.open_unix_connection(self.unix_path)
        await asyncio.gather(self._pipe(reader, engine_writer), self._pipe(engine_reader, writer))
        writer.close()
        engine_writer.close()

    def __enter__(self) -> int:
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls), self.loop).result(10)
        return self.server.sockets[0].getsockname()[1]

    async def _shutdown(self) -> None:
        self.server.close()
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


async def test_docker_engine_over_tcp(docker_env: DockerEnv):
    forwarder = UnixToTcp(engine_socket())
    with forwarder as port:
        base_url = f"tcp://127.0.0.1:{port}"
        assert DockerRuntime.probe(base_url).ok
        runtime = DockerRuntime(base_url=base_url)
        try:
            instance = await runtime.start(docker_env.spec)
            try:
                assert type(instance._attach).__name__ == "NativeAttach"
                await instance.health()
                result = await instance.request(METHOD_PARSE, ParseRequest(content="a = b\n"), timeout=10)
                assert result["uast"]["@type"] == "python:Module"
            finally:
                await instance.stop()
            assert instance.exit_status is not None and instance.exit_status.code == 0  # EOF went through
            assert not container_exists(docker_env, instance)
            assert forwarder.connections >= 2  # the API calls and the attach connection
        finally:
            await runtime.close()


def engine_socket() -> str:
    docker_host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not docker_host.startswith("unix://"):
        pytest.skip("the engine is not on a local unix socket")
    return docker_host.removeprefix("unix://")


async def test_docker_engine_over_tls(docker_env: DockerEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Over TLS the attach connection is read by a thread, and cannot be half-closed (Python's
    SSLSocket.shutdown drops TLS): stopping kills the driver, and still removes its container."""
    import docker

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                           "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                           "-keyout", str(key), "-out", str(cert)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"openssl cannot make a test certificate: {made.stderr.strip()}")
    for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):  # requests prefers them to the client's CA
        monkeypatch.delenv(variable, raising=False)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    with UnixToTcp(engine_socket(), tls) as port:
        client = docker.DockerClient(base_url=f"https://127.0.0.1:{port}",
                                     tls=docker.tls.TLSConfig(ca_cert=str(cert), verify=True))
        runtime = DockerRuntime(client=client)
        try:
            instance = await runtime.start(docker_env.spec)
            try:
                assert type(instance._attach).__name__ == "ThreadedAttach"
                result = await instance.request(METHOD_PARSE, ParseRequest(content="import os\n"), timeout=10)
                assert result["uast"]["@type"] == "python:Module"
            finally:
                await instance.stop()
            assert instance.exit_status is not None and instance.exit_status.code == 137
            assert not container_exists(docker_env, instance)
        finally:
            await runtime.close()
            client.close()


async def test_docker_threaded_attach_answers_like_the_native_one(docker_env: DockerEnv):
    content = (DATA / "sample.py").read_text(encoding="utf-8")
    results = []
    for native in (True, False):
        runtime = DockerRuntime(native_io=native)
        instance = await runtime.start(docker_env.spec)
        try:
            assert (type(instance._attach).__name__ == "NativeAttach") is native
            results.append(await instance.request(METHOD_PARSE, ParseRequest(content=content), timeout=10))
        finally:
            await instance.stop()
            await runtime.close()
        assert instance.exit_status is not None and instance.exit_status.code == 0
        assert not container_exists(docker_env, instance)
    assert results[0] == results[1]


async def test_an_exit_status_survives_a_failed_call_to_the_engine(docker_env: DockerEnv, monkeypatch: pytest.MonkeyPatch):
    """Over ssh under load, sshd may refuse a channel for the engine call that reads a driver's exit
    status: that is not a lost container; the status is read again (here, after the stop's kill
    finds the driver already gone)."""
    from paramiko.ssh_exception import ChannelException

    runtime = DockerRuntime()
    real_call = runtime.call
    refused: list[str] = []

    async def call(verb: str, *args: Any, **kwargs: Any) -> Any:
        if verb == "wait" and not refused:
            refused.append(verb)
            raise ChannelException(2, "Connect failed")
        return await real_call(verb, *args, **kwargs)

    monkeypatch.setattr(runtime, "call", call)
    instance = await runtime.start(docker_env.spec)
    try:
        assert (await instance.request(METHOD_PARSE, ParseRequest(content="x = 1\n"), timeout=10))["uast"]
    finally:
        await instance.stop()
        await runtime.close()
    assert refused == ["wait"]
    assert instance.exit_status is not None and instance.exit_status.code in (0, 137)
    assert not container_exists(docker_env, instance)


async def test_docker_unreachable_engines_are_reported():
    for base_url in ("tcp://127.0.0.1:9", "ssh://nobody@127.0.0.1:9"):
        availability = DockerRuntime.probe(base_url)
        assert not availability.ok and base_url in availability.reason
        with pytest.raises(DriverUnavailable, match="cannot reach the Docker engine"):
            await DockerRuntime(base_url=base_url).start(python_spec(image=IMAGE))


# --- the bundle store ------------------------------------------------------------------------------


def tree(root: Path) -> dict[str, tuple[Any, ...]]:
    """What a rootfs holds: type, mode, owner, and content digest or link target, by path."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            info = os.lstat(path)
            kind = stat.S_IFMT(info.st_mode)
            detail: Any = None
            if stat.S_ISLNK(info.st_mode):
                detail = os.readlink(path)
            elif stat.S_ISREG(info.st_mode):
                detail = hashlib.sha256(path.read_bytes()).hexdigest()
            found[str(path.relative_to(root))] = (kind, stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid, detail)
    return found


# What the engine's init layer puts in every container (mount points, its marker, /etc/mtab):
# `docker export` shows the engine's versions, or leaves them out.
ENGINE_ADDED = {".dockerenv", "etc/hostname", "etc/hosts", "etc/resolv.conf", "etc/mtab", "dev"}


def tree_of_export(client: Any, image: str) -> dict[str, tuple[Any, ...]]:
    """tree() of what the engine itself makes of the image: `docker export` of a container."""
    container = client.api.create_container(image, labels={LABEL_OWNER: OWNER})["Id"]
    found: dict[str, tuple[Any, ...]] = {}
    try:
        stream = io.BufferedReader(_Chunks(client.api.export(container)), 1 << 20)
        with tarfile.open(fileobj=stream, mode="r|") as archive:
            for member in archive:
                name = member.name.strip("/").removeprefix("./")
                if not name or name.split("/")[0] in ENGINE_ADDED or name in ENGINE_ADDED:
                    continue
                if member.islnk():
                    found[name] = found[member.linkname.strip("/")]
                    continue
                detail: Any = None
                if member.issym():
                    detail = member.linkname
                elif member.isfile():
                    handle = archive.extractfile(member)
                    assert handle is not None
                    detail = hashlib.sha256(handle.read()).hexdigest()
                kind = {tarfile.DIRTYPE: stat.S_IFDIR, tarfile.SYMTYPE: stat.S_IFLNK}.get(member.type, stat.S_IFREG)
                found[name] = (kind, member.mode & 0o1777, member.uid, member.gid, detail)
    finally:
        client.api.remove_container(container, force=True)
    return found


class _Chunks(io.RawIOBase):
    def __init__(self, chunks: Any):
        self._chunks, self._pending = iter(chunks), b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            self._pending = next(self._chunks, b"")
            if not self._pending:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size], self._pending = self._pending[:size], self._pending[size:]
        return size


def oci_layout_from_docker_save(saved: Path, into: Path) -> None:
    """Rewrite a docker save archive as an OCI image layout with gzipped layers."""
    source = into.parent / "docker-save"
    with tarfile.open(saved) as archive:
        archive.extractall(source, filter="tar")
    entry, = json.loads((source / "manifest.json").read_text())
    blobs = into / "blobs" / "sha256"
    blobs.mkdir(parents=True)

    def blob(data: bytes, media_type: str) -> dict[str, Any]:
        digest = hashlib.sha256(data).hexdigest()
        (blobs / digest).write_bytes(data)
        return {"mediaType": media_type, "digest": f"sha256:{digest}", "size": len(data)}

    config = blob((source / entry["Config"]).read_bytes(), "application/vnd.oci.image.config.v1+json")
    layers = [blob(gzip.compress((source / layer).read_bytes(), compresslevel=1),
                   "application/vnd.oci.image.layer.v1.tar+gzip") for layer in entry["Layers"]]
    manifest = blob(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                                "config": config, "layers": layers}).encode(),
                    "application/vnd.oci.image.manifest.v1+json")
    manifest["annotations"] = {"org.opencontainers.image.ref.name": "converted"}
    manifest["platform"] = {"architecture": "amd64", "os": "linux"}
    (into / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    (into / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [manifest]}))


async def test_bundles_from_docker_save_and_from_an_oci_layout_are_the_same(oci_env: OCIEnv, docker_env: DockerEnv,
                                                                              tmp_path: Path):
    digest = docker_env.spec.digest
    assert digest is not None
    expected = oci_env.store.get(digest)
    assert expected.args == ["/opt/driver/venv/bin/python3", "-I", "-B", "/opt/driver/driver_runtime/sdk/launch.py",
                             "-m", "driver_runtime.drivers.python"]
    assert (expected.user, expected.workdir) == ("10001:10001", "/tmp")
    assert expected.labels["org.bblfsh-lsp.driver.language"] == "python"
    assert IMAGE in expected.tags
    # The layers (with opaque whiteouts) applied as the engine applies them, file for file.
    expected_tree = tree(expected.rootfs)
    ours = {path: entry for path, entry in expected_tree.items()
            if path not in ENGINE_ADDED and path.split("/")[0] not in ENGINE_ADDED}
    engine = await asyncio.to_thread(tree_of_export, docker_env.client, digest)
    assert len(ours) > 3000
    assert {path for path in ours if ours[path] != engine.get(path)} == set()
    assert set(engine) - set(ours) == set()
    assert [info.digest for info in oci_env.store.list()] == [expected.digest]
    # Importing again is a no-op (nothing is unpacked: the rootfs is the same folder, untouched).
    before = os.stat(expected.rootfs).st_ino
    assert oci_env.store.import_from_docker(docker_env.client, digest) == expected
    assert os.stat(expected.rootfs).st_ino == before

    try:
        saved = tmp_path / "image.tar"
        with open(saved, "wb") as out:
            for chunk in docker_env.client.images.get(digest).save(named=False):
                out.write(chunk)
        layout = tmp_path / "layout"
        oci_layout_from_docker_save(saved, layout)
        layout_tar = tmp_path / "layout.tar"
        with tarfile.open(layout_tar, "w") as archive:
            archive.add(layout, arcname=".")
        store = BundleStore(tmp_path / "store")
        converted = store.import_image(layout_tar)
        assert converted.digest == expected.digest
        assert converted.args == expected.args and converted.env == expected.env and converted.tags == ["converted"]
        assert tree(converted.rootfs) == expected_tree
        assert store.remove(converted.digest) and not store.has(converted.digest) and store.list() == []
        assert sorted(p.name for p in store.root.iterdir()) == []  # no temporary folders left
    finally:  # a few hundred MB, not to be kept with pytest's last runs
        for child in tmp_path.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()


def _tar_bytes(entries: list[tuple[str, str, Any]]) -> bytes:
    """A tar from (name, kind, payload): file (bytes), dir, symlink (target), hardlink (target),
    chr, or mode (an int mode for a file)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, kind, payload in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 1_700_000_000
            data = b""
            if kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
            elif kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, payload
            elif kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, payload
            elif kind == "chr":
                info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
            else:
                data = payload if isinstance(payload, bytes) else b"data"
                info.mode = payload if isinstance(payload, int) else 0o644
                info.size = len(data)
            archive.addfile(info, io.BytesIO(data) if data else None)
    return buffer.getvalue()


def docker_save_archive(*images: list[bytes]) -> tuple[bytes, list[str]]:
    """A docker save archive (the legacy layout docker 20.10 writes) of images given as lists of
    layer tars; and their ids."""
    files: dict[str, bytes] = {}
    manifest, ids = [], []
    for image_number, layers in enumerate(images):
        diff_ids = [f"sha256:{hashlib.sha256(layer).hexdigest()}" for layer in layers]
        config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": diff_ids},
                             "config": {"Entrypoint": ["/bin/driver"], "User": "10001:10001"}}).encode()
        config_hex = hashlib.sha256(config).hexdigest()
        files[f"{config_hex}.json"] = config
        names = []
        for number, layer in enumerate(layers):
            names.append(f"image{image_number}-layer{number}/layer.tar")
            files[names[-1]] = layer
        manifest.append({"Config": f"{config_hex}.json", "RepoTags": [f"t:{image_number + 1}"], "Layers": names})
        ids.append(f"sha256:{config_hex}")
    files["manifest.json"] = json.dumps(manifest).encode()
    return _tar_of(files), ids


def oci_layout_files(images: list[tuple[dict[str, str] | None, bytes]]) -> tuple[dict[str, bytes], list[str]]:
    """The files of an OCI image layout whose index.json lists one image index, named "t:multi",
    of images given as (platform, one layer tar); and their ids."""
    files = {"oci-layout": b'{"imageLayoutVersion": "1.0.0"}'}

    def blob(data: bytes, media_type: str) -> dict[str, Any]:
        digest = hashlib.sha256(data).hexdigest()
        files[f"blobs/sha256/{digest}"] = data
        return {"mediaType": media_type, "digest": f"sha256:{digest}", "size": len(data)}

    manifests, ids = [], []
    for platform, layer in images:
        diff_id = f"sha256:{hashlib.sha256(layer).hexdigest()}"
        config = blob(json.dumps({"rootfs": {"type": "layers", "diff_ids": [diff_id]},
                                  "config": {"Entrypoint": ["/bin/driver"]}}).encode(),
                      "application/vnd.oci.image.config.v1+json")
        manifest = blob(json.dumps({"schemaVersion": 2, "config": config,
                                    "layers": [blob(layer, "application/vnd.oci.image.layer.v1.tar")]}).encode(),
                        "application/vnd.oci.image.manifest.v1+json")
        if platform is not None:
            manifest["platform"] = platform
        manifests.append(manifest)
        ids.append(config["digest"])
    index = blob(json.dumps({"schemaVersion": 2, "manifests": manifests}).encode(),
                 "application/vnd.oci.image.index.v1+json")
    index["annotations"] = {"org.opencontainers.image.ref.name": "t:multi"}
    files["index.json"] = json.dumps({"schemaVersion": 2, "manifests": [index]}).encode()
    return files, ids


def _tar_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_layers_apply_whiteouts_and_stay_inside_the_rootfs(tmp_path: Path):
    host_passwd = Path("/etc/passwd").read_bytes()
    lower = _tar_bytes([
        ("a/", "dir", None), ("a/keep", "file", b"keep"), ("a/gone", "file", b"gone"),
        ("b/", "dir", None), ("b/old", "file", b"old"), ("b/sub/", "dir", None), ("b/sub/deep", "file", b"deep"),
        ("usr/lib/", "dir", None), ("usr/lib/x", "file", b"x"), ("lib", "symlink", "usr/lib"),
        ("etc/", "dir", None), ("abs", "symlink", "/etc"), ("up", "symlink", "../../../../.."),
        ("replaced", "file", b"file"), ("dev/null", "chr", None),
    ])
    upper = _tar_bytes([
        ("a/.wh.gone", "file", b""),
        ("b/", "dir", None), ("b/.wh..wh..opq", "file", b""), ("b/new", "file", b"new"),
        ("lib/y", "file", b"y"),  # through the symlink: lands in usr/lib
        ("abs/passwd", "file", b"root:x:0:0::/:/bin/sh\n"),  # /etc of the rootfs, never the host's
        ("up/tmp/escaped", "file", b"no"),  # '..' stops at the rootfs
        ("hard", "hardlink", "a/keep"),
        ("bin/su", "file", 0o4755),
        ("replaced/", "dir", None), ("replaced/inside", "file", b"in"),
    ])
    archive, (digest,) = docker_save_archive([lower, upper])
    store = BundleStore(tmp_path / "store")
    info = store.import_image(io.BytesIO(archive))
    assert info.digest == digest and info.tags == ["t:1"] and info.args == ["/bin/driver"]
    root = info.rootfs
    assert (root / "a" / "keep").read_bytes() == b"keep" and not (root / "a" / "gone").exists()
    assert sorted(os.listdir(root / "b")) == ["new"]
    assert (root / "usr" / "lib" / "y").read_bytes() == b"y" and os.readlink(root / "lib") == "usr/lib"
    assert (root / "etc" / "passwd").read_bytes().startswith(b"root:x:0:0::/")
    assert Path("/etc/passwd").read_bytes() == host_passwd
    assert (root / "tmp" / "escaped").read_bytes() == b"no"
    assert os.stat(root / "hard").st_ino == os.stat(root / "a" / "keep").st_ino
    assert stat.S_IMODE(os.stat(root / "bin" / "su").st_mode) == 0o755  # setuid dropped
    assert not (root / "dev" / "null").exists() and (root / "proc").is_dir()
    assert (root / "replaced" / "inside").read_bytes() == b"in"
    assert not any(name.startswith(".wh.") for _, _, files in os.walk(root) for name in files)
    assert stat.S_IMODE(os.stat(root).st_mode) == 0o755
    # Idempotent: the same archive again changes nothing.
    assert store.import_image(io.BytesIO(archive)) == info


@pytest.mark.parametrize("entries", [
    [("../outside", "file", b"x")],
    [("a/../../outside", "file", b"x")],
    [("link", "hardlink", "../../etc/passwd")],
])
def test_layers_that_escape_are_refused_and_leave_nothing(tmp_path: Path, entries: list[tuple[str, str, Any]]):
    archive, (digest,) = docker_save_archive([_tar_bytes(entries)])
    store = BundleStore(tmp_path / "store")
    with pytest.raises(BundleError):
        store.import_image(io.BytesIO(archive))
    assert not store.has(digest)
    assert list(store.root.iterdir()) == []
    assert not (tmp_path / "outside").exists()


def test_corrupt_archives_are_refused(tmp_path: Path):
    layer = _tar_bytes([("f", "file", b"x")])
    archive, _ = docker_save_archive([layer])
    store = BundleStore(tmp_path / "store")
    with pytest.raises(BundleError, match="does not match its diff_id"):
        store.import_image(io.BytesIO(archive.replace(layer, _tar_bytes([("f", "file", b"y")]))))
    with pytest.raises(BundleError, match="not an image archive"):
        store.import_image(io.BytesIO(_tar_bytes([("hello", "file", b"x")])))
    with pytest.raises(BundleError, match="not an image id"):
        store.get("../../etc")
    assert list(store.root.iterdir()) == []


def test_death_messages_say_why():
    tail = StderrTail(lines=3)
    for chunk in (b"first\nsec", b"ond\n\n", b"third\nfourth\npartial"):
        tail.feed(chunk)
    assert tail.lines() == ["third", "fourth", "partial"]
    assert describe_death(ExitStatus(137, oom_killed=True), 64 * MIB, tail) == \
        "killed: out of memory (limit 64 MiB; exit status 137); stderr: third | fourth | partial"
    assert describe_death(ExitStatus(137), MIB, StderrTail()) == "killed by SIGKILL (exit status 137)"
    assert describe_death(ExitStatus(2), MIB, StderrTail()) == "exit status 2"
    assert describe_death(None, MIB, StderrTail()) == "the container has not exited"


def test_an_archive_of_several_images_imports_the_one_expected(tmp_path: Path):
    archive, ids = docker_save_archive([_tar_bytes([("one", "file", b"1")])], [_tar_bytes([("two", "file", b"2")])])
    store = BundleStore(tmp_path / "store")
    with pytest.raises(BundleError, match="one image at a time"):
        store.import_image(io.BytesIO(archive))
    info = store.import_image(io.BytesIO(archive), expect=ids[1])
    assert info.digest == ids[1] and info.tags == ["t:2"]
    assert (info.rootfs / "two").read_bytes() == b"2" and not (info.rootfs / "one").exists()
    assert [image.digest for image in store.list()] == [ids[1]]


def test_the_manager_and_the_bundle_store_read_an_oci_index_alike(tmp_path: Path):
    """One reader (driver_runtime.archives), one platform rule: linux on this machine's
    architecture, a platform left unsaid being this one."""
    here = {"os": "linux", "architecture": archives.PLATFORM_ARCHITECTURE}
    other_architecture = {"os": "linux", "architecture": "s390x" if archives.PLATFORM_ARCHITECTURE != "s390x"
                          else "riscv64"}
    windows = {"os": "windows", "architecture": archives.PLATFORM_ARCHITECTURE}
    attestation = {"os": "unknown", "architecture": "unknown"}  # what buildx adds beside the images
    layers = [_tar_bytes([(f"image{number}", "file", b"x")]) for number in range(4)]
    path = tmp_path / "layout.tar"

    files, ids = oci_layout_files([(other_architecture, layers[0]), (here, layers[1]), (windows, layers[2]),
                                   (attestation, layers[3])])
    path.write_bytes(_tar_of(files))
    (saved,) = read_saved_images(path)
    assert (saved.image_id, saved.tags) == (ids[1], ("t:multi",))  # named by the index that lists it
    info = BundleStore(tmp_path / "store").import_image(path)
    assert info.digest == ids[1] and info.tags == ["t:multi"]
    assert (info.rootfs / "image1").exists() and not (info.rootfs / "image0").exists()

    # Two images for this platform: the manager sees both, the store imports the one expected.
    files, ids = oci_layout_files([(here, layers[0]), (None, layers[1])])
    path.write_bytes(_tar_of(files))
    assert [image.image_id for image in read_saved_images(path)] == ids
    store = BundleStore(tmp_path / "two")
    with pytest.raises(BundleError, match=f"holds 2 {archives.PLATFORM} images; import one image at a time"):
        store.import_image(path)
    assert store.import_image(path, expect=ids[1]).digest == ids[1]

    # None for this platform.
    files, _ = oci_layout_files([(other_architecture, layers[0]), (windows, layers[1])])
    path.write_bytes(_tar_of(files))
    with pytest.raises(ManagerError, match="holds no image"):
        read_saved_images(path)
    with pytest.raises(BundleError, match=f"holds 0 {archives.PLATFORM} images"):
        BundleStore(tmp_path / "none").import_image(path)

    # A config that is not what its digest says is refused by both.
    files, (image_id,) = oci_layout_files([(here, layers[0])])
    config = f"blobs/sha256/{image_id.removeprefix('sha256:')}"
    files[config] = files[config].replace(b"/bin/driver", b"/bin/other!")
    path.write_bytes(_tar_of(files))
    with pytest.raises(ManagerError, match=f"is not a readable saved image: the image config does not match its "
                                           f"digest {image_id}"):
        read_saved_images(path)
    with pytest.raises(BundleError, match=f"the image config does not match its digest {image_id}"):
        BundleStore(tmp_path / "tampered").import_image(path)


def test_probes_say_why(docker_env: DockerEnv, oci_env: OCIEnv):
    assert DockerRuntime.probe().ok
    oci = OCIRuntime.probe()
    assert oci.ok and "runc" in oci.reason
    assert not OCIRuntime.probe(runc="/nonexistent/runc").ok
