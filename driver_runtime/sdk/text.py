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


# Texts are compared a page at a time (bytes compare with memcmp), then byte by byte.
_PAGE = 4096


def common_prefix(old: bytes, new: bytes, limit: int | None = None) -> int:
    """How many bytes (at most `limit`) two texts begin with alike."""
    limit = min(len(old), len(new)) if limit is None else limit
    length = 0
    while length < limit and old[length:length + _PAGE] == new[length:length + _PAGE]:
        length += _PAGE
    end = min(length + _PAGE, limit)
    while length < end and old[length] == new[length]:
        length += 1
    return min(length, limit)


def common_suffix(old: bytes, new: bytes, limit: int) -> int:
    """How many bytes (at most `limit`) two texts end with alike."""
    length, old_size, new_size = 0, len(old), len(new)
    while length + _PAGE <= limit and old[old_size - length - _PAGE:old_size - length] == \
            new[new_size - length - _PAGE:new_size - length]:
        length += _PAGE
    while length < limit and old[old_size - length - 1] == new[new_size - length - 1]:
        length += 1
    return length
