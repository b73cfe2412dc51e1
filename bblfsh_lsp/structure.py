"""One pass over a UAST that the outline, folding and selection ranges all read from.

Drivers do not always give a node the span of everything it covers: Babelfish gives a Python
class or function only the span of its name.  So every node's *extent* is computed here as
the union of its own span and its descendants' extents.  Nodes with neither have no extent.
"""

from __future__ import annotations

from typing import Any

import attrs

from driver_runtime.uast import POS

NO_EXTENT = -1


@attrs.define(slots=True)
class Item:
    node: dict[str, Any]
    parent: int  # index of the parent item, -1 for the root
    field: str  # the parent's field that holds this node
    depth: int
    start: int = NO_EXTENT  # extent: own span united with the descendants' extents
    end: int = NO_EXTENT

    @property
    def has_extent(self) -> bool:
        return self.start != NO_EXTENT


def flatten(tree: dict[str, Any], size: int) -> list[Item]:
    """Every object of the tree in pre-order (parents first), with extents.

    `size` is the length of the source in bytes: spans are clamped to it, so a driver's
    off-by-one never makes an LSP range point past the end of the document.
    """
    items: list[Item] = []
    append = items.append
    stack: list[tuple[dict[str, Any], int, str, int]] = [(tree, -1, "", 0)]
    pop = stack.pop
    while stack:
        node, parent, field, depth = pop()
        index = len(items)
        item = Item(node, parent, field, depth)
        pos = node.get(POS)
        if pos:
            start = pos.get("start")
            end = pos.get("end", start)
            if start is not None:
                item.start = min(max(start, 0), size)
                item.end = min(max(end if end is not None else start, item.start), size)
        append(item)
        kids: list[tuple[dict[str, Any], int, str, int]] = []
        for key, value in node.items():
            if key == POS:
                continue
            if isinstance(value, dict):
                kids.append((value, index, key, depth + 1))
            elif isinstance(value, list):
                for element in value:
                    if isinstance(element, dict):
                        kids.append((element, index, key, depth + 1))
        kids.reverse()
        stack.extend(kids)
    # Children come after their parent in pre-order: one backward sweep unites extents upward.
    for item in reversed(items):
        if item.start == NO_EXTENT or item.parent < 0:
            continue
        parent_item = items[item.parent]
        if parent_item.start == NO_EXTENT:
            parent_item.start, parent_item.end = item.start, item.end
        else:
            if item.start < parent_item.start:
                parent_item.start = item.start
            if item.end > parent_item.end:
                parent_item.end = item.end
    return items


def extent(node: dict[str, Any]) -> tuple[int, int] | None:
    """The extent of one subtree (own span united with the descendants'), or None."""
    start = end = None
    stack: list[Any] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(current)
            continue
        if not isinstance(current, dict):
            continue
        for key, value in current.items():
            if key == POS:
                if value and value.get("start") is not None:
                    s = value["start"]
                    e = value.get("end", s)
                    e = s if e is None else e
                    start = s if start is None or s < start else start
                    end = e if end is None or e > end else end
            elif isinstance(value, (dict, list)):
                stack.append(value)
    return None if start is None or end is None else (start, max(start, end))
