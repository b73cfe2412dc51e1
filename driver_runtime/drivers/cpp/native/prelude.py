"""Stand-in declarations for what a file uses but does not declare.

The driver parses one file alone, without its headers: clang would drop every statement that
names something from an unresolved `#include` (`std::cout << x;`, `vector<int> v;`,
`void Foo::bar() {...}` where Foo is in "foo.h").  So the file is parsed, the names clang could
not resolve are read from its diagnostics, and the file is parsed again with a small header
(this prelude, passed with `-include`, never part of the tree) that declares them: values and
types of one permissive class (`__bblfsh_any`, which has every operator and converts to
anything), templates, namespaces, members of that class, and the macros that the file's syntax
errors next to unknown names show (`static BOOL WINAPI f(`, `TEST_CASE("name") {`).  What each
unknown name is comes from all the tokens around its uses in the file (shapes.py), not only from
the use that clang reported.  A few rounds settle it.

Nothing here changes a byte of the file or a position in it: the prelude is a separate file.
"""

from __future__ import annotations

import re

from shapes import (
    BUILTIN_TYPES,
    CLASS_KEYS,
    FUNCTION_QUALIFIERS,
    IDENTIFIER,
    KEYWORD,
    LITERAL,
    OPERAND_WORDS,
    SPECIFIER_WORDS,
    Code,
    macro_like,
)

ANY = "__bblfsh_any"

# C++: the permissive class.  Members named by the file's uses are added to it ({members}).
_CXX_HEAD = """#pragma clang system_header
namespace std {
  template <class T> class initializer_list {
    const T* first; const T* last;
  public:
    initializer_list() noexcept;
    const T* begin() const noexcept; const T* end() const noexcept; unsigned long size() const noexcept;
  };
}
struct %(any)s {
  template <class... A> %(any)s(A&&...);
  template <class A> %(any)s& operator=(A&&);
  template <class... A> %(any)s& operator()(A&&...) const;
  template <class A> %(any)s& operator[](A&&) const;
  template <class T> operator T&() const;
  %(any)s* operator->() const;
  %(any)s& operator*() const;
  %(any)s& operator++() const; %(any)s& operator++(int) const;
  %(any)s& operator--() const; %(any)s& operator--(int) const;
  %(any)s& operator-() const; %(any)s& operator+() const;
  %(any)s& operator!() const; %(any)s& operator~() const;
  %(any)s& begin() const; %(any)s& end() const;
%%(members)s};
template <class T> struct __bblfsh_bare { typedef T type; };
template <class T> struct __bblfsh_bare<T&> { typedef T type; };
template <class T> struct __bblfsh_bare<const T> { typedef T type; };
template <class T> struct __bblfsh_bare<const T&> { typedef T type; };
template <class A, class B, bool = __is_base_of(%(any)s, typename __bblfsh_bare<A>::type)
          || __is_base_of(%(any)s, typename __bblfsh_bare<B>::type)> struct __bblfsh_either {};
template <class A, class B> struct __bblfsh_either<A, B, true> { typedef %(any)s& type; };
""" % {"any": ANY}

_BINARY = ("<<", ">>", "+", "-", "*", "/", "%", "&", "|", "^", "&&", "||", "==", "!=", "<", ">",
           "<=", ">=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", ",")
_CXX_OPERATORS = "".join(
    f"template <class A, class B> typename __bblfsh_either<A, B>::type operator{op}(A&&, B&&);\n"
    for op in _BINARY)

# Diagnostics that name something missing, and what to declare for it.
_UNDECLARED = re.compile(r"use of undeclared identifier '(\w+)'")
_UNKNOWN_TYPE = re.compile(r"unknown type name '(\w+)'")
_UNKNOWN_TEMPLATE = re.compile(r"unknown template name '(\w+)'")
_NO_MEMBER_GLOBAL = re.compile(r"no (member|type|template) named '(\w+)' in the global namespace")
_NO_TEMPLATE = re.compile(r"no template named '(\w+)'(?: in namespace '([\w:]+)')?$")
_NO_MEMBER_NS = re.compile(r"no (member|type|template) named '(\w+)' in namespace '([\w:]+)'")
_NO_MEMBER = re.compile(r"no (member|type) named '(\w+)' in '[^']+'")
_NOT_A_SCOPE = re.compile(r"'(\w+)' is not a class, namespace, or enumeration")
_NOT_A_TEMPLATE = re.compile(r"explicit (?:instantiation|specialization) of (?:non-template|undeclared template) "
                             r"\w+ '(\w+)'"
                             r"|identifier followed by '<' indicates a class template specialization but '(\w+)'")
_REDEFINED = re.compile(r"(?:redefinition of|conflicting types for) '(\w+)'")

VALUE, FUNCTION, TYPE, TEMPLATE, NAMESPACE, VARIABLE_TEMPLATE = (
    "value", "function", "type", "template", "namespace", "variable template")
# A type for its use as a template's argument (`vector<X>`) alone: declared as a type, but any
# other use wins, since a value where a type was wanted is only a semantic error (`array<int, N>`)
# while a type where a value was wanted (`i < N`) is a syntax error.
ARGUMENT_TYPE = "argument type"
# When one name is used as several kinds, the one that serves every use wins.
_RANK = {ARGUMENT_TYPE: -1, FUNCTION: 0, VALUE: 1, VARIABLE_TEMPLATE: 2, TYPE: 3, TEMPLATE: 4, NAMESPACE: 5}

# Macros that a missing header would define, as far as the file shows: an attribute or calling
# convention that expands to nothing (`WINAPI`, `SPDLOG_API`, `__in`), the same with arguments
# (`NODE_API_MODULE(m, init)`, `SECTION("s") {` whose block stays a block), the head of a
# function (`TEST_CASE("name", "[tag]") { ... }`), and a piece of a string (`"%" PRIu64`).
# They are defined after every declaration of the prelude, which therefore never expands them.
ATTRIBUTE, ATTRIBUTE_CALL, DECLARATOR, STRING = "attribute", "attribute call", "declarator", "string"
# The call that gives a declaration its type (`PyAPI_FUNC(PyObject *) PyFoo(void);`): its arguments.
TYPE_CALL = "type call"
# The standard's macros that take a type, which no use can show (clang has them as builtins).
STANDARD_MACROS = {
    "offsetof": "#define offsetof(type, member) __builtin_offsetof(type, member)",
    "va_arg": "#define va_arg(list, type) __builtin_va_arg(list, type)",
}
STANDARD = "standard"

Scope = tuple[str, ...]

_MEMBER_RANK = {VALUE: 0, TEMPLATE: 1, TYPE: 2}
_MEMBER_DECLARATIONS = {
    VALUE: f"  static {ANY} %s;\n",
    # explicit arguments go to T, the call's are deduced into A
    TEMPLATE: f"  template <class... T, class... A> static {ANY}& %s(A&&...);\n",
    TYPE: f"  typedef {ANY} %s;\n",
}


class Prelude:
    """The declarations gathered so far, for C++ or C."""

    def __init__(self, cxx: bool):
        self.cxx = cxx
        self.names: dict[tuple[Scope, str], str] = {}
        self.members: dict[str, str] = {}  # members of the permissive class: name -> VALUE or TYPE
        self.banned: set[str] = set()  # names the file declares itself
        self.macros: dict[str, str] = {}  # name -> ATTRIBUTE, ATTRIBUTE_CALL, TYPE_CALL, DECLARATOR, STRING or STANDARD
        self.settled: set[str] = set()  # macros that whole lines show (Learner.macro_lines): no error changes them
        # a class template's places where the file passes values (Code.value_arguments)
        self.value_arguments: dict[str, frozenset[int]] = {}

    def __bool__(self) -> bool:
        return bool(self.names or self.members or self.macros)

    def declare(self, scope: Scope, name: str, kind: str) -> bool:
        if name in self.banned or name in self.macros or name.startswith("__bblfsh") or not name:
            return False
        key = (scope, name)
        old = self.names.get(key)
        if old is not None and _RANK[old] >= _RANK[kind]:
            return False
        self.names[key] = kind
        for part in range(1, len(scope) + 1):  # the enclosing namespaces exist too
            outer = (scope[:part - 1], scope[part - 1])
            if self.names.get(outer) != NAMESPACE and scope[part - 1] != "std":
                self.names[outer] = NAMESPACE
        return True

    def member(self, name: str, kind: str) -> bool:
        """A member of the permissive class: VALUE, TEMPLATE (a member function template,
        `x.As<T>()`) or TYPE, each serving the uses of those before it."""
        old = self.members.get(name)
        if name in self.macros or old is not None and _MEMBER_RANK[old] >= _MEMBER_RANK[kind]:
            return False
        self.members[name] = kind
        return True

    def macro(self, name: str, kind: str) -> bool:
        """The name is a macro: what was declared for it goes (a macro would rename it)."""
        if name in self.banned or name in self.settled or self.macros.get(name) == kind or name.startswith("__bblfsh"):
            return False
        self.macros[name] = kind
        for key in [key for key in self.names if key[1] == name]:
            del self.names[key]
        self.members.pop(name, None)
        return True

    def ban(self, name: str) -> bool:
        found = [key for key in self.names if key[1] == name] + ([name] if name in self.members else [])
        self.banned.add(name)
        for key in found:
            if isinstance(key, tuple):
                del self.names[key]
            else:
                del self.members[key]
        return bool(found)

    def render(self) -> str:
        return (self._render_cxx() if self.cxx else self._render_c()) + self._render_macros()

    def _render_macros(self) -> str:
        lines = []
        for name, kind in sorted(self.macros.items()):
            if kind == ATTRIBUTE:
                lines.append(f"#define {name}")
            elif kind == ATTRIBUTE_CALL:
                lines.append(f"#define {name}(...)")
            elif kind == TYPE_CALL:
                lines.append(f"#define {name}(...) __VA_ARGS__")
            elif kind == STRING:
                lines.append(f'#define {name} ""')
            elif kind == STANDARD:
                lines.append(STANDARD_MACROS[name])
            else:  # a function's head: the body that follows is its body (the name is not expanded again)
                lines.append(f"#define {name}(...) void {name}({'' if self.cxx else 'void'})")
        return "".join(line + "\n" for line in lines)

    def _render_c(self) -> str:
        lines = ["#pragma clang system_header"]
        for (_scope, name), kind in sorted(self.names.items()):
            if kind in (TYPE, TEMPLATE, ARGUMENT_TYPE):
                lines.append(f"typedef int {name};")
            elif kind == VALUE:
                lines.append(f"extern int {name};")
        return "\n".join(lines) + "\n"

    def _render_cxx(self) -> str:
        members = "".join(_MEMBER_DECLARATIONS[kind] % name for name, kind in sorted(self.members.items()))
        out = [_CXX_HEAD % {"members": members}, _CXX_OPERATORS]
        by_scope: dict[Scope, list[tuple[str, str]]] = {}
        for (scope, name), kind in self.names.items():
            by_scope.setdefault(scope, []).append((name, kind))
        # Namespaces first (declared empty), then types, then values, each in its namespace.
        for wanted in ((NAMESPACE,), (TYPE, ARGUMENT_TYPE, TEMPLATE), (VALUE, FUNCTION, VARIABLE_TEMPLATE)):
            for scope in sorted(by_scope):
                body = [self._declaration(name, kind) for name, kind in sorted(by_scope[scope]) if kind in wanted]
                if body:
                    opening = "".join(f"namespace {part} {{ " for part in scope)
                    out.append(opening + " ".join(body) + " }" * len(scope) + "\n")
        return "".join(out)

    def _declaration(self, name: str, kind: str) -> str:
        if kind == NAMESPACE:
            return f"namespace {name} {{}}"
        if kind in (TYPE, ARGUMENT_TYPE):
            return f"struct {name} : {ANY} {{ using {ANY}::{ANY}; }};"
        if kind == TEMPLATE:
            # Types, but values where the file passes values (`SmallVector<T, 1>`): a value for a
            # type's place would drop the declaration that names it (`using V = SmallVector<T, 1>;`).
            values = self.value_arguments.get(name)
            places = "".join("auto = 0, " if place in values else f"class = {ANY}, "
                             for place in range(max(values) + 1)) if values else ""
            return f"template <{places}class...> struct {name} : {ANY} {{ using {ANY}::{ANY}; }};"
        if kind == FUNCTION:  # explicit arguments go to T, the call's are deduced into A
            return f"template <class... T, class... A> {ANY}& {name}(A&&...);"
        if kind == VARIABLE_TEMPLATE:
            return f"template <class...> extern {ANY} {name};"
        return f"extern {ANY} {name};"


# Words that start a declaration's specifiers: a name before one of them is no type.
_LEADING_WORDS = frozenset("static inline virtual explicit constexpr consteval constinit extern friend typedef "
                           "mutable thread_local template void bool char short int long float double unsigned "
                           "signed auto class struct union enum".split())
# Keywords that start a declaration of their own: after a line that is a macro's name or call,
# they show that the line was whole (not a declaration's type, or a K&R function's declarator).
_DECLARATION_WORDS = _LEADING_WORDS | frozenset(
    "namespace using public private protected typename register static_assert _Static_assert asm "
    "__extension__".split())
# What follows the name a declaration declares.
DECLARATOR_ENDS = ("(", ";", "=", ",", "[")
# Keywords whose parentheses hold a condition or an expression, not a cast's type.
_CONDITIONS = frozenset(("if", "while", "switch", "for", "catch", "sizeof", "alignof", "decltype", "noexcept"))
# Syntax errors whose place may show a macro the file's headers would define.
_STATEMENT_ERROR = re.compile(r"expected ';' after expression")
_ENUMERATOR_ERRORS = ("expected '= constant-expression' or end of enumerator definition",
                      "missing ',' between enumerators")
_MISSING_END = re.compile(r"expected ';'|expected function body")


class Learner:
    """Declares what the diagnostics of each parse (message, offset in the file) say is missing,
    and defines the macros that the syntax errors next to unknown names show.  One per file: what
    the file's tokens say of a name holds in every round."""

    def __init__(self, prelude: Prelude, code: Code):
        self.prelude = prelude
        self.code = code
        self.namespaces = code.namespace_names()
        self.named: dict[tuple[Scope, str], str | None] = {}  # the names looked at already: their kind
        self._evidence: dict[str, tuple[int, int]] = {}
        self._lines_read = False  # macro_lines, once: what the file's lines show holds in every round
        # what this round learns
        self.uses: dict[tuple[Scope, str], str] = {}
        self.macros: dict[str, str] = {}
        self.members: list[tuple[str, str]] = []  # (name, kind) of the permissive class

    def learn(self, diagnostics: list[tuple[str, int]]) -> bool:
        """Take in one parse's diagnostics; True if the prelude changed (and the file should be
        parsed again)."""
        prelude = self.prelude
        self.uses, self.macros, self.members = {}, {}, []
        changed = False
        guess = True  # macros from syntax errors (macro_at)
        if not self._lines_read:
            self._lines_read = True
            lines = self.macro_lines()
            for name, kind in lines.items():
                changed |= prelude.macro(name, kind)
            prelude.settled.update(lines)
            # The syntax errors of a reading without these macros would mislead (clang took
            # `FT_EXPORT( FT_Error )` for a declarator); the names it could not resolve would not.
            guess = not lines
        for message, offset in diagnostics:
            changed |= self.read(message, offset, guess)
        for name, kind in self.macros.items():
            changed |= prelude.macro(name, kind)
        for name, kind in self.members:
            changed |= prelude.member(name, kind)
        for (scope, name), kind in self.uses.items():
            changed |= prelude.declare(scope, name, kind)
            if kind == TEMPLATE and name not in prelude.value_arguments and prelude.cxx:
                prelude.value_arguments[name] = self.code.value_arguments(name)
        return changed

    def use(self, scope: Scope, name: str, kind: str) -> None:
        key = (scope, name)
        if key not in self.uses or _RANK[kind] > _RANK[self.uses[key]]:
            self.uses[key] = kind

    def read(self, message: str, offset: int, guess: bool = True) -> bool:
        """Take in one diagnostic; True if it changed the prelude at once (a member, a ban).
        `guess`: a syntax error may show a macro (macro_at)."""
        prelude, code = self.prelude, self.code
        index = code.index_at(offset)
        if match := _UNDECLARED.match(message):
            if match.group(1) in STANDARD_MACROS and code.text(index + 1) == "(":
                self.macros[match.group(1)] = STANDARD
            else:
                self.name((), match.group(1), index)
        elif match := _UNKNOWN_TYPE.match(message):
            self.use((), match.group(1), TYPE)
        elif match := _UNKNOWN_TEMPLATE.match(message):
            self.use((), match.group(1), TEMPLATE)
        elif match := _NO_MEMBER_GLOBAL.match(message):
            what, name = match.group(1), match.group(2)
            self.name((), name, index, self.said(what, index))
        elif match := _NO_TEMPLATE.match(message):
            scope = tuple(match.group(2).split("::")) if match.group(2) else ()
            self.use(scope, match.group(1), TEMPLATE)
        elif match := _NO_MEMBER_NS.match(message):
            what, name, scope = match.group(1), match.group(2), tuple(match.group(3).split("::"))
            self.name(scope, name, index, self.said(what, index))
        elif match := _NO_MEMBER.match(message):
            if prelude.cxx:
                kind = self.member_kind(index)
                kind = TYPE if match.group(1) == "type" and kind != VALUE else kind
                return prelude.member(match.group(2), kind)
        elif match := _NOT_A_SCOPE.match(message):
            self.use((), match.group(1), TYPE)
        elif message.startswith("expected class name"):
            name = code.text(index)
            if name.isidentifier():
                self.use((), name, TYPE)
        elif message.startswith("expected namespace name"):
            name = code.text(index)
            if name.isidentifier():
                self.use((), name, NAMESPACE)
        elif match := _NOT_A_TEMPLATE.match(message):
            # `template class ns::sink<M>;`, `struct fmt::formatter<T> : ...` of a name declared
            # as a class: a class template
            name = match.group(1) or match.group(2)
            scope = tuple(code.texts[at] for at in range(code.qualified_start(index), index, 2))
            if code.text(index) == name and ((scope, name) in prelude.names or "undeclared" in message):
                self.use(scope, name, TEMPLATE)
        elif match := _REDEFINED.match(message):
            if any(key[1] == match.group(1) for key in prelude.names) or match.group(1) in prelude.members:
                return prelude.ban(match.group(1))
        elif guess:
            self.macro_at(message, index)
        return False

    # --- names: what the tokens around a use say it is ---------------------------------------

    def said(self, what: str, index: int) -> str | None:
        """The kind that clang's "no type/template named" says, unless a call follows: clang
        takes `T v(std::move(x));` for a function's declaration, so `std::move` for a type."""
        if self.code.text(index + 1) == "(":
            return None
        return {"type": TYPE, "template": TEMPLATE}.get(what)

    def name(self, scope: Scope, name: str, index: int, kind: str | None = None) -> str | None:
        """The unknown name used at the token `index`: what all its uses in the file say it is
        (clang reports the first ones, and none after it took the name for something else), and
        the rest of each qualified name that it starts: nothing can be known in what is unknown
        (`spdlog::sinks::sink<M>` is declared at once, not a part per parse)."""
        code = self.code
        known = self.named.get((scope, name))
        if known is not None or (scope, name) in self.named:
            if kind is not None:
                self.use(scope, name, kind)
            return known
        self.named[(scope, name)] = None  # (while its chains are followed)
        uses = [at for at in code.occurrences(name) if code.qualifier(at) == scope]
        if scope and any(code.text(code.qualified_start(at) - 1) == "using" for at in uses):
            # `using std::string;`: written alone too
            uses += [at for at in code.occurrences(name) if code.qualifier(at) == ()]
        if index not in uses and code.text(index) == name:  # (written otherwise: `fs::x` for `std::filesystem::x`)
            uses.append(index)
        kinds = [found for at in uses if (found := self.by_context(at, name)) is not None]
        if kind is not None:
            kinds.append(kind)
        if not kinds:
            return None
        kind = self.named[(scope, name)] = max(kinds, key=_RANK.__getitem__)
        self.use(scope, name, kind)
        if kind in (NAMESPACE, TYPE):
            for at in uses:
                self.chain((*scope, name) if kind == NAMESPACE else None, at)
        return kind

    def chain(self, inner: Scope | None, index: int) -> None:
        """The names after the unknown qualifier at `index`: in its namespace `inner` (each
        by all its uses there), or members of the permissive class when it is a class (None)."""
        code = self.code
        while code.text(index + 1) == "::" and code.identifier(index + 2):
            index += 2
            part = code.text(index)
            if inner is not None:
                self.name(inner, part, index)  # and the chains after each of its uses
                return
            if part != code.text(index - 2):  # (`C::C(` is C's constructor, not a member named C)
                self.members.append((part, self.member_kind(index)))

    def member_kind(self, index: int) -> str:
        """What the member of a class named at `index` is: a type where the tokens say so, a
        member function template where it is called (also `Q::f(...) {`, defined here: a data
        member would make its parameters an initializer), else a value."""
        code = self.code
        name = code.text(index)
        if any(code.text(at - 1) == "::" and code.text(at + 1) == "::" and code.text(at + 2) in (name, "~")
               for at in code.occurrences(name)):
            # `A::B::B(...) : ... {`, a nested class's constructor: were B a type (of the
            # permissive class's), its parameters would be an initializer; unresolved, only the
            # names are wrong
            return VALUE
        kind = self.by_context(index, name)
        if kind in (TYPE, TEMPLATE, NAMESPACE, ARGUMENT_TYPE):
            return TYPE
        return TEMPLATE if kind in (FUNCTION, VARIABLE_TEMPLATE) else VALUE

    def by_context(self, index: int, name: str) -> str | None:
        """The kind of the unknown name used at the token `index`, from the tokens around it;
        None for what needs no declaration (a call in C declares its function)."""
        code, cxx = self.code, self.prelude.cxx
        following, kind = code.text(index + 1), code.kind(index + 1)
        before = code.text(code.qualified_start(index) - 1)
        if kind == IDENTIFIER or following in ("const", "volatile"):  # `Name variable`, `Name const&`
            return TYPE
        if following == "::":
            # A qualifier: a namespace, unless the file uses it as a class (`Foo f;`, `Foo::Foo()`)
            qualifier = code.qualifier(index)
            return NAMESPACE if qualifier is not None and (*qualifier, name) in self.namespaces else TYPE
        if following == "(":
            return FUNCTION if cxx else None
        if following == "<" and cxx:
            after = code.template_follower(index + 1)
            if after is None:  # no `>` closes it: a comparison
                return VALUE
            lead = code.qualified_start(index) - 1
            while code.identifier(lead) and macro_like(code.text(lead)):
                lead -= 1  # `template class SPDLOG_API ns::sink<M>;`
            if code.text(lead) in CLASS_KEYS or code.text(lead) == "template" or self.aliased(index) \
                    or self.initializer(index):
                # `template class ns::sink<M>;`, `struct formatter<T>`, `using S = sink<M>;`,
                # `C::C() : ns::Base<C>(x)`
                return TEMPLATE
            if after == "(":  # `make_unique<T>(...)`, `template R f<T>(int);`
                return FUNCTION
            if after in (";", ")", "]", "}", "?") or after in (",", ">") and before not in ("<", ","):
                return VARIABLE_TEMPLATE  # `is_same_v<A, B>;`
            return TEMPLATE  # `vector<int> v`, `map<K, V>::iterator`, `vector<int>{}`, `<vector<int>>`
        if following == "{":  # `Callback{...}`, `X x = Point{1, 2}`
            return TYPE
        if following == ")" and before == "(":
            after, after_kind = code.text(index + 2), code.kind(index + 2)
            opening = code.qualified_start(index) - 1
            ahead = code.text(opening - 1)  # not a condition's (`if (x) y`) or a call's parentheses
            if (after_kind in (IDENTIFIER, LITERAL) or after in OPERAND_WORDS) and not (
                    ahead in _CONDITIONS or code.identifier(opening - 1)):
                return TYPE  # a cast: `(LPBYTE)buffer`
        if following in ("*", "&", "&&"):
            end = index + 1
            while code.text(end) in ("*", "&", "&&", "const", "volatile"):
                end += 1
            if code.text(end) in (")", ">", ","):  # `(BYTE*)p`, `vector<Item *>`, `f(Item&, int)`
                return TYPE
            if code.identifier(end) and code.text(code.qualified_end(end) + 1) in (";", "=", ",", "[", ")", "("):
                start = code.qualified_start(index)
                if code.declaration_start(start):  # a statement `HANDLE *h = ...;`, `Node &Map::get(`
                    return TYPE
                if before in ("(", ",") and self.parameters(code.enclosing(start)):  # `f(Node &node, ...)`
                    return TYPE
        if cxx and (before == "<" and following in (">", ">>", ",") or before == "," and following in (">", ">>")):
            return ARGUMENT_TYPE  # `vector<X>`, `map<K, X>`
        return VALUE

    def initializer(self, index: int) -> bool:
        """Whether the qualified name at `index` is a base class's in a constructor's
        initializers (`C::C(int x) : ns::Base(x)`: a member's name is not qualified)."""
        code = self.code
        start = code.qualified_start(index)
        return start != index and code.text(start - 1) == ":" and code.text(start - 2) == ")"

    def aliased(self, index: int) -> bool:
        """Whether the qualified name at `index` is what `using Name =` names."""
        code = self.code
        start = code.qualified_start(index)
        return code.text(start - 1) == "=" and code.identifier(start - 2) and code.text(start - 3) == "using"

    def parameters(self, opening: int | None) -> bool:
        """Whether the `(` at `opening` starts a function's parameters: a (qualified) name
        before it, and a type before that (`void f(`, `bool Pipe::serve(`, `T *f(`)."""
        code = self.code
        if opening is None or not code.identifier(opening - 1):
            return False
        previous = code.qualified_start(opening - 1) - 1
        return code.identifier(previous) or code.text(previous) in BUILTIN_TYPES or \
            code.text(previous) in ("*", "&", "&&", ">")

    # --- macros: syntax errors that a macro of the missing headers explains ---------------------

    def macro_lines(self) -> dict[str, str]:
        """Macros that whole lines of declarations show, where a declaration starts (outside
        functions' bodies), whatever clang's errors say of them:
        - `PyAPI_FUNC(PyObject *) PyFoo(...);`, `FT_EXPORT( FT_Error )` over `FT_New_Size(...);`,
          `PyAPI_DATA(int) x;`: a call followed by the name declared (`EXPORT(type) name`), which
          no declaration without a macro looks like, whatever the macro's spelling: its arguments
          are the declaration's type when they look like one (TYPE_CALL); before specifiers on its
          line too (`PyAPI_FUNC(void) _Py_NO_RETURN f(...);`), after another such call too
          (`Py_DEPRECATED(3.0) PyAPI_FUNC(int) f(...);`);
        - `FT_BEGIN_HEADER`, `DECLARE_SOMETHING(x)`: a name spelt as a macro, or its call, that is a
          line of its own which what follows shows to be whole: a declaration's first word, a
          preprocessor line, a `}`, the end of the file or another such line; after a call, a
          declaration's type and name too (`T x`, `T *x`).
        Clang takes such a name for a type and such a call for a declarator (in C, a K&R
        function's, whose parameters swallow the declarations after it).  A name all of whose
        uses are such is a macro, here expanding to nothing (or to its arguments, a type)."""
        code = self.code
        candidates: list[tuple[int, int, str]] = []  # (first token, last token, the macro's kind)
        ends: set[int] = set()  # their last tokens: a declaration may go on after one
        line_ends: set[int] = set()  # those that end a line
        exported: set[int] = set()
        kinds = code.kinds
        for index in range(len(kinds)):
            if kinds[index] != IDENTIFIER or code.in_directive(index):
                continue
            if not (index - 1 in ends or code.declaration_start(index)) or not code.declaration_scope(index):
                continue
            last, kind = index, ATTRIBUTE
            if code.text(index + 1) == "(":
                closing = code.closing(index + 1)
                if closing is None:
                    continue
                last, kind = closing, ATTRIBUTE_CALL
            follower = last + 1
            # On the next line, only the name (`FT_EXPORT( FT_Error )` over `FT_New_Size(`): after a
            # line that is a call, a declaration with its own type is one of its own.
            if kind == ATTRIBUTE_CALL and (self.declarator_follows(follower) if not code.line_start(follower) else
                                           code.text(code.qualified_end(follower) + 1) in DECLARATOR_ENDS
                                           and code.identifier(follower)):
                exported.add(index)
                if code.type_like(index + 2, last - 1):
                    kind = TYPE_CALL
            elif not (macro_like(code.text(index)) and code.line_start(index) and code.line_start(follower)):
                continue
            if code.line_start(follower):
                line_ends.add(last)
            if kind != TYPE_CALL:  # (after the call that gives the type comes the name declared)
                ends.add(last)
            candidates.append((index, last, kind))
        confirmed: set[int] = set(exported)
        for index, last, kind in reversed(candidates):
            follower = last + 1
            if follower >= len(code) or code.in_directive(follower) or code.text(follower) == "}" \
                    or code.kind(follower) == KEYWORD and code.text(follower) in _DECLARATION_WORDS \
                    or follower in confirmed or kind == ATTRIBUTE_CALL and code.identifier(follower) and (
                        code.identifier(follower + 1) or code.text(follower + 1) in ("*", "&")):
                confirmed.add(index)
        kind_at = {index: kind for index, _last, kind in candidates}
        found: dict[str, str] = {}
        for index in sorted(confirmed):
            name = code.text(index)
            if name in found or name in self.prelude.banned:
                continue
            if all(kind_at.get(use) == kind_at[index] for use in code.occurrences(name)):
                found[name] = kind_at[index]
        code.macro_lines.update(last for index, last, _kind in candidates
                                if code.text(index) in found and last in line_ends)
        return found

    def declarator_follows(self, index: int) -> bool:
        """Whether the rest of a declaration starts at `index`: specifiers, maybe, then the name
        declared and what follows a name (`f(`, `x;`, `x =`; `_Py_NO_RETURN f(`, `const char *f(`)."""
        code = self.code
        position, name = index, -1
        while position < index + 12 and (code.kind(position) in (IDENTIFIER, KEYWORD)
                                         or code.text(position) in ("*", "&", "::")):
            if code.kind(position) == IDENTIFIER:
                name = position
            position += 1
        return name == position - 1 and code.text(position) in DECLARATOR_ENDS

    def macro_at(self, message: str, index: int) -> None:
        """A syntax error at the token `index` (or right before it): the macros that would
        make the file parse there, if its shape shows them."""
        if self.code.in_directive(index):
            return
        if not (self.string_macro(index) or self.lone_macro(index) or self.head_macro(message, index)
                or self.trailing_macro(index)):
            self.specifier_macros(index)

    def string_macro(self, index: int) -> bool:
        """`"%" PRIu64 "\\n"`: a name next to a string literal can only be a macro that is
        (or ends or starts with) a string, whatever its spelling (the `"C"` of `extern "C"` and
        the `""` of `operator ""` excepted)."""
        code = self.code

        def next_to_string(at: int) -> bool:
            return code.string(at - 1) and code.text(at - 2) not in ("extern", "operator") or code.string(at + 1)

        for at in (index, index - 1):
            name = code.text(at)
            uses = code.occurrences(name)
            if code.identifier(at) and at in uses and all(next_to_string(use) for use in uses):
                self.macros[name] = STRING
                return True
        return False

    def lone_macro(self, index: int) -> bool:
        """`FMT_BEGIN_NAMESPACE`, `Q_OBJECT`, `PyObject_HEAD`: a name alone on its line where a
        declaration starts is a macro (here taken to expand to nothing), when it is so wherever
        written; whatever its spelling outside a function's body, where nothing else could be."""
        code = self.code
        for at in (index - 1, index - 2):  # (clang may stop one token after it: `X\n T *p;`)
            name = code.text(at)
            if not (code.identifier(at) and code.line_start(at) and code.line_start(at + 1)):
                continue
            if not (macro_like(name) or code.declaration_scope(at)):
                continue  # (in a function, it may be a statement whose `;` is missing)
            if all(code.line_start(use) and code.line_start(use + 1) and code.declaration_start(use)
                   for use in code.occurrences(name)):
                self.macros[name] = ATTRIBUTE
                return True
        return False

    def head_macro(self, message: str, index: int) -> bool:
        """`TEST_CASE("name", "[tag]") {` where a declaration starts, `SECTION("s") {` where a
        statement does, `NODE_API_MODULE(name, init)` alone: a macro called where a declaration
        or a statement starts, which clang took for a variable or a call.  A function's head
        before `{` at the top level (the block is its body), else nothing (a block stays a block;
        a declaration that is only the macro's call goes)."""
        code = self.code
        if message.startswith(_ENUMERATOR_ERRORS) and code.text(index) == "(" and code.identifier(index - 1) \
                and macro_like(code.text(index - 1)) and code.text(index - 2) in (",", "{"):
            self.macros[code.text(index - 1)] = ATTRIBUTE_CALL  # `enum E { A, LLVM_MARK_AS_BITMASK_ENUM(A) };`
            return True
        if code.text(index - 1) == ")" and _MISSING_END.match(message):
            opening = code.opening(index - 1)
        elif message == "expected parameter declarator":
            opening = code.enclosing(index)  # C takes the parentheses for an old-style function's
        else:
            return False
        if opening is None or not code.identifier(opening - 1):
            return False
        name_index = opening - 1
        name = code.text(name_index)
        closing = code.closing(opening)
        if closing is None or not macro_like(name) or not code.declaration_start(name_index):
            return False
        # Every use of the name is such a call, where a declaration or a statement starts: no
        # function of the file's own, no variable.
        if not all(code.text(at + 1) == "(" and code.declaration_start(at) for at in code.occurrences(name)):
            return False
        statement = bool(_STATEMENT_ERROR.match(message))
        after = code.text(closing + 1)
        if after == "{":
            self.macros[name] = ATTRIBUTE_CALL if statement else DECLARATOR
        elif statement:
            return False  # `call(x)` and no `;`: a plausible mistake, left to be reported
        else:
            self.macros[name] = ATTRIBUTE_CALL
        return True

    def trailing_macro(self, index: int) -> bool:
        """`int f() const WINPTY_NOEXCEPT override {`: after a function's parameters and
        qualifiers only a macro can be a name other than `override` and `final`."""
        code = self.code
        name = code.text(index)
        if not code.identifier(index) or not macro_like(name) or code.line_start(index):
            return False  # (on a line of its own, it may be the next statement after a missing `;`)
        kind = ATTRIBUTE_CALL if code.text(index + 1) == "(" else ATTRIBUTE
        if code.text(index - 1) == "namespace" or code.text(index - 2) == "namespace" and code.identifier(index - 1):
            self.macros[name] = kind  # `namespace std _GLIBCXX_VISIBILITY(default) {`
            return True
        previous = code.text(index - 2)
        if code.identifier(index - 1) and (code.identifier(index - 2) or previous in ("*", "&", "&&", ">", ",", "{")
                                           or previous in BUILTIN_TYPES) \
                and code.text(code.closing(index + 1) + 1 if kind == ATTRIBUTE_CALL and code.closing(index + 1)
                              else index + 1) in (",", ")", ";", "=", "[", "{", "}", ":") \
                and all(code.identifier(use - 1) or code.text(use - 1) == ")" for use in code.occurrences(name)):
            # `int argc UNUSED,`, `size_t n __dv;`, `A V8_DEPRECATED("x"),` (an enumerator's): after the
            # name declared, where a macro is written after a name wherever it is written
            self.macros[name] = kind
            return True
        back = index - 1
        while True:
            text = code.text(back)
            if text in FUNCTION_QUALIFIERS:
                back -= 1
            elif text == ")" and code.text((code.opening(back) or 0) - 1) in ("noexcept", "throw"):
                back = (code.opening(back) or 0) - 2
            else:
                break
        if code.text(back) != ")":
            return False
        opening = code.opening(back)
        if opening is None or not (code.identifier(opening - 1) or code.text(opening - 1) in (">", ")")) \
                or code.text(opening - 1) in self.prelude.settled:  # (`PyAPI_DATA(T) name`: no parameters)
            return False
        self.macros[name] = kind
        return True

    def specifier_macros(self, index: int) -> None:
        """`static BOOL WINAPI f(`, `CALLBACK DWORD f(`, `class SPDLOG_API logger {`,
        `template class SPDLOG_API ns::sink<M>;`, `template FMT_API auto f()`: a declaration's
        specifiers hold one name more than a type, and clang took one of them for the name
        declared.  Those that are not the type are macros that expand to nothing; the type is
        the one that the file uses as a type elsewhere (the first one if none is)."""
        code = self.code
        name = code.text(index - 1)
        if code.identifier(index - 1) and macro_like(name) and self.evidence(name)[0] == 0 and (
                code.text(index) in _LEADING_WORDS and code.kind(index) == KEYWORD and code.declaration_start(index - 1)
                or code.text(index) in ("*", "&", "^") and code.text(index - 2) == "(" and (
                    code.identifier(index - 3) or code.text(index - 3) in BUILTIN_TYPES)):
            # `V8_INLINE static T f()`: a type does not come before `static`; `T (CUDAAPI *f)(...)`
            self.macros[name] = ATTRIBUTE
            return
        if code.text(index) == "operator" and code.identifier(index - 1):
            declarator = index  # `API T operator+(`
        elif code.identifier(index) and code.text(index + 1) == "(" and code.text(index + 2) in ("*", "&", "^") \
                and code.identifier(index - 1):
            declarator = index + 1  # `BOOL WINAPI (*)(HANDLE)`: a function pointer's type
        elif code.identifier(index) and (code.identifier(index - 1) or code.text(index - 1) in (">", ">>")) \
                or code.text(index) in ("*", "&", "&&") and code.identifier(index - 1):
            declarator = index  # clang stopped at the name declared (or its `*`), after taking one before it
        elif code.identifier(index - 1):
            declarator = code.qualified_start(index - 1)  # clang stopped after the name declared
        else:
            return
        # The specifiers before the name declared, back to where the declaration starts; a
        # qualified name (`std::string`) or a template's (`vector<int>`) is a type of its own.
        specifiers: list[int] = []
        named_types = 0
        position = declarator - 1
        while position >= 0 and not code.in_directive(position):
            text = code.text(position)
            if text in (">", ">>"):
                opening = code.template_opening(position)
                if opening is None or not code.identifier(opening - 1):
                    break
                named_types += 1
                position = code.qualified_start(opening - 1) - 1
            elif code.identifier(position):
                start = code.qualified_start(position)
                if start == position:
                    specifiers.append(position)
                else:
                    named_types += 1
                position = start - 1
            elif text in SPECIFIER_WORDS or text in CLASS_KEYS or text in ("*", "&", "&&"):
                position -= 1  # (`T *WINAPI f(`: what makes a pointer is the declarator's)
            else:
                break
        specifiers.reverse()
        if not specifiers:
            return
        after_class_key = [at for at in specifiers if code.text(at - 1) in CLASS_KEYS]
        if after_class_key:  # the class's name is the one declared: the name before it is a macro
            macros = after_class_key
        elif any(code.text(at) in BUILTIN_TYPES and code.kind(at) == KEYWORD for at in range(position + 1, declarator)):
            macros = specifiers  # a builtin type leaves no room for a name
        else:
            if named_types + len(specifiers) < 2:
                return
            # The type: the one the file uses most as a type elsewhere, else one not spelt as
            # a macro, else the first one.
            if named_types:  # `std::string WINAPI f(`, `template API vector<T> f<T>(`
                macros = specifiers
            else:
                type_at = max(specifiers, key=lambda at: (
                    self.evidence(code.text(at))[1], not macro_like(code.text(at)), -at))
                macros = [at for at in specifiers if at != type_at]
        for at in macros:
            name = code.text(at)
            if macro_like(name) and self.evidence(name)[0] == 0:
                self.macros[name] = ATTRIBUTE

    def evidence(self, name: str) -> tuple[int, int]:
        """How many uses of the name could not be a macro that expands to nothing (`(X)`,
        `X::`, `<X>`, `X;`, `X(`), and how many are a type's (those, and `X y;`, `X *y,`: the
        only type of a declaration)."""
        found = self._evidence.get(name)
        if found is None:
            code = self.code
            blocked = typed = 0
            for at in code.occurrences(name):
                following, kind = code.text(at + 1), code.kind(at + 1)
                if kind not in (IDENTIFIER, KEYWORD) and following not in ("*", "&", "&&") and not (
                        following == "(" and code.text(at + 2) in ("*", "&", "^")):  # `BOOL WINAPI (*f)(`
                    blocked += 1
                else:
                    end = at + 1
                    while code.text(end) in ("*", "&", "&&"):
                        end += 1
                    if code.identifier(end) and code.text(end + 1) in (";", ",", "=", ")", "[", "{", ":") and (
                            code.declaration_start(at) or code.text(at - 1) in ("(", ",", "<")
                            or code.text(at - 1) in SPECIFIER_WORDS and code.text(at - 1) not in BUILTIN_TYPES):
                        typed += 1  # `X y;`, `f(const X &y)`
            found = self._evidence[name] = (blocked, blocked + typed)
        return found


def seed_members(prelude: Prelude, code: Code) -> bool:
    """What follows `.` and `->` is a member of something: declared at once, not round by
    round; a member function template where it is called (`x.size()`, `info[0].As<T>()`)."""
    changed = False
    texts = code.texts
    for index in range(len(texts) - 1):
        if texts[index] in (".", "->"):
            at = index + 2 if texts[index + 1] == "template" else index + 1
            if code.identifier(at):
                following = code.text(at + 1)
                called = following == "(" or following == "<" and code.template_follower(at + 1) == "("
                changed |= prelude.member(texts[at], TEMPLATE if called else VALUE)
    return changed
