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

A file's top level may hold hundreds of statements and comments (Go's and C's do), a class
body hundreds of members, each held alone but each still a step of every stage.  So runs of up
to REGION_SIZE siblings are kept as one too, a region: the next version's structure holds it as
one node (a placeholder object standing for the siblings) if the same objects follow each other
there, and the builder replays what the run made as a whole.  A region holds no import (a run of imports may go on
outside it) and something other than comments (which a run of imports goes through): the folds
then see it as a statement between its neighbours, as they would see its members.

The answer is the one a walk of the whole tree gives: tests/test_incremental_views.py holds
them to it on every language's samples and Babelfish's fixtures, edit after edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from driver_runtime.sdk.folding import Fold, FoldParts, _is_import, assemble, fold_parts, folds
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
# The most siblings a region holds: an edit in one makes its members' steps again.
REGION_SIZE = 32
# Regions are kept among the children of a node that has at least this many.
MIN_SIBLINGS = 8


@attrs.define(eq=False)
class _Kept:
    """What one subtree made, in the positions it had when it was made."""

    node: Node  # held, so that its id names it while it is kept
    anchor: int  # its first position then
    start: int  # its extent then
    end: int
    head: bytes  # its text from the start of its first line to its end
    line: int  # the line it started on
    made: Made
    parts: FoldParts  # depths from its root's
    inner: list[_Kept]  # those kept inside it, kept as long as it is
    members: tuple[Node, ...] = ()  # a region's siblings (`node` is then its placeholder)


def from_scratch(tree: Node, text: Text, kinds: Mapping[str, SymbolKind],
                 with_folds: bool = True) -> tuple[list[Symbol], list[Fold]]:
    """A tree's outline and folds (none unless `with_folds`: an index keeps only the outline),
    from one walk of the whole tree, nothing kept (a text parsed once: an indexed file, a
    command line's)."""
    structure = Structure(tree, len(text.data))
    symbols = outline(tree, text, structure, kinds)
    return symbols, folds(structure, symbols, text) if with_folds else []


class Views:
    """The outline and folds of one document's versions, each made from the last's."""

    def __init__(self, kinds: Mapping[str, SymbolKind]):
        self.kinds = kinds
        self._kept: dict[int, _Kept] = {}  # id of a subtree's root (of a region's placeholder) -> what it made
        self._regions: dict[int, _Kept] = {}  # id of a region's first member -> the region
        self._tops: list[_Kept] = []  # those not inside another

    def make(self, tree: Node, text: Text, moves: Moves | None = None) -> tuple[list[Symbol], list[Fold]]:
        if len(text.data) > MAX_KEPT_BYTES:
            self._kept, self._regions, self._tops = {}, {}, []
            if moves:
                moves.settle()
            return from_scratch(tree, text, self.kinds)
        walked: set[int] = set()  # kept subtrees and regions met where what is around them changed
        for _ in range(MAX_MISSES):
            try:
                return self._make(tree, text, moves, walked)
            except _Again as again:
                walked.add(id(again.node))
                if moves:
                    moves.settle_one(again.node)
        self._kept, self._regions, self._tops = {}, {}, []
        if moves:
            moves.settle()
        return self._make(tree, text, None, walked)

    def _make(self, tree: Node, text: Text, moves: Moves | None,
              walked: set[int]) -> tuple[list[Symbol], list[Fold]]:
        # node number -> the kept subtree (or region) it is, moved by bytes and lines
        held: dict[int, tuple[_Kept, int, int]] = {}

        def stop(node: Node, number: int) -> tuple[int, int] | None:
            kept = self._kept[id(node)]
            if id(node) in walked or kept.members:
                return None
            moved = self._moved(kept, node, text, moves)
            if moved is not None:
                held[number] = (kept, *moved)
                return kept.start + moved[0], kept.end + moved[0]
            if moves:
                moves.settle_one(node)  # walked: its insides are read
            return None

        def hold(items: list[Any], at: int, number: int) -> tuple[Node, int, int, int] | None:
            region = self._regions[id(items[at])]
            size = len(region.members)
            if id(region.node) not in walked and _follow(items, at, region.members):
                first = items[at]
                moved = self._moved(region, first, text, moves)
                if moved is not None and (not moves or moves.delta(region.members[-1]) == moves.delta(first)):
                    held[number] = (region, *moved)
                    return region.node, size, region.start + moved[0], region.end + moved[0]
            if moves:
                for member in region.members:  # walked: read
                    moves.settle_one(member)
            return None

        if moves:
            self._settle(tree, moves)
        structure = Structure(tree, len(text.data), self._kept, stop, self._regions, hold)
        sizes, starts = structure.sizes, structure.starts
        parents = structure.parents
        # Subtrees of some size, but not one that is most of its parent (a function's Alias in its
        # FunctionGroup): kept, they would cost a first build as much again for nothing.
        record = [number for number in range(1, len(structure))
                  if sizes[number] >= MIN_NODES and starts[number] != NO_EXTENT and number not in held
                  and (parents[number] == 0 or sizes[number] * 4 <= sizes[parents[number]] * 3)]
        spans = _regions(structure, held)  # the regions to record: first node -> the node after
        builder = _Builder(structure, text, self.kinds, {number: (kept.made, delta) for number, (kept, delta, _)
                                                          in held.items()}, set(record), spans)
        try:
            symbols = builder.build()
        except Miss as miss:
            raise _Again(structure.nodes[miss.number]) from None
        parts = fold_parts(structure, text, {number: (kept.parts, delta, lines)
                                             for number, (kept, delta, lines) in held.items()})
        self._keep(structure, text, builder, parts, held, spans, moves)
        return symbols, assemble(symbols, parts, text)

    @staticmethod
    def _moved(kept: _Kept, first: Node, text: Text, moves: Moves | None) -> tuple[int, int] | None:
        """By how many bytes and lines a kept subtree or region (`first`: its first node) has
        moved, if its text is the same; else None."""
        at = anchor(first)
        if at is None:
            return None
        delta = at + (moves.delta(first) if moves else 0) - kept.anchor
        start, end = kept.start + delta, kept.end + delta
        if 0 <= start and end <= len(text.data):
            line = text.line_of(start)
            if text.data[text.lines.starts[line]:end] == kept.head:
                return delta, line - kept.line
        return None

    def _settle(self, tree: Node, moves: Moves) -> None:
        """The top-level statements the driver has not moved yet are read, and so moved now,
        but those held alone or in a region (sdk.reuse)."""
        regions, kept = self._regions, self._kept
        for key, value in tree.items():
            if type(value) is dict:
                if key != "@pos" and id(value) not in kept:
                    moves.settle_one(value)
            elif type(value) is list and key != "@role":
                at, count = 0, len(value)
                while at < count:
                    item = value[at]
                    region = regions.get(id(item))
                    if region is not None and _follow(value, at, region.members):
                        at += len(region.members)  # hold() moves them if it does not hold them
                        continue
                    if type(item) is dict and id(item) not in kept:
                        moves.settle_one(item)
                    at += 1

    def _keep(self, structure: Structure, text: Text, builder: _Builder, parts: FoldParts,
              held: dict[int, tuple[_Kept, int, int]], spans: dict[int, int], moves: Moves | None) -> None:
        """What this version's subtrees and regions made, for the next: those made now and those
        held, with the ones kept inside them.  Those of the last version not held, nor inside what
        was, are dropped (walking from its outermost ones down to what was held: the path to the
        edit)."""
        kept, made = self._kept, builder.made
        held_now = {id(entry) for entry, _, _ in held.values()}
        stack = list(self._tops)
        while stack:
            entry = stack.pop()
            if id(entry) in held_now:
                continue  # kept, with all inside it
            if kept.get(id(entry.node)) is entry:
                del kept[id(entry.node)]
                if entry.members and self._regions.get(id(entry.members[0])) is entry:
                    del self._regions[id(entry.members[0])]
            stack.extend(entry.inner)
        tops: list[_Kept] = []
        around: list[tuple[int, _Kept]] = []  # the subtrees made now around the next: (end, kept)
        # Regions first where one starts at a subtree's number: it holds that subtree.
        found = sorted([(number, 0) for number in builder.made_regions] + [(number, 1) for number in {*made, *held}])
        for number, alone in found:
            while around and around[-1][0] <= number:
                around.pop()
            end = number + structure.sizes[number] if alone else spans[number]
            if alone and number in held:
                entry = held[number][0]
            elif alone:
                node = structure.nodes[number]
                first = anchor(node)
                if first is None:
                    continue
                start = structure.starts[number]
                line = text.line_of(start)
                entry = _Kept(node, first, start, structure.ends[number], text.data[text.lines.starts[line]:
                                                                                    structure.ends[number]],
                              line, made[number], parts.subtree(number, end, structure.depths[number]), [])
                kept[id(node)] = entry
            else:
                entry = self._region(structure, text, builder.made_regions[number], parts, number, end, moves)
                if entry is None:
                    continue
            (around[-1][1].inner if around else tops).append(entry)
            if not (alone and number in held):
                around.append((end, entry))
        self._tops = tops

    def _region(self, structure: Structure, text: Text, made: Made, parts: FoldParts, first: int, end: int,
                moves: Moves | None) -> _Kept | None:
        """A region made now, of the root's children from node `first` to before node `end`."""
        members = []
        start, stop = len(text.data), -1
        number = first
        while number < end:
            members.append(structure.nodes[number])
            if structure.starts[number] != NO_EXTENT:
                start, stop = min(start, structure.starts[number]), max(stop, structure.ends[number])
            number += structure.sizes[number]
        at = anchor(members[0])
        if at is None or stop < 0:
            return None
        at += moves.delta(members[0]) if moves else 0  # a held member the driver has not moved yet
        line = text.line_of(start)
        entry = _Kept({}, at, start, stop, text.data[text.lines.starts[line]:stop], line, made,
                      parts.subtree(first, end, structure.depths[first]), [], tuple(members))
        self._kept[id(entry.node)] = entry
        self._regions[id(members[0])] = entry
        return entry


def _follow(items: list[Any], at: int, members: tuple[Node, ...]) -> bool:
    """The members of a region follow each other in a list from `at`, as they did."""
    return [*map(id, items[at:at + len(members)])] == [*map(id, members)]


def _regions(structure: Structure, held: Mapping[int, tuple[_Kept, int, int]]) -> dict[int, int]:
    """The runs of siblings to keep as regions, among the children of a node that has at least
    MIN_SIBLINGS: the number of the first -> the number after the last's subtree.  Children held
    already in a region end a run, as do imports (a run of imports may go on outside a region)
    and the list a child is in; a run of comments alone is none (a run of imports goes through
    comments)."""
    regions: dict[int, int] = {}
    sizes, fields, nodes = structure.sizes, structure.fields, structure.nodes
    run: list[int] = []

    def close() -> None:
        if len(run) > 1 and any(nodes[number].get("@type") != "uast:Comment" for number in run):
            regions[run[0]] = run[-1] + sizes[run[-1]]
        run.clear()

    for parent, size in enumerate(sizes):
        if size <= MIN_SIBLINGS or parent in held:
            continue
        children = []
        number, end = parent + 1, parent + size
        while number < end:
            children.append(number)
            number += sizes[number]
        if len(children) < MIN_SIBLINGS:
            continue
        for number in children:
            apart = number in held and held[number][0].members or _is_import(nodes[number])
            if apart or (run and fields[run[0]] != fields[number]) or len(run) == REGION_SIZE:
                close()
            if not apart:
                run.append(number)
        close()
    return regions


class _Again(Exception):
    """A kept subtree to walk: what is around it changed."""

    def __init__(self, node: Node):
        super().__init__()
        self.node = node
