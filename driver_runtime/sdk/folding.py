"""Folding ranges from the UAST: definitions, compound statements, multi-line literals and
calls, multi-line strings, runs of comments and runs of imports.

In lines and byte offsets: an editor's columns (LSP's characters) are the host's business.  In
the kit, so that a driver can send its folds with its outline (protocol 1.3, the `folds` part),
both from one pass over the tree.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

import attrs

from driver_runtime.sdk.outline import Symbol
from driver_runtime.sdk.structure import NO_EXTENT, Structure
from driver_runtime.sdk.text import Text
from driver_runtime.sdk.uast import ROLE, TYPE

IMPORT_TYPES = frozenset({"uast:Import", "uast:RuntimeImport", "uast:RuntimeReImport", "uast:InlineImport"})
# Roles of nodes whose multi-line extent is worth folding on its own.
FOLDED_ROLES = frozenset({"Statement", "Call", "List", "Map", "Tuple", "Set", "Block", "Function", "Case"})


# LSP's folding range kinds, by their values.
COMMENT = "comment"
IMPORTS = "imports"


@attrs.frozen
class Fold:
    start_line: int  # 0-based
    end_line: int
    collapsed_at: int  # byte offset of where the folded text starts (the end of its first line)
    ends_at: int  # byte offset of where it ends (on its last line)
    kind: str | None = None
    depth: int = 0


def _is_import(node: dict[str, Any]) -> bool:
    roles = node.get(ROLE) or ()
    return node.get(TYPE) in IMPORT_TYPES or ("Import" in roles and "Statement" in roles)


def _last_line(index: Text, end: int, start_line: int) -> int:
    """The last line a span really covers (a span ending at a line start ends on the line before)."""
    line = index.line_of(end)
    if line > start_line and index.lines.starts[line] == end:
        line -= 1
    return line


def folds(structure: Structure, symbols: list[Symbol], index: Text) -> list[Fold]:
    # One fold per start line, the longest: (end_line, -depth, end, kind) by start line; the
    # Fold objects are made at the end, for the winners only.  This runs after every keystroke.
    found: dict[int, tuple[int, int, int, str | None]] = {}
    line_starts = index.lines.starts

    def add(start: int, end: int, kind: str | None, depth: int) -> None:
        start_line = bisect_right(line_starts, start) - 1
        end_line = _last_line(index, end, start_line)
        if end_line <= start_line:
            return
        known = found.get(start_line)
        if known is not None and (end_line, -depth) <= known[:2]:
            return
        found[start_line] = (end_line, -depth, end, kind)

    for symbol, depth in _walk_symbols(symbols):
        add(symbol.start, symbol.end, None, depth)

    comments: list[tuple[int, int]] = []
    import_parents: set[int] = set()
    starts, ends, depths = structure.starts, structure.ends, structure.depths
    for number, node in enumerate(structure.nodes):
        start = starts[number]
        if start == NO_EXTENT:
            continue
        node_type = node.get(TYPE)
        if node_type == "uast:Comment":
            comments.append((start, ends[number]))
            continue
        roles = node.get(ROLE) or ()
        if node_type in IMPORT_TYPES or ("Import" in roles and "Statement" in roles):
            import_parents.add(structure.parents[number])
        # By role, native nodes only: a uast:* node's roles are its concept's and those of the
        # node it replaced (issue 14), and its extent is its parts' (a Python body's Block
        # starts at its first statement), which would fold a function's body from its first line.
        elif (node_type == "uast:String" or (not FOLDED_ROLES.isdisjoint(roles)
                                              and not (node_type or "").startswith("uast:"))) and \
                bisect_right(line_starts, ends[number]) > bisect_right(line_starts, start):
            add(start, ends[number], None, depths[number])

    for run in _comment_runs(comments, index):
        add(run[0][0], run[-1][1], COMMENT, 0)
    for run in _import_runs(structure, import_parents):
        add(run[0][0], run[-1][1], IMPORTS, 0)
    return [Fold(start_line, end_line, index.line_end(start_line), min(end, index.line_end(end_line)), kind, -depth)
            for start_line, (end_line, depth, end, kind) in sorted(found.items())]


def _comment_runs(comments: list[tuple[int, int]], index: Text) -> list[list[tuple[int, int]]]:
    """Comments on consecutive lines; a multi-line (block) comment is a run by itself."""
    runs: list[list[tuple[int, int]]] = []
    run: list[tuple[int, int]] = []
    for comment in sorted(comments):
        if run and index.line_of(comment[0]) > index.line_of(run[-1][1]) + 1:
            runs.append(run)
            run = []
        run.append(comment)
    if run:
        runs.append(run)
    return runs


def _import_runs(structure: Structure, parents: set[int]) -> list[list[tuple[int, int]]]:
    """Imports of one parent that follow each other with no other statement between them."""
    siblings: dict[int, list[int]] = {}
    for number, parent in enumerate(structure.parents):
        if parent in parents and structure.starts[number] != NO_EXTENT:
            siblings.setdefault(parent, []).append(number)
    runs: list[list[tuple[int, int]]] = []
    for members in siblings.values():
        run: list[tuple[int, int]] = []
        for number in members:
            node = structure.nodes[number]
            if _is_import(node):
                run.append((structure.starts[number], structure.ends[number]))
                continue
            if node.get(TYPE) == "uast:Comment":
                continue
            if len(run) > 1:
                runs.append(run)
            run = []
        if len(run) > 1:
            runs.append(run)
    return runs


def _walk_symbols(symbols: list[Symbol], depth: int = 0) -> list[tuple[Symbol, int]]:
    out = []
    for symbol in symbols:
        out.append((symbol, depth))
        out.extend(_walk_symbols(symbol.children, depth + 1))
    return out


def limit(found: list[Fold], range_limit: int | None) -> list[Fold]:
    """At most range_limit folds, keeping the outermost ones."""
    if range_limit is None or len(found) <= range_limit:
        return found
    kept = sorted(found, key=lambda fold: (fold.depth, fold.start_line))[: max(range_limit, 0)]
    return sorted(kept, key=lambda fold: fold.start_line)


def folds_as_data(found: list[Fold]) -> list[list[Any]]:
    """Folds as JSON-ready data (the protocol's `folds` part): per fold [start_line, end_line,
    collapsed_at, ends_at, kind, depth]."""
    return [[fold.start_line, fold.end_line, fold.collapsed_at, fold.ends_at, fold.kind, fold.depth] for fold in found]


def folds_from_data(data: Any) -> list[Fold]:
    """folds_as_data's folds back; ValueError for data that is not such folds."""
    if not isinstance(data, list):
        raise ValueError("folds are a list")
    found = []
    for item in data:
        if not isinstance(item, list) or len(item) != 6 or not all(type(number) is int for number in item[:4]) \
                or item[4] not in (None, COMMENT, IMPORTS) or type(item[5]) is not int:
            raise ValueError(f"not a fold: {item!r:.80}")
        found.append(Fold(*item))
    return found
