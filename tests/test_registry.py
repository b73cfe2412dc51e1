"""Drivers through a real registry: publish, discover, install and update by digest, failures.

A real registry (Debian's docker-registry, the CNCF distribution registry 2.8; scripts/setup-registry.sh)
runs on 127.0.0.1 on a free port with a temporary storage folder, for the module; the real
engine pushes to it and pulls from it, and the oci runtime's installs read it directly.  Where a
failure is one a healthy registry does not make (an error status, a slow or truncated answer, a
connection cut mid-layer, a tag moved at the wrong moment), a small HTTP proxy in front of it
makes it for the paths chosen; everything else goes through to the registry.

The tests need the engine, the base image and docker-registry: they skip without them, and fail
instead when BBLFSH_LSP_REQUIRE_CONTAINERS=1 (CI).  Each test has its own data folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import containers_unavailable, engine_with_base_image, python_driver_image, remove_our_containers

from driver_runtime import images, paths
from driver_runtime.errors import ManagerError, NotADriverImage, PullFailed
from driver_runtime.manager import DriverManager
from driver_runtime.registry import Registry
from driver_runtime.registry_client import RegistryClient, parse_reference
from driver_runtime.runtimes.docker import DockerRuntime
from driver_runtime.service import DriverService

LOCAL = f"bblfsh-lsp-test/registry-python:{os.getpid()}"  # the images the module builds: LOCAL-0.1.0, ...
REPOSITORY = "bblfsh/driver-python"
MANIFEST = Path(__file__).resolve().parent.parent / "driver_runtime" / "drivers" / "python" / "manifest.json"
SOURCE = "def greet(name):\n    return f'hello {name}'\n"


# --- the registry and the proxy in front of it ----------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalRegistry:
    """`docker-registry serve` on 127.0.0.1:<free port>, storing in ``folder``; stop() and start()
    again keep its port and what it stores."""

    def __init__(self, program: str, folder: Path):
        self.program = program
        self.port = _free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.config = folder / "config.yml"
        self.config.write_text(
            "version: 0.1\n"
            "log: {level: error, accesslog: {disabled: true}}\n"
            f"storage: {{filesystem: {{rootdirectory: {folder / 'storage'}}}, delete: {{enabled: true}}}}\n"
            f"http: {{addr: '{self.address}'}}\n"
        )
        self.log = folder / "registry.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([self.program, "serve", str(self.config)], stdout=log, stderr=log)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"http://{self.address}/v2/", timeout=1).status_code == 200:
                    return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"docker-registry did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


Rule = Callable[["_Handler", str], bool]  # (handler, path) -> True if it answered the request itself


class Proxy:
    """A loopback HTTP proxy to the registry that misbehaves on the paths its rules match."""

    def __init__(self, upstream: LocalRegistry):
        self.upstream = upstream
        self.rules: list[tuple[re.Pattern[str], Rule]] = []
        self.seen: list[str] = []  # "METHOD path" of every request
        proxy = self

        class Handler(_Handler):
            owner = proxy

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def on(self, pattern: str, rule: Rule) -> None:
        self.rules.append((re.compile(pattern), rule))

    def clear(self) -> None:
        self.rules.clear()
        self.seen.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # connections the engine drops when a pull is cancelled


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner: Proxy

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's naming
        self._handle()

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle()

    def _handle(self) -> None:
        self.owner.seen.append(f"{self.command} {self.path}")
        for pattern, rule in list(self.owner.rules):
            if pattern.search(self.path) and rule(self, self.path):
                return
        self.forward()

    def upstream(self) -> http.client.HTTPResponse | None:
        """The registry's answer to this request; None (and the connection closed, as a dead
        server's would be) when the registry does not answer."""
        connection = http.client.HTTPConnection("127.0.0.1", self.owner.upstream.port, timeout=30)
        headers = {key: value for key, value in self.headers.items() if key.lower() not in ("host", "connection")}
        try:
            connection.request(self.command, self.path, headers=headers)
            return connection.getresponse()
        except OSError:
            self.close_connection = True
            return None

    def forward(self, body: Callable[[bytes], bytes] | None = None) -> None:
        response = self.upstream()
        if response is None:
            return
        data = response.read()
        if body is not None:
            data = body(data)
        self.answer(response.status, data, response.getheaders())

    def answer(self, status: int, data: bytes, headers: list[tuple[str, str]] = (), length: int | None = None) -> None:
        self.send_response(status)
        for key, value in headers:
            if key.lower() not in ("content-length", "connection", "transfer-encoding", "keep-alive"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data) if length is None else length))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
            self.wfile.flush()


def status(code: int, body: dict[str, Any] | None = None) -> Rule:
    def rule(handler: _Handler, _path: str) -> bool:
        data = json.dumps(body or {"errors": [{"code": "UNKNOWN", "message": f"status {code}"}]}).encode()
        handler.answer(code, data, [("Content-Type", "application/json"),
                                    *([("WWW-Authenticate", 'Basic realm="test"')] if code == 401 else [])])
        return True

    return rule


def delay(seconds: float) -> Rule:
    def rule(_handler: _Handler, _path: str) -> bool:
        time.sleep(seconds)
        return False  # then answered as the registry answers

    return rule


def truncated(handler: _Handler, _path: str) -> bool:
    """The first half of the blob, said to be all of it (a registry whose storage lost the rest)."""
    handler.forward(lambda data: data[: len(data) // 2])
    return True


def cut(halfway: threading.Event, release: threading.Event) -> Rule:
    """Half of the blob, then nothing (``halfway`` is set), then, once ``release`` is set, the
    connection closes: a registry stopped in the middle of sending a layer."""

    def rule(handler: _Handler, _path: str) -> bool:
        response = handler.upstream()
        if response is None:
            return True
        data = response.read()
        handler.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("connection", "transfer-encoding", "keep-alive"):
                handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data[: len(data) // 2])
        handler.wfile.flush()
        halfway.set()
        release.wait(60)
        handler.close_connection = True
        with contextlib.suppress(OSError):
            handler.connection.shutdown(socket.SHUT_RDWR)
        return True

    return rule


def after_first(action: Callable[[], None]) -> Rule:
    """Answer as the registry does, then run ``action`` (once)."""
    done = threading.Event()

    def rule(handler: _Handler, _path: str) -> bool:
        if done.is_set():
            return False
        handler.forward()
        done.set()
        action()
        return True

    return rule


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    engine = engine_with_base_image()
    yield engine
    remove_our_containers(engine)
    engine.close()


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRegistry]:
    program = shutil.which("docker-registry")
    if program is None:
        containers_unavailable("docker-registry is not installed (scripts/setup-registry.sh)")
    local = LocalRegistry(program, tmp_path_factory.mktemp("registry"))
    local.start()
    yield local
    local.stop()


@pytest.fixture(scope="module")
def proxy(registry: LocalRegistry) -> Iterator[Proxy]:
    server = Proxy(registry)
    yield server
    server.close()


@pytest.fixture(autouse=True)
def clean_proxy(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "proxy" in request.fixturenames:
        request.getfixturevalue("proxy").clear()


def _build(client: Any, base: str, version: str) -> str:
    """A real version bump of the Python driver: its manifest says ``version`` (what the driver
    answers to `info`), its labels too, and one more layer that no other image has."""
    manifest = json.loads(MANIFEST.read_text())
    manifest["version"] = version
    files = {
        "Dockerfile": (f"FROM {base}\n"
                       "COPY manifest.json /opt/driver/driver_runtime/drivers/python/manifest.json\n"
                       "COPY stamp /opt/driver/registry-test-stamp\n"
                       f"LABEL {images.LABEL_PREFIX}version={version}\n").encode(),
        "manifest.json": json.dumps(manifest).encode(),
        "stamp": os.urandom(384 << 10),  # incompressible: the layer is big enough to cut in the middle
    }
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        for name, data in files.items():
            member = tarfile.TarInfo(name)
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
    context.seek(0)
    image, _log = client.images.build(fileobj=context, custom_context=True, tag=f"{LOCAL}-{version}", rm=True)
    return image.id


@pytest.fixture(scope="module")
def versions(client: Any, registry: LocalRegistry) -> Iterator[dict[str, str]]:
    """Two versions of the Python driver built for the module: {"0.1.0": image id, "0.1.1": ...}."""
    base = python_driver_image(client).id
    built = {version: _build(client, base, version) for version in ("0.1.0", "0.1.1")}
    yield built
    for image_id in built.values():
        with contextlib.suppress(Exception):
            client.images.remove(image_id, force=True)


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv(paths.DATA_ENV, str(folder))
    return folder


def forget(client: Any, image_id: str) -> None:
    """Remove an image from the engine (all its names), so that installing it pulls it for real."""
    with contextlib.suppress(Exception):
        client.images.remove(image_id, force=True)
    assert not _has(client, image_id)


def _has(client: Any, reference: str) -> bool:
    try:
        client.images.get(reference)
    except Exception:
        return False
    return True


def tags(registry: LocalRegistry) -> dict[str, str]:
    """The repository's tags and the image id (config digest) each names."""
    registry_client = RegistryClient()
    reference = parse_reference(f"{registry.address}/{REPOSITORY}")
    try:
        found = sorted(registry_client.tags(reference))
    except PullFailed:  # no such repository yet
        return {}
    return {tag: registry_client.resolve(reference.with_tag(tag)).config_digest for tag in found}


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bblfsh_lsp", "driver", *args], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "NO_COLOR": "1"})


async def answering_version(service: DriverService) -> str:
    """The version the running driver says it is (its health check's `info`), after a parse."""
    await service.parse(SOURCE, "greet.py")
    manifest = service.manifest("python")
    assert manifest is not None
    return manifest.version


# --- publish, discover, install, update, roll back ------------------------------------------------


def test_publish_install_update_and_roll_back(client, registry: LocalRegistry, versions: dict[str, str], data: Path):
    v1, v2 = versions["0.1.0"], versions["0.1.1"]
    target = f"{registry.address}/{REPOSITORY}"
    published = cli("publish", "python", target, "--image", f"{LOCAL}-0.1.0")
    assert published.returncode == 0, published.stderr
    assert tags(registry) == {"0.1.0": v1, "latest": v1, "protocol-1": v1}
    first_digest = RegistryClient().digest(parse_reference(f"{target}:0.1.0"))
    assert published.stdout.splitlines() == [f"published python 0.1.0 ({v1[7:19]}) as {target}:0.1.0@{first_digest}",
                                             "  tags: 0.1.0, protocol-1, latest"]
    assert _has(client, f"{LOCAL}-0.1.0") and not _has(client, f"{target}:latest")  # the engine's names as before

    # Installed for docker from the moving tag: pulled by digest, the digest recorded.
    forget(client, v1)
    manager = DriverManager()
    install = manager.install("python", f"{target}:latest").current
    assert (install.source, install.origin, install.digest) == ("registry", f"{target}:latest", first_digest)
    assert (install.image, install.image_id, install.version, install.owned) == (f"{target}@{first_digest}", v1,
                                                                                 "0.1.0", True)
    assert client.images.get(f"{target}@{first_digest}").id == v1
    listed = cli("list")
    assert f"python: pulled from {target}:latest@{first_digest}" in listed.stdout.splitlines()

    # Nothing newer yet.
    (news,) = manager.outdated()
    assert (news.offers, news.error, news.newest) == ((), "", None)
    assert cli("outdated").returncode == 1

    # 0.1.1 is published: the moving tags follow it; `outdated` sees it without pulling a layer.
    assert cli("publish", "python", target, "--image", f"{LOCAL}-0.1.1").returncode == 0
    assert tags(registry) == {"0.1.0": v1, "0.1.1": v2, "latest": v2, "protocol-1": v2}
    forget(client, v2)
    (news,) = manager.outdated()
    assert [(offer.version, offer.reference, offer.compatible) for offer in news.offers] == [
        ("0.1.1", f"{target}:0.1.1", True)]
    shown = cli("outdated")
    assert (shown.returncode, shown.stdout) == (0, f"python 0.1.0 -> 0.1.1: bblfsh-lsp driver update python "
                                                   f"--from {target}:0.1.1\n")
    assert not _has(client, v2)  # discovering pulled nothing

    async def serve_through_update() -> None:
        service = DriverService(DockerRuntime(), Registry.for_runtime("docker"))
        try:
            assert await answering_version(service) == "0.1.0"
            # The update follows the tag the driver was installed from (latest), by digest.
            updated = await asyncio.to_thread(manager.update, "python")
            assert updated.changed and updated.previous == install
            assert (updated.current.version, updated.current.image_id, updated.current.origin) == (
                "0.1.1", v2, f"{target}:latest")
            assert updated.current.image == f"{target}@{updated.current.digest}" != install.image
            await service.refresh()  # what a running server does when the state changes: a blue/green swap
            assert await answering_version(service) == "0.1.1"
            # Rolled back: the previous install, still there, serves again.
            assert manager.rollback("python").current == install
            await service.refresh()
            assert await answering_version(service) == "0.1.0"
        finally:
            await service.close()

    asyncio.run(serve_through_update())

    # Moving tags move forward only; a published version is not replaced by another image unless forced.
    again = manager.publish("python", target, image=f"{target}@{first_digest}")
    assert again.tags == ("0.1.0",) and again.notes == ("kept protocol-1 at 0.1.1 (newer than 0.1.0)",
                                                        "kept latest at 0.1.1 (newer than 0.1.0)")
    other = _build(client, python_driver_image(client).id, "0.1.0")
    try:
        with pytest.raises(ManagerError, match=rf"^{re.escape(target)}:0.1.0 is already published as another "
                                               rf"image \({v1[7:19]}\); publish a new version, or --force"):
            manager.publish("python", target, image=other)
    finally:
        client.images.remove(other, force=True)
    assert tags(registry) == {"0.1.0": v1, "0.1.1": v2, "latest": v2, "protocol-1": v2}
    manager.remove("python")
    assert not _has(client, f"{target}@{first_digest}")


@pytest.fixture(scope="module")
def published(client, registry: LocalRegistry, versions: dict[str, str]) -> dict[str, str]:
    """0.1.0, then 0.1.1, published (if the first test has not): {version: manifest digest}."""
    target = f"{registry.address}/{REPOSITORY}"
    if set(tags(registry)) != {"0.1.0", "0.1.1", "latest", "protocol-1"}:
        manager = DriverManager()
        for version in ("0.1.0", "0.1.1"):
            manager.publish("python", target, image=f"{LOCAL}-{version}")
    registry_client = RegistryClient()
    return {version: registry_client.digest(parse_reference(f"{target}:{version}")) for version in ("0.1.0", "0.1.1")}


def test_install_and_update_for_oci_need_no_engine(registry: LocalRegistry, published: dict[str, str],
                                                   versions: dict[str, str], data: Path,
                                                   monkeypatch: pytest.MonkeyPatch):
    from driver_runtime.bundles import BundleStore
    from driver_runtime.runtimes.oci import OCIRuntime

    probe = OCIRuntime.probe()
    if not probe.ok:
        containers_unavailable(probe.reason)
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")  # the layers come from the registry
    target = f"{registry.address}/{REPOSITORY}"
    manager = DriverManager()
    install = manager.install("python", f"{target}:0.1.0").current  # oci: no engine answers
    assert (install.runtimes, install.digest, install.image_id) == (("oci",), published["0.1.0"], versions["0.1.0"])
    store = BundleStore()
    assert store.has(versions["0.1.0"]) and [entry.name for entry in store.root.iterdir()] == [versions["0.1.0"][7:]]

    async def serve_through_update() -> None:
        service = DriverService(OCIRuntime(), Registry.for_runtime("oci"))
        try:
            assert await answering_version(service) == "0.1.0"
            updated = await asyncio.to_thread(manager.update, "python", f"{target}:0.1.1")
            assert (updated.current.version, updated.current.runtimes, updated.previous) == ("0.1.1", ("oci",),
                                                                                            install)
            await service.refresh()
            assert await answering_version(service) == "0.1.1"
        finally:
            await service.close()

    asyncio.run(serve_through_update())
    manager.remove("python")
    assert not store.has(versions["0.1.0"]) and not store.has(versions["0.1.1"])


# --- failures: a clear message, the installed driver keeps serving, nothing half-installed -----------


def test_registry_failures_leave_the_installed_driver_serving(client, registry: LocalRegistry, proxy: Proxy,
                                                              published: dict[str, str], versions: dict[str, str],
                                                              data: Path):
    v1, v2 = versions["0.1.0"], versions["0.1.1"]
    direct, through = f"{registry.address}/{REPOSITORY}", f"{proxy.address}/{REPOSITORY}"
    manager = DriverManager(registry_client=RegistryClient(timeout=(2, 2)), pull_stall_timeout=3)
    forget(client, v1)
    forget(client, v2)
    installed = manager.install("python", f"{direct}:0.1.0").current
    revision = manager.revision()
    remote = RegistryClient().resolve(parse_reference(f"{direct}:0.1.1"))
    stamp = remote.layers[-1].digest  # the layer only 0.1.1 has

    def refused(reference: str, message: str) -> str:
        """The update fails with ``message`` (a pattern; after "cannot pull REFERENCE: " unless it starts with ^)."""
        with pytest.raises(PullFailed) as failed:
            manager.update("python", reference)
        text = str(failed.value)
        pattern = message if message.startswith("^") else f"^cannot pull {re.escape(reference)}: {message}"
        assert re.search(pattern, text), text
        assert "\n" not in text
        assert manager.revision() == revision and manager.get("python").current == installed
        assert not _has(client, v2), "a failed update left its image behind"
        return text

    async def failures() -> None:
        service = DriverService(DockerRuntime(), Registry.for_runtime("docker"))
        try:
            assert await answering_version(service) == "0.1.0"
            at = asyncio.to_thread
            proxy.on(r"/manifests/", status(500))
            await at(refused, f"{through}:0.1.1",
                     rf"the registry {proxy.address} failed to answer {through}:0.1.1 "
                     rf"\(500 Internal Server Error on GET /v2/{REPOSITORY}/manifests/0.1.1\)$")
            proxy.clear()
            proxy.on(r"/manifests/", status(401))
            await at(refused, f"{through}:0.1.1", rf"the registry {proxy.address} refused access to {through} "
                                                  rf"\(401 Unauthorized\); log in with `docker login {proxy.address}`")
            proxy.clear()
            await at(refused, f"{direct}:0.9.9", rf"{direct}:0.9.9 is not in the registry {registry.address} "
                                                 rf"\(404 Not Found: no such tag or repository\)$")
            proxy.on(r"/manifests/", delay(3))
            await at(refused, f"{through}:0.1.1", rf"the registry {proxy.address} did not answer within 2 s")
            proxy.clear()
            # The config rewritten (its labels say another version): refused before any layer moves.
            proxy.on(re.escape(remote.config_digest),
                     lambda handler, _path: handler.forward(lambda data: data.replace(b'=0.1.1"', b'=9.9.9"')) or True)
            await at(refused, f"{through}:0.1.1", rf"the registry {proxy.address} sent a config for {through}:0.1.1 "
                                                  rf"that is not {remote.config_digest} ")
            proxy.clear()
            # A truncated layer: the engine's check of the layer's digest refuses it.
            proxy.on(re.escape(stamp), truncated)
            await at(refused, f"{through}:0.1.1", rf"^cannot pull {through}@{remote.digest}: .*verification failed")
            proxy.clear()
            # The registry down.
            registry.stop()
            try:
                await at(refused, f"{direct}:0.1.1", rf"cannot reach the registry {registry.address}: "
                                                     rf"Connection refused$")
            finally:
                registry.start()
            # The tag moved to another image between its look-up and the pull.
            moving = parse_reference(f"{direct}:moving")
            put_manifest(moving, parse_reference(f"{direct}:0.1.1"))
            back = parse_reference(f"{direct}:0.1.0")
            proxy.on(r"/manifests/moving$", after_first(lambda: put_manifest(moving, back)))
            await at(refused, f"{through}:moving", rf"it moved from {remote.digest[:19]} to "
                                                   rf"{published['0.1.0'][:19]} while it was being installed; "
                                                   rf"nothing was installed")
            # The registry stopped in the middle of a layer: the engine retries; we stop waiting.
            halfway, release = threading.Event(), threading.Event()
            proxy.on(re.escape(stamp), cut(halfway, release))
            started = time.monotonic()
            update = asyncio.ensure_future(at(refused, f"{through}:0.1.1",
                                              rf"^cannot pull {through}@{remote.digest}: no data for 3 s \("))
            assert await asyncio.to_thread(halfway.wait, 60)
            registry.stop()
            release.set()
            try:
                await update
            finally:
                registry.start()
            assert time.monotonic() - started < 30
            assert await answering_version(service) == "0.1.0"  # served all along
        finally:
            await service.close()

    asyncio.run(failures())
    time.sleep(6)  # the engine's first retry of the cut pull would have come back by now: it was cancelled
    assert not _has(client, v2)
    manager.remove("python")


def put_manifest(tag: Any, source: Any) -> None:
    """Make ``tag`` name what ``source`` names, in the registry itself (what `docker push` does last)."""
    url = f"http://{tag.registry}/v2/{tag.repository}/manifests"
    accept = "application/vnd.docker.distribution.manifest.v2+json"
    got = requests.get(f"{url}/{source.tag}", headers={"Accept": accept}, timeout=10)
    got.raise_for_status()
    put = requests.put(f"{url}/{tag.tag}", data=got.content, headers={"Content-Type": got.headers["Content-Type"]},
                       timeout=10)
    assert put.status_code == 201, put.text


def test_a_layer_cut_or_truncated_leaves_no_oci_bundle(registry: LocalRegistry, proxy: Proxy,
                                                        published: dict[str, str], versions: dict[str, str],
                                                        data: Path, monkeypatch: pytest.MonkeyPatch):
    from driver_runtime.bundles import BundleStore

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    through = f"{proxy.address}/{REPOSITORY}"
    remote = RegistryClient().resolve(parse_reference(f"{through}:0.1.1"))
    stamp = remote.layers[-1]
    manager = DriverManager(registry_client=RegistryClient(timeout=(2, 5)))
    proxy.on(re.escape(stamp.digest), truncated)
    with pytest.raises(PullFailed, match=rf"the registry {proxy.address} sent a truncated layer {stamp.digest[7:19]} "
                                         rf"of {through}:0.1.1 \({stamp.size // 2} of {stamp.size} bytes\); "
                                         rf"nothing was installed$"):
        manager.install("python", f"{through}:0.1.1", runtime="oci")
    proxy.clear()
    halfway, release = threading.Event(), threading.Event()
    release.set()  # cut at once, halfway through the layer
    proxy.on(re.escape(stamp.digest), cut(halfway, release))
    with pytest.raises(PullFailed, match=rf"the registry {proxy.address} stopped sending layer {stamp.digest[7:19]} "
                                         rf"of {through}:0.1.1 after \d+ of {stamp.size} bytes \(.+\); "
                                         rf"nothing was installed$"):
        manager.install("python", f"{through}:0.1.1", runtime="oci")
    store = BundleStore()
    assert manager.get("python") is None and not paths.state_file().exists()
    assert not store.root.exists() or list(store.root.iterdir()) == []  # no bundle, no scratch folder


def test_what_is_not_a_driver_is_refused_before_a_layer_is_pulled(registry: LocalRegistry, proxy: Proxy,
                                                                 published: dict[str, str], data: Path):
    through = f"{proxy.address}/{REPOSITORY}"
    with pytest.raises(NotADriverImage, match=rf"^{re.escape(through)}:0.1.1 is a python driver, not a go driver$"):
        DriverManager().install("go", f"{through}:0.1.1", runtime="oci")
    layers = {layer.digest for layer in RegistryClient().resolve(parse_reference(f"{through}:0.1.1")).layers}
    assert not [seen for seen in proxy.seen if any(layer in seen for layer in layers)]
    with pytest.raises(PullFailed, match="is not an image reference"):
        DriverManager().install("python", f"{registry.address}/Bad_Name:1")
