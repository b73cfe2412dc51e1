"""A source text as its UTF-8 bytes and lines: what reading a tree against its text needs (the
outline finds where a definition's line starts), on both sides of the protocol.  The host's
positions in an editor's encoding build on it (bblfsh_lsp.positions.TextIndex)."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from typing import TYPE_CHECKING

from driver_runtime.sdk.uast import LineStarts

if TYPE_CHECKING:
    from driver_runtime.sdk.protocol import TextEdit

_NONBLANK = re.compile(rb"[^ \t\f]")


class Text:
    """The bytes of a text and where its lines start (0-based line numbers here)."""

    __slots__ = ("data", "lines")

    def __init__(self, data: bytes, lines: LineStarts | None = None):
        """`lines`: the text's line starts, if known (LineStarts.edited)."""
        self.data = data
        self.lines = lines if lines is not None else LineStarts(data)

    def edited(self, edits: Iterable[TextEdit]) -> Text:
        """This text after edits (each applied to what the one before made), its lines found
        again only where they changed."""
        data, lines = self.data, self.lines
        for edit in edits:
            inserted = edit.text.encode("utf-8", "surrogatepass")
            data = data[:edit.start] + inserted + data[edit.end:]
            lines = lines.edited(edit.start, edit.end, len(inserted), data)
        return Text(data, lines)

    @property
    def line_count(self) -> int:
        return len(self.lines.starts)

    def line_bounds(self, line: int) -> tuple[int, int]:
        """Byte range of a 0-based line, without its line break ("\\r\\n", "\\r" or "\\n")."""
        starts = self.lines.starts
        start = starts[line]
        if line + 1 >= len(starts):
            return start, len(self.data)
        end = starts[line + 1] - 1  # the break's last byte
        if self.data[end] == 0x0A and end > start and self.data[end - 1] == 0x0D:  # "\r\n"
            end -= 1
        return start, end

    def line_of(self, offset: int) -> int:
        return bisect_right(self.lines.starts, min(max(offset, 0), len(self.data))) - 1

    def line_end(self, line: int) -> int:
        """Byte offset of the end of a 0-based line (before its line break)."""
        return self.line_bounds(min(max(line, 0), self.line_count - 1))[1]

    def first_nonblank(self, line: int) -> int:
        """Byte offset of the first non-blank character of a 0-based line (or its end)."""
        start, end = self.line_bounds(line)
        # Searched in place: a copy of the line would cost its whole length per call (a 4 MB
        # minified line, once per symbol on it).
        found = _NONBLANK.search(self.data, start, end)
        return found.start() if found else end


# Texts are compared a page at a time, then in halves of the page that differs: slices of bytes
# compare with memcmp, and a keystroke's edit is found in a dozen comparisons, not a loop per byte.
_PAGE = 4096


def common_prefix(old: bytes, new: bytes, limit: int | None = None) -> int:
    """How many bytes (at most `limit`) two texts begin with alike."""
    limit = min(len(old), len(new)) if limit is None else min(limit, len(old), len(new))
    low = 0
    while low + _PAGE <= limit and old[low:low + _PAGE] == new[low:low + _PAGE]:
        low += _PAGE
    high = min(low + _PAGE, limit)  # old[:low] == new[:low]; they differ before high, or high is the limit
    while low < high:
        middle = (low + high + 1) // 2
        if old[low:middle] == new[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def common_suffix(old: bytes, new: bytes, limit: int) -> int:
    """How many bytes (at most `limit`) two texts end with alike."""
    old_size, new_size = len(old), len(new)
    limit = min(limit, old_size, new_size)
    low = 0
    while low + _PAGE <= limit and old[old_size - low - _PAGE:old_size - low] == \
            new[new_size - low - _PAGE:new_size - low]:
        low += _PAGE
    high = min(low + _PAGE, limit)
    while low < high:
        middle = (low + high + 1) // 2
        if old[old_size - middle:old_size - low] == new[new_size - middle:new_size - low]:
            low = middle
        else:
            high = middle - 1
    return low
