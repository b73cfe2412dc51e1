"""Decoding a driver's very large answers without holding up the process.

The UAST of a 4 MB file can be a 300 MB frame of two million nodes.  orjson decodes it in one
C call that holds the GIL for seconds, freezing every other thread (the language server's
event loop among them).  The standard library's decoder, given a Python hook for objects,
runs a little Python for each object it builds, so other threads get their turns; with the
cyclic garbage collector paused meanwhile (a full collection over millions of new, acyclic
objects would hold the GIL for a second at a time and reclaim nothing) it is about half as
fast as orjson and shares dictionary keys the same way.  Call it in a worker thread.
"""

from __future__ import annotations

import gc
import json
import threading
from typing import Any

from driver_runtime.protocol import FrameTooDeep

LARGE_FRAME_BYTES = 4 << 20  # from here on a frame is decoded off the event loop

_pause_lock = threading.Lock()
_pauses = 0
_was_enabled = False


class _CollectorPaused:
    """gc.disable() for as long as any thread is inside one of these."""

    def __enter__(self) -> None:
        global _pauses, _was_enabled
        with _pause_lock:
            if _pauses == 0:
                _was_enabled = gc.isenabled()
                gc.disable()
            _pauses += 1

    def __exit__(self, *exc: object) -> None:
        global _pauses
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return dict(pairs)  # a Python frame per object: where other threads get the GIL


def decode_large(frame: bytes) -> dict[str, Any]:
    """protocol.decode for a large frame, sharing the GIL (call it in a worker thread)."""
    with _CollectorPaused():
        try:
            message = json.loads(frame, object_pairs_hook=_object)
        except RecursionError:
            raise FrameTooDeep("the message is nested too deeply to decode") from None
    if not isinstance(message, dict):
        raise ValueError("a frame must hold a JSON object")
    return message
