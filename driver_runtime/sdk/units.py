"""Position units: native parsers count in UTF-16 code units (JavaScript, Java), characters,
or bytes; the UAST counts bytes.  One conversion, done once per tree, in place."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from typing import Any

from driver_runtime.sdk.uast import POS

BYTES, UTF16, CHARS = "bytes", "utf16", "chars"
UNITS = (BYTES, UTF16, CHARS)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def offset_converter(text: str, unit: str) -> Callable[[int], int]:
    """A function from an offset in `unit` to a UTF-8 byte offset in `text`."""
    if unit not in UNITS:
        raise ValueError(f"unknown position unit {unit!r}")
    if unit == BYTES or text.isascii():
        return lambda offset: offset
    # Offsets where a non-ASCII character starts, in the unit, and the byte offset there; between
    # two such points every character is one unit and one byte.  The regular expression finds
    # them without a step per character of the text (an editor converts after every keystroke).
    unit_points = [0]
    byte_points = [0]
    units = byte = last = 0
    for match in _NON_ASCII.finditer(text):
        at = match.start()
        units += at - last
        byte += at - last
        for ch in match.group():
            code = ord(ch)
            size = 2 if code < 0x800 else (3 if code < 0x10000 else 4)
            width = 2 if unit == UTF16 and code > 0xFFFF else 1
            unit_points.append(units)
            byte_points.append(byte)
            units += width
            byte += size
            unit_points.append(units)
            byte_points.append(byte)
        last = match.end()

    def convert(offset: int) -> int:
        index = bisect_right(unit_points, offset) - 1
        return byte_points[index] + (offset - unit_points[index])

    return convert


def line_col_converter(text: str, unit: str) -> Callable[[int, int], int]:
    """A function from a 1-based (line, column-in-unit) to a UTF-8 byte offset."""
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line.encode("utf-8", "surrogatepass")) + 1)

    def convert(line: int, col: int) -> int:
        if line < 1:
            return 0
        if line > len(lines):
            return starts[-1] + len(lines[-1].encode("utf-8", "surrogatepass"))
        source = lines[line - 1]
        if unit == BYTES or source.isascii():
            return starts[line - 1] + max(col - 1, 0)
        prefix = offset_converter(source, unit)(max(col - 1, 0))
        return starts[line - 1] + prefix

    return convert


def positions_to_bytes(tree: Any, text: str, unit: str, convert: Callable[[int], int] | None = None) -> None:
    """Rewrite every @pos of a native tree from `unit` offsets to byte offsets, in place
    (`convert`: offset_converter(text, unit), if the caller has it)."""
    if unit == BYTES or text.isascii():
        return
    convert = convert or offset_converter(text, unit)
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == POS:
                    if value:
                        for name, offset in value.items():
                            if isinstance(offset, int):
                                value[name] = convert(offset)
                elif isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
