"""Reusing a native driver's normalised top-level statements after an edit.

An editor parses a document again after every keystroke, and one keystroke changes one
statement; the rest comes back as it was, moved.  A native parser that knows the request fields
"keep" and "reuse" (the JavaScript driver's parse.js says how) sends such a statement as
``{"@kept": N}``: the statement numbered N in the document's last parse, whose text and
surroundings did not change.  Its native tree is neither converted to JSON nor sent nor decoded,
and this side takes its normalised form from that parse, its positions moved by as many bytes
as its text moved.  A native program that does not know the fields answers the whole tree and no
"kept": then nothing is reused.

The statements are where the driver says (`path`: Program.body's, for Babel's File), and the
types on that path must have no transform nor child roles (a transform of a container could
change a kept statement a second time): tests/test_native_reuse.py checks every driver that
declares a path.  One document is kept at a time: the one being typed in.
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
    """A document's top-level statements as its last parse normalised them, in order, each with
    where its key starts (bytes), and the parse's generation (what the native side names it)."""

    generation: int
    mode: str
    starts: list[int]
    nodes: list[Any]
    # id of a statement's normalised form -> its positions (sdk.reuse.positions), listed the first
    # time it moves: moving a list is several times faster than walking the tree again.
    places: dict[int, list[dict[str, Any]]] = attrs.field(factory=dict)


@attrs.define
class Taken:
    """What a parse took from the last one, for the normaliser (done: the ids it must leave as
    they are; watched: the ids of the new statements' native objects -> their numbers, whose
    results it records) and for the next parse."""

    generation: int
    mode: str
    starts: list[int]
    statements: list[Any]
    done: set[int] = attrs.field(factory=set)
    watched: dict[int, int] = attrs.field(factory=dict)
    results: dict[int, Any] = attrs.field(factory=dict)
    places: dict[int, list[dict[str, Any]]] = attrs.field(factory=dict)


class StatementReuse:
    """A driver's kept statements, for the document its kit keeps state for (sdk.documents):
    `token` is the state that document holds, so that another document's parse reuses nothing."""

    def __init__(self, path: tuple[str, ...]):
        self.path = path
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
        """Put the kept statements the answer names in the tree (moved); None when the answer
        keeps nothing (a native program without the fields) or names what was not kept (then
        nothing is held any more: the caller parses again without reuse)."""
        generation = fields["keep"]
        statements = self._statements(tree)
        starts = answer.get("starts")
        if answer.get("kept") != generation or statements is None or not isinstance(starts, list) \
                or len(starts) != len(statements):
            self.forget()
            return None
        last = self._kept if fields["reuse"] is not None and self._kept is not None \
            and self._kept.generation == fields["reuse"] else None
        taken = Taken(generation, mode, [to_bytes(start) for start in starts], statements)
        for number, statement in enumerate(statements):
            if type(statement) is not dict or KEPT not in statement:
                taken.watched[id(statement)] = number
                continue
            old = statement[KEPT]
            if last is None or type(old) is not int or not 0 <= old < len(last.nodes) or last.nodes[old] is None:
                self.forget()
                return None
            node, last.nodes[old] = last.nodes[old], None  # taken once
            places = last.places.get(id(node))
            delta = taken.starts[number] - last.starts[old]
            if delta:
                if places is None:
                    places = positions([node])
                move(places, delta)
            if places is not None:
                taken.places[id(node)] = places
            statements[number] = node
            taken.done.add(id(node))
        return taken

    def keep(self, taken: Taken) -> None:
        """Hold this parse's statements (normalised: `taken.results`) for the next."""
        nodes = [taken.results.get(number, statement) for number, statement in enumerate(taken.statements)]
        if any(type(node) is not dict for node in nodes):  # a transform made a statement into a list
            self.forget()
            return
        self._kept = Statements(taken.generation, taken.mode, taken.starts, nodes, taken.places)
        self.token = object()

    def forget(self) -> None:
        self._kept = self.token = None

    def _statements(self, tree: Any) -> list[Any] | None:
        node = tree
        for key in self.path:
            node = node.get(key) if type(node) is dict else None
        return node if type(node) is list else None
