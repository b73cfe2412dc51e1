"""The source text as the parser sees it and as positions must be reported: UTF-8 bytes."""

from __future__ import annotations

import re
import sys
import tokenize
from io import StringIO

from driver_runtime.uast import LineStarts

BOM = "\ufeff"

# Strings and comments are the only places where "#" can hide; one scan over both finds every
# comment.  Python 3.11's f-strings are plain strings to the lexer, so this is exact there; from
# 3.12 on an f-string can nest quotes and the (now fast, C) tokenizer is used instead.
_STRING_OR_COMMENT = re.compile(
    r"(?=[#'\"])(?:(#[^\r\n]*)"
    r"|'''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)"
    r'|"""(?:[^"\\]|\\.|"(?!""))*(?:"""|\Z)'
    r"|'(?:[^'\\\n]|\\.)*(?:'|$)"
    r'|"(?:[^"\\\n]|\\.)*(?:"|$))',
    re.S | re.M,
)


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
            for tok in tokenize.generate_tokens(StringIO(self.text).readline):
                if tok.type == tokenize.COMMENT:
                    line, col = tok.start
                    start = self.lines.starts[line - 1]
                    end = self.lines.starts[line] if line < len(self.lines.starts) else len(self.data)
                    prefix = self.data[start:end].decode("utf-8", "surrogatepass")[:col]
                    found.append((start + len(prefix.encode("utf-8", "surrogatepass")) + self.shift, tok.string))
        except (tokenize.TokenError, SyntaxError):
            pass
        return found
