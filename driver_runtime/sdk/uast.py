"""The Universal AST as plain JSON: keys, positions, and the two encodings of positions.

A UAST node is a dict with Babelfish v2 keys: ``@type`` ("uast:Identifier", "python:ClassDef"),
``@role`` (sorted role names), ``@token`` and ``@pos``, plus the node's fields.

Positions have two encodings:

* the **wire** form, used between drivers and the runtime and kept in memory:
  ``"@pos": {"start": <byte offset>, "end": <byte offset>}`` (a key is absent when the driver
  has no such position).  Line and column are a view of the offset, so they are not carried.
* the **Babelfish** form, printed to users and to tools that read Babelfish output:
  ``{"@type": "uast:Positions", "start": {"@type": "uast:Position", "offset", "line", "col"}, ...}``
  with 1-based lines and 1-based byte columns.

:func:`to_babelfish` turns the first into the second.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate
from typing import Any

TYPE = "@type"
ROLE = "@role"
TOKEN = "@token"
POS = "@pos"
SYSTEM_KEYS = (TYPE, TOKEN, ROLE, POS)

Node = dict[str, Any]


class LineStarts:
    r"""Byte offsets of line starts in UTF-8 text: offset <-> (line, col), both 1-based.

    Lines end at "\r\n", "\r" or "\n", as LSP counts them and as CPython's parser numbers
    them (a file with only "\r" line ends has many lines, not one); nothing else ends a line
    (not "\f", "\v", U+0085, U+2028: str.splitlines would break there)."""

    __slots__ = ("starts", "size")

    def __init__(self, data: bytes):
        self.starts = _line_starts(data)
        self.size = len(data)

    @classmethod
    def known(cls, starts: Sequence[int], size: int) -> LineStarts:
        """Line starts computed before (kept in an index), of a text of `size` bytes."""
        lines = cls.__new__(cls)
        lines.starts = starts  # type: ignore[assignment]
        lines.size = size
        return lines

    def edited(self, start: int, end: int, inserted: int, data: bytes) -> LineStarts:
        """The line starts of `data`, which is this text with its bytes start..end replaced by
        `inserted` bytes: those before the edit kept, those after it moved, the ones between
        found again (a byte either side too: a "\r" and a "\n" the edit brings together)."""
        starts = self.starts
        delta = inserted - (end - start)
        low = max(start - 1, 0)  # starts up to here depend on the bytes before the edit only
        high = min(end + 1, self.size)  # starts past here on the bytes after it only
        middle_end = high + delta
        window = data[low:middle_end + 2]  # a "\r" at the window's end needs the byte after it
        middle = [low + offset for offset in _line_starts(window)[1:] if low + offset <= middle_end]
        first = bisect_right(starts, low)
        last = bisect_right(starts, high)
        return LineStarts.known([*starts[:first], *middle, *(offset + delta for offset in starts[last:])],
                                len(data))

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def offset(self, line: int, col: int) -> int:
        """Byte offset of a 1-based line and 1-based byte column."""
        return self.starts[line - 1] + col - 1


_LINE_BREAK = re.compile(rb"\r\n?|\n")


def _line_starts(data: bytes) -> list[int]:
    if b"\r" in data:
        return [0, *(match.end() for match in _LINE_BREAK.finditer(data))]
    # "\n" only (the common case): the lines' lengths summed, all in C, 1.8 times as fast as a
    # loop of data.find (which was a quarter faster than the regex).
    lines = data.split(b"\n")
    lines.pop()
    return list(accumulate(map((1).__add__, map(len, lines)), initial=0))


def span(node: Node) -> tuple[int, int] | None:
    """The node's own (start, end) byte span, if it has both ends."""
    pos = node.get(POS)
    if not pos:
        return None
    start, end = pos.get("start"), pos.get("end")
    if start is None or end is None:
        return None
    return start, end


def type_of(node: Any) -> str:
    return node.get(TYPE, "") if isinstance(node, dict) else ""


def children(node: Node) -> Iterator[Node]:
    """Direct child nodes (objects in fields, or in lists in fields), in field order."""
    for key, value in node.items():
        if key == POS:
            continue
        if isinstance(value, dict):
            yield value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    yield item


def walk(node: Any) -> Iterator[Node]:
    """Every object in the tree, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            yield current
            kids = list(children(current))
            kids.reverse()
            stack.extend(kids)
        elif isinstance(current, list):
            stack.extend(reversed(current))


def _position(lines: LineStarts, offset: int) -> dict[str, Any]:
    line, col = lines.line_col(offset)
    return {TYPE: "uast:Position", "offset": offset, "line": line, "col": col}


def _positions(lines: LineStarts, pos: dict[str, int] | None) -> dict[str, Any]:
    out: dict[str, Any] = {TYPE: "uast:Positions"}
    for name, offset in (pos or {}).items():
        out[name] = _position(lines, offset)
    return out


def to_babelfish(tree: Any, lines: LineStarts) -> Any:
    """A copy of a wire-form tree with positions in Babelfish's form and its key order."""
    if isinstance(tree, list):
        return [to_babelfish(item, lines) for item in tree]
    if not isinstance(tree, dict):
        return tree
    out: dict[str, Any] = {}
    for key in SYSTEM_KEYS:
        if key in tree:
            out[key] = _positions(lines, tree[key]) if key == POS else to_babelfish(tree[key], lines)
    for key, value in tree.items():
        if key not in out:
            out[key] = to_babelfish(value, lines) if isinstance(value, (dict, list)) else value
    return out
