"""The source text as the parser sees it and as positions must be reported: UTF-8 bytes."""

from __future__ import annotations

import re
import sys
import tokenize
from io import StringIO

from driver_runtime.sdk.uast import LineStarts

BOM = "\ufeff"

# Strings and comments are the only places where "#" can hide; one scan over both finds every
# comment.  Python 3.11's f-strings are plain strings to the lexer, so this is exact there; from
# 3.12 on an f-string can nest quotes and the (now fast, C) tokenizer is used instead.
_STRING_OR_COMMENT = re.compile(
    r"(?=[#'\"])(?:(#[^\r\n]*)"
    r"|'''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)"
    r'|"""(?:[^"\\]|\\.|"(?!""))*(?:"""|\Z)'
    r"|'(?:[^'\\\r\n]|\\(?:\r\n|.))*(?:'|(?=[\r\n])|\Z)"
    r'|"(?:[^"\\\r\n]|\\(?:\r\n|.))*(?:"|(?=[\r\n])|\Z))',
    re.S,
)

# An identifier, in UTF-8 bytes (see Source.identifier_at); what may come before a next name.
_IDENTIFIER = re.compile(rb"[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*")
_SEPARATORS = re.compile(rb"(?:[ \t\f\r\n,]|\\)*")
# Bytes that can be part of an identifier (every byte of a non-ASCII character can).
_WORD_BYTES = frozenset(b"_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" + bytes(range(0x80, 0x100)))


def _is_word_byte(data: bytes, index: int) -> bool:
    """Whether data[index] exists and can be part of an identifier."""
    return 0 <= index < len(data) and data[index] in _WORD_BYTES


class Source:
    """Text, its UTF-8 bytes, and the mapping from the parser's (line, byte col) to offsets."""

    def __init__(self, text: str):
        # A BOM is not Python; the parser is given the text without it, and every offset it
        # implies is shifted back past the BOM's three bytes.
        self.shift = 0
        if text.startswith(BOM):
            text = text[1:]
            self.shift = len(BOM.encode())
        self.text = text
        self.data = text.encode("utf-8", "surrogatepass")
        self.lines = LineStarts(self.data)

    def offset(self, line: int, col: int) -> int:
        """Offset of the parser's 1-based line and 0-based byte column."""
        return self.lines.starts[line - 1] + col + self.shift

    def line_col(self, offset: int) -> tuple[int, int]:
        """The 1-based line and byte column of an offset (a BOM counts in line 1's columns)."""
        line, col = self.lines.line_col(offset - self.shift)
        return line, col + self.shift if line == 1 else col

    def char_col_to_offset(self, line: int, char_col: int) -> int:
        """Offset of a 1-based line and 1-based *character* column (as SyntaxError gives them)."""
        start = self.lines.starts[line - 1]
        end = self.lines.starts[line] if line < len(self.lines.starts) else len(self.data)
        text = self.data[start:end].decode("utf-8", "replace")
        return start + len(text[: max(char_col - 1, 0)].encode("utf-8")) + self.shift

    def find(self, needle: bytes, start: int, end: int | None = None) -> int:
        """Offset of needle in [start, end) of the source, both given as offsets (shift included)."""
        index = self.data.find(needle, start - self.shift, None if end is None else end - self.shift)
        return -1 if index < 0 else index + self.shift

    # --- names -------------------------------------------------------------------------------
    # The parser gives a name's text but often not its own span (a def's name, an attribute, a
    # keyword argument).  These find it in the source; they give None rather than a guess.  The
    # parser NFKC-normalises identifiers, so the text may spell a name differently (U+1D4CF
    # for "z"): then the identifier found at that place in the source is used.  In UTF-8 every
    # byte of a non-ASCII character is >= 0x80, and outside strings and comments Python only
    # allows non-ASCII characters in identifiers, so a run of identifier bytes is exact.

    def identifier_at(self, start: int) -> dict[str, int] | None:
        """The span of the identifier that starts at offset start."""
        match = _IDENTIFIER.match(self.data, start - self.shift) if start >= self.shift else None
        return None if match is None else {"start": start, "end": match.end() + self.shift}

    def name_at(self, start: int, name: str) -> dict[str, int] | None:
        """The span of name, which starts at offset start."""
        encoded = name.encode("utf-8", "surrogatepass")
        index = start - self.shift
        if index >= 0 and self.data.startswith(encoded, index) and not _is_word_byte(self.data, index + len(encoded)):
            return {"start": start, "end": start + len(encoded)}
        return self.identifier_at(start)

    def name_before(self, end: int, name: str) -> dict[str, int] | None:
        """The span of name, which ends at offset end."""
        encoded = name.encode("utf-8", "surrogatepass")
        data, index = self.data, end - self.shift
        start = index - len(encoded)
        if start >= 0 and data.endswith(encoded, 0, index) and not _is_word_byte(data, start - 1):
            return {"start": end - len(encoded), "end": end}
        first = index
        while first > 0 and _is_word_byte(data, first - 1):
            first -= 1
        return self.identifier_at(first + self.shift) if first < index else None

    def next_name(self, start: int, name: str) -> dict[str, int] | None:
        """The span of name, the next identifier at or after offset start, past blanks, line
        continuations and commas (the name after "def", or in "global a, b")."""
        skipped = _SEPARATORS.match(self.data, max(start - self.shift, 0))
        return None if skipped is None else self.name_at(skipped.end() + self.shift, name)

    def comments(self) -> list[tuple[int, str]]:
        """(offset, text with the '#') of every comment."""
        if sys.version_info >= (3, 12):  # pragma: no cover - exercised where the host is 3.12+
            return self._comments_by_tokenizer()
        found = []
        text = self.text
        encoded_upto = 0
        byte_pos = 0
        for match in _STRING_OR_COMMENT.finditer(text):
            comment = match.group(1)
            if comment is None:
                continue
            index = match.start()
            byte_pos += len(text[encoded_upto:index].encode("utf-8", "surrogatepass"))
            encoded_upto = index
            found.append((byte_pos + self.shift, comment))
        return found

    def _comments_by_tokenizer(self) -> list[tuple[int, str]]:
        found = []
        try:
            # universal newlines: tokenize's lines are then self.lines (split at \r\n, \r, \n)
            for tok in tokenize.generate_tokens(StringIO(self.text, newline=None).readline):
                if tok.type == tokenize.COMMENT:
                    line, col = tok.start
                    start = self.lines.starts[line - 1]
                    end = self.lines.starts[line] if line < len(self.lines.starts) else len(self.data)
                    prefix = self.data[start:end].decode("utf-8", "surrogatepass")[:col]
                    found.append((start + len(prefix.encode("utf-8", "surrogatepass")) + self.shift, tok.string))
        except (tokenize.TokenError, SyntaxError):
            pass
        return found
