"""Reusing a native driver's normalised statements, members and comments after an edit.

An editor parses a document again after every keystroke, and one keystroke changes one
statement, or one member of a class; the rest comes back as it was, moved.  A native parser that
knows the request fields "keep" and "reuse" (docs/writing-a-driver.md; JavaScript's parse.js,
Go's main.go, Java's Kept.java, PHP's and Ruby's Kept, C/C++'s KeptItems) sends such an item as
``{"@kept": N}``: the item numbered N in its kind of list in the document's last parse, whose
text and surroundings did not change.  Its native tree is neither converted to JSON nor sent
nor decoded, and this side takes its normalised form from that parse, its positions moved by as
many bytes as its key moved.  A native program that does not know the fields answers the whole
tree and no "kept": then nothing is reused.

The kinds of list are the driver's (`kinds`: (native type, field) pairs, e.g. Babel's
Program.body, ClassBody.body and File.comments), in the native side's order.  Both sides number
a kind's items in the order the tree is written: an object's fields in order, a kept list's
items numbered all at once when the walk reaches it, then each item walked in turn; an item
sent as kept is not walked.  What the normaliser does around the lists must leave their items
alone (a transform of a container could change a kept item a second time):
tests/test_native_reuse.py checks every driver that declares kinds.  One document is kept at a
time: the one being typed in.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import attrs

from driver_runtime.sdk.reuse import move, positions
from driver_runtime.sdk.uast import POS, TYPE

Node = dict[str, Any]
KEPT = "@kept"
Kind = tuple[str, str]  # (native type of the container, its field that holds the list)


@attrs.define
class HeldItems:
    """A document's kept items as its last parse normalised them: per kind, each item's
    normalised form and where its key starts (bytes); and the parse's generation (what the
    native side names it)."""

    generation: int
    mode: str
    starts: list[list[int]]
    nodes: list[list[Any]]
    # id of an item's normalised form -> its positions (sdk.reuse.positions), listed the first
    # time it moves: moving a list is several times faster than walking the tree again.
    places: dict[int, list[dict[str, Any]]] = attrs.field(factory=dict)
    # Per kind, the item each item lies in ((kind, number) of a held item; None: none).
    parents: list[list[tuple[int, int] | None]] = attrs.field(factory=list)


@attrs.define
class Taken:
    """What a parse took from the last one, for the normaliser (done: the ids it must leave as
    they are; watched: the ids of the new items' native objects -> their numbers, counted across
    the kinds from 1, whose results it records) and for the next parse."""

    generation: int
    mode: str
    starts: list[list[int]]
    items: list[list[Any]]  # per kind, what each item is now: a kept node, or a native one
    numbers: list[list[int]]  # and its number in watched (0 for a kept one)
    parents: list[list[tuple[int, int] | None]] = attrs.field(factory=list)  # as HeldItems'
    taken: set[tuple[int, int]] = attrs.field(factory=set)  # (kind, number in the last parse) of the kept ones
    done: set[int] = attrs.field(factory=set)
    watched: dict[int, int] = attrs.field(factory=dict)
    results: dict[int, Any] = attrs.field(factory=dict)
    places: dict[int, list[dict[str, Any]]] = attrs.field(factory=dict)


class _Unheld(Exception):
    """The answer names an item that is not held, or numbers more items than it starts."""


def _nested(taken: set[tuple[int, int]], parents: list[list[tuple[int, int] | None]]) -> bool:
    """Whether a kept item lay in another kept item in the last parse: both are then one
    normalised subtree there (the same text may come back in two places, as the same key), which
    cannot be put in two places and moved twice."""
    for which, number in taken:  # each number was checked when its item was taken
        parent = parents[which][number]
        while parent is not None:
            if parent in taken:
                return True
            parent = parents[parent[0]][parent[1]]
    return False


class ItemReuse:
    """A driver's kept items, for the document its kit keeps state for (sdk.documents): `token`
    is the state that document holds, so that another document's parse reuses nothing."""

    def __init__(self, kinds: tuple[Kind, ...]):
        self.kinds = kinds
        self._fields: dict[str, dict[str, int]] = {}
        for which, (container, field) in enumerate(kinds):
            self._fields.setdefault(container, {})[field] = which
        self.token: object | None = None
        self._kept: HeldItems | None = None
        self._generations = itertools.count(1)

    def fields(self, kept: object | None, mode: str, detached: bool) -> dict[str, Any]:
        """The request's fields for a kept document's parse: a new generation, the last one if
        this document's items are held, in this mode, and whether this side drops the fields
        the tables detach (the native side may then key an item without them)."""
        last = self._kept if kept is not None and kept is self.token else None
        return {"keep": next(self._generations),
                "reuse": last.generation if last is not None and last.mode == mode else None,
                "detached": detached}

    def take(self, tree: Any, answer: dict[str, Any], fields: dict[str, Any], mode: str,
             to_bytes: Callable[[int], int]) -> Taken | None:
        """Put the kept items the answer names in the tree (moved); None when the answer keeps
        nothing (a native program without the fields) or names what was not kept (then nothing
        is held any more: the caller parses again without reuse)."""
        generation = fields["keep"]
        starts = answer.get("starts")
        if answer.get("kept") != generation or not isinstance(starts, list) or len(starts) != len(self.kinds) \
                or not all(isinstance(at, list) for at in starts):
            self.forget()
            return None
        last = self._kept if fields["reuse"] is not None and self._kept is not None \
            and self._kept.generation == fields["reuse"] else None
        taken = Taken(generation, mode, [[to_bytes(start) for start in at] for at in starts],
                      [[] for _ in self.kinds], [[] for _ in self.kinds], [[] for _ in self.kinds])
        try:
            self._walk(tree, last, taken, None)
        except _Unheld:
            self.forget()
            return None
        if any(len(items) != len(at) for items, at in zip(taken.items, taken.starts)) \
                or (last is not None and _nested(taken.taken, last.parents)):
            self.forget()
            return None
        return taken

    def _walk(self, value: Any, last: HeldItems | None, taken: Taken, parent: tuple[int, int] | None) -> None:
        """The tree in the order it is written, its kept lists' items numbered (and the kept
        ones taken) as the native side numbered them; `parent`: the item it lies in."""
        if type(value) is list:
            for item in value:
                if type(item) is dict or type(item) is list:
                    self._walk(item, last, taken, parent)
            return
        kept_fields = self._fields.get(value.get(TYPE))  # type: ignore[arg-type]
        for key, child in value.items():
            which = kept_fields.get(key) if kept_fields is not None else None
            if which is not None and (child is None or type(child) is list):
                for number, item in self._number(child or [], which, last, taken, parent):
                    self._walk(item, last, taken, (which, number))
            elif (type(child) is dict or type(child) is list) and key != POS:
                self._walk(child, last, taken, parent)

    def _number(self, items: list[Any], which: int, last: HeldItems | None, taken: Taken,
                parent: tuple[int, int] | None) -> list[tuple[int, Any]]:
        """Number a kept list's items, the kept ones put in their place: the new ones, to walk,
        with their numbers."""
        walk = []
        for place, item in enumerate(items):
            number = len(taken.items[which])
            if number >= len(taken.starts[which]):
                raise _Unheld
            taken.parents[which].append(parent)
            if type(item) is dict and KEPT in item:
                node = self._take(last, which, item[KEPT], taken.starts[which][number], taken)
                items[place] = node
                taken.items[which].append(node)
                taken.numbers[which].append(0)
                taken.taken.add((which, item[KEPT]))
            else:
                flat = len(taken.watched) + 1
                taken.watched[id(item)] = flat
                taken.items[which].append(item)
                taken.numbers[which].append(flat)
                if type(item) is dict or type(item) is list:
                    walk.append((number, item))
        return walk

    @staticmethod
    def _take(last: HeldItems | None, which: int, old: Any, start: int, taken: Taken) -> Any:
        """The kept item `old` of kind `which`, moved to `start`."""
        if last is None or type(old) is not int or not 0 <= old < len(last.nodes[which]) \
                or last.nodes[which][old] is None:
            raise _Unheld
        node, last.nodes[which][old] = last.nodes[which][old], None  # taken once
        places = last.places.get(id(node))
        delta = start - last.starts[which][old]
        if delta:
            if places is None:
                places = positions([node])
            move(places, delta)
        if places is not None:
            taken.places[id(node)] = places
        taken.done.add(id(node))
        return node

    def keep(self, taken: Taken) -> None:
        """Hold this parse's items (normalised: `taken.results`) for the next."""
        lists = [[taken.results.get(number, item) if number else item for item, number in zip(items, numbers)]
                 for items, numbers in zip(taken.items, taken.numbers)]
        if any(type(node) is not dict for items in lists for node in items):  # a transform made one a list
            self.forget()
            return
        self._kept = HeldItems(taken.generation, taken.mode, taken.starts, lists, taken.places, taken.parents)
        self.token = object()

    def forget(self) -> None:
        self._kept = self.token = None
