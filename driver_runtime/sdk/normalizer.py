"""Annotation and normalisation of a native tree, driven by a driver's declarative tables.

A driver describes its language with three tables (Babelfish's idea: one place per concept,
no maze of ifs):

* ``ROLES``: native type -> roles every node of that type has;
* ``FIELD_ROLES``: (parent native type or "*", field) -> roles added to the child found there
  (Babelfish's Left/Right, Callee, Argument, Body...);
* ``TRANSFORMS``: native type -> a function that turns the (annotated, children first)
  native node into its semantic form (uast:* nodes), or returns it unchanged.

and, where it needs them, three more: ``content_roles`` (roles that depend on what a node holds,
an operator's symbol, which a table keyed by type cannot say), ``child_roles`` (roles that a
node's content gives its children in one field: Go's `var` declaration makes its specs
Variables) and ``detached`` (fields that semantic mode drops from every object).

In semantic mode a uast:* node a transform makes keeps the roles of the native node it replaces
and has the roles of its concept (CONCEPT_ROLES: uast:Identifier is an Identifier, a
uast:FunctionGroup a Function and a Declaration); the uast:* nodes it makes around that one (a
function's Alias, Function and FunctionType) have their concept's.  Babelfish left them without
roles, so that `//*[@role='Function' and @role='Declaration']` found Python's classes and not its
functions; here a role query answers alike in every language (carry_roles).

The walk is bottom-up: a transform sees children that are already semantic.  It is one pass
over the tree whatever the mode, and it runs once per node of every parse (a 4 MB minified
file has over a million): what can be decided once per (type, parent type, field) is, in a
plan cached by the normalizer, and the walk itself is a closure over its locals.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any

import attrs

from driver_runtime.sdk.nodes import CONCEPT_ROLES
from driver_runtime.sdk.protocol import Mode
from driver_runtime.sdk.uast import POS, ROLE, TYPE

Node = dict[str, Any]

UNANNOTATED = "Unannotated"


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
ContentRoles = Callable[[Node], Iterable[str]]


@attrs.frozen
class Tables:
    roles: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    field_roles: Mapping[tuple[str, str], tuple[str, ...]] = attrs.field(factory=dict)
    transforms: Mapping[str, Transform] = attrs.field(factory=dict)
    # native type -> the roles a node of that type takes from its content (annotated and
    # semantic modes), e.g. an operator expression's Add or Relational.  They replace whatever
    # roles the native node came with, and join its table roles.
    content_roles: Mapping[str, ContentRoles] = attrs.field(factory=dict)
    # Fields dropped from every object in semantic mode, before its children are walked (their
    # content is then never normalised): JavaScript's comments hung on nodes, listed once in
    # File.comments instead.
    detached: frozenset[str] = frozenset()
    # native type -> (field, function of the node): the roles the node's content gives each of
    # its children (objects) in that field, e.g. Go's GenDecl with the token `var` makes its
    # Specs Variables.  Annotated and semantic modes: they join the child's roles once the
    # children are normalised (as an Unannotated child's table roles are replaced), before the
    # node's own transform.
    child_roles: Mapping[str, tuple[str, ContentRoles]] = attrs.field(factory=dict)


# The uast:* nodes whose name is a uast:Identifier of their own, which has the Identifier role:
# they do not keep the roles that said the native node spelled a name itself (Python's `def`
# and parameters, Ruby's `def`: Identifier, Name).
_NAMED_BY_CHILD = frozenset(("uast:FunctionGroup", "uast:Argument", "uast:Alias", "uast:Import", "uast:RuntimeImport",
                             "uast:RuntimeReImport", "uast:InlineImport"))
_SPELLED_NAME = frozenset(("Identifier", "Name", UNANNOTATED))

# (uast:* type, its roles, the native node's) -> the roles it has, sorted: a few dozen
# combinations per language, met once per identifier of a file.
_CARRIED: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[str]] = {}


def _joined(kind: str, own: Iterable[str], native: Iterable[str]) -> list[str]:
    key = (kind, tuple(own), tuple(native))
    roles = _CARRIED.get(key)
    if roles is None:
        carried = set(key[2]) - (_SPELLED_NAME if kind in _NAMED_BY_CHILD else {UNANNOTATED})
        roles = _CARRIED[key] = sorted(carried.union(key[1], CONCEPT_ROLES.get(kind, ())) - {UNANNOTATED})
    return [*roles]


def carry_roles(result: Any, native: Node) -> Any:
    """The result of a transform of `native`, with roles (semantic mode): the uast:* node that
    replaces the native node (one made for it, or a child in its place) keeps the native node's
    roles besides its own and its concept's.  The uast:* nodes made around or inside it have
    their concept's from kit.nodes, which made them (a driver that writes one out as a dict
    gives it them too: tests/test_semantic_roles.py checks every driver's samples).  Drivers
    that do not use the Normalizer's walk (Python's converter) call it on their transforms'
    results too."""
    if type(result) is dict:
        kind = result.get(TYPE)
        if type(kind) is str and kind.startswith("uast:"):
            own = result.get(ROLE)
            if result is native:  # made a uast:* node in place: its roles are the native node's
                roles = _joined(kind, own or (), ())
            else:
                roles = _joined(kind, own or (), native.get(ROLE) or ())
            if roles:
                result[ROLE] = roles
    return result


def leftover(native: Node, kind: str) -> Node:
    """A native node kept beside the uast:* node of `kind` that replaces it, for what that node
    has no place for (a FunctionGroup's modifiers, template parameters): without the roles of
    that concept, which the uast:* node has (a function is one Function and Declaration)."""
    roles = native.get(ROLE)
    if roles:
        concept = CONCEPT_ROLES.get(kind, ())
        native[ROLE] = [role for role in roles if role not in concept] or [UNANNOTATED]
    return native


# How a node of a (type, parent type, field) is finished: its prefixed type, its table roles
# (sorted; copied into each node), its content roles and its transform.  A uast:* node (made by
# a driver's native side) is left as it is: its plan is SKIP.
Plan = tuple[str, tuple[str, ...], ContentRoles | None, Transform | None]
SKIP: Plan = ("", (), None, None)


class Normalizer:
    """Applies a language's tables to native trees, for a mode."""

    def __init__(self, language: str, tables: Tables):
        self.language = language
        self.prefix = f"{language}:"
        self.tables = tables
        # (type, parent type, field) -> the sorted roles: the tables' union, computed once.
        self._roles: dict[tuple[str, str, str], list[str]] = {}
        # Per mode, (type, parent type, field) -> its Plan, computed once.
        self._plans: dict[Mode, dict[tuple[str, str, str], Plan]] = {mode: {} for mode in Mode}

    def roles_of(self, native_type: str, parent_type: str, field: str) -> list[str]:
        key = (native_type, parent_type, field)
        roles = self._roles.get(key)
        if roles is None:
            found = set(self.tables.roles.get(native_type, ()))
            found.update(self.tables.field_roles.get((parent_type, field), ()))
            found.update(self.tables.field_roles.get(("*", field), ()))
            roles = self._roles[key] = sorted(found) if found else [UNANNOTATED]
        return roles

    def _plan(self, mode: Mode, native_type: str, parent_type: str, field: str) -> Plan:
        if native_type.startswith("uast:"):
            plan = SKIP
        else:
            annotated = mode is not Mode.NATIVE
            semantic = mode is Mode.SEMANTIC
            plan = (
                native_type if ":" in native_type else self.prefix + native_type,
                tuple(self.roles_of(native_type, parent_type, field)) if annotated else (),
                self.tables.content_roles.get(native_type) if annotated else None,
                self.tables.transforms.get(native_type) if semantic else None,
            )
        self._plans[mode][native_type, parent_type, field] = plan
        return plan

    def run(self, tree: Any, data: bytes, mode: Mode, done: Collection[int] | None = None,
            watched: Mapping[int, int] | None = None, results: dict[int, Any] | None = None) -> Any:
        """The tree normalised.  For a driver that reuses the normalised subtrees of a previous
        parse: `done`, the ids of objects already normalised (taken as they are); `watched`, ids
        of native objects -> a number under which `results` gets what each became."""
        context = Context(data=data, language=self.language)
        kind = type(tree)
        if kind is not dict and kind is not list:
            return tree
        visit, visit_list = self._walker(context, mode, done or set(), watched or {},
                                         results if results is not None else {})
        return visit(tree, "", "") if kind is dict else visit_list(tree, "", "")

    def _walker(self, context: Context, mode: Mode, done: Collection[int], watched: Mapping[int, int],
                results: dict[int, Any]) -> tuple[Callable[[Node, str, str], Any],
                                                  Callable[[list[Any], str, str], list[Any]]]:
        """The walk for one tree: two closures (an object, a list), everything they need bound
        as locals, which are the fastest lookups Python has."""
        plans = self._plans[mode]
        plan_for = self._plan
        annotated = mode is not Mode.NATIVE
        detached = self.tables.detached if mode is Mode.SEMANTIC else frozenset()
        child_roles = self.tables.child_roles if annotated else {}
        unannotated = {UNANNOTATED}
        semantic = mode is Mode.SEMANTIC
        concept_roles, carry = CONCEPT_ROLES, carry_roles
        _dict, _list, _str, _pos, _type, _role = dict, list, str, POS, TYPE, ROLE

        def visit_list(items: list[Any], parent_type: str, field: str) -> list[Any]:
            # A new list, as the items become their normalised forms (nested lists keep the
            # place of the list: same parent type and field).
            return [visit(item, parent_type, field) if type(item) is _dict
                    else visit_list(item, parent_type, field) if type(item) is _list
                    else item
                    for item in items]

        def visit_node(value: Node, parent_type: str, field: str) -> Any:
            if detached and not detached.isdisjoint(value):
                for key in detached:
                    value.pop(key, None)
            native_type = value.get(_type)
            own_type = native_type if isinstance(native_type, _str) else parent_type
            # Children first, with this node as their parent (replacing values keeps the keys'
            # order; @pos is a position, not a child).
            for key, child in value.items():
                kind = type(child)
                if kind is _dict:
                    if key != _pos:
                        value[key] = visit(child, own_type, key)
                elif kind is _list and key != _pos:
                    value[key] = visit_list(child, own_type, key)
            if own_type is not native_type:  # an object without a type: not a node
                return value
            plan = plans.get((native_type, parent_type, field))
            if plan is None:
                plan = plan_for(mode, native_type, parent_type, field)
            full_type, roles, content, transform = plan
            if not full_type:  # uast:* (made by a native side): its concept's roles
                if semantic and _role not in value and native_type in concept_roles:
                    value[_role] = [*concept_roles[native_type]]
                return value
            if annotated:
                own = value.get(_role) if content is None else list(content(value))
                value[_role] = sorted({*roles, *own} - unannotated or unannotated) if own else list(roles)
                if child_roles and native_type in child_roles:
                    add_child_roles(value, *child_roles[native_type])
            value[_type] = full_type
            if transform is not None:
                context.parent_type = parent_type
                context.field = field
                return carry(transform(value, context), value)
            return value

        def visit_reusing(value: Node, parent_type: str, field: str) -> Any:
            if id(value) in done:
                return value
            number = watched.get(id(value))
            result = visit_node(value, parent_type, field)
            if number is not None:
                results[number] = result
            return result

        visit = visit_reusing if done or watched else visit_node
        return visit, visit_list


def add_child_roles(node: Node, field: str, content: ContentRoles) -> None:
    """Tables.child_roles: the roles the node's content gives its children in `field`."""
    given = set(content(node))
    if not given:
        return
    children = node.get(field)
    for child in children if type(children) is list else (children,):
        if type(child) is dict:
            child[ROLE] = sorted({*(child.get(ROLE) or ()), *given} - {UNANNOTATED} or {UNANNOTATED})


def native_objects(tree: Any) -> Iterator[Node]:
    """Every object of a tree, in no set order, for a driver's own pass over it in place (the
    roles that depend on a node's content, which the tables keyed by type cannot say).  A
    node's children are taken before it is yielded: the caller may change the node."""
    stack = [tree]
    pop, push = stack.pop, stack.append
    _dict, _list, _pos = dict, list, POS
    while stack:
        value = pop()
        kind = type(value)
        if kind is _list:
            stack.extend(value)
        elif kind is _dict:
            for key, child in value.items():
                child_kind = type(child)
                if (child_kind is _dict or child_kind is _list) and key != _pos:
                    push(child)
            yield value
