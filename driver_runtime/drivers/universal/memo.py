"""Reusing the conversion of a kept document's unchanged subtrees after an edit.

tree-sitter re-parses an edited text from its previous tree in a fraction of a millisecond; what
costs is the walk that converts the new tree (native.py) and normalises it (the Normalizer).
After a keystroke almost every subtree of the new tree has the text it had, and converts to what
it converted to, only moved by as many bytes as the edit added before it.  So the conversions of
a document's last parse are kept, each under (its parent's type, its field, its type, its text,
whether it starts the file), for the named nodes of at least MIN_BYTES and the children of nodes
that have many, and a node of the new tree with the same key takes its kept conversion, moved,
instead of being walked: the walk goes only down the path to the edit.

A kept conversion is the node's normalised form, which nothing must change afterwards: the
children of a node whose table transform may change them, and anything under a node whose
transform changes more (normalization.reuse_limits), are not kept.  A node with a syntax error
inside is never kept: tree-sitter may recover from the same text otherwise in the next parse
without saying so in its changed ranges (and its errors are reported from the walk).  A
conversion kept inside another is taken with it, and then not again: an object is in a tree
once.  The top-level statements taken are moved only once the answer is sent (sdk.reuse.Moves):
the outline and folds read them where they were.

The root's children are where most of a large file's nodes are (a Go or C file's hundreds of
declarations and comments, a class body's hundreds of members): the row of children of a node
that has many is kept too, and a run of them that the edit did not reach, before it or after it,
is taken in one step (run()), not child by child.

One document's conversions are kept at a time (the one being typed in): a driver keeps up to 64
documents, and their trees would be too much to hold.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from tree_sitter import Node as TSNode

from driver_runtime.sdk.reuse import Moves, anchor, positions

Node = dict[str, Any]
# (parent type, field, type, text, at the start of the file: what a transform may read besides
# the node itself, as Bash's, for which a comment there is a shebang)
Key = tuple[str, str, str, bytes, bool]

# Smaller nodes are converted again: keeping them costs about what converting them does.
MIN_BYTES = 48


class Kept:
    """One kept conversion, with those kept inside it and the one it is inside."""

    __slots__ = ("key", "node", "lead", "inner", "outer", "taken", "within", "_places", "_all_places")

    def __init__(self, key: Key, node: Any, lead: int | None):
        self.key = key
        self.node = node
        self.lead = lead  # where the tree-sitter node starts, from its conversion's first position
        self.inner: list[Kept] = []
        self.outer: Kept | None = None
        self.taken = -1  # the parse that took it
        self.within = -1  # the last parse that took one inside it
        self._places: list[dict[str, Any]] | None = None
        self._all_places: list[dict[str, Any]] | None = None

    def places(self) -> list[dict[str, Any]]:
        """Its positions (sdk.reuse.positions), those of the conversions kept inside it too (a
        transform may drop a node and keep its children, which then are not in its tree, and
        may be in another's too: PowerShell's parameters are its FunctionGroup's arguments), each
        once; listed the first time it moves, for every time after."""
        if self._all_places is None:
            found = list(self._own_places())
            stack = [*self.inner]
            while stack:
                kept = stack.pop()
                found += kept._own_places()
                stack.extend(kept.inner)
            self._all_places = list({id(pos): pos for pos in found}.values()) if self.inner else found
        return self._all_places

    def _own_places(self) -> list[dict[str, Any]]:
        if self._places is None:
            self._places = positions([self.node], {id(kept.node) for kept in self.inner})
        return self._places

    def free(self, parse: int) -> bool:
        """Neither it, nor one inside it, nor one it is inside was taken by this parse: an
        object is in a tree once."""
        if self.taken == parse or self.within == parse:
            return False
        outer = self.outer
        while outer is not None:
            if outer.taken == parse:
                return False
            outer = outer.outer
        return True

    def take(self, parse: int) -> None:
        self.taken = parse
        outer = self.outer
        while outer is not None and outer.within != parse:
            outer.within = parse
            outer = outer.outer


# A child in a row as the last parse met it: its span and its kept conversion (None: anything
# else met there, an anonymous node, a field, a node with a syntax error; a run stops there).
RowEntry = tuple[int, int, "Kept | None"]


class Row:
    """The children of a node with many, as this parse meets them (`met`: span and object),
    and as the last parse met them (`old`: its entries and where each starts, if the node is
    where it was)."""

    __slots__ = ("key", "converted", "met", "old")

    def __init__(self, key: tuple[int, str], converted: Node,
                 old: tuple[list[RowEntry], dict[int, int]] | None):
        self.key = key
        self.converted = converted
        self.met: list[tuple[int, int, Node | None]] = []
        self.old = old


class Store:
    """A document's kept conversions, from one parse to the next: by key, and those not inside
    another (where the parse after the next one finds what its parse did not take); and the rows
    of children of the nodes that have many, by (start, type) of their node."""

    def __init__(self) -> None:
        self.by_key: dict[Key, list[Kept]] = {}
        self.tops: list[Kept] = []
        self.rows: dict[tuple[int, str], tuple[list[RowEntry], dict[int, int]]] = {}
        self.parses = 0


class Memo:
    """A document's kept conversions, for one mode, and the making of the next set from a parse."""

    min_bytes = MIN_BYTES

    def __init__(self, mode: str, grammar: str, transforms: Collection[str],
                 limits: tuple[frozenset[str], frozenset[str]], data: bytes, moves: Moves,
                 store: Store | None = None):
        self.mode = mode
        self.grammar = grammar
        self.transforms = transforms  # the node types the normalisation transforms
        self.changes_children, self.changes_below = limits  # normalization.reuse_limits
        self.root_plain = False
        self.data = data  # the text being converted
        self.root: Node | None = None  # the object the top-level nodes attach to (moved lazily)
        self.moves = moves
        self.store = store or Store()
        self.changed: list[tuple[int, int]] | None = None  # since(): what may be taken
        self.edits: list[tuple[int, int, int]] = []
        # since(): the span of the last text that one edit and what it changed cover, and by how
        # many bytes what follows it moved (None: no run is taken).
        self.zone: tuple[int, int, int] | None = None
        self.rows: list[Row] = []  # this parse's
        self.store.parses += 1
        self.parse = self.store.parses
        # This parse's: what was taken (id of the conversion -> its Kept; the normaliser's done),
        # what was made (in source order, with their spans).
        self.taken: dict[int, Kept] = {}
        self.watched: dict[int, int] = {}
        self.results: dict[int, Any] = {}
        self._found: list[tuple[int, int, int, Key, Kept | None]] = []  # start, -end, order, key, taken

    def for_next(self, data: bytes) -> Memo:
        """The memo of the next parse, which takes from this one's."""
        return Memo(self.mode, self.grammar, self.transforms, (self.changes_children, self.changes_below), data,
                    self.moves, self.store)

    def since(self, changed: list[tuple[int, int]], edits: list[tuple[int, int, int]]) -> None:
        """The parse is of the kept text after `edits` ((start, end, inserted bytes), each on the
        text the one before made), from its tree: `changed`, the byte ranges of the new text
        where tree-sitter says the structure changed (Tree.changed_ranges).  A
        memo without it (a whole text parsed again) takes nothing: the same text may parse
        otherwise in another place (C++'s `a<b>(c)`), and only a node outside every changed range
        is known to be the node it was."""
        self.changed = sorted(changed)
        self.edits = edits
        if len(edits) == 1:
            start, end, inserted = edits[0]
            delta = inserted - (end - start)

            def old(at: int, low: bool) -> int:  # a position of the new text in the last one
                if at <= start:
                    return at
                if at >= start + inserted:
                    return at - delta
                return start if low else end

            self.zone = (min([start, *(old(low, True) for low, _ in changed)]),
                         max([end, *(old(high, False) for _, high in changed)]), delta)

    def _old_start(self, start: int, end: int) -> int | None:
        """Where a node of the new text was in the last one, if outside what changed."""
        for low, high in self.changed:
            if low < end and start < high or low == high == start:
                return None
        for edit_start, edit_end, inserted in reversed(self.edits):  # back through each edit
            if start >= edit_start + inserted:
                delta = inserted - (edit_end - edit_start)
                start, end = start - delta, end - delta
            elif end > edit_start:  # it holds what the edit put in: changed
                return None
        return start

    def begin(self, root: Node) -> None:
        self.root = root
        # Top-level nodes move once the answer is sent only if nothing reads them before.
        self.root_plain = root.get("@type") not in self.transforms

    def _key(self, node: TSNode, parent: Node, field: str) -> Key | None:
        parent_type = parent.get("@type", "")
        if node.has_error or parent_type in self.changes_children:
            return None
        if self.changes_below:
            above = node.parent
            while above is not None:
                if above.type in self.changes_below:
                    return None
                above = above.parent
        return parent_type, field, node.type, self.data[node.start_byte:node.end_byte], node.start_byte == 0

    def take(self, node: TSNode, parent: Node, field: str) -> Node | None:
        if self.changed is None:
            return None
        key = self._key(node, parent, field)
        if key is None:
            return None
        found = self.store.by_key.get(key)
        if not found:
            return None
        old_start = self._old_start(node.start_byte, node.end_byte)
        if old_start is None:
            return None
        for kept in found:  # the conversion of this very node, where it was
            if kept.lead is not None and kept.free(self.parse) and anchor(kept.node) + kept.lead == old_start:
                break
        else:
            return None
        return self._give(kept, node.start_byte, node.end_byte, node.start_byte - old_start, parent is self.root)

    def _give(self, kept: Kept, start: int, end: int, delta: int, top: bool) -> Node:
        """A kept conversion taken for the node at start..end, `delta` bytes from where it was
        (`top`: a child of the root, whose move may wait for the answer)."""
        kept.take(self.parse)
        converted: Node = kept.node
        if delta and top and self.root_plain:
            self.moves.later(converted, delta, kept.places)
        elif delta:  # its parent's transform may read where it is
            self.moves.now(kept.places(), delta)
        self.taken[id(converted)] = kept
        self._found.append((start, -end, len(self._found), kept.key, kept))
        return converted

    def _old_start_out_of_zone(self, start: int) -> int | None:
        """Where a node that starts at `start` started in the last text, if it starts before the
        zone the edit reached or after it (else None)."""
        assert self.zone is not None
        low, high, delta = self.zone
        return start if start < low else start - delta if start - delta > high else None

    def row(self, node: TSNode, converted: Node) -> Row:
        """The row of a node about to be walked that has many children."""
        old_start = self._old_start_out_of_zone(node.start_byte) if self.zone is not None else None
        old = self.store.rows.get((old_start, node.type)) if old_start is not None else None
        row = Row((node.start_byte, node.type), converted, old)
        self.rows.append(row)
        return row

    def met(self, row: Row, start: int, end: int, converted: Node | None) -> None:
        row.met.append((start, end, converted))

    def run(self, row: Row, node: TSNode) -> list[Node] | None:
        """A child in a row and those after it, up to the edit or to the end, all kept and out
        of its reach: their conversions, if at least two."""
        zone, old = self.zone, row.old
        if zone is None or old is None:
            return None
        entries, starts = old
        low, _, delta = zone
        old_start = self._old_start_out_of_zone(node.start_byte)
        first = starts.get(old_start) if old_start is not None else None
        if first is None:
            return None
        before = node.start_byte < low
        last, parse = first, self.parse
        while last < len(entries):
            kept = entries[last][2]
            if kept is None or (before and entries[last][1] >= low) or not kept.free(parse):
                break
            last += 1
        if last - first < 2 or entries[first][2].key[2] != node.type:  # type: ignore[union-attr]
            return None
        moved = 0 if before else delta
        top = row.converted is self.root
        objects = []
        for entry_start, entry_end, kept in entries[first:last]:
            converted = self._give(kept, entry_start + moved, entry_end + moved, moved, top)  # type: ignore[arg-type]
            objects.append(converted)
            row.met.append((entry_start + moved, entry_end + moved, converted))
        return objects

    def made(self, node: TSNode, converted: Node, parent: Node, field: str) -> None:
        key = self._key(node, parent, field)
        if key is not None:
            self.watched[id(converted)] = len(self._found)
            self._found.append((node.start_byte, -node.end_byte, len(self._found), key, None))

    def keep(self) -> None:
        """What this parse made and took becomes what the next one takes from: the kept
        conversions it did not take, nor any inside what it took, are dropped (walking from the
        last parse's outermost ones down to what was taken: the path to the edit)."""
        store, parse = self.store, self.parse
        by_key = store.by_key
        stack = list(store.tops)
        while stack:
            kept = stack.pop()
            if kept.taken == parse:
                continue  # kept, with all inside it
            found = by_key.get(kept.key)
            if found is not None:
                found.remove(kept)
                if not found:
                    del by_key[kept.key]
            stack.extend(kept.inner)
        tops: list[Kept] = []
        around: list[tuple[int, Kept]] = []  # the conversions made around the next one: (end, kept)
        made: dict[int, Kept] = {}  # number in _found -> the Kept made of it
        for start, negative_end, number, key, taken in self._found:  # in source order, outer first
            kept = taken
            if kept is None:
                converted = self.results.get(number)
                if converted is None:  # dropped by the normalisation (a detached field)
                    continue
                first = anchor(converted)
                kept = made[number] = Kept(key, converted, None if first is None else start - first)
                by_key.setdefault(key, []).append(kept)
            while around and around[-1][0] <= start:
                around.pop()
            kept.outer = around[-1][1] if around else None
            if around:
                around[-1][1].inner.append(kept)
            else:
                tops.append(kept)
            if taken is None:
                around.append((-negative_end, kept))
        store.tops = tops
        store.rows = {}
        for row in self.rows:
            entries: list[RowEntry] = []
            for start, end, converted in row.met:
                kept = None
                if converted is not None:
                    number = self.watched.get(id(converted))
                    kept = made.get(number) if number is not None else self.taken.get(id(converted))
                entries.append((start, end, kept))
            store.rows[row.key] = (entries, {entry[0]: index for index, entry in enumerate(entries)
                                             if entry[2] is not None})
        self.taken, self.watched, self.results, self._found = {}, {}, {}, []
        self.rows = []
