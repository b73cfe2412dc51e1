"""The server's copy of an open document, changed exactly as the editor changes its own.

LSP has three line breaks: "\\r\\n", "\\r" and "\\n".  pygls 2.1's ``TextDocument`` splits lines
with ``str.splitlines``, which also breaks at "\\v", "\\f", "\\x1c"-"\\x1e", U+0085, U+2028 and
U+2029: after one of those, an incremental change lands on the wrong line and the server's text
drifts from the editor's for good.  Its position codec also moves a character past the end of a
line to one before the end (into the line, or between "\\r" and "\\n").  Here a change is applied
the way the reference implementation (vscode-languageserver-textdocument) applies it: LSP's line
breaks only, a character past the end of its line means the end of the line, a line past the
end of the text means the end of the text, a range given backwards is turned round.

:class:`LspWorkspace` makes these documents instead of pygls's; the server's protocol installs it
(:mod:`bblfsh_lsp.rpc`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import accumulate
from typing import Literal

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace

Encoding = Literal["utf-8", "utf-16", "utf-32"]

_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")  # captured: re.split keeps the breaks


def line_starts(text: str) -> list[int]:
    """Index in text (in code points) where each LSP line starts; the first is 0."""
    pieces = _LINE_BREAK.split(text)  # [line, break, line, break, ..., line]
    return [0, *accumulate(map(len, pieces))][::2]


def lines(text: str) -> list[str]:
    """The LSP lines of text, each with its line break."""
    starts = line_starts(text)
    return [text[start:end] for start, end in zip(starts, [*starts[1:], len(text)]) if start < end]


def _units(ch: str, encoding: Encoding) -> int:
    if encoding == "utf-32":
        return 1
    if encoding == "utf-16":
        return 2 if ord(ch) > 0xFFFF else 1
    return len(ch.encode("utf-8", "surrogatepass"))


def _index_in_line(line: str, character: int, encoding: Encoding) -> int:
    """Code-point index in line of a character count in the encoding's units; a count that
    ends inside a character (half a surrogate pair) moves past it, as TextIndex does."""
    if encoding == "utf-32" or line.isascii():
        return min(character, len(line))
    units = 0
    for index, ch in enumerate(line):
        if units >= character:
            return index
        units += _units(ch, encoding)
    return len(line)


_CHUNK = 1 << 16  # line breaks are counted a chunk at a time (str.count), found one by one only in the last


def _breaks_in(text: str, start: int, end: int) -> int:
    return text.count("\n", start, end) + text.count("\r", start, end) - text.count("\r\n", start, end)


def line_start(text: str, line: int) -> int | None:
    """Index in text where a 0-based LSP line starts; None past the last line.

    Without a list of every line, and without a step per line: breaks are counted (str.count,
    in C) a chunk at a time, then in halves of the chunk that holds the line, so that a change
    typed at the end of a file costs microseconds, not a pass over its lines."""
    if line <= 0:
        return 0
    position, remaining = 0, line
    while position < len(text):
        end = _unsplit(text, min(position + _CHUNK, len(text)))
        found = _breaks_in(text, position, end)
        if found >= remaining:
            return _after_break(text, position, end, remaining)
        remaining -= found
        position = end
    return None


def _unsplit(text: str, at: int) -> int:
    """at, or one further if it would split a "\r\n" (one break) in two."""
    return at + 1 if text[at - 1 : at + 1] == "\r\n" else at


def _after_break(text: str, low: int, high: int, nth: int) -> int:
    """The index just after the nth line break of text[low:high], which holds at least nth."""
    while high - low > 64:
        middle = _unsplit(text, (low + high) // 2)
        before = _breaks_in(text, low, middle)
        if before >= nth:
            high = middle
        else:
            low, nth = middle, nth - before
    for match in _LINE_BREAK.finditer(text, low, high):
        nth -= 1
        if nth == 0:
            return match.end()
    raise AssertionError("fewer line breaks than counted")


def _offset_in_line(text: str, start: int | None, character: int, encoding: Encoding) -> int:
    """Index in text of a character of the line starting at `start` (None: past the last line),
    clamped to the line, before its break."""
    if start is None:
        return len(text)
    line_break = _LINE_BREAK.search(text, start)
    content_end = line_break.start() if line_break else len(text)
    return start + _index_in_line(text[start:content_end], max(character, 0), encoding)


def offset_at(text: str, position: types.Position, encoding: Encoding) -> int:
    """Index in text of an LSP position, clamped to its line (before the line break) and to
    the text."""
    if position.line < 0:
        return 0
    return _offset_in_line(text, line_start(text, position.line), position.character, encoding)


def apply_change(text: str, change_range: types.Range, new_text: str, encoding: Encoding) -> str:
    """text with the range replaced by new_text."""
    if change_range.end.line == change_range.start.line and change_range.start.line >= 0:  # a keystroke's
        line = line_start(text, change_range.start.line)  # found once
        start = _offset_in_line(text, line, change_range.start.character, encoding)
        end = _offset_in_line(text, line, change_range.end.character, encoding)
    else:
        start = offset_at(text, change_range.start, encoding)
        end = offset_at(text, change_range.end, encoding)
    start, end = min(start, end), max(start, end)
    return text[:start] + new_text + text[end:]


def encoding_name(kind: types.PositionEncodingKind | str | None) -> Encoding:
    value = kind.value if isinstance(kind, types.PositionEncodingKind) else kind
    return value if value in ("utf-8", "utf-32") else "utf-16"  # type: ignore[return-value]


class LspTextDocument(TextDocument):
    """pygls's document, with LSP's line breaks and the clamping of LSP positions."""

    @property
    def lines(self) -> Sequence[str]:
        return tuple(lines(self.source))

    def _apply_incremental_change(self, change: types.TextDocumentContentChangePartial) -> None:
        encoding = encoding_name(self.position_codec.encoding)
        self._source = apply_change(self.source, change.range, change.text, encoding)


class LspWorkspace(Workspace):
    """pygls's workspace, whose documents are :class:`LspTextDocument`."""

    def _create_text_document(
        self,
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        return LspTextDocument(doc_uri, source=source, version=version, language_id=language_id,
                               sync_kind=self._sync_kind, position_codec=self.position_codec)

    @classmethod
    def like(cls, workspace: Workspace, sync_kind: types.TextDocumentSyncKind) -> LspWorkspace:
        """A new, empty workspace with the roots, folders and position encoding of workspace."""
        return cls(workspace.root_uri, sync_kind, list(workspace.folders.values()), workspace.position_encoding)
