"""Reusing the conversion of a document's unchanged top-level statements after an edit.

An editor's document is parsed again after every keystroke, and one keystroke changes one
statement: the others convert to the same UAST as before, only moved by as many bytes as the
edit added before them.  So the converted statements of a document's last parse are kept,
each under its text (from the end of the statement before it: decorators and comments count),
and a statement of the new parse with the same text, in the same mode, takes its kept
conversion, its positions moved.  A statement's conversion depends on nothing outside its
text (positions are byte offsets; line starts move with the bytes before them); the first
statement (a docstring) is kept apart from the others.

ast.parse need not read the whole text either (reparse): after one edit, only the statements it
touched are parsed again, from the end of the statement before them to the end of the last one
it touched, and the others are taken as they were converted.  Python's grammar lets a run of
whole top-level statements be read alone: the run must parse by itself, begin and end on lines
of their own (not after or before a `;`: `if x: a; b` makes `b` part of the `if`), and the
statements after it keep their text.  Anything else (an unclosed bracket or string the edit
opened, an indented line, an `else:` on its own, an edit in the first statement, the one
`__future__` import that changes the syntax) is read from the whole text, as before.

One document's statements are kept at a time (the one being typed in): a driver keeps up to
64 documents, and their trees would be too much to hold.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from typing import Any

from driver_runtime.sdk.protocol import TextEdit
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

    def __init__(self, mode: str, shift: int, size: int = 0, places: dict[int, list[dict[str, Any]]] | None = None):
        self.mode = mode
        self.shift = shift  # a BOM's: offsets of another shift are not comparable
        self.by_key: dict[Key, list[tuple[int, Node]]] = {}
        # id of a statement's conversion -> its positions (sdk.reuse.positions), listed the first
        # time it moves: moving a list is several times faster than walking the tree again.
        self.places = places if places is not None else {}
        # The statements in the order of the text: each one's key, its start and its end; and the
        # text's size (what follows the last statement is the end of the text's).
        self.order: list[tuple[Key, int, int]] = []
        self.size = size

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
    return _keyed(data, [_end(statement, line_starts) for statement in body])


def _end(statement: ast.stmt, line_starts: list[int]) -> int:
    return line_starts[statement.end_lineno - 1] + statement.end_col_offset  # type: ignore[attr-defined]


def _keyed(data: bytes, ends: list[int]) -> list[tuple[Key, int]]:
    """The keys of statements that end at `ends`, and where each one's text starts."""
    out = []
    previous = 0
    for number, end in enumerate(ends):
        out.append(((number == 0, data[previous:end]), previous))
        previous = end
    return out


# What may follow a statement on its line for it to end there: blanks, a comment, the line break.
_LINE_REST = re.compile(rb"[ \t\f]*(?:#[^\r\n]*)?(?:\r\n|\r|\n|$)")


def reparse(statements: Statements, data: bytes, line_starts: list[int], edit: TextEdit,
            parse: Callable[[str], ast.Module]) -> tuple[list[ast.stmt], list[tuple[Key, int]]] | None:
    """The top-level statements of `data` (the kept text after one edit) and their keys, with
    only the statements the edit touched parsed again (`parse`, which may raise SyntaxError)
    and the others taken as they were converted (Converted), moved; None when the text must be
    read whole (see the module's note).  Nothing is taken from `statements` unless it is all of
    the answer."""
    order = statements.order
    delta = len(edit.text.encode("utf-8", "surrogatepass")) - (edit.end - edit.start)
    if not order or len(data) != statements.size + delta or b"barry_as_FLUFL" in data:
        return None
    # The statements the edit touches, each from the end of the one before it to its own end:
    # the first and the last; none for an edit in the text after the last statement.
    touched = [number for number, (_, start, end) in enumerate(order) if start <= edit.end and edit.start <= end]
    first, last = (touched[0], touched[-1]) if touched else (len(order), len(order) - 1)
    if first == 0:
        return None  # the first statement may be the docstring: read whole
    begin = order[first - 1][2]  # the end of the statement before the run
    end = order[last][2] + delta if last + 1 < len(order) else len(data)
    # The run ends its line (in `if q: x = 1; y = 2` the `y` is the `if`'s); where it begins, the
    # statement before it ended, and a `;` there would not parse alone.
    if end < begin or _LINE_REST.match(data, end) is None:
        return None
    try:
        run = parse(data[begin:end].decode("utf-8", "surrogatepass")).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    line = bisect_right(line_starts, begin) - 1  # 0-based: the run's first line is this one
    if any(statement.lineno == 1 for statement in run):
        return None
    for statement in run:
        ast.increment_lineno(statement, line)
    ends = [end for _, _, end in order[:first]]
    ends += [_end(statement, line_starts) for statement in run]
    ends += [end + delta for _, _, end in order[last + 1:]]
    found = _keyed(data, ends)
    suffix = len(order) - last - 1
    kept = list(range(first)) + list(range(len(ends) - suffix, len(ends)))
    olds = [*order[:first], *order[last + 1:]]
    if any(found[number][0] != old[0] for number, old in zip(kept, olds)):
        return None  # the statement after the run begins elsewhere now (the run's end moved)
    wanted = Counter(old[0] for old in olds)
    if any(len(statements.by_key.get(key, ())) < count for key, count in wanted.items()):
        return None
    taken = [Converted(statements.take(found[number][0], found[number][1] + statements.shift))  # type: ignore[arg-type]
             for number in kept]
    return [*taken[:first], *run, *taken[first:]], found
