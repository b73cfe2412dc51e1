"""Decoding a driver's very large answers without holding up the process.

The UAST of a 4 MB file can be a 300 MB frame of two million nodes.  orjson decodes it in one
C call that holds the GIL for seconds, freezing every other thread (the language server's
event loop among them).  The standard library's decoder, given a Python hook for objects,
runs a little Python for each object it builds, so other threads get their turns; with the
cyclic garbage collector paused meanwhile (driver_runtime.collector) it is about half as fast
as orjson and shares dictionary keys the same way.  Call it in a worker thread.
"""

from __future__ import annotations

import codecs
import json
from typing import Any

from driver_runtime import collector
from driver_runtime.sdk.protocol import FrameTooDeep

LARGE_FRAME_BYTES = 4 << 20  # from here on a frame is decoded off the event loop
_TEXT_CHUNK = 1 << 20


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return dict(pairs)  # a Python frame per object: where other threads get the GIL


def _text(frame: bytes) -> str:
    """The frame as text, decoded a MiB at a time: one call over 300 MB would hold the GIL for
    most of a second."""
    decoder = codecs.getincrementaldecoder("utf-8")("surrogatepass")
    view = memoryview(frame)
    pieces = [decoder.decode(view[start:start + _TEXT_CHUNK]) for start in range(0, len(view), _TEXT_CHUNK)]
    pieces.append(decoder.decode(b"", final=True))
    return "".join(pieces)


def decode_large(frame: bytes) -> dict[str, Any]:
    """protocol.decode for a large frame, sharing the GIL (call it in a worker thread)."""
    with collector.paused():
        try:
            message = json.loads(_text(frame), object_pairs_hook=_object)
        except RecursionError:
            raise FrameTooDeep("the message is nested too deeply to decode") from None
        collector.keep_out_of_sight()
    if not isinstance(message, dict):
        raise ValueError("a frame must hold a JSON object")
    return message
