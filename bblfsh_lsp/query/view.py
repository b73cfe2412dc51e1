"""The XML view of a UAST that XPath runs on, in Babelfish's form (``uast/query/xpath``).

The view is built in one pass straight from the UAST's dicts as elementpath node objects (no
XML, no etree), with an index of elements by name; attribute nodes are made only when
elementpath asks an element for them.

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

A type's prefix ``p`` is the namespace ``urn:bblfsh:p``.  ``uast`` is always bound; the other
prefixes found in a tree (a language's name: ``python``, ``go``...) are bound for that tree, so
``name()`` reports them.  Which prefixes a query may use is the compiler's business (xpath.py).
"""

from __future__ import annotations

import gc
import math
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from elementpath.datatypes import UntypedAtomic
from elementpath.xpath_nodes import DocumentNode, ElementNode, NamespaceNode, TextAttributeNode, TextNode, XPathNodeTree

from driver_runtime.sdk.labels import xpath_string
from driver_runtime.sdk.uast import POS, ROLE, TOKEN, TYPE, LineStarts

Node = dict[str, Any]

NAMESPACE_BASE = "urn:bblfsh:"
"""A prefix ``p`` is bound to the namespace URI ``urn:bblfsh:p`` (what namespace-uri() says)."""

MAP_ELEMENT = "map"
"""The element name of an object without ``@type``."""

TOKEN_ELEMENT = "token"
ROLE_ATTRIBUTE = "role"
TOKEN_ATTRIBUTE = "token"

UAST_PREFIX = "uast"
"""The one prefix bound whatever the tree: Babelfish's own types (``uast:Identifier``)."""

_SYSTEM_KEYS = frozenset((TYPE, ROLE, TOKEN, POS))


# ---------------------------------------------------------------------------------------------
# Scalars as XPath strings and numbers


_NUMBER = re.compile(r"\s*(-?(?:\d+(?:\.\d*)?|\.\d+))\s*\Z")


def xpath_number(value: Any) -> float:
    """XPath 1.0's number(): a string that is not a plain decimal number is NaN."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    match = _NUMBER.match(str(value))
    return float(match.group(1)) if match else math.nan


# ---------------------------------------------------------------------------------------------
# The XML view of a UAST: elementpath node classes built straight from the dicts


class ViewTree(XPathNodeTree):
    """What the nodes of one view share: the line starts, and its elements in document order,
    all of them and by name (for ``//name`` steps)."""

    __slots__ = ("lines", "elements_in_order", "by_name")

    lines: LineStarts
    elements_in_order: list[ViewElement]
    by_name: dict[str, list[ViewElement]]


class ViewElement(ElementNode):
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
    def value(self) -> ViewElement:  # type: ignore[override]
        return self

    @property
    def owner(self) -> ViewElement | None:
        """The element of the object this element is, or whose field it is."""
        element: Any = self
        while isinstance(element, ViewElement):
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
        pairs = attribute_pairs(node, self.tree.lines) if node is not None else []
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


class ViewDocument(DocumentNode):
    __slots__ = ()

    @property
    def value(self) -> ViewDocument:  # type: ignore[override]
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


def attribute_pairs(node: Node, lines: LineStarts) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    roles = node.get(ROLE)
    if roles:
        if isinstance(roles, list):
            pairs.extend((ROLE_ATTRIBUTE, xpath_string(role)) for role in roles)
        else:
            pairs.append((ROLE_ATTRIBUTE, xpath_string(roles)))
    if TOKEN in node:
        token = node[TOKEN]
        if not isinstance(token, (dict, list)):
            pairs.append((TOKEN_ATTRIBUTE, xpath_string(token)))
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
            pairs.extend((key, xpath_string(item)) for item in value if not isinstance(item, (dict, list)))
        elif not isinstance(value, dict):
            pairs.append((key, xpath_string(value)))
    return pairs


_ELEMENT_NAMES: dict[str, tuple[str, str | None]] = {}
_STATIC_NAMESPACES = {UAST_PREFIX: NAMESPACE_BASE + UAST_PREFIX}


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
        self._document: ViewDocument | None = _build(tree, lines)

    @property
    def document(self) -> ViewDocument:
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


def _build(tree: Node | list[Any], lines: LineStarts) -> ViewDocument:
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


def _build_nodes(tree: Node | list[Any], lines: LineStarts) -> ViewDocument:
    """Every element and text node of the view, with document-order positions.

    Iterative (UASTs can be deep): one task per element or text node, pushed in reverse so
    that they pop in document order.  A task is (kind, value, parent element, field name);
    kinds: 0 an object, 1 a field (or an array nested in an array), 2 a scalar in an array.
    """
    document = object.__new__(ViewDocument)
    document.name = None
    document.parent = None
    document.position = 1
    document.children = []
    namespaces = dict(_STATIC_NAMESPACES)
    view = ViewTree(document, namespaces=namespaces)
    view.lines = lines
    in_order: list[ViewElement] = []
    by_name: dict[str, list[ViewElement]] = {}
    view.elements_in_order = in_order
    view.by_name = by_name
    document.tree = view
    add = in_order.append

    new = object.__new__
    Element = ViewElement
    Text = TextNode
    names = _ELEMENT_NAMES
    element_name = _element_name
    system = _SYSTEM_KEYS
    text = xpath_string

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
        if kind != 2:  # an element: an object (0) or a field (1)
            element = new(Element)
            if kind == 0:
                node_type = value.get(TYPE)
                try:
                    name, prefix = names[node_type]
                except (KeyError, TypeError):
                    name, prefix = element_name(node_type)
                if prefix is not None and prefix not in namespaces:
                    namespaces[prefix] = NAMESPACE_BASE + prefix
                element.uast = value
            else:
                name = field
                element.uast = None
            element.name = name
            element.parent = parent
            element.position = position
            element.tree = view
            element.children = []
            parent.children.append(element)
            position += 1
            add(element)
            try:
                by_name[name].append(element)
            except KeyError:
                by_name[name] = [element]
            # Its content: a text node made at once (an object's scalar token, a field's scalar),
            # and tasks pushed in reverse so that they pop in document order.
            inline = None
            tasks: list[tuple[int, Any, Any, str]] = []
            if kind == 0:
                if TOKEN in value:
                    token = value[TOKEN]
                    if isinstance(token, (dict, list)):
                        tasks.append((1, token, element, TOKEN_ELEMENT))
                    elif token is not None and token != "":
                        inline = token
                for key, field_value in value.items():
                    if key not in system:
                        tasks.append((1, field_value, element, key))
            elif isinstance(value, dict):
                push((0, value, element, ""))
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, dict):
                        tasks.append((0, item, element, ""))
                    elif isinstance(item, list):
                        tasks.append((1, item, element, field))
                    elif item is not None and item != "":
                        tasks.append((2, item, element, ""))
            elif value is not None and value != "":
                inline = value
            if tasks:
                tasks.reverse()
                stack.extend(tasks)
            if inline is None:
                continue
            value, parent = inline, element
        node = new(Text)  # a text node: of a scalar in an array (2), or made at once above
        node.name = None
        node.value = value if type(value) is str else text(value)
        node.parent = parent
        node.position = position
        parent.children.append(node)
        position += 1
    return document


class Strings(list):  # type: ignore[type-arg]
    """The string-values of a node-set: all a comparison needs of it."""


_POSITION_ATTRIBUTES = {
    f"{edge}-{what}": (edge, what) for edge in ("start", "end") for what in ("offset", "line", "col")
}
_MISSING = object()


def attribute_values(node: Node, name: str, lines: LineStarts) -> Strings:
    """The values of the attributes ``name`` of an object's element: what
    ``[value for key, value in attribute_pairs(node, lines) if key == name]`` gives, but
    without making every attribute of the element."""
    values = Strings()
    if name == ROLE_ATTRIBUTE:
        roles = node.get(ROLE)
        if roles:
            if isinstance(roles, list):
                values.extend(xpath_string(role) for role in roles)
            else:
                values.append(xpath_string(roles))
    elif name == TOKEN_ATTRIBUTE:
        if TOKEN in node:
            token = node[TOKEN]
            if not isinstance(token, (dict, list)):
                values.append(xpath_string(token))
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
                values.extend(xpath_string(item) for item in value if not isinstance(item, (dict, list)))
            elif not isinstance(value, dict):
                values.append(xpath_string(value))
    return values


