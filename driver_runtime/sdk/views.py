"""A document's outline and folds, made again after an edit from what the edit did not change.

An editor asks for both after every keystroke, and a keystroke changes one path of the tree,
from the root to where the edit is: a driver that reuses the conversion of what did not change
gives it back as the same objects (sdk.reuse: the Python driver its statements, the universal
driver any subtree).  So what each subtree of some size made of the outline (outline.Made: the
symbols it put in the containers around it, the names it bound there, and on what around it
that depended) and of the folds (folding.FoldParts) is kept under the subtree's object, in the
positions it had then.  The next version's structure holds such a subtree as one node, the
builder replays what it made if what is around it is the same (else it is walked again: Miss),
moved by as many bytes as it moved.  A kept subtree is taken only if its text, from the start
of its first line (where its symbols may start), is the same.

The answer is the one a walk of the whole tree gives: tests/test_incremental_views.py holds
them to it on every language's samples and Babelfish's fixtures, edit after edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from driver_runtime.sdk.folding import Fold, FoldParts, assemble, fold_parts, folds
from driver_runtime.sdk.outline import Made, Miss, Symbol, SymbolKind, _Builder, outline
from driver_runtime.sdk.reuse import Moves, anchor
from driver_runtime.sdk.structure import NO_EXTENT, Structure
from driver_runtime.sdk.text import Text

Node = dict[str, Any]

# Smaller subtrees are walked again: keeping them costs about what walking them does.
MIN_NODES = 16
# A version whose kept subtrees miss this many times is made from the whole tree.
MAX_MISSES = 3
# A larger text's views are made from the whole tree each time: what its subtrees made would be
# kept in memory several times over (and a driver keeps its conversions up to about this size).
MAX_KEPT_BYTES = 2 << 20


@attrs.define(eq=False)
class _Kept:
    """What one subtree made, in the positions it had when it was made."""

    node: Node  # held, so that its id names it while it is kept
    anchor: int  # its first position then
    start: int  # its extent then
    end: int
    head: bytes  # its text from the start of its first line to its end
    made: Made
    parts: FoldParts  # depths from its root's
    inner: list[_Kept]  # those kept inside it, kept as long as it is


def from_scratch(tree: Node, text: Text, kinds: Mapping[str, SymbolKind]) -> tuple[list[Symbol], list[Fold]]:
    """A tree's outline and folds, from one walk of the whole tree, nothing kept (a text parsed
    once: an indexed file, a command line's)."""
    structure = Structure(tree, len(text.data))
    symbols = outline(tree, text, structure, kinds)
    return symbols, folds(structure, symbols, text)


class Views:
    """The outline and folds of one document's versions, each made from the last's."""

    def __init__(self, kinds: Mapping[str, SymbolKind]):
        self.kinds = kinds
        self._kept: dict[int, _Kept] = {}  # id of a subtree's root -> what it made
        self._tops: list[_Kept] = []  # those not inside another

    def make(self, tree: Node, text: Text, moves: Moves | None = None) -> tuple[list[Symbol], list[Fold]]:
        if len(text.data) > MAX_KEPT_BYTES:
            self._kept, self._tops = {}, []
            if moves:
                moves.settle()
            return from_scratch(tree, text, self.kinds)
        if moves:
            # The top-level statements the driver has not moved yet are read here, unless kept.
            for node in _statements(tree):
                if id(node) not in self._kept:
                    moves.settle_one(node)
        walked: set[int] = set()  # kept subtrees met where what is around them changed
        for _ in range(MAX_MISSES):
            try:
                return self._make(tree, text, moves, walked)
            except _Again as again:
                walked.add(id(again.node))
                if moves:
                    moves.settle_one(again.node)
        self._kept, self._tops = {}, []
        if moves:
            moves.settle()
        return self._make(tree, text, None, walked)

    def _make(self, tree: Node, text: Text, moves: Moves | None,
              walked: set[int]) -> tuple[list[Symbol], list[Fold]]:
        held: dict[int, tuple[_Kept, int]] = {}  # node number -> the kept subtree it is, moved by

        def stop(node: Node, number: int) -> tuple[int, int] | None:
            kept = self._kept[id(node)]
            if id(node) in walked:
                return None
            at = anchor(node)
            if at is None:
                return None
            delta = at + (moves.delta(node) if moves else 0) - kept.anchor
            start, end = kept.start + delta, kept.end + delta
            if 0 <= start and end <= len(text.data) and \
                    text.data[text.lines.starts[text.line_of(start)]:end] == kept.head:
                held[number] = (kept, delta)
                return start, end
            if moves:
                moves.settle_one(node)  # walked: its insides are read
            return None

        structure = Structure(tree, len(text.data), self._kept, stop)
        sizes, starts = structure.sizes, structure.starts
        parents = structure.parents
        # Subtrees of some size, but not one that is most of its parent (a function's Alias in its
        # FunctionGroup): kept, they would cost a first build as much again for nothing.
        record = [number for number in range(1, len(structure))
                  if sizes[number] >= MIN_NODES and starts[number] != NO_EXTENT and number not in held
                  and (parents[number] == 0 or sizes[number] * 4 <= sizes[parents[number]] * 3)]
        builder = _Builder(structure, text, self.kinds, {number: (kept.made, delta) for number, (kept, delta)
                                                          in held.items()}, set(record))
        try:
            symbols = builder.build()
        except Miss as miss:
            raise _Again(structure.nodes[miss.number]) from None
        parts = fold_parts(structure, text, {number: (kept.parts, delta) for number, (kept, delta) in held.items()})
        self._keep(structure, text, builder.made, parts, held)
        return symbols, assemble(symbols, parts, text)

    def _keep(self, structure: Structure, text: Text, made: dict[int, Made], parts: FoldParts,
              held: dict[int, tuple[_Kept, int]]) -> None:
        """What this version's subtrees made, for the next: those made now and those held, with
        the ones kept inside them.  Those of the last version not held, nor inside what was, are
        dropped (walking from its outermost ones down to what was held: the path to the edit)."""
        kept = self._kept
        held_now = {id(entry) for entry, _ in held.values()}
        stack = list(self._tops)
        while stack:
            entry = stack.pop()
            if id(entry) in held_now:
                continue  # kept, with all inside it
            if kept.get(id(entry.node)) is entry:
                del kept[id(entry.node)]
            stack.extend(entry.inner)
        tops: list[_Kept] = []
        around: list[tuple[int, _Kept]] = []  # the subtrees made now around the next: (end, kept)
        for number in sorted({*made, *held}):
            while around and around[-1][0] <= number:
                around.pop()
            if number in held:
                entry = held[number][0]
            else:
                node = structure.nodes[number]
                first = anchor(node)
                if first is None:
                    continue
                start, end, size = structure.starts[number], structure.ends[number], structure.sizes[number]
                line_start = text.lines.starts[text.line_of(start)]
                entry = _Kept(node, first, start, end, text.data[line_start:end], made[number],
                              parts.subtree(number, number + size, structure.depths[number]), [])
                kept[id(node)] = entry
            (around[-1][1].inner if around else tops).append(entry)
            if number not in held:
                around.append((number + structure.sizes[number], entry))
        self._tops = tops


class _Again(Exception):
    """A kept subtree to walk: what is around it changed."""

    def __init__(self, node: Node):
        super().__init__()
        self.node = node


def _statements(root: Node) -> list[Node]:
    """A root's child objects, in the order sdk.structure walks them."""
    found = []
    for key, value in root.items():
        if type(value) is dict:
            if key != "@pos":
                found.append(value)
        elif type(value) is list and key != "@role":
            found.extend(item for item in value if type(item) is dict)
    return found
