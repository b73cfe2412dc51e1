"""Structural search: a compiled query run over parsed files, giving located matches."""

from __future__ import annotations

from typing import Any

import attrs

from bblfsh_lsp.positions import TextIndex
from bblfsh_lsp.query import Query, label
from bblfsh_lsp.structure import extent
from driver_runtime.uast import TYPE, span


@attrs.frozen
class Match:
    start: int  # byte offsets of the matched node
    end: int
    type: str
    label: str


def node_location(node: dict[str, Any]) -> tuple[int, int] | None:
    """Where a matched node is: its own span, or the extent of what it holds."""
    own = span(node)
    return own if own is not None else extent(node)


def find(query: Query, tree: dict[str, Any], index: TextIndex) -> tuple[list[Match], Any]:
    """The query's node matches, in document order, and its scalar value (for count() etc.)."""
    result = query.run(tree, index.lines)
    matches = []
    for node in result.nodes:
        where = node_location(node)
        if where is None:
            where = (0, 0)
        start, end = min(where[0], len(index.data)), min(where[1], len(index.data))
        matches.append(Match(start, end, node.get(TYPE, ""), label(node)))
    return matches, result.value
