"""Work off the event loop that can be stopped: by a time limit, by cancellation."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from bblfsh_lsp.interruptible import TimeLimitExceeded, run_interruptible


def spin(stop_flag: list[bool]) -> None:
    """Pure Python that never ends by itself; records that it was unwound."""
    try:
        while True:
            pass
    finally:
        stop_flag.append(True)


def live_workers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("work:")]


async def wait_for_workers_to_end() -> None:
    for _ in range(200):
        if not live_workers():
            return
        await asyncio.sleep(0.01)


async def test_a_result_and_an_exception_come_back_to_the_caller():
    assert await run_interruptible(sum, [1, 2, 3]) == 6
    with pytest.raises(ZeroDivisionError):
        await run_interruptible(lambda: 1 / 0)


async def test_a_time_limit_stops_the_thread_itself():
    unwound: list[bool] = []
    with pytest.raises(TimeLimitExceeded, match="longer than 0.2 s"):
        await run_interruptible(spin, unwound, timeout=0.2)
    await wait_for_workers_to_end()
    assert unwound == [True]
    assert not live_workers()


async def test_cancelling_the_caller_stops_the_thread():
    unwound: list[bool] = []
    task = asyncio.ensure_future(run_interruptible(spin, unwound))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await wait_for_workers_to_end()
    assert unwound == [True]


async def test_the_event_loop_keeps_running_while_the_work_runs():
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    clock = asyncio.ensure_future(ticker())
    started = time.perf_counter()
    with pytest.raises(TimeLimitExceeded):
        await run_interruptible(spin, [], timeout=0.5)
    elapsed = time.perf_counter() - started
    clock.cancel()
    # Had the loop been blocked, the ticker would not have run at all during the work.
    assert ticks >= 5, f"{ticks} ticks in {elapsed:.2f} s"


async def test_an_interrupt_never_lands_after_the_function_returned():
    # Many short jobs with a limit close to their length: the interrupt races the return.
    for _ in range(200):
        try:
            await run_interruptible(time.sleep, 0.001, timeout=0.001)
        except TimeLimitExceeded:
            pass
    await wait_for_workers_to_end()
    assert await run_interruptible(sum, [1, 1]) == 2


def test_one_documents_views_never_wait_for_anothers():
    """Two documents' views computed at once in two threads: neither waits for the other
    (functools.cached_property before Python 3.12 would make the second wait for the first)."""
    from bblfsh_lsp.documents import computed_once

    second_done = threading.Event()

    class Views:
        def __init__(self, waits: bool):
            self.waits = waits

        @computed_once
        def value(self) -> str:
            if self.waits:  # the large document: done only once the small one is
                assert second_done.wait(5), "the other document's views waited for this one"
            return "done"

    large, small = Views(waits=True), Views(waits=False)
    outcome: list[object] = []

    def compute_large() -> None:
        try:
            outcome.append(large.value)
        except AssertionError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=compute_large)
    worker.start()
    time.sleep(0.1)
    started = time.perf_counter()
    assert small.value == "done"
    waited = time.perf_counter() - started
    second_done.set()
    worker.join(10)
    assert outcome == ["done"] and waited < 4


async def test_every_job_runs_in_a_thread_of_its_own_started_before_it_was_given():
    ran_in: list[threading.Thread] = []
    for _ in range(5):
        await run_interruptible(lambda: ran_in.append(threading.current_thread()))
        # The thread for the next job is started once a job is done, and waits for it.
        for _ in range(200):
            if any(thread.name == "standby" for thread in threading.enumerate()):
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("no thread waits for the next job")
    assert len({id(thread) for thread in ran_in}) == 5  # never a thread that ran another job
    assert all(thread.name == "work:<lambda>" for thread in ran_in)
