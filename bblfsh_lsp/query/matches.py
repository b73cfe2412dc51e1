"""Matches: a query's nodes on one tree, located in the source and labelled, in source order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from bblfsh_lsp.positions import TextIndex
from driver_runtime.sdk.labels import label
from driver_runtime.sdk.structure import extent
from driver_runtime.sdk.uast import POS, TYPE, span

if TYPE_CHECKING:  # the evaluator (elementpath) is imported only where a query runs on a tree
    from bblfsh_lsp.query.xpath import Query

Scalar = str | int | float | bool
"""A query's value when it is not a node set: count(...), boolean(...), string(...)."""


@attrs.frozen
class Match:
    start: int  # byte offsets of the matched node
    end: int
    type: str
    label: str


def _ancestor_spans(tree: dict[str, Any], wanted: set[int]) -> dict[int, tuple[int, int]]:
    """For each wanted node (by id), the span of its nearest ancestor that has one."""
    found: dict[int, tuple[int, int]] = {}
    stack: list[tuple[Any, tuple[int, int] | None]] = [(tree, None)]
    while stack and len(found) < len(wanted):
        value, around = stack.pop()
        if isinstance(value, list):
            stack.extend((item, around) for item in value)
            continue
        if not isinstance(value, dict):
            continue
        if id(value) in wanted and around is not None:
            found[id(value)] = around
        own = span(value) or around
        stack.extend((child, own) for key, child in value.items() if key != POS and isinstance(child, (dict, list)))
    return found


def locate(tree: dict[str, Any], nodes: list[dict[str, Any]]) -> list[tuple[int, int] | None]:
    """Where each matched node is: its own span, else the extent of what it holds, else the
    span of its nearest positioned ancestor (Babelfish gives a function's name no position of
    its own, but its function group spans exactly that name)."""
    where = [span(node) or extent(node) for node in nodes]
    missing = {id(node) for node, place in zip(nodes, where) if place is None}
    if missing:
        around = _ancestor_spans(tree, missing)
        where = [place or around.get(id(node)) for node, place in zip(nodes, where)]
    return where


def find(query: Query, tree: dict[str, Any], index: TextIndex) -> tuple[list[Match], Scalar | None]:
    """The query's node matches in source order, and its scalar value (for count() etc.)."""
    result = query.run(tree, index.lines)
    size = len(index.data)
    matches = []
    for node, where in zip(result.nodes, locate(tree, result.nodes)):
        start, end = where or (0, 0)
        matches.append(Match(min(start, size), min(end, size), node.get(TYPE, ""), label(node)))
    # The UAST's order is not always the source's (a body may come before the arguments); and a
    # UAST may hold the same node twice (Babelfish's C++ UAST repeats some operands), which a
    # user should see once.
    unique = sorted(set(matches), key=lambda match: (match.start, -match.end, match.type, match.label))
    return unique, result.value
