"""The file's tokens as clang lexes them (comments included), in arrays searchable by offset."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from ctypes import POINTER, byref, c_uint, sizeof, string_at

MACRO_BIT = 1 << 31  # clang's SourceLocation encoding: set for locations inside macro expansions


class Tokens:
    """Also the fast way from clang's raw source locations to offsets in the file: a file
    location's raw encoding is the file's base plus the offset (clang's SourceLocation), so
    `offset(raw)` is a subtraction, where libclang's clang_getInstantiationLocation is a call
    with four out-parameters per position."""

    def __init__(self, cindex, tu, data: bytes, path: str):
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.kinds: list[int] = []  # clang's CXTokenKind: 0 punctuation, 1 keyword, 2 identifier, 3 literal, 4 comment
        self.texts: list[str] = []
        self.size = len(data)
        self.base = -1
        file = tu.get_file(path)
        if file is None:
            return
        self.base = cindex.SourceLocation.from_offset(tu, file, 0).int_data
        if not data:
            return
        lib = cindex.conf.lib
        extent = tu.get_extent(path, (0, len(data)))
        memory = POINTER(cindex.Token)()
        count = c_uint()
        lib.clang_tokenize(tu, extent, byref(memory), byref(count))
        starts, ends, kinds, texts = self.starts, self.ends, self.kinds, self.texts
        base = self.base
        try:
            # A CXToken is {kind, raw location, length, 0} and a pointer (libclang's
            # clang_tokenize): the array is read as unsigned ints, a column per field, at once
            # (a ctypes object per token took 14 of a 62 KB file's 26 ms).
            step = sizeof(cindex.Token) // sizeof(c_uint)
            words = memoryview(string_at(memory, count.value * sizeof(cindex.Token))).cast("I")
            for kind, raw, length in zip(words[0::step], words[1::step], words[2::step]):
                if raw & MACRO_BIT:
                    continue
                start = raw - base
                starts.append(start)
                ends.append(start + length)
                kinds.append(kind)
                texts.append(data[start:start + length].decode("utf-8", "replace"))
        finally:
            if count.value:
                lib.clang_disposeTokens(tu, memory, count)

    def offset(self, raw: int) -> int | None:
        """The offset in the file of a raw source location, or None if it is not in the file."""
        if raw & MACRO_BIT:
            return None
        offset = raw - self.base
        return offset if 0 <= offset <= self.size else None

    def __len__(self) -> int:
        return len(self.starts)

    def index_at(self, offset: int) -> int:
        """The index of the token that starts at or covers `offset` (or the next one)."""
        index = bisect_right(self.starts, offset) - 1
        if index >= 0 and self.ends[index] > offset:
            return index
        return index + 1

    def first_from(self, offset: int) -> int:
        """The index of the first token that starts at or after `offset`."""
        return bisect_left(self.starts, offset)

    def text(self, index: int) -> str:
        return self.texts[index] if 0 <= index < len(self.texts) else ""

    def comments(self) -> list[tuple[int, int]]:
        return [(self.starts[i], self.ends[i]) for i, kind in enumerate(self.kinds) if kind == 4]

    def comment_holding(self, start: int, end: int) -> int | None:
        """The index of the comment whose text past its first two characters holds start to end."""
        index = bisect_right(self.starts, start) - 1
        if index >= 0 and self.kinds[index] == 4 and self.starts[index] + 2 <= start and end <= self.ends[index]:
            return index
        return None

    def with_comment_edited(self, index: int, data: bytes) -> Tokens:
        """The tokens of `data`, this text with comment `index` edited (it stays one comment): the
        others are the same, those after it moved.  Lexing the new text would give these."""
        delta = len(data) - self.size
        edited = object.__new__(Tokens)
        edited.starts = self.starts[:index + 1] + [start + delta for start in self.starts[index + 1:]]
        edited.ends = self.ends[:index] + [end + delta for end in self.ends[index:]]
        edited.kinds = self.kinds
        edited.texts = self.texts[:index] + [data[self.starts[index]:edited.ends[index]].decode("utf-8", "replace")] \
            + self.texts[index + 1:]
        edited.size = len(data)
        edited.base = self.base
        return edited

    def rebase(self, cindex, tu, path: str) -> None:
        """The same file in a new parse: only its base in clang's locations may move."""
        file = tu.get_file(path)
        self.base = cindex.SourceLocation.from_offset(tu, file, 0).int_data if file is not None else -1
