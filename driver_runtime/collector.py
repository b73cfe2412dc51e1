"""The cyclic garbage collector, kept out of the way of large trees.

A UAST is millions of dicts and lists without reference cycles: reference counting frees them.
The cyclic collector would only scan them, and a full collection over two million nodes holds
the GIL for seconds, freezing every other thread (the language server's event loop among them).
So it is paused while such a tree is built or walked, and a tree that stays (an open document's)
is moved out of its sight with gc.freeze(): frozen objects are still freed when their last
reference goes.
"""

from __future__ import annotations

import functools
import gc
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when memory is first given back: a command line's start does without it
    import ctypes

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


class paused:  # noqa: N801 (used as a context manager: `with collector.paused():`)
    """gc.disable() for as long as any thread is inside one of these."""

    def __enter__(self) -> None:
        global _pauses, _was_enabled
        with _lock:
            if _pauses == 0:
                _was_enabled = gc.isenabled()
                gc.disable()
            _pauses += 1

    def __exit__(self, *exc: object) -> None:
        global _pauses
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()


def keep_out_of_sight() -> None:
    """Let no later collection scan what exists now (a large tree that was just built)."""
    gc.freeze()


@functools.cache
def _malloc_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    # The C library this process already runs on, found by its symbols (CDLL(None)): finding
    # it by name (ctypes.util.find_library) would run `ldconfig -p` at every start.
    import ctypes

    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def give_back_memory() -> None:
    """Return freed memory to the system.  After a large tree is freed, glibc keeps most of its
    pages for reuse, and the process stays gigabytes large; malloc_trim hands them back (a few
    milliseconds; ctypes releases the GIL meanwhile)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
