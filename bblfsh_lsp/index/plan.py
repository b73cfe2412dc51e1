"""Queries planned against node tables: the common XPath forms answered from a file's
`NodeTable` (driver_runtime/sdk/node_table.py) without building the XML view, with the answer
the full evaluator gives (``bblfsh_lsp.query.find``); and, for any query, the terms a file must
hold to possibly match, so that an index searches only the files that may.

What plans (T is a node type ``p:L``, ``p:*`` or, where the view makes it exact, an unprefixed
name or ``*``; f a field name or ``*``; P a predicate):

* paths made of ``//T``, ``/T``, ``A//T``, ``A/f/T``, ``A/f//T``, ``A//f/T``, ``//f/T``
  (``descendant::`` and ``/descendant-or-self::node()/`` are ``//``), each step with
  predicates, and unions of them;
* predicates: ``@a``, ``@a OP literal`` (any of = != < <= > >=, a string or a number, on either
  side), and/or/not()/boolean(), and relative paths of the same forms (``[f/T[P]]``, ``[.//T]``);
* ``count(...)``, ``boolean(...)`` and ``not(...)`` of such a path, at the top.

Anything else -- positions (``@start-offset``...), text(), other axes and functions, numeric
predicates, a step that ends on a field element -- has no plan: the full evaluator runs.

Why each form is exact (view.py is the spec): an object's element children are only field
elements (named by their keys) and a field's element children are only objects (nested arrays
make a table irregular, which never plans), so ``A/p:L`` is empty and ``A/f/T`` is T held by A's
field f.  Field and scalar elements are never attributed, so ``//*[P]`` is objects only when P
is false on an element without attributes.  A field element the table cannot see (an empty
list) is only ever passed through, never returned or tested.  Results are sets of nodes: the
matches are sorted and deduplicated as matches.find does, so document order never matters.

This module is on the command line's start-up path: it imports neither elementpath nor the
XML view, and parses the XPath subset itself.
"""

from __future__ import annotations

import math
import operator
import re
from array import array
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from bblfsh_lsp.index.terms import MAX_VALUE, TYPE_TERM, VALUE_TERM, file_terms
from bblfsh_lsp.query.matches import Match, Scalar
from driver_runtime.sdk.node_table import NONE, NodeTable

if TYPE_CHECKING:
    from bblfsh_lsp.positions import TextIndex

__all__ = ["Plan", "Requirement", "compile_plan", "file_terms", "plan_of", "requirements", "tree_shortcut"]

Requirement = list[frozenset[str]]
"""A file can match only if, for every set, its terms hold at least one of the set's terms."""

# An `or` of two requirements multiplies their sets; past this many, the rest are dropped
# (a shorter requirement is still a true one, only a weaker filter).
_MAX_ALTERNATIVES = 64

_POSITION_ATTRIBUTES = frozenset(f"{edge}-{what}" for edge in ("start", "end") for what in ("offset", "line", "col"))


class _Unsupported(Exception):
    """Not XPath 1.0 as this module reads it: no plan, no requirement."""


# ---------------------------------------------------------------------------------------------
# XPath 1.0: tokens and syntax tree (the whole language, so that requirements() reads any query)

_TOKEN = re.compile(r"""
    (?P<space>[ \t\r\n]+)
  | (?P<literal>"[^"]*"|'[^']*')
  | (?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)
  | (?P<name>[A-Za-z_][A-Za-z0-9_.\-]*(?::(?:[A-Za-z_][A-Za-z0-9_.\-]*|\*))?)
  | (?P<symbol>//|::|\.\.|!=|<=|>=|[/()\[\].@,|+\-=<>*$])
""", re.X)

_AXES = frozenset(("ancestor", "ancestor-or-self", "attribute", "child", "descendant", "descendant-or-self",
                   "following", "following-sibling", "namespace", "parent", "preceding", "preceding-sibling",
                   "self"))
_NODE_TYPES = frozenset(("node", "text", "comment", "processing-instruction"))
_OPERATOR_NAMES = frozenset(("and", "or", "mod", "div"))
_OPERATOR_SYMBOLS = frozenset(("/", "//", "|", "+", "-", "=", "!=", "<", "<=", ">", ">="))
# After these (or an operator), `*` is a name test and a name is a name; after anything else
# they are the multiplication and an operator name (XPath 1.0, 3.7).
_OPERAND_FOLLOWS = frozenset(("@", "::", "(", "[", ","))
_COMPARISONS = frozenset(("=", "!=", "<", "<=", ">", ">="))


class _Token(NamedTuple):
    kind: str  # literal number name star op symbol axis nodetype function
    text: str


def _tokens(text: str) -> list[_Token]:
    raw: list[tuple[str, str]] = []
    at = 0
    while at < len(text):
        found = _TOKEN.match(text, at)
        if found is None:
            raise _Unsupported(f"unexpected character at {at}")
        at = found.end()
        kind = found.lastgroup or ""
        if kind != "space":
            raw.append((kind, found.group()))
    tokens: list[_Token] = []
    for number, (kind, value) in enumerate(raw):
        previous = tokens[-1] if tokens else None
        operand_expected = previous is None or (
            previous.kind in ("op", "symbol") and (previous.text in _OPERAND_FOLLOWS or previous.kind == "op"))
        following = raw[number + 1][1] if number + 1 < len(raw) else ""
        if kind == "symbol" and value == "$":
            raise _Unsupported("variables")
        if kind == "symbol" and value in _OPERATOR_SYMBOLS:
            tokens.append(_Token("op", value))
        elif kind == "symbol" and value == "*":
            tokens.append(_Token("star" if operand_expected else "op", value))
        elif kind == "name" and not operand_expected:
            if value not in _OPERATOR_NAMES:
                raise _Unsupported(f"{value!r} where an operator belongs")
            tokens.append(_Token("op", value))
        elif kind == "name" and following == "::":
            tokens.append(_Token("axis", value))
        elif kind == "name" and following == "(":
            tokens.append(_Token("nodetype" if value in _NODE_TYPES else "function", value))
        else:
            tokens.append(_Token(kind, value))
    return tokens


class _NameTest(NamedTuple):
    prefix: str | None
    local: str | None  # None: *


class _KindTest(NamedTuple):
    kind: str  # node text comment processing-instruction


class _Step(NamedTuple):
    axis: str
    test: _NameTest | _KindTest
    predicates: tuple[Any, ...] = ()


class _Path(NamedTuple):
    """A location path; `head` is a filter expression it starts from (``(//a)[1]/b``)."""

    absolute: bool
    steps: tuple[_Step, ...]
    head: Any = None


class _Filter(NamedTuple):
    primary: Any
    predicates: tuple[Any, ...]


class _Literal(NamedTuple):
    value: str


class _Number(NamedTuple):
    value: float


class _Call(NamedTuple):
    name: str
    args: tuple[Any, ...]


class _Binary(NamedTuple):
    op: str
    left: Any
    right: Any


class _Negate(NamedTuple):
    operand: Any


_DESCENDANT_OR_SELF = _Step("descendant-or-self", _KindTest("node"))


class _Parser:
    """Recursive descent over XPath 1.0's grammar (its section 3), abbreviations expanded."""

    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self, offset: int = 0) -> _Token | None:
        at = self.at + offset
        return self.tokens[at] if at < len(self.tokens) else None

    def accept(self, kind: str, *texts: str) -> _Token | None:
        token = self.peek()
        if token is not None and token.kind == kind and (not texts or token.text in texts):
            self.at += 1
            return token
        return None

    def expect(self, kind: str, text: str) -> None:
        if self.accept(kind, text) is None:
            raise _Unsupported(f"expected {text!r}")

    def parse(self) -> Any:
        if not self.tokens:
            raise _Unsupported("empty")
        expr = self.binary(0)
        if self.peek() is not None:
            raise _Unsupported("unparsed tail")
        return expr

    _LEVELS: tuple[tuple[str, ...], ...] = (("or",), ("and",), ("=", "!="), ("<", "<=", ">", ">="), ("+", "-"),
                                            ("*", "div", "mod"))

    def binary(self, level: int) -> Any:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while (token := self.accept("op", *self._LEVELS[level])) is not None:
            left = _Binary(token.text, left, self.binary(level + 1))
        return left

    def unary(self) -> Any:
        if self.accept("op", "-") is not None:
            return _Negate(self.unary())
        left = self.path_expr()
        while self.accept("op", "|") is not None:
            left = _Binary("|", left, self.path_expr())
        return left

    def path_expr(self) -> Any:
        token = self.peek()
        if token is None:
            raise _Unsupported("unexpected end")
        if token.kind in ("literal", "number", "function") or (token.kind == "symbol" and token.text == "("):
            head = self.filter_expr()
            if self.accept("op", "/") is not None:
                return _Path(False, tuple(self.relative_path()), head)
            if self.accept("op", "//") is not None:
                return _Path(False, (_DESCENDANT_OR_SELF, *self.relative_path()), head)
            return head
        if self.accept("op", "/") is not None:
            return _Path(True, tuple(self.relative_path()) if self.step_follows() else ())
        if self.accept("op", "//") is not None:
            return _Path(True, (_DESCENDANT_OR_SELF, *self.relative_path()))
        return _Path(False, tuple(self.relative_path()))

    def step_follows(self) -> bool:
        token = self.peek()
        return token is not None and (token.kind in ("name", "star", "axis", "nodetype")
                                      or (token.kind == "symbol" and token.text in (".", "..", "@")))

    def filter_expr(self) -> Any:
        token = self.peek()
        assert token is not None
        self.at += 1
        if token.kind == "literal":
            primary: Any = _Literal(token.text[1:-1])
        elif token.kind == "number":
            primary = _Number(float(token.text))
        elif token.kind == "function":
            self.expect("symbol", "(")
            args: list[Any] = []
            if self.accept("symbol", ")") is None:
                args.append(self.binary(0))
                while self.accept("symbol", ",") is not None:
                    args.append(self.binary(0))
                self.expect("symbol", ")")
            primary = _Call(token.text, tuple(args))
        else:
            primary = self.binary(0)
            self.expect("symbol", ")")
        predicates = self.predicates()
        return _Filter(primary, predicates) if predicates else primary

    def predicates(self) -> tuple[Any, ...]:
        found = []
        while self.accept("symbol", "[") is not None:
            found.append(self.binary(0))
            self.expect("symbol", "]")
        return tuple(found)

    def relative_path(self) -> list[_Step]:
        steps = [self.step()]
        while True:
            if self.accept("op", "/") is not None:
                steps.append(self.step())
            elif self.accept("op", "//") is not None:
                steps += [_DESCENDANT_OR_SELF, self.step()]
            else:
                return steps

    def step(self) -> _Step:
        if self.accept("symbol", ".") is not None:
            return _Step("self", _KindTest("node"))
        if self.accept("symbol", "..") is not None:
            return _Step("parent", _KindTest("node"))
        axis = "child"
        if self.accept("symbol", "@") is not None:
            axis = "attribute"
        elif (token := self.accept("axis")) is not None:
            if token.text not in _AXES:
                raise _Unsupported(f"axis {token.text}")
            axis = token.text
            self.expect("symbol", "::")
        test = self.node_test()
        return _Step(axis, test, self.predicates())

    def node_test(self) -> _NameTest | _KindTest:
        if self.accept("star") is not None:
            return _NameTest(None, None)
        if (token := self.accept("name")) is not None:
            prefix, colon, local = token.text.partition(":")
            if not colon:
                return _NameTest(None, token.text)
            return _NameTest(prefix, None if local == "*" else local)
        if (token := self.accept("nodetype")) is not None:
            self.expect("symbol", "(")
            if token.text == "processing-instruction":
                self.accept("literal")
            self.expect("symbol", ")")
            return _KindTest(token.text)
        raise _Unsupported("expected a node test")


def _parse(text: str) -> Any:
    try:
        return _Parser(text).parse()
    except RecursionError:
        raise _Unsupported("nested too deeply") from None


# ---------------------------------------------------------------------------------------------
# Requirements: what a file's terms must hold for a query to match in it


def requirements(text: str) -> Requirement:
    """What a file must hold for the query to give it any match (conservative: when unsure,
    nothing).  A query whose result is a value (count(), a comparison...) gives one for every
    file, so it requires nothing."""
    try:
        return _node_set_requirement(_parse(text))
    except (_Unsupported, RecursionError):
        return []


def _node_set_requirement(expr: Any) -> Requirement:
    """What holds in a file where the node-set `expr` is not empty ([] for a non-node-set)."""
    if isinstance(expr, _Path):
        found = _node_set_requirement(expr.head) if expr.head is not None else []
        for step in expr.steps:
            test = step.test
            if isinstance(test, _NameTest) and test.prefix and test.local and step.axis not in ("attribute",
                                                                                              "namespace"):
                found.append(frozenset((TYPE_TERM + f"{test.prefix}:{test.local}",)))
            for predicate in step.predicates:
                found += _true_requirement(predicate)
        return found
    if isinstance(expr, _Filter):
        found = _node_set_requirement(expr.primary)
        for predicate in expr.predicates:
            found += _true_requirement(predicate)
        return found
    if isinstance(expr, _Binary) and expr.op == "|":
        return _either(_node_set_requirement(expr.left), _node_set_requirement(expr.right))
    return []


def _true_requirement(expr: Any) -> Requirement:
    """What holds in a file where the predicate `expr` is true for some node."""
    if isinstance(expr, _Binary):
        if expr.op == "and":
            return _true_requirement(expr.left) + _true_requirement(expr.right)
        if expr.op == "or":
            return _either(_true_requirement(expr.left), _true_requirement(expr.right))
        if expr.op in _COMPARISONS:
            return _comparison_requirement(expr)
    if isinstance(expr, _Call) and expr.name == "boolean" and len(expr.args) == 1:
        return _true_requirement(expr.args[0])
    return _node_set_requirement(expr)


def _comparison_requirement(expr: _Binary) -> Requirement:
    """A comparison of a node-set with a string or a number is existential: the node-set is not
    empty; and ``@a = 'v'``, ``text() = 'v'`` need an attribute whose value is v (every text
    node of the view is also an attribute's value)."""
    found: Requirement = []
    for side, other in ((expr.left, expr.right), (expr.right, expr.left)):
        if not isinstance(other, (_Literal, _Number)) or not isinstance(side, (_Path, _Filter, _Binary)):
            continue
        found += _node_set_requirement(side)
        if (expr.op == "=" and isinstance(other, _Literal) and len(other.value) <= MAX_VALUE
                and isinstance(side, _Path) and side.steps and _names_a_value(side.steps[-1])):
            found.append(frozenset((VALUE_TERM + other.value,)))
    return found


def _names_a_value(step: _Step) -> bool:
    test = step.test
    if step.axis == "attribute":
        return (isinstance(test, _NameTest) and test.prefix is None and test.local is not None
                and test.local not in _POSITION_ATTRIBUTES)
    return step.axis == "child" and test == _KindTest("text")


def _either(left: Requirement, right: Requirement) -> Requirement:
    """Either holds: each set of one joined with each of the other (CNF of an `or`)."""
    combined = []
    for a in left:
        for b in right:
            if len(combined) == _MAX_ALTERNATIVES:
                return combined
            combined.append(a | b)
    return combined


# ---------------------------------------------------------------------------------------------
# Plans: what a planned query is made of

# How an object step's nodes relate to the nodes before them (`f` the link's field; None: any).
_ALL = "//T"  # from the document: every node
_ROOTS = "/T"  # from the document: the roots
_IN_FIELD = "//f/T"  # from the document: held by a field f (any field: not a root)
_DESC = "A//T"  # strictly under a node before
_CHILD = "A/f/T"  # held by the field f of a node before
_CHILD_DESC = "A/f//T"  # in the subtree of what a node before holds in f
_DESC_CHILD = "A//f/T"  # held by a field f of a node in the subtree of a node before
_NOTHING = "A/T"  # an object's element children are fields: T a type selects nothing

# Object tests: a type, a prefix (p:*), an element name that is no type's (an unprefixed
# name: a type without a prefix, or "map" for an object without a type), any object.
_TYPE, _PREFIX, _NAMED, _ANY = "type", "prefix", "named", "any"

MAP_ELEMENT = "map"  # the view's name for an object without @type (view.MAP_ELEMENT)


class _Test(NamedTuple):
    kind: str
    text: str = ""

    @property
    def objects_only(self) -> bool:
        """Whether only objects pass (a field or scalar element never has a prefixed name)."""
        return self.kind in (_TYPE, _PREFIX)


class _Attribute(NamedTuple):
    """``@key`` (op None), or ``@key OP value``: a string for = and != with a string, else a number."""

    key: str
    op: str | None = None
    value: str | float | None = None


class _And(NamedTuple):
    left: Any
    right: Any


class _Or(NamedTuple):
    left: Any
    right: Any


class _Not(NamedTuple):
    operand: Any


class _Exists(NamedTuple):
    """A relative path in a predicate: true where it selects something."""

    hops: tuple[_Hop, ...]


class _Hop(NamedTuple):
    """One step to objects: how they relate to the nodes before, what they are, what holds of them."""

    link: str
    field: str | None
    test: _Test
    predicates: tuple[Any, ...] = ()


_Predicate = _Attribute | _And | _Or | _Not | _Exists


def compile_plan(text: str) -> Plan | None:
    """The plan of a query, or None when it is not a form a plan answers exactly.

    The query must already compile (compile_query: its prefixes bound, its syntax checked);
    the plan does not repeat those checks' messages."""
    try:
        tree = _parse(text)
        answer = _top(tree)
    except (_Unsupported, RecursionError):
        return None
    if answer is None:
        return None
    kind, paths = answer
    return Plan(text, kind, tuple(paths), requirements(text), _prefixes(tree))


def _top(expr: Any) -> tuple[str, list[tuple[_Hop, ...]]] | None:
    if isinstance(expr, _Call) and expr.name in ("count", "boolean", "not") and len(expr.args) == 1:
        paths = _node_set(expr.args[0])
        return None if paths is None else (expr.name, paths)
    paths = _node_set(expr)
    return None if paths is None else ("nodes", paths)


def _node_set(expr: Any) -> list[tuple[_Hop, ...]] | None:
    """A union of planned absolute paths (a relative one at the top is from the document)."""
    if isinstance(expr, _Binary) and expr.op == "|":
        left, right = _node_set(expr.left), _node_set(expr.right)
        return None if left is None or right is None else left + right
    if isinstance(expr, _Path) and expr.head is None:
        hops = _hops(expr.steps, from_document=True)
        return None if hops is None else [hops]
    return None


def _prefixes(expr: Any) -> frozenset[str]:
    """Every namespace prefix a query's name tests use."""
    found: set[str] = set()
    stack = [expr]
    while stack:
        item = stack.pop()
        if isinstance(item, _Step):
            if isinstance(item.test, _NameTest) and item.test.prefix:
                found.add(item.test.prefix)
            stack.extend(item.predicates)
        elif isinstance(item, _Path):
            stack.extend(item.steps)
            stack.append(item.head)
        elif isinstance(item, _Filter):
            stack.append(item.primary)
            stack.extend(item.predicates)
        elif isinstance(item, _Call):
            stack.extend(item.args)
        elif isinstance(item, _Binary):
            stack += [item.left, item.right]
        elif isinstance(item, _Negate):
            stack.append(item.operand)
    return frozenset(found)


def _object_test(test: _NameTest | _KindTest) -> _Test | None:
    if not isinstance(test, _NameTest):
        return None
    if test.prefix is None:
        return _Test(_ANY) if test.local is None else _Test(_NAMED, test.local)
    if test.local is None:
        return _Test(_PREFIX, test.prefix + ":")
    return _Test(_TYPE, f"{test.prefix}:{test.local}")


def _is_descendant_or_self_node(step: _Step) -> bool:
    return step.axis == "descendant-or-self" and step.test == _KindTest("node") and not step.predicates


def _is_self_node(step: _Step) -> bool:
    return step.axis == "self" and step.test == _KindTest("node") and not step.predicates


def _hops(steps: Sequence[_Step], from_document: bool) -> tuple[_Hop, ...] | None:
    """A location path as object steps, or None.  `descendant::T` is read as ``//T`` (the same
    nodes: predicates here never read positions)."""
    expanded: list[_Step] = []
    for step in steps:
        if step.axis == "descendant":
            expanded += [_DESCENDANT_OR_SELF, step._replace(axis="child")]
        else:
            expanded.append(step)
    at = 1 if expanded and _is_self_node(expanded[0]) else 0
    hops: list[_Hop] = []
    at_document = from_document
    while at < len(expanded):
        taken = _hop(expanded, at, at_document)
        if taken is None:
            return None
        hop, at = taken
        hops.append(hop)
        at_document = False
    return tuple(hops) if hops else None


def _step_at(steps: Sequence[_Step], at: int, axis: str = "child") -> _Step | None:
    step = steps[at] if at < len(steps) else None
    return step if step is not None and step.axis == axis else None


def _hop(steps: Sequence[_Step], at: int, at_document: bool) -> tuple[_Hop, int] | None:
    """The object step that starts at steps[at], and where the next one starts."""
    step = steps[at]
    if _is_descendant_or_self_node(step):
        target = _step_at(steps, at + 1)
        test = _object_test(target.test) if target is not None else None
        if target is None or test is None:
            return None
        link = _ALL if at_document else _DESC
        if test.objects_only:
            return _with_predicates(link, None, test, target.predicates, at + 2)
        if target.predicates:
            # //*[P], //name[P]: field and scalar elements have no attributes; if P is false on
            # them, only objects pass.
            return _with_predicates(link, None, test, target.predicates, at + 2, bare_false=True)
        # //f/T, A//f/T: T held by a field f (or any field for *); T must be objects only,
        # since an object named f would have field elements as children.
        after = _step_at(steps, at + 2)
        after_test = _object_test(after.test) if after is not None else None
        if after is None or after_test is None or not after_test.objects_only:
            return None
        field = test.text if test.kind == _NAMED else None
        if at_document:
            link = _IN_FIELD
        else:
            link = _DESC if field is None else _DESC_CHILD
        return _with_predicates(link, field, after_test, after.predicates, at + 3)
    if step.axis != "child":
        return None
    test = _object_test(step.test)
    if test is None:
        return None
    if at_document:  # the document's element children are the roots
        return _with_predicates(_ROOTS, None, test, step.predicates, at + 1)
    if test.objects_only:
        return _with_predicates(_NOTHING, None, test, step.predicates, at + 1)
    # A field element (by name, or any): never returned nor tested, only passed through.
    if step.predicates:
        return None
    field = test.text if test.kind == _NAMED else None
    after = steps[at + 1] if at + 1 < len(steps) else None
    if after is not None and _is_descendant_or_self_node(after):
        target = _step_at(steps, at + 2)
        target_test = _object_test(target.test) if target is not None else None
        if target is None or target_test is None or not target_test.objects_only:
            return None
        return _with_predicates(_DESC if field is None else _CHILD_DESC, field, target_test, target.predicates,
                                at + 3)
    if after is None or after.axis != "child":
        return None
    after_test = _object_test(after.test)  # a field's element children are objects only
    if after_test is None:
        return None
    return _with_predicates(_CHILD, field, after_test, after.predicates, at + 2)


def _with_predicates(link: str, field: str | None, test: _Test, predicates: Sequence[Any], next_at: int,
                     bare_false: bool = False) -> tuple[_Hop, int] | None:
    compiled = []
    for predicate in predicates:
        planned = _predicate(predicate)
        if planned is None:
            return None
        compiled.append(planned)
    if bare_false and not any(_on_bare(predicate) is False for predicate in compiled):
        return None
    return _Hop(link, field, test, tuple(compiled)), next_at


def _on_bare(predicate: _Predicate) -> bool | None:
    """The predicate on an element without attributes (a field's or a scalar's); None: unknown."""
    if isinstance(predicate, _Attribute):
        return False
    if isinstance(predicate, _Not):
        value = _on_bare(predicate.operand)
        return None if value is None else not value
    if isinstance(predicate, (_And, _Or)):
        left, right = _on_bare(predicate.left), _on_bare(predicate.right)
        if isinstance(predicate, _And):
            return False if False in (left, right) else (None if None in (left, right) else True)
        return True if True in (left, right) else (None if None in (left, right) else False)
    return None


def _predicate(expr: Any) -> _Predicate | None:
    """A predicate that is a boolean of the forms planned (never a number: no positions)."""
    if isinstance(expr, _Binary):
        if expr.op in ("and", "or"):
            left, right = _predicate(expr.left), _predicate(expr.right)
            if left is None or right is None:
                return None
            return _And(left, right) if expr.op == "and" else _Or(left, right)
        if expr.op in _COMPARISONS:
            return _comparison(expr)
        if expr.op == "|" and _is_node_set(expr):  # a union is not empty where either side is not
            left, right = _predicate(expr.left), _predicate(expr.right)
            return None if left is None or right is None else _Or(left, right)
        return None
    if isinstance(expr, _Call) and len(expr.args) == 1 and expr.name in ("not", "boolean"):
        operand = _predicate(expr.args[0])
        if operand is None:
            return None
        return _Not(operand) if expr.name == "not" else operand
    if isinstance(expr, _Path) and expr.head is None and not expr.absolute:
        key = _attribute_name(expr)
        if key is not None:
            return _Attribute(key)
        hops = _hops(expr.steps, from_document=False)
        return None if hops is None else _Exists(hops)
    return None


def _is_node_set(expr: Any) -> bool:
    if isinstance(expr, _Binary) and expr.op == "|":
        return _is_node_set(expr.left) and _is_node_set(expr.right)
    return isinstance(expr, _Path) and expr.head is None and not expr.absolute


def _attribute_name(expr: Any) -> str | None:
    """The name of ``@name`` (a relative path of that one step), if not a position's."""
    if not isinstance(expr, _Path) or expr.head is not None or expr.absolute or len(expr.steps) != 1:
        return None
    step = expr.steps[0]
    test = step.test
    if (step.axis != "attribute" or step.predicates or not isinstance(test, _NameTest) or test.prefix is not None
            or test.local is None or test.local in _POSITION_ATTRIBUTES):
        return None
    return test.local


_FLIPPED = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _comparison(expr: _Binary) -> _Attribute | None:
    """``@a OP literal`` or ``literal OP @a``, as XPath 1.0 compares (3.4): a string with = or
    != as strings, anything else as numbers."""
    op = expr.op
    key = _attribute_name(expr.left)
    other = expr.right
    if key is None:
        key, other, op = _attribute_name(expr.right), expr.left, _FLIPPED[op]
    if key is None:
        return None
    if isinstance(other, _Literal):
        if op in ("=", "!="):
            return _Attribute(key, op, other.value)
        return _Attribute(key, op, _xpath_number(other.value))
    if isinstance(other, _Number):
        return _Attribute(key, op, other.value)
    return None


_NUMBER = re.compile(r"\s*(-?(?:\d+(?:\.\d*)?|\.\d+))\s*\Z")  # view.xpath_number's


def _xpath_number(text: str) -> float:
    """XPath 1.0's number() of a string, as view.xpath_number reads it: not a plain decimal is NaN."""
    match = _NUMBER.match(text)
    return float(match.group(1)) if match else math.nan


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


# ---------------------------------------------------------------------------------------------
# Running a plan on one table


class Plan:
    """A query answered from node tables: `run` on each file's table."""

    __slots__ = ("text", "kind", "paths", "requires", "prefixes")

    def __init__(self, text: str, kind: str, paths: tuple[tuple[_Hop, ...], ...], requires: Requirement,
                 prefixes: frozenset[str]):
        self.text = text
        self.kind = kind  # nodes, count, boolean or not
        self.paths = paths
        self.requires = requires
        self.prefixes = prefixes  # the namespace prefixes it names (to check they are bound)

    def __repr__(self) -> str:
        return f"Plan({self.text!r})"

    def run(self, table: NodeTable) -> tuple[list[Match], Scalar | None] | None:
        """The query's matches in the table's file (sorted and deduplicated as matches.find
        gives them) and its value (count, boolean; None for a node-set); None when the table is
        one the plan cannot answer for (irregular)."""
        if table.irregular:
            return None
        run = _Run(table)
        found: set[int] = set()
        for hops in self.paths:
            found.update(run.path(hops))
        if self.kind == "count":
            return [], len(found)
        if self.kind == "boolean":
            return [], bool(found)
        if self.kind == "not":
            return [], not found
        return _matches(table, found), None


def _matches(table: NodeTable, nodes: Iterable[int]) -> list[Match]:
    """As matches.find: a node without any position is at 0, 0; spans are cut to the source's
    size; equal matches once; sorted by start, longest first, type, label.  Rows hold string
    numbers until they are unique (a table's strings are distinct: equal numbers are equal
    texts), then each number is read once."""
    starts, ends, types, labels, size = table.starts, table.ends, table.types, table.labels, table.size
    rows = set()
    for node in nodes:
        start = starts[node]
        if start == NONE:
            rows.add((0, 0, types[node], labels[node]))
        else:
            rows.add((min(start, size), min(ends[node], size), types[node], labels[node]))
    if not rows:
        return []
    strings = table.strings
    text = {number: strings[number] for number in {row[2] for row in rows} | {row[3] for row in rows}}
    named = sorted((start, -end, text[kind], text[label]) for start, end, kind, label in rows)
    return [Match(start, -end, kind, label) for start, end, kind, label in named]


def _where(column: array[int], value: int) -> list[int]:
    """The positions of a value in a column, in order.  A rare value is found by searching the
    column's bytes (C's search, several times faster than array.index, which compares Python
    ints); past one node in 16 a comprehension is cheaper than a search per hit."""
    data = column.tobytes()
    pattern = array("i", (value,)).tobytes()
    limit = len(column) >> 4
    found: list[int] = []
    at = data.find(pattern)
    while at >= 0:
        if at & 3:  # the pattern across two items
            at = data.find(pattern, at + 1)
            continue
        found.append(at >> 2)
        if len(found) > limit:
            return [at for at, item in enumerate(column) if item == value]
        at = data.find(pattern, at + 4)
    return found


def _always(value: int) -> bool:
    return True


class _Run:
    """One plan's run on one table: what was worked out on it.  A table read from bytes
    unpacks a column when it is first read, so each step reads only the columns it needs."""

    __slots__ = ("table", "strings", "_tests", "_sets", "_numbers")

    def __init__(self, table: NodeTable):
        self.table = table
        self.strings = table.strings
        self._tests: dict[tuple[str, str], list[int] | frozenset[int] | None] = {}
        self._sets: dict[int, set[int]] = {}  # by id() of a predicate: the nodes it holds for
        self._numbers: dict[int, float] = {}

    def name_number(self, text: str | None) -> int:
        """A type's, field's or attribute key's number (NONE: the table has no such name): the
        table's strings hold names first, and the rest need not be read for one."""
        if text is None:
            return NONE
        try:
            return self.strings.index(text, 0, self.strings.names)
        except ValueError:
            return NONE

    def number(self, text: str | None) -> int:
        """A string's number in the table (NONE: the table has no such string).  A plan looks up
        a few strings per table: a scan in C beats making the table's dict of them."""
        if text is None:
            return NONE
        try:
            return self.strings.index(text)
        except ValueError:
            return NONE

    # -- tests ------------------------------------------------------------------------------

    def type_numbers(self, test: _Test) -> frozenset[int] | None:
        """The type numbers an object test accepts (None: all)."""
        key = ("numbers", test.kind + ":" + test.text)
        try:
            return self._tests[key]  # type: ignore[return-value]
        except KeyError:
            pass
        numbers: frozenset[int] | None
        if test.kind == _ANY:
            numbers = None
        elif test.kind == _TYPE:
            numbers = frozenset((self.name_number(test.text),)) - {NONE}
        elif test.kind == _PREFIX:
            strings = self.strings
            numbers = frozenset(number for number in set(self.table.types) if strings[number].startswith(test.text))
        else:
            numbers = frozenset((self.name_number(test.text),)) - {NONE}
            if test.text == MAP_ELEMENT:
                numbers |= {0}  # string 0 is "": an object without @type
        self._tests[key] = numbers
        return numbers

    def candidates(self, test: _Test) -> list[int]:
        """Every node the test accepts, in order."""
        key = ("nodes", test.kind + ":" + test.text)
        try:
            return self._tests[key]  # type: ignore[return-value]
        except KeyError:
            pass
        numbers = self.type_numbers(test)
        types = self.table.types
        if numbers is None:
            nodes = list(range(len(types)))
        elif len(numbers) == 1:
            nodes = _where(types, next(iter(numbers)))
        elif numbers:
            nodes = [node for node, number in enumerate(types) if number in numbers]
        else:
            nodes = []
        self._tests[key] = nodes
        return nodes

    def accept(self, test: _Test, nodes: Iterable[int]) -> list[int]:
        numbers = self.type_numbers(test)
        if numbers is None:
            return list(nodes)
        types = self.table.types
        return [node for node in nodes if types[node] in numbers]

    # -- paths ------------------------------------------------------------------------------

    def path(self, hops: tuple[_Hop, ...]) -> list[int]:
        """An absolute path's nodes, hop by hop from the document."""
        before: list[int] = []
        for number, hop in enumerate(hops):
            if hop.link == _NOTHING:
                return []
            seed = self.seed(hop)
            nodes = self.forward(hop, before, seed)
            nodes = self.holding(hop.predicates, nodes)
            if not nodes:
                return []
            before = nodes
        return before

    def seed(self, hop: _Hop) -> list[int]:
        """The hop's candidates: those of its test among the nodes its predicates need, when
        they say (a rare attribute value, a path's contexts: far fewer than the test's
        nodes, found without scanning the types column), else every node of its test."""
        numbers = self.type_numbers(hop.test)
        if numbers is not None and not numbers:
            return []
        for predicate in hop.predicates:
            needed = self.needed(predicate)
            if needed is not None:
                return self.accept(hop.test, needed)
        return self.candidates(hop.test)

    def needed(self, predicate: _Predicate) -> set[int] | None:
        """Nodes out of which every node the predicate holds for comes (None: any node)."""
        if isinstance(predicate, _Attribute):
            return self.attribute(predicate)
        if isinstance(predicate, _Exists):
            return self.contexts(predicate)
        if isinstance(predicate, _And):
            left = self.needed(predicate.left)
            return left if left is not None else self.needed(predicate.right)
        if isinstance(predicate, _Or):
            left = self.needed(predicate.left)
            right = self.needed(predicate.right) if left is not None else None
            return None if left is None or right is None else left | right
        return None

    def forward(self, hop: _Hop, before: list[int], nodes: list[int]) -> list[int]:
        """The candidates linked as the hop says to the nodes before it (or the document)."""
        link = hop.link
        if link == _ALL:
            return nodes
        if link == _DESC:
            covered = self.cover(before, inclusive=False)
            return [node for node in nodes if covered[node]]
        table = self.table
        field = self.name_number(hop.field)
        if hop.field is not None and field == NONE:
            return []
        if link == _IN_FIELD and hop.field is not None:
            fields = table.fields
            return [node for node in nodes if fields[node] == field]
        parents = table.parents
        if link == _ROOTS:
            return [node for node in nodes if parents[node] == NONE]
        if link == _IN_FIELD:
            return [node for node in nodes if parents[node] != NONE]
        fields = table.fields
        previous = set(before)
        if link == _CHILD:
            if hop.field is None:
                return [node for node in nodes if parents[node] in previous]
            return [node for node in nodes if fields[node] == field and parents[node] in previous]
        if link == _CHILD_DESC:
            heads = [node for node in _where(fields, field) if parents[node] in previous]
            covered = self.cover(heads, inclusive=True)
            return [node for node in nodes if covered[node]]
        if link == _DESC_CHILD:
            covered = self.cover(before, inclusive=True)
            return [node for node in nodes if fields[node] == field and covered[parents[node]]]
        raise AssertionError(link)

    def cover(self, nodes: Iterable[int], inclusive: bool) -> bytearray:
        """1 for every node in the subtrees of `nodes` (themselves too if inclusive)."""
        lasts = self.table.lasts
        covered = bytearray(len(lasts))
        reach = 0  # the nodes before it are covered where they need to be
        for node in sorted(nodes):
            if node < reach:
                continue  # inside a subtree already covered
            low, high = (node if inclusive else node + 1), lasts[node] + 1
            if high > low:
                covered[low:high] = b"\x01" * (high - low)
            reach = high
        return covered

    def backward(self, hop: _Hop, nodes: Iterable[int]) -> set[int]:
        """The nodes from which the hop reaches any of `nodes` (the inverse of `forward`)."""
        link = hop.link
        found: set[int] = set()
        if link == _NOTHING:
            return found
        parents, fields = self.table.parents, self.table.fields
        if link == _DESC:
            for node in nodes:
                parent = parents[node]
                while parent != NONE and parent not in found:
                    found.add(parent)
                    parent = parents[parent]
            return found
        field = self.name_number(hop.field)
        if hop.field is not None and field == NONE:
            return found
        if link == _CHILD:
            if hop.field is None:
                return {parents[node] for node in nodes if parents[node] != NONE}
            return {parents[node] for node in nodes if fields[node] == field}
        if link == _CHILD_DESC:
            seen: set[int] = set()
            for node in nodes:
                while node != NONE and node not in seen:
                    seen.add(node)
                    if fields[node] == field:
                        found.add(parents[node])
                    node = parents[node]
            return found
        if link == _DESC_CHILD:
            for node in nodes:
                if fields[node] != field:
                    continue
                parent = parents[node]
                while parent != NONE and parent not in found:
                    found.add(parent)
                    parent = parents[parent]
            return found
        raise AssertionError(link)

    # -- predicates -------------------------------------------------------------------------

    def holding(self, predicates: Sequence[_Predicate], nodes: list[int]) -> list[int]:
        for predicate in predicates:
            if not nodes:
                break
            nodes = self.filter(predicate, nodes)
        return nodes

    def filter(self, predicate: _Predicate, nodes: list[int]) -> list[int]:
        """The nodes the predicate holds for."""
        if isinstance(predicate, _Attribute):
            holds = self.attribute(predicate)
            return [node for node in nodes if node in holds]
        if isinstance(predicate, _Exists):
            holds = self.contexts(predicate)
            return [node for node in nodes if node in holds]
        if isinstance(predicate, _And):
            return self.filter(predicate.right, self.filter(predicate.left, nodes))
        if isinstance(predicate, _Or):
            left = self.filter(predicate.left, nodes)
            chosen = set(left)
            rest = [node for node in nodes if node not in chosen]
            return left + self.filter(predicate.right, rest) if rest else left
        chosen = set(self.filter(predicate.operand, nodes))
        return [node for node in nodes if node not in chosen]

    def attribute(self, predicate: _Attribute) -> set[int]:
        """The nodes with an attribute `key` whose value compares as asked: the attribute
        columns scanned once."""
        try:
            return self._sets[id(predicate)]
        except KeyError:
            pass
        found: set[int] = set()
        check = self.check(predicate)
        if check is not None:
            key, holds = check
            table = self.table
            if predicate.op == "=" and isinstance(predicate.value, str):
                keys = table.attr_keys  # the value is rarer than the key: searched first
                places = [at for at in _where(table.attr_values, self.number(predicate.value)) if keys[at] == key]
            elif predicate.op is None:
                places = _where(table.attr_keys, key)
            else:
                values = table.attr_values
                places = [at for at in _where(table.attr_keys, key) if holds(values[at])]
            if places:
                owners = table.attr_nodes  # the costliest column to unpack: read only when needed
                found = {owners[at] for at in places}
        self._sets[id(predicate)] = found
        return found

    def check(self, predicate: _Attribute) -> tuple[int, Callable[[int], bool]] | None:
        """The attribute's key number and a test of a value's number; None if none can hold."""
        key = self.name_number(predicate.key)
        if key == NONE:
            return None
        op, wanted = predicate.op, predicate.value
        if op is None:
            return key, _always
        if isinstance(wanted, str):
            value = self.number(wanted)
            if op == "=":
                return None if value == NONE else (key, value.__eq__)
            return key, value.__ne__
        compare, number, numeric = _OPERATORS[op], float(wanted), self.numeric  # type: ignore[arg-type]
        return key, lambda value: compare(numeric(value), number)

    def numeric(self, string: int) -> float:
        try:
            return self._numbers[string]
        except KeyError:
            number = self._numbers[string] = _xpath_number(self.strings[string])
            return number

    def contexts(self, predicate: _Exists) -> set[int]:
        """The nodes from which a relative path selects something: its last hop's nodes, then
        back hop by hop (each hop's test and predicates on the nodes that reach the next)."""
        try:
            return self._sets[id(predicate)]
        except KeyError:
            pass
        hops = predicate.hops
        if any(hop.link == _NOTHING for hop in hops):
            found: set[int] = set()
        else:
            last = hops[-1]
            nodes = self.holding(last.predicates, self.seed(last))
            for number in range(len(hops) - 1, 0, -1):
                reaching = self.backward(hops[number], nodes)
                previous = hops[number - 1]
                nodes = self.holding(previous.predicates, self.accept(previous.test, reaching))
            found = self.backward(hops[0], nodes)
        self._sets[id(predicate)] = found
        return found


def tree_shortcut(plan: Plan) -> Callable[[Any, TextIndex], tuple[list[Match], Scalar | None] | None]:
    """The plan as a search's shortcut on a parsed tree: its node table built, the plan run on
    it (None where the plan cannot answer: the evaluator does)."""
    from driver_runtime.sdk.node_table import build

    def answer(tree: Any, index: TextIndex) -> tuple[list[Match], Scalar | None] | None:
        return plan.run(build(tree, index.lines.starts, len(index.data)))

    return answer


def plan_of(text: str, prefixes: Iterable[str]) -> Plan | None:
    """The plan for a query, if it has one whose every prefix is `uast` or one of `prefixes`
    (the languages): the query is then valid, as the evaluator would compile it."""
    plan = compile_plan(text)
    return plan if plan is not None and plan.prefixes <= {"uast", *prefixes} else None
