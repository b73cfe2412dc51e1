"""Subtrees of a document's last parse reused in its next one, and moving their positions.

After a keystroke most of a document converts to the UAST it converted to before, moved by as
many bytes as the edit added before it; a driver that keeps its conversions (the Python driver's
statements, the universal driver's subtrees) reuses them instead of converting again.  Their
positions must then move, which costs a walk over every node after the edit: the top-level
statements a driver reuses are left where they were until the answer is sent (Moves), and the
outline and folds, which sdk.views makes again from what did not change, read them as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

Node = dict[str, Any]


def positions(nodes: list[Any], apart: Collection[int] = ()) -> list[dict[str, Any]]:
    """Every position object in subtrees, once each: what moving them moves (a list walked
    faster than the trees, kept by a driver for the subtrees it moves again and again), but
    those inside the objects whose ids are `apart` (subtrees whose positions are listed apart)."""
    found: list[dict[str, Any]] = []
    seen: set[int] = set(apart)
    stack = list(nodes)
    for node in nodes:
        seen.discard(id(node))
    pop, push, add, keep = stack.pop, stack.append, seen.add, found.append
    _dict, _list = dict, list
    while stack:
        value = pop()
        if type(value) is _list:
            stack.extend(value)
        elif type(value) is _dict:
            if id(value) in seen:
                continue
            add(id(value))
            for key, item in value.items():
                if key == "@pos":
                    if type(item) is _dict and id(item) not in seen:
                        add(id(item))
                        keep(item)
                elif type(item) is _dict or type(item) is _list:
                    push(item)
    return found


def move(places: list[dict[str, Any]], delta: int) -> None:
    """Positions (positions()' list) moved by delta bytes: every offset in them (a native tree's
    positions may name more than start and end: Go's Lbrace, TokPos...); what holds no offset
    stays as it is (the Python driver gives some nodes a start only)."""
    for pos in places:
        for key, offset in pos.items():
            if type(offset) is int:
                pos[key] = offset + delta


def anchor(node: Any) -> int | None:
    """The first position in a subtree (pre-order), which says where it is now."""
    stack = [node]
    while stack:
        value = stack.pop()
        if type(value) is list:
            stack.extend(reversed(value))
        elif type(value) is dict:
            pos = value.get("@pos")
            if type(pos) is dict and type(pos.get("start")) is int:
                return pos["start"]
            stack.extend(reversed([item for key, item in value.items() if key != "@pos"]))
    return None


class Moves:
    """The subtrees a parse reused from the last, each given by its positions (positions()):
    those inside others are moved at once (now), the top-level statements of the tree only once
    the answer is sent (later; each is `delta` bytes before where it now is until then).
    settle() moves them; the driver's kit calls it once the answer is sent, and before anything
    reads the tree but sdk.views.  The subtrees one parse reuses share no position: a transform
    puts one position in two places only within the node it makes, and each reused subtree's list
    holds its positions once, those kept inside it included (the caller's to see to)."""

    def __init__(self) -> None:
        self._pending: dict[int, tuple[Node, int, Callable[[], list[dict[str, Any]]]]] = {}

    def __bool__(self) -> bool:
        return bool(self._pending)

    def begin(self) -> None:
        """A new parse: what the last one left pending is moved first."""
        self.settle()

    def now(self, places: list[dict[str, Any]], delta: int) -> None:
        """Positions moved at once."""
        if delta:
            move(places, delta)

    def later(self, node: Node, delta: int, places: Callable[[], list[dict[str, Any]]]) -> None:
        """A top-level statement moved once the answer is sent (`places`: its positions, asked
        for then)."""
        if delta:
            known = self._pending.get(id(node))
            self._pending[id(node)] = (node, delta + (known[1] if known else 0), places)

    def delta(self, node: Node) -> int:
        known = self._pending.get(id(node))
        return known[1] if known is not None else 0

    def settle_one(self, node: Node) -> None:
        known = self._pending.pop(id(node), None)
        if known is not None:
            self.now(known[2](), known[1])

    def settle(self) -> None:
        pending, self._pending = self._pending, {}
        for _, delta, places in pending.values():
            self.now(places(), delta)
