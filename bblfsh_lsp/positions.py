"""Byte offsets (what UASTs carry) <-> LSP positions in the negotiated encoding.

One :class:`TextIndex` per document version.  Lines that are pure ASCII (most of them) map
bytes to characters one to one; only the other lines are decoded, and only up to the column
asked for.  pygls's own helpers rescan the document on every call, which is O(lines) per
position; this index is O(log lines).
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Literal

from driver_runtime.sdk.text import Text

Encoding = Literal["utf-8", "utf-16", "utf-32"]


def _units(text: str, encoding: Encoding) -> int:
    """Length of text in the encoding's code units."""
    if encoding == "utf-32":
        return len(text)
    if encoding == "utf-16":
        return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)
    return len(text.encode("utf-8", "surrogatepass"))


class TextIndex(Text):
    """Positions of one text: byte offsets, (line, character) in an encoding, line ends."""

    __slots__ = ("text", "encoding", "_all_ascii", "_ascii_lines")

    def __init__(self, text: str, encoding: Encoding = "utf-16"):
        if encoding not in ("utf-8", "utf-16", "utf-32"):
            raise ValueError(f"unknown position encoding {encoding!r}")
        super().__init__(text.encode("utf-8", "surrogatepass"))
        self.text = text
        self.encoding = encoding
        self._all_ascii = self.data.isascii()
        self._ascii_lines: dict[int, bool] = {}

    def _is_ascii(self, line: int) -> bool:
        if self._all_ascii or self.encoding == "utf-8":
            return True
        known = self._ascii_lines.get(line)
        if known is None:
            start, end = self.line_bounds(line)
            known = self._ascii_lines[line] = self.data[start:end].isascii()
        return known

    def position(self, offset: int) -> tuple[int, int]:
        """0-based (line, character) of a byte offset; clamped to the text."""
        offset = min(max(offset, 0), len(self.data))
        line = bisect_right(self.lines.starts, offset) - 1
        start = self.lines.starts[line]
        column = offset - start
        if self._is_ascii(line):
            return line, column
        prefix = self.data[start:offset].decode("utf-8", "ignore")
        return line, _units(prefix, self.encoding)

    def offset(self, line: int, character: int) -> int:
        """Byte offset of a 0-based (line, character); clamped to the line and the text."""
        if line < 0:
            return 0
        if line >= self.line_count:
            return len(self.data)
        start, end = self.line_bounds(line)
        character = max(character, 0)
        if self._is_ascii(line):
            return min(start + character, end)
        text = self.data[start:end].decode("utf-8", "surrogatepass")
        if self.encoding == "utf-32":
            return start + len(text[:character].encode("utf-8", "surrogatepass"))
        units = 0
        for index, ch in enumerate(text):  # utf-16: astral characters are two units
            if units >= character:
                return start + len(text[:index].encode("utf-8", "surrogatepass"))
            units += 2 if ord(ch) > 0xFFFF else 1
        return end
