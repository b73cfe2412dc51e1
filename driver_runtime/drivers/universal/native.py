"""A tree-sitter tree in Babelfish's JSON shape (the native UAST), in one iterative walk.

* Every named node is an object: ``@type`` ``"<language>:<node type>"`` (``rust:function_item``),
  ``@pos`` ``{"start", "end"}`` in bytes (the protocol's wire form), and its children.
* A named child found in a field is under the field's name (``name``, ``body``): the node itself
  when the field holds one, a list when it holds several.  Named children in no field (statements
  of a block, comments, the items of a file) are in the list ``children``, in source order.
* A named node without named children is a leaf: its ``@token`` is its source text
  (``identifier``, ``integer_literal``, a ``true`` made of one keyword), unless that text is only
  delimiters (an empty ``()`` or ``{}``: no ``@token``).  A comment (a type ending in ``comment``)
  is always a leaf with its whole text as ``@token``, whatever parts its grammar gives it (Rust's
  doc comments, Lua's ``--`` and content).
* Anonymous tokens (punctuation, keywords) are dropped, except: a token in a field is the field's
  value as a string (``"operator": "+"``, as grammars name an operator); and an operator token in
  no field (``-`` in ``-x``, ``or`` in Lua's ``a or b``) is the ``@token`` of its node, when it is
  the node's only one.  A delimiter (brackets, ``,``, ``;``, ``:``, ``.``, quotes, ``->``,
  ``::``...) is never an operator here, nor is a keyword, but for the few that are operators
  (``and``, ``or``, ``not``...).
* Comments are in the tree where they are (tree-sitter's extras: in ``children``).
* ERROR nodes are kept (``rust:ERROR``) and reported; MISSING nodes (inserted by the parser's
  error recovery, zero-width) are reported and left out of the tree.
"""

from __future__ import annotations

from typing import Any, Protocol

from tree_sitter import Node as TSNode
from tree_sitter import Tree

from driver_runtime.sdk.protocol import ParseError, Position

Node = dict[str, Any]

CHILDREN = "children"
MAX_ERRORS = 100

_DELIMITER_CHARS = frozenset("()[]{},;:.\"'`")
_NOT_OPERATORS = frozenset({"->", "=>", "::", "..", "?.", "@", "#", "$", "\\", "#!", "<<<", "<?php", "?>"})
_KEYWORD_OPERATORS = frozenset({"and", "or", "not", "xor", "instanceof", "typeof", "mod", "div"})
_operators: dict[str, bool] = {}
_BLANK_OR_DELIMITER = frozenset(" \t\r\n\f\v") | _DELIMITER_CHARS


def is_operator(token: str) -> bool:
    """Whether an anonymous token is an operator: symbols only, not a delimiter."""
    known = _operators.get(token)
    if known is None:
        known = _operators[token] = token in _KEYWORD_OPERATORS or bool(
            token
            and not any(char.isalnum() or char == "_" or char.isspace() for char in token)
            and not set(token) <= _DELIMITER_CHARS
            and token not in _NOT_OPERATORS
        )
    return known


def _token(data: bytes, start: int, end: int, has_children: bool) -> str | None:
    """A leaf's token: its text, unless it is made of anonymous delimiters only (``()``)."""
    text = data[start:end].decode("utf-8", "replace")
    if has_children and set(text) <= _BLANK_OR_DELIMITER:
        return None
    return text


def _position(offset: int, point: Any) -> Position:
    return Position(offset=offset, line=point[0] + 1, col=point[1] + 1)


def _error(node: TSNode, data: bytes) -> ParseError:
    if node.is_missing:
        message = f"syntax error: missing {node.type}"
    else:
        text = data[node.start_byte:node.end_byte].decode("utf-8", "replace").strip()
        if len(text) > 40:
            text = text[:37] + "..."
        message = f"syntax error: unexpected {text!r}" if text else "syntax error"
    return ParseError(message=message, start=_position(node.start_byte, node.start_point),
                      end=_position(node.end_byte, node.end_point))


class Reuse(Protocol):
    """What a conversion may take from a document's previous one (memo.py): asked for every
    named node of at least `min_bytes` and every child of the root, in source order."""

    min_bytes: int

    def begin(self, root: Node) -> None:
        """The object the tree's top-level nodes attach to."""

    def take(self, node: TSNode, parent: Node, field: str) -> Node | None:
        """The node's conversion if known (its subtree is then not walked), else None."""

    def made(self, node: TSNode, converted: Node, parent: Node, field: str) -> None:
        """The object a node not taken became (its children follow)."""

    def row(self, node: TSNode, converted: Node) -> Any:
        """What the children of a node about to be walked are met in (the root, and one with
        at least ROW_CHILDREN named children)."""

    def met(self, row: Any, start: int, end: int, converted: Node | None) -> None:
        """A child in a row, in order: the object it is among its parent's children (None: an
        anonymous node, a field's, or one not converted)."""

    def run(self, row: Any, node: TSNode) -> list[Node] | None:
        """For a child in a row: the objects of it and of the siblings after it, if known (they
        are not walked)."""


# Nodes with fewer named children are walked child by child (Reuse.row).
ROW_CHILDREN = 8


def _attach(target: Node, key: str, child: Node) -> None:
    """A named child under its field: the node itself, a list once the field holds several (or
    always for CHILDREN)."""
    existing = target.get(key)
    if existing is None:
        target[key] = [child] if key == CHILDREN else child
    elif type(existing) is list:
        existing.append(child)
    else:
        target[key] = [existing, child]


def convert(tree: Tree, data: bytes, prefix: str, reuse: Reuse | None = None) -> tuple[Node, list[ParseError]]:
    """The native UAST of a tree over `data`, node types prefixed with `prefix` ("rust:", or ""
    for the normalizer to prefix), and the syntax errors the tree holds."""
    cursor = tree.walk()
    root = cursor.node
    check = root.has_error  # ERROR and MISSING are looked for only in a tree that has some
    problems: list[TSNode] = []
    operator = is_operator
    _list = list
    min_bytes = reuse.min_bytes if reuse is not None else 0

    start, end = root.start_byte, root.end_byte
    top: Node = {"@type": prefix + root.type, "@pos": {"start": start, "end": end}}
    if check and root.is_error:
        problems.append(root)
    if reuse is not None:
        reuse.begin(top)
    # Per depth of the cursor: [the object children attach to, operator state, is a leaf, the
    # row its children are met in or None].  Operator state: None (none seen), the one operator
    # token, or False (none to keep).
    if root.named_child_count == 0:
        token = _token(data, start, end, root.child_count > 0)
        if token is not None:
            top["@token"] = token
        frames: list[list[Any]] = [[top, False, True, None]]
    else:
        frames = [[top, None, False, reuse.row(root, top) if reuse is not None else None]]
    if not cursor.goto_first_child():
        return top, [_error(node, data) for node in problems]
    while True:
        node = cursor.node
        frame = frames[-1]
        descend = False
        row = frame[3]
        if row is not None:
            if node.is_named and cursor.field_name is None and not (check and node.has_error):
                run = reuse.run(row, node)  # type: ignore[union-attr]
                if run is not None:  # siblings known: attached as they are, not walked
                    frame[0].setdefault(CHILDREN, []).extend(run)
                    # To the last of them: the same siblings as when they were met (nothing
                    # between them), so as many steps (goto_first_child_for_byte finds no child
                    # in some trees).
                    for _ in range(len(run) - 1):
                        cursor.goto_next_sibling()
                    node = row = None
            if row is not None:
                met_start, met_end = node.start_byte, node.end_byte
                met: Node | None = None
        if node is not None and check and (node.is_missing or node.is_error):
            problems.append(node)
            if node.is_missing:
                node = None
        if node is None:
            pass
        elif node.is_named:
            start, end = node.start_byte, node.end_byte
            target = frame[0]
            key = cursor.field_name or CHILDREN
            # A row's children of any size: given back, the views hold runs of them as one.
            reused = reuse is not None and (end - start >= min_bytes or row is not None)
            taken = reuse.take(node, target, key) if reused else None  # type: ignore[union-attr]
            if taken is not None:  # its subtree is known: not walked
                _attach(target, key, taken)
                met = taken
            else:
                kind = node.type
                child: Node = {"@type": prefix + kind, "@pos": {"start": start, "end": end}}
                _attach(target, key, child)
                met = child
                if reused:
                    reuse.made(node, child, target, key)  # type: ignore[union-attr]
                if kind.endswith("comment"):
                    child["@token"] = data[start:end].decode("utf-8", "replace")
                elif node.named_child_count == 0:
                    has_children = node.child_count > 0
                    token = _token(data, start, end, has_children)
                    if token is not None:
                        child["@token"] = token
                    if check and has_children:  # only to find MISSING tokens inside
                        descend = True
                        new_frame = [child, False, True, None]
                else:
                    descend = True
                    new_frame = [child, None, False, reuse.row(node, child) if reuse is not None  # type: ignore[union-attr]
                                 and node.named_child_count >= ROW_CHILDREN else None]
        else:
            field = cursor.field_name
            if not frame[2]:
                if field is not None:
                    token = data[node.start_byte:node.end_byte].decode("utf-8", "replace")
                    target = frame[0]
                    existing = target.get(field)
                    if existing is None:
                        target[field] = token
                    elif type(existing) is _list:
                        existing.append(token)
                    else:
                        target[field] = [existing, token]
                    frame[1] = False
                elif frame[1] is not False and operator(node.type):
                    frame[1] = False if frame[1] is not None else data[node.start_byte:node.end_byte].decode(
                        "utf-8", "replace")
            if node.child_count:  # an anonymous node with children (an alias): they go to its parent
                descend = True
                new_frame = [frame[0], False, frame[2], None]
        if row is not None:
            reuse.met(row, met_start, met_end, met if cursor.field_name is None else None)  # type: ignore[union-attr]
        if descend and cursor.goto_first_child():
            frames.append(new_frame)
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                break
            done = frames.pop()
            if done[1]:
                done[0]["@token"] = done[1]
        else:
            continue
        break
    return top, [_error(node, data) for node in problems[:MAX_ERRORS]]
