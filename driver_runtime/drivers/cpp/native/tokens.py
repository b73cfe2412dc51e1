"""The file's tokens as clang lexes them (comments included), in arrays searchable by offset."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from ctypes import POINTER, byref, c_uint

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
            for index in range(count.value):
                # A CXToken is {kind, raw location, length, 0} and a pointer (libclang's
                # clang_tokenize): read it in place.
                kind, raw, length, _ = memory[index].int_data
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

    def next_after(self, offset: int) -> tuple[str, int]:
        """The text and kind of the first token after the token at `offset`, comments skipped."""
        index = self.index_at(offset) + 1
        while index < len(self.kinds) and self.kinds[index] == 4:
            index += 1
        return self.text(index), (self.kinds[index] if index < len(self.kinds) else -1)

    def at(self, offset: int) -> str:
        return self.text(self.index_at(offset))

    def comments(self) -> list[tuple[int, int]]:
        return [(self.starts[i], self.ends[i]) for i, kind in enumerate(self.kinds) if kind == 4]

    def namespace_names(self) -> frozenset[str]:
        """Names the file uses as namespaces: `using namespace N;`, `namespace A = N;` and the
        first of a chain `N::M::x`, unless also used as a class (`N::N(`, `N::~N`)."""
        texts, kinds = self.texts, self.kinds
        found: set[str] = set()
        classes: set[str] = set()
        for index in range(len(texts) - 3):
            text = texts[index]
            if text == "namespace" and index > 0 and texts[index - 1] == "using" and kinds[index + 1] == 2:
                found.add(texts[index + 1])
            elif text == "namespace" and texts[index + 2] == "=" and kinds[index + 3] == 2:
                found.add(texts[index + 3])
            elif kinds[index] == 2 and texts[index + 1] == "::":
                following = texts[index + 2]
                if following == text or (following == "~" and texts[index + 3] == text):
                    classes.add(text)
                elif kinds[index + 2] == 2 and texts[index + 3] == "::" and (index == 0 or texts[index - 1] != "::"):
                    found.add(text)
        return frozenset(found - classes)

    def rebase(self, cindex, tu, path: str) -> None:
        """The same file in a new parse: only its base in clang's locations may move."""
        file = tu.get_file(path)
        self.base = cindex.SourceLocation.from_offset(tu, file, 0).int_data if file is not None else -1

    def member_names(self) -> frozenset[str]:
        """Names written after `.` or `->`: members of something."""
        texts, kinds = self.texts, self.kinds
        return frozenset(texts[index + 1] for index in range(len(texts) - 1)
                         if texts[index] in (".", "->") and kinds[index + 1] == 2)
