"""Annotation and normalisation of a native tree, driven by a driver's declarative tables.

A driver describes its language with three tables (Babelfish's idea: one place per concept,
no maze of ifs):

* ``ROLES``: native type -> roles every node of that type has;
* ``FIELD_ROLES``: (parent native type or "*", field) -> roles added to the child found there
  (Babelfish's Left/Right, Callee, Argument, Body...);
* ``TRANSFORMS``: native type -> a function that turns the (annotated, children first)
  native node into its semantic form (uast:* nodes), or returns it unchanged.

The walk is bottom-up: a transform sees children that are already semantic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from driver_runtime.protocol import Mode
from driver_runtime.uast import POS, ROLE, TYPE

Node = dict[str, Any]


@attrs.define
class Context:
    """What a transform may need beyond the node: the source, and the node's place."""

    data: bytes  # the source, UTF-8
    language: str
    parent_type: str = ""
    field: str = ""

    def text(self, node: Node) -> str:
        """The source text a node spans ("" without a full span)."""
        pos = node.get(POS) or {}
        start, end = pos.get("start"), pos.get("end")
        if start is None or end is None:
            return ""
        return self.data[start:end].decode("utf-8", "replace")


Transform = Callable[[Node, Context], Any]


@attrs.frozen
class Tables:
    roles: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    field_roles: Mapping[tuple[str, str], tuple[str, ...]] = attrs.field(factory=dict)
    transforms: Mapping[str, Transform] = attrs.field(factory=dict)


class Normalizer:
    """Applies a language's tables to native trees, for a mode."""

    def __init__(self, language: str, tables: Tables):
        self.language = language
        self.prefix = f"{language}:"
        self.tables = tables
        # (type, parent type, field) -> the sorted roles: the tables' union, computed once.
        self._roles: dict[tuple[str, str, str], list[str]] = {}

    def roles_of(self, native_type: str, parent_type: str, field: str) -> list[str]:
        key = (native_type, parent_type, field)
        roles = self._roles.get(key)
        if roles is None:
            found = set(self.tables.roles.get(native_type, ()))
            found.update(self.tables.field_roles.get((parent_type, field), ()))
            found.update(self.tables.field_roles.get(("*", field), ()))
            roles = self._roles[key] = sorted(found) if found else ["Unannotated"]
        return roles

    def run(self, tree: Any, data: bytes, mode: Mode) -> Any:
        context = Context(data=data, language=self.language)
        return self._visit(tree, context, mode, "", "")

    def _visit(self, value: Any, context: Context, mode: Mode, parent_type: str, field: str) -> Any:
        # Runs once per node of every parse: plain type checks, no copies of the node's items.
        kind = type(value)
        if kind is list:
            return [self._visit(item, context, mode, parent_type, field) for item in value]
        if kind is not dict:
            return value
        native_type = value.get(TYPE)
        # Children first, with this node as their parent (replacing values keeps the keys' order).
        own_type = native_type if isinstance(native_type, str) else parent_type
        for key, child in value.items():
            child_kind = type(child)
            if (child_kind is dict or child_kind is list) and key != POS:
                value[key] = self._visit(child, context, mode, own_type, key)
        if not isinstance(native_type, str) or native_type.startswith("uast:"):
            return value
        if mode is not Mode.NATIVE:
            roles = self.roles_of(native_type, parent_type, field)
            own = value.get(ROLE)
            value[ROLE] = sorted({*roles, *own} - {"Unannotated"} or {"Unannotated"}) if own else list(roles)
        value[TYPE] = native_type if ":" in native_type else self.prefix + native_type
        if mode is Mode.SEMANTIC:
            transform = self.tables.transforms.get(native_type)
            if transform is not None:
                context.parent_type, context.field = parent_type, field
                return transform(value, context)
        return value


def native_objects(tree: Any) -> Iterator[Node]:
    """Every object of a tree, in no set order, for a driver's own pass over it in place (the
    roles that depend on a node's content, which the tables keyed by type cannot say).  A
    node's children are taken before it is yielded: the caller may change the node."""
    stack = [tree]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is list:
            stack.extend(value)
        elif kind is dict:
            stack.extend(child for key, child in value.items() if key != POS and type(child) in (dict, list))
            yield value
