"""Folding ranges from the UAST: definitions, compound statements, multi-line literals and
calls, multi-line strings, runs of comments and runs of imports."""

from __future__ import annotations

from typing import Any

import attrs
from lsprotocol.types import FoldingRangeKind

from bblfsh_lsp.outline import Symbol
from bblfsh_lsp.positions import TextIndex
from bblfsh_lsp.structure import Item
from driver_runtime.uast import ROLE, TYPE

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


def folds(items: list[Item], symbols: list[Symbol], index: TextIndex) -> list[Fold]:
    found: dict[int, Fold] = {}  # one fold per start line: the longest

    def add(start: int, end: int, kind: str | None, depth: int) -> None:
        start_line = index.line_of(start)
        end_line = _last_line(index, end, start_line)
        if end_line <= start_line:
            return
        start_char = index.position(index.line_end(start_line))[1]
        end_char = index.position(min(end, index.line_end(end_line)))[1]
        fold = Fold(start_line, end_line, start_char, end_char, kind, depth)
        known = found.get(start_line)
        if known is None or (fold.end_line, -fold.depth) > (known.end_line, -known.depth):
            found[start_line] = fold

    for symbol in _walk_symbols(symbols):
        add(symbol[0].start, symbol[0].end, None, symbol[1])

    comments: list[Item] = []
    import_parents: set[int] = set()
    for item in items:
        if not item.has_extent:
            continue
        node = item.node
        node_type = node.get(TYPE, "")
        if node_type == "uast:Comment":
            comments.append(item)
        elif _is_import(node):
            import_parents.add(item.parent)
        elif node_type == "uast:String" or FOLDED_ROLES & set(node.get(ROLE) or ()):
            add(item.start, item.end, None, item.depth)

    for run in _comment_runs(comments, index):
        add(run[0].start, run[-1].end, FoldingRangeKind.Comment, 0)
    for run in _import_runs(items, import_parents):
        add(run[0].start, run[-1].end, FoldingRangeKind.Imports, 0)
    return sorted(found.values(), key=lambda fold: fold.start_line)


def _comment_runs(comments: list[Item], index: TextIndex) -> list[list[Item]]:
    """Comments on consecutive lines; a multi-line (block) comment is a run by itself."""
    runs: list[list[Item]] = []
    run: list[Item] = []
    for item in sorted(comments, key=lambda comment: comment.start):
        if run and index.line_of(item.start) > index.line_of(run[-1].end) + 1:
            runs.append(run)
            run = []
        run.append(item)
    if run:
        runs.append(run)
    return runs


def _import_runs(items: list[Item], parents: set[int]) -> list[list[Item]]:
    """Imports of one parent that follow each other with no other statement between them."""
    runs: list[list[Item]] = []
    siblings: dict[int, list[Item]] = {}
    for item in items:
        if item.parent in parents and item.has_extent:
            siblings.setdefault(item.parent, []).append(item)
    for parent, members in siblings.items():
        run: list[Item] = []
        for item in members:
            if _is_import(item.node):
                run.append(item)
                continue
            if item.node.get(TYPE) == "uast:Comment":
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
