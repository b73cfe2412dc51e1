"""Reusing the conversion of a document's unchanged top-level statements after an edit.

An editor's document is parsed again after every keystroke, and one keystroke changes one
statement: the others convert to the same UAST as before, only moved by as many bytes as the
edit added before them.  So the converted statements of a document's last parse are kept,
each under its text (from the end of the statement before it: decorators and comments count),
and a statement of the new parse with the same text, in the same mode, takes its kept
conversion, its positions moved.  A statement's conversion depends on nothing outside its
text (positions are byte offsets; line starts move with the bytes before them); the first
statement (a docstring) is kept apart from the others.  ast.parse still reads the whole text:
the conversion is what is spared.

One document's statements are kept at a time (the one being typed in): a driver keeps up to
64 documents, and their trees would be too much to hold.
"""

from __future__ import annotations

import ast
from typing import Any

from driver_runtime.sdk.reuse import move, positions

Node = dict[str, Any]
Key = tuple[bool, bytes]  # (the first statement, its text from the end of the one before)


class Converted(ast.stmt):
    """A statement whose conversion is already known: the converter takes it as it is."""

    _fields = ()

    def __init__(self, converted: Node):
        super().__init__()
        self.converted = converted


class Statements:
    """A document's top-level statements as last converted, by key, with where each started."""

    def __init__(self, mode: str, shift: int, places: dict[int, list[dict[str, Any]]] | None = None):
        self.mode = mode
        self.shift = shift  # a BOM's: offsets of another shift are not comparable
        self.by_key: dict[Key, list[tuple[int, Node]]] = {}
        # id of a statement's conversion -> its positions (sdk.reuse.positions), listed the first
        # time it moves: moving a list is several times faster than walking the tree again.
        self.places = places if places is not None else {}

    def take(self, key: Key, start: int) -> Node | None:
        kept = self.by_key.get(key)
        if not kept:
            return None
        old_start, node = kept.pop()
        if start != old_start:
            places = self.places.get(id(node))
            if places is None:
                places = self.places[id(node)] = positions([node])
            move(places, start - old_start)
        return node


def keys(body: list[ast.stmt], data: bytes, line_starts: list[int]) -> list[tuple[Key, int]]:
    """Each statement's key and where its text starts in data (the end of the statement before it)."""
    out = []
    previous = 0
    for number, statement in enumerate(body):
        end = line_starts[statement.end_lineno - 1] + statement.end_col_offset  # type: ignore[attr-defined]
        out.append(((number == 0, data[previous:end]), previous))
        previous = end
    return out
