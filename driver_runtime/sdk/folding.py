"""Folding ranges from the UAST: definitions, compound statements, multi-line literals and
calls, multi-line strings, runs of comments and runs of imports.

In lines and byte offsets: an editor's columns (LSP's characters) are the host's business.  In
the kit, so that a driver can send its folds with its outline (protocol 1.3, the `folds` part),
both from one pass over the tree.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from typing import Any, NamedTuple

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


class Fold(NamedTuple):
    """A named tuple: a document has hundreds, made after every keystroke."""

    start_line: int  # 0-based
    end_line: int
    collapsed_at: int  # byte offset of where the folded text starts (the end of its first line)
    ends_at: int  # byte offset of where it ends (on its last line)
    kind: str | None = None
    depth: int = 0


def _is_import(node: dict[str, Any]) -> bool:
    roles = node.get(ROLE) or ()
    return node.get(TYPE) in IMPORT_TYPES or ("Import" in roles and "Statement" in roles)


def worth_folding(node_type: str | None, roles: Any) -> bool:
    """A node whose multi-line extent folds on its own: a string, or a native node of a folded
    role (a uast:* node's roles are its concept's and those of the node it replaced (issue 14),
    and its extent is its parts' (a Python body's Block starts at its first statement), which
    would fold a function's body from its first line)."""
    return node_type == "uast:String" or (
        not FOLDED_ROLES.isdisjoint(roles) and not (node_type or "").startswith("uast:"))


@attrs.define
class FoldParts:
    """What a tree's nodes give its folds (the outline's symbols give the rest): multi-line nodes
    worth folding as (start line, end line, end, depth), comments as (start, end, start line, end
    line), and runs of imports as their (start, end); and the node each came from (sdk.views
    keeps a subtree's parts, and moves them by bytes and lines, not looking the lines up again).
    A line here is the one its offset is on (an end at a line's start is on that line)."""

    spans: list[tuple[int, int, int, int]] = attrs.field(factory=list)
    comments: list[tuple[int, int, int, int]] = attrs.field(factory=list)
    import_runs: list[list[tuple[int, int]]] = attrs.field(factory=list)
    span_nodes: list[int] = attrs.field(factory=list)
    comment_nodes: list[int] = attrs.field(factory=list)
    run_nodes: list[int] = attrs.field(factory=list)  # the parent of each run's imports

    def subtree(self, start: int, end: int, depth: int) -> FoldParts:
        """The parts of nodes start..end-1 (a subtree, its root at `depth`), its depths from
        its root's."""
        first, last = bisect_left(self.span_nodes, start), bisect_left(self.span_nodes, end)
        spans = [(begin, finish, at, level - depth) for begin, finish, at, level in self.spans[first:last]]
        first, last = bisect_left(self.comment_nodes, start), bisect_left(self.comment_nodes, end)
        runs = [run for run, parent in zip(self.import_runs, self.run_nodes) if start <= parent < end]
        return FoldParts(spans, self.comments[first:last], runs)

    def add(self, other: FoldParts, number: int, depth: int, delta: int, lines: int) -> None:
        """A kept subtree's parts, for node `number` at `depth` that holds it, `delta` bytes and
        `lines` lines further."""
        if other.spans:
            self.spans += [(begin + lines, finish + lines, at + delta, level + depth)
                           for begin, finish, at, level in other.spans]
            self.span_nodes += [number] * len(other.spans)
        if other.comments:
            self.comments += [(begin + delta, finish + delta, first + lines, last + lines)
                              for begin, finish, first, last in other.comments] if delta or lines else other.comments
            self.comment_nodes += [number] * len(other.comments)
        if other.import_runs:
            self.import_runs += [[(begin + delta, finish + delta) for begin, finish in run]
                                 for run in other.import_runs]
            self.run_nodes += [number] * len(other.import_runs)


def fold_parts(structure: Structure, index: Text,
               kept: Mapping[int, tuple[FoldParts, int, int]] | None = None) -> FoldParts:
    """The fold parts of a tree; `kept`: node number -> the parts of its subtree, kept from a
    build before, and by how many bytes and lines it moved since (sdk.views)."""
    parts = FoldParts()
    import_parents: set[int] = set()
    line_starts = index.lines.starts
    starts, ends, depths = structure.starts, structure.ends, structure.depths
    for number, node in enumerate(structure.nodes):
        start = starts[number]
        if start == NO_EXTENT:
            continue
        if kept and number in kept:
            subtree, delta, lines = kept[number]
            parts.add(subtree, number, depths[number], delta, lines)
            if _is_import(node):
                import_parents.add(structure.parents[number])
            continue
        node_type = node.get(TYPE)
        if node_type == "uast:Comment":
            end = ends[number]
            parts.comments.append((start, end, bisect_right(line_starts, start) - 1,
                                   bisect_right(line_starts, end) - 1))
            parts.comment_nodes.append(number)
            continue
        roles = node.get(ROLE) or ()
        if node_type in IMPORT_TYPES or ("Import" in roles and "Statement" in roles):
            import_parents.add(structure.parents[number])
        elif worth_folding(node_type, roles):
            end = ends[number]
            first, last = bisect_right(line_starts, start) - 1, bisect_right(line_starts, end) - 1
            if last > first:
                parts.spans.append((first, last, end, depths[number]))
                parts.span_nodes.append(number)
    for parent, run in _import_runs(structure, import_parents):
        parts.import_runs.append(run)
        parts.run_nodes.append(parent)
    return parts


def folds(structure: Structure, symbols: list[Symbol], index: Text) -> list[Fold]:
    return assemble(symbols, fold_parts(structure, index), index)


def assemble(symbols: list[Symbol], parts: FoldParts, index: Text) -> list[Fold]:
    """The folds of a document from its symbols and its nodes' fold parts."""
    # One fold per start line, the longest: (end_line, -depth, end, kind) by start line; the
    # Fold objects are made at the end, for the winners only.  This runs after every keystroke,
    # once per candidate: the parts come with their lines, the symbols' are looked up here.
    found: dict[int, tuple[int, int, int, str | None]] = {}
    line_starts = index.lines.starts
    size = len(index.data)
    known_at = found.get

    def put(start_line: int, end_line: int, end: int, kind: str | None, depth: int) -> None:
        if end_line > start_line and line_starts[end_line] == end:
            end_line -= 1  # a span ending at a line start ends on the line before
        if end_line <= start_line:
            return
        known = known_at(start_line)
        if known is not None and (end_line, -depth) <= known[:2]:
            return
        found[start_line] = (end_line, -depth, end, kind)

    for symbol, depth in _walk_symbols(symbols):
        end = min(max(symbol.end, 0), size)
        put(bisect_right(line_starts, symbol.start) - 1, bisect_right(line_starts, end) - 1, end, None, depth)
    for start_line, end_line, end, depth in parts.spans:
        put(start_line, end_line, end, None, depth)
    for first, last in _comment_runs(parts.comments):
        put(first[2], last[3], last[1], COMMENT, 0)
    for run in parts.import_runs:
        end = min(max(run[-1][1], 0), size)
        put(bisect_right(line_starts, run[0][0]) - 1, bisect_right(line_starts, end) - 1, end, IMPORTS, 0)
    data, count = index.data, len(line_starts)

    def line_end(line: int) -> int:  # Text.line_end, for lines known to exist
        if line + 1 >= count:
            return size
        end = line_starts[line + 1] - 1  # the line break's last byte
        return end - 1 if data[end] == 0x0A and end > line_starts[line] and data[end - 1] == 0x0D else end

    return [Fold(start_line, end_line, line_end(start_line), min(end, line_end(end_line)), kind, -depth)
            for start_line, (end_line, depth, end, kind) in sorted(found.items())]


def _comment_runs(comments: list[tuple[int, int, int, int]]) -> list[tuple[tuple[int, int, int, int], ...]]:
    """Comments on consecutive lines, as the first and the last of each run; a multi-line
    (block) comment is a run by itself."""
    runs: list[tuple[tuple[int, int, int, int], ...]] = []
    first = last = None
    for comment in sorted(comments):
        if last is not None and comment[2] > last[3] + 1:
            runs.append((first, last))  # type: ignore[arg-type]
            first = None
        if first is None:
            first = comment
        last = comment
    if last is not None:
        runs.append((first, last))  # type: ignore[arg-type]
    return runs


def _import_runs(structure: Structure, parents: set[int]) -> list[tuple[int, list[tuple[int, int]]]]:
    """Imports of one parent that follow each other with no other statement between them, with
    that parent."""
    siblings: dict[int, list[tuple[Any, int, int]]] = {}
    for number, parent in enumerate(structure.parents):
        if parent in parents and structure.starts[number] != NO_EXTENT:
            siblings.setdefault(parent, []).append((structure.nodes[number], structure.starts[number],
                                                    structure.ends[number]))
    return [(parent, run) for parent, members in siblings.items() for run in _runs_among(members)]


def _runs_among(members: list[tuple[Any, int, int]]) -> list[list[tuple[int, int]]]:
    """The runs of imports among one parent's children, given as (node, start, end)."""
    runs: list[list[tuple[int, int]]] = []
    run: list[tuple[int, int]] = []
    for node, start, end in members:
        if _is_import(node):
            run.append((start, end))
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
