"""The outline of a document, read from its semantic UAST, in any language.

What is a symbol is decided by universal UAST concepts, not by language: a function is a
``uast:FunctionGroup`` (Alias -> Function); a type is a native node with the Declaration and
Type roles; a variable or constant is an Assignment directly in a module or a type body.
Ranges are byte offsets here; the LSP layer converts them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
from lsprotocol.types import SymbolKind

from bblfsh_lsp.positions import TextIndex
from bblfsh_lsp.structure import Item, flatten
from driver_runtime.uast import ROLE, TOKEN, TYPE

Node = dict[str, Any]


@attrs.define
class Symbol:
    name: str
    kind: SymbolKind
    start: int  # the whole definition, decorators and keywords included
    end: int
    name_start: int  # the name
    name_end: int
    children: list[Symbol] = attrs.field(factory=list)

    def walk(self) -> list[Symbol]:
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


# Native types whose kind is more precise than the roles tell (filled per language).
NATIVE_TYPE_KINDS: dict[str, SymbolKind] = {}

# Fields of an assignment that hold what is assigned to.
TARGET_FIELDS = ("targets", "target", "Target", "left", "Left")

CONTAINER_TYPES = (SymbolKind.Class, SymbolKind.Interface, SymbolKind.Struct, SymbolKind.Enum,
                   SymbolKind.Module, SymbolKind.Namespace, SymbolKind.Package)


def _roles(node: Node) -> tuple[str, ...]:
    return tuple(node.get(ROLE) or ())


def _identifier_name(node: Any) -> str | None:
    if isinstance(node, dict) and node.get(TYPE) == "uast:Identifier" and isinstance(node.get("Name"), str):
        return node["Name"]
    return None


def _function_name(node: Node) -> tuple[str, Node | None] | None:
    for member in node.get("Nodes") or ():
        if isinstance(member, dict) and member.get(TYPE) == "uast:Alias":
            name = _identifier_name(member.get("Name"))
            if name:
                return name, member.get("Name")
    return None


def _type_kind(node: Node) -> SymbolKind | None:
    native = node.get(TYPE, "").partition(":")[2]
    if native in NATIVE_TYPE_KINDS:
        return NATIVE_TYPE_KINDS[native]
    roles = _roles(node)
    if "Declaration" not in roles:
        return None
    if "Enumeration" in roles:
        return SymbolKind.Enum
    if "Type" in roles:
        return SymbolKind.Class
    if ("Module" in roles or "Package" in roles) and "File" not in roles:
        return SymbolKind.Namespace
    return None


def _type_name(node: Node) -> tuple[str, Node | None] | None:
    token = node.get(TOKEN)
    if isinstance(token, str) and token:
        return token, None
    for field in ("Name", "name", "id"):
        name = _identifier_name(node.get(field))
        if name:
            return name, node.get(field)
    return None


def _assigned_names(node: Node) -> list[tuple[str, Node]]:
    """Plain names assigned to (a, or a, b in a tuple); not attributes or subscripts."""
    found: list[tuple[str, Node]] = []

    def collect(value: Any) -> None:
        if isinstance(value, list):
            for element in value:
                collect(element)
            return
        if not isinstance(value, dict):
            return
        name = _identifier_name(value)
        if name is not None:
            found.append((name, value))
        elif {"Tuple", "List"} & set(_roles(value)):
            for field in ("elts", "elements", "Elements"):
                collect(value.get(field))

    for field in TARGET_FIELDS:
        if field in node:
            collect(node[field])
    return found


def _variable_kind(name: str, in_type: bool) -> SymbolKind:
    if name.isupper() or (name.lstrip("_").isupper() and any(c.isalpha() for c in name)):
        return SymbolKind.Constant
    return SymbolKind.Field if in_type else SymbolKind.Variable


class _Builder:
    def __init__(self, items: list[Item], index: TextIndex):
        self.index = index
        self.items = items
        self.span_of = {id(item.node): item for item in self.items}

    def header_start(self, item: Item, name_start: int) -> int:
        """Where a definition starts: at the first word of the line where its extent or its name
        starts, whichever is first (so `def`, `class`, `@` and modifiers are included)."""
        first = min(item.start, name_start) if item.has_extent else name_start
        return min(first, self.index.first_nonblank(self.index.line_of(first)))

    def name_span(self, name: str, name_node: Node | None, item: Item) -> tuple[int, int]:
        if name_node is not None:
            named = self.span_of.get(id(name_node))
            if named is not None and named.has_extent:
                return named.start, named.end
        own = item.node.get("@pos") or {}
        start = own.get("start")
        encoded = name.encode("utf-8")
        if start is not None:
            end = own.get("end", start)
            if end - start == len(encoded) or end <= start:
                return start, start + len(encoded)
        # Find the name in the text of the definition.
        found = self.index.data.find(encoded, item.start, item.end) if item.has_extent else -1
        if found >= 0:
            return found, found + len(encoded)
        return (item.start, item.start) if item.has_extent else (0, 0)

    def symbol(self, item: Item, name: str, kind: SymbolKind, name_node: Node | None,
               whole: Item | None = None) -> Symbol:
        name_start, name_end = self.name_span(name, name_node, item)
        span_item = whole or item
        start = self.header_start(span_item, name_start)
        end = max(span_item.end if span_item.has_extent else name_end, name_end)
        return Symbol(name, kind, start, end, name_start, name_end)

    def build(self) -> list[Symbol]:
        roots: list[Symbol] = []
        # owner[i]: the symbol that item i belongs to (None at module level) and its kind
        owner: list[Symbol | None] = [None] * len(self.items)
        for position, item in enumerate(self.items):
            parent_owner = owner[item.parent] if item.parent >= 0 else None
            owner[position] = parent_owner
            made = self.classify(item, parent_owner)
            for symbol in made:
                (parent_owner.children if parent_owner else roots).append(symbol)
            if made and len(made) == 1 and made[0].kind not in (SymbolKind.Variable, SymbolKind.Constant,
                                                                 SymbolKind.Field):
                owner[position] = made[0]
        return roots

    def classify(self, item: Item, parent: Symbol | None) -> list[Symbol]:
        node = item.node
        node_type = node.get(TYPE, "")
        parent_kind = parent.kind if parent else None
        in_type = parent_kind in CONTAINER_TYPES
        if node_type == "uast:FunctionGroup":
            named = _function_name(node)
            if not named:
                return []
            name, name_node = named
            kind = SymbolKind.Function
            if in_type:
                kind = SymbolKind.Constructor if name in ("constructor",) or name == (parent.name if parent else "") \
                    else SymbolKind.Method
            return [self.symbol(item, name, kind, name_node)]
        type_kind = _type_kind(node)
        if type_kind is not None:
            named = _type_name(node)
            return [self.symbol(item, named[0], type_kind, named[1])] if named else []
        if "Assignment" in _roles(node) and (parent is None or in_type) and self.at_statement_level(item):
            kind_for = self.variable_kinds(in_type)
            return [self.symbol(self.span_of[id(target)], name, kind_for(name), target, whole=item)
                    for name, target in _assigned_names(node) if id(target) in self.span_of]
        return []

    def at_statement_level(self, item: Item) -> bool:
        """An assignment that is a statement of a module or type body, not inside an expression."""
        parent = self.items[item.parent] if item.parent >= 0 else None
        while parent is not None:
            roles = _roles(parent.node)
            parent_type = parent.node.get(TYPE, "")
            if "File" in roles or "Module" in roles or _type_kind(parent.node) is not None:
                return True
            if "Expression" in roles or "Statement" in roles or parent_type in ("uast:FunctionGroup", "uast:Function"):
                return False
            parent = self.items[parent.parent] if parent.parent >= 0 else None
        return True

    @staticmethod
    def variable_kinds(in_type: bool) -> Callable[[str], SymbolKind]:
        return lambda name: _variable_kind(name, in_type)


def outline(tree: Node, index: TextIndex, items: list[Item] | None = None) -> list[Symbol]:
    """The document's symbols, nested, in source order (items: the tree's flatten(), if at hand)."""
    return _Builder(items if items is not None else flatten(tree, len(index.data)), index).build()
