"""Stand-in declarations for what a file uses but does not declare.

The driver parses one file alone, without its headers: clang would drop every statement that
names something from an unresolved `#include` (`std::cout << x;`, `vector<int> v;`,
`void Foo::bar() {...}` where Foo is in "foo.h").  So the file is parsed, the names clang could
not resolve are read from its diagnostics, and the file is parsed again with a small header
(this prelude, passed with `-include`, never part of the tree) that declares them: values and
types of one permissive class (`__bblfsh_any`, which has every operator and converts to
anything), templates, namespaces, and members of that class.  A few rounds settle it.

Nothing here changes a byte of the file or a position in it: the prelude is a separate file.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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
_REDEFINED = re.compile(r"(?:redefinition of|conflicting types for) '(\w+)'")

VALUE, FUNCTION, TYPE, TEMPLATE, NAMESPACE, VARIABLE_TEMPLATE = (
    "value", "function", "type", "template", "namespace", "variable template")
# When one name is used as several kinds, the one that serves every use wins.
_RANK = {FUNCTION: 0, VALUE: 1, VARIABLE_TEMPLATE: 2, TYPE: 3, TEMPLATE: 4, NAMESPACE: 5}

Scope = tuple[str, ...]


class Prelude:
    """The declarations gathered so far, for C++ or C."""

    def __init__(self, cxx: bool):
        self.cxx = cxx
        self.names: dict[tuple[Scope, str], str] = {}
        self.members: dict[str, str] = {}  # members of the permissive class: name -> VALUE or TYPE
        self.banned: set[str] = set()  # names the file declares itself

    def __bool__(self) -> bool:
        return bool(self.names or self.members)

    def declare(self, scope: Scope, name: str, kind: str) -> bool:
        if name in self.banned or name.startswith("__bblfsh") or not name:
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
        if name in self.members and (self.members[name] == TYPE or kind == VALUE):
            return False
        self.members[name] = kind
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
        return self._render_cxx() if self.cxx else self._render_c()

    def _render_c(self) -> str:
        lines = ["#pragma clang system_header"]
        for (_scope, name), kind in sorted(self.names.items()):
            if kind in (TYPE, TEMPLATE):
                lines.append(f"typedef int {name};")
            elif kind == VALUE:
                lines.append(f"extern int {name};")
        return "\n".join(lines) + "\n"

    def _render_cxx(self) -> str:
        members = "".join(
            f"  typedef {ANY} {name};\n" if kind == TYPE else f"  static {ANY} {name};\n"
            for name, kind in sorted(self.members.items()))
        out = [_CXX_HEAD % {"members": members}, _CXX_OPERATORS]
        by_scope: dict[Scope, list[tuple[str, str]]] = {}
        for (scope, name), kind in self.names.items():
            by_scope.setdefault(scope, []).append((name, kind))
        # Namespaces first (declared empty), then types, then values, each in its namespace.
        for wanted in ((NAMESPACE,), (TYPE, TEMPLATE), (VALUE, FUNCTION, VARIABLE_TEMPLATE)):
            for scope in sorted(by_scope):
                body = [self._declaration(name, kind) for name, kind in sorted(by_scope[scope]) if kind in wanted]
                if body:
                    opening = "".join(f"namespace {part} {{ " for part in scope)
                    out.append(opening + " ".join(body) + " }" * len(scope) + "\n")
        return "".join(out)

    @staticmethod
    def _declaration(name: str, kind: str) -> str:
        if kind == NAMESPACE:
            return f"namespace {name} {{}}"
        if kind == TYPE:
            return f"struct {name} : {ANY} {{ using {ANY}::{ANY}; }};"
        if kind == TEMPLATE:
            return f"template <class...> struct {name} : {ANY} {{ using {ANY}::{ANY}; }};"
        if kind == FUNCTION:
            return f"template <class... A> {ANY}& {name}(A&&...);"
        if kind == VARIABLE_TEMPLATE:
            return f"template <class...> extern {ANY} {name};"
        return f"extern {ANY} {name};"


def learn(prelude: Prelude, diagnostics: list[tuple[str, int]], next_token: Callable[[int], tuple[str, int]],
          token_at: Callable[[int], str], namespaces: frozenset[str] = frozenset()) -> bool:
    """Declare what the diagnostics (message, offset in the file) say is missing.  True if the
    prelude changed (and the file should be parsed again).  `next_token(offset)`: the text and
    clang token kind of the token after the one at `offset`; `namespaces`: names the file uses as
    namespaces (`using namespace N;`, `N::M::x`)."""
    changed = False
    uses: dict[tuple[Scope, str], str] = {}

    def use(scope: Scope, name: str, kind: str) -> None:
        key = (scope, name)
        if key not in uses or _RANK[kind] > _RANK[uses[key]]:
            uses[key] = kind

    def by_context(offset: int, name: str) -> str:
        following, kind = next_token(offset)
        if kind == 2 or following in ("const", "volatile"):  # `Name variable`, `Name const&`
            return TYPE
        if following == "::":
            # A qualifier: a class (`Foo::bar`, `Foo::Foo()`), or a namespace when the file
            # says so (`using namespace N`, `N::M::x`).
            return NAMESPACE if name in namespaces else TYPE
        if following == "(" and prelude.cxx:
            return FUNCTION
        if following == "<" and prelude.cxx:
            return VARIABLE_TEMPLATE
        return VALUE

    for message, offset in diagnostics:
        if match := _UNDECLARED.match(message):
            name = match.group(1)
            kind = by_context(offset, name)
            if kind == FUNCTION and not prelude.cxx:
                continue
            use((), name, kind)
        elif match := _UNKNOWN_TYPE.match(message):
            use((), match.group(1), TYPE)
        elif match := _UNKNOWN_TEMPLATE.match(message):
            use((), match.group(1), TEMPLATE)
        elif match := _NO_MEMBER_GLOBAL.match(message):
            what, name = match.group(1), match.group(2)
            use((), name, {"type": TYPE, "template": TEMPLATE}.get(what) or by_context(offset, name))
        elif match := _NO_TEMPLATE.match(message):
            scope = tuple(match.group(2).split("::")) if match.group(2) else ()
            use(scope, match.group(1), TEMPLATE)
        elif match := _NO_MEMBER_NS.match(message):
            what, name, scope = match.group(1), match.group(2), tuple(match.group(3).split("::"))
            kind = {"type": TYPE, "template": TEMPLATE}.get(what) or by_context(offset, name)
            use(scope, name, kind)
        elif match := _NO_MEMBER.match(message):
            if prelude.cxx:
                changed |= prelude.member(match.group(2), TYPE if match.group(1) == "type" else VALUE)
        elif match := _NOT_A_SCOPE.match(message):
            use((), match.group(1), TYPE)
        elif message == "expected class name" or message.startswith("expected class name"):
            name = token_at(offset)
            if name.isidentifier():
                use((), name, TYPE)
        elif message.startswith("expected namespace name"):
            name = token_at(offset)
            if name.isidentifier():
                use((), name, NAMESPACE)
        elif match := _REDEFINED.match(message):
            if any(key[1] == match.group(1) for key in prelude.names) or match.group(1) in prelude.members:
                changed |= prelude.ban(match.group(1))
    for (scope, name), kind in uses.items():
        changed |= prelude.declare(scope, name, kind)
    return changed
