from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from driver_runtime.pool import PoolSettings
from driver_runtime.registry import Registry
from driver_runtime.runtimes.base import DriverSpec
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


@pytest.fixture
def data_dir() -> Path:
    return DATA


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
