"""What a driver's UAST must be, checked alike for every driver: its nodes and their spans in the
source (UTF-8 byte offsets), Babelfish's roles, names that span their text.  A plain module,
imported by the driver suite (tests/test_drivers.py, tests/driver_cases/).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from driver_runtime.sdk import uast

Node = dict[str, Any]

# The roles Babelfish's drivers use (all of them, from the conformance corpus).
BABELFISH_ROLES = set(
    "Add Alias And Annotation Anonymous ArgsList Argument Arithmetic Assert Assignment Base Binary "
    "Bitwise Block Body Boolean Break Byte Call Callee Case Catch Character Comment Condition Contains "
    "Continue Declaration Decrement Default Dereference Divide DoWhile Documentation Else Entry "
    "Enumeration Equal Expression File Finally For Function Goto GreaterThan GreaterThanOrEqual "
    "Identical Identifier If Import Incomplete Increment Initialization Instance Iterator Key Left "
    "LeftShift LessThan LessThanOrEqual List Literal Map Module Modulo Multiply Name Negative Noop Not "
    "Null Number Operator Or Package Pathname Positional Positive Postfix Primitive Qualified Receiver "
    "Regexp Relational Return Right RightShift Scope Set Statement String Substract Subtype Switch "
    "TakeAddress Then This Throw Try Tuple Type Unannotated Unary Unsigned Update Value Variable "
    "Visibility While World Xor".split()
)


# --- trees ---------------------------------------------------------------------------------------


def nodes(tree: Any) -> list[Node]:
    """Every object in the tree, parents before children."""
    return list(uast.walk(tree))


def of_type(tree: Any, node_type: str) -> list[Node]:
    """The tree's nodes of one @type, in order."""
    return [node for node in nodes(tree) if node.get("@type") == node_type]


def types_in(tree: Any) -> set[str]:
    """The @types in the tree ("" for objects without one)."""
    return {node.get("@type", "") for node in nodes(tree)}


def text_of(source: str, node: Node) -> str:
    """The text a node spans (its @pos are UTF-8 byte offsets); the node must have a span."""
    span = uast.span(node)
    assert span is not None, node
    return source.encode("utf-8")[span[0]:span[1]].decode("utf-8")


def assert_true_spans(source: str, tree: Any, *, whole: bool = False, every_offset: bool = False) -> None:
    """Every node's start and end inside the source's UTF-8 bytes, the start not after the end,
    and the span on character boundaries.

    whole: a node with positions has both a start and an end.
    every_offset: every named offset in @pos (go/ast's Lbrace, ...) is inside the source too.
    """
    data = source.encode("utf-8")
    for node in nodes(tree):
        pos = node.get("@pos") or {}
        if every_offset:
            for name, offset in pos.items():
                assert 0 <= offset <= len(data), (name, node)
        if whole and pos:
            assert pos.get("start") is not None and pos.get("end") is not None, node  # whole spans or none
        for offset in (pos.get("start"), pos.get("end")):
            assert offset is None or 0 <= offset <= len(data), node
        span = uast.span(node)
        if span is not None:
            assert span[0] <= span[1], node
            data[span[0]:span[1]].decode("utf-8")  # raises if a span cuts a character


def assert_names_spanned(source: str, tree: Any, kinds: Iterable[str] = ("uast:Identifier",), *,
                         unless: Callable[[Node], bool] = lambda node: False, where: Any = None) -> None:
    """Every positioned node of these kinds spans its name (its Name, else its @token), but the
    nodes `unless` excuses; `where` names the file in a failure."""
    kinds = set(kinds)
    for node in nodes(tree):
        if node.get("@type") in kinds and "@pos" in node and not unless(node):
            assert text_of(source, node) == node.get("Name", node.get("@token")), (where, node)


def assert_native(tree: Any) -> None:
    """A native-mode tree: the parser's own node types only, and no roles."""
    assert not any(kind.startswith("uast:") for kind in types_in(tree))
    assert not any("@role" in node for node in nodes(tree))


def assert_roles_added(native: Any, annotated: Any, *, every_node: bool = False, ordered: bool = False) -> None:
    """Annotated mode is native mode plus roles: the same node types, and every typed node (every
    object, with every_node) has roles, all of them Babelfish's (in sorted order, with ordered)."""
    assert types_in(annotated) == types_in(native)
    for node in nodes(annotated):
        if every_node or "@type" in node:
            roles = node.get("@role")
            assert roles and set(roles) <= BABELFISH_ROLES, node
            if ordered:
                assert list(roles) == sorted(roles), node


def assert_role_tables(tables: Iterable[Iterable[str]], *, ordered: bool = True) -> None:
    """A driver's role tables name Babelfish's roles only (each table sorted, with ordered)."""
    tables = [list(roles) for roles in tables]
    used = {role for roles in tables for role in roles}
    assert used <= BABELFISH_ROLES, used - BABELFISH_ROLES
    if ordered:
        assert all(roles == sorted(roles) for roles in tables)
