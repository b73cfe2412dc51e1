from __future__ import annotations

import contextlib
import os
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from driver_runtime import images
from driver_runtime.errors import ImageError
from driver_runtime.pool import PoolSettings
from driver_runtime.registry import Registry
from driver_runtime.runtimes.base import DriverSpec
from driver_runtime.runtimes.container import LABEL_OWNER
from driver_runtime.runtimes.process import ProcessRuntime
from driver_runtime.service import DriverService

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
REPO = HERE.parent
SHARED = REPO.parent / "shared"

sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

# Tests run the zero-setup runtime unless they ask for another one (the container tests do),
# so their results do not depend on what this machine has installed.
os.environ.setdefault("BBLFSH_LSP_RUNTIME", "process")

# Workspace indexes (the language server builds one per workspace folder) go to a folder of
# the test session, not the user's cache; tests of the index give each test its own.
if "BBLFSH_LSP_INDEX_DIR" not in os.environ:
    import tempfile

    os.environ["BBLFSH_LSP_INDEX_DIR"] = tempfile.mkdtemp(prefix="bblfsh-lsp-test-index-")


# CI sets this: tests that need a container engine, runc or driver images must fail, not skip.
REQUIRE_CONTAINERS = os.environ.get("BBLFSH_LSP_REQUIRE_CONTAINERS") == "1"


def containers_unavailable(why: str) -> None:
    """Skip a container test for a missing piece, or fail it where containers are required."""
    if REQUIRE_CONTAINERS:
        pytest.fail(f"{why}, and BBLFSH_LSP_REQUIRE_CONTAINERS=1", pytrace=False)
    pytest.skip(why)


# CI sets this too: tests of drivers whose native parser needs a host toolchain (node, go, javac,
# ruby, php, libclang; scripts/setup-toolchains.sh) must fail, not skip, when it is missing.
REQUIRE_TOOLCHAINS = os.environ.get("BBLFSH_LSP_REQUIRE_TOOLCHAINS") == "1"


def toolchain_unavailable(why: str) -> None:
    """Skip a test for a missing host toolchain or preparation, or fail it where required."""
    if REQUIRE_TOOLCHAINS:
        pytest.fail(f"{why}, and BBLFSH_LSP_REQUIRE_TOOLCHAINS=1", pytrace=False)
    pytest.skip(why)


# And this: the editor tests (Neovim, VS Code) must fail, not skip, without their editor.
REQUIRE_EDITORS = os.environ.get("BBLFSH_LSP_REQUIRE_EDITORS") == "1"


def editors_unavailable(why: str) -> None:
    """Skip an editor test for a missing editor or prerequisite, or fail it where required."""
    if REQUIRE_EDITORS:
        pytest.fail(f"{why}, and BBLFSH_LSP_REQUIRE_EDITORS=1", pytrace=False)
    pytest.skip(why)


# --- the container engine ------------------------------------------------------------------------

PYTHON_IMAGE = os.environ.get("BBLFSH_LSP_PYTHON_IMAGE", "bblfsh-lsp/driver-python:0.1.0")
# The owner label the container runtimes put on what this test process starts.
OWNER = f"{socket.gethostname()}:{os.getpid()}"


def engine_with_base_image() -> Any:
    """A docker client on an engine that answers and holds the base image; else
    containers_unavailable.  The caller closes it."""
    try:
        import docker

        client = docker.from_env(timeout=900)
        client.ping()
    except Exception as exc:
        containers_unavailable(f"no container engine answers ({str(exc)[:120]})")
    try:
        client.images.get(images.BASE_IMAGE)
    except Exception:
        client.close()
        containers_unavailable(f"the base image {images.BASE_IMAGE} is missing (images/base/build.sh)")
    return client


def python_driver_image(client: Any) -> Any:
    """The Python driver's image PYTHON_IMAGE, built if missing (offline, from the base image:
    about 20 s, seconds when cached); containers_unavailable where it cannot be built."""
    import docker

    try:
        return client.images.get(PYTHON_IMAGE)
    except docker.errors.ImageNotFound:
        pass
    spec = Registry.bundled().get("python")
    assert spec is not None
    try:
        return client.images.get(images.build(client, spec, tag=PYTHON_IMAGE))
    except (ImageError, docker.errors.DockerException) as exc:
        containers_unavailable(f"the image {PYTHON_IMAGE} cannot be built: {exc}")


def remove_our_containers(client: Any) -> None:
    """Removes the containers this test process started (its OWNER label)."""
    for container in client.api.containers(all=True, filters={"label": f"{LABEL_OWNER}={OWNER}"}):
        with contextlib.suppress(Exception):
            client.api.remove_container(container["Id"], force=True)


def free_port() -> int:
    """A localhost TCP port nothing listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def module_service() -> AsyncIterator[DriverService]:
    """One driver service for a whole test module (its drivers started once), made from the
    settings as the command line makes it, on the process runtime."""
    from bblfsh_lsp.settings import Settings
    from driver_runtime.runtimes import choose

    settings = Settings(runtime="process")
    found = DriverService.for_choice(choose(settings.runtime, settings.isolation()), settings.pool(),
                                     preferences=settings.driver_preferences())
    yield found
    await found.close()


@pytest.fixture
async def service():
    service = DriverService(ProcessRuntime(), Registry.bundled())
    yield service
    await service.close()


def faulty_spec(*arguments: str) -> DriverSpec:
    """The misbehaving test driver; arguments: [VERSION] [--fail-start]."""
    sys.path.insert(0, str(HERE))
    import attrs
    from faulty_driver import MANIFEST

    manifest = attrs.evolve(MANIFEST, command=[*MANIFEST.command, *arguments])
    return DriverSpec(manifest=manifest, folder=HERE)


@pytest.fixture
def fast_pool_settings() -> PoolSettings:
    return PoolSettings(max_instances=2, deadline=2.0, start_timeout=20.0, idle_timeout=0.2,
                        crash_limit=3, crash_window=60.0)
