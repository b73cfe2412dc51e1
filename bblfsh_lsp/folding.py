"""Folding ranges from the UAST: definitions, compound statements, multi-line literals and
calls, multi-line strings, runs of comments and runs of imports."""

from __future__ import annotations

from typing import Any

import attrs
from lsprotocol.types import FoldingRangeKind

from bblfsh_lsp.positions import TextIndex
from driver_runtime.sdk.outline import Symbol
from driver_runtime.sdk.structure import NO_EXTENT, Structure
from driver_runtime.sdk.uast import ROLE, TYPE

IMPORT_TYPES = frozenset({"uast:Import", "uast:RuntimeImport", "uast:RuntimeReImport", "uast:InlineImport"})
# Roles of nodes whose multi-line extent is worth folding on its own.
FOLDED_ROLES = frozenset({"Statement", "Call", "List", "Map", "Tuple", "Set", "Block", "Function", "Case"})


@attrs.frozen
class Fold:
    start_line: int  # 0-based
    end_line: int
    start_char: int | None = None
    end_char: int | None = None
    kind: str | None = None
    depth: int = 0


def _is_import(node: dict[str, Any]) -> bool:
    roles = node.get(ROLE) or ()
    return node.get(TYPE) in IMPORT_TYPES or ("Import" in roles and "Statement" in roles)


def _last_line(index: TextIndex, end: int, start_line: int) -> int:
    """The last line a span really covers (a span ending at a line start ends on the line before)."""
    line = index.line_of(end)
    if line > start_line and index.lines.starts[line] == end:
        line -= 1
    return line


def folds(structure: Structure, symbols: list[Symbol], index: TextIndex) -> list[Fold]:
    found: dict[int, Fold] = {}  # one fold per start line: the longest

    def add(start: int, end: int, kind: str | None, depth: int) -> None:
        start_line = index.line_of(start)
        end_line = _last_line(index, end, start_line)
        if end_line <= start_line:
            return
        known = found.get(start_line)
        if known is not None and (end_line, -depth) <= (known.end_line, -known.depth):
            return
        start_char = index.position(index.line_end(start_line))[1]
        end_char = index.position(min(end, index.line_end(end_line)))[1]
        found[start_line] = Fold(start_line, end_line, start_char, end_char, kind, depth)

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
        elif _is_import(node):
            import_parents.add(structure.parents[number])
        elif node_type == "uast:String" or FOLDED_ROLES.intersection(node.get(ROLE) or ()):
            if index.line_of(ends[number]) > index.line_of(start):
                add(start, ends[number], None, depths[number])

    for run in _comment_runs(comments, index):
        add(run[0][0], run[-1][1], FoldingRangeKind.Comment, 0)
    for run in _import_runs(structure, import_parents):
        add(run[0][0], run[-1][1], FoldingRangeKind.Imports, 0)
    return sorted(found.values(), key=lambda fold: fold.start_line)


def _comment_runs(comments: list[tuple[int, int]], index: TextIndex) -> list[list[tuple[int, int]]]:
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
