"""Reusing a native driver's normalised top-level statements after an edit.

An editor parses a document again after every keystroke, and one keystroke changes one
statement; the rest comes back as it was, moved.  A native parser that knows the request fields
"keep" and "reuse" (the JavaScript driver's parse.js says how) sends such a statement as
``{"@kept": N}``: the statement numbered N in the document's last parse, whose text and
surroundings did not change.  Its native tree is neither converted to JSON nor sent nor decoded,
and this side takes its normalised form from that parse, its positions moved by as many bytes
as its text moved.  A native program that does not know the fields answers the whole tree and no
"kept": then nothing is reused.

The statements are where the driver says (`paths`: Program.body's, for Babel's File), and so
are other top-level lists that a native side keeps alike (the file's comments, each keyed by its
own text).  What the normaliser does around them must leave their items alone (a transform of a
container could change a kept statement a second time): tests/test_native_reuse.py checks every
driver that declares paths.  One document is kept at a time: the one being typed in.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import attrs

from driver_runtime.sdk.reuse import move, positions

Node = dict[str, Any]
KEPT = "@kept"


@attrs.define
class Statements:
    """A document's top-level lists (statements, comments) as its last parse normalised them:
    per list, each item's normalised form and where its key starts (bytes); and the parse's
    generation (what the native side names it)."""

    generation: int
    mode: str
    starts: list[list[int]]
    nodes: list[list[Any]]
    # id of an item's normalised form -> its positions (sdk.reuse.positions), listed the first
    # time it moves: moving a list is several times faster than walking the tree again.
    places: dict[int, list[dict[str, Any]]] = attrs.field(factory=dict)


@attrs.define
class Taken:
    """What a parse took from the last one, for the normaliser (done: the ids it must leave as
    they are; watched: the ids of the new items' native objects -> their numbers, counted across
    the lists, whose results it records) and for the next parse."""

    generation: int
    mode: str
    starts: list[list[int]]
    lists: list[list[Any]]
    done: set[int] = attrs.field(factory=set)
    watched: dict[int, int] = attrs.field(factory=dict)
    results: dict[int, Any] = attrs.field(factory=dict)
    places: dict[int, list[dict[str, Any]]] = attrs.field(factory=dict)


class StatementReuse:
    """A driver's kept statements (and whatever other top-level lists its native side keeps:
    `paths`, in the native side's order), for the document its kit keeps state for
    (sdk.documents): `token` is the state that document holds, so that another document's
    parse reuses nothing."""

    def __init__(self, paths: tuple[tuple[str, ...], ...]):
        self.paths = paths
        self.token: object | None = None
        self._kept: Statements | None = None
        self._generations = itertools.count(1)

    def fields(self, kept: object | None, mode: str, detached: bool) -> dict[str, Any]:
        """The request's fields for a kept document's parse: a new generation, the last one if
        this document's statements are held, in this mode, and whether this side drops the
        fields the tables detach (the native side may then key a statement without them)."""
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
        lists = [self.items(tree, path) for path in self.paths]
        starts = answer.get("starts")
        if answer.get("kept") != generation or not isinstance(starts, list) or len(starts) != len(lists) \
                or any(not isinstance(found, list) or not isinstance(at, list) or len(at) != len(found)
                       for found, at in zip(lists, starts)):
            self.forget()
            return None
        last = self._kept if fields["reuse"] is not None and self._kept is not None \
            and self._kept.generation == fields["reuse"] else None
        taken = Taken(generation, mode, [[to_bytes(start) for start in at] for at in starts], lists)
        number = 0
        for which, items in enumerate(lists):
            for place, item in enumerate(items):
                number += 1
                if type(item) is not dict or KEPT not in item:
                    taken.watched[id(item)] = number
                    continue
                node = self._take(last, which, item[KEPT], taken.starts[which][place], taken)
                if node is None:
                    self.forget()
                    return None
                items[place] = node
        return taken

    @staticmethod
    def _take(last: Statements | None, which: int, old: Any, start: int, taken: Taken) -> Any:
        """The kept item `old` of list `which`, moved to `start` (None if there is none)."""
        if last is None or type(old) is not int or not 0 <= old < len(last.nodes[which]) \
                or last.nodes[which][old] is None:
            return None
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
        lists, number = [], 0
        for items in taken.lists:
            kept = []
            for item in items:
                number += 1
                kept.append(taken.results.get(number, item))
            lists.append(kept)
        if any(type(node) is not dict for items in lists for node in items):  # a transform made one a list
            self.forget()
            return
        self._kept = Statements(taken.generation, taken.mode, taken.starts, lists, taken.places)
        self.token = object()

    def forget(self) -> None:
        self._kept = self.token = None

    @staticmethod
    def items(tree: Any, path: tuple[str, ...]) -> list[Any] | None:
        """The list at `path` in the tree, [] for null (Go's encoder writes an empty list so);
        None if something else is there."""
        node = tree
        for key in path:
            node = node.get(key) if type(node) is dict else None
        return [] if node is None else node if type(node) is list else None
