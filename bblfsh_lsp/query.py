"""Structural search: XPath 1.0 over a UAST, in Babelfish's form.

A query is compiled once (:func:`compile_query`) and run on any number of trees
(:meth:`Query.run`).  The tree is seen as an XML document the way Babelfish's SDK shows it
(``uast/query/xpath``):

* an object with ``"@type": "prefix:Local"`` is an element ``prefix:Local`` (a type without a
  colon is an element without a namespace).  **An object without ``@type``** (a plain map,
  e.g. the Python driver's ``{"async": ..., "decorators": [...]}`` in a function group) is an
  element named ``map``, without a namespace -- the name XPath 3.1's JSON mapping gives a JSON
  object.  Babelfish itself gives such objects an empty name, which no name test can select;
* every scalar field is an attribute (``//uast:Identifier[@Name='foo']``) **and** a child
  element whose text is the value (``//uast:Identifier/Name[text()='foo']/..``).  Booleans
  read ``true``/``false``, null reads as the empty string, integral numbers without a
  fraction ("3", not "3.0");
* an array of scalars is one attribute per item, all with the field's name, and one child
  element holding one text node per item.  ``@role`` is such an array: a node with the roles
  Declaration and Function has two ``role`` attributes, and ``@role='Function' and
  @role='Declaration'`` matches it (XPath's comparison of a node-set is existential);
* a field holding an object or an array of objects is a child element named by the field that
  holds the element(s) of its value(s) (an array nested in an array becomes one more element
  with the field's name);
* ``@token`` is the element's first text node (``//python:Name[text()='x']``) and an
  attribute ``token``.  A token that is itself an object (rare) is a child element ``token``
  holding that object's element instead;
* positions are the attributes ``start-offset``, ``start-line``, ``start-col``,
  ``end-offset``, ``end-line``, ``end-col`` (lines and columns 1-based, columns in bytes),
  present when the node has that position.

Element order is the order of the fields in the node, so document order is the UAST's order,
which is not always the source's (a function's body may come before its arguments).  Empty
strings make no text node.  ``@type``, ``@role``, ``@token`` and ``@pos`` are never child
elements.  A tree that is a list of objects is a document with several root elements.

Namespace prefixes: ``uast`` and every Babelfish language name (python, go, ...) are always
bound, so ``//go:File`` on a Python tree is simply empty.  Other prefixes found in a tree are
bound for that tree (``name()`` reports them), and a query may use them if it is compiled
with ``compile_query(text, prefixes=[...])``.  Any other prefix in a query is an error.

What a run returns (:class:`QueryResult`): for a node-set, the UAST objects (the original
dicts) the selected XPath nodes belong to, in document order, each once:

* an object's element -> that object;
* a field element (``//uast:Identifier/Name``, ``//python:If/body``) -> the object that owns
  the field;
* an attribute (``//uast:Identifier/@Name``) -> the object it is an attribute of;
* a text node -> the object of the element it is in (so ``//Name/text()`` gives the
  identifiers);
* the document node (``/``) -> the tree's root object (nothing for a list of roots).

Any other result (``count(...)``, a boolean, a string, a number) is :attr:`QueryResult.value`.

How it runs: the view (:class:`QueryTree`) is built in one pass straight from the dicts as
elementpath node objects (no XML, no etree), with an index of elements by name; attribute
nodes are made only when elementpath asks an element for them.  Evaluation is elementpath's
XPath 1.0 parser with a few operators replaced:

* comparisons follow XPath 1.0 (section 3.4): elementpath compares an attribute's string with
  a number as strings (``@start-col=3`` never matched) and raises on ``@Name < 3``;
* in predicates, comparisons, ``and``/``or``/``not()`` and ``@name`` are evaluated directly,
  reading ``@name`` from the dict;
* ``//step[predicates]`` at the start of a path, where the predicates are such boolean
  expressions and read neither position() nor last(), takes the elements named ``step`` from
  the index.  ``//step`` is descendant-or-self::node()/child::step, which is exactly every
  element named ``step``; positional predicates (``//x[1]``) keep elementpath's evaluation.
"""

from __future__ import annotations

import gc
import math
import operator
import re
from collections.abc import Iterable, Iterator
from copy import copy
from decimal import Decimal
from typing import Any

import attrs
from elementpath import XPath1Parser, XPathContext
from elementpath.datatypes import UntypedAtomic
from elementpath.exceptions import ElementPathError
from elementpath.xpath_nodes import (
    DocumentNode,
    ElementNode,
    NamespaceNode,
    TextAttributeNode,
    TextNode,
    XPathNode,
    XPathNodeTree,
)
from elementpath.xpath_tokens import XPathAxis

from driver_runtime.languages import LANGUAGES
from driver_runtime.uast import POS, ROLE, TOKEN, TYPE, LineStarts

__all__ = [
    "NAMESPACE_BASE",
    "MAP_ELEMENT",
    "Query",
    "QueryError",
    "QueryResult",
    "QueryTimeout",
    "QueryTree",
    "STATIC_PREFIXES",
    "Scalar",
    "compile_query",
    "label",
    "run_query",
]

Node = dict[str, Any]
Scalar = str | int | float | bool

NAMESPACE_BASE = "urn:bblfsh:"
"""A prefix ``p`` is bound to the namespace URI ``urn:bblfsh:p`` (what namespace-uri() says)."""

MAP_ELEMENT = "map"
"""The element name of an object without ``@type``."""

TOKEN_ELEMENT = "token"
ROLE_ATTRIBUTE = "role"
TOKEN_ATTRIBUTE = "token"

STATIC_PREFIXES: tuple[str, ...] = ("uast", *(language.name for language in LANGUAGES))
"""Prefixes every query may use, whatever the tree."""

_SYSTEM_KEYS = frozenset((TYPE, ROLE, TOKEN, POS))


class QueryError(ValueError):
    """An invalid or unsupported query, or one that failed on a tree."""


class QueryTimeout(QueryError):
    """A valid query that ran longer than its time limit and was stopped."""


# ---------------------------------------------------------------------------------------------
# Scalars as XPath strings and numbers


def _text(value: Any) -> str:
    """A scalar as Babelfish shows it: true/false, null as "", 3.0 as "3"."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    return str(value)


_NUMBER = re.compile(r"\s*(-?(?:\d+(?:\.\d*)?|\.\d+))\s*\Z")


def _number(value: Any) -> float:
    """XPath 1.0's number(): a string that is not a plain decimal number is NaN."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    match = _NUMBER.match(str(value))
    return float(match.group(1)) if match else math.nan


# ---------------------------------------------------------------------------------------------
# The XML view of a UAST: elementpath node classes built straight from the dicts


class _Tree(XPathNodeTree):
    """What the nodes of one view share: the line starts, and its elements in document order,
    all of them and by name (for ``//name`` steps)."""

    __slots__ = ("lines", "elements_in_order", "by_name")

    lines: LineStarts
    elements_in_order: list[_Element]
    by_name: dict[str, list[_Element]]


class _Element(ElementNode):
    """An element: an object of the UAST (``uast`` is that dict) or a field of one (None).

    ``value`` is the element itself: elementpath hashes it to drop duplicates.
    """

    __slots__ = ("uast",)

    # Never typed by a schema: read as class attributes, never stored.
    xsd_type = None
    xsd_element = None
    _nsmap = None

    uast: Node | None

    @property
    def value(self) -> _Element:  # type: ignore[override]
        return self

    @property
    def owner(self) -> _Element | None:
        """The element of the object this element is, or whose field it is."""
        element: Any = self
        while isinstance(element, _Element):
            if element.uast is not None:
                return element
            element = element.parent
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} at {self.position}>"

    @property
    def nsmap(self) -> dict[str, str]:  # type: ignore[override]
        return self.tree.namespaces

    @property
    def namespace_nodes(self) -> list[NamespaceNode]:
        try:
            return self._namespace_nodes
        except AttributeError:
            pass
        items = [("xml", "http://www.w3.org/XML/1998/namespace"), *self.nsmap.items()]
        step = 0.5 / (len(items) + 1)
        self._namespace_nodes = [
            NamespaceNode(prefix, uri, self, self.position + step * (i + 1))
            for i, (prefix, uri) in enumerate(items)
        ]
        return self._namespace_nodes

    @property
    def attributes(self) -> list[TextAttributeNode]:  # type: ignore[override]
        try:
            return self._attributes  # type: ignore[return-value]
        except AttributeError:
            pass
        node = self.uast
        pairs = _attribute_pairs(node, self.tree.lines) if node is not None else []
        base = self.position + 0.5
        step = 0.5 / (len(pairs) + 1)
        self._attributes = [
            TextAttributeNode(name, value, self, base + step * (i + 1))  # type: ignore[arg-type]
            for i, (name, value) in enumerate(pairs)
        ]
        return self._attributes  # type: ignore[return-value]

    @property
    def string_value(self) -> str:
        parts: list[str] = []
        stack: list[Iterator[Any]] = [iter(self.children)]
        while stack:
            for child in stack[-1]:
                if isinstance(child, TextNode):
                    parts.append(child.value)
                elif child.children:
                    stack.append(iter(child.children))
                    break
            else:
                stack.pop()
        return "".join(parts)

    compat_string_value = string_value

    @property
    def iter_typed_values(self) -> Iterator[UntypedAtomic]:
        yield UntypedAtomic(self.string_value)

    @property
    def typed_value(self) -> UntypedAtomic:
        return UntypedAtomic(self.string_value)


class _Document(DocumentNode):
    __slots__ = ()

    @property
    def value(self) -> _Document:  # type: ignore[override]
        return self

    def __repr__(self) -> str:
        return "<QueryTree document>"

    @property
    def string_value(self) -> str:
        return "".join(child.string_value for child in self.children)

    compat_string_value = string_value

    @property
    def is_extended(self) -> bool:
        return len(self.children) != 1


def _attribute_pairs(node: Node, lines: LineStarts) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    roles = node.get(ROLE)
    if roles:
        if isinstance(roles, list):
            pairs.extend((ROLE_ATTRIBUTE, _text(role)) for role in roles)
        else:
            pairs.append((ROLE_ATTRIBUTE, _text(roles)))
    if TOKEN in node:
        token = node[TOKEN]
        if not isinstance(token, (dict, list)):
            pairs.append((TOKEN_ATTRIBUTE, _text(token)))
    pos = node.get(POS)
    if pos:
        for edge in ("start", "end"):
            offset = pos.get(edge)
            if isinstance(offset, int):
                line, col = lines.line_col(offset)
                pairs.append((f"{edge}-offset", str(offset)))
                pairs.append((f"{edge}-line", str(line)))
                pairs.append((f"{edge}-col", str(col)))
    for key, value in node.items():
        if key in _SYSTEM_KEYS:
            continue
        if isinstance(value, list):
            pairs.extend((key, _text(item)) for item in value if not isinstance(item, (dict, list)))
        elif not isinstance(value, dict):
            pairs.append((key, _text(value)))
    return pairs


_ELEMENT_NAMES: dict[str, tuple[str, str | None]] = {}
_STATIC_NAMESPACES = {prefix: NAMESPACE_BASE + prefix for prefix in STATIC_PREFIXES}


def _element_name(node_type: Any) -> tuple[str, str | None]:
    """An object's element name in Clark notation, and its prefix if not always bound."""
    try:
        return _ELEMENT_NAMES[node_type]
    except (KeyError, TypeError):
        pass
    if not isinstance(node_type, str) or not node_type:
        result: tuple[str, str | None] = (MAP_ELEMENT, None)
    else:
        prefix, colon, local = node_type.partition(":")
        if not colon or not prefix:
            result = (node_type, None)
        else:
            name = "{" + NAMESPACE_BASE + prefix + "}" + local
            result = (name, None if prefix in _STATIC_NAMESPACES else prefix)
    if isinstance(node_type, str) and len(_ELEMENT_NAMES) < 100_000:
        _ELEMENT_NAMES[node_type] = result
    return result


class QueryTree:
    """The XPath view of one UAST; build it once to run several queries on the same tree.

    ``lines`` must be the line starts of the UTF-8 source the tree's offsets point into.
    The view refers to the tree's dicts: don't change the tree while the view is in use.
    A view is a web of parent/child references; :meth:`close` (or ``with``) frees it at once
    rather than at the garbage collector's next full pass.
    """

    __slots__ = ("tree", "lines", "_document")

    def __init__(self, tree: Node | list[Any], lines: LineStarts):
        self.tree = tree
        self.lines = lines
        self._document: _Document | None = _build(tree, lines)

    @property
    def document(self) -> _Document:
        if self._document is None:
            raise ValueError("the query tree is closed")
        return self._document

    @property
    def prefixes(self) -> frozenset[str]:
        """Every namespace prefix bound for this tree."""
        return frozenset(self.document.tree.namespaces)

    def close(self) -> None:
        """Break the view's reference cycles so that it is freed now."""
        document, self._document = self._document, None
        if document is None:
            return
        view = document.tree
        elements, view.elements_in_order, view.by_name = view.elements_in_order, [], {}
        view.root_node = None  # type: ignore[assignment]
        document.children = []
        for element in elements:
            del element.children
            element._attributes = None  # type: ignore[assignment]
            element._namespace_nodes = None  # type: ignore[assignment]
        elements.clear()

    def __enter__(self) -> QueryTree:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _build(tree: Node | list[Any], lines: LineStarts) -> _Document:
    """The view of a tree; the collector is paused meanwhile (it would scan the young view
    again and again while it grows, and find no garbage)."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _build_nodes(tree, lines)
    finally:
        if paused:
            gc.enable()


def _build_nodes(tree: Node | list[Any], lines: LineStarts) -> _Document:
    """Every element and text node of the view, with document-order positions.

    Iterative (UASTs can be deep): one task per element or text node, pushed in reverse so
    that they pop in document order.  A task is (kind, value, parent element, field name);
    kinds: 0 an object, 1 a field (or an array nested in an array), 2 a scalar in an array.
    """
    document = object.__new__(_Document)
    document.name = None
    document.parent = None
    document.position = 1
    document.children = []
    namespaces = dict(_STATIC_NAMESPACES)
    view = _Tree(document, namespaces=namespaces)
    view.lines = lines
    in_order: list[_Element] = []
    by_name: dict[str, list[_Element]] = {}
    view.elements_in_order = in_order
    view.by_name = by_name
    document.tree = view
    add = in_order.append

    new = object.__new__
    Element = _Element
    Text = TextNode
    names = _ELEMENT_NAMES
    element_name = _element_name
    system = _SYSTEM_KEYS
    text = _text

    stack: list[tuple[int, Any, Any, str]] = []
    push = stack.append
    pop = stack.pop
    if isinstance(tree, list):
        for item in reversed(tree):
            if isinstance(item, dict):
                push((0, item, document, ""))
    elif isinstance(tree, dict):
        push((0, tree, document, ""))
    else:
        raise TypeError(f"a UAST is a dict or a list, not {type(tree).__name__}")

    position = 2
    while stack:
        kind, value, parent, field = pop()
        if kind == 0:
            element = new(Element)
            node_type = value.get(TYPE)
            try:
                name, prefix = names[node_type]
            except (KeyError, TypeError):
                name, prefix = element_name(node_type)
            if prefix is not None and prefix not in namespaces:
                namespaces[prefix] = NAMESPACE_BASE + prefix
            element.name = name
            element.parent = parent
            element.position = position
            element.tree = view
            element.uast = value
            kids: list[Any] = []
            element.children = kids
            parent.children.append(element)
            position += 1
            add(element)
            try:
                by_name[name].append(element)
            except KeyError:
                by_name[name] = [element]
            tasks: list[tuple[int, Any, Any, str]] = []
            if TOKEN in value:
                token = value[TOKEN]
                if isinstance(token, (dict, list)):
                    tasks.append((1, token, element, TOKEN_ELEMENT))
                elif token is not None and token != "":
                    node = new(Text)
                    node.name = None
                    node.value = token if type(token) is str else text(token)
                    node.parent = element
                    node.position = position
                    kids.append(node)
                    position += 1
            for key, field_value in value.items():
                if key not in system:
                    tasks.append((1, field_value, element, key))
            if tasks:
                tasks.reverse()
                stack.extend(tasks)
        elif kind == 1:
            element = new(Element)
            element.name = field
            element.parent = parent
            element.position = position
            element.tree = view
            element.uast = None
            kids = []
            element.children = kids
            parent.children.append(element)
            position += 1
            add(element)
            try:
                by_name[field].append(element)
            except KeyError:
                by_name[field] = [element]
            if isinstance(value, dict):
                push((0, value, element, ""))
            elif isinstance(value, list):
                tasks = []
                for item in value:
                    if isinstance(item, dict):
                        tasks.append((0, item, element, ""))
                    elif isinstance(item, list):
                        tasks.append((1, item, element, field))
                    elif item is not None and item != "":
                        tasks.append((2, item, element, ""))
                tasks.reverse()
                stack.extend(tasks)
            elif value is not None and value != "":
                node = new(Text)
                node.name = None
                node.value = value if type(value) is str else text(value)
                node.parent = element
                node.position = position
                kids.append(node)
                position += 1
        else:
            node = new(Text)
            node.name = None
            node.value = value if type(value) is str else text(value)
            node.parent = parent
            node.position = position
            parent.children.append(node)
            position += 1
    return document


# ---------------------------------------------------------------------------------------------
# The parser: XPath 1.0 with XPath 1.0's comparisons


class _Parser(XPath1Parser):
    """elementpath's XPath 1.0 parser with comparison operators that follow XPath 1.0 (3.4)."""


class _Strings(list):  # type: ignore[type-arg]
    """The string-values of a node-set: all a comparison needs of it."""


_POSITION_ATTRIBUTES = {
    f"{edge}-{what}": (edge, what) for edge in ("start", "end") for what in ("offset", "line", "col")
}
_MISSING = object()


_COMPARE = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _attribute_values(node: Node, name: str, lines: LineStarts) -> _Strings:
    """The values of the attributes ``name`` of an object's element: what
    ``[value for key, value in _attribute_pairs(node, lines) if key == name]`` gives, but
    without making every attribute of the element."""
    values = _Strings()
    if name == ROLE_ATTRIBUTE:
        roles = node.get(ROLE)
        if roles:
            if isinstance(roles, list):
                values.extend(_text(role) for role in roles)
            else:
                values.append(_text(roles))
    elif name == TOKEN_ATTRIBUTE:
        if TOKEN in node:
            token = node[TOKEN]
            if not isinstance(token, (dict, list)):
                values.append(_text(token))
    elif name in _POSITION_ATTRIBUTES:
        pos = node.get(POS)
        if pos:
            edge, what = _POSITION_ATTRIBUTES[name]
            offset = pos.get(edge)
            if isinstance(offset, int):
                if what == "offset":
                    values.append(str(offset))
                else:
                    line, col = lines.line_col(offset)
                    values.append(str(line if what == "line" else col))
    if name not in _SYSTEM_KEYS:
        value = node.get(name, _MISSING)
        if value is not _MISSING:
            if isinstance(value, list):
                values.extend(_text(item) for item in value if not isinstance(item, (dict, list)))
            elif not isinstance(value, dict):
                values.append(_text(value))
    return values


_ATTRIBUTE, _LITERAL, _GENERAL = 0, 1, 2
_NO_STRINGS = _Strings()  # shared: never changed


def _operand_plan(token: Any) -> tuple[int, Any, Any]:
    symbol = token.symbol
    if symbol == "@" and token[0].symbol == "(name)":
        return _ATTRIBUTE, token[0].value, token
    if symbol in ("(string)", "(integer)", "(decimal)", "(float)"):
        return _LITERAL, token.value, token
    return _GENERAL, None, token


def _comparison_plan(token: Any) -> tuple[Any, bool, tuple[int, Any, Any], tuple[int, Any, Any]]:
    """What a comparison token does, worked out on its first evaluation and kept on it."""
    try:
        return token.__dict__["_bblfsh_plan"]  # type: ignore[no-any-return]
    except KeyError:
        pass
    plan = (
        _COMPARE[token.symbol],
        token.symbol in ("=", "!="),
        _operand_plan(token[0]),
        _operand_plan(token[1]),
    )
    token.__dict__["_bblfsh_plan"] = plan
    return plan


def _operand(plan: tuple[int, Any, Any], context: Any) -> Any:
    """An operand of a comparison: a scalar, or the strings of a node-set (:class:`_Strings`).

    ``@name`` on an object's element reads the attribute's values straight from the UAST,
    and literals are read from the token; anything else is evaluated by elementpath.
    """
    kind, argument, token = plan
    if kind == _ATTRIBUTE:
        item = context.item
        if type(item) is _Element:
            node = item.uast
            if node is None:
                return _NO_STRINGS
            return _attribute_values(node, argument, item.tree.lines)
    elif kind == _LITERAL:
        return argument
    value = token.evaluate(copy(context))
    if isinstance(value, list):
        return _Strings(
            token.string_value(item) if isinstance(item, XPathNode) else _text(item) for item in value
        )
    if isinstance(value, XPathNode):
        return _Strings([token.string_value(value)])
    return value


def _boolean(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return not (value == 0 or math.isnan(value))
    return bool(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _xpath1_compare(token: Any, context: Any = None) -> bool:
    """XPath 1.0's comparisons (section 3.4), node-sets compared existentially."""
    if context is None:
        raise token.missing_context()
    op, equality, left_plan, right_plan = _comparison_plan(token)
    left = _operand(left_plan, context)
    right = _operand(right_plan, context)
    left_set, right_set = type(left) is _Strings, type(right) is _Strings
    if left_set and equality and type(right) is str:  # the common @name = 'literal'
        if op is operator.eq:
            return right in left
        return any(string != right for string in left)
    if left_set and right_set:
        if equality:
            return any(op(a, b) for a in left for b in right)
        right_numbers = [_number(b) for b in right]
        return any(op(_number(a), b) for a in left for b in right_numbers)
    if left_set or right_set:
        strings, other = (left, right) if left_set else (right, left)
        if isinstance(other, bool):
            pairs: Iterable[tuple[Any, Any]] = [(bool(strings), other)]
        elif _is_number(other) or not equality:
            number = _number(other)
            pairs = [(_number(s), number) for s in strings]
        else:
            other_text = _text(other)
            pairs = [(s, other_text) for s in strings]
        if right_set:
            pairs = [(b, a) for a, b in pairs]
        return any(op(a, b) for a, b in pairs)
    if equality:
        if isinstance(left, bool) or isinstance(right, bool):
            return op(_boolean(left), _boolean(right))
        if _is_number(left) or _is_number(right):
            return op(_number(left), _number(right))
        return op(_text(left), _text(right))
    return op(_number(left), _number(right))


def _truth(token: Any, context: Any) -> bool:
    """The boolean value of a sub-expression of a predicate.

    Comparisons, and/or/not() and ``@name`` tests are evaluated here without copying the
    context (they do not move it); anything else is evaluated by elementpath on a copy.
    """
    symbol = token.symbol
    if symbol in _COMPARE:
        return _xpath1_compare(token, context)
    if symbol == "and":
        return _truth(token[0], context) and _truth(token[1], context)
    if symbol == "or":
        return _truth(token[0], context) or _truth(token[1], context)
    if symbol == "not" and token.label == "function" and len(token) == 1:
        return not _truth(token[0], context)
    if symbol == "@" and token[0].symbol == "(name)":
        item = context.item
        if isinstance(item, _Element):
            node = item.uast
            return node is not None and bool(_attribute_values(node, token[0].value, item.tree.lines))
    return token.boolean_value(token.select(copy(context)))


def _is_boolean_expression(token: Any) -> bool:
    symbol = token.symbol
    return symbol in _COMPARE or symbol in ("and", "or") or (
        symbol == "not" and token.label == "function" and len(token) == 1
    )


def _evaluate_and(token: Any, context: Any = None) -> bool:
    if context is None:
        raise token.missing_context()
    return _truth(token[0], context) and _truth(token[1], context)


def _evaluate_or(token: Any, context: Any = None) -> bool:
    if context is None:
        raise token.missing_context()
    return _truth(token[0], context) or _truth(token[1], context)


def _evaluate_not(token: Any, context: Any = None) -> bool:
    if context is None:
        raise token.missing_context()
    return not _truth(token[0], token.context or context)


_select_predicate_base = _Parser.symbol_table["["].select


def _select_predicate(token: Any, context: Any = None) -> Iterator[Any]:
    """A predicate that is a boolean expression (never a position) is tested with
    :func:`_truth`; other predicates go to elementpath."""
    predicate = token[1]
    if context is None or not _is_boolean_expression(predicate):
        yield from _select_predicate_base(token, context)
        return
    left = token[0]
    while left.symbol == "[":
        left = left[0]
    reverse_axis = left.reverse_axis if isinstance(left, XPathAxis) else False
    for _ in token[0].select_with_focus(context, reverse_axis):
        if _truth(predicate, context):
            yield context.item


_select_descendant_base = _Parser.symbol_table["//"].select


def _uses_focus(token: Any) -> bool:
    """Whether an expression reads the context position or size (position(), last())."""
    return any(t.symbol in ("position", "last") and t.label == "function" for t in token.iter())


def _descendant_plan(step: Any) -> tuple[Any, list[Any]] | None:
    """For ``//step[p1][p2]...`` with a name test and predicates that are boolean expressions
    not reading the position: (the name test, the predicates).  None for anything else."""
    predicates: list[Any] = []
    while step.symbol == "[":
        predicate = step[1]
        if not _is_boolean_expression(predicate) or _uses_focus(predicate):
            return None
        predicates.append(predicate)
        step = step[0]
    if step.symbol not in ("(name)", "*", ":"):
        return None
    if step.symbol == ":" and not isinstance(getattr(step, "name", None), str):
        return None
    predicates.reverse()
    return step, predicates


def _candidates(step: Any, view: _Tree) -> list[_Element]:
    if step.symbol == "(name)":
        return view.by_name.get(step.value, [])
    if step.symbol == "*":
        return view.elements_in_order
    name: str = step.name
    if name.endswith("}*"):
        namespace = name[:-1]
        return [element for element in view.elements_in_order if element.name.startswith(namespace)]
    return view.by_name.get(name, [])


def _select_descendant(token: Any, context: Any = None) -> Iterator[Any]:
    """``//step[predicates]`` at the start of a path: descendant-or-self::node()/child::step is
    every element named ``step`` (the root element included), so it is read from the view's
    index by name, in document order, and the predicates are tested on each.  Steps and
    predicates outside that shape go to elementpath."""
    document = getattr(context, "document", None)
    plan = _descendant_plan(token[0]) if len(token) == 1 and isinstance(document, _Document) else None
    if plan is None:
        yield from _select_descendant_base(token, context)
        return
    step, predicates = plan
    candidates = _candidates(step, document.tree)
    if not predicates:
        yield from candidates
        return
    status = context.item, context.size, context.position, context.axis
    context.axis = None
    context.size = context.position = 1
    try:
        for element in candidates:
            context.item = element
            for predicate in predicates:
                if not _truth(predicate, context):
                    break
            else:
                yield element
    finally:
        context.item, context.size, context.position, context.axis = status


def _override(symbol: str, **methods: Any) -> None:
    base = _Parser.symbol_table[symbol]
    _Parser.symbol_table[symbol] = type(base.__name__, (base,), {"__module__": __name__, **methods})


for _symbol in _COMPARE:
    _override(_symbol, evaluate=_xpath1_compare)
_override("and", evaluate=_evaluate_and)
_override("or", evaluate=_evaluate_or)
_override("not", evaluate=_evaluate_not)
_override("[", select=_select_predicate)
_override("//", select=_select_descendant)
_Parser.build()


# ---------------------------------------------------------------------------------------------
# Queries


@attrs.frozen
class QueryResult:
    """What a query gave on one tree.

    ``nodes``: for a node-set, the UAST objects (the tree's own dicts) in document order,
    each once (see the module documentation for what attributes, fields and text map to).
    ``value``: for any other result, the string, number (int for counts) or boolean;
    None for a node-set.
    """

    nodes: list[Node] = attrs.field(factory=list)
    value: Scalar | None = None

    @property
    def is_node_set(self) -> bool:
        return self.value is None


def _where(error: ElementPathError) -> str:
    token = error.token
    position = getattr(token, "position", None)
    if not position:
        return ""
    line, column = position
    return f" at column {column}" if line == 1 else f" at line {line}, column {column}"


def _describe(error: ElementPathError, prefixes: Iterable[str]) -> str:
    code = (error.code or "").rpartition(":")[2]
    message = error.message
    if code == "XPST0081":
        match = re.search(r"prefix '([^']*)'", message)
        prefix = match.group(1) if match else "?"
        known = ", ".join(sorted(prefixes))
        message = f"unknown namespace prefix '{prefix}' (known prefixes: {known})"
    elif code == "XPST0003" and message == "source is empty":
        message = "empty query"
    return message + _where(error)


class Query:
    """A compiled XPath 1.0 query: run it on any number of trees."""

    __slots__ = ("text", "prefixes", "_root")

    def __init__(self, text: str, prefixes: frozenset[str], root: Any):
        self.text = text
        self.prefixes = prefixes
        self._root = root

    def __repr__(self) -> str:
        return f"Query({self.text!r})"

    def run(self, tree: Node | list[Any], lines: LineStarts) -> QueryResult:
        """Run on a wire-form UAST whose offsets point into the text ``lines`` was built from."""
        view = QueryTree(tree, lines)
        try:
            return self.run_on(view)
        finally:
            view.close()

    def run_on(self, view: QueryTree) -> QueryResult:
        """Run on a prepared :class:`QueryTree` (to run several queries on one tree)."""
        document = view.document
        context = XPathContext(document)
        try:
            result = self._root.evaluate(context)
        except ElementPathError as error:
            raise QueryError(f"query {self.text!r} failed: {_describe(error, self.prefixes)}") from None
        except (ArithmeticError, RecursionError, TypeError, ValueError) as error:
            raise QueryError(f"query {self.text!r} failed: {error}") from None
        if isinstance(result, XPathNode):
            result = [result]
        if isinstance(result, list):
            if all(isinstance(item, XPathNode) for item in result):
                return QueryResult(nodes=_owners(result))
            if len(result) == 1:
                result = result[0]
            else:
                raise QueryError(f"query {self.text!r} gave a sequence of values, not a node-set")
        return QueryResult(value=_scalar(result))


def _scalar(value: Any) -> Scalar:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, (float, Decimal)):
        number = float(value)
        if not math.isfinite(number):  # JSON has no NaN or Infinity: what XPath's string() gives
            return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if value is None:
        return ""
    return str(value)


def _owners(items: list[XPathNode]) -> list[Node]:
    """The UAST objects the XPath nodes belong to, in document order, each once."""
    found: dict[int, tuple[int | float, Node]] = {}
    for item in items:
        element: Any = item
        if isinstance(item, _Document):
            roots = [child for child in item.children if isinstance(child, _Element)]
            if len(roots) != 1:
                continue
            element = roots[0]
        elif not isinstance(item, _Element):
            element = item.parent
            while element is not None and not isinstance(element, _Element):
                element = element.parent
            if element is None:
                continue
        owner = element.owner
        if owner is None:
            continue
        node = owner.uast
        if node is not None and id(node) not in found:
            found[id(node)] = (owner.position, node)
    return [node for _, node in sorted(found.values(), key=lambda pair: pair[0])]


def compile_query(text: str, prefixes: Iterable[str] = ()) -> Query:
    """Compile an XPath 1.0 query; raise :class:`QueryError` if it is empty or invalid.

    ``prefixes``: namespace prefixes to bind on top of ``uast`` and the language names.
    """
    if not isinstance(text, str):
        raise QueryError(f"a query is a string, not {type(text).__name__}")
    if not text.strip():
        raise QueryError("empty query")
    bound = frozenset((*STATIC_PREFIXES, *prefixes))
    namespaces = {prefix: NAMESPACE_BASE + prefix for prefix in bound}
    parser = _Parser(namespaces=namespaces)
    try:
        root = parser.parse(text)
    except ElementPathError as error:
        raise QueryError(f"invalid query {text!r}: {_describe(error, bound)}") from None
    except RecursionError:
        raise QueryError(f"invalid query {text!r}: nested too deeply") from None
    for token in root.iter():
        if token.symbol == "$":
            raise QueryError(
                f"invalid query {text!r}: variables are not supported (${token[0].value}"
                f" at column {token.position[1]})"
            )
    return Query(text, bound, root)


def run_query(text: str, tree: Node | list[Any], lines: LineStarts) -> QueryResult:
    """Compile and run in one step (compile once with :func:`compile_query` for many trees)."""
    return compile_query(text).run(tree, lines)


# ---------------------------------------------------------------------------------------------
# Labels

_LABEL_WIDTH = 60
_SPACES = re.compile(r"\s+")


def _short(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    text = _SPACES.sub(" ", _text(value)).strip()
    return text if len(text) <= _LABEL_WIDTH else text[: _LABEL_WIDTH - 1] + "\u2026"


def _name_of(node: Any) -> str:
    """The name a node stands for: identifiers, qualified identifiers, aliases, strings."""
    if isinstance(node, list):
        return ", ".join(filter(None, (_name_of(item) for item in node)))
    if not isinstance(node, dict):
        return _text(node) if isinstance(node, str) else ""
    node_type = node.get(TYPE)
    if node_type == "uast:Identifier":
        return _text(node.get("Name"))
    if node_type == "uast:QualifiedIdentifier":
        return ".".join(filter(None, (_name_of(item) for item in node.get("Names") or [])))
    if node_type == "uast:Alias":
        return _name_of(node.get("Name"))
    if node_type == "uast:String":
        return _text(node.get("Value"))
    return ""


def _path_of(node: Any) -> str:
    if isinstance(node, dict) and node.get(TYPE) == "uast:Alias":
        return _name_of(node.get("Node")) or _name_of(node.get("Name"))
    return _name_of(node)


def label(node: Node) -> str:
    """A short, one-line human label for a node ("" when there is nothing to say).

    Identifier -> its name; QualifiedIdentifier -> a.b.c; String -> its value;
    FunctionGroup -> the function's name (from its alias); Alias -> its name;
    Argument -> its name; Import/RuntimeImport/... -> the imported path; Bool -> true/false;
    any other node with a scalar @token (python:ClassDef ...) -> the token; else the identifier
    in its Name field (go:TypeSpec, java:TypeDeclaration).
    Long labels are cut to 60 characters; whitespace runs read as one space.
    """
    if not isinstance(node, dict):
        return ""
    node_type = node.get(TYPE)
    if node_type in ("uast:Identifier", "uast:QualifiedIdentifier", "uast:Alias", "uast:String"):
        return _short(_name_of(node))
    if node_type == "uast:FunctionGroup":
        for item in node.get("Nodes") or []:
            if isinstance(item, dict) and item.get(TYPE) == "uast:Alias":
                return _short(_name_of(item))
        return ""
    if node_type == "uast:Argument":
        return _short(_name_of(node.get("Name")))
    if node_type == "uast:Bool":
        return _text(node.get("Value"))
    if isinstance(node_type, str) and node_type.startswith("uast:") and node_type.endswith("Import"):
        return _short(_path_of(node.get("Path")))
    token = node.get(TOKEN)
    if token is not None and not isinstance(token, (dict, list)):
        return _short(token)
    if isinstance(token, dict) and token.get(TYPE) == "uast:Identifier":  # Babelfish's Ruby and Python keywords
        return _short(_name_of(token))
    for field in ("Name", "name"):  # a declaration named by an identifier (Go, Java types)
        value = node.get(field)
        if isinstance(value, dict) and value.get(TYPE) in ("uast:Identifier", "uast:QualifiedIdentifier"):
            return _short(_name_of(value))
    return ""
