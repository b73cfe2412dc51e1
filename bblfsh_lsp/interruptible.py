"""Long work off the event loop, in a thread that can be stopped.

Converting a large tree, building a query's view and evaluating XPath are pure Python and can
take seconds.  They run in a thread of their own so the event loop keeps routing messages, and
they can be stopped: when the awaiting task is cancelled ($/cancelRequest, a newer version of
the document, Ctrl-C) or a time limit passes, an exception is raised *inside* the thread
(CPython's PyThreadState_SetAsyncExc), which unwinds it at its next bytecode.  A thread pool
could not do this safely (the exception could land in the pool's own code after the job has
finished), so every job gets a fresh thread.  Starting one costs 0.1-0.3 ms, which an editor
would wait for after every keystroke: so a thread is started ahead, when the last job is done,
and waits for its one job (_Standby).

Work blocked inside one long C call (a huge JSON decode) is stopped when that call returns.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

# Two prototypes of the one function: to raise an exception class, and to clear (NULL).
_set_async_exc = ctypes.pythonapi["PyThreadState_SetAsyncExc"]
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.py_object)
_set_async_exc.restype = ctypes.c_int
_clear_async_exc = ctypes.pythonapi["PyThreadState_SetAsyncExc"]
_clear_async_exc.argtypes = (ctypes.c_ulong, ctypes.c_void_p)
_clear_async_exc.restype = ctypes.c_int


class Interrupted(BaseException):
    """Raised inside a worker thread to stop it (a BaseException, so that a library's
    ``except Exception`` cannot swallow it)."""


class TimeLimitExceeded(Exception):
    """The work took longer than its limit and was stopped."""

    def __init__(self, limit: float):
        super().__init__(f"took longer than {limit:g} s")
        self.limit = limit


class _Job:
    """One run of a function in its own thread, and the right to interrupt it while it runs."""

    def __init__(self, function: Callable[..., Any], args: tuple[Any, ...], loop: asyncio.AbstractEventLoop):
        self.function = function
        self.args = args
        self.loop = loop
        self.future: asyncio.Future[Any] = loop.create_future()
        self.name = f"work:{getattr(function, '__name__', 'job')}"
        self._lock = threading.Lock()
        self._ident: int | None = None

    def run(self) -> None:
        with self._lock:
            self._ident = threading.get_ident()
        try:
            outcome: tuple[bool, Any] = (True, self.function(*self.args))
        except Interrupted:
            return  # the awaiting side has already moved on
        except BaseException as exc:  # handed to the awaiting task, raised there
            outcome = (False, exc)
        finally:
            with self._lock:
                ident, self._ident = self._ident, None
                # An interrupt requested just before this point must not fire later, outside
                # the function: clear any pending one.
                if ident is not None:
                    _clear_async_exc(ident, None)
        try:
            self.loop.call_soon_threadsafe(self._settle, outcome)
        except RuntimeError:  # the loop is closed: nobody waits any more
            pass

    def _settle(self, outcome: tuple[bool, Any]) -> None:
        if self.future.done():
            return
        ok, value = outcome
        if ok:
            self.future.set_result(value)
        else:
            self.future.set_exception(value)

    def interrupt(self) -> None:
        with self._lock:
            if self._ident is not None:
                _set_async_exc(self._ident, Interrupted)


class _Standby:
    """The thread that waits for the next job: it runs that one job and ends, after starting
    the thread that waits for the job after it.  A job is never given to a thread that ran
    another, and never waits for one to start unless two are given at once."""

    _lock = threading.Lock()
    _waiting: queue.SimpleQueue[_Job] | None = None  # the waiting thread's inbox, if one waits

    @classmethod
    def give(cls, job: _Job) -> None:
        with cls._lock:
            inbox, cls._waiting = cls._waiting, None
        if inbox is None:
            inbox = cls._start()
        inbox.put(job)

    @classmethod
    def _start(cls) -> queue.SimpleQueue[_Job]:
        inbox: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        threading.Thread(target=cls._serve, args=(inbox,), name="standby", daemon=True).start()
        return inbox

    @classmethod
    def _serve(cls, inbox: queue.SimpleQueue[_Job]) -> None:
        job = inbox.get()  # a wait in C: an interrupt can only be for a job this thread runs
        threading.current_thread().name = job.name
        try:
            job.run()
        except Interrupted:  # delivered as the function returned: the caller has moved on
            pass
        with cls._lock:
            if cls._waiting is None:
                cls._waiting = cls._start()

    @classmethod
    def forget(cls) -> None:
        """In a forked child the waiting thread does not exist."""
        cls._lock = threading.Lock()
        cls._waiting = None


os.register_at_fork(after_in_child=_Standby.forget)


async def run_interruptible(function: Callable[..., T], *args: Any, timeout: float | None = None) -> T:
    """``function(*args)`` in a new thread; stopped if this task is cancelled (CancelledError
    propagates) or if it runs longer than `timeout` seconds (TimeLimitExceeded)."""
    job = _Job(function, args, asyncio.get_running_loop())
    _Standby.give(job)
    try:
        async with asyncio.timeout(timeout):
            return await asyncio.shield(job.future)
    except TimeoutError:
        job.interrupt()
        raise TimeLimitExceeded(timeout or 0.0) from None
    except asyncio.CancelledError:
        job.interrupt()
        raise

