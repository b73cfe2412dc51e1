"""The file's code tokens (comments left out) and the shapes the prelude's learner looks for in
them: what comes before and after a name clang could not resolve, and what a syntax error
stands next to.

clang reports that a name is unknown, not what the missing header would have made of it; the
tokens around each use say it (`(X)y` is a cast, so X is a type; `std::vector<int> v` is a
template; `BOOL WINAPI f(` has one name too many, so one of them is a macro).  Only the file's own
tokens are read: no second lexer, nothing re-parsed.
"""

from __future__ import annotations

import re
from bisect import bisect_right

IDENTIFIER, KEYWORD, PUNCTUATION, LITERAL, COMMENT = 2, 1, 0, 3, 4

# Builtin types: a name next to one of them in a declaration's specifiers is not a type.
BUILTIN_TYPES = frozenset("void bool char wchar_t char8_t char16_t char32_t short int long float double signed "
                          "unsigned auto _Bool __int64 __int128".split())
# Words that may stand among a declaration's specifiers besides its type.
SPECIFIER_WORDS = frozenset("static extern inline virtual explicit constexpr consteval constinit friend typedef "
                            "mutable register thread_local const volatile typename template __inline __inline__ "
                            "__extension__".split()) | BUILTIN_TYPES
CLASS_KEYS = frozenset(("class", "struct", "union", "enum"))
# What may follow a function's parameter list before its body, `;`, `=` or `->`.
FUNCTION_QUALIFIERS = frozenset(("const", "volatile", "&", "&&", "noexcept", "throw", "override", "final"))
# After these a declaration (or a statement) starts.
BOUNDARIES = frozenset((";", "{", "}"))
# Tokens after which an expression starts (after a `(X)`: what makes it a cast).
OPERAND_WORDS = frozenset(("this", "sizeof", "alignof", "new", "nullptr", "true", "false", "NULL", "static_cast",
                            "reinterpret_cast", "const_cast", "dynamic_cast"))

# What starts a template's argument that is a value, not a type (`SmallVector<T, 1>`).
VALUE_STARTS = frozenset(("true", "false", "nullptr", "sizeof", "alignof", "-", "+", "!", "~"))
# Integer types that the standard's headers name: `size_t N` declares a value.
_INTEGER_TYPEDEF = re.compile(r"u?int(?:8|16|32|64|ptr|max)?_t|u?int_(?:fast|least)(?:8|16|32|64)_t|s?size_t|ptrdiff_t")

# Macros are spelled in capitals (WINAPI, TEST_CASE, SPDLOG_API), or with a reserved leading
# underscore (__in, _In_): only such a name is ever taken for a macro, so that a misspelt
# variable or function keeps its error.
_MACRO_LIKE = re.compile(r"_*[A-Z][A-Z0-9_]*|__\w+|_[A-Z]\w*")


def macro_like(name: str) -> bool:
    return len(name) > 1 and bool(_MACRO_LIKE.fullmatch(name))


class Code:
    """The code tokens of the file (texts, clang token kinds, offsets), comments left out."""

    def __init__(self, texts: list[str], kinds: list[int], starts: list[int], ends: list[int], data: bytes):
        keep = [index for index, kind in enumerate(kinds) if kind != COMMENT]
        self.texts = [texts[index] for index in keep]
        self.kinds = [kinds[index] for index in keep]
        self.starts = [starts[index] for index in keep]
        self.ends = [ends[index] for index in keep]
        self.data = data
        # The last tokens of the lines that are a macro's whole use (`FT_BEGIN_HEADER`), as the
        # learner finds them: a declaration starts after one, as after a `;`.
        self.macro_lines: set[int] = set()
        self._directive: list[bool] | None = None
        self._scopes: list[bool] | None = None
        self._where: dict[str, list[int]] | None = None

    def __len__(self) -> int:
        return len(self.texts)

    def text(self, index: int) -> str:
        return self.texts[index] if 0 <= index < len(self.texts) else ""

    def kind(self, index: int) -> int:
        return self.kinds[index] if 0 <= index < len(self.kinds) else -1

    def identifier(self, index: int) -> bool:
        return self.kind(index) == IDENTIFIER

    def index_at(self, offset: int) -> int:
        """The token that covers `offset`, or else the next one (clang puts an "expected ..."
        either on the token it did not expect or at the end of the one before)."""
        return bisect_right(self.ends, offset)

    def line_start(self, index: int) -> bool:
        """Whether the token is the first of its line (past the last token: the end of the file
        ends a line)."""
        return index <= 0 or index >= len(self.starts) or b"\n" in self.data[self.ends[index - 1]:self.starts[index]]

    def in_directive(self, index: int) -> bool:
        """Whether the token is part of a preprocessor line (`#define X`, `#ifdef X`)."""
        if self._directive is None:
            marks = [False] * len(self.texts)
            index_ = 0
            while index_ < len(self.texts):
                if self.texts[index_] == "#" and self.line_start(index_):
                    end = self.data.find(b"\n", self.starts[index_])
                    while end > 0 and self.data[end - 1:end] == b"\\" or end > 1 and self.data[end - 2:end] == b"\\\r":
                        end = self.data.find(b"\n", end + 1)  # a continued line
                    end = len(self.data) if end < 0 else end
                    while index_ < len(self.texts) and self.starts[index_] < end:
                        marks[index_] = True
                        index_ += 1
                else:
                    index_ += 1
            self._directive = marks
        return 0 <= index < len(self._directive) and self._directive[index]

    def occurrences(self, name: str) -> list[int]:
        """Where the name is written, outside preprocessor lines."""
        if self._where is None:
            where: dict[str, list[int]] = {}
            for index, kind in enumerate(self.kinds):
                if kind == IDENTIFIER and not self.in_directive(index):
                    where.setdefault(self.texts[index], []).append(index)
            self._where = where
        return self._where.get(name, [])

    # --- brackets ----------------------------------------------------------------------------

    def closing(self, index: int) -> int | None:
        """The `)`, `]` or `}` that closes the bracket at `index`."""
        opening = self.text(index)
        closer = {"(": ")", "[": "]", "{": "}"}.get(opening)
        if closer is None:
            return None
        depth = 0
        for position in range(index, len(self.texts)):
            text = self.texts[position]
            if text in ("(", "[", "{"):
                depth += 1
            elif text in (")", "]", "}"):
                depth -= 1
                if depth == 0:
                    return position if text == closer else None
        return None

    def opening(self, index: int) -> int | None:
        """The `(`, `[` or `{` that the bracket at `index` closes."""
        closer = self.text(index)
        opener = {")": "(", "]": "[", "}": "{"}.get(closer)
        if opener is None:
            return None
        depth = 0
        for position in range(index, -1, -1):
            text = self.texts[position]
            if text in (")", "]", "}"):
                depth += 1
            elif text in ("(", "[", "{"):
                depth -= 1
                if depth == 0:
                    return position if text == opener else None
        return None

    def enclosing(self, index: int) -> int | None:
        """The `(` still open at `index`, on the same level of braces."""
        depth = 0
        for position in range(index - 1, -1, -1):
            text = self.texts[position]
            if text in (")", "]"):
                depth += 1
            elif text in ("(", "["):
                if depth == 0:
                    return position if text == "(" else None
                depth -= 1
            elif text in ("{", "}", ";"):
                return None
        return None

    def template_list(self, index: int) -> tuple[list[tuple[int, int]], int, bool] | None:
        """The template list whose `<` is at `index`: its arguments as (first, last) token each
        (split at its own commas; nested lists and brackets skipped), the position of the `>`
        or `>>` that closes it, and whether that token closes an outer list too (`>>`); None
        when nothing closes it before what cannot be in a template's arguments (then the `<` is
        a comparison)."""
        arguments: list[tuple[int, int]] = []
        depth = 0
        start = position = index + 1
        limit = min(len(self.texts), index + 256)
        while position < limit:
            text = self.texts[position]
            if text == "<":
                depth += 1
            elif text in (">", ">>"):
                closes = 1 if text == ">" else 2
                if depth < closes:
                    if position > start:
                        arguments.append((start, position - 1))
                    return arguments, position, depth + 1 < closes
                depth -= closes
            elif text in ("(", "["):  # `<void(int)>`, `<char[4]>`: the brackets' inside is skipped
                after = self.closing(position)
                if after is None:
                    return None
                position = after
            elif text == "," and depth == 0:
                arguments.append((start, position - 1))
                start = position + 1
            elif text in (";", "{", "}", "&&", "||", ")", "]"):
                return None
            position += 1
        return None

    def template_follower(self, index: int) -> str | None:
        """After the `<` at `index`: the token that follows its matching `>` (`>` itself when a
        `>>` closes this list and the outer one), or None when it is a comparison."""
        found = self.template_list(index)
        if found is None:
            return None
        _arguments, end, outer_too = found
        return ">" if outer_too else self.text(end + 1)

    def template_arguments(self, index: int) -> list[tuple[int, int]] | None:
        """The arguments of the template list whose `<` is at `index` (template_list)."""
        found = self.template_list(index)
        return found[0] if found is not None else None

    def value_arguments(self, name: str) -> frozenset[int]:
        """The places in the template lists of `name` where the file passes a value, not a type:
        a literal (`SmallVector<ArgRegPair, 1>`), `sizeof(...)`, a negated value, or a name it
        declares as a value of a builtin or integer type (`template <size_t N>`, `int n`)."""
        found: set[int] = set()
        for at in self.occurrences(name):
            if self.text(at + 1) != "<":
                continue
            for place, (first, _last) in enumerate(self.template_arguments(at + 1) or ()):
                text = self.texts[first]
                if self.kinds[first] == LITERAL or text in VALUE_STARTS or \
                        self.kinds[first] == IDENTIFIER and self.declared_value(text):
                    found.add(place)
        return frozenset(found)

    def declared_value(self, name: str) -> bool:
        """Whether the file declares `name` as a value of a builtin or integer type somewhere
        (`unsigned N,`, `int n =`, `std::size_t N>`; not `typedef signed char N;`)."""
        for at in self.occurrences(name):
            before = self.text(at - 1)
            if (before in BUILTIN_TYPES or before == "auto" or _INTEGER_TYPEDEF.fullmatch(before)) \
                    and self.text(at + 1) in (",", ">", "=", ";", ")", "{"):
                position = at - 1
                while self.text(position) in SPECIFIER_WORDS or self.text(position) == "::" or \
                        self.identifier(position):
                    if self.text(position) == "typedef":
                        break
                    position -= 1
                else:
                    return True
        return False

    def type_like(self, first: int, last: int) -> bool:
        """Whether the tokens from `first` to `last` may spell a type (`PyObject *`, `const char*`,
        `std::vector<int> &`): names, keywords, and the punctuation of types; something."""
        return first <= last and all(
            self.kinds[at] in (IDENTIFIER, KEYWORD) or self.texts[at] in ("*", "&", "&&", "::", "<", ">", ",")
            for at in range(first, last + 1))

    def qualified_start(self, index: int) -> int:
        """Where the qualified name whose last part is at `index` starts (`a::b::c`, `::c`)."""
        while self.text(index - 1) == "::":
            if self.identifier(index - 2):
                index -= 2
            else:
                return index - 1
        return index

    def qualifier(self, index: int) -> tuple[str, ...] | None:
        """The namespaces or classes that qualify the name at `index` (`a::b::c` -> (a, b);
        () for `c` and `::c`), None for a member (`x.c`, `T<U>::c`)."""
        start = self.qualified_start(index)
        if self.text(start - 1) in (".", "->") or self.text(start) == "::" and self.text(start - 1) == ">":
            return None
        return tuple(self.texts[at] for at in range(start, index, 2) if self.texts[at] != "::")

    def template_opening(self, index: int) -> int | None:
        """The `<` that the `>` at `index` closes (parentheses skipped), or None."""
        depth = 0
        position = index
        while position >= 0 and index - position < 256:
            text = self.texts[position]
            if text in (">", ">>"):
                depth += 1 if text == ">" else 2
            elif text == "<":
                depth -= 1
                if depth == 0:
                    return position
            elif text in (")", "]"):
                opening = self.opening(position)
                if opening is None:
                    return None
                position = opening
            elif text in (";", "{", "}", "(", "["):
                return None
            position -= 1
        return None

    def string(self, index: int) -> bool:
        """Whether the token is a string literal (`"..."`, `u8"..."`, `L"..."`, `R"(...)"`)."""
        return self.kind(index) == LITERAL and self.texts[index].endswith('"')

    def qualified_end(self, index: int) -> int:
        """The last part of the qualified name that starts at `index`."""
        while self.text(index + 1) == "::" and self.identifier(index + 2):
            index += 2
        return index

    def declaration_scope(self, index: int) -> bool:
        """Whether the token is outside any function's body: at the top level, or in the braces
        of a namespace, a class, an enum or an `extern "C"` (after a name, a base class's `>`,
        `namespace`, a class key or a string), not a function's or a statement's."""
        if self._scopes is None:  # for every token at once, in one pass (a file asks for many)
            scopes: list[bool] = []
            open_braces: list[bool] = []
            for position, text in enumerate(self.texts):
                scopes.append(open_braces[-1] if open_braces else True)
                if text == "{":
                    before = self.text(position - 1)
                    open_braces.append(
                        (self.identifier(position - 1) and before not in ("override", "final"))
                        or before in (">", "namespace") or before in CLASS_KEYS or self.string(position - 1))
                elif text == "}" and open_braces:
                    open_braces.pop()
            self._scopes = scopes
        return self._scopes[index] if 0 <= index < len(self._scopes) else True

    def declaration_start(self, index: int) -> bool:
        """Whether a declaration or statement may start at `index`: first in the file, after
        `;`, `{` or `}`, or first on its line after a preprocessor line, a `)` (a macro's call
        before it) or a line that is a macro (macro_lines)."""
        previous = self.text(index - 1)
        if previous == ":" and self.text(index - 2) in ("public", "private", "protected"):
            return True
        return index == 0 or previous in BOUNDARIES or self.line_start(index) and (
            self.in_directive(index - 1) or previous == ")" or index - 1 in self.macro_lines)

    def namespace_names(self) -> frozenset[tuple[str, ...]]:
        """The qualified names (as tuples of their parts) that the file uses as namespaces:
        named after `namespace` (`using namespace a::b;`, `namespace x = a::b;`), and every
        qualifier (`a::b::x`) that the file does not also use as a class: alone (`Pipe &p`,
        `sizeof(a::Pipe)`, `: public Pipe`), or before a constructor, a destructor or a member
        function defined here (`N::N(`, `N::~N`, `void N::f() {`).  A namespace serves every
        other use of a qualifier, and keeps what is declared in it apart: `fmt::formatter<T>`
        is a class template of its own, where a class's members are all of the permissive
        class.  (`level` in `spdlog::level::info` is not the `level` of `T level;`.)"""
        texts, kinds = self.texts, self.kinds
        found: set[tuple[str, ...]] = set()
        classes: set[tuple[str, ...]] = set()
        # only names written before a `::` somewhere, or after `namespace`, can be namespaces
        qualifiers = {texts[index] for index in range(len(texts) - 1)
                      if kinds[index] == IDENTIFIER and (texts[index + 1] == "::" or texts[index - 1] == "namespace")}
        for index, kind in enumerate(kinds):
            if kind != IDENTIFIER or texts[index] not in qualifiers or self.in_directive(index):
                continue
            qualifier = self.qualifier(index)
            if qualifier is None:
                continue
            name = texts[index]
            path = (*qualifier, name)
            start = self.qualified_start(index)
            lead = self.text(start - 1)
            if lead == "namespace" or lead == "=" and self.text(start - 3) == "namespace":
                found.update(path[:end] for end in range(1, len(path) + 1))
            elif self.text(index + 1) != "::" or self.text(index + 2) == name \
                    or self.text(index + 2) == "~" and self.text(index + 3) == name or self.defined_in(index):
                classes.add(path)  # alone, or before a constructor's, a destructor's or a method's name
            else:
                found.add(path)
        return frozenset(found - classes)

    def defined_in(self, index: int) -> bool:
        """Whether `Q::name(...)` at `index` defines a function (a body or a constructor's
        initializers follow): a member function, so Q is a class."""
        if not (self.identifier(index + 2) and self.text(index + 3) == "("):
            return False
        closing = self.closing(index + 3)
        return closing is not None and self.text(closing + 1) in ("{", "const", ":", "noexcept", "->", "try")
