"""Queries made from a node ("Copy as query" in the UAST explorer): an XPath that finds the node
and the nodes like it (its type, and what names it: its token, its name, or the name of a child
within two steps), and, where one applies, a code pattern (the node's code with its parts as
metavariables: `isinstance($A, $B)`).

Both are checked before they are given: the XPath is run on the tree and must find the node (else
a plainer one is given, down to its type and start); the pattern is compiled by the language's
driver and matched on the native tree and must match the node's code (else its code as written,
else no pattern).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from typing import Any

import attrs

from bblfsh_lsp.positions import TextIndex
from bblfsh_lsp.query.errors import QueryError
from bblfsh_lsp.query.view import MAP_ELEMENT
from bblfsh_lsp.query.xpath import compile_query
from driver_runtime.sdk.labels import xpath_string
from driver_runtime.sdk.protocol import Mode
from driver_runtime.sdk.structure import extent
from driver_runtime.sdk.uast import POS, ROLE, TOKEN, TYPE, span

Node = dict[str, Any]

# A child element's name is the field's: only names XPath can write as a name test.
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
_NAME_FIELDS = ("Name", "name", "Value", "value", "id")  # scalar fields that name what a node is
MAX_PATTERN_SOURCE = 4000  # bytes of code: past that, a pattern is no way to find "others like it"
_SEARCH_DEPTH = 2  # steps below the node where what names it is looked for


@attrs.frozen
class NodeQuery:
    xpath: str
    count: int  # how many nodes of this tree the XPath finds (the node among them)
    pattern: str | None = None


def literal(text: str) -> str:
    """An XPath 1.0 string literal for any text (concat() when it holds both quotes)."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    parts = text.split("'")
    return "concat(" + ", \"'\", ".join(f"'{part}'" for part in parts) + ")"


def name_test(node: Node) -> str:
    kind = node.get(TYPE)
    return kind if isinstance(kind, str) and kind else MAP_ELEMENT


def _scalar(value: Any) -> bool:
    return value is not None and not isinstance(value, (dict, list)) and xpath_string(value) != ""


def own_predicate(node: Node) -> str | None:
    """What names a node itself: its token, or a scalar name field."""
    token = node.get(TOKEN)
    if _scalar(token):
        return f"@token={literal(xpath_string(token))}"
    for field in _NAME_FIELDS:
        value = node.get(field)
        if _scalar(value) and not isinstance(value, bool) and _FIELD_NAME.match(field):
            return f"@{field}={literal(xpath_string(value))}"
    return None


def _children(node: Node) -> Iterator[tuple[str, Node]]:
    """(field, child) in field order: objects held by a field first, then items of lists."""
    fields = [(key, value) for key, value in node.items() if not key.startswith("@") and _FIELD_NAME.match(key)]
    for key, value in fields:
        if isinstance(value, dict):
            yield key, value
    for key, value in fields:
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    yield key, item


def naming_path(node: Node, depth: int = _SEARCH_DEPTH) -> str | None:
    """A relative path to the nearest descendant (within `depth` steps) that names the node,
    with that descendant's predicate: `func/python:Name[@token='isinstance']`."""
    level: list[tuple[str, Node]] = [("", node)]
    for _ in range(depth):
        following: list[tuple[str, Node]] = []
        for path, parent in level:
            for field, child in _children(parent):
                step = f"{path}{field}/{name_test(child)}"
                predicate = own_predicate(child)
                if predicate is not None:
                    return f"{step}[{predicate}]"
                following.append((step + "/", child))
        level = following
    return None


def _prefixes(tree: Any) -> set[str]:
    found: set[str] = set()
    stack = [tree]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            kind = value.get(TYPE)
            if isinstance(kind, str) and ":" in kind:
                found.add(kind.partition(":")[0])
            stack.extend(child for key, child in value.items() if key != POS and isinstance(child, (dict, list)))
    return found


def candidate_xpaths(node: Node, lines: Any = None) -> list[str]:
    """The XPaths for a node, most telling first: its type and what names it, its type and its
    roles, its type alone, its type at its start."""
    test = name_test(node)
    out = []
    predicate = own_predicate(node) or naming_path(node)
    if predicate is not None:
        out.append(f"//{test}[{predicate}]")
    roles = [role for role in node.get(ROLE) or () if isinstance(role, str)]
    if roles and not test.startswith("uast:"):  # a language's own node: its roles say more than its type
        out.append(f"//{test}[" + " and ".join(f"@role={literal(role)}" for role in roles) + "]")
    out.append(f"//{test}")
    where = span(node) or extent(node)
    if where is not None:
        out.append(f"//{test}[@start-offset={where[0]}]")
    return out


def xpath_for(tree: Node, node: Node, index: TextIndex) -> NodeQuery:
    """The first XPath of candidate_xpaths() that, run on the tree, finds the node."""
    prefixes = _prefixes(tree)
    for text in candidate_xpaths(node):
        try:
            found = compile_query(text, prefixes).run(tree, index.lines).nodes
        except QueryError:
            continue
        if any(item is node for item in found):
            return NodeQuery(text, len(found))
    raise QueryError(f"no query finds this {name_test(node)} node")  # a node outside the tree


# -- patterns --------------------------------------------------------------------------------------

def _metavariables() -> Iterator[str]:
    yield from string.ascii_uppercase


def generalised(node: Node, data: bytes, keep: str | None) -> str | None:
    """The node's code with its parts as metavariables: each child object (but the field that
    names the node, `keep`) as `$A`, each list of them as `$$$B`; None if parts overlap."""
    where = span(node) or extent(node)
    if where is None:
        return None
    start, end = where
    parts: list[tuple[int, int, bool]] = []
    for key, value in node.items():
        if key.startswith("@") or key == keep:
            continue
        if isinstance(value, dict):
            place = span(value) or extent(value)
            if place is not None:
                parts.append((place[0], place[1], False))
        elif isinstance(value, list):
            places = [span(item) or extent(item) for item in value if isinstance(item, dict)]
            places = [place for place in places if place is not None]
            if places:
                parts.append((min(p[0] for p in places), max(p[1] for p in places), True))
    parts.sort()
    if not parts or len(parts) > 26:
        return None
    names = _metavariables()
    pieces, at = [], start
    for first, last, sequence in parts:
        if first < at or last > end or first >= last:
            return None
        pieces.append(data[at:first].decode("utf-8", "replace"))
        pieces.append(("$$$" if sequence else "$") + next(names))
        at = last
    pieces.append(data[at:end].decode("utf-8", "replace"))
    return "".join(pieces)


async def pattern_for(node: Node, index: TextIndex, language: str, native_tree: Node, parser: Any) -> str | None:
    """A pattern that finds the node's code (its span, or what its children span) in the native
    tree of the same text: generalised first, else its code as written; None if neither does
    (or the node is the whole file, or too long to be a pattern)."""
    from bblfsh_lsp.query.pattern import PatternError, compile_pattern, match

    where = span(node) or extent(node)
    data = index.data
    if where is None or where[1] - where[0] > MAX_PATTERN_SOURCE or where[0] >= where[1]:
        return None
    if where == (0, len(data)) or data[where[0]:where[1]].strip() == data.strip():
        return None  # the file itself
    keep = None
    naming = own_predicate(node) is None and naming_path(node, 1)
    if naming:
        keep = naming.partition("/")[0]
    tried = []
    for text in (generalised(node, data, keep), data[where[0]:where[1]].decode("utf-8", "replace")):
        if not text or text in tried or not text.strip():
            continue
        tried.append(text)
        try:
            pattern = await compile_pattern(text, language, parser, Mode.NATIVE)
        except PatternError:
            continue
        if any((found.start, found.end) == where for found in match(pattern, native_tree, index, language)):
            return text
    return None
