"""The UAST explorer's data: a document's tree as the editor shows it (each node's type, label,
roles, scalar fields and range in the editor's positions), and the node a path of child numbers
leads to, for "Copy as query" (bblfsh_lsp/query/node_query.py).

A node's children are the objects its fields hold, in field order (a list's items in turn), each
with the field's name; what has no position of its own spans its children (a function group, a
map), so that the cursor finds it.  Plain functions: no LSP here but the positions' encoding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bblfsh_lsp.positions import TextIndex
from driver_runtime.sdk.labels import label, xpath_string
from driver_runtime.sdk.uast import ROLE, TYPE, span

Node = dict[str, Any]

MAX_NODES = 100_000  # past that, the explorer shows the first ones and says the tree was cut
_PROPERTY_WIDTH = 80


def children(node: Node) -> Iterator[tuple[str, Node]]:
    """(field, child object) in the node's field order; the numbering paths use."""
    for key, value in node.items():
        if key.startswith("@"):
            continue
        if isinstance(value, dict):
            yield key, value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    yield key, item


def properties(node: Node) -> dict[str, str]:
    """The node's scalar fields (and lists of scalars) as short text: what a row's tooltip shows."""
    out: dict[str, str] = {}
    for key, value in node.items():
        if key.startswith("@") and key not in ("@token",):
            continue
        if isinstance(value, list) and value and not any(isinstance(item, (dict, list)) for item in value):
            text = ", ".join(xpath_string(item) for item in value)
        elif value is None or isinstance(value, (dict, list)):
            continue
        else:
            text = xpath_string(value)
        out[key] = text if len(text) <= _PROPERTY_WIDTH else text[:_PROPERTY_WIDTH - 1] + "\u2026"
    return out


def node_at(tree: Node, path: list[int]) -> Node:
    """The node a path of child numbers leads to from the root; IndexError if it leads nowhere."""
    node = tree
    for number in path:
        if not isinstance(number, int) or number < 0:
            raise IndexError(f"bad step {number!r}")
        for position, (_, child) in enumerate(children(node)):
            if position == number:
                node = child
                break
        else:
            raise IndexError(f"node has no child {number}")
    return node


def _range(index: TextIndex, start: int, end: int) -> dict[str, Any]:
    start_line, start_char = index.position(start)
    end_line, end_char = index.position(end)
    return {"start": {"line": start_line, "character": start_char}, "end": {"line": end_line, "character": end_char}}


def explorer_tree(tree: Node, index: TextIndex, max_nodes: int = MAX_NODES) -> tuple[dict[str, Any], int, bool]:
    """The tree for the explorer: (root, nodes in it, whether it was cut at max_nodes).

    Built without recursion (trees are deep): entries are made top-down, then each one's span
    is set bottom-up from its own position or its children's."""
    root: dict[str, Any] = {}
    entries: list[tuple[dict[str, Any], Node, dict[str, Any] | None]] = []  # (entry, node, parent entry)
    stack: list[tuple[Node, str | None, dict[str, Any] | None]] = [(tree, None, None)]
    count = 0
    cut = False
    while stack:
        node, field, parent = stack.pop()
        if count >= max_nodes:
            cut = True
            break
        count += 1
        entry: dict[str, Any] = {"type": node.get(TYPE) or "map", "label": label(node), "children": []}
        if field is not None:
            entry["field"] = field
        roles = node.get(ROLE)
        if isinstance(roles, list) and roles:
            entry["roles"] = [role for role in roles if isinstance(role, str)]
        props = properties(node)
        if props:
            entry["properties"] = props
        if parent is None:
            root = entry
        else:
            parent["children"].append(entry)
        entries.append((entry, node, parent))
        stack.extend((child, key, entry) for key, child in reversed(list(children(node))))
    spans: dict[int, tuple[int, int]] = {}
    size = len(index.data)
    for entry, node, parent in reversed(entries):
        own = span(node) or spans.get(id(entry))
        if own is not None:
            start, end = min(own[0], size), min(own[1], size)
            entry["range"] = _range(index, start, end)
            if parent is not None:
                known = spans.get(id(parent))
                spans[id(parent)] = (start, end) if known is None else (min(known[0], start), max(known[1], end))
    return root, count, cut
