"""The process runtime and the keep-alive pool, with real driver processes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import attrs
import pytest
from conftest import faulty_spec

import driver_runtime
from driver_runtime import errors
from driver_runtime.errors import DriverCrashed, DriverTimeout, DriverUnavailable, NoDriver, UnknownLanguage
from driver_runtime.pool import DriverPool, PoolSettings
from driver_runtime.registry import Registry
from driver_runtime.runtimes.process import ProcessRuntime
from driver_runtime.sdk.protocol import METHOD_PARSE, Mode, ParseRequest
from driver_runtime.service import DriverService


def _parse(content: str) -> ParseRequest:
    return ParseRequest(content=content, filename="x.faulty", language="faulty")


async def test_instance_serves_many_requests_and_stops():
    spec = Registry.bundled().get("python")
    instance = await ProcessRuntime().start(spec)
    try:
        manifest = await instance.health()
        assert manifest.language == "python" and ".py" in manifest.extensions
        for number in range(20):
            result = await instance.request(METHOD_PARSE, ParseRequest(content=f"x = {number}\n"), timeout=10)
            assert result["uast"]["@type"] == "python:Module"
        assert instance.alive
    finally:
        await instance.stop()
    assert not instance.alive
    assert instance.process.returncode is not None


async def test_service_parses_and_reports_syntax_errors_as_data(service):
    ok = await service.parse("def f(x):\n    return x\n", "a.py")
    assert ok.ok and ok.uast["@type"] == "python:Module"
    broken = await service.parse("def f(:\n", "b.py")
    assert not broken.ok and broken.uast is None
    assert broken.errors[0].start.line == 1
    again = await service.parse("y = 1\n", "c.py", mode=Mode.NATIVE)
    assert again.ok and "@role" not in again.uast


async def test_service_names_unknown_language_and_missing_driver(service):
    with pytest.raises(UnknownLanguage, match="notes.txt"):
        await service.parse("hello", "notes.txt")
    with pytest.raises(UnknownLanguage, match="unknown language 'cobol'"):
        await service.parse("x", "x.cob", language="cobol")
    assert (await service.parse("echo 1", "x.sh")).language == "bash"  # the universal driver's
    without_drivers = DriverService(ProcessRuntime(), Registry())
    try:
        with pytest.raises(NoDriver, match="bash"):
            await without_drivers.parse("echo 1", "x.sh")
    finally:
        await without_drivers.close()


async def test_service_detects_language_by_shebang(service):
    result = await service.parse("#!/usr/bin/env python3\nprint(1)\n", "script")
    assert result.language == "python" and result.ok


async def test_pool_keeps_instances_alive_between_requests(fast_pool_settings):
    pool = DriverPool(ProcessRuntime(), faulty_spec(), fast_pool_settings)
    try:
        first = await pool.request(METHOD_PARSE, _parse("ok"))
        second = await pool.request(METHOD_PARSE, _parse("ok"))
        assert first["uast"]["pid"] == second["uast"]["pid"]
    finally:
        await pool.close()


async def test_pool_scales_up_under_concurrent_requests(fast_pool_settings):
    pool = DriverPool(ProcessRuntime(), faulty_spec(), fast_pool_settings)
    try:
        results = await asyncio.gather(*(pool.request(METHOD_PARSE, _parse("sleep 0.5")) for _ in range(4)))
        pids = {result["uast"]["pid"] for result in results}
        assert len(pids) == 2  # max_instances
        assert pool.size == 2
    finally:
        await pool.close()


async def test_hung_driver_is_killed_at_the_deadline_and_replaced(fast_pool_settings):
    pool = DriverPool(ProcessRuntime(), faulty_spec(), fast_pool_settings)
    try:
        before = (await pool.request(METHOD_PARSE, _parse("ok")))["uast"]["pid"]
        with pytest.raises(DriverTimeout, match="did not answer within 2 s"):
            await pool.request(METHOD_PARSE, _parse("hang"))
        with pytest.raises(ProcessLookupError):
            os.kill(before, 0)
        after = (await pool.request(METHOD_PARSE, _parse("ok")))["uast"]["pid"]
        assert after != before
    finally:
        await pool.close()


async def test_crash_is_retried_once_on_a_fresh_instance(tmp_path, fast_pool_settings):
    pool = DriverPool(ProcessRuntime(), faulty_spec(), fast_pool_settings)
    marker = tmp_path / "marker"
    try:
        result = await pool.request(METHOD_PARSE, _parse(f"crash-unless {marker}"))
        assert marker.exists() and result["uast"]["@type"] == "faulty:File"
    finally:
        await pool.close()


async def test_kill_9_mid_request_is_retried_and_answered():
    spec = Registry.bundled().get("python")
    pool = DriverPool(ProcessRuntime(), spec, PoolSettings(max_instances=1, deadline=30))
    big = "".join(f"def f{i}(a, b):\n    return [a + b for _ in range(3)]\n" for i in range(4000))
    try:
        await pool.request(METHOD_PARSE, ParseRequest(content="x = 1\n"))
        (instance, _), = pool._idle
        request = asyncio.ensure_future(pool.request(METHOD_PARSE, ParseRequest(content=big)))
        await asyncio.sleep(0.05)  # the driver is busy parsing
        os.kill(instance.pid, signal.SIGKILL)
        result = await request
        assert result["uast"]["@type"] == "python:Module"
    finally:
        await pool.close()


async def test_a_driver_that_keeps_crashing_is_marked_failed(fast_pool_settings):
    pool = DriverPool(ProcessRuntime(), faulty_spec(), fast_pool_settings)
    try:
        with pytest.raises(DriverCrashed, match="crashed"):
            await pool.request(METHOD_PARSE, _parse("crash"))
        with pytest.raises((DriverCrashed, DriverUnavailable)):
            await pool.request(METHOD_PARSE, _parse("crash"))
        assert pool.failed and "failed 3 times" in pool.failed
        with pytest.raises(DriverUnavailable, match="not restarted"):
            await pool.request(METHOD_PARSE, _parse("ok"))
    finally:
        await pool.close()


async def test_garbage_on_the_channel_is_a_crash_not_a_hang(fast_pool_settings):
    pool = DriverPool(ProcessRuntime(), faulty_spec(), fast_pool_settings)
    try:
        with pytest.raises(DriverCrashed, match="malformed frame"):
            await pool.request(METHOD_PARSE, _parse("garbage"))
    finally:
        await pool.close()


async def test_a_driver_that_cannot_start_is_unavailable(monkeypatch, fast_pool_settings):
    monkeypatch.setenv("FAULTY_FAIL_START", "1")
    pool = DriverPool(ProcessRuntime(), faulty_spec(), fast_pool_settings)
    try:
        with pytest.raises(DriverUnavailable, match="health check.*FAULTY_FAIL_START"):
            await pool.request(METHOD_PARSE, _parse("ok"))
    finally:
        await pool.close()


async def test_idle_instances_are_reaped(fast_pool_settings):
    pool = DriverPool(ProcessRuntime(), faulty_spec(), fast_pool_settings)
    try:
        pid = (await pool.request(METHOD_PARSE, _parse("ok")))["uast"]["pid"]
        assert pool.size == 1
        for _ in range(50):
            await asyncio.sleep(0.1)
            if pool.size == 0:
                break
        assert pool.size == 0
        for _ in range(50):  # the reaper stops the process right after dropping it
            await asyncio.sleep(0.1)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    finally:
        await pool.close()


async def test_cancelled_caller_does_not_kill_the_instance(fast_pool_settings):
    # Not reaped while it waits (the fast settings' 0.2 s idle limit is this test's own pause).
    pool = DriverPool(ProcessRuntime(), faulty_spec(), attrs.evolve(fast_pool_settings, idle_timeout=30.0))
    try:
        pid = (await pool.request(METHOD_PARSE, _parse("ok")))["uast"]["pid"]
        task = asyncio.ensure_future(pool.request(METHOD_PARSE, _parse("sleep 0.3")))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.4)
        assert (await pool.request(METHOD_PARSE, _parse("ok")))["uast"]["pid"] == pid
    finally:
        await pool.close()


async def test_swap_under_a_steady_stream_of_requests_loses_none(fast_pool_settings):
    pool = DriverPool(ProcessRuntime(), faulty_spec("1.0"), fast_pool_settings)
    answers: list[str] = []
    stop = asyncio.Event()

    async def steady_stream() -> None:
        while not stop.is_set():
            answers.append((await pool.request(METHOD_PARSE, _parse("sleep 0.01")))["uast"]["version"])

    try:
        streams = [asyncio.ensure_future(steady_stream()) for _ in range(3)]
        await asyncio.sleep(0.5)
        manifest = await pool.swap(faulty_spec("2.0"))
        assert manifest.version == "2.0" and pool.manifest.version == "2.0"
        count_at_swap = len(answers)
        await asyncio.sleep(0.5)
        stop.set()
        await asyncio.gather(*streams)  # no request failed, or this raises
        assert "1.0" in answers[:count_at_swap]
        assert set(answers[count_at_swap + 3:]) == {"2.0"}  # at most the in-flight ones were old
        assert pool.size <= fast_pool_settings.max_instances
    finally:
        await pool.close()


async def test_in_flight_requests_finish_on_the_old_driver_which_then_stops(fast_pool_settings):
    pool = DriverPool(ProcessRuntime(), faulty_spec("1.0"), fast_pool_settings)
    try:
        slow = asyncio.ensure_future(pool.request(METHOD_PARSE, _parse("sleep 0.5")))
        await asyncio.sleep(0.2)
        await pool.swap(faulty_spec("2.0"))
        old = await slow
        assert old["uast"]["version"] == "1.0"
        await asyncio.sleep(0.3)
        with pytest.raises(ProcessLookupError):
            os.kill(old["uast"]["pid"], 0)
        assert (await pool.request(METHOD_PARSE, _parse("ok")))["uast"]["version"] == "2.0"
    finally:
        await pool.close()


async def test_a_new_driver_that_fails_its_health_check_leaves_the_old_one_serving(fast_pool_settings):
    pool = DriverPool(ProcessRuntime(), faulty_spec("1.0"), fast_pool_settings)
    try:
        before = (await pool.request(METHOD_PARSE, _parse("ok")))["uast"]
        with pytest.raises(DriverUnavailable, match="health check"):
            await pool.swap(faulty_spec("2.0", "--fail-start"))
        after = (await pool.request(METHOD_PARSE, _parse("ok")))["uast"]
        assert after == before  # same version, same (kept) instance
        assert pool.failed is None
    finally:
        await pool.close()


def test_the_runtime_raises_one_hierarchy_of_errors_which_its_package_exports():
    classes = {name: value for name, value in vars(errors).items()
               if isinstance(value, type) and issubclass(value, BaseException)}
    assert all(issubclass(value, errors.DriverRuntimeError) for value in classes.values())
    assert sorted(driver_runtime.__all__) == sorted(classes)
    assert all(getattr(driver_runtime, name) is value for name, value in classes.items())
    # The relations callers rely on.
    assert issubclass(errors.NoDriver, errors.DriverUnavailable) and issubclass(errors.UnknownLanguage, errors.DriverError)
    assert issubclass(errors.BundleNotFound, errors.BundleError) and issubclass(errors.BundleNotFound, LookupError)
    assert issubclass(errors.BundleError, errors.ImageError)
    assert str(NoDriver("go", "oci")) == \
        "no go driver is installed for the oci runtime (install it with `bblfsh-lsp driver install go`)"


def test_importing_the_package_imports_none_of_the_host_modules():
    """Driver images ship the package's __init__ without the host's modules (images.py)."""
    code = "import sys, driver_runtime; print(sorted(m for m in sys.modules if m.startswith('driver_runtime')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['driver_runtime']"
